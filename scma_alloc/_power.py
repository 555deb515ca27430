"""Power steps for fixed factor graphs, batched over graphs.

Powers are budget fractions on the graph's edges, ``x[b, j, n] = P / Pmax_j`` on the
``n``-th resource of user ``j`` in graph ``b``, with ``sum_n x[b, j, n] <= 1``; gains are
``a = gamma * Pmax`` (the SNR of a whole budget), so budgets read the same whatever
the units. The building blocks:

* :func:`water_fill` / :func:`inverse_water_fill` — one user against fixed
  interference: the most rate for a budget, the least budget for a rate (exact);
* :func:`iterative_water_filling` — the sum-rate power step under SIC (paper problem
  (16) with F fixed): concave, solved exactly by Gauss-Seidel water-filling over
  users; users that share no resource form a colour class and are updated together;
* :func:`sequential_max_min` — the min-rate power step's proxy under SIC: for a common
  target each user, weakest first, spends the least budget reaching it; the largest
  target that fits every budget (root search) — a feasible point, a lower bound;
* :func:`nash_water_filling`, :func:`coupled_max_min_proxy` — the same two proxies
  under a general coupling;
* SCP polish (:func:`scp_power`): trust-region SCP with the tangent bound of the
  subtracted interference term (paper §III-B, Lemmas 2-3), on one graph, through the convex
  surrogates of :mod:`scma_alloc._convex`.

:class:`PowerStep` puts them together for one :class:`~scma_alloc._objectives.Problem`:
a batched ``proxy`` (exact for the sum-rate under SIC), the scoring of neighbour
graphs for the codebook search, and the ``polish``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._graph import check_assignment
from ._objectives import Problem
from ._rates import (
    SlotLayout,
    edge_index,
    edges_to_dense,
    gather_edges,
    rate_model,
    sic_user_rates_nats,
    weighted_min,
)
from ._result import Monitor
from ._scenario import Scenario, check_scenario
from ._scp import TrustRegion, scp_loop

__all__ = ["max_min_power", "max_sr_power"]


# --------------------------------------------------------------------------- one user
def water_fill(floors: np.ndarray, total: float | np.ndarray = 1.0) -> np.ndarray:
    """Water-filling over the last axis: ``x = max(mu - floors, 0)``, ``sum x = total``.

    ``floors`` are noise-plus-interference to gain ratios (``inf`` for an unusable
    resource). Maximises ``sum log(1 + x / floors)``. Exact (sorting), batched; a
    closed form for two resources (the paper's N = 2), the hot path of the solvers.
    """
    total = np.asarray(total, dtype=float)
    # Levels are taken relative to the lowest floor: a floor can be 1e16 times the
    # budget (a weak user under a strong one), and ``mu - floor`` with ``mu`` near such a
    # floor would lose the budget to round-off.
    if floors.shape[-1] == 2:
        f0, f1 = floors[..., 0], floors[..., 1]
        with np.errstate(invalid="ignore"):
            # Resource 0's share: half the budget plus half the floor gap, at most the
            # budget; negative or nan (both floors inf: nothing usable) is none.
            share = np.minimum(0.5 * (total + (f1 - f0)), total)
        share = np.where(share > 0.0, share, 0.0)
        rest = np.where(np.isinf(f1), 0.0, total - share)
        return np.stack([share, rest], axis=-1)
    s = np.sort(floors, axis=-1)
    n = s.shape[-1]
    with np.errstate(invalid="ignore"):
        rise = s - s[..., :1]  # >= 0; the lowest floor is the origin of the levels
        excess = floors - s[..., :1]
    mu = (total[..., None] + np.cumsum(rise, axis=-1)) / np.arange(1, n + 1)
    active = np.count_nonzero(mu > rise, axis=-1)
    level = np.take_along_axis(mu, np.maximum(active - 1, 0)[..., None], axis=-1)
    level = np.where(active[..., None] > 0, level, -np.inf)
    x = np.maximum(level - excess, 0.0)
    return np.where(np.isinf(s[..., :1]) | np.isnan(x), 0.0, x)


def floors_of(interference: np.ndarray, a_edges: np.ndarray) -> np.ndarray:
    """Noise-plus-interference to gain ratios ``(1 + I) / a`` (``inf`` where ``a == 0``)."""
    with np.errstate(divide="ignore"):
        return np.where(a_edges > 0, (1.0 + interference) / a_edges, np.inf)


def inverse_water_fill(floors: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least total power reaching rate ``target`` (nats) over the last axis.

    Minimises ``sum x`` s.t. ``sum log(1 + x / floors) >= target``; the solution is
    ``x = max(mu - floors, 0)`` with ``sum_{active} log(mu / floors) = target``.

    Returns
    -------
    x : ndarray
    total : ndarray
        ``x.sum(-1)`` (``inf`` when every floor is ``inf`` and ``target > 0``).
    """
    target = np.asarray(target, dtype=float)
    if floors.shape[-1] == 2:  # closed form for the paper's N = 2 (the hot path)
        low = np.minimum(floors[..., 0], floors[..., 1])
        high = np.maximum(floors[..., 0], floors[..., 1])
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            # x = floor * (level / floor - 1) with the log of level / floor: no
            # cancellation when the floors dwarf the power (a tiny target, a weak user).
            spread = np.log(high / low)
            both = target > spread
            log_level = np.where(both, 0.5 * (target + spread), target)  # over log(low)
            log_ratio = log_level[..., None] - np.log(floors / low[..., None])
            x = np.where(log_ratio > 0, floors * np.expm1(log_ratio), 0.0)
        dead = np.isinf(low)
        x = np.where(dead[..., None] | np.isinf(floors), 0.0, x)
        total = np.where(dead & (target > 0), np.inf, x.sum(axis=-1))
        return x, total
    s = np.sort(floors, axis=-1)
    n = s.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(s)
        cum_log = np.cumsum(log_s, axis=-1)
        m = np.arange(1, n + 1)
        # The m best resources are active iff target > sum_{i<=m} (log s_m - log s_i).
        spread = m * log_s - cum_log
        active = np.count_nonzero(target[..., None] > spread, axis=-1)
        active = np.maximum(active, 1)
        log_mu = (
            target + np.take_along_axis(cum_log, (active - 1)[..., None], axis=-1)[..., 0]
        ) / active
        log_ratio = log_mu[..., None] - np.log(floors)
        x = np.where(log_ratio > 0, floors * np.expm1(log_ratio), 0.0)
    x = np.nan_to_num(x, nan=np.inf, posinf=np.inf)
    x = np.where(np.isinf(floors), 0.0, x)
    total = np.where(np.isinf(s[..., 0]) & (target > 0), np.inf, x.sum(axis=-1))
    return x, total


def solo_rates(a_edges: np.ndarray) -> np.ndarray:
    """Rate (nats) of every user alone on its resources with its whole budget, (..., J).

    Interference only lowers a rate, so this bounds each user's rate on the graph.
    """
    x = water_fill(floors_of(np.zeros_like(a_edges), a_edges))
    return np.log1p(a_edges * x).sum(axis=-1)


def project_budget(x: np.ndarray) -> np.ndarray:
    """Scale down any user whose budget fractions sum above 1 (solver round-off)."""
    total = x.sum(axis=-1, keepdims=True)
    return np.where(total > 1.0, x / np.maximum(total, 1e-300), x)


def largest_feasible_target(
    excess: Callable[[np.ndarray, np.ndarray], np.ndarray],
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    rtol: float = 1e-10,
    max_iter: int = 200,
) -> np.ndarray:
    """Largest ``t`` in ``[lo, hi]`` with ``excess(t) <= 0``, batched.

    ``excess(t, index)`` evaluates the batch entries ``index`` at targets ``t`` (same
    length); it must be continuous and increasing in ``t`` with ``excess(lo) <= 0``
    (``inf`` allowed for hopeless targets). Illinois variant of regula falsi on the
    bracket, with a bisection step every fourth iteration and whenever the secant
    leaves the bracket; stops when the bracket is below ``rtol`` relative. Only the
    entries still searching are evaluated.
    """
    everyone = np.arange(lo.size)
    lo, hi = lo.astype(float), hi.astype(float)
    f_hi = excess(hi, everyone)
    done = f_hi <= 0  # the upper bound itself is feasible
    lo = np.where(done, hi, lo)
    f_lo = np.where(done, 0.0, excess(lo, everyone))
    side = np.zeros(lo.shape, dtype=int)  # which end moved last (Illinois)
    for iteration in range(max_iter):
        index = np.flatnonzero(~done & (hi - lo > rtol * np.maximum(hi, 1e-300)))
        if index.size == 0:
            break
        low, h, fl, fh = lo[index], hi[index], f_lo[index], f_hi[index]
        with np.errstate(invalid="ignore", divide="ignore"):
            secant = (low * fh - h * fl) / (fh - fl)
        inside = np.isfinite(secant) & (secant > low) & (secant < h)
        t = np.where(inside & (iteration % 4 != 3), secant, 0.5 * (low + h))
        f_t = excess(t, index)
        feasible = f_t <= 0
        s = side[index]
        # Illinois: halve the function value at the end that stays twice in a row.
        fh = np.where(feasible & (s == 1), 0.5 * fh, fh)
        fl = np.where(~feasible & (s == -1), 0.5 * fl, fl)
        lo[index] = np.where(feasible, t, low)
        f_lo[index] = np.where(feasible, f_t, fl)
        hi[index] = np.where(feasible, h, t)
        f_hi[index] = np.where(feasible, fh, f_t)
        side[index] = np.where(feasible, 1, -1)
    return lo


# --------------------------------------------------------------------------- Gauss-Seidel
def user_colours(sub: np.ndarray, n_resources: int) -> np.ndarray:
    """Greedy colouring of the users of each graph: users sharing a resource differ.

    Users of one colour share no resource, so their best responses are independent and
    a colour class is one exact Gauss-Seidel block. At most ``N (d_f - 1) + 1`` colours.

    Returns
    -------
    ndarray of int, shape (B, J)
    """
    n_batch, n_users, _ = sub.shape
    used = np.zeros((n_batch, n_resources, n_users + 1), dtype=bool)
    colour = np.zeros((n_batch, n_users), dtype=np.intp)
    rows = np.arange(n_batch)[:, None]
    for j in range(n_users):
        taken = used[rows, sub[:, j, :]].any(axis=1)
        c = np.argmin(taken, axis=1)  # the first free colour
        colour[:, j] = c
        used[rows, sub[:, j, :], c[:, None]] = True
    return colour


def iterative_water_filling(
    a_edges: np.ndarray,
    sub: np.ndarray,
    n_resources: int,
    x0: np.ndarray | None = None,
    *,
    rtol: float = 1e-13,
    max_sweeps: int = 5000,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Multi-user iterative water-filling (Gauss-Seidel over colour classes), batched.

    Maximises ``sum_k log(1 + sum_j a[k, j] x[k, j])`` over budget-fraction powers on
    the edges (``sum_n x[b, j, n] <= 1``). The problem is concave and each block (users
    sharing no resource, :func:`user_colours`) is solved exactly, so the sweeps converge
    to the global optimum (Yu, Rhee, Boyd, Cioffi, IEEE Trans. IT 50(1), 2004). Graphs
    whose objective stops increasing (``rtol``) leave the batch.

    Returns
    -------
    x : ndarray (B, J, N)
    objective : ndarray (B,)
        Sum-rate in nats.
    sweeps : int
    """
    a_edges = np.asarray(a_edges, dtype=float)
    n_batch, _, n_per_user = a_edges.shape
    x = np.full(a_edges.shape, 1.0 / n_per_user) if x0 is None else np.array(x0, dtype=float)
    colour = user_colours(sub, n_resources)
    flat = np.arange(n_batch)[:, None, None] * n_resources + sub
    # Per colour: the (graph, user) blocks, their resources and gains.
    blocks = []
    for c in range(int(colour.max()) + 1):
        rows, users = np.nonzero(colour == c)
        blocks.append((rows, users, flat[rows, users], a_edges[rows, users]))

    def totals() -> np.ndarray:
        return np.bincount(
            flat.ravel(), weights=(a_edges * x).ravel(), minlength=n_batch * n_resources
        )

    received = totals()
    objective = np.log1p(received.reshape(n_batch, n_resources)).sum(axis=1)
    active = np.ones(n_batch, dtype=bool)
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):
        for rows, users, where, gains in blocks:
            own = gains * x[rows, users]
            new = water_fill(floors_of(np.maximum(received[where] - own, 0.0), gains))
            # One colour never repeats a (graph, resource) pair: plain indexing is exact.
            received[where] += gains * new - own
            x[rows, users] = new
        if sweeps % 16 == 0:  # refresh the running sums against drift
            received = totals()
        index = np.flatnonzero(active)
        new_objective = np.log1p(received.reshape(n_batch, n_resources)[index]).sum(axis=1)
        done = new_objective - objective[index] <= rtol * (1.0 + np.abs(new_objective))
        objective[index] = new_objective
        if done.any():
            active[index[done]] = False
            if not active.any():
                break
            blocks = [
                (rows[keep], users[keep], where[keep], gains[keep])
                for rows, users, where, gains in blocks
                for keep in (active[rows],)
            ]
    objective = np.log1p(totals().reshape(n_batch, n_resources)).sum(axis=1)
    return x, objective, sweeps


def coupled_interference(
    q: np.ndarray, sub: np.ndarray, coupling: np.ndarray, n_resources: int
) -> np.ndarray:
    """Interference on every edge, ``I[b, j, n] = sum_i C[j, i] q[b, k, i]`` (k = sub)."""
    dense = edges_to_dense(q, sub, n_resources)
    return gather_edges(dense @ coupling.T, sub)


def nash_water_filling(
    a_edges: np.ndarray,
    sub: np.ndarray,
    coupling: np.ndarray,
    n_resources: int,
    x0: np.ndarray | None = None,
    *,
    max_sweeps: int = 100,
    rtol: float = 1e-9,
) -> tuple[np.ndarray, np.ndarray]:
    """Every user water-fills its own rate against the others (Gauss-Seidel), batched.

    A feasible point; its sum-rate is a lower bound of the sum-rate power step under
    ``coupling``. Returns ``(x, sum-rate in nats)`` with ``x`` of shape (B, J, N).
    """
    n_per_user = a_edges.shape[2]
    x = np.full(a_edges.shape, 1.0 / n_per_user) if x0 is None else np.array(x0, dtype=float)
    colour = user_colours(sub, n_resources)
    dense = edges_to_dense(a_edges * x, sub, n_resources)  # (B, K, J)
    for _ in range(max_sweeps):
        change = 0.0
        for c in range(int(colour.max()) + 1):
            rows, users = np.nonzero(colour == c)
            if rows.size == 0:
                continue
            res = sub[rows, users]  # (M, N)
            interference = np.einsum("mnj,mj->mn", dense[rows[:, None], res], coupling[users])
            gains = a_edges[rows, users]
            new = water_fill(floors_of(interference, gains))
            change = max(change, float(np.abs(new - x[rows, users]).max()))
            x[rows, users] = new
            dense[rows[:, None], res, users[:, None]] = gains * new
        if change <= rtol:
            break
    rates = coupled_rates(a_edges, sub, x, coupling, n_resources)
    return x, rates.sum(axis=-1)


def coupled_rates(
    a_edges: np.ndarray, sub: np.ndarray, x: np.ndarray, coupling: np.ndarray, n_resources: int
) -> np.ndarray:
    """User rates (nats) of edge allocations under ``coupling``, shape (..., J)."""
    q = a_edges * x
    interference = coupled_interference(q, sub, coupling, n_resources)
    return np.log1p(q / (1.0 + interference)).sum(axis=-1)


# --------------------------------------------------------------------------- min-rate proxies
class SequentialPlan:
    """The weakest-first least-power placement (SIC) of a batch of graphs, by levels.

    Under SIC a user is interfered only by weaker users on its resources, so the
    placement for a target visits users weakest first. A user's *level* is one more
    than the highest level among the weaker users sharing a resource with it; users of
    one level never share a resource, so each level is placed in one array operation.
    Random graphs have about 6-11 levels from 4 x 6 to 256 x 384, far fewer than J.

    Parameters
    ----------
    a_edges, sub : ndarray, shape (B, J, N)
        Gains and resources of the edges.
    order : ndarray, shape (J,)
        Users weakest first.
    n_resources : int
    weights, floors : ndarray, shape (J,), optional
        Per-user targets ``max(w_j t, floor_j)`` for the common value ``t`` (weighted
        max-min; rate floors in nats). Default: ``t`` for every user.
    caps : PowerCaps, optional
        Power caps: the need of a placement also counts its power against the caps.
    """

    def __init__(
        self,
        a_edges: np.ndarray,
        sub: np.ndarray,
        order: np.ndarray,
        n_resources: int,
        *,
        weights: np.ndarray | None = None,
        floors: np.ndarray | None = None,
        caps: Any = None,
    ) -> None:
        n_batch, n_users, _ = sub.shape
        #: User j's target for a common value ``t`` is ``max(w_j t, floor_j)`` (nats).
        self.weights, self.floors = weights, floors
        #: Power caps: a placement's need is also its largest ratio of power to cap.
        self.caps, self.sub = caps, sub
        level = np.zeros((n_batch, n_users), dtype=np.intp)
        highest = np.zeros((n_batch, n_resources), dtype=np.intp)
        rows = np.arange(n_batch)[:, None]
        for j in order:
            here = highest[rows, sub[:, j, :]].max(axis=1) + 1
            level[:, j] = here
            highest[rows, sub[:, j, :]] = here[:, None]
        self.n_batch, self.n_resources = n_batch, n_resources
        self.shape = sub.shape
        self.levels = []
        for value in range(1, int(level.max(initial=0)) + 1):
            graphs, users = np.nonzero(level == value)
            self.levels.append((graphs, users, sub[graphs, users], a_edges[graphs, users]))

    def _levels(self, index: np.ndarray | None) -> tuple[int, list[tuple[np.ndarray, ...]]]:
        """The levels restricted to the graphs ``index`` (renumbered 0 .. len - 1)."""
        if index is None:
            return self.n_batch, self.levels
        position = np.full(self.n_batch, -1)
        position[index] = np.arange(index.size)
        levels = []
        for graphs, users, res, gains in self.levels:
            graphs = position[graphs]
            keep = graphs >= 0
            levels.append((graphs[keep], users[keep], res[keep], gains[keep]))
        return index.size, levels

    def place(
        self, target: np.ndarray, index: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Place the graphs ``index`` (default: all) for their targets (nats).

        Returns the budget fractions ``x`` (len(index), J, N) and, per graph, the
        largest fraction any user needs (``> 1``: the target is out of reach for this
        policy).
        """
        k = self.n_resources
        count, levels = self._levels(index)
        target = np.broadcast_to(np.asarray(target, dtype=float), (count,))
        received = np.zeros(count * k)
        x = np.zeros((count, *self.shape[1:]))
        need = np.zeros((count, self.shape[1]))
        for graphs, users, res, gains in levels:
            where = graphs[:, None] * k + res
            goal = target[graphs]
            if self.weights is not None:
                goal = goal * self.weights[users]
            if self.floors is not None:
                goal = np.maximum(goal, self.floors[users])
            xj, total = inverse_water_fill(floors_of(received[where], gains), goal)
            need[graphs, users] = total
            xj[~np.isfinite(xj)] = 0.0
            x[graphs, users] = xj
            # One level never repeats a (graph, resource) pair: plain indexing is exact.
            received[where] += gains * xj
        need = need.max(axis=1, initial=0.0)
        if self.caps is not None:
            sub = self.sub if index is None else self.sub[index]
            need = np.maximum(need, self.caps.usage(x, sub))
        return x, need

    def user_rates(self, x: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
        """Exact SIC user rates (nats) of budget fractions ``x`` (len(index), J, N) of the
        graphs ``index``: the levels visited in order, each user seeing the received SNR of
        the levels before it on its resources."""
        k = self.n_resources
        count, levels = self._levels(index)
        received = np.zeros(count * k)
        rates = np.zeros((count, self.shape[1]))
        for graphs, users, res, gains in levels:
            where = graphs[:, None] * k + res
            q = gains * x[graphs, users]
            rates[graphs, users] = np.log1p(q / (1.0 + received[where])).sum(axis=1)
            received[where] += q
        return rates


def sequential_max_min(
    a_edges: np.ndarray,
    sub: np.ndarray,
    order: np.ndarray,
    n_resources: int,
    *,
    rtol: float = 1e-10,
    lower: np.ndarray | float = 0.0,
    max_iter: int = 200,
    plan: SequentialPlan | None = None,
    index: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    floors: np.ndarray | None = None,
    caps: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Max-min power by a root search over a common target rate, batched (SIC).

    For a target ``t`` the users are visited weakest first (under SIC a user is
    interfered only by weaker users, which are already placed); each spends the least
    power reaching ``t`` against the interference it sees (:func:`inverse_water_fill`).
    ``need(t)``, the largest budget fraction any user then needs, is continuous and
    increasing in ``t``, so the best target of this policy is the root of
    ``need(t) = 1`` (:func:`largest_feasible_target`, to ``rtol``). The point is
    feasible, hence a lower bound of the min-rate power step, and a good SCP start.

    Parameters
    ----------
    lower : float or ndarray
        A target known to be feasible for every graph (default 0).
    plan, index : optional
        A :class:`SequentialPlan` of a larger batch and the graphs of it that
        ``a_edges`` and ``sub`` are (to reuse its levels; its weights and floors).
    weights, floors : ndarray, shape (J,), optional
        Weighted max-min (user j's target is ``w_j t``) and rate floors (nats; targets
        ``max(w_j t, floor_j)``), when no ``plan`` is given.
    caps : PowerCaps, optional
        Power caps, when no ``plan`` is given (the placement's power counts against
        them).

    Returns
    -------
    x : ndarray (B, J, N)
        Budget fractions achieving ``t``.
    t : ndarray (B,)
        (Weighted) min-rate (nats) of ``x`` under SIC.
    """
    n_batch = a_edges.shape[0]
    if plan is None:
        plan = SequentialPlan(
            a_edges, sub, order, n_resources, weights=weights, floors=floors, caps=caps
        )
        index = np.arange(n_batch)
    hi = weighted_min(solo_rates(a_edges), plan.weights)
    lo = np.minimum(np.broadcast_to(np.asarray(lower, dtype=float), (n_batch,)), hi)
    if plan.floors is not None:
        # Graphs where the floors alone do not fit: no search (their point at ``lo``
        # misses a floor and the caller's objective says so).
        hopeless = plan.place(lo, index)[1] > 1.0 + _REACH_SLACK
        hi = np.where(hopeless, lo, hi)
    lo = largest_feasible_target(
        lambda t, i: plan.place(t, index[i])[1] - 1.0, lo, hi, rtol=rtol, max_iter=max_iter
    )
    x, _ = plan.place(lo, index)
    x = project_budget(x)
    return x, weighted_min(plan.user_rates(x, index), plan.weights)


def sic_edge_min_rate(
    a_edges: np.ndarray, sub: np.ndarray, x: np.ndarray, order: np.ndarray, n_resources: int
) -> np.ndarray:
    """Min SIC rate (nats) of edge allocations (..., J, N) -> (...)."""
    q = edges_to_dense(a_edges * x, sub, n_resources)
    return sic_user_rates_nats(q, order).min(axis=-1)


def min_power_fixed_point(
    a_edges: np.ndarray,
    sub: np.ndarray,
    coupling: np.ndarray,
    n_resources: int,
    target: np.ndarray,
    max_iter: int = 60,
    *,
    weights: np.ndarray | None = None,
    floors: np.ndarray | None = None,
    caps: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest fixed point of the least-power responses to a common target (coupling).

    User j aims at ``max(w_j t, floor_j)`` with ``weights`` and ``floors`` (nats).
    Returns ``x`` and, per graph, the largest budget fraction a user needs; ``inf``
    when the iteration diverges or does not settle (the target is then out of reach).
    """
    goal = np.asarray(target, dtype=float)[:, None]
    if weights is not None:
        goal = goal * weights[None, :]
    if floors is not None:
        goal = np.maximum(goal, floors[None, :])
    x = np.zeros_like(a_edges)
    worst = np.full(a_edges.shape[0], np.inf)
    settled = np.zeros(a_edges.shape[0], dtype=bool)
    for _ in range(max_iter):
        interference = coupled_interference(a_edges * x, sub, coupling, n_resources)
        new, totals = inverse_water_fill(floors_of(interference, a_edges), goal)
        new = np.where(np.isfinite(new), new, 0.0)
        worst = totals.max(axis=-1)
        settled = np.abs(new - x).max(axis=(1, 2)) <= 1e-10 * (1.0 + new.max(axis=(1, 2)))
        x = new
        diverged = ~(worst <= 1e3)
        if np.all(settled | diverged):
            break
    if caps is not None:  # the power counts against the caps too
        worst = np.maximum(worst, caps.usage(x, sub))
    return x, np.where(settled & np.isfinite(worst), worst, np.inf)


def coupled_max_min_proxy(
    a_edges: np.ndarray,
    sub: np.ndarray,
    coupling: np.ndarray,
    n_resources: int,
    *,
    rtol: float = 1e-7,
    lower: np.ndarray | float = 0.0,
    weights: np.ndarray | None = None,
    floors: np.ndarray | None = None,
    caps: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Max-min power proxy under ``coupling``, batched: ``(x, min-rate)`` (nats).

    With ``weights`` and ``floors`` user j aims at ``max(w_j t, floor_j)`` and the value
    is the weighted min-rate ``min_j R_j / w_j``.

    For a common target every user spends the least power reaching it against the
    others' interference, iterated from zero power (as for a standard interference
    function, Yates 1995, though per-resource inverse water-filling is not monotone in
    every component, so the iteration is not guaranteed to settle: a target whose
    iteration does not settle counts as out of reach); the largest target whose fixed
    point fits every budget. A feasible point, hence a lower bound of the min-rate power
    step.
    """
    n_batch = a_edges.shape[0]
    targets = {"weights": weights, "floors": floors, "caps": caps}
    hi = weighted_min(solo_rates(a_edges), weights)
    lo = np.minimum(np.broadcast_to(np.asarray(lower, dtype=float), (n_batch,)), hi)
    if floors is not None:  # graphs where the floors alone do not fit: no search
        need = min_power_fixed_point(a_edges, sub, coupling, n_resources, lo, **targets)[1]
        hi = np.where(need > 1.0 + _REACH_SLACK, lo, hi)
    lo = largest_feasible_target(
        lambda t, i: (
            min_power_fixed_point(a_edges[i], sub[i], coupling, n_resources, t, **targets)[1] - 1.0
        ),
        lo,
        hi,
        rtol=rtol,
    )
    x, _ = min_power_fixed_point(a_edges, sub, coupling, n_resources, lo, **targets)
    x = project_budget(x)
    return x, weighted_min(coupled_rates(a_edges, sub, x, coupling, n_resources), weights)


# --------------------------------------------------------------------------- SCP polish
@lru_cache(maxsize=16)
def _slot_problem(n_resources: int, n_users: int, users_per_resource: int, kind: str) -> Any:
    from ._convex import CoupledSlotProblem, SlotMaxMinProblem

    if kind == "sic":
        return SlotMaxMinProblem(n_resources, n_users, users_per_resource)
    return CoupledSlotProblem(n_resources, n_users, users_per_resource, kind)


def scp_power(
    problem: Problem,
    sub: np.ndarray,
    x0: np.ndarray,
    *,
    solvers: Sequence[str],
    max_iter: int,
    tol: float,
    trust: TrustRegion | None = None,
    monitor: Monitor | None = None,
    stage: str = "final_power",
    outer: int = 0,
) -> tuple[np.ndarray, float, int, str]:
    """Trust-region SCP power step on one graph (edges (J, N)), from ``x0``.

    Under SIC with the min-rate objective the surrogate is
    :class:`~scma_alloc._convex.SlotMaxMinProblem` (slots filled weakest first, the
    subtracted ``log(1 + I)`` replaced by its tangent); under a general coupling
    :class:`~scma_alloc._convex.CoupledSlotProblem` for either objective. One compiled
    problem serves every graph of a size. Returns ``(x, value in nats, iterations,
    reason)`` (see :func:`~scma_alloc._scp.scp_loop`).
    """
    k, j, d = problem.n_resources, problem.n_users, problem.users_per_resource
    a_edges = problem.gains(sub)
    layout = SlotLayout(sub, problem.model.rank, k, d)
    owner = layout.owner(j)
    a_slots = layout.to_slots(a_edges)
    occupied = layout.occupied[0]
    if problem.model.is_sic:
        if not problem.is_min_rate:  # pragma: no cover - exact by water-filling
            raise ValueError("the sum-rate under SIC needs no SCP")
        conic = _slot_problem(k, j, d, "sic")

        def set_point(x: np.ndarray, radius: float) -> None:
            conic.set_point(a_slots, occupied, owner, layout.to_slots(x), radius)

    else:
        conic = _slot_problem(k, j, d, problem.objective)
        user_of_slot = layout.slot_user[0]
        coupling = problem.model.coupling

        def set_point(x: np.ndarray, radius: float) -> None:
            conic.set_point(
                a_slots, user_of_slot, coupling, occupied, owner, layout.to_slots(x), radius
            )

    return scp_loop(
        set_point,
        conic.problem,
        lambda: project_budget(layout.to_edges(np.clip(conic.y.value, 0.0, None))),
        lambda x: float(problem.values(sub[None], x[None])[0]),
        x0,
        solvers=solvers,
        max_iter=max_iter,
        tol=tol,
        trust=trust,
        monitor=monitor,
        stage=stage,
        outer=outer,
    )


# --------------------------------------------------------------------------- power steps
#: A target whose least-power placement needs at most ``1 + _REACH_SLACK`` of a budget
#: is in reach (round-off; the proxy's point is projected on the budgets).
_REACH_SLACK = 1e-12


class PowerStep:
    """The power step of one :class:`~scma_alloc._objectives.Problem`.

    ``proxy`` gives, for a batch of graphs, a feasible point and its objective (exact
    when :attr:`exact`); ``improve`` screens neighbour graphs against a target and
    scores the rest by the proxy (the codebook search); ``polish`` improves the points
    of a batch of graphs (SCP; the barrier method for the min-rate; the identity when
    exact).
    """

    #: The proxy is the exact optimum of the power step.
    exact = False
    #: The codebook search gives the proxy of a neighbour graph its parent's point as
    #: ``x0`` (budget fractions per user and slot, feasible for the neighbour).
    warm_start = False
    #: Name of the routine, for the convergence monitor.
    label = "proxy"
    #: Name of the polish.
    polish_label = "scp"

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def proxy(
        self, sub: np.ndarray, x0: np.ndarray | None = None, lower: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """A feasible point and its objective (nats) for each graph of a batch."""
        raise NotImplementedError

    def reachable(self, sub: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Which graphs' proxy can reach ``target`` (a cheap screen; default: all)."""
        return np.ones(sub.shape[0], dtype=bool)

    def improve(
        self, sub: np.ndarray, target: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The graphs whose proxy reaches ``target`` (indices into ``sub``), with the
        proxy's points and values (its search starts from ``target``)."""
        keep = np.flatnonzero(self.reachable(sub, target))
        if keep.size == 0:
            return keep, np.zeros((0, *sub.shape[1:])), np.zeros(0)
        x, value = self.proxy(sub[keep], lower=target[keep])
        return keep, x, value

    def polish(
        self,
        sub: np.ndarray,
        x: np.ndarray,
        options: Any,
        monitor: Monitor | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Improve the points ``x`` of a batch of graphs (B, J, N); never worse.

        Default: trust-region SCP (:func:`scp_power`) on each graph from ``x`` and from
        an equal split, the better kept. Returns the points and their values (nats).
        """
        out, values = x.copy(), self.problem.values(sub, x)
        for b in range(sub.shape[0]):
            for x0 in (x[b], np.full(sub.shape[1:], 1.0 / sub.shape[2])):
                x_new, value, _, _ = scp_power(
                    self.problem,
                    sub[b],
                    x0,
                    solvers=options.solvers,
                    max_iter=options.max_inner,
                    tol=options.scp_tol,
                    trust=TrustRegion.from_options(options),
                    monitor=monitor,
                    outer=b,
                )
                if value > values[b]:
                    out[b], values[b] = x_new, value
                if monitor is not None and monitor.stopped:
                    return out, values
        return out, values


class SumRateSIC(PowerStep):
    """Sum-rate under SIC: concave, exact by iterative water-filling."""

    exact = True
    label = "water-filling"

    def proxy(self, sub, x0=None, lower=None):
        x, value, _ = iterative_water_filling(
            self.problem.gains(sub), sub, self.problem.n_resources, x0
        )
        return x, value

    def polish(self, sub, x, options, monitor=None):
        return x, self.problem.values(sub, x)  # the proxy is exact


class _MinRateBarrier(PowerStep):
    """Min-rate polish: the batched barrier Newton method of :mod:`scma_alloc._barrier`."""

    polish_label = "barrier"

    polish_label = "barrier"

    def _checked(self, sub: np.ndarray, x: np.ndarray, value: np.ndarray):
        """A point missing a rate floor is worth ``-inf``."""
        if self.problem.floors is None:
            return x, value
        meets = self.problem.meets_floors(self.problem.user_rates(sub, x))
        return x, np.where(meets, value, -np.inf)

    def polish(self, sub, x, options, monitor=None):
        from ._barrier import max_min_barrier

        problem = self.problem
        gains = problem.gains(sub)
        before = problem.values(sub, x)
        x_new, values = max_min_barrier(
            gains,
            sub,
            problem.model,
            x,
            weighted_min(solo_rates(gains), problem.weights),
            weights=problem.weights,
            caps=problem.caps,
        )
        if problem.floors is not None:  # the barrier knows no floors: a miss is -inf
            values = problem.values(sub, x_new)
        worse = values < before
        x_new[worse], values[worse] = x[worse], before[worse]
        if monitor is not None:
            for label, (v0, v) in enumerate(zip(before, values, strict=True)):
                if monitor.record(
                    "final_power",
                    outer=label,
                    objective=v,
                    candidate=v,
                    accepted=bool(v > v0),
                    solver_status="barrier",
                ):
                    break
        return x_new, values


class MinRateSIC(_MinRateBarrier):
    """Min-rate under SIC: sequential water-filling (root search), then the barrier
    polish."""

    label = "sequential water-filling"

    def __init__(self, problem: Problem, rtol: float = 1e-7) -> None:
        super().__init__(problem)
        self.rtol = rtol

    def proxy(self, sub, x0=None, lower=None):
        problem = self.problem
        x, value = sequential_max_min(
            problem.gains(sub),
            sub,
            problem.model.order,
            problem.n_resources,
            rtol=self.rtol,
            lower=0.0 if lower is None else lower,
            weights=problem.weights,
            floors=problem.floors,
            caps=problem.caps,
        )
        return self._checked(sub, x, value)

    def improve(self, sub, target):
        problem = self.problem
        gains = problem.gains(sub)
        plan = SequentialPlan(
            gains,
            sub,
            problem.model.order,
            problem.n_resources,
            weights=problem.weights,
            floors=problem.floors,
            caps=problem.caps,
        )
        keep = np.flatnonzero(plan.place(target)[1] <= 1.0 + _REACH_SLACK)
        if keep.size == 0:
            return keep, np.zeros((0, *sub.shape[1:])), np.zeros(0)
        x, value = sequential_max_min(
            gains[keep],
            sub[keep],
            problem.model.order,
            problem.n_resources,
            rtol=self.rtol,
            lower=target[keep],
            plan=plan,
            index=keep,
        )
        return (keep, *self._checked(sub[keep], x, value))


class SumRateCoupled(PowerStep):
    """Sum-rate under a general coupling: Nash water-filling, then SCP."""

    label = "coupled proxy"

    def proxy(self, sub, x0=None, lower=None):
        return nash_water_filling(
            self.problem.gains(sub), sub, self.problem.model.coupling, self.problem.n_resources
        )


class MinRateCoupled(_MinRateBarrier):
    """Min-rate under a general coupling: least-power fixed point (root search), then
    the barrier polish."""

    label = "coupled proxy"

    def proxy(self, sub, x0=None, lower=None):
        problem = self.problem
        x, value = coupled_max_min_proxy(
            problem.gains(sub),
            sub,
            problem.model.coupling,
            problem.n_resources,
            lower=0.0 if lower is None else lower,
            weights=problem.weights,
            floors=problem.floors,
            caps=problem.caps,
        )
        return self._checked(sub, x, value)

    def reachable(self, sub, target):
        problem = self.problem
        need = min_power_fixed_point(
            problem.gains(sub),
            sub,
            problem.model.coupling,
            problem.n_resources,
            target,
            weights=problem.weights,
            floors=problem.floors,
            caps=problem.caps,
        )[1]
        return need <= 1.0 + _REACH_SLACK


def power_step(problem: Problem) -> PowerStep:
    """The :class:`PowerStep` of ``problem`` (its objective under its rate model)."""
    if problem.floors is not None and not problem.is_min_rate:
        from ._fairness import FloorStep

        return FloorStep(problem)  # type: ignore[return-value]
    capped = problem.caps is not None and not problem.is_min_rate
    if capped and problem.objective == "sum_rate" and problem.model.is_sic:
        from ._caps import CappedSumRateStep

        return CappedSumRateStep(problem)  # type: ignore[return-value]
    if problem.objective == "alpha_fair" or capped:
        # (The sum-rate under power caps: the projected gradient with alpha 0.)
        from ._fairness import AlphaFairStep

        return AlphaFairStep(problem)  # type: ignore[return-value]
    if problem.model.is_sic:
        return MinRateSIC(problem) if problem.is_min_rate else SumRateSIC(problem)
    return MinRateCoupled(problem) if problem.is_min_rate else SumRateCoupled(problem)


# --------------------------------------------------------------------------- public
def _edges_of(scenario: Scenario, assignment: ArrayLike) -> np.ndarray:
    scenario = check_scenario(scenario)
    f = check_assignment(
        assignment, scenario.n_per_user, scenario.users_per_resource, scenario.shape
    )
    return edge_index(f, scenario.n_per_user)


def max_sr_power(
    scenario: Scenario,
    assignment: ArrayLike,
    *,
    method: str = "water-filling",
    solver: str | Sequence[str] | None = None,
) -> np.ndarray:
    """Sum-rate-optimal powers for a fixed factor graph (paper problem (16), F fixed).

    Parameters
    ----------
    scenario : Scenario
    assignment : array_like, shape (K, J)
        Feasible binary factor graph.
    method : {"water-filling", "cvxpy"}
        Multi-user iterative water-filling (numpy, default) or a CVXPY solve; the two
        agree to 1e-6 relative (tested).
    solver : str or sequence of str, optional
        Conic solver order for ``method="cvxpy"`` (default CLARABEL, ECOS, SCS).

    Returns
    -------
    ndarray, shape (K, J)
        Powers in watts, zero off the graph, each user's sum within its budget.

    Examples
    --------
    >>> import scma_alloc as sa
    >>> s = sa.random_scenario(rng=0)
    >>> p = max_sr_power(s, sa.regular_factor_graph(4, 6))
    >>> bool((p.sum(axis=0) <= s.power_budget * (1 + 1e-12)).all())
    True
    """
    sub = _edges_of(scenario, assignment)
    a_edges = gather_edges(scenario.snr_at_budget, sub)
    if method == "water-filling":
        x = iterative_water_filling(a_edges[None], sub[None], scenario.n_resources)[0][0]
    elif method == "cvxpy":
        from ._convex import EdgeSumRateProblem, solve_conic, solver_path

        conic = EdgeSumRateProblem(sub, scenario.n_resources)
        conic.set_gains(a_edges)
        outcome = solve_conic(conic.problem, solver_path(solver))
        if not outcome.ok:
            raise RuntimeError(f"every conic solver failed: {outcome.status}")
        x = project_budget(np.clip(conic.y.value.reshape(sub.shape), 0.0, None))
    else:
        raise ValueError(f"method must be 'water-filling' or 'cvxpy', got {method!r}")
    return edges_to_dense(x, sub, scenario.n_resources) * scenario.power_budget[None, :]


def max_min_power(
    scenario: Scenario,
    assignment: ArrayLike,
    *,
    polish: bool = True,
    interference: Any = None,
) -> np.ndarray:
    """Max-min-rate powers for a fixed factor graph (paper problem (22), F fixed).

    The proxy (under SIC: sequential water-filling with a root search on the common
    rate, :func:`!sequential_max_min`), then, with ``polish=True``, the barrier Newton
    method of the SCP surrogate (:mod:`!scma_alloc._barrier`) from the proxy's point and
    from an equal split. A local method: the power step is non-convex.

    Parameters
    ----------
    scenario : Scenario
    assignment : array_like, shape (K, J)
        Feasible binary factor graph.
    polish : bool
        Polish the proxy's point.
    interference : InterferenceModel or array_like, optional
        Coupling of the rates (default SIC).

    Returns
    -------
    ndarray, shape (K, J)
        Powers in watts.

    Examples
    --------
    >>> import scma_alloc as sa
    >>> s = sa.random_scenario(rng=0)
    >>> graph = sa.regular_factor_graph(4, 6)
    >>> rough = sa.max_min_power(s, graph, polish=False)
    >>> fine = sa.max_min_power(s, graph)
    >>> bool(sa.user_rates(s, graph, fine).min() >= sa.user_rates(s, graph, rough).min())
    True
    """
    sub = _edges_of(scenario, assignment)[None]
    step = power_step(Problem(scenario, "min_rate", rate_model(scenario, interference)))
    x, _ = step.proxy(sub)
    if polish:
        x, _ = step.polish(sub, x, None)
    return edges_to_dense(x[0], sub[0], scenario.n_resources) * scenario.power_budget[None, :]
