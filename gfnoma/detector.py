"""Neural multi-user detectors that start from soft MMSE-SIC (ours, beyond the paper).

:class:`SoftSICNN` keeps the structure of the paper's SICNN (Fig. 4, eq. 26-28): ``N``
cascaded modules, each detecting one user and cancelling its estimate from the received
signal. What changes is the recipe (``docs/gfnoma_receivers.md``):

* **Inputs.** Stage ``k`` gets the analytic statistics soft MMSE-SIC would use — the unbiased
  LMMSE estimate ``z_m = g_m^H R^{-1} r / beta_m`` of every user and its error variance
  ``v_m = (1 - p_m beta_m) / beta_m`` (``beta_m = g_m^H R^{-1} g_m``), the leakage
  ``g_k^H R^{-1} g_m / beta_k`` of every user ``m`` into the detected user's estimate — next to
  the residual ``r`` and the effective channel ``g_k = diag(h_k) s_k`` (eq. 28's inputs).
* **Outputs.** Three logits per user: two bit log-likelihood ratios and an activity logit,
  trained with binary cross-entropy (bits of active users only; activity of every user).
* **Residual structure.** Each stage's MLP outputs six numbers ``[d, c]``; the logits are
  ``l0 * exp(c) + d`` with ``l0`` the analytic logits of the Gaussian approximation
  (:func:`analytic_logits`): ``c`` recalibrates their confidence per channel use (they are
  overconfident at high SNR; a positive factor changes no decision), ``d`` corrects them.
  The last layer starts at zero, so an untrained network *is* soft MMSE-SIC, and training
  moves away from it only where the loss improves.
* **Soft cancellation.** The posterior mean of the detected user is cancelled and its
  posterior variance replaces its prior energy in the covariance ``R``
  (``posterior_moments``, of the stage's logits times a learned sharpness ``tau``
  that starts at :data:`INITIAL_SHARPNESS`), so later stages see how sure earlier ones
  were. Cross-entropy training makes the logits less confident and so the cancellation
  softer than is best for decisions; after training, :func:`tune_sharpness` rescales each
  sweep's ``tau`` for the lowest validation BER (``DetectorConfig.tune_sharpness``).

The detection order is MMSE-SIC's: at every stage the remaining user with the largest
conditional SINR ``gamma_m = beta_m / (1 - p_m beta_m)`` (so module ``k`` is the ``k``-th
stage, told which user it detects by a one-hot input). ``structure="fc"`` gives the fully
connected counterpart (one MLP for all users on top of the parallel, non-SIC LMMSE
statistics), for the comparison of the paper's Fig. 11 under the same recipe.

Decision rule (a MAP activity decision, like MMSE-SIC's): a user is declared active when
its activity logit is positive, and then gets the QPSK point given by the signs of its bit
logits. Errors are counted as for every receiver (:func:`gfnoma.count_errors`: a miss costs
both bits, a false alarm none and is reported as a rate).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gfnoma._validation import check_int, check_real
from gfnoma.channel import GrantFreeChannel
from gfnoma.models import QNNEncoder, count_parameters
from gfnoma.neural import atomic_save
from gfnoma.receivers import Detection, Receiver, check_trained_signatures, check_trained_size
from gfnoma.signatures import Signatures

__all__ = [
    "DetectorConfig",
    "DetectorReceiver",
    "SoftSICNN",
    "analytic_logits",
    "load_detector",
    "posterior_moments",
    "save_detector",
    "train_detector",
    "train_detector_jointly",
    "tune_sharpness",
]

_SQRT2 = math.sqrt(2.0)
_SQRT1_2 = 1.0 / _SQRT2
_STRUCTURES = ("sic", "fc")
_FEATURES = ("full", "raw")
_CANCELLATION = ("soft", "teacher")
_FORMAT = "gfnoma-detector"
#: Initial sharpness ``tau`` of the soft cancellation: a stage cancels the posterior moments
#: of ``tau`` times its logits. ``tau = 1`` (the exact posterior under the Gaussian model)
#: measured worse than hard MMSE-SIC on WBE (BER 0.105 against 0.085 at 15 dB); ``tau = 3``
#: is as good as it (0.085), ``tau = 10`` no better (``docs/gfnoma_receivers.md``).
INITIAL_SHARPNESS = 3.0
#: Factors :func:`tune_sharpness` tries on each sweep's sharpness: ``2^(k/2)``, ``k = -2..8``.
SHARPNESS_GRID: tuple[float, ...] = tuple(2.0 ** (k / 2) for k in range(-2, 9))
#: Base seed of the validation channel uses of :func:`tune_sharpness` during training
#: (plus the training seed); far from the small seeds the benchmarks score with.
TUNE_SEED = 7_000_000
#: Default validation SNRs (dB) and channel uses per SNR of :func:`tune_sharpness`.
TUNE_SNR_DB: tuple[float, ...] = (10.0, 15.0, 20.0)
TUNE_SAMPLES = 40_000
_VERSION = 1


def analytic_logits(z: torch.Tensor, v: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """Bit and activity logits of ``x`` in ``{0} U QPSK`` from ``z = x + e``, ``e ~ CN(0, v)``.

    With the Gray map of :func:`gfnoma.qpsk_map` (``x = ((1 - 2 b0) + i (1 - 2 b1)) / sqrt 2``)
    and the prior ``P(x = 0) = 1 - p``, ``P(x = c) = p / 4``:

    * bit LLRs given active, ``log P(b = 0) / P(b = 1) = 2 sqrt(2) Re z / v`` (and ``Im z``);
    * activity logit ``log P(active | z) / P(silent | z) = log(p / (1 - p)) - 1 / v +
      log cosh(sqrt(2) Re z / v) + log cosh(sqrt(2) Im z / v)`` (the sum over the four QPSK
      points of the Gaussian likelihood, against the silent hypothesis).

    Parameters
    ----------
    z : complex tensor
        Unbiased estimates.
    v : real tensor
        Error variances (broadcastable to ``z``), positive.
    p : real tensor
        Activation probabilities (broadcastable), in (0, 1).

    Returns
    -------
    torch.Tensor
        Real, shape ``z.shape + (3,)``: ``[llr_b0, llr_b1, activity]``.
    """
    a = _SQRT2 * z.real / v
    b = _SQRT2 * z.imag / v
    act = torch.log(p) - torch.log1p(-p) - 1.0 / v + _logcosh(a) + _logcosh(b)
    return torch.stack([2.0 * a, 2.0 * b, act], dim=-1)


def _logcosh(x: torch.Tensor) -> torch.Tensor:
    ax = x.abs()
    return ax + F.softplus(-2.0 * ax) - math.log(2.0)


def posterior_moments(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Posterior mean and variance of ``x`` from ``[llr_b0, llr_b1, activity]`` logits.

    ``E[x] = P(active) (tanh(l0 / 2) + i tanh(l1 / 2)) / sqrt 2`` and
    ``Var[x] = P(active) - |E[x]|^2`` (``|x|^2 = 1`` when active).

    Returns
    -------
    (mean complex (...), variance real (...))
    """
    pa = torch.sigmoid(logits[..., 2])
    mr = torch.tanh(0.5 * logits[..., 0]) * _SQRT1_2
    mi = torch.tanh(0.5 * logits[..., 1]) * _SQRT1_2
    mean = torch.complex(pa * mr, pa * mi)
    var = (pa - pa.square() * (mr.square() + mi.square())).clamp_min(0.0)
    return mean, var


def _mlp(
    sizes: Sequence[int], generator: torch.Generator | None, zero_last: bool
) -> nn.Sequential:
    """ReLU MLP with Xavier-uniform weights and zero biases; ``zero_last`` zeroes the
    last layer's weights too, so the MLP starts as the zero function (residual use)."""
    layers: list[nn.Module] = []
    for k in range(len(sizes) - 1):
        lin = nn.Linear(sizes[k], sizes[k + 1])
        nn.init.xavier_uniform_(lin.weight, generator=generator)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
        elif zero_last:
            nn.init.zeros_(lin.weight)
    return nn.Sequential(*layers)


def _combine(base: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Residual logits: ``base * exp(c) + d`` from the MLP output ``[d (3), c (3)]``.

    ``c`` rescales the analytic logits per channel use (confidence, no change of decision);
    ``d`` shifts them (changes decisions). Both start at zero.
    """
    return base * out[..., 3:].clamp(-6.0, 3.0).exp() + out[..., :3]


def _feat(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Bounded feature: ``scale * tanh(x / scale)`` (keeps large logits informative)."""
    return scale * torch.tanh(x / scale)


class SoftSICNN(nn.Module):
    """SICNN that starts as soft MMSE-SIC and learns a residual correction (ours).

    Parameters
    ----------
    n_users, length : int
        ``N`` and ``H``.
    hidden : sequence of int
        Hidden widths of every stage module (the paper's SICNN: ``(128, 256, 512, 256,
        128)``, :data:`gfnoma.PAPER_SICNN_HIDDEN`).
    structure : {"sic", "fc"}
        ``"sic"``: ``N`` cascaded stage modules (Fig. 4). ``"fc"``: one MLP for all users
        on the parallel LMMSE statistics (the FCNN counterpart, Fig. 11).
    features : {"full", "raw"}
        ``"full"``: the analytic statistics listed in the module docstring plus eq. (28)'s
        inputs. ``"raw"``: eq. (28)'s inputs only (residual, ``y``, all effective channels).
    residual : bool
        Add the MLP's output to the analytic logits (True, default) or use it alone.
    passes : int
        Sweeps of the cascade (``structure="sic"``): 1 is the paper's SICNN; with more,
        every user is detected again, in the first sweep's order, with the latest
        beliefs of all other users cancelled (an unrolled iterative soft interference
        canceller, ours), each stage with its own module.
    bounded : bool
        Bound the analytic inputs (True, default): logits through ``10 tanh(l / 10)``,
        estimates clipped to ``[-4, 4]``, log-variances to ``[-12, 12]``; False feeds them
        as they are (an ablation).
    generator : torch.Generator, optional
        Source of the initial weights.

    Notes
    -----
    forward(y (B, H), h (B, H, N), s (H, N), p (N,), noise_var (B,), symbols=None)
    -> logits (B, N, 3) real: ``[llr_b0, llr_b1, activity]`` per user.

    ``symbols`` (the true symbols) switches on teacher forcing: the cascade cancels them
    instead of its own estimates (a training option).
    """

    def __init__(
        self,
        n_users: int,
        length: int,
        hidden: Sequence[int] = (64, 64, 64),
        *,
        structure: str = "sic",
        features: str = "full",
        residual: bool = True,
        passes: int = 1,
        bounded: bool = True,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.bounded = bool(bounded)
        self.passes = check_int(passes, "passes", minimum=1)
        self.residual = bool(residual)
        self.n_users = check_int(n_users, "n_users", minimum=1)
        self.length = check_int(length, "length", minimum=1)
        if isinstance(hidden, int | str) or not isinstance(hidden, Sequence) or not hidden:
            raise TypeError(f"hidden must be a non-empty sequence of widths, got {hidden!r}")
        self.hidden = tuple(check_int(w, "hidden", minimum=1) for w in hidden)
        if structure not in _STRUCTURES:
            raise ValueError(
                f"structure must be one of {', '.join(_STRUCTURES)}, got {structure!r}"
            )
        if features not in _FEATURES:
            raise ValueError(f"features must be one of {', '.join(_FEATURES)}, got {features!r}")
        if structure == "fc" and self.passes != 1:
            raise ValueError(f"passes: the 'fc' structure has one pass, got {self.passes}")
        self.structure = structure
        self.features = features
        n, hh = self.n_users, self.length
        if structure == "sic":
            if features == "full":
                self.input_size = 7 + 4 * hh + 9 * n
            else:
                self.input_size = 4 * hh + 2 * n * hh + n
            self.mods = nn.ModuleList(
                [
                    _mlp(
                        (self.input_size, *self.hidden, 6 if self.residual else 3),
                        generator,
                        self.residual,
                    )
                    for _ in range(n * self.passes)
                ]
            )
            # log of the sharpness tau of each stage's cancellation (learned; starts at 3)
            self.log_sharpness = nn.Parameter(
                torch.full((n * self.passes,), math.log(INITIAL_SHARPNESS))
            )
        else:
            self.input_size = 2 * hh + 2 * n * hh + (7 * n if features == "full" else 0)
            self.mods = nn.ModuleList(
                [
                    _mlp(
                        (self.input_size, *self.hidden, (6 if self.residual else 3) * n),
                        generator,
                        self.residual,
                    )
                ]
            )

    def _soft(self, x: torch.Tensor, scale: float) -> torch.Tensor:
        return _feat(x, scale) if self.bounded else x

    def _clip(self, x: torch.Tensor, bound: float) -> torch.Tensor:
        return x.clamp(-bound, bound) if self.bounded else x

    # -- analytic statistics ---------------------------------------------------------------
    @staticmethod
    def _stats(
        g: torch.Tensor, r: torch.Tensor, var: torch.Tensor, p: torch.Tensor, nv: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``z``, ``v``, ``gamma`` and ``Q = G^H R^{-1} G`` for covariance weights ``var``.

        ``R = sum_m var_m g_m g_m^H + sigma^2 I``; ``z_m`` and ``v_m`` assume user ``m``'s
        own weight in ``R`` is its prior ``p_m`` (true for users not yet detected).
        """
        hh = g.shape[1]
        eye = torch.eye(hh, dtype=g.dtype)
        cov = (g * var.to(g.dtype).unsqueeze(1)) @ g.mH + nv.to(g.dtype)[:, None, None] * eye
        x = torch.linalg.solve(cov, g)  # R^{-1} G
        q = g.mH @ x  # (B, N, N)
        beta = torch.diagonal(q, dim1=1, dim2=2).real.clamp_min(1e-12)
        c = (x.conj() * r.unsqueeze(-1)).sum(dim=1)
        den = (1.0 - p * beta).clamp_min(1e-6)
        z = c / beta
        v = den / beta
        return z, v, beta / den, q

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: torch.Tensor,
        noise_var: torch.Tensor,
        symbols: torch.Tensor | None = None,
    ) -> torch.Tensor:
        n, hh = self.n_users, self.length
        if h.ndim != 3 or h.shape[1:] != (hh, n):
            raise ValueError(f"h must have shape (B, {hh}, {n}), got {tuple(h.shape)}")
        b = h.shape[0]
        if y.shape != (b, hh):
            raise ValueError(f"y must have shape ({b}, {hh}), got {tuple(y.shape)}")
        if s.shape != (hh, n):
            raise ValueError(f"s must have shape ({hh}, {n}), got {tuple(s.shape)}")
        ct = torch.complex64
        g = h.to(ct) * s.to(ct)
        y = y.to(ct)
        p = torch.as_tensor(p, dtype=torch.float32).reshape(n).clamp(1e-6, 1 - 1e-6)
        nv = torch.as_tensor(noise_var, dtype=torch.float32).expand(b)
        if self.structure == "fc":
            return self._forward_fc(y, g, p, nv)
        return self._forward_sic(y, g, p, nv, symbols)

    def _forward_fc(
        self, y: torch.Tensor, g: torch.Tensor, p: torch.Tensor, nv: torch.Tensor
    ) -> torch.Tensor:
        b, n = y.shape[0], self.n_users
        z, v, _, _ = self._stats(g, y, p.expand(b, n), p, nv)
        base = analytic_logits(z, v, p)  # (B, N, 3): soft LMMSE, no cancellation
        parts = [_real(y), _real(g.transpose(1, 2))]
        if self.features == "full":
            parts += [self._soft(base.reshape(b, -1), 10.0), self._clip(_real(z), 4.0),
                      self._clip(torch.log(v), 12.0), p.expand(b, n)]  # fmt: skip
        out = self.mods[0](torch.cat(parts, dim=1))
        if not self.residual:
            return out.reshape(b, n, 3)
        return _combine(base, out.reshape(b, n, 6))

    def _forward_sic(
        self,
        y: torch.Tensor,
        g: torch.Tensor,
        p: torch.Tensor,
        nv: torch.Tensor,
        symbols: torch.Tensor | None,
    ) -> torch.Tensor:
        """The cascade: every stage detects one user with all others' beliefs cancelled.

        The beliefs start at the prior (mean 0, variance ``p``); stage ``k`` cancels the
        posterior means of all other users from ``y`` and puts their posterior variances
        in ``R`` (its own user keeps ``p``), so in the first pass it is soft SIC. Later
        passes (``passes > 1``) revisit the users in the first pass's order.
        """
        b, n = y.shape[0], self.n_users
        var = p.expand(b, n).clone()
        mean = torch.zeros(b, n, dtype=g.dtype)
        logits = torch.zeros(b, n, 3)
        eye_n = torch.eye(n)
        rows = torch.arange(b)
        g_all = _real(g.transpose(1, 2)) if self.features == "raw" else None
        order: list[torch.Tensor] = []
        for stage, mod in enumerate(self.mods):
            first = stage < n
            if stage % n == 0:
                remaining = torch.ones(b, n, dtype=torch.bool)
            if first:
                k = None
            else:
                k = order[stage % n]
            # everything but user k cancelled (k's own mean is zero in pass 1)
            if k is None:
                residual = y - (g * mean.unsqueeze(1)).sum(dim=2)
                z, v, gamma, q = self._stats(g, residual, var, p, nv)
                k = torch.argmax(torch.where(remaining, gamma, -torch.inf), dim=1)
                order.append(k)
            else:
                mk = mean.index_put((rows, k), torch.zeros((), dtype=g.dtype))
                residual = y - (g * mk.unsqueeze(1)).sum(dim=2)
                var_k = var.index_put((rows, k), p[k])
                z, v, gamma, q = self._stats(g, residual, var_k, p, nv)
            zk, vk, pk = z[rows, k], v[rows, k], p[k]
            base = analytic_logits(zk, vk, pk)  # (B, 3)
            onehot = eye_n[k]
            gk = g[rows, :, k]
            if self.features == "full":
                beta_k = torch.diagonal(q, dim1=1, dim2=2).real[rows, k]
                leak = q[rows, k, :] / beta_k.unsqueeze(-1)  # (B, N) complex
                rem = remaining.float()
                parts = [
                    self._soft(base, 10.0), self._clip(_real(zk.unsqueeze(1)), 4.0),
                    self._clip(torch.log(vk), 12.0).unsqueeze(1), torch.logit(pk).unsqueeze(1),
                    _real(residual), _real(gk),
                    self._clip(_real(z * rem), 4.0), self._clip(torch.log(v), 12.0) * rem,
                    rem, _real(leak), _real(mean), onehot,
                ]  # fmt: skip
            else:
                parts = [_real(residual), _real(y), g_all, onehot]
            out = mod(torch.cat(parts, dim=1))
            lk = _combine(base, out) if self.residual else out
            logits = logits.index_put((rows, k), lk)
            if symbols is None:
                mean_k, var_k_post = posterior_moments(lk * self.log_sharpness[stage].exp())
            else:
                mean_k = symbols[rows, k].to(g.dtype)
                var_k_post = torch.zeros_like(vk)
            mean = mean.index_put((rows, k), mean_k)
            var = var.index_put((rows, k), var_k_post)
            remaining = remaining.index_put((rows, k), torch.zeros((), dtype=torch.bool))
        return logits

    def extra_repr(self) -> str:
        return (
            f"n_users={self.n_users}, length={self.length}, hidden={self.hidden}, "
            f"structure={self.structure!r}, features={self.features!r}, "
            f"residual={self.residual}, passes={self.passes}, parameters={count_parameters(self)}"
        )


def _real(z: torch.Tensor) -> torch.Tensor:
    """Complex (B, ...) -> real (B, 2 * prod(...)), Re and Im interleaved (eq. 25)."""
    return torch.view_as_real(z.contiguous()).reshape(z.shape[0], -1)


def decide(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Activity (logit > 0) and QPSK symbols (signs of the bit LLRs; 0 when inactive)."""
    act = logits[..., 2] > 0
    one = torch.ones((), dtype=logits.dtype)
    re = torch.where(logits[..., 0] >= 0, one, -one) * _SQRT1_2
    im = torch.where(logits[..., 1] >= 0, one, -one) * _SQRT1_2
    sym = torch.complex(re, im) * act
    return sym, act


class DetectorReceiver(Receiver):
    """A :class:`SoftSICNN` as a :class:`~gfnoma.Receiver` (usable in :func:`gfnoma.simulate_ber`).

    Parameters
    ----------
    detector : SoftSICNN
        The (trained) network; put in eval mode, parameters frozen.
    signatures : Signatures
        The set it was trained for (``receiver.signatures``); the chip magnitudes of the
        signatures it is called with must match (the detector sees ``g = diag(h) s`` only,
        whose distribution depends on nothing else) unless ``check_signatures=False``.
    name : str
        Name in tables (e.g. ``"sicnn-wbe-asy"``).
    check_signatures : bool
        Refuse other signature sets (default True).

    Notes
    -----
    Decision rule: active iff the activity logit is positive, then the QPSK point of the
    bit LLRs' signs; inactive users get symbol 0. Errors are then counted by
    :func:`gfnoma.count_errors` like any receiver's (a miss costs both bits).
    """

    def __init__(
        self,
        detector: SoftSICNN,
        signatures: Signatures,
        *,
        name: str = "soft-sicnn",
        check_signatures: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(detector, SoftSICNN):
            raise TypeError(f"detector must be a SoftSICNN, got {type(detector).__name__}")
        if not isinstance(signatures, Signatures):
            raise TypeError(
                f"signatures must be a Signatures object, got {type(signatures).__name__}"
            )
        if (signatures.n_users, signatures.length) != (detector.n_users, detector.length):
            raise ValueError(
                f"signatures: N={signatures.n_users}, H={signatures.length} do not match the "
                f"detector's N={detector.n_users}, H={detector.length}"
            )
        if not isinstance(name, str) or not name:
            raise TypeError("name must be a non-empty string")
        self.detector = detector.eval()
        for prm in self.detector.parameters():
            prm.requires_grad_(False)
        self.signatures = signatures
        self._name = name
        self.check_signatures = bool(check_signatures)
        #: The training recipe, when loaded from a file (:func:`load_detector`).
        self.config: DetectorConfig | None = None

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def label(self) -> str:  # type: ignore[override]
        return self._name

    def check_size(self, n_users: int, length: int) -> None:
        super().check_size(n_users, length)
        check_trained_size(self._name, self.detector, n_users, length)

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:
        h, y, s_unit, p_t, nv = self._prepare(y, h, s, p, noise_var, active)
        if self.check_signatures:  # it sees the effective channels h * s
            check_trained_signatures(self._name, self.signatures, s_unit, magnitudes=True)
        with torch.no_grad():
            logits = self.detector(y, h, s_unit, p_t.float(), nv.float())
        sym, act = decide(logits)
        return Detection(sym.to(h.dtype), act)


# -- training --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectorConfig:
    """Training recipe of :func:`train_detector` (every field is an ablation factor).

    Attributes
    ----------
    hidden : tuple of int
        Widths of each stage module.
    structure, features, residual, passes, bounded
        As for :class:`SoftSICNN`.
    loss : {"bce", "mse"}
        ``"bce"``: binary cross-entropy on the bits of active users plus on the activity of
        every user. ``"mse"``: the paper's eq. (10) on the symbols, ``|E[x] - x|^2`` with
        ``E[x]`` from ``posterior_moments``.
    snr_db : tuple of float
        ``(low, high)``: each channel use draws its SNR uniformly in dB; equal values train
        at one SNR.
    steps, batch_size : int
        Optimiser steps and channel uses per step.
    lr, lr_final : float
        Adam learning rate, annealed by a cosine to ``lr_final`` (``lr_final = lr``: constant).
    optimizer : {"adam", "sgd"}
        ``"sgd"``: SGD with momentum 0.9.
    teacher_forcing : bool
        Cancel the true symbols in the cascade during training.
    tune_sharpness : bool
        After training, tune the cancellation sharpness of each sweep on validation channel
        uses (:func:`tune_sharpness`; ``structure="sic"`` only).
    tune_snr_db : tuple of float
        The SNRs (dB) of that tuning.
    tune_samples : int
        Its validation channel uses per SNR.
    seed : int
        Seeds the initial weights and the training samples.
    threads : int
        ``torch.set_num_threads`` during training (results depend on it bit-for-bit).
    """

    hidden: tuple[int, ...] = (64, 64, 64)
    structure: str = "sic"
    features: str = "full"
    residual: bool = True
    passes: int = 1
    bounded: bool = True
    loss: str = "bce"
    snr_db: tuple[float, float] = (10.0, 25.0)
    steps: int = 3000
    batch_size: int = 512
    lr: float = 1e-3
    lr_final: float = 1e-5
    optimizer: str = "adam"
    teacher_forcing: bool = False
    tune_sharpness: bool = True
    tune_snr_db: tuple[float, ...] = TUNE_SNR_DB
    tune_samples: int = TUNE_SAMPLES
    seed: int = 0
    threads: int = 1

    def __post_init__(self) -> None:
        if self.loss not in ("bce", "mse"):
            raise ValueError(f"loss must be 'bce' or 'mse', got {self.loss!r}")
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {self.optimizer!r}")
        if len(self.snr_db) != 2 or self.snr_db[0] > self.snr_db[1]:
            raise ValueError(f"snr_db must be (low, high) with low <= high, got {self.snr_db}")
        check_int(self.steps, "steps", minimum=0)
        check_int(self.batch_size, "batch_size", minimum=1)
        check_real(self.lr, "lr", minimum=0.0, strict_minimum=True)
        check_real(self.lr_final, "lr_final", minimum=0.0)
        check_int(self.seed, "seed", minimum=0)
        check_int(self.threads, "threads", minimum=1)
        if not self.tune_snr_db:
            raise ValueError("tune_snr_db must hold at least one SNR")
        for v in self.tune_snr_db:
            check_real(v, "tune_snr_db")
        check_int(self.tune_samples, "tune_samples", minimum=1)

    def replace(self, **changes: Any) -> DetectorConfig:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DetectorConfig:
        d = dict(d)
        for key in ("hidden", "snr_db", "tune_snr_db"):
            if key in d:
                d[key] = tuple(d[key])
        # files written before the sharpness tuning existed were not tuned
        d.setdefault("tune_sharpness", False)
        return cls(**d)


def build_detector(sig: Signatures, cfg: DetectorConfig) -> SoftSICNN:
    """A fresh :class:`SoftSICNN` for ``sig``: ``cfg``'s architecture, seed ``cfg.seed``."""
    gen = torch.Generator().manual_seed(cfg.seed)
    return SoftSICNN(
        sig.n_users,
        sig.length,
        cfg.hidden,
        structure=cfg.structure,
        features=cfg.features,
        residual=cfg.residual,
        passes=cfg.passes,
        bounded=cfg.bounded,
        generator=gen,
    )


def detector_loss(
    logits: torch.Tensor,
    bits: torch.Tensor,
    active: torch.Tensor,
    symbols: torch.Tensor,
    kind: str,
) -> torch.Tensor:
    """Training loss per channel use (mean over the batch; summed over users)."""
    act = active.float()
    if kind == "mse":
        mean, _ = posterior_moments(logits)
        return (mean - symbols.to(mean.dtype)).abs().square().sum(dim=1).mean()
    target_bits = 1.0 - bits.float()  # LLR > 0 means bit 0
    bce_bits = F.binary_cross_entropy_with_logits(
        logits[..., :2], target_bits, reduction="none"
    ).sum(dim=-1)
    bce_act = F.binary_cross_entropy_with_logits(logits[..., 2], act, reduction="none")
    return ((bce_bits * act).sum(dim=1) + bce_act.sum(dim=1)).mean()


def train_detector(
    signatures: Signatures,
    config: DetectorConfig | None = None,
    *,
    max_seconds: float | None = None,
    log_every: int = 0,
) -> tuple[SoftSICNN, list[dict[str, float]]]:
    """Train a :class:`SoftSICNN` for a fixed signature set.

    Deterministic: the initial weights and every training batch come from generators
    seeded by ``config.seed``, and ``config.threads`` threads are used, so the same call on
    the same machine and torch version gives the same weights bit for bit.

    Parameters
    ----------
    signatures : Signatures
        The set (with its activation profile) the detector is trained for.
    config : DetectorConfig, optional
        The recipe (default :class:`DetectorConfig()`).
    max_seconds : float, optional
        Stop after this wall time (then the result is not reproducible bit for bit).
    log_every : int
        Record the mean loss every so many steps (0: only at the end).

    Returns
    -------
    (detector, history)
        The trained network (eval mode) and ``[{"step", "loss", "seconds"}, ...]``.
    """
    cfg = _checked(signatures, config)
    with _threads(cfg.threads):
        net, history = _train(signatures, cfg, max_seconds, log_every)
        _tune_after_training(net, signatures, cfg)
    return net, history


def _checked(signatures: Any, config: Any) -> DetectorConfig:
    """The config of a training call (default :class:`DetectorConfig()`), types checked."""
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a Signatures object, got {type(signatures).__name__}")
    cfg = DetectorConfig() if config is None else config
    if not isinstance(cfg, DetectorConfig):
        raise TypeError(f"config must be a DetectorConfig, got {type(cfg).__name__}")
    return cfg


@contextlib.contextmanager
def _threads(n: int):
    """``torch.set_num_threads(n)`` for the duration, then the previous count again."""
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def train_detector_jointly(
    signatures: Signatures,
    config: DetectorConfig | None = None,
    *,
    max_seconds: float | None = None,
    log_every: int = 0,
) -> tuple[SoftSICNN, Signatures, list[dict[str, float]]]:
    """Train a :class:`SoftSICNN` and the signature set together (the paper's joint QNN
    training, Section III, with this detector as the decoder).

    The set is the output of a :class:`~gfnoma.QNNEncoder` with the alphabet of
    ``signatures`` (eq. 14-25: quantized weights, straight-through gradients, unit-norm
    signatures) that starts from ``signatures`` itself; every step updates the encoder's
    full-precision weights and the detector with one Adam optimiser on the detector
    loss. Because the detector computes its analytic statistics from the current
    signatures, it follows the set as it changes. Deterministic as
    :func:`train_detector`.

    Parameters
    ----------
    signatures : Signatures
        The starting set, finite-alphabet (for example ``pretrained_signatures("n6h4-asy")``);
        its activation profile is the one trained for.
    config, max_seconds, log_every
        As for :func:`train_detector`.

    Returns
    -------
    (detector, learnt, history)
        The trained network (eval mode), the learnt finite-alphabet set (named
        ``"<name>+joint"``) and the loss history.

    Raises
    ------
    ValueError
        ``signatures`` is not a finite-alphabet set.
    """
    cfg = _checked(signatures, config)
    if not signatures.is_finite_alphabet:
        raise ValueError(
            "signatures must be a finite-alphabet set (the encoder keeps its alphabet "
            f"{{-q..q}}); {signatures.name!r} is continuous"
        )
    with _threads(cfg.threads):
        encoder = QNNEncoder(
            signatures.n_users, signatures.length, q=signatures.q, init=signatures
        )
        net, history = _train(signatures, cfg, max_seconds, log_every, encoder)
        learnt = encoder.export(signatures.activation, name=f"{signatures.name}+joint")
        _tune_after_training(net, learnt, cfg)
    return net, learnt, history


def _train(
    sig: Signatures,
    cfg: DetectorConfig,
    max_seconds: float | None,
    log_every: int,
    encoder: QNNEncoder | None = None,
) -> tuple[SoftSICNN, list[dict[str, float]]]:
    net = build_detector(sig, cfg)
    channel = GrantFreeChannel(sig.activation, sig.length, seed=cfg.seed + 1)
    snr_gen = torch.Generator().manual_seed(cfg.seed + 2)
    s = sig.tensor(torch.complex64)
    p = sig.activation_tensor(torch.float32)
    params = list(net.parameters())
    if encoder is not None:
        params += list(encoder.parameters())
        encoder.train()
    if cfg.optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(params, lr=cfg.lr)
    else:
        opt = torch.optim.SGD(params, lr=cfg.lr, momentum=0.9)
    lo, hi = cfg.snr_db
    history: list[dict[str, float]] = []
    t0 = time.perf_counter()
    running, count = 0.0, 0
    net.train()
    for step in range(cfg.steps):
        frac = step / max(1, cfg.steps)
        lr = cfg.lr_final + 0.5 * (cfg.lr - cfg.lr_final) * (1.0 + math.cos(math.pi * frac))
        for group in opt.param_groups:
            group["lr"] = lr
        bits, active, symbols = channel.sample_source(cfg.batch_size)
        snr = lo + (hi - lo) * torch.rand(cfg.batch_size, generator=snr_gen)
        if encoder is not None:
            s = encoder.signatures().to(torch.complex64)
        z = s.unsqueeze(0) * symbols.unsqueeze(1)
        y, h, nv = channel.propagate(z, snr)
        logits = net(y, h, s, p, nv, symbols if cfg.teacher_forcing else None)
        loss = detector_loss(logits, bits, active, symbols, cfg.loss)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        running += float(loss.detach())
        count += 1
        done = step + 1 == cfg.steps
        out_of_time = max_seconds is not None and time.perf_counter() - t0 > max_seconds
        if (log_every and (step + 1) % log_every == 0) or done or out_of_time:
            history.append(
                {"step": step + 1, "loss": running / count, "seconds": time.perf_counter() - t0}
            )
            running, count = 0.0, 0
        if out_of_time:
            break
    return net.eval(), history


def _tune_after_training(net: SoftSICNN, signatures: Signatures, cfg: DetectorConfig) -> None:
    if cfg.tune_sharpness and net.structure == "sic":
        tune_sharpness(
            net, signatures, cfg.tune_snr_db, samples=cfg.tune_samples, seed=TUNE_SEED + cfg.seed
        )


def tune_sharpness(
    detector: SoftSICNN,
    signatures: Signatures,
    snr_db: Sequence[float] = TUNE_SNR_DB,
    *,
    samples: int = TUNE_SAMPLES,
    seed: int = TUNE_SEED,
    grid: Sequence[float] = SHARPNESS_GRID,
) -> list[float]:
    """Tune the cancellation sharpness of each sweep for the lowest BER (ours; in place).

    Binary cross-entropy training drives the learned sharpness ``tau`` of the soft
    cancellation down (it makes a stage's logits, and so what it cancels, less confident),
    which costs decisions. After training, each sweep's ``tau`` (all its stages together)
    is multiplied by the factor from ``grid`` that minimises the mean over ``snr_db`` of
    ``log BER``, the BER counted by the rule of :func:`gfnoma.count_errors` on ``samples``
    validation channel uses per SNR drawn with ``seed``. Sweeps are tuned one at a time,
    twice over when there are several. The factor only sharpens or softens what is
    cancelled; the activity decision stays the sign of the activity logit.

    Parameters
    ----------
    detector : SoftSICNN
        A cascade (``structure="sic"``); its ``log_sharpness`` is changed in place.
    signatures : Signatures
        The set (with its activation profile) the detector is tuned for.
    snr_db : sequence of float
        Validation SNRs (``Es/N0`` per user, dB).
    samples : int
        Channel uses per SNR.
    seed : int
        ``simulate_ber`` seed of the validation channel uses (keep it apart from the seeds
        a detector is scored with).
    grid : sequence of float
        Positive factors to try; 1 (no change) is always kept when nothing beats it.

    Returns
    -------
    list of float
        The factor chosen for each sweep.
    """
    from gfnoma.simulate import simulate_ber  # simulate imports the receivers

    if not isinstance(detector, SoftSICNN):
        raise TypeError(f"detector must be a SoftSICNN, got {type(detector).__name__}")
    if detector.structure != "sic":
        raise ValueError("detector: only a cascade (structure='sic') has a cancellation")
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a Signatures object, got {type(signatures).__name__}")
    snrs = [check_real(v, "snr_db") for v in np.atleast_1d(np.asarray(snr_db, dtype=object))]
    if not snrs:
        raise ValueError("snr_db must hold at least one SNR")
    check_int(samples, "samples", minimum=1)
    check_int(seed, "seed", minimum=0)
    factors_grid = [check_real(f, "grid", minimum=0.0, strict_minimum=True) for f in grid]
    if not factors_grid:
        raise ValueError("grid must hold at least one factor")
    flags = [q.requires_grad for q in detector.parameters()]
    was_training = detector.training
    base = detector.log_sharpness.detach().clone()
    n, passes = detector.n_users, detector.passes
    factors = [1.0] * passes

    def apply(trial: list[float]) -> None:
        logs = torch.tensor([math.log(trial[i // n]) for i in range(n * passes)])
        with torch.no_grad():
            detector.log_sharpness.copy_(base + logs)

    def score(trial: list[float]) -> float:
        apply(trial)
        rx = DetectorReceiver(detector, signatures, name="tuning", check_signatures=False)
        tab = simulate_ber(
            signatures, rx, snrs, target_errors=10**18, max_samples=samples,
            batch_size=min(samples, 5000), seed=seed, progress=False,
        ).table  # fmt: skip
        # log BER, with half an error where there are none
        ber = (tab["bit_errors"].to_numpy() + 0.5) / (tab["bits"].to_numpy() + 1.0)
        return float(np.mean(np.log(ber)))

    try:
        best = score(factors)
        for _ in range(2 if passes > 1 else 1):
            for sweep in range(passes):
                for f in factors_grid:
                    if f == factors[sweep]:
                        continue
                    trial = [*factors[:sweep], f, *factors[sweep + 1 :]]
                    value = score(trial)
                    if value < best:
                        best, factors = value, trial
        apply(factors)
    except BaseException:  # an interrupted tuning leaves the detector as it was
        apply([1.0] * passes)
        raise
    finally:
        for q, flag in zip(detector.parameters(), flags, strict=True):
            q.requires_grad_(flag)
        detector.train(was_training)
    return factors


# -- files -----------------------------------------------------------------------------------


def save_detector(
    path: str | os.PathLike[str],
    detector: SoftSICNN,
    signatures: Signatures,
    config: DetectorConfig,
    *,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write a detector file (recipe, weights, signatures) atomically."""
    path = Path(path)
    payload = {
        "format": _FORMAT,
        "version": _VERSION,
        "config": config.to_dict(),
        "state_dict": {k: v.detach().clone() for k, v in detector.state_dict().items()},
        "signatures": signatures.to_dict(),
        "extra": dict(extra or {}),
    }
    atomic_save(payload, path)
    return path


def load_detector(
    path: str | os.PathLike[str] | Any, *, name: str | None = None
) -> DetectorReceiver:
    """Read a file written by :func:`save_detector` as a :class:`DetectorReceiver`.

    ``path`` may also be a readable binary file object. Files are read with
    ``torch.load(weights_only=True)``.

    Raises
    ------
    ValueError
        Not a readable detector file.
    """
    label = str(path) if isinstance(path, str | os.PathLike) else "detector file"
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for damaged files
        raise ValueError(f"path: {label} is not a readable detector file ({exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(f"path: {label} is not a gfnoma detector file")
    if payload.get("version") != _VERSION:
        raise ValueError(f"path: {label} has unsupported version {payload.get('version')!r}")
    cfg = DetectorConfig.from_dict(payload["config"])
    sig = Signatures.from_dict(payload["signatures"])
    net = build_detector(sig, cfg)
    net.load_state_dict(payload["state_dict"])
    rx = DetectorReceiver(
        net, sig, name=name or payload.get("extra", {}).get("name", "soft-sicnn")
    )
    rx.config = cfg
    return rx
