"""Scenario validation, the paper's channel, units."""

import numpy as np
import pytest

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
