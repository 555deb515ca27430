"""The trust-region SCP driver (paper §III-B), generic over the convex surrogate.

Each iteration linearises at the current point, solves the surrogate (a concave
minorant of the true objective, tight at that point) and accepts its solution only
if the true objective improves; the trust region grows on success and shrinks on
failure. Every accepted step increases the true objective (paper Theorem 1), and each
step is recorded in the :class:`~scma_alloc._result.Monitor`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._result import Monitor

__all__ = ["TrustRegion", "scp_loop"]


@dataclass
class TrustRegion:
    """Trust-region schedule of an SCP loop (paper §III-B; the authors' values by default)."""

    radius: float = 1.0
    expand: float = 1.5
    shrink: float = 0.8
    max_radius: float = 2.0

    @classmethod
    def from_options(cls, options: Any) -> TrustRegion:
        """A fresh trust region from the ``trust_*`` fields of an options object."""
        return cls(
            options.trust_radius,
            options.trust_expand,
            options.trust_shrink,
            options.trust_radius_max,
        )

    def update(self, accepted: bool) -> None:
        self.radius = (
            min(self.radius * self.expand, self.max_radius)
            if accepted
            else self.radius * self.shrink
        )


def scp_loop(
    set_point: Callable[[np.ndarray, float], None],
    problem: Any,
    read: Callable[[], np.ndarray],
    value: Callable[[np.ndarray], float],
    x0: np.ndarray,
    *,
    solvers: Sequence[str],
    max_iter: int = 10,
    tol: float = 1e-4,
    trust: TrustRegion | None = None,
    monitor: Monitor | None = None,
    stage: str = "power",
    outer: int = 0,
    penalty: Callable[[np.ndarray], float] | None = None,
    surrogate_shift: Callable[[np.ndarray], float] | None = None,
    give_up: int | None = None,
) -> tuple[np.ndarray, float, int, str]:
    """Trust-region SCP: linearise, solve, accept on the true objective.

    Each iteration linearises at the current point (``set_point(x, radius)``), solves
    the CVXPY ``problem``, reads its solution (``read()``, already projected to the
    feasible set) and accepts it if the true objective ``value`` improves: radius times
    ``expand`` (capped) on success, times ``shrink`` otherwise. Stops when an accepted
    improvement is below ``tol``, a rejected candidate is within ``tol`` of the current
    value, after ``max_iter`` iterations, when the monitor's callback asks to stop, or
    when the monitor has counted ``give_up`` surrogates that no solver could solve.

    ``penalty(x)`` is recorded with each step; ``surrogate_shift(x0)`` is added to the
    surrogate's optimal value before recording it (constants the problem leaves out),
    so that a recorded ``surrogate`` is directly comparable with ``candidate``.

    Returns
    -------
    x, objective, iterations, reason
        ``reason`` is ``"converged"``, ``"iteration_limit"``, ``"stopped"`` (callback) or
        ``"solver_failed"`` (``give_up`` reached).
    """
    from . import _convex  # looked up at call time: tests replace solve_conic

    trust = trust or TrustRegion()
    x = np.array(x0, dtype=float)
    best = value(x)
    reason = "iteration_limit"
    iteration = 0
    for iteration in range(1, max_iter + 1):
        x_start = x
        set_point(x, trust.radius)
        outcome = _convex.solve_conic(problem, solvers)
        candidate_value = float("nan")
        accepted = False
        if outcome.ok:
            candidate = read()
            candidate_value = value(candidate)
            accepted = candidate_value > best
        gain = candidate_value - best if accepted else 0.0
        if accepted:
            x, best = candidate, candidate_value
        radius_used = trust.radius
        trust.update(accepted)
        if monitor is not None:
            monitor.n_inner += 1
            monitor.note_solver(outcome.ok, outcome.solver)
            shift = surrogate_shift(x_start) if surrogate_shift is not None else 0.0
            if monitor.record(
                stage,
                outer=outer,
                inner=iteration,
                objective=best,
                surrogate=outcome.value + shift,
                candidate=candidate_value,
                penalty=penalty(x) if penalty is not None else 0.0,
                trust_radius=radius_used,
                accepted=accepted,
                solver_status=outcome.status,
            ):
                return x, best, iteration, "stopped"
            if not outcome.ok and give_up is not None and monitor.solver_failures >= give_up:
                return x, best, iteration, "solver_failed"
        if (accepted and gain < tol) or (
            outcome.ok and not accepted and abs(candidate_value - best) < tol
        ):
            reason = "converged"
            break
    return x, best, iteration, reason
