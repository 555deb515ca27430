"""Joint codebook and power allocation for uplink SCMA.

Implements Evangelista, Sattar, Kaddoum, Chaaban, "Fairness and Sum-Rate Maximization
via Joint Channel and Power Allocation in Uplink SCMA Networks" (arXiv:1805.11722):
the Max-Sum-Rate and Max-Min algorithms (alternating optimisation, SCP, penalty
relaxation), a stronger default method, exact references for small instances and
the rate model they share.

Examples
--------
>>> import scma_alloc as sa
>>> scenario = sa.random_scenario(n_resources=4, n_users=6, power_budget_dbm=10, rng=1)
>>> result = sa.solve_max_min(scenario, rng=1)
>>> result.assignment.shape
(4, 6)
"""

from .assignment import (
    greedy_fairness_assignment,
    greedy_sum_rate_assignment,
    random_assignment,
    repair_assignment,
    round_assignment,
)
from .baselines import (
    ALGORITHMS,
    Algorithm,
    equal_power,
    get_algorithm,
    greedy_fairness_equal_power,
    greedy_gain_assignment,
    greedy_gain_equal_power,
    greedy_sum_rate_water_filling,
    static_equal_power,
)
from .conic import DEFAULT_SOLVERS
from .exhaustive import exhaustive_coupled, exhaustive_max_min, exhaustive_max_sr
from .factor_graph import (
    check_assignment,
    count_factor_graphs,
    enumerate_factor_graphs,
    from_networkx,
    is_feasible_assignment,
    regular_factor_graph,
    to_networkx,
)
from .interference import InterferenceModel
from .plotting import (
    plot_convergence,
    plot_factor_graph,
    plot_metric,
    plot_sweep,
)
from .power import max_min_power, max_sr_power
from .rates import allocation_violations, jain_index, sic_coupling, sum_rate, user_rates
from .result import (
    STATUS_CONVERGED,
    STATUS_HEURISTIC,
    STATUS_ITERATION_LIMIT,
    STATUS_OPTIMAL,
    STATUS_SOLVER_FAILED,
    STATUS_STOPPED_BY_CALLBACK,
    AllocationResult,
    StepRecord,
)
from .scenario import Scenario, random_scenario
from .solvers import METHODS, solve_max_min, solve_max_sr
from .store import (
    ConfigMismatchError,
    ResultStore,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    load_results,
)
from .sweep import (
    DEFAULT_ALGORITHMS,
    PAPER_BUDGETS_DBM,
    SweepConfig,
    compare_algorithms,
    drop_scenario,
    summarize_sweep,
    sweep,
)
from .units import dbm_to_watt, noise_power, watt_to_dbm

__version__ = "0.1.0.dev0"

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "DEFAULT_SOLVERS",
    "METHODS",
    "PAPER_BUDGETS_DBM",
    "STATUS_CONVERGED",
    "STATUS_HEURISTIC",
    "STATUS_ITERATION_LIMIT",
    "STATUS_OPTIMAL",
    "STATUS_SOLVER_FAILED",
    "STATUS_STOPPED_BY_CALLBACK",
    "Algorithm",
    "AllocationResult",
    "ConfigMismatchError",
    "InterferenceModel",
    "ResultStore",
    "Scenario",
    "StepRecord",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreReadOnlyError",
    "SweepConfig",
    "allocation_violations",
    "check_assignment",
    "compare_algorithms",
    "count_factor_graphs",
    "dbm_to_watt",
    "drop_scenario",
    "enumerate_factor_graphs",
    "equal_power",
    "exhaustive_coupled",
    "exhaustive_max_min",
    "exhaustive_max_sr",
    "from_networkx",
    "get_algorithm",
    "greedy_fairness_assignment",
    "greedy_fairness_equal_power",
    "greedy_gain_assignment",
    "greedy_gain_equal_power",
    "greedy_sum_rate_assignment",
    "greedy_sum_rate_water_filling",
    "is_feasible_assignment",
    "jain_index",
    "load_results",
    "max_min_power",
    "max_sr_power",
    "noise_power",
    "plot_convergence",
    "plot_factor_graph",
    "plot_metric",
    "plot_sweep",
    "random_assignment",
    "random_scenario",
    "regular_factor_graph",
    "repair_assignment",
    "round_assignment",
    "sic_coupling",
    "solve_max_min",
    "solve_max_sr",
    "static_equal_power",
    "sum_rate",
    "summarize_sweep",
    "sweep",
    "to_networkx",
    "user_rates",
    "watt_to_dbm",
]
