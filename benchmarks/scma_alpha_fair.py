"""Alpha-fair objectives on the paper's 4 x 6: quality against the exhaustive reference
and speed against Max-Min, on common seeded drops.

For each drop and budget (3, 6, 10 dBm) and each objective — the weighted sum-rate
(alpha = 0, weights drawn uniformly in [0.5, 2] per drop), proportional fairness
(alpha = 1), alpha = 2 and the weighted max-min (alpha = inf, ``min_j R_j / w_j`` with the
drawn weights) — the default alternating search
(:func:`scma_alloc.solve_alpha_fair`) is compared with ``method="exhaustive"`` (every
feasible graph with the same projected-gradient power step). Utilities are compared as
their *equivalent rate*, the rate every user would need for the same utility
(``U / sum w`` for alpha = 0, ``exp(U / sum w)`` for alpha = 1,
``((1 - alpha) U / sum w) ** (1 / (1 - alpha))`` otherwise), so a ratio is a
percentage of rate. Times are medians of the alternating search next to
``solve_max_min`` on the same instances, in the same worker processes.

Run: ``python benchmarks/scma_alpha_fair.py --drops 30 --jobs 2``; ``--first 30 --drops 70``
adds drops 30..99 to such a run, ``--csv`` keeps every instance's row, ``--speed-only``
times the search and Max-Min without the (slow) exhaustive reference.
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

BUDGETS = (3.0, 6.0, 10.0)
OBJECTIVES = (
    ("weighted sum-rate", 0.0, True),
    ("prop. fairness", 1.0, False),
    ("alpha 2", 2.0, False),
    ("weighted max-min", np.inf, True),
)


def equivalent_rate(result: sa.AllocationResult, alpha: float, weights: np.ndarray) -> float:
    if alpha == np.inf:  # weighted max-min: min_j R_j / w_j
        return float(np.min(result.user_rates / weights))
    utility = result.utility
    total = float(np.sum(weights))
    if alpha == 0.0:
        return utility / total
    if alpha == 1.0:
        return float(np.exp(utility / total))
    return float(((1 - alpha) * utility / total) ** (1 / (1 - alpha)))


_WARM: list[bool] = []


def _warm_up(seed: int) -> None:
    """One untimed solve of each kind per process (lazy imports, first-call caches)."""
    if not _WARM:
        scenario = sa.drop_scenario(0, BUDGETS[0], seed=seed)
        sa.solve_max_min(scenario)
        for _, alpha, _ in OBJECTIVES:
            sa.solve_alpha_fair(scenario, alpha, np.linspace(0.5, 2.0, 6))
        _WARM.append(True)


def one_drop(args: tuple[int, int, bool]) -> list[dict]:
    drop, seed, reference = args
    _warm_up(seed)
    rows = []
    rng = np.random.default_rng([seed, drop])
    drawn = rng.uniform(0.5, 2.0, 6)
    for budget in BUDGETS:
        scenario = sa.drop_scenario(drop, budget, seed=seed)
        start = time.perf_counter()
        sa.solve_max_min(scenario)
        t_max_min = time.perf_counter() - start
        for name, alpha, weighted in OBJECTIVES:
            weights = drawn if weighted else np.ones(6)
            start = time.perf_counter()
            found = sa.solve_alpha_fair(scenario, alpha, weights)
            elapsed = time.perf_counter() - start
            ratio = np.nan
            if reference:
                best = sa.solve_alpha_fair(scenario, alpha, weights, method="exhaustive")
                ratio = equivalent_rate(found, alpha, weights) / equivalent_rate(
                    best, alpha, weights
                )
            rows.append(
                {
                    "drop": drop,
                    "budget": budget,
                    "objective": name,
                    "ratio": ratio,
                    "time": elapsed,
                    "time_max_min": t_max_min,
                }
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=30)
    parser.add_argument(
        "--first", type=int, default=0, help="index of the first drop (to add drops to a run)"
    )
    parser.add_argument("--csv", default=None, help="also write every instance's row here")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--speed-only",
        action="store_true",
        help="time the search and Max-Min only (no exhaustive reference, no ratios)",
    )
    args = parser.parse_args()
    print(
        f"scma_alloc {sa.__version__}; {args.drops} drops (from {args.first}) x "
        f"{len(BUDGETS)} budgets, paper noise, "
        f"4 x 6, seed {args.seed}, {args.jobs} process(es)"
    )
    tasks = [
        (d, args.seed, not args.speed_only) for d in range(args.first, args.first + args.drops)
    ]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = [row for part in pool.map(one_drop, tasks) for row in part]
    if args.csv:
        import pandas as pd

        pd.DataFrame(rows).to_csv(args.csv, index=False)
    print(
        "\nalternating / exhaustive, equivalent rate (mean, worst, drops below by > 1e-4), "
        "median ms (alternating, Max-Min on the same instances)"
    )
    for name, _, _ in OBJECTIVES:
        for budget in BUDGETS:
            part = [r for r in rows if r["objective"] == name and r["budget"] == budget]
            ratio = np.array([r["ratio"] for r in part])
            t = np.median([r["time"] for r in part]) * 1e3
            t_mm = np.median([r["time_max_min"] for r in part]) * 1e3
            quality = (
                "(no reference)"
                if args.speed_only
                else f"mean {ratio.mean():.5f}, worst {ratio.min():.5f}, "
                f"below on {int((ratio < 1 - 1e-4).sum())}/{ratio.size}"
            )
            print(
                f"{name:<18s} {budget:4.0f} dBm: {quality}; "
                f"{t:6.1f} ms vs Max-Min {t_mm:5.1f} ms ({t / t_mm:.1f}x)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
