"""Public solvers: :func:`solve_max_sr` and :func:`solve_max_min`.

Both take a :class:`~scma_alloc.Scenario`, a ``method`` and keyword options, and
return an :class:`~scma_alloc.AllocationResult` whose allocation is always feasible.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .conic import solver_path
from .exhaustive import exhaustive_coupled, exhaustive_max_min, exhaustive_max_sr
from .factor_graph import check_assignment
from .interference import InterferenceModel
from .monitor import Monitor
from .outcome import allocation_result
from .paper_method import PaperOptions, paper_max_min, paper_max_sr
from .result import (
    STATUS_CONVERGED,
    STATUS_ITERATION_LIMIT,
    STATUS_SOLVER_FAILED,
    STATUS_STOPPED_BY_CALLBACK,
    AllocationResult,
)
from .scenario import Scenario
from .search_method import SearchOptions, search_coupled, search_max_min, search_max_sr

__all__ = ["METHODS", "solve_max_min", "solve_max_sr"]

#: Methods accepted by both solvers.
METHODS = ("alternating", "paper", "exhaustive")

_COMMON = {"solver", "callback", "rng", "initial", "interference"}
_TRUST = {"trust_radius", "trust_radius_max", "trust_expand", "trust_shrink"}
_OPTIONS = {
    "alternating": _COMMON
    | _TRUST
    | {"n_starts", "max_moves", "polish", "n_polish", "scp_tol", "max_inner", "include_paper"},
    "paper": _COMMON | _TRUST | {"eta", "tol", "scp_tol", "max_outer", "max_inner"},
    "exhaustive": {"solver", "max_graphs", "polish", "scp_tol", "max_inner", "interference"},
}

_STATUS = {
    "converged": (STATUS_CONVERGED, "converged: tolerances met"),
    "iteration_limit": (STATUS_ITERATION_LIMIT, "stopped at the iteration limit"),
    "stopped": (STATUS_STOPPED_BY_CALLBACK, "stopped by the callback; best feasible allocation"),
    "solver_failed": (
        STATUS_SOLVER_FAILED,
        "every conic solver failed; returning the best feasible allocation found",
    ),
}


def _positive(options: dict[str, Any], name: str, kind: type = float, allow_zero: bool = False):
    value = options[name]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if kind is int and not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return kind(value)


def _parse(scenario: Scenario, method: str, options: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario must be a scma_alloc.Scenario, got {type(scenario).__name__}; "
            "build one with Scenario(gains, power_budget, ...) or random_scenario(...)"
        )
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    unknown = sorted(set(options) - _OPTIONS[method])
    if unknown:
        raise TypeError(
            f"unknown option(s) {unknown} for method={method!r}; "
            f"accepted: {sorted(_OPTIONS[method])}"
        )
    parsed: dict[str, Any] = dict(options)
    for name in ("eta", "tol", "scp_tol", "trust_radius", "trust_radius_max", "trust_expand"):
        if name in parsed:
            parsed[name] = _positive(parsed, name)
    if "trust_shrink" in parsed:
        shrink = _positive(parsed, "trust_shrink")
        if shrink >= 1:
            raise ValueError(f"trust_shrink must be in (0, 1), got {shrink!r}")
        parsed["trust_shrink"] = shrink
    for name in ("max_outer", "max_inner", "max_moves", "n_polish", "max_graphs"):
        if name in parsed:
            parsed[name] = _positive(parsed, name, int)
    if "n_starts" in parsed:
        parsed["n_starts"] = _positive(parsed, "n_starts", int, allow_zero=True)
    if "polish" in parsed and not isinstance(parsed["polish"], bool | np.bool_):
        raise TypeError("polish must be True or False")
    if parsed.get("include_paper") is not None and not isinstance(
        parsed["include_paper"], bool | np.bool_
    ):
        raise TypeError("include_paper must be True, False or None (automatic)")
    if parsed.get("callback") is not None and not callable(parsed["callback"]):
        raise TypeError("callback must be callable: callback(record) -> bool")
    parsed["solvers"] = solver_path(parsed.pop("solver", None))
    parsed["interference"] = _parse_interference(scenario, method, parsed.get("interference"))
    if "initial" in parsed:
        parsed["initial"] = _parse_initial(scenario, method, parsed["initial"])
    return parsed


def _parse_interference(
    scenario: Scenario, method: str, interference: Any
) -> InterferenceModel | None:
    """None for the SIC model (default, or given explicitly), else the coupling model."""
    if interference is None:
        return None
    if not isinstance(interference, InterferenceModel):
        try:
            if isinstance(interference, Mapping):  # the JSON form of to_dict(), as in sweeps
                interference = InterferenceModel.from_dict(interference)
            else:
                interference = InterferenceModel(interference)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"interference: {exc}") from exc
    interference.check(scenario)
    if interference.is_sic_for(scenario):
        return None  # the seed's model: exactly the SIC code path
    if method == "paper":
        raise ValueError(
            "interference: method='paper' implements the paper's SIC model only; use "
            "method='alternating' (default) or 'exhaustive' with a general coupling"
        )
    return interference


def _parse_initial(
    scenario: Scenario, method: str, initial: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """``initial`` may be an AllocationResult, an assignment, or (assignment, power)."""
    if initial is None:
        return None
    power = None
    if isinstance(initial, AllocationResult):
        assignment, power = initial.assignment, initial.power
    elif isinstance(initial, tuple) and len(initial) == 2:
        assignment, power = initial
    else:
        assignment = initial
    if method == "paper":
        f = np.asarray(assignment, dtype=float)
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
        p = np.asarray(power, dtype=float)
        if p.shape != scenario.shape or not np.all(np.isfinite(p)) or np.any(p < 0):
            raise ValueError(
                f"initial: the power must be a finite, non-negative {scenario.shape} array"
            )
        power = p / scenario.power_budget[None, :]
    return f, power


def _paper_options(parsed: dict[str, Any]) -> PaperOptions:
    initial = parsed.get("initial")
    names = ("eta", "tol", "scp_tol", "max_outer", "max_inner", *sorted(_TRUST))
    return PaperOptions(
        solvers=parsed["solvers"],
        initial_assignment=None if initial is None else initial[0],
        initial_power_fraction=None if initial is None else initial[1],
        **{name: parsed[name] for name in names if name in parsed},
    )


def _search_options(parsed: dict[str, Any], objective: str) -> SearchOptions:
    initial = parsed.get("initial")
    if "n_starts" not in parsed:
        # Max-Min already starts from the paper's graph and two greedy graphs.
        parsed = {**parsed, "n_starts": 6 if objective == "max_sr" else 0}
    names = (
        "n_starts",
        "max_moves",
        "polish",
        "n_polish",
        "scp_tol",
        "max_inner",
        "include_paper",
        *sorted(_TRUST),
    )
    return SearchOptions(
        solvers=parsed["solvers"],
        rng=np.random.default_rng(parsed.get("rng", 0)),
        initial_assignment=None if initial is None else initial[0],
        **{name: parsed[name] for name in names if name in parsed},
    )


def _solve(
    scenario: Scenario,
    method: str,
    options: dict[str, Any],
    objective: str,
    paper: Callable,
    search: Callable,
) -> AllocationResult:
    parsed = _parse(scenario, method, options)
    model: InterferenceModel | None = parsed.pop("interference")
    coupled_objective = "sum_rate" if objective == "max_sr" else "max_min"
    if method == "exhaustive":
        if model is not None:
            return exhaustive_coupled(
                scenario,
                model,
                coupled_objective,
                solver=parsed["solvers"],
                **{
                    target: parsed[source]
                    for source, target in (
                        ("max_graphs", "max_graphs"),
                        ("scp_tol", "tol"),
                        ("max_inner", "max_iter"),
                    )
                    if source in parsed
                },
            )
        if objective == "max_sr":
            return exhaustive_max_sr(
                scenario, **{k: parsed[k] for k in ("max_graphs",) if k in parsed}
            )
        return exhaustive_max_min(
            scenario,
            solver=parsed["solvers"],
            **{
                target: parsed[source]
                for source, target in (
                    ("max_graphs", "max_graphs"),
                    ("polish", "polish"),
                    ("scp_tol", "tol"),
                    ("max_inner", "max_iter"),
                )
                if source in parsed
            },
        )
    monitor = Monitor(parsed.get("callback"))
    if method == "paper":
        outcome = paper(scenario, _paper_options(parsed), monitor)
    elif model is not None:
        outcome = search_coupled(
            scenario,
            model.coupling,
            coupled_objective,
            _search_options(parsed, objective),
            monitor,
        )
    else:
        outcome = search(scenario, _search_options(parsed, objective), monitor)
    reason = outcome.status_reason
    if monitor.solver_failures and reason != "stopped":
        # At least one surrogate could not be solved by any solver: the allocation
        # is the best feasible iterate, and the status says so.
        reason = "solver_failed"
    status, message = _STATUS[reason]
    if monitor.solver_failures:
        message += (
            f" ({monitor.solver_failures} of {monitor.n_inner} surrogate solves failed on "
            f"every solver in {list(parsed['solvers'])})"
        )
    for note in monitor.notes:
        message += f"; {note}"
    if getattr(outcome, "repaired", False):
        message += "; the rounded factor graph was repaired"
    power = outcome.power_fraction * scenario.power_budget[None, :]
    solver = "+".join(monitor.solvers_used) or "water-filling"
    return allocation_result(
        scenario,
        outcome.assignment,
        power,
        method=method,
        status=status,
        message=message,
        monitor=monitor,
        n_outer=outcome.n_outer,
        solver=solver,
        coupling=None if model is None else model.coupling,
        interference="sic" if model is None else model.name,
    )


def solve_max_sr(
    scenario: Scenario, method: str = "alternating", **options: Any
) -> AllocationResult:
    """Maximise the sum-rate over the factor graph and the powers (paper problem (14)).

    Parameters
    ----------
    scenario : Scenario
    method : {"alternating", "paper", "exhaustive"}
        ``"alternating"`` (default): alternating optimisation whose codebook step is
        a best-improvement search over subcarrier swaps and moves and whose power
        step is exact multi-user water-filling, from several starting graphs (see
        ``docs/scma_alloc.md``). ``"paper"``: Algorithm 1 of the paper — relaxed F
        with the penalty ``eta * sum(F**2 - F)`` linearised (Lemma 1), trust-region
        SCP, alternation with the power step, rounding and repair, final power step.
        ``"exhaustive"``: every feasible graph (exact; small instances only).
    **options
        alternating: ``n_starts`` (random starts, default 2), ``max_moves``,
        ``initial`` (a feasible graph, ``(graph, power)`` or a result, used as one
        more start), ``rng``, ``callback``. paper: ``eta`` (50, nats), ``tol``
        (1e-4), ``scp_tol`` (1e-4), ``max_outer`` (5), ``max_inner`` (10),
        ``trust_radius`` (1), ``trust_radius_max`` (2), ``trust_expand`` (1.5),
        ``trust_shrink`` (0.8), ``solver`` (CLARABEL, then ECOS, then SCS),
        ``initial``, ``callback``. exhaustive: ``max_graphs``.
        ``callback(record) -> bool`` receives every :class:`StepRecord`; returning
        True stops the run with the best feasible allocation so far.

    Returns
    -------
    AllocationResult

    Raises
    ------
    TypeError
        Unknown option or wrong type; ``scenario`` not a Scenario.
    ValueError
        Unknown method or invalid option value (before any solve).

    Notes
    -----
    The power step for a fixed graph is concave (sum of logs of affine functions);
    multi-user iterative water-filling reaches its global optimum. The joint problem
    is a non-convex MINLP.

    Examples
    --------
    >>> from scma_alloc import random_scenario, solve_max_sr
    >>> res = solve_max_sr(random_scenario(power_budget_dbm=10, rng=0), rng=0)
    >>> res.status, res.assignment.sum(axis=0).tolist()
    ('converged', [2, 2, 2, 2, 2, 2])
    """
    return _solve(scenario, method, options, "max_sr", paper_max_sr, search_max_sr)


def solve_max_min(
    scenario: Scenario, method: str = "alternating", **options: Any
) -> AllocationResult:
    """Maximise the minimum user rate over the factor graph and powers (paper (17)).

    Same signature and result as :func:`solve_max_sr`. The user rates are SIC
    rates (users ranked by ascending total gain; a user sees only weaker users), a
    difference of concave functions in P; every SCP step replaces the subtracted
    ``log(1 + I)`` by its tangent (an upper bound, paper Lemmas 2 and 3), so each
    surrogate is a concave minorant of the min-rate, tight at the current point.

    Parameters
    ----------
    scenario : Scenario
    method : {"alternating", "paper", "exhaustive"}
        ``"alternating"`` (default): multi-start subcarrier search scored by a
        sequential water-filling power step, then SCP polish of the ``n_polish``
        best graphs. ``"paper"``: Algorithm 2 with the valid tangent bound in both
        steps. ``"exhaustive"``: every graph with the Max-Min power step (the
        reference of the benchmarks).
    **options
        As :func:`solve_max_sr`, plus for alternating: ``polish`` (True),
        ``n_polish`` (2), ``scp_tol`` (1e-6), ``max_inner`` (20), trust-region
        settings, ``solver``.

    Returns
    -------
    AllocationResult

    Examples
    --------
    >>> from scma_alloc import random_scenario, solve_max_min
    >>> res = solve_max_min(random_scenario(power_budget_dbm=10, rng=0), rng=0)
    >>> bool(res.min_rate > 0)
    True
    """
    return _solve(scenario, method, options, "max_min", paper_max_min, search_max_min)
