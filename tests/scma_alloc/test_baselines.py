"""Baselines B0-B3 and the algorithm registry."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import scma_alloc as sa
from scma_alloc import ALGORITHMS, Algorithm, get_algorithm
from scma_alloc._greedy import _greedy_gain_pass

BASELINES = {
    "b0": sa.static_equal_power,
    "b1": sa.greedy_gain_equal_power,
    "b2": sa.greedy_sum_rate_water_filling,
    "b3": sa.greedy_fairness_equal_power,
}


def scenarios(n: int = 12, **options):
    return [
        sa.random_scenario(power_budget_dbm=3.0 + 7.0 * (s % 2), rng=100 + s, **options)
        for s in range(n)
    ]


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baseline_is_feasible_and_rates_recompute(name):
    for scenario in scenarios(8):
        result = BASELINES[name](scenario)
        assert result.status == sa.STATUS_HEURISTIC
        assert result.success and not result.converged
        assert result.method == name
        assert sa.is_feasible_assignment(result.assignment, 2, 3)
        assert not sa.allocation_violations(scenario, result.assignment, result.power)
        assert_allclose(
            result.user_rates, sa.user_rates(scenario, result.assignment, result.power), rtol=1e-12
        )
        assert result.sum_rate == pytest.approx(result.user_rates.sum(), rel=1e-12)
        assert result.min_rate == result.user_rates.min()
        assert len(result.history) == 1


@pytest.mark.parametrize("name", ["b0", "b1", "b3"])
def test_equal_power_baselines_spend_pmax_over_n_per_edge(name):
    scenario = sa.random_scenario(power_budget_dbm=[3, 4, 5, 6, 7, 8], rng=4)
    result = BASELINES[name](scenario)
    expected = result.assignment * (scenario.power_budget / 2)[None, :]
    assert_allclose(result.power, expected, rtol=0, atol=0)


def test_b0_uses_the_regular_graph_f0():
    scenario = sa.random_scenario(rng=2)
    f0 = np.array([[1, 1, 1, 0, 0, 0], [1, 0, 0, 1, 1, 0], [0, 1, 0, 1, 0, 1], [0, 0, 1, 0, 1, 1]])
    assert_array_equal(sa.static_equal_power(scenario).assignment, f0)


def test_b1_greedy_gain_on_a_hand_example():
    # Users 0..2 all prefer resource 0 (d_f = 2 there): the two strongest get it.
    gains = np.array(
        [
            [9.0, 8.0, 7.0],
            [1.0, 2.0, 6.0],
            [3.0, 0.5, 0.4],
        ]
    )
    graph = sa.greedy_gain_assignment(gains, n_per_user=1, users_per_resource=2)
    assert_array_equal(graph, [[1, 1, 0], [0, 0, 1], [0, 0, 0]])


def test_b1_graph_is_greedy_by_gain_or_keeps_most_of_the_pass():
    """Where the greedy pass completes, every edge left out was blocked (its user or
    its resource already full of stronger edges); where it gets stuck, the completed
    graph keeps as many pass edges as any feasible graph can (checked against all
    1860 graphs)."""
    graphs = sa.enumerate_factor_graphs(4, 6, 2, 3)
    complete = stuck = 0
    for scenario in scenarios(30):
        g = scenario.snr_gain
        f = sa.greedy_gain_equal_power(scenario).assignment
        greedy = _greedy_gain_pass(g, 2, 3)
        if sa.is_feasible_assignment(greedy, 2, 3):
            complete += 1
            assert_array_equal(f, greedy)
            for k, j in zip(*np.nonzero(f == 0), strict=True):
                user_full = np.all(g[f[:, j] == 1, j] >= g[k, j])
                resource_full = f[k].sum() == 3 and np.all(g[k, f[k] == 1] >= g[k, j])
                assert user_full or resource_full, (k, j)
        else:
            stuck += 1
            best_overlap = (graphs * greedy).sum(axis=(1, 2)).max()
            assert (f * greedy).sum() == best_overlap
    assert complete > 0 and stuck > 0  # both branches exercised on these drops


def test_b1_completes_a_stuck_greedy_pass():
    # The greedy pass fills resource 0 and 1 with users 0-2; user 3 has only
    # resource 2 left but needs N = 2 resources: repair must complete the graph.
    gains = np.array(
        [
            [9.0, 9.0, 9.0, 1.0],
            [8.0, 8.0, 8.0, 2.0],
            [0.1, 0.1, 0.1, 3.0],
        ]
    )
    graph = sa.greedy_gain_assignment(gains, n_per_user=2, users_per_resource=3)
    assert sa.is_feasible_assignment(graph, 2, 3)


def test_b2_is_water_filling_on_the_greedy_sum_rate_graph():
    for scenario in scenarios(6):
        result = sa.greedy_sum_rate_water_filling(scenario)
        graph = sa.greedy_sum_rate_assignment(scenario.snr_at_budget, 2, 3)
        assert_array_equal(result.assignment, graph)
        assert_allclose(result.power, sa.max_sr_power(scenario, graph), rtol=1e-12)
        equal = sa.sum_rate(scenario, graph, sa.equal_power(scenario, graph))
        assert result.sum_rate >= equal - 1e-9


def test_b3_uses_the_fairness_greedy_graph():
    scenario = sa.random_scenario(rng=9)
    graph = sa.greedy_fairness_assignment(scenario.snr_at_budget, scenario.decoding_order, 2, 3)
    assert_array_equal(sa.greedy_fairness_equal_power(scenario).assignment, graph)


def test_exhaustive_bounds_every_algorithm_on_common_drops():
    names = ["max-sr", "max-sr-paper", "b0", "b1", "b2", "b3"]
    for scenario in scenarios(4):
        best = get_algorithm("exhaustive")(scenario)
        assert best.status == sa.STATUS_OPTIMAL
        for name in names:
            assert get_algorithm(name)(scenario).sum_rate <= best.sum_rate * (1 + 1e-9), name


def test_registry_holds_solvers_baselines_and_references():
    expected = {
        "max-sr",
        "max-min",
        "max-sr-paper",
        "max-min-paper",
        "b0",
        "b1",
        "b2",
        "b3",
        "exhaustive",
        "exhaustive-max-min",
        "prop-fair",
        "alpha-fair",
    }
    assert set(ALGORITHMS) == expected
    assert all(isinstance(a, Algorithm) and a.name == n for n, a in ALGORITHMS.items())
    with pytest.raises(TypeError):
        ALGORITHMS["x"] = ALGORITHMS["b0"]  # read-only


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_every_registered_algorithm_runs_with_one_signature(name):
    # A small instance keeps the exhaustive Max-Min reference fast (K=3, J=4).
    scenario = sa.random_scenario(3, 4, power_budget_dbm=6, rng=5)
    result = get_algorithm(name)(scenario)
    assert isinstance(result, sa.AllocationResult)
    assert sa.is_feasible_assignment(result.assignment, 2, 3)
    assert not sa.allocation_violations(scenario, result.assignment, result.power)


def test_solver_entries_match_direct_calls():
    scenario = sa.random_scenario(rng=11)
    pairs = {
        "max-sr": lambda s: sa.solve_max_sr(s),
        "max-min": lambda s: sa.solve_max_min(s),
        "max-sr-paper": lambda s: sa.solve_max_sr(s, method="paper"),
        "max-min-paper": lambda s: sa.solve_max_min(s, method="paper"),
        "exhaustive": lambda s: sa.exhaustive_max_sr(s),
    }
    for name, direct in pairs.items():
        a, b = get_algorithm(name)(scenario), direct(scenario)
        assert_array_equal(a.assignment, b.assignment)
        assert_allclose(a.user_rates, b.user_rates, rtol=1e-12)


def test_unknown_algorithm_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown algorithm 'b9'.*max-sr.*b3.*exhaustive"):
        get_algorithm("b9")
    with pytest.raises(ValueError, match="unknown algorithm"):
        get_algorithm(["b0"])


def test_baseline_options_are_checked_and_callback_is_called():
    scenario = sa.random_scenario(rng=0)
    with pytest.raises(TypeError, match=r"n_starts"):
        sa.static_equal_power(scenario, n_starts=3)
    with pytest.raises(ValueError, match="interference"):
        sa.static_equal_power(scenario, interference=np.eye(5))
    with pytest.raises(TypeError, match="Scenario"):
        sa.static_equal_power(np.ones((4, 6)))
    records = []
    sa.greedy_sum_rate_water_filling(scenario, callback=records.append, rng=3)
    assert [r.stage for r in records] == ["baseline"]


def test_check_options_validates_without_solving():
    scenario = sa.random_scenario(rng=0)
    get_algorithm("max-min").check_options(scenario, {"n_polish": 3})
    with pytest.raises(TypeError, match="unknown option"):
        get_algorithm("max-sr").check_options(scenario, {"eta": 3.0})
    with pytest.raises(ValueError, match="eta"):
        get_algorithm("max-sr-paper").check_options(scenario, {"eta": -1.0})
    with pytest.raises(TypeError, match="unknown option"):
        get_algorithm("b1").check_options(scenario, {"eta": 3.0})


def test_equal_power_rejects_an_infeasible_graph():
    scenario = sa.random_scenario(rng=0)
    with pytest.raises(ValueError, match="not a feasible factor graph"):
        sa.equal_power(scenario, np.ones((4, 6)))
