"""Random junk into the public entry points: a clear error naming the argument, or a
feasible allocation whose rates recompute; never another exception, never NaN rates
with a success status."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import scma_alloc as sa

ARGUMENTS = ("gains", "power_budget", "noise_power", "n_per_user", "users_per_resource")

magnitudes = st.sampled_from([0.0, 1e-300, 1e-30, 1e-12, 1e-3, 1.0, 1e3, 1e12, 1e300])
reals = st.one_of(
    magnitudes,
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(-3, 10**6),
)


def arrays(shape: tuple[int, ...]) -> st.SearchStrategy:
    size = int(np.prod(shape)) if shape else 1
    base = st.lists(reals, min_size=size, max_size=size).map(
        lambda v: np.asarray(v, dtype=float).reshape(shape)
    )
    scaled = st.tuples(st.floats(1e-20, 1e20), st.integers(0, 2**31)).map(
        lambda a: a[0] * np.random.default_rng(a[1]).exponential(size=shape)
    )
    return st.one_of(base, scaled)


junk = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.booleans(),
    st.complex_numbers(max_magnitude=10),
    st.lists(st.text(max_size=2), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just([[1.0, 2.0], [3.0]]),  # ragged
    st.just(np.ones((4, 6), dtype=complex)),
    st.just(np.full((4, 6), "1")),
)
shapes = st.sampled_from([(4, 6), (4, 6), (3, 4), (2, 2), (6,), (4, 6, 1), (0, 6), ()])
gains_values = st.one_of(shapes.flatmap(arrays), junk)
budget_values = st.one_of(reals, shapes.flatmap(arrays), st.just(np.full(6, 0.01)), junk)
noise_values = st.one_of(reals, junk)
sizes = st.one_of(st.integers(-1, 4), junk)


def _names_an_argument(exc: Exception) -> bool:
    return any(name in str(exc) for name in ARGUMENTS)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    gains=gains_values,
    budget=budget_values,
    noise=noise_values,
    n_per_user=st.one_of(st.just(2), sizes),
    users_per_resource=st.one_of(st.just(3), sizes),
)
def test_scenario_and_solvers_on_junk(gains, budget, noise, n_per_user, users_per_resource):
    try:
        scenario = sa.Scenario(gains, budget, noise, n_per_user, users_per_resource)
    except (ValueError, TypeError) as exc:
        assert _names_an_argument(exc), str(exc)
        event("refused")
        return
    event("solved")
    for solve in (sa.solve_max_sr, sa.solve_max_min):
        result = solve(scenario)
        assert result.success
        assert sa.allocation_violations(scenario, result.assignment, result.power) == []
        assert np.all(np.isfinite(result.user_rates)) and np.all(result.user_rates >= 0)
        recomputed = sa.user_rates(scenario, result.assignment, result.power)
        np.testing.assert_allclose(recomputed, result.user_rates, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    k=st.one_of(st.integers(-1, 6), junk),
    j=st.one_of(st.integers(-1, 8), junk),
    budget_dbm=st.one_of(st.floats(-200, 500), reals, junk),
)
def test_random_scenario_on_junk(k, j, budget_dbm):
    try:
        scenario = sa.random_scenario(k, j, power_budget_dbm=budget_dbm, rng=0)
    except (ValueError, TypeError) as exc:
        names = ("n_resources", "n_users", "power_budget", "n_per_user", "gains", "user")
        assert any(name in str(exc) for name in names), str(exc)
        return
    assert np.all(np.isfinite(scenario.snr_at_budget))


@settings(max_examples=80, deadline=None)
@given(
    assignment=st.one_of(shapes.flatmap(arrays), junk),
    power=st.one_of(shapes.flatmap(arrays), junk),
)
def test_rates_on_junk(assignment, power):
    scenario = sa.random_scenario(rng=1)
    try:
        rates = sa.user_rates(scenario, assignment, power)
    except (ValueError, TypeError) as exc:
        assert "assignment" in str(exc) or "power" in str(exc), str(exc)
        return
    assert np.all(np.isfinite(rates)) and np.all(rates >= 0)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    user_scale=st.lists(st.floats(-14, 14), min_size=6, max_size=6),
    budget=st.floats(-6, 6),
    noise=st.floats(-16, 2),
    zeros=st.integers(0, 12),
)
def test_wild_magnitudes_solve_or_are_refused_by_name(seed, user_scale, budget, noise, zeros):
    rng = np.random.default_rng(seed)
    gains = rng.exponential(size=(4, 6)) * 10.0 ** np.asarray(user_scale)
    gains.ravel()[rng.choice(24, size=zeros, replace=False)] = 0.0  # some dead edges
    try:
        scenario = sa.Scenario(gains, 10.0**budget, 10.0**noise)
    except ValueError as exc:
        assert _names_an_argument(exc) or "user(s)" in str(exc), str(exc)
        event("refused")
        return
    event("solved")
    for solve in (sa.solve_max_sr, sa.solve_max_min):
        result = solve(scenario)
        assert sa.allocation_violations(scenario, result.assignment, result.power) == []
        assert np.all(np.isfinite(result.user_rates)) and np.isfinite(result.jain_index)
        np.testing.assert_allclose(
            sa.user_rates(scenario, result.assignment, result.power),
            result.user_rates,
            rtol=1e-9,
            atol=1e-12,
        )


@pytest.mark.parametrize("value", [-1.0, 1.5, np.nan, np.inf])
def test_rates_refuse_assignment_values_outside_the_unit_interval(value):
    scenario = sa.random_scenario(rng=1)
    assignment = np.zeros(scenario.shape)
    assignment[-1, -1] = value
    with pytest.raises(ValueError, match="assignment"):
        sa.user_rates(scenario, assignment, np.full(scenario.shape, 1e-3))
