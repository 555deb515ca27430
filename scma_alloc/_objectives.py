"""What a method maximises: an objective of the user rates under a rate model.

A :class:`Problem` is one scenario, one objective (``"sum_rate"`` or ``"min_rate"``: the
sum or the smallest of the user rates, paper problems (14) and (17), the latter
optionally weighted, ``min_j R_j / w_j``; or ``"alpha_fair"``: the weighted alpha-fair
utility of the rates, see :mod:`scma_alloc._fairness`), optional per-user rate floors
``R_j >= r_j`` (an allocation below a floor is worth ``-inf``), and one rate model (SIC
or a coupling). Every method — the
alternating search, the exhaustive references, the baselines — evaluates allocations
through it and returns its result through :meth:`Problem.result`, so the rates a result
reports are always the model's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._fairness import alpha_utility
from ._rates import (
    LN2,
    RateModel,
    allocation_violations,
    edges_to_dense,
    gather_edges,
    jain_values,
    resource_totals,
    weighted_min,
)
from ._result import (
    STATUS_CONVERGED,
    STATUS_FLOORS_NOT_MET,
    STATUS_OPTIMAL,
    AllocationResult,
    Monitor,
)
from ._scenario import Scenario

__all__ = ["OBJECTIVES", "Problem"]

#: The objectives: the sum and the minimum of the user rates, and the weighted
#: alpha-fair utility of the rates (which contains both as limits).
OBJECTIVES = ("sum_rate", "min_rate", "alpha_fair")
#: Relative size of a budget overshoot or negative power a method may return (round-off).
_ROUND_OFF = 1e-9
#: A rate floor counts as met down to this relative shortfall (round-off).
FLOOR_RTOL = 1e-9


def check_objective(objective: Any) -> str:
    """``objective`` if it is one of :data:`OBJECTIVES`, else a ``ValueError``."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    return objective


class Problem:
    """One allocation problem: a scenario, an objective and a rate model.

    Allocations are evaluated on factor-graph edges (``sub`` of shape (B, J, N)) with
    budget fractions ``x`` of the same shape; every value is in nats.
    """

    def __init__(
        self,
        scenario: Scenario,
        objective: str,
        model: RateModel,
        *,
        alpha: float | None = None,
        weights: np.ndarray | None = None,
        floors: np.ndarray | None = None,
        caps: Any = None,
    ) -> None:
        self.scenario = scenario
        #: Power caps per resource and in total (:class:`~scma_alloc._caps.PowerCaps`),
        #: or None.
        self.caps = caps
        self.objective = check_objective(objective)
        self.model = model
        #: Fairness parameter of ``"alpha_fair"`` (None otherwise).
        self.alpha = alpha
        #: User weights: of the utility (``"alpha_fair"``) or of the weighted min-rate
        #: ``min_j R_j / w_j`` (``"min_rate"``); None: unweighted.
        self.weights = weights
        #: Per-user rate floors in nats (J,), or None.
        self.floors = None if floors is None or not np.any(floors > 0) else floors
        self.snr = scenario.snr_at_budget
        self.n_resources = scenario.n_resources
        self.n_users = scenario.n_users
        self.n_per_user = scenario.n_per_user
        self.users_per_resource = scenario.users_per_resource

    @property
    def is_min_rate(self) -> bool:
        return self.objective == "min_rate"

    def gains(self, sub: np.ndarray) -> np.ndarray:
        """SNR at full budget on the edges ``sub`` (B, J, N)."""
        return gather_edges(self.snr, sub)

    def reduce(self, rates: np.ndarray) -> np.ndarray:
        """The objective of user rates (..., J, nats): their sum, their minimum, or the
        alpha-fair utility of the rates in bit/s/Hz."""
        if self.objective == "alpha_fair":
            return alpha_utility(rates / LN2, self.alpha, self.weights)
        if self.is_min_rate:
            return weighted_min(rates, self.weights)
        return rates.sum(axis=-1)

    def meets_floors(self, rates: np.ndarray) -> np.ndarray:
        """Whether user rates (..., J, nats) meet every floor (round-off allowed)."""
        if self.floors is None:
            return np.ones(rates.shape[:-1], dtype=bool)
        return np.all(rates >= self.floors * (1.0 - FLOOR_RTOL), axis=-1)

    def user_rates(self, sub: np.ndarray, x: np.ndarray) -> np.ndarray:
        """User rates (nats) of edge allocations, shape (B, J)."""
        q = edges_to_dense(self.gains(sub) * x, sub, self.n_resources)
        return self.model.user_rates_nats(q)

    def values(self, sub: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Objective values (nats) of edge allocations, shape (B,)."""
        if self.objective == "sum_rate" and self.model.is_sic and self.floors is None:
            # The SIC user rates telescope to the sum-rate of the resource totals.
            return np.log1p(resource_totals(self.gains(sub) * x, sub, self.n_resources)).sum(
                axis=-1
            )
        rates = self.user_rates(sub, x)
        return np.where(self.meets_floors(rates), self.reduce(rates), -np.inf)

    def solo_rates(self, sub: np.ndarray) -> np.ndarray:
        """Each user alone on its resources with its whole budget (nats), (B, J).

        Interference only lowers a rate, so these bound every user's rate on the graph.
        """
        from ._power import solo_rates

        return solo_rates(self.gains(sub))

    def upper_bound(self, sub: np.ndarray) -> np.ndarray:
        """An upper bound (nats) of the objective on each graph, (B,): users alone; for
        the SIC sum-rate under caps or floors, the exact sum-rate without them
        (water-filling), which is tighter."""
        if self.objective == "sum_rate" and self.model.is_sic:
            if self.caps is not None or self.floors is not None:
                from ._power import iterative_water_filling

                return iterative_water_filling(self.gains(sub), sub, self.n_resources)[1]
        return self.reduce(self.solo_rates(sub))

    def _within_caps(self, p: np.ndarray, method: str) -> np.ndarray:
        """Powers (K, J, watts) with round-off beyond the caps scaled away; anything
        worse is a bug in a method (``RuntimeError``)."""
        caps = self.caps
        ratio = 0.0
        if caps.resource is not None:
            ratio = max(ratio, float((p.sum(axis=1) / caps.resource).max()))
        if caps.total is not None:
            ratio = max(ratio, float(p.sum() / caps.total))
        if ratio > 1.0 + _ROUND_OFF:
            raise RuntimeError(  # a bug in a method
                f"{method} returned powers beyond round-off of the caps (ratio {ratio:.12g})"
            )
        return p / ratio if ratio > 1.0 else p

    def result(
        self,
        assignment: np.ndarray,
        power: np.ndarray,
        *,
        method: str,
        status: str,
        message: str,
        monitor: Monitor | None = None,
        n_outer: int = 0,
        solver: str = "",
        **extra: Any,
    ) -> AllocationResult:
        """Validate a final allocation (watts) and report it under this rate model.

        Powers are masked to the graph; round-off (a budget overshoot or a negative power
        of relative size ``_ROUND_OFF`` and below) is scaled or clipped away; anything
        worse is a bug in a method and raises ``RuntimeError``.
        """
        scenario = self.scenario
        budget = scenario.power_budget
        f = np.asarray(assignment).astype(np.int8)
        p = np.where(f == 1, np.asarray(power, dtype=float), 0.0)
        used = p.sum(axis=0)
        if np.any(used > budget * (1.0 + _ROUND_OFF)) or np.any(p < -_ROUND_OFF * budget):
            raise RuntimeError(  # a bug in a method
                f"{method} returned powers beyond round-off of the budgets (used / budget "
                f"{np.round(used / budget, 12).tolist()}, smallest {p.min():.3g} W)"
            )
        p = np.clip(p, 0.0, None)
        used = p.sum(axis=0)
        p = p * np.where(used > budget, budget / np.maximum(used, 1e-300), 1.0)[None, :]
        if self.caps is not None:
            p = self._within_caps(p, method)
            extra.setdefault("resource_caps", self.caps.resource)
            extra.setdefault("total_cap", self.caps.total)
        problems = allocation_violations(scenario, f, p)
        if problems:  # pragma: no cover - would be a bug in a method
            raise RuntimeError(
                f"{method} produced an infeasible allocation: {'; '.join(problems)}"
            )
        rates = self.model.user_rates_nats(f * p * scenario.snr_gain) / LN2
        if not solver and monitor is not None:
            solver = "+".join(monitor.solvers_used)
        if self.objective == "alpha_fair":
            extra.setdefault("alpha", self.alpha)
            extra.setdefault("weights", np.asarray(self.weights, dtype=float).copy())
            extra.setdefault("utility", float(alpha_utility(rates, self.alpha, self.weights)))
        elif self.weights is not None:
            extra.setdefault("weights", np.asarray(self.weights, dtype=float).copy())
        success = True
        if self.floors is not None:
            floors = self.floors / LN2
            shortfall = np.maximum(floors - rates, 0.0)
            extra["min_rates"] = floors
            extra["floor_shortfall"] = shortfall
            if not self.meets_floors(rates * LN2):
                worst = int(np.argmax(shortfall))  # the largest shortfall
                status, success = STATUS_FLOORS_NOT_MET, False
                message = (
                    f"rate floors not met: largest shortfall {shortfall[worst]:.3g} bit/s/Hz, "
                    f"user {worst} at {rates[worst]:.4g} of its {floors[worst]:.4g} ("
                    f"{int((shortfall > FLOOR_RTOL * floors).sum())} user(s) below their "
                    "floor); no allocation meeting every floor was found, and this one "
                    "maximises the smallest fraction of its floor any user reaches"
                    f" [{message}]"
                )
        return AllocationResult(
            assignment=f,
            power=p,
            user_rates=rates,
            sum_rate=float(rates.sum()),
            min_rate=float(rates.min()),
            jain_index=float(jain_values(rates)),
            status=status,
            success=success,
            converged=status in (STATUS_CONVERGED, STATUS_OPTIMAL),
            message=message,
            n_outer=int(n_outer),
            n_inner=int(monitor.n_inner if monitor is not None else 0),
            history=monitor.history if monitor is not None else [],
            solve_time=monitor.elapsed() if monitor is not None else 0.0,
            solver=solver,
            method=method,
            interference=self.model.name,
            **extra,
        )
