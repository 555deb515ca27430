"""The paper's Algorithms 1 and 2, faithfully: alternating codebook/power SCP steps.

Spec §4 (restored): F relaxed to [0, 1] with the exact penalty ``eta * sum(F**2 - F)``
linearised at the current point (Lemma 1); P fixed in the codebook step, F fixed in
the power step; trust-region SCP inner loops (radius x1.5 on success up to 2, x0.8 on
failure, at most ``max_inner`` iterations, tolerance ``scp_tol``); outer loop until F
and F∘P change by less than ``tol`` (Frobenius) or ``max_outer`` iterations; then
rounding, repair, and a last power step on the binary graph. Max-Min uses the
tangent upper bound of the subtracted interference term (Lemmas 2, 3) in both steps.

Decision (documented in docs/scma_alloc.md): the codebook subproblem keeps the one
joint constraint that involves F, the per-user budget ``sum_k F P <= Pmax`` (linear in
F for fixed P). Without it a codebook step may overspend and the alternation is
not monotone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ._graph import round_assignment
from ._options import PaperOptions
from ._power import iterative_water_filling, scp_power, sequential_max_min, sic_edge_min_rate
from ._rates import edge_index, edges_to_dense, gather_edges, sic_user_rates_nats
from ._result import MethodOutcome, Monitor
from ._scenario import Scenario
from ._scp import TrustRegion, scp_loop

__all__ = ["paper_max_min", "paper_max_sr", "penalty"]

_SUPPORT_EPS = 1e-9
#: Stop iterating after this many surrogate solves failed on every solver.
_GIVE_UP = 6


def penalty(relaxed: np.ndarray) -> float:
    """``sum(F**2 - F)`` (<= 0 on [0, 1], zero iff F is binary)."""
    f = np.asarray(relaxed, dtype=float)
    return float(np.sum(f * f - f))


@lru_cache(maxsize=32)
def _sum_rate_codebook(k: int, j: int, n: int, d: int) -> Any:
    from ._convex import RelaxedSumRateCodebookProblem

    return RelaxedSumRateCodebookProblem(k, j, n, d)


@lru_cache(maxsize=32)
def _max_min_codebook(k: int, j: int, n: int, d: int) -> Any:
    from ._convex import RelaxedMaxMinCodebookProblem

    return RelaxedMaxMinCodebookProblem(k, j, n, d)


@lru_cache(maxsize=32)
def _max_min_power(k: int, j: int) -> Any:
    from ._convex import RelaxedMaxMinPowerProblem

    return RelaxedMaxMinPowerProblem(k, j)


def _initial_point(
    scenario: Scenario, initial: tuple[np.ndarray, np.ndarray | None] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Spec §4: ``F = min(d_f/J, N/K)`` everywhere, ``P = Pmax/K``, unless given."""
    k, j, n, d = scenario.sizes
    f = np.full((k, j), min(d / j, n / k))
    p = np.full((k, j), 1.0 / k)
    if initial is not None:
        f = np.asarray(initial[0], dtype=float)
        if initial[1] is not None:
            p = np.asarray(initial[1], dtype=float)
    return f, p


def _scp_settings(options: PaperOptions, monitor: Monitor) -> dict:
    """Keyword arguments of :func:`~scma_alloc._scp.scp_loop` shared by every step."""
    return {
        "solvers": options.solvers,
        "max_iter": options.max_inner,
        "tol": options.scp_tol,
        "monitor": monitor,
        "give_up": _GIVE_UP,
    }


def _power_fraction(f: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P / Pmax from the effective fractions ``y = F * P / Pmax`` (0 off the support)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(f > _SUPPORT_EPS, y / np.maximum(f, _SUPPORT_EPS), 0.0)


def _changed(new: np.ndarray, old: np.ndarray, tol: float) -> bool:
    return float(np.linalg.norm(new - old)) >= tol


def _relaxed_water_filling(
    a: np.ndarray, f: np.ndarray, y0: np.ndarray
) -> tuple[np.ndarray, float]:
    """Max-SR power step with a relaxed F: water-filling over the support of F."""
    k, j = a.shape
    a_edges = np.where(f > _SUPPORT_EPS, a, 0.0).T[None]  # (1, J, K)
    sub = np.broadcast_to(np.arange(k), (1, j, k))
    x, objective, _ = iterative_water_filling(a_edges, sub, k, y0.T[None])
    return x[0].T, float(objective[0])


def paper_max_sr(
    scenario: Scenario,
    options: PaperOptions,
    monitor: Monitor,
    initial: tuple[np.ndarray, np.ndarray | None] | None = None,
) -> MethodOutcome:
    """Algorithm 1 (Max-SR). Powers of the relaxed steps by iterative water-filling."""
    a = scenario.snr_at_budget
    k, j, n, d = scenario.sizes
    problem = _sum_rate_codebook(k, j, n, d)
    f, p = _initial_point(scenario, initial)
    y = f * p
    eta = options.eta
    reason = "iteration_limit"
    outer = 0

    def true_objective(f: np.ndarray, q: np.ndarray) -> float:
        return float(np.log1p((q * f).sum(axis=1)).sum() + eta * penalty(f))

    scp = _scp_settings(options, monitor)

    for outer in range(1, options.max_outer + 1):
        f_prev, y_prev = f, y
        p = _power_fraction(f, y)
        q = a * p
        f, _, _, why = scp_loop(
            lambda f0, radius, q=q, p=p: problem.set_point(
                q, f0, p, eta * (2.0 * f0 - 1.0), radius
            ),
            problem.problem,
            lambda: np.clip(problem.f.value, 0.0, 1.0),
            lambda f, q=q: true_objective(f, q),
            f,
            stage="codebook",
            outer=outer,
            penalty=penalty,
            surrogate_shift=lambda f0: -eta * float(np.sum(f0**2)),
            trust=TrustRegion.from_options(options),
            **scp,
        )
        if why in ("stopped", "solver_failed"):
            return _finish_sr(scenario, f, f * p, why, outer, monitor)
        y = f * p
        y, sum_rate = _relaxed_water_filling(a, f, _feasible_fractions(y))
        if monitor.record(
            "power",
            outer=outer,
            objective=sum_rate + eta * penalty(f),
            penalty=penalty(f),
            solver_status="water-filling",
        ):
            return _finish_sr(scenario, f, y, "stopped", outer, monitor)
        if not _changed(f, f_prev, options.tol) and not _changed(y, y_prev, options.tol):
            reason = "converged"
            break
    return _finish_sr(scenario, f, y, reason, outer, monitor)


def _feasible_fractions(y: np.ndarray) -> np.ndarray:
    total = y.sum(axis=0, keepdims=True)
    return np.where(total > 1.0, y / np.maximum(total, 1e-300), y)


def _finish_sr(
    scenario: Scenario, f: np.ndarray, y: np.ndarray, reason: str, outer: int, monitor: Monitor
) -> MethodOutcome:
    graph, repaired = round_assignment(f, scenario.n_per_user, scenario.users_per_resource)
    monitor.record(
        "rounding", outer=outer, penalty=0.0, solver_status="repaired" if repaired else "rounded"
    )
    sub = edge_index(graph, scenario.n_per_user)
    a_edges = gather_edges(scenario.snr_at_budget, sub)
    x, objective, _ = iterative_water_filling(a_edges[None], sub[None], scenario.n_resources)
    monitor.record(
        "final_power", outer=outer, objective=float(objective[0]), solver_status="water-filling"
    )
    return MethodOutcome(
        graph, edges_to_dense(x[0], sub, scenario.n_resources), reason, outer, repaired
    )


def _min_rate_ranked(received_ranked: np.ndarray) -> float:
    """Min SIC rate (nats) of a received-SNR matrix whose columns are in rank order."""
    return float(sic_user_rates_nats(received_ranked, np.arange(received_ranked.shape[1])).min())


def paper_max_min(
    scenario: Scenario,
    options: PaperOptions,
    monitor: Monitor,
    initial: tuple[np.ndarray, np.ndarray | None] | None = None,
) -> MethodOutcome:
    """Algorithm 2 (Max-Min) with the valid tangent bound in both steps."""
    order = scenario.decoding_order
    a = scenario.snr_at_budget[:, order]  # columns in rank order (weakest first)
    k, j, n, d = scenario.sizes
    codebook = _max_min_codebook(k, j, n, d)
    power = _max_min_power(k, j)
    scp = _scp_settings(options, monitor)
    f, p = _initial_point(scenario, initial)
    f, p = f[:, order], p[:, order]
    y = f * p
    eta = options.eta
    reason = "iteration_limit"
    outer = 0

    def unrank(matrix: np.ndarray) -> np.ndarray:
        out = np.empty_like(matrix)
        out[:, order] = matrix
        return out

    for outer in range(1, options.max_outer + 1):
        f_prev, y_prev = f, y
        p = _power_fraction(f, y)
        q = a * p
        f, _, _, why = scp_loop(
            lambda f0, radius, q=q, p=p: codebook.set_point(
                q, f0, p, eta * (2.0 * f0 - 1.0), radius
            ),
            codebook.problem,
            lambda: np.clip(codebook.f.value, 0.0, 1.0),
            lambda f, q=q: _min_rate_ranked(q * f) + eta * penalty(f),
            f,
            stage="codebook",
            outer=outer,
            penalty=penalty,
            surrogate_shift=lambda f0: -eta * float(np.sum(f0**2)),
            trust=TrustRegion.from_options(options),
            **scp,
        )
        if why in ("stopped", "solver_failed"):
            return _finish_mm(scenario, unrank(f), unrank(f * p), why, outer, monitor, options)
        support = (f > _SUPPORT_EPS).astype(float)
        shift = eta * penalty(f)
        y, _, _, why = scp_loop(
            lambda y0, radius, support=support: power.set_point(a, support, y0, radius),
            power.problem,
            lambda support=support: _feasible_fractions(
                np.clip(power.y.value, 0.0, None) * support
            ),
            lambda y, shift=shift: _min_rate_ranked(a * y) + shift,
            _feasible_fractions(f * p),
            stage="power",
            outer=outer,
            penalty=lambda _, shift=shift: shift / eta,
            surrogate_shift=lambda _, shift=shift: shift,
            trust=TrustRegion.from_options(options),
            **scp,
        )
        if why in ("stopped", "solver_failed"):
            return _finish_mm(scenario, unrank(f), unrank(y), why, outer, monitor, options)
        if not _changed(f, f_prev, options.tol) and not _changed(y, y_prev, options.tol):
            reason = "converged"
            break
    return _finish_mm(scenario, unrank(f), unrank(y), reason, outer, monitor, options)


def _min_rate_problem(scenario: Scenario) -> Any:
    from ._objectives import Problem
    from ._rates import rate_model

    return Problem(scenario, "min_rate", rate_model(scenario, None))


def _finish_mm(
    scenario: Scenario,
    f: np.ndarray,
    y: np.ndarray,
    reason: str,
    outer: int,
    monitor: Monitor,
    options: PaperOptions,
) -> MethodOutcome:
    graph, repaired = round_assignment(f, scenario.n_per_user, scenario.users_per_resource)
    monitor.record("rounding", outer=outer, solver_status="repaired" if repaired else "rounded")
    sub = edge_index(graph, scenario.n_per_user)
    a_edges = gather_edges(scenario.snr_at_budget, sub)
    x0 = _feasible_fractions(gather_edges(y, sub).T).T
    if reason == "solver_failed":
        # No conic solver works: keep the better of the current point and the
        # sequential water-filling power (numpy, always available).
        x_seq, _ = sequential_max_min(
            a_edges[None], sub[None], scenario.decoding_order, scenario.n_resources
        )
        order, k = scenario.decoding_order, scenario.n_resources
        current = sic_edge_min_rate(a_edges, sub, x0, order, k)
        if sic_edge_min_rate(a_edges, sub, x_seq[0], order, k) > current:
            x0 = x_seq[0]
    if reason not in ("stopped", "solver_failed"):
        x0 = scp_power(
            _min_rate_problem(scenario),
            sub,
            x0,
            solvers=options.solvers,
            max_iter=options.max_inner,
            tol=options.scp_tol,
            trust=TrustRegion.from_options(options),
            monitor=monitor,
            stage="final_power",
            outer=outer,
        )[0]
    return MethodOutcome(
        graph, edges_to_dense(x0, sub, scenario.n_resources), reason, outer, repaired
    )
