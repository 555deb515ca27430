"""Literature baselines B0-B3 and the registry of every allocation algorithm by name.

The paper (§IV) compares its algorithms with "three algorithms for dynamic codebook
allocation [16], one of which takes user fairness into consideration". Reference [16]
cannot be identified from the paper (most likely Al-Imari, Imran, Xiao, "Radio Resource
Allocation for Multicarrier Low-Density-Spreading Multiple Access", IEEE TVT 2017), so
this module implements documented stand-ins (spec §5):

* **B0** :func:`static_equal_power` — the static regular factor graph F0
  (:func:`~scma_alloc.regular_factor_graph`) with equal power ``Pmax_j / N`` per edge.
* **B1** :func:`greedy_gain_equal_power` — edges visited by decreasing channel gain,
  each taken while its user has fewer than N resources and its resource fewer than d_f
  users (:func:`greedy_gain_assignment`); equal power.
* **B2** :func:`greedy_sum_rate_water_filling` — edges added by largest sum-rate
  increase at equal power (:func:`~scma_alloc.greedy_sum_rate_assignment`), then the
  sum-rate-optimal powers on that graph (iterative water-filling,
  :func:`~scma_alloc.max_sr_power`).
* **B3** :func:`greedy_fairness_equal_power` — the user with the lowest current SIC rate
  takes its best free resource, repeatedly
  (:func:`~scma_alloc.greedy_fairness_assignment`); equal power.

Every baseline has the solvers' signature, ``fn(scenario, **options)``, and returns an
:class:`~scma_alloc.AllocationResult` with ``status="heuristic"``.
:data:`ALGORITHMS` maps a short name to every algorithm of the package, baselines and
solvers alike; :func:`get_algorithm` looks one up.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .assignment import greedy_fairness_assignment, greedy_sum_rate_assignment, repair_assignment
from .factor_graph import assignment_violations, check_assignment, regular_factor_graph
from .monitor import Monitor
from .outcome import allocation_result
from .power import max_sr_power
from .rates import _sum_rate
from .result import STATUS_HEURISTIC, AllocationResult
from .scenario import Scenario
from .solvers import _parse, solve_max_min, solve_max_sr

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "equal_power",
    "get_algorithm",
    "greedy_fairness_equal_power",
    "greedy_gain_assignment",
    "greedy_gain_equal_power",
    "greedy_sum_rate_water_filling",
    "static_equal_power",
]

#: Options every baseline accepts (for a uniform interface with the solvers).
_BASELINE_OPTIONS = frozenset({"callback", "rng"})


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
    f = check_assignment(
        assignment, scenario.n_per_user, scenario.users_per_resource, scenario.shape
    )
    return f * (scenario.power_budget / scenario.n_per_user)[None, :]


def _greedy_gain_pass(g: np.ndarray, n_per_user: int, users_per_resource: int) -> np.ndarray:
    """One pass over the edges by decreasing gain; may leave users short of N."""
    n_resources, n_users = g.shape
    graph = np.zeros((n_resources, n_users), dtype=np.int8)
    degree = np.zeros(n_users, dtype=int)
    load = np.zeros(n_resources, dtype=int)
    # Stable sort of -gain on the row-major flattening: ties by resource, then user.
    for flat in np.argsort(-g.ravel(), kind="stable"):
        k, j = divmod(int(flat), n_users)
        if degree[j] < n_per_user and load[k] < users_per_resource:
            graph[k, j] = 1
            degree[j] += 1
            load[k] += 1
    return graph


def greedy_gain_assignment(
    gains: ArrayLike, n_per_user: int, users_per_resource: int
) -> np.ndarray:
    """Greedy factor graph by largest channel gain (the B1 stand-in).

    Edges ``(k, j)`` are visited by decreasing ``gains[k, j]`` (ties by resource, then
    user index); an edge is taken while user ``j`` has fewer than N resources and
    resource ``k`` fewer than d_f users. When ``J*N = K*d_f`` (the paper's 4 x 6) the
    pass often gets stuck (28 % of paper drops): a user still short of N finds free
    room only on a resource it already uses. The graph is then completed by
    :func:`~scma_alloc.repair_assignment`: the feasible graph that keeps as many edges
    of the pass as possible and, among those, prefers stronger edges.

    Parameters
    ----------
    gains : array_like, shape (K, J)
        Any quantity ordered like the channel gains (``|h|**2``, ``gamma``, SNR).
    n_per_user, users_per_resource : int
        N and d_f.

    Returns
    -------
    ndarray of int8, shape (K, J)
        A feasible factor graph.

    Examples
    --------
    >>> import numpy as np
    >>> g = greedy_gain_assignment(np.arange(24.0).reshape(4, 6), 2, 3)
    >>> g.sum(axis=0).tolist(), bool((g.sum(axis=1) <= 3).all())
    ([2, 2, 2, 2, 2, 2], True)
    """
    g = np.asarray(gains, dtype=float)
    if g.ndim != 2:
        raise ValueError(f"gains must be a 2-D (K, J) array, got shape {g.shape}")
    graph = _greedy_gain_pass(g, n_per_user, users_per_resource)
    if assignment_violations(graph, n_per_user, users_per_resource):
        # Scores: 1 per edge of the pass, plus < 1 in total for gain order, so the
        # number of kept edges comes first.
        ranks = np.empty(g.size)
        ranks[np.argsort(g.ravel(), kind="stable")] = np.arange(1, g.size + 1)
        tie_break = ranks.reshape(g.shape) / (g.size * (g.size + 1))
        graph = repair_assignment(graph + tie_break, n_per_user, users_per_resource)
    return graph


def _check_baseline(scenario: Scenario, options: dict[str, Any]) -> Monitor:
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario must be a scma_alloc.Scenario, got {type(scenario).__name__}; "
            "build one with Scenario(gains, power_budget, ...) or random_scenario(...)"
        )
    unknown = sorted(set(options) - _BASELINE_OPTIONS)
    if unknown:
        raise TypeError(
            f"unknown option(s) {unknown} for a baseline; accepted: {sorted(_BASELINE_OPTIONS)}"
        )
    return Monitor(options.get("callback"))


def _finish(
    scenario: Scenario,
    graph: np.ndarray,
    power: np.ndarray,
    monitor: Monitor,
    *,
    method: str,
    message: str,
    solver: str,
) -> AllocationResult:
    q = graph * power * scenario.snr_gain
    monitor.record("baseline", objective=float(_sum_rate(q)), solver_status=solver)
    return allocation_result(
        scenario,
        graph,
        power,
        method=method,
        status=STATUS_HEURISTIC,
        message=message,
        monitor=monitor,
        solver=solver,
    )


# --------------------------------------------------------------------------- baselines
def static_equal_power(scenario: Scenario, **options: Any) -> AllocationResult:
    """B0: the static regular factor graph F0 with equal power ``Pmax_j / N``.

    Parameters
    ----------
    scenario : Scenario
    **options
        ``callback`` (receives the single :class:`~scma_alloc.StepRecord`) and ``rng``
        (accepted for a uniform interface; the baseline is deterministic).

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
    monitor = _check_baseline(scenario, options)
    graph = regular_factor_graph(*scenario.shape, scenario.n_per_user, scenario.users_per_resource)
    return _finish(
        scenario,
        graph,
        equal_power(scenario, graph),
        monitor,
        method="b0",
        message="static regular factor graph F0 with equal power",
        solver="equal power",
    )


def greedy_gain_equal_power(scenario: Scenario, **options: Any) -> AllocationResult:
    """B1: greedy factor graph by largest channel gain, equal power ``Pmax_j / N``.

    See :func:`greedy_gain_assignment`. Options as :func:`static_equal_power`.

    Returns
    -------
    AllocationResult
        ``status="heuristic"``, ``method="b1"``.
    """
    monitor = _check_baseline(scenario, options)
    graph = greedy_gain_assignment(
        scenario.snr_gain, scenario.n_per_user, scenario.users_per_resource
    )
    return _finish(
        scenario,
        graph,
        equal_power(scenario, graph),
        monitor,
        method="b1",
        message="greedy factor graph by largest gain with equal power",
        solver="equal power",
    )


def greedy_sum_rate_water_filling(scenario: Scenario, **options: Any) -> AllocationResult:
    """B2: greedy factor graph by largest sum-rate increase, then water-filling power.

    The graph is built at equal power (:func:`~scma_alloc.greedy_sum_rate_assignment`);
    the powers are then the sum-rate optimum on that graph
    (:func:`~scma_alloc.max_sr_power`, multi-user iterative water-filling). Options as
    :func:`static_equal_power`.

    Returns
    -------
    AllocationResult
        ``status="heuristic"``, ``method="b2"``.
    """
    monitor = _check_baseline(scenario, options)
    graph = greedy_sum_rate_assignment(
        scenario.snr_at_budget, scenario.n_per_user, scenario.users_per_resource
    )
    return _finish(
        scenario,
        graph,
        max_sr_power(scenario, graph),
        monitor,
        method="b2",
        message="greedy factor graph by sum-rate increase with water-filling power",
        solver="water-filling",
    )


def greedy_fairness_equal_power(scenario: Scenario, **options: Any) -> AllocationResult:
    """B3: fairness greedy (lowest-rate user first) with equal power ``Pmax_j / N``.

    Repeatedly, the user with the lowest current SIC rate among those with fewer than
    N resources takes the free resource where its rate grows most
    (:func:`~scma_alloc.greedy_fairness_assignment`). Options as
    :func:`static_equal_power`.

    Returns
    -------
    AllocationResult
        ``status="heuristic"``, ``method="b3"``.
    """
    monitor = _check_baseline(scenario, options)
    graph = greedy_fairness_assignment(
        scenario.snr_at_budget,
        scenario.decoding_order,
        scenario.n_per_user,
        scenario.users_per_resource,
    )
    return _finish(
        scenario,
        graph,
        equal_power(scenario, graph),
        monitor,
        method="b3",
        message="fairness greedy factor graph (lowest-rate user first) with equal power",
        solver="equal power",
    )


# --------------------------------------------------------------------------- solvers
def _max_sr(scenario: Scenario, **options: Any) -> AllocationResult:
    return solve_max_sr(scenario, method="alternating", **options)


def _max_min(scenario: Scenario, **options: Any) -> AllocationResult:
    return solve_max_min(scenario, method="alternating", **options)


def _max_sr_paper(scenario: Scenario, **options: Any) -> AllocationResult:
    return solve_max_sr(scenario, method="paper", **options)


def _max_min_paper(scenario: Scenario, **options: Any) -> AllocationResult:
    return solve_max_min(scenario, method="paper", **options)


def _exhaustive_max_sr(scenario: Scenario, **options: Any) -> AllocationResult:
    return solve_max_sr(scenario, method="exhaustive", **options)


def _exhaustive_max_min(scenario: Scenario, **options: Any) -> AllocationResult:
    return solve_max_min(scenario, method="exhaustive", **options)


# --------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Algorithm:
    """An allocation algorithm of the registry: callable as ``algorithm(scenario, **options)``.

    Attributes
    ----------
    name : str
        Registry key (``"max-sr"``, ``"b0"``, ...).
    function : callable
        ``function(scenario, **options) -> AllocationResult``.
    label : str
        Short label for tables and plot legends.
    objective : {"sum_rate", "min_rate"}
        The metric the algorithm aims at.
    description : str
        One line: what it is.
    method : str or None
        The solvers' ``method`` it runs (None for the baselines).
    """

    name: str
    function: Callable[..., AllocationResult]
    label: str
    objective: str
    description: str
    method: str | None = None

    def __call__(self, scenario: Scenario, **options: Any) -> AllocationResult:
        return self.function(scenario, **options)

    def check_options(self, scenario: Scenario, options: Mapping[str, Any]) -> None:
        """Validate ``options`` for ``scenario`` without solving anything.

        Raises
        ------
        TypeError, ValueError
            As the algorithm itself would, before any work.
        """
        if self.method is None:
            _check_baseline(scenario, dict(options))
        else:
            _parse(scenario, self.method, dict(options))


ALGORITHMS: Mapping[str, Algorithm] = types.MappingProxyType(
    {
        a.name: a
        for a in (
            Algorithm(
                "max-sr",
                _max_sr,
                "Max-SR",
                "sum_rate",
                "solve_max_sr, default method (multi-start subcarrier search, water-filling)",
                "alternating",
            ),
            Algorithm(
                "max-min",
                _max_min,
                "Max-Min",
                "min_rate",
                "solve_max_min, default method (subcarrier search, SCP polish)",
                "alternating",
            ),
            Algorithm(
                "max-sr-paper",
                _max_sr_paper,
                "Max-SR (paper)",
                "sum_rate",
                "solve_max_sr(method='paper'): the paper's Algorithm 1",
                "paper",
            ),
            Algorithm(
                "max-min-paper",
                _max_min_paper,
                "Max-Min (paper)",
                "min_rate",
                "solve_max_min(method='paper'): Algorithm 2 with the valid tangent bound",
                "paper",
            ),
            Algorithm(
                "b0",
                static_equal_power,
                "B0 static F0",
                "sum_rate",
                "static regular factor graph F0, equal power",
            ),
            Algorithm(
                "b1",
                greedy_gain_equal_power,
                "B1 greedy gain",
                "sum_rate",
                "greedy graph by largest gain, equal power",
            ),
            Algorithm(
                "b2",
                greedy_sum_rate_water_filling,
                "B2 greedy SR + WF",
                "sum_rate",
                "greedy graph by sum-rate increase, water-filling power",
            ),
            Algorithm(
                "b3",
                greedy_fairness_equal_power,
                "B3 fair greedy",
                "min_rate",
                "fairness greedy graph (lowest-rate user first), equal power",
            ),
            Algorithm(
                "exhaustive",
                _exhaustive_max_sr,
                "Exhaustive Max-SR",
                "sum_rate",
                "every feasible graph with water-filling: the exact Max-SR optimum",
                "exhaustive",
            ),
            Algorithm(
                "exhaustive-max-min",
                _exhaustive_max_min,
                "Exhaustive Max-Min",
                "min_rate",
                "every feasible graph with the Max-Min power step (slow: seconds per drop)",
                "exhaustive",
            ),
        )
    }
)
"""Every algorithm by name: solvers (``max-sr``, ``max-min``, ``max-sr-paper``,
``max-min-paper``), baselines (``b0`` .. ``b3``) and exact references (``exhaustive``,
``exhaustive-max-min``)."""


def get_algorithm(name: str) -> Algorithm:
    """The registered algorithm called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`ALGORITHMS`.

    Returns
    -------
    Algorithm
        Callable as ``algorithm(scenario, **options) -> AllocationResult``.

    Raises
    ------
    ValueError
        If ``name`` is not registered; the message lists the valid names.

    Examples
    --------
    >>> from scma_alloc import random_scenario
    >>> result = get_algorithm("b2")(random_scenario(rng=0))
    >>> result.method, result.status
    ('b2', 'heuristic')
    """
    try:
        return ALGORITHMS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown algorithm {name!r}; valid names: {', '.join(ALGORITHMS)}"
        ) from None
