"""How far the default solvers are from the optimum above 4 x 6: best-known and bounds.

For K x J = 16 x 24, 32 x 48, 64 x 96 (J = 1.5 K, N = 2, d_f = 3, 6 dBm, paper noise,
seeds ``--seeds``), per instance:

* Max-SR: the default's sum-rate; the best known, the best of the default, a long
  multi-start search (``n_starts=48, n_kicks=48``, another seed) and a search from the
  graph of a convex relaxation (relaxation C below, its fractional graph rounded by the
  b-matching of :func:`scma_alloc.repair_assignment`); and a valid upper bound: the
  certified Lagrangian dual value of relaxation C (a fractional graph with time sharing
  and power boosting, which reaches the SIC sum-rate exactly; ``_maxsr_bound.py`` gives
  the derivation), checked at 4 x 6 against the exhaustive optimum.
* Max-Min: the default's min-rate; the best known, the best of the default and a longer
  search (``n_polish=16, polish_moves=5``); and the users-alone bound (each user alone
  on its N best resources with its whole budget: no interference, no load limit).

Results are cached in ``--out`` (JSON), so a rerun skips finished instances.

    python benchmarks/scma_reference.py --sizes 16 32 64 --seeds 0 1 2 3 4
    python benchmarks/scma_reference.py --check-bound 200   # the bound at 4 x 6

Target: the default within 0.5 % of the best known at every size.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _maxsr_bound import max_sr_upper_bound

import scma_alloc as sa

LN2 = float(np.log(2.0))


def solo_bound(scenario: sa.Scenario) -> float:
    """Min over users of the rate alone on its N best resources (bits): a valid bound."""
    a = np.sort(scenario.snr_at_budget, axis=0)[::-1][: scenario.n_per_user].T  # (J, N)
    floors = 1.0 / a
    n = floors.shape[1]
    s = np.sort(floors, axis=1)
    mu = (1.0 + np.cumsum(s, axis=1)) / np.arange(1, n + 1)
    active = np.count_nonzero(mu > s, axis=1)
    level = mu[np.arange(len(mu)), active - 1]
    x = np.maximum(level[:, None] - floors, 0.0)
    return float(np.log2(1 + a * x).sum(axis=1).min())


def relaxation_graph(scenario: sa.Scenario, relaxed: np.ndarray | None) -> np.ndarray | None:
    if relaxed is None:
        return None
    return sa.repair_assignment(relaxed, scenario.n_per_user, scenario.users_per_resource)


def instance(k: int, seed: int) -> dict:
    scenario = sa.random_scenario(k, k * 3 // 2, power_budget_dbm=6.0, rng=seed)
    row: dict = {"K": k, "J": k * 3 // 2, "seed": seed}
    start = time.perf_counter()
    default = sa.solve_max_sr(scenario)
    row["sr_default"], row["sr_time"] = default.sum_rate, time.perf_counter() - start
    start = time.perf_counter()
    bound, _, relaxed = max_sr_upper_bound(scenario.snr_at_budget, 2, 3, return_dual=True)
    row["sr_bound"], row["bound_time"] = bound / LN2, time.perf_counter() - start
    long = sa.solve_max_sr(scenario, n_starts=48, n_kicks=48, rng=1).sum_rate
    candidates = [row["sr_default"], long]
    graph = relaxation_graph(scenario, relaxed)
    if graph is not None:
        candidates.append(sa.solve_max_sr(scenario, initial=graph, n_kicks=16).sum_rate)
    row["sr_best"] = max(candidates)
    start = time.perf_counter()
    fair = sa.solve_max_min(scenario)
    row["mm_default"], row["mm_time"] = fair.min_rate, time.perf_counter() - start
    longer = sa.solve_max_min(scenario, n_polish=16, polish_moves=5).min_rate
    row["mm_best"] = max(row["mm_default"], longer)
    row["mm_bound"] = solo_bound(scenario)
    return row


def check_bound(drops: int) -> None:
    """The Max-SR bound against the exhaustive optimum on the paper's 4 x 6 drops."""
    seeds = np.random.SeedSequence(2024).spawn(drops)
    gaps = []
    for d in range(drops):
        base = sa.random_scenario(power_budget_dbm=3.0, rng=np.random.default_rng(seeds[d]))
        for budget in (3.0, 6.0, 10.0):
            scenario = base.with_budget(sa.dbm_to_watt(budget))
            optimum = sa.exhaustive_max_sr(scenario).sum_rate
            bound = max_sr_upper_bound(scenario.snr_at_budget, 2, 3) / LN2
            gaps.append(bound / optimum - 1)
    gaps = np.array(gaps)
    print(
        f"4 x 6, {gaps.size} instances: bound below the optimum on {int((gaps < -1e-9).sum())}; "
        f"gap mean {100 * gaps.mean():.3f} %, median {100 * np.median(gaps):.3f} %, "
        f"max {100 * gaps.max():.2f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", type=Path, default=Path("results/scma_reference.json"))
    parser.add_argument("--check-bound", type=int, default=0, metavar="DROPS")
    args = parser.parse_args()
    if args.check_bound:
        check_bound(args.check_bound)
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(args.out.read_text()) if args.out.exists() else {}
    for k in args.sizes:
        for seed in args.seeds:
            key = f"{k}-{seed}"
            if key not in rows:
                rows[key] = instance(k, seed)
                args.out.write_text(json.dumps(rows, indent=1))
            r = rows[key]
            print(
                f"{k:3d} x {r['J']:3d} seed {seed}: Max-SR default {r['sr_default']:.3f} "
                f"({r['sr_time']:.2f} s) best {r['sr_best']:.3f} bound {r['sr_bound']:.3f} | "
                f"Max-Min default {r['mm_default']:.4f} ({r['mm_time']:.2f} s) best "
                f"{r['mm_best']:.4f} bound {r['mm_bound']:.4f}",
                flush=True,
            )
    print(
        "\nsize     | Max-SR default/best: mean, worst | bound/best: mean, max | "
        "Max-Min default/best: mean, worst | bound/best: mean, max"
    )
    for k in args.sizes:
        part = [rows[f"{k}-{s}"] for s in args.seeds]
        sr = np.array([r["sr_default"] / r["sr_best"] for r in part])
        srb = np.array([r["sr_bound"] / r["sr_best"] for r in part])
        mm = np.array([r["mm_default"] / r["mm_best"] for r in part])
        mmb = np.array([r["mm_bound"] / r["mm_best"] for r in part])
        print(
            f"{k:3d} x {k * 3 // 2:3d} | {sr.mean():.5f}, {sr.min():.5f} | "
            f"{srb.mean():.4f}, {srb.max():.4f} | {mm.mean():.5f}, {mm.min():.5f} | "
            f"{mmb.mean():.4f}, {mmb.max():.4f}"
        )


if __name__ == "__main__":
    main()
