"""How the default solvers scale with the instance size, before and after.

J = 1.5 K users, N = 2, d_f = 3, 6 dBm, paper noise. Each solve runs in a fresh process,
so the peak memory reported (max RSS) is that run's own; the time is the solve alone
(imports excluded; the first solve pays for anything loaded lazily). With ``--before
PATH`` the same instances are solved by an earlier version (up to ``--before-max-k``:
it takes minutes above 64 x 96), and the sum-rate and min-rate of both are printed, seed
by seed.

    python benchmarks/scma_scale.py --sizes 16 32 64 128 256 --seeds 0 1 2 --before /tmp/before

Targets: 16 x 24 <= 0.3 s and 32 x 48 <= 0.8 s each; 64 x 96 Max-SR <= 2 s and Max-Min
<= 2 s; 128 x 192 <= 15 s each; 256 x 384 within 120 s and 4 GB; sum-rate and min-rate at
least the earlier version's on the same seeds.
"""

from __future__ import annotations

import argparse

from _versions import environment, run_worker, source_tree

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
    "min_rate": result.min_rate, "moves": int(result.n_outer),
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

LIMITS = {16: (0.3, 0.3), 32: (0.8, 0.8), 64: (2.0, 2.0), 128: (15.0, 15.0), 256: (120.0, 120.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64, 128])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--objectives", nargs="+", default=["max-sr", "max-min"])
    parser.add_argument("--before", default=None, help="source tree of an earlier version")
    parser.add_argument("--before-max-k", type=int, default=64)
    args = parser.parse_args()
    after = source_tree(None)
    before = source_tree(args.before) if args.before else None
    print(environment())
    print(
        f"{'K':>3s} {'J':>3s} {'objective':8s} {'seed':>4s} {'time s':>8s} {'target':>7s} "
        f"{'peak MB':>8s} {'sum-rate':>9s} {'min-rate':>9s}"
        + (f" | {'before s':>8s} {'sum-rate':>9s} {'min-rate':>9s}" if before else "")
    )
    for k in args.sizes:
        for objective in args.objectives:
            for seed in args.seeds:
                r = run_worker(CHILD, after, str(k), objective, str(seed))
                limit = LIMITS.get(k, (float("nan"),) * 2)[objective == "max-min"]
                mark = "ok" if r["time"] <= limit else "MISSED"
                line = (
                    f"{k:3d} {k * 3 // 2:3d} {objective:8s} {seed:4d} {r['time']:8.2f} "
                    f"{mark:>7s} {r['rss_mb']:8.0f} {r['sum_rate']:9.3f} {r['min_rate']:9.4f}"
                )
                if before is not None and k <= args.before_max_k:
                    b = run_worker(CHILD, before, str(k), objective, str(seed))
                    line += f" | {b['time']:8.2f} {b['sum_rate']:9.3f} {b['min_rate']:9.4f}"
                print(line, flush=True)


if __name__ == "__main__":
    main()
