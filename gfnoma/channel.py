"""The grant-free NOMA uplink as composable ``torch.nn.Module`` blocks (paper §II, eq. 3-5).

``y = sum_n diag(h_n) s_n a_n x_n + w`` with ``a_n ~ Bernoulli(p_n)``, Gray-mapped QPSK
``x_n`` of unit energy, unit-norm signatures ``s_n``, per-chip Rayleigh fading
``h_n ~ CN(0, I_H)`` redrawn for every channel use, and ``w ~ CN(0, sigma^2 I_H)``.

SNR convention (ours, ``docs/gfnoma_simulator.md`` decision 1): ``Es/N0`` per user
``= 1 / sigma^2`` — the average received symbol energy of one active user
(``E ||diag(h_n) s_n x_n||^2 = 1``) over the noise density.

Shapes: ``B`` channel uses (batch), ``N`` users, ``H`` chips. Signatures are ``(H, N)``,
channels ``(B, H, N)``, received vectors ``(B, H)``. All blocks draw their randomness from a
``torch.Generator`` passed in; :class:`GrantFreeChannel` owns one, seeded once, so a single
seed drives bits, activity, fading and noise. Everything is differentiable with respect to
the signatures (and the transmitted signals), so the same channel serves training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from gfnoma._validation import check_activation, check_int
from gfnoma.signatures import Signatures

__all__ = [
    "AWGN",
    "FADING_MODELS",
    "BernoulliActivation",
    "ChannelSample",
    "GrantFreeChannel",
    "LinearSpreading",
    "QPSKMapper",
    "RayleighChipFading",
    "noise_variance",
    "qpsk_demap",
    "qpsk_map",
]

_SQRT1_2 = 1.0 / math.sqrt(2.0)

#: Fading models: flat over the spreading block, or the paper's per-chip fading (eq. 5). Used
#: by :class:`RayleighChipFading` and by :func:`gfnoma.interference_model`.
FADING_MODELS: tuple[str, ...] = ("flat", "per-chip")


def noise_variance(snr_db: Any, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Noise variance ``sigma^2 = 10^(-snr_db/10)`` for ``Es/N0 = 1/sigma^2`` (scalar or (B,))."""
    snr = torch.as_tensor(snr_db, dtype=torch.float64)
    if not torch.all(torch.isfinite(snr)):
        raise ValueError(f"snr_db must be finite, got {snr_db!r}")
    return torch.pow(10.0, -snr / 10.0).to(dtype)


def qpsk_map(bits: torch.Tensor, dtype: torch.dtype = torch.complex64) -> torch.Tensor:
    """Gray-mapped QPSK: ``x = ((1 - 2 b0) + 1j (1 - 2 b1)) / sqrt(2)``; bits shape (..., 2)."""
    if bits.shape[-1] != 2:
        raise ValueError(f"bits must have a last dimension of 2, got shape {tuple(bits.shape)}")
    real_dtype = torch.float64 if dtype == torch.complex128 else torch.float32
    b = bits.to(real_dtype)
    return torch.complex((1.0 - 2.0 * b[..., 0]) * _SQRT1_2, (1.0 - 2.0 * b[..., 1]) * _SQRT1_2)


def qpsk_demap(x: torch.Tensor) -> torch.Tensor:
    """Hard QPSK bit decisions (inverse of :func:`qpsk_map`): shape (..., 2), int64 0/1."""
    return torch.stack(((x.real < 0), (x.imag < 0)), dim=-1).to(torch.int64)


class QPSKMapper(nn.Module):
    """Module form of :func:`qpsk_map`: bits (..., 2) -> unit-energy complex symbols (...)."""

    def __init__(self, dtype: torch.dtype = torch.complex64) -> None:
        super().__init__()
        self.dtype = dtype

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        return qpsk_map(bits, self.dtype)


class BernoulliActivation(nn.Module):
    """User activity ``a_n ~ Bernoulli(p_n)``, independent over users and channel uses.

    Parameters
    ----------
    activation : array_like, shape (N,)
        Probabilities in (0, 1].

    Notes
    -----
    forward(batch_size, generator) -> bool tensor (B, N)
    """

    def __init__(self, activation: Any) -> None:
        super().__init__()
        p = check_activation(activation)
        self.register_buffer("p", torch.from_numpy(np.array(p)))

    def forward(self, batch_size: int, generator: torch.Generator | None = None) -> torch.Tensor:
        u = torch.rand(batch_size, self.p.numel(), generator=generator, dtype=torch.float64)
        return u < self.p


class RayleighChipFading(nn.Module):
    """Rayleigh fading redrawn per use: independent per user and chip, ``h_n ~ CN(0, I_H)``
    (eq. 5, the default), or flat over the chips, ``h_n = c_n 1_H`` with ``c_n ~ CN(0, 1)``.

    Parameters
    ----------
    n_users, length : int
        ``N`` and ``H``.
    dtype : torch.dtype
        Complex dtype of the coefficients.
    model : {"per-chip", "flat"}
        ``"per-chip"``: the paper's channel (eq. 5). ``"flat"`` (ours): one coefficient per
        user for the whole spreading block — the channel under which the correlations
        ``rho_ij`` of eq. (29) matter (``docs/gfnoma_appendix.md``, decision 16). Both give
        ``E ||diag(h_n) s_n||^2 = 1`` for a unit-norm ``s_n``.

    Notes
    -----
    forward(batch_size, generator) -> complex tensor (B, H, N)
    """

    def __init__(
        self,
        n_users: int,
        length: int,
        dtype: torch.dtype = torch.complex64,
        *,
        model: str = "per-chip",
    ) -> None:
        super().__init__()
        self.n_users = check_int(n_users, "n_users", minimum=1)
        self.length = check_int(length, "length", minimum=1)
        self.dtype = dtype
        if model not in FADING_MODELS:
            raise ValueError(f"model must be one of {', '.join(FADING_MODELS)}, got {model!r}")
        self.model = model

    def forward(self, batch_size: int, generator: torch.Generator | None = None) -> torch.Tensor:
        if self.model == "flat":
            c = torch.randn(batch_size, 1, self.n_users, dtype=self.dtype, generator=generator)
            return c.expand(batch_size, self.length, self.n_users).contiguous()
        return torch.randn(
            batch_size, self.length, self.n_users, dtype=self.dtype, generator=generator
        )

    def extra_repr(self) -> str:
        return f"n_users={self.n_users}, length={self.length}, model={self.model!r}"


class AWGN(nn.Module):
    """Additive white Gaussian noise ``w ~ CN(0, sigma^2 I)``.

    Notes
    -----
    forward(y (B, H), noise_var scalar or (B,), generator) -> (B, H)
    """

    def forward(
        self,
        y: torch.Tensor,
        noise_var: torch.Tensor | float,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        nv = torch.as_tensor(noise_var, dtype=y.real.dtype)
        if nv.ndim == 1:
            nv = nv[:, None]
        w = torch.randn(y.shape, dtype=y.dtype, generator=generator)
        return y + torch.sqrt(nv) * w


class LinearSpreading(nn.Module):
    """Conventional linear spreading, eq. (4): ``z_n = s_n x_n / ||s_n||``.

    Notes
    -----
    forward(x (B, N) complex, s (H, N) complex) -> z (B, H, N)

    Columns of ``s`` are normalised here (differentiably), so raw or quantised signatures can
    be passed directly.
    """

    def forward(self, x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        s_unit = s / torch.linalg.vector_norm(s, dim=0, keepdim=True)
        return s_unit.unsqueeze(0) * x.unsqueeze(1)


@dataclass
class ChannelSample:
    """One batch of the uplink.

    Attributes
    ----------
    bits : int64 (B, N, 2)
        QPSK bits of every user (inactive users' bits are drawn but not sent).
    active : bool (B, N)
        Activity ``a_n``.
    symbols : complex (B, N)
        Sent symbols ``x_n = a_n q_n`` (eq. 3; zero for inactive users).
    h : complex (B, H, N)
        Per-chip fading of every user.
    y : complex (B, H)
        Received vectors (eq. 5).
    noise_var : real (B,)
        ``sigma^2`` of each channel use.
    """

    bits: torch.Tensor
    active: torch.Tensor
    symbols: torch.Tensor
    h: torch.Tensor
    y: torch.Tensor
    noise_var: torch.Tensor


class GrantFreeChannel(nn.Module):
    """Source, activation, spreading, fading and noise in one seeded module.

    Parameters
    ----------
    activation : array_like, shape (N,)
        Activation probabilities in (0, 1].
    length : int
        Spreading length ``H``.
    seed : int, optional
        Seed of the module's ``torch.Generator``; the only source of randomness. ``None``
        seeds it non-deterministically.
    dtype : torch.dtype
        ``torch.complex64`` (default) or ``torch.complex128``.
    fading : {"per-chip", "flat"}
        Fading model of :class:`RayleighChipFading` (default: the paper's per-chip fading).

    Examples
    --------
    >>> import torch
    >>> from gfnoma import GrantFreeChannel, wbe
    >>> sig = wbe()
    >>> ch = GrantFreeChannel(sig.activation, sig.length, seed=1)
    >>> out = ch(sig.tensor(), batch_size=5, snr_db=10.0)
    >>> tuple(out.y.shape), tuple(out.h.shape), tuple(out.bits.shape)
    ((5, 4), (5, 4, 6), (5, 6, 2))

    Training use: draw the source with :meth:`sample_source`, spread with your own encoder to
    ``z`` of shape (B, H, N), and call :meth:`propagate`; gradients flow into ``z``.
    """

    def __init__(
        self,
        activation: Any,
        length: int,
        *,
        seed: int | None = None,
        dtype: torch.dtype = torch.complex64,
        fading: str = "per-chip",
    ) -> None:
        super().__init__()
        if dtype not in (torch.complex64, torch.complex128):
            raise TypeError(f"dtype must be torch.complex64 or torch.complex128, got {dtype}")
        if fading not in FADING_MODELS:
            raise ValueError(f"fading must be one of {', '.join(FADING_MODELS)}, got {fading!r}")
        p = check_activation(activation)
        self.n_users = p.size
        self.length = check_int(length, "length", minimum=1)
        self.dtype = dtype
        self.activation = BernoulliActivation(p)
        self.mapper = QPSKMapper(dtype)
        self.spreading = LinearSpreading()
        self.fading = RayleighChipFading(self.n_users, self.length, dtype, model=fading)
        self.awgn = AWGN()
        self.generator = torch.Generator()
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        """Re-seed the generator (``None``: non-deterministic seed)."""
        if seed is None:
            self.generator.seed()
        else:
            self.generator.manual_seed(check_int(seed, "seed", minimum=0))

    def sample_source(self, batch_size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Draw ``(bits (B, N, 2), active (B, N), symbols (B, N))`` with ``x = a q``."""
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        bits = torch.randint(0, 2, (batch_size, self.n_users, 2), generator=self.generator)
        active = self.activation(batch_size, self.generator)
        symbols = self.mapper(bits) * active
        return bits, active, symbols

    def propagate(
        self, z: torch.Tensor, snr_db: Any
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Fade, superimpose and add noise: ``y = sum_n h_n * z_n + w`` (eq. 5).

        Parameters
        ----------
        z : complex tensor (B, H, N)
            Transmitted chip sequences of every user (zero for inactive users).
        snr_db : float or tensor (B,)
            ``Es/N0 = 1/sigma^2`` in dB, per batch or per channel use.

        Returns
        -------
        (y (B, H), h (B, H, N), noise_var (B,))
        """
        if z.ndim != 3 or z.shape[1:] != (self.length, self.n_users):
            raise ValueError(
                f"z must have shape (B, {self.length}, {self.n_users}), got {tuple(z.shape)}"
            )
        b = z.shape[0]
        h = self.fading(b, self.generator)
        real = torch.float64 if self.dtype == torch.complex128 else torch.float32
        nv = noise_variance(snr_db, real)
        if nv.ndim == 0:
            nv = nv.expand(b)
        elif nv.shape != (b,):
            raise ValueError(
                f"snr_db must be a scalar or have shape ({b},), got {tuple(nv.shape)}"
            )
        y = self.awgn((h * z.to(self.dtype)).sum(dim=-1), nv, self.generator)
        return y, h, nv

    def forward(
        self, signatures: torch.Tensor | Signatures, batch_size: int, snr_db: Any
    ) -> ChannelSample:
        """Draw one batch: source, spreading with ``signatures`` (H, N), fading, noise."""
        if isinstance(signatures, Signatures):
            s = signatures.tensor(self.dtype)
        elif isinstance(signatures, torch.Tensor):
            s = signatures
        else:
            raise TypeError(
                "signatures must be a Signatures object or a complex (H, N) tensor, "
                f"got {type(signatures).__name__}"
            )
        if s.shape != (self.length, self.n_users):
            raise ValueError(
                f"signatures must have shape ({self.length}, {self.n_users}), got {tuple(s.shape)}"
            )
        bits, active, symbols = self.sample_source(batch_size)
        z = self.spreading(symbols, s.to(self.dtype))
        y, h, nv = self.propagate(z, snr_db)
        return ChannelSample(bits=bits, active=active, symbols=symbols, h=h, y=y, noise_var=nv)
