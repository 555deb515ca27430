"""Link-level check of the coupling model: simulated post-detection SINR per user.

The coupling model of :mod:`gfnoma.interference` predicts that user ``j`` on a resource
with received SNRs ``q`` (one entry per user of the signature set, zero for users not on
the resource) reaches

    SINR_j = q_j / (1 + sum_i C[j, i] q_i)                                   (model)

This module simulates the gfnoma link of one resource instead — the users on it transmit
QPSK with their signatures at the received SNRs ``q`` (Bernoulli activation with the
set's profile, per-chip Rayleigh fading or a flat block channel, unit-variance AWGN) —
and measures what the receivers actually get.

Per channel use ``t`` on which user ``j`` is active, a linear detector output
``u = w^H y'`` (``y'`` the received vector at the stage ``j`` is detected) splits into the
signal ``(w^H g_j) x_j`` and the rest; its conditional SINR is

    SINR_t = |w^H g_j|**2 / (I_t + ||w||**2),

``I_t`` the power of the other users' signals in ``u`` given this use's fading,
averaged over their symbols and their activity (``p_i``: the receiver knows the
channels, not who is active — the model's activation-weighted average), plus the
realised power of the residuals of users already cancelled by SIC
(``|w^H g_i|**2 |x_i - xhat_i|**2``: wrong decisions, misses and false alarms included).

* MF (:class:`gfnoma.MatchedFilter`): ``w = g_j``, the despread output.
* MMSE-SIC (:class:`gfnoma.MMSESIC`): the same stages as the receiver — prior covariance
  ``R = sum_m p_m g_m g_m^H + I`` over the users not yet detected, the user with the
  largest conditional SINR first, ``w = R^{-1} g_j``, MAP slicing with
  :func:`gfnoma.map_slice`, cancellation of the users declared active. The receiver
  does not expose its filters, so the stages are recomputed here; the fraction of
  decisions equal to :class:`gfnoma.MMSESIC`'s is reported (``agreement``).

Four averages of ``SINR_t`` over fading (and SIC decisions) are returned:

``avg``
    ``E[S'] / E[S' / SINR_t]`` with ``S' = ||g_j||**4``: the ratio of the mean signal to
    the mean interference-plus-noise power when the output is scaled to the MF's signal
    gain ``||g_j||**2``. For the MF this is exactly the quantity the coupling models were
    derived for (``E|g_j^H g_j|**2`` against ``E|g_j^H g_i|**2`` and the noise).
``mse``
    ``1 / E[1 / (1 + SINR_t)] - 1``: from the mean MSE of the per-use linear MMSE
    estimate of ``x_j`` from ``u`` (``MSE_t = 1 / (1 + SINR_t)``).
``rate``
    ``2**E[log2(1 + SINR_t)] - 1``: the SINR whose ``log2(1 + .)`` is the ergodic rate with
    Gaussian-treated residual interference (Gaussian codebooks, a decoder that knows the
    channels and treats the residual as noise of that power) — the quantity the
    allocator's rates stand for.
``rate_genie``
    The same with the others' *realised* activity in ``I_t`` (a receiver told who is
    active): the gap to ``rate`` is what averaging over activity costs.

``avg_empirical`` is ``avg`` with the realised residual ``|u - (w^H g_j) x_j|**2`` of the
simulated received vector in place of its conditional mean (a check of the
decomposition). Monte-Carlo errors are batch-means standard errors in dB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch

from gfnoma._validation import check_int, check_real
from gfnoma.channel import GrantFreeChannel
from gfnoma.interference import FADING_MODELS, interference_model
from gfnoma.receivers import MMSESIC, map_slice
from gfnoma.signatures import Signatures

__all__ = [
    "LINK_RECEIVERS",
    "SINR_DEFINITIONS",
    "SINREstimate",
    "link_check",
    "predicted_sinr",
    "simulate_sinr",
]

#: Receivers the link check instruments.
LINK_RECEIVERS = ("mf", "mmse-sic")
#: SINR averages returned by :func:`simulate_sinr` (see the module notes).
SINR_DEFINITIONS = ("avg", "mse", "rate", "rate_genie", "avg_empirical")

_DTYPE = torch.complex128


def predicted_sinr(q: np.ndarray, coupling: np.ndarray) -> np.ndarray:
    """The coupling model's SINR, ``q_j / (1 + sum_i C[j, i] q_i)``, per resource.

    Parameters
    ----------
    q : array_like, shape (..., J)
        Received SNRs (linear), e.g. ``F * P * gamma`` of an allocation, shape (K, J).
    coupling : array_like, shape (J, J)
        ``C``, e.g. ``interference_model(signatures, fading).coupling``.

    Returns
    -------
    ndarray, same shape as ``q``
        ``sum(log2(1 + sinr), axis=-2)`` is :func:`scma_alloc.user_rates` with the same
        coupling.

    Examples
    --------
    >>> import numpy as np
    >>> predicted_sinr(np.array([[1.0, 2.0]]), np.array([[0.0, 0.5], [0.25, 0.0]]))
    array([[0.5, 1.6]])
    """
    q = np.asarray(q, dtype=float)
    c = np.asarray(coupling, dtype=float)
    if q.ndim < 1 or c.shape != (q.shape[-1], q.shape[-1]):
        raise ValueError(
            f"coupling must have shape (J, J) with J = q.shape[-1]; got q {q.shape}, "
            f"coupling {c.shape}"
        )
    if not np.all(np.isfinite(q)) or np.any(q < 0):
        raise ValueError("q must be finite and non-negative")
    return q / (1.0 + q @ c.T)


@dataclass(frozen=True)
class SINREstimate:
    """Simulated SINR of the users transmitting on one resource.

    Attributes
    ----------
    users : ndarray of int, shape (U,)
        Indices (into the signature set) of the users with ``q > 0``.
    q : ndarray, shape (U,)
        Their received SNRs.
    sinr : dict of str to ndarray (U,)
        Linear SINR per definition of :data:`SINR_DEFINITIONS`.
    stderr_db : dict of str to ndarray (U,)
        Batch-means standard error of each estimate, in dB.
    n_active : ndarray of int, shape (U,)
        Channel uses on which the user was active (the samples behind its estimates).
    agreement : float
        MMSE-SIC: fraction of (use, user) decisions equal to :class:`gfnoma.MMSESIC`'s;
        NaN for the MF.
    """

    users: np.ndarray
    q: np.ndarray
    sinr: dict[str, np.ndarray]
    stderr_db: dict[str, np.ndarray]
    n_active: np.ndarray
    agreement: float


def _check_q(q: object, n_users: int) -> np.ndarray:
    try:
        q = np.array(q, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"q must be an array of real numbers: {exc}") from None
    if q.shape != (n_users,):
        raise ValueError(
            f"q must have one entry per user of the signature set, shape ({n_users},)"
        )
    if not np.all(np.isfinite(q)) or np.any(q < 0):
        raise ValueError("q must be finite and non-negative")
    if not np.any(q > 0):
        raise ValueError("q: no user transmits (every entry is zero)")
    return q


def _draw(
    channel: GrantFreeChannel, s: torch.Tensor, amp: torch.Tensor, batch: int, fading: str
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One batch: ``(y, effective channel h * sqrt(q), symbols, activity)``."""
    _, active, symbols = channel.sample_source(batch)
    z = channel.spreading(symbols * amp, s)  # (B, H, U)
    if fading == "per-chip":
        y, h, _ = channel.propagate(z, 0.0)  # noise variance 1
    else:
        phase = torch.rand(batch, 1, s.shape[1], generator=channel.generator, dtype=torch.float64)
        h = torch.polar(torch.ones_like(phase), 2.0 * torch.pi * phase).expand(-1, s.shape[0], -1)
        y = channel.awgn((h * z).sum(dim=-1), 1.0, channel.generator)
    return y, h * amp, symbols, active


def _mf_stats(
    g: torch.Tensor, y: torch.Tensor, x: torch.Tensor, act: torch.Tensor, p: torch.Tensor
) -> tuple[torch.Tensor, ...]:
    """Per (use, user): SINR_t, genie SINR_t, S' = ||g||^4, residual |u - S x|^2 (MF)."""
    m = g.mH @ g  # (B, U, U)
    d = torch.diagonal(m, dim1=1, dim2=2).real  # ||g_j||^2
    cross = m.real.square() + m.imag.square()
    averaged = cross @ p - p * d.square()
    realised = (cross @ act.to(d.dtype).unsqueeze(-1)).squeeze(-1) - act * d.square()
    u = (g.conj() * y.unsqueeze(-1)).sum(dim=1)
    residual = (u - d * x).abs().square()
    return d.square() / (averaged + d), d.square() / (realised + d), d.square(), residual


def _mmse_sic_stats(
    g: torch.Tensor, y: torch.Tensor, x: torch.Tensor, act: torch.Tensor, p: torch.Tensor
) -> tuple[torch.Tensor, ...]:
    """Per (use, user): SINR_t, genie SINR_t, S', scaled residual, decisions (MMSE-SIC)."""
    b, hh, n = g.shape
    eye = torch.eye(hh, dtype=g.dtype)
    remaining = torch.ones(b, n, dtype=torch.bool)
    done = torch.zeros(b, n, dtype=torch.bool)
    xhat = torch.zeros(b, n, dtype=g.dtype)
    sinr = torch.zeros(b, n, dtype=torch.float64)
    genie = torch.zeros(b, n, dtype=torch.float64)
    signal = torch.zeros(b, n, dtype=torch.float64)
    residual = torch.zeros(b, n, dtype=torch.float64)
    y_res = y.clone()
    rows = torch.arange(b)
    norm2 = (g.real.square() + g.imag.square()).sum(dim=1)  # ||g_j||^2
    tiny = torch.finfo(torch.float64).tiny
    for _ in range(n):
        weights = (p * remaining).to(g.dtype)
        cov = (g * weights.unsqueeze(1)) @ g.mH + eye
        w_all = torch.linalg.solve(cov, g)  # R^{-1} G
        beta = (g.conj() * w_all).sum(dim=1).real
        den = (1.0 - p * beta).clamp_min(tiny)
        gamma = torch.where(remaining, beta / den, torch.tensor(float("-inf"), dtype=beta.dtype))
        k = torch.argmax(gamma, dim=1)
        w = w_all[rows, :, k]  # (B, H)
        beta_k, den_k = beta[rows, k], den[rows, k]
        c = (w.conj().unsqueeze(-1) * g).sum(dim=1)  # w^H g_m, (B, U)
        c2 = c.real.square() + c.imag.square()
        others = remaining.clone()
        others[rows, k] = False
        cancelled = (c2 * done * (x - xhat).abs().square()).sum(dim=1)
        averaged = (c2 * others * p).sum(dim=1) + cancelled
        realised = (c2 * (others * act)).sum(dim=1) + cancelled
        noise = (w.real.square() + w.imag.square()).sum(dim=1)
        u = (w.conj() * y_res).sum(dim=1)
        x_k = x[rows, k]
        scale = norm2[rows, k] / beta_k  # output scaled to the MF's signal gain
        sinr[rows, k] = beta_k.square() / (averaged + noise)
        genie[rows, k] = beta_k.square() / (realised + noise)
        signal[rows, k] = norm2[rows, k].square()
        residual[rows, k] = (u - beta_k * x_k).abs().square() * scale.square()
        dec, _ = map_slice(u / beta_k, den_k / beta_k, p[k])
        xhat[rows, k] = dec
        y_res = y_res - g[rows, :, k] * dec.unsqueeze(-1)
        remaining[rows, k] = False
        done[rows, k] = True
    return sinr, genie, signal, residual, xhat


def _estimates(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Definitions from accumulated sums (..., 7) per user (see :func:`simulate_sinr`)."""
    count, s_sum, s_over, inv_mse, log_rate, log_genie, emp = np.moveaxis(sums, -1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "avg": s_sum / s_over,
            "mse": count / inv_mse - 1.0,
            "rate": np.exp2(log_rate / count) - 1.0,
            "rate_genie": np.exp2(log_genie / count) - 1.0,
            "avg_empirical": s_sum / emp,
        }


def simulate_sinr(
    signatures: Signatures,
    q: np.ndarray,
    *,
    receiver: Literal["mf", "mmse-sic"] = "mf",
    fading: Literal["flat", "per-chip"] = "per-chip",
    n_samples: int = 40_000,
    n_batches: int = 20,
    seed: int = 0,
) -> SINREstimate:
    """Simulate one resource of the gfnoma link and measure every user's SINR.

    Parameters
    ----------
    signatures : Signatures
        ``N`` signatures and the activation profile (user ``j`` uses column ``j``).
    q : array_like, shape (N,)
        Mean received SNR of every user (linear); users with ``q = 0`` are not on the
        resource and are left out of the simulation.
    receiver : {"mf", "mmse-sic"}
    fading : {"per-chip", "flat"}
        ``"per-chip"``: gfnoma's channel, i.i.d. CN(0, 1) per user, chip and use;
        ``"flat"``: the block channel the flat coupling model assumes — one unit-modulus
        coefficient (random phase) per user over the block, so the SNR is exactly ``q``.
    n_samples : int
        Channel uses (every user's estimate rests on its active uses among them).
    n_batches : int
        Batches for the batch-means standard errors (``n_samples`` is rounded down to a
        multiple).
    seed : int
        Seed of the channel's generator (the only source of randomness).

    Returns
    -------
    SINREstimate

    Raises
    ------
    ValueError
        Bad ``q``, ``receiver``, ``fading``, ``n_samples`` or ``n_batches`` (named).

    Examples
    --------
    >>> import numpy as np
    >>> from gfnoma import P_ASY, wbe
    >>> est = simulate_sinr(wbe(P_ASY), np.array([2.0, 0, 0, 0, 0, 0]), fading="flat",
    ...                     n_samples=1000, n_batches=5)
    >>> est.users.tolist(), np.round(est.sinr["avg"], 6).tolist()
    ([0], [2.0])
    """
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a gfnoma.Signatures, got {type(signatures).__name__}")
    q = _check_q(q, signatures.n_users)
    if receiver not in LINK_RECEIVERS:
        raise ValueError(f"receiver must be one of {LINK_RECEIVERS}, got {receiver!r}")
    if fading not in FADING_MODELS:
        raise ValueError(f"fading must be one of {FADING_MODELS}, got {fading!r}")
    n_batches = check_int(n_batches, "n_batches", minimum=2)
    n_samples = check_int(n_samples, "n_samples", minimum=n_batches)
    seed = check_int(seed, "seed", minimum=0)
    users = np.flatnonzero(q > 0)
    p = signatures.activation[users]
    s = torch.from_numpy(signatures.matrix[:, users]).to(_DTYPE)
    amp = torch.from_numpy(np.sqrt(q[users])).to(_DTYPE)
    p_t = torch.from_numpy(np.array(p))
    channel = GrantFreeChannel(p, signatures.length, seed=seed, dtype=_DTYPE)
    reference = MMSESIC() if receiver == "mmse-sic" else None
    batch = n_samples // n_batches
    sums = np.zeros((n_batches, users.size, 7))
    agree = 0
    for i in range(n_batches):
        y, h, x, act = _draw(channel, s, amp, batch, fading)
        g = h * s  # s has unit columns
        if receiver == "mf":
            sinr, genie, signal, residual = _mf_stats(g, y, x, act, p_t)
        else:
            sinr, genie, signal, residual, xhat = _mmse_sic_stats(g, y, x, act, p_t)
            det = reference(y, h, s, p_t, torch.ones(batch, dtype=torch.float64))
            agree += int((det.symbols == xhat).sum())
        a = act.to(torch.float64)
        cols = (
            a,
            a * signal,
            a * signal / sinr.clamp_min(1e-300),
            a / (1.0 + sinr),
            a * torch.log2(1.0 + sinr),
            a * torch.log2(1.0 + genie),
            a * residual,
        )
        sums[i] = torch.stack([c.sum(dim=0) for c in cols], dim=-1).numpy()
    pooled = _estimates(sums.sum(axis=0))
    per_batch = _estimates(sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        stderr = {
            key: np.std(10 * np.log10(per_batch[key]), axis=0, ddof=1) / np.sqrt(n_batches)
            for key in SINR_DEFINITIONS
        }
    agreement = agree / (n_batches * batch * users.size) if reference is not None else np.nan
    return SINREstimate(
        users=users,
        q=q[users],
        sinr=pooled,
        stderr_db=stderr,
        n_active=sums[:, :, 0].sum(axis=0).astype(int),
        agreement=float(agreement),
    )


def link_check(
    q: np.ndarray,
    signatures: Signatures,
    *,
    receivers: tuple[str, ...] = LINK_RECEIVERS,
    channels: tuple[str, ...] = FADING_MODELS,
    q_min: float = 1e-3,
    n_samples: int = 40_000,
    n_batches: int = 20,
    seed: int = 0,
) -> pd.DataFrame:
    """Predicted vs simulated SINR of every user on every resource of an allocation.

    Parameters
    ----------
    q : array_like, shape (K, N)
        Received SNRs of an allocation (``F * P * gamma`` of :mod:`scma_alloc`).
    signatures : Signatures
        ``N`` signatures with the activation profile.
    receivers : tuple of str
        Subset of :data:`LINK_RECEIVERS`.
    channels : tuple of str
        Simulated channels, subset of ``("flat", "per-chip")``.
    q_min : float
        Users with ``0 < q < q_min`` on a resource (they carry under
        ``log2(1 + q_min)`` bit/s/Hz there) are left out, as transmitters and from the
        table.
    n_samples, n_batches, seed
        As :func:`simulate_sinr`; resource ``k`` uses ``seed + k``.

    Returns
    -------
    pandas.DataFrame
        One row per (resource, user, receiver, channel): ``resource``, ``user``,
        ``receiver``, ``channel``, ``q``, ``pred_flat``, ``pred_per_chip`` (the model's
        SINR with both couplings), ``pred_per_chip_array`` (the per-chip model with the
        array gain credited against noise, ``q_j / (1/G_j + sum_i C[j, i] q_i)``), the
        simulated ``sinr_<definition>`` and ``stderr_db_<definition>`` for every
        definition of :data:`SINR_DEFINITIONS`, ``n_active`` and ``agreement``. SINRs
        are linear.
    """
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a gfnoma.Signatures, got {type(signatures).__name__}")
    try:
        q = np.array(q, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"q must be an array of real numbers: {exc}") from None
    if q.ndim != 2 or q.shape[1] != signatures.n_users:
        raise ValueError(f"q must have shape (K, {signatures.n_users}), got {q.shape}")
    if not np.all(np.isfinite(q)) or np.any(q < 0):
        raise ValueError("q must be finite and non-negative")
    for name in receivers:
        if name not in LINK_RECEIVERS:
            raise ValueError(f"receivers must be a subset of {LINK_RECEIVERS}, got {name!r}")
    for name in channels:
        if name not in FADING_MODELS:
            raise ValueError(f"channels must be a subset of {FADING_MODELS}, got {name!r}")
    q_min = check_real(q_min, "q_min", minimum=0.0)
    seed = check_int(seed, "seed", minimum=0)
    q = np.where(q >= q_min, q, 0.0)
    pred = {
        fading: predicted_sinr(q, interference_model(signatures, fading).coupling)
        for fading in FADING_MODELS
    }
    s2 = np.abs(signatures.matrix) ** 2
    gain = 1.0 + (s2**2).sum(axis=0)
    c_chip = interference_model(signatures, "per-chip").coupling
    pred_array = q / (1.0 / gain + q @ c_chip.T)
    rows = []
    for k in range(q.shape[0]):
        if not np.any(q[k] > 0):
            continue
        for receiver in receivers:
            for channel in channels:
                est = simulate_sinr(
                    signatures,
                    q[k],
                    receiver=receiver,
                    fading=channel,
                    n_samples=n_samples,
                    n_batches=n_batches,
                    seed=seed + k,
                )
                for idx, j in enumerate(est.users):
                    row = {
                        "resource": k,
                        "user": int(j),
                        "receiver": receiver,
                        "channel": channel,
                        "q": q[k, j],
                        "pred_flat": pred["flat"][k, j],
                        "pred_per_chip": pred["per-chip"][k, j],
                        "pred_per_chip_array": pred_array[k, j],
                    }
                    for key in SINR_DEFINITIONS:
                        row[f"sinr_{key}"] = est.sinr[key][idx]
                        row[f"stderr_db_{key}"] = est.stderr_db[key][idx]
                    row["n_active"] = int(est.n_active[idx])
                    row["agreement"] = est.agreement
                    rows.append(row)
    return pd.DataFrame(rows)
