"""Quality of the scma_alloc solvers against exact references (issue 2 targets).

For ``--drops`` seeded channel drops of the paper's 4 x 6 scenario (paper noise), each
drop solved at every budget in ``--budgets`` (common draws: one channel per drop, the
budget changed with ``Scenario.with_budget``):

* Max-SR: the default method, the paper's Algorithm 1, and the exact optimum
  (``exhaustive_max_sr``, every feasible factor graph with water-filling);
* Max-Min: the default method, the paper's Algorithm 2, and (``--reference``) the
  exhaustive-graph reference (``exhaustive_max_min``: every graph with the Max-Min
  power step).

Rows are appended to ``--out`` (CSV) as drops finish; rerunning the same command skips
finished drops, so an interrupted run loses nothing finished. Prints a summary table.

    python benchmarks/scma_quality.py --drops 200 --jobs 2 --reference
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

import scma_alloc as sa

FIELDS = [
    "drop",
    "budget_dbm",
    "algorithm",
    "sum_rate",
    "min_rate",
    "jain_index",
    "time",
    "status",
]


def solve_drop(drop: int, budgets: list[float], seed: int, reference: bool) -> list[dict]:
    child = np.random.SeedSequence(seed).spawn(drop + 1)[drop]
    base = sa.random_scenario(power_budget_dbm=budgets[0], rng=np.random.default_rng(child))
    rows = []
    for budget in budgets:
        scenario = base.with_budget(sa.dbm_to_watt(budget))
        runs = {
            "max-sr": lambda s: sa.solve_max_sr(s),
            "max-sr-paper": lambda s: sa.solve_max_sr(s, method="paper"),
            "max-sr-exhaustive": sa.exhaustive_max_sr,
            "max-min": lambda s: sa.solve_max_min(s),
            "max-min-paper": lambda s: sa.solve_max_min(s, method="paper"),
        }
        if reference:
            runs["max-min-exhaustive"] = sa.exhaustive_max_min
        for name, run in runs.items():
            start = time.perf_counter()
            result = run(scenario)
            elapsed = time.perf_counter() - start
            rows.append(
                {
                    "drop": drop,
                    "budget_dbm": budget,
                    "algorithm": name,
                    "sum_rate": result.sum_rate,
                    "min_rate": result.min_rate,
                    "jain_index": result.jain_index,
                    "time": elapsed,
                    "status": result.status,
                }
            )
    return rows


def summarise(frame: pd.DataFrame) -> str:
    lines = []
    wide = frame.pivot_table(
        index=["drop", "budget_dbm"], columns="algorithm", values=["sum_rate", "min_rate"]
    )
    for budget, group in wide.groupby(level="budget_dbm"):
        sr, mm = group["sum_rate"], group["min_rate"]
        n = len(group)
        line = [f"{budget:4.0f} dBm (n={n}):"]
        exact = sr["max-sr-exhaustive"]
        line.append(
            f"Max-SR mean sum-rate default {sr['max-sr'].mean():.3f} / paper "
            f"{sr['max-sr-paper'].mean():.3f} / exhaustive {exact.mean():.3f} -> default "
            f"{100 * sr['max-sr'].mean() / exact.mean():.3f} % (mean of ratios "
            f"{100 * (sr['max-sr'] / exact).mean():.3f} %, min "
            f"{100 * (sr['max-sr'] / exact).min():.2f} %), paper "
            f"{100 * sr['max-sr-paper'].mean() / exact.mean():.2f} %; default < paper on "
            f"{int((sr['max-sr'] < sr['max-sr-paper'] * (1 - 1e-9)).sum())} drops"
        )
        mm_line = (
            f"Max-Min mean min-rate default {mm['max-min'].mean():.4f} / paper "
            f"{mm['max-min-paper'].mean():.4f}; default < paper on "
            f"{int((mm['max-min'] < mm['max-min-paper'] * (1 - 1e-9)).sum())} drops"
        )
        if "max-min-exhaustive" in mm:
            ref = mm["max-min-exhaustive"]
            mm_line += (
                f"; reference {ref.mean():.4f} -> default "
                f"{100 * mm['max-min'].mean() / ref.mean():.2f} %"
                f" (paper {100 * mm['max-min-paper'].mean() / ref.mean():.2f} %), default >= "
                f"reference on {int((mm['max-min'] >= ref * (1 - 1e-6)).sum())} drops"
            )
        lines.append(" ".join(line))
        lines.append("         " + mm_line)
    times = frame.groupby("algorithm")["time"].median() * 1e3
    lines.append(
        "median time per instance (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in times.items())
    )
    lines.append(
        "statuses: " + ", ".join(f"{k}: {v}" for k, v in frame.status.value_counts().items())
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=200)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3.0, 6.0, 10.0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reference", action="store_true", help="exhaustive Max-Min (slow)")
    parser.add_argument("--out", type=Path, default=Path("results/scma_quality.csv"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done: set[int] = set()
    if args.out.exists():
        done = set(pd.read_csv(args.out)["drop"].unique().tolist())
    todo = [d for d in range(args.drops) if d not in done]
    new_file = not args.out.exists()
    with open(args.out, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        if new_file:
            writer.writeheader()
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = [
                pool.submit(solve_drop, d, args.budgets, args.seed, args.reference) for d in todo
            ]
            for future in tqdm(as_completed(futures), total=len(futures), desc="drops"):
                writer.writerows(future.result())
                handle.flush()
    frame = pd.read_csv(args.out)
    frame = frame[frame["drop"] < args.drops]
    print(f"{frame['drop'].nunique()} drops x {len(args.budgets)} budgets, paper noise, 4 x 6")
    print(summarise(frame))


if __name__ == "__main__":
    main()
