"""The result object every solver and baseline returns, its status codes and history."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from scipy.optimize import OptimizeResult

__all__ = [
    "FEASIBLE_STATUSES",
    "STATUS_CONVERGED",
    "STATUS_HEURISTIC",
    "STATUS_ITERATION_LIMIT",
    "STATUS_OPTIMAL",
    "STATUS_SOLVER_FAILED",
    "STATUS_STOPPED_BY_CALLBACK",
    "AllocationResult",
    "StepRecord",
]

#: Exact method: the returned allocation is the global optimum (exhaustive reference).
STATUS_OPTIMAL = "optimal"
#: Iterative method stopped because its tolerances were met.
STATUS_CONVERGED = "converged"
#: Iterative method stopped at an iteration cap; the allocation is feasible.
STATUS_ITERATION_LIMIT = "iteration_limit"
#: The user's callback asked to stop; the allocation is the best feasible one so far.
STATUS_STOPPED_BY_CALLBACK = "stopped_by_callback"
#: Every conic solver failed at some step; the allocation is the best feasible iterate.
STATUS_SOLVER_FAILED = "solver_failed"
#: A one-pass heuristic (baselines): feasible, no optimality claim.
STATUS_HEURISTIC = "heuristic"

#: Statuses whose allocation is feasible (all of them: no solver returns an infeasible one).
FEASIBLE_STATUSES = frozenset(
    {
        STATUS_OPTIMAL,
        STATUS_CONVERGED,
        STATUS_ITERATION_LIMIT,
        STATUS_STOPPED_BY_CALLBACK,
        STATUS_SOLVER_FAILED,
        STATUS_HEURISTIC,
    }
)


@dataclass(frozen=True)
class StepRecord:
    """One step of an iterative solver (the convergence monitor, paper Theorem 1).

    Attributes
    ----------
    stage : str
        ``"codebook"`` / ``"power"`` (relaxed alternating steps), ``"final_power"``,
        ``"local_search"``, ``"start"`` ...
    outer, inner : int
        Alternating (outer) and SCP (inner) iteration counters.
    objective : float
        True objective (nats) of the iterate kept after this step: the penalised
        relaxed objective during the alternating stages, the exact sum-rate or
        min-rate afterwards. Over accepted steps of one stage it never decreases.
    surrogate : float
        Optimal value of the convex surrogate solved at this step (nan if none). A
        valid minorant gives ``objective_candidate >= surrogate``.
    candidate : float
        True objective at the surrogate's solution (before acceptance).
    penalty : float
        ``sum(F**2 - F)`` of the iterate (<= 0; 0 iff F is binary).
    trust_radius : float
        Trust-region radius used for the step (nan if none).
    accepted : bool
        Whether the step was kept.
    solver_status : str
        Status from the conic solver (``"optimal"``, ``"water-filling"``, ...).
    time : float
        Seconds since the solver started.
    """

    stage: str
    outer: int
    inner: int
    objective: float
    surrogate: float
    candidate: float
    penalty: float
    trust_radius: float
    accepted: bool
    solver_status: str
    time: float

    def as_dict(self) -> dict:
        """The record as a plain dict (for ``pandas.DataFrame(records)``)."""
        return asdict(self)


@dataclass
class MethodOutcome:
    """What a method implementation hands to the solver front end (internal)."""

    assignment: object  # ndarray (K, J) of int8
    power_fraction: object  # ndarray (K, J): P / Pmax
    status_reason: str  # "converged" | "iteration_limit" | "stopped" | "solver_failed"
    n_outer: int
    repaired: bool = False


class AllocationResult(OptimizeResult):
    """Result of an allocation algorithm (a dict with attribute access).

    Attributes
    ----------
    assignment : ndarray of int, shape (K, J)
        Binary factor graph F: each user on exactly N resources, loads <= d_f.
    power : ndarray, shape (K, J)
        Transmit power in watts; zero off the assignment; per-user sums within budget.
    user_rates : ndarray, shape (J,)
        Achievable rate of each user (bit/s/Hz, SIC decoding), caller's user order.
    sum_rate, min_rate, jain_index : float
        Sum of the user rates (bit/s/Hz), smallest user rate, Jain's index.
    status : str
        One of the ``STATUS_*`` constants.
    success : bool
        True when a feasible allocation is returned (always, by design).
    converged : bool
        True when the iterative method met its tolerances (``status == "converged"``)
        or the method is exact.
    message : str
        Human-readable description of how the run ended.
    n_outer, n_inner : int
        Alternating iterations and total SCP/inner iterations.
    history : list of StepRecord
        The convergence monitor.
    solve_time : float
        Wall-clock seconds.
    solver : str
        Conic solver(s) or routine actually used.
    method : str
        Algorithm name.
    """

    def history_frame(self):
        """The history as a :class:`pandas.DataFrame` (one row per step)."""
        import pandas as pd

        return pd.DataFrame([record.as_dict() for record in self.get("history", [])])
