"""Link-level truth for SCMA allocations: codebooks, message-passing detection, BER.

Everything else in :mod:`scma_alloc` reports Gaussian-input Shannon rates; this
subpackage measures what a real SCMA link delivers: the published codebook sets
(``"CS1"`` .. ``"CS8"``), a batched Log-MPA / Max-Log-MPA detector, AWGN and Rayleigh
channels, Monte-Carlo BER curves, and the per-user BER of any allocation.

The code lives in private modules, one concept each (``_codebook``: the codebook object
and its properties; ``_io``: files and the shipped sets; ``_detector``: message passing;
``_channel``: SNR conventions, labelling and channels; ``_simulate``: Monte-Carlo BER;
``_layers``: codebook layers on an allocation's graph; ``_allocation``: the BER of an
allocation; ``_cli``: the ``ber`` and ``link`` commands). Every public name is re-exported
here and loaded on first use (torch is imported then, not by ``import scma_alloc.link``).
Conventions (normalisation, SNR, labelling, LLR sign) are stated in ``docs/scma_link.md``.

Examples
--------
>>> from scma_alloc.link import load_codebook, simulate_ber
>>> cb = load_codebook("CS1")
>>> result = simulate_ber(cb, [4.0], target_errors=200, max_blocks=20_000, seed=1)
>>> 0.04 < float(result.ber[0]) < 0.09
True
"""

from __future__ import annotations

import importlib
from typing import Any

#: Every public name and the private module that holds it.
_NAMES = {
    "AllocationBER": "_allocation",
    "FADING": "_allocation",
    "allocation_ber": "_allocation",
    "CHANNELS": "_channel",
    "bits_to_indices": "_channel",
    "ebno_to_esno": "_channel",
    "esno_to_noise_var": "_channel",
    "transmit": "_channel",
    "MAX_SUPERPOSED_HYPOTHESES": "_codebook",
    "POINT_TOLERANCE": "_codebook",
    "Codebook": "_codebook",
    "DETECTORS": "_detector",
    "MPADetector": "_detector",
    "bit_labels": "_detector",
    "CODEBOOK_NAMES": "_io",
    "load_codebook": "_io",
    "read_codebook": "_io",
    "save_codebook": "_io",
    "allocation_codewords": "_layers",
    "assign_layers": "_layers",
    "BERResult": "_simulate",
    "make_mc_fun": "_simulate",
    "point_seed": "_simulate",
    "simulate_ber": "_simulate",
}


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'scma_alloc.link' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))


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
