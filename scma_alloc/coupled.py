"""Allocation under a general interference coupling ``C`` (integration spec).

With ``C`` other than the SIC order, user rates are differences of concave functions
and the sum-rate is no longer concave, so both objectives go through SCP (tangent of
the subtracted ``log(1 + I)``, :class:`~scma_alloc.surrogates.CoupledSlotProblem`).
The search mirrors the SIC default method:

* power-step proxies (numpy, batched over graphs):
  Max-Min — for a common target rate every user spends the least power reaching it
  against the others' interference, iterated to the smallest fixed point (a standard
  interference function, Yates 1995); the largest target whose fixed point fits every
  budget is found by :func:`~scma_alloc.power.largest_feasible_target`;
  Max-SR — every user water-fills its own rate against the others' interference,
  Gauss-Seidel, to a Nash point;
* codebook moves and swaps scored by the proxy, from several starting graphs;
* SCP from the proxy's point and from an equal split on the best graphs.

:func:`exhaustive_coupled` is the exact check for small instances: every graph, the
same multi-start power step, graphs pruned only when their interference-free upper
bound cannot beat the best value found.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .local_search import neighbours
from .monitor import Monitor
from .power import (
    SlotLayout,
    TrustRegion,
    _floors,
    _project_budget,
    edges_to_dense,
    gather_edges,
    inverse_water_fill,
    largest_feasible_target,
    max_min_upper_bound,
    scp_loop,
    water_fill,
)
from .rates import _coupled_user_rates
from .scenario import Scenario
from .surrogates import CoupledSlotProblem

__all__ = [
    "coupled_max_min_proxy",
    "coupled_rates",
    "nash_water_filling",
    "scp_coupled_power",
]

OBJECTIVES = ("max_min", "sum_rate")


def coupled_rates(
    a_edges: np.ndarray, sub: np.ndarray, x: np.ndarray, coupling: np.ndarray, n_resources: int
) -> np.ndarray:
    """User rates (nats) of edge allocations under ``coupling``; shape (..., J)."""
    return _coupled_user_rates(edges_to_dense(a_edges * x, sub, n_resources), coupling)


def _score(rates: np.ndarray, objective: str) -> np.ndarray:
    return rates.min(axis=-1) if objective == "max_min" else rates.sum(axis=-1)


def _interference(
    a_edges: np.ndarray, sub: np.ndarray, x: np.ndarray, coupling: np.ndarray, n_resources: int
) -> np.ndarray:
    """Interference on every edge, ``I[b, j, n] = sum_i C[j, i] q[b, k, i]``."""
    q = edges_to_dense(a_edges * x, sub, n_resources)
    return gather_edges(q @ coupling.T, sub)


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

    A feasible point; its sum-rate is a lower bound of the Max-SR power step. Returns
    ``(x, sum_rate)`` with ``x`` of shape (B, J, N), sum-rates in nats.
    """
    n_batch, n_users, n_per_user = a_edges.shape
    x = np.full(a_edges.shape, 1.0 / n_per_user) if x0 is None else np.array(x0, dtype=float)
    rows = np.arange(n_batch)[:, None]
    q = edges_to_dense(a_edges * x, sub, n_resources)
    for _ in range(max_sweeps):
        change = 0.0
        for j in range(n_users):
            idx = sub[:, j, :]
            interference = (q @ coupling[j])[rows, idx]
            new = water_fill(_floors(interference, a_edges[:, j, :]))
            change = max(change, float(np.abs(new - x[:, j, :]).max()))
            x[:, j, :] = new
            q[rows, idx, j] = a_edges[:, j, :] * new
        if change <= rtol:
            break
    rates = coupled_rates(a_edges, sub, x, coupling, n_resources)
    return x, rates.sum(axis=-1)


def _min_power_fixed_point(
    a_edges: np.ndarray,
    sub: np.ndarray,
    coupling: np.ndarray,
    n_resources: int,
    target: np.ndarray,
    max_iter: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """Smallest fixed point of the least-power responses to a common target.

    Returns ``x`` and, per graph, the largest budget fraction a user needs; ``inf``
    when the iteration diverges or does not settle (the target is then treated as
    infeasible).
    """
    x = np.zeros_like(a_edges)
    need = np.full(a_edges.shape[0], np.inf)
    settled = np.zeros(a_edges.shape[0], dtype=bool)
    for _ in range(max_iter):
        floors = _floors(_interference(a_edges, sub, x, coupling, n_resources), a_edges)
        new, totals = inverse_water_fill(floors, target[:, None])
        new = np.where(np.isfinite(new), new, 0.0)
        worst = totals.max(axis=-1)
        settled = np.abs(new - x).max(axis=(1, 2)) <= 1e-10 * (1.0 + new.max(axis=(1, 2)))
        x = new
        diverged = ~(worst <= 1e3)
        if np.all(settled | diverged):
            break
    need = np.where(settled & np.isfinite(worst), worst, np.inf)
    return x, need


def coupled_max_min_proxy(
    a_edges: np.ndarray,
    sub: np.ndarray,
    coupling: np.ndarray,
    n_resources: int,
    *,
    rtol: float = 1e-7,
    lower: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Max-min power proxy under ``coupling``, batched: ``(x, min_rate)`` (nats).

    The largest common target whose least-power fixed point fits every budget. A
    feasible point, hence a lower bound of the Max-Min power step.
    """
    n_batch = a_edges.shape[0]
    hi = max_min_upper_bound(a_edges)
    lo = np.minimum(np.broadcast_to(np.asarray(lower, dtype=float), (n_batch,)), hi).copy()
    lo = largest_feasible_target(
        lambda t: _min_power_fixed_point(a_edges, sub, coupling, n_resources, t)[1] - 1.0,
        lo,
        hi,
        rtol=rtol,
    )
    x, _ = _min_power_fixed_point(a_edges, sub, coupling, n_resources, lo)
    x = _project_budget(x)
    return x, coupled_rates(a_edges, sub, x, coupling, n_resources).min(axis=-1)


def _proxy(
    a_edges: np.ndarray, sub: np.ndarray, coupling: np.ndarray, n_resources: int, objective: str
) -> tuple[np.ndarray, np.ndarray]:
    if objective == "max_min":
        return coupled_max_min_proxy(a_edges, sub, coupling, n_resources)
    return nash_water_filling(a_edges, sub, coupling, n_resources)


@lru_cache(maxsize=16)
def _coupled_problem(
    n_resources: int, n_users: int, users_per_resource: int, objective: str
) -> CoupledSlotProblem:
    return CoupledSlotProblem(n_resources, n_users, users_per_resource, objective)


def scp_coupled_power(
    a_edges: np.ndarray,
    sub: np.ndarray,
    rank: np.ndarray,
    coupling: np.ndarray,
    n_resources: int,
    users_per_resource: int,
    x0: np.ndarray,
    objective: str,
    **options,
) -> tuple[np.ndarray, float, int]:
    """Trust-region SCP power step under ``coupling`` on one graph (edges (J, N)).

    ``objective`` is ``"max_min"`` or ``"sum_rate"``; ``options`` as
    :func:`~scma_alloc.power.scp_loop`. Returns ``(x, objective in nats, iterations)``.
    """
    n_users = sub.shape[0]
    layout = SlotLayout(sub, rank, n_resources, users_per_resource)
    user_of_slot = np.full(layout.n_slots, -1)
    user_of_slot[layout.slot_of_edge] = np.arange(n_users)[:, None]
    problem = _coupled_problem(n_resources, n_users, users_per_resource, objective)
    a_slots = layout.to_slots(a_edges)
    x, value, iterations, _ = scp_loop(
        lambda x, radius: problem.set_point(
            a_slots,
            user_of_slot,
            coupling,
            layout.occupied,
            layout.owner,
            layout.to_slots(x),
            radius,
        ),
        problem.problem,
        lambda: _project_budget(layout.to_edges(np.clip(problem.y.value, 0.0, None))),
        lambda x: float(_score(coupled_rates(a_edges, sub, x, coupling, n_resources), objective)),
        x0,
        **options,
    )
    return x, value, iterations


def coupled_local_search(
    snr: np.ndarray,
    sub: np.ndarray,
    coupling: np.ndarray,
    users_per_resource: int,
    objective: str,
    *,
    max_moves: int = 10_000,
    rtol: float = 1e-7,
    monitor: Monitor | None = None,
    outer: int = 0,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Best-improvement codebook search scored by the coupled power proxy.

    Returns ``(sub, x, proxy value in nats, accepted moves)``.
    """
    n_resources = snr.shape[0]
    n_users = sub.shape[0]

    def gains(graphs: np.ndarray) -> np.ndarray:
        return snr[graphs, np.arange(n_users)[None, :, None]]

    sub = np.sort(sub, axis=-1)
    x, values = _proxy(gains(sub[None]), sub[None], coupling, n_resources, objective)
    x, value = x[0], float(values[0])
    accepted = 0
    while accepted < max_moves:
        cand = neighbours(sub, n_resources, users_per_resource)
        if len(cand) == 0:
            break
        graphs = cand.apply(sub)
        if objective == "max_min":
            # Screen: only graphs that can beat the current value get the full search.
            target = np.full(len(cand), value * (1.0 + 10 * rtol) + 1e-12)
            need = _min_power_fixed_point(gains(graphs), graphs, coupling, n_resources, target)[1]
            keep = np.flatnonzero(need <= 1.0)
            if keep.size == 0:
                break
            graphs = graphs[keep]
            xs, scores = coupled_max_min_proxy(
                gains(graphs), graphs, coupling, n_resources, lower=target[keep]
            )
        else:
            xs, scores = nash_water_filling(gains(graphs), graphs, coupling, n_resources)
        best = int(np.argmax(scores))
        if scores[best] <= value * (1.0 + 10 * rtol) + 1e-12:
            break
        sub, x, value = graphs[best], xs[best], float(scores[best])
        accepted += 1
        if monitor is not None and monitor.record(
            "local_search",
            outer=outer,
            inner=accepted,
            objective=value,
            candidate=value,
            solver_status="coupled proxy",
        ):
            break
    return sub, x, value, accepted


def polish_coupled(
    scenario: Scenario,
    coupling: np.ndarray,
    objective: str,
    candidates: list[tuple[float, np.ndarray, np.ndarray]],
    *,
    solvers: Sequence[str],
    max_iter: int,
    tol: float,
    trust: TrustRegion,
    monitor: Monitor | None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Multi-start SCP power step on candidate graphs; the best ``(value, sub, x)``.

    Each candidate ``(proxy value, sub, proxy x)`` is polished from its proxy point;
    the best polished graph is polished again from an equal split of the budgets.
    """
    n_resources = scenario.n_resources
    best = max(candidates, key=lambda item: item[0])

    def polish(sub: np.ndarray, x: np.ndarray, label: int) -> tuple[float, np.ndarray, np.ndarray]:
        x_new, value, _ = scp_coupled_power(
            gather_edges(scenario.snr_at_budget, sub),
            sub,
            scenario.user_rank,
            coupling,
            n_resources,
            scenario.users_per_resource,
            x,
            objective,
            solvers=solvers,
            max_iter=max_iter,
            tol=tol,
            trust=TrustRegion(trust.radius, trust.expand, trust.shrink, trust.max_radius),
            monitor=monitor,
            stage="final_power",
            outer=label,
        )
        return value, sub, x_new

    polished = []
    for label, (_, sub, x) in enumerate(candidates):
        polished.append(polish(sub, x, label))
        if monitor is not None and monitor.stopped:
            return max([best, *polished], key=lambda item: item[0])
    _, sub, _ = max(polished, key=lambda item: item[0])
    polished.append(polish(sub, np.full(sub.shape, 1.0 / sub.shape[1]), len(polished)))
    return max([best, *polished], key=lambda item: item[0])
