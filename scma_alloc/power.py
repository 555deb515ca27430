"""Power steps for a fixed factor graph.

* Max-SR (paper problem (16) with F fixed): concave; its global optimum is multi-user
  iterative water-filling (:func:`max_sr_power`), also available as a CVXPY solve.
* Max-Min (paper problem (22) with F fixed): a difference of concave functions.
  :func:`max_min_power` starts from a sequential water-filling point found by
  bisection (numpy, exact for the policy "each user, weakest first, spends the least
  power that meets the common target") and polishes it with trust-region SCP using
  the tangent upper bound of the subtracted interference term (spec §4, Lemma 2).

Internally powers are fractions of each user's budget, ``x[k, j] = P[k, j] / Pmax_j``,
and gains are ``a = gamma * Pmax`` (SNR at full budget), so that budgets are
``sum_k x[k, j] <= 1`` whatever the units. Edge arrays have shape ``(B, J, N)``: the
``n``-th resource of user ``j`` in graph ``b`` is ``sub[b, j, n]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import cvxpy as cp
import numpy as np
from numpy.typing import ArrayLike

from .conic import DEFAULT_SOLVERS, ConicOutcome, solve_conic, solver_path
from .factor_graph import check_assignment
from .monitor import Monitor
from .rates import _sic_user_rates, _sum_rate
from .scenario import Scenario
from .surrogates import EdgeSumRateProblem, SlotMaxMinProblem

__all__ = ["max_min_power", "max_sr_power"]


# --------------------------------------------------------------------------- edges
def edge_index(assignment: np.ndarray, n_per_user: int) -> np.ndarray:
    """Resources of every user: ``sub[..., j, n]`` (sorted), from binary F (..., K, J)."""
    f = np.asarray(assignment)
    batch_shape = f.shape[:-2]
    ft = np.swapaxes(f, -1, -2).reshape(-1, f.shape[-2])  # (B*J, K)
    _, k = np.nonzero(ft)
    return k.reshape(*batch_shape, f.shape[-1], n_per_user)


def edges_to_dense(values: np.ndarray, sub: np.ndarray, n_resources: int) -> np.ndarray:
    """Scatter edge values (..., J, N) into a dense (..., K, J) matrix."""
    *batch, n_users, _ = values.shape
    dense = np.zeros((*batch, n_resources, n_users))
    b_idx = np.indices(sub.shape)
    dense[(*b_idx[:-2], sub, b_idx[-2])] = values
    return dense


def gather_edges(dense: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """Gather (..., K, J) values on the edges ``sub`` (..., J, N).

    A single (K, J) matrix is broadcast over a batch of graphs.
    """
    b_idx = np.indices(sub.shape)
    if dense.ndim == 2:
        return dense[sub, b_idx[-2]]
    return dense[(*b_idx[:-2], sub, b_idx[-2])]


# --------------------------------------------------------------------------- water-filling
def water_fill(floors: np.ndarray, total: float | np.ndarray = 1.0) -> np.ndarray:
    """Water-filling over the last axis: ``x = max(mu - floors, 0)``, ``sum x = total``.

    ``floors`` are noise-plus-interference to gain ratios (``inf`` for an unusable
    resource). Maximises ``sum log(1 + x / floors)``. Exact (sorting), batched; a
    closed form for two resources (the paper's N = 2), the hot path of the solvers.
    """
    total = np.asarray(total, dtype=float)
    if floors.shape[-1] == 2:
        low = np.minimum(floors[..., 0], floors[..., 1])
        high = np.maximum(floors[..., 0], floors[..., 1])
        both = total + low > high
        level = np.where(both, 0.5 * (total + low + high), total + low)
        level = np.where(np.isinf(low), -np.inf, level)
        return np.maximum(level[..., None] - floors, 0.0)
    s = np.sort(floors, axis=-1)
    n = s.shape[-1]
    mu = (total[..., None] + np.cumsum(s, axis=-1)) / np.arange(1, n + 1)
    active = np.count_nonzero(mu > s, axis=-1)
    level = np.take_along_axis(mu, np.maximum(active - 1, 0)[..., None], axis=-1)
    level = np.where(active[..., None] > 0, level, -np.inf)
    return np.maximum(level - floors, 0.0)


def _floors(interference: np.ndarray, a_edges: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(a_edges > 0, (1.0 + interference) / a_edges, np.inf)


def iterative_water_filling(
    a_edges: np.ndarray,
    sub: np.ndarray,
    n_resources: int,
    x0: np.ndarray | None = None,
    *,
    rtol: float = 1e-13,
    max_sweeps: int = 5000,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Multi-user iterative water-filling (Gauss-Seidel over users), batched.

    Maximises ``sum_k log(1 + sum_j a[k, j] x[k, j])`` over budget-fraction powers on
    the edges (``sum_n x[b, j, n] <= 1``). The problem is concave and each user's
    block is solved exactly, so the sweeps converge to the global optimum
    (Yu, Rhee, Boyd, Cioffi, IEEE Trans. IT 50(1), 2004).

    Returns
    -------
    x : ndarray (B, J, N)
    objective : ndarray (B,)
        Sum-rate in nats.
    sweeps : int
    """
    a_edges = np.asarray(a_edges, dtype=float)
    n_batch, n_users, n_per_user = a_edges.shape
    x = np.full(a_edges.shape, 1.0 / n_per_user) if x0 is None else np.array(x0, dtype=float)
    rows = np.arange(n_batch)[:, None]
    flat = (rows * n_resources + sub.reshape(n_batch, -1)).ravel()

    def received_total(x: np.ndarray) -> np.ndarray:
        total = np.bincount(flat, weights=(a_edges * x).ravel(), minlength=n_batch * n_resources)
        return total.reshape(n_batch, n_resources)

    received = received_total(x)
    objective = np.log1p(received).sum(axis=1)
    active = np.arange(n_batch)
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):
        r_act = received[active]
        sub_act = sub[active]
        a_act = a_edges[active]
        x_act = x[active]
        arows = np.arange(active.size)[:, None]
        for j in range(n_users):
            idx = sub_act[:, j, :]
            own = a_act[:, j, :] * x_act[:, j, :]
            interference = np.maximum(r_act[arows, idx] - own, 0.0)
            new = water_fill(_floors(interference, a_act[:, j, :]))
            r_act[arows, idx] += a_act[:, j, :] * new - own
            x_act[:, j, :] = new
        x[active] = x_act
        if sweeps % 16 == 0:  # refresh the running sums against drift
            received[active] = received_total(x)[active]
        else:
            received[active] = r_act
        new_objective = np.log1p(received[active]).sum(axis=1)
        done = new_objective - objective[active] <= rtol * (1.0 + np.abs(new_objective))
        objective[active] = new_objective
        active = active[~done]
        if active.size == 0:
            break
    objective = np.log1p(received_total(x)).sum(axis=1)
    return x, objective, sweeps


# --------------------------------------------------------------------------- CVXPY Max-SR
def _cvxpy_max_sr_power(
    a_edges: np.ndarray, sub: np.ndarray, n_resources: int, solvers: Sequence[str]
) -> tuple[np.ndarray, ConicOutcome]:
    problem = EdgeSumRateProblem(sub, n_resources)
    problem.set_gains(a_edges)
    outcome = solve_conic(problem.problem, solvers)
    if not outcome.ok:
        return np.full(sub.shape, np.nan), outcome
    y = np.clip(problem.y.value.reshape(sub.shape), 0.0, None)
    return _project_budget(y), outcome


def _project_budget(x: np.ndarray) -> np.ndarray:
    """Scale down any user whose budget fractions sum above 1 (solver round-off)."""
    total = x.sum(axis=-1, keepdims=True)
    return np.where(total > 1.0, x / np.maximum(total, 1e-300), x)


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
    """
    f = check_assignment(
        assignment, scenario.n_per_user, scenario.users_per_resource, scenario.shape
    )
    sub = edge_index(f, scenario.n_per_user)
    a_edges = gather_edges(scenario.snr_at_budget, sub)
    if method == "water-filling":
        x, _, _ = iterative_water_filling(a_edges[None], sub[None], scenario.n_resources)
        x = x[0]
    elif method == "cvxpy":
        x, outcome = _cvxpy_max_sr_power(a_edges, sub, scenario.n_resources, solver_path(solver))
        if not outcome.ok:
            raise RuntimeError(f"every conic solver failed: {outcome.status}")
    else:
        raise ValueError(f"method must be 'water-filling' or 'cvxpy', got {method!r}")
    return edges_to_dense(x, sub, scenario.n_resources) * scenario.power_budget[None, :]


# --------------------------------------------------------------------------- Max-Min
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
        with np.errstate(invalid="ignore", over="ignore"):
            growth = np.exp(target)
            both = growth * low > high
            level = np.where(both, np.sqrt(low * high * growth), low * growth)
            x = np.maximum(level[..., None] - floors, 0.0)
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
        x = np.maximum(np.exp(log_mu)[..., None] - floors, 0.0)
    x = np.nan_to_num(x, nan=np.inf)
    x = np.where(np.isinf(floors), 0.0, x)
    total = np.where(np.isinf(s[..., 0]) & (target > 0), np.inf, x.sum(axis=-1))
    return x, total


def max_min_upper_bound(a_edges: np.ndarray) -> np.ndarray:
    """Upper bound (nats) of the max-min rate of each graph: every user alone.

    ``min_j`` of user j's interference-free water-filling capacity over its
    resources with its whole budget; no power allocation on that graph does better.
    """
    solo = np.log1p(a_edges * water_fill(_floors(np.zeros_like(a_edges), a_edges))).sum(-1)
    return solo.min(axis=-1)


def largest_feasible_target(
    excess: Callable[[np.ndarray], np.ndarray],
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    rtol: float = 1e-10,
    max_iter: int = 200,
) -> np.ndarray:
    """Largest ``t`` in ``[lo, hi]`` with ``excess(t) <= 0``, batched.

    ``excess`` must be continuous and increasing in ``t`` with ``excess(lo) <= 0``
    (``inf`` allowed for hopeless targets). Illinois variant of regula falsi on the
    bracket, with a bisection step every fourth iteration and whenever the secant
    leaves the bracket; stops when the bracket is below ``rtol`` relative.
    """
    lo, hi = lo.copy(), hi.copy()
    f_lo, f_hi = excess(lo), excess(hi)
    done = f_hi <= 0  # the upper bound itself is feasible
    lo = np.where(done, hi, lo)
    side = np.zeros(lo.shape, dtype=int)  # which end moved last (Illinois)
    for iteration in range(max_iter):
        width = hi - lo
        active = ~done & (width > rtol * np.maximum(hi, 1e-300))
        if not active.any():
            break
        with np.errstate(invalid="ignore", divide="ignore"):
            secant = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        inside = np.isfinite(secant) & (secant > lo) & (secant < hi)
        t = np.where(inside & (iteration % 4 != 3), secant, 0.5 * (lo + hi))
        f_t = excess(t)
        feasible = f_t <= 0
        move_lo = active & feasible
        move_hi = active & ~feasible
        # Illinois: halve the function value at the end that stays twice in a row.
        f_hi = np.where(move_lo & (side == 1), 0.5 * f_hi, f_hi)
        f_lo = np.where(move_hi & (side == -1), 0.5 * f_lo, f_lo)
        lo, f_lo = np.where(move_lo, t, lo), np.where(move_lo, f_t, f_lo)
        hi, f_hi = np.where(move_hi, t, hi), np.where(move_hi, f_t, f_hi)
        side = np.where(move_lo, 1, np.where(move_hi, -1, side))
    return lo


def sequential_max_min(
    a_edges: np.ndarray,
    sub: np.ndarray,
    order: np.ndarray,
    n_resources: int,
    *,
    rtol: float = 1e-10,
    lower: np.ndarray | float = 0.0,
    max_iter: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """Max-min power by a root search over a common target rate, batched (numpy).

    For a target ``t`` the users are visited weakest first (under SIC a user is
    interfered only by weaker ones, which are already placed); each spends the
    least power reaching ``t`` against the interference it sees
    (:func:`inverse_water_fill`). Let ``need(t)`` be the largest budget fraction any
    user then needs: it is continuous and increasing in ``t`` (a higher target raises
    every user's power and so every stronger user's interference), so the best
    target of this policy is the root of ``need(t) = 1``, found by the Illinois
    variant of regula falsi inside the bracket ``[lower, upper bound]`` (with a
    bisection step whenever the bracket shrinks too slowly) to ``rtol``. The point is
    feasible, hence a lower bound of the max-min power step, and a good SCP start.

    Parameters
    ----------
    lower : float or ndarray
        A target known to be feasible for every graph (default 0).

    Returns
    -------
    x : ndarray (B, J, N)
        Budget fractions achieving ``t``.
    t : ndarray (B,)
        Min-rate (nats) of ``x`` under SIC.
    """
    n_batch = a_edges.shape[0]
    hi = max_min_upper_bound(a_edges)
    lo = np.minimum(np.broadcast_to(np.asarray(lower, dtype=float), (n_batch,)), hi).copy()
    lo = largest_feasible_target(
        lambda t: _place_sequential(a_edges, sub, order, n_resources, t)[1] - 1.0,
        lo,
        hi,
        rtol=rtol,
        max_iter=max_iter,
    )
    x, _ = _place_sequential(a_edges, sub, order, n_resources, lo)
    x = _project_budget(x)
    t = _sic_user_rates(edges_to_dense(a_edges * x, sub, n_resources), order).min(axis=-1)
    return x, t


def _place_sequential(
    a_edges: np.ndarray, sub: np.ndarray, order: np.ndarray, n_resources: int, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weakest-first least-power placement for per-graph targets.

    Returns the budget fractions ``x`` (B, J, N) and, per graph, the largest
    fraction any user needs (``> 1``: the target is infeasible for this policy).
    """
    n_batch = a_edges.shape[0]
    received = np.zeros(n_batch * n_resources)
    base = (np.arange(n_batch) * n_resources)[:, None]
    x = np.zeros_like(a_edges)
    need = np.zeros(n_batch)
    for j in order:
        flat = base + sub[:, j, :]
        gains = a_edges[:, j, :]
        xj, total = inverse_water_fill(_floors(received[flat], gains), target)
        np.maximum(need, total, out=need)
        xj = np.where(np.isfinite(xj), xj, 0.0)
        x[:, j, :] = xj
        received[flat] += gains * xj
    return x, need


class SlotLayout:
    """Where the edges of a factor graph sit in the resource slots, weakest first.

    Resource ``k`` has ``d_f`` slots; its users fill slots ``0, 1, ...`` by ascending
    rank, so slot ``s`` is interfered by slots ``< s`` of the same resource (SIC).
    ``slot_of_edge[j, n]`` is the slot of user j's n-th edge.
    """

    def __init__(
        self, sub: np.ndarray, rank: np.ndarray, n_resources: int, users_per_resource: int
    ) -> None:
        n_users, n_per_user = sub.shape
        edge_user = np.repeat(np.arange(n_users), n_per_user)
        edge_resource = sub.ravel()
        order = np.lexsort((rank[edge_user], edge_resource))
        position = np.empty(edge_user.size, dtype=np.intp)
        starts = np.searchsorted(edge_resource[order], np.arange(n_resources))
        position[order] = np.arange(edge_user.size) - starts[edge_resource[order]]
        self.n_slots = n_resources * users_per_resource
        self.slot_of_edge = (edge_resource * users_per_resource + position).reshape(sub.shape)
        self.occupied = np.zeros(self.n_slots)
        self.occupied[self.slot_of_edge.ravel()] = 1.0
        self.owner = np.zeros((n_users, self.n_slots))
        self.owner[edge_user, self.slot_of_edge.ravel()] = 1.0

    def to_slots(self, edge_values: np.ndarray) -> np.ndarray:
        """Edge values (J, N) -> slot vector (zero on empty slots)."""
        out = np.zeros(self.n_slots)
        out[self.slot_of_edge.ravel()] = edge_values.ravel()
        return out

    def to_edges(self, slot_values: np.ndarray) -> np.ndarray:
        """Slot vector -> edge values (J, N)."""
        return slot_values[self.slot_of_edge]


@lru_cache(maxsize=16)
def _slot_problem(n_resources: int, n_users: int, users_per_resource: int) -> SlotMaxMinProblem:
    return SlotMaxMinProblem(n_resources, n_users, users_per_resource)


@dataclass
class SCPSettings:
    """Settings shared by every trust-region SCP loop (spec §4; authors' values)."""

    solvers: Sequence[str] = DEFAULT_SOLVERS
    scp_tol: float = 1e-4
    max_inner: int = 10
    trust_radius: float = 1.0
    trust_radius_max: float = 2.0
    trust_expand: float = 1.5
    trust_shrink: float = 0.8

    def trust_region(self) -> TrustRegion:
        """A fresh trust region (each SCP loop starts from the initial radius)."""
        return TrustRegion(
            self.trust_radius, self.trust_expand, self.trust_shrink, self.trust_radius_max
        )


@dataclass
class TrustRegion:
    """Trust-region schedule of the SCP inner loop (spec §4; authors' code values)."""

    radius: float = 1.0
    expand: float = 1.5
    shrink: float = 0.8
    max_radius: float = 2.0

    def update(self, accepted: bool) -> None:
        self.radius = (
            min(self.radius * self.expand, self.max_radius)
            if accepted
            else self.radius * self.shrink
        )


def edge_min_rate(
    a_edges: np.ndarray, sub: np.ndarray, x: np.ndarray, order: np.ndarray, n_resources: int
) -> float:
    """Min-rate (nats) of one graph given edge budget fractions."""
    q = edges_to_dense(a_edges * x, sub, n_resources)
    return float(_sic_user_rates(q, order).min())


def scp_loop(
    set_point: Callable[[np.ndarray, float], None],
    problem: cp.Problem,
    read: Callable[[], np.ndarray],
    value: Callable[[np.ndarray], float],
    x0: np.ndarray,
    *,
    solvers: Sequence[str],
    max_iter: int = 10,
    tol: float = 1e-4,
    trust: TrustRegion | None = None,
    monitor: Monitor | None = None,
    stage: str = "power",
    outer: int = 0,
    penalty: Callable[[np.ndarray], float] | None = None,
    surrogate_shift: Callable[[np.ndarray], float] | None = None,
    give_up: int | None = None,
) -> tuple[np.ndarray, float, int, str]:
    """Trust-region SCP driver (spec §4), generic over the surrogate.

    Each iteration linearises at the current point (``set_point(x, radius)``), solves
    the surrogate, reads its solution (``read()``, already projected to the feasible
    set) and accepts it if the true objective ``value`` improves: radius x1.5 (capped)
    on success, x0.8 otherwise. Stops when an accepted improvement is below ``tol``, a
    rejected candidate is within ``tol`` of the current value, after ``max_iter``
    iterations, when the monitor's callback asks to stop, or when the monitor has
    counted ``give_up`` surrogates that no solver could solve.

    ``penalty(x)`` is recorded with each step; ``surrogate_shift(x0)`` is added to the
    surrogate's optimal value before recording it (constants the problem leaves out),
    so that a recorded ``surrogate`` is directly comparable with ``candidate``.

    Returns
    -------
    x, objective, iterations, reason
        ``reason`` is ``"converged"``, ``"iteration_limit"``, ``"stopped"`` (callback) or
        ``"solver_failed"`` (``give_up`` reached).
    """
    trust = trust or TrustRegion()
    x = np.array(x0, dtype=float)
    best = value(x)
    reason = "iteration_limit"
    iteration = 0
    for iteration in range(1, max_iter + 1):
        x_start = x
        set_point(x, trust.radius)
        outcome = solve_conic(problem, solvers)
        candidate_value = float("nan")
        accepted = False
        if outcome.ok:
            candidate = read()
            candidate_value = value(candidate)
            accepted = candidate_value > best
        gain = candidate_value - best if accepted else 0.0
        if accepted:
            x, best = candidate, candidate_value
        radius_used = trust.radius
        trust.update(accepted)
        if monitor is not None:
            monitor.n_inner += 1
            monitor.note_solver(outcome.ok, outcome.solver)
            shift = surrogate_shift(x_start) if surrogate_shift is not None else 0.0
            if monitor.record(
                stage,
                outer=outer,
                inner=iteration,
                objective=best,
                surrogate=outcome.value + shift,
                candidate=candidate_value,
                penalty=penalty(x) if penalty is not None else 0.0,
                trust_radius=radius_used,
                accepted=accepted,
                solver_status=outcome.status,
            ):
                return x, best, iteration, "stopped"
            if not outcome.ok and give_up is not None and monitor.solver_failures >= give_up:
                return x, best, iteration, "solver_failed"
        if (accepted and gain < tol) or (
            outcome.ok and not accepted and abs(candidate_value - best) < tol
        ):
            reason = "converged"
            break
        if not outcome.ok and trust.radius < 1e-6:
            break
    return x, best, iteration, reason


def scp_max_min_power(
    a_edges: np.ndarray,
    sub: np.ndarray,
    rank: np.ndarray,
    order: np.ndarray,
    n_resources: int,
    users_per_resource: int,
    x0: np.ndarray,
    **options,
) -> tuple[np.ndarray, float, int]:
    """Trust-region SCP for the SIC Max-Min power step on one graph (edges (J, N)).

    Solves :class:`~scma_alloc.surrogates.SlotMaxMinProblem` with :func:`scp_loop`;
    ``options`` are those of :func:`scp_loop`. Returns ``(x, min-rate, iterations)``.
    """
    layout = SlotLayout(sub, rank, n_resources, users_per_resource)
    problem = _slot_problem(n_resources, sub.shape[0], users_per_resource)
    a_slots = layout.to_slots(a_edges)
    x, value, iterations, _ = scp_loop(
        lambda x, radius: problem.set_point(
            a_slots, layout.occupied, layout.owner, layout.to_slots(x), radius
        ),
        problem.problem,
        lambda: _project_budget(layout.to_edges(np.clip(problem.y.value, 0.0, None))),
        lambda x: edge_min_rate(a_edges, sub, x, order, n_resources),
        x0,
        **options,
    )
    return x, value, iterations


def max_min_power(
    scenario: Scenario,
    assignment: ArrayLike,
    *,
    polish: bool = True,
    solver: str | Sequence[str] | None = None,
    max_iter: int = 20,
    tol: float = 1e-6,
) -> np.ndarray:
    """Max-min-rate powers for a fixed factor graph (paper problem (22), F fixed).

    Sequential water-filling by bisection (:func:`sequential_max_min`), then, with
    ``polish=True``, trust-region SCP with the tangent bound of the interference term.
    A local method: the power step is non-convex.

    Returns
    -------
    ndarray, shape (K, J)
        Powers in watts.
    """
    f = check_assignment(
        assignment, scenario.n_per_user, scenario.users_per_resource, scenario.shape
    )
    sub = edge_index(f, scenario.n_per_user)
    a_edges = gather_edges(scenario.snr_at_budget, sub)
    x, _ = sequential_max_min(
        a_edges[None], sub[None], scenario.decoding_order, scenario.n_resources
    )
    x = x[0]
    if polish:
        x, _, _ = scp_max_min_power(
            a_edges,
            sub,
            scenario.user_rank,
            scenario.decoding_order,
            scenario.n_resources,
            scenario.users_per_resource,
            x,
            solvers=solver_path(solver),
            max_iter=max_iter,
            tol=tol,
        )
    return edges_to_dense(x, sub, scenario.n_resources) * scenario.power_budget[None, :]


def sum_rate_nats(
    a_edges: np.ndarray, sub: np.ndarray, x: np.ndarray, n_resources: int
) -> np.ndarray:
    """Sum-rate (nats) of edge allocations, batched."""
    return _sum_rate(edges_to_dense(a_edges * x, sub, n_resources))
