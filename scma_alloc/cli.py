"""Command-line interface: ``scma-alloc`` / ``python -m scma_alloc``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from .result import AllocationResult
from .scenario import random_scenario
from .solvers import METHODS, solve_max_min, solve_max_sr

__all__ = ["main"]


def _allocation_table(result: AllocationResult) -> str:
    power_mw = result.power * 1e3
    n_resources, n_users = power_mw.shape
    header = "resource " + "".join(f"  user{j:<4d}" for j in range(n_users))
    lines = [header]
    for k in range(n_resources):
        cells = "".join(
            f"  {power_mw[k, j]:8.3f}" if result.assignment[k, j] else "         -"
            for j in range(n_users)
        )
        lines.append(f"k={k:<7d}{cells}")
    lines.append("rate     " + "".join(f"  {r:8.3f}" for r in result.user_rates))
    return "\n".join(lines)


def _describe(name: str, result: AllocationResult) -> str:
    return (
        f"{name}: sum-rate {result.sum_rate:.3f} bit/s/Hz, min-rate {result.min_rate:.3f}, "
        f"Jain {result.jain_index:.3f}, status {result.status}, {result.solve_time * 1e3:.0f} ms\n"
        "power per edge in mW ('-' = not assigned), rates in bit/s/Hz:\n"
        + _allocation_table(result)
    )


def _cmd_solve(args: argparse.Namespace) -> int:
    scenario = random_scenario(
        args.resources,
        args.users,
        power_budget_dbm=args.budget_dbm,
        n_per_user=args.n_per_user,
        users_per_resource=args.users_per_resource,
        noise=args.noise,
        rng=args.seed,
    )
    print(f"{scenario} (noise preset '{args.noise}', seed {args.seed})")
    objectives = {"max-sr": solve_max_sr, "max-min": solve_max_min}
    chosen = (
        objectives if args.objective == "both" else {args.objective: objectives[args.objective]}
    )
    for name, solve in chosen.items():
        print()
        print(_describe(f"{name} ({args.method})", solve(scenario, method=args.method)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="scma-alloc",
        description="Joint codebook and power allocation for uplink SCMA.",
    )
    sub = parser.add_subparsers(dest="command")
    solve = sub.add_parser("solve", help="solve one random drop (the default command)")
    solve.add_argument("--resources", type=int, default=4, help="K, subcarriers (default 4)")
    solve.add_argument("--users", type=int, default=6, help="J, users (default 6)")
    solve.add_argument("--n-per-user", type=int, default=2, help="N (default 2)")
    solve.add_argument("--users-per-resource", type=int, default=3, help="d_f (default 3)")
    solve.add_argument("--budget-dbm", type=float, default=10.0, help="per-user budget (10)")
    solve.add_argument("--noise", choices=("paper", "thermal"), default="paper")
    solve.add_argument("--seed", type=int, default=0, help="channel drop seed (default 0)")
    solve.add_argument("--objective", choices=("max-sr", "max-min", "both"), default="both")
    solve.add_argument("--method", choices=METHODS, default="alternating")
    solve.set_defaults(func=_cmd_solve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] or ["solve"])
    if args.command is None:
        args = parser.parse_args(["solve"])
    np.set_printoptions(precision=4, suppress=True)
    try:
        return args.func(args)
    except (ValueError, TypeError) as exc:
        print(f"scma-alloc: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
