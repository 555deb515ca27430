"""Learned vs conventional signatures, judged by the rates and fairness the allocator reaches.

Every signature set (conventional ones by name with ``--sets``; any ``Signatures`` JSON
file, e.g. a trained set ``gfnoma/data/*.json``, with ``--signatures``) becomes an
interference model (``gfnoma.interference_model``, each fading model of ``--fading``);
the default Max-Min and Max-SR solvers then allocate on the same seeded drops (4 x 6,
paper noise) at every budget of ``--budgets``. The SCMA SIC model (no signatures) is
solved on the same drops as a reference.

Prints mean min-rate, sum-rate and Jain's index per set and budget with 95 % confidence
intervals (normal approximation over drops), the paired difference to ``--baseline``,
and plots them. Rows are appended to ``--out`` as they finish; rerunning skips them, so
adding a trained set later is one command:

    python benchmarks/integration_signatures.py --signatures gfnoma/data/qnn_p_asy.json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from integration_common import ResumableCSV, drop, signature_sets
from tqdm import tqdm

import gfnoma
import scma_alloc as sa

FIELDS = [
    "objective",
    "model",
    "set",
    "fading",
    "budget_dbm",
    "drop",
    "min_rate",
    "sum_rate",
    "jain_index",
    "time",
    "status",
]
KEY = ["objective", "model", "budget_dbm", "drop"]
SOLVERS = {"max_min": sa.solve_max_min, "max_sr": sa.solve_max_sr}
METRICS = {
    "min_rate": "min-rate (bit/s/Hz)",
    "sum_rate": "sum-rate (bit/s/Hz)",
    "jain_index": "Jain",
}
SIC = "SCMA SIC (reference)"


def solve(objective: str, scenario: sa.Scenario, model: sa.InterferenceModel | None) -> dict:
    start = time.perf_counter()
    if model is None:
        result = SOLVERS[objective](scenario)
    else:
        result = SOLVERS[objective](scenario, interference=model)
    return {
        "min_rate": result.min_rate,
        "sum_rate": result.sum_rate,
        "jain_index": result.jain_index,
        "time": time.perf_counter() - start,
        "status": result.status,
    }


def confidence(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % half-width (1.96 s / sqrt(n)) of every metric per model and budget."""
    groups = frame.groupby(["objective", "model", "budget_dbm"], sort=False)
    mean = groups[list(METRICS)].mean()
    half = 1.96 * groups[list(METRICS)].std(ddof=1) / np.sqrt(groups.size().to_numpy()[:, None])
    return mean.join(half.add_suffix("_ci")).assign(n=groups.size())


def table(frame: pd.DataFrame, objective: str, budgets: list[float]) -> str:
    """Markdown table: mean +- 95 % CI of min-rate, sum-rate, Jain per model at ``budgets``."""
    stats = confidence(frame[frame["objective"] == objective])
    lines = [
        "| model | budget dBm | n | min-rate | sum-rate | Jain |",
        "|---|---|---|---|---|---|",
    ]
    for (_, model, budget), row in stats.iterrows():
        if budget not in budgets:
            continue
        cells = [f"{row[m]:.3f} ± {row[m + '_ci']:.3f}" for m in METRICS]
        lines.append(f"| {model} | {budget:g} | {int(row['n'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def paired(frame: pd.DataFrame, objective: str, metric: str, baseline: str) -> str:
    """Paired difference (same drop and budget) of ``metric`` to the baseline model."""
    part = frame[frame["objective"] == objective]
    wide = part.pivot_table(index=["budget_dbm", "drop"], columns="model", values=metric)
    if baseline not in wide:
        return f"(baseline {baseline!r} not in the results)"
    lines = []
    for model in wide.columns:
        if model == baseline:
            continue
        diff = (wide[model] - wide[baseline]).dropna()
        half = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff))
        lines.append(
            f"  {model:<28} {diff.mean():+.4f} ± {half:.4f} (n={len(diff)}, better on "
            f"{int((diff > 1e-9).sum())}, worse on {int((diff < -1e-9).sum())})"
        )
    return "\n".join(lines)


def plot(frame: pd.DataFrame, path: Path) -> None:
    """Rows: objectives; columns: metrics; one line per model with 95 % CI bars."""
    stats = confidence(frame).reset_index()
    objectives = [o for o in ("max_min", "max_sr") if o in set(stats["objective"])]
    models = list(dict.fromkeys(frame["model"]))
    fig, axes = plt.subplots(
        len(objectives), len(METRICS), figsize=(12, 3.4 * len(objectives)), squeeze=False
    )
    styles = {"flat": "--", "per-chip": "-"}
    colours = {}
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for model in models:
        name = model.rsplit(" (", 1)[0] if model != SIC else SIC
        colours.setdefault(name, palette[len(colours) % len(palette)])
    for r, objective in enumerate(objectives):
        for c, metric in enumerate(METRICS):
            ax = axes[r, c]
            for model in models:
                g = stats[(stats["objective"] == objective) & (stats["model"] == model)]
                name = model.rsplit(" (", 1)[0] if model != SIC else SIC
                fading = model.rsplit("(", 1)[-1].rstrip(")") if model != SIC else ""
                ax.errorbar(
                    g["budget_dbm"],
                    g[metric],
                    yerr=g[metric + "_ci"],
                    color="k" if model == SIC else colours[name],
                    ls=styles.get(fading, ":"),
                    marker="o",
                    ms=3,
                    lw=1,
                    capsize=2,
                    label=model,
                )
            ax.grid(alpha=0.3)
            ax.set_title(f"{'Max-Min' if objective == 'max_min' else 'Max-SR'}: {METRICS[metric]}")
            if r == len(objectives) - 1:
                ax.set_xlabel("power budget per user (dBm)")
    axes[0, 0].legend(fontsize=6)
    n_drops = frame["drop"].nunique()
    fig.suptitle(
        f"Allocator rates and fairness per signature set (4 x 6, paper noise, {n_drops} common "
        "drops, 95 % CI)",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sets", nargs="*", default=["wbe", "qwbe", "musa", "cc-search", "random"]
    )
    parser.add_argument("--signatures", type=Path, nargs="*", default=[], help="JSON files")
    parser.add_argument("--fading", nargs="+", default=["per-chip", "flat"])
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3, 4, 5, 6, 7, 8, 9, 10])
    parser.add_argument("--objectives", nargs="+", default=["max_min", "max_sr"])
    parser.add_argument("--no-sic", action="store_true", help="skip the SCMA SIC reference")
    parser.add_argument("--baseline", default="WBE (per-chip)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=Path("results/integration_signatures.csv"))
    parser.add_argument(
        "--figure", type=Path, default=Path("docs/figures/integration_signatures.png")
    )
    args = parser.parse_args()
    for objective in args.objectives:
        if objective not in SOLVERS:
            raise ValueError(f"--objectives must be among {list(SOLVERS)}, got {objective!r}")
    sets = signature_sets(args.sets, args.signatures)
    models: list[tuple[str, str, str, sa.InterferenceModel | None]] = [
        (m.name, s.name, fading, m)
        for s in sets
        for fading in args.fading
        for m in [gfnoma.interference_model(s, fading)]
    ]
    if not args.no_sic:
        models.append((SIC, "", "sic", None))
    store = ResumableCSV(args.out, FIELDS, KEY)
    done = store.done()
    todo = [
        (objective, entry, float(b), d)
        for d in range(args.drops)
        for b in args.budgets
        for objective in args.objectives
        for entry in models
        if (objective, entry[0], float(b), d) not in done
    ]
    for objective, (name, set_name, fading, model), budget, d in tqdm(todo, desc="solves"):
        row = {
            "objective": objective,
            "model": name,
            "set": set_name,
            "fading": fading,
            "budget_dbm": budget,
            "drop": d,
        }
        row.update(solve(objective, drop(d, args.seed, budget), model))
        store.append([row])
    frame = store.read()
    frame = frame[
        frame["model"].isin([m[0] for m in models])
        & frame["budget_dbm"].isin([float(b) for b in args.budgets])
        & (frame["drop"] < args.drops)
        & frame["objective"].isin(args.objectives)
    ]
    shown = sorted({min(args.budgets), max(args.budgets)})
    for objective in args.objectives:
        print(f"\n{objective}: mean ± 95 % CI over {frame['drop'].nunique()} common drops")
        print(table(frame, objective, shown))
        metric = "min_rate" if objective == "max_min" else "sum_rate"
        print(f"paired {metric} difference to {args.baseline!r} (all budgets):")
        print(paired(frame, objective, metric, args.baseline))
    print("statuses:", frame["status"].value_counts().to_dict())
    plot(frame, args.figure)
    print(f"figure: {args.figure}")


if __name__ == "__main__":
    main()
