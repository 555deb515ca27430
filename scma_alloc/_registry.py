"""Every allocation algorithm of the package by name: solvers, baselines, references.

:data:`ALGORITHMS` maps a short name (``"max-sr"``, ``"b2"``, ...) to an
:class:`Algorithm`, callable as ``algorithm(scenario, **options)``; sweeps, the command
line and the plots find algorithms here. :func:`get_algorithm` looks one up.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._baselines import (
    BASELINE_OPTIONS,
    greedy_fairness_equal_power,
    greedy_gain_equal_power,
    greedy_sum_rate_water_filling,
    static_equal_power,
)
from ._result import AllocationResult
from ._scenario import Scenario
from ._solve import _check_alpha, check_weights, prepare, solve, solve_alpha_fair

__all__ = ["ALGORITHMS", "Algorithm", "get_algorithm"]


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
    objective : {"sum_rate", "min_rate", "alpha_fair"}
        The metric the algorithm aims at.
    description : str
        One line: what it is.
    method : str or None
        The solvers' ``method`` it runs (None for the baselines).
    alpha : float or None
        Fairness parameter of an ``"alpha_fair"`` algorithm; None: it is the option
        ``alpha`` (default 1), so a sweep can vary it.
    """

    name: str
    function: Callable[..., AllocationResult]
    label: str
    objective: str
    description: str
    method: str | None = None
    alpha: float | None = None

    def __call__(self, scenario: Scenario, **options: Any) -> AllocationResult:
        return self.function(scenario, **options)

    def check_options(self, scenario: Scenario, options: Mapping[str, Any]) -> None:
        """Validate ``options`` for ``scenario`` without solving anything.

        Raises
        ------
        TypeError, ValueError
            As the algorithm itself would, before any work.
        """
        options = dict(options)
        if self.method is None:
            unknown = sorted(set(options) - BASELINE_OPTIONS)
            if unknown:
                raise TypeError(
                    f"unknown option(s) {unknown} for a baseline; accepted: "
                    f"{sorted(BASELINE_OPTIONS)}"
                )
            prepare(scenario, "sum_rate", "alternating", interference=options.get("interference"))
        elif self.objective == "alpha_fair":
            alpha = options.pop("alpha", 1.0) if self.alpha is None else self.alpha
            weights = options.pop("weights", None)
            _check_alpha(alpha)
            weights = check_weights(weights, scenario.n_users)
            weights = np.ones(scenario.n_users) if weights is None else weights
            prepare(scenario, self.objective, self.method, alpha=alpha, weights=weights, **options)
        else:
            prepare(scenario, self.objective, self.method, **options)


def _fair_solver(alpha: float | None, method: str) -> Callable[..., AllocationResult]:
    def run(scenario: Scenario, **options: Any) -> AllocationResult:
        value = options.pop("alpha", 1.0) if alpha is None else alpha
        return solve_alpha_fair(scenario, value, method=method, **options)

    run.__name__ = f"alpha_fair_{'option' if alpha is None else f'{alpha:g}'}_{method}"
    return run


def _solver(objective: str, method: str) -> Callable[..., AllocationResult]:
    def run(scenario: Scenario, **options: Any) -> AllocationResult:
        return solve(scenario, objective, method, **options)

    run.__name__ = f"{objective}_{method}"
    return run


ALGORITHMS: Mapping[str, Algorithm] = types.MappingProxyType(
    {
        a.name: a
        for a in (
            Algorithm(
                "max-sr",
                _solver("sum_rate", "alternating"),
                "Max-SR",
                "sum_rate",
                "solve_max_sr, default method (multi-start subcarrier search, water-filling)",
                "alternating",
            ),
            Algorithm(
                "max-min",
                _solver("min_rate", "alternating"),
                "Max-Min",
                "min_rate",
                "solve_max_min, default method (subcarrier search, barrier polish)",
                "alternating",
            ),
            Algorithm(
                "max-sr-paper",
                _solver("sum_rate", "paper"),
                "Max-SR, paper's Alg. 1",
                "sum_rate",
                "solve_max_sr(method='paper'): the paper's Algorithm 1",
                "paper",
            ),
            Algorithm(
                "max-min-paper",
                _solver("min_rate", "paper"),
                "Max-Min, paper's Alg. 2",
                "min_rate",
                "solve_max_min(method='paper'): Algorithm 2 with the valid tangent bound",
                "paper",
            ),
            Algorithm(
                "b0",
                static_equal_power,
                "B0: fixed regular graph, equal power",
                "sum_rate",
                "static regular factor graph F0, equal power",
            ),
            Algorithm(
                "b1",
                greedy_gain_equal_power,
                "B1: strongest-gain graph, equal power",
                "sum_rate",
                "greedy graph by largest gain, equal power",
            ),
            Algorithm(
                "b2",
                greedy_sum_rate_water_filling,
                "B2: greedy sum-rate graph, water-filling",
                "sum_rate",
                "greedy graph by sum-rate increase, water-filling power",
            ),
            Algorithm(
                "b3",
                greedy_fairness_equal_power,
                "B3: fairness greedy graph, equal power",
                "min_rate",
                "fairness greedy graph (lowest-rate user first), equal power",
            ),
            Algorithm(
                "exhaustive",
                _solver("sum_rate", "exhaustive"),
                "Max-SR optimum (every graph)",
                "sum_rate",
                "every feasible graph with water-filling: the exact Max-SR optimum",
                "exhaustive",
            ),
            Algorithm(
                "exhaustive-max-min",
                _solver("min_rate", "exhaustive"),
                "Max-Min reference (every graph)",
                "min_rate",
                "every feasible graph with the Max-Min power step (slow: seconds per drop)",
                "exhaustive",
            ),
            Algorithm(
                "prop-fair",
                _fair_solver(1.0, "alternating"),
                "Proportional fairness",
                "alpha_fair",
                "solve_alpha_fair(alpha=1): the sum of log-rates (projected-gradient power)",
                "alternating",
                1.0,
            ),
            Algorithm(
                "alpha-fair",
                _fair_solver(None, "alternating"),
                "Alpha-fair",
                "alpha_fair",
                "solve_alpha_fair with the options alpha (default 1) and weights",
                "alternating",
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
