"""Exact references for small instances: every feasible factor graph is tried.

* :func:`exhaustive_max_sr` — the exact Max-SR optimum: every graph with its
  optimal (water-filling) power; vectorised over graphs.
* :func:`exhaustive_max_min` — the exhaustive-graph Max-Min reference: every graph
  with this package's Max-Min power step (sequential water-filling, then SCP). The
  power step is a local method, so this is the best *found* over all graphs, not a
  certified optimum; graphs whose interference-free upper bound cannot beat the
  best value found are skipped, which changes nothing in the result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .conic import solver_path
from .coupled import _proxy, scp_coupled_power
from .factor_graph import count_factor_graphs, enumerate_factor_graphs
from .interference import InterferenceModel
from .monitor import Monitor
from .outcome import allocation_result
from .power import (
    _floors,
    edge_index,
    edges_to_dense,
    gather_edges,
    iterative_water_filling,
    max_min_upper_bound,
    scp_max_min_power,
    sequential_max_min,
    water_fill,
)
from .result import STATUS_CONVERGED, STATUS_OPTIMAL, AllocationResult
from .scenario import Scenario

__all__ = ["DEFAULT_MAX_GRAPHS", "exhaustive_coupled", "exhaustive_max_min", "exhaustive_max_sr"]

#: Largest number of graphs the exhaustive references accept by default.
DEFAULT_MAX_GRAPHS = 200_000


def _graphs(scenario: Scenario, max_graphs: int) -> np.ndarray:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    k, j, n, d = (
        scenario.n_resources,
        scenario.n_users,
        scenario.n_per_user,
        scenario.users_per_resource,
    )
    count = count_factor_graphs(k, j, n, d)
    if count > max_graphs:
        raise ValueError(
            f"scenario has {count} feasible factor graphs (K={k}, J={j}, N={n}, d_f={d}); "
            f"the exhaustive reference is limited to max_graphs={max_graphs}. It is meant "
            "for small instances: use solve_max_sr / solve_max_min instead, or raise "
            "max_graphs if you really want to wait"
        )
    return enumerate_factor_graphs(k, j, n, d, limit=max_graphs)


def exhaustive_max_sr(
    scenario: Scenario, *, max_graphs: int = DEFAULT_MAX_GRAPHS, chunk_size: int = 8192
) -> AllocationResult:
    """Exact Max-SR optimum by enumeration (1860 graphs for K=4, J=6, N=2, d_f=3).

    Every feasible factor graph gets its sum-rate-optimal power by multi-user
    iterative water-filling (vectorised over graphs, ``chunk_size`` at a time).

    Parameters
    ----------
    scenario : Scenario
    max_graphs : int
        Refuse (``ValueError``, before any work) above this many feasible graphs.
    chunk_size : int
        Graphs per vectorised batch (memory ~ ``chunk_size * J * N`` floats).

    Returns
    -------
    AllocationResult
        ``status="optimal"``; extra field ``n_graphs``.

    Examples
    --------
    >>> from scma_alloc import random_scenario
    >>> res = exhaustive_max_sr(random_scenario(rng=0))
    >>> res.status, res.n_graphs
    ('optimal', 1860)
    """
    monitor = Monitor()
    graphs = _graphs(scenario, max_graphs)
    best_value, best_index, best_x = -np.inf, -1, None
    subs = edge_index(graphs, scenario.n_per_user)
    for start in range(0, graphs.shape[0], chunk_size):
        sub = subs[start : start + chunk_size]
        a_edges = gather_edges(scenario.snr_at_budget, sub)
        x, objective, _ = iterative_water_filling(a_edges, sub, scenario.n_resources)
        i = int(np.argmax(objective))
        if objective[i] > best_value:
            best_value, best_index, best_x = float(objective[i]), start + i, x[i]
    monitor.record("exhaustive", objective=best_value, solver_status="water-filling")
    sub = subs[best_index]
    power = edges_to_dense(best_x, sub, scenario.n_resources) * scenario.power_budget[None, :]
    return allocation_result(
        scenario,
        graphs[best_index],
        power,
        method="exhaustive",
        status=STATUS_OPTIMAL,
        message=f"best of {graphs.shape[0]} feasible factor graphs with water-filling power",
        monitor=monitor,
        solver="water-filling",
        n_graphs=int(graphs.shape[0]),
    )


def exhaustive_max_min(
    scenario: Scenario,
    *,
    max_graphs: int = DEFAULT_MAX_GRAPHS,
    solver: str | Sequence[str] | None = None,
    polish: bool = True,
    max_iter: int = 20,
    tol: float = 1e-6,
    chunk_size: int = 4096,
) -> AllocationResult:
    """Exhaustive-graph Max-Min reference: every graph with the Max-Min power step.

    1. Sequential water-filling (bisection on the common rate) for every graph,
       vectorised: a feasible min-rate per graph.
    2. With ``polish=True``, SCP (tangent bound, spec §4) from that point, for every
       graph whose interference-free upper bound exceeds the best value found so far
       (graphs visited by decreasing bound; the others cannot win).

    The power step is local (the problem is non-convex in P), so the result is the
    best found over every graph, the reference our Max-Min solver is measured
    against. ``status="converged"``; extra fields ``n_graphs`` and ``n_polished``.
    """
    monitor = Monitor()
    solvers = solver_path(solver)
    graphs = _graphs(scenario, max_graphs)
    subs = edge_index(graphs, scenario.n_per_user)
    n_graphs = graphs.shape[0]
    lower = np.empty(n_graphs)
    upper = np.empty(n_graphs)
    xs = np.empty((n_graphs, scenario.n_users, scenario.n_per_user))
    for start in range(0, n_graphs, chunk_size):
        chunk = slice(start, start + chunk_size)
        a_edges = gather_edges(scenario.snr_at_budget, subs[chunk])
        xs[chunk], lower[chunk] = sequential_max_min(
            a_edges, subs[chunk], scenario.decoding_order, scenario.n_resources
        )
        upper[chunk] = max_min_upper_bound(a_edges)
    best = int(np.argmax(lower))
    best_value, best_x = float(lower[best]), xs[best]
    monitor.record("exhaustive", objective=best_value, solver_status="sequential water-filling")
    n_polished = 0
    if polish:
        for g in np.argsort(-upper, kind="stable"):
            if upper[g] <= best_value * (1.0 + 1e-12):
                break
            a_edges = gather_edges(scenario.snr_at_budget, subs[g])
            x, value, _ = scp_max_min_power(
                a_edges,
                subs[g],
                scenario.user_rank,
                scenario.decoding_order,
                scenario.n_resources,
                scenario.users_per_resource,
                xs[g],
                solvers=solvers,
                max_iter=max_iter,
                tol=tol,
            )
            n_polished += 1
            if value > best_value:
                best, best_value, best_x = int(g), value, x
        monitor.record("exhaustive_polish", objective=best_value, solver_status="scp")
    power = edges_to_dense(best_x, subs[best], scenario.n_resources)
    power = power * scenario.power_budget[None, :]
    return allocation_result(
        scenario,
        graphs[best],
        power,
        method="exhaustive",
        status=STATUS_CONVERGED,
        message=(
            f"best of {n_graphs} feasible factor graphs with the Max-Min power step "
            f"({n_polished} polished by SCP, the rest bounded out)"
        ),
        monitor=monitor,
        solver="+".join(solvers) if polish else "sequential water-filling",
        n_graphs=int(n_graphs),
        n_polished=n_polished,
    )


def exhaustive_coupled(
    scenario: Scenario,
    interference: InterferenceModel,
    objective: str = "max_min",
    *,
    max_graphs: int = DEFAULT_MAX_GRAPHS,
    solver: str | Sequence[str] | None = None,
    max_iter: int = 20,
    tol: float = 1e-6,
    chunk_size: int = 2048,
) -> AllocationResult:
    """Exact check under a general coupling: every graph, multi-start power step.

    Every feasible graph gets the coupled power proxy (vectorised); then, in order of
    decreasing interference-free upper bound (``min_j`` of the solo capacities for
    Max-Min, their sum for Max-SR) and until that bound cannot beat the best value
    found, SCP from the proxy's point and from an equal split, the better kept. The
    power step is local: this is the best found over all graphs, the reference that
    measures the default method under a coupling.

    ``objective`` is ``"max_min"`` or ``"sum_rate"``. Returns an ``AllocationResult``
    (``status="converged"``, extra fields ``n_graphs``, ``n_polished``).
    """
    if objective not in ("max_min", "sum_rate"):
        raise ValueError(f"objective must be 'max_min' or 'sum_rate', got {objective!r}")
    interference.check(scenario)
    coupling = interference.coupling
    monitor = Monitor()
    solvers = solver_path(solver)
    graphs = _graphs(scenario, max_graphs)
    subs = edge_index(graphs, scenario.n_per_user)
    n_graphs, n_per_user = graphs.shape[0], scenario.n_per_user
    values = np.empty(n_graphs)
    upper = np.empty(n_graphs)
    xs = np.empty((n_graphs, scenario.n_users, n_per_user))
    for start in range(0, n_graphs, chunk_size):
        chunk = slice(start, start + chunk_size)
        a_edges = gather_edges(scenario.snr_at_budget, subs[chunk])
        xs[chunk], values[chunk] = _proxy(
            a_edges, subs[chunk], coupling, scenario.n_resources, objective
        )
        solo = np.log1p(a_edges * water_fill(_floors(np.zeros_like(a_edges), a_edges))).sum(-1)
        upper[chunk] = solo.min(axis=-1) if objective == "max_min" else solo.sum(axis=-1)
    best = int(np.argmax(values))
    best_value, best_x = float(values[best]), xs[best]
    n_polished = 0
    for g in np.argsort(-upper, kind="stable"):
        if upper[g] <= best_value * (1.0 + 1e-12):
            break
        a_edges = gather_edges(scenario.snr_at_budget, subs[g])
        for x0 in (xs[g], np.full((scenario.n_users, n_per_user), 1.0 / n_per_user)):
            x, value, _ = scp_coupled_power(
                a_edges,
                subs[g],
                scenario.user_rank,
                coupling,
                scenario.n_resources,
                scenario.users_per_resource,
                x0,
                objective,
                solvers=solvers,
                max_iter=max_iter,
                tol=tol,
            )
            if value > best_value:
                best, best_value, best_x = int(g), value, x
        n_polished += 1
    monitor.record("exhaustive", objective=best_value, solver_status="scp")
    power = edges_to_dense(best_x, subs[best], scenario.n_resources)
    return allocation_result(
        scenario,
        graphs[best],
        power * scenario.power_budget[None, :],
        method="exhaustive",
        status=STATUS_CONVERGED,
        message=(
            f"best of {n_graphs} feasible factor graphs under the {interference.name!r} "
            f"coupling ({n_polished} polished by two-start SCP, the rest bounded out)"
        ),
        monitor=monitor,
        solver="+".join(solvers),
        coupling=coupling,
        n_graphs=int(n_graphs),
        n_polished=n_polished,
    )
