"""Link-level check of the coupling model on tiny cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

import gfnoma
import scma_alloc as sa
from gfnoma.link_sinr import link_check, predicted_sinr, simulate_sinr


def _db(x):
    return 10 * np.log10(x)


def _hadamard_pair() -> gfnoma.Signatures:
    """Two orthogonal signatures with energy on every chip (N = 2, H = 4)."""
    return gfnoma.Signatures(
        np.array([[1, 1], [1, -1], [1, 1], [1, -1]]), [0.8, 0.4], q=1, name="hadamard"
    )


@pytest.mark.parametrize("receiver", ["mf", "mmse-sic"])
def test_single_user_on_a_flat_block_gets_exactly_q(receiver):
    q = np.array([3.0, 0, 0, 0, 0, 0])
    est = simulate_sinr(
        gfnoma.wbe(gfnoma.P_ASY), q, receiver=receiver, fading="flat", n_samples=4000
    )
    assert est.users.tolist() == [0]
    for key in ("avg", "mse", "rate"):
        np.testing.assert_allclose(est.sinr[key], [3.0], rtol=1e-12)
    # The realised residual of the simulated received vector is the noise alone.
    err = abs(_db(est.sinr["avg_empirical"][0]) - _db(3.0))
    assert est.stderr_db["avg_empirical"][0] > 0
    assert err < 4 * est.stderr_db["avg_empirical"][0]


def test_single_user_with_per_chip_fading_matches_closed_forms():
    """MF, WBE: ||g||^2 = q sum_k |h_k|^2 / 4 ~ q Gamma(4, 1/4)."""
    q = 4.0
    est = simulate_sinr(gfnoma.wbe(gfnoma.P_ASY), np.array([q, 0, 0, 0, 0, 0]), n_samples=40_000)
    # ratio of averages: E||g||^4 / E||g||^2 = q G with G = 1 + sum_k |s_k|^4 = 1.25
    assert abs(_db(est.sinr["avg"][0]) - _db(q * 1.25)) < 4 * est.stderr_db["avg"][0]
    gamma = stats.gamma(a=4, scale=q / 4)
    ergodic = integrate.quad(lambda x: np.log2(1 + x) * gamma.pdf(x), 0, np.inf)[0]
    mse = integrate.quad(lambda x: gamma.pdf(x) / (1 + x), 0, np.inf)[0]
    assert abs(_db(est.sinr["rate"][0]) - _db(2**ergodic - 1)) < 4 * est.stderr_db["rate"][0]
    assert abs(_db(est.sinr["mse"][0]) - _db(1 / mse - 1)) < 4 * est.stderr_db["mse"][0]


@pytest.mark.parametrize("receiver", ["mf", "mmse-sic"])
def test_orthogonal_signatures_on_a_flat_block_do_not_interfere(receiver):
    est = simulate_sinr(
        _hadamard_pair(), np.array([5.0, 50.0]), receiver=receiver, fading="flat", n_samples=4000
    )
    for key in ("avg", "mse", "rate"):
        np.testing.assert_allclose(est.sinr[key], [5.0, 50.0], rtol=1e-9)


def test_mf_on_a_flat_block_is_predicted_by_the_flat_model():
    sig = gfnoma.wbe(gfnoma.P_ASY)
    q = np.array([10.0, 5.0, 0, 20.0, 0, 0])
    est = simulate_sinr(sig, q, fading="flat", n_samples=4000)
    pred = predicted_sinr(q, gfnoma.interference_model(sig, "flat").coupling)[est.users]
    # |g_j^H g_i|^2 = q_j q_i |rho_ji|^2 every use; activity averaged as in the model
    for key in ("avg", "mse", "rate"):
        np.testing.assert_allclose(est.sinr[key], pred, rtol=1e-9)
    # a receiver told who is active does better (Jensen over the on/off interference)
    assert np.all(est.sinr["rate_genie"] > est.sinr["rate"])
    err = np.abs(_db(est.sinr["avg_empirical"]) - _db(pred))
    assert np.all(err < 4 * est.stderr_db["avg_empirical"])
    # and not by the per-chip one (WBE: chip overlap 1/16 per chip vs |rho|^2 in {0, .., 3/8})
    other = predicted_sinr(q, gfnoma.interference_model(sig, "per-chip").coupling)[est.users]
    assert np.max(np.abs(_db(est.sinr["avg"]) - _db(other))) > 1.0


def test_mf_with_per_chip_fading_matches_the_derivation():
    """Ratio of averages = q_j / (1/G_j + sum_i C[j, i] q_i) (per-chip C, array gain)."""
    sig = gfnoma.musa_like(gfnoma.P_ASY)
    q = np.array([0, 8.0, 0, 2.0, 30.0, 0])
    est = simulate_sinr(sig, q, n_samples=40_000, seed=3)
    c = gfnoma.interference_model(sig, "per-chip").coupling
    gain = 1 + (np.abs(sig.matrix) ** 4).sum(axis=0)
    expected = (q / (1 / gain + c @ q))[est.users]
    err = np.abs(_db(est.sinr["avg"]) - _db(expected))
    assert np.all(err < 4 * est.stderr_db["avg"])


def test_instrumented_mmse_sic_decides_like_gfnoma_mmse_sic():
    sig = gfnoma.search_signatures(gfnoma.P_ASY, restarts=5).signatures
    q = np.array([3.0, 0, 40.0, 0, 0, 10.0])
    est = simulate_sinr(sig, q, receiver="mmse-sic", n_samples=20_000)
    assert est.agreement > 0.999
    mf = simulate_sinr(sig, q, receiver="mf", n_samples=20_000)
    # three users in four chips: the MMSE filter suppresses what the MF lets through
    assert np.all(est.sinr["avg"] > mf.sinr["avg"])


def test_predicted_sinr_gives_scma_alloc_user_rates():
    scenario = sa.random_scenario(power_budget_dbm=6, rng=4)
    model = gfnoma.interference_model(gfnoma.musa_like(gfnoma.P_ASY), "per-chip")
    result = sa.solve_max_min(scenario, interference=model)
    q = result.assignment * result.power * scenario.snr_gain
    rates = np.log2(1 + predicted_sinr(q, model.coupling)).sum(axis=0)
    np.testing.assert_allclose(rates, result.user_rates, rtol=1e-10)
    direct = sa.user_rates(scenario, result.assignment, result.power, coupling=model.coupling)
    np.testing.assert_allclose(rates, direct, rtol=1e-12)


def test_link_check_table_and_bad_input():
    sig = gfnoma.wbe(gfnoma.P_ASY)
    q = np.zeros((2, 6))
    q[0, [0, 3]] = [4.0, 1e-5]  # user 3 below q_min: left out
    q[1, [1, 2, 4]] = [2.0, 6.0, 1.0]
    table = link_check(q, sig, n_samples=2000, n_batches=4)
    assert len(table) == (1 + 3) * 2 * 2
    assert set(table["receiver"]) == {"mf", "mmse-sic"}
    assert set(table["channel"]) == {"flat", "per-chip"}
    assert 3 not in set(table.loc[table.resource == 0, "user"])
    alone = table[(table.resource == 0) & (table.channel == "flat")]
    np.testing.assert_allclose(alone["sinr_rate"], 4.0, rtol=1e-9)
    np.testing.assert_allclose(alone["pred_flat"], 4.0, rtol=1e-12)
    with pytest.raises(ValueError, match="q must have shape"):
        link_check(np.ones((2, 5)), sig)
    with pytest.raises(ValueError, match="receivers"):
        link_check(q, sig, receivers=("sic",))
    with pytest.raises(ValueError, match="channels"):
        link_check(q, sig, channels=("block",))
    with pytest.raises(ValueError, match="q: no user"):
        simulate_sinr(sig, np.zeros(6))
    with pytest.raises(ValueError, match="q must be finite"):
        simulate_sinr(sig, np.array([1.0, -1, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="n_samples"):
        simulate_sinr(sig, np.ones(6), n_samples=10, n_batches=20)
    with pytest.raises(ValueError, match="coupling must have shape"):
        predicted_sinr(np.ones((2, 6)), np.zeros((5, 5)))


def test_docstring_examples(run_doctests):
    result = run_doctests("gfnoma.link_sinr")
    assert result.attempted > 0 and result.failed == 0
