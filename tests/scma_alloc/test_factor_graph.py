"""Factor graphs: feasibility, enumeration, F0, networkx."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scma_alloc as sa

F0_PAPER = np.array(
    [[1, 1, 1, 0, 0, 0], [1, 0, 0, 1, 1, 0], [0, 1, 0, 1, 0, 1], [0, 0, 1, 0, 1, 1]]
)


def test_regular_graph_is_the_papers_f0():
    np.testing.assert_array_equal(sa.regular_factor_graph(4, 6), F0_PAPER)


def test_enumeration_matches_brute_force_for_4x6():
    graphs = sa.enumerate_factor_graphs(4, 6, 2, 3)
    assert graphs.shape == (1860, 4, 6)
    assert sa.count_factor_graphs(4, 6, 2, 3) == 1860
    # Brute force over every choice of 2 resources per user.
    columns = [c for c in itertools.product([0, 1], repeat=4) if sum(c) == 2]
    brute = 0
    for choice in itertools.product(range(len(columns)), repeat=6):
        loads = np.sum([columns[c] for c in choice], axis=0)
        brute += bool(np.all(loads <= 3))
    assert brute == 1860
    assert len({g.tobytes() for g in graphs}) == 1860
    assert all(sa.is_feasible_assignment(g) for g in graphs[::37])


def test_enumeration_with_spare_capacity_and_limit():
    graphs = sa.enumerate_factor_graphs(4, 5, 2, 3)
    assert graphs.shape[0] == sa.count_factor_graphs(4, 5, 2, 3) == 2580
    assert graphs.sum(axis=1).max() <= 3
    with pytest.raises(ValueError, match="limit"):
        sa.enumerate_factor_graphs(4, 6, 2, 3, limit=100)


@settings(max_examples=40, deadline=None)
@given(
    n_resources=st.integers(1, 12),
    n_users=st.integers(1, 24),
    n_per_user=st.integers(1, 4),
    users_per_resource=st.integers(1, 6),
)
def test_regular_graph_is_feasible_whenever_sizes_are(
    n_resources, n_users, n_per_user, users_per_resource
):
    feasible = (
        n_per_user <= n_resources and n_users * n_per_user <= n_resources * users_per_resource
    )
    if not feasible:
        with pytest.raises(ValueError):
            sa.regular_factor_graph(n_resources, n_users, n_per_user, users_per_resource)
        return
    graph = sa.regular_factor_graph(n_resources, n_users, n_per_user, users_per_resource)
    assert graph.shape == (n_resources, n_users)
    assert sa.is_feasible_assignment(graph, n_per_user, users_per_resource)


def test_check_assignment_messages():
    with pytest.raises(ValueError, match="users \\[0\\]"):
        bad = F0_PAPER.copy()
        bad[3, 0] = 1
        sa.check_assignment(bad, 2, 3)
    with pytest.raises(ValueError, match="resources \\[0\\]"):
        sa.check_assignment(np.array([[1, 1, 1, 1], [1, 0, 0, 0], [0, 1, 1, 1]]).T.T, 1, 3)
    with pytest.raises(ValueError, match="only 0 and 1"):
        sa.check_assignment(F0_PAPER * 2, 2, 3)
    with pytest.raises(ValueError, match="shape"):
        sa.check_assignment(F0_PAPER, 2, 3, shape=(6, 4))
    assert not sa.is_feasible_assignment(F0_PAPER * 0.5)


def test_networkx_round_trip_with_powers():
    power = F0_PAPER * 0.25
    graph = sa.to_networkx(F0_PAPER, power)
    assert graph.number_of_nodes() == 10 and graph.number_of_edges() == 12
    assert graph.edges[("resource", 0), ("user", 0)]["power"] == 0.25
    np.testing.assert_array_equal(sa.from_networkx(graph), F0_PAPER)
    with pytest.raises(ValueError, match="graph"):
        import networkx as nx

        sa.from_networkx(nx.path_graph(3))
