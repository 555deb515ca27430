"""Codebook (factor-graph) steps: repair, rounding, starting graphs, relaxed SCP problems.

* :func:`repair_assignment` returns the feasible binary F that maximises a linear
  score (a bipartite b-matching; its LP is totally unimodular, solved exactly by
  HiGHS), used to repair a rounded relaxation and to complete greedy graphs.
* :func:`greedy_sum_rate_assignment` adds edges by largest sum-rate increase at
  equal power (the B2 stand-in and a start of the default solver).
* :func:`greedy_fairness_assignment` serves the user with the lowest rate first
  (the B3 stand-in and a start of the default Max-Min solver).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .factor_graph import assignment_violations

__all__ = [
    "greedy_fairness_assignment",
    "greedy_sum_rate_assignment",
    "random_assignment",
    "repair_assignment",
    "round_assignment",
]


def repair_assignment(scores: np.ndarray, n_per_user: int, users_per_resource: int) -> np.ndarray:
    """Feasible binary F maximising ``sum(scores * F)``.

    Each user gets exactly N resources, each resource at most d_f users. The
    constraint matrix is the incidence matrix of a bipartite graph, hence totally
    unimodular: every vertex of the LP is integral, and HiGHS' dual simplex returns a
    vertex (``scipy.optimize.linprog``). A non-integral answer (never seen) falls back
    to the mixed-integer solver.
    """
    scores = np.asarray(scores, dtype=float)
    n_resources, n_users = scores.shape
    n = n_resources * n_users
    # Variable order: F.ravel() (row-major: index k*J + j).
    per_user = np.zeros((n_users, n))
    per_resource = np.zeros((n_resources, n))
    for k in range(n_resources):
        per_resource[k, k * n_users : (k + 1) * n_users] = 1.0
        per_user[np.arange(n_users), k * n_users + np.arange(n_users)] = 1.0
    result = linprog(
        -scores.ravel(),
        A_ub=per_resource,
        b_ub=np.full(n_resources, users_per_resource),
        A_eq=per_user,
        b_eq=np.full(n_users, n_per_user),
        bounds=(0, 1),
        method="highs-ds",
    )
    if result.x is None:
        raise ValueError("no feasible factor graph for these sizes")
    values = result.x
    if np.abs(values - np.rint(values)).max() > 1e-6:  # pragma: no cover - TU: not expected
        values = milp(
            -scores.ravel(),
            constraints=[
                LinearConstraint(per_user, n_per_user, n_per_user),
                LinearConstraint(per_resource, 0, users_per_resource),
            ],
            bounds=Bounds(0, 1),
            integrality=np.ones(n),
        ).x
    graph = np.rint(values).reshape(n_resources, n_users).astype(np.int8)
    if assignment_violations(graph, n_per_user, users_per_resource):  # pragma: no cover
        raise RuntimeError("factor-graph repair produced an infeasible graph")
    return graph


def round_assignment(
    relaxed: np.ndarray, n_per_user: int, users_per_resource: int
) -> tuple[np.ndarray, bool]:
    """Round a relaxed F at 1/2; repair it if rounding broke feasibility.

    Returns
    -------
    graph : ndarray of int8
    repaired : bool
        True when the rounded matrix was infeasible and was repaired to the feasible
        graph closest to the relaxed one (max ``sum(relaxed * F)``).
    """
    rounded = (np.asarray(relaxed) >= 0.5).astype(np.int8)
    if not assignment_violations(rounded, n_per_user, users_per_resource):
        return rounded, False
    return repair_assignment(relaxed, n_per_user, users_per_resource), True


def random_assignment(
    n_resources: int,
    n_users: int,
    n_per_user: int,
    users_per_resource: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """A random feasible factor graph (users in random order pick among free resources)."""
    for _ in range(50):
        graph = np.zeros((n_resources, n_users), dtype=np.int8)
        load = np.zeros(n_resources, dtype=int)
        ok = True
        for j in rng.permutation(n_users):
            free = np.flatnonzero(load < users_per_resource)
            if free.size < n_per_user:
                ok = False
                break
            # Prefer the least-loaded resources half of the time to avoid dead ends.
            pick = rng.choice(free, size=n_per_user, replace=False)
            graph[pick, j] = 1
            load[pick] += 1
        if ok:
            return graph
    return repair_assignment(rng.random((n_resources, n_users)), n_per_user, users_per_resource)


def greedy_sum_rate_assignment(
    snr_at_budget: np.ndarray, n_per_user: int, users_per_resource: int
) -> np.ndarray:
    """Greedy factor graph by largest sum-rate increase at equal power ``Pmax/N``.

    Repeatedly adds the feasible edge (user below N resources, resource below d_f
    users) that most increases ``sum_k log(1 + sum_j a[k, j] / N)``. If the greedy
    order leaves a user unable to complete (its free resources are all taken), the
    graph is completed by :func:`repair_assignment`, keeping every greedy edge it can.
    """
    a = np.asarray(snr_at_budget, dtype=float) / n_per_user
    n_resources, n_users = a.shape
    graph = np.zeros((n_resources, n_users), dtype=np.int8)
    received = np.zeros(n_resources)
    degree = np.zeros(n_users, dtype=int)
    load = np.zeros(n_resources, dtype=int)
    for _ in range(n_users * n_per_user):
        allowed = (
            (graph == 0) & (degree[None, :] < n_per_user) & (load[:, None] < users_per_resource)
        )
        if not allowed.any():
            break
        gain = np.log1p(received[:, None] + a) - np.log1p(received[:, None])
        gain = np.where(allowed, gain, -np.inf)
        k, j = np.unravel_index(np.argmax(gain), gain.shape)
        graph[k, j] = 1
        received[k] += a[k, j]
        degree[j] += 1
        load[k] += 1
    if assignment_violations(graph, n_per_user, users_per_resource):
        tie_break = np.log1p(a) / (1.0 + np.log1p(a).max())
        graph = repair_assignment(graph + 1e-3 * tie_break, n_per_user, users_per_resource)
    return graph


def greedy_fairness_assignment(
    snr_at_budget: np.ndarray, order: np.ndarray, n_per_user: int, users_per_resource: int
) -> np.ndarray:
    """Fairness greedy (the B3 stand-in): serve the user with the lowest current rate.

    At equal power ``Pmax/N`` per edge and SIC decoding, repeatedly pick the user with
    the lowest current rate among those with fewer than N resources (ties: weaker user
    first) and give it the free resource where its SIC rate increase is largest.
    Completed by :func:`repair_assignment` if the greedy order gets stuck.
    """
    a = np.asarray(snr_at_budget, dtype=float) / n_per_user
    n_resources, n_users = a.shape
    rank = np.empty(n_users, dtype=int)
    rank[order] = np.arange(n_users)
    graph = np.zeros((n_resources, n_users), dtype=np.int8)
    degree = np.zeros(n_users, dtype=int)
    load = np.zeros(n_resources, dtype=int)
    rate = np.zeros(n_users)
    for _ in range(n_users * n_per_user):
        waiting = np.flatnonzero(degree < n_per_user)
        if waiting.size == 0:
            break
        user = waiting[np.lexsort((rank[waiting], rate[waiting]))[0]]
        free = (graph[:, user] == 0) & (load < users_per_resource)
        if not free.any():
            break
        # Interference from weaker users already on each resource (SIC).
        weaker = (rank < rank[user])[None, :] & (graph == 1)
        interference = (a * weaker).sum(axis=1)
        gain = np.where(free, np.log1p(a[:, user] / (1.0 + interference)), -np.inf)
        k = int(np.argmax(gain))
        graph[k, user] = 1
        degree[user] += 1
        load[k] += 1
        rate[user] += gain[k]
    if assignment_violations(graph, n_per_user, users_per_resource):
        tie_break = np.log1p(a) / (1.0 + np.log1p(a).max())
        graph = repair_assignment(graph + 1e-3 * tie_break, n_per_user, users_per_resource)
    return graph


def penalty(relaxed: np.ndarray) -> float:
    """``sum(F**2 - F)`` (<= 0 on [0, 1], zero iff F is binary)."""
    f = np.asarray(relaxed, dtype=float)
    return float(np.sum(f * f - f))
