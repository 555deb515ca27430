"""gfnoma -> scma_alloc interference models: leakage formulas and the coupling."""

import numpy as np
import pytest

import gfnoma
import scma_alloc as sa


def test_flat_leakage_is_the_squared_cross_correlation():
    sig = gfnoma.musa_like(gfnoma.P_ASY, length=4)
    kappa = gfnoma.leakage(sig, "flat")
    rho = gfnoma.cross_correlation(sig)
    expected = rho**2
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(kappa, expected, atol=1e-12)


def test_per_chip_leakage_matches_a_monte_carlo_average():
    """E|g_j^H g_i|^2 / E|g_j^H g_j|^2 with g = h * s, h i.i.d. CN(0, 1) per chip."""
    sig = gfnoma.random_signatures(gfnoma.P_ASY, length=4, q=2, seed=3)
    s = sig.matrix
    rng = np.random.default_rng(0)
    n = 400_000
    h = (rng.standard_normal((n, *s.shape)) + 1j * rng.standard_normal((n, *s.shape))) / np.sqrt(2)
    g = h * s[None]
    cross = np.abs(np.einsum("bkj,bki->bji", g.conj(), g)) ** 2
    signal = np.diagonal(cross, axis1=1, axis2=2).mean(axis=0)
    monte_carlo = cross.mean(axis=0) / signal[:, None]
    np.fill_diagonal(monte_carlo, 0.0)
    np.testing.assert_allclose(gfnoma.leakage(sig, "per-chip"), monte_carlo, atol=4e-3)
    gain = 1 + (np.abs(s) ** 4).sum(axis=0)
    np.testing.assert_allclose(signal, gain, rtol=1e-2)


def test_interference_model_weights_by_activation_and_plugs_into_scma_alloc():
    sig = gfnoma.wbe(gfnoma.P_ASY, length=4)
    model = gfnoma.interference_model(sig, "flat")
    assert isinstance(model, sa.InterferenceModel)
    np.testing.assert_allclose(
        model.coupling, gfnoma.leakage(sig) * np.asarray(gfnoma.P_ASY)[None, :]
    )
    assert model.name == "WBE (flat)"
    scenario = sa.random_scenario(power_budget_dbm=6.0, rng=0)
    result = sa.solve_max_min(scenario, interference=model)
    assert sa.allocation_violations(scenario, result.assignment, result.power) == []
    assert result.interference == "WBE (flat)"


def test_bad_input_names_the_problem():
    sig = gfnoma.wbe(gfnoma.P_ASY, length=4)
    with pytest.raises(ValueError, match="fading"):
        gfnoma.interference_model(sig, "rician")
    with pytest.raises(ValueError, match="activation"):
        gfnoma.interference_model(sig, activation=[0.5, 0.5])
    with pytest.raises(ValueError, match="activation"):
        gfnoma.interference_model(sig, activation=[0, 1, 1, 1, 1, 1])
    with pytest.raises(TypeError, match="signatures"):
        gfnoma.interference_model(np.eye(4))
    twelve = gfnoma.wbe([0.5] * 12, length=8)
    with pytest.raises(ValueError, match="interference"):
        sa.solve_max_min(sa.random_scenario(rng=0), interference=gfnoma.interference_model(twelve))
