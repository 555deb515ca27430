"""Multi-user detectors for grant-free NOMA, all batched over channel uses
(``docs/gfnoma_simulator.md``, decisions 9-13).

Every receiver is a :class:`Receiver` (a ``torch.nn.Module``) with one call form::

    det = receiver(y, h, s, p, noise_var, active=None)

======  ==============  ===========================================================
y       (B, H) complex  received vectors
h       (B, H, N)       per-chip fading (perfect CSI)
s       (H, N) complex  signatures (normalised to unit columns inside)
p       (N,) real       activation probabilities, the receivers' prior
noise   (B,) or scalar  noise variance ``sigma^2`` (``Es/N0 = 1/sigma^2``)
active  (B, N) bool     true activity; only oracle receivers use it (required there)
======  ==============  ===========================================================

and returns a :class:`Detection` with the detected symbols (zero for users declared
inactive), the detected activity and a small ``info`` dict. A neural receiver (the SICNN) is
one more subclass. Receivers are deterministic (no randomness) and never loop over channel
uses in Python; the only Python loops are over users / SIC stages / hypothesis chunks.

Notation: ``g_n = h_n * s_n`` is user ``n``'s effective signature, ``G = [g_1..g_N]``
(B, H, N), ``M = G^H G`` and ``r = G^H y``.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from gfnoma._validation import check_int

__all__ = [
    "MMSESIC",
    "POSTERIOR_MEAN_MAX_USERS",
    "RECEIVERS",
    "Detection",
    "JointDetector",
    "MatchedFilter",
    "OracleLS",
    "OracleMMSE",
    "Receiver",
    "get_receiver",
    "map_slice",
    "posterior_mean",
]

_SQRT2 = math.sqrt(2.0)
_SQRT1_2 = 1.0 / _SQRT2
#: Largest ``N`` of :func:`posterior_mean` (``5^6 = 15625`` enumerated hypotheses per use).
POSTERIOR_MEAN_MAX_USERS = 7


@dataclass
class Detection:
    """Output of a receiver.

    Attributes
    ----------
    symbols : complex tensor (B, N)
        Detected symbols: a QPSK point for users declared active, 0 otherwise.
    active : bool tensor (B, N)
        Detected activity.
    info : dict
        Receiver-specific counters, e.g. ``{"pinv": k}`` for the oracle receivers (number of
        channel uses in the batch with more active users than chips).
    """

    symbols: torch.Tensor
    active: torch.Tensor
    info: dict[str, float] = field(default_factory=dict)


def _quadrant(z: torch.Tensor) -> torch.Tensor:
    """Nearest QPSK point (ties to the positive side)."""
    one = torch.ones((), dtype=z.real.dtype)
    return torch.complex(
        torch.where(z.real >= 0, one, -one) * _SQRT1_2,
        torch.where(z.imag >= 0, one, -one) * _SQRT1_2,
    )


def _log_activity_ratio(p: torch.Tensor) -> torch.Tensor:
    """``log(4 (1 - p) / p)``: -inf for ``p = 1`` (never declared inactive)."""
    return torch.log(4.0 * (1.0 - p)) - torch.log(p)


def map_slice(
    z: torch.Tensor, v: torch.Tensor, p: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Symbol-wise MAP decision on ``{0} U QPSK`` from an unbiased Gaussian estimate.

    Model: ``z = x + e`` with ``e ~ CN(0, v)`` (interference treated as Gaussian) and prior
    ``P(x = 0) = 1 - p``, ``P(x = c) = p/4`` for each unit-energy QPSK point ``c``.

    The best QPSK point is the quadrant point ``c*`` of ``z``; the user is declared active iff
    ``(|z|^2 - |z - c*|^2) / v = (sqrt(2)(|Re z| + |Im z|) - 1) / v > log(4 (1 - p) / p)``.
    With ``p = 1`` the user is always active (plain QPSK slicing).

    Parameters
    ----------
    z : complex tensor
        Unbiased estimates.
    v : real tensor
        Effective noise-plus-interference variance of ``z`` (broadcastable).
    p : real tensor
        Activation probability (broadcastable).

    Returns
    -------
    (symbols, active)
    """
    zr = torch.view_as_real(z)
    # sqrt(2)(|Re z| + |Im z|) - 1 > v log(4(1-p)/p)
    active = zr.abs().sum(dim=-1) > (v * _log_activity_ratio(p) + 1.0) * _SQRT1_2
    c = torch.copysign(torch.tensor(_SQRT1_2, dtype=zr.dtype), zr) * active.unsqueeze(-1)
    return torch.view_as_complex(c), active


def _prior_and_noise(
    p: Any, noise_var: Any, n: int, b: int, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor]:
    """Validated activation probabilities ``(N,)`` and noise variances ``(B,)`` in ``dtype``."""
    p_t = torch.as_tensor(p, dtype=dtype)
    if p_t.shape != (n,):
        raise ValueError(f"p must have shape ({n},), got {tuple(p_t.shape)}")
    if not bool(torch.all((p_t > 0) & (p_t <= 1))):
        raise ValueError("p: activation probabilities must lie in (0, 1]")
    nv = torch.as_tensor(noise_var, dtype=dtype)
    if nv.ndim == 0:
        nv = nv.expand(b)
    if nv.shape != (b,):
        raise ValueError(f"noise_var must be a scalar or have shape ({b},), got {tuple(nv.shape)}")
    if not bool(torch.all(torch.isfinite(nv) & (nv > 0))):
        raise ValueError("noise_var must be positive and finite")
    return p_t, nv


class Receiver(nn.Module):
    """Common interface of all detectors (see the module docstring for shapes)."""

    #: Registry name, e.g. ``"mmse-sic"``.
    name: ClassVar[str] = "receiver"
    #: Label for tables and plots.
    label: ClassVar[str] = "Receiver"
    #: True for receivers that are told the true activity (oracle benchmarks).
    needs_activity: ClassVar[bool] = False

    def check_size(self, n_users: int, length: int) -> None:
        """Raise ``ValueError`` if this receiver cannot handle ``N`` users and ``H`` chips."""
        check_int(n_users, "n_users", minimum=1)
        check_int(length, "length", minimum=1)

    def _prepare(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Validate shapes; return ``(h, y, s_unit, p, noise_var)`` in the working precision.

        ``s_unit`` has unit-norm columns; ``g_n = h_n * s_n`` is ``h * s_unit``.
        """
        if not (isinstance(y, torch.Tensor) and isinstance(h, torch.Tensor)):
            raise TypeError("y and h must be torch tensors")
        if not isinstance(s, torch.Tensor):
            raise TypeError(f"s must be a complex (H, N) tensor, got {type(s).__name__}")
        if h.ndim != 3:
            raise ValueError(f"h must have shape (B, H, N), got {tuple(h.shape)}")
        b, hh, n = h.shape
        if y.shape != (b, hh):
            raise ValueError(f"y must have shape ({b}, {hh}), got {tuple(y.shape)}")
        if s.shape != (hh, n):
            raise ValueError(f"s must have shape ({hh}, {n}), got {tuple(s.shape)}")
        self.check_size(n, hh)
        cdtype = torch.complex128 if torch.complex128 in (y.dtype, h.dtype) else torch.complex64
        rdtype = torch.float64 if cdtype == torch.complex128 else torch.float32
        p_t, nv = _prior_and_noise(p, noise_var, n, b, rdtype)
        if self.needs_activity:
            if active is None:
                raise ValueError(f"active: the {self.label} receiver needs the true activity")
            if active.shape != (b, n):
                raise ValueError(f"active must have shape ({b}, {n}), got {tuple(active.shape)}")
        s_unit = s.to(cdtype)
        s_unit = s_unit / torch.linalg.vector_norm(s_unit, dim=0, keepdim=True)
        return h.to(cdtype), y.to(cdtype), s_unit, p_t, nv

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:  # pragma: no cover - abstract
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


def check_trained_size(who: str, network: Any, n_users: int, length: int) -> None:
    """Refuse sizes other than the ``(n_users, length)`` a trained ``network`` was built for."""
    if (n_users, length) != (network.n_users, network.length):
        raise ValueError(
            f"n_users, length: {who} was trained for N={network.n_users}, "
            f"H={network.length}, got N={n_users}, H={length}"
        )


def check_trained_signatures(
    who: str, signatures: Any, s_unit: torch.Tensor, *, magnitudes: bool
) -> None:
    """Refuse unit-norm signatures ``s_unit`` other than the set a network was trained for:
    only their chip magnitudes ``|s_n(k)|`` with ``magnitudes`` (a network that sees the
    effective channels ``h * s`` under per-chip fading), else the signatures themselves."""
    ref = torch.from_numpy(np.array(signatures.matrix)).to(s_unit.dtype)
    a, b = (s_unit.abs(), ref.abs()) if magnitudes else (s_unit, ref)
    if not torch.allclose(a, b, atol=1e-5, rtol=0.0):
        what = "chip magnitudes |s_n(k)|" if magnitudes else "signatures"
        raise ValueError(
            f"s: {who} was trained with other {what} ({signatures.name}); "
            "pass check_signatures=False to use it anyway"
        )


def _gram(g: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``M = G^H G`` (B, N, N) and ``r = G^H y`` (B, N)."""
    gh = g.mH
    return gh @ g, (gh @ y.unsqueeze(-1)).squeeze(-1)


class MatchedFilter(Receiver):
    """Matched filter (single-user detection) with the MAP slicer of :func:`map_slice`.

    ``z_n = g_n^H y / ||g_n||^2`` (unbiased). Interference from the other users is treated as
    Gaussian with the prior weights ``p_m``. Its variance is, with ``interference="average"``
    (default, ours: the MF uses only its own channel and the interferers' statistics),
    ``E|g_n^H g_m|^2 = sum_k |g_nk|^2 |s_mk|^2`` averaged over the interferers' fading; with
    ``interference="instantaneous"`` the exact ``|g_n^H g_m|^2`` from all channels. The noise
    adds ``sigma^2 / ||g_n||^2``.
    """

    name = "mf"
    label = "MF"

    def __init__(self, interference: str = "average") -> None:
        super().__init__()
        if interference not in ("average", "instantaneous"):
            raise ValueError(
                f"interference must be 'average' or 'instantaneous', got {interference!r}"
            )
        self.interference = interference

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:
        h, y, s_unit, p, nv = self._prepare(y, h, s, p, noise_var, active)
        b, hh, n = h.shape
        eye = torch.eye(n, dtype=p.dtype)
        # r_n = sum_k conj(h_kn) conj(s_kn) y_k as one GEMM against a block-diagonal table
        s_blk = (s_unit.conj().unsqueeze(-1) * eye.to(s_unit.dtype)).reshape(hh * n, n)
        r = (h.conj() * y.unsqueeze(-1)).reshape(b, hh * n) @ s_blk
        a2 = h.real.square() + h.imag.square()  # |h_kn|^2
        s2 = s_unit.real.square() + s_unit.imag.square()  # |s_kn|^2
        if self.interference == "average":
            # d_n = sum_k |h_kn|^2 |s_kn|^2 and
            # I_n = sum_k |h_kn|^2 |s_kn|^2 sum_{m != n} p_m |s_mk|^2, as one GEMM
            ps2 = s2 * p
            others = ps2.sum(dim=1, keepdim=True) - ps2
            w = torch.cat(
                [
                    (s2.unsqueeze(-1) * eye).reshape(hh * n, n),
                    ((s2 * others).unsqueeze(-1) * eye).reshape(hh * n, n),
                ],
                dim=1,
            )
            di = a2.reshape(b, hh * n) @ w
            d, interf = di[:, :n], di[:, n:]
        else:
            g = h * s_unit
            m = g.mH @ g
            d = torch.diagonal(m, dim1=1, dim2=2).real
            interf = (m.real.square() + m.imag.square()) @ p - p * d.square()
        z = r / d
        v = (interf + nv.unsqueeze(-1) * d) / d.square()
        symbols, act = map_slice(z, v, p)
        return Detection(symbols, act)


class MMSESIC(Receiver):
    """Activity-aware MMSE-SIC (``docs/gfnoma_simulator.md``, decision 11).

    With the prior covariance ``R = sum_m p_m g_m g_m^H + sigma^2 I`` over the users not yet
    detected, every stage

    1. computes for each remaining user the MMSE SINR given that it is active,
       ``gamma_n = g_n^H R_{-n}^{-1} g_n = beta_n / (1 - p_n beta_n)`` with
       ``beta_n = g_n^H R^{-1} g_n`` (ours: the conditional-on-active SINR orders the users);
    2. picks the user with the largest ``gamma_n`` and forms the unbiased MMSE estimate
       ``z_n = g_n^H R^{-1} y / beta_n`` whose interference-plus-noise variance is
       ``1 / gamma_n``;
    3. decides on ``{0} U QPSK`` with :func:`map_slice` (prior ``p_n``);
    4. cancels ``g_n x_n`` from ``y`` if the user was declared active, removes the user from
       ``R`` in either case, and repeats.

    Implementation: one batched ``H x H`` inverse per channel use, then the quantities
    ``B = G^H R^{-1} G`` and ``c = G^H R^{-1} y`` are updated per stage by the
    Sherman-Morrison downdate ``R <- R - p_k g_k g_k^H`` and the cancellation
    (``c <- c + b_k (p_k c_k - x_k) / (1 - p_k beta_k)``, ``b_k`` = column ``k`` of ``B``), so
    a stage costs ``O(N^2)`` per channel use. The detection order may differ per channel use.
    """

    name = "mmse-sic"
    label = "MMSE-SIC"

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:
        h, y, s_unit, p, nv = self._prepare(y, h, s, p, noise_var, active)
        g = h * s_unit
        b, hh, n = g.shape
        eye = torch.eye(hh, dtype=g.dtype)
        cov = (g * p.to(g.dtype)) @ g.mH + nv.to(g.dtype)[:, None, None] * eye
        x = torch.linalg.inv(cov) @ g  # R^{-1} G, (B, H, N)
        bm = g.mH @ x  # G^H R^{-1} G, (B, N, N)
        c = (x.conj() * y.unsqueeze(-1)).sum(dim=1)  # G^H R^{-1} y, (B, N)
        remaining = torch.ones(b, n, dtype=torch.bool)
        symbols = torch.zeros(b, n, dtype=g.dtype)
        detected = torch.zeros(b, n, dtype=torch.bool)
        neg_inf = torch.tensor(float("-inf"), dtype=p.dtype)
        tiny = torch.finfo(p.dtype).tiny
        for _ in range(n):
            beta = torch.diagonal(bm, dim1=1, dim2=2).real
            den_all = (1.0 - p * beta).clamp_min(tiny)
            gamma = torch.where(remaining, beta / den_all, neg_inf)
            k = torch.argmax(gamma, dim=1, keepdim=True)  # (B, 1)
            beta_k = beta.gather(1, k).squeeze(1)
            den = den_all.gather(1, k).squeeze(1)
            c_k = c.gather(1, k).squeeze(1)
            p_k = p[k.squeeze(1)]
            z = c_k / beta_k
            v = den / beta_k
            x_k, act = map_slice(z, v, p_k)
            col = bm.gather(2, k.unsqueeze(1).expand(b, n, 1)).squeeze(2)  # b_k, (B, N)
            scaled = col * (p_k / den).to(g.dtype).unsqueeze(1)
            bm = torch.addcmul(bm, scaled.unsqueeze(2), col.conj().unsqueeze(1))
            c = c + col * ((p_k * c_k - x_k) / den.to(g.dtype)).unsqueeze(1)
            remaining.scatter_(1, k, False)
            symbols.scatter_(1, k, x_k.unsqueeze(1))
            detected.scatter_(1, k, act.unsqueeze(1))
        return Detection(symbols, detected)


class OracleLS(Receiver):
    """Least squares on the true active set (oracle benchmark of the paper's Fig. 8).

    ``x_Gamma = pinv(G_Gamma) y``: the ordinary LS solution ``(G_Gamma^H G_Gamma)^{-1}
    G_Gamma^H y`` when ``|Gamma| <= H``, else the minimum-norm solution
    ``G_Gamma^H (G_Gamma G_Gamma^H)^{-1} y`` (the pseudo-inverse). Active users are sliced to
    the nearest QPSK point; inactive users are known to be silent. Computed with the batched
    pseudo-inverse, so rank-deficient active sets (sparse signatures that share chips) are
    handled too. ``info["pinv"]`` counts the channel uses with ``|Gamma| > H``.
    """

    name = "oracle-ls"
    label = "oracle-LS"
    needs_activity = True

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:
        h, y, s_unit, p, _ = self._prepare(y, h, s, p, noise_var, active)
        g = h * s_unit
        hh = g.shape[1]
        act = active.to(torch.bool)
        d = act.to(g.dtype)
        n_act = act.sum(dim=1)
        under = n_act > hh
        # The pseudo-inverse of G_Gamma (inactive columns zeroed): the LS solution when G_Gamma
        # has full column rank, the minimum-norm one otherwise -- also when fewer than H users
        # are active but their effective channels are dependent (sparse signatures sharing a
        # chip), where the normal equations are singular.
        est = (torch.linalg.pinv(g * d.unsqueeze(1)) @ y.unsqueeze(-1)).squeeze(-1)
        symbols = torch.where(act, _quadrant(est), torch.zeros((), dtype=g.dtype))
        return Detection(symbols, act.clone(), {"pinv": float(under.sum())})


class OracleMMSE(Receiver):
    """Linear MMSE on the true active set: ``x_Gamma = (M_Gamma + sigma^2 I)^{-1} r_Gamma``.

    Always well posed; sliced to the nearest QPSK point (the MMSE bias is a positive real
    factor per user, so quadrant decisions are unaffected). ``info["pinv"]`` counts the channel
    uses with more active users than chips, where oracle-LS needs the pseudo-inverse.
    """

    name = "oracle-mmse"
    label = "oracle-MMSE"
    needs_activity = True

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:
        h, y, s_unit, p, nv = self._prepare(y, h, s, p, noise_var, active)
        g = h * s_unit
        hh, n = g.shape[1:]
        act = active.to(torch.bool)
        d = act.to(g.dtype)
        ga = g * d.unsqueeze(1)
        m = ga.mH @ ga + nv.to(g.dtype)[:, None, None] * torch.eye(n, dtype=g.dtype)
        r = (ga.conj() * y.unsqueeze(-1)).sum(dim=1)
        est = torch.linalg.solve(m, r.unsqueeze(-1)).squeeze(-1)
        symbols = torch.where(act, _quadrant(est), torch.zeros((), dtype=g.dtype))
        return Detection(symbols, act.clone(), {"pinv": float((act.sum(dim=1) > hh).sum())})


_QPSK_POINTS = np.array([1 + 1j, -1 + 1j, 1 - 1j, -1 - 1j]) * _SQRT1_2


@functools.lru_cache(maxsize=32)
def _hypothesis_tables(
    p: tuple[float, ...], use_prior: bool, double: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Tables for the exhaustive search over the first ``N-1`` users (see JointDetector)."""
    n = len(p)
    na = n - 1
    alphabet = np.concatenate([[0.0 + 0.0j], _QPSK_POINTS])
    if na > 0:
        idx = np.array(list(itertools.product(range(5), repeat=na)), dtype=np.int64)
    else:
        idx = np.zeros((1, 0), dtype=np.int64)
    # Drop hypotheses with zero prior (an always-active user cannot be silent).
    allowed = np.ones(idx.shape[0], dtype=bool)
    for j in range(na):
        if p[j] >= 1.0:
            allowed &= idx[:, j] != 0
    idx = idx[allowed]
    xa = alphabet[idx]  # (T, N-1)
    t = xa.shape[0]
    # log prior of the first N-1 users
    if use_prior and na > 0:
        pa = np.array(p[:na])
        with np.errstate(divide="ignore"):
            logp = np.where(idx == 0, np.log1p(-pa), np.log(pa / 4.0))
        neg_logprior = -logp.sum(axis=1)
    else:
        neg_logprior = np.zeros(t)
    pairs = [(i, j) for i in range(na) for j in range(i + 1, na)]
    cols = []
    cols.append(np.abs(xa) ** 2)  # coefficient of M_nn
    if pairs:
        prod = np.stack([np.conj(xa[:, i]) * xa[:, j] for i, j in pairs], axis=1)
        cols.append(2.0 * prod.real)  # coefficient of Re M_nm
        cols.append(-2.0 * prod.imag)  # coefficient of Im M_nm
    cols.append(-2.0 * xa.real)  # coefficient of Re r_n
    cols.append(-2.0 * xa.imag)  # coefficient of Im r_n
    cols.append(neg_logprior[:, None])  # coefficient of sigma^2
    w_a = np.concatenate(cols, axis=1).T  # (K_A, T)
    # u = r_L - sum_m M_Lm x_m, linear in [Re M_Lm, Im M_Lm]
    w_ure = np.concatenate([-xa.real, xa.imag], axis=1).T  # (2(N-1), T)
    w_uim = np.concatenate([-xa.imag, -xa.real], axis=1).T
    dt = torch.float64 if double else torch.float32
    ct = torch.complex128 if double else torch.complex64
    return (
        torch.from_numpy(w_a).to(dt).contiguous(),
        torch.from_numpy(w_ure).to(dt).contiguous(),
        torch.from_numpy(w_uim).to(dt).contiguous(),
        torch.from_numpy(xa).to(ct),
        torch.tensor(pairs, dtype=torch.int64).reshape(-1, 2),
    )


def _joint_features(
    g: torch.Tensor, y: torch.Tensor, nv: torch.Tensor, pairs: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-channel-use inputs of the hypothesis tables of :func:`_hypothesis_tables`.

    Returns ``f_a`` (features of the first ``N-1`` users, matched to the rows of ``w_a``),
    ``f_u = [Re M_Lm, Im M_Lm]`` (matched to ``w_ure``/``w_uim``), ``M_Lm``, ``r_L`` and
    ``M_LL`` of the last user ``L``; differentiable with respect to ``g`` and ``y``.
    """
    m, r = _gram(g, y)
    na = g.shape[2] - 1
    rd = nv.dtype
    feats = [torch.diagonal(m, dim1=1, dim2=2).real[:, :na]]
    if pairs.numel():
        off = m[:, pairs[:, 0], pairs[:, 1]]
        feats += [off.real, off.imag]
    feats += [r.real[:, :na], r.imag[:, :na], nv.unsqueeze(-1)]
    f_a = torch.cat(feats, dim=1).to(rd)
    m_la = m[:, na, :na]  # M_Lm for m in A
    f_u = torch.cat([m_la.real, m_la.imag], dim=1).to(rd)
    return f_a, f_u, m_la, r[:, na], m[:, na, na].real


class JointDetector(Receiver):
    """Exact joint MAP (or ML) detection over all ``(|X| + 1)^N = 5^N`` hypotheses.

    MAP: minimise ``||y - G x||^2 / sigma^2 - sum_n log P(x_n)`` over ``x in ({0} U QPSK)^N``
    with the activation prior ``P(0) = 1 - p_n``, ``P(c) = p_n / 4`` (the upper benchmark;
    exact, no Gaussian approximation). ML (``prior=False``): the same without the prior term,
    i.e. every hypothesis of non-zero prior is equally likely (an always-active user,
    ``p_n = 1``, is never silent in either).

    Implementation (exact): with ``M = G^H G`` and ``r = G^H y`` the metric of the first
    ``N - 1`` users is a fixed linear function of features built from ``M``, ``r`` and
    ``sigma^2``, evaluated for all ``5^(N-1)`` hypotheses by one matrix product against a
    precomputed table. For each such hypothesis the last user's best choice is closed form:
    with ``u = r_L - sum_m M_Lm x_m``, the best QPSK point is the quadrant of ``u`` with metric
    ``M_LL - sqrt(2)(|Re u| + |Im u|)``, compared with staying silent. So all ``5^N``
    hypotheses are covered while only ``5^(N-1)`` are enumerated. Batches are processed in
    chunks of ``chunk_size`` channel uses, bounding memory by ``chunk_size * 5^(N-1)``.

    Parameters
    ----------
    prior : bool
        True for MAP (default), False for ML.
    max_users : int
        Largest ``N`` accepted (default 8: ``5^7 = 78125`` enumerated hypotheses).
    chunk_elements : int
        Target number of (channel use, hypothesis) pairs per chunk.
    """

    name = "map"
    label = "MAP"

    def __init__(
        self, prior: bool = True, max_users: int = 8, chunk_elements: int = 1 << 22
    ) -> None:
        super().__init__()
        self.prior = bool(prior)
        self.max_users = check_int(max_users, "max_users", minimum=1)
        self.chunk_elements = check_int(chunk_elements, "chunk_elements", minimum=1)

    @property
    def display_name(self) -> str:
        return "map" if self.prior else "ml"

    def check_size(self, n_users: int, length: int) -> None:
        super().check_size(n_users, length)
        if n_users > self.max_users:
            raise ValueError(
                f"n_users: joint {'MAP' if self.prior else 'ML'} detection enumerates "
                f"5**N hypotheses; N={n_users} exceeds max_users={self.max_users} "
                f"(5**{n_users} = {5**n_users:.3g})"
            )

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:
        h, y, s_unit, p, nv = self._prepare(y, h, s, p, noise_var, active)
        g = h * s_unit
        b, n = g.shape[0], g.shape[2]
        double = g.dtype == torch.complex128
        p_key = tuple(float(v) for v in p.tolist())
        w_a, w_ure, w_uim, xa, pairs = _hypothesis_tables(p_key, self.prior, double)
        na = n - 1
        rd = p.dtype
        f_a, f_u, m_la, r_l, m_ll = _joint_features(g, y, nv, pairs)
        p_l = p[na]
        if self.prior:
            cost_silent = -torch.log1p(-p_l) * nv  # +inf if p_L = 1
            bias_active = -torch.log(p_l / 4.0) * nv
        else:
            cost_silent = torch.where(p_l >= 1.0, torch.inf, 0.0) * torch.ones_like(nv)
            bias_active = torch.zeros_like(nv)
        t = w_a.shape[1]
        chunk = max(1, self.chunk_elements // t)
        best = torch.empty(b, dtype=torch.int64)
        for lo in range(0, b, chunk):
            hi = min(b, lo + chunk)
            score = f_a[lo:hi] @ w_a  # (b', T)
            ure = torch.addmm(r_l.real[lo:hi, None].to(rd), f_u[lo:hi], w_ure).abs_()
            uim = torch.addmm(r_l.imag[lo:hi, None].to(rd), f_u[lo:hi], w_uim).abs_()
            last = ure.add_(uim).mul_(-_SQRT2).add_((m_ll + bias_active)[lo:hi, None])
            last = torch.minimum(last, cost_silent[lo:hi, None])
            best[lo:hi] = torch.argmin(score.add_(last), dim=1)
        x_a = xa[best]  # (B, N-1)
        u = r_l - (m_la * x_a).sum(dim=1)
        last_active = (m_ll - _SQRT2 * (u.real.abs() + u.imag.abs()) + bias_active) < cost_silent
        x_l = torch.where(last_active, _quadrant(u), torch.zeros((), dtype=g.dtype))
        symbols = torch.cat([x_a, x_l.unsqueeze(-1)], dim=1)
        return Detection(symbols, symbols != 0)


def posterior_mean(
    g: torch.Tensor,
    y: torch.Tensor,
    p: Any,
    noise_var: Any,
    *,
    chunk_elements: int = 1 << 22,
) -> torch.Tensor:
    """Exact posterior mean ``E[x | y, G]`` over all ``5^N`` hypotheses (differentiable).

    The estimate with the least MSE for every user (the limit of any trained decoder under
    the loss of eq. 10). The metric ``||y - G x||^2 / sigma^2 - log P(x)`` of the first
    ``N - 1`` users comes from the tables of :class:`JointDetector`; the last user's five
    choices (silent or a QPSK point) are added in closed form, so ``5^(N-1)`` hypotheses are
    enumerated. Gradients flow to ``g`` and ``y`` (and hence to the signatures).

    Parameters
    ----------
    g : torch.Tensor
        Effective channels ``diag(h_n) s_n``, complex, shape (B, H, N).
    y : torch.Tensor
        Received signals, complex, shape (B, H).
    p : array_like
        Activation probabilities, shape (N,), in ``(0, 1]``.
    noise_var : float or array_like
        Noise variance, a scalar or one per channel use (shape (B,)), positive and finite.
    chunk_elements : int
        Target number of (channel use, hypothesis) pairs per chunk of the batch.

    Returns
    -------
    torch.Tensor
        ``E[x_n | y, G]``, complex, shape (B, N), in the dtype of ``g``.

    Raises
    ------
    ValueError
        Inconsistent shapes, an empty batch, ``p`` outside ``(0, 1]``, a noise variance
        that is not positive and finite, or ``N > POSTERIOR_MEAN_MAX_USERS`` (checked before
        any enumeration).
    """
    if not (isinstance(g, torch.Tensor) and g.is_complex() and g.ndim == 3):
        raise ValueError("g must be a complex tensor of shape (B, H, N)")
    b, hh, n = g.shape
    if b == 0 or n == 0:
        raise ValueError(f"g: needs at least one channel use and one user, got {tuple(g.shape)}")
    chunk_elements = check_int(chunk_elements, "chunk_elements", minimum=1)
    if n > POSTERIOR_MEAN_MAX_USERS:
        raise ValueError(
            f"g: the posterior mean enumerates 5**(N-1) hypotheses per channel use; "
            f"N={n} exceeds {POSTERIOR_MEAN_MAX_USERS}"
        )
    if not isinstance(y, torch.Tensor) or y.shape != (b, hh):
        raise ValueError(f"y must be a tensor of shape ({b}, {hh})")
    double = g.dtype == torch.complex128
    rd = torch.float64 if double else torch.float32
    p, nv = _prior_and_noise(p, noise_var, n, b, rd)
    y = y.to(g.dtype)
    w_a, w_ure, w_uim, xa, pairs = _hypothesis_tables(
        tuple(float(v) for v in p.tolist()), True, double
    )
    f_a, f_u, _, r_l, m_ll = _joint_features(g, y, nv, pairs)
    p_l = p[n - 1]
    qpsk = torch.tensor(_QPSK_POINTS, dtype=g.dtype)  # the last user's active choices
    alphabet_l = torch.cat([torch.zeros(1, dtype=g.dtype), qpsk])
    t = w_a.shape[1]
    chunk = max(1, chunk_elements // (5 * t))
    out = []
    for lo in range(0, b, chunk):
        hi = min(b, lo + chunk)
        v = nv[lo:hi, None]
        score = f_a[lo:hi] @ w_a  # (b', T): sigma^2 * metric of the first N-1 users
        u_re = torch.addmm(r_l.real[lo:hi, None].to(rd), f_u[lo:hi], w_ure)
        u_im = torch.addmm(r_l.imag[lo:hi, None].to(rd), f_u[lo:hi], w_uim)
        # last user: silent costs -sigma^2 log(1-p_L); point c costs
        # M_LL - 2 Re(conj(c) u) - sigma^2 log(p_L / 4)
        silent = (-torch.log1p(-p_l) * v).expand_as(score)
        base = m_ll[lo:hi, None] - torch.log(p_l / 4.0) * v
        active = [base - 2.0 * (float(c.real) * u_re + float(c.imag) * u_im) for c in _QPSK_POINTS]
        cost = torch.stack([silent, *active], dim=-1) + score.unsqueeze(-1)  # (b', T, 5)
        logw = -cost / v.unsqueeze(-1)
        post = torch.softmax(logw.reshape(hi - lo, -1), dim=1).reshape(logw.shape)
        first = post.sum(dim=-1).to(g.dtype) @ xa  # (b', N-1)
        last = post.sum(dim=1).to(g.dtype) @ alphabet_l  # (b',)
        out.append(torch.cat([first, last.unsqueeze(-1)], dim=1))
    return torch.cat(out, dim=0)


def _make_ml(**kwargs: Any) -> JointDetector:
    det = JointDetector(prior=False, **kwargs)
    return det


#: Registry of receiver factories by name.
RECEIVERS: dict[str, Any] = {
    "mf": MatchedFilter,
    "mmse-sic": MMSESIC,
    "oracle-ls": OracleLS,
    "oracle-mmse": OracleMMSE,
    "map": JointDetector,
    "ml": _make_ml,
}

_LABELS = {
    "mf": "MF",
    "mmse-sic": "MMSE-SIC",
    "oracle-ls": "oracle-LS",
    "oracle-mmse": "oracle-MMSE",
    "map": "MAP",
    "ml": "ML",
}


def get_receiver(name: str | Receiver, **kwargs: Any) -> Receiver:
    """Return a receiver instance by registry name (``mf``, ``mmse-sic``, ``oracle-ls``,
    ``oracle-mmse``, ``map``, ``ml``), or pass an instance through."""
    if isinstance(name, Receiver):
        if kwargs:
            raise TypeError("keyword arguments are only accepted with a receiver name")
        return name
    if not isinstance(name, str):
        raise TypeError(f"receiver must be a name or a Receiver, got {type(name).__name__}")
    key = name.strip().lower()
    if key not in RECEIVERS:
        raise ValueError(f"receiver must be one of {', '.join(RECEIVERS)}; got {name!r}")
    return RECEIVERS[key](**kwargs)


def receiver_label(receiver: Receiver) -> str:
    """Display label: ``"ML"`` for a JointDetector without prior, else the class label."""
    if isinstance(receiver, JointDetector):
        return "MAP" if receiver.prior else "ML"
    return receiver.label


def receiver_name(receiver: Receiver) -> str:
    """Registry-style name (``"ml"`` for a JointDetector without prior)."""
    if isinstance(receiver, JointDetector):
        return receiver.display_name
    return receiver.name
