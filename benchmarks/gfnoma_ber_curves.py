"""BER-vs-SNR curves for the docs (cf. paper Fig. 6 and 8), printed and plotted.

Run from the repository root::

    python benchmarks/gfnoma_ber_curves.py             # ~10 min on 2 cores
    python benchmarks/gfnoma_ber_curves.py --quick     # fewer samples, for a smoke test

Writes to ``docs/figures/``:

* ``gfnoma_ber_p_asy.png``: p_asy, N=6, H=4; WBE, MUSA-like, quantised WBE and the CC-search
  set under MMSE-SIC and MF (the paper's Fig. 6 setting, with the CC search instead of QNN).
* ``gfnoma_ber_receivers.png``: p_asy; WBE and the CC-search set under every receiver (MF,
  MMSE-SIC, joint MAP, oracle-LS, oracle-MMSE) (cf. Fig. 8).
* ``gfnoma_ber_profiles.png``: MMSE-SIC with WBE, MUSA-like and the CC-search set (searched
  for each profile) under p_asy, p_high and p_low.

Each point stops at ``--target-errors`` bit errors or ``--max-samples`` channel uses; seed 0;
torch single-threaded. The tables printed here are the numbers quoted in
``docs/gfnoma_simulator.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gfnoma import (  # noqa: E402
    P_ASY,
    P_HIGH,
    P_LOW,
    ber_sweep,
    musa_like,
    plot_ber,
    quantized_wbe,
    search_signatures,
    wbe,
)

SNR = np.array([-5.0, 0.0, 5.0, 10.0, 15.0, 20.0])
FIG = ROOT / "docs" / "figures"


def _sets(p):
    search = search_signatures(p, 4, q=2, seed=0).signatures
    return {
        "wbe": wbe(p, 4),
        "musa": musa_like(p, 4),
        "qwbe": quantized_wbe(p, 4),
        "search": search,
    }


def _pivot(table: pd.DataFrame) -> str:
    t = table.assign(curve=table["signatures"] + " / " + table["receiver"])
    piv = t.pivot_table(index="curve", columns="snr_db", values="ber", sort=False)
    return piv.to_string(float_format=lambda v: f"{v:.2e}")


def _save(ax, name: str) -> None:
    path = FIG / name
    ax.figure.savefig(path, dpi=90)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--target-errors", type=int, default=2000)
    ap.add_argument("--max-samples", type=int, default=1_000_000)
    args = ap.parse_args()
    if args.quick:
        args.target_errors, args.max_samples = 100, 20_000
    torch.set_num_threads(1)
    FIG.mkdir(parents=True, exist_ok=True)
    kw = {
        "target_errors": args.target_errors,
        "max_samples": args.max_samples,
        "batch_size": 20_000,
        "seed": 0,
        "progress": False,
    }
    print(
        f"# gfnoma BER curves, {time.strftime('%Y-%m-%d %H:%M')}; target {args.target_errors} "
        f"bit errors or {args.max_samples} channel uses per point; seed 0\n"
    )
    t_start = time.perf_counter()

    sets = _sets(P_ASY)
    res = ber_sweep(
        [sets["wbe"], sets["musa"], sets["qwbe"], sets["search"]], ["mmse-sic", "mf"], SNR, **kw
    )
    print("## p_asy, N=6, H=4: BER (MMSE-SIC, MF)")
    print(_pivot(res.table))
    cols = [
        "signatures",
        "receiver",
        "snr_db",
        "activity_error_rate",
        "miss_rate",
        "false_alarm_rate",
        "jain",
    ]
    sub = res.table[(res.table["receiver"] == "MMSE-SIC") & (res.table["snr_db"] >= 10)]
    print("\nMMSE-SIC activity errors and Jain's index (10-20 dB):")
    print(sub[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    _save(plot_ber(res, title="N=6, H=4, p_asy: MMSE-SIC and MF"), "gfnoma_ber_p_asy.png")

    rx = ["mf", "mmse-sic", "map", "oracle-ls", "oracle-mmse"]
    kw_map = {**kw, "batch_size": 4_000}
    res2 = ber_sweep([sets["wbe"], sets["search"]], rx, SNR, **kw_map)
    print("## p_asy, N=6, H=4: every receiver")
    print(_pivot(res2.table))
    orc = res2.table[res2.table["receiver"] == "oracle-LS"]["pinv_fraction"]
    print(
        f"\noracle-LS needed the pseudo-inverse (|Gamma| > H) in {orc.mean():.4f} of channel "
        "uses (exact: 0.2048)"
    )
    _save(plot_ber(res2, title="N=6, H=4, p_asy: all receivers"), "gfnoma_ber_receivers.png")

    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.2), dpi=90, layout="constrained")
    axes = fig.subplots(1, 3, sharey=True)
    for ax, (label, p) in zip(
        axes, (("p_asy", P_ASY), ("p_high", P_HIGH), ("p_low", P_LOW)), strict=True
    ):
        s = _sets(p)
        r = ber_sweep([s["wbe"], s["musa"], s["search"]], ["mmse-sic"], SNR, **kw)
        print(f"## {label}: MMSE-SIC")
        print(_pivot(r.table))
        print()
        plot_ber(r, ax=ax, title=f"{label}: MMSE-SIC")
    path = FIG / "gfnoma_ber_profiles.png"
    fig.savefig(path)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")
    print(f"\n# total {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
