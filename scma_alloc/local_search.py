"""Discrete codebook step: neighbourhood search over factor graphs.

Neighbours of a factor graph (edges ``sub[j, n]``: the n-th resource of user j):

* move: user j trades its resource ``k`` for a resource ``k'`` it does not use and
  that has a free slot (load < d_f);
* swap: users j and i exchange resources ``k`` (of j) and ``k'`` (of i), provided
  neither already uses the other's resource. Loads are unchanged.

Both keep the graph feasible. Max-SR candidates are scored by an exact objective at
a feasible point (the moved users re-water-fill against everybody else's fixed
power), so an accepted move never lowers the sum-rate; Max-Min candidates are scored
by the sequential water-filling power step of every candidate graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .monitor import Monitor
from .power import (
    _floors,
    _place_sequential,
    iterative_water_filling,
    max_min_upper_bound,
    sequential_max_min,
    water_fill,
)

__all__ = ["Neighbours", "max_min_local_search", "max_sr_local_search", "neighbours"]


@dataclass(frozen=True)
class Neighbours:
    """Candidate moves; ``user_b == -1`` marks a move (one user changes a resource)."""

    user_a: np.ndarray
    slot_a: np.ndarray
    new_a: np.ndarray
    user_b: np.ndarray
    slot_b: np.ndarray
    new_b: np.ndarray

    def __len__(self) -> int:
        return int(self.user_a.size)

    def apply(
        self, sub: np.ndarray, index: np.ndarray | None = None, sort: bool = True
    ) -> np.ndarray:
        """Graphs (C, J, N) of the candidates ``index`` (all by default).

        The changed resource takes the changed slot; with ``sort`` each user's
        resources are then sorted (the canonical form).
        """
        idx = np.arange(len(self)) if index is None else np.asarray(index)
        out = np.repeat(sub[None], idx.size, axis=0)
        rows = np.arange(idx.size)
        out[rows, self.user_a[idx], self.slot_a[idx]] = self.new_a[idx]
        swap = self.user_b[idx] >= 0
        out[rows[swap], self.user_b[idx][swap], self.slot_b[idx][swap]] = self.new_b[idx][swap]
        if sort:
            out.sort(axis=-1)
        return out


def neighbours(
    sub: np.ndarray,
    n_resources: int,
    users_per_resource: int,
    users: np.ndarray | None = None,
) -> Neighbours:
    """Every feasible move and swap of the graph ``sub`` (J, N).

    With ``users`` given, only candidates that change one of those users.
    """
    n_users, n_per_user = sub.shape
    member = np.zeros((n_resources, n_users), dtype=bool)
    member[sub, np.arange(n_users)[:, None]] = True
    load = member.sum(axis=1)
    edge_user = np.repeat(np.arange(n_users), n_per_user)
    edge_slot = np.tile(np.arange(n_per_user), n_users)
    edge_res = sub.ravel()
    focus = np.ones(n_users, dtype=bool) if users is None else np.isin(np.arange(n_users), users)

    # Moves: edge e -> free resource k' not used by its user.
    e_idx, k_new = np.nonzero(
        (load[None, :] < users_per_resource) & ~member.T[edge_user] & focus[edge_user][:, None]
    )
    moves = (edge_user[e_idx], edge_slot[e_idx], k_new)

    # Swaps between edges of different users on different resources.
    e1, e2 = np.triu_indices(edge_user.size, k=1)
    u1, u2 = edge_user[e1], edge_user[e2]
    r1, r2 = edge_res[e1], edge_res[e2]
    ok = (u1 != u2) & (r1 != r2) & ~member[r2, u1] & ~member[r1, u2] & (focus[u1] | focus[u2])
    e1, e2 = e1[ok], e2[ok]
    n_moves = moves[0].size
    return Neighbours(
        user_a=np.concatenate([moves[0], edge_user[e1]]),
        slot_a=np.concatenate([moves[1], edge_slot[e1]]),
        new_a=np.concatenate([moves[2], edge_res[e2]]),
        user_b=np.concatenate([np.full(n_moves, -1), edge_user[e2]]),
        slot_b=np.concatenate([np.full(n_moves, -1), edge_slot[e2]]),
        new_b=np.concatenate([np.full(n_moves, -1), edge_res[e1]]),
    )


def _received(a_edges: np.ndarray, sub: np.ndarray, x: np.ndarray, n_resources: int) -> np.ndarray:
    return np.bincount(sub.ravel(), weights=(a_edges * x).ravel(), minlength=n_resources)


def _score_sum_rate(
    snr: np.ndarray, sub: np.ndarray, x: np.ndarray, cand: Neighbours
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum-rate (nats) of each candidate at a feasible point; returns (value, x_a, x_b).

    The moved users drop their power, then re-water-fill (a first, then b) against
    everybody else's unchanged received power.
    """
    n_resources = snr.shape[0]
    n_cand = len(cand)
    rows = np.arange(n_cand)[:, None]
    a_edges = np.take_along_axis(snr, sub.T, axis=0).T  # (J, N)
    base = _received(a_edges, sub, x, n_resources)
    received = np.repeat(base[None], n_cand, axis=0)
    swap = cand.user_b >= 0
    ub = np.where(swap, cand.user_b, cand.user_a)  # placeholder for moves (masked below)
    # Remove the moving users' power.
    received[rows, sub[cand.user_a]] -= a_edges[cand.user_a] * x[cand.user_a]
    removal_b = np.where(swap[:, None], a_edges[ub] * x[ub], 0.0)
    received[rows, sub[ub]] -= removal_b
    np.maximum(received, 0.0, out=received)

    def refill(users: np.ndarray, slots: np.ndarray, new_res: np.ndarray, mask: np.ndarray):
        res = sub[users].copy()
        res[np.arange(n_cand), slots] = new_res
        gain = snr[res, users[:, None]]
        new_x = water_fill(_floors(received[rows, res], gain))
        new_x = np.where(mask[:, None], new_x, 0.0)
        received[rows, res] += gain * new_x
        return new_x

    x_a = refill(cand.user_a, cand.slot_a, cand.new_a, np.ones(n_cand, dtype=bool))
    x_b = refill(ub, np.where(swap, cand.slot_b, 0), np.where(swap, cand.new_b, sub[ub, 0]), swap)
    value = np.log1p(received).sum(axis=1)
    return value, x_a, x_b


def max_sr_local_search(
    snr: np.ndarray,
    sub: np.ndarray,
    users_per_resource: int,
    *,
    max_moves: int = 10_000,
    n_exact: int = 8,
    rtol: float = 1e-10,
    monitor: Monitor | None = None,
    outer: int = 0,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Best-improvement neighbourhood search for Max-SR from graph ``sub`` (J, N).

    Every candidate is scored at a feasible point (the moved users re-water-fill
    against the others' fixed power); the ``n_exact`` best candidates are then
    re-scored exactly, by multi-user water-filling started from those points, and
    the best is accepted if it beats the current optimum. Each accepted move is
    therefore an alternating iteration (codebook move, then exact power step) that
    strictly increases the sum-rate; the search stops at a graph no candidate beats.

    Returns
    -------
    sub, x, objective (nats), number of accepted moves
    """
    n_resources = snr.shape[0]
    sub = np.sort(sub, axis=-1)
    a_edges = np.take_along_axis(snr, sub.T, axis=0).T
    x, objective, _ = iterative_water_filling(a_edges[None], sub[None], n_resources)
    x, objective = x[0], float(objective[0])
    accepted = 0
    while accepted < max_moves:
        cand = neighbours(sub, n_resources, users_per_resource)
        if len(cand) == 0:
            break
        estimate, x_a, x_b = _score_sum_rate(snr, sub, x, cand)
        top = np.argsort(-estimate, kind="stable")[:n_exact]
        # Starting points of the exact re-scoring: the candidates' feasible points.
        x_start = np.repeat(x[None], top.size, axis=0)
        rows = np.arange(top.size)
        x_start[rows, cand.user_a[top]] = x_a[top]
        swap = cand.user_b[top] >= 0
        x_start[rows[swap], cand.user_b[top][swap]] = x_b[top][swap]
        graphs = cand.apply(sub, top, sort=False)
        order = np.argsort(graphs, axis=-1)
        graphs = np.take_along_axis(graphs, order, axis=-1)
        x_start = np.take_along_axis(x_start, order, axis=-1)
        gains = snr[graphs, np.arange(sub.shape[0])[None, :, None]]
        x_exact, value, _ = iterative_water_filling(gains, graphs, n_resources, x_start)
        best = int(np.argmax(value))
        if value[best] <= objective + rtol * (1.0 + abs(objective)):
            break
        sub, x, objective = graphs[best], x_exact[best], float(value[best])
        accepted += 1
        if monitor is not None and monitor.record(
            "local_search",
            outer=outer,
            inner=accepted,
            objective=objective,
            candidate=float(estimate[top[best]]),
            solver_status="water-filling",
        ):
            break
    return sub, x, objective, accepted


def max_min_local_search(
    snr: np.ndarray,
    sub: np.ndarray,
    order: np.ndarray,
    users_per_resource: int,
    *,
    max_moves: int = 10_000,
    max_candidates: int = 4096,
    rtol: float = 1e-7,
    monitor: Monitor | None = None,
    outer: int = 0,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Best-improvement neighbourhood search for Max-Min from graph ``sub`` (J, N).

    Every candidate graph is scored by :func:`~scma_alloc.power.sequential_max_min`
    (a feasible point, so the score is a true min-rate). When the full neighbourhood
    is larger than ``max_candidates``, only candidates that move the bottleneck user
    (the one whose budget binds) or a user sharing a resource with it are scored.

    Returns
    -------
    sub, x, min_rate (nats, sequential power step), number of accepted moves
    """
    n_resources = snr.shape[0]
    sub = np.sort(sub, axis=-1)

    def gains(graphs: np.ndarray) -> np.ndarray:
        return snr[graphs, np.arange(graphs.shape[1])[None, :, None]]

    x, t = sequential_max_min(gains(sub[None]), sub[None], order, n_resources, rtol=rtol)
    x, value = x[0], float(t[0])
    bound = float(max_min_upper_bound(gains(sub[None]))[0])
    accepted = 0
    while accepted < max_moves:
        cand = neighbours(sub, n_resources, users_per_resource)
        if len(cand) > max_candidates:
            spent = x.sum(axis=1)
            bottleneck = np.flatnonzero(spent >= spent.max() - 1e-9)
            shared = np.isin(sub, sub[bottleneck]).any(axis=1)
            cand = neighbours(sub, n_resources, users_per_resource, users=np.flatnonzero(shared))
        if len(cand) == 0:
            break
        graphs = cand.apply(sub)
        # Ties on the sequential value are broken by the interference-free upper
        # bound: a graph whose value is below its bound may gain in the SCP polish.
        bounds = max_min_upper_bound(gains(graphs))
        tie = value
        target = np.where(bounds > bound * (1.0 + 1e-9), tie, value * (1.0 + 10 * rtol) + 1e-12)
        # Screen: one feasibility test per graph; only survivors get the full search.
        better = np.zeros(len(cand), dtype=bool)
        for start in range(0, len(cand), max_candidates):
            chunk = slice(start, start + max_candidates)
            g = graphs[chunk]
            need = _place_sequential(gains(g), g, order, n_resources, target[chunk])[1]
            better[chunk] = need <= 1.0 + 1e-12
        improving = np.flatnonzero(better)
        if improving.size == 0:
            break
        g = graphs[improving]
        xs, scores = sequential_max_min(
            gains(g), g, order, n_resources, rtol=rtol, lower=target[improving]
        )
        improves = (scores > value * (1.0 + 10 * rtol)) | (
            (scores >= tie) & (bounds[improving] > bound * (1.0 + 1e-9))
        )
        if not improves.any():
            break
        # Best value first (to 1e-7 relative), then the largest bound.
        level = np.where(improves, np.round(scores / max(value, 1e-300), 7), -np.inf)
        best = int(np.lexsort((bounds[improving], level))[-1])
        sub, x, value = g[best], xs[best], float(scores[best])
        bound = float(bounds[improving][best])
        accepted += 1
        if monitor is not None and monitor.record(
            "local_search",
            outer=outer,
            inner=accepted,
            objective=value,
            candidate=value,
            solver_status="sequential water-filling",
        ):
            break
    return sub, x, value, accepted
