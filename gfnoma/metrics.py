"""Metrics: cross-correlation, ``CC_weighted`` (eq. 29), weighted Welch bound, BER and activity.

BER convention (ours, ``docs/gfnoma_simulator.md`` decision 8): the bit error rate counts the bits
of *active* users only; an active user the receiver declares inactive (a *miss*) counts both of its
QPSK bits as wrong. A *false alarm* (an inactive user declared active) is not a bit error; it is
reported in the activity error rates. Per-user BER and Jain's fairness index over the per-user BER
(eq. 30) complete the picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from gfnoma._validation import check_activation, check_int
from gfnoma.signatures import Signatures, _normalize_columns

__all__ = [
    "ErrorCounts",
    "WelchBound",
    "cc_weighted",
    "count_errors",
    "cross_correlation",
    "jain_index",
    "weighted_cross_correlation",
    "weighted_welch_bound",
]


def _matrix_and_activation(
    signatures: Signatures | Any, activation: Any, *, need_activation: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    if isinstance(signatures, Signatures):
        s = signatures.matrix
        p = signatures.activation if activation is None else activation
    else:
        if isinstance(signatures, torch.Tensor):
            signatures = signatures.detach().cpu().numpy()
        s = np.array(signatures, dtype=np.complex128)
        if s.ndim != 2 or s.shape[0] < 1 or s.shape[1] < 1:
            raise ValueError(
                f"signatures must be a Signatures object or a 2-D (H, N) array, got {s.shape}"
            )
        if not np.all(np.isfinite(s)):
            raise ValueError("signatures contains NaN or infinite entries")
        zero = np.all(s == 0, axis=0)
        if np.any(zero):
            raise ValueError(f"signatures has all-zero column(s) {np.flatnonzero(zero).tolist()}")
        s = _normalize_columns(s)
        p = activation
    if p is None:
        if need_activation:
            raise ValueError("activation is required when signatures is a plain matrix")
        return s, None
    return s, check_activation(p, n_users=s.shape[1])


def cross_correlation(signatures: Signatures | Any) -> np.ndarray:
    """Pairwise cross-correlation magnitudes ``|rho_ij| = |s_i^H s_j| / (|s_i| |s_j|)``.

    Parameters
    ----------
    signatures : Signatures or array_like, shape (H, N)
        Signature set; columns need not be normalised.

    Returns
    -------
    numpy.ndarray, shape (N, N)
        Symmetric, ones on the diagonal. The paper's Fig. 5 shows these values per user pair
        (0.24-0.44 for WBE with N=6, H=4).
    """
    s, _ = _matrix_and_activation(signatures, None, need_activation=False)
    rho = np.abs(s.conj().T @ s)
    np.fill_diagonal(rho, 1.0)
    return rho


def weighted_cross_correlation(signatures: Signatures | Any, activation: Any = None) -> np.ndarray:
    """Activation-weighted squared correlations ``p_i p_j |rho_ij|^2`` (zero diagonal).

    The summands of ``CC_weighted`` (eq. 29); useful as a heat map per user pair.
    """
    s, p = _matrix_and_activation(signatures, activation, need_activation=True)
    w = np.outer(p, p) * np.abs(s.conj().T @ s) ** 2
    np.fill_diagonal(w, 0.0)
    return w


def cc_weighted(signatures: Signatures | Any, activation: Any = None) -> float:
    """Weighted sum cross-correlation, paper eq. (29).

    ``CC = 1/(N(N-1)) * sum_{i != j} p_i p_j |rho_ij|^2``.

    Parameters
    ----------
    signatures : Signatures or array_like, shape (H, N)
        Signature set.
    activation : array_like, shape (N,), optional
        Activation profile; defaults to ``signatures.activation``.

    Returns
    -------
    float

    Notes
    -----
    The paper prints ``|s_i^H s_j|`` without a square and sums over all ``i, j``; the only
    reading that reproduces its Table III (WBE 3.67e-2 = 0.036667 for ``p_asy``, N=6, H=4) is
    the squared, normalised correlation over ``i != j`` used here
    (``docs/gfnoma_simulator.md``, decision 2).

    Examples
    --------
    >>> from gfnoma import cc_weighted, wbe
    >>> round(cc_weighted(wbe()), 6)
    0.036667
    """
    s, p = _matrix_and_activation(signatures, activation, need_activation=True)
    n = s.shape[1]
    if n < 2:
        raise ValueError("signatures: CC_weighted needs at least two users")
    return float(weighted_cross_correlation(s, p).sum() / (n * (n - 1)))


@dataclass(frozen=True)
class WelchBound:
    """Weighted Welch bound on ``CC_weighted`` for an activation profile and length ``H``.

    Attributes
    ----------
    cc : float
        ``((sum p)^2 / H - sum p^2) / (N(N-1))``: no set can have a lower ``CC_weighted``.
    attainable : bool
        Whether ``cc`` is attained by some unit-norm set: iff ``max p <= sum p / H``.
    cc_min : float
        The smallest ``CC_weighted`` any set can reach (the generalised bound of Viswanath &
        Anantharam, where "oversized" users get their own dimensions); equals ``cc`` when
        attainable.
    frame_sum : float
        ``sum_{i,j} p_i p_j |rho_ij|^2 >= (sum p)^2 / H`` (the bound on the full sum).
    """

    cc: float
    attainable: bool
    cc_min: float
    frame_sum: float


def weighted_welch_bound(activation: Any, length: int) -> WelchBound:
    """Weighted Welch bound for ``CC_weighted`` (``docs/gfnoma_simulator.md``, decision 17).

    For unit-norm ``s_i`` and weights ``p_i``,
    ``sum_{i,j} p_i p_j |s_i^H s_j|^2 = ||sum_i p_i s_i s_i^H||_F^2 >= (sum_i p_i)^2 / H``
    (the frame operator has trace ``sum p`` and ``H`` eigenvalues), with equality iff
    ``sum_i p_i s_i s_i^H = (sum p / H) I``, which is possible iff ``max p_i <= sum p / H``.
    Subtracting the diagonal ``sum p_i^2`` and dividing by ``N(N-1)`` bounds eq. (29).

    Parameters
    ----------
    activation : array_like, shape (N,)
        Activation probabilities in (0, 1], ``N >= 2``.
    length : int
        Spreading length ``H``.

    Returns
    -------
    WelchBound

    References
    ----------
    P. Viswanath and V. Anantharam, "Optimal sequences and sum capacity of synchronous CDMA
    systems," IEEE Trans. Inf. Theory 45(6), 1999. S. Waldron, "Generalized Welch bound
    equality sequences are tight frames," IEEE Trans. Inf. Theory 49(9), 2003.

    Examples
    --------
    >>> from gfnoma import P_ASY, weighted_welch_bound
    >>> b = weighted_welch_bound(P_ASY, 4)
    >>> round(b.cc, 6), b.attainable
    (0.028, True)
    """
    h = check_int(length, "length", minimum=1)
    p = check_activation(activation)
    n = p.size
    if n < 2:
        raise ValueError("activation: the Welch bound on CC_weighted needs at least two users")
    total = float(p.sum())
    diag = float(np.sum(p**2))
    frame_sum = total**2 / h
    cc = (frame_sum - diag) / (n * (n - 1))
    attainable = bool(p.max() <= total / h + 1e-12)
    # Generalised bound: largest weights take their own dimensions while oversized.
    q = np.sort(p)[::-1]
    best = diag  # all orthogonal (possible only when N <= H)
    for k in range(min(n, h)):
        rest = float(q[k:].sum())
        if q[k] <= rest / (h - k) + 1e-12:
            best = float(np.sum(q[:k] ** 2)) + rest**2 / (h - k)
            break
    cc_min = max(cc, (best - diag) / (n * (n - 1)))
    return WelchBound(
        cc=float(cc), attainable=attainable, cc_min=float(cc_min), frame_sum=frame_sum
    )


def jain_index(values: Any) -> float:
    """Jain's fairness index ``(sum x)^2 / (N sum x^2)``, paper eq. (30).

    Ranges from ``1/N`` (one user takes all) to 1 (all equal). Returns NaN when every value is
    zero (e.g. no bit error for any user), where the index is undefined.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError("values must be non-empty")
    if np.any(x < 0) or not np.all(np.isfinite(x)):
        raise ValueError("values must be finite and non-negative")
    sq = float(np.sum(x**2))
    if sq == 0.0:
        return float("nan")
    return float(np.sum(x) ** 2 / (x.size * sq))


def _per_user(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64)


@dataclass
class ErrorCounts:
    """Accumulated error counts per user; add two with ``+``.

    All attributes are int64 arrays of shape (N,), except ``samples``.

    Attributes
    ----------
    bit_errors : wrong bits of active users (a missed user contributes both bits)
    bits : bits sent by active users (2 per active QPSK symbol)
    active, inactive : number of active / inactive user slots
    misses : active users declared inactive
    false_alarms : inactive users declared active
    samples : number of channel uses (received vectors)
    """

    bit_errors: np.ndarray
    bits: np.ndarray
    active: np.ndarray
    inactive: np.ndarray
    misses: np.ndarray
    false_alarms: np.ndarray
    samples: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @classmethod
    def zeros(cls, n_users: int) -> ErrorCounts:
        """Empty counts for ``n_users`` users."""
        n = check_int(n_users, "n_users", minimum=1)
        return cls(*(_per_user(n) for _ in range(6)), samples=0)

    def __add__(self, other: ErrorCounts) -> ErrorCounts:
        if not isinstance(other, ErrorCounts):
            return NotImplemented
        extra = dict(self.extra)
        for k, v in other.extra.items():
            extra[k] = extra.get(k, 0.0) + v
        return ErrorCounts(
            self.bit_errors + other.bit_errors,
            self.bits + other.bits,
            self.active + other.active,
            self.inactive + other.inactive,
            self.misses + other.misses,
            self.false_alarms + other.false_alarms,
            self.samples + other.samples,
            extra,
        )

    @property
    def n_users(self) -> int:
        return int(self.bits.size)

    @property
    def total_bit_errors(self) -> int:
        return int(self.bit_errors.sum())

    @property
    def total_bits(self) -> int:
        return int(self.bits.sum())

    @property
    def ber(self) -> float:
        """Bit errors over bits of active users (NaN if no user was active)."""
        b = self.total_bits
        return self.total_bit_errors / b if b else float("nan")

    @property
    def per_user_ber(self) -> np.ndarray:
        """BER of each user over its active slots (NaN for a user never active)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.bits > 0, self.bit_errors / np.maximum(self.bits, 1), np.nan)

    @property
    def miss_rate(self) -> float:
        """Misses over active user slots."""
        a = int(self.active.sum())
        return int(self.misses.sum()) / a if a else float("nan")

    @property
    def false_alarm_rate(self) -> float:
        """False alarms over inactive user slots."""
        i = int(self.inactive.sum())
        return int(self.false_alarms.sum()) / i if i else float("nan")

    @property
    def activity_error_rate(self) -> float:
        """(Misses + false alarms) over all user slots."""
        slots = int(self.active.sum() + self.inactive.sum())
        errs = int(self.misses.sum() + self.false_alarms.sum())
        return errs / slots if slots else float("nan")

    @property
    def jain(self) -> float:
        """Jain's index (eq. 30) over the per-user BER of users that were active."""
        ber = self.per_user_ber
        ber = ber[np.isfinite(ber)]
        return jain_index(ber) if ber.size else float("nan")


def count_errors(bits: Any, bits_hat: Any, active: Any, active_hat: Any) -> ErrorCounts:
    """Count bit and activity errors of one batch.

    Parameters
    ----------
    bits, bits_hat : array_like, shape (B, N, 2)
        Sent and detected QPSK bits (values 0/1). ``bits_hat`` of users declared inactive is
        ignored.
    active, active_hat : array_like of bool, shape (B, N)
        True and detected activity.

    Returns
    -------
    ErrorCounts
    """

    def as_np(x: Any) -> np.ndarray:
        if isinstance(x, torch.Tensor):
            return x.detach().cpu().numpy()
        return np.asarray(x)

    b, bh, a, ah = as_np(bits), as_np(bits_hat), as_np(active), as_np(active_hat)
    if b.ndim != 3 or b.shape[-1] != 2:
        raise ValueError(f"bits must have shape (B, N, 2), got {b.shape}")
    if bh.shape != b.shape:
        raise ValueError(f"bits_hat must have the shape of bits {b.shape}, got {bh.shape}")
    if a.shape != b.shape[:2] or ah.shape != b.shape[:2]:
        raise ValueError(
            f"active and active_hat must have shape {b.shape[:2]}, got {a.shape} and {ah.shape}"
        )
    a = a.astype(bool)
    ah = ah.astype(bool)
    wrong = (b != bh).sum(axis=-1)  # (B, N) in {0, 1, 2}
    per_slot = np.where(ah, wrong, 2)  # a missed user loses both bits
    bit_errors = np.where(a, per_slot, 0).sum(axis=0).astype(np.int64)
    n_active = a.sum(axis=0).astype(np.int64)
    return ErrorCounts(
        bit_errors=bit_errors,
        bits=2 * n_active,
        active=n_active,
        inactive=(~a).sum(axis=0).astype(np.int64),
        misses=(a & ~ah).sum(axis=0).astype(np.int64),
        false_alarms=(~a & ah).sum(axis=0).astype(np.int64),
        samples=int(b.shape[0]),
    )
