"""Rate model: SIC rates, sum-rate, coupling form, Jain's index."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scma_alloc as sa


def _allocation(seed):
    scenario = sa.random_scenario(power_budget_dbm=6.0, rng=seed)
    rng = np.random.default_rng(seed)
    graph = sa.random_assignment(4, 6, 2, 3, rng)
    power = graph * rng.random((4, 6)) * scenario.power_budget / 2
    return scenario, graph, power


def test_two_user_sic_by_hand():
    # One resource, two users: the stronger (user 1) sees the weaker (user 0).
    gains = np.array([[1.0, 4.0]])
    s = sa.Scenario(gains, [3.0, 2.0], n_per_user=1, users_per_resource=2)
    rates = sa.user_rates(s, np.ones((1, 2)), np.array([[3.0, 2.0]]))
    np.testing.assert_allclose(rates, [np.log2(1 + 3.0), np.log2(1 + 8.0 / (1 + 3.0))])
    assert sa.sum_rate(s, np.ones((1, 2)), np.array([[3.0, 2.0]])) == pytest.approx(
        np.log2(1 + 3.0 + 8.0)
    )


@pytest.mark.parametrize("seed", range(5))
def test_sic_rates_telescope_to_the_sum_rate(seed):
    s, graph, power = _allocation(seed)
    rates = sa.user_rates(s, graph, power)
    assert rates.sum() == pytest.approx(sa.sum_rate(s, graph, power), rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_coupling_form_reproduces_sic(seed):
    s, graph, power = _allocation(seed)
    np.testing.assert_allclose(
        sa.user_rates(s, graph, power, coupling=sa.sic_coupling(s)),
        sa.user_rates(s, graph, power),
        rtol=1e-13,
    )
    # Treating interference as noise can only lower every rate.
    tin = 1.0 - np.eye(6)
    sic = sa.user_rates(s, graph, power)
    assert np.all(sa.user_rates(s, graph, power, coupling=tin) <= sic * (1 + 1e-12))
    with pytest.raises(ValueError, match="coupling"):
        sa.user_rates(s, graph, power, coupling=np.eye(5))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), permutation_seed=st.integers(0, 10_000))
def test_rates_follow_the_callers_user_order(seed, permutation_seed):
    s, graph, power = _allocation(seed)
    perm = np.random.default_rng(permutation_seed).permutation(6)
    t = sa.Scenario(s.gains[:, perm], s.power_budget[perm], noise_power=s.noise_power)
    np.testing.assert_allclose(
        sa.user_rates(t, graph[:, perm], power[:, perm]),
        sa.user_rates(s, graph, power)[perm],
        rtol=1e-12,
    )


def test_jain_index():
    assert sa.jain_index([2.0, 2.0, 2.0]) == pytest.approx(1.0)
    assert sa.jain_index([1.0, 0, 0, 0]) == pytest.approx(0.25)
    rng = np.random.default_rng(0)
    values = sa.jain_index(rng.random((100, 6)))
    assert np.all((values >= 1 / 6) & (values <= 1))
    assert np.isnan(sa.jain_index([0.0, 0.0]))


def test_rate_inputs_are_checked():
    s, graph, power = _allocation(0)
    with pytest.raises(ValueError, match="power"):
        sa.user_rates(s, graph, -power)
    with pytest.raises(ValueError, match="assignment"):
        sa.user_rates(s, graph[:3], power)


@pytest.mark.parametrize(
    "call",
    [
        lambda s, f, p: sa.user_rates(s, f, p * (1 + 1j)),
        lambda s, f, p: sa.sum_rate(s, f, p.astype(str)),
        lambda s, f, p: sa.allocation_violations(s, f, p * (1 + 0j)),
        lambda s, f, p: sa.user_rates(s, f.astype(complex), p),
        lambda s, f, p: sa.jain_index(["1", "2"]),
        lambda s, f, p: sa.solve_max_sr(s, initial=(f, p * (1 + 0j))),
        lambda s, f, p: sa.Scenario(s.gains.astype(complex), 1.0),
        lambda s, f, p: sa.Scenario(s.gains.astype(str), 1.0),
        lambda s, f, p: sa.InterferenceModel(np.zeros((6, 6), dtype=complex)),
        lambda s, f, p: sa.check_assignment(f.astype(complex), 2, 3),
    ],
)
def test_no_silent_coercion_of_complex_or_strings(call):
    s, graph, power = _allocation(0)
    with pytest.raises(TypeError, match=r"real numbers|numeric 0/1"):
        call(s, graph, power)


def test_allocation_violations_reports_each_problem():
    s, graph, power = _allocation(1)
    assert sa.allocation_violations(s, graph, power) == []
    over = power.copy()
    over[:, 0] = graph[:, 0] * s.power_budget[0]
    assert any("budget" in p for p in sa.allocation_violations(s, graph, over))
    off = power + (1 - graph) * 1e-6
    assert any("off the factor graph" in p for p in sa.allocation_violations(s, graph, off))
