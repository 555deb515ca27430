"""Pretrained QNN signatures shipped as package data (``gfnoma/data/*.json``).

Each entry of :data:`PRETRAINED` names a file and the exact command that regenerates it (run
from the repository root; the command writes the set to ``OUT/signatures.json``, which is
copied to ``gfnoma/data/``).
"""

from __future__ import annotations

from importlib import resources

from gfnoma.signatures import Signatures

__all__ = ["PRETRAINED", "pretrained_signatures"]

#: Name -> (file in gfnoma/data, command that regenerates it). The plain names are trained
#: with our ``fast-lmmse`` recipe; the ``-paper`` names with the paper's recipe at the ``fast``
#: sizes; ``n6h4-asy-cc`` with our recipe plus the correlation term of
#: ``docs/gfnoma_results.md`` decision 17 (``correlation_weight=50``, beyond the paper).
PRETRAINED: dict[str, tuple[str, str]] = {
    "n6h4-asy": (
        "qnn_n6h4_asy.json",
        "python -m gfnoma train --config fast-lmmse --out results/pretrained/n6h4-asy"
        " --max-steps 35000 --set max_seconds=null --set name=QNN-n6h4-asy",
    ),
    "n6h4-asy-cc": (
        "qnn_n6h4_asy_cc.json",
        "python -m gfnoma train --config fast-lmmse --out results/pretrained/n6h4-asy-cc"
        " --max-steps 41000 --set max_seconds=null --set correlation_weight=50"
        " --set name=QNN-n6h4-asy-cc",
    ),
    "n6h4-high": (
        "qnn_n6h4_high.json",
        "python -m gfnoma train --config fast-lmmse --out results/pretrained/n6h4-high"
        " --activation high --max-steps 25000 --set max_seconds=null"
        " --set name=QNN-n6h4-high",
    ),
    "n6h4-low": (
        "qnn_n6h4_low.json",
        "python -m gfnoma train --config fast-lmmse --out results/pretrained/n6h4-low"
        " --activation low --max-steps 25000 --set max_seconds=null"
        " --set name=QNN-n6h4-low",
    ),
    "n12h8-asy": (
        "qnn_n12h8_asy.json",
        "python -m gfnoma train --config fast-lmmse --out results/pretrained/n12h8-asy"
        " --activation 0.8,0.8,0.8,0.8,0.8,0.8,0.4,0.4,0.4,0.4,0.4,0.4 --set length=8"
        " --max-steps 10000 --set max_seconds=null --set name=QNN-n12h8-asy",
    ),
    "n6h4-asy-paper": (
        "qnn_n6h4_asy_paper.json",
        "python -m gfnoma train --config fast --out results/pretrained/n6h4-asy-paper"
        " --max-steps 48000 --set max_seconds=null --set name=QNN-n6h4-asy-paper",
    ),
    "n6h4-high-paper": (
        "qnn_n6h4_high_paper.json",
        "python -m gfnoma train --config fast --out results/pretrained/n6h4-high-paper"
        " --activation high --max-steps 55000 --set max_seconds=null"
        " --set name=QNN-n6h4-high-paper",
    ),
    "n6h4-low-paper": (
        "qnn_n6h4_low_paper.json",
        "python -m gfnoma train --config fast --out results/pretrained/n6h4-low-paper"
        " --activation low --max-steps 56000 --set max_seconds=null"
        " --set name=QNN-n6h4-low-paper",
    ),
    "n12h8-asy-paper": (
        "qnn_n12h8_asy_paper.json",
        "python -m gfnoma train --config fast --out results/pretrained/n12h8-asy-paper"
        " --activation 0.8,0.8,0.8,0.8,0.8,0.8,0.4,0.4,0.4,0.4,0.4,0.4 --set length=8"
        " --max-steps 17000 --set max_seconds=null --set name=QNN-n12h8-asy-paper",
    ),
}


def pretrained_signatures(name: str) -> Signatures:
    """Load a pretrained signature set by name (one of :data:`PRETRAINED`)."""
    if not isinstance(name, str) or name not in PRETRAINED:
        raise ValueError(f"name must be one of {', '.join(PRETRAINED) or '(none)'}, got {name!r}")
    filename = PRETRAINED[name][0]
    text = resources.files("gfnoma").joinpath("data", filename).read_text(encoding="utf-8")
    return Signatures.from_json(text)
