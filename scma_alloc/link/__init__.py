"""Link-level truth for SCMA allocations: codebooks, message-passing detection, BER.

Everything else in :mod:`scma_alloc` reports Gaussian-input Shannon rates; this
subpackage measures what a real SCMA link delivers: the published codebook sets
(``"CS1"`` .. ``"CS8"``), a batched Log-MPA / Max-Log-MPA detector, AWGN and Rayleigh
channels, Monte-Carlo BER curves, and the per-user BER of any allocation.

The code lives in private modules, one concept each; every public name is re-exported
here. Conventions (normalisation, SNR, labelling, LLR sign) are stated in
``docs/scma_link.md``.

Examples
--------
>>> from scma_alloc.link import load_codebook, simulate_ber
>>> cb = load_codebook("CS1")
>>> result = simulate_ber(cb, [4.0], target_errors=200, max_blocks=20_000, seed=1)
>>> 0.05 < float(result.ber[0]) < 0.1
True
"""

from __future__ import annotations

from ._allocation import FADING, AllocationBER, allocation_ber
from ._channel import CHANNELS, bits_to_indices, ebno_to_esno, esno_to_noise_var, transmit
from ._codebook import MAX_SUPERPOSED_HYPOTHESES, POINT_TOLERANCE, Codebook
from ._detector import DETECTORS, MPADetector, bit_labels
from ._io import CODEBOOK_NAMES, load_codebook, read_codebook, save_codebook
from ._layers import allocation_codewords, assign_layers
from ._simulate import BERResult, make_mc_fun, point_seed, simulate_ber

__all__ = [
    "CHANNELS",
    "CODEBOOK_NAMES",
    "DETECTORS",
    "FADING",
    "MAX_SUPERPOSED_HYPOTHESES",
    "POINT_TOLERANCE",
    "AllocationBER",
    "BERResult",
    "Codebook",
    "MPADetector",
    "allocation_ber",
    "allocation_codewords",
    "assign_layers",
    "bit_labels",
    "bits_to_indices",
    "ebno_to_esno",
    "esno_to_noise_var",
    "load_codebook",
    "make_mc_fun",
    "point_seed",
    "read_codebook",
    "save_codebook",
    "simulate_ber",
    "transmit",
]
