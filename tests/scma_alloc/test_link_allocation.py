"""Allocations on the link: layer rule, placement and powers, per-user BER."""

from __future__ import annotations

import numpy as np
import pytest

import scma_alloc as sa
from scma_alloc.link import (
    AllocationBER,
    allocation_ber,
    allocation_codewords,
    assign_layers,
    load_codebook,
)


def test_regular_graph_reproduces_cs1():
    cb = load_codebook("CS1")
    graph = sa.regular_factor_graph(4, 6)
    layers = assign_layers(graph, cb)
    for user, layer in enumerate(layers):  # every user gets the layer with its resources
        np.testing.assert_array_equal(cb.factor_graph[:, layer], graph[:, user])
    table = allocation_codewords(graph, graph / 3.0, cb)
    # Equal powers: the set itself times one scalar (here 1 within the table's rounding).
    ratio = table[graph.T == 1] / cb.codewords[layers][graph.T == 1]
    np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-12)
    assert abs(ratio.flat[0] - 1) < 1e-4
    np.testing.assert_array_equal(assign_layers(cb.factor_graph, cb), np.arange(6))


def test_neighbours_get_distinct_layers_on_any_graph():
    cb = load_codebook("CS1")
    rng = np.random.default_rng(0)
    for n_resources, n_users in ((4, 6), (8, 12), (6, 9)):
        for _ in range(5):
            graph = sa.random_assignment(n_resources, n_users, 2, 3, rng=rng)
            layers = assign_layers(graph, cb)
            for k in range(n_resources):
                users = np.flatnonzero(graph[k])
                assert len(set(layers[users])) == len(users)


def test_powers_on_the_edges():
    cb = load_codebook("CS3")
    graph = sa.regular_factor_graph(4, 6)
    power = graph * np.random.default_rng(1).uniform(0.1, 2.0, size=graph.shape)
    power[0, 0] = 0.0  # an idle edge sends nothing
    table = allocation_codewords(graph, power, cb)
    mean_power = np.mean(np.abs(table) ** 2, axis=2).T  # (K, J)
    np.testing.assert_allclose(mean_power, power, rtol=2e-4)
    assert np.all(table[0, 0] == 0)


def test_layers_of_the_wrong_dimension_are_refused():
    cb = load_codebook("CS1")
    three = np.array([[1, 1], [1, 1], [1, 1], [0, 0]])
    with pytest.raises(ValueError, match="N = 3"):
        assign_layers(three, cb)
    uneven = np.array([[1, 1], [1, 0], [0, 1], [0, 1]])
    with pytest.raises(ValueError, match="same"):
        assign_layers(uneven, cb)


def test_allocation_ber_per_user():
    scenario = sa.random_scenario(power_budget_dbm=0.0, rng=0)
    result = sa.solve_max_sr(scenario)
    out = allocation_ber(scenario, result, max_blocks=20_000, seed=1)
    assert isinstance(out, AllocationBER)
    assert out.ber.shape == (6,) and out.blocks == 20_000
    assert np.all(out.bits == 40_000)
    assert np.all((out.ber >= 0) & (out.ber <= 0.6))
    # The strongest predicted user is the most reliable one, the weakest among the worst.
    assert out.ber[np.argmax(result.user_rates)] == out.ber.min()
    assert out.worst == out.ber.max() > 0.05
    again = allocation_ber(scenario, result, max_blocks=20_000, seed=1)
    np.testing.assert_array_equal(out.bit_errors, again.bit_errors)


def test_more_power_fewer_errors():
    scenario = sa.random_scenario(power_budget_dbm=0.0, rng=2)
    graph = sa.regular_factor_graph(4, 6)
    low = {"assignment": graph, "power": graph * 1e-4}
    high = {"assignment": graph, "power": graph * 1e-3}
    a = allocation_ber(scenario, low, fading="none", max_blocks=10_000, seed=0)
    b = allocation_ber(scenario, high, fading="none", max_blocks=10_000, seed=0)
    assert b.bit_errors.sum() < a.bit_errors.sum()


def test_bad_input_is_named():
    scenario = sa.random_scenario(rng=0)
    graph = sa.regular_factor_graph(4, 6)
    good = {"assignment": graph, "power": graph * 1e-3}
    with pytest.raises(TypeError, match="scenario"):
        allocation_ber("scenario", good)
    with pytest.raises(TypeError, match="result"):
        allocation_ber(scenario, graph)
    with pytest.raises(ValueError, match="assignment"):
        allocation_ber(scenario, {"assignment": graph[:3], "power": graph * 1e-3})
    with pytest.raises(ValueError, match="not assigned"):
        allocation_ber(scenario, {"assignment": graph, "power": np.ones((4, 6))})
    with pytest.raises(ValueError, match="power"):
        allocation_ber(scenario, {"assignment": graph, "power": -graph})
    with pytest.raises(ValueError, match="fading"):
        allocation_ber(scenario, good, fading="rician")
    with pytest.raises(ValueError, match="max_blocks"):
        allocation_ber(scenario, good, max_blocks=0)
