"""Speed of the scma_alloc solvers on the paper's 4 x 6 scenario (issue 2 targets).

Times every solver on the same seeded drops in ONE process (no parallel workers, so
the figures are per-instance latencies), after a warm-up that compiles the CVXPY
problems. Prints medians and 90th percentiles per method and the machine load.

    python benchmarks/scma_speed.py --drops 40

Targets: median Max-SR <= 50 ms and Max-Min <= 100 ms (default method).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import scma_alloc as sa

RUNS = {
    "max-sr (default)": lambda s: sa.solve_max_sr(s),
    "max-min (default)": lambda s: sa.solve_max_min(s),
    "max-sr (paper)": lambda s: sa.solve_max_sr(s, method="paper"),
    "max-min (paper)": lambda s: sa.solve_max_min(s, method="paper"),
    "max-sr (exhaustive)": sa.exhaustive_max_sr,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=40)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3.0, 6.0, 10.0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    seeds = np.random.SeedSequence(args.seed).spawn(args.drops)
    scenarios = [
        sa.random_scenario(power_budget_dbm=b, rng=np.random.default_rng(s))
        for s in seeds
        for b in args.budgets
    ]
    for run in RUNS.values():  # warm-up: compile every CVXPY problem once
        run(scenarios[0])
    load_before = os.getloadavg()[0]
    times = {name: [] for name in RUNS}
    for scenario in scenarios:
        for name, run in RUNS.items():
            start = time.perf_counter()
            run(scenario)
            times[name].append(time.perf_counter() - start)
    load_after = os.getloadavg()[0]
    print(
        f"{len(scenarios)} instances (4 x 6, paper noise, budgets {args.budgets} dBm), one "
        f"process; load average {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} cores"
    )
    print(f"{'method':24s} {'median ms':>10s} {'p90 ms':>8s} {'max ms':>8s}")
    for name, values in times.items():
        ms = np.array(values) * 1e3
        print(f"{name:24s} {np.median(ms):10.1f} {np.percentile(ms, 90):8.1f} {ms.max():8.1f}")


if __name__ == "__main__":
    main()
