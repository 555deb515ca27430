"""Quality of the scma_alloc solvers against exact references on 4 x 6, before and after.

For ``--drops`` seeded drops of the paper's 4 x 6 scenario (paper noise, seed 2024), each
drop solved at every budget of ``--budgets`` (common draws: one channel per drop, the
budget changed with ``Scenario.with_budget``):

* Max-SR: the default method, the paper's Algorithm 1 and the exact optimum
  (``exhaustive_max_sr``, every feasible factor graph with water-filling);
* Max-Min: the default method, the paper's Algorithm 2 and (``--reference``) the
  exhaustive-graph reference (``exhaustive_max_min``: every graph with the version's
  min-rate power step).

Rows go to ``<out>/<version>.csv`` as chunks of drops finish; rerunning skips finished
drops, so an interrupted run loses nothing finished. With ``--before PATH`` (a checkout
of an earlier version) the same drops are solved by it too (into ``before.csv``; its
exhaustive Max-Min takes about half an hour for 200 drops) and the summary compares the
two on the same instances.

    python benchmarks/scma_quality.py --drops 200 --reference --before /tmp/before

Targets: Max-SR equal to the exhaustive optimum on every instance; Max-Min mean at or
above the earlier version's and never below ``method="paper"``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from _versions import environment, run_worker, source_tree
from tqdm import tqdm

WORKER = r"""
import json, sys, time
import numpy as np
import scma_alloc as sa
drops, budgets = json.loads(sys.argv[1]), json.loads(sys.argv[2])
seed, reference = int(sys.argv[3]), sys.argv[4] == "1"
runs = {
    "max-sr": lambda s: sa.solve_max_sr(s),
    "max-sr-paper": lambda s: sa.solve_max_sr(s, method="paper"),
    "max-sr-exhaustive": sa.exhaustive_max_sr,
    "max-min": lambda s: sa.solve_max_min(s),
    "max-min-paper": lambda s: sa.solve_max_min(s, method="paper"),
}
if reference:
    runs["max-min-exhaustive"] = sa.exhaustive_max_min
seeds = np.random.SeedSequence(seed).spawn(max(drops) + 1)
rows = []
for drop in drops:
    base = sa.random_scenario(power_budget_dbm=budgets[0], rng=np.random.default_rng(seeds[drop]))
    for budget in budgets:
        scenario = base.with_budget(sa.dbm_to_watt(budget))
        for name, run in runs.items():
            start = time.perf_counter()
            result = run(scenario)
            rows.append({"drop": drop, "budget_dbm": budget, "algorithm": name,
                         "sum_rate": result.sum_rate, "min_rate": result.min_rate,
                         "time": time.perf_counter() - start, "status": result.status})
print(json.dumps(rows))
"""


def solve(tree: Path, out: Path, drops: int, budgets, seed: int, reference: bool, chunk: int):
    done: set[int] = set()
    if out.exists():
        done = set(pd.read_csv(out)["drop"].unique().tolist())
    todo = [d for d in range(drops) if d not in done]
    for start in tqdm(range(0, len(todo), chunk), desc=out.stem, unit="chunk"):
        part = todo[start : start + chunk]
        rows = run_worker(
            WORKER,
            tree,
            json.dumps(part),
            json.dumps(budgets),
            str(seed),
            "1" if reference else "0",
        )
        pd.DataFrame(rows).to_csv(out, mode="a", header=not out.exists(), index=False)
    frame = pd.read_csv(out)
    return frame[frame["drop"] < drops]


def summarise(after: pd.DataFrame, before: pd.DataFrame | None) -> str:
    wide = after.pivot_table(
        index=["drop", "budget_dbm"], columns="algorithm", values=["sum_rate", "min_rate"]
    )
    old = None
    if before is not None:
        old = before.pivot_table(
            index=["drop", "budget_dbm"], columns="algorithm", values=["sum_rate", "min_rate"]
        ).reindex(wide.index)
    lines = []
    for budget, group in wide.groupby(level="budget_dbm"):
        sr, mm = group["sum_rate"], group["min_rate"]
        exact = sr["max-sr-exhaustive"]
        ratio = sr["max-sr"] / exact
        lines.append(
            f"{budget:4.0f} dBm (n={len(group)}): Max-SR default / optimum "
            f"{100 * sr['max-sr'].mean() / exact.mean():.3f} % "
            f"(worst drop {100 * ratio.min():.3f} %,"
            f" below the optimum on {int((ratio < 1 - 1e-9).sum())}); paper's Alg. 1 "
            f"{100 * sr['max-sr-paper'].mean() / exact.mean():.2f} %"
        )
        line = (
            f"     Max-Min mean min-rate: default {mm['max-min'].mean():.4f}, paper "
            f"{mm['max-min-paper'].mean():.4f}"
        )
        if "max-min-exhaustive" in mm:
            ref = mm["max-min-exhaustive"]
            share = 100 * mm["max-min"].mean() / ref.mean()
            line += f", reference {ref.mean():.4f} -> default {share:.2f} %"
        if old is not None:
            o = old.loc[group.index, "min_rate"]
            line += f"; before: default {o['max-min'].mean():.4f}"
            if "max-min-exhaustive" in o:
                line += (
                    f" ({100 * o['max-min'].mean() / o['max-min-exhaustive'].mean():.2f} % of its "
                    f"reference {o['max-min-exhaustive'].mean():.4f}; after / before reference "
                    f"{100 * mm['max-min'].mean() / o['max-min-exhaustive'].mean():.2f} %)"
                )
        lines.append(line)
    mm = wide["min_rate"]
    to_paper = mm["max-min"] / mm["max-min-paper"]
    lines.append(
        "Max-Min default below the paper's Algorithm 2 (relative tolerance 1e-9 / 1e-6 / 1e-4): "
        + " / ".join(str(int((to_paper < 1 - tol).sum())) for tol in (1e-9, 1e-6, 1e-4))
        + f" of {len(mm)}; worst ratio {to_paper.min():.4f}"
    )
    if old is not None:
        to_old = mm["max-min"] / old["min_rate"]["max-min"]
        lines.append(
            f"Max-Min after / before, per instance: mean {to_old.mean():.4f}, worst "
            f"{to_old.min():.4f}, below (1e-6) on {int((to_old < 1 - 1e-6).sum())} of {len(mm)}"
        )
    for name, frame in (("after", after), ("before", before)):
        if frame is None:
            continue
        times = frame.groupby("algorithm")["time"].median() * 1e3
        lines.append(
            f"median ms per instance ({name}, inside this benchmark's processes): "
            + ", ".join(f"{k} {v:.1f}" for k, v in times.items())
        )
        lines.append(
            f"statuses ({name}): "
            + ", ".join(f"{k}: {v}" for k, v in frame.status.value_counts().items())
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=200)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3.0, 6.0, 10.0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--reference", action="store_true", help="exhaustive Max-Min")
    parser.add_argument("--before", default=None, help="source tree of an earlier version")
    parser.add_argument("--chunk", type=int, default=10, help="drops per worker process")
    parser.add_argument("--out", type=Path, default=Path("results/scma_quality"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(environment())
    common = (args.drops, args.budgets, args.seed, args.reference, args.chunk)
    after = solve(source_tree(None), args.out / "after.csv", *common)
    before = None
    if args.before:
        before = solve(source_tree(args.before), args.out / "before.csv", *common)
    print(f"{after['drop'].nunique()} drops x {len(args.budgets)} budgets, paper noise, 4 x 6")
    print(summarise(after, before))


if __name__ == "__main__":
    main()
