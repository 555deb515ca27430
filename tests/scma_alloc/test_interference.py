"""General interference coupling: the model, the SIC identity, solvers and the check."""

import numpy as np
import pytest

import scma_alloc as sa


def small_scenario(seed=0):
    rng = np.random.default_rng(seed)
    return sa.Scenario(rng.exponential(size=(3, 4)) * 40, 1.0, 1.0, 2, 3)


@pytest.mark.parametrize(
    ("coupling", "error", "match"),
    [
        (np.ones(4), ValueError, "square"),
        (np.ones((4, 3)), ValueError, "square"),
        (np.full((4, 4), np.nan), ValueError, "finite"),
        (-np.ones((4, 4)) + np.eye(4), ValueError, "non-negative"),
        (np.ones((4, 4)), ValueError, "diagonal"),
        ([["a"]], TypeError, "coupling"),
    ],
)
def test_model_validation(coupling, error, match):
    with pytest.raises(error, match=match):
        sa.InterferenceModel(coupling)


def test_size_mismatch_names_the_argument():
    scenario = sa.random_scenario(rng=0)
    with pytest.raises(ValueError, match="interference"):
        sa.solve_max_min(
            scenario, interference=sa.InterferenceModel.treat_interference_as_noise(5)
        )
    with pytest.raises(ValueError, match="interference"):
        sa.solve_max_sr(scenario, interference=np.eye(6))
    with pytest.raises(ValueError, match="paper"):
        sa.solve_max_min(scenario, method="paper", interference=1 - np.eye(6))


@pytest.mark.parametrize("method", ["alternating", "paper"])
def test_sic_model_gives_bit_identical_results(method):
    for seed in range(3):
        scenario = sa.random_scenario(power_budget_dbm=6.0, rng=seed)
        sic = sa.InterferenceModel.sic(scenario)
        for solve in (sa.solve_max_sr, sa.solve_max_min):
            a = solve(scenario, method=method)
            b = solve(scenario, method=method, interference=sic)
            np.testing.assert_array_equal(a.assignment, b.assignment)
            np.testing.assert_array_equal(a.power, b.power)
            np.testing.assert_array_equal(a.user_rates, b.user_rates)
            assert b.interference == "sic"


def test_coupled_results_are_feasible_and_rated_with_the_coupling():
    scenario = sa.random_scenario(power_budget_dbm=6.0, rng=4)
    rng = np.random.default_rng(0)
    coupling = rng.uniform(0, 0.2, size=(6, 6))
    np.fill_diagonal(coupling, 0)
    model = sa.InterferenceModel(coupling, "random")
    for solve in (sa.solve_max_sr, sa.solve_max_min):
        result = solve(scenario, interference=model)
        assert sa.allocation_violations(scenario, result.assignment, result.power) == []
        rates = sa.user_rates(scenario, result.assignment, result.power, coupling=coupling)
        np.testing.assert_allclose(result.user_rates, rates, rtol=1e-12)
        assert result.sum_rate == pytest.approx(rates.sum())
        assert result.interference == "random"
        assert result.status == sa.STATUS_CONVERGED


def test_no_coupling_is_orthogonal_water_filling():
    """With C = 0 each user is alone: per-user water-filling is optimal for both goals."""
    scenario = small_scenario(1)
    model = sa.InterferenceModel(np.zeros((4, 4)), "none")
    exact = sa.solve_max_sr(scenario, interference=model, method="exhaustive")
    found = sa.solve_max_sr(scenario, interference=model)
    assert found.sum_rate == pytest.approx(exact.sum_rate, rel=1e-6)
    # Brute force: every graph, each user water-fills its own resources alone.
    best = 0.0
    for graph in sa.enumerate_factor_graphs(3, 4, 2, 3):
        rates = 0.0
        for j in range(4):
            gains = scenario.snr_at_budget[graph[:, j] == 1, j]
            floors = 1.0 / gains
            level = max((1 + floors.sum()) / 2, floors.min() + 0)
            x = np.maximum(level - floors, 0)
            if x.sum() > 1 + 1e-12:  # single-resource case
                x = np.where(floors == floors.min(), 1.0, 0.0)
            rates += np.log2(1 + x * gains).sum()
        best = max(best, rates)
    assert exact.sum_rate == pytest.approx(best, rel=1e-6)


def test_default_max_min_close_to_the_exhaustive_check():
    scenario = small_scenario(2)
    rng = np.random.default_rng(1)
    coupling = rng.uniform(0, 0.1, size=(4, 4))
    np.fill_diagonal(coupling, 0)
    model = sa.InterferenceModel(coupling)
    exact = sa.solve_max_min(scenario, interference=model, method="exhaustive")
    found = sa.solve_max_min(scenario, interference=model)
    assert exact.n_graphs == 36 and exact.n_polished <= 36
    assert found.min_rate >= 0.97 * exact.min_rate
    assert found.min_rate <= exact.min_rate * (1 + 1e-6)


def test_treating_interference_as_noise_costs_rate():
    scenario = sa.random_scenario(power_budget_dbm=10.0, rng=5)
    tin = sa.solve_max_min(
        scenario, interference=sa.InterferenceModel.treat_interference_as_noise(6)
    )
    sic = sa.solve_max_min(scenario)
    assert tin.min_rate < sic.min_rate
