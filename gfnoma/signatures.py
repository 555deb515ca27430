"""Spreading signatures for grant-free NOMA and the :class:`Signatures` container.

Conventions (paper §II; ``docs/gfnoma_simulator.md`` §1 and decisions 3-7): a signature set is an
``H x N`` complex matrix whose column ``n`` is user ``n``'s spreading sequence ``s_n`` (eq. 4),
normalised to unit energy. A *finite-alphabet* set stores the integer matrix before normalisation,
whose real and imaginary parts lie in ``{-Q, ..., Q}`` (eq. 13b, Fig. 1); the integers are kept
exactly (also in JSON). Every set carries the users' activation profile ``p``
(``a_n ~ Bernoulli(p_n)``).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gfnoma._validation import check_activation, check_int, check_real

__all__ = [
    "P_ASY",
    "P_HIGH",
    "P_LOW",
    "SIGNATURE_KINDS",
    "UNIT_NORM_TOLERANCE",
    "Signatures",
    "make_signatures",
    "minimum_length",
    "musa_like",
    "quantize",
    "quantized_wbe",
    "random_signatures",
    "wbe",
]

#: Asymmetric activation profile of the paper (§IV-A): three users at 0.8, three at 0.4.
P_ASY: tuple[float, ...] = (0.8, 0.8, 0.8, 0.4, 0.4, 0.4)
#: Symmetric high activation profile of the paper.
P_HIGH: tuple[float, ...] = (0.8,) * 6
#: Symmetric low activation profile of the paper.
P_LOW: tuple[float, ...] = (0.4,) * 6

_FORMAT = "gfnoma-signatures"
_VERSION = 1


def _as_matrix(matrix: Any, name: str = "matrix") -> np.ndarray:
    """Validate a signature matrix: 2-D (H, N), finite, no zero column."""
    if isinstance(matrix, torch.Tensor):
        matrix = matrix.detach().cpu().numpy()
    try:
        m = np.array(matrix, dtype=np.complex128)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 2-D array of numbers: {exc}") from None
    if m.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (H, N) array (chips x users), got shape {m.shape}")
    if m.shape[0] < 1 or m.shape[1] < 1:
        raise ValueError(f"{name} must have at least one chip and one user, got shape {m.shape}")
    bad = np.flatnonzero(~np.all(np.isfinite(m), axis=0))
    if bad.size:
        raise ValueError(f"{name} contains NaN or infinite entries in column(s) {bad.tolist()}")
    zero = np.flatnonzero(np.all(m == 0, axis=0))
    if zero.size:
        raise ValueError(
            f"{name} has all-zero column(s) {zero.tolist()}: every user needs a non-zero signature"
        )
    return m


def _complex(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    """``re + 1j*im`` that keeps signed zeros (``1j * -0.0`` would lose the sign)."""
    out = np.empty(np.broadcast_shapes(np.shape(re), np.shape(im)), dtype=np.complex128)
    out.real = re
    out.imag = im
    return out


def _normalize_columns(raw: np.ndarray) -> np.ndarray:
    """Unit-norm columns, robust to tiny or huge entries (scale by the largest part first).

    Real and imaginary parts are divided separately: numpy's complex division overflows for
    subnormal divisors.
    """
    scale = np.maximum(np.abs(raw.real), np.abs(raw.imag)).max(axis=0, keepdims=True)
    re, im = raw.real / scale, raw.imag / scale
    norm = np.sqrt(np.sum(re**2 + im**2, axis=0, keepdims=True))
    return _complex(re / norm, im / norm)


#: Largest ``| ||s_n|| - 1 |`` accepted for a column of a stored (JSON) matrix. Files hold
#: the unit-norm matrix; the tolerance admits values written with about seven significant
#: digits (float32 exports), nothing that is not meant to be unit-norm.
UNIT_NORM_TOLERANCE = 1e-6
# Columns closer than this to unit norm are kept bit for bit (files written by ``save``);
# the others (within UNIT_NORM_TOLERANCE) are rescaled to unit norm.
_UNIT_NORM_EXACT = 1e-12
# Largest alphabet entry accepted from JSON: integers beyond 2**53 are not exact in float64.
_MAX_ALPHABET_ENTRY = 2**53


def _column_norms(m: np.ndarray) -> np.ndarray:
    """Euclidean norms of the columns of a finite matrix, without overflow in the squares.

    A norm beyond the float64 range is returned as ``inf``.
    """
    scale = np.maximum(np.abs(m.real), np.abs(m.imag)).max(axis=0)
    safe = np.where(scale > 0, scale, 1.0)
    re, im = m.real / safe, m.imag / safe
    with np.errstate(over="ignore"):
        return scale * np.sqrt(np.sum(re**2 + im**2, axis=0))


def _unit_columns(m: np.ndarray, name: str) -> np.ndarray:
    """Check that a stored matrix has unit-norm columns; return it (exactly, if it can).

    Columns within ``1e-12`` of unit norm are returned bit for bit; columns within
    :data:`UNIT_NORM_TOLERANCE` are rescaled to unit norm; any other column is refused with
    a message naming the column and its norm.
    """
    norms = _column_norms(m)
    dev = np.abs(norms - 1.0)
    bad = np.flatnonzero(~(dev <= UNIT_NORM_TOLERANCE))
    if bad.size:
        j = int(bad[0])
        more = f" (and column(s) {bad[1:].tolist()})" if bad.size > 1 else ""
        raise ValueError(
            f"{name} column {j} has norm {norms[j]:.9g}, not 1{more}: stored signatures are "
            f"unit-norm within {UNIT_NORM_TOLERANCE:g} (Signatures(matrix, activation) "
            "normalises any non-zero columns before saving)"
        )
    if np.all(dev <= _UNIT_NORM_EXACT):
        return m
    rescale = dev > _UNIT_NORM_EXACT
    return np.where(rescale[None, :], _normalize_columns(m), m)


class Signatures:
    """A set of ``N`` spreading signatures of length ``H`` with an activation profile.

    Parameters
    ----------
    matrix : array_like, shape (H, N)
        Column ``n`` is user ``n``'s signature. With ``q`` given, the entries must have integer
        real and imaginary parts in ``{-q, ..., q}`` (the alphabet of eq. 13b); they are kept
        exactly and normalised only in :attr:`matrix`. Without ``q`` any non-zero complex
        columns are accepted.
    activation : array_like, shape (N,)
        Activation probabilities ``p_n`` in (0, 1].
    q : int, optional
        Alphabet size parameter ``Q`` of a finite-alphabet set.
    name : str, optional
        Label used in tables and plots (e.g. ``"WBE"``, ``"MUSA-like"``).

    Raises
    ------
    ValueError
        Wrong shape, NaN/inf entries, an all-zero column, alphabet entries outside
        ``{-q..q}`` or not integer, or activation probabilities outside (0, 1] or of the wrong
        length. Each message names the argument.
    TypeError
        Non-numeric input, or ``q`` not an integer.

    Notes
    -----
    The normalised matrix (eq. 4, ``||s_n|| = 1``) is computed from the stored integers, so a
    JSON round trip reproduces it bit for bit. Objects are immutable; use
    :meth:`with_activation` or :meth:`permuted` for variants.

    Examples
    --------
    >>> from gfnoma import Signatures
    >>> sig = Signatures([[1, 1j], [1, -1j]], activation=[0.8, 0.4], q=1, name="toy")
    >>> sig.n_users, sig.length, sig.q
    (2, 2, 1)
    >>> sig.alphabet_re.tolist(), sig.alphabet_im.tolist()
    ([[1, 0], [1, 0]], [[0, 1], [0, -1]])
    """

    __slots__ = ("_activation", "_alph_im", "_alph_re", "_matrix", "_name", "_q")

    def __init__(
        self,
        matrix: Any,
        activation: Sequence[float] | np.ndarray,
        *,
        q: int | None = None,
        name: str = "custom",
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string, got {name!r}")
        m = _as_matrix(matrix)
        n = m.shape[1]
        p = check_activation(activation, n_users=n)
        if q is not None:
            q = check_int(q, "q", minimum=1)
            re, im = m.real, m.imag
            if not (np.all(re == np.round(re)) and np.all(im == np.round(im))):
                raise ValueError(
                    "matrix must have integer real and imaginary parts when q is given "
                    "(finite alphabet {-q..q})"
                )
            if np.max(np.abs(re)) > q or np.max(np.abs(im)) > q:
                raise ValueError(
                    f"matrix entries must have real and imaginary parts in {{-{q}..{q}}} (q={q}); "
                    f"found magnitude {int(max(np.max(np.abs(re)), np.max(np.abs(im))))}"
                )
            self._alph_re = re.astype(np.int64)
            self._alph_im = im.astype(np.int64)
            self._alph_re.setflags(write=False)
            self._alph_im.setflags(write=False)
            raw = _complex(self._alph_re.astype(np.float64), self._alph_im.astype(np.float64))
        else:
            self._alph_re = None
            self._alph_im = None
            raw = m
        mat = _normalize_columns(raw)
        mat.setflags(write=False)
        self._matrix = mat
        self._activation = p
        self._q = q
        self._name = name

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def from_alphabet(
        cls,
        re: Any,
        im: Any,
        activation: Sequence[float] | np.ndarray,
        *,
        q: int,
        name: str = "custom",
    ) -> Signatures:
        """Build a finite-alphabet set from integer real and imaginary parts, each (H, N)."""
        re_a = np.asarray(re)
        im_a = np.asarray(im)
        if re_a.shape != im_a.shape:
            raise ValueError(
                f"re and im must have the same shape, got {re_a.shape} and {im_a.shape}"
            )
        for arr, nm in ((re_a, "re"), (im_a, "im")):
            if arr.dtype.kind not in "iu" and not (
                arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))
            ):
                raise ValueError(f"{nm} must contain integers")
        return cls(
            _complex(re_a.astype(np.float64), im_a.astype(np.float64)), activation, q=q, name=name
        )

    # -- properties -----------------------------------------------------------------------
    @property
    def matrix(self) -> np.ndarray:
        """Unit-norm signatures, complex128 array of shape (H, N) (read-only)."""
        return self._matrix

    @property
    def activation(self) -> np.ndarray:
        """Activation probabilities ``p_n``, float64 array of shape (N,) (read-only)."""
        return self._activation

    @property
    def q(self) -> int | None:
        """Alphabet parameter ``Q`` (entries in ``{-Q..Q}``), or None for a general set."""
        return self._q

    @property
    def name(self) -> str:
        """Label of the set."""
        return self._name

    @property
    def n_users(self) -> int:
        """Number of users ``N``."""
        return self._matrix.shape[1]

    @property
    def length(self) -> int:
        """Spreading length ``H``."""
        return self._matrix.shape[0]

    @property
    def is_finite_alphabet(self) -> bool:
        """True if the set has an integer alphabet."""
        return self._q is not None

    @property
    def alphabet_re(self) -> np.ndarray | None:
        """Integer real parts (H, N) before normalisation, or None."""
        return self._alph_re

    @property
    def alphabet_im(self) -> np.ndarray | None:
        """Integer imaginary parts (H, N) before normalisation, or None."""
        return self._alph_im

    @property
    def alphabet(self) -> np.ndarray | None:
        """Integer-valued complex matrix ``re + 1j*im`` (H, N) before normalisation, or None."""
        if self._alph_re is None:
            return None
        return _complex(self._alph_re.astype(np.float64), self._alph_im.astype(np.float64))

    # -- conversions ----------------------------------------------------------------------
    def tensor(self, dtype: torch.dtype = torch.complex64) -> torch.Tensor:
        """The unit-norm matrix as a complex torch tensor of shape (H, N)."""
        if dtype not in (torch.complex64, torch.complex128):
            raise TypeError(f"dtype must be torch.complex64 or torch.complex128, got {dtype}")
        return torch.from_numpy(np.array(self._matrix)).to(dtype)

    def activation_tensor(self, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """The activation profile as a real torch tensor of shape (N,)."""
        return torch.from_numpy(np.array(self._activation)).to(dtype)

    def with_activation(self, activation: Sequence[float] | np.ndarray) -> Signatures:
        """Same signatures, another activation profile (validated)."""
        return self._rebuild(activation=activation)

    def with_name(self, name: str) -> Signatures:
        """Same signatures under another label."""
        return self._rebuild(name=name)

    def permuted(self, order: Sequence[int]) -> Signatures:
        """Reassign signatures to users: user ``i`` gets the signature of user ``order[i]``.

        The activation profile stays with the user positions, so this changes which user
        (activation probability) gets which sequence.
        """
        order_a = np.asarray(order)
        if order_a.dtype.kind not in "iu" or sorted(order_a.tolist()) != list(range(self.n_users)):
            raise ValueError(
                f"order must be a permutation of range({self.n_users}), got {order!r}"
            )
        if self.is_finite_alphabet:
            raw = self.alphabet[:, order_a]
        else:
            raw = self._matrix[:, order_a]
        return Signatures(raw, self._activation, q=self._q, name=self._name)

    def _rebuild(self, *, activation: Any = None, name: str | None = None) -> Signatures:
        raw = self.alphabet if self.is_finite_alphabet else self._matrix
        return Signatures(
            raw,
            self._activation if activation is None else activation,
            q=self._q,
            name=self._name if name is None else name,
        )

    # -- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; integers stay integers, floats are written with ``repr``."""
        d: dict[str, Any] = {
            "format": _FORMAT,
            "version": _VERSION,
            "name": self._name,
            "n_users": self.n_users,
            "length": self.length,
            "q": self._q,
            "activation": [float(v) for v in self._activation],
        }
        if self.is_finite_alphabet:
            d["alphabet"] = {"re": self._alph_re.tolist(), "im": self._alph_im.tolist()}
        else:
            d["matrix"] = {"re": self._matrix.real.tolist(), "im": self._matrix.imag.tolist()}
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Signatures:
        """Inverse of :meth:`to_dict`, with validation of every field.

        Every check of the constructor applies (shape, finite entries, non-zero columns,
        alphabet, activation, name). A set without ``q`` stores its unit-norm matrix, so in
        addition every column must have norm 1 within :data:`UNIT_NORM_TOLERANCE` (``1e-6``);
        columns within ``1e-12`` are kept bit for bit, the others rescaled to unit norm.
        Alphabet entries must be integers of magnitude at most ``2**53``.

        Raises
        ------
        ValueError
            A missing or malformed field, or any of the above; the message names the field
            and, for the matrix, the offending column (and its norm).
        """
        if not isinstance(d, dict):
            raise ValueError(f"signatures JSON must be an object, got {type(d).__name__}")
        if d.get("format") != _FORMAT:
            raise ValueError(
                f"signatures JSON: 'format' must be {_FORMAT!r}, got {d.get('format')!r}"
            )
        if d.get("version") != _VERSION:
            raise ValueError(f"signatures JSON: unsupported 'version' {d.get('version')!r}")
        for key in ("name", "n_users", "length", "q", "activation"):
            if key not in d:
                raise ValueError(f"signatures JSON: missing key {key!r}")
        q = d["q"]
        if q is not None and (isinstance(q, bool) or not isinstance(q, int)):
            raise ValueError(f"signatures JSON: 'q' must be an integer or null, got {q!r}")
        if q is not None:
            if "alphabet" not in d:
                raise ValueError(
                    "signatures JSON: a finite-alphabet set (q given) needs 'alphabet'"
                )
            part = d["alphabet"]
        else:
            if "matrix" not in d:
                raise ValueError("signatures JSON: a set without q needs 'matrix'")
            part = d["matrix"]
        if not isinstance(part, dict) or "re" not in part or "im" not in part:
            raise ValueError("signatures JSON: 'alphabet'/'matrix' must have 're' and 'im'")
        re = np.array(part["re"], dtype=object)
        im = np.array(part["im"], dtype=object)
        if re.shape != im.shape or re.ndim != 2:
            raise ValueError(
                f"signatures JSON: 're' and 'im' must be equal-shaped (H, N) lists, "
                f"got {re.shape} and {im.shape}"
            )
        if q is not None:
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in re.flat) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in im.flat
            ):
                raise ValueError("signatures JSON: alphabet entries must be integers")
            huge = [
                j
                for j in range(re.shape[1])
                if any(abs(v) > _MAX_ALPHABET_ENTRY for v in (*re[:, j], *im[:, j]))
            ]
            if huge:
                raise ValueError(
                    f"signatures JSON: alphabet column(s) {huge} hold integers beyond "
                    "2**53 in magnitude"
                )
            raw = _complex(
                re.astype(np.int64).astype(np.float64), im.astype(np.int64).astype(np.float64)
            )
        else:
            try:
                raw = _complex(re.astype(np.float64), im.astype(np.float64))
            except (TypeError, ValueError):
                raise ValueError("signatures JSON: matrix entries must be numbers") from None
        if raw.shape != (d["length"], d["n_users"]):
            raise ValueError(
                f"signatures JSON: matrix shape {raw.shape} does not match "
                f"(length, n_users) = ({d['length']}, {d['n_users']})"
            )
        # The constructor validates (shape, finite entries, non-zero columns, alphabet,
        # activation, name); a stored continuous matrix must in addition be unit-norm.
        sig = cls(raw, d["activation"], q=q, name=d["name"])
        if q is None:
            # Stored floats are the normalised matrix; keep them bit-exact.
            mat = _unit_columns(raw, "signatures JSON: matrix").copy()
            mat.setflags(write=False)
            sig._matrix = mat
        return sig

    def to_json(self, indent: int | None = 1) -> str:
        """Serialise to a JSON string (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Signatures:
        """Parse a JSON string written by :meth:`to_json`."""
        try:
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"signatures JSON is not valid JSON: {exc}") from None
        return cls.from_dict(d)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the set as JSON to ``path`` (atomically: temporary file, then rename)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json() + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Signatures:
        """Read a JSON file written by :meth:`save`, validated as by :meth:`from_dict`.

        Parameters
        ----------
        path : str or os.PathLike
            The JSON file.

        Returns
        -------
        Signatures
            The set.

        Raises
        ------
        ValueError
            The file does not exist, is not valid JSON, or fails a check of :meth:`from_dict`
            (e.g. a column that is not unit-norm); the message starts with the path.
        """
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"path: no such signatures file: {path}")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not a signatures JSON file (not UTF-8 text)") from None
        try:
            return cls.from_json(text)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}: {exc}") from None

    # -- comparison / display -------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signatures):
            return NotImplemented
        if (self._q, self._name) != (other._q, other._name):
            return False
        if not np.array_equal(self._activation, other._activation):
            return False
        if self.is_finite_alphabet:
            return np.array_equal(self._alph_re, other._alph_re) and np.array_equal(
                self._alph_im, other._alph_im
            )
        return np.array_equal(self._matrix, other._matrix)

    __hash__ = None  # mutable-looking numpy payload; equality is by value

    def __repr__(self) -> str:
        kind = f"q={self._q}" if self.is_finite_alphabet else "continuous"
        return (
            f"Signatures(name={self._name!r}, H={self.length}, N={self.n_users}, {kind}, "
            f"activation={[round(float(v), 6) for v in self._activation]})"
        )


# ---------------------------------------------------------------------------------------
# Conventional signature sets (paper Table III; docs/gfnoma_simulator.md, decisions 3-6)
# ---------------------------------------------------------------------------------------
def _check_sizes(activation: Any, length: Any) -> tuple[np.ndarray, int]:
    length = check_int(length, "length", minimum=1)
    p = check_activation(activation)
    return p, length


def wbe(
    activation: Sequence[float] | np.ndarray = P_ASY, length: int = 4, *, chirp: float = 0.0
) -> Signatures:
    """Welch-bound-equality signatures: the harmonic frame (optionally chirped).

    ``s_n(l) = exp(-2j*pi*l*n/N) * exp(1j*pi*u*l**2/N) / sqrt(H)`` for chips ``l = 0..H-1``
    and users ``n = 0..N-1`` (``u`` = ``chirp``): the first ``H`` rows of the ``N``-point DFT,
    each column of unit norm. The chirp is a diagonal unitary, so it changes no correlation.

    Parameters
    ----------
    activation : array_like, shape (N,)
        Activation profile; its length sets ``N``.
    length : int
        Spreading length ``H``.
    chirp : float
        Chirp parameter ``u`` (0: plain harmonic frame).

    Returns
    -------
    Signatures
        Continuous (not finite-alphabet) set named ``"WBE"``.

    Notes
    -----
    For ``N >= H`` the frame is tight, ``S S^H = (N/H) I``, so it meets the Welch bound of
    paper eq. (1) with ``k = 1``. With ``p_asy``, ``H = 4`` and users in natural order its
    ``CC_weighted`` (eq. 29) is 0.036667, the paper's Table III value 3.67e-2.
    """
    p, h = _check_sizes(activation, length)
    chirp = check_real(chirp, "chirp")
    n = p.size
    ell = np.arange(h)[:, None]
    users = np.arange(n)[None, :]
    s = np.exp(-2j * np.pi * ell * users / n) * np.exp(1j * np.pi * chirp * ell**2 / n)
    return Signatures(s / np.sqrt(h), p, name="WBE")


def _round_half_away(x: np.ndarray) -> np.ndarray:
    # Snap values within 1e-9 of a half-integer before rounding, so floating-point noise in
    # e.g. cos(pi/3) cannot decide a tie; ties go away from zero.
    y = np.abs(x)
    frac = y - np.floor(y)
    y = np.where(np.abs(frac - 0.5) < 1e-9, np.floor(y) + 0.5, y)
    return np.sign(x) * np.floor(y + 0.5)


def quantize(signatures: Signatures, q: int = 2, *, name: str | None = None) -> Signatures:
    """Quantise a signature set to the alphabet ``{-q..q}`` (Re and Im), paper eq. (18)/(23).

    For each user ``n`` the step is ``Delta_n = A_n / q`` with ``A_n`` the largest real or
    imaginary component of the unit-norm ``s_n`` (so the largest component maps to ``q``); each
    component is rounded to the nearest multiple of ``Delta_n`` (ties away from zero) and
    clipped to ``[-q, q]``. The result is renormalised to unit energy by :class:`Signatures`.

    Parameters
    ----------
    signatures : Signatures
        Any set (its activation profile is kept).
    q : int
        Alphabet parameter ``Q >= 1``.
    name : str, optional
        Label of the result (default ``"Q" + signatures.name``).

    Returns
    -------
    Signatures
        Finite-alphabet set.
    """
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a Signatures object, got {type(signatures).__name__}")
    q = check_int(q, "q", minimum=1)
    s = signatures.matrix
    amp = np.maximum(np.abs(s.real), np.abs(s.imag)).max(axis=0, keepdims=True)
    step = amp / q
    re = np.clip(_round_half_away(s.real / step), -q, q)
    im = np.clip(_round_half_away(s.imag / step), -q, q)
    return Signatures(
        re + 1j * im,
        signatures.activation,
        q=q,
        name=name if name is not None else "Q" + signatures.name,
    )


def quantized_wbe(
    activation: Sequence[float] | np.ndarray = P_ASY,
    length: int = 4,
    *,
    q: int = 2,
    chirp: float = 0.0,
) -> Signatures:
    """WBE signatures quantised to ``{-q..q}`` by :func:`quantize`, named ``"QWBE"``.

    With ``p_asy``, ``H = 4``, ``q = 2`` and no chirp this gives ``CC_weighted = 0.037728``
    (paper Table III: 4.01e-2; the rule is not tuned to match it).
    """
    return quantize(wbe(activation, length, chirp=chirp), q, name="QWBE")


def _musa_key(raw: np.ndarray) -> tuple[float, float, int]:
    """Selection key: (total squared correlation, max squared correlation, -non-zero chips)."""
    unit = raw / np.linalg.norm(raw, axis=0)
    r2 = np.abs(unit.conj().T @ unit) ** 2
    np.fill_diagonal(r2, 0.0)
    return (round(float(r2.sum()), 8), round(float(r2.max()), 8), -int(np.count_nonzero(raw)))


@functools.lru_cache(maxsize=16)
def _musa_like_alphabet(
    n: int, h: int, seed: int, restarts: int
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Select ``n`` 3-level sequences of length ``h`` (first chip 1) with low correlation.

    Returns the real and imaginary integer parts (rows of tuples, hashable for the cache);
    see :func:`musa_like` for the procedure.
    """
    from gfnoma._descent import coordinate_descent

    levels = np.array([-1, 0, 1])
    chip_values = (levels[:, None] + 1j * levels[None, :]).ravel()
    rng = np.random.default_rng(seed)
    best_key: tuple[float, float, int] | None = None
    best: np.ndarray | None = None
    if h <= _MUSA_POOL_MAX_LENGTH:
        tails = np.array(list(itertools.product(chip_values, repeat=h - 1)), dtype=np.complex128)
        tails = tails.reshape(-1, h - 1)
        cand = np.concatenate([np.ones((tails.shape[0], 1)), tails], axis=1).T
        m = cand.shape[1]
        if m < n:
            raise ValueError(f"n_users={n} exceeds the {m} 3-level candidates of length {h}")
        unit = cand / np.linalg.norm(cand, axis=0)
        # squared correlations, rounded so that exact ties are ties (not floating-point noise)
        gram = np.round(np.abs(unit.conj().T @ unit) ** 2, 10)
        np.fill_diagonal(gram, 0.0)
        for _ in range(restarts):
            sel = [int(v) for v in rng.choice(m, size=n, replace=False)]
            # swap descent on the total squared cross-correlation sum_{i != j} |rho_ij|^2
            improved = True
            while improved:
                improved = False
                for i in range(n):
                    others = sel[:i] + sel[i + 1 :]
                    cost = np.round(gram[:, others].sum(axis=1), 9)
                    cost[sel] = np.inf
                    j = int(np.argmin(cost))
                    if cost[j] < round(float(gram[sel[i], others].sum()), 9):
                        sel[i] = j
                        improved = True
            raw = cand[:, sorted(sel)]
            key = _musa_key(raw)
            if best_key is None or key < best_key:
                best_key, best = key, raw
    else:
        weights = np.ones(n)
        for _ in range(restarts):
            raw = chip_values[rng.integers(0, 9, size=(h, n))]
            raw[0, :] = 1.0
            raw, _, _ = coordinate_descent(raw, weights, chip_values, fixed_rows=(0,))
            key = _musa_key(raw)
            if best_key is None or key < best_key:
                best_key, best = key, raw
    re = tuple(tuple(int(v) for v in row) for row in np.rint(best.real))
    im = tuple(tuple(int(v) for v in row) for row in np.rint(best.imag))
    return re, im


_MUSA_POOL_MAX_LENGTH = 4


def musa_like(
    activation: Sequence[float] | np.ndarray = P_ASY,
    length: int = 4,
    *,
    seed: int = 0,
    restarts: int | None = None,
) -> Signatures:
    """MUSA-like 3-level signatures: Re, Im in {-1, 0, 1}, first chip fixed to 1.

    The exact 3GPP TR 38.812 MUSA table is not available here, so this is labelled
    ``"MUSA-like"``. Procedure (ours, activation-agnostic like MUSA itself): minimise the
    total squared cross-correlation ``sum_{i != j} |rho_ij|^2`` over sets of ``N`` distinct
    3-level sequences with first chip 1, from ``restarts`` seeded random starts, and keep the
    best set by (total, then the maximum ``|rho_ij|^2``, then more non-zero chips — denser
    sequences keep more of the per-chip fading diversity).

    * ``H <= 4`` (at most 729 candidates): whole-sequence swap descent over all ``9**(H-1)``
      candidates — replace one sequence by the candidate that lowers the total most, until
      no swap helps; 4096 restarts by default. For ``N = 6, H = 4`` this reaches the
      unweighted Welch bound (total 3.0) with maximum ``|rho|^2 = 1/8``.
    * ``H > 4``: chip-wise coordinate descent over the 9 chip values (first chip fixed);
      128 restarts by default.

    Users receive the chosen sequences in candidate (lexicographic) order for ``H <= 4``, in
    the order of the winning start otherwise; ``p`` is not used in the selection. A different
    ``seed`` may give another set with the same total.

    Returns
    -------
    Signatures
        Finite-alphabet set (``q = 1``) named ``"MUSA-like"``.
    """
    p, h = _check_sizes(activation, length)
    shortest = _musa_min_length(p.size)
    if h < shortest:
        raise ValueError(
            f"length must be >= {shortest} for N={p.size} users, got {h}: MUSA-like needs N "
            "distinct 3-level sequences with first chip 1, and length H has 9**(H-1) of them"
        )
    seed = check_int(seed, "seed", minimum=0)
    if restarts is None:
        restarts = 4096 if h <= _MUSA_POOL_MAX_LENGTH else 128
    restarts = check_int(restarts, "restarts", minimum=1)
    re, im = _musa_like_alphabet(p.size, h, seed, restarts)
    return Signatures.from_alphabet(re, im, p, q=1, name="MUSA-like")


def random_signatures(
    activation: Sequence[float] | np.ndarray = P_ASY,
    length: int = 4,
    *,
    q: int = 2,
    seed: int | np.random.Generator | None = 0,
) -> Signatures:
    """Random finite-alphabet signatures: Re and Im i.i.d. uniform on ``{-q..q}``.

    All-zero columns are redrawn. A sanity baseline, named ``"random"``.
    """
    p, h = _check_sizes(activation, length)
    q = check_int(q, "q", minimum=1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    raw = rng.integers(-q, q + 1, size=(h, p.size)) + 1j * rng.integers(
        -q, q + 1, size=(h, p.size)
    )
    while True:
        zero = np.all(raw == 0, axis=0)
        if not zero.any():
            break
        k = int(zero.sum())
        raw[:, zero] = rng.integers(-q, q + 1, size=(h, k)) + 1j * rng.integers(
            -q, q + 1, size=(h, k)
        )
    return Signatures(raw, p, q=q, name="random")


#: Conventional signature kinds understood by :func:`make_signatures`.
SIGNATURE_KINDS: tuple[str, ...] = ("wbe", "qwbe", "musa", "random")


def _musa_min_length(n_users: int) -> int:
    # at least two chips (the first is fixed to 1), and 9**(H-1) >= N candidates
    h = 2
    while 9 ** (h - 1) < n_users:
        h += 1
    return h


def minimum_length(kind: str, n_users: int) -> int:
    """The shortest spreading length ``H`` a conventional kind can build for ``N`` users.

    Parameters
    ----------
    kind : str
        One of :data:`SIGNATURE_KINDS` (or ``"musa-like"``).
    n_users : int
        Number of users ``N``.

    Returns
    -------
    int
        1 for ``"wbe"``, ``"qwbe"`` and ``"random"`` (any ``H >= 1``); for ``"musa"`` the
        smallest ``H >= 2`` with ``9**(H-1) >= N`` (``N`` distinct 3-level sequences with first
        chip 1), e.g. 2 for ``N <= 9`` and 3 for ``N <= 81``. No kind has a largest length.

    Raises
    ------
    ValueError
        Unknown ``kind`` or ``n_users < 1``.
    """
    n_users = check_int(n_users, "n_users", minimum=1)
    key = _kind_key(kind)
    return _musa_min_length(n_users) if key == "musa" else 1


def _kind_key(kind: Any) -> str:
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a string, got {kind!r}")
    key = kind.strip().lower()
    if key == "musa-like":
        key = "musa"
    if key not in SIGNATURE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SIGNATURE_KINDS)}; got {kind!r}")
    return key


def make_signatures(
    kind: str,
    activation: Sequence[float] | np.ndarray = P_ASY,
    length: int = 4,
    *,
    q: int = 2,
    seed: int = 0,
) -> Signatures:
    """Build a conventional signature set by name: one of :data:`SIGNATURE_KINDS`.

    ``"musa"`` (or ``"musa-like"``) gives :func:`musa_like`; ``seed`` is used by ``"random"``.
    The CC search of :func:`gfnoma.search_signatures` is a separate, slower step.
    :func:`minimum_length` gives the shortest ``length`` each kind can build.
    """
    key = _kind_key(kind)
    if key == "wbe":
        return wbe(activation, length)
    if key == "qwbe":
        return quantized_wbe(activation, length, q=q)
    if key == "musa":
        return musa_like(activation, length)
    return random_signatures(activation, length, q=q, seed=seed)
