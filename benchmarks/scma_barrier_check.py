"""The min-rate polish: batched barrier Newton method against two-start CVXPY SCP.

On seeded 4 x 6 paper-scenario drops (budgets 3/6/10 dBm), takes the min-rate proxy's
``--top`` best graphs per drop (sequential water-filling, the graphs the default
method polishes), polishes their powers by the barrier method (one batch per drop,
``_barrier.py``) and by trust-region SCP through CVXPY from the same two starts
(the proxy's point and an equal split; the better of the two), and prints the ratio
barrier / SCP of the min-rates (mean, worst, share of graphs more than 1e-4 below or
above) and the time of each.

    python benchmarks/scma_barrier_check.py --drops 40 --top 20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scma_alloc as sa
from scma_alloc._exhaustive import _graphs
from scma_alloc._objectives import Problem
from scma_alloc._options import AlternatingOptions
from scma_alloc._power import PowerStep, power_step
from scma_alloc._rates import edge_index, rate_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=40)
    parser.add_argument("--top", type=int, default=20, help="graphs per drop")
    parser.add_argument("--budgets", type=float, nargs="+", default=[3.0, 6.0, 10.0])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    options = AlternatingOptions(solver="CLARABEL", max_inner=30, scp_tol=1e-8)
    seeds = np.random.SeedSequence(args.seed).spawn(args.drops)
    ratios, t_barrier, t_scp = [], [], []
    for d, seed in enumerate(seeds):
        base = sa.random_scenario(rng=np.random.default_rng(seed))
        for budget in args.budgets:
            scenario = base.with_budget(sa.dbm_to_watt(budget))
            problem = Problem(scenario, "min_rate", rate_model(scenario, None))
            step = power_step(problem)
            sub_all = edge_index(_graphs(scenario, 10_000), scenario.n_per_user)
            x_all, v_all = step.proxy(sub_all)
            top = np.argsort(-v_all, kind="stable")[: args.top]
            sub, x = sub_all[top], x_all[top]
            start = time.perf_counter()
            _, barrier = step.polish(sub, x, options)
            t_barrier.append(time.perf_counter() - start)
            start = time.perf_counter()
            _, scp = PowerStep.polish(step, sub, x, options)
            t_scp.append(time.perf_counter() - start)
            ratios.append(barrier / scp)
        print(f"drop {d + 1}/{args.drops}", file=sys.stderr, end="\r")
    r = np.concatenate(ratios)
    print(
        f"{r.size} graphs ({args.drops} drops x {len(args.budgets)} budgets x top "
        f"{args.top} by the proxy), min-rate barrier / SCP (two starts each):"
    )
    print(
        f"  mean ratio {r.mean():.5f}, median {np.median(r):.5f}, worst {r.min():.4f}, "
        f"best {r.max():.4f}"
    )
    print(
        f"  below SCP by > 1e-4: {np.mean(r < 1 - 1e-4):.2%} of graphs; above by > 1e-4: "
        f"{np.mean(r > 1 + 1e-4):.2%}; within 1e-4: {np.mean(np.abs(r - 1) <= 1e-4):.2%}"
    )
    print(
        f"  time per batch of {args.top} graphs (median): barrier "
        f"{1e3 * np.median(t_barrier):.1f} ms, SCP {1e3 * np.median(t_scp):.0f} ms"
    )


if __name__ == "__main__":
    main()
