"""Per-user rate floors (QoS) on every objective, and the weighted max-min."""

from __future__ import annotations

import numpy as np
import pytest

import scma_alloc as sa
from scma_alloc._power import solo_rates
from scma_alloc._rates import LN2

SOLVERS = {
    "max-sr": lambda s, **kw: sa.solve_max_sr(s, **kw),
    "max-min": lambda s, **kw: sa.solve_max_min(s, **kw),
    "prop-fair": lambda s, **kw: sa.solve_alpha_fair(s, 1.0, **kw),
}


def _small(seed: int) -> sa.Scenario:
    """3 resources, 3 users of 2 resources each (d_f = 2): few enough graphs for the
    exhaustive reference in a default test."""
    return sa.random_scenario(n_resources=3, n_users=3, n_per_user=2, power_budget_dbm=6, rng=seed)


def _best_solo(scenario: sa.Scenario) -> np.ndarray:
    """Each user's rate alone on its N best resources with its whole budget (bit/s/Hz):
    no allocation gives a user more."""
    snr = scenario.snr_at_budget  # (K, J)
    best = -np.sort(-snr, axis=0)[: scenario.n_per_user].T  # (J, N)
    return solo_rates(best[None])[0] / LN2


@pytest.mark.parametrize("name", list(SOLVERS))
def test_floors_are_met_and_reported(name):
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    plain = sa.solve_max_min(s)
    floor = 0.9 * plain.min_rate
    res = SOLVERS[name](s, min_rates=floor)
    assert res.success and res.status == "converged"
    assert np.all(res.user_rates >= floor * (1 - 1e-9))
    assert np.allclose(res.min_rates, floor) and np.all(res.floor_shortfall == 0)
    # Rates recompute from the returned allocation; budgets hold.
    assert np.allclose(sa.user_rates(s, res.assignment, res.power), res.user_rates)
    assert np.all(res.power.sum(axis=0) <= s.power_budget * (1 + 1e-12))


def test_floors_cost_sum_rate_and_bind():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    free = sa.solve_max_sr(s)
    floor = sa.solve_max_min(s).min_rate * 0.97
    assert free.user_rates.min() < floor  # the floor binds for the free optimum
    res = sa.solve_max_sr(s, min_rates=floor)
    assert res.success and res.user_rates.min() >= floor * (1 - 1e-9)
    assert res.sum_rate <= free.sum_rate * (1 + 1e-9)
    assert res.sum_rate > sa.solve_max_min(s).sum_rate  # better than plain fairness


def test_unreachable_floor_is_reported_with_the_closest_allocation():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    floors = np.zeros(s.n_users)
    floors[2] = 1.5 * _best_solo(s)[2]  # beyond user 2 alone on its best resources
    floors[0] = 0.5
    for name, solver in SOLVERS.items():
        res = solver(s, min_rates=floors)
        assert not res.success and res.status == sa.STATUS_FLOORS_NOT_MET, name
        assert "user 2" in res.message and "shortfall" in res.message
        assert res.floor_shortfall[2] > 0
        assert np.allclose(res.floor_shortfall, np.maximum(floors - res.user_rates, 0))
        # Budgets still hold (the floors, not the budgets, are missed).
        assert np.all(res.power.sum(axis=0) <= s.power_budget * (1 + 1e-12))
        # Closest: the smallest fraction of its floor any user reaches is the weighted
        # max-min's, with the floors as weights.
        closest = sa.solve_max_min(s, weights=floors)
        held = floors > 0
        fraction = (res.user_rates[held] / floors[held]).min()
        assert fraction == pytest.approx((closest.user_rates[held] / floors[held]).min())


def test_zero_floors_change_nothing():
    s = sa.random_scenario(power_budget_dbm=6, rng=3)
    for solver in SOLVERS.values():
        a, b = solver(s), solver(s, min_rates=0.0)
        assert a.user_rates.tolist() == b.user_rates.tolist()
        assert "min_rates" not in b


def test_exhaustive_floors_match_the_alternating_search():
    for seed in range(3):
        s = _small(seed)
        floor = 0.8 * sa.solve_max_min(s, method="exhaustive").min_rate
        exact = sa.solve_max_sr(s, method="exhaustive", min_rates=floor)
        res = sa.solve_max_sr(s, min_rates=floor)
        assert exact.success and res.success
        assert np.all(exact.user_rates >= floor * (1 - 1e-9))
        assert res.sum_rate >= exact.sum_rate * (1 - 5e-3)


def test_weighted_max_min():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    plain = sa.solve_max_min(s)
    # Equal weights: the plain max-min, scaled.
    same = sa.solve_max_min(s, weights=np.full(s.n_users, 3.0))
    assert same.min_rate == pytest.approx(plain.min_rate, rel=1e-6)  # root-search tolerance
    w = np.array([1, 1, 1, 1, 2, 1.0])
    res = sa.solve_max_min(s, weights=w)
    t = (res.user_rates / w).min()
    assert res.user_rates[4] >= 2 * t * (1 - 1e-9)
    assert t < plain.min_rate  # user 4 is a bottleneck: doubling it costs the others
    np.testing.assert_array_equal(res.weights, w)
    # alpha = inf with weights is the weighted max-min.
    inf = sa.solve_alpha_fair(s, np.inf, w)
    assert inf.user_rates.tolist() == res.user_rates.tolist()
    # Against the exhaustive reference.
    for seed in range(3):
        small = _small(seed)
        w = np.array([1.0, 2.0, 0.5])
        exact = sa.solve_max_min(small, method="exhaustive", weights=w)
        found = sa.solve_max_min(small, weights=w)
        assert (found.user_rates / w).min() >= (exact.user_rates / w).min() * (1 - 1e-3)


def test_weighted_sum_rate_routes_to_alpha_fair():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    a = sa.solve_max_sr(s, weights=np.full(s.n_users, 2.0))
    assert a.sum_rate == pytest.approx(sa.solve_max_sr(s).sum_rate, rel=1e-12)
    assert a.utility == pytest.approx(2 * a.sum_rate)


def test_max_min_floor_lifts_one_user():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    plain = sa.solve_max_min(s)
    floors = np.zeros(s.n_users)
    floors[4] = 1.15 * plain.user_rates[4]  # user 4 alone reaches 1.25 times
    assert floors[4] < _best_solo(s)[4]
    res = sa.solve_max_min(s, min_rates=floors)
    assert res.success and res.user_rates[4] >= floors[4] * (1 - 1e-9)
    assert res.min_rate <= plain.min_rate * (1 + 1e-9)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (-1.0, ValueError, "min_rates"),
        (np.nan, ValueError, "min_rates"),
        ([1.0, 2.0], ValueError, "min_rates"),
        (1 + 1j, TypeError, "min_rates"),
        ("1", TypeError, "min_rates"),
    ],
)
def test_bad_floors_are_refused(value, error, match):
    s = sa.random_scenario(rng=0)
    with pytest.raises(error, match=match):
        sa.solve_max_sr(s, min_rates=value)


def test_bad_weights_and_paper_are_refused():
    s = sa.random_scenario(rng=0)
    with pytest.raises(ValueError, match="weights"):
        sa.solve_max_min(s, weights=[1, 1])
    with pytest.raises(ValueError, match="weights"):
        sa.solve_max_min(s, weights=np.zeros(6))
    with pytest.raises(ValueError, match="method"):
        sa.solve_max_sr(s, method="paper", min_rates=1.0)
    with pytest.raises(ValueError, match="method"):
        sa.solve_max_min(s, method="paper", weights=np.ones(6))


def test_registry_passes_floors():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    res = sa.get_algorithm("max-sr")(s, min_rates=1.0)
    assert res.success and res.user_rates.min() >= 1.0 * (1 - 1e-9)


def test_cli_solve_with_floors_and_weights(capsys):
    from scma_alloc._cli import main

    assert main(["solve", "--no-figure", "--objective", "max-sr", "--min-rates", "1"]) == 0
    out = capsys.readouterr().out
    assert "status converged" in out
    assert main(["solve", "--no-figure", "--objective", "max-sr", "--min-rates", "30"]) == 0
    out = capsys.readouterr().out
    assert "status floors_not_met" in out and "largest shortfall" in out
    assert (
        main(["solve", "--no-figure", "--objective", "max-min", "--weights", "1,1,1,1,2,1"]) == 0
    )
    assert main(["solve", "--no-figure", "--min-rates", "1,2"]) == 2
    assert "--min-rates: give one number or one per user" in capsys.readouterr().err
    assert main(["solve", "--no-figure", "--min-rates=-1"]) == 2
    assert "--min-rates" in capsys.readouterr().err
    assert main(["solve", "--no-figure", "--algorithms", "b0", "--weights", "2"]) == 2
    assert "--weights applies to --objective runs" in capsys.readouterr().err


def test_floor_sweep_counts_misses():
    frame = sa.sweep_parameter("max-sr:min_rates", [0.0, 30.0], n_drops=2, algorithms=["max-sr"])
    assert set(frame["status"]) == {"converged", "floors_not_met"}
    with pytest.warns(UserWarning):  # few drops
        summary = sa.summarize_sweep(frame)
    assert summary["n_floors_not_met"].tolist() == [0, 2]
