"""Command line: ``gfnoma ber``, ``signatures show|make|phases``, ``train`` and ``allocate``.

Conventions shared with ``scma-alloc`` (:mod:`scma_alloc._arguments`): a list of numbers is
``"3,6,10"`` or an inclusive range ``"START:STOP[:STEP]"`` (``--snr``, ``--budgets-dbm``), and
``--jobs 0`` or ``--jobs -1`` means all usable CPUs. A bad argument prints one line
``gfnoma: error: <message> (see 'gfnoma <command> --help')`` on stderr and exits with status 2;
errors found while running a command print ``gfnoma: error: <message>`` and exit with status 2
(no traceback). ``gfnoma`` (or ``gfnoma signatures``) without a command prints its help.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from gfnoma.pretrained import (
    PRETRAINED,
    PRETRAINED_RECEIVERS,
    pretrained_receiver,
    pretrained_signatures,
)
from gfnoma.signatures import (
    P_ASY,
    P_HIGH,
    P_LOW,
    SIGNATURE_KINDS,
    Signatures,
    make_signatures,
    minimum_length,
)
from scma_alloc._arguments import (
    parse_budget_list,
    parse_jobs,
    parse_non_negative_int,
    parse_number_list,
    parse_positive_int,
)

__all__ = ["build_parser", "main", "parse_activation", "parse_snr"]

PROG = "gfnoma"
#: Distribution that ships the package (``[project] name`` in pyproject.toml).
DISTRIBUTION = "noma-alloc"

_PROFILES = {"asy": P_ASY, "high": P_HIGH, "low": P_LOW}
_KINDS = (*SIGNATURE_KINDS, "musa-like", "search")
_KINDS_HELP = ", ".join((*SIGNATURE_KINDS, "search"))
_SETS_HELP = f"a kind ({_KINDS_HELP}), a .json file or pretrained:NAME ({', '.join(PRETRAINED)})"

# Messages of the library that name a Python argument, and the command-line flag to name
# instead when they reach the command line.
_CLI_WORDING = (
    ("check_signatures=False", "--no-check-signatures"),
    ("resume=False", "--no-resume"),
    ("exceeds max_users=", "exceeds the receiver's limit N="),
)
# Leading "argument: " of library messages, dropped where the command line names its option.
_PYTHON_PREFIXES = ("n_users, length: ", "n_users: ", "path: ", "algorithms: ", "s: ")


class _CLIError(Exception):
    """A user error to be printed as one line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2).

    The same convention as ``scma-alloc``'s parser, with the message prefixed by ``gfnoma``
    (as every other gfnoma error) and the help to read named after it.
    """

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(message.split())
        self.exit(2, f"{PROG}: error: {text} (see '{self.prog} --help')\n")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        # As argparse, but unknown arguments are reported by the (sub)command they follow.
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self._command_parser(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _command_parser(self, parsed: argparse.Namespace) -> _Parser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, action.dest, None))
                if isinstance(chosen, _Parser):
                    return chosen._command_parser(parsed)
        return self


def _version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


# --------------------------------------------------------------------------- argument types
def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and np.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def parse_snr(text: str) -> np.ndarray:
    """``--snr``: SNRs in dB, ``"0,10,20"`` or the inclusive range ``"START:STOP[:STEP]"``.

    ``"-5:20:5"`` is -5, 0, 5, 10, 15, 20 (STEP defaults to 1), the convention of every
    number list of ``gfnoma`` and ``scma-alloc``.

    Parameters
    ----------
    text : str
        The command-line value.

    Returns
    -------
    numpy.ndarray
        The SNRs in dB, float64, finite.

    Raises
    ------
    argparse.ArgumentTypeError
        If ``text`` is neither form (the message names both).
    """
    return np.array(parse_number_list(text, name="SNR list"), dtype=np.float64)


def parse_activation(text: str) -> tuple[float, ...]:
    """``--activation``: a profile name (``asy``, ``high``, ``low``) or comma-separated
    probabilities in (0, 1].

    Parameters
    ----------
    text : str
        The command-line value.

    Returns
    -------
    tuple of float
        The activation probabilities, one per user.

    Raises
    ------
    argparse.ArgumentTypeError
        If ``text`` is not a profile name or a list of probabilities in (0, 1].
    """
    key = text.strip().lower()
    if key in _PROFILES:
        return _PROFILES[key]
    try:
        vals = [float(v) for v in text.split(",") if v.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected asy, high, low or comma-separated probabilities, got {text!r}"
        ) from None
    if not vals or not all(0.0 < v <= 1.0 for v in vals):  # NaN fails the test too
        raise argparse.ArgumentTypeError(
            f"expected probabilities in (0, 1] (one per user) or asy, high, low, got {text!r}"
        )
    return tuple(vals)


def _fix_negative_values(argv: list[str]) -> list[str]:
    # argparse takes "-5:20:5" for an option; glue such values to their option.
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if (
            tok in ("--snr", "--activation", "--set", "--budgets-dbm")
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


# --------------------------------------------------------------------------- signature sets
def _is_file(spec: str) -> bool:
    item = spec.strip()
    return item.lower().endswith(".json") or "/" in item or item.startswith("pretrained:")


def _load_set(item: str, option: str) -> Signatures:
    """A ``.json`` file or ``pretrained:NAME`` (a set shipped with the package)."""
    if item.startswith("pretrained:"):
        try:
            return pretrained_signatures(item.split(":", 1)[1])
        except ValueError as exc:
            raise _CLIError(f"{option}: {exc}") from None
    if not Path(item).is_file():
        raise _CLIError(f"{option}: no such signatures file: {item}")
    return Signatures.load(item)


def _check_kind(spec: str, n_users: int, length: int, option: str) -> str:
    """Validate a kind up front: known, and ``--length`` long enough for it."""
    key = spec.strip().lower()
    if key not in _KINDS:
        raise _CLIError(f"{option}: unknown kind {spec!r}; use {_SETS_HELP}")
    if key != "search":
        shortest = minimum_length(key, n_users)
        if length < shortest:
            raise _CLIError(
                f"--length: {key} needs --length >= {shortest} for N={n_users} users, got {length}"
            )
    return key


def _build_signatures(
    spec: str,
    activation: tuple[float, ...] | None,
    length: int,
    q: int,
    seed: int,
    option: str = "--signatures",
) -> Signatures:
    """A signature set from a kind, a file or ``pretrained:NAME`` (``--activation`` applied)."""
    item = spec.strip()
    if _is_file(item):
        sig = _load_set(item, option)
        if activation is not None:
            if len(activation) != sig.n_users:
                raise _CLIError(
                    f"--activation has {len(activation)} entries but {item} has "
                    f"{sig.n_users} users"
                )
            sig = sig.with_activation(activation)
        return sig
    p = activation if activation is not None else P_ASY
    key = _check_kind(item, len(p), length, option)
    if key == "search":
        from gfnoma.search import search_signatures

        return search_signatures(p, length, q=q, seed=seed).signatures
    return make_signatures(key, p, length, q=q, seed=seed)


def _option_error(option: str, exc: Exception) -> _CLIError:
    """A library error about an option's value, worded for the command line."""
    msg = str(exc)
    for prefix in _PYTHON_PREFIXES:
        msg = msg.removeprefix(prefix)
    return _CLIError(f"{option}: {msg}")


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

    sig = _build_signatures(
        args.signatures, args.activation, args.length, args.q, args.seed, option="SIGNATURES"
    )
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
    sig = _build_signatures(args.kind, args.activation, args.length, args.q, args.seed, "KIND")
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

    sig = _load_set(args.file, "FILE")
    if sig.q is None:
        raise _CLIError(f"{args.file}: not a finite-alphabet set (phases need an alphabet)")
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


def _set_threads(threads: int | None) -> None:
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


def _check_trained_decoders(
    receivers: list, names: list[str], sets: list[Signatures], specs: list[str]
) -> None:
    """Refuse, before simulating, a trained decoder given sets it was not trained with."""
    from gfnoma.models import PosteriorMeanDecoder
    from gfnoma.neural import NeuralReceiver

    for rx, name in zip(receivers, names, strict=True):
        if (
            not isinstance(rx, NeuralReceiver)
            or not rx.check_signatures
            or isinstance(rx.decoder, PosteriorMeanDecoder)
        ):
            continue
        for sig, spec in zip(sets, specs, strict=True):
            try:
                rx._check_signatures(sig.tensor())
            except ValueError as exc:
                raise _option_error(f"--receivers {name} with --signatures {spec}", exc) from None


def _cmd_ber(args: argparse.Namespace) -> int:
    from gfnoma.plotting import plot_ber
    from gfnoma.receivers import get_receiver
    from gfnoma.simulate import ber_sweep

    _set_threads(args.threads)
    activation = args.activation
    sig_specs = [s.strip() for s in args.signatures.split(",") if s.strip()]
    rx_names = [r.strip() for r in args.receivers.split(",") if r.strip()]
    if not sig_specs:
        raise _CLIError("--signatures: no signature set given")
    if not rx_names:
        raise _CLIError("--receivers: no receiver given")
    receivers = []
    for name in rx_names:
        try:
            if name in PRETRAINED_RECEIVERS:
                receivers.append(pretrained_receiver(name))
            elif name.lower().endswith(".pt"):  # a trained SICNN / FCNN (decoder.pt)
                from gfnoma.neural import load_receiver

                receivers.append(
                    load_receiver(name, check_signatures=not args.no_check_signatures)
                )
            else:
                receivers.append(get_receiver(name))
        except ValueError as exc:
            raise _option_error("--receivers", exc) from None
    # Check every set (kind and --length, or file) and every receiver against every set's
    # size before building anything slow.
    n_default = len(activation if activation is not None else P_ASY)
    sizes = []
    loaded: dict[str, Signatures] = {}
    for spec in sig_specs:
        if _is_file(spec):
            sig = _build_signatures(spec, activation, args.length, args.q, args.seed)
            loaded[spec] = sig
            sizes.append((sig.n_users, sig.length))
        else:
            _check_kind(spec, n_default, args.length, "--signatures")
            sizes.append((n_default, args.length))
    for rx in receivers:
        for n, h in sizes:
            try:
                rx.check_size(n, h)
            except ValueError as exc:
                raise _option_error("--receivers", exc) from None
    sets = [
        loaded[spec]
        if spec in loaded
        else _build_signatures(spec, activation, args.length, args.q, args.seed)
        for spec in sig_specs
    ]
    _check_trained_decoders(receivers, rx_names, sets, sig_specs)
    prefix = Path(args.out)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    res = ber_sweep(
        sets,
        receivers,
        args.snr,
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


def _distinct_names(sets: list[Signatures], specs: list[str]) -> list[Signatures]:
    """Sets that share a name (two trained runs are both "QNN") are told apart by their spec."""
    for i, spec in enumerate(specs):
        if spec in specs[:i]:
            raise _CLIError(f"--signatures: {spec} is given twice")
    names = [s.name for s in sets]
    return [
        s.with_name(f"{s.name} ({spec})") if names.count(s.name) > 1 else s
        for s, spec in zip(sets, specs, strict=True)
    ]


def _check_resources(n_resources: int, n_users: int) -> None:
    """The allocator's size rule, worded for --resources (scma_alloc's defaults N and d_f)."""
    import inspect

    import scma_alloc as sa

    defaults = inspect.signature(sa.random_scenario).parameters
    per_user = defaults["n_per_user"].default
    per_resource = defaults["users_per_resource"].default
    shortest = max(per_user, -(-n_users * per_user // per_resource))
    if n_resources < shortest:
        raise _CLIError(
            f"--resources: {n_users} users need --resources >= {shortest} (each user occupies "
            f"{per_user} subcarriers and a subcarrier carries at most {per_resource} users), "
            f"got {n_resources}"
        )


def _cmd_allocate(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gfnoma.allocation import (
        SIC_REFERENCE,
        _check_algorithms,
        allocation_study,
        plot_allocation_study,
        summarize_allocation_study,
    )

    activation = args.activation
    specs = [s.strip() for s in args.signatures.split(",") if s.strip()]
    if not specs:
        raise _CLIError("--signatures: no signature set given")
    algorithms = [a.strip() for a in args.algorithms.split(",") if a.strip()]
    if not algorithms:
        raise _CLIError("--algorithms: no algorithm given")
    try:
        _check_algorithms(algorithms)
    except ValueError as exc:
        raise _option_error("--algorithms", exc) from None
    n_default = len(activation if activation is not None else P_ASY)
    for spec in specs:  # kinds and --length first, before building any set
        if not _is_file(spec):
            _check_kind(spec, n_default, args.length, "--signatures")
    sets = [_build_signatures(spec, activation, args.length, args.q, args.seed) for spec in specs]
    sets = _distinct_names(sets, specs)
    n_users = sets[0].n_users
    for sig, spec in zip(sets, specs, strict=True):
        if sig.n_users != n_users:
            raise _CLIError(
                f"--signatures: every set needs the same number of users; {specs[0]} has "
                f"{n_users}, {spec} has {sig.n_users}"
            )
    _check_resources(args.resources, n_users)
    out = Path(args.out)
    table = allocation_study(
        sets,
        args.budgets_dbm,
        args.drops,
        algorithms,
        fading=args.fading,
        include_sic=not args.no_sic,
        seed=args.seed,
        n_jobs=args.jobs,
        store_dir=out,
        progress=not args.no_progress,
        n_users=n_users,
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

    _set_threads(args.threads)
    overrides = dict(parse_override(item) for item in args.set)
    if args.activation is not None:
        overrides["activation"] = list(args.activation)
    if args.max_steps is not None:
        overrides["max_steps"] = args.max_steps
    if args.max_minutes is not None:
        overrides["max_seconds"] = 60.0 * args.max_minutes
    if args.seed is not None:
        overrides["seed"] = args.seed
    try:
        base = get_config(args.config)
    except (ValueError, TypeError) as exc:
        msg = str(exc).removeprefix("config: ").removeprefix("config ")
        raise _CLIError(f"--config: {msg}") from None
    config = get_config(base, **overrides)
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


def _cmd_train_detector(args: argparse.Namespace) -> int:
    from gfnoma.configs import parse_override
    from gfnoma.detector import (
        DetectorConfig,
        save_detector,
        train_detector,
        train_detector_jointly,
    )

    sig = _build_signatures(args.signatures, args.activation, args.length, args.q, 0)
    fields = {f.name for f in dataclasses.fields(DetectorConfig)}
    overrides: dict = {}
    for item in args.set:
        key, value = parse_override(item)
        if key not in fields:
            raise _CLIError(f"--set: unknown field {key!r}; fields: {', '.join(sorted(fields))}")
        overrides[key] = tuple(value) if isinstance(value, list) else value
    try:
        config = DetectorConfig(
            steps=args.steps, seed=args.seed, threads=args.threads, **overrides
        )
    except (TypeError, ValueError) as exc:
        raise _option_error("--set", exc) from None
    log_every = max(1, args.steps // 10)
    extra = {"name": args.name or Path(args.out).stem}
    if args.joint:
        if not sig.is_finite_alphabet:
            raise _CLIError(
                f"--joint needs a finite-alphabet --signatures set; {sig.name!r} is continuous"
            )
        extra["joint_from"] = sig.name
        net, sig, history = train_detector_jointly(sig, config, log_every=log_every)
    else:
        net, history = train_detector(sig, config, log_every=log_every)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_detector(out, net, sig, config, extra=extra)
    for row in history:
        print(f"step {row['step']:>6}  loss {row['loss']:.4f}  {row['seconds']:.0f} s")
    print(f"wrote {out} ({sig.name}, N={sig.n_users}, H={sig.length})")
    return 0


def _print_help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        parser.print_help()
        return 0

    return run


def _set_arguments(
    parser: argparse.ArgumentParser, *, activation_default: str, seed_help: str
) -> None:
    """--activation, --length, --q and --seed of the commands that build signature sets."""
    parser.add_argument(
        "--activation",
        type=parse_activation,
        default=None,
        help="comma-separated probabilities in (0, 1] (one per user) or asy/high/low "
        f"[default: {activation_default}]",
    )
    parser.add_argument(
        "--length",
        type=parse_positive_int,
        default=4,
        help="spreading length H of built sets (musa: at least 2, and 9**(H-1) >= N) "
        "[default: %(default)s]",
    )
    parser.add_argument(
        "--q",
        type=parse_positive_int,
        default=2,
        help="alphabet {-q..q} of qwbe/random/search [default: %(default)s]",
    )
    parser.add_argument(
        "--seed",
        type=parse_non_negative_int,
        default=0,
        help=f"{seed_help} [default: %(default)s]",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Grant-free NOMA: signatures, receivers, BER curves, training of the quantized "
            "autoencoder, and allocation with scma_alloc (allocate). Without a command, "
            "prints this help; 'gfnoma COMMAND --help' documents each command. Number lists "
            "are '3,6,10' or an inclusive range 'START:STOP[:STEP]' (as in scma-alloc)."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s ({DISTRIBUTION}) {_version()}",
        help="print the version and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

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
        help=f"comma list; each {_SETS_HELP} [default: %(default)s]",
    )
    ber.add_argument(
        "--receivers",
        default="mmse-sic,mf",
        help="comma-separated receivers: mf, mmse-sic, oracle-ls, oracle-mmse, map, ml, a "
        f"pretrained receiver ({', '.join(PRETRAINED_RECEIVERS)}) or a trained decoder file "
        "(decoder.pt of gfnoma train) [default: %(default)s]",
    )
    ber.add_argument(
        "--snr",
        type=parse_snr,
        default="-5:20:5",
        metavar="DB_LIST",
        help="SNRs in dB: a comma list (0,10,20) or an inclusive range START:STOP[:STEP] "
        "(-5:20:5 is -5, 0, 5, ..., 20; STEP defaults to 1) [default: %(default)s]",
    )
    _set_arguments(
        ber,
        activation_default="asy = 0.8,0.8,0.8,0.4,0.4,0.4; .json sets keep their own",
        seed_help="random seed of the simulation and of random/search sets",
    )
    ber.add_argument(
        "--target-errors",
        type=parse_positive_int,
        default=200,
        help="bit errors per point [default: %(default)s]",
    )
    ber.add_argument(
        "--max-samples",
        type=parse_positive_int,
        default=200_000,
        help="channel uses per point cap [default: %(default)s]",
    )
    ber.add_argument(
        "--batch-size",
        type=parse_positive_int,
        default=10_000,
        help="channel uses per batch [default: %(default)s]",
    )
    ber.add_argument(
        "--out",
        default="results/gfnoma_ber",
        help="output prefix for .csv and .png [default: %(default)s]",
    )
    ber.add_argument(
        "--early-stop", action="store_true", help="skip higher SNR after an error-free point"
    )
    ber.add_argument(
        "--no-check-signatures",
        action="store_true",
        help="let a trained decoder (decoder.pt) detect signature sets other than the one it "
        "was trained with (by default refused)",
    )
    ber.add_argument("--no-progress", action="store_true", help="no progress bars")
    ber.add_argument(
        "--threads",
        type=parse_positive_int,
        default=None,
        help="torch CPU threads (1 is faster on a machine busy with other work) "
        "[default: torch's choice]",
    )
    ber.set_defaults(func=_cmd_ber)

    sig = sub.add_parser(
        "signatures",
        help="inspect or create signature sets (JSON)",
        description="Inspect (show), create (make) or re-phase (phases) signature sets.",
    )
    sig.set_defaults(func=_print_help(sig))
    sig_sub = sig.add_subparsers(dest="sig_command", metavar="ACTION", parser_class=_Parser)
    show = sig_sub.add_parser(
        "show",
        help="print the alphabet matrix, CC_weighted, Welch bound and correlations",
        description=(
            "Print a signature set: its alphabet (or unit-norm matrix), CC_weighted (eq. 29), "
            "the weighted Welch bound and the pairwise correlations. SIGNATURES is one set "
            "of those 'gfnoma ber --signatures' accepts; kinds are built with --length, --q, "
            "--activation and --seed as there."
        ),
    )
    show.add_argument("signatures", metavar="SIGNATURES", help=_SETS_HELP)
    _set_arguments(
        show,
        activation_default="asy; .json sets keep their own",
        seed_help="seed of random/search sets",
    )
    show.set_defaults(func=_cmd_show)
    make = sig_sub.add_parser(
        "make",
        help="build a signature set and save it as JSON",
        description="Build a signature set of a kind and save it as JSON.",
    )
    make.add_argument(
        "kind",
        metavar="KIND",
        help=f"one of {_KINDS_HELP} (a .json file or pretrained:NAME is copied, with "
        "--activation applied)",
    )
    _set_arguments(make, activation_default="asy", seed_help="seed of random/search sets")
    make.add_argument("--out", required=True, help="output JSON file")
    make.set_defaults(func=_cmd_make)
    phases = sig_sub.add_parser(
        "phases",
        help="choose the chip phases with the lowest CC_weighted (chip magnitudes kept)",
        description=(
            "Choose the chip phases of a finite-alphabet set with the lowest CC_weighted, "
            "keeping the chip magnitudes (docs/gfnoma_appendix.md, decision 5)."
        ),
    )
    phases.add_argument(
        "file", metavar="FILE", help="finite-alphabet signatures JSON file or pretrained:NAME"
    )
    phases.add_argument("--out", required=True, help="output JSON file")
    phases.add_argument(
        "--restarts", type=parse_positive_int, default=50, help="starts [default: %(default)s]"
    )
    phases.add_argument(
        "--seed",
        type=parse_non_negative_int,
        default=0,
        help="seed of the starts [default: %(default)s]",
    )
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
    al.add_argument("--signatures", required=True, help=f"comma list; each {_SETS_HELP}")
    _set_arguments(
        al,
        activation_default="asy; .json sets keep their own",
        seed_help="seed of the channel drops and of random/search sets",
    )
    al.add_argument("--fading", choices=("flat", "per-chip"), default="flat")
    al.add_argument(
        "--budgets-dbm",
        type=parse_budget_list,
        default="3,6,10",
        metavar="DBM_LIST",
        help="per-user power budgets in dBm: a comma list (3,6,10) or an inclusive range "
        "START:STOP[:STEP] (3:10) [default: %(default)s]",
    )
    al.add_argument(
        "--drops", type=parse_positive_int, default=20, help="channel drops [default: %(default)s]"
    )
    al.add_argument(
        "--algorithms",
        default="max-min,max-sr",
        help="comma list of scma_alloc algorithms [default: %(default)s]",
    )
    al.add_argument(
        "--resources",
        type=parse_positive_int,
        default=4,
        help="subcarriers K [default: %(default)s]",
    )
    al.add_argument(
        "--jobs",
        type=parse_jobs,
        default=1,
        help="worker processes; 0 or -1: all usable CPUs [default: %(default)s]",
    )
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
        "--activation",
        type=parse_activation,
        default=None,
        help="probabilities or asy/high/low [default: the config's]",
    )
    tr.add_argument(
        "--max-steps", type=parse_positive_int, default=None, help="step limit [default: config]"
    )
    tr.add_argument(
        "--max-minutes",
        type=_positive_float,
        default=None,
        help="time limit in minutes [default: config]",
    )
    tr.add_argument(
        "--seed", type=parse_non_negative_int, default=None, help="seed [default: the config's]"
    )
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
        "--threads",
        type=parse_positive_int,
        default=1,
        help="torch CPU threads [default: %(default)s]",
    )
    tr.set_defaults(func=_cmd_train)

    td = sub.add_parser(
        "train-detector",
        help="train a SoftSICNN detector for a fixed signature set",
        description=(
            "Train a SoftSICNN (a SICNN that starts as soft MMSE-SIC) for one fixed signature "
            "set and write it as a detector file (what gfnoma/data/*.pt ship). Deterministic "
            "for a given --seed and --threads."
        ),
    )
    td.add_argument("--signatures", default="wbe", help=f"{_SETS_HELP} [default: %(default)s]")
    _set_arguments(td, activation_default="asy", seed_help="seed of weights and samples")
    td.add_argument(
        "--steps", type=parse_positive_int, default=3000, help="[default: %(default)s]"
    )
    td.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a DetectorConfig field, e.g. --set passes=2 --set hidden=64,64 "
        "(repeatable)",
    )
    td.add_argument(
        "--joint",
        action="store_true",
        help="also learn the signatures: a QNN encoder with the alphabet of --signatures "
        "(a finite-alphabet set) starts from it and is trained with the detector; the "
        "file keeps the learnt set",
    )
    td.add_argument("--name", default=None, help="receiver name [default: the file's stem]")
    td.add_argument("--out", required=True, help="output file (.pt)")
    td.add_argument(
        "--threads",
        type=parse_positive_int,
        default=1,
        help="torch CPU threads [default: %(default)s]",
    )
    td.set_defaults(func=_cmd_train_detector)
    return parser


def _cli_wording(message: str) -> str:
    for python, flag in _CLI_WORDING:
        message = message.replace(python, flag)
    return message


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gfnoma`` console script and ``python -m gfnoma``.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0, 2 for an error found while running a command, 130 after Ctrl-C.
        Argument errors (one line, status 2), ``--help`` and ``--version`` exit through
        :class:`SystemExit` as argparse does.
    """
    parser = build_parser()
    args = parser.parse_args(_fix_negative_values(list(sys.argv[1:] if argv is None else argv)))
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except (_CLIError, ValueError, TypeError, OSError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{PROG}: error: {_cli_wording(msg)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gfnoma: interrupted", file=sys.stderr)
        return 130
