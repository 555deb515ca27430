"""Greedy factor graphs: constructive heuristics used as baselines and as search starts.

* :func:`greedy_gain_assignment` — edges by decreasing channel gain (the B1 graph);
* :func:`greedy_sum_rate_assignment` — edges by largest sum-rate increase at equal
  power (the B2 graph, a start of the Max-SR search);
* :func:`greedy_fairness_assignment` — the user with the lowest current rate takes its
  best free resource (the B3 graph, a start of the Max-Min search).

Each one completes a graph that gets stuck with :func:`~scma_alloc.repair_assignment`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._graph import assignment_violations, repair_assignment

__all__ = [
    "greedy_fairness_assignment",
    "greedy_gain_assignment",
    "greedy_sum_rate_assignment",
]


def _greedy_gain_pass(g: np.ndarray, n_per_user: int, users_per_resource: int) -> np.ndarray:
    """One pass over the edges by decreasing gain; may leave users short of N."""
    n_resources, n_users = g.shape
    graph = np.zeros((n_resources, n_users), dtype=np.int8)
    degree = np.zeros(n_users, dtype=int)
    load = np.zeros(n_resources, dtype=int)
    # Stable sort of -gain on the row-major flattening: ties by resource, then user.
    for flat in np.argsort(-g.ravel(), kind="stable"):
        k, j = divmod(int(flat), n_users)
        if degree[j] < n_per_user and load[k] < users_per_resource:
            graph[k, j] = 1
            degree[j] += 1
            load[k] += 1
    return graph


def greedy_gain_assignment(
    gains: ArrayLike, n_per_user: int, users_per_resource: int
) -> np.ndarray:
    """Greedy factor graph by largest channel gain (the B1 stand-in).

    Edges ``(k, j)`` are visited by decreasing ``gains[k, j]`` (ties by resource, then
    user index); an edge is taken while user ``j`` has fewer than N resources and
    resource ``k`` fewer than d_f users. When ``J*N = K*d_f`` (the paper's 4 x 6) the
    pass often gets stuck (28 % of paper drops): a user still short of N finds free
    room only on a resource it already uses. The graph is then completed by
    :func:`~scma_alloc.repair_assignment`: the feasible graph that keeps as many edges
    of the pass as possible and, among those, prefers stronger edges.

    Parameters
    ----------
    gains : array_like, shape (K, J)
        Any quantity ordered like the channel gains (``|h|**2``, ``gamma``, SNR).
    n_per_user, users_per_resource : int
        N and d_f.

    Returns
    -------
    ndarray of int8, shape (K, J)
        A feasible factor graph.

    Examples
    --------
    >>> import numpy as np
    >>> g = greedy_gain_assignment(np.arange(24.0).reshape(4, 6), 2, 3)
    >>> g.sum(axis=0).tolist(), bool((g.sum(axis=1) <= 3).all())
    ([2, 2, 2, 2, 2, 2], True)
    """
    g = np.asarray(gains, dtype=float)
    if g.ndim != 2:
        raise ValueError(f"gains must be a 2-D (K, J) array, got shape {g.shape}")
    graph = _greedy_gain_pass(g, n_per_user, users_per_resource)
    if assignment_violations(graph, n_per_user, users_per_resource):
        # Scores: 1 per edge of the pass, plus < 1 in total for gain order, so the
        # number of kept edges comes first.
        ranks = np.empty(g.size)
        ranks[np.argsort(g.ravel(), kind="stable")] = np.arange(1, g.size + 1)
        tie_break = ranks.reshape(g.shape) / (g.size * (g.size + 1))
        graph = repair_assignment(graph + tie_break, n_per_user, users_per_resource)
    return graph


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
