"""The solvers' front end: :func:`solve_max_sr`, :func:`solve_max_min` and
:func:`solve_alpha_fair`.

Both validate their input before any work, build the
:class:`~scma_alloc._objectives.Problem` (objective and rate model), run the chosen
method and assemble the :class:`~scma_alloc.AllocationResult`.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._caps import check_caps
from ._exhaustive import exhaustive
from ._graph import check_assignment
from ._objectives import Problem
from ._options import AlternatingOptions, ExhaustiveOptions, PaperOptions, method_options
from ._paper import paper_max_min, paper_max_sr
from ._power import power_step
from ._rates import LN2, edge_index, gather_edges, rate_model
from ._result import END_REASONS, AllocationResult, Monitor
from ._scenario import Scenario, check_scenario
from ._search import alternating_search
from ._units import real_array

__all__ = [
    "check_min_rates",
    "check_weights",
    "prepare",
    "solve",
    "solve_alpha_fair",
    "solve_max_min",
    "solve_max_sr",
]

Options = AlternatingOptions | PaperOptions | ExhaustiveOptions


def _check_rng(rng: Any) -> np.random.Generator:
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or rng < 0:
        raise TypeError(f"rng must be a non-negative integer seed or a Generator, got {rng!r}")
    return np.random.default_rng(int(rng))


def _check_initial(
    scenario: Scenario, method: str, initial: Any
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """``initial`` may be an AllocationResult, an assignment, or (assignment, power)."""
    if initial is None:
        return None
    if method == "exhaustive":
        raise TypeError("initial: method='exhaustive' tries every graph and takes no start")
    power = None
    if isinstance(initial, AllocationResult):
        assignment, power = initial.assignment, initial.power
    elif isinstance(initial, tuple) and len(initial) == 2:
        assignment, power = initial
    else:
        assignment = initial
    if method == "paper":
        f = real_array(assignment, "initial")
        if f.shape != scenario.shape or not np.all((f >= 0) & (f <= 1)):
            raise ValueError(
                f"initial: the assignment must be a {scenario.shape} array with values in [0, 1]"
            )
    else:
        f = check_assignment(
            assignment,
            scenario.n_per_user,
            scenario.users_per_resource,
            scenario.shape,
            name="initial",
        )
    if power is not None:
        p = real_array(power, "initial")
        if p.shape != scenario.shape or not np.all(np.isfinite(p)) or np.any(p < 0):
            raise ValueError(
                f"initial: the power must be a finite, non-negative {scenario.shape} array"
            )
        power = p / scenario.power_budget[None, :]
    return f, power


def prepare(
    scenario: Scenario,
    objective: str,
    method: str = "alternating",
    options: Options | None = None,
    *,
    interference: Any = None,
    initial: Any = None,
    rng: Any = None,
    callback: Any = None,
    alpha: float | None = None,
    weights: np.ndarray | None = None,
    min_rates: Any = None,
    resource_caps: Any = None,
    total_cap: Any = None,
    **overrides: Any,
) -> tuple[Problem, Options, Any, np.random.Generator, Monitor]:
    """Validate a solver call (every argument, before any work) and build its parts.

    Raises
    ------
    TypeError, ValueError
        Naming the argument or option.
    """
    scenario = check_scenario(scenario)
    options = method_options(method, options, overrides)
    if options.solver is not None:
        options.solvers  # noqa: B018 - an unknown solver name fails here, before any work
    model = rate_model(scenario, interference)
    if method == "paper" and objective == "alpha_fair":
        raise ValueError(
            "method: the paper has no alpha-fair algorithm; use method='alternating' "
            "(default) or 'exhaustive'"
        )
    if method == "paper" and not model.is_sic:
        raise ValueError(
            "interference: method='paper' implements the paper's SIC model only; use "
            "method='alternating' (default) or 'exhaustive' with a general coupling"
        )
    floors = check_min_rates(min_rates, scenario.n_users)
    caps = check_caps(scenario, resource_caps, total_cap)
    if method == "paper" and caps is not None:
        raise ValueError(
            "method: the paper's algorithms take no power caps; use method='alternating' "
            "(default) or 'exhaustive'"
        )
    weights = check_weights(weights, scenario.n_users)
    if weights is not None and objective == "sum_rate":
        raise ValueError("weights: a weighted sum-rate is objective 'alpha_fair' with alpha 0")
    if method == "paper" and (floors is not None or weights is not None):
        raise ValueError(
            "method: the paper's algorithms take no weights or rate floors; use "
            "method='alternating' (default) or 'exhaustive'"
        )
    start = _check_initial(scenario, method, initial)
    generator = _check_rng(rng)
    monitor = Monitor(callback)
    problem = Problem(
        scenario,
        objective,
        model,
        alpha=alpha,
        weights=weights,
        floors=None if floors is None else floors * LN2,
        caps=caps,
    )
    return problem, options, start, generator, monitor


def solve(
    scenario: Scenario,
    objective: str,
    method: str = "alternating",
    options: Options | None = None,
    *,
    interference: Any = None,
    initial: Any = None,
    rng: Any = None,
    callback: Any = None,
    alpha: float | None = None,
    weights: np.ndarray | None = None,
    min_rates: Any = None,
    resource_caps: Any = None,
    total_cap: Any = None,
    **overrides: Any,
) -> AllocationResult:
    """Maximise ``objective`` (``"sum_rate"``, ``"min_rate"`` or ``"alpha_fair"``)
    with ``method``, optionally under per-user rate floors ``min_rates`` and power caps
    ``resource_caps`` / ``total_cap``.

    The common front end of :func:`solve_max_sr`, :func:`solve_max_min` and
    :func:`solve_alpha_fair`; see there.
    """
    problem, options, start, generator, monitor = prepare(
        scenario,
        objective,
        method,
        options,
        interference=interference,
        initial=initial,
        rng=rng,
        callback=callback,
        alpha=alpha,
        weights=weights,
        min_rates=min_rates,
        resource_caps=resource_caps,
        total_cap=total_cap,
        **overrides,
    )
    if problem.floors is None:
        return _run(problem, method, options, start, generator, monitor)
    return _solve_with_floors(problem, method, options, start, generator, monitor)


def _solve_with_floors(
    problem: Problem,
    method: str,
    options: Options,
    start: Any,
    generator: np.random.Generator,
    monitor: Monitor,
) -> AllocationResult:
    """Rate floors in two phases.

    1. The allocation closest to the floors: the weighted max-min with the floors as
       weights, ``max min_j R_j / r_j`` (users without a floor left out). Below 1, no
       allocation meeting every floor was found: that allocation is returned with
       status ``"floors_not_met"``.
    2. Otherwise the objective under the floors (a miss is worth ``-inf``), with the
       first phase's graph as one more start; the better of the two allocations under
       the floored objective is returned.
    """
    scenario, model, floors, caps = problem.scenario, problem.model, problem.floors, problem.caps
    closest = Problem(scenario, "min_rate", model, weights=floors, caps=caps)
    with monitor.scope("floors:"):
        first = _run(closest, method, options, start, generator, monitor)
    report = Problem(scenario, "min_rate", model, weights=floors, floors=floors, caps=caps)
    rates = np.asarray(first.user_rates) * LN2
    if not report.meets_floors(rates) or monitor.stopped:
        return _rereport(report, first, method, monitor)
    initial = start if start is not None else (first.assignment, None)
    second = _run(problem, method, options, initial, generator, monitor)
    value_first = problem.values(*_edges(problem, first))[0]
    value_second = problem.values(*_edges(problem, second))[0]
    if value_first > value_second:  # the floors' own allocation is better (or the only one)
        result = _rereport(problem, first, method, monitor)
        result["message"] += (
            "; the allocation closest to the floors beat the search under them and is returned"
        )
        return result
    return second


def _edges(problem: Problem, result: AllocationResult) -> tuple[np.ndarray, np.ndarray]:
    """A result's allocation as edges and budget fractions, each with a batch axis of 1."""
    sub = edge_index(result.assignment, problem.n_per_user)
    x = gather_edges(result.power / problem.scenario.power_budget[None, :], sub)
    return sub[None], x[None]


def _rereport(
    problem: Problem, result: AllocationResult, method: str, monitor: Monitor
) -> AllocationResult:
    """A result reported again under ``problem`` (its objective, floors and status)."""
    return problem.result(
        result.assignment,
        result.power,
        method=method,
        status=result.status,
        message=result.message,
        monitor=monitor,
        n_outer=result.n_outer,
        solver=result.solver,
    )


def _run(
    problem: Problem,
    method: str,
    options: Options,
    start: Any,
    generator: np.random.Generator,
    monitor: Monitor,
) -> AllocationResult:
    """Run ``method`` on ``problem`` and assemble its result."""
    scenario = problem.scenario
    if method == "exhaustive":
        return exhaustive(problem, options, monitor)
    step = power_step(problem)
    if method == "paper":
        run = paper_max_sr if problem.objective == "sum_rate" else paper_max_min
        outcome = run(scenario, options, monitor, start)
    else:
        outcome = alternating_search(
            problem,
            step,
            options,
            monitor,
            generator,
            None if start is None else start[0],
        )
    reason = outcome.reason
    if monitor.solver_failures and reason != "stopped":
        # At least one surrogate could not be solved by any solver: the allocation
        # is the best feasible iterate, and the status says so.
        reason = "solver_failed"
    status, message = END_REASONS[reason]
    if monitor.solver_failures:
        message += (
            f" ({monitor.solver_failures} of {monitor.n_inner} surrogate solves failed on "
            f"every solver in {list(options.solvers)})"
        )
    for note in monitor.notes:
        message += f"; {note}"
    if outcome.repaired:
        message += "; the rounded factor graph was repaired"
    used = "+".join(monitor.solvers_used)
    label = step.label if step.exact else f"{step.label}+{step.polish_label}"
    return problem.result(
        outcome.assignment,
        outcome.power_fraction * scenario.power_budget[None, :],
        method=method,
        status=status,
        message=message,
        monitor=monitor,
        n_outer=outcome.n_outer,
        solver=used or label,
    )


def check_min_rates(min_rates: Any, n_users: int) -> np.ndarray | None:
    """Rate floors (bit/s/Hz) as a (J,) array, or None when absent or all zero.

    Raises
    ------
    TypeError, ValueError
        Naming ``min_rates``: not real, wrong shape, negative or not finite.
    """
    if min_rates is None:
        return None
    r = real_array(min_rates, "min_rates")
    if r.ndim == 0:
        r = np.full(n_users, float(r))
    if r.shape != (n_users,):
        raise ValueError(
            f"min_rates must be one number or one per user, shape ({n_users},), got {r.shape}"
        )
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("min_rates must be finite and >= 0 (bit/s/Hz per user)")
    return r if np.any(r > 0) else None


def solve_max_sr(
    scenario: Scenario,
    method: str = "alternating",
    options: Options | None = None,
    *,
    interference: Any = None,
    initial: Any = None,
    rng: Any = None,
    callback: Any = None,
    weights: Any = None,
    min_rates: Any = None,
    resource_caps: Any = None,
    total_cap: Any = None,
    **overrides: Any,
) -> AllocationResult:
    """Maximise the sum-rate over the factor graph and the powers (paper problem (14)).

    Parameters
    ----------
    scenario : Scenario
    method : {"alternating", "paper", "exhaustive"}
        ``"alternating"`` (default): alternating optimisation whose codebook step is a
        best-improvement search over subcarrier moves and swaps and whose power step
        is exact multi-user water-filling, from several starting graphs walked
        together (see ``docs/scma_alloc.md``). ``"paper"``: Algorithm 1 of the paper —
        relaxed F with the penalty ``eta * sum(F**2 - F)`` linearised (Lemma 1),
        trust-region SCP, alternation with the power step, rounding and repair, final
        power step. ``"exhaustive"``: every feasible graph (exact; small instances).
    options : AlternatingOptions, PaperOptions or ExhaustiveOptions, optional
        The method's options; every default is stated in the options class.
    interference : InterferenceModel or array_like, optional
        Coupling of the user rates (default: SIC, the paper's model). With a general
        coupling the sum-rate is no longer concave and the power step is SCP.
    initial : AllocationResult, array_like or (array_like, array_like), optional
        A starting graph (or graph and power): one more start of the alternating
        search; the relaxed starting point of the paper's method.
    rng : int or numpy.random.Generator, optional
        Random starting graphs (default seed 0: results are reproducible).
    callback : callable, optional
        ``callback(record) -> bool`` receives every :class:`StepRecord`; returning
        True stops the run with the best feasible allocation so far.
    weights : array_like, shape (J,), optional
        User priorities ``>= 0``: maximise the weighted sum-rate ``sum_j w_j R_j``
        (:func:`solve_alpha_fair` with ``alpha = 0``).
    min_rates : float or array_like, shape (J,), optional
        Per-user rate floors ``R_j >= r_j`` in bit/s/Hz (summed over the user's
        resources, as ``AllocationResult.user_rates``); one number for every user.
        Met, or the result has status ``"floors_not_met"``, ``success`` False, a
        message naming the largest shortfall and the allocation closest to the floors
        (see Notes).
    resource_caps : float or array_like, shape (K,), optional
        Power caps per resource in watts, ``sum_j P[k, j] <= C_k``, on top of the
        per-user budgets (``inf``: none); one number for every resource.
    total_cap : float, optional
        A cap on the transmit power of all users together, watts.
    **overrides
        Fields of the method's options class, e.g. ``n_starts=2`` or ``eta=20``.

    Returns
    -------
    AllocationResult
        With rate floors also ``min_rates`` and ``floor_shortfall`` (bit/s/Hz).

    Raises
    ------
    TypeError
        Unknown option or wrong type; ``scenario`` not a Scenario.
    ValueError
        Unknown method or invalid option value (before any solve); weights or floors
        with ``method="paper"``.

    Notes
    -----
    The power step for a fixed graph is concave (a sum of logs of affine functions);
    multi-user iterative water-filling reaches its global optimum. The joint problem
    is a non-convex MINLP.

    Rate floors are solved in two phases. First the allocation closest to the floors:
    the weighted max-min ``max min_j R_j / r_j`` (:func:`solve_max_min` with the floors
    as weights). If its value is below 1 no allocation meeting every floor was found
    and that allocation is returned (status ``"floors_not_met"``: the floors are out
    of reach of the method, a local one). Otherwise the objective is maximised with
    a floor miss worth ``-inf``: the power step is a log-barrier gradient method from
    the unconstrained optimum, the closest point and their blends, and the first
    phase's graph is one more start of the search.

    Examples
    --------
    >>> from scma_alloc import random_scenario, solve_max_sr
    >>> res = solve_max_sr(random_scenario(power_budget_dbm=10, rng=0))
    >>> res.status, res.assignment.sum(axis=0).tolist()
    ('converged', [2, 2, 2, 2, 2, 2])

    Every user at least 1 bit/s/Hz:

    >>> floored = solve_max_sr(random_scenario(power_budget_dbm=10, rng=0), min_rates=1.0)
    >>> floored.status, bool(floored.user_rates.min() >= 1.0)
    ('converged', True)
    """
    common = {
        "interference": interference,
        "initial": initial,
        "rng": rng,
        "callback": callback,
        "min_rates": min_rates,
        "resource_caps": resource_caps,
        "total_cap": total_cap,
        **overrides,
    }
    if weights is not None:
        return solve_alpha_fair(scenario, 0.0, weights, method, options, **common)
    return solve(scenario, "sum_rate", method, options, **common)


def solve_max_min(
    scenario: Scenario,
    method: str = "alternating",
    options: Options | None = None,
    *,
    interference: Any = None,
    initial: Any = None,
    rng: Any = None,
    callback: Any = None,
    weights: Any = None,
    min_rates: Any = None,
    resource_caps: Any = None,
    total_cap: Any = None,
    **overrides: Any,
) -> AllocationResult:
    """Maximise the minimum user rate over the factor graph and powers (paper (17)).

    Same parameters and result as :func:`solve_max_sr`, except ``weights``: with
    weights ``w_j >= 0`` the objective is the weighted max-min ``min_j R_j / w_j``
    (rates in proportion to the weights where they bind; a user of weight 0 is left
    out of the minimum). With ``min_rates`` every user also keeps its floor: user j's
    rate is at least ``max(t w_j, r_j)`` for the common value ``t`` maximised.

    The user rates are SIC rates
    (users ranked by ascending total gain; a user sees only weaker users), a
    difference of concave functions in P; every SCP step replaces the subtracted
    ``log(1 + I)`` by its tangent (an upper bound, paper Lemmas 2 and 3), so each
    surrogate is a concave minorant of the min-rate, tight at the current point.

    ``"alternating"`` (default): multi-start subcarrier search scored by the sequential
    water-filling power step, then a barrier-method polish of the power step (on
    the tangent-bound surrogate) on the best graphs and their neighbours. ``"paper"``:
    Algorithm 2 with the valid tangent bound in both steps. ``"exhaustive"``: every
    graph with the min-rate power step (the reference of the benchmarks).

    Examples
    --------
    >>> from scma_alloc import random_scenario, solve_max_min
    >>> res = solve_max_min(random_scenario(power_budget_dbm=10, rng=0))
    >>> bool(res.min_rate > 0)
    True

    User 4 at twice the rate of the weakest other user (weighted max-min):

    >>> w = [1, 1, 1, 1, 2, 1]
    >>> res = solve_max_min(random_scenario(power_budget_dbm=10, rng=0), weights=w)
    >>> bool(abs(res.user_rates[4] / 2 - min(res.user_rates / w)) < 1e-9)
    True
    """
    return solve(
        scenario,
        "min_rate",
        method,
        options,
        interference=interference,
        initial=initial,
        rng=rng,
        callback=callback,
        weights=weights,
        min_rates=min_rates,
        resource_caps=resource_caps,
        total_cap=total_cap,
        **overrides,
    )


def _check_alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number, got {type(alpha).__name__}")
    value = float(alpha)
    if not (value >= 0):  # NaN too
        raise ValueError(
            f"alpha must be >= 0 (0: sum-rate, 1: proportional fairness), got {alpha!r}"
        )
    return value


def check_weights(weights: Any, n_users: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = real_array(weights, "weights")
    if w.shape != (n_users,):
        raise ValueError(f"weights must have shape ({n_users},) (one per user), got {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError("weights must be finite and >= 0, with at least one positive")
    return w


def solve_alpha_fair(
    scenario: Scenario,
    alpha: float,
    weights: Any = None,
    method: str = "alternating",
    options: Options | None = None,
    *,
    interference: Any = None,
    initial: Any = None,
    rng: Any = None,
    callback: Any = None,
    min_rates: Any = None,
    resource_caps: Any = None,
    total_cap: Any = None,
    **overrides: Any,
) -> AllocationResult:
    """Maximise the weighted alpha-fair utility of the user rates over graph and powers.

    ``U = sum_j w_j u(R_j)`` with ``u(r) = r**(1 - alpha) / (1 - alpha)`` and
    ``u(r) = log r`` at ``alpha = 1`` (rates in bit/s/Hz). ``alpha = 0`` is the
    (weighted) sum-rate of problem (14), ``alpha = 1`` proportional fairness (the sum
    of log-rates), and ``alpha -> infinity`` approaches the max-min fairness of
    problem (17); ``alpha = inf`` runs :func:`solve_max_min`, with ``weights`` the
    weighted max-min ``min_j R_j / w_j`` (the limit of the family with weights
    ``w_j**alpha``, Mo and Walrand 2000).

    Parameters
    ----------
    scenario : Scenario
    alpha : float
        Fairness, ``>= 0``.
    weights : array_like, shape (J,), optional
        User priorities, ``>= 0`` (default: all 1).
    method : {"alternating", "exhaustive"}
        The alternating search of :func:`solve_max_sr` (graph moves scored by a short
        projected-gradient power step, the best graphs polished by a long one), or
        every feasible graph with the power step (the reference; small instances).
    options, interference, initial, rng, callback, min_rates, resource_caps, total_cap, **overrides
        As in :func:`solve_max_sr`.

    Returns
    -------
    AllocationResult
        With extra fields ``alpha``, ``weights`` and ``utility`` (``U`` of the rates).

    Raises
    ------
    TypeError, ValueError
        Bad ``alpha`` or ``weights`` (naming them), or any other argument, before any
        work; ``method="paper"`` (the paper has no alpha-fair algorithm).

    Notes
    -----
    With ``alpha = 0`` and equal weights the problem is the sum-rate and is solved as
    by :func:`solve_max_sr` (exact water-filling power step). Otherwise, for a fixed
    graph, ``U`` is not concave in the powers under SIC with unequal weights or for
    ``alpha > 0`` (each ``R_j`` is a difference of concave functions); the power step
    is a projected gradient ascent from several starts (see ``docs/scma_alloc.md``),
    a local optimum.

    Examples
    --------
    >>> import scma_alloc as sa
    >>> s = sa.random_scenario(power_budget_dbm=10, rng=0)
    >>> pf = sa.solve_alpha_fair(s, 1.0)
    >>> bool(sa.solve_max_min(s).min_rate >= pf.min_rate and pf.sum_rate > 0)
    True
    """
    scenario = check_scenario(scenario)
    value = _check_alpha(alpha)
    w = check_weights(weights, scenario.n_users)
    common = {
        "interference": interference,
        "initial": initial,
        "rng": rng,
        "callback": callback,
        "min_rates": min_rates,
        "resource_caps": resource_caps,
        "total_cap": total_cap,
        **overrides,
    }
    if value == float("inf"):
        return solve(scenario, "min_rate", method, options, weights=w, **common)
    equal = w is None or np.all(w == w[0])
    if value == 0.0 and equal:
        result = solve(scenario, "sum_rate", method, options, **common)
        scale = 1.0 if w is None else float(w[0])
        result["alpha"], result["weights"] = 0.0, np.full(scenario.n_users, scale)
        result["utility"] = scale * result.sum_rate
        return result
    if w is None:
        w = np.ones(scenario.n_users)
    return solve(scenario, "alpha_fair", method, options, alpha=value, weights=w, **common)
