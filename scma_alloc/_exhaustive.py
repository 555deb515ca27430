"""Exact references for small instances: every feasible factor graph is tried.

One enumeration serves every objective and rate model: every graph gets the power
step's proxy (vectorised over graphs, in chunks) and an interference-free upper bound;
then, unless the power step is exact, graphs are polished (min-rate: the barrier
method; coupled sum-rate: SCP) in order of decreasing bound until the bound cannot
beat the best value found.

* Sum-rate under SIC (:func:`exhaustive_max_sr`): the proxy is exact water-filling, so
  the result is the exact Max-SR optimum (``status="optimal"``).
* Min-rate, and any objective under a general coupling: the power step is local, so
  the result is the best *found* over every graph, not a certified optimum — the
  reference the benchmarks measure the default method against
  (``status="converged"``). Skipping bounded-out graphs changes nothing in it (tested
  against the unpruned loop).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._graph import count_factor_graphs, enumerate_factor_graphs
from ._objectives import Problem
from ._options import ExhaustiveOptions, method_options
from ._power import power_step
from ._rates import edge_index, edges_to_dense, rate_model
from ._result import STATUS_CONVERGED, STATUS_OPTIMAL, AllocationResult, Monitor
from ._scenario import Scenario, check_scenario

__all__ = ["exhaustive", "exhaustive_max_min", "exhaustive_max_sr"]

#: Graphs polished per batch by the exhaustive references.
_POLISH_BATCH = 64


def _graphs(scenario: Scenario, max_graphs: int) -> np.ndarray:
    k, j, n, d = scenario.sizes
    count = count_factor_graphs(k, j, n, d)
    if count > max_graphs:
        raise ValueError(
            f"scenario has {count} feasible factor graphs (K={k}, J={j}, N={n}, d_f={d}); "
            f"the exhaustive reference is limited to max_graphs={max_graphs}. It is meant "
            "for small instances: use solve_max_sr / solve_max_min instead, or raise "
            "max_graphs if you really want to wait"
        )
    return enumerate_factor_graphs(k, j, n, d, limit=max_graphs)


def exhaustive(
    problem: Problem,
    options: ExhaustiveOptions,
    monitor: Monitor | None = None,
    *,
    chunk_size: int = 4096,
) -> AllocationResult:
    """Every feasible graph with the problem's power step (see the module docstring).

    Returns
    -------
    AllocationResult
        Extra fields ``n_graphs`` and, for non-exact power steps, ``n_polished``.
    """
    scenario = problem.scenario
    monitor = monitor if monitor is not None else Monitor()
    graphs = _graphs(scenario, options.max_graphs)
    step = power_step(problem)
    subs = edge_index(graphs, scenario.n_per_user)
    n_graphs = graphs.shape[0]
    values = np.empty(n_graphs)
    upper = np.empty(n_graphs)
    xs = np.empty(subs.shape)
    for start in range(0, n_graphs, chunk_size):
        chunk = slice(start, start + chunk_size)
        xs[chunk], values[chunk] = step.proxy(subs[chunk])
        upper[chunk] = problem.upper_bound(subs[chunk])
    best = int(np.argmax(values))
    best_value, best_x = float(values[best]), xs[best]
    monitor.record("exhaustive", objective=best_value, solver_status=step.label)
    extra: dict[str, Any] = {"n_graphs": int(n_graphs)}
    if step.exact:
        status = STATUS_OPTIMAL
        message = f"best of {n_graphs} feasible factor graphs with {step.label} power"
        solver = step.label
    else:
        status = STATUS_CONVERGED
        n_polished = 0
        if options.polish:
            # Graphs by decreasing bound, polished in batches; stop when no bound left
            # can beat the best value found.
            order = np.argsort(-upper, kind="stable")
            for start in range(0, n_graphs, _POLISH_BATCH):
                batch = order[start : start + _POLISH_BATCH]
                batch = batch[upper[batch] > best_value + 1e-12 * abs(best_value)]
                if batch.size == 0:
                    break
                x_new, v_new = step.polish(subs[batch], xs[batch], options)
                n_polished += batch.size
                i = int(np.argmax(v_new))
                if v_new[i] > best_value:
                    best, best_value, best_x = int(batch[i]), float(v_new[i]), x_new[i]
            monitor.record("exhaustive_polish", objective=best_value, solver_status="polish")
        extra["n_polished"] = n_polished
        message = (
            f"best of {n_graphs} feasible factor graphs under the {problem.model.name!r} "
            f"model with the {problem.objective} power step ({n_polished} polished, the "
            "rest bounded out)"
        )
        solver = step.polish_label if options.polish else step.label
    power = edges_to_dense(best_x, subs[best], scenario.n_resources)
    return problem.result(
        graphs[best],
        power * scenario.power_budget[None, :],
        method="exhaustive",
        status=status,
        message=message,
        monitor=monitor,
        solver=solver,
        **extra,
    )


def _exhaustive(
    scenario: Scenario, objective: str, options: Any, interference: Any, overrides: dict
) -> AllocationResult:
    scenario = check_scenario(scenario)
    options = method_options("exhaustive", options, overrides)
    problem = Problem(scenario, objective, rate_model(scenario, interference))
    return exhaustive(problem, options)


def exhaustive_max_sr(
    scenario: Scenario,
    options: ExhaustiveOptions | None = None,
    *,
    interference: Any = None,
    **overrides: Any,
) -> AllocationResult:
    """Every feasible factor graph with its sum-rate power step (1860 for 4 x 6).

    Under SIC (the default) every graph gets its sum-rate-optimal power by multi-user
    iterative water-filling, vectorised over graphs: the result is the exact Max-SR
    optimum. Under a general ``interference`` model the power step is local (SCP).

    Parameters
    ----------
    scenario : Scenario
    options : ExhaustiveOptions, optional
        Defaults in :class:`~scma_alloc.ExhaustiveOptions`; fields may also be given
        as keyword arguments (``max_graphs=...``).
    interference : InterferenceModel or array_like, optional
        Coupling of the rates; default SIC.

    Returns
    -------
    AllocationResult
        ``status="optimal"`` under SIC; extra field ``n_graphs``.

    Raises
    ------
    ValueError
        Above ``max_graphs`` feasible graphs, before any work.

    Examples
    --------
    >>> from scma_alloc import random_scenario
    >>> res = exhaustive_max_sr(random_scenario(rng=0))
    >>> res.status, res.n_graphs
    ('optimal', 1860)
    """
    return _exhaustive(scenario, "sum_rate", options, interference, overrides)


def exhaustive_max_min(
    scenario: Scenario,
    options: ExhaustiveOptions | None = None,
    *,
    interference: Any = None,
    **overrides: Any,
) -> AllocationResult:
    """Exhaustive-graph Max-Min reference: every graph with the min-rate power step.

    1. The power step's proxy for every graph, vectorised: a feasible min-rate per
       graph (under SIC: sequential water-filling with a root search on the common
       rate).
    2. With ``polish=True``, the barrier-method polish of the min-rate power step
       (on the tangent-bound surrogate, paper §III-B) for every graph whose
       interference-free upper bound exceeds the best value found so far (graphs
       visited by decreasing bound; the others cannot win).

    The power step is local (the problem is non-convex in P), so the result is the
    best found over every graph, the reference the default method is measured
    against. ``status="converged"``; extra fields ``n_graphs`` and ``n_polished``.
    Parameters as :func:`exhaustive_max_sr`.
    """
    return _exhaustive(scenario, "min_rate", options, interference, overrides)
