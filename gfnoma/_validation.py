"""Input checks shared by the gfnoma modules.

Every public function validates its arguments up front, before any long computation, and
raises a :class:`ValueError` or :class:`TypeError` whose message starts with the name of the
offending argument.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

__all__ = [
    "check_activation",
    "check_int",
    "check_real",
    "check_snr_db",
]


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as a Python int, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if strict_minimum and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if not strict_minimum and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_activation(
    activation: object, n_users: int | None = None, name: str = "activation"
) -> np.ndarray:
    """Validate an activation profile: a 1-D sequence of probabilities in (0, 1].

    Parameters
    ----------
    activation : array_like
        Activation probabilities ``p_n``, one per user.
    n_users : int, optional
        Required length.
    name : str
        Argument name used in error messages.

    Returns
    -------
    numpy.ndarray
        A read-only float64 copy.
    """
    if isinstance(activation, str | bytes) or activation is None:
        raise TypeError(f"{name} must be a sequence of probabilities, got {activation!r}")
    try:
        p = np.array(activation, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of real probabilities: {exc}") from None
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {p.shape}")
    if n_users is not None and p.size != n_users:
        raise ValueError(f"{name} has {p.size} entries but there are {n_users} users")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} contains NaN or infinite entries: {p.tolist()}")
    bad = np.flatnonzero((p <= 0.0) | (p > 1.0))
    if bad.size:
        raise ValueError(
            f"{name} entries must lie in (0, 1]; entries {bad.tolist()} are {p[bad].tolist()}"
        )
    p.setflags(write=False)
    return p


#: SNRs (dB) a simulation accepts: beyond them the noise variance leaves what the
#: single-precision channel can represent, and no link has such an SNR.
SNR_DB_RANGE = (-100.0, 200.0)


def check_snr_db(snr_db: object, name: str = "snr_db") -> np.ndarray:
    """Validate SNR values in dB: a finite scalar or 1-D sequence of real numbers within
    ``SNR_DB_RANGE``; returns a float64 array (strings are refused, not converted)."""
    if isinstance(snr_db, str | bytes) or snr_db is None:
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {snr_db!r}")
    if isinstance(snr_db, numbers.Real) and not isinstance(snr_db, bool):
        values = np.array([float(snr_db)])
    else:
        if not isinstance(snr_db, Sequence | np.ndarray):
            raise TypeError(f"{name} must be a number or a sequence of numbers, got {snr_db!r}")
        try:
            raw = np.asarray(snr_db)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must contain real numbers: {exc}") from None
        if raw.dtype.kind not in "iuf":
            raise TypeError(f"{name} must contain real numbers, got dtype {raw.dtype}")
        values = raw.astype(np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a scalar or a non-empty 1-D sequence")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite, got {values.tolist()}")
    low, high = SNR_DB_RANGE
    if np.any((values < low) | (values > high)):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}] dB, got {values.tolist()}")
    return values
