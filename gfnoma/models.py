"""Neural blocks of the grant-free NOMA autoencoder (paper §III-B, III-C, Fig. 2-4).

* :class:`ThresholdQuantizer` — the threshold quantizer of eq. (18)/(23) with a clipped
  straight-through gradient.
* :class:`QNNEncoder` — ``N`` per-user spreading layers whose ``2H x 2`` weight matrices have
  the structure of eq. (16) (a complex multiplication by ``s_n``), quantized in the forward
  pass and normalised to unit energy (eq. 14, 24, 25); ``q=None`` gives the full-precision
  encoder of Fig. 7.
* :class:`SICNN` — the SIC-inspired decoder of Fig. 4 (eq. 26-28): ``N`` cascaded mini-nets,
  each fed ``[y_SIC,n-1, y, channels]`` and cancelling its user's re-spread estimate.
* :class:`FCNN` — one fully connected decoder from ``[y, channels]`` to all ``N`` symbols.

Conventions: complex vectors enter the networks as interleaved real and imaginary parts
(``Re, Im, Re, Im, ...``: the Odd/Even convention of eq. 25-26). Shapes: ``B`` channel uses,
``N`` users, ``H`` chips; signatures ``(H, N)``, channels ``(B, H, N)``, received ``(B, H)``,
symbols ``(B, N)`` — the same as the rest of :mod:`gfnoma`.

Channel input of the decoders (ours): ``channel_input="effective"`` (default) feeds the
effective channels ``g_n = diag(h_n) s_n`` — what the receiver knows, the per-chip fading seen
through the user's signature — and ``"raw"`` feeds ``h_n`` as written in eq. (28). With the
effective channels the decoder's input distribution depends on the signatures only through
the chip magnitudes ``|s_n(k)|``, like the distribution of the received signal itself (see
``docs/gfnoma_appendix.md``, decision 5).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from gfnoma._validation import check_int, check_real
from gfnoma.receivers import POSTERIOR_MEAN_MAX_USERS, posterior_mean
from gfnoma.signatures import Signatures

__all__ = [
    "DECODER_FEATURES",
    "FCNN",
    "PAPER_FCNN_HIDDEN",
    "PAPER_SICNN_HIDDEN",
    "POSTERIOR_MEAN_MAX_USERS",
    "SICNN",
    "PosteriorMeanDecoder",
    "QNNEncoder",
    "ThresholdQuantizer",
    "count_parameters",
]

#: Hidden layer widths of every SICNN mini-net in the paper (Table II, §IV-A).
PAPER_SICNN_HIDDEN: tuple[int, ...] = (128, 256, 512, 256, 128)
#: Hidden layer widths of the paper's FCNN (§IV-C 3).
PAPER_FCNN_HIDDEN: tuple[int, ...] = (384, 1024, 768, 256, 64)
#: Decoder input feature sets: the paper's, and ours with per-user LMMSE statistics added.
DECODER_FEATURES: tuple[str, ...] = ("paper", "mmse")
#: Version of the ``features="mmse"`` inputs (2: bounded estimate and reliability; 1, before
#: 2026-11-22: unbiased estimate and log-variance). Files record it; old ones are refused.
MMSE_FEATURES_VERSION = 2
_CHANNEL_INPUTS = ("effective", "raw")


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars (weights and biases) of ``module``."""
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))


def _as_real(z: torch.Tensor) -> torch.Tensor:
    """Complex (B, ...) -> real (B, 2 * prod(...)), interleaving Re and Im (eq. 25)."""
    return torch.view_as_real(z.contiguous()).reshape(z.shape[0], -1)


def _round_half_away(x: torch.Tensor) -> torch.Tensor:
    return torch.sign(x) * torch.floor(x.abs() + 0.5)


class _ClippedSTE(torch.autograd.Function):
    """Forward: eq. (23); backward: straight-through, zero outside ``[-A, A]``."""

    @staticmethod
    def forward(ctx: Any, w: torch.Tensor, amplitude: float, q: int) -> torch.Tensor:
        ctx.save_for_backward(w)
        ctx.amplitude = amplitude
        ctx.step = amplitude / q
        levels = _round_half_away(torch.clamp(w, -amplitude, amplitude) / ctx.step)
        return torch.clamp(levels, -q, q)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        (w,) = ctx.saved_tensors
        inside = (w.abs() <= ctx.amplitude).to(grad.dtype)
        return grad * inside / ctx.step, None, None


class ThresholdQuantizer(nn.Module):
    """Threshold quantizer of eq. (18) with the clipping of eq. (23).

    ``w~ = Quantize(Clip(w, -A, A))`` with step ``Delta = A / Q``: the output is the integer
    level ``q`` in ``{-Q, ..., Q}`` nearest to ``w / Delta`` (ties away from zero). The paper
    sets ``A = Q``, so ``Delta = 1`` and the level is the rounded weight itself.

    Backward (straight-through estimator, paper §III-E and [34]): the gradient of the level with
    respect to the full-precision weight is taken as ``1 / Delta`` inside ``[-A, A]`` and 0 outside
    (the *clipped* STE, ``docs/gfnoma_appendix.md`` decision 2), so the full-precision copy is what
    the optimiser updates.

    Parameters
    ----------
    q : int
        Alphabet parameter ``Q >= 1``.
    amplitude : float, optional
        Clipping amplitude ``A > 0`` (default ``Q``).

    Notes
    -----
    forward(w (...) real) -> levels (...) real, integer-valued in ``{-Q..Q}``

    Examples
    --------
    >>> import torch
    >>> from gfnoma import ThresholdQuantizer
    >>> ThresholdQuantizer(2)(torch.tensor([-3.0, -1.4, -0.5, 0.2, 0.5, 1.6, 2.7])).tolist()
    [-2.0, -1.0, -1.0, 0.0, 1.0, 2.0, 2.0]
    """

    def __init__(self, q: int, amplitude: float | None = None) -> None:
        super().__init__()
        self.q = check_int(q, "q", minimum=1)
        amp = float(self.q) if amplitude is None else amplitude
        self.amplitude = check_real(amp, "amplitude", minimum=0.0, strict_minimum=True)

    @property
    def step(self) -> float:
        """Quantization step ``Delta = A / Q``."""
        return self.amplitude / self.q

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        return _ClippedSTE.apply(w, self.amplitude, self.q)

    def extra_repr(self) -> str:
        return f"q={self.q}, amplitude={self.amplitude:g}"


class QNNEncoder(nn.Module):
    """The ``N`` QNN transmitters of Fig. 3: quantized spreading layers (eq. 14-25).

    User ``n`` has a full-precision weight pair ``(s_n^R(k), s_n^I(k))`` per chip, the
    ``2H`` free entries of the ``2H x 2`` matrix ``W_n`` of eq. (16)::

        W_n = [[s^R(1), -s^I(1)],
               [s^I(1),  s^R(1)],
               ...
               [s^I(H),  s^R(H)]]

    so that ``v_n = W_n [x^R, x^I]^T`` (eq. 14) is the interleaved real form of ``s_n x_n``
    (eq. 15). (The paper's eq. 16 prints the second row of each pair as ``[s^R, s^I]``; only
    ``[s^I, s^R]`` gives ``Imag(s x)`` as eq. 15 requires.) In the forward pass the weights
    are quantized with :class:`ThresholdQuantizer` (eq. 23) and the spread signal is normalised
    to unit energy (eq. 24): ``z_n = s~_n x_n / ||s~_n||`` — for unit-modulus QPSK this is
    ``v_n / ||v_n||``, and it stays defined for inactive users (``x_n = 0``).

    Parameters
    ----------
    n_users, length : int
        ``N`` and ``H``.
    q : int or None
        Alphabet ``{-q..q}``; ``None`` for the full-precision (unquantized) encoder of Fig. 7.
    amplitude : float, optional
        Clipping amplitude ``A`` (default ``q``; the paper's choice).
    init : {"xavier", "uniform"} or Signatures
        Initial full-precision weights: Xavier-uniform for a ``2 -> 2H`` layer (the paper,
        Table II), uniform on ``[-A, A]`` (the distribution eq. 22-23 assume), or a given
        signature set (scaled so its largest component is ``A``).
    generator : torch.Generator, optional
        Source of the random initial weights.

    Notes
    -----
    forward(x (B, N) complex) -> z (B, H, N) complex

    A user whose quantized weights are all zero would transmit nothing; (ours) its
    largest-magnitude full-precision weight is then mapped to the level ``+-1`` instead, so
    every exported signature is a valid non-zero column.
    """

    def __init__(
        self,
        n_users: int,
        length: int,
        *,
        q: int | None = 2,
        amplitude: float | None = None,
        init: str | Signatures = "xavier",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.n_users = check_int(n_users, "n_users", minimum=1)
        self.length = check_int(length, "length", minimum=1)
        if q is None:
            self.quantizer: ThresholdQuantizer | None = None
            self.amplitude = 1.0 if amplitude is None else float(amplitude)
        else:
            self.quantizer = ThresholdQuantizer(q, amplitude)
            self.amplitude = self.quantizer.amplitude
        self.q = None if q is None else self.quantizer.q
        self.weight = nn.Parameter(self._initial_weight(init, generator))

    def _initial_weight(self, init: Any, generator: torch.Generator | None) -> torch.Tensor:
        n, h = self.n_users, self.length
        if isinstance(init, Signatures):
            if (init.n_users, init.length) != (n, h):
                raise ValueError(
                    f"init: signatures have N={init.n_users}, H={init.length}; "
                    f"the encoder has N={n}, H={h}"
                )
            s = init.alphabet if init.is_finite_alphabet else init.matrix
            w = np.stack([s.real.T, s.imag.T], axis=-1)  # (N, H, 2)
            w = w / np.abs(w).max() * self.amplitude
            return torch.tensor(w, dtype=torch.float32)
        if init == "xavier":
            bound = math.sqrt(6.0 / (2 + 2 * h))  # fan_in 2, fan_out 2H
        elif init == "uniform":
            bound = self.amplitude
        else:
            raise ValueError(
                f"init must be 'xavier', 'uniform' or a Signatures object, got {init!r}"
            )
        u = torch.rand(n, h, 2, generator=generator, dtype=torch.float32)
        return (2.0 * u - 1.0) * bound

    def levels(self) -> torch.Tensor:
        """Quantized weights (integer levels in ``{-Q..Q}``), or the full-precision weights.

        Shape (N, H, 2): ``[..., 0]`` real, ``[..., 1]`` imaginary parts. Differentiable
        (straight-through) with respect to :attr:`!weight`.
        """
        if self.quantizer is None:
            return self.weight
        lv = self.quantizer(self.weight)
        dead = (lv == 0).all(dim=-1).all(dim=-1)  # (N,) users without any non-zero level
        if bool(dead.any()):
            flat = self.weight.detach().reshape(self.n_users, -1)
            idx = flat.abs().argmax(dim=1)
            fix = torch.zeros_like(flat)
            sign = torch.where(flat.gather(1, idx[:, None]) >= 0, 1.0, -1.0)
            fix.scatter_(1, idx[:, None], sign)
            lv = lv + (fix * dead[:, None].to(fix.dtype)).reshape(lv.shape)
        return lv

    def spreading_weights(self) -> torch.Tensor:
        """The matrices ``W~_n`` of eq. (16) built from :meth:`levels`, shape (N, 2H, 2)."""
        lv = self.levels()
        sr, si = lv[..., 0], lv[..., 1]  # (N, H)
        top = torch.stack([sr, -si], dim=-1)  # rows 2k-1: [s^R, -s^I]
        bottom = torch.stack([si, sr], dim=-1)  # rows 2k:   [s^I,  s^R]
        return torch.stack([top, bottom], dim=2).reshape(self.n_users, 2 * self.length, 2)

    def raw_signatures(self) -> torch.Tensor:
        """Unnormalised complex signatures ``s~_n`` (the levels), shape (H, N)."""
        lv = self.levels()
        return torch.complex(lv[..., 0], lv[..., 1]).T

    def signatures(self) -> torch.Tensor:
        """Unit-norm complex signatures (eq. 24), shape (H, N); differentiable."""
        s = self.raw_signatures()
        return s / torch.linalg.vector_norm(s, dim=0, keepdim=True).clamp_min(1e-12)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != self.n_users:
            raise ValueError(f"x must have shape (B, {self.n_users}), got {tuple(x.shape)}")
        s = self.signatures()
        return s.unsqueeze(0) * x.to(s.dtype).unsqueeze(1)

    def export(self, activation: Any, name: str = "QNN") -> Signatures:
        """The current signatures as a :class:`Signatures` object.

        Quantized encoders give a finite-alphabet set (integers in ``{-q..q}``, exactly the
        levels used in the forward pass); the full-precision encoder a continuous set.
        """
        with torch.no_grad():
            lv = self.levels().detach().cpu().numpy().astype(np.float64)
        raw = lv[..., 0].T + 1j * lv[..., 1].T
        if self.q is None:
            return Signatures(raw, activation, name=name)
        return Signatures(
            np.rint(raw.real) + 1j * np.rint(raw.imag), activation, q=self.q, name=name
        )

    def extra_repr(self) -> str:
        kind = "full precision" if self.q is None else f"q={self.q}, A={self.amplitude:g}"
        return f"n_users={self.n_users}, length={self.length}, {kind}"


def _mlp(sizes: Sequence[int], generator: torch.Generator | None) -> nn.Sequential:
    """Linear layers with ReLU between them (eq. 27), Xavier-uniform weights, zero biases."""
    layers: list[nn.Module] = []
    for k, (a, b) in enumerate(itertools.pairwise(sizes)):
        lin = nn.Linear(a, b)
        nn.init.xavier_uniform_(lin.weight, generator=generator)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _check_hidden(hidden: Any) -> tuple[int, ...]:
    if isinstance(hidden, int | str) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a sequence of layer widths, got {hidden!r}")
    out = tuple(check_int(v, "hidden", minimum=1) for v in hidden)
    if not out:
        raise ValueError("hidden must contain at least one layer width")
    return out


class _Decoder(nn.Module):
    """Common parts of the neural decoders: sizes, channel input, input checks."""

    def __init__(self, n_users: int, length: int, hidden: Any, channel_input: str) -> None:
        super().__init__()
        self.n_users = check_int(n_users, "n_users", minimum=1)
        self.length = check_int(length, "length", minimum=1)
        self.hidden = () if hidden is None else _check_hidden(hidden)
        if channel_input not in _CHANNEL_INPUTS:
            raise ValueError(
                f"channel_input must be one of {', '.join(_CHANNEL_INPUTS)}, got {channel_input!r}"
            )
        self.channel_input = channel_input

    def _check(
        self, y: torch.Tensor, h: torch.Tensor, s: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        n, hh = self.n_users, self.length
        if h.ndim != 3 or h.shape[1:] != (hh, n):
            raise ValueError(f"h must have shape (B, {hh}, {n}), got {tuple(h.shape)}")
        if y.shape != (h.shape[0], hh):
            raise ValueError(f"y must have shape ({h.shape[0]}, {hh}), got {tuple(y.shape)}")
        if s.shape != (hh, n):
            raise ValueError(f"s must have shape ({hh}, {n}), got {tuple(s.shape)}")
        dtype = torch.complex64
        g = h.to(dtype) * s.to(dtype)
        return y.to(dtype), h.to(dtype), g

    def extra_repr(self) -> str:
        return (
            f"n_users={self.n_users}, length={self.length}, hidden={self.hidden}, "
            f"channel_input={self.channel_input!r}, parameters={count_parameters(self)}"
        )


class SICNN(_Decoder):
    """SIC-inspired neural decoder (paper Fig. 4, eq. 26-28).

    ``N`` cascaded mini-nets ``MOD_1 .. MOD_N``. ``MOD_n`` is an MLP (eq. 27) fed

        ``x_MUD,n = [y_SIC,n-1, y, channels]``   (eq. 28, real and imaginary parts stacked)

    and outputs ``x^_n = Odd(v) + i Even(v)`` (eq. 26); then the user's re-spread estimate is
    cancelled, ``y_SIC,n = y_SIC,n-1 - diag(h_n) s_n x^_n`` (``y_SIC,0 = y``). Users are
    detected in the fixed order ``1..N``.

    Parameters
    ----------
    n_users, length : int
        ``N`` and ``H``.
    hidden : sequence of int
        Hidden widths of every mini-net (paper: :data:`PAPER_SICNN_HIDDEN`).
    channel_input : {"effective", "raw"}
        ``g_n = diag(h_n) s_n`` (default, ours) or ``h_n`` (eq. 28 as printed) as the channel
        part of the input.
    features : {"paper", "mmse"}
        ``"paper"``: exactly eq. (28). ``"mmse"`` (ours): additionally, for every user ``m``,
        the LMMSE estimate ``p_m g_m^H R^{-1} y_SIC,n-1`` of ``x_m`` and its reliability
        ``p_m g_m^H R^{-1} g_m`` in ``[0, 1)``, with ``R`` the covariance under the activation
        prior of the users not yet detected (the statistics MMSE-SIC uses); needs ``p`` and
        ``noise_var``. Both are bounded, whatever the channel.
    generator : torch.Generator, optional
        Source of the Xavier initialisation.

    Notes
    -----
    forward(y (B, H), h (B, H, N), s (H, N), p (N,) = None, noise_var (B,) = None)
    -> x_hat (B, N) complex

    Input width per mini-net: ``4H + 2NH`` (Table II; 64 for N=6, H=4), plus ``3N`` with
    ``features="mmse"``. With the paper's widths each mini-net has 337 410 parameters, the
    whole decoder 2 024 460 for N=6, H=4 (footnote 1 states 1 399 296; its own product
    evaluates to 1 783 296 — see ``docs/gfnoma_appendix.md``, decision 11).
    """

    def __init__(
        self,
        n_users: int,
        length: int,
        hidden: Sequence[int] = PAPER_SICNN_HIDDEN,
        *,
        channel_input: str = "effective",
        features: str = "paper",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__(n_users, length, hidden, channel_input)
        if features not in DECODER_FEATURES:
            raise ValueError(
                f"features must be one of {', '.join(DECODER_FEATURES)}, got {features!r}"
            )
        self.features = features
        n, hh = self.n_users, self.length
        self.input_size = 4 * hh + 2 * n * hh + (3 * n if features == "mmse" else 0)
        self.mods = nn.ModuleList(
            [_mlp((self.input_size, *self.hidden, 2), generator) for _ in range(n)]
        )

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: torch.Tensor | None = None,
        noise_var: torch.Tensor | None = None,
    ) -> torch.Tensor:
        y, h, g = self._check(y, h, s)
        b = y.shape[0]
        chan = _as_real(g if self.channel_input == "effective" else h)
        y_real = _as_real(y)
        mmse = self.features == "mmse"
        if mmse:
            if p is None or noise_var is None:
                raise ValueError("p and noise_var are required with features='mmse'")
            prior = torch.as_tensor(p, dtype=torch.float32).reshape(self.n_users).clone()
            nv = torch.as_tensor(noise_var, dtype=torch.float32).expand(b)
            eye = torch.eye(self.length, dtype=g.dtype)
            noise = nv.to(g.dtype)[:, None, None] * eye
        residual = y
        out = []
        for n, mod in enumerate(self.mods):
            parts = [_as_real(residual), y_real, chan]
            if mmse:
                parts += list(_lmmse_features(g, residual, prior, noise))
                prior = prior.clone()  # (the old tensor stays in the autograd graph)
                prior[n] = 0.0  # user n is removed from the prior covariance from now on
            v = mod(torch.cat(parts, dim=1))
            x_n = torch.complex(v[:, 0], v[:, 1])
            out.append(x_n)
            residual = residual - g[:, :, n] * x_n.unsqueeze(1)
        return torch.stack(out, dim=1)


def _lmmse_features(
    g: torch.Tensor, r: torch.Tensor, prior: torch.Tensor, noise: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """LMMSE estimates of every user and their reliabilities (``features="mmse"``).

    ``R = sum_m p_m g_m g_m^H + sigma^2 I`` over the users still in the prior; the LMMSE
    estimate of ``x_m`` (prior energy ``p_m``) is ``p_m g_m^H R^{-1} r`` and its error
    ``p_m (1 - rho_m)`` with ``rho_m = p_m g_m^H R^{-1} g_m`` in ``[0, 1)``. Unlike the
    unbiased estimate ``g_m^H R^{-1} r / beta_m``, both stay bounded when a user's effective
    channel vanishes (the unbiased form made training diverge).
    """
    cov = (g * prior.to(g.dtype)) @ g.mH + noise
    x = torch.linalg.solve(cov, g)  # R^{-1} G, (B, H, N)
    beta = (g.conj() * x).sum(dim=1).real
    est = prior * (x.conj() * r.unsqueeze(-1)).sum(dim=1)
    return _as_real(est), prior * beta


class FCNN(_Decoder):
    """Fully connected decoder: one MLP from ``[y, channels]`` to all ``N`` symbols.

    The baseline of the paper's Fig. 11 / Table IV. Input ``2H + 2NH`` reals (the paper
    counts 28 complex inputs for N=6, H=4), output ``2N`` reals, ``x^_n = v_{2n-1} + i
    v_{2n}``.

    Parameters
    ----------
    n_users, length : int
        ``N`` and ``H``.
    hidden : sequence of int
        Hidden widths (paper: :data:`PAPER_FCNN_HIDDEN`, 1 404 160 weights without biases
        for its 28 -> 12 sizes as printed).
    channel_input : {"effective", "raw"}
        As for :class:`SICNN`.
    generator : torch.Generator, optional
        Source of the Xavier initialisation.

    Notes
    -----
    forward(y (B, H), h (B, H, N), s (H, N), p=None, noise_var=None) -> x_hat (B, N) complex
    """

    def __init__(
        self,
        n_users: int,
        length: int,
        hidden: Sequence[int] = PAPER_FCNN_HIDDEN,
        *,
        channel_input: str = "effective",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__(n_users, length, hidden, channel_input)
        self.features = "paper"
        n, hh = self.n_users, self.length
        self.input_size = 2 * hh + 2 * n * hh
        self.net = _mlp((self.input_size, *self.hidden, 2 * n), generator)

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: torch.Tensor | None = None,
        noise_var: torch.Tensor | None = None,
    ) -> torch.Tensor:
        y, h, g = self._check(y, h, s)
        chan = _as_real(g if self.channel_input == "effective" else h)
        v = self.net(torch.cat([_as_real(y), chan], dim=1))
        return torch.view_as_complex(v.reshape(-1, self.n_users, 2).contiguous())


class PosteriorMeanDecoder(_Decoder):
    """The exact posterior mean ``E[x | y, G]`` as a decoder without parameters (ours).

    Training the QNN encoder against this decoder (``TrainConfig(decoder="posterior-mean")``)
    minimises eq. (10) with the best possible decoder for every signature set, so the encoder
    is not held back by what a network has learnt so far (``docs/gfnoma_appendix.md``,
    decision 16). It enumerates ``5^(N-1)`` hypotheses per channel use
    (:func:`gfnoma.posterior_mean`), hence ``N <= 7``.

    Parameters
    ----------
    n_users, length : int
        ``N`` (at most ``POSTERIOR_MEAN_MAX_USERS = 7``) and ``H``.

    Notes
    -----
    forward(y (B, H), h (B, H, N), s (H, N), p (N,), noise_var (B,)) -> x_hat (B, N) complex

    Raises
    ------
    ValueError
        ``N > 7`` (on creation); in ``forward``, missing ``p`` / ``noise_var`` or inputs
        :func:`gfnoma.posterior_mean` refuses.
    """

    def __init__(self, n_users: int, length: int) -> None:
        super().__init__(n_users, length, None, "effective")
        self.features = "paper"
        if self.n_users > POSTERIOR_MEAN_MAX_USERS:
            raise ValueError(
                f"n_users: the posterior-mean decoder enumerates 5**(N-1) hypotheses per "
                f"channel use; N={self.n_users} exceeds {POSTERIOR_MEAN_MAX_USERS}"
            )

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: torch.Tensor | None = None,
        noise_var: torch.Tensor | None = None,
    ) -> torch.Tensor:
        y, h, g = self._check(y, h, s)
        if p is None or noise_var is None:
            raise ValueError("p and noise_var are required by the posterior-mean decoder")
        return posterior_mean(g, y, p, noise_var)

    def extra_repr(self) -> str:
        return f"n_users={self.n_users}, length={self.length}"
