"""Factor graphs (codebook assignments): feasibility, enumeration, F0, repair, networkx.

A factor graph is a binary matrix ``F`` of shape (K, J): ``F[k, j] = 1`` iff user ``j``
transmits on resource ``k``. It is feasible when every user occupies exactly N
resources and every resource carries at most d_f users (paper eq. 14).
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DEFAULT_ENUMERATION_LIMIT",
    "check_assignment",
    "count_factor_graphs",
    "enumerate_factor_graphs",
    "from_networkx",
    "is_feasible_assignment",
    "random_assignment",
    "random_edges",
    "regular_factor_graph",
    "repair_assignment",
    "round_assignment",
    "to_networkx",
]

#: Largest number of feasible graphs :func:`enumerate_factor_graphs` builds by default.
DEFAULT_ENUMERATION_LIMIT = 2_000_000


def _as_binary(assignment: ArrayLike, name: str = "assignment") -> np.ndarray:
    array = np.asarray(assignment)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (K, J) array, got shape {array.shape}")
    if array.dtype == bool:
        return array.astype(np.int8)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be numeric 0/1, got dtype {array.dtype}")
    if not np.all((array == 0) | (array == 1)):
        raise ValueError(f"{name} must contain only 0 and 1")
    return array.astype(np.int8)


def assignment_violations(
    assignment: ArrayLike, n_per_user: int, users_per_resource: int
) -> list[str]:
    """List the constraint violations of a binary assignment (empty when feasible)."""
    f = _as_binary(assignment)
    problems = []
    per_user = f.sum(axis=0)
    bad_users = np.flatnonzero(per_user != n_per_user)
    if bad_users.size:
        problems.append(
            f"users {bad_users.tolist()} occupy {per_user[bad_users].tolist()} resources "
            f"instead of N={n_per_user}"
        )
    load = f.sum(axis=1)
    bad_resources = np.flatnonzero(load > users_per_resource)
    if bad_resources.size:
        problems.append(
            f"resources {bad_resources.tolist()} carry {load[bad_resources].tolist()} users "
            f"(more than d_f={users_per_resource})"
        )
    return problems


def is_feasible_assignment(
    assignment: ArrayLike, n_per_user: int = 2, users_per_resource: int = 3
) -> bool:
    """True iff ``assignment`` is binary, every user has exactly N resources, loads <= d_f.

    Examples
    --------
    >>> is_feasible_assignment(regular_factor_graph(4, 6))
    True
    """
    try:
        return not assignment_violations(assignment, n_per_user, users_per_resource)
    except (TypeError, ValueError):
        return False


def check_assignment(
    assignment: ArrayLike,
    n_per_user: int,
    users_per_resource: int,
    shape: tuple[int, int] | None = None,
    name: str = "assignment",
) -> np.ndarray:
    """Validate a factor graph and return it as an ``int8`` array.

    Raises
    ------
    ValueError
        Naming ``name`` and the violated constraint.
    """
    f = _as_binary(assignment, name)
    if shape is not None and f.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {f.shape}")
    problems = assignment_violations(f, n_per_user, users_per_resource)
    if problems:
        raise ValueError(f"{name} is not a feasible factor graph: " + "; ".join(problems))
    return f


@lru_cache(maxsize=64)
def _column_patterns(n_resources: int, n_per_user: int) -> np.ndarray:
    combos = list(itertools.combinations(range(n_resources), n_per_user))
    patterns = np.zeros((len(combos), n_resources), dtype=np.int8)
    for index, combo in enumerate(combos):
        patterns[index, list(combo)] = 1
    return patterns


@lru_cache(maxsize=256)
def count_factor_graphs(
    n_resources: int, n_users: int, n_per_user: int = 2, users_per_resource: int = 3
) -> int:
    """Number of feasible factor graphs (exact, by dynamic programming).

    Resources are interchangeable for counting, so the state is how many resources
    carry 0, 1, ..., d_f users; a new user takes ``m_l`` resources of load ``l``
    (``sum m_l = N``) in ``prod C(n_l, m_l)`` ways. Polynomial in K, J: safe to call
    on any size before deciding whether to enumerate.

    Examples
    --------
    >>> count_factor_graphs(4, 6, 2, 3)
    1860
    """
    levels = users_per_resource + 1
    # Ways to split N picks over the loads 0..d_f-1.
    splits = [
        m
        for m in itertools.product(range(n_per_user + 1), repeat=users_per_resource)
        if sum(m) == n_per_user
    ]
    states: dict[tuple[int, ...], int] = {(n_resources,) + (0,) * (levels - 1): 1}
    for _ in range(n_users):
        new_states: dict[tuple[int, ...], int] = {}
        for state, count in states.items():
            for m in splits:
                if any(m[level] > state[level] for level in range(users_per_resource)):
                    continue
                ways = 1
                new = list(state)
                for level, picks in enumerate(m):
                    if picks:
                        ways *= math.comb(state[level], picks)
                        new[level] -= picks
                        new[level + 1] += picks
                key = tuple(new)
                new_states[key] = new_states.get(key, 0) + count * ways
        states = new_states
    return sum(states.values())


@lru_cache(maxsize=16)
def _enumerate_cached(
    n_resources: int, n_users: int, n_per_user: int, users_per_resource: int
) -> np.ndarray:
    patterns = _column_patterns(n_resources, n_per_user).astype(np.int16)
    choice = np.zeros((1, 0), dtype=np.int32)
    load = np.zeros((1, n_resources), dtype=np.int16)
    for _ in range(n_users):
        new_load = load[:, None, :] + patterns[None, :, :]
        keep = np.all(new_load <= users_per_resource, axis=2)
        parent, pattern = np.nonzero(keep)
        choice = np.concatenate([choice[parent], pattern[:, None].astype(np.int32)], axis=1)
        load = new_load[parent, pattern]
    graphs = patterns[choice].transpose(0, 2, 1).astype(np.int8)  # (G, K, J)
    graphs.setflags(write=False)
    return graphs


def enumerate_factor_graphs(
    n_resources: int,
    n_users: int,
    n_per_user: int = 2,
    users_per_resource: int = 3,
    *,
    limit: int = DEFAULT_ENUMERATION_LIMIT,
) -> np.ndarray:
    """Every feasible factor graph, as a read-only ``int8`` array of shape (G, K, J).

    Parameters
    ----------
    n_resources, n_users, n_per_user, users_per_resource : int
        K, J, N and d_f.
    limit : int
        Refuse (``ValueError``) when there are more than ``limit`` graphs; the count is
        computed first, cheaply, so nothing large is built.

    Examples
    --------
    >>> enumerate_factor_graphs(4, 6).shape
    (1860, 4, 6)
    """
    count = count_factor_graphs(n_resources, n_users, n_per_user, users_per_resource)
    if count > limit:
        raise ValueError(
            f"{count} feasible factor graphs for K={n_resources}, J={n_users}, "
            f"N={n_per_user}, d_f={users_per_resource}: more than limit={limit}; "
            "exhaustive enumeration is meant for small instances"
        )
    if count == 0:
        raise ValueError("no feasible factor graph for these sizes")
    return _enumerate_cached(n_resources, n_users, n_per_user, users_per_resource)


def regular_factor_graph(
    n_resources: int, n_users: int, n_per_user: int = 2, users_per_resource: int = 3
) -> np.ndarray:
    """The static regular factor graph F0 (baseline B0).

    Users take distinct N-subsets of the resources in lexicographic order, skipping
    subsets that would overload a resource; for K=4, J=6, N=2, d_f=3 this is the
    classic SCMA graph ``[[1,1,1,0,0,0],[1,0,0,1,1,0],[0,1,0,1,0,1],[0,0,1,0,1,1]]``.
    When distinct subsets run out (J > C(K, N)) or first-fit gets stuck, the
    remaining users take the N least-loaded resources (ties by index), which is
    always possible when ``J*N <= K*d_f``.

    Examples
    --------
    >>> regular_factor_graph(4, 6)
    array([[1, 1, 1, 0, 0, 0],
           [1, 0, 0, 1, 1, 0],
           [0, 1, 0, 1, 0, 1],
           [0, 0, 1, 0, 1, 1]], dtype=int8)
    """
    if n_users * n_per_user > n_resources * users_per_resource or n_per_user > n_resources:
        raise ValueError("no feasible factor graph for these sizes")
    graph = np.zeros((n_resources, n_users), dtype=np.int8)
    load = np.zeros(n_resources, dtype=int)
    user = 0
    if math.comb(n_resources, n_per_user) <= 100_000:
        for combo in itertools.combinations(range(n_resources), n_per_user):
            if user == n_users:
                break
            idx = list(combo)
            if np.all(load[idx] < users_per_resource):
                graph[idx, user] = 1
                load[idx] += 1
                user += 1
    # Balanced completion (also used when first-fit gets stuck).
    while user < n_users:
        idx = np.argsort(load, kind="stable")[:n_per_user]
        if np.any(load[idx] >= users_per_resource):
            # First-fit left loads unbalanced: restart with least-loaded for everyone.
            return _least_loaded_graph(n_resources, n_users, n_per_user)
        graph[idx, user] = 1
        load[idx] += 1
        user += 1
    return graph


def _least_loaded_graph(n_resources: int, n_users: int, n_per_user: int) -> np.ndarray:
    graph = np.zeros((n_resources, n_users), dtype=np.int8)
    load = np.zeros(n_resources, dtype=int)
    for user in range(n_users):
        idx = np.argsort(load, kind="stable")[:n_per_user]
        graph[idx, user] = 1
        load[idx] += 1
    return graph


def to_networkx(assignment: ArrayLike, power: ArrayLike | None = None) -> nx.Graph:
    """Bipartite ``networkx`` graph of a factor graph.

    Resource nodes are ``("resource", k)`` with ``bipartite=0``; user nodes are
    ``("user", j)`` with ``bipartite=1``. Edges carry ``power`` (watts) when given.

    Examples
    --------
    >>> g = to_networkx(regular_factor_graph(4, 6))
    >>> g.number_of_edges()
    12
    """
    import networkx as nx

    f = _as_binary(assignment)
    n_resources, n_users = f.shape
    p = None if power is None else np.asarray(power, dtype=float)
    if p is not None and p.shape != f.shape:
        raise ValueError(f"power must have the shape of assignment {f.shape}, got {p.shape}")
    graph = nx.Graph()
    graph.add_nodes_from((("resource", k) for k in range(n_resources)), bipartite=0)
    graph.add_nodes_from((("user", j) for j in range(n_users)), bipartite=1)
    for k, j in zip(*np.nonzero(f), strict=True):
        attrs = {} if p is None else {"power": float(p[k, j])}
        graph.add_edge(("resource", int(k)), ("user", int(j)), **attrs)
    return graph


def from_networkx(
    graph: nx.Graph, n_resources: int | None = None, n_users: int | None = None
) -> np.ndarray:
    """Factor-graph matrix from a bipartite graph made by :func:`to_networkx`.

    Nodes must be ``("resource", k)`` and ``("user", j)`` tuples. Sizes default to
    the largest indices present plus one.
    """
    resources, users = [], []
    for node in graph.nodes:
        if not (isinstance(node, tuple) and len(node) == 2 and node[0] in ("resource", "user")):
            raise ValueError(
                f"graph: unexpected node {node!r}; expected ('resource', k) or ('user', j)"
            )
        (resources if node[0] == "resource" else users).append(int(node[1]))
    n_resources = (max(resources) + 1 if resources else 0) if n_resources is None else n_resources
    n_users = (max(users) + 1 if users else 0) if n_users is None else n_users
    f = np.zeros((n_resources, n_users), dtype=np.int8)
    for u, v in graph.edges:
        if u[0] == v[0]:
            raise ValueError(f"graph: edge {u!r}-{v!r} joins two nodes of the same kind")
        resource, user = (u, v) if u[0] == "resource" else (v, u)
        f[resource[1], user[1]] = 1
    return f


def repair_assignment(scores: np.ndarray, n_per_user: int, users_per_resource: int) -> np.ndarray:
    """Feasible binary F maximising ``sum(scores * F)``.

    Each user gets exactly N resources, each resource at most d_f users. The
    constraint matrix is the incidence matrix of a bipartite graph, hence totally
    unimodular: every vertex of the LP is integral, and HiGHS' dual simplex returns a
    vertex (``scipy.optimize.linprog``). A non-integral answer (never seen) falls back
    to the mixed-integer solver.
    """
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

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


def random_edges(
    n_resources: int,
    n_users: int,
    n_per_user: int,
    users_per_resource: int,
    rng: np.random.Generator,
    count: int,
) -> np.ndarray:
    """``count`` random feasible factor graphs as edges, shape (count, J, N), sorted.

    The ``K * d_f`` resource slots are shuffled and user ``j`` takes the slots
    ``j*N .. j*N + N - 1``; draws where a user got one resource twice are redrawn
    (vectorised rejection); the rare remainder is drawn user by user
    (:func:`_random_graph_slow`).
    """
    slots = np.repeat(np.arange(n_resources), users_per_resource)
    out: list[np.ndarray] = []
    need = count
    for _ in range(20):
        if need <= 0:
            break
        draws = max(4 * need, 16)
        shuffled = rng.permuted(np.broadcast_to(slots, (draws, slots.size)), axis=1)
        sub = np.sort(shuffled[:, : n_users * n_per_user].reshape(draws, n_users, n_per_user))
        valid = np.all(sub[..., 1:] != sub[..., :-1], axis=(1, 2))
        out.append(sub[valid][:need])
        need -= out[-1].shape[0]
    while need > 0:  # pragma: no cover - only when collisions are almost certain
        graph = _random_graph_slow(n_resources, n_users, n_per_user, users_per_resource, rng)
        out.append(np.nonzero(graph.T)[1].reshape(1, n_users, n_per_user))
        need -= 1
    return np.concatenate(out)[:count]


def random_assignment(
    n_resources: int,
    n_users: int,
    n_per_user: int,
    users_per_resource: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """A random feasible factor graph (K, J): shuffled resource slots, see
    :func:`!random_edges`.

    Examples
    --------
    >>> import numpy as np
    >>> graph = random_assignment(4, 6, 2, 3, np.random.default_rng(0))
    >>> is_feasible_assignment(graph, 2, 3)
    True
    """
    sub = random_edges(n_resources, n_users, n_per_user, users_per_resource, rng, 1)[0]
    graph = np.zeros((n_resources, n_users), dtype=np.int8)
    graph[sub, np.arange(n_users)[:, None]] = 1
    return graph


def _random_graph_slow(
    n_resources: int,
    n_users: int,
    n_per_user: int,
    users_per_resource: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Users in random order pick among free resources; repaired if it gets stuck."""
    for _ in range(50):
        graph = np.zeros((n_resources, n_users), dtype=np.int8)
        load = np.zeros(n_resources, dtype=int)
        ok = True
        for j in rng.permutation(n_users):
            free = np.flatnonzero(load < users_per_resource)
            if free.size < n_per_user:
                ok = False
                break
            pick = rng.choice(free, size=n_per_user, replace=False)
            graph[pick, j] = 1
            load[pick] += 1
        if ok:
            return graph
    return repair_assignment(rng.random((n_resources, n_users)), n_per_user, users_per_resource)
