"""Rate floors (QoS) on the paper's 4 x 6: feasibility, the sum-rate cost of a floor, and
honest reporting, on common seeded drops.

For each drop (the paper's disc model at ``--budget-dbm``) and each common floor ``r``
(every user at least ``r`` bit/s/Hz), from 0 to beyond what any drop can give,
:func:`scma_alloc.solve_max_sr` with ``min_rates=r`` is run and the table prints, per
floor:

* ``met``: the fraction of drops whose result has ``success`` (every floor met);
* ``known``: the fraction where the floor is known to be reachable, because
  :func:`scma_alloc.solve_max_min` (no floors) already gives every user at least ``r``;
  ``missed known`` counts drops where the floors were reported not met although known
  reachable (a failure of the method; it should be 0);
* ``beyond solo``: drops where some user cannot reach ``r`` even alone on its best
  resources with its whole budget (certainly unreachable);
* ``false claims``: results with ``success`` whose rates miss a floor (must be 0), and
  ``silent misses``: results without ``success`` that meet every floor (must be 0);
* ``cost``: the mean relative sum-rate lost to the floor over the drops that meet it,
  ``1 - SR(r) / SR(0)``;
* the median solve time.

With ``--exhaustive-drops M`` the first ``M`` drops are also solved with
``method="exhaustive"`` at every floor up to the largest met, and the ratio of sum-rates
(alternating / exhaustive) is printed.

Run: ``python benchmarks/scma_qos_floors.py --drops 30 --jobs 2``.
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
from scma_alloc._power import solo_rates  # noqa: E402
from scma_alloc._rates import LN2  # noqa: E402

FLOORS = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)
#: A floor counts as met down to this relative shortfall (the package's round-off).
RTOL = 1e-9


def best_solo(scenario: sa.Scenario) -> np.ndarray:
    """Each user's rate alone on its N best resources with its whole budget (bit/s/Hz)."""
    best = -np.sort(-scenario.snr_at_budget, axis=0)[: scenario.n_per_user].T
    return solo_rates(best[None])[0] / LN2


def one_drop(args: tuple[int, int, float, tuple[float, ...], bool]) -> list[dict]:
    drop, seed, budget, floors, exhaustive = args
    scenario = sa.drop_scenario(drop, budget, seed=seed)
    free = sa.solve_max_sr(scenario).sum_rate
    fair = sa.solve_max_min(scenario).min_rate
    solo = best_solo(scenario).min()
    rows = []
    for r in floors:
        start = time.perf_counter()
        res = sa.solve_max_sr(scenario, min_rates=r)
        elapsed = time.perf_counter() - start
        meets = bool(np.all(res.user_rates >= r * (1 - RTOL)))
        row = {
            "drop": drop,
            "floor": r,
            "success": bool(res.success),
            "meets": meets,
            "known": fair >= r,
            "beyond_solo": solo < r,
            "cost": 1.0 - res.sum_rate / free,
            "time": elapsed,
            "exact_ratio": np.nan,
        }
        if exhaustive and res.success:
            exact = sa.solve_max_sr(scenario, method="exhaustive", min_rates=r)
            if exact.success:
                row["exact_ratio"] = res.sum_rate / exact.sum_rate
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--budget-dbm", type=float, default=10.0)
    parser.add_argument("--exhaustive-drops", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    tasks = [
        (d, args.seed, args.budget_dbm, FLOORS, d < args.exhaustive_drops)
        for d in range(args.drops)
    ]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = [row for part in pool.map(one_drop, tasks) for row in part]
    wall = time.perf_counter() - start
    print(
        f"scma_alloc {sa.__version__}: {args.drops} drops, 4 x 6, {args.budget_dbm:g} dBm, "
        f"seed {args.seed}, solve_max_sr(min_rates=r), {args.jobs} jobs, {wall:.0f} s"
    )
    header = (
        f"{'floor':>6} {'met':>6} {'known':>6} {'missed known':>13} {'beyond solo':>12} "
        f"{'false claims':>13} {'silent misses':>14} {'cost':>8} {'median s':>9}"
    )
    if args.exhaustive_drops:
        header += f" {'alt/exh (n)':>18}"
    print(header)
    for r in FLOORS:
        part = [row for row in rows if row["floor"] == r]
        n = len(part)
        met = [row for row in part if row["success"]]
        missed_known = sum(1 for row in part if row["known"] and not row["success"])
        false_claims = sum(1 for row in part if row["success"] and not row["meets"])
        silent = sum(1 for row in part if not row["success"] and row["meets"])
        cost = np.mean([row["cost"] for row in met]) if met else np.nan
        line = (
            f"{r:6.2f} {len(met) / n:6.2f} {sum(row['known'] for row in part) / n:6.2f} "
            f"{missed_known:13d} {sum(row['beyond_solo'] for row in part):12d} "
            f"{false_claims:13d} {silent:14d} {cost:8.4f} "
            f"{np.median([row['time'] for row in part]):9.3f}"
        )
        if args.exhaustive_drops:
            ratios = [row["exact_ratio"] for row in part if np.isfinite(row["exact_ratio"])]
            line += (
                f" {np.mean(ratios):.5f}/{np.min(ratios):.5f} ({len(ratios)})"
                if ratios
                else f" {'-':>18}"
            )
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
