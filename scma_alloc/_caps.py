"""Power caps next to the per-user budgets: per resource and in total.

A cap on resource k bounds the transmit power all users put on it,
``sum_j P[k, j] <= C_k``; the total cap bounds every user's power together,
``sum_{k, j} P[k, j] <= C``. Both are in watts and hold on top of the budgets
``sum_k P[k, j] <= Pmax_j``.

The power steps work on the edges of a batch of graphs with budget fractions
``x[b, j, n] = P / Pmax_j`` (see :mod:`scma_alloc._power`); in those terms each cap is a
linear constraint on ``x``. :class:`PowerCaps` gives

* :meth:`PowerCaps.usage` — the largest ratio of used power to cap, per graph;
* :meth:`PowerCaps.scale` — a point scaled down until every cap holds (a feasible point
  from any feasible-for-the-budgets one);
* :meth:`PowerCaps.project` — the Euclidean projection on the budgets and the caps
  together, approximately (Dykstra's alternating projections, at most 20 sweeps) and
  always feasible, which the gradient power steps use.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._fairness import AlphaFairStep
from ._scenario import Scenario
from ._units import real_array

__all__ = ["CappedSumRateStep", "PowerCaps", "check_caps"]

#: Dykstra's method: sweeps at most, and the change (budget fractions) that ends it.
_SWEEPS, _TOL = 20, 1e-10


class PowerCaps:
    """Caps on the power per resource and in total, for one scenario.

    Parameters
    ----------
    scenario : Scenario
    resource : ndarray, shape (K,), optional
        Cap per resource in watts (``inf``: none).
    total : float, optional
        Cap on all transmit power together, watts.
    """

    def __init__(
        self, scenario: Scenario, resource: np.ndarray | None, total: float | None
    ) -> None:
        self.n_resources = scenario.n_resources
        self.budget = scenario.power_budget.astype(float)
        self.resource = resource
        self.total = total

    def _edge_budget(self, sub: np.ndarray) -> np.ndarray:
        """``Pmax`` of each edge's user, broadcast to ``sub``'s shape."""
        return np.broadcast_to(self.budget[:, None], sub.shape[-2:])

    def watts(self, x: np.ndarray, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Power per resource (B, K) and in total (B,) of budget fractions ``x``."""
        p = (x * self._edge_budget(sub)).reshape(x.shape[0], -1)
        k = self.n_resources
        flat = (np.arange(x.shape[0])[:, None] * k + sub.reshape(x.shape[0], -1)).ravel()
        per_resource = np.bincount(flat, weights=p.ravel(), minlength=x.shape[0] * k)
        return per_resource.reshape(x.shape[0], k), p.sum(axis=1)

    def rows(self, sub: np.ndarray) -> np.ndarray:
        """The caps as linear constraints ``rows @ x <= 1`` on the edges, (B, M, E):
        one row per capped resource (``Pmax_j / C_k`` on its edges), then the total."""
        n_batch = sub.shape[0]
        p = self._edge_budget(sub).reshape(-1)  # (E,)
        flat = sub.reshape(n_batch, -1)
        parts = []
        if self.resource is not None:
            capped = np.flatnonzero(np.isfinite(self.resource))
            on = flat[:, None, :] == capped[None, :, None]  # (B, M, E)
            parts.append(on * (p / self.resource[capped][:, None])[None])
        if self.total is not None:
            parts.append(np.broadcast_to(p / self.total, (n_batch, 1, p.size)))
        return np.concatenate(parts, axis=1)

    def usage(self, x: np.ndarray, sub: np.ndarray) -> np.ndarray:
        """The largest ratio of used power to cap per graph (B,); ``<= 1``: caps hold."""
        per_resource, total = self.watts(x, sub)
        ratio = np.zeros(x.shape[0])
        if self.resource is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(per_resource > 0, per_resource / self.resource, 0.0)
            ratio = np.maximum(ratio, r.max(axis=1))
        if self.total is not None:
            ratio = np.maximum(ratio, total / self.total)
        return ratio

    def scale(self, x: np.ndarray, sub: np.ndarray) -> np.ndarray:
        """``x`` scaled down per graph until every cap holds (unchanged where they do)."""
        ratio = self.usage(x, sub)
        factor = np.where(ratio > 1.0, 1.0 / np.maximum(ratio, 1e-300), 1.0)
        return x * factor.reshape(-1, *([1] * (x.ndim - 1)))

    def project(self, x: np.ndarray, sub: np.ndarray, project_budgets: Any) -> np.ndarray:
        """Euclidean projection of ``x`` (B, J, N) on the budgets and caps, approximately.

        Dykstra's method (at most ``_SWEEPS`` sweeps) over three convex sets: the
        budgets with ``x >= 0`` (``project_budgets``, per user), the resource caps
        (disjoint half-spaces, one per resource: each edge is on one resource) and the
        total cap (one half-space).
        The result is scaled into the caps at the end, so it is always feasible.
        """
        plain = project_budgets(x)
        inside = self.usage(plain, sub) <= 1.0
        if inside.all():  # the caps do not bind: the budgets' projection is the answer
            return plain
        if inside.any():
            out = plain
            rest = np.flatnonzero(~inside)
            out[rest] = self.project(x[rest], sub[rest], project_budgets)
            return out
        a = np.broadcast_to(self._edge_budget(sub), x.shape)
        k = self.n_resources
        n_batch = x.shape[0]
        flat = (np.arange(n_batch)[:, None] * k + sub.reshape(n_batch, -1)).ravel()
        a_flat = a.reshape(n_batch, -1)
        norm_resource = np.bincount(flat, weights=(a_flat**2).ravel(), minlength=n_batch * k)
        norm_total = (a_flat**2).sum(axis=1)
        cap = None if self.resource is None else np.tile(self.resource, n_batch)

        def resource_half_spaces(y: np.ndarray) -> np.ndarray:
            if self.resource is None:
                return y
            yf = y.reshape(n_batch, -1)
            used = np.bincount(flat, weights=(a_flat * yf).ravel(), minlength=n_batch * k)
            excess = np.maximum(used - cap, 0.0) / np.maximum(norm_resource, 1e-300)
            return (yf - excess[flat].reshape(n_batch, -1) * a_flat).reshape(y.shape)

        def total_half_space(y: np.ndarray) -> np.ndarray:
            if self.total is None:
                return y
            yf = y.reshape(n_batch, -1)
            excess = np.maximum((a_flat * yf).sum(axis=1) - self.total, 0.0) / norm_total
            return (yf - excess[:, None] * a_flat).reshape(y.shape)

        sets = (project_budgets, resource_half_spaces, total_half_space)
        y = x.copy()
        corrections = [np.zeros_like(x) for _ in sets]
        for _ in range(_SWEEPS):
            before = y
            for i, project in enumerate(sets):
                z = project(y + corrections[i])
                corrections[i] = y + corrections[i] - z
                y = z
            if np.abs(y - before).max(initial=0.0) <= _TOL:
                break
        return self.scale(project_budgets(y), sub)


def check_caps(scenario: Scenario, resource_caps: Any, total_cap: Any) -> PowerCaps | None:
    """The caps of a solver call, or None when there are none.

    ``resource_caps`` is one number for every resource or one per resource (watts,
    ``> 0``, ``inf`` for none); ``total_cap`` one number (watts, ``> 0``). A cap no
    allocation can reach (a resource cap above the ``d_f`` largest budgets together, a
    total cap above all budgets together) is dropped.

    Raises
    ------
    TypeError, ValueError
        Naming ``resource_caps`` or ``total_cap``.
    """
    resource = None
    if resource_caps is not None:
        r = real_array(resource_caps, "resource_caps")
        if r.ndim == 0:
            r = np.full(scenario.n_resources, float(r))
        if r.shape != (scenario.n_resources,):
            raise ValueError(
                "resource_caps must be one number or one per resource, shape "
                f"({scenario.n_resources},), got {r.shape}"
            )
        if np.any(np.isnan(r)) or np.any(r <= 0):
            raise ValueError("resource_caps must be > 0 watts (inf: no cap on that resource)")
        resource = None if np.all(np.isinf(r)) else r
    total = None
    if total_cap is not None:
        if isinstance(total_cap, bool) or not isinstance(total_cap, numbers.Real):
            raise TypeError(f"total_cap must be a real number (watts), got {total_cap!r}")
        total = float(total_cap)
        if np.isnan(total) or total <= 0:
            raise ValueError(f"total_cap must be > 0 watts, got {total_cap!r}")
        total = None if np.isinf(total) else total
    # Caps that no allocation can reach are dropped (the exact uncapped steps then run):
    # a resource carries at most d_f users, each within its budget.
    budgets = np.sort(scenario.power_budget)[::-1]
    if resource is not None:
        reach = budgets[: scenario.users_per_resource].sum()
        resource = np.where(resource >= reach * (1 - 1e-12), np.inf, resource)
        resource = None if np.all(np.isinf(resource)) else resource
    if total is not None and total >= budgets.sum() * (1 - 1e-12):
        total = None
    if resource is None and total is None:
        return None
    return PowerCaps(scenario, resource, total)


class CappedSumRateStep(AlphaFairStep):
    """The power step of the sum-rate under SIC with power caps.

    The problem is concave for a fixed graph (the SIC rates telescope to
    ``sum_k log(1 + sum_j q[k, j])``) with linear constraints, so the polish is exact: a
    conic solve of each graph (:class:`~scma_alloc._convex.EdgeSumRateProblem` with the
    cap rows), kept when it beats the given point. The proxy that scores graphs in the
    search is the projected gradient of the alpha-fair step (alpha 0) with Dykstra's
    projection (:meth:`PowerCaps.project`).
    """

    polish_label = "conic"

    def polish(self, sub, x, options, monitor=None):
        from ._convex import EdgeSumRateProblem, solve_conic, solver_path
        from ._power import project_budget

        problem = self.problem
        caps = problem.caps
        x_new, values = x.copy(), problem.values(sub, x)
        rows = caps.rows(sub)
        solvers = solver_path(None if options is None else options.solvers)
        for b in range(sub.shape[0]):
            one = sub[b : b + 1]
            conic = EdgeSumRateProblem(sub[b], problem.n_resources, rows[b])
            conic.set_gains(problem.gains(one)[0])
            outcome = solve_conic(conic.problem, solvers)
            if monitor is not None:
                monitor.note_solver(outcome.ok, outcome.solver)
            if not outcome.ok:
                continue
            y = np.clip(conic.y.value.reshape(sub.shape[1:]), 0.0, None)
            y = caps.scale(project_budget(y)[None], one)
            value = problem.values(one, y)[0]
            if value > values[b]:
                x_new[b], values[b] = y[0], value
        return x_new, values
