"""Codebook layers on an allocation's factor graph, and the powers on its edges.

An allocation (:class:`scma_alloc.AllocationResult`) gives every user N resources and a
power on each; a codebook set gives L layers, each an N-dimensional constellation of M
points on its own resources. :func:`assign_layers` chooses a layer for every user;
:func:`allocation_codewords` places it on the user's resources and scales it by the
powers.

**Layer rule.** Users in index order; user ``j`` takes the first layer, in this order of
preference, that no user already placed on one of ``j``'s resources has taken:

1. the layers whose own resources are exactly ``j``'s (in layer order),
2. then every other layer (in layer order).

So users that share a resource always get distinct layers (a greedy colouring of the
graph "shares a resource"); with N = 2, d_f = 3 a user has at most 4 such neighbours, so
6 layers always suffice, for any K and J. On a graph that is the codebook's own graph
(for CS1: ``scma_alloc.regular_factor_graph(4, 6)``, in any user order) every user gets the
layer with its resources and the codebook is reproduced exactly. A layer whose dimension
is not N, or a graph on which no distinct layer is left, is refused with a ``ValueError``.

**Placement and power.** The layer's dimensions, in ascending order of its resources, go
to the user's resources in ascending order. The set is scaled by one factor so that its
layers have mean energy N per codeword (mean power 1 per dimension), and the dimension on
resource k by ``sqrt(P[k, j])``: the mean power user ``j`` sends on resource ``k`` is the
allocated ``P[k, j]`` (to 1e-4 for the shipped sets, whose layers and dimensions have equal
power to their printed digits), and a zero-power edge sends nothing. With equal powers on
the codebook's own graph the transmitted table is the set times one scalar.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._codebook import Codebook

__all__ = ["allocation_codewords", "assign_layers"]


def _check_graph(assignment: Any, name: str = "assignment") -> np.ndarray:
    graph = np.asarray(assignment)
    if graph.ndim != 2 or graph.dtype.kind not in "biuf" or not np.all(np.isin(graph, (0, 1))):
        raise ValueError(f"{name} must be a (K, J) array of 0 and 1")
    return graph.astype(np.int8)


def assign_layers(assignment: Any, codebook: Codebook) -> np.ndarray:
    """The codebook layer of every user of a factor graph (the rule in the module docstring).

    Parameters
    ----------
    assignment : array_like, shape (K, J)
        The factor graph (0/1), every user on N resources.
    codebook : Codebook
        A set whose layers all have N non-zero resources.

    Returns
    -------
    numpy.ndarray of int, shape (J,)
        ``layers[j]``: the layer (codebook user index) of user ``j``.

    Raises
    ------
    ValueError
        If users occupy different numbers of resources, the codebook's layers do not have
        that dimension, or no distinct layer is left for a user.

    Examples
    --------
    >>> import scma_alloc as sa
    >>> from scma_alloc.link import assign_layers, load_codebook
    >>> assign_layers(sa.regular_factor_graph(4, 6), load_codebook("CS1"))
    array([2, 1, 4, 5, 0, 3])
    """
    graph = _check_graph(assignment)
    if not isinstance(codebook, Codebook):
        raise TypeError(f"codebook must be a Codebook, got {type(codebook).__name__}")
    n_users = graph.shape[1]
    per_user = graph.sum(axis=0)
    if per_user.min() != per_user.max() or per_user[0] == 0:
        raise ValueError(
            "assignment: every user must occupy the same, non-zero number of resources "
            f"(found {sorted(set(per_user.tolist()))})"
        )
    dimension = int(per_user[0])
    layer_dims = codebook.resources_per_user
    if np.any(layer_dims != dimension):
        raise ValueError(
            f"codebook {codebook.name or ''}: its layers occupy "
            f"{sorted(set(layer_dims.tolist()))} resources but the allocation gives every "
            f"user N = {dimension}; the layers must be "
            f"{dimension}-dimensional"
        )
    layer_sets = [tuple(codebook.user_resources(layer)) for layer in range(codebook.n_users)]
    layers = np.full(n_users, -1)
    for user in range(n_users):
        own = tuple(np.flatnonzero(graph[:, user]))
        neighbours = np.flatnonzero(graph[graph[:, user] == 1].any(axis=0))
        taken = {int(layers[v]) for v in neighbours if v != user and layers[v] >= 0}
        exact = [layer for layer, res in enumerate(layer_sets) if res == own]
        others = [layer for layer in range(codebook.n_users) if layer not in exact]
        free = [layer for layer in exact + others if layer not in taken]
        if not free:
            raise ValueError(
                f"no codebook layer left for user {user}: its {len(taken)} neighbours on "
                f"resources {list(own)} use all {codebook.n_users} layers of "
                f"{codebook.name or 'the codebook'}"
            )
        layers[user] = free[0]
    return layers


def allocation_codewords(
    assignment: Any, power: Any, codebook: Codebook, layers: np.ndarray | None = None
) -> np.ndarray:
    """What every user transmits under an allocation: shape (J, K, M), complex.

    Parameters
    ----------
    assignment : array_like, shape (K, J)
        The factor graph (0/1).
    power : array_like, shape (K, J)
        Power per edge in watts (zero off the graph).
    codebook : Codebook
    layers : array_like of int, shape (J,), optional
        Default: :func:`assign_layers`.

    Returns
    -------
    numpy.ndarray
        ``x[j, k, m] = sqrt(P[k, j]) * c * layer_j[dim(k), m]`` on the graph, 0 off it, with
        one factor ``c`` for the set (mean power 1 per layer dimension): the mean power of
        ``x[j, k, :]`` is ``P[k, j]``.
    """
    graph = _check_graph(assignment)
    power = np.asarray(power, dtype=float)
    if power.shape != graph.shape:
        raise ValueError(
            f"power must have the shape of assignment {graph.shape}, got {power.shape}"
        )
    if not np.all(np.isfinite(power)) or np.any(power < 0):
        raise ValueError("power must be finite and non-negative")
    if layers is None:
        layers = assign_layers(graph, codebook)
    n_resources, n_users = graph.shape
    dimension = int(codebook.resources_per_user[0])
    # One factor for the whole set: its layers get mean energy N per codeword (mean power 1
    # per dimension), so equal powers reproduce the set up to one scalar.
    energy = np.sum(np.abs(codebook.codewords) ** 2) / codebook.order / codebook.n_users
    scale = np.sqrt(dimension / energy)
    table = np.zeros((n_users, n_resources, codebook.order), dtype=complex)
    for user in range(n_users):
        layer = int(layers[user])
        values = codebook.codewords[layer][codebook.user_resources(layer)] * scale  # (N, M)
        own = np.flatnonzero(graph[:, user])
        table[user, own] = values * np.sqrt(power[own, user])[:, None]
    return table
