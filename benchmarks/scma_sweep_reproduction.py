"""Reproduce the paper's Section IV (8 budgets 3..10 dBm, paper noise, 1000 drops).

Runs two paired sweeps on the same drops (same seed), each into its own resumable
store:

1. the timed sweep of the performance target: Max-SR, Max-Min (default methods) and
   the baselines B0-B3;
2. the references: the exhaustive Max-SR optimum and the paper's Algorithms 1-2
   (``method="paper"``), to compare with the authors' numbers (``docs/scma_results.md``).

Prints, for the work done in this run: tasks per second, the share of worker time
spent inside the algorithms, the share outside them (process start-up, drawing the
channel, pickling, waiting, the store), the load average; then the tables quoted in
``docs/scma_results.md`` and writes the figures ``docs/figures/scma_*.png``.

Rerunning resumes both sweeps (finished tasks are skipped) and redraws everything.

    python benchmarks/scma_sweep_reproduction.py                 # the full run
    python benchmarks/scma_sweep_reproduction.py --drops 40      # a quick look
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scma_alloc as sa  # noqa: E402
from scma_alloc import (  # noqa: E402
    convergence_figure,
    factor_graphs_figure,
    plot_paired,
    save_figure,
    write_sweep_figures,
)
from scma_alloc._store import decode_assignment  # noqa: E402

MAIN = ("max-sr", "max-min", "b0", "b1", "b2", "b3")
REFERENCES = ("exhaustive", "max-sr-paper", "max-min-paper")
#: The authors' public code (cvxpy + ECOS, paper scenario), 100-200 draws:
#: (sum-rate, Jain, mean min-rate).
SPEC = {
    3.0: {
        "b0": (13.8, 0.59, 0.38),
        "exhaustive": (16.9, 0.57, 0.56),
        "max-sr-paper": (16.0, 0.59, 0.53),
        "max-min-paper": (10.0, 0.70, 0.48),
    },
    10.0: {
        "b0": (23.7, 0.73, 1.25),
        "exhaustive": (27.4, 0.65, 1.34),
        "max-sr-paper": (25.7, 0.68, 1.30),
        "max-min-paper": (18.4, 0.83, 1.22),
    },
}
SPEC_NAMES = {
    "b0": "F0 + equal",
    "exhaustive": "exhaustive Max-SR optimum",
    "max-sr-paper": "authors' Max-SR",
    "max-min-paper": "authors' Max-Min",
}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def timed_sweep(label: str, algorithms, args, store: Path) -> pd.DataFrame:
    print(f"\n== {label}: {', '.join(algorithms)} -> {store}")
    print(f"before: {load()}")
    start_wall = time.time()
    start = time.perf_counter()
    frame = sa.sweep(
        sa.PAPER_BUDGETS_DBM,
        args.drops,
        algorithms,
        seed=args.seed,
        noise="paper",
        n_jobs=args.jobs,
        store=store,
        progress=not args.no_progress,
    )
    wall = time.perf_counter() - start
    print(f"after:  {load()}")
    new = frame[frame["finished_at"] >= start_wall]
    total = args.drops * len(sa.PAPER_BUDGETS_DBM) * len(algorithms)
    print(f"tasks: {len(new)} computed in this run, {total - len(new)} resumed from the store")
    if len(new):
        inside = new["solve_time"].sum()
        calls = new["task_time"].sum()
        capacity = wall * args.jobs
        print(
            f"wall {wall:.1f} s on {args.jobs} worker process(es): {len(new) / wall:.1f} tasks/s, "
            f"{len(new) / len(algorithms) / wall:.2f} drop-budget points/s"
        )
        print(
            f"worker time inside the algorithms {inside / capacity:.1%} "
            f"(calls incl. option parsing {calls / capacity:.1%}); "
            f"outside the solver {1 - inside / capacity:.1%}"
        )
        per = new.groupby("algorithm")["solve_time"].agg(["mean", "median", "max"])
        print("solve time per task (s), this run:")
        print(per.loc[[a for a in algorithms if a in per.index]].round(4).to_string())
        if len(new) < total:
            rate = len(new) / wall
            print(f"extrapolated full sweep at this rate: {total / rate / 60:.1f} min")
        else:
            print(f"full sweep: {wall / 60:.1f} min")
    with sa.ResultStore(store, mode="r") as s:
        runs = s.runs()
    spent = (runs["finished_at"] - runs["started_at"]).sum()
    print(f"store sessions: {len(runs)}, wall time over all sessions {spent / 60:.1f} min")
    return frame


def metric_table(frame: pd.DataFrame, budgets, names) -> str:
    summary = sa.summarize_sweep(frame)
    lines = [
        "| algorithm | "
        + " | ".join(f"{b:g} dBm: sum-rate / Jain / min-rate" for b in budgets)
        + " |",
        "|---|" + "---|" * len(budgets),
    ]
    for name in names:
        cells = []
        for b in budgets:
            r = summary[(summary.algorithm == name) & (summary.budget_dbm == b)].iloc[0]
            half = (r["sum_rate_high"] - r["sum_rate_low"]) / 2
            cells.append(
                f"{r['sum_rate']:.2f} ± {half:.2f} / {r['jain_index']:.3f} / {r['min_rate']:.3f}"
            )
        lines.append(f"| {sa.ALGORITHMS[name].label} (`{name}`) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def spec_table(frame: pd.DataFrame) -> str:
    summary = sa.summarize_sweep(frame)
    lines = [
        "| dBm | algorithm | authors' code: sum / Jain / min | this package: sum / Jain / min |",
        "|---|---|---|---|",
    ]
    for budget, rows in SPEC.items():
        for name, (s, j, m) in rows.items():
            r = summary[(summary.algorithm == name) & (summary.budget_dbm == budget)].iloc[0]
            lines.append(
                f"| {budget:g} | {SPEC_NAMES[name]} vs `{name}` | {s:.1f} / {j:.2f} / {m:.2f} | "
                f"{r['sum_rate']:.1f} / {r['jain_index']:.2f} / {r['min_rate']:.2f} |"
            )
    return "\n".join(lines)


def ratio_table(frame: pd.DataFrame, pairs, metric: str) -> str:
    lines = [
        f"| {metric} ratio of means [95% paired bootstrap] | "
        + " | ".join(f"{b:g} dBm" for b in sa.PAPER_BUDGETS_DBM)
        + " |",
        "|---|" + "---|" * len(sa.PAPER_BUDGETS_DBM),
    ]
    for a, b in pairs:
        table = sa.compare_algorithms(frame, a, b, metric, n_bootstrap=2000)
        cells = [
            f"{r.ratio:.4f} [{r.ratio_low:.4f}, {r.ratio_high:.4f}]" for r in table.itertuples()
        ]
        lines.append(f"| `{a}` / `{b}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pointwise(frame: pd.DataFrame, a: str, b: str, metric: str) -> str:
    """On how many drop-budget points ``a`` is below ``b`` (relative 1e-6); the worst ratio."""
    wide = frame.pivot_table(index=["drop", "budget_dbm"], columns="algorithm", values=metric)
    pair = wide[[a, b]].dropna()
    below = int((pair[a] < pair[b] * (1 - 1e-6)).sum())
    worst = float((pair[a] / pair[b]).min())
    return f"{metric}: `{a}` < `{b}` on {below} of {len(pair)} points; worst ratio {worst:.15g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--store", default="results/scma_reproduction.sqlite")
    parser.add_argument("--reference-store", default="results/scma_reproduction_reference.sqlite")
    parser.add_argument("--skip-references", action="store_true")
    parser.add_argument("--figures", default="docs/figures", help="PNG folder (docs/figures)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    print(
        f"scma_alloc {sa.__version__}, Python {platform.python_version()}, numpy "
        f"{np.__version__}, {platform.machine()}; {args.drops} drops x "
        f"{len(sa.PAPER_BUDGETS_DBM)} budgets, seed {args.seed}, noise 'paper'"
    )
    main = timed_sweep("timed sweep", MAIN, args, Path(args.store))
    frames = [main]
    if not args.skip_references:
        frames.append(timed_sweep("references", REFERENCES, args, Path(args.reference_store)))
    frame = pd.concat(frames, ignore_index=True)
    order = [*REFERENCES[:1], "max-sr", "max-sr-paper", "max-min", "max-min-paper", "b0", "b1"]
    order += ["b2", "b3"]
    order = [a for a in order if a in set(frame.algorithm)]
    frame.attrs["config"] = {"algorithms": order, "scenario": main.attrs["config"]["scenario"]}

    print("\n== means over drops (sum-rate ± 95% bootstrap half-width / Jain / min-rate)")
    print(metric_table(frame, (3.0, 10.0), order))
    print()
    print(metric_table(frame, (5.0, 7.0), order))
    if not args.skip_references:
        print("\n== against the authors' numbers")
        print(spec_table(frame))
        print()
        print(
            ratio_table(
                frame, [("max-sr", "exhaustive"), ("max-sr-paper", "exhaustive")], "sum_rate"
            )
        )
        print()
        print(ratio_table(frame, [("max-min", "max-min-paper"), ("max-min", "b3")], "min_rate"))
        print()
        print(pointwise(frame, "max-sr", "exhaustive", "sum_rate"))
        print(pointwise(frame, "max-sr", "max-sr-paper", "sum_rate"))
        print(pointwise(frame, "max-min", "max-min-paper", "min_rate"))
    print()
    print(ratio_table(frame, [("max-sr", "b2"), ("max-sr", "b0")], "sum_rate"))
    print("\n== assigned edges that carry no power (share over every drop and budget)")
    for name in order:
        rows = frame[(frame.algorithm == name) & (frame.status != "error")]
        idle = [
            float(((decode_assignment(f) == 1) & (np.reshape(p, (4, 6)) <= 0)).sum()) / (2 * 6)
            for f, p in zip(rows["assignment"], rows["power"], strict=True)
        ]
        print(f"{name:<16s} {100 * np.mean(idle):5.1f} %")
    counts = frame.groupby(["algorithm", "status"]).size().unstack(fill_value=0)
    print("\n== statuses (every task is kept; nothing is redrawn)")
    print(counts.loc[order].to_string())

    figures = Path(args.figures)
    # The caption says the scenario in words; the paired figure is against B2, the
    # strongest baseline.
    paths = write_sweep_figures(frame, figures, formats=("png",), algorithms=order, baseline=None)
    # Paired gains where they are small and the unpaired bands hide them: the Max-SR
    # family over B2 (sum-rate), the Max-Min family over B3 (min-rate).
    figure = Figure(figsize=(11.0, 3.9), layout="constrained")
    left, right = figure.subplots(1, 2)
    sr = [a for a in ("exhaustive", "max-sr", "max-sr-paper", "b1") if a in order]
    plot_paired(frame, "b2", "sum_rate", ax=left, algorithms=sr)
    plot_paired(frame, "b3", "min_rate", ax=right, algorithms=["max-min", "max-min-paper"])
    for ax in (left, right):
        ax.legend(fontsize="small")
    figure.suptitle(
        textwrap.fill(
            "paired gains on common drops (ratio of means - 1, 95% paired bootstrap bands); "
            + sa.sweep_caption(frame, None),
            130,
        ),
        fontsize=8,
    )
    paths += save_figure(figure, figures / "scma_paired", ("png",), dpi=100)
    drop, budget_index = 0, len(sa.PAPER_BUDGETS_DBM) - 1
    config = sa.SweepConfig.from_dict(main.attrs["config"])
    rows = frame[(frame["drop"] == drop) & (frame["budget_index"] == budget_index)]
    rows = (
        rows.set_index("algorithm")
        .loc[
            [
                a
                for a in ("exhaustive", "max-sr", "max-min", "b0", "b2", "b3")
                if a in set(rows.algorithm)
            ]
        ]
        .reset_index()
    )
    figure = factor_graphs_figure(
        rows,
        (4, 6),
        title=f"drop {drop} at 10 dBm (seed {args.seed}): factor graphs, powers in mW "
        "(dashed: assigned, no power)",
    )
    paths += save_figure(figure, figures / "scma_factor_graphs", ("png",), dpi=90)
    scenario = config.scenario_for(drop, budget_index)
    figure = convergence_figure(
        {
            "Max-SR": {
                "Max-SR (paper, Alg. 1)": sa.solve_max_sr(scenario, method="paper"),
                "Max-SR (default)": sa.solve_max_sr(scenario),
            },
            "Max-Min": {
                "Max-Min (paper, Alg. 2)": sa.solve_max_min(scenario, method="paper"),
                "Max-Min (default)": sa.solve_max_min(scenario),
            },
        },
        title=f"convergence on drop {drop} at 10 dBm (seed {args.seed})",
    )
    paths += save_figure(figure, figures / "scma_convergence", ("png",), dpi=100)
    for path in paths:
        print(f"figure: {path} ({path.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
