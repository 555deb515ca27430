"""SNR conventions, bits to codewords, and the channels: AWGN and Rayleigh block fading.

SNR (one block = one codeword of every user on the K resources):

* **Es/N0** is per resource element of the superposed signal. Codebooks are normalised to
  unit mean power per resource element (:meth:`Codebook.normalized`), so the complex
  noise variance per resource element is ``N0 = 10**(-EsN0_dB / 10)``.
* **Eb/N0** counts the ``J log2(M)`` bits of a block over its K resource elements:
  ``Eb/N0 = Es/N0 - 10 log10(J log2(M) / K)`` (4.77 dB for J = 6, K = 4, M = 4), the
  convention of AFF3CT's SCMA simulations (its "bps" = 3 for these sets).

Labelling: natural binary, LSB first: the bits ``b_0, b_1, ...`` of a user select codeword
``m = sum_t b_t 2**t`` (AFF3CT's SCMA modem does the same).

Channels: ``y[k] = sum_j h[k, j] x_j[k, m_j] + n[k]``, ``n ~ CN(0, N0)``; AWGN: ``h = 1``;
Rayleigh: every user has its own ``h[k, j] ~ CN(0, 1)`` on every resource element and
every block, independent, known at the detector (AFF3CT's Rayleigh channel without block
fading).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import torch

from ._codebook import Codebook

__all__ = [
    "CHANNELS",
    "bits_to_indices",
    "ebno_to_esno",
    "esno_to_noise_var",
    "transmit",
]

#: Channel names of the BER simulations.
CHANNELS = ("awgn", "rayleigh")

#: Eb/N0 and Es/N0 accepted (dB).
SNR_DB_RANGE = (-50.0, 100.0)


def ebno_to_esno(ebno_db: Any, codebook: Codebook) -> np.ndarray | float:
    """Es/N0 per resource element (dB) from Eb/N0 (dB): ``+ 10 log10(J log2(M) / K)``.

    Examples
    --------
    >>> from scma_alloc.link import load_codebook
    >>> round(ebno_to_esno(0.0, load_codebook("CS1")), 2)
    4.77
    """
    offset = 10.0 * math.log10(codebook.bits_per_resource_element)
    value = np.asarray(ebno_db, dtype=float) + offset
    return float(value) if value.ndim == 0 else value


def esno_to_noise_var(esno_db: Any) -> np.ndarray | float:
    """Complex noise variance per resource element for unit signal power: ``10**(-EsN0/10)``."""
    value = 10.0 ** (-np.asarray(esno_db, dtype=float) / 10.0)
    return float(value) if value.ndim == 0 else value


def bits_to_indices(bits: torch.Tensor) -> torch.Tensor:
    """Codeword indices from bits, natural binary with the first bit least significant.

    Parameters
    ----------
    bits : torch.Tensor, shape (..., log2 M)
        0/1 values.

    Returns
    -------
    torch.Tensor of int64, shape (...)
    """
    weights = 2 ** torch.arange(bits.shape[-1], device=bits.device)
    return (bits.to(torch.int64) * weights).sum(dim=-1)


def transmit(
    table: torch.Tensor,
    indices: torch.Tensor,
    noise_var: float,
    generator: torch.Generator,
    *,
    fading: str = "none",
    gains: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One batch through the channel.

    Parameters
    ----------
    table : torch.Tensor of complex, shape (J, K, M)
        What each user sends (a normalised codebook, or one scaled by powers).
    indices : torch.Tensor of int, shape (B, J)
        The codeword of every user in every block.
    noise_var : float
        N0, complex noise variance per resource element.
    generator : torch.Generator
        The source of the fading and the noise (on the table's device).
    fading : {"none", "rayleigh"}
        ``"rayleigh"``: ``h[b, k, j] = amplitude[k, j] * g``, ``g ~ CN(0, 1)`` drawn per
        block, resource and user; ``"none"``: ``h = amplitude`` (1 without ``gains``).
    gains : torch.Tensor, shape (K, J), optional
        Mean power gains; ``amplitude = sqrt(gains)`` (default 1).

    Returns
    -------
    y : torch.Tensor of complex, shape (B, K)
    h : torch.Tensor of complex, shape (B, K, J), or None
        The channel known at the detector (None: all ones, AWGN).
    """
    n_blocks, n_users = indices.shape
    n_resources = table.shape[1]
    user = torch.arange(n_users, device=table.device)
    x = table[user[None, :], :, indices].transpose(1, 2)  # (B, K, J)
    h = None
    if fading == "rayleigh":
        h = torch.randn(
            (n_blocks, n_resources, n_users),
            dtype=table.dtype,
            device=table.device,
            generator=generator,
        )
        if gains is not None:
            h = h * gains.sqrt().to(h.dtype)
    elif gains is not None:
        h = gains.sqrt().to(table.dtype).expand(n_blocks, n_resources, n_users)
    y = (x if h is None else x * h).sum(dim=2)
    noise = torch.randn(
        (n_blocks, n_resources), dtype=table.dtype, device=table.device, generator=generator
    )
    y = y + math.sqrt(noise_var) * noise
    return y, h


def check_snr_db(values: Any, name: str) -> np.ndarray:
    """SNR values (dB) as a 1-D float array; TypeError / ValueError naming ``name``."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a number or a list of numbers, got a string")
    if isinstance(values, bool):
        raise TypeError(f"{name} must be a number or a list of numbers, got a bool")
    array = np.atleast_1d(np.asarray(values))
    if array.dtype.kind not in "biuf" or array.ndim != 1:
        raise TypeError(f"{name} must be a number or a 1-D list of numbers, got {values!r}")
    array = array.astype(float)
    low, high = SNR_DB_RANGE
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold at least one finite value")
    if np.any((array < low) | (array > high)):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}] dB, got {array.tolist()}")
    return array


def check_choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | float):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if isinstance(value, float) and not value.is_integer():
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value
