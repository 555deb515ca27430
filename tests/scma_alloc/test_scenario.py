"""Scenario validation, the paper's channel, units."""

import numpy as np
import pytest
from reference_problems import sic_rates_by_hand

import scma_alloc as sa


def test_units_round_trip():
    assert sa.dbm_to_watt(30.0) == pytest.approx(1.0)
    np.testing.assert_allclose(sa.watt_to_dbm(sa.dbm_to_watt([3.0, 10.0])), [3.0, 10.0])
    with pytest.raises(ValueError, match="power_watt"):
        sa.watt_to_dbm(0.0)


def test_noise_presets_match_the_spec():
    # Paper preset: B * 10**(-174/10) = -91.4 dBm; thermal kTB: -121.4 dBm (180 kHz).
    assert sa.watt_to_dbm(sa.noise_power(180e3, "paper")) == pytest.approx(-91.45, abs=0.01)
    assert sa.watt_to_dbm(sa.noise_power(180e3, "thermal")) == pytest.approx(-121.45, abs=0.01)
    with pytest.raises(ValueError, match="noise"):
        sa.noise_power(180e3, "cold")


def test_random_scenario_is_seeded_and_follows_the_model():
    a = sa.random_scenario(rng=7)
    b = sa.random_scenario(rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.gains, b.gains)
    assert a.shape == (4, 6) and a.n_per_user == 2 and a.users_per_resource == 3
    other = sa.random_scenario(9, 12, n_per_user=3, users_per_resource=4, rng=0)
    assert other.sizes == (9, 12, 3, 4)
    # Path loss 1 + d^4 with d <= 300 m bounds the average gain from below.
    big = sa.random_scenario(n_resources=2000, n_users=3, rng=1, radius=300.0)
    mean_gain = big.gains.mean(axis=0)
    assert np.all(mean_gain > 0.8 / (1 + 300.0**4))
    assert np.all(mean_gain < 1.2)
    np.testing.assert_allclose(a.power_budget, sa.dbm_to_watt(10.0))
    thermal = sa.random_scenario(rng=7, noise="thermal")
    np.testing.assert_allclose(thermal.snr_gain / a.snr_gain, 10**3, rtol=1e-12)


def test_decoding_order_ranks_by_total_gain_with_stable_ties():
    gains = np.array([[1.0, 3.0, 2.0, 1.0], [1.0, 0.0, 1.0, 1.0]])
    s = sa.Scenario(gains, 1.0, n_per_user=1, users_per_resource=2)
    np.testing.assert_array_equal(s.decoding_order, [0, 3, 1, 2])
    np.testing.assert_array_equal(s.user_rank, [0, 2, 3, 1])


def test_with_budget_keeps_the_channel():
    s = sa.random_scenario(rng=3)
    t = s.with_budget(0.5)
    np.testing.assert_array_equal(s.gains, t.gains)
    np.testing.assert_allclose(t.power_budget, 0.5)
    assert "K=4" in repr(t)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gains": np.ones(6)}, "gains"),
        ({"gains": np.ones((4, 6, 1))}, "gains"),
        ({"gains": np.full((4, 6), np.nan)}, "gains"),
        ({"gains": np.where(np.eye(4, 6) > 0, np.inf, 1.0)}, "gains"),
        ({"gains": -np.ones((4, 6))}, "gains"),
        ({"gains": np.c_[np.ones((4, 5)), np.zeros(4)]}, "gains"),
        ({"power_budget": 0.0}, "power_budget"),
        ({"power_budget": -1.0}, "power_budget"),
        ({"power_budget": np.ones(5)}, "power_budget"),
        ({"power_budget": [1, 1, 1, 1, 1, np.nan]}, "power_budget"),
        ({"power_budget": 1e37}, r"power_budget 1e\+37 W \(400 dBm\) exceeds"),
        ({"gains": np.full((4, 6), 1e-30)}, r"SNR of at most -300 dB"),
        ({"gains": np.c_[np.ones((4, 5)), np.full(4, 1e-12)]}, r"user\(s\) \[5\]"),
        ({"noise_power": 0.0}, "noise_power"),
        ({"noise_power": np.inf}, "noise_power"),
        ({"n_per_user": 5}, "n_per_user"),
        ({"n_per_user": 0}, "n_per_user"),
        ({"users_per_resource": 2}, "n_users\\*n_per_user"),
        ({"users_per_resource": 0}, "users_per_resource"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    args = {"gains": np.ones((4, 6)), "power_budget": 1.0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sa.Scenario(**args)


def test_type_errors():
    with pytest.raises(TypeError, match="gains"):
        sa.Scenario([["a", "b"]], 1.0)
    with pytest.raises(TypeError, match="n_per_user"):
        sa.Scenario(np.ones((4, 6)), 1.0, n_per_user=2.0)
    with pytest.raises(TypeError, match="noise_power"):
        sa.Scenario(np.ones((4, 6)), 1.0, noise_power="1")


def test_budget_strings_are_refused_not_converted():
    with pytest.raises(TypeError, match="power_budget"):
        sa.Scenario(np.ones((4, 6)), "10")
    with pytest.raises(TypeError, match="power_budget"):
        sa.Scenario(np.ones((4, 6)), ["1"] * 6)
    with pytest.raises(TypeError, match="power_budget_dbm"):
        sa.random_scenario(power_budget_dbm="10")


def test_implausible_budget_in_dbm_is_refused_with_its_unit():
    with pytest.raises(ValueError, match=r"400 dBm"):
        sa.random_scenario(power_budget_dbm=400.0)
    sa.random_scenario(power_budget_dbm=90.0)  # the largest accepted budget


def test_weakest_user_threshold_keeps_solutions_exact():
    # Just above the threshold the solvers still match the exhaustive optimum.
    s = sa.random_scenario(rng=2, power_budget_dbm=3.0)
    scale = 2 * sa.MIN_USER_SNR / s.snr_at_budget.max(axis=0).min()
    t = sa.Scenario(s.gains * scale, s.power_budget, s.noise_power)
    exact = sa.exhaustive_max_sr(t)
    assert sa.solve_max_sr(t).sum_rate == pytest.approx(exact.sum_rate, rel=1e-6)
    with pytest.raises(ValueError, match="SNR"):
        sa.Scenario(s.gains * scale / 4, s.power_budget, s.noise_power)


def test_scenario_arrays_are_read_only():
    s = sa.random_scenario(rng=0)
    with pytest.raises(ValueError):
        s.gains[0, 0] = 1.0


def test_per_resource_noise_and_interference_enter_every_rate():
    s = sa.random_scenario(rng=4, power_budget_dbm=6.0)
    noise = s.noise_power * np.array([1.0, 2.0, 0.5, 4.0])
    interference = s.noise_power * np.array([0.0, 10.0, 0.0, 1.0])
    t = sa.Scenario(s.gains, s.power_budget, noise, interference_power=interference)
    np.testing.assert_allclose(t.noise_per_resource, noise + interference)
    np.testing.assert_allclose(t.snr_gain, s.gains / (noise + interference)[:, None])
    for result in (
        sa.solve_max_sr(t),
        sa.solve_max_min(t),
        sa.exhaustive_max_sr(t),
        sa.get_algorithm("b2")(t),
        sa.get_algorithm("b0")(t),
    ):
        by_hand = sic_rates_by_hand(t.gains, noise + interference, result.assignment, result.power)
        np.testing.assert_allclose(result.user_rates, by_hand, rtol=1e-9, atol=1e-12)
    assert sa.solve_max_sr(t).sum_rate == pytest.approx(sa.exhaustive_max_sr(t).sum_rate)
    assert "interference_power=[0, " in repr(t)
    assert t.with_budget(0.5).interference_power.tolist() == interference.tolist()


@pytest.mark.parametrize("seed", range(4))
def test_interference_on_a_resource_moves_users_off_it(seed):
    s = sa.random_scenario(6, 6, rng=seed, power_budget_dbm=10.0)
    before = sa.solve_max_min(s), sa.solve_max_sr(s)
    k = int(np.argmax(before[1].power.sum(axis=1)))  # where Max-SR puts the most power
    interference = np.zeros(6)
    interference[k] = 1e3 * s.noise_power
    t = sa.Scenario(s.gains, s.power_budget, s.noise_power, interference_power=interference)
    max_min, max_sr = sa.solve_max_min(t), sa.solve_max_sr(t)
    assert max_min.assignment[k].sum() < max(before[0].assignment[k].sum(), 1)
    share = max_sr.power[k].sum() / max_sr.power.sum()
    assert share < 0.5 * before[1].power[k].sum() / before[1].power.sum()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"noise_power": np.ones((4, 6))}, ValueError, "noise_power must be a scalar or have"),
        ({"noise_power": [1.0, 1.0, -1.0, 1.0]}, ValueError, "noise_power must be positive"),
        ({"interference_power": np.ones((4, 6))}, ValueError, "differs between users"),
        ({"interference_power": [0.0, 1.0, np.nan, 0.0]}, ValueError, "interference_power"),
        ({"interference_power": [0, 0, -1, 0]}, ValueError, "non-negative"),
        ({"interference_power": ["1"] * 4}, TypeError, "interference_power"),
    ],
)
def test_per_resource_noise_is_checked(kwargs, error, match):
    with pytest.raises(error, match=match):
        sa.Scenario(np.ones((4, 6)), 1.0, **kwargs)
