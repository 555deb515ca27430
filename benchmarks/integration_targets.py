"""Targets of the allocator with a signature-derived coupling: quality vs exhaustive, time vs SIC.

For ``--drops`` seeded drops of the paper's 4 x 6 scenario (paper noise), every budget
in ``--budgets`` and every interference model (each signature set of ``--sets`` /
``--signatures`` with each fading model of ``--fading``), in one process and
interleaved on the same instance:

1. the SIC case: default ``solve_max_min(scenario)`` (timed);
2. the coupled case: default ``solve_max_min(scenario, interference=model)`` (timed);
3. the check: ``solve_max_min(scenario, interference=model, method="exhaustive")``.

Targets: coupled min-rate within 3 % of the exhaustive check (mean relative
gap), coupled solve time within 2x of the SIC case (medians; the paired ratio is also
printed). ``--max-sr-drops D`` repeats the same for Max-SR on the first ``D`` drops (its
exhaustive check polishes most of the 1860 graphs: about 80 s per instance).

Rows are appended to ``--out`` as instances finish; rerunning skips finished rows.

    OMP_NUM_THREADS=1 python benchmarks/integration_targets.py --drops 30
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from integration_common import ResumableCSV, drop, signature_sets
from tqdm import tqdm

import gfnoma
import scma_alloc as sa

FIELDS = [
    "objective",
    "drop",
    "budget_dbm",
    "model",
    "sic_time",
    "coupled_time",
    "exhaustive_time",
    "coupled_value",
    "exhaustive_value",
    "sic_value",
    "gap_pct",
    "coupled_status",
]
KEY = ["objective", "drop", "budget_dbm", "model"]
SOLVERS = {"max_min": sa.solve_max_min, "max_sr": sa.solve_max_sr}
VALUE = {"max_min": "min_rate", "max_sr": "sum_rate"}


def run_instance(objective: str, scenario: sa.Scenario, model: sa.InterferenceModel) -> dict:
    """SIC, coupled and exhaustive solves of one instance (timed, in that order)."""
    solve = SOLVERS[objective]
    start = time.perf_counter()
    sic = solve(scenario)
    sic_time = time.perf_counter() - start
    start = time.perf_counter()
    coupled = solve(scenario, interference=model)
    coupled_time = time.perf_counter() - start
    start = time.perf_counter()
    exact = solve(scenario, interference=model, method="exhaustive")
    exhaustive_time = time.perf_counter() - start
    value, reference = coupled[VALUE[objective]], exact[VALUE[objective]]
    return {
        "sic_time": sic_time,
        "coupled_time": coupled_time,
        "exhaustive_time": exhaustive_time,
        "coupled_value": value,
        "exhaustive_value": reference,
        "sic_value": sic[VALUE[objective]],
        "gap_pct": 100.0 * (reference - value) / reference,
        "coupled_status": coupled.status,
    }


def summarise(frame: pd.DataFrame) -> str:
    """Per objective and model: mean gap, worst gap, medians of times and their ratio."""
    lines = []
    for objective, part in frame.groupby("objective", sort=False):
        lines.append(
            f"{objective}: {part['drop'].nunique()} drops x {part['budget_dbm'].nunique()} "
            f"budgets ({sorted(part['budget_dbm'].unique().tolist())} dBm), paper noise, 4 x 6"
        )
        header = (
            f"  {'model':<24} {'n':>3} {'gap mean %':>10} {'gap max %':>9} {'>= exh':>6} "
            f"{'SIC ms':>7} {'coupled ms':>10} {'ratio':>6} {'paired':>6} {'exh s':>6}"
        )
        lines.append(header)
        groups = [*part.groupby("model", sort=False), ("all", part)]
        for model, g in groups:
            ratio = g["coupled_time"].median() / g["sic_time"].median()
            paired = (g["coupled_time"] / g["sic_time"]).median()
            lines.append(
                f"  {model:<24} {len(g):>3} {g['gap_pct'].mean():>10.3f} "
                f"{g['gap_pct'].max():>9.2f} {int((g['gap_pct'] <= 1e-6).sum()):>6} "
                f"{1e3 * g['sic_time'].median():>7.0f} {1e3 * g['coupled_time'].median():>10.0f} "
                f"{ratio:>6.2f} {paired:>6.2f} {g['exhaustive_time'].median():>6.1f}"
            )
        for budget, g in part.groupby("budget_dbm"):
            lines.append(
                f"  at {budget:g} dBm: gap mean {g['gap_pct'].mean():.3f} %, time ratio "
                f"{g['coupled_time'].median() / g['sic_time'].median():.2f}"
            )
        statuses = part["coupled_status"].value_counts().to_dict()
        lines.append(f"  coupled statuses: {statuses}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=30)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3.0, 10.0])
    parser.add_argument("--sets", nargs="*", default=["wbe", "musa", "cc-search"])
    parser.add_argument("--signatures", type=Path, nargs="*", default=[], help="JSON files")
    parser.add_argument("--fading", nargs="+", default=list(gfnoma.FADING_MODELS))
    parser.add_argument("--max-sr-drops", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=Path("results/integration_targets.csv"))
    args = parser.parse_args()
    sets = signature_sets(args.sets, args.signatures)
    models = [gfnoma.interference_model(s, fading) for s in sets for fading in args.fading]
    store = ResumableCSV(args.out, FIELDS, KEY)
    done = store.done()
    todo = [
        (objective, d, b, m)
        for objective, n_drops in (("max_min", args.drops), ("max_sr", args.max_sr_drops))
        for d in range(n_drops)
        for b in args.budgets
        for m in models
        if (objective, d, float(b), m.name) not in done
    ]
    for objective, d, budget, model in tqdm(todo, desc="instances"):
        row = {"objective": objective, "drop": d, "budget_dbm": float(budget), "model": model.name}
        row.update(run_instance(objective, drop(d, args.seed, budget), model))
        store.append([row])
    frame = store.read()
    keep = (frame["budget_dbm"].isin(args.budgets)) & frame["model"].isin([m.name for m in models])
    keep &= np.where(frame["objective"] == "max_min", frame["drop"] < args.drops, True)
    keep &= np.where(frame["objective"] == "max_sr", frame["drop"] < args.max_sr_drops, True)
    print(summarise(frame[keep]))


if __name__ == "__main__":
    main()
