"""Literature baselines B0-B3 (stand-ins for the paper's dynamic codebook allocations).

The paper (§IV) compares its algorithms with "three algorithms for dynamic codebook
allocation [16], one of which takes user fairness into consideration". Reference [16]
cannot be identified from the paper (most likely Al-Imari, Imran, Xiao, "Radio Resource
Allocation for Multicarrier Low-Density-Spreading Multiple Access", IEEE TVT 2017), so
this module implements documented stand-ins (``docs/scma_alloc.md`` §2):

* **B0** :func:`static_equal_power` — the static regular factor graph F0
  (:func:`~scma_alloc.regular_factor_graph`) with equal power ``Pmax_j / N`` per edge.
* **B1** :func:`greedy_gain_equal_power` — edges visited by decreasing channel gain,
  each taken while its user has fewer than N resources and its resource fewer than d_f
  users (:func:`~scma_alloc.greedy_gain_assignment`); equal power.
* **B2** :func:`greedy_sum_rate_water_filling` — edges added by largest sum-rate
  increase at equal power (:func:`~scma_alloc.greedy_sum_rate_assignment`), then the
  sum-rate-optimal powers on that graph (iterative water-filling,
  :func:`~scma_alloc.max_sr_power`).
* **B3** :func:`greedy_fairness_equal_power` — the user with the lowest current SIC rate
  takes its best free resource, repeatedly
  (:func:`~scma_alloc.greedy_fairness_assignment`); equal power.

Every baseline has the solvers' calling form, ``fn(scenario, *, interference=None,
rng=None, callback=None)``, and returns an :class:`~scma_alloc.AllocationResult` with
``status="heuristic"``; with an ``interference`` model the rates are reported under it
(the graphs and powers are the same).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._graph import check_assignment, regular_factor_graph
from ._greedy import (
    greedy_fairness_assignment,
    greedy_gain_assignment,
    greedy_sum_rate_assignment,
)
from ._objectives import Problem
from ._power import max_sr_power
from ._rates import rate_model
from ._result import STATUS_HEURISTIC, AllocationResult, Monitor
from ._scenario import Scenario, check_scenario

__all__ = [
    "BASELINE_OPTIONS",
    "equal_power",
    "greedy_fairness_equal_power",
    "greedy_gain_equal_power",
    "greedy_sum_rate_water_filling",
    "static_equal_power",
]


# --------------------------------------------------------------------------- helpers
def equal_power(scenario: Scenario, assignment: ArrayLike) -> np.ndarray:
    """Equal power: ``Pmax_j / N`` on each of user j's N edges, zero elsewhere.

    Parameters
    ----------
    scenario : Scenario
    assignment : array_like, shape (K, J)
        Feasible binary factor graph.

    Returns
    -------
    ndarray, shape (K, J)
        Powers in watts; every user spends exactly its budget.
    """
    scenario = check_scenario(scenario)
    f = check_assignment(
        assignment, scenario.n_per_user, scenario.users_per_resource, scenario.shape
    )
    return f * (scenario.power_budget / scenario.n_per_user)[None, :]


#: Keyword arguments every baseline accepts (the solvers' calling form).
BASELINE_OPTIONS = frozenset({"interference", "rng", "callback"})


def _run(
    scenario: Scenario,
    interference: Any,
    callback: Any,
    graph: np.ndarray,
    power: np.ndarray,
    *,
    method: str,
    message: str,
    solver: str,
) -> AllocationResult:
    problem = Problem(scenario, "sum_rate", rate_model(scenario, interference))
    monitor = Monitor(callback)
    result = problem.result(
        graph,
        power,
        method=method,
        status=STATUS_HEURISTIC,
        message=message,
        monitor=monitor,
        solver=solver,
    )
    # One record: the sum-rate of the allocation (nats), for a uniform history.
    monitor.record("baseline", objective=result.sum_rate * np.log(2.0), solver_status=solver)
    return result


def static_equal_power(
    scenario: Scenario, *, interference: Any = None, rng: Any = None, callback: Any = None
) -> AllocationResult:
    """B0: the static regular factor graph F0 with equal power ``Pmax_j / N``.

    Parameters
    ----------
    scenario : Scenario
    interference : InterferenceModel or array_like, optional
        Report the rates under this coupling (default SIC); the allocation is the same.
    rng : int or Generator, optional
        Accepted for the solvers' calling form; the baseline is deterministic.
    callback : callable, optional
        Receives the single :class:`~scma_alloc.StepRecord`.

    Returns
    -------
    AllocationResult
        ``status="heuristic"``, ``method="b0"``.

    Notes
    -----
    F0 is channel-blind: it is the classic SCMA graph for K=4, J=6, N=2, d_f=3, see
    :func:`~scma_alloc.regular_factor_graph`. The SIC user rates still depend on the
    channel through the decoding order.

    Examples
    --------
    >>> from scma_alloc import random_scenario
    >>> static_equal_power(random_scenario(rng=0)).status
    'heuristic'
    """
    scenario = check_scenario(scenario)
    graph = regular_factor_graph(*scenario.shape, scenario.n_per_user, scenario.users_per_resource)
    return _run(
        scenario,
        interference,
        callback,
        graph,
        equal_power(scenario, graph),
        method="b0",
        message="static regular factor graph F0 with equal power",
        solver="equal power",
    )


def greedy_gain_equal_power(
    scenario: Scenario, *, interference: Any = None, rng: Any = None, callback: Any = None
) -> AllocationResult:
    """B1: greedy factor graph by largest channel gain, equal power ``Pmax_j / N``.

    See :func:`~scma_alloc.greedy_gain_assignment`; parameters as
    :func:`static_equal_power`. Returns ``status="heuristic"``, ``method="b1"``.
    """
    scenario = check_scenario(scenario)
    graph = greedy_gain_assignment(
        scenario.snr_gain, scenario.n_per_user, scenario.users_per_resource
    )
    return _run(
        scenario,
        interference,
        callback,
        graph,
        equal_power(scenario, graph),
        method="b1",
        message="greedy factor graph by largest gain with equal power",
        solver="equal power",
    )


def greedy_sum_rate_water_filling(
    scenario: Scenario, *, interference: Any = None, rng: Any = None, callback: Any = None
) -> AllocationResult:
    """B2: greedy factor graph by largest sum-rate increase, then water-filling power.

    The graph is built at equal power (:func:`~scma_alloc.greedy_sum_rate_assignment`);
    the powers are then the sum-rate optimum on that graph under SIC
    (:func:`~scma_alloc.max_sr_power`, multi-user iterative water-filling). Parameters
    as :func:`static_equal_power`. Returns ``status="heuristic"``, ``method="b2"``.
    """
    scenario = check_scenario(scenario)
    graph = greedy_sum_rate_assignment(
        scenario.snr_at_budget, scenario.n_per_user, scenario.users_per_resource
    )
    return _run(
        scenario,
        interference,
        callback,
        graph,
        max_sr_power(scenario, graph),
        method="b2",
        message="greedy factor graph by sum-rate increase with water-filling power",
        solver="water-filling",
    )


def greedy_fairness_equal_power(
    scenario: Scenario, *, interference: Any = None, rng: Any = None, callback: Any = None
) -> AllocationResult:
    """B3: fairness greedy (lowest-rate user first) with equal power ``Pmax_j / N``.

    Repeatedly, the user with the lowest current SIC rate among those with fewer than
    N resources takes the free resource where its rate grows most
    (:func:`~scma_alloc.greedy_fairness_assignment`). Parameters as
    :func:`static_equal_power`. Returns ``status="heuristic"``, ``method="b3"``.
    """
    scenario = check_scenario(scenario)
    graph = greedy_fairness_assignment(
        scenario.snr_at_budget,
        scenario.decoding_order,
        scenario.n_per_user,
        scenario.users_per_resource,
    )
    return _run(
        scenario,
        interference,
        callback,
        graph,
        equal_power(scenario, graph),
        method="b3",
        message="fairness greedy factor graph (lowest-rate user first) with equal power",
        solver="equal power",
    )
