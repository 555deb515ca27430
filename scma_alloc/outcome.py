"""Assembling an :class:`AllocationResult` from a final allocation."""

from __future__ import annotations

import numpy as np

from .monitor import Monitor
from .rates import LN2, _coupled_user_rates, _jain, _sic_user_rates, allocation_violations
from .result import STATUS_CONVERGED, STATUS_OPTIMAL, AllocationResult
from .scenario import Scenario

__all__ = ["allocation_result"]


def allocation_result(
    scenario: Scenario,
    assignment: np.ndarray,
    power: np.ndarray,
    *,
    method: str,
    status: str,
    message: str,
    monitor: Monitor | None = None,
    n_outer: int = 0,
    n_inner: int | None = None,
    solver: str = "",
    coupling: np.ndarray | None = None,
    **extra: object,
) -> AllocationResult:
    """Validate a final allocation and compute its rates and fairness.

    Powers are masked to the graph and any budget overshoot from solver round-off
    (relative 1e-12 and below) is scaled away; anything worse is a bug and raises.
    Rates use SIC, or the given ``coupling`` matrix (then ``sum_rate`` is the sum of
    the user rates, no longer the log-det bound).
    """
    f = np.asarray(assignment).astype(np.int8)
    p = np.where(f == 1, np.clip(np.asarray(power, dtype=float), 0.0, None), 0.0)
    used = p.sum(axis=0)
    budget = scenario.power_budget
    scale = np.where(used > budget, budget / np.maximum(used, 1e-300), 1.0)
    p = p * scale[None, :]
    problems = allocation_violations(scenario, f, p)
    if problems:  # pragma: no cover - would be a bug in a solver
        raise RuntimeError(f"{method} produced an infeasible allocation: {'; '.join(problems)}")
    q = f * p * scenario.snr_gain
    if coupling is None:
        rates = _sic_user_rates(q, scenario.decoding_order) / LN2
    else:
        rates = _coupled_user_rates(q, coupling) / LN2
    history = monitor.history if monitor is not None else []
    if monitor is not None and n_inner is None:
        n_inner = monitor.n_inner
    if monitor is not None and not solver:
        solver = "+".join(monitor.solvers_used)
    return AllocationResult(
        assignment=f,
        power=p,
        user_rates=rates,
        sum_rate=float(rates.sum()),
        min_rate=float(rates.min()),
        jain_index=float(_jain(rates)),
        status=status,
        success=True,
        converged=status in (STATUS_CONVERGED, STATUS_OPTIMAL),
        message=message,
        n_outer=int(n_outer),
        n_inner=int(n_inner or 0),
        history=history,
        solve_time=monitor.elapsed() if monitor is not None else 0.0,
        solver=solver,
        method=method,
        **extra,
    )
