"""End-to-end training of the grant-free NOMA autoencoder (paper §III-E, Algorithm 1).

``train(config, out_dir)`` builds the QNN encoder (or a fixed conventional set), the channel
of :mod:`gfnoma.channel` and the SICNN / FCNN decoder, and minimises the loss of eq. (12) with
Adam on fresh Monte-Carlo batches: every step draws new bits, activity, fading, noise and a
training SNR per channel use from ``config.train_snr_db``. The paper trains on a fixed data
set of 10^6 symbol vectors for 10^4 epochs; drawing fresh samples from the same distribution
is the same objective without the storage, and the number of samples seen is logged.

Validation: a fixed set (``val_samples`` channel uses at each of ``val_snr_db``, drawn once
from the seed) is passed through the current encoder and decoder every ``eval_every`` steps;
the log records the validation loss, the BER per SNR (with the decision rule of
:class:`gfnoma.NeuralReceiver`) and ``CC_weighted`` of the current signatures. The best
state by validation loss is kept; training stops after ``patience`` validations without
improvement, at ``max_steps``, at ``max_seconds``, when a callback asks, or on Ctrl-C.

Files in ``out_dir`` (all written atomically: temporary file, then ``os.replace``):

* ``checkpoint.pt`` — everything needed to resume bit for bit (weights, optimiser state,
  generator state, best state, log), written at every validation and when training stops;
* ``signatures.json`` — the best state's signatures (integer alphabet and activation profile,
  :class:`gfnoma.Signatures` format);
* ``decoder.pt`` — the best state's decoder (:func:`gfnoma.load_receiver`);
* ``log.csv`` — one row per validation; ``config.json`` — the configuration.

Determinism: one seed drives the initial weights, the training samples and the validation
set; on CPU with the same number of torch threads a run is reproducible, and a run stopped and
resumed from its checkpoint gives the same weights as an uninterrupted one (tested).
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from gfnoma.channel import GrantFreeChannel, noise_variance, qpsk_demap
from gfnoma.configs import TrainConfig, get_config
from gfnoma.loss import FairnessMSELoss, correlation_penalty, fairness_weights
from gfnoma.metrics import cc_weighted, count_errors
from gfnoma.models import (
    FCNN,
    MMSE_FEATURES_VERSION,
    SICNN,
    PosteriorMeanDecoder,
    QNNEncoder,
    count_parameters,
)
from gfnoma.neural import NeuralReceiver, atomic_save, check_features_version, save_decoder
from gfnoma.signatures import Signatures, make_signatures

__all__ = ["TrainResult", "TrainState", "build_models", "load_checkpoint", "train"]

_CKPT_FORMAT = "gfnoma-train-checkpoint"
_CKPT_VERSION = 1

#: Config fields added after checkpoint version 1 was defined, with the value that
#: reproduces the behaviour before them (a checkpoint without the field resumes with it).
_ADDED_FIELDS: dict[str, Any] = {
    "fairness_normalized": False,
    "fading": "per-chip",
    "correlation_weight": 0.0,
}

#: Stop reasons (``TrainResult.status``).
STATUS_MAX_STEPS = "max_steps"
STATUS_MAX_SECONDS = "max_seconds"
STATUS_EARLY_STOP = "early_stopping"
STATUS_CALLBACK = "callback"
STATUS_INTERRUPTED = "interrupted"
_FINAL = (STATUS_EARLY_STOP,)


@dataclass
class TrainState:
    """What a callback sees after every step (read-only by convention).

    Attributes
    ----------
    step : int
        Steps done so far.
    loss : float
        Training loss of the last step.
    seconds : float
        Training wall-clock time so far (summed over resumed runs).
    samples : int
        Channel uses seen so far.
    """

    step: int
    loss: float
    seconds: float
    samples: int


@dataclass
class TrainResult:
    """Result of :func:`train`.

    Attributes
    ----------
    config : TrainConfig
    signatures : Signatures
        Signatures of the best state (integer alphabet for a QNN encoder).
    receiver : NeuralReceiver
        The best state's decoder as a receiver for :func:`gfnoma.simulate_ber`.
    encoder : QNNEncoder or None
        The best state's encoder (``None`` for fixed conventional signatures).
    log : pandas.DataFrame
        One row per validation (``step``, ``samples``, ``seconds``, ``train_loss``,
        ``val_loss``, ``val_ber_<snr>``, ``val_ber_mean``, ``cc_weighted``, ...).
    status : str
        Why training stopped: ``max_steps``, ``max_seconds``, ``early_stopping``,
        ``callback`` or ``interrupted``.
    steps, samples : int
        Steps and channel uses done.
    seconds : float
        Training wall-clock time (summed over resumed runs).
    best_step : int
        Step of the best validation loss.
    best_val_loss : float
    out_dir : Path or None
    decoder_parameters : int
        Trainable parameters of the decoder.
    """

    config: TrainConfig
    signatures: Signatures
    receiver: NeuralReceiver
    encoder: QNNEncoder | None
    log: pd.DataFrame
    status: str
    steps: int
    samples: int
    seconds: float
    best_step: int
    best_val_loss: float
    out_dir: Path | None
    decoder_parameters: int

    @property
    def interrupted(self) -> bool:
        """True if Ctrl-C stopped the run (the checkpoint allows resuming)."""
        return self.status == STATUS_INTERRUPTED

    @property
    def samples_per_second(self) -> float:
        """Training throughput (channel uses per second, validation included)."""
        return self.samples / self.seconds if self.seconds > 0 else float("nan")

    def __repr__(self) -> str:
        return (
            f"TrainResult(name={self.config.name!r}, status={self.status!r}, steps={self.steps}, "
            f"samples={self.samples}, seconds={self.seconds:.1f}, best_step={self.best_step}, "
            f"best_val_loss={self.best_val_loss:.5g})"
        )


def _seed(seed: int, purpose: int) -> int:
    state = np.random.SeedSequence([seed, purpose]).generate_state(2)
    return int(state[0]) << 31 | int(state[1]) >> 1


def build_models(config: TrainConfig) -> tuple[QNNEncoder | None, Signatures | None, Any]:
    """Fresh (seeded) encoder or fixed signature set, and decoder, for ``config``."""
    gen = torch.Generator().manual_seed(_seed(config.seed, 0))
    n, h = config.n_users, config.length
    if config.learned_signatures:
        encoder: QNNEncoder | None = QNNEncoder(
            n, h, q=config.q, amplitude=config.amplitude, init=config.encoder_init, generator=gen
        )
        fixed = None
    else:
        encoder = None
        fixed = make_signatures(
            config.signatures, config.activation, h, q=config.q or 2, seed=config.seed
        )
    if config.decoder == "sicnn":
        decoder: SICNN | FCNN | PosteriorMeanDecoder = SICNN(
            n,
            h,
            config.hidden,
            channel_input=config.channel_input,
            features=config.features,
            generator=gen,
        )
    elif config.decoder == "fcnn":
        decoder = FCNN(n, h, config.hidden, channel_input=config.channel_input, generator=gen)
    else:
        decoder = PosteriorMeanDecoder(n, h)
    return encoder, fixed, decoder


class _ValidationSet:
    """Fixed validation samples: source, fading and unit noise per SNR (drawn once)."""

    def __init__(self, config: TrainConfig) -> None:
        ch = GrantFreeChannel(
            config.activation, config.length, seed=_seed(config.seed, 1), fading=config.fading
        )
        m, snrs = config.val_samples, config.val_snr_db
        self.snr_db = snrs
        self.bits, self.active, self.x = ch.sample_source(m * len(snrs))
        b = self.x.shape[0]
        self.h = ch.fading(b, ch.generator)
        self.w = torch.randn(b, config.length, dtype=torch.complex64, generator=ch.generator)
        self.nv = noise_variance(torch.tensor(snrs).repeat_interleave(m))
        self.per_snr = m


def _signatures_tensor(encoder: QNNEncoder | None, fixed: Signatures | None) -> torch.Tensor:
    if encoder is not None:
        return encoder.signatures()
    return fixed.tensor()


def _export(
    config: TrainConfig, encoder: QNNEncoder | None, fixed: Signatures | None
) -> Signatures:
    if encoder is None:
        return fixed
    return encoder.export(config.activation, name=config.name)


def _objective(
    config: TrainConfig,
    loss_fn: FairnessMSELoss,
    x_hat: torch.Tensor,
    x: torch.Tensor,
    s: torch.Tensor,
    p: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The training objective: eq. (12), plus ``correlation_weight * CC_weighted`` of the
    signatures ``s`` if set (ours, decision 17). Returns ``(loss, per-user MSE)``."""
    loss, mse = loss_fn(x_hat, x)
    if config.correlation_weight > 0:
        loss = loss + config.correlation_weight * correlation_penalty(s, p)
    return loss, mse


def _evaluate(
    config: TrainConfig,
    val: _ValidationSet,
    encoder: QNNEncoder | None,
    fixed: Signatures | None,
    decoder: Any,
    loss_fn: FairnessMSELoss,
    p: torch.Tensor,
    chunk: int = 20_000,
) -> dict[str, float]:
    """Validation loss, BER per SNR and CC_weighted of the current state."""
    decoder.eval()
    with torch.no_grad():
        s = _signatures_tensor(encoder, fixed).detach()
        b = val.x.shape[0]
        x_hat = torch.empty(b, config.n_users, dtype=torch.complex64)
        for lo in range(0, b, chunk):
            hi = min(b, lo + chunk)
            z = s.unsqueeze(0) * val.x[lo:hi].unsqueeze(1)
            y = (val.h[lo:hi] * z).sum(-1) + torch.sqrt(val.nv[lo:hi])[:, None] * val.w[lo:hi]
            x_hat[lo:hi] = decoder(y, val.h[lo:hi], s, p, val.nv[lo:hi])
        loss, mse = _objective(config, loss_fn, x_hat, val.x, s, p)
        act_hat = x_hat.abs() >= 0.5
        row: dict[str, float] = {"val_loss": float(loss)}
        bers = []
        m = val.per_snr
        for i, snr in enumerate(val.snr_db):
            sl = slice(i * m, (i + 1) * m)
            c = count_errors(val.bits[sl], qpsk_demap(x_hat[sl]), val.active[sl], act_hat[sl])
            row[f"val_ber_{snr:g}"] = c.ber
            bers.append(c.ber)
        row["val_ber_mean"] = float(np.mean(bers))
        for n, v in enumerate(mse.tolist()):
            row[f"val_mse_user{n}"] = v
    decoder.train()
    sig = _export(config, encoder, fixed)
    row["cc_weighted"] = cc_weighted(sig) if sig.n_users >= 2 else float("nan")
    return row


def _state_dict_copy(module: torch.nn.Module | None) -> dict[str, torch.Tensor] | None:
    if module is None:
        return None
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _atomic_csv(table: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    table.to_csv(tmp, index=False)
    os.replace(tmp, path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_checkpoint(path: str | os.PathLike[str], config: TrainConfig | None = None) -> dict:
    """Read a training checkpoint and check it belongs to ``config``.

    Raises
    ------
    ValueError
        Missing, corrupt or truncated file; not a gfnoma checkpoint; or written by a run with
        another configuration (the message lists the differing fields).
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"checkpoint: no such file: {path}")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # zipfile, pickle, EOF, RuntimeError ... for damaged files
        raise ValueError(
            f"{path}: not a readable checkpoint (corrupt or truncated?): {_first_line(exc)}"
        ) from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != _CKPT_FORMAT:
        raise ValueError(f"{path}: not a gfnoma training checkpoint")
    if ckpt.get("version") != _CKPT_VERSION:
        raise ValueError(f"{path}: unsupported checkpoint version {ckpt.get('version')!r}")
    if config is not None:
        ours = config.identity()
        theirs = ckpt.get("identity")
        if not isinstance(theirs, dict) or not theirs:
            raise ValueError(f"{path}: checkpoint without its configuration (identity)")
        # Fields added after a checkpoint was written count with their earlier behaviour.
        theirs = {**{k: v for k, v in _ADDED_FIELDS.items() if k not in theirs}, **theirs}
        diff = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
        if diff:
            detail = "; ".join(
                f"{k}: checkpoint {theirs.get(k)!r}, config {ours.get(k)!r}" for k in diff[:4]
            )
            raise ValueError(
                f"{path}: checkpoint from another config (differs in {', '.join(diff)}): "
                f"{detail}. Use another output directory or resume=False to start afresh."
            )
        check_features_version(
            config.features, ckpt.get("features_version"), f"{path}: the checkpoint"
        )
    return ckpt


def train(
    config: TrainConfig | str,
    out_dir: str | os.PathLike[str] | None = None,
    *,
    resume: bool = True,
    callback: Callable[[TrainState], bool | None] | None = None,
    progress: bool = True,
) -> TrainResult:
    """Train the autoencoder (QNN encoder + SICNN/FCNN decoder), paper Algorithm 1.

    Parameters
    ----------
    config : TrainConfig or str
        A configuration or a preset name (``"paper"``, ``"fast"``, ``"fast-lmmse"``,
        ``"tiny"``).
    out_dir : path, optional
        Directory for the checkpoint and the outputs (created). ``None`` keeps everything in
        memory (no checkpoint, no resuming).
    resume : bool
        Continue from ``out_dir/checkpoint.pt`` if it exists (default). ``False`` starts
        afresh and overwrites it.
    callback : callable, optional
        ``callback(TrainState)`` after every step; returning True stops the run (status
        ``"callback"``), with a checkpoint written at that step.
    progress : bool
        Show a tqdm bar with the loss and the last validation BER.

    Returns
    -------
    TrainResult

    Raises
    ------
    ValueError
        Invalid configuration, or a checkpoint that is corrupt, truncated or from another
        configuration (the message names the file and the problem).

    Notes
    -----
    Each step (Algorithm 1): draw bits, activity ``a_n ~ B(p_n)`` and QPSK symbols
    ``x_n = a_n q_n`` for ``batch_size`` channel uses and an SNR per use; encode with the
    quantized weights (eq. 23-25); fade and add noise (eq. 5); decode (eq. 26-28); take the
    loss of eq. (12) (plus ``correlation_weight * CC_weighted`` if set, ours) and one Adam
    step on the decoder and the full-precision encoder weights (straight-through through the
    quantizer). Ctrl-C writes a checkpoint and returns with
    ``status == "interrupted"``.

    Examples
    --------
    >>> from gfnoma import get_config, train
    >>> res = train(get_config("tiny", max_steps=20), progress=False)
    >>> res.steps, res.signatures.q, res.signatures.alphabet.shape
    (20, 2, (4, 6))
    """
    if isinstance(config, str):
        config = get_config(config)
    if not isinstance(config, TrainConfig):
        raise TypeError(
            f"config must be a TrainConfig or a preset name, got {type(config).__name__}"
        )
    out = Path(out_dir) if out_dir is not None else None
    ckpt_path = out / "checkpoint.pt" if out is not None else None
    ckpt = None
    if out is not None:
        if out.exists() and not out.is_dir():
            raise ValueError(f"out_dir: {out} exists and is not a directory")
        if resume and ckpt_path.exists():
            ckpt = load_checkpoint(ckpt_path, config)  # validate before any work
        out.mkdir(parents=True, exist_ok=True)

    encoder, fixed, decoder = build_models(config)
    p = torch.tensor(config.activation, dtype=torch.float32)
    lam = (
        config.fairness_weights
        if config.fairness_weights is not None
        else tuple(fairness_weights(config.activation))
    )
    loss_fn = FairnessMSELoss(
        lam,
        beta_mse=config.beta_mse,
        beta_fair=config.beta_fair,
        fairness=config.fairness,
        normalize=config.activation if config.fairness_normalized else None,
    )
    groups = []
    decoder_params = list(decoder.parameters())
    if decoder_params:  # the posterior-mean decoder has none
        groups.append({"params": decoder_params, "lr": config.lr})
    if encoder is not None:
        groups.append({"params": list(encoder.parameters()), "lr": config.encoder_lr})
    optimizer = torch.optim.Adam(groups)
    channel = GrantFreeChannel(
        config.activation, config.length, seed=_seed(config.seed, 2), fading=config.fading
    )
    snr_table = torch.tensor(config.train_snr_db, dtype=torch.float32)
    val = _ValidationSet(config)

    step, samples, seconds = 0, 0, 0.0
    log_rows: list[dict[str, float]] = []
    best = {"step": 0, "val_loss": math.inf, "encoder": None, "decoder": None}
    bad_evals = 0
    loss_sum, loss_count = 0.0, 0
    status = None
    if ckpt is not None:
        try:
            if encoder is not None:
                encoder.load_state_dict(ckpt["encoder"])
            decoder.load_state_dict(ckpt["decoder"])
            optimizer.load_state_dict(ckpt["optimizer"])
            channel.generator.set_state(ckpt["generator"])
        except (KeyError, RuntimeError, ValueError) as exc:
            raise ValueError(f"{ckpt_path}: inconsistent checkpoint: {exc}") from None
        step, samples, seconds = int(ckpt["step"]), int(ckpt["samples"]), float(ckpt["seconds"])
        log_rows = [dict(r) for r in ckpt["log"] if r.get("scheduled", 1)]
        best = dict(ckpt["best"])
        bad_evals = int(ckpt["bad_evals"])
        loss_sum, loss_count = float(ckpt["loss_sum"]), int(ckpt["loss_count"])
        if ckpt.get("status") in _FINAL:
            status = ckpt["status"]

    def snapshot(stop_status: str | None) -> dict[str, Any]:
        return {
            "format": _CKPT_FORMAT,
            "version": _CKPT_VERSION,
            "identity": config.identity(),
            "features_version": MMSE_FEATURES_VERSION if config.features == "mmse" else None,
            "config": config.to_dict(),
            "torch": str(torch.__version__),
            "step": step,
            "samples": samples,
            "seconds": seconds,
            "encoder": _state_dict_copy(encoder),
            "decoder": _state_dict_copy(decoder),
            "optimizer": copy.deepcopy(optimizer.state_dict()),
            "generator": channel.generator.get_state(),
            "log": log_rows,
            "best": best,
            "bad_evals": bad_evals,
            "loss_sum": loss_sum,
            "loss_count": loss_count,
            "status": stop_status,
        }

    def write_checkpoint(stop_status: str | None = None) -> None:
        if ckpt_path is not None:
            atomic_save(snapshot(stop_status), ckpt_path)
            _atomic_csv(pd.DataFrame(log_rows), out / "log.csv")

    def validate(scheduled: bool = True) -> None:
        """One log row; only scheduled validations update the best state and the patience
        count, so a run stopped between validations resumes exactly like an uninterrupted
        one."""
        nonlocal best, bad_evals, loss_sum, loss_count
        row: dict[str, float] = {
            "step": step,
            "samples": samples,
            "seconds": seconds,
            "train_loss": loss_sum / loss_count if loss_count else float("nan"),
        }
        row.update(_evaluate(config, val, encoder, fixed, decoder, loss_fn, p))
        row["scheduled"] = int(scheduled)
        if not scheduled:
            row["best_step"] = best["step"]
            log_rows.append(row)
            return
        loss_sum, loss_count = 0.0, 0
        if row["val_loss"] < best["val_loss"]:
            best = {
                "step": step,
                "val_loss": row["val_loss"],
                "encoder": _state_dict_copy(encoder),
                "decoder": _state_dict_copy(decoder),
            }
            bad_evals = 0
        else:
            bad_evals += 1
        row["best_step"] = best["step"]
        log_rows.append(row)

    if out is not None:
        config.save(out / "config.json")
    bar = tqdm(
        total=config.max_steps,
        initial=min(step, config.max_steps),
        desc=config.name,
        unit="step",
        disable=not progress,
        dynamic_ncols=True,
    )
    decoder.train()
    t_start = time.perf_counter() - seconds
    try:
        if step == 0 and not log_rows:
            validate()  # the untrained state: the log starts at step 0
            write_checkpoint()
        while status is None:
            if step >= config.max_steps:
                status = STATUS_MAX_STEPS
                break
            if config.max_seconds is not None and seconds >= config.max_seconds:
                status = STATUS_MAX_SECONDS
                break
            _, _, x = channel.sample_source(config.batch_size)
            idx = torch.randint(
                0, snr_table.numel(), (config.batch_size,), generator=channel.generator
            )
            snr = snr_table[idx]
            s = _signatures_tensor(encoder, fixed)
            z = s.unsqueeze(0) * x.unsqueeze(1)  # eq. (14)-(25): the QNN encoders
            y, h, nv = channel.propagate(z, snr)  # eq. (5)
            x_hat = decoder(y, h, s, p, nv)  # eq. (26)-(28)
            loss, _ = _objective(config, loss_fn, x_hat, x, s, p)  # eq. (12)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            samples += config.batch_size
            lval = float(loss.detach())
            loss_sum += lval
            loss_count += 1
            seconds = time.perf_counter() - t_start
            bar.update(1)
            if step % config.eval_every == 0:
                validate()
                seconds = time.perf_counter() - t_start
                last = log_rows[-1]
                bar.set_postfix(
                    loss=f"{last['train_loss']:.3f}",
                    val_loss=f"{last['val_loss']:.3f}",
                    val_ber=f"{last['val_ber_mean']:.3g}",
                )
                if bad_evals >= config.patience:
                    status = STATUS_EARLY_STOP
                    break
                write_checkpoint()
            if callback is not None and callback(
                TrainState(step=step, loss=lval, seconds=seconds, samples=samples)
            ):
                status = STATUS_CALLBACK
                break
    except KeyboardInterrupt:
        status = STATUS_INTERRUPTED
    finally:
        bar.close()
    seconds = time.perf_counter() - t_start
    if not log_rows or log_rows[-1]["step"] != step:
        validate(scheduled=False)  # record the final state without changing the schedule
    write_checkpoint(status)

    # Outputs: the best state.
    if best["decoder"] is not None:
        decoder.load_state_dict(best["decoder"])
        if encoder is not None:
            encoder.load_state_dict(best["encoder"])
    sig = _export(config, encoder, fixed)
    if out is not None:
        sig.save(out / "signatures.json")
        save_decoder(
            out / "decoder.pt",
            decoder,
            sig,
            extra={"config": config.to_dict(), "best_step": int(best["step"])},
        )
    receiver = NeuralReceiver(copy.deepcopy(decoder), sig)
    return TrainResult(
        config=config,
        signatures=sig,
        receiver=receiver,
        encoder=encoder,
        log=pd.DataFrame(log_rows),
        status=status,
        steps=step,
        samples=samples,
        seconds=seconds,
        best_step=int(best["step"]),
        best_val_loss=float(best["val_loss"]),
        out_dir=out,
        decoder_parameters=count_parameters(decoder),
    )
