"""Power caps on the paper's 4 x 6: quality against the exhaustive reference, what the
caps cost, and that they hold, on common seeded drops.

For each drop (the paper's disc model, 10 dBm budgets, so 60 mW for the six users
together and at most 30 mW on a resource) and each cap setting, Max-SR and Max-Min
(:func:`scma_alloc.solve_max_sr` / :func:`scma_alloc.solve_max_min` with
``resource_caps=`` / ``total_cap=``) are compared with ``method="exhaustive"`` under the
same caps (every graph; the Max-SR power step is exact there, a conic solve). Printed
per setting and objective: the mean and worst ratio alternating / exhaustive, how often
the cap binds (the capped exhaustive value below the uncapped one), the mean relative
loss to the uncapped value, the largest power-to-cap ratio of any result (must be
<= 1), and median times.

Run: ``python benchmarks/scma_power_caps.py --drops 20 --jobs 2``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scma_alloc as sa  # noqa: E402

SETTINGS = (
    ("total 30 mW", {"total_cap": 0.03}),
    ("total 15 mW", {"total_cap": 0.015}),
    ("15 mW per resource", {"resource_caps": 0.015}),
    ("8 mW per resource + total 25 mW", {"resource_caps": 0.008, "total_cap": 0.025}),
)
OBJECTIVES = (("Max-SR", sa.solve_max_sr, "sum_rate"), ("Max-Min", sa.solve_max_min, "min_rate"))


def usage(result: sa.AllocationResult, caps: dict) -> float:
    """The largest ratio of power to cap of an allocation."""
    p = result.power
    ratio = 0.0
    if "total_cap" in caps:
        ratio = max(ratio, p.sum() / caps["total_cap"])
    if "resource_caps" in caps:
        ratio = max(ratio, float((p.sum(axis=1) / caps["resource_caps"]).max()))
    return ratio


def one_drop(args: tuple[int, int, float]) -> list[dict]:
    drop, seed, budget = args
    scenario = sa.drop_scenario(drop, budget, seed=seed)
    rows = []
    for label, solve, metric in OBJECTIVES:
        free = solve(scenario, method="exhaustive")[metric]
        for name, caps in SETTINGS:
            start = time.perf_counter()
            found = solve(scenario, **caps)
            t_found = time.perf_counter() - start
            start = time.perf_counter()
            exact = solve(scenario, method="exhaustive", **caps)
            t_exact = time.perf_counter() - start
            rows.append(
                {
                    "objective": label,
                    "setting": name,
                    "ratio": found[metric] / exact[metric],
                    "binds": exact[metric] < free * (1 - 1e-6),
                    "loss": 1 - exact[metric] / free,
                    "usage": max(usage(found, caps), usage(exact, caps)),
                    "time": t_found,
                    "time_exact": t_exact,
                }
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--budget-dbm", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    tasks = [(d, args.seed, args.budget_dbm) for d in range(args.drops)]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = [row for part in pool.map(one_drop, tasks) for row in part]
    wall = time.perf_counter() - start
    print(
        f"scma_alloc {sa.__version__}: {args.drops} drops, 4 x 6, {args.budget_dbm:g} dBm, "
        f"seed {args.seed}, {args.jobs} jobs, {wall:.0f} s"
    )
    print(
        f"{'objective':<8} {'caps':<32} {'mean ratio':>10} {'worst':>8} {'binds':>6} "
        f"{'loss':>7} {'max use':>8} {'median s':>9} {'exh. s':>7}"
    )
    for label, _, _ in OBJECTIVES:
        for name, _ in SETTINGS:
            part = [r for r in rows if r["objective"] == label and r["setting"] == name]
            ratios = np.array([r["ratio"] for r in part])
            print(
                f"{label:<8} {name:<32} {ratios.mean():10.5f} {ratios.min():8.5f} "
                f"{np.mean([r['binds'] for r in part]):6.2f} "
                f"{np.mean([r['loss'] for r in part]):7.4f} "
                f"{max(r['usage'] for r in part):8.6f} "
                f"{np.median([r['time'] for r in part]):9.3f} "
                f"{np.median([r['time_exact'] for r in part]):7.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
