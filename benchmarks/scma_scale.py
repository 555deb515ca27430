"""How the default solvers scale with the instance size (issue 2 targets).

For K in ``--sizes`` (J = 1.5 K users, N = 2, d_f = 3, 6 dBm, paper noise) each solve
runs in a fresh subprocess, so the reported peak memory (max RSS) is that run's own.

    python benchmarks/scma_scale.py --sizes 4 8 16 32 64

Targets at K = 64, J = 96: Max-SR <= 30 s, Max-Min <= 60 s, peak memory <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import scma_alloc as sa
k, objective, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
scenario = sa.random_scenario(k, k * 3 // 2, power_budget_dbm=6.0, rng=seed)
solve = sa.solve_max_sr if objective == "max-sr" else sa.solve_max_min
start = time.perf_counter()
result = solve(scenario)
elapsed = time.perf_counter() - start
print(json.dumps({
    "time": elapsed, "status": result.status, "sum_rate": result.sum_rate,
    "min_rate": result.min_rate, "moves": result.n_outer,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16, 32, 64])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        f"{'K':>3s} {'J':>3s} {'objective':8s} {'seed':>4s} {'time s':>8s} {'peak MB':>8s} "
        f"{'moves':>6s} {'sum-rate':>9s} {'min-rate':>9s} status"
    )
    for k in args.sizes:
        for objective in ("max-sr", "max-min"):
            for seed in args.seeds:
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, str(k), objective, str(seed)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(
                    f"{k:3d} {k * 3 // 2:3d} {objective:8s} {seed:4d} {r['time']:8.2f} "
                    f"{r['rss_mb']:8.0f} {r['moves']:6d} {r['sum_rate']:9.2f} "
                    f"{r['min_rate']:9.4f} {r['status']}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
