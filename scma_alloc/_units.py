"""Power and noise units: dBm <-> watts, thermal and paper noise presets, and the check
that numeric input is real (nothing is coerced from complex values or strings)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "BOLTZMANN_DBM_PER_HZ",
    "dbm_to_watt",
    "noise_power",
    "watt_to_dbm",
]

#: Subcarrier bandwidth of the paper's scenario, in Hz.
DEFAULT_BANDWIDTH = 180e3

#: The noise presets in words (for tables and figure titles).
NOISE_DESCRIPTIONS = {
    "paper": "the paper's noise (thermal kTB + 30 dB)",
    "thermal": "thermal noise kTB",
}

#: Thermal noise density k*T at T = 290 K, in dBm/Hz (the textbook -174 dBm/Hz).
BOLTZMANN_DBM_PER_HZ = -174.0


def real_array(value: ArrayLike, name: str) -> np.ndarray:
    """``value`` as a new float array; ``TypeError`` naming ``name`` unless its entries
    are real numbers (no complex values, strings or objects are converted)."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nesting
        raise TypeError(f"{name} must be an array of real numbers: {exc}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    return array.astype(float)


def dbm_to_watt(power_dbm: ArrayLike) -> np.ndarray | float:
    """Convert a power from dBm to watts, ``P[W] = 10**((P[dBm] - 30) / 10)``.

    Examples
    --------
    >>> dbm_to_watt(30.0)
    1.0
    >>> float(dbm_to_watt(0.0))
    0.001
    """
    with np.errstate(over="ignore"):  # beyond 3e308 W is inf, refused where it is used
        value = 10.0 ** ((real_array(power_dbm, "power_dbm") - 30.0) / 10.0)
    return float(value) if value.ndim == 0 else value


def watt_to_dbm(power_watt: ArrayLike) -> np.ndarray | float:
    """Convert a power from watts to dBm, ``P[dBm] = 10 log10(P[W]) + 30``.

    Raises
    ------
    ValueError
        If any power is not strictly positive (its dBm value would be -inf or NaN).

    Examples
    --------
    >>> watt_to_dbm(1.0)
    30.0
    """
    power = real_array(power_watt, "power_watt")
    if np.any(~(power > 0)):
        raise ValueError("power_watt: every power must be > 0 to have a dBm value")
    value = 10.0 * np.log10(power) + 30.0
    return float(value) if value.ndim == 0 else value


def noise_power(bandwidth: float = DEFAULT_BANDWIDTH, preset: str = "paper") -> float:
    """Noise power in watts over ``bandwidth`` hertz.

    Parameters
    ----------
    bandwidth : float
        Subcarrier bandwidth B in Hz (paper: 180 kHz).
    preset : {"paper", "thermal"}
        ``"thermal"`` is k*T*B at 290 K: ``B * 10**((-174 - 30)/10)`` W (-121.4 dBm
        for 180 kHz). ``"paper"`` reproduces the SCMA authors' public code, which
        computes ``B * 10**(-174/10)`` and so reads the density in dBW/Hz instead of
        dBm/Hz: the noise is 30 dB above thermal (-91.4 dBm for 180 kHz). Use it to
        compare with the paper's numbers; use ``"thermal"`` for physical studies.

    Returns
    -------
    float
        Noise power in watts.
    """
    if not np.isfinite(bandwidth) or bandwidth <= 0:
        raise ValueError(f"bandwidth must be a positive finite number of hertz, got {bandwidth!r}")
    if preset == "paper":
        return float(bandwidth * 10.0 ** (BOLTZMANN_DBM_PER_HZ / 10.0))
    if preset == "thermal":
        return float(bandwidth * 10.0 ** ((BOLTZMANN_DBM_PER_HZ - 30.0) / 10.0))
    raise ValueError(f"noise must be 'paper' or 'thermal', got {preset!r}")
