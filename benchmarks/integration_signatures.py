"""Learned vs conventional signatures, judged by the rates and fairness the allocator reaches.

The benchmark behind ``docs/integration.md`` §"Learned vs conventional signatures": every
signature set (WBE, quantised WBE, MUSA-like, the CC search, random, and the shipped QNN
set for p_asy) becomes an interference model for each fading model, and the default
Max-Min and Max-SR solvers allocate on the same seeded 4 x 6 drops (paper noise) at every
budget (:func:`gfnoma.allocation_study`); the SCMA SIC model is solved on the same drops.

Prints, per fading model and objective, the mean metrics with 95 % t-intervals and the
paired difference to WBE; writes ``docs/figures/integration_signatures_<fading>.png``.
One resumable SQLite store per set and fading model under ``--out`` (rerun to resume).

    python benchmarks/integration_signatures.py                  # 40 drops, ~10 min
    python benchmarks/integration_signatures.py --drops 4        # a quick look
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import gfnoma as gf

ROOT = Path(__file__).resolve().parents[1]


def signature_sets(length: int = 4) -> list[gf.Signatures]:
    """The compared sets for p_asy, N=6, H=4."""
    p = gf.P_ASY
    return [
        gf.wbe(p, length),
        gf.quantized_wbe(p, length),
        gf.musa_like(p, length),
        gf.search_signatures(p, length).signatures.with_name("CC search"),
        gf.random_signatures(p, length, seed=0).with_name("random"),
        gf.pretrained_signatures("n6h4-asy"),
        gf.pretrained_signatures("n6h4-asy-paper"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=40)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3, 4, 5, 6, 7, 8, 9, 10])
    parser.add_argument("--fading", nargs="+", default=["flat", "per-chip"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "integration_signatures")
    parser.add_argument("--figures", type=Path, default=ROOT / "docs" / "figures")
    args = parser.parse_args()
    sets = signature_sets()
    shown = sorted({min(args.budgets), max(args.budgets)})
    for fading in args.fading:
        start = time.perf_counter()
        table = gf.allocation_study(
            sets,
            args.budgets,
            args.drops,
            ["max-min", "max-sr"],
            fading=fading,
            seed=args.seed,
            n_jobs=args.jobs,
            store_dir=args.out,
            progress=True,
        )
        print(f"\n## {fading} fading model: {args.drops} common drops, 4 x 6, paper noise")
        print(f"({time.perf_counter() - start:.0f} s including what was already stored)")
        summary = gf.summarize_allocation_study(table, baseline="WBE")
        for algorithm in ("max-min", "max-sr"):
            part = summary[(summary["algorithm"] == algorithm) & summary["budget_dbm"].isin(shown)]
            print(f"\n{algorithm}: mean ± 95 % t-interval; d_*: paired difference to WBE")
            print("| set | dBm | min-rate | sum-rate | Jain | d_min | d_sum |")
            print("|---|---|---|---|---|---|---|")
            for _, r in part.iterrows():
                half = {m: (r[m + "_high"] - r[m + "_low"]) / 2 for m in ("min_rate", "sum_rate")}
                print(
                    f"| {r['signatures']} | {r['budget_dbm']:g} | "
                    f"{r['min_rate']:.3f} ± {half['min_rate']:.3f} | "
                    f"{r['sum_rate']:.2f} ± {half['sum_rate']:.2f} | "
                    f"{r['jain_index']:.3f} | {r['min_rate_vs_baseline']:+.3f} | "
                    f"{r['sum_rate_vs_baseline']:+.2f} |"
                )
        print("statuses:", table["status"].value_counts().to_dict())
        fig = gf.plot_allocation_study(table)
        args.figures.mkdir(parents=True, exist_ok=True)
        path = args.figures / f"integration_signatures_{fading}.png"
        fig.savefig(path, dpi=80)
        plt.close(fig)
        print(f"figure: {path}")


if __name__ == "__main__":
    main()
