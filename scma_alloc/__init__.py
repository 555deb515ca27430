"""Joint codebook and power allocation for uplink SCMA.

Implements Evangelista, Sattar, Kaddoum, Chaaban, "Fairness and Sum-Rate Maximization
via Joint Channel and Power Allocation in Uplink SCMA Networks" (arXiv:1805.11722):
the Max-Sum-Rate and Max-Min algorithms (alternating optimisation, SCP, penalty
relaxation), a stronger default method, exact references for small instances, the
literature baselines and the rate model they share.

The code lives in private modules; every public name is re-exported here. Sweeps, the
results store and the plots (which need pandas and matplotlib) load on first use.

Examples
--------
>>> import scma_alloc as sa
>>> scenario = sa.random_scenario(n_resources=4, n_users=6, power_budget_dbm=10, rng=1)
>>> result = sa.solve_max_min(scenario, rng=1)
>>> result.assignment.shape
(4, 6)
"""

from __future__ import annotations

import importlib
from typing import Any

from ._baselines import (
    equal_power,
    greedy_fairness_equal_power,
    greedy_gain_equal_power,
    greedy_sum_rate_water_filling,
    static_equal_power,
)
from ._exhaustive import exhaustive_max_min, exhaustive_max_sr
from ._graph import (
    check_assignment,
    count_factor_graphs,
    enumerate_factor_graphs,
    from_networkx,
    is_feasible_assignment,
    random_assignment,
    regular_factor_graph,
    repair_assignment,
    round_assignment,
    to_networkx,
)
from ._greedy import (
    greedy_fairness_assignment,
    greedy_gain_assignment,
    greedy_sum_rate_assignment,
)
from ._objectives import OBJECTIVES
from ._options import (
    DEFAULT_SOLVERS,
    METHODS,
    AlternatingOptions,
    ExhaustiveOptions,
    PaperOptions,
)
from ._pathloss import los_probability, path_loss_db, shadowing_db
from ._positions import PLANNING_DEFAULTS, random_positions, scenario_from_positions
from ._power import max_min_power, max_sr_power
from ._rates import (
    InterferenceModel,
    allocation_violations,
    jain_index,
    sic_coupling,
    sum_rate,
    user_rates,
)
from ._registry import ALGORITHMS, Algorithm, get_algorithm
from ._result import (
    STATUS_CONVERGED,
    STATUS_ERROR,
    STATUS_FLOORS_NOT_MET,
    STATUS_HEURISTIC,
    STATUS_ITERATION_LIMIT,
    STATUS_OPTIMAL,
    STATUS_SOLVER_FAILED,
    STATUS_STOPPED_BY_CALLBACK,
    AllocationResult,
    StepRecord,
)
from ._scenario import MAX_POWER_BUDGET_W, MIN_USER_SNR, Scenario, random_scenario
from ._scenario_files import load_scenario, save_scenario
from ._solve import solve_alpha_fair, solve_max_min, solve_max_sr
from ._units import dbm_to_watt, noise_power, watt_to_dbm

__version__ = "0.1.0.dev0"

#: Public names loaded on first use (they import pandas, scipy.stats or matplotlib).
_LAZY = {
    "DEFAULT_ALGORITHMS": "_sweep",
    "PAPER_BUDGETS_DBM": "_sweep",
    "SWEEP_PARAMETERS": "_sweep",
    "SweepConfig": "_sweep",
    "compare_algorithms": "_sweep",
    "drop_scenario": "_sweep",
    "summarize_sweep": "_sweep",
    "sweep": "_sweep",
    "sweep_parameter": "_sweep",
    "ConfigMismatchError": "_store",
    "ResultStore": "_store",
    "StoreCorruptError": "_store",
    "StoreError": "_store",
    "StoreLockedError": "_store",
    "StoreReadOnlyError": "_store",
    "load_results": "_store",
    "export_results": "_export",
    "convergence_figure": "_plotting",
    "factor_graphs_figure": "_plotting",
    "save_figure": "_plotting",
    "write_sweep_figures": "_plotting",
    "plot_convergence": "_plotting",
    "plot_factor_graph": "_plotting",
    "plot_metric": "_plotting",
    "plot_sweep": "_plotting",
    "plot_paired": "_plotting",
    "sweep_caption": "_plotting",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scma_alloc' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "DEFAULT_SOLVERS",
    "MAX_POWER_BUDGET_W",
    "METHODS",
    "MIN_USER_SNR",
    "OBJECTIVES",
    "PAPER_BUDGETS_DBM",
    "PLANNING_DEFAULTS",
    "STATUS_CONVERGED",
    "STATUS_ERROR",
    "STATUS_FLOORS_NOT_MET",
    "STATUS_HEURISTIC",
    "STATUS_ITERATION_LIMIT",
    "STATUS_OPTIMAL",
    "STATUS_SOLVER_FAILED",
    "STATUS_STOPPED_BY_CALLBACK",
    "SWEEP_PARAMETERS",
    "Algorithm",
    "AllocationResult",
    "AlternatingOptions",
    "ConfigMismatchError",
    "ExhaustiveOptions",
    "InterferenceModel",
    "PaperOptions",
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
    "convergence_figure",
    "count_factor_graphs",
    "dbm_to_watt",
    "drop_scenario",
    "enumerate_factor_graphs",
    "equal_power",
    "exhaustive_max_min",
    "exhaustive_max_sr",
    "export_results",
    "factor_graphs_figure",
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
    "load_scenario",
    "los_probability",
    "max_min_power",
    "max_sr_power",
    "noise_power",
    "path_loss_db",
    "plot_convergence",
    "plot_factor_graph",
    "plot_metric",
    "plot_paired",
    "plot_sweep",
    "random_assignment",
    "random_positions",
    "random_scenario",
    "regular_factor_graph",
    "repair_assignment",
    "round_assignment",
    "save_figure",
    "save_scenario",
    "scenario_from_positions",
    "shadowing_db",
    "sic_coupling",
    "solve_alpha_fair",
    "solve_max_min",
    "solve_max_sr",
    "static_equal_power",
    "sum_rate",
    "summarize_sweep",
    "sweep",
    "sweep_caption",
    "sweep_parameter",
    "to_networkx",
    "user_rates",
    "watt_to_dbm",
    "write_sweep_figures",
]
