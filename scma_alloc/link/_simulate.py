"""Monte-Carlo BER of a codebook: ``simulate_ber`` and the ``mc_fun`` form of Sionna.

Each Eb/N0 point runs batches of ``batch_size`` blocks (one codeword of every user) until
``target_errors`` bit errors or ``max_blocks`` blocks, whichever comes first; memory is
bounded by the batch size (and the detector's chunk), never by the blocks simulated.

Random numbers: each point has its own ``torch.Generator`` seeded from ``(seed,
Eb/N0)``, so a point's samples depend only on the seed, its Eb/N0 and the batch size, not
on the other points or on how far an earlier run got. The detectors are deterministic:
two detectors at the same point see the same bits, fading and noise (a paired
comparison).

Interruption: Ctrl-C (``KeyboardInterrupt``) stops the run; finished points are kept,
the point being run keeps its partial counts with status ``"interrupted"`` and the rest
``"skipped"``; the result has ``interrupted = True``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from ._channel import (
    CHANNELS,
    bits_to_indices,
    check_choice,
    check_count,
    check_positive,
    check_snr_db,
    ebno_to_esno,
    esno_to_noise_var,
    transmit,
)
from ._codebook import Codebook
from ._detector import DETECTORS, MPADetector
from ._io import load_codebook

__all__ = ["BERResult", "make_mc_fun", "point_seed", "simulate_ber"]

#: Statuses of a point.
STATUS_TARGET = "target_errors"
STATUS_MAX = "max_blocks"
STATUS_INTERRUPTED = "interrupted"
STATUS_SKIPPED = "skipped"

#: Blocks per batch by default (the batch a BER simulation uses).
DEFAULT_BATCH = 65536


def point_seed(seed: int, snr_db: float) -> int:
    """The seed of one SNR point's generator, from ``seed`` and ``snr_db`` (to 1e-3 dB)."""
    seed = check_count(seed, "seed", minimum=0)
    key = round(float(snr_db) * 1000) & 0xFFFFFFFF
    return int(np.random.SeedSequence([seed, key]).generate_state(1, dtype=np.uint64)[0] >> 1)


@dataclass
class BERResult:
    """BER curve of a codebook (:func:`simulate_ber`).

    Attributes
    ----------
    ebno_db, esno_db : numpy.ndarray
        The points (dB); Es/N0 per resource element of the superposed signal.
    ber : numpy.ndarray
        Bit error rate per point (``bit_errors / bits``; NaN for a skipped point).
    bit_errors, bits, block_errors, blocks : numpy.ndarray of int
        Counts per point (a block error: any wrong bit in the block).
    seconds : numpy.ndarray
        Time per point.
    status : list of str
        ``"target_errors"``, ``"max_blocks"``, ``"interrupted"`` or ``"skipped"``.
    codebook, channel, detector : str
    iterations : int
    interrupted : bool
        True if Ctrl-C stopped the run.
    """

    ebno_db: np.ndarray
    esno_db: np.ndarray
    ber: np.ndarray
    bit_errors: np.ndarray
    bits: np.ndarray
    block_errors: np.ndarray
    blocks: np.ndarray
    seconds: np.ndarray
    status: list[str]
    codebook: str
    channel: str
    detector: str
    iterations: int
    interrupted: bool = False
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def bler(self) -> np.ndarray:
        """Block error rate per point."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.block_errors / self.blocks

    def table(self) -> Any:
        """The points as a :class:`pandas.DataFrame` (one row per Eb/N0)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "codebook": self.codebook,
                "channel": self.channel,
                "detector": self.detector,
                "iterations": self.iterations,
                "ebno_db": self.ebno_db,
                "esno_db": self.esno_db,
                "ber": self.ber,
                "bit_errors": self.bit_errors,
                "bits": self.bits,
                "bler": self.bler,
                "block_errors": self.block_errors,
                "blocks": self.blocks,
                "seconds": self.seconds,
                "status": self.status,
            }
        )

    def __repr__(self) -> str:
        head = (
            f"BERResult({self.codebook}, {self.channel}, {self.detector}, "
            f"{self.iterations} iterations{', interrupted' if self.interrupted else ''})"
        )
        rows = [
            f"  Eb/N0 {e:6.2f} dB  BER {b:.3e}  ({int(n)} errors / {int(t)} bits, {s})"
            for e, b, n, t, s in zip(
                self.ebno_db, self.ber, self.bit_errors, self.bits, self.status, strict=True
            )
        ]
        return "\n".join([head, *rows])


class _Link:
    """A codebook, a channel and a detector: batches of bits in, decided bits out."""

    def __init__(
        self,
        table: np.ndarray,
        *,
        fading: str,
        gains: np.ndarray | None,
        iterations: int,
        detector: str,
        device: Any,
        graph: np.ndarray | None = None,
        noise_factor: float = 1.0,
    ) -> None:
        self.detector = MPADetector(
            table, graph, iterations=iterations, method=detector, device=device
        )
        self.device = self.detector.device
        self.table = torch.as_tensor(np.array(table), dtype=torch.complex64, device=self.device)
        self.gains = None if gains is None else torch.as_tensor(gains, device=self.device)
        self.fading = fading
        self.noise_factor = noise_factor
        self.n_users, self.bits_per_codeword = table.shape[0], self.detector.bits_per_codeword

    def run(
        self, batch_size: int, noise_var: float, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        bits = torch.randint(
            0,
            2,
            (batch_size, self.n_users, self.bits_per_codeword),
            generator=generator,
            device=self.device,
            dtype=torch.int64,
        )
        y, h = transmit(
            self.table,
            bits_to_indices(bits),
            noise_var,
            generator,
            fading=self.fading,
            gains=self.gains,
        )
        llr = self.detector.llr(y, noise_var * self.noise_factor, h)
        return bits, (llr > 0).to(torch.int64)


def _codebook_and_checks(
    codebook: Any, channel: Any, iterations: Any, detector: Any, noise_factor: Any
) -> tuple[Codebook, str, int, str, float]:
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    channel = check_choice(channel, CHANNELS, "channel")
    iterations = check_count(iterations, "iterations")
    detector = check_choice(detector, DETECTORS, "detector")
    return (
        codebook,
        channel,
        iterations,
        detector,
        check_positive(noise_factor, "detector_noise_factor"),
    )


def _codebook_link(codebook, channel, iterations, detector, device, noise_factor) -> _Link:
    """The link of a codebook curve: every user at unit power, AWGN or Rayleigh."""
    return _Link(
        codebook.codewords,
        fading="rayleigh" if channel == "rayleigh" else "none",
        gains=None,
        iterations=iterations,
        detector=detector,
        device=device,
        noise_factor=noise_factor,
    )


def make_mc_fun(
    codebook: Codebook | str,
    *,
    channel: str = "awgn",
    iterations: int = 6,
    detector: str = "log-mpa",
    seed: int = 0,
    device: str | torch.device | None = None,
    detector_noise_factor: float = 1.0,
) -> Callable[[int, float], tuple[torch.Tensor, torch.Tensor]]:
    """A Monte-Carlo function ``mc_fun(batch_size, ebno_db) -> (bits, bits_hat)``.

    The form that Sionna's ``sim_ber`` and ``PlotBER`` take: each call draws
    ``batch_size`` blocks at ``ebno_db`` from one generator (seeded once) and returns the
    sent and the decided bits, both int64 tensors of shape (batch_size, J, log2 M).

    Parameters
    ----------
    codebook : Codebook or str
        A codebook or a name / path for :func:`load_codebook`.
    channel, iterations, detector, seed, device, detector_noise_factor
        As in :func:`simulate_ber`.

    Returns
    -------
    callable

    Examples
    --------
    >>> from scma_alloc.link import make_mc_fun
    >>> mc_fun = make_mc_fun("CS1", seed=1)
    >>> bits, bits_hat = mc_fun(1000, 8.0)
    >>> tuple(bits.shape), bool((bits != bits_hat).float().mean() < 0.05)
    ((1000, 6, 2), True)
    """
    codebook, channel, iterations, detector, noise_factor = _codebook_and_checks(
        codebook, channel, iterations, detector, detector_noise_factor
    )
    link = _codebook_link(codebook, channel, iterations, detector, device, noise_factor)
    generator = torch.Generator(device=link.device)
    generator.manual_seed(check_count(seed, "seed", minimum=0))

    def mc_fun(batch_size: int, ebno_db: float) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_count(batch_size, "batch_size")
        (ebno,) = check_snr_db(float(ebno_db), "ebno_db")
        noise_var = esno_to_noise_var(ebno_to_esno(ebno, codebook))
        return link.run(batch_size, noise_var, generator)

    return mc_fun


def simulate_ber(
    codebook: Codebook | str,
    ebno_db: Any,
    *,
    channel: str = "awgn",
    iterations: int = 6,
    detector: str = "log-mpa",
    target_errors: int = 1000,
    max_blocks: int = 10_000_000,
    batch_size: int = DEFAULT_BATCH,
    seed: int = 0,
    progress: bool = False,
    device: str | torch.device | None = None,
    detector_noise_factor: float = 1.0,
) -> BERResult:
    """Uncoded BER of a codebook set over Eb/N0 by Monte-Carlo simulation.

    Parameters
    ----------
    codebook : Codebook or str
        A codebook, or ``"CS1"`` .. ``"CS8"`` or a file for :func:`load_codebook`.
    ebno_db : float or sequence of float
        Eb/N0 points in dB (Es/N0 = Eb/N0 + 10 log10(J log2 M / K)).
    channel : {"awgn", "rayleigh"}
        Rayleigh: each user its own CN(0, 1) gain per resource element and per block,
        known at the detector.
    iterations : int, default 6
        Message-passing iterations.
    detector : {"log-mpa", "max-log-mpa"}
    target_errors : int, default 1000
        Stop a point at this many bit errors ...
    max_blocks : int, default 10_000_000
        ... or at this many blocks.
    batch_size : int, default 65536
        Blocks per batch (memory is proportional to it).
    seed : int, default 0
        Root seed (see the module docstring).
    progress : bool, default False
        A tqdm progress bar over the points (errors and blocks so far).
    device : str or torch.device, optional
        Default: CUDA when available, else the CPU.
    detector_noise_factor : float, default 1.0
        The detector assumes the noise variance ``N0 * detector_noise_factor`` (1: the
        true one, the exact Log-MPA). AFF3CT 2.x's SCMA modem uses 2 (its ``n0 = 4
        sigma**2`` with ``sigma**2 = N0 / 2``); its published CS1 curves are reproduced
        with it.

    Returns
    -------
    BERResult
        ``.ber`` has one value per Eb/N0 point; ``.bit_errors``, ``.bits`` the counts.

    Raises
    ------
    TypeError, ValueError
        On bad arguments, before any simulation.

    Examples
    --------
    >>> from scma_alloc.link import simulate_ber
    >>> r = simulate_ber("CS1", [0.0, 6.0], target_errors=500, max_blocks=100_000)
    >>> r.ber.shape, bool(r.ber[0] > r.ber[1])
    ((2,), True)
    """
    codebook, channel, iterations, detector, noise_factor = _codebook_and_checks(
        codebook, channel, iterations, detector, detector_noise_factor
    )
    points = check_snr_db(ebno_db, "ebno_db")
    target_errors = check_count(target_errors, "target_errors")
    max_blocks = check_count(max_blocks, "max_blocks")
    batch_size = check_count(batch_size, "batch_size")
    seed = check_count(seed, "seed", minimum=0)
    link = _codebook_link(codebook, channel, iterations, detector, device, noise_factor)
    n = len(points)
    errors, blocks, block_errors = (np.zeros(n, dtype=np.int64) for _ in range(3))
    seconds = np.zeros(n)
    status = [STATUS_SKIPPED] * n
    bits_per_block = codebook.n_users * codebook.bits_per_codeword
    interrupted = False
    bar = tqdm(total=n, disable=not progress, unit="point", desc=f"{codebook.name} {channel}")
    try:
        for i, ebno in enumerate(points):
            generator = torch.Generator(device=link.device)
            generator.manual_seed(point_seed(seed, ebno))
            noise_var = esno_to_noise_var(ebno_to_esno(ebno, codebook))
            start = time.perf_counter()
            status[i] = STATUS_INTERRUPTED
            try:
                while errors[i] < target_errors and blocks[i] < max_blocks:
                    size = int(min(batch_size, max_blocks - blocks[i]))
                    bits, bits_hat = link.run(size, noise_var, generator)
                    wrong = (bits != bits_hat).reshape(size, -1)
                    errors[i] += int(wrong.sum())
                    block_errors[i] += int(wrong.any(dim=1).sum())
                    blocks[i] += size
                    bar.set_postfix_str(
                        f"Eb/N0 {ebno:g} dB: {errors[i]} errors, {blocks[i]} blocks"
                    )
            finally:
                seconds[i] = time.perf_counter() - start
            status[i] = STATUS_TARGET if errors[i] >= target_errors else STATUS_MAX
            bar.update()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    bits = blocks * bits_per_block
    with np.errstate(invalid="ignore", divide="ignore"):
        ber = np.where(bits > 0, errors / np.maximum(bits, 1), np.nan)
    return BERResult(
        ebno_db=points,
        esno_db=np.asarray(ebno_to_esno(points, codebook)),
        ber=ber,
        bit_errors=errors,
        bits=bits,
        block_errors=block_errors,
        blocks=blocks,
        seconds=seconds,
        status=status,
        codebook=codebook.name,
        channel=channel,
        detector=detector,
        iterations=iterations,
        interrupted=interrupted,
        settings={
            "target_errors": target_errors,
            "max_blocks": max_blocks,
            "batch_size": batch_size,
            "seed": seed,
            "detector_noise_factor": noise_factor,
        },
    )
