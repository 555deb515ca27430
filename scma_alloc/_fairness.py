"""The alpha-fair objectives and their power step (projected gradient, batched).

The alpha-fair utility of user rates ``R_j`` (bit/s/Hz) with weights ``w_j`` is
``U = sum_j w_j u_alpha(R_j)`` with ``u_alpha(r) = r**(1 - alpha) / (1 - alpha)`` and
``u_1(r) = log r`` (Mo and Walrand's family): ``alpha = 0`` is the weighted sum-rate,
``alpha = 1`` proportional fairness (the sum of log-rates that schedulers maximise), and
``alpha -> infinity`` approaches max-min fairness (paper problem (17)).

For a fixed factor graph, the power step maximises ``U`` over the budget fractions
``x`` (``x >= 0``, ``sum_n x[j, n] <= 1``). Under SIC with unequal weights, or a
general coupling, ``U`` is not concave in ``x``; the step is a batched projected
gradient ascent with a per-graph step size (grown after an improving step, halved
otherwise), from several starts (an equal split, the sum-rate water-filling point and,
for ``alpha >= 1``, the max-min point), keeping the best. It never returns a point
below its starts.
"""

from __future__ import annotations

import numpy as np

from ._barrier import _Coupling
from ._rates import LN2, RateModel

__all__ = ["alpha_fair_power", "alpha_utility"]

#: Projected gradient: iterations per start, and a graph stops when its step is below
#: ``_MIN_STEP`` (budget fractions) or its utility gains less than ``_TOL`` (relative)
#: over ``_PATIENCE`` iterations.
_ITERATIONS, _MIN_STEP, _TOL, _PATIENCE = 300, 1e-8, 1e-9, 8


def alpha_utility(rates: np.ndarray, alpha: float, weights: np.ndarray) -> np.ndarray:
    """``sum_j w_j u_alpha(R_j)`` over the last axis of ``rates`` (bit/s/Hz).

    ``-inf`` when a user with positive weight has rate 0 and ``alpha >= 1``.
    """
    r = np.asarray(rates, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if alpha == 1.0:
            u = np.log(r)
        else:
            u = r ** (1.0 - alpha) / (1.0 - alpha)
    u = np.where(weights > 0, u, 0.0)
    return (weights * u).sum(axis=-1)


def _project(x: np.ndarray) -> np.ndarray:
    """Euclidean projection of each user's fractions (..., N) on ``{x >= 0, sum <= 1}``."""
    clipped = np.maximum(x, 0.0)
    over = clipped.sum(axis=-1, keepdims=True) > 1.0
    if x.shape[-1] == 2:  # the segment between (1, 0) and (0, 1): shift onto it, clip
        theta = 0.5 * (x.sum(axis=-1, keepdims=True) - 1.0)
        return np.where(over, np.clip(x - theta, 0.0, 1.0), clipped)
    over = over[..., 0]
    if not over.any():
        return clipped
    v = x[over]
    n = v.shape[-1]
    s = -np.sort(-v, axis=-1)
    cumulative = np.cumsum(s, axis=-1) - 1.0
    index = np.arange(1, n + 1)
    active = s - cumulative / index > 0
    rho = n - 1 - np.argmax(active[..., ::-1], axis=-1)
    theta = np.take_along_axis(cumulative, rho[..., None], axis=-1) / (rho[..., None] + 1)
    clipped[over] = np.maximum(v - theta, 0.0)
    return clipped


def _levels(active: _Coupling, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(q, s_excl, s_incl)`` of points ``x`` (B, E): received SNRs, and one plus the
    interference an edge sees without and with its own signal."""
    q = active.a * x
    s_excl = 1.0 + np.einsum("bef,bf->be", active.excl, q)
    return q, s_excl, s_excl + q


def _ascent(
    coupling: _Coupling,
    x: np.ndarray,
    merit,
    marginal,
    iterations: int,
    *,
    from_finite: bool = False,
    project=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Projected gradient ascent of ``merit`` from ``x`` (B, E), batched.

    ``merit(rates, idx)`` is the merit of the graphs ``idx`` at user rates ``rates``
    (bit/s/Hz, one row per graph); ``marginal(rates, idx)`` its derivative in each
    user's rate (up to a positive factor per graph), from which the gradient in ``x``
    follows through the rates' chain rule. A step is kept only if it raises the merit;
    the per-graph step grows after a kept step and halves otherwise. With
    ``from_finite``, graphs whose start has merit ``-inf`` are left alone.
    ``project(x, idx)`` maps points (of the graphs ``idx``, shape (len, J, N)) on the
    feasible set (default: each user's ``{x >= 0, sum x <= 1}``). Returns the points
    and their merit.
    """
    n_batch = x.shape[0]
    n_users, n_per_user = coupling.n_users, coupling.n_per_user

    def rates_of(q: np.ndarray, s_excl: np.ndarray) -> np.ndarray:
        return np.log1p(q / s_excl).reshape(q.shape[0], n_users, -1).sum(2) / LN2

    # The levels of the current points, kept up to date (one product per iteration).
    q, s_excl, s_incl = _levels(coupling, x)
    rates = rates_of(q, s_excl)
    u = merit(rates, np.arange(n_batch))
    step = np.full(n_batch, 0.05)
    live = np.isfinite(u) if from_finite else np.ones(n_batch, dtype=bool)
    mark = u.copy()
    idx, active = None, coupling  # the live graphs, sliced only when they change
    for it in range(iterations):
        if it and it % _PATIENCE == 0:
            with np.errstate(invalid="ignore"):
                gain = np.where(np.isfinite(mark) & np.isfinite(u), u - mark, np.inf)
            live &= ~(gain <= _TOL * np.maximum(np.abs(u), 1e-12))
            mark = u.copy()
        if not live.any():
            break
        if idx is None or idx.size != live.sum():
            idx = np.flatnonzero(live)
            active = coupling.take(idx)
        xi, ex, inc = x[idx], s_excl[idx], s_incl[idx]
        c = np.repeat(marginal(rates[idx], idx), n_per_user, axis=1)
        # d/dx_f sum_e c_e log(s_incl_e / s_excl_e), with incl = excl + diag(a).
        grad = np.einsum("be,bef->bf", c / inc - c / ex, active.v_excl) + c * active.a / inc
        scale = np.abs(grad).max(axis=1)
        scale = np.where(scale > 0, scale, 1.0)
        moved = (xi + (step[idx] / scale)[:, None] * grad).reshape(idx.size, n_users, -1)
        trial = (_project(moved) if project is None else project(moved, idx)).reshape(idx.size, -1)
        tq, tex, tinc = _levels(active, trial)
        t_rates = rates_of(tq, tex)
        u_trial = merit(t_rates, idx)
        better = u_trial > u[idx]
        kept = idx[better]
        x[kept], u[kept], rates[kept] = trial[better], u_trial[better], t_rates[better]
        s_excl[kept], s_incl[kept] = tex[better], tinc[better]
        step[idx] = np.where(better, np.minimum(step[idx] * 1.5, 1.0), step[idx] * 0.5)
        live &= step > _MIN_STEP
    return x, u


def alpha_fair_power(
    a_edges: np.ndarray,
    sub: np.ndarray,
    model: RateModel,
    alpha: float,
    weights: np.ndarray,
    starts: list[np.ndarray],
    *,
    iterations: int = _ITERATIONS,
    project=None,
) -> tuple[np.ndarray, np.ndarray]:
    """The alpha-fair power step on a batch of graphs by projected gradient ascent.

    Parameters
    ----------
    a_edges : ndarray, shape (B, J, N)
        Received SNR at full budget on each edge.
    sub : ndarray of int, shape (B, J, N)
        The resource of each edge.
    model : RateModel
        SIC or a coupling.
    alpha : float
        Fairness parameter, ``>= 0`` and finite.
    weights : ndarray, shape (J,)
        User weights, ``>= 0``.
    starts : list of ndarray, shape (B, J, N)
        Feasible starting points (budget fractions).
    iterations : int
        Gradient steps per start.
    project : callable, optional
        ``project(x, idx)``: the projection on the feasible set of the graphs ``idx``
        (power caps); default: the budgets.

    Returns
    -------
    x : ndarray, shape (B, J, N)
        The best point per graph.
    utility : ndarray, shape (B,)
        Its utility (rates in bit/s/Hz).
    """
    coupling, x, project, pick = _stacked(a_edges, sub, model, starts, project)
    w = np.asarray(weights, dtype=float)

    def merit(rates: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return alpha_utility(rates, alpha, w)

    def marginal(rates: np.ndarray, idx: np.ndarray) -> np.ndarray:
        # du/dR up to a positive factor per graph (the step is scaled anyway):
        # (R_j / min R)**-alpha <= 1 never overflows, whatever alpha.
        floor = np.maximum(rates, 1e-12)
        return (floor / floor.min(axis=1, keepdims=True)) ** (-alpha) * w

    x, u = _ascent(coupling, x, merit, marginal, iterations, project=project)
    x, u = pick(x, u)
    return x.reshape(sub.shape), u


def _stacked(a_edges, sub, model, starts, project):
    """Every start of every graph as one batch of ``S * B`` rows (start-major).

    Returns the stacked coupling, the stacked points, the projection of the stacked
    rows and ``pick(x, u)``, which keeps per graph the row of the highest ``u`` (the
    first start on ties; a graph whose rows are all ``-inf`` keeps its first start).
    """
    n_batch, n_starts = sub.shape[0], len(starts)
    rows = np.tile(np.arange(n_batch), n_starts)
    coupling = _Coupling.build(a_edges, sub, model).take(rows)
    x = np.concatenate([start.reshape(n_batch, -1) for start in starts]).astype(float)
    stacked_project = None
    if project is not None:

        def stacked_project(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
            return project(x, rows[idx])

    def pick(x: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = u.reshape(n_starts, n_batch)
        best = np.argmax(np.where(np.isnan(u), -np.inf, u), axis=0)
        graphs = np.arange(n_batch)
        return x.reshape(n_starts, n_batch, -1)[best, graphs], u[best, graphs]

    return coupling, x, stacked_project, pick


#: Rate floors: the barrier weights (relative to the rates' scale) of the stages.
_FLOOR_BARRIERS = (1e-2, 1e-3, 1e-4)


def floor_power(
    a_edges: np.ndarray,
    sub: np.ndarray,
    model: RateModel,
    alpha: float,
    weights: np.ndarray,
    floors: np.ndarray,
    starts: list[np.ndarray],
    *,
    iterations: int = _ITERATIONS,
    project=None,
) -> tuple[np.ndarray, np.ndarray]:
    """The alpha-fair power step under rate floors ``R_j >= r_j``, batched.

    A log-barrier method: in stages of decreasing barrier weight ``mu``, a projected
    gradient ascent of ``U(R) + mu m sum_j log(R_j - r_j)`` (``m``: the smallest rate at
    the stage's start; ``U`` scaled so its marginals are about 1), each stage from the
    end of the previous one. Every iterate meets the floors strictly; the best true
    utility seen at the end of a stage is kept per graph.

    Parameters
    ----------
    a_edges, sub, model, alpha, weights
        As in :func:`alpha_fair_power` (``alpha = 0``: the weighted sum-rate).
    floors : ndarray, shape (J,)
        Rate floors in bit/s/Hz (0: none for that user).
    starts : list of ndarray, shape (B, J, N)
        Starting points; one that does not meet every floor strictly is skipped.
    iterations : int
        Gradient steps per start, over all stages.
    project : callable, optional
        As in :func:`alpha_fair_power`.

    Returns
    -------
    x : ndarray, shape (B, J, N)
    utility : ndarray, shape (B,)
        Utility (bit/s/Hz) of the best point; ``-inf`` where no start met the floors.
    """
    coupling, x, project, pick = _stacked(a_edges, sub, model, starts, project)
    w = np.asarray(weights, dtype=float)
    held = floors > 0
    r = floors[held]
    per_stage = max(1, iterations // len(_FLOOR_BARRIERS))
    best_x = x.copy()
    best_u = np.full(x.shape[0], -np.inf)
    for mu in _FLOOR_BARRIERS:
        m = np.maximum(coupling.rates(x).min(axis=1) / LN2, 1e-12)

        def merit(rates: np.ndarray, idx: np.ndarray, mu=mu, m=m) -> np.ndarray:
            slack = rates[:, held] - r
            scale = m[idx]
            with np.errstate(divide="ignore", invalid="ignore"):
                value = scale * alpha_utility(rates / scale[:, None], alpha, w) + (
                    mu * scale * np.log(np.maximum(slack, 0.0)).sum(axis=1)
                )
            return np.where(np.all(slack > 0, axis=1) & ~np.isnan(value), value, -np.inf)

        def marginal(rates: np.ndarray, idx: np.ndarray, mu=mu, m=m) -> np.ndarray:
            scale = m[idx][:, None]
            c = w * np.minimum(np.maximum(rates, 1e-12) / scale, 1e300) ** (-alpha)
            c[:, held] += mu * scale / np.maximum(rates[:, held] - r, 1e-300)
            return c

        x, _ = _ascent(coupling, x, merit, marginal, per_stage, from_finite=True, project=project)
        rates = coupling.rates(x) / LN2
        u = np.where(np.all(rates[:, held] > r, axis=1), alpha_utility(rates, alpha, w), -np.inf)
        improve = u > best_u
        best_x[improve], best_u[improve] = x[improve], u[improve]
    best_x, best_u = pick(best_x, best_u)
    return best_x.reshape(sub.shape), best_u


def capped_projection(caps, sub: np.ndarray):
    """The projection of :func:`_ascent` under power caps (None without caps)."""
    if caps is None:
        return None
    return lambda x, idx: caps.project(x, sub[idx], _project)


class AlphaFairStep:
    """The power step of an ``"alpha_fair"`` problem (see the module docstring).

    ``proxy``: a short projected-gradient run from the best of the starts (the search
    scores many neighbour graphs with it; a neighbour starts from its parent's point,
    which stays within the budgets since points are budget fractions per user and
    slot, or an equal split); ``polish``: a long run from the given point and from
    every start, never worse than the given point.
    """

    exact = False
    warm_start = True
    label = "projected gradient"
    polish_label = "projected gradient"
    #: Gradient steps of the proxy.
    proxy_iterations = 20

    def __init__(self, problem) -> None:
        self.problem = problem
        fair = problem.objective == "alpha_fair"
        #: The sum-rate under power caps runs here too, as alpha 0 with unit weights.
        self.alpha = float(problem.alpha) if fair else 0.0
        n = problem.n_users
        self.weights = np.asarray(problem.weights, dtype=float) if fair else np.ones(n)
        self._start_steps: dict = {}  # objective -> the power step of a start point

    def _starts(self, sub: np.ndarray, *, fair: bool = False) -> list[np.ndarray]:
        """An equal split and the water-filling point; with ``fair`` (and
        ``alpha >= 1``) also the max-min point; scaled into the power caps."""
        problem = self.problem
        starts = [np.full(sub.shape, 1.0 / sub.shape[2])]
        fair = fair and self.alpha >= 1
        for objective in ("sum_rate", "min_rate") if fair else ("sum_rate",):
            starts.append(self._start_step(objective).proxy(sub)[0])
        if problem.caps is not None:
            starts = [problem.caps.scale(x, sub) for x in starts]
        return starts

    def _start_step(self, objective: str):
        """The uncapped sum-rate or max-min power step of the scenario (built once)."""
        from ._objectives import Problem
        from ._power import power_step

        if objective not in self._start_steps:
            other = Problem(self.problem.scenario, objective, self.problem.model)
            self._start_steps[objective] = power_step(other)
        return self._start_steps[objective]

    def _run(self, sub: np.ndarray, starts: list[np.ndarray], iterations: int):
        problem = self.problem
        x, _ = alpha_fair_power(
            problem.gains(sub),
            sub,
            problem.model,
            self.alpha,
            self.weights,
            starts,
            iterations=iterations,
            project=capped_projection(problem.caps, sub),
        )
        return x, problem.values(sub, x)

    def proxy(self, sub, x0=None, lower=None):
        if x0 is None:
            starts = self._starts(sub)
        else:  # a neighbour graph: its parent's point replaces the water-filling start
            equal = np.full(sub.shape, 1.0 / sub.shape[2])
            starts = [x0, equal]
            if self.problem.caps is not None:
                starts = [self.problem.caps.scale(x, sub) for x in starts]
        values = np.stack([self.problem.values(sub, x) for x in starts])
        best = np.argmax(values, axis=0)
        start = np.stack(starts)[best, np.arange(sub.shape[0])]
        return self._run(sub, [start], self.proxy_iterations)

    def reachable(self, sub, target):
        return np.ones(sub.shape[0], dtype=bool)

    def improve(self, sub, target):
        keep = np.arange(sub.shape[0])
        x, value = self.proxy(sub)
        return keep, x, value

    def polish(self, sub, x, options, monitor=None):
        before = self.problem.values(sub, x)
        x_new, values = self._run(sub, [x, *self._starts(sub, fair=True)], _ITERATIONS)
        worse = values < before
        x_new[worse], values[worse] = x[worse], before[worse]
        return x_new, values


class FloorStep(AlphaFairStep):
    """The power step of a sum-rate or alpha-fair problem with rate floors.

    Starts: the problem's own power step without floors (water-filling, or the
    alpha-fair gradient step), the weighted max-min point with the floors as weights
    (the point that exceeds every floor by the largest common factor) and blends of
    the two; the best start that meets every floor strictly is improved by
    :func:`floor_power` (short in ``proxy``, long in ``polish``). A graph where no start
    meets the floors has value ``-inf``. The unconstrained point is kept when it meets
    the floors and is better (for the sum-rate under SIC it is then optimal).
    """

    warm_start = False
    label = "barrier gradient"
    polish_label = "barrier gradient"
    proxy_iterations = 30
    #: Blend weights of the weighted max-min point in the starts.
    blends = (0.0, 0.25, 0.5, 0.75, 1.0)

    def __init__(self, problem) -> None:
        from ._objectives import Problem
        from ._power import power_step

        super().__init__(problem)  # alpha and weights (alpha 0, unit weights: sum-rate)
        self.floors_bits = problem.floors / LN2
        scenario, model = problem.scenario, problem.model
        caps = problem.caps
        free = Problem(
            scenario,
            problem.objective,
            model,
            alpha=problem.alpha,
            weights=problem.weights,
            caps=caps,
        )
        self.free = power_step(free)
        closest = Problem(scenario, "min_rate", model, weights=problem.floors, caps=caps)
        self.closest = power_step(closest)

    def _starts(self, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The best strictly feasible blend per graph, and the unconstrained point."""
        problem = self.problem
        x_free = self.free.proxy(sub)[0]
        x_fair, closeness = self.closest.proxy(sub)
        short = np.flatnonzero(closeness <= 1.0 + 1e-6)
        if short.size:  # the proxy misses a floor: the barrier may still meet them
            x_fair[short] = self.closest.polish(sub[short], x_fair[short], None)[0]
        best = x_fair.copy()
        best_value = np.full(sub.shape[0], -np.inf)
        for theta in self.blends:
            x = (1.0 - theta) * x_free + theta * x_fair
            rates = problem.user_rates(sub, x) / LN2
            strict = np.all(
                rates[:, self.floors_bits > 0] > self.floors_bits[self.floors_bits > 0], axis=1
            )
            value = np.where(strict, problem.reduce(rates * LN2), -np.inf)
            better = value > best_value
            best[better], best_value[better] = x[better], value[better]
        return best, x_free

    def _run(self, sub: np.ndarray, starts: list[np.ndarray], x_free: np.ndarray, iterations: int):
        problem = self.problem
        x, _ = floor_power(
            problem.gains(sub),
            sub,
            problem.model,
            self.alpha,
            self.weights,
            self.floors_bits,
            starts,
            iterations=iterations,
            project=capped_projection(problem.caps, sub),
        )
        values = problem.values(sub, x)
        free_values = problem.values(sub, x_free)  # -inf where it misses a floor
        better = free_values > values
        x[better], values[better] = x_free[better], free_values[better]
        return x, values

    def proxy(self, sub, x0=None, lower=None):
        start, x_free = self._starts(sub)
        return self._run(sub, [start], x_free, self.proxy_iterations)

    def polish(self, sub, x, options, monitor=None):
        before = self.problem.values(sub, x)
        start, x_free = self._starts(sub)
        x_new, values = self._run(sub, [x, start], x_free, _ITERATIONS)
        worse = values < before
        x_new[worse], values[worse] = x[worse], before[worse]
        return x_new, values
