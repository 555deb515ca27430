"""The default method: alternating optimisation with a discrete codebook step.

One search serves every objective and rate model (a
:class:`~scma_alloc._objectives.Problem` and its
:class:`~scma_alloc._power.PowerStep`):

* **Starts.** The caller's ``initial`` graph, the greedy graph of the objective (the
  sum-rate greedy B2 or the fairness greedy B3), the regular graph F0 and random
  graphs.
* **Local search** (:func:`local_search`). All starts walk together, as one batch:
  each round scores every neighbour of every current graph — a *move* (a user trades a
  resource for a free one) or a *swap* (two users exchange resources), both keeping the
  graph feasible — and each walk takes its best improving neighbour(s). Each accepted
  move is one alternating iteration (codebook move, then the power step on the new
  graph) that strictly increases the objective.

  - sum-rate under SIC: every neighbour is scored at a feasible point (the moved
    users re-water-fill against everybody else, evaluated on the few resources that
    change); a walk takes its improving neighbours greedily by score, as many as touch
    disjoint resources (their gains add up exactly). A walk whose neighbours' scores
    no longer beat it is water-filled exactly (all such walks together) and walks on
    if that helps, so it ends at a graph whose exact optimum no neighbour's score
    beats;
  - min-rate: a screen keeps the neighbours whose power-step proxy can beat the
    current value, which are then scored by the proxy; ties are broken by the
    interference-free upper bound. Walks race: one that falls more than 10 % below
    the best walk stops;
  - coupled sum-rate: every neighbour is scored by the proxy.
* **Polish** (non-exact power steps): the ``n_polish`` best graphs of the pool (every
  start and every local optimum) are polished from their proxy points and from an
  equal split of the budgets — min-rate by the batched barrier Newton method of
  :mod:`scma_alloc._barrier`, the coupled sum-rate by SCP — and the best point found
  is returned. Min-rate: the proxy misranks graphs, so the neighbours of the best
  graph whose users-alone bound beats the best value are polished too (in the same
  batch), and ``polish_moves`` more such rounds follow from the best polished graph.

``docs/scma_alloc.md`` measures it against the exhaustive references.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._graph import random_edges, regular_factor_graph
from ._greedy import greedy_fairness_assignment, greedy_sum_rate_assignment
from ._objectives import Problem
from ._options import AlternatingOptions
from ._power import (
    PowerStep,
    SumRateSIC,
    floors_of,
    iterative_water_filling,
    solo_rates,
    water_fill,
)
from ._rates import edge_index, edges_to_dense, graph_of, resource_totals
from ._result import MethodOutcome, Monitor

__all__ = ["Neighbours", "alternating_search", "local_search", "neighbours"]

#: Relative margin a neighbour must beat the current value by to be accepted.
_RTOL = {True: 1e-10, False: 1e-7}  # exact power step / proxy
#: Min-rate: above this many neighbours per graph, only moves near the bottleneck.
_MAX_CANDIDATES = 4096
#: Min-rate: neighbours polished per round of the polished search, at most, and the
#: work (graphs x edges cubed) allowed per round on large graphs.
_MAX_POLISHED, _POLISH_WORK = 64, 2e7
#: Min-rate: a walk more than this fraction below the best walk stops (it has never
#: been seen to overtake: measured on 4 x 6 to 32 x 48, the fairness greedy's walk
#: ends best and in few moves, while F0's takes dozens of moves to end lower).
_RACE = 0.1


# --------------------------------------------------------------------------- neighbours
@dataclass(frozen=True)
class Neighbours:
    """Candidate moves of a batch of graphs, grouped by graph (``graph`` ascending).

    ``user_b == -1`` marks a move (one user changes a resource); otherwise users ``a``
    and ``b`` swap the resources in their slots ``slot_a`` and ``slot_b``.
    """

    graph: np.ndarray
    user_a: np.ndarray
    slot_a: np.ndarray
    new_a: np.ndarray
    user_b: np.ndarray
    slot_b: np.ndarray
    new_b: np.ndarray

    def __len__(self) -> int:
        return int(self.graph.size)

    def take(self, index: np.ndarray) -> Neighbours:
        """The candidates ``index`` (kept in their order)."""
        return Neighbours(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    def apply(self, sub: np.ndarray, sort: bool = True) -> np.ndarray:
        """The graphs (C, J, N) of the candidates, from the batch ``sub`` (S, J, N).

        The changed resource takes the changed slot; with ``sort`` each user's
        resources are then sorted (the canonical form).
        """
        out = sub[self.graph].copy()
        rows = np.arange(len(self))
        out[rows, self.user_a, self.slot_a] = self.new_a
        swap = self.user_b >= 0
        out[rows[swap], self.user_b[swap], self.slot_b[swap]] = self.new_b[swap]
        if sort:
            out.sort(axis=-1)
        return out


@lru_cache(maxsize=32)
def _edge_pairs(n_users: int, n_per_user: int) -> tuple[np.ndarray, ...]:
    """Static index arrays of the edges of a J x N graph and of its swap pairs."""
    edge_user = np.repeat(np.arange(n_users), n_per_user)
    edge_slot = np.tile(np.arange(n_per_user), n_users)
    e1, e2 = np.triu_indices(edge_user.size, k=1)
    keep = edge_user[e1] != edge_user[e2]
    e1, e2 = e1[keep], e2[keep]
    return edge_user, edge_slot, e1, e2, edge_user[e1], edge_user[e2]


def neighbours(
    sub: np.ndarray,
    n_resources: int,
    users_per_resource: int,
    focus: np.ndarray | None = None,
) -> Neighbours:
    """Every move and swap of every graph of a batch ``sub`` (S, J, N).

    ``focus`` (S, J), when given, keeps the candidates that change at least one focus
    user.
    """
    n_graphs, n_users, n_per_user = sub.shape
    rows = np.arange(n_graphs)[:, None]
    member = np.zeros((n_graphs, n_resources, n_users), dtype=bool)
    member[rows[:, :, None], sub, np.arange(n_users)[None, :, None]] = True
    edge_user, edge_slot, e1, e2, u1, u2 = _edge_pairs(n_users, n_per_user)
    edge_res = sub.reshape(n_graphs, -1)  # (S, E)

    # Swaps between edges of different users on different resources.
    r1, r2 = edge_res[:, e1], edge_res[:, e2]
    ok = (r1 != r2) & ~member[rows, r2, u1[None, :]] & ~member[rows, r1, u2[None, :]]
    if focus is not None:
        ok &= focus[:, u1] | focus[:, u2]
    g_s, p_s = np.nonzero(ok)
    swaps = (
        g_s,
        u1[p_s],
        edge_slot[e1[p_s]],
        r2[g_s, p_s],
        u2[p_s],
        edge_slot[e2[p_s]],
        r1[g_s, p_s],
    )
    # Moves: edge e -> a resource with a free slot that its user does not use.
    free = member.sum(axis=2) < users_per_resource  # (S, K)
    if not free.any():  # every resource full (J N = K d_f): swaps only
        return Neighbours(*swaps)
    movable = free[:, None, :] & ~np.swapaxes(member, 1, 2)[:, edge_user, :]  # (S, E, K)
    if focus is not None:
        movable &= focus[:, edge_user][:, :, None]
    g_m, e_m, k_m = np.nonzero(movable)
    none = np.full(g_m.size, -1)
    moves = (g_m, edge_user[e_m], edge_slot[e_m], k_m, none, none, none)
    graph = np.concatenate([g_m, g_s])
    order = np.argsort(graph, kind="stable")
    return Neighbours(*(np.concatenate([m, w])[order] for m, w in zip(moves, swaps, strict=True)))


def _best_per_graph(graph: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For candidates grouped by ``graph``, the index of the largest ``keys`` (last key
    first, as :func:`numpy.lexsort`) in each group. Returns ``(graphs, index)``."""
    order = np.lexsort((*keys, graph))
    last = np.r_[graph[order][1:] != graph[order][:-1], True]
    return graph[order][last], order[last]


# --------------------------------------------------------------------------- sum-rate, SIC
@lru_cache(maxsize=16)
def _other_slots(n_per_user: int) -> np.ndarray:
    """``others[s]``: the slots of a user other than ``s``, shape (N, N - 1)."""
    others = [[m for m in range(n_per_user) if m != s] for s in range(n_per_user)]
    return np.array(others, dtype=np.intp).reshape(n_per_user, n_per_user - 1)


def refill_estimates(
    problem: Problem,
    sub: np.ndarray,
    x: np.ndarray,
    totals: np.ndarray,
    value: np.ndarray,
    cand: Neighbours,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sum-rate (nats) of each neighbour at a feasible point, under SIC.

    The moved users drop their power, then re-water-fill (user a, then user b) against
    everybody else's unchanged received power; only the resources they leave or join
    change, so the new sum-rate is the current one plus the change of ``log(1 + S)``
    on those few resources. A swap exchanges resources ``ka`` (of a) and ``kb`` (of b);
    neither user used the other's, so the only resources both touch are their other
    resources, which they may share.

    Returns ``(value, x_a, x_b, touched)``: ``x_a``, ``x_b`` (C, N) are the moved
    users' new fractions in their changed slot order, ``touched`` (C, 2N) the resources
    each neighbour changes (a resource may repeat).
    """
    snr = problem.snr
    n_per_user = sub.shape[2]
    g = cand.graph
    rows = np.arange(len(cand))[:, None]
    swap = (cand.user_b >= 0)[:, None]
    ua, sa = cand.user_a, cand.slot_a
    ub = np.where(swap[:, 0], cand.user_b, ua)  # moves: a placeholder, masked below
    sb = np.where(swap[:, 0], cand.slot_b, sa)
    others = _other_slots(n_per_user)
    oa, ob = others[sa], others[sb]  # (C, N-1) slots
    res_a, res_b = sub[g, ua], sub[g, ub]  # (C, N) current resources
    q_a = snr[res_a, ua[:, None]] * x[g, ua]
    q_b = np.where(swap, snr[res_b, ub[:, None]] * x[g, ub], 0.0)
    ra_other, rb_other = res_a[rows, oa], res_b[rows, ob]  # (C, N-1)
    share = swap[:, :, None] & (ra_other[:, :, None] == rb_other[:, None, :])
    ka, kb = res_a[rows[:, 0], sa], cand.new_a  # a leaves ka for kb (b's, or a free one)
    qa_k, qb_k = q_a[rows[:, 0], sa], q_b[rows[:, 0], sb]
    qa_o, qb_o = q_a[rows, oa], q_b[rows, ob]
    # What a sees on its new resources (its others, then kb), both users removed.
    seen_a = np.empty((len(cand), n_per_user))
    seen_a[rows, oa] = totals[g[:, None], ra_other] - qa_o - (share * qb_o[:, None, :]).sum(2)
    seen_a[rows[:, 0], sa] = totals[g, kb] - qb_k
    res_a_new = res_a.copy()
    res_a_new[rows[:, 0], sa] = kb
    gain_a = snr[res_a_new, ua[:, None]]
    x_a = water_fill(floors_of(np.maximum(seen_a, 0.0), gain_a))
    new_a = gain_a * x_a
    na_o = new_a[rows, oa]
    # What b sees on its new resources (its others, then ka): a's new power included.
    seen_b = np.empty((len(cand), n_per_user))
    seen_b[rows, ob] = (
        totals[g[:, None], rb_other] - qb_o + (share * (na_o - qa_o)[:, :, None]).sum(1)
    )
    seen_b[rows[:, 0], sb] = totals[g, ka] - qa_k
    res_b_new = res_b.copy()
    res_b_new[rows[:, 0], sb] = ka
    gain_b = snr[res_b_new, ub[:, None]]
    x_b = np.where(swap, water_fill(floors_of(np.maximum(seen_b, 0.0), gain_b)), 0.0)
    new_b = gain_b * x_b
    nb_o = new_b[rows, ob]
    # The change of log(1 + S): ka, kb, a's others (with b's share), b's own others.
    change_a_o = na_o - qa_o + (share * (nb_o - qb_o)[:, None, :]).sum(2)
    change_b_o = np.where(share.any(1), 0.0, nb_o - qb_o)
    touched = np.concatenate([ka[:, None], kb[:, None], ra_other, rb_other], axis=1)
    change = np.concatenate(
        [
            (new_b[rows[:, 0], sb] - qa_k)[:, None],
            (new_a[rows[:, 0], sa] - qb_k)[:, None],
            change_a_o,
            change_b_o,
        ],
        axis=1,
    )
    before = totals[g[:, None], touched]
    gain = (np.log1p(np.maximum(before + change, 0.0)) - np.log1p(before)).sum(axis=1)
    return value[g] + gain, x_a, x_b, touched


class _Scores:
    """The scores of the walks' neighbours (sum-rate under SIC), kept between rounds.

    A neighbour's score is its gain at a feasible point (:func:`refill_estimates`). After
    a round, a walk's gains stay exact for the swaps between users that do not share a
    resource with what moved (their powers and the totals they see are unchanged); only
    the others are scored again. With free slots (moves) or after a water-filling, every
    neighbour of the walk is scored again.
    """

    def __init__(self, n_walks: int, n_users: int) -> None:
        self.cand: Neighbours | None = None
        self.gain = self.x_a = self.x_b = self.touched = None
        self.dirty = np.ones((n_walks, n_users), dtype=bool)  # users to score again

    def forget(self, walks: np.ndarray) -> None:
        """Score every neighbour of ``walks`` again (their powers changed)."""
        self.dirty[walks] = True

    def refresh(
        self,
        problem: Problem,
        sub: np.ndarray,
        x: np.ndarray,
        value: np.ndarray,
        walks: np.ndarray,
    ) -> None:
        """Scores of every neighbour of ``walks`` (absolute ids), reusing clean ones."""
        k, d = problem.n_resources, problem.users_per_resource
        fresh = neighbours(sub[walks], k, d, self.dirty[walks])
        fresh = Neighbours(walks[fresh.graph], *(getattr(fresh, f) for f in _FIELDS[1:]))
        totals = resource_totals(problem.gains(sub) * x, sub, k)
        estimate, x_a, x_b, touched = refill_estimates(problem, sub, x, totals, value, fresh)
        gain = estimate - value[fresh.graph]
        if self.cand is not None and len(self.cand):
            old = self.cand
            wanted = np.isin(old.graph, walks)
            clean = (
                ~self.dirty[old.graph, old.user_a]
                & ~self.dirty[old.graph, np.maximum(old.user_b, 0)]
            )
            keep = np.flatnonzero(wanted & clean & (old.user_b >= 0))
            fresh = Neighbours(*(np.r_[getattr(old, f)[keep], getattr(fresh, f)] for f in _FIELDS))
            gain = np.r_[self.gain[keep], gain]
            x_a, x_b = np.r_[self.x_a[keep], x_a], np.r_[self.x_b[keep], x_b]
            touched = np.r_[self.touched[keep], touched]
        self.cand, self.gain, self.x_a, self.x_b, self.touched = fresh, gain, x_a, x_b, touched
        self.dirty[walks] = False

    def improve(
        self,
        problem: Problem,
        sub: np.ndarray,
        x: np.ndarray,
        value: np.ndarray,
        walks: np.ndarray,
        rtol: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each walk takes its improving neighbours greedily by gain, skipping any that
        shares a resource with one already taken. The neighbours taken touch disjoint
        resources and users, so they apply together and their gains add up exactly (the
        sum-rate is a sum over resources): a large graph makes many moves per round,
        the paper's 4 x 6 one.

        Returns ``(walks, new_sub, new_x, new_value, n_moves)`` for the walks that
        improved; ``new_x`` is the moved users' refill point, not yet water-filled.
        """
        self.refresh(problem, sub, x, value, walks)
        cand, gain, touched = self.cand, self.gain, self.touched
        k = problem.n_resources
        # (After refresh, every candidate belongs to one of ``walks``.)
        improving = np.flatnonzero(gain > rtol * (1.0 + np.abs(value[cand.graph])))
        if improving.size == 0:
            return (np.zeros(0, int),) * 5
        # Greedy by gain, in passes: a pass keeps every neighbour that is the best one on
        # each resource it touches, then drops the neighbours those block.
        rank = np.empty(improving.size, dtype=np.intp)
        rank[np.argsort(-gain[improving], kind="stable")] = np.arange(improving.size)
        where = cand.graph[improving][:, None] * k + touched[improving]
        blocked = np.zeros(sub.shape[0] * k, dtype=bool)
        left = np.arange(improving.size)
        picked = []
        while left.size:
            first = np.full(blocked.size, improving.size)
            np.minimum.at(first, where[left].ravel(), np.repeat(rank[left], where.shape[1]))
            best = np.all(first[where[left]] == rank[left][:, None], axis=1)
            picked.append(left[best])
            blocked[where[left[best]].ravel()] = True
            left = left[~best]
            left = left[~blocked[where[left]].any(axis=1)]
        chosen = improving[np.concatenate(picked)]
        moves = cand.take(chosen)
        g = moves.graph
        new_sub, new_x = sub.copy(), x.copy()
        new_sub[g, moves.user_a, moves.slot_a] = moves.new_a
        new_x[g, moves.user_a] = self.x_a[chosen]
        swap = moves.user_b >= 0
        new_sub[g[swap], moves.user_b[swap], moves.slot_b[swap]] = moves.new_b[swap]
        new_x[g[swap], moves.user_b[swap]] = self.x_b[chosen][swap]
        graphs = np.unique(g)
        n_moves = np.bincount(g, minlength=sub.shape[0])[graphs]
        new_value = value + np.bincount(g, weights=gain[chosen], minlength=sub.shape[0])
        # Users sharing a resource with a move are scored again next round; with free
        # slots (moves change loads) the whole walk is.
        hit = blocked.reshape(sub.shape[0], k)
        dirty = hit[np.arange(sub.shape[0])[:, None, None], new_sub].any(axis=2)
        if (cand.user_b < 0).any():
            dirty[graphs] = True
        self.dirty[graphs] |= dirty[graphs]
        order = np.argsort(new_sub[graphs], axis=-1)
        return (
            graphs,
            np.take_along_axis(new_sub[graphs], order, axis=-1),
            np.take_along_axis(new_x[graphs], order, axis=-1),
            new_value[graphs],
            n_moves,
        )


_FIELDS = tuple(Neighbours.__dataclass_fields__)


def _exact_round(
    problem: Problem,
    sub: np.ndarray,
    x: np.ndarray,
    value: np.ndarray,
    n_rescore: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The check of sum-rate walks (SIC) whose neighbours' estimates no longer beat
    them: each current graph and its ``n_rescore`` best neighbours by estimate are
    water-filled exactly, in one batch, from their feasible points.

    Returns ``(x, value)`` of the current graphs, exact, and ``(new_sub, new_x,
    new_value)``, the best neighbour of each graph.
    """
    k, d = problem.n_resources, problem.users_per_resource
    n_walks = sub.shape[0]
    cand = neighbours(sub, k, d)
    totals = resource_totals(problem.gains(sub) * x, sub, k)
    estimate, x_a, x_b, _ = refill_estimates(problem, sub, x, totals, value, cand)
    order = np.lexsort((-estimate, cand.graph))
    rank = np.arange(order.size) - np.searchsorted(cand.graph[order], cand.graph[order])
    chosen = cand.take(order[rank < n_rescore])
    top = order[rank < n_rescore]
    graphs = chosen.apply(sub, sort=False)
    rows = np.arange(len(chosen))
    start = x[chosen.graph].copy()
    start[rows, chosen.user_a] = x_a[top]
    swap = chosen.user_b >= 0
    start[rows[swap], chosen.user_b[swap]] = x_b[top][swap]
    order = np.argsort(graphs, axis=-1)
    graphs = np.r_[sub, np.take_along_axis(graphs, order, axis=-1)]
    start = np.r_[x, np.take_along_axis(start, order, axis=-1)]
    x_all, value_all, _ = iterative_water_filling(problem.gains(graphs), graphs, k, start)
    new_sub, new_x, new_value = sub.copy(), x_all[:n_walks].copy(), value_all[:n_walks].copy()
    if len(chosen):
        owners, best = _best_per_graph(chosen.graph, value_all[n_walks:])
        new_sub[owners] = graphs[n_walks:][best]
        new_x[owners] = x_all[n_walks:][best]
        new_value[owners] = value_all[n_walks:][best]
    return x_all[:n_walks], value_all[:n_walks], new_sub, new_x, new_value


# --------------------------------------------------------------------------- the walk
def local_search(
    problem: Problem,
    step: PowerStep,
    sub: np.ndarray,
    x: np.ndarray,
    value: np.ndarray,
    options: AlternatingOptions,
    monitor: Monitor | None = None,
    labels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best-improvement codebook search from a batch of graphs, all walking together.

    Parameters
    ----------
    sub, x, value : ndarray
        Starting graphs (S, J, N), feasible points on them and their values (nats).
    labels : ndarray, optional
        The ``outer`` counter recorded for each walk (default ``0 .. S-1``).

    Returns
    -------
    sub, x, value, moves
        Each walk's end point and its number of accepted moves. A walk stops at a
        graph no neighbour beats, after ``options.max_moves`` moves, or when the
        monitor's callback asks to stop. For the sum-rate under SIC the end points are
        exact (water-filling); walks move on feasible-point estimates and are
        water-filled when no estimate improves. A walk stops at a graph none of whose
        ``n_rescore`` best neighbours (by the estimates made before the water-filling)
        beats it exactly; a neighbour scored from the exact point may still be better.
    """
    sub, x, value = sub.copy(), x.copy(), value.astype(float).copy()
    n_walks = sub.shape[0]
    labels = np.arange(n_walks) if labels is None else labels
    rtol = _RTOL[step.exact]
    k, d = problem.n_resources, problem.users_per_resource
    lazy = isinstance(step, SumRateSIC)
    moves = np.zeros(n_walks, dtype=int)
    active = np.ones(n_walks, dtype=bool)
    exact = np.full(n_walks, not lazy)
    waiting = np.zeros(n_walks, dtype=bool)  # no better estimate: to be checked exactly
    scores = _Scores(n_walks, sub.shape[1]) if lazy else None
    bound = problem.upper_bound(sub) if problem.is_min_rate else None
    while active.any():
        walks = np.flatnonzero(active & ~waiting)
        if walks.size == 0:
            # Every walk left is stuck on estimates: water-fill each and its best
            # neighbours exactly (one batch); a walk whose best neighbour is better
            # moves there, the others stop. (Scoring a stopped walk's neighbours again
            # from its exact point finds a better one on some walks; it cost 15-30 %
            # more time for +0.05 % sum-rate at 64 x 96: docs/scma_alloc.md, App. B.)
            redo = np.flatnonzero(waiting)
            x[redo], value[redo], new_sub, new_x, new_value = _exact_round(
                problem, sub[redo], x[redo], value[redo], options.n_rescore
            )
            exact[redo], waiting[redo] = True, False
            scores.forget(redo)  # water-filled: every power changed
            better = new_value > value[redo] + rtol * (1.0 + np.abs(new_value))
            active[redo[~better]] = False
            for i in np.flatnonzero(better):
                w = redo[i]
                sub[w], x[w], value[w] = new_sub[i], new_x[i], new_value[i]
                moves[w] += 1
                if monitor is not None and monitor.record(
                    "local_search",
                    outer=labels[w],
                    inner=moves[w],
                    objective=value[w],
                    candidate=new_value[i],
                    solver_status="water-filling",
                ):
                    break
            if monitor is not None and monitor.stopped:
                break
            active &= moves < options.max_moves
            continue
        if lazy:
            moved, new_sub, new_x, new_value, n_moves = scores.improve(
                problem, sub, x, value, walks, rtol
            )
            owners = np.searchsorted(walks, moved)
            better = np.ones(owners.size, dtype=bool)
            new_bound = None
        else:
            cand = neighbours(sub[walks], k, d)
            if problem.is_min_rate and len(cand) > _MAX_CANDIDATES * walks.size:
                # Large neighbourhoods: only moves that change the bottleneck (a user whose
                # budget binds) or a user weaker than it on one of its resources (under SIC
                # only those interfere with it).
                spent = x[walks].sum(axis=2)
                bottleneck = spent >= spent.max(axis=1, keepdims=True) - 1e-9
                member = graph_of(sub[walks], k).astype(bool)  # (W, K, J)
                shared = (member & bottleneck[:, None, :]).any(axis=2)
                focus = shared[np.arange(walks.size)[:, None, None], sub[walks]].any(axis=2)
                if problem.model.is_sic:
                    rank = problem.model.rank
                    strongest = np.where(bottleneck, rank[None, :], -1).max(axis=1)
                    focus &= bottleneck | (rank[None, :] < strongest[:, None])
                # The same set as neighbours(..., focus), without building it again.
                g_c, ub = cand.graph, cand.user_b
                keep = focus[g_c, cand.user_a] | ((ub >= 0) & focus[g_c, np.maximum(ub, 0)])
                cand = cand.take(np.flatnonzero(keep))
            owners, new_sub, new_x, new_value, better, new_bound = _proxy_round(
                problem,
                step,
                sub[walks],
                x[walks],
                value[walks],
                None if bound is None else bound[walks],
                cand,
                rtol,
            )
            n_moves = np.ones(owners.size, dtype=int)
        improved = np.zeros(walks.size, dtype=bool)
        improved[owners[better]] = True
        for i in np.flatnonzero(better):
            w = walks[owners[i]]
            sub[w], x[w], value[w] = new_sub[i], new_x[i], new_value[i]
            exact[w] = not lazy
            if bound is not None:
                bound[w] = new_bound[i]
            moves[w] += n_moves[i]
            if monitor is not None and monitor.record(
                "local_search",
                outer=labels[w],
                inner=moves[w],
                objective=value[w],
                candidate=new_value[i],
                solver_status=step.label if not lazy else "water-filling estimate",
            ):
                break
        if monitor is not None and monitor.stopped:
            break
        stuck = walks[~improved]
        if lazy:
            waiting[stuck] = True
        else:
            active[stuck] = False
        active &= moves < options.max_moves
        if problem.is_min_rate:
            active &= value >= (1.0 - _RACE) * value.max()
        # A walk that meets another walk's graph stops: it would repeat that path.
        active &= _first_occurrences(sub)
    if lazy and not exact.all():  # stopped at the move limit or by the callback
        redo = np.flatnonzero(~exact)
        x[redo], value[redo], _ = iterative_water_filling(
            problem.gains(sub[redo]), sub[redo], k, x[redo]
        )
    return sub, x, value, moves


def _candidate_bounds(problem: Problem, sub: np.ndarray, cand: Neighbours) -> np.ndarray:
    """The users-alone upper bound of every neighbour's min-rate (only the moved users'
    solo rates change: the others' smallest value comes from the current graph)."""
    solo = solo_rates(problem.gains(sub))  # (S, J)
    lowest = np.argsort(solo, axis=1)[:, :3]  # the three weakest users of each graph
    g, ua, ub = cand.graph, cand.user_a, cand.user_b
    bound = _moved_solo(problem, sub, g, ua, cand.slot_a, cand.new_a)
    swap = np.flatnonzero(ub >= 0)
    bound[swap] = np.minimum(
        bound[swap],
        _moved_solo(problem, sub, g[swap], ub[swap], cand.slot_b[swap], cand.new_b[swap]),
    )
    # The smallest solo rate among the users that did not move.
    others = np.full(len(cand), np.inf)
    for i in range(lowest.shape[1]):
        user = lowest[g, i]
        free = (user != ua) & (user != ub) & np.isinf(others)
        others[free] = solo[g[free], user[free]]
    return np.minimum(others, bound)


def _moved_solo(
    problem: Problem,
    sub: np.ndarray,
    g: np.ndarray,
    user: np.ndarray,
    slot: np.ndarray,
    new: np.ndarray,
) -> np.ndarray:
    """Solo rates of ``user`` in graphs ``g`` after its slot ``slot`` takes ``new``."""
    res = sub[g, user].copy()
    res[np.arange(g.size), slot] = new
    return solo_rates(problem.snr[res, user[:, None]][:, None, :])[:, 0]


def parent_points(cand: Neighbours, sub: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each candidate's start from its parent's point ``x`` (S, J, N), aligned with
    :meth:`Neighbours.apply`: a changed slot keeps the parent's fraction of that slot,
    and each user's fractions follow its slots when they are sorted."""
    order = np.argsort(cand.apply(sub, sort=False), axis=-1, kind="stable")
    return np.take_along_axis(x[cand.graph], order, axis=-1)


def _proxy_round(
    problem: Problem,
    step: PowerStep,
    sub: np.ndarray,
    x: np.ndarray,
    value: np.ndarray,
    bound: np.ndarray | None,
    cand: Neighbours,
    rtol: float,
):
    """Best neighbour of each graph, scored by the power step's proxy.

    Returns ``(owners, graphs, x, values, better, bounds)``: for each graph that has
    one, its best neighbour, the proxy's point and value, whether it improves, and
    (min-rate) its users-alone upper bound.

    Min-rate: a neighbour must beat the current value, or tie it with a larger
    interference-free upper bound (a graph whose proxy is below its bound may gain in
    the polish); a screen at that target discards the others before the proxy's
    root search.
    """
    graphs = cand.apply(sub)
    g = cand.graph
    if problem.is_min_rate:
        bounds = _candidate_bounds(problem, sub, cand)
        larger = bounds > bound[g] * (1.0 + 1e-9)
        target = np.where(larger, value[g], value[g] * (1.0 + 10 * rtol) + 1e-12)
        # A graph missing a rate floor (value -inf): any candidate meeting them improves.
        target = np.where(np.isfinite(target), target, 0.0)
        keep, xs, scores = step.improve(graphs, target)
        if keep.size == 0:
            empty = np.zeros(0)
            return np.zeros(0, int), graphs[:0], x[:0], empty, np.zeros(0, bool), empty
        improves = (scores > value[g[keep]] * (1.0 + 10 * rtol)) | (
            (scores >= value[g[keep]]) & larger[keep]
        )
        # Best value first (to 1e-7 relative), then the largest bound.
        level = np.where(
            improves, np.round(scores / np.maximum(value[g[keep]], 1e-300), 7), -np.inf
        )
        owners, best = _best_per_graph(g[keep], bounds[keep], level)
        return (
            owners,
            graphs[keep][best],
            xs[best],
            scores[best],
            improves[best],
            bounds[keep][best],
        )
    if step.warm_start:
        xs, scores = step.proxy(graphs, x0=parent_points(cand, sub, x))
    else:
        xs, scores = step.proxy(graphs)
    owners, best = _best_per_graph(g, scores)
    # Sign-safe: alpha-fair utilities may be negative.
    current = value[owners]
    margin = np.where(np.isfinite(current), 10 * rtol * np.abs(current) + 1e-12, 0.0)
    better = scores[best] > current + margin
    return owners, graphs[best], xs[best], scores[best], better, None


def _polished_neighbours(
    problem: Problem, sub: np.ndarray, x: np.ndarray, value: float
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours of ``sub`` whose users-alone bound beats ``value`` (those with the
    largest bounds, at most :data:`_MAX_POLISHED` and fewer on large graphs: the
    polish's cost grows as the cube of the edges), with ``x`` carried over to them
    (each user keeps its fractions in its slots), canonical order."""
    k, d = problem.n_resources, problem.users_per_resource
    cand = neighbours(sub[None], k, d)
    graphs = cand.apply(sub[None], sort=False)
    bounds = _candidate_bounds(problem, sub[None], cand)
    keep = np.flatnonzero(bounds > value + 1e-7 * abs(value))
    edges = sub.size
    most = int(np.clip(_POLISH_WORK / (2 * edges**3), 4, _MAX_POLISHED))
    keep = keep[np.argsort(-bounds[keep], kind="stable")[:most]]
    graphs = graphs[keep]
    start = np.repeat(x[None], keep.size, axis=0)
    order = np.argsort(graphs, axis=-1)
    return np.take_along_axis(graphs, order, axis=-1), np.take_along_axis(start, order, axis=-1)


def _polished_search(
    problem: Problem,
    step: PowerStep,
    value: float,
    sub: np.ndarray,
    x: np.ndarray,
    options: AlternatingOptions,
    monitor: Monitor,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Min-rate: codebook moves scored by the polish itself, from the best polished graph.

    The proxy misranks graphs (its value is 1-2 % below the polished one on average, up
    to 40 %), so the best polished graph may have a better neighbour. Every neighbour
    whose interference-free upper bound beats the current value is polished (one batch),
    from the current point carried over to it and from an equal split; the best is
    taken if it improves; at most ``options.polish_moves`` rounds.
    """
    for round_ in range(options.polish_moves):
        graphs, start = _polished_neighbours(problem, sub, x, value)
        if graphs.shape[0] == 0:
            break
        # One batch; the callback is asked once per round (the record below).
        x_new, v_new = step.polish(graphs, start, options)
        best = int(np.argmax(v_new))
        if not v_new[best] > value + 1e-7 * abs(value):
            break
        value, sub, x = float(v_new[best]), graphs[best], x_new[best]
        if monitor.record(
            "local_search", outer=-1, inner=round_ + 1, objective=value, solver_status="barrier"
        ):
            break
    return value, sub, x


# --------------------------------------------------------------------------- the method
def _first_occurrences(graphs: np.ndarray) -> np.ndarray:
    """Mask of the graphs (S, J, N) not equal to an earlier one."""
    flat = np.ascontiguousarray(graphs.reshape(graphs.shape[0], -1), dtype=np.intp)
    _, first = np.unique(flat, axis=0, return_index=True)
    mask = np.zeros(graphs.shape[0], dtype=bool)
    mask[first] = True
    return mask


def kicked(
    sub: np.ndarray,
    n_resources: int,
    users_per_resource: int,
    count: int,
    size: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``count`` copies of graph ``sub`` (J, N), each changed by ``size`` random moves or
    swaps (a kick of iterated local search); shape (count, J, N)."""
    out = np.repeat(sub[None], count, axis=0)
    for _ in range(size):
        cand = neighbours(out, n_resources, users_per_resource)
        if len(cand) == 0:
            break
        start = np.searchsorted(cand.graph, np.arange(count))
        stop = np.searchsorted(cand.graph, np.arange(count), side="right")
        has = stop > start
        pick = start + (rng.random(count) * (stop - start)).astype(int)
        out[has] = cand.take(pick[has]).apply(out, sort=True)
    return out


def starting_graphs(
    problem: Problem,
    n_random: int,
    rng: np.random.Generator,
    initial: np.ndarray | None = None,
) -> np.ndarray:
    """Distinct starting graphs as edges (S, J, N): the caller's, the objective's
    greedy graph, F0, then ``n_random`` random graphs."""
    k, j, n, d = problem.scenario.sizes
    graphs = []
    if initial is not None:
        graphs.append(np.asarray(initial, dtype=np.int8))
    if problem.is_min_rate:
        graphs.append(greedy_fairness_assignment(problem.snr, problem.model.order, n, d))
    else:
        graphs.append(greedy_sum_rate_assignment(problem.snr, n, d))
    graphs.append(regular_factor_graph(k, j, n, d))
    subs = np.stack([edge_index(graph, n) for graph in graphs]).astype(np.intp)
    if n_random:
        subs = np.r_[subs, random_edges(k, j, n, d, rng, n_random).astype(np.intp)]
    return subs[_first_occurrences(subs)]


def alternating_search(
    problem: Problem,
    step: PowerStep,
    options: AlternatingOptions,
    monitor: Monitor,
    rng: np.random.Generator,
    initial: np.ndarray | None = None,
) -> MethodOutcome:
    """The default method (see the module docstring)."""
    starts = starting_graphs(
        problem, options.starts_for(problem.objective, problem.n_users), rng, initial
    )
    x0, value0 = step.proxy(starts)
    sub, x, value, moves = local_search(problem, step, starts, x0, value0, options, monitor)
    n_kicks = options.kicks_for(problem.n_users)
    if n_kicks and not problem.is_min_rate and not monitor.stopped:
        # Iterated local search: walks from kicked copies of the best graph.
        best = int(np.argmax(value))
        size = max(2, problem.n_users // 8)
        graphs = kicked(
            sub[best], problem.n_resources, problem.users_per_resource, n_kicks, size, rng
        )
        kx0, kv0 = step.proxy(graphs)
        labels = np.arange(starts.shape[0], starts.shape[0] + graphs.shape[0])
        ksub, kx, kv, kmoves = local_search(
            problem, step, graphs, kx0, kv0, options, monitor, labels
        )
        sub, x, value = np.r_[sub, ksub], np.r_[x, kx], np.r_[value, kv]
        moves = np.r_[moves, kmoves]
        starts, x0, value0 = np.r_[starts, graphs], np.r_[x0, kx0], np.r_[value0, kv0]
    reason = "iteration_limit" if np.any(moves >= options.max_moves) else "converged"
    best_so_far = float(value.max())  # a walk never ends below its start
    for w in range(starts.shape[0]):
        if monitor.stopped:
            break
        monitor.record("start", outer=w, objective=best_so_far, solver_status=step.label)
    if monitor.stopped:
        reason = "stopped"
    # The pool: every start and every end point, best first, each graph once.
    order = np.argsort(-np.r_[value, value0], kind="stable")
    pool_sub, pool_x = np.r_[sub, starts][order], np.r_[x, x0][order]
    first = _first_occurrences(pool_sub)
    pool_sub, pool_x = pool_sub[first], pool_x[first]
    best_value, best_sub, best_x = float(np.r_[value, value0][order][0]), pool_sub[0], pool_x[0]
    if not step.exact and options.polish and reason != "stopped":
        subs, points = pool_sub[: options.n_polish], pool_x[: options.n_polish]
        if problem.is_min_rate:
            # The first round of the polished search goes with the pool's polish.
            graphs, start = _polished_neighbours(problem, best_sub, best_x, best_value)
            subs, points = np.r_[subs, graphs], np.r_[points, start]
        x_new, v_new = step.polish(subs, points, options, monitor)
        best = int(np.argmax(v_new))
        if v_new[best] > best_value:
            best_value, best_sub, best_x = float(v_new[best]), subs[best], x_new[best]
        if monitor.stopped:
            reason = "stopped"
        moved = not np.array_equal(best_sub, pool_sub[0])
        if problem.is_min_rate and reason != "stopped" and moved:
            # (The first round polished the neighbours of the pool's best graph: the next
            # rounds start only if the best graph changed.)
            best_value, best_sub, best_x = _polished_search(
                problem, step, best_value, best_sub, best_x, options, monitor
            )
    n = problem.n_resources
    return MethodOutcome(
        graph_of(best_sub, n), edges_to_dense(best_x, best_sub, n), reason, int(moves.sum())
    )
