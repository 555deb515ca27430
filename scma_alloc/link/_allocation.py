"""Per-user BER of an allocation: the allocator's scenario and result on a real SCMA link.

:func:`allocation_ber` builds the link an allocation describes and simulates it:

* every user sends its codebook layer on the resources the allocation gives it, each
  resource element scaled by the allocated power (``sqrt(P)`` amplitude; the layer rule
  and the scaling are those of :func:`assign_layers` and :func:`allocation_codewords`);
* the channel of the drop: the mean power gains ``scenario.gains`` with Rayleigh fading
  around them (``h[k, j] = sqrt(gains[k, j]) g``, ``g ~ CN(0, 1)`` per block, resource and
  user, known at the detector), or without fading (``fading="none"``: ``h =
  sqrt(gains)``), and the scenario's noise power per resource element;
* MPA detection on the transmitted graph (the assigned edges with positive power: an
  edge without power carries nothing and is left out), and the bit errors of every user.

The rate model behind the allocation is a Gaussian-input Shannon rate with SIC; the link
has finite codebooks (2 bits per user per block) and a joint detector, so a BER is what
the allocation's power split and graph are worth to a real receiver.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from .._scenario import Scenario
from ._channel import check_choice, check_count
from ._codebook import Codebook
from ._detector import DETECTORS
from ._io import load_codebook
from ._layers import allocation_codewords, assign_layers
from ._simulate import DEFAULT_BATCH, STATUS_INTERRUPTED, STATUS_MAX, STATUS_TARGET, _Link

__all__ = ["FADING", "AllocationBER", "allocation_ber"]

#: Fading models of :func:`allocation_ber`.
FADING = ("rayleigh", "none")


@dataclass
class AllocationBER:
    """Per-user BER of an allocation (:func:`allocation_ber`).

    Attributes
    ----------
    ber : numpy.ndarray, shape (J,)
        Bit error rate of every user.
    bit_errors, bits : numpy.ndarray of int, shape (J,)
        Counts per user (``bits`` = blocks x log2 M for every user).
    blocks : int
        Blocks simulated.
    layers : numpy.ndarray of int, shape (J,)
        The codebook layer each user sent.
    snr_db : numpy.ndarray, shape (K, J)
        Mean received SNR of every edge, ``10 log10(gains * P / noise_power)`` (-inf where
        no power is sent).
    seconds : float
    status : str
        ``"target_errors"`` (every user reached it), ``"max_blocks"`` or ``"interrupted"``.
    interrupted : bool
    settings : dict
        Codebook, fading, detector, iterations, target, cap, batch size and seed.
    """

    ber: np.ndarray
    bit_errors: np.ndarray
    bits: np.ndarray
    blocks: int
    layers: np.ndarray
    snr_db: np.ndarray
    seconds: float
    status: str
    interrupted: bool = False
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def worst(self) -> float:
        """The largest user BER."""
        return float(np.max(self.ber))

    def __repr__(self) -> str:
        cells = ", ".join(f"{b:.2e}" for b in self.ber)
        return (
            f"AllocationBER(ber=[{cells}], blocks={self.blocks}, status={self.status!r}, "
            f"layers={self.layers.tolist()})"
        )


def _allocation(result: Any, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(result, Mapping) or "assignment" not in result or "power" not in result:
        raise TypeError(
            "result must be an AllocationResult (or a mapping) with 'assignment' and 'power'"
        )
    shape = (scenario.n_resources, scenario.n_users)
    assignment = np.asarray(result["assignment"])
    power = np.asarray(result["power"])
    for name, value in (("assignment", assignment), ("power", power)):
        if value.shape != shape:
            raise ValueError(
                f"result.{name} must have the scenario's shape (K, J) = {shape}, got {value.shape}"
            )
        if value.dtype.kind not in "biuf":
            raise TypeError(f"result.{name} must be numeric, got dtype {value.dtype}")
    if not np.all(np.isin(assignment, (0, 1))):
        raise ValueError("result.assignment must hold only 0 and 1")
    power = power.astype(float)
    if not np.all(np.isfinite(power)) or np.any(power < 0):
        raise ValueError("result.power must be finite and non-negative")
    if np.any((power > 0) & (assignment == 0)):
        raise ValueError("result.power is positive on an edge that is not assigned")
    return assignment.astype(np.int8), power


def allocation_ber(
    scenario: Scenario,
    result: Any,
    *,
    codebook: Codebook | str = "CS1",
    fading: str = "rayleigh",
    iterations: int = 6,
    detector: str = "log-mpa",
    target_errors: int = 100,
    max_blocks: int = 1_000_000,
    batch_size: int = DEFAULT_BATCH,
    seed: int = 0,
    progress: bool = False,
    device: str | torch.device | None = None,
) -> AllocationBER:
    """Per-user BER of an allocation on an SCMA link with MPA detection.

    Parameters
    ----------
    scenario : Scenario
        The drop: ``gains`` (K, J) (mean power gains), ``noise_power``.
    result : AllocationResult or mapping
        ``assignment`` (K, J) 0/1 and ``power`` (K, J) watts, as every solver returns.
    codebook : Codebook or str, default "CS1"
        The codebook set whose layers the users send (its layers must have as many
        dimensions as each user has resources).
    fading : {"rayleigh", "none"}
        Rayleigh fading around the drop's gains, per block (default), or the gains alone.
    iterations : int, default 6
    detector : {"log-mpa", "max-log-mpa"}
    target_errors : int, default 100
        Stop when every user has this many bit errors ...
    max_blocks : int, default 1_000_000
        ... or after this many blocks (a user with few errors then has a coarse BER: its
        ``bit_errors`` say how coarse; 0 errors in ``bits`` bits means BER below about
        ``3 / bits``).
    batch_size : int, default 65536
    seed : int, default 0
        Seed of bits, fading and noise: allocations of one drop simulated with the same
        seed see the same bits and the same fading and noise samples (paired).
    progress : bool, default False
        A tqdm bar over blocks.
    device : str or torch.device, optional

    Returns
    -------
    AllocationBER
        ``.ber``: shape (J,), one BER per user.

    Raises
    ------
    TypeError, ValueError
        On bad input (naming it), before any simulation; ``ValueError`` also when the
        codebook's layers cannot be placed (see :func:`assign_layers`).

    Examples
    --------
    >>> import scma_alloc as sa
    >>> from scma_alloc.link import allocation_ber
    >>> scenario = sa.random_scenario(power_budget_dbm=-45, rng=3)
    >>> result = sa.solve_max_min(scenario, rng=0)
    >>> out = allocation_ber(scenario, result, max_blocks=20_000, seed=1)
    >>> out.ber.shape
    (6,)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a scma_alloc.Scenario, got {type(scenario).__name__}")
    assignment, power = _allocation(result, scenario)
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    fading = check_choice(fading, FADING, "fading")
    iterations = check_count(iterations, "iterations")
    detector = check_choice(detector, DETECTORS, "detector")
    target_errors = check_count(target_errors, "target_errors")
    max_blocks = check_count(max_blocks, "max_blocks")
    batch_size = check_count(batch_size, "batch_size")
    seed = check_count(seed, "seed", minimum=0)
    layers = assign_layers(assignment, cb)
    table = allocation_codewords(assignment, power, cb, layers)
    active = (assignment == 1) & (power > 0)
    # Work in units of the noise: gains / noise_power as power gains, unit noise variance.
    gamma = scenario.gains / scenario.noise_power
    link = _Link(
        table,
        fading=fading,
        gains=gamma,
        iterations=iterations,
        detector=detector,
        device=device,
        graph=active.astype(np.int8),
    )
    n_users = scenario.n_users
    errors = np.zeros(n_users, dtype=np.int64)
    blocks = 0
    generator = torch.Generator(device=link.device)
    generator.manual_seed(seed)
    start = time.perf_counter()
    status = STATUS_INTERRUPTED
    interrupted = False
    bar = tqdm(total=max_blocks, disable=not progress, unit="block", desc="allocation BER")
    try:
        while errors.min() < target_errors and blocks < max_blocks:
            size = int(min(batch_size, max_blocks - blocks))
            bits, bits_hat = link.run(size, 1.0, generator)
            errors += (bits != bits_hat).sum(dim=(0, 2)).cpu().numpy()
            blocks += size
            bar.update(size)
        status = STATUS_TARGET if errors.min() >= target_errors else STATUS_MAX
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    bits_per_user = blocks * cb.bits_per_codeword
    with np.errstate(divide="ignore", invalid="ignore"):
        ber = errors / bits_per_user if blocks else np.full(n_users, np.nan)
        snr_db = 10 * np.log10(gamma * power)
    return AllocationBER(
        ber=ber,
        bit_errors=errors,
        bits=np.full(n_users, bits_per_user, dtype=np.int64),
        blocks=blocks,
        layers=layers,
        snr_db=snr_db,
        seconds=time.perf_counter() - start,
        status=status,
        interrupted=interrupted,
        settings={
            "codebook": cb.name,
            "fading": fading,
            "detector": detector,
            "iterations": iterations,
            "target_errors": target_errors,
            "max_blocks": max_blocks,
            "batch_size": batch_size,
            "seed": seed,
        },
    )
