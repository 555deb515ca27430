"""The closed-form QPSK/MRC/Rayleigh BER against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from gfnoma import qpsk_mrc_rayleigh_ber


def _ber_by_integration(snr_db: float, branches: int) -> float:
    """E[Q(sqrt(2 gamma_b))] with gamma_b ~ Gamma(L, gamma_c), gamma_c = Es/N0 / (2L)."""
    gamma_c = 10 ** (snr_db / 10) / (2 * branches)
    pdf = stats.gamma(a=branches, scale=gamma_c).pdf

    def integrand(g):
        return 0.5 * special.erfc(math.sqrt(g)) * pdf(g)

    val, _ = integrate.quad(integrand, 0, np.inf, limit=200, epsabs=1e-14, epsrel=1e-11)
    return val


@pytest.mark.parametrize("branches", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 7.5, 15.0, 25.0])
def test_closed_form_matches_numerical_integration(snr_db, branches):
    got = qpsk_mrc_rayleigh_ber(snr_db, branches)[0]
    assert got == pytest.approx(_ber_by_integration(snr_db, branches), rel=1e-7)


def test_one_branch_textbook_formula():
    snr = np.array([0.0, 10.0, 20.0])
    g = 10 ** (snr / 10) / 2
    np.testing.assert_allclose(
        qpsk_mrc_rayleigh_ber(snr, 1), 0.5 * (1 - np.sqrt(g / (1 + g))), rtol=1e-14
    )


def test_diversity_order_at_high_snr():
    # BER ~ SNR^-L: 10 dB more SNR divides the BER by about 10^L.
    for ell in (1, 2, 4):
        a, b = qpsk_mrc_rayleigh_ber([40.0, 50.0], ell)
        assert a / b == pytest.approx(10.0**ell, rel=0.05)


def test_validation():
    with pytest.raises(ValueError, match="branches must be >= 1"):
        qpsk_mrc_rayleigh_ber(0.0, 0)
    with pytest.raises(ValueError, match="snr_db must be finite"):
        qpsk_mrc_rayleigh_ber([0.0, np.nan], 2)
