"""Pretrained QNN signatures and receivers shipped as package data (``gfnoma/data/``).

Each entry of :data:`PRETRAINED` names a file and the exact command that regenerates it (run
from the repository root; the command writes the set to ``OUT/signatures.json``, which is
copied to ``gfnoma/data/``). Each entry of :data:`PRETRAINED_RECEIVERS` names a detector
file (:func:`gfnoma.detector.save_detector`) and the command that writes it bit for bit
(``gfnoma train-detector``, one thread, fixed seed; on another CPU or torch version the
weights may differ in the last bits).
"""

from __future__ import annotations

import io
from importlib import resources
from typing import TYPE_CHECKING

from gfnoma.signatures import Signatures

if TYPE_CHECKING:
    from gfnoma.detector import DetectorReceiver

__all__ = ["PRETRAINED", "PRETRAINED_RECEIVERS", "pretrained_receiver", "pretrained_signatures"]

#: Name -> (file in gfnoma/data, command that regenerates it). The plain names are trained
#: with our ``fast-lmmse`` recipe; the ``-paper`` names with the paper's recipe at the ``fast``
#: sizes; ``n6h4-asy-cc`` with our recipe plus the correlation term of
#: ``docs/gfnoma_appendix.md`` decision 17 (``correlation_weight=50``, beyond the paper).
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


_TRAIN = "python -m gfnoma train-detector --threads 1"

#: Name -> (file in gfnoma/data, command that regenerates it, what it is). All are
#: :class:`~gfnoma.SoftSICNN` detectors trained with :func:`gfnoma.train_detector`
#: (``docs/gfnoma_receivers.md``); ``sicnn-*`` have one module per SIC stage (the paper's
#: structure, narrower layers), ``fcnn-*`` one fully connected module of about the same
#: parameter count, ``ours-*`` two sweeps of the cascade (beyond the paper). Those whose
#: command has ``--joint`` learnt their QNN set with the detector
#: (:func:`gfnoma.train_detector_jointly`); their ``signatures`` are the learnt set.
PRETRAINED_RECEIVERS: dict[str, tuple[str, str, str]] = {
    "sicnn-wbe-asy": (
        "sicnn_wbe_asy.pt",
        f"{_TRAIN} --signatures wbe --activation asy --steps 8000 --seed 0"
        " --name sicnn-wbe-asy --out gfnoma/data/sicnn_wbe_asy.pt",
        "SICNN (one module per stage) for fixed WBE, p_asy, N=6, H=4",
    ),
    "sicnn-qnn-asy": (
        "sicnn_qnn_asy.pt",
        f"{_TRAIN} --signatures pretrained:n6h4-asy --steps 8000 --seed 0 --joint"
        " --name sicnn-qnn-asy --out gfnoma/data/sicnn_qnn_asy.pt",
        "SICNN trained jointly with its QNN set (starting from n6h4-asy; the learnt set is"
        " receiver.signatures), p_asy, N=6, H=4",
    ),
    "fcnn-wbe-asy": (
        "fcnn_wbe_asy.pt",
        f"{_TRAIN} --signatures wbe --activation asy --steps 8000 --seed 0"
        " --set structure=fc --set hidden=171,171,171"
        " --name fcnn-wbe-asy --out gfnoma/data/fcnn_wbe_asy.pt",
        "FCNN of about the SICNN's parameter count, same recipe, fixed WBE, p_asy, N=6, H=4",
    ),
    "ours-wbe-asy": (
        "ours_wbe_asy.pt",
        f"{_TRAIN} --signatures wbe --activation asy --steps 8000 --seed 0"
        " --set passes=2 --set hidden=40,40,40"
        " --name ours-wbe-asy --out gfnoma/data/ours_wbe_asy.pt",
        "ours: two sweeps of the cascade, about the SICNN's parameter count, fixed WBE,"
        " p_asy, N=6, H=4",
    ),
    "sicnn-wbe-high": (
        "sicnn_wbe_high.pt",
        f"{_TRAIN} --signatures wbe --activation high --steps 8000 --seed 0"
        " --name sicnn-wbe-high --out gfnoma/data/sicnn_wbe_high.pt",
        "SICNN for fixed WBE, p_high, N=6, H=4",
    ),
    "sicnn-wbe-low": (
        "sicnn_wbe_low.pt",
        f"{_TRAIN} --signatures wbe --activation low --steps 8000 --seed 0"
        " --name sicnn-wbe-low --out gfnoma/data/sicnn_wbe_low.pt",
        "SICNN for fixed WBE, p_low, N=6, H=4",
    ),
    "ours-wbe-low": (
        "ours_wbe_low.pt",
        f"{_TRAIN} --signatures wbe --activation low --steps 8000 --seed 0"
        " --set passes=2 --set hidden=40,40,40"
        " --name ours-wbe-low --out gfnoma/data/ours_wbe_low.pt",
        "ours: two sweeps of the cascade, fixed WBE, p_low, N=6, H=4",
    ),
    "fcnn-wbe-high": (
        "fcnn_wbe_high.pt",
        f"{_TRAIN} --signatures wbe --activation high --steps 8000 --seed 0"
        " --set structure=fc --set hidden=171,171,171"
        " --name fcnn-wbe-high --out gfnoma/data/fcnn_wbe_high.pt",
        "FCNN of about the SICNN's parameter count, same recipe, fixed WBE, p_high, N=6, H=4",
    ),
    "fcnn-wbe-low": (
        "fcnn_wbe_low.pt",
        f"{_TRAIN} --signatures wbe --activation low --steps 8000 --seed 0"
        " --set structure=fc --set hidden=171,171,171"
        " --name fcnn-wbe-low --out gfnoma/data/fcnn_wbe_low.pt",
        "FCNN of about the SICNN's parameter count, same recipe, fixed WBE, p_low, N=6, H=4",
    ),
    "sicnn-qnn-high": (
        "sicnn_qnn_high.pt",
        f"{_TRAIN} --signatures pretrained:n6h4-high --steps 8000 --seed 0 --joint"
        " --name sicnn-qnn-high --out gfnoma/data/sicnn_qnn_high.pt",
        "SICNN trained jointly with its QNN set (starting from n6h4-high; the learnt set is"
        " receiver.signatures), p_high, N=6, H=4",
    ),
    "sicnn-qnn-low": (
        "sicnn_qnn_low.pt",
        f"{_TRAIN} --signatures pretrained:n6h4-low --steps 8000 --seed 0 --joint"
        " --name sicnn-qnn-low --out gfnoma/data/sicnn_qnn_low.pt",
        "SICNN trained jointly with its QNN set (starting from n6h4-low; the learnt set is"
        " receiver.signatures), p_low, N=6, H=4",
    ),
    "sicnn-wbe-n12": (
        "sicnn_wbe_n12.pt",
        f"{_TRAIN} --signatures wbe --activation"
        " 0.8,0.8,0.8,0.8,0.8,0.8,0.4,0.4,0.4,0.4,0.4,0.4 --length 8 --steps 8000 --seed 0"
        " --name sicnn-wbe-n12 --out gfnoma/data/sicnn_wbe_n12.pt",
        "SICNN for fixed WBE, p = 0.8 x 6 and 0.4 x 6, N=12, H=8",
    ),
    "sicnn-qnn-n12": (
        "sicnn_qnn_n12.pt",
        f"{_TRAIN} --signatures pretrained:n12h8-asy --steps 8000 --seed 0 --joint"
        " --name sicnn-qnn-n12 --out gfnoma/data/sicnn_qnn_n12.pt",
        "SICNN trained jointly with its QNN set (starting from n12h8-asy; the learnt set is"
        " receiver.signatures), p = 0.8 x 6 and 0.4 x 6, N=12, H=8",
    ),
    "fcnn-wbe-n12": (
        "fcnn_wbe_n12.pt",
        f"{_TRAIN} --signatures wbe --activation"
        " 0.8,0.8,0.8,0.8,0.8,0.8,0.4,0.4,0.4,0.4,0.4,0.4 --length 8 --steps 8000 --seed 0"
        " --set structure=fc --set hidden=251,251,251"
        " --name fcnn-wbe-n12 --out gfnoma/data/fcnn_wbe_n12.pt",
        "FCNN of about the SICNN's parameter count, same recipe, fixed WBE, p = 0.8 x 6 and"
        " 0.4 x 6, N=12, H=8",
    ),
}


def pretrained_receiver(name: str) -> DetectorReceiver:
    """Load a pretrained receiver by name (one of :data:`PRETRAINED_RECEIVERS`).

    The receiver plugs in wherever a receiver does (``simulate_ber(signatures, receiver,
    snr_db)``, ``gfnoma ber --receivers NAME``) and knows the set it was trained for as
    ``receiver.signatures``; other signature sets are refused unless their chip magnitudes
    match.

    Parameters
    ----------
    name : str
        {names}

    Returns
    -------
    gfnoma.detector.DetectorReceiver

    Raises
    ------
    ValueError
        ``name`` is not a pretrained receiver.

    Examples
    --------
    >>> from gfnoma import pretrained_receiver, simulate_ber
    >>> rx = pretrained_receiver("sicnn-wbe-asy")
    >>> res = simulate_ber(rx.signatures, rx, 20, max_samples=2000, progress=False)
    >>> float(res.table["ber"][0]) < 0.05
    True
    """
    if not isinstance(name, str) or name not in PRETRAINED_RECEIVERS:
        raise ValueError(f"name must be one of {', '.join(PRETRAINED_RECEIVERS)}, got {name!r}")
    from gfnoma.detector import load_detector

    filename = PRETRAINED_RECEIVERS[name][0]
    data = resources.files("gfnoma").joinpath("data", filename).read_bytes()
    return load_detector(io.BytesIO(data), name=name)


pretrained_receiver.__doc__ = (pretrained_receiver.__doc__ or "").replace(
    "{names}", "One of " + ", ".join(f"``{n}``" for n in PRETRAINED_RECEIVERS) + "."
)
