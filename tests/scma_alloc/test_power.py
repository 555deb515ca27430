"""Power steps: water-filling against CVXPY, sequential max-min, SCP polish."""

import numpy as np
import pytest

import scma_alloc as sa
from scma_alloc._power import (
    inverse_water_fill,
    iterative_water_filling,
    sequential_max_min,
    solo_rates,
    water_fill,
)
from scma_alloc._rates import edge_index, gather_edges


def test_water_fill_kkt():
    rng = np.random.default_rng(0)
    floors = rng.exponential(size=(200, 5))
    floors[:10, 0] = np.inf
    total = rng.uniform(0.1, 3.0, size=200)
    x = water_fill(floors, total)
    np.testing.assert_allclose(x.sum(axis=1), total, rtol=1e-12)
    assert np.all(x >= 0) and np.all(x[:10, 0] == 0)
    # KKT: active resources share one level; inactive floors are above it.
    level = np.where(x > 0, x + floors, np.nan)
    spread = np.nanmax(level, axis=1) - np.nanmin(level, axis=1)
    assert np.all(spread < 1e-12 * np.nanmax(level, axis=1))
    inactive_ok = np.where(x == 0, floors >= np.nanmax(level, axis=1, keepdims=True) - 1e-12, True)
    assert inactive_ok.all()


def test_inverse_water_fill_reaches_the_target_with_least_power():
    rng = np.random.default_rng(1)
    floors = rng.exponential(size=(500, 3))
    target = rng.uniform(0.01, 5.0, size=500)
    x, total = inverse_water_fill(floors, target)
    np.testing.assert_allclose(np.log1p(x / floors).sum(axis=1), target, rtol=1e-10)
    # Same rate with forward water-filling of that total: the two are inverses.
    np.testing.assert_allclose(water_fill(floors, total), x, atol=1e-9 * total.max())


@pytest.mark.parametrize("seed", range(12))
def test_water_filling_agrees_with_cvxpy(seed):
    scenario = sa.random_scenario(power_budget_dbm=float([3, 6, 10][seed % 3]), rng=seed)
    graph = sa.random_assignment(4, 6, 2, 3, np.random.default_rng(seed))
    p_wf = sa.max_sr_power(scenario, graph)
    p_cvx = sa.max_sr_power(scenario, graph, method="cvxpy")
    r_wf = sa.sum_rate(scenario, graph, p_wf)
    r_cvx = sa.sum_rate(scenario, graph, p_cvx)
    assert r_wf == pytest.approx(r_cvx, rel=1e-6)
    assert r_wf >= r_cvx * (1 - 1e-9)  # water-filling is the exact optimum
    assert sa.allocation_violations(scenario, graph, p_wf) == []


def test_water_filling_beats_every_other_feasible_power():
    scenario = sa.random_scenario(rng=4)
    graph = sa.regular_factor_graph(4, 6)
    best = sa.sum_rate(scenario, graph, sa.max_sr_power(scenario, graph))
    rng = np.random.default_rng(0)
    for _ in range(200):
        split = rng.dirichlet(np.ones(2), size=6)
        power = np.zeros((4, 6))
        sub = edge_index(graph, 2)
        power[sub, np.arange(6)[:, None]] = split * scenario.power_budget[:, None]
        assert sa.sum_rate(scenario, graph, power) <= best + 1e-12


def test_sequential_max_min_is_feasible_and_bounded():
    scenario = sa.random_scenario(power_budget_dbm=6.0, rng=2)
    graphs = sa.enumerate_factor_graphs(4, 6)[::10]
    sub = edge_index(graphs, 2)
    a_edges = gather_edges(scenario.snr_at_budget, sub)
    x, t = sequential_max_min(a_edges, sub, scenario.decoding_order, 4)
    assert np.all(x.sum(axis=-1) <= 1 + 1e-12)
    assert np.all(t <= solo_rates(a_edges).min(axis=-1) * (1 + 1e-12))
    for g in range(0, len(graphs), 17):
        power = np.zeros((4, 6))
        power[sub[g], np.arange(6)[:, None]] = x[g] * scenario.power_budget[:, None]
        rates = sa.user_rates(scenario, graphs[g], power) * np.log(2)
        assert rates.min() == pytest.approx(t[g], rel=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_max_min_power_polish_never_loses(seed):
    scenario = sa.random_scenario(power_budget_dbm=float([3, 10][seed % 2]), rng=20 + seed)
    graph = sa.random_assignment(4, 6, 2, 3, np.random.default_rng(seed))
    rough = sa.max_min_power(scenario, graph, polish=False)
    fine = sa.max_min_power(scenario, graph)
    assert sa.allocation_violations(scenario, graph, fine) == []
    assert sa.user_rates(scenario, graph, fine).min() >= sa.user_rates(
        scenario, graph, rough
    ).min() * (1 - 1e-12)


def test_iterative_water_filling_converges_from_any_start():
    scenario = sa.random_scenario(rng=9)
    graph = sa.regular_factor_graph(4, 6)
    sub = edge_index(graph, 2)[None]
    a_edges = gather_edges(scenario.snr_at_budget, sub)
    rng = np.random.default_rng(0)
    values = [
        iterative_water_filling(a_edges, sub, 4, rng.dirichlet(np.ones(2), size=(1, 6)))[1][0]
        for _ in range(5)
    ]
    np.testing.assert_allclose(values, values[0], rtol=1e-10)


@pytest.mark.parametrize(
    ("floors", "expected"),
    [
        ([1e16, 3e16], [1.0, 0.0]),  # floors far above the budget: no round-off loss
        ([3e16, 1e16 + 0.5], [0.0, 1.0]),
        ([1e16, 1e16 + 1.0], [0.5, 0.5]),  # 1e16 + 1 rounds to 1e16: equal floors
        ([np.inf, np.inf], [0.0, 0.0]),
        ([np.inf, 2.0], [0.0, 1.0]),
        ([1.0, 1.5], [0.75, 0.25]),
        ([1e16, 3e16, 5.0], [0.0, 0.0, 1.0]),
        ([1e16, 1e16 + 4.0, np.inf], [1.0, 0.0, 0.0]),
    ],
)
def test_water_fill_keeps_the_budget_whatever_the_floors(floors, expected):
    x = water_fill(np.array([floors]))[0]
    np.testing.assert_allclose(x, expected, atol=1e-12)
    assert x.sum() <= 1.0 + 1e-15


def test_a_weak_user_under_a_strong_one_keeps_its_budget():
    # Floors 1e16 apart (a -74 dB user sharing resources with an 87 dB user).
    rng = np.random.default_rng(0)
    scale = 10.0 ** np.array([-11.75, 4.5, 0.0, 0.0, 3.0, 0.0])
    s = sa.Scenario(rng.exponential(size=(4, 6)) * scale, 1e3, 0.1)
    result = sa.solve_max_sr(s)
    assert np.all(result.power.sum(axis=0) <= s.power_budget * (1 + 1e-9))
    assert result.sum_rate == pytest.approx(sa.exhaustive_max_sr(s).sum_rate, rel=1e-9)
