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
    over = clipped.sum(axis=-1) > 1.0
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


def alpha_fair_power(
    a_edges: np.ndarray,
    sub: np.ndarray,
    model: RateModel,
    alpha: float,
    weights: np.ndarray,
    starts: list[np.ndarray],
    *,
    iterations: int = _ITERATIONS,
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

    Returns
    -------
    x : ndarray, shape (B, J, N)
        The best point per graph.
    utility : ndarray, shape (B,)
        Its utility (rates in bit/s/Hz).
    """
    n_batch, n_users, n_per_user = sub.shape
    coupling = _Coupling.build(a_edges, sub, model)
    w = np.asarray(weights, dtype=float)
    w_edge = np.repeat(w, n_per_user)

    def utility(x: np.ndarray) -> np.ndarray:
        return alpha_utility(coupling.rates(x) / LN2, alpha, w)

    best_x = np.zeros((n_batch, n_users * n_per_user))
    best_u = np.full(n_batch, -np.inf)
    for start in starts:
        x = start.reshape(n_batch, -1).astype(float)
        u = utility(x)
        step = np.full(n_batch, 0.05)
        live = np.ones(n_batch, dtype=bool)
        mark = u.copy()
        idx, active = None, coupling  # the live graphs, sliced only when they change
        for it in range(iterations):
            if it and it % _PATIENCE == 0:
                gain = np.where(np.isfinite(mark), u - mark, np.inf)
                live &= ~(gain <= _TOL * np.maximum(np.abs(u), 1e-12))
                mark = u.copy()
            if not live.any():
                break
            if idx is None or idx.size != live.sum():
                idx = np.flatnonzero(live)
                active = coupling.take(idx)
            xi = x[idx]
            q = active.a * xi
            s_excl = 1.0 + np.einsum("bef,bf->be", active.excl, q)
            s_incl = s_excl + q
            rates = np.log(s_incl / s_excl).reshape(idx.size, n_users, -1).sum(2) / LN2
            # du/dR up to a positive factor per graph (the step is scaled anyway):
            # (R_j / min R)**-alpha <= 1 never overflows, whatever alpha.
            floor = np.maximum(rates, 1e-12)
            marginal = (floor / floor.min(axis=1, keepdims=True)) ** (-alpha)
            c = np.repeat(marginal, n_per_user, axis=1) * w_edge
            grad = np.einsum("be,bef->bf", c / s_incl, active.v_incl) - np.einsum(
                "be,bef->bf", c / s_excl, active.v_excl
            )
            scale = np.abs(grad).max(axis=1)
            scale = np.where(scale > 0, scale, 1.0)
            trial = _project(
                (xi + (step[idx] / scale)[:, None] * grad).reshape(idx.size, n_users, -1)
            ).reshape(idx.size, -1)
            u_trial = alpha_utility(active.rates(trial) / LN2, alpha, w)
            better = u_trial > u[idx]
            x[idx[better]] = trial[better]
            u[idx[better]] = u_trial[better]
            step[idx] = np.where(better, np.minimum(step[idx] * 1.5, 1.0), step[idx] * 0.5)
            live &= step > _MIN_STEP
        improve = u > best_u
        best_x[improve], best_u[improve] = x[improve], u[improve]
    return best_x.reshape(sub.shape), best_u


class AlphaFairStep:
    """The power step of an ``"alpha_fair"`` problem (see the module docstring).

    ``proxy``: a short projected-gradient run from the best of the starts (the search
    scores many neighbour graphs with it); ``polish``: a long run from the given point
    and from every start, never worse than the given point.
    """

    exact = False
    label = "projected gradient"
    polish_label = "projected gradient"
    #: Gradient steps of the proxy.
    proxy_iterations = 30

    def __init__(self, problem) -> None:
        self.problem = problem

    def _starts(self, sub: np.ndarray, *, fair: bool = False) -> list[np.ndarray]:
        """An equal split and the water-filling point; with ``fair`` (and
        ``alpha >= 1``) also the max-min point."""
        from ._objectives import Problem
        from ._power import power_step

        problem = self.problem
        starts = [np.full(sub.shape, 1.0 / sub.shape[2])]
        fair = fair and problem.alpha >= 1
        for objective in ("sum_rate", "min_rate") if fair else ("sum_rate",):
            other = Problem(problem.scenario, objective, problem.model)
            starts.append(power_step(other).proxy(sub)[0])
        return starts

    def _run(self, sub: np.ndarray, starts: list[np.ndarray], iterations: int):
        problem = self.problem
        return alpha_fair_power(
            problem.gains(sub),
            sub,
            problem.model,
            problem.alpha,
            problem.weights,
            starts,
            iterations=iterations,
        )

    def proxy(self, sub, x0=None, lower=None):
        starts = self._starts(sub) if x0 is None else [x0, *self._starts(sub)]
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
