"""The link-level commands of ``scma-alloc``: ``ber`` and ``link``.

* ``scma-alloc ber``: BER vs Eb/N0 curves of codebook sets (AWGN or Rayleigh, Log-MPA or
  Max-Log-MPA), as a table, a CSV file and a figure.
* ``scma-alloc link``: the per-user BER of the allocations stored by a sweep, each on its
  own drop (``SweepConfig.scenario_for``), next to the rates the allocator predicted.

:func:`register` adds both to the parser of :mod:`scma_alloc._cli`. Torch and the
simulator load when a command runs, not when the parser is built. Every output is checked
before any simulation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .._arguments import parse_jobs, parse_non_negative_int, parse_number_list, usable_cpus
from .._export import check_output_file

__all__ = ["register"]

_CODEBOOK_NAMES = tuple(f"CS{i}" for i in range(1, 9))
_FIGURE_FORMATS = ("png", "pdf", "svg")


# --------------------------------------------------------------------------- argument types
def _ebno_list(text: str) -> tuple[float, ...]:
    return parse_number_list(text, name="Eb/N0 list")


def _count(text: str) -> int:
    """A positive count; ``1e6`` style accepted."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(value)


def _codebook_list(text: str) -> tuple[str, ...]:
    names = tuple(p.strip() for p in text.split(",") if p.strip())
    if not names:
        raise argparse.ArgumentTypeError("give at least one codebook (CS1..CS8 or a file)")
    bad = [n for n in names if n.upper() not in _CODEBOOK_NAMES and not Path(n).is_file()]
    if bad:
        raise argparse.ArgumentTypeError(
            f"unknown codebook(s) {bad}: use {', '.join(_CODEBOOK_NAMES)} or a codebook file"
        )
    return names


def _codebook(text: str) -> str:
    names = _codebook_list(text)
    if len(names) != 1:
        raise argparse.ArgumentTypeError(f"give one codebook, got {text!r}")
    return names[0]


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _drop_list(text: str) -> tuple[int, ...]:
    values = parse_number_list(text, name="drop list")
    if not all(v.is_integer() and v >= 0 for v in values):
        raise argparse.ArgumentTypeError(f"drops are non-negative integers, got {text!r}")
    return tuple(int(v) for v in values)


def _figure(text: str) -> Path:
    path = Path(text)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in _FIGURE_FORMATS:
        raise argparse.ArgumentTypeError(
            f"cannot draw a {fmt or 'suffix-less'} figure ({path}); use a suffix among "
            f"{', '.join(_FIGURE_FORMATS)}"
        )
    return path


def _outputs(args: argparse.Namespace) -> None:
    """Check --csv and --figure before any work (folders are created)."""
    if args.csv:
        check_output_file(args.csv, "--csv")
    if args.figure:
        check_output_file(args.figure, "--figure")


def _threads(jobs: int) -> Any:
    import torch

    torch.set_num_threads(max(1, jobs))


# --------------------------------------------------------------------------- ber
def _cmd_ber(args: argparse.Namespace) -> int:
    from . import load_codebook, simulate_ber
    from ._plotting import ber_figure

    _outputs(args)
    codebooks = [load_codebook(name) for name in args.codebooks]  # refused before simulating
    _threads(args.jobs)
    print(
        f"uncoded BER, {args.channel}, {args.detector}, {args.iterations} iterations; "
        f"Eb/N0 = Es/N0 - 10 log10(J log2 M / K), Es/N0 per resource element of the "
        f"superposed signal; each point to {args.target_errors} bit errors or "
        f"{args.max_blocks} blocks",
        file=sys.stderr,
    )
    results = []
    interrupted = False
    for codebook in codebooks:
        result = simulate_ber(
            codebook,
            args.ebno,
            channel=args.channel,
            iterations=args.iterations,
            detector=args.detector,
            target_errors=args.target_errors,
            max_blocks=args.max_blocks,
            seed=args.seed,
            progress=args.progress,
            detector_noise_factor=args.detector_noise_factor,
        )
        results.append(result)
        print(result)
        if result.interrupted:
            interrupted = True
            break
    frames = [r.table() for r in results]
    if args.csv:
        import pandas as pd

        pd.concat(frames, ignore_index=True).to_csv(args.csv, index=False)
        print(f"csv: {args.csv}")
    if args.figure:
        figure = ber_figure(
            {f"{r.codebook}": r for r in results},
            title=f"uncoded SCMA, {args.channel}, {args.detector}, {args.iterations} iterations",
        )
        figure.savefig(args.figure, dpi=150)
        print(f"figure: {args.figure}")
    if interrupted:
        print("scma-alloc: interrupted; finished points were kept", file=sys.stderr)
        return 130
    return 0


# --------------------------------------------------------------------------- link
def _cmd_link(args: argparse.Namespace) -> int:
    from .._store import ResultStore, decode_assignment
    from .._sweep import SweepConfig
    from . import allocation_ber, load_codebook

    _outputs(args)
    with ResultStore(args.store, mode="r") as store:
        frame = store.frame()
        config = SweepConfig.from_dict(store.config)
    if not len(frame):
        raise ValueError(f"store {args.store} has no results yet")
    rows = frame[frame["status"] != "error"]
    if args.algorithms:
        missing = [a for a in args.algorithms if a not in set(rows["algorithm"])]
        if missing:
            raise ValueError(f"--algorithms: {missing} are not in store {args.store}")
        rows = rows[rows["algorithm"].isin(args.algorithms)]
    if args.budget_dbm is not None:
        if args.budget_dbm not in config.budgets_dbm:
            raise ValueError(
                f"--budget-dbm {args.budget_dbm:g} is not a budget of this sweep "
                f"({sorted(set(config.budgets_dbm))})"
            )
        rows = rows[rows["budget_dbm"] == args.budget_dbm]
    if args.drops is not None:
        bad = [d for d in args.drops if not 0 <= d < config.n_drops]
        if bad:
            raise ValueError(
                f"--drops {bad} are not drops of this sweep (0..{config.n_drops - 1})"
            )
        rows = rows[rows["drop"].isin(args.drops)]
    if not len(rows):
        raise ValueError("no stored allocation matches --algorithms/--budget-dbm/--drops")
    codebook = load_codebook(args.codebook)
    _threads(args.jobs)
    print(
        f"per-user BER of {len(rows)} stored allocation(s), codebook {codebook.name}, "
        f"{args.fading} fading, {args.detector}, {args.iterations} iterations; every user to "
        f"{args.target_errors} bit errors or {args.max_blocks} blocks; seed {args.seed} "
        "(the same bits, fading and noise for every allocation of a drop)",
        file=sys.stderr,
    )
    records = []
    try:
        for _, row in rows.iterrows():
            scenario = config.scenario_for(int(row["drop"]), int(row["budget_index"]))
            allocation = {
                "assignment": decode_assignment(row["assignment"]),
                "power": np.asarray(row["power"], dtype=float).reshape(scenario.shape),
            }
            out = allocation_ber(
                scenario,
                allocation,
                codebook=codebook,
                fading=args.fading,
                iterations=args.iterations,
                detector=args.detector,
                target_errors=args.target_errors,
                max_blocks=args.max_blocks,
                seed=args.seed + int(row["drop"]),
                progress=args.progress,
            )
            rates = np.asarray(row["user_rates"], dtype=float)
            print(
                f"drop {int(row['drop'])}, {row['budget_dbm']:g} dBm, {row['algorithm']}: "
                f"worst BER {out.worst:.3e}, min-rate {rates.min():.3f} bit/s/Hz\n"
                f"  BER  {' '.join(f'{b:9.2e}' for b in out.ber)}\n"
                f"  rate {' '.join(f'{r:9.3f}' for r in rates)}"
            )
            for user in range(len(out.ber)):
                records.append(
                    {
                        "drop": int(row["drop"]),
                        "budget_dbm": float(row["budget_dbm"]),
                        "algorithm": row["algorithm"],
                        "user": user,
                        "rate": rates[user],
                        "ber": out.ber[user],
                        "bit_errors": int(out.bit_errors[user]),
                        "bits": int(out.bits[user]),
                        "layer": int(out.layers[user]),
                        "status": out.status,
                    }
                )
            if out.interrupted:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        print("scma-alloc: interrupted; the finished allocations are written", file=sys.stderr)
        _write_link_outputs(args, records)
        return 130
    _write_link_outputs(args, records)
    return 0


def _write_link_outputs(args: argparse.Namespace, records: list[dict[str, Any]]) -> None:
    import pandas as pd

    table = pd.DataFrame(records)
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"csv: {args.csv}")
    if args.figure and len(table):
        from ._plotting import rate_ber_figure

        rate_ber_figure(table).savefig(args.figure, dpi=150)
        print(f"figure: {args.figure}")


# --------------------------------------------------------------------------- parser
def _simulation_arguments(parser: argparse.ArgumentParser, *, target: int, blocks: int) -> None:
    group = parser.add_argument_group("simulation")
    group.add_argument(
        "--detector",
        choices=("log-mpa", "max-log-mpa"),
        default="log-mpa",
        help="message passing: exact sum-product (log-mpa) or max-log (max-log-mpa); log-mpa",
    )
    group.add_argument(
        "--iterations", type=_count, default=6, help="message-passing iterations (6)"
    )
    group.add_argument(
        "--target-errors", type=_count, default=target, help=f"bit errors per point ({target})"
    )
    group.add_argument(
        "--max-blocks", type=_count, default=blocks, help=f"cap on blocks per point ({blocks:.0e})"
    )
    group.add_argument("--seed", type=parse_non_negative_int, default=0, help="seed (0)")
    group.add_argument(
        "--jobs",
        type=parse_jobs,
        default=usable_cpus(),
        help=f"CPU threads of the detector (default: all {usable_cpus()}; 0 or -1: all)",
    )
    group.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--csv", metavar="PATH", help="write the points as CSV")
    out.add_argument(
        "--figure", type=_figure, metavar="PATH", help="draw a figure (png, pdf or svg)"
    )


def register(subparsers: Any) -> None:
    """Add the ``ber`` and ``link`` commands to ``scma-alloc``'s subparsers."""
    ber = subparsers.add_parser(
        "ber",
        help="uncoded BER vs Eb/N0 of SCMA codebook sets (Log-MPA / Max-Log-MPA)",
        description="Monte-Carlo BER of codebook sets: each Eb/N0 point runs until "
        "--target-errors bit errors or --max-blocks blocks (one block = one codeword of "
        "every user). Es/N0 is per resource element of the superposed signal (codebooks "
        "normalised to unit power there); Eb/N0 = Es/N0 - 10 log10(J log2 M / K) (4.77 dB "
        "for the 6 x 4, M = 4 sets). Ctrl-C keeps the finished points.",
    )
    ber.add_argument(
        "--codebooks",
        type=_codebook_list,
        default=("CS1",),
        metavar="LIST",
        help="CS1..CS8 or codebook files (text table or .mat), comma-separated (CS1)",
    )
    ber.add_argument(
        "--ebno",
        type=_ebno_list,
        default=tuple(float(e) for e in range(0, 13, 2)),
        metavar="LIST",
        help="Eb/N0 in dB: 0,4,8 or start:stop[:step] inclusive (0:12:2)",
    )
    ber.add_argument(
        "--channel",
        choices=("awgn", "rayleigh"),
        default="awgn",
        help="AWGN, or Rayleigh: each user its own CN(0,1) gain per resource element and "
        "block, known at the detector (awgn)",
    )
    ber.add_argument(
        "--detector-noise-factor",
        type=_positive,
        default=1.0,
        help="the detector assumes N0 times this (1: exact; 2 reproduces AFF3CT 2.x's SCMA modem)",
    )
    _simulation_arguments(ber, target=1000, blocks=10_000_000)
    ber.set_defaults(func=_cmd_ber)

    link = subparsers.add_parser(
        "link",
        help="per-user BER of a store's allocations on a real SCMA link",
        description="Simulate every stored allocation on its own drop: each user sends "
        "its codebook layer on its resources at the allocated powers, Rayleigh fading "
        "around the drop's gains and the drop's noise, MPA detection. Prints and writes "
        "the per-user BER next to the predicted rates.",
    )
    link.add_argument("--store", required=True, metavar="PATH", help="a sweep's store")
    link.add_argument(
        "--algorithms",
        type=lambda t: tuple(p.strip() for p in t.split(",") if p.strip()),
        default=None,
        metavar="LIST",
        help="comma-separated algorithms of the store (all)",
    )
    link.add_argument("--budget-dbm", type=float, default=None, help="one budget (all)")
    link.add_argument(
        "--drops",
        type=_drop_list,
        default=None,
        metavar="LIST",
        help="drops, e.g. 0,1,2 or 0:9 (all)",
    )
    link.add_argument("--codebook", type=_codebook, default="CS1", help="codebook set (CS1)")
    link.add_argument(
        "--fading",
        choices=("rayleigh", "none"),
        default="rayleigh",
        help="Rayleigh fading around the drop's gains, or none (rayleigh)",
    )
    _simulation_arguments(link, target=100, blocks=200_000)
    link.set_defaults(func=_cmd_link)
