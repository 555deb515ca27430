"""Property tests: whatever the channel and sizes, allocations are feasible and exact."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import scma_alloc as sa


@st.composite
def scenarios(draw):
    """Scenarios whose gains are drawn (so that a failure shrinks to a small example):
    sizes, then gains over twelve orders of magnitude with exact zeros, then budgets."""
    n_resources = draw(st.integers(2, 5))
    n_per_user = draw(st.integers(1, min(3, n_resources)))
    users_per_resource = draw(st.integers(1, 4))
    max_users = (n_resources * users_per_resource) // n_per_user
    n_users = draw(st.integers(1, min(max_users, 8)))
    exponents = draw(
        arrays(float, (n_resources, n_users), elements=st.floats(-3, 9, allow_nan=False))
    )
    zero = draw(arrays(bool, (n_resources, n_users), elements=st.booleans()))
    gains = np.where(zero & (draw(st.integers(0, 5)) == 0), 0.0, 10.0**exponents)
    gains[0, gains.max(axis=0) == 0] = 1.0
    budget = 10.0 ** draw(arrays(float, n_users, elements=st.floats(-3, 0)))
    return sa.Scenario(gains, budget, 1.0, n_per_user, users_per_resource)


def check(scenario, result):
    assert sa.allocation_violations(scenario, result.assignment, result.power) == []
    rates = sa.user_rates(scenario, result.assignment, result.power)
    np.testing.assert_array_equal(result.user_rates, rates)
    assert result.sum_rate == rates.sum()
    assert result.min_rate == rates.min()
    assert np.all(np.isfinite(rates)) and np.all(rates >= 0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_max_sr_allocations_are_feasible_and_rates_recompute(scenario):
    result = sa.solve_max_sr(scenario)
    check(scenario, result)
    if (
        sa.count_factor_graphs(*scenario.shape, scenario.n_per_user, scenario.users_per_resource)
        < 3000
    ):
        exact = sa.exhaustive_max_sr(scenario)
        check(scenario, exact)
        assert result.sum_rate <= exact.sum_rate * (1 + 1e-9)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_max_min_allocations_are_feasible_and_rates_recompute(scenario):
    check(scenario, sa.solve_max_min(scenario))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_paper_method_allocations_are_feasible(scenario):
    check(scenario, sa.solve_max_sr(scenario, method="paper"))
    check(scenario, sa.solve_max_min(scenario, method="paper"))
