"""Speed of the scma_alloc solvers on the paper's 4 x 6 scenario, before and after.

Times every method on the same seeded drops (``--drops`` x budgets 3/6/10 dBm, paper
noise) in ONE process per version (no parallel workers: per-instance latencies), after
a warm-up solve of each method. With ``--before PATH`` (a checkout of an earlier
version, e.g. ``git worktree add /tmp/before <commit>``) both versions run, chunk by
chunk in turn, so that both see the same machine conditions; the table then gives both
medians and their ratio. Also times ``import scma_alloc`` in fresh processes.

    python benchmarks/scma_speed.py --drops 40 --before /tmp/before

Targets: median Max-SR <= 5 ms, Max-Min <= 20 ms (default methods); import <= 0.5 s.

With ``--batching`` (this version only) the default Max-SR also runs with 8x its starts
(48 walks in one batch instead of 6): the ratio of the two medians says what solving
the 8 budgets of one drop as one batch of walks would gain. With ``--alpha-fair`` the
alpha-fair objectives (weighted sum-rate, proportional fairness, alpha 2, weighted
max-min; weights 0.5 .. 2) run next to Max-Min on the same instances.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from _versions import environment, run_worker, source_tree

METHODS = {
    "max-sr (default)": "sa.solve_max_sr(s)",
    "max-min (default)": "sa.solve_max_min(s)",
    "max-sr (paper)": "sa.solve_max_sr(s, method='paper')",
    "max-min (paper)": "sa.solve_max_min(s, method='paper')",
    "max-sr (exhaustive)": "sa.exhaustive_max_sr(s)",
}
BATCHING = {"max-sr (48 walks)": "sa.solve_max_sr(s, n_starts=48)"}
#: ``--alpha-fair``: the alpha-fair objectives next to Max-Min (weights 0.5 .. 2).
ALPHA_FAIR = {
    "max-min (default)": "sa.solve_max_min(s)",
    "weighted sum-rate": "sa.solve_alpha_fair(s, 0.0, np.linspace(0.5, 2.0, s.n_users))",
    "prop. fairness": "sa.solve_alpha_fair(s, 1.0)",
    "alpha 2": "sa.solve_alpha_fair(s, 2.0)",
    "weighted max-min": "sa.solve_max_min(s, weights=np.linspace(0.5, 2.0, s.n_users))",
}

WORKER = r"""
import json, sys, time
import numpy as np
import scma_alloc as sa
seed, drops = int(sys.argv[1]), json.loads(sys.argv[2])
budgets, methods = json.loads(sys.argv[3]), json.loads(sys.argv[4])
seeds = np.random.SeedSequence(seed).spawn(max(drops) + 1)
runs = {name: eval("lambda s: " + expr) for name, expr in methods.items()}
scenarios = [sa.random_scenario(power_budget_dbm=b, rng=np.random.default_rng(seeds[d]))
             for d in drops for b in budgets]
for run in runs.values():  # warm-up: lazy imports, compiled conic problems
    run(scenarios[0])
times = {name: [] for name in runs}
for s in scenarios:
    for name, run in runs.items():
        start = time.perf_counter()
        run(s)
        times[name].append(time.perf_counter() - start)
print(json.dumps(times))
"""


def import_time(tree, repeats: int = 5) -> float:
    """Median wall time of ``import scma_alloc`` in a fresh interpreter (seconds)."""
    code = (
        "import time; t = time.perf_counter(); import scma_alloc; print(time.perf_counter() - t)"
    )
    values = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
            cwd=tree,
            capture_output=True,
            text=True,
            check=True,
        )
        values.append(float(out.stdout.strip()))
    return statistics.median(values)


def summary(values: list[float]) -> tuple[float, float, float]:
    ms = sorted(v * 1e3 for v in values)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return statistics.median(ms), p90, ms[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=40)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3.0, 6.0, 10.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunks", type=int, default=4, help="turns per version")
    parser.add_argument("--before", default=None, help="source tree of an earlier version")
    parser.add_argument(
        "--batching", action="store_true", help="also time Max-SR with 48 walks (this version)"
    )
    parser.add_argument(
        "--alpha-fair",
        action="store_true",
        help="time the alpha-fair objectives and Max-Min instead of the default methods",
    )
    args = parser.parse_args()
    chosen = ALPHA_FAIR if args.alpha_fair else METHODS
    methods = {v: dict(chosen) for v in ("after", "before")}
    if args.batching:
        methods["after"].update(BATCHING)
    versions = {"after": source_tree(None)}
    if args.before:
        versions["before"] = source_tree(args.before)
    print(environment())
    times = {v: {name: [] for name in methods[v]} for v in versions}
    started = time.perf_counter()
    for chunk in range(args.chunks):
        drops = list(range(chunk, args.drops, args.chunks))
        for version, tree in versions.items():
            result = run_worker(
                WORKER,
                tree,
                str(args.seed),
                json.dumps(drops),
                json.dumps(args.budgets),
                json.dumps(methods[version]),
            )
            for name, values in result.items():
                times[version][name] += values
    n = len(next(iter(times["after"].values())))
    print(
        f"{n} instances (4 x 6, paper noise, budgets {args.budgets} dBm, seed {args.seed}), "
        f"one process per version, {time.perf_counter() - started:.0f} s in all"
    )
    header = f"{'method':22s} {'median ms':>10s} {'p90 ms':>8s} {'max ms':>8s}"
    if "before" in versions:
        header += f" {'before median':>14s} {'before p90':>11s} {'speed-up':>9s}"
    print(header)
    for name in methods["after"]:
        median, p90, worst = summary(times["after"][name])
        line = f"{name:22s} {median:10.2f} {p90:8.2f} {worst:8.1f}"
        if "before" in versions and name in times["before"]:
            b_median, b_p90, _ = summary(times["before"][name])
            line += f" {b_median:14.2f} {b_p90:11.2f} {b_median / median:8.1f}x"
        print(line)
    if args.alpha_fair:
        print("\ntime / Max-Min's on the same instance (median over instances; target <= 2)")
        for version in versions:
            base = times[version]["max-min (default)"]
            cells = []
            for name in methods[version]:
                if name != "max-min (default)":
                    pairs = zip(times[version][name], base, strict=True)
                    cells.append(f"{name} {statistics.median(t / m for t, m in pairs):.2f}")
            print(f"{version:6s} " + ", ".join(cells))
    for version, tree in versions.items():
        seconds = import_time(tree)
        print(f"import scma_alloc ({version}): median {seconds:.3f} s over 5 fresh processes")


if __name__ == "__main__":
    main()
