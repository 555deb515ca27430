"""Shared helpers of the ``benchmarks/gfnoma_fig*.py`` scripts (not a benchmark itself).

* trained runs are read from ``results/gfnoma_train/<run>/`` (made by
  ``benchmarks/gfnoma_train_runs.py``);
* every BER point runs until ``TARGET_ERRORS`` bit errors or ``MAX_SAMPLES`` channel uses,
  seed 0, so all curves at a point see the same bits, activity, fading and noise;
* tables are printed with the bit-error counts behind each BER.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gfnoma as gf  # noqa: E402

RESULTS = ROOT / "results" / "gfnoma_train"
FIG = ROOT / "docs" / "figures"
SNR = np.array([-5.0, 0.0, 5.0, 10.0, 15.0, 20.0])
TARGET_ERRORS = 1000
MAX_SAMPLES = 1_000_000
P_N12 = (0.8,) * 6 + (0.4,) * 6


def setup(quick: bool = False) -> dict:
    """Single-threaded torch; BER settings (``quick``: 100 errors / 20 000 uses, a smoke run)."""
    torch.set_num_threads(1)
    FIG.mkdir(parents=True, exist_ok=True)
    if quick:
        return {"target_errors": 100, "max_samples": 20_000, "batch_size": 10_000, "seed": 0}
    return {
        "target_errors": TARGET_ERRORS,
        "max_samples": MAX_SAMPLES,
        "batch_size": 20_000,
        "seed": 0,
    }


def run_dir(run: str) -> Path:
    path = RESULTS / run
    if not (path / "decoder.pt").is_file():
        raise SystemExit(
            f"{path.relative_to(ROOT)}/decoder.pt not found: run "
            f"`python benchmarks/gfnoma_train_runs.py --only {run}` first"
        )
    return path


def trained(run: str, label: str | None = None) -> tuple[gf.Signatures, gf.NeuralReceiver]:
    """Signatures and decoder (as a receiver) of a training run."""
    path = run_dir(run)
    sig = gf.Signatures.load(path / "signatures.json")
    if label:
        sig = sig.with_name(label)
    return sig, gf.load_receiver(path / "decoder.pt")


def sweep(pairs: list[tuple[gf.Signatures, object]], kw: dict, snr=SNR) -> pd.DataFrame:
    """Concatenated :func:`gfnoma.simulate_ber` tables of (signatures, receiver) pairs."""
    tables = []
    for sig, rx in pairs:
        res = gf.simulate_ber(sig, rx, snr, progress=False, **kw)
        tables.append(res.table)
    return pd.concat(tables, ignore_index=True)


def pivot(table: pd.DataFrame, value: str = "ber", fmt: str = "{:.2e}") -> str:
    t = table.assign(curve=table["signatures"] + " / " + table["receiver"])
    piv = t.pivot_table(index="curve", columns="snr_db", values=value, sort=False)
    return piv.to_string(float_format=lambda v: fmt.format(v))


def report(table: pd.DataFrame, title: str) -> None:
    """Print BER, bit errors and channel uses per curve and SNR, and the activity errors."""
    print(f"\n## {title}: BER")
    print(pivot(table))
    print("bit errors behind each point:")
    print(pivot(table, "bit_errors", "{:.0f}"))
    print(
        f"fewest bit errors at any point: {int(table['bit_errors'].min())}; "
        f"most channel uses: {int(table['samples'].max())}"
    )
    hi = table[table["snr_db"] >= 10]
    cols = [
        "signatures",
        "receiver",
        "snr_db",
        "ber",
        "bit_errors",
        "miss_rate",
        "false_alarm_rate",
        "jain",
    ]
    print("10-20 dB details:")
    print(hi[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def save(fig, name: str) -> None:
    path = FIG / name
    fig.savefig(path)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


def figure(ncols: int = 1, width: float = 6.4):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, 4.4), dpi=80, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes
