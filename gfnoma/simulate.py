"""Monte-Carlo BER simulation: ``simulate_ber``, ``ber_sweep`` and the ``mc_fun`` form.

Each SNR point runs batches of ``batch_size`` channel uses until ``target_errors`` bit errors
or ``max_samples`` channel uses, whichever comes first. Memory is bounded by the batch size.

Random numbers (ours): each SNR point gets its own ``torch.Generator`` seeded from
``(seed, snr_db)``, so the samples at a point depend only on the seed, the SNR and the batch
size — not on the other points, the receiver or how far an earlier run got. Receivers are
deterministic, so two receivers (or two signature sets) at the same point see the same bits,
activity, fading and noise: their comparison is paired.

Interruption: a ``KeyboardInterrupt`` (Ctrl-C) during a sweep stops it; finished points are
kept, the point being run is kept with its partial counts and ``status == "interrupted"``,
and the returned :class:`BERResult` has ``interrupted = True``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from gfnoma._validation import check_int, check_snr_db
from gfnoma.channel import GrantFreeChannel, qpsk_demap
from gfnoma.metrics import ErrorCounts, count_errors
from gfnoma.receivers import Receiver, get_receiver, receiver_label
from gfnoma.signatures import Signatures

__all__ = ["BERResult", "ber_sweep", "make_mc_fun", "point_seed", "simulate_ber"]

#: Status values of a row.
STATUS_TARGET = "target_errors"
STATUS_MAX = "max_samples"
STATUS_INTERRUPTED = "interrupted"
STATUS_SKIPPED = "skipped"


def point_seed(seed: int, snr_db: float) -> int:
    """Seed of the generator of one SNR point, from ``seed`` and ``snr_db`` (to 1e-3 dB)."""
    key = round(float(snr_db) * 1000) & 0xFFFFFFFF
    state = np.random.SeedSequence([check_int(seed, "seed", minimum=0), key]).generate_state(2)
    return int(state[0]) << 31 | int(state[1]) >> 1


@dataclass
class BERResult:
    """Result of :func:`simulate_ber` / :func:`ber_sweep`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (signatures, receiver, SNR point); columns ``signatures``, ``receiver``,
        ``snr_db``, ``ber``, ``bit_errors``, ``bits``, ``samples``, ``user_symbols``,
        ``activity_error_rate``, ``miss_rate``, ``false_alarm_rate``, ``jain``,
        ``pinv_fraction`` (oracle receivers; else NaN), ``status``, ``seconds`` and
        ``ber_user0 .. ber_user{N-1}``.
    interrupted : bool
        True if a ``KeyboardInterrupt`` stopped the run early (see module docstring).
    """

    table: pd.DataFrame
    interrupted: bool = False

    def __repr__(self) -> str:
        cols = ["signatures", "receiver", "snr_db", "ber", "bit_errors", "samples", "status"]
        head = "BERResult(interrupted=True)\n" if self.interrupted else "BERResult\n"
        return head + self.table[cols].to_string(index=False)


def _validate_common(
    signatures: Any, receiver: Any, snr_db: Any
) -> tuple[Signatures, Receiver, np.ndarray]:
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a Signatures object, got {type(signatures).__name__}")
    rx = get_receiver(receiver)
    rx.check_size(signatures.n_users, signatures.length)
    snrs = check_snr_db(snr_db)
    return signatures, rx, snrs


def _run_batch(
    channel: GrantFreeChannel,
    s: torch.Tensor,
    p: torch.Tensor,
    receiver: Receiver,
    batch_size: int,
    snr_db: float,
) -> tuple[Any, Any]:
    out = channel(s, batch_size, snr_db)
    with torch.no_grad():
        det = receiver(
            out.y,
            out.h,
            s,
            p,
            out.noise_var,
            active=out.active if receiver.needs_activity else None,
        )
    return out, det


def make_mc_fun(
    signatures: Signatures,
    receiver: str | Receiver,
    *,
    seed: int = 0,
    dtype: torch.dtype = torch.complex64,
) -> Callable[[int, float], tuple[torch.Tensor, torch.Tensor]]:
    """Monte-Carlo function ``mc_fun(batch_size, snr_db) -> (bits, bits_hat)``.

    The form of Sionna's ``sim_ber``/``PlotBER``. ``bits`` are the QPSK bits of the *active*
    users of the batch, flattened (float32, 0/1); ``bits_hat`` the detected ones, with ``-1``
    (an erasure, never equal to a bit) for users the receiver declared inactive, so any
    ``bits != bits_hat`` count reproduces the BER convention of :mod:`!gfnoma.metrics`. False
    alarms are not visible in this form; use :func:`simulate_ber` for the activity rates.

    One generator, seeded once with ``seed``, drives all calls.
    """
    sig, rx, _ = _validate_common(signatures, receiver, 0.0)
    channel = GrantFreeChannel(sig.activation, sig.length, seed=seed, dtype=dtype)
    s = sig.tensor(dtype)
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    p = sig.activation_tensor(real)

    def mc_fun(batch_size: int, snr_db: float) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        snr = float(check_snr_db(float(snr_db))[0])
        out, det = _run_batch(channel, s, p, rx, batch_size, snr)
        bits_hat = qpsk_demap(det.symbols).to(torch.float32)
        bits_hat = torch.where(det.active.unsqueeze(-1), bits_hat, -1.0)
        mask = out.active
        return out.bits[mask].reshape(-1).to(torch.float32), bits_hat[mask].reshape(-1)

    return mc_fun


def _row(
    sig: Signatures,
    rx: Receiver,
    snr: float,
    counts: ErrorCounts,
    status: str,
    seconds: float,
) -> dict[str, Any]:
    samples = counts.samples
    pinv = counts.extra.get("pinv")
    row: dict[str, Any] = {
        "signatures": sig.name,
        "receiver": receiver_label(rx),
        "snr_db": snr,
        "ber": counts.ber if samples else float("nan"),
        "bit_errors": counts.total_bit_errors,
        "bits": counts.total_bits,
        "samples": samples,
        "user_symbols": samples * sig.n_users,
        "activity_error_rate": counts.activity_error_rate if samples else float("nan"),
        "miss_rate": counts.miss_rate if samples else float("nan"),
        "false_alarm_rate": counts.false_alarm_rate if samples else float("nan"),
        "jain": counts.jain if samples else float("nan"),
        "pinv_fraction": pinv / samples if (pinv is not None and samples) else float("nan"),
        "status": status,
        "seconds": seconds,
    }
    per_user = counts.per_user_ber if samples else np.full(sig.n_users, np.nan)
    for n, v in enumerate(per_user):
        row[f"ber_user{n}"] = float(v)
    return row


def simulate_ber(
    signatures: Signatures,
    receiver: str | Receiver,
    snr_db: float | Sequence[float] | np.ndarray,
    *,
    target_errors: int = 200,
    max_samples: int = 1_000_000,
    batch_size: int = 10_000,
    seed: int = 0,
    dtype: torch.dtype = torch.complex64,
    progress: bool = True,
    early_stop: bool = False,
) -> BERResult:
    """BER versus SNR of one signature set with one receiver.

    Parameters
    ----------
    signatures : Signatures
        Signature set with its activation profile.
    receiver : str or Receiver
        A registry name (``mf``, ``mmse-sic``, ``oracle-ls``, ``oracle-mmse``, ``map``,
        ``ml``) or an instance (e.g. a trained neural receiver).
    snr_db : float or sequence of float
        ``Es/N0`` per user ``= 1/sigma^2`` in dB.
    target_errors : int
        Stop a point after this many bit errors.
    max_samples : int
        Stop a point after this many channel uses (each carries ``N`` user slots).
    batch_size : int
        Channel uses per batch (bounds memory).
    seed : int
        Base seed; see the module docstring for how points are seeded.
    dtype : torch.dtype
        ``torch.complex64`` (default, fast) or ``torch.complex128``.
    progress : bool
        Show tqdm progress bars.
    early_stop : bool
        If a point ends at ``max_samples`` with no bit error, skip the remaining points (rows
        with ``status == "skipped"``); meaningful for increasing SNR.

    Returns
    -------
    BERResult
        The table and whether the run was interrupted.

    Raises
    ------
    ValueError, TypeError
        Invalid arguments, or a receiver that cannot handle the set's size (e.g. ``ml`` with
        ``N = 20``); raised before any simulation.

    Notes
    -----
    Error-counting rule (the same for every receiver, :func:`gfnoma.count_errors`): each
    receiver decides the activity of every user itself (MMSE-SIC, MF and the neural
    receivers by a MAP activity decision; the oracle receivers are told it). The BER counts
    the bits of *active* users only; an active user declared inactive (a miss) costs both of
    its bits; an inactive user declared active (a false alarm) costs no bit and is reported
    as ``false_alarm_rate`` next to ``miss_rate``. A receiver that never declares a user
    inactive therefore has no misses and a false-alarm rate of 1, so compare BERs only
    together with the two activity rates (``docs/gfnoma_receivers.md``).

    Examples
    --------
    >>> from gfnoma import simulate_ber, wbe
    >>> res = simulate_ber(wbe(), "mmse-sic", [0, 10], target_errors=100,
    ...                    max_samples=20_000, batch_size=5_000, progress=False)
    >>> list(res.table["snr_db"]), bool((res.table["bit_errors"] >= 100).all())
    ([0.0, 10.0], True)
    """
    sig, rx, snrs = _validate_common(signatures, receiver, snr_db)
    target_errors = check_int(target_errors, "target_errors", minimum=1)
    max_samples = check_int(max_samples, "max_samples", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    if dtype not in (torch.complex64, torch.complex128):
        raise TypeError(f"dtype must be torch.complex64 or torch.complex128, got {dtype}")
    s = sig.tensor(dtype)
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    p = sig.activation_tensor(real)
    rows: list[dict[str, Any]] = []
    interrupted = False
    skip_rest = False
    label = f"{sig.name}/{receiver_label(rx)}"
    outer = tqdm(snrs, desc=label, unit="pt", disable=not progress, leave=True)
    try:
        for snr in outer:
            snr = float(snr)
            if skip_rest:
                rows.append(
                    _row(sig, rx, snr, ErrorCounts.zeros(sig.n_users), STATUS_SKIPPED, 0.0)
                )
                continue
            channel = GrantFreeChannel(
                sig.activation, sig.length, seed=point_seed(seed, snr), dtype=dtype
            )
            counts = ErrorCounts.zeros(sig.n_users)
            pinv = 0.0
            has_pinv = False
            t0 = time.perf_counter()
            status = STATUS_MAX
            bar = tqdm(
                total=max_samples,
                desc=f"{snr:g} dB",
                unit="sample",
                unit_scale=True,
                disable=not progress,
                leave=False,
            )
            try:
                while counts.samples < max_samples:
                    if counts.total_bit_errors >= target_errors:
                        status = STATUS_TARGET
                        break
                    bs = min(batch_size, max_samples - counts.samples)
                    out, det = _run_batch(channel, s, p, rx, bs, snr)
                    counts = counts + count_errors(
                        out.bits, qpsk_demap(det.symbols), out.active, det.active
                    )
                    if "pinv" in det.info:
                        has_pinv = True
                        pinv += float(det.info["pinv"])
                    bar.update(bs)
                    bar.set_postfix(errors=counts.total_bit_errors, ber=f"{counts.ber:.3g}")
                else:
                    if counts.total_bit_errors >= target_errors:
                        status = STATUS_TARGET
            except KeyboardInterrupt:
                status = STATUS_INTERRUPTED
                interrupted = True
            finally:
                bar.close()
            if has_pinv:
                counts.extra["pinv"] = pinv
            rows.append(_row(sig, rx, snr, counts, status, time.perf_counter() - t0))
            if interrupted:
                break
            if early_stop and counts.total_bit_errors == 0:
                skip_rest = True
    finally:
        outer.close()
    return BERResult(pd.DataFrame(rows), interrupted)


def ber_sweep(
    signature_sets: Signatures | Iterable[Signatures],
    receivers: str | Receiver | Iterable[str | Receiver],
    snr_db: float | Sequence[float] | np.ndarray,
    **kwargs: Any,
) -> BERResult:
    """:func:`simulate_ber` for every (signature set, receiver) pair; one concatenated table.

    All pairs are validated (including receiver sizes) before the first simulation. An
    interruption stops the sweep and returns what finished (``interrupted = True``).
    """
    sets = [signature_sets] if isinstance(signature_sets, Signatures) else list(signature_sets)
    if isinstance(receivers, str | Receiver):
        rx_list = [receivers]
    else:
        rx_list = list(receivers)
    if not sets:
        raise ValueError("signature_sets must not be empty")
    if not rx_list:
        raise ValueError("receivers must not be empty")
    pairs = []
    for sig in sets:
        for rx in rx_list:
            sig_v, rx_v, _ = _validate_common(sig, rx, snr_db)
            pairs.append((sig_v, rx_v))
    tables = []
    for sig, rx in pairs:
        res = simulate_ber(sig, rx, snr_db, **kwargs)
        tables.append(res.table)
        if res.interrupted:
            return BERResult(pd.concat(tables, ignore_index=True), True)
    return BERResult(pd.concat(tables, ignore_index=True), False)
