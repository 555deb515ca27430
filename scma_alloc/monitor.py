"""Convergence monitor: records every step (paper Theorem 1) and runs the callback."""

from __future__ import annotations

import time
from collections.abc import Callable

from .result import StepRecord

__all__ = ["Monitor"]

NAN = float("nan")


class Monitor:
    """Collects :class:`StepRecord` s, tracks solver use and asks the callback to stop.

    Parameters
    ----------
    callback : callable, optional
        ``callback(record) -> bool``; returning True stops the solver, which then
        returns its best feasible allocation with status ``"stopped_by_callback"``.
    """

    def __init__(self, callback: Callable[[StepRecord], object] | None = None) -> None:
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable (record) -> bool")
        self.callback = callback
        self.history: list[StepRecord] = []
        self.start = time.perf_counter()
        self.stopped = False
        self.solvers_used: list[str] = []
        self.solver_failures = 0
        self.n_inner = 0
        #: Prepended to every stage name (e.g. ``"paper:"`` for a sub-run).
        self.prefix = ""
        #: Remarks appended to the result's message.
        self.notes: list[str] = []

    def elapsed(self) -> float:
        """Seconds since the monitor was created."""
        return time.perf_counter() - self.start

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
        """Append a record; return True when the run must stop (callback said so)."""
        record = StepRecord(
            stage=self.prefix + stage,
            outer=outer,
            inner=inner,
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
