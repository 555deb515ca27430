"""Command line: ``gfnoma ber``, ``signatures show|make|phases``, ``train`` and ``allocate``.

Bad arguments give one line ``gfnoma: error: ...`` on stderr and exit status 2 (no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gfnoma._validation import check_activation
from gfnoma.pretrained import PRETRAINED, pretrained_signatures
from gfnoma.signatures import (
    P_ASY,
    P_HIGH,
    P_LOW,
    SIGNATURE_KINDS,
    Signatures,
    make_signatures,
)

__all__ = ["main"]

_PROFILES = {"asy": P_ASY, "high": P_HIGH, "low": P_LOW}
_KINDS_HELP = ", ".join((*SIGNATURE_KINDS, "search"))


class _CLIError(Exception):
    """A user error to be printed as one line."""


def _parse_floats(text: str, name: str) -> list[float]:
    try:
        vals = [float(v) for v in text.split(",") if v.strip() != ""]
    except ValueError:
        raise _CLIError(f"{name}: expected comma-separated numbers, got {text!r}") from None
    if not vals:
        raise _CLIError(f"{name}: no values given")
    return vals


def parse_snr(text: str) -> np.ndarray:
    """``START:STOP:NUM`` (inclusive, like ``numpy.linspace``) or a comma-separated list."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise _CLIError(f"--snr: expected START:STOP:NUM or a list, got {text!r}")
        try:
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise _CLIError(
                f"--snr: expected START:STOP:NUM with integer NUM, got {text!r}"
            ) from None
        if num < 1:
            raise _CLIError(f"--snr: NUM must be >= 1, got {num}")
        vals = np.linspace(start, stop, num)
    else:
        vals = np.array(_parse_floats(text, "--snr"))
    if not np.all(np.isfinite(vals)):
        raise _CLIError(f"--snr: values must be finite, got {text!r}")
    return vals


def parse_activation(text: str) -> tuple[float, ...]:
    """A profile name (``asy``, ``high``, ``low``) or comma-separated probabilities."""
    key = text.strip().lower()
    if key in _PROFILES:
        return _PROFILES[key]
    vals = _parse_floats(text, "--activation")
    try:
        check_activation(vals, name="--activation")
    except ValueError as exc:
        raise _CLIError(str(exc)) from None
    return tuple(vals)


def _fix_negative_values(argv: list[str]) -> list[str]:
    # argparse takes "-5:20:6" for an option; glue such values to their option.
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if (
            tok in ("--snr", "--activation", "--set")
            and i + 1 < len(argv)
            and argv[i + 1].startswith("-")
            and argv[i + 1][1:2].replace(".", "0").isdigit()
        ):
            out.append(f"{tok}={argv[i + 1]}")
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


_KINDS = (*SIGNATURE_KINDS, "musa-like", "search")


def _is_file(spec: str) -> bool:
    item = spec.strip()
    return item.lower().endswith(".json") or "/" in item or item.startswith("pretrained:")


def _load_set(item: str) -> Signatures:
    """A ``.json`` file or ``pretrained:NAME`` (a set shipped with the package)."""
    if item.startswith("pretrained:"):
        try:
            return pretrained_signatures(item.split(":", 1)[1])
        except ValueError as exc:
            raise _CLIError(f"--signatures: {exc}") from None
    return Signatures.load(item)


def _build_signatures(
    spec: str, activation: tuple[float, ...] | None, length: int, q: int, seed: int
) -> Signatures:
    item = spec.strip()
    if _is_file(item):
        sig = _load_set(item)
        if activation is not None:
            sig = sig.with_activation(activation)
        return sig
    p = activation if activation is not None else P_ASY
    if item.lower() == "search":
        from gfnoma.search import search_signatures

        return search_signatures(p, length, q=q, seed=seed).signatures
    if item.lower() not in _KINDS:
        raise _CLIError(f"--signatures: unknown kind {item!r}; use {_KINDS_HELP} or a .json file")
    return make_signatures(item, p, length, q=q, seed=seed)


def _format_alphabet(sig: Signatures) -> str:
    def fmt(z: complex) -> str:
        re, im = int(z.real), int(z.imag)
        return f"{re:+d}{im:+d}j"

    rows = sig.alphabet if sig.is_finite_alphabet else sig.matrix
    lines = []
    for row in rows:
        if sig.is_finite_alphabet:
            lines.append("  " + " ".join(f"{fmt(z):>6}" for z in row))
        else:
            lines.append("  " + " ".join(f"{z.real:+.3f}{z.imag:+.3f}j" for z in row))
    return "\n".join(lines)


def _cmd_show(args: argparse.Namespace) -> int:
    from gfnoma.metrics import cc_weighted, cross_correlation, weighted_welch_bound

    sig = _load_set(args.file)
    print(f"name:        {sig.name}")
    print(f"users N:     {sig.n_users}")
    print(f"length H:    {sig.length}")
    alph = f"{{-{sig.q}..{sig.q}}} (Re, Im)" if sig.q else "continuous"
    print(f"alphabet:    {alph}")
    print(f"activation:  {', '.join(f'{v:g}' for v in sig.activation)}")
    kind = "integer alphabet (rows = chips, columns = users)" if sig.q else "unit-norm matrix"
    print(f"{kind}:")
    print(_format_alphabet(sig))
    if sig.n_users >= 2:
        b = weighted_welch_bound(sig.activation, sig.length)
        print(f"CC_weighted (eq. 29):  {cc_weighted(sig):.6f}")
        att = "attainable" if b.attainable else "not attainable"
        print(f"weighted Welch bound:  {b.cc:.6f} ({att}; best possible {b.cc_min:.6f})")
        print("|rho_ij| (pairwise cross-correlation):")
        rho = cross_correlation(sig)
        for row in rho:
            print("  " + " ".join(f"{v:5.3f}" for v in row))
    return 0


def _cmd_make(args: argparse.Namespace) -> int:
    p = parse_activation(args.activation) if args.activation else P_ASY
    sig = _build_signatures(args.kind, p, args.length, args.q, args.seed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sig.save(out)
    from gfnoma.metrics import cc_weighted

    cc = f", CC_weighted {cc_weighted(sig):.6f}" if sig.n_users >= 2 else ""
    print(f"wrote {out} ({sig.name}, N={sig.n_users}, H={sig.length}{cc})")
    return 0


def _cmd_phases(args: argparse.Namespace) -> int:
    from gfnoma.metrics import cc_weighted
    from gfnoma.search import choose_phases

    sig = _load_set(args.file)
    if sig.q is None:
        raise _CLIError(f"{args.file}: not a finite-alphabet set (phases need an alphabet)")
    if args.restarts < 1:
        raise _CLIError(f"--restarts must be >= 1, got {args.restarts}")
    if args.seed < 0:
        raise _CLIError(f"--seed must be >= 0, got {args.seed}")
    res = choose_phases(sig, restarts=args.restarts, seed=args.seed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    name = args.name if args.name else res.signatures.name
    res.signatures.with_name(name).save(out)
    print(
        f"wrote {out} ({name}): CC_weighted {cc_weighted(sig):.6f} -> {res.cc:.6f} with the "
        f"same chip magnitudes (weighted Welch bound {res.welch_bound.cc:.6f})"
    )
    return 0


def _cmd_ber(args: argparse.Namespace) -> int:
    from gfnoma.plotting import plot_ber
    from gfnoma.receivers import get_receiver
    from gfnoma.simulate import ber_sweep

    snr = parse_snr(args.snr)
    if args.threads is not None:
        if args.threads < 1:
            raise _CLIError(f"--threads must be >= 1, got {args.threads}")
        import torch

        torch.set_num_threads(args.threads)
    activation = parse_activation(args.activation) if args.activation else None
    sig_specs = [s for s in args.signatures.split(",") if s.strip()]
    rx_names = [r.strip() for r in args.receivers.split(",") if r.strip()]
    if not sig_specs:
        raise _CLIError("--signatures: no signature set given")
    if not rx_names:
        raise _CLIError("--receivers: no receiver given")
    receivers = []
    for name in rx_names:
        try:
            if name.lower().endswith(".pt"):  # a trained SICNN / FCNN (decoder.pt)
                from gfnoma.neural import load_receiver

                receivers.append(load_receiver(name))
            else:
                receivers.append(get_receiver(name))
        except ValueError as exc:
            raise _CLIError(f"--receivers: {exc}") from None
    if args.length < 1:
        raise _CLIError(f"--length must be >= 1, got {args.length}")
    # Check every receiver against every set's size before building anything slow.
    n_default = len(activation if activation is not None else P_ASY)
    sizes = []
    loaded: dict[str, Signatures] = {}
    for spec in sig_specs:
        if _is_file(spec):
            sig = _build_signatures(spec, activation, args.length, args.q, args.seed)
            loaded[spec] = sig
            sizes.append((sig.n_users, sig.length))
        else:
            if spec.strip().lower() not in _KINDS:
                raise _CLIError(
                    f"--signatures: unknown kind {spec!r}; use {_KINDS_HELP} or a .json file"
                )
            sizes.append((n_default, args.length))
    for rx in receivers:
        for n, h in sizes:
            try:
                rx.check_size(n, h)
            except ValueError as exc:
                raise _CLIError(f"--receivers: {exc}") from None
    sets = [
        loaded[spec]
        if spec in loaded
        else _build_signatures(spec, activation, args.length, args.q, args.seed)
        for spec in sig_specs
    ]
    prefix = Path(args.out)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    res = ber_sweep(
        sets,
        receivers,
        snr,
        target_errors=args.target_errors,
        max_samples=args.max_samples,
        batch_size=args.batch_size,
        seed=args.seed,
        progress=not args.no_progress,
        early_stop=args.early_stop,
    )
    csv_path = prefix.with_suffix(".csv")
    png_path = prefix.with_suffix(".png")
    res.table.to_csv(csv_path, index=False)
    p_txt = ", ".join(f"{v:g}" for v in sets[0].activation)
    ax = plot_ber(res, title=f"N={sets[0].n_users}, H={sets[0].length}, p=[{p_txt}]")
    ax.figure.savefig(png_path, dpi=100)
    cols = ["signatures", "receiver", "snr_db", "ber", "bit_errors", "samples", "status"]
    print(res.table[cols].to_string(index=False))
    print(f"wrote {csv_path} and {png_path}")
    if res.interrupted:
        print("interrupted: the table holds the points finished so far", file=sys.stderr)
        return 130
    return 0


def _cmd_allocate(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gfnoma.allocation import (
        SIC_REFERENCE,
        allocation_study,
        plot_allocation_study,
        summarize_allocation_study,
    )

    activation = parse_activation(args.activation) if args.activation else None
    specs = [s for s in args.signatures.split(",") if s.strip()]
    if not specs:
        raise _CLIError("--signatures: no signature set given")
    budgets = _parse_floats(args.budgets_dbm, "--budgets-dbm")
    algorithms = [a.strip() for a in args.algorithms.split(",") if a.strip()]
    if args.drops < 1:
        raise _CLIError(f"--drops must be >= 1, got {args.drops}")
    sets = [_build_signatures(spec, activation, args.length, args.q, args.seed) for spec in specs]
    out = Path(args.out)
    table = allocation_study(
        sets,
        budgets,
        args.drops,
        algorithms,
        fading=args.fading,
        include_sic=not args.no_sic,
        seed=args.seed,
        n_jobs=args.jobs,
        store_dir=out,
        progress=not args.no_progress,
        n_users=sets[0].n_users,
        n_resources=args.resources,
    )
    baseline = sets[0].name
    summary = summarize_allocation_study(table, baseline=baseline)
    show = ["algorithm", "signatures", "budget_dbm", "n", "min_rate", "sum_rate", "jain_index"]
    show += ["min_rate_vs_baseline", "sum_rate_vs_baseline"]
    print(f"mean over {args.drops} common drops; *_vs_baseline: paired difference to {baseline!r}")
    print(summary[show].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    table.drop(columns=["user_rates"], errors="ignore").to_csv(out / "allocation_study.csv")
    fig = plot_allocation_study(table)
    for fmt in ("png", "pdf"):
        fig.savefig(out / f"allocation_study.{fmt}", dpi=100)
    plt.close(fig)
    n_failed = int((table["status"] == "error").sum())
    print(
        f"stores, table and plots in {out}/ (SIC reference: {SIC_REFERENCE!r}, "
        f"{n_failed} failed tasks)"
    )
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from gfnoma.configs import get_config, parse_override
    from gfnoma.train import train

    if args.threads is not None:
        if args.threads < 1:
            raise _CLIError(f"--threads must be >= 1, got {args.threads}")
        import torch

        torch.set_num_threads(args.threads)
    overrides = dict(parse_override(item) for item in args.set)
    if args.activation is not None:
        overrides["activation"] = list(parse_activation(args.activation))
    if args.max_steps is not None:
        overrides["max_steps"] = args.max_steps
    if args.max_minutes is not None:
        if args.max_minutes <= 0:
            raise _CLIError(f"--max-minutes must be > 0, got {args.max_minutes}")
        overrides["max_seconds"] = 60.0 * args.max_minutes
    if args.seed is not None:
        overrides["seed"] = args.seed
    config = get_config(args.config, **overrides)
    out = Path(args.out)
    res = train(config, out, resume=not args.no_resume, progress=not args.no_progress)
    last = res.log.iloc[-1]
    sig = res.signatures
    print(
        f"status:      {res.status} after {res.steps} steps, {res.samples} channel uses, "
        f"{res.seconds:.0f} s ({res.samples_per_second:.0f} samples/s)"
    )
    print(f"best step:   {res.best_step} (validation loss {res.best_val_loss:.4f})")
    ber_cols = [c for c in res.log.columns if c.startswith("val_ber_") and c != "val_ber_mean"]
    best_row = res.log[res.log["step"] == res.best_step].iloc[-1]
    bers = ", ".join(f"{c[8:]} dB {best_row[c]:.3g}" for c in ber_cols)
    print(f"val BER:     {bers} (best state, threshold 1/2)")
    if sig.n_users >= 2:
        from gfnoma.metrics import cc_weighted

        print(f"CC_weighted: {cc_weighted(sig):.6f} ({sig.name}, N={sig.n_users}, H={sig.length})")
    print(
        f"last val loss {last['val_loss']:.4f}; outputs in {out}: signatures.json, decoder.pt, "
        "log.csv, checkpoint.pt, config.json"
    )
    if res.interrupted:
        print("interrupted: rerun the same command to resume from the checkpoint", file=sys.stderr)
        return 130
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="gfnoma",
        description=(
            "Grant-free NOMA: signatures, receivers, BER curves, training of the quantized "
            "autoencoder, and allocation with scma_alloc (allocate)."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ber = sub.add_parser(
        "ber",
        help="simulate BER vs SNR and write a CSV table and a PNG plot",
        description=(
            "Simulate BER versus SNR (Es/N0 per user = 1/sigma^2) for every signature set x "
            "receiver pair; stop each point at --target-errors bit errors or --max-samples "
            "channel uses. Writes PREFIX.csv and PREFIX.png. Ctrl-C keeps finished points."
        ),
    )
    ber.add_argument(
        "--signatures",
        default="wbe,musa,qwbe",
        help=f"comma-separated kinds ({_KINDS_HELP}), .json files or pretrained:NAME "
        f"({', '.join(PRETRAINED)}) [default: %(default)s]",
    )
    ber.add_argument(
        "--receivers",
        default="mmse-sic,mf",
        help="comma-separated receivers: mf, mmse-sic, oracle-ls, oracle-mmse, map, ml, or a "
        "trained decoder file (decoder.pt of gfnoma train) [default: %(default)s]",
    )
    ber.add_argument(
        "--snr",
        default="-5:20:6",
        help="START:STOP:NUM (inclusive, numpy.linspace) or a comma list, in dB "
        "[default: %(default)s]",
    )
    ber.add_argument(
        "--activation",
        default=None,
        help="comma-separated probabilities in (0, 1] (one per user) or asy/high/low "
        "[default: asy = 0.8,0.8,0.8,0.4,0.4,0.4; .json sets keep their own]",
    )
    ber.add_argument("--length", type=int, default=4, help="spreading length H [default: 4]")
    ber.add_argument(
        "--q", type=int, default=2, help="alphabet {-q..q} for qwbe/random/search [default: 2]"
    )
    ber.add_argument(
        "--target-errors", type=int, default=200, help="bit errors per point [default: 200]"
    )
    ber.add_argument(
        "--max-samples",
        type=int,
        default=200_000,
        help="channel uses per point cap [default: 200000]",
    )
    ber.add_argument(
        "--batch-size", type=int, default=10_000, help="channel uses per batch [default: 10000]"
    )
    ber.add_argument("--seed", type=int, default=0, help="random seed [default: 0]")
    ber.add_argument(
        "--out",
        default="results/gfnoma_ber",
        help="output prefix for .csv and .png [default: %(default)s]",
    )
    ber.add_argument(
        "--early-stop", action="store_true", help="skip higher SNR after an error-free point"
    )
    ber.add_argument("--no-progress", action="store_true", help="no progress bars")
    ber.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (1 is faster on a machine busy with other work) "
        "[default: torch's choice]",
    )
    ber.set_defaults(func=_cmd_ber)

    sig = sub.add_parser("signatures", help="inspect or create signature files (JSON)")
    sig_sub = sig.add_subparsers(dest="sig_command", metavar="ACTION")
    sig_sub.required = True
    show = sig_sub.add_parser(
        "show", help="print the alphabet matrix, CC_weighted, Welch bound and correlations"
    )
    show.add_argument("file", help="signatures JSON file or pretrained:NAME")
    show.set_defaults(func=_cmd_show)
    make = sig_sub.add_parser("make", help="build a signature set and save it as JSON")
    make.add_argument("kind", help=f"one of {_KINDS_HELP}")
    make.add_argument(
        "--activation", default=None, help="probabilities or asy/high/low [default: asy]"
    )
    make.add_argument("--length", type=int, default=4, help="spreading length H [default: 4]")
    make.add_argument("--q", type=int, default=2, help="alphabet parameter [default: 2]")
    make.add_argument("--seed", type=int, default=0, help="seed for random/search [default: 0]")
    make.add_argument("--out", required=True, help="output JSON file")
    make.set_defaults(func=_cmd_make)
    phases = sig_sub.add_parser(
        "phases",
        help="choose the chip phases with the lowest CC_weighted (chip magnitudes kept)",
    )
    phases.add_argument("file", help="finite-alphabet signatures JSON file or pretrained:NAME")
    phases.add_argument("--out", required=True, help="output JSON file")
    phases.add_argument("--restarts", type=int, default=50, help="starts [default: 50]")
    phases.add_argument("--seed", type=int, default=0, help="seed of the starts [default: 0]")
    phases.add_argument(
        "--name", default=None, help="name of the set [default: the input's + ' (phases)']"
    )
    phases.set_defaults(func=_cmd_phases)

    al = sub.add_parser(
        "allocate",
        help="allocate subcarriers and power (scma_alloc) for each signature set",
        description=(
            "Turn every signature set into a per-user interference model (activation x "
            "leakage, --fading) and allocate subcarriers and power for it with scma_alloc on "
            "the same seeded channel drops; compare the sets by the min-rate, sum-rate and "
            "Jain's index the allocator reaches, next to the SCMA SIC model. One resumable "
            "SQLite store per set in --out (rerun to resume), plus allocation_study.csv and "
            "allocation_study.png/.pdf."
        ),
    )
    al.add_argument(
        "--signatures",
        required=True,
        help="comma list: kinds (wbe, qwbe, musa, random, search), .json files, pretrained:NAME",
    )
    al.add_argument(
        "--activation", default=None, help="probabilities or asy/high/low [default: p_asy]"
    )
    al.add_argument("--fading", choices=("flat", "per-chip"), default="flat")
    al.add_argument("--budgets-dbm", default="3,6,10", help="comma list [default: 3,6,10]")
    al.add_argument("--drops", type=int, default=20, help="channel drops [default: 20]")
    al.add_argument(
        "--algorithms", default="max-min,max-sr", help="comma list [default: max-min,max-sr]"
    )
    al.add_argument("--resources", type=int, default=4, help="subcarriers K [default: 4]")
    al.add_argument("--length", type=int, default=4, help="H for built sets [default: 4]")
    al.add_argument("--q", type=int, default=2, help="alphabet size Q [default: 2]")
    al.add_argument("--seed", type=int, default=0, help="seed of drops and sets [default: 0]")
    al.add_argument("--jobs", type=int, default=1, help="worker processes [default: 1]")
    al.add_argument("--no-sic", action="store_true", help="skip the SCMA SIC reference")
    al.add_argument("--no-progress", action="store_true", help="no progress bars")
    al.add_argument("--out", default="results/allocate", help="[default: %(default)s]")
    al.set_defaults(func=_cmd_allocate)

    tr = sub.add_parser(
        "train",
        help="train QNN signatures and a SICNN/FCNN decoder (resumable)",
        description=(
            "Train the autoencoder of the paper (QNN encoder, SICNN or FCNN decoder, fairness "
            "loss) on fresh Monte-Carlo batches. Writes OUT/signatures.json, decoder.pt, "
            "log.csv, config.json and checkpoint.pt; rerunning the same command resumes from "
            "the checkpoint. Ctrl-C saves a checkpoint first."
        ),
    )
    tr.add_argument(
        "--config",
        default="fast",
        help="preset (paper, fast, fast-lmmse, tiny) or a .json config file "
        "[default: %(default)s]",
    )
    tr.add_argument("--out", required=True, help="output directory (checkpoint and results)")
    tr.add_argument(
        "--activation", default=None, help="probabilities or asy/high/low [default: the config's]"
    )
    tr.add_argument("--max-steps", type=int, default=None, help="step limit [default: config]")
    tr.add_argument(
        "--max-minutes", type=float, default=None, help="time limit in minutes [default: config]"
    )
    tr.add_argument("--seed", type=int, default=None, help="seed [default: the config's]")
    tr.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any config field, e.g. --set q=null --set decoder=fcnn "
        "--set hidden=64,64 (repeatable)",
    )
    tr.add_argument(
        "--no-resume", action="store_true", help="start afresh even if a checkpoint exists"
    )
    tr.add_argument("--no-progress", action="store_true", help="no progress bar")
    tr.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads [default: %(default)s]"
    )
    tr.set_defaults(func=_cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gfnoma`` console script and ``python -m gfnoma``."""
    parser = build_parser()
    args = parser.parse_args(_fix_negative_values(list(sys.argv[1:] if argv is None else argv)))
    try:
        return int(args.func(args))
    except (_CLIError, ValueError, TypeError, OSError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"gfnoma: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gfnoma: interrupted", file=sys.stderr)
        return 130
