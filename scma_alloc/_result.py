"""Results: the object every algorithm returns, its statuses, the history and its monitor.

* :class:`AllocationResult` — a dict with attribute access (the shape of SciPy's
  ``OptimizeResult``, without importing ``scipy.optimize``);
* the ``STATUS_*`` constants, every status an algorithm can report;
* :class:`StepRecord` — one step of an iterative method (the convergence monitor of
  the paper's Theorem 1) and :class:`Monitor`, which records the steps, counts solver
  use and asks the caller's callback whether to stop.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = [
    "FEASIBLE_STATUSES",
    "STATUS_CONVERGED",
    "STATUS_ERROR",
    "STATUS_FLOORS_NOT_MET",
    "STATUS_HEURISTIC",
    "STATUS_ITERATION_LIMIT",
    "STATUS_OPTIMAL",
    "STATUS_SOLVER_FAILED",
    "STATUS_STOPPED_BY_CALLBACK",
    "AllocationResult",
    "Monitor",
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
#: A sweep task whose algorithm raised an exception (recorded with its message, never
#: redrawn); the only status without an allocation.
STATUS_ERROR = "error"

#: Rate floors were asked for and no allocation meeting all of them was found: the
#: allocation respects the budgets and is the closest found to the floors (the largest
#: smallest fraction of its floor any user reaches); ``success`` is False.
STATUS_FLOORS_NOT_MET = "floors_not_met"

#: Statuses whose allocation is feasible (all of them: no algorithm returns an allocation
#: beyond the budgets; under ``floors_not_met`` the floors, not the budgets, are missed).
FEASIBLE_STATUSES = frozenset(
    {
        STATUS_OPTIMAL,
        STATUS_CONVERGED,
        STATUS_ITERATION_LIMIT,
        STATUS_STOPPED_BY_CALLBACK,
        STATUS_SOLVER_FAILED,
        STATUS_HEURISTIC,
        STATUS_FLOORS_NOT_MET,
    }
)

#: How an iterative method ended -> (status, message). Methods report the key.
END_REASONS: dict[str, tuple[str, str]] = {
    "converged": (STATUS_CONVERGED, "converged: tolerances met"),
    "iteration_limit": (STATUS_ITERATION_LIMIT, "stopped at the iteration limit"),
    "stopped": (STATUS_STOPPED_BY_CALLBACK, "stopped by the callback; best feasible allocation"),
    "solver_failed": (
        STATUS_SOLVER_FAILED,
        "every conic solver failed; returning the best feasible allocation found",
    ),
}

NAN = float("nan")


@dataclass(frozen=True)
class StepRecord:
    """One step of an iterative method (the convergence monitor, paper Theorem 1).

    Attributes
    ----------
    stage : str
        ``"codebook"`` / ``"power"`` (relaxed alternating steps of the paper's method),
        ``"rounding"``, ``"final_power"``, ``"local_search"``, ``"start"``,
        ``"exhaustive"``, ``"baseline"``; a sub-run's stages carry a prefix such as
        ``"paper:"``.
    outer, inner : int
        Alternating (outer) and SCP or search (inner) iteration counters.
    objective : float
        True objective (nats) of the iterate kept after this step: the penalised
        relaxed objective during the paper's alternating stages, the exact sum-rate or
        min-rate afterwards. Over accepted steps of one stage it never decreases.
    surrogate : float
        Optimal value of the convex surrogate solved at this step (nan if none). A
        valid minorant gives ``candidate >= surrogate``.
    candidate : float
        True objective at the step's candidate point (before acceptance).
    penalty : float
        ``sum(F**2 - F)`` of the iterate (<= 0; 0 iff F is binary).
    trust_radius : float
        Trust-region radius used for the step (nan if none).
    accepted : bool
        Whether the step was kept.
    solver_status : str
        Status from the conic solver (``"optimal"``, ...) or the routine used
        (``"water-filling"``, ``"sequential water-filling"``, ...).
    time : float
        Seconds since the method started.
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

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for ``pandas.DataFrame(records)``)."""
        return asdict(self)


class Monitor:
    """Collects :class:`StepRecord` s, tracks solver use and asks the callback to stop.

    Parameters
    ----------
    callback : callable, optional
        ``callback(record) -> bool``; returning True stops the method, which then
        returns its best feasible allocation with status ``"stopped_by_callback"``.
    """

    def __init__(self, callback: Callable[[StepRecord], object] | None = None) -> None:
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable: callback(record) -> bool")
        self.callback = callback
        self.history: list[StepRecord] = []
        self.start = time.perf_counter()
        self.stopped = False
        self.solvers_used: list[str] = []
        self.solver_failures = 0
        self.n_inner = 0
        #: Remarks appended to the result's message.
        self.notes: list[str] = []
        self._prefix = ""

    def elapsed(self) -> float:
        """Seconds since the monitor was created."""
        return time.perf_counter() - self.start

    @contextlib.contextmanager
    def scope(self, prefix: str) -> Iterator[None]:
        """Prefix every stage recorded inside the ``with`` block (e.g. ``"paper:"``)."""
        before = self._prefix
        self._prefix = before + prefix
        try:
            yield
        finally:
            self._prefix = before

    def note_solver(self, ok: bool, solver: str) -> None:
        """Remember which conic solver answered (or that all failed)."""
        if ok:
            if solver not in self.solvers_used:
                self.solvers_used.append(solver)
        else:
            self.solver_failures += 1

    def record(
        self,
        stage: str,
        *,
        outer: int = 0,
        inner: int = 0,
        objective: float = NAN,
        surrogate: float = NAN,
        candidate: float = NAN,
        penalty: float = 0.0,
        trust_radius: float = NAN,
        accepted: bool = True,
        solver_status: str = "",
    ) -> bool:
        """Append a record; return True when the run must stop (the callback said so)."""
        record = StepRecord(
            stage=self._prefix + stage,
            outer=int(outer),
            inner=int(inner),
            objective=float(objective),
            surrogate=float(surrogate),
            candidate=float(candidate),
            penalty=float(penalty),
            trust_radius=float(trust_radius),
            accepted=bool(accepted),
            solver_status=solver_status,
            time=self.elapsed(),
        )
        self.history.append(record)
        if self.callback is not None and not self.stopped and self.callback(record):
            self.stopped = True
        return self.stopped


@dataclass
class MethodOutcome:
    """What a method hands to the solver front end (internal): the allocation as
    budget fractions, how the run ended (a key of :data:`END_REASONS`) and counters."""

    assignment: Any  # ndarray (K, J) of int8
    power_fraction: Any  # ndarray (K, J): P / Pmax
    reason: str
    n_outer: int
    repaired: bool = False


class AllocationResult(dict):
    """Result of an allocation algorithm: a dict with attribute access.

    It has the shape of SciPy's ``OptimizeResult`` (``result.status``,
    ``result["status"]``, a readable repr), the same core fields for every algorithm,
    and extra fields where an algorithm has more to say (``n_graphs``, ...).

    Attributes
    ----------
    assignment : ndarray of int8, shape (K, J)
        Binary factor graph F: each user on exactly N resources, loads <= d_f (the
        codebook structure each user is given).
    active_assignment : ndarray of int8, shape (K, J)
        The edges of ``assignment`` that carry power: the graph actually transmitted.
        An optimal power step often leaves an assigned edge at zero power (a weak
        resource is not worth the budget); rates are the same on either graph.
    power : ndarray, shape (K, J)
        Transmit power in watts; zero off the assignment; per-user sums within budget.
    user_rates : ndarray, shape (J,)
        Achievable rate of each user (bit/s/Hz) under the result's interference model
        (SIC by default), in the caller's user order.
    sum_rate, min_rate, jain_index : float
        Sum of the user rates (bit/s/Hz), smallest user rate, Jain's index.
    status : str
        One of the ``STATUS_*`` constants.
    success : bool
        True when the allocation meets everything asked of it. The allocation always
        respects the budgets and caps; ``success`` is False only when rate floors were
        asked for and missed (``status == "floors_not_met"``).
    converged : bool
        True when the iterative method met its tolerances (``status == "converged"``)
        or the method is exact.
    message : str
        How the run ended, in words.
    n_outer, n_inner : int
        Alternating (or search) iterations and total inner (SCP) iterations.
    history : list of StepRecord
        The convergence monitor.
    solve_time : float
        Wall-clock seconds.
    solver : str
        Conic solver(s) or routine actually used.
    method : str
        Method or baseline name.
    interference : str
        Name of the interference model the rates use (``"sic"`` by default).
    min_rates, floor_shortfall : ndarray, shape (J,)
        With rate floors: the floors and each user's shortfall below its floor
        (bit/s/Hz; all 0 when they are met).
    resource_caps, total_cap : ndarray of shape (K,) or float, or None
        With power caps: the caps in watts (None for a kind not given).
    weights : ndarray, shape (J,)
        With weights: the user weights (alpha-fair, weighted sum-rate, weighted
        max-min).
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    __setattr__ = dict.__setitem__  # type: ignore[assignment]
    __delattr__ = dict.__delitem__  # type: ignore[assignment]

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.keys()))

    @property
    def active_assignment(self) -> np.ndarray:
        """The assigned edges with positive power (the transmitted factor graph)."""
        active = (np.asarray(self["assignment"]) != 0) & (np.asarray(self["power"]) > 0)
        return active.astype(np.int8)

    def __repr__(self) -> str:
        if not self:
            return f"{type(self).__name__}()"
        width = max(len(str(key)) for key in self) + 1
        lines = []
        for key, value in self.items():
            text = repr(value) if key != "history" else f"[{len(value)} StepRecord(s)]"
            text = text.replace("\n", "\n" + " " * (width + 2))
            lines.append(f"{str(key).rjust(width)}: {text}")
        return "\n".join(lines)

    def history_frame(self):
        """The history as a :class:`pandas.DataFrame` (one row per step)."""
        import pandas as pd

        return pd.DataFrame([record.as_dict() for record in self.get("history", [])])
