"""Closed-form reference: BER of QPSK with L-branch maximal-ratio combining over Rayleigh.

Used to validate the Monte-Carlo link and the receivers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import comb

from gfnoma._validation import check_int, check_snr_db

__all__ = ["qpsk_mrc_rayleigh_ber"]


def qpsk_mrc_rayleigh_ber(snr_db: Any, branches: int) -> np.ndarray:
    """BER of Gray-mapped QPSK with ``L``-branch MRC over i.i.d. Rayleigh fading.

    Parameters
    ----------
    snr_db : float or array_like
        Total average received ``Es/N0`` per symbol in dB, summed over the branches. In the
        gfnoma model (unit-norm signature, ``E|h|^2 = 1`` per chip, noise ``CN(0, sigma^2)`` per
        chip) this is the simulator's ``Es/N0 = 1/sigma^2``.
    branches : int
        Number ``L`` of independently faded branches with equal average power (for a signature
        with ``L`` equal-magnitude non-zero chips each chip carries ``Es/N0 / L``).

    Returns
    -------
    numpy.ndarray
        Bit error probability, same shape as ``snr_db`` (1-D).

    Notes
    -----
    Each QPSK quadrature is BPSK with ``Eb = Es/2``; after MRC with branch gains ``g_k`` the
    bit SNR is ``sum_k |g_k|^2 Es/(2 N0 L)``. For average bit SNR per branch
    ``gamma_c = (Es/N0) / (2L)`` and ``mu = sqrt(gamma_c / (1 + gamma_c))`` (Proakis,
    *Digital Communications*, 4th ed., eq. 14.4-15):

    ``P_b = ((1 - mu)/2)^L * sum_{k=0}^{L-1} C(L-1+k, k) ((1 + mu)/2)^k``.

    Examples
    --------
    >>> from gfnoma.theory import qpsk_mrc_rayleigh_ber
    >>> float(qpsk_mrc_rayleigh_ber(10.0, 1)[0])  # 1 branch: (1 - sqrt(g/(1+g)))/2, g = 5
    0.04356...
    """
    snr = check_snr_db(snr_db)
    ell = check_int(branches, "branches", minimum=1)
    gamma_c = 10.0 ** (snr / 10.0) / (2.0 * ell)
    mu = np.sqrt(gamma_c / (1.0 + gamma_c))
    k = np.arange(ell)
    terms = comb(ell - 1 + k, k)[None, :] * ((1.0 + mu[:, None]) / 2.0) ** k[None, :]
    return ((1.0 - mu) / 2.0) ** ell * terms.sum(axis=1)
