"""Command-line interface: ``scma-alloc`` / ``python -m scma_alloc``.

Commands: ``solve`` (one drop), ``sweep`` (paired sweep over the power budget or any
other parameter into a resumable store, with plots), ``plot`` (figures from a store),
``compare`` (paired statistics between algorithms), ``export`` (CSV / Parquet / JSON);
``ber`` and ``link`` (link-level BER, :mod:`scma_alloc.link`). Without a command it
prints its help. Every output path and format is checked before any work starts.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from ._arguments import (
    parse_budget_list,
    parse_jobs,
    parse_number_list,
    parse_positive_int,
    usable_cpus,
)
from ._caps import check_caps
from ._export import COLUMN_NOTES, FIGURE_FORMATS, check_output_file, export_results
from ._options import METHODS
from ._registry import ALGORITHMS, get_algorithm
from ._result import AllocationResult
from ._scenario import Scenario, random_scenario
from ._scenario_files import load_scenario
from ._solve import check_min_rates, check_weights, solve_max_min, solve_max_sr
from ._store import ResultStore, StoreError
from ._sweep import (
    _SCENARIO_DEFAULTS,
    DEFAULT_ALGORITHMS,
    DEFAULT_BUDGET_DBM,
    METRICS,
    PAPER_BUDGETS_DBM,
    SweepConfig,
    bind_config,
    compare_algorithms,
    is_integer_parameter,
    parameter_label,
    parameter_symbol,
    parameter_unit,
    run_sweep,
    summarize_sweep,
    sweep_axis,
)
from ._units import DEFAULT_BANDWIDTH, NOISE_DESCRIPTIONS, dbm_to_watt, watt_to_dbm
from .link._cli import register as register_link_commands

__all__ = ["build_parser", "main"]

PROG = "scma-alloc"
DEFAULT_STORE = "results/scma_sweep.sqlite"
DEFAULT_PLOTS = "results/scma_sweep"
DEFAULT_DROPS = 30
_LABEL_WIDTH = 42

_RATE_UNITS = (
    "bit/s/Hz, each user's rate summed over its subcarriers (x the subcarrier bandwidth = bit/s)"
)
_METRIC_TITLES = {
    "sum_rate": "sum-rate (bit/s/Hz)",
    "min_rate": "minimum user rate (bit/s/Hz)",
    "jain_index": "Jain's index",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# --------------------------------------------------------------------------- argument types
def _value_list(text: str) -> tuple[float, ...]:
    """``--values``: ``"100,200,300"`` or an inclusive range ``"100:500:100"``."""
    return parse_number_list(text, name="value list")


#: ``--vary NAME`` (the spelling of the scenario options on this command line) -> the
#: swept parameter (:data:`~scma_alloc.SWEEP_PARAMETERS`).
_VARY = {
    "resources": "n_resources",
    "users": "n_users",
    "load": "load",
    "radius": "radius",
    "path-loss-exponent": "path_loss_exponent",
    "bandwidth": "bandwidth",
    "n-per-user": "n_per_user",
    "users-per-resource": "users_per_resource",
}
#: The option of ``sweep`` that fixes each scenario parameter (by its ``dest``).
_SCENARIO_DESTS = {
    "n_resources": "resources",
    "n_users": "users",
    "n_per_user": "n_per_user",
    "users_per_resource": "users_per_resource",
    "radius": "radius",
    "path_loss_exponent": "path_loss_exponent",
    "bandwidth": "bandwidth",
}


def _vary(text: str) -> str:
    """``--vary``: a scenario parameter by its option name, or ``ALGORITHM:OPTION``
    (checked, returned as given: :func:`_sweep_config` maps it to the parameter)."""
    name = text.strip()
    if name in _VARY:
        return name
    algorithm, colon, option = name.partition(":")
    if colon and algorithm in ALGORITHMS and option.isidentifier():
        return name
    if name.startswith("budget"):
        raise argparse.ArgumentTypeError(
            "the budget is what a sweep varies without --vary: give the budgets with --budgets-dbm"
        )
    if colon and algorithm not in ALGORITHMS:
        raise argparse.ArgumentTypeError(
            f"unknown algorithm {algorithm!r} in --vary; valid names: {', '.join(ALGORITHMS)}"
        )
    raise argparse.ArgumentTypeError(
        f"cannot sweep {text!r}: use one of {', '.join(_VARY)}, or an algorithm option "
        "ALGORITHM:OPTION (e.g. max-min:n_polish)"
    )


def _name_list(text: str) -> tuple[str, ...]:
    names = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [n for n in names if n not in ALGORITHMS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown algorithm(s) {unknown}; valid names: {', '.join(ALGORITHMS)}"
        )
    return names


def _algorithm_name(text: str) -> str:
    name = text.strip()
    if name not in ALGORITHMS:
        raise argparse.ArgumentTypeError(
            f"unknown algorithm {name!r}; valid names: {', '.join(ALGORITHMS)}"
        )
    return name


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {value}")
    return value


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    bad = [f for f in formats if f not in FIGURE_FORMATS]
    if bad or not formats:
        raise argparse.ArgumentTypeError(
            f"formats must be among {', '.join(FIGURE_FORMATS)}; got {text!r}"
        )
    return formats


def _metrics(text: str) -> tuple[str, ...]:
    names = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [m for m in names if m not in METRICS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"metrics must be among {', '.join(METRICS)}; got {text!r}"
        )
    return names


def _option(text: str) -> tuple[str, str, object]:
    """``ALGORITHM:NAME=VALUE`` (VALUE parsed as JSON when it can be)."""
    try:
        algorithm, rest = text.split(":", 1)
        name, raw = rest.split("=", 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid option {text!r}: use ALGORITHM:NAME=VALUE, e.g. max-min:n_polish=3"
        ) from None
    if algorithm not in ALGORITHMS:
        raise argparse.ArgumentTypeError(
            f"unknown algorithm {algorithm!r} in --option; valid names: {', '.join(ALGORITHMS)}"
        )
    try:
        value: object = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return algorithm, name.strip(), value


# --------------------------------------------------------------------------- shared output
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


#: ``solve``'s constraint flags: argument name, what it counts (per user or per
#: subcarrier), and the solver keyword it becomes.
_SOLVE_CONSTRAINTS = (
    ("--min-rates", "min_rates", "user", "min_rates"),
    ("--weights", "weights", "user", "weights"),
    ("--resource-caps-dbm", "resource_caps_dbm", "subcarrier", "resource_caps"),
    ("--total-cap-dbm", "total_cap_dbm", None, "total_cap"),
)


def _solve_constraints(args: argparse.Namespace, scenario: Scenario) -> dict[str, Any]:
    """``solve``'s floors, weights and caps as solver keywords (watts for the caps),
    checked before any work; errors name the flag."""
    out: dict[str, Any] = {}
    for flag, dest, per, keyword in _SOLVE_CONSTRAINTS:
        value = getattr(args, dest)
        if value is None:
            continue
        if args.algorithms:
            raise ValueError(f"{flag} applies to --objective runs, not to --algorithms")
        if per is not None:
            count = scenario.n_users if per == "user" else scenario.n_resources
            if len(value) not in (1, count):
                raise ValueError(
                    f"{flag}: give one number or one per {per} ({count}), got {len(value)}"
                )
            value = np.array(value, dtype=float) if len(value) > 1 else value[0]
        if keyword in ("resource_caps", "total_cap"):
            value = dbm_to_watt(value)
        out[keyword] = value
    if "weights" in out and np.ndim(out["weights"]) == 0:
        out["weights"] = np.full(scenario.n_users, out["weights"])
    checks = (
        ("--min-rates", lambda: check_min_rates(out.get("min_rates"), scenario.n_users)),
        ("--weights", lambda: check_weights(out.get("weights"), scenario.n_users)),
        (
            "--resource-caps-dbm / --total-cap-dbm",
            lambda: check_caps(scenario, out.get("resource_caps"), out.get("total_cap")),
        ),
    )
    for flag, check in checks:
        try:
            check()
        except ValueError as exc:
            raise ValueError(f"{flag}: {exc}") from None
    return out


def _number_list(text: str) -> tuple[float, ...]:
    """A ``--min-rates`` / ``--weights`` value: numbers separated by commas."""
    return parse_number_list(text, name="number list")


def _describe(name: str, result: AllocationResult, bandwidth: float) -> str:
    mbit = bandwidth / 1e6
    idle = int(result.assignment.sum() - result.active_assignment.sum())
    return (
        f"{name}: sum-rate {result.sum_rate:.3f} bit/s/Hz ({result.sum_rate * mbit:.3f} "
        f"Mbit/s), min-rate {result.min_rate:.3f} bit/s/Hz ({result.min_rate * mbit:.3f} "
        f"Mbit/s), Jain {result.jain_index:.3f}, status {result.status}, "
        f"{result.solve_time * 1e3:.0f} ms\n"
        + ("" if result.success else f"{result.message}\n")
        + f"{idle} of {int(result.assignment.sum())} assigned edges carry no power "
        "(assigned, not transmitted; dashed in the picture)\n"
        "power per edge in mW ('-' = not assigned), rates in bit/s/Hz:\n"
        + _allocation_table(result)
    )


_NOTED: set[str] = set()


@contextlib.contextmanager
def _notes():
    """Library warnings (few drops, say) as one ``note:`` line each on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for message in dict.fromkeys(str(w.message) for w in caught):
        if message not in _NOTED:
            _NOTED.add(message)
            print(f"note: {message}", file=sys.stderr)


def _metric_tables(frame, confidence: float = 0.95, baseline: str | None = None) -> str:
    with _notes():
        summary = summarize_sweep(frame, confidence)
    axis = sweep_axis(summary)
    points = sorted(summary[axis].unique())
    by = "" if axis == "budget_dbm" else f", by {parameter_label(axis)}"
    unit = parameter_unit(axis)
    header = "".join(f"{v:>{11 - len(unit)}.4g}{unit}" for v in points)
    lines = []
    counts = summary.groupby("algorithm")["n"].min()
    for metric in METRICS:
        lines.append(f"{_METRIC_TITLES[metric]}, mean over drops{by}:")
        lines.append(f"{'algorithm':<{_LABEL_WIDTH}s}{header}")
        for name in dict.fromkeys(summary["algorithm"]):
            part = summary[summary["algorithm"] == name].set_index(axis)[metric]
            cells = "".join(f"{part.get(v, float('nan')):>11.3f}" for v in points)
            label = ALGORITHMS[name].label if name in ALGORITHMS else name
            lines.append(f"{label:<{_LABEL_WIDTH}s}{cells}")
        lines.append("")
    columns = ["n_error", "n_solver_failed", "n_floors_not_met"]
    failures = summary.groupby("algorithm")[[c for c in columns if c in summary]].sum()
    for name, row in failures.iterrows():
        if row.get("n_error", 0) > 0 or row.get("n_solver_failed", 0) > 0:
            lines.append(
                f"note: {name}: {int(row['n_error'])} task(s) raised (status 'error'), "
                f"{int(row['n_solver_failed'])} solver failure(s) (kept, feasible allocation)"
            )
        if row.get("n_floors_not_met", 0) > 0:
            lines.append(
                f"note: {name}: {int(row['n_floors_not_met'])} task(s) missed a rate floor "
                "(status 'floors_not_met'; the allocation closest to the floors is kept)"
            )
    present = list(dict.fromkeys(summary["algorithm"]))
    if baseline is not None and baseline not in present:
        lines.append(f"no paired gains: the baseline {baseline} is not among the algorithms")
    if baseline in present and len(present) > 1:
        lines.append(
            f"paired gain over {baseline} on common drops (ratio of means - 1, %; '*': the "
            f"{confidence:.0%} paired bootstrap interval excludes 0):"
        )
        for metric in METRICS:
            lines.append(f"{_METRIC_TITLES[metric].split(' (')[0]}:")
            for name in present:
                if name == baseline:
                    continue
                table = compare_algorithms(frame, name, baseline, metric, confidence=confidence)
                table = table.set_index(axis)
                cells = ""
                for v in points:
                    if v not in table.index or not table.loc[v, "n_pairs"]:
                        cells += f"{'':>11s}"
                        continue
                    r = table.loc[v]
                    sure = r["ratio_low"] > 1 or r["ratio_high"] < 1
                    cells += f"{100 * (r['ratio'] - 1):>+10.2f}{'*' if sure else ' '}"
                label = ALGORITHMS[name].label if name in ALGORITHMS else name
                lines.append(f"{label:<{_LABEL_WIDTH}s}{cells}")
        lines.append("")
    lines.append(
        f"drops per point: {int(counts.min()) if len(counts) else 0}; rates in {_RATE_UNITS}"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- solve
def _figure_target(text: str) -> tuple[Path, str]:
    """``--figure PATH``: the stem and format, checked before any work."""
    path = Path(text)
    fmt = path.suffix.lstrip(".").lower() or "png"
    if fmt not in FIGURE_FORMATS:
        raise ValueError(
            f"--figure: cannot write a {fmt!r} picture ({path}); use a suffix among "
            f"{', '.join(FIGURE_FORMATS)}"
        )
    check_output_file(path.with_suffix(f".{fmt}"), "--figure")
    return path.with_suffix(""), fmt


def _check_folder(text: str, what: str) -> Path:
    """An output folder, created (and checked writable) before any work."""
    folder = Path(text)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"{what}: cannot create folder {folder} ({exc.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise OSError(f"{what}: folder {folder} cannot be written (permission denied)")
    return folder


def _export_targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The ``--csv/--parquet/--json`` files, each checked before any work."""
    targets = []
    for fmt in ("csv", "parquet", "json"):
        path = getattr(args, fmt, None)
        if path:
            if fmt == "parquet":
                try:
                    import pyarrow  # noqa: F401
                except ImportError:
                    raise ImportError("--parquet needs pyarrow (pip install pyarrow)") from None
            targets.append((fmt, check_output_file(path, f"--{fmt}")))
    return targets


#: The random drop of ``solve`` without ``--scenario`` (these options default to None so
#: that values given next to ``--scenario`` can be told apart and checked against the file).
_SOLVE_DROP = {
    "resources": 4,
    "users": 6,
    "n_per_user": 2,
    "users_per_resource": 3,
    "budget_dbm": 10.0,
    "noise": "paper",
    "seed": 0,
}
#: Options of ``solve`` that a scenario file sets, with the Scenario attribute of each.
_FILE_SIZES = {
    "resources": "n_resources",
    "users": "n_users",
    "n_per_user": "n_per_user",
    "users_per_resource": "users_per_resource",
}


def _solve_scenario(args: argparse.Namespace) -> tuple[Scenario, str]:
    """The scenario of ``solve``: a random drop, or ``--scenario FILE`` (whose sizes, budgets
    and noise then fill ``args``; an explicit option that disagrees is refused)."""
    if args.scenario is None:
        for name, value in _SOLVE_DROP.items():
            if getattr(args, name) is None:
                setattr(args, name, value)
        scenario = random_scenario(
            args.resources,
            args.users,
            power_budget_dbm=args.budget_dbm,
            n_per_user=args.n_per_user,
            users_per_resource=args.users_per_resource,
            noise=args.noise,
            rng=args.seed,
        )
        return scenario, f"noise preset '{args.noise}', seed {args.seed}"
    scenario = load_scenario(args.scenario)
    conflicts = []
    for name, attribute in _FILE_SIZES.items():
        given, value = getattr(args, name), getattr(scenario, attribute)
        if given is not None and given != value:
            conflicts.append(f"--{name.replace('_', '-')} {given} (the file has {value})")
        setattr(args, name, value)
    for name in ("budget_dbm", "noise", "seed"):
        if getattr(args, name) is not None:
            conflicts.append(f"--{name.replace('_', '-')}")
    if conflicts:
        raise ValueError(
            f"--scenario {args.scenario} sets the sizes, the budgets and the noise; drop "
            f"{', '.join(conflicts)}"
        )
    return scenario, f"from {args.scenario}"


def _solve_channel_words(args: argparse.Namespace, scenario: Scenario) -> str:
    """The budget and the channel, in words, for the picture's title."""
    if args.scenario is None:
        return (
            f"budget {args.budget_dbm:g} dBm per user, {NOISE_DESCRIPTIONS[args.noise]}, "
            f"channel seed {args.seed}"
        )
    budget = scenario.power_budget
    words = (
        f"budget {watt_to_dbm(budget[0]):.3g} dBm per user"
        if np.all(budget == budget[0])
        else "per-user budgets"
    )
    return f"{words}, channel from {Path(args.scenario).name}"


def _solve_document(
    scenario: Scenario, results: dict[str, AllocationResult], source: str
) -> dict[str, object]:
    """``solve --json``: the scenario and every allocation, matrices K x J (outer: k)."""
    n_resources, n_users = scenario.shape
    noise = np.asarray(scenario.noise_power, dtype=float)
    layout = {
        key: COLUMN_NOTES[key]
        for key in ("assignment", "power_w", "gains", "power_budget_w", "user_rates")
    }
    layout.update(
        noise_power_w=COLUMN_NOTES["noise_power_w"] + " (one number, K values or K x J)",
        sum_rate=COLUMN_NOTES["sum_rate"],
        min_rate=COLUMN_NOTES["min_rate"],
        jain_index="Jain's fairness index of user_rates",
        status="the solver's status (optimal, converged, heuristic, solver_failed, ...)",
    )
    return {
        "description": "scma_alloc solve: one allocation per algorithm on one scenario",
        "layout": layout,
        "shapes": {
            "assignment": [n_resources, n_users],
            "power_w": [n_resources, n_users],
            "gains": [n_resources, n_users],
            "noise_power_w": list(noise.shape),
            "power_budget_w": [n_users],
            "user_rates": [n_users],
        },
        "scenario": {
            "source": source,
            "n_resources": n_resources,
            "n_users": n_users,
            "n_per_user": scenario.n_per_user,
            "users_per_resource": scenario.users_per_resource,
            "gains": scenario.gains.tolist(),
            "noise_power_w": noise.tolist(),
            "power_budget_w": scenario.power_budget.tolist(),
        },
        "results": [
            {
                "name": name,
                "status": str(result.status),
                "assignment": np.asarray(result.assignment, dtype=int).tolist(),
                "power_w": np.asarray(result.power, dtype=float).tolist(),
                "user_rates": np.asarray(result.user_rates, dtype=float).tolist(),
                "sum_rate": float(result.sum_rate),
                "min_rate": float(result.min_rate),
                "jain_index": float(result.jain_index),
                "message": str(result.get("message", "")),
            }
            for name, result in results.items()
        ],
    }


def _cmd_solve(args: argparse.Namespace) -> int:
    figure_target = None if args.no_figure else _figure_target(args.figure)
    json_target = None if args.json is None else check_output_file(args.json, "--json")
    scenario, source = _solve_scenario(args)
    constraints = _solve_constraints(args, scenario)
    print(f"{scenario} ({source})")
    print(f"rates: {_RATE_UNITS}; Mbit/s at {DEFAULT_BANDWIDTH / 1e3:g} kHz per subcarrier")
    results: dict[str, AllocationResult] = {}
    if args.algorithms:
        for name in args.algorithms:
            results[get_algorithm(name).label] = get_algorithm(name)(scenario)
    else:
        objectives = {"max-sr": solve_max_sr, "max-min": solve_max_min}
        if args.objective != "both":
            objectives = {args.objective: objectives[args.objective]}
        for name, solve in objectives.items():
            label = ALGORITHMS[name].label
            results[f"{label} ({args.method} method)"] = solve(
                scenario, method=args.method, **constraints
            )
    for name, result in results.items():
        print()
        print(_describe(name, result, DEFAULT_BANDWIDTH))
    if figure_target is not None:
        from matplotlib.figure import Figure

        from ._plotting import _graph_size, plot_factor_graph, save_figure

        width, height = _graph_size(args.resources, args.users)
        figure = Figure(figsize=(width * len(results), height + 0.4), layout="constrained")
        axes = np.atleast_1d(figure.subplots(1, len(results)))
        for ax, (name, result) in zip(axes, results.items(), strict=True):
            plot_factor_graph(
                result.assignment,
                result.power,
                user_rates=result.user_rates,
                ax=ax,
                title=f"{name}: sum {result.sum_rate:.2f}, min {result.min_rate:.2f} b/s/Hz",
            )
        figure.suptitle(
            f"factor graphs and powers (mW) for {args.users} users on {args.resources} "
            f"subcarriers (each user on {args.n_per_user}, at most "
            f"{args.users_per_resource} per subcarrier), {_solve_channel_words(args, scenario)}; "
            "dashed: assigned, no power",
            fontsize=8,
        )
        stem, fmt = figure_target
        written = save_figure(figure, stem, (fmt,))
        print(f"\nfactor graph picture: {written[0]}")
    if json_target is not None:
        document = _solve_document(scenario, results, source)
        json_target.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"json: {json_target}")
    return 0


# --------------------------------------------------------------------------- sweep
def _config_keys(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """The keys a ``--config`` file may set: every option of ``parser`` by its long name
    without the dashes (``budgets-dbm``), except ``--help`` and ``--config`` itself."""
    keys = {}
    for action in parser._actions:  # argparse offers no public list of a parser's options
        names = [o for o in action.option_strings if o.startswith("--")]
        if names and action.dest not in ("help", "config"):
            keys[names[0][2:]] = action
    return keys


def _config_text(value: object) -> str:
    """A TOML value as the text it would have on the command line (lists: commas)."""
    if isinstance(value, list) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        return ",".join(str(v) for v in value)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected a value as on the command line, got {value!r}")


def _config_scalar(action: argparse.Action, value: object) -> object:
    """One TOML value, checked and converted by the option's own type, as on the line."""
    if action.type is None and not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    text = _config_text(value)
    if action.type is None:
        converted: object = text
    else:
        try:
            converted = action.type(text)
        except (argparse.ArgumentTypeError, TypeError, ValueError) as exc:
            if action.type in (int, float):
                kind = "an integer" if action.type is int else "a number"
                raise ValueError(f"expected {kind}, got {value!r}") from None
            raise ValueError(str(exc)) from None
    if action.choices is not None and converted not in action.choices:
        raise ValueError(f"expected one of {', '.join(map(str, action.choices))}, got {value!r}")
    return converted


def _config_value(action: argparse.Action, value: object) -> object:
    """``value`` of a TOML key for ``action``: a flag, a repeatable option or one value."""
    if action.nargs == 0:  # a flag (--no-plots) or a --x/--no-x switch (--progress)
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if isinstance(action, argparse._AppendAction):  # repeatable: --option
        if isinstance(value, dict):  # [option.max-min] n_polish = 3
            items: list[object] = []
            for algorithm, options in value.items():
                if not isinstance(options, dict):
                    raise ValueError(
                        f"expected a table of options under {algorithm!r}, got {options!r}"
                    )
                items += [f"{algorithm}:{k}={json.dumps(v)}" for k, v in options.items()]
        else:
            items = value if isinstance(value, list) else [value]
        return [_config_scalar(action, item) for item in items]
    return _config_scalar(action, value)


def _config_defaults(parser: argparse.ArgumentParser, path: Path) -> dict[str, object]:
    """The options set by the TOML file ``path``, as ``parser`` defaults (by ``dest``)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        raise ValueError("--config needs Python 3.11 or later (tomllib)") from None
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ValueError(f"cannot read {path} ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid TOML ({exc})") from None
    keys = _config_keys(parser)
    defaults: dict[str, object] = {}
    for key, value in data.items():
        action = keys.get(key)
        if action is None:
            close = difflib.get_close_matches(key.replace("_", "-"), keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{path}: unknown key {key!r}{hint}; keys: {', '.join(keys)}")
        try:
            defaults[action.dest] = _config_value(action, value)
        except ValueError as exc:
            raise ValueError(f"{path}: key {key!r}: {exc}") from None
    return defaults


class _ConfigFile(argparse.Action):
    """``--config FILE.toml``: the file's values become this command's defaults, so values
    given on the command line override them (``_parse_arguments`` parses the line again)."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[override]
        try:
            defaults = _config_defaults(parser, Path(values))
        except ValueError as exc:
            raise argparse.ArgumentError(self, str(exc)) from None
        parser.set_defaults(**defaults)
        setattr(namespace, self.dest, values)


def _cli_values(vary: str, values: Sequence[float]) -> list[int | float]:
    """``--values`` for ``--vary``: whole numbers for counts (refused otherwise) and for
    whole-valued algorithm options (``n_polish``), numbers as given otherwise."""
    if is_integer_parameter(vary):
        bad = [v for v in values if not float(v).is_integer()]
        if bad:
            raise ValueError(
                f"--values: {parameter_label(vary)} takes whole numbers, got {bad[0]:g}"
            )
        return [int(v) for v in values]
    if ":" in vary:
        return [int(v) if float(v).is_integer() else float(v) for v in values]
    return [float(v) for v in values]


def _sweep_config(args: argparse.Namespace) -> SweepConfig:
    """The sweep of the command line: over the budgets (``--budgets-dbm``), or over
    ``--vary NAME`` with ``--values`` at one budget (``--budget-dbm``)."""
    options: dict[str, dict[str, object]] = {}
    for algorithm, name, value in args.option or ():
        options.setdefault(algorithm, {})[name] = value
    scenario: dict[str, object] = {
        parameter: getattr(args, dest) for parameter, dest in _SCENARIO_DESTS.items()
    }
    scenario["noise"] = args.noise
    if args.vary is None:
        if args.values is not None:
            raise ValueError(
                "--values needs --vary NAME (a budget sweep takes its budgets from --budgets-dbm)"
            )
        if args.budget_dbm is not None:
            raise ValueError(
                "--budget-dbm is the one budget of a --vary sweep; a budget sweep takes "
                "--budgets-dbm"
            )
        return SweepConfig.create(
            args.budgets_dbm,
            args.drops,
            args.algorithms,
            seed=args.seed,
            algorithm_options=options,
            **scenario,
        )
    vary = _VARY.get(args.vary, args.vary)
    label = parameter_label(vary)
    if args.values is None:
        raise ValueError(f"--vary: a sweep over {label} needs --values (e.g. 100:500:100)")
    if tuple(args.budgets_dbm) != PAPER_BUDGETS_DBM:
        raise ValueError(
            f"--budgets-dbm: a sweep over {label} has one budget, --budget-dbm "
            f"({DEFAULT_BUDGET_DBM:g} dBm unless given)"
        )
    swept = ["n_users"] if vary == "load" else [vary] if vary in scenario else []
    for parameter in swept:
        if scenario[parameter] != _SCENARIO_DEFAULTS[parameter]:
            option = "--" + _SCENARIO_DESTS[parameter].replace("_", "-")
            raise ValueError(
                f"{option} {scenario[parameter]:g}: {parameter_label(parameter)} follows "
                f"from --vary; drop {option}"
            )
        del scenario[parameter]
    return SweepConfig.for_parameter(
        vary,
        _cli_values(vary, args.values),
        args.drops,
        args.algorithms,
        budget_dbm=args.budget_dbm,
        seed=args.seed,
        algorithm_options=options,
        **scenario,
    )


def _cmd_sweep(args: argparse.Namespace) -> int:
    config = _sweep_config(args)
    # Every output is checked before any work; a refused store is the only message.
    exports = _export_targets(args)
    if not args.no_plots:
        _check_folder(args.plots, "--plots")
    store = None if args.no_store else ResultStore(args.store)
    try:
        grown_from = None if store is None else bind_config(store, config)
        return _run_sweep(args, config, store, exports, grown_from)
    finally:
        if store is not None:
            store.close()


def _axis_words(config: SweepConfig) -> str:
    """``"2 budgets (3, 10 dBm)"`` or ``"3 values of cell radius (m) (100, 200, 300) at
    10 dBm"``."""
    if config.vary == "budget_dbm":
        return f"{config.n_points} budgets ({', '.join(f'{b:g}' for b in config.values)} dBm)"
    return (
        f"{config.n_points} values of {parameter_label(config.vary)} "
        f"({', '.join(f'{v:g}' for v in config.values)}) at {config.budgets_dbm[0]:g} dBm"
    )


def _run_sweep(
    args: argparse.Namespace,
    config: SweepConfig,
    store: ResultStore | None,
    exports: list[tuple[str, Path]],
    grown_from: dict | None = None,
) -> int:
    where = f"Dask ({args.scheduler})" if args.scheduler else f"{args.jobs} process(es)"
    print(
        f"sweep {config.hash}: {config.n_drops} drops x {_axis_words(config)} x "
        f"{len(config.algorithms)} algorithms ({', '.join(config.algorithms)}) = "
        f"{config.n_tasks} tasks on {where}; noise '{args.noise}', seed {args.seed}; "
        f"store: {args.store if store else 'none (in memory)'}",
        file=sys.stderr,
    )
    if grown_from is not None:
        old = SweepConfig.from_dict(grown_from)
        print(
            f"{args.store} held this sweep with {old.n_drops} drops x {_axis_words(old)}: "
            "it grows, and keeps every stored task",
            file=sys.stderr,
        )
    if store is not None:
        stored = len(store.finished())
        left = config.n_tasks - stored
        if stored:
            print(
                f"{stored} of {config.n_tasks} tasks already stored in {args.store}: "
                + (f"computing the other {left}" if left else "nothing to compute")
                + " (delete the store or choose another --store to recompute)",
                file=sys.stderr,
            )
    try:
        frame = run_sweep(
            config,
            n_jobs=args.jobs,
            scheduler=args.scheduler,
            store=store,
            progress=args.progress,
        )
    except KeyboardInterrupt:
        if store:
            print(
                f"{PROG}: interrupted; every finished task is in {args.store}. Run the same "
                "command again to resume",
                file=sys.stderr,
            )
        else:
            print(f"{PROG}: interrupted (no store: nothing kept)", file=sys.stderr)
        return 130
    print(_metric_tables(frame, baseline=args.baseline))
    if store:
        print(f"results: {args.store} ({len(frame)} tasks; rerun the command to resume or reuse)")
    for fmt, path in exports:
        print(f"{fmt}: {export_results(frame, path, format=fmt)}")
    if not args.no_plots:
        from ._plotting import write_sweep_figures

        with _notes():
            paths = write_sweep_figures(
                frame, args.plots, formats=args.formats, baseline=args.baseline
            )
        print(f"plots: {', '.join(str(p) for p in paths)}")
    return 0


# --------------------------------------------------------------------------- plot
def _cmd_plot(args: argparse.Namespace) -> int:
    from ._plotting import (
        convergence_figure,
        factor_graphs_figure,
        save_figure,
        write_sweep_figures,
    )

    with ResultStore(args.store, mode="r") as store:
        frame = store.frame()
        stored = store.config
    if not len(frame):
        raise ValueError(f"store {args.store} has no results yet")
    config = SweepConfig.from_dict(stored)
    algorithms = args.algorithms
    if algorithms:
        missing = [a for a in algorithms if a not in set(frame["algorithm"])]
        if missing:
            raise ValueError(f"--algorithms: {missing} are not in store {args.store}")
    # Every argument is checked before the first figure is written.
    point = _plot_point(args, config)
    if not 0 <= args.drop < config.n_drops:
        raise ValueError(f"--drop must be in 0..{config.n_drops - 1}, got {args.drop}")
    out = _check_folder(args.out, "--out")
    with _notes():
        paths = write_sweep_figures(
            frame,
            out,
            formats=args.formats,
            algorithms=algorithms,
            confidence=args.confidence,
            baseline=args.baseline,
        )
    where = _point_words(config, point)
    scenario = config.scenario_for(args.drop, point)
    # Factor graphs from the stored allocations of that point.
    rows = frame[(frame["drop"] == args.drop) & (frame["budget_index"] == point)]
    if algorithms:
        rows = rows[rows["algorithm"].isin(algorithms)]
    if (rows["status"] != "error").any():
        figure = factor_graphs_figure(
            rows,
            scenario.shape,
            title=f"drop {args.drop}, {where}: factor graphs, powers in mW",
        )
        paths += save_figure(figure, out / "scma_factor_graphs", args.formats)
    if not args.no_convergence:
        # Histories are not stored: re-solve this drop (deterministic) to draw them.
        figure = convergence_figure(
            {
                "Max-SR": {
                    "Max-SR (paper, Alg. 1)": solve_max_sr(scenario, method="paper"),
                    "Max-SR (default)": solve_max_sr(scenario),
                },
                "Max-Min": {
                    "Max-Min (paper, Alg. 2)": solve_max_min(scenario, method="paper"),
                    "Max-Min (default)": solve_max_min(scenario),
                },
            },
            title=f"convergence on drop {args.drop} at {where}",
        )
        paths += save_figure(figure, out / "scma_convergence", args.formats)
    print("\n".join(str(p) for p in paths))
    return 0


def _plot_point(args: argparse.Namespace, config: SweepConfig) -> int:
    """The point of ``plot --value`` (or ``--budget-dbm`` in a budget sweep); the last one
    by default."""
    if args.value is not None and args.budget_dbm is not None:
        raise ValueError("give --value or --budget-dbm, not both")
    if config.vary != "budget_dbm" and args.budget_dbm is not None:
        raise ValueError(
            f"--budget-dbm: store {args.store} sweeps {parameter_label(config.vary)} at "
            f"{config.budgets_dbm[0]:g} dBm; choose the point with --value"
        )
    value = args.value if args.value is not None else args.budget_dbm
    if value is None:
        return config.n_points - 1
    if value not in config.values:
        option = "--value" if args.value is not None else "--budget-dbm"
        what = (
            "a budget"
            if config.vary == "budget_dbm"
            else f"a value of {parameter_label(config.vary)}"
        )
        raise ValueError(f"{option} {value:g} is not {what} of this sweep ({list(config.values)})")
    return config.values.index(value)


def _point_words(config: SweepConfig, point: int) -> str:
    """One point in words: ``"10 dBm"`` or ``"cell radius (m) 200, 10 dBm"``."""
    if config.vary == "budget_dbm":
        return f"{config.values[point]:g} dBm"
    value = config.values[point]
    return f"{parameter_label(config.vary)} {value:g}, {config.budgets_dbm[point]:g} dBm"


# --------------------------------------------------------------------------- compare
def _cmd_compare(args: argparse.Namespace) -> int:
    with ResultStore(args.store, mode="r") as store:
        frame = store.frame()
    present = list(dict.fromkeys(frame["algorithm"]))
    if args.baseline not in present:
        raise ValueError(f"--baseline {args.baseline!r} is not in store {args.store} ({present})")
    others = args.algorithms or tuple(a for a in present if a != args.baseline)
    missing = [a for a in others if a not in present]
    if missing:
        raise ValueError(f"--algorithms: {missing} are not in store {args.store} ({present})")
    level = f"{args.confidence:.0%}"
    axis = sweep_axis(frame)
    symbol = parameter_symbol(axis)
    width = max(6, len(symbol) + 1)
    by = "" if axis == "budget_dbm" else f"; by {parameter_label(axis)}: column '{symbol}'"
    for metric in args.metrics:
        print(
            f"{_METRIC_TITLES[metric]}: ratio of means vs {args.baseline} "
            f"[{level} paired bootstrap], mean difference [{level} t], wins = share of drops "
            f"strictly better{by}"
        )
        print(
            f"{'algorithm':<14s}{symbol:>{width}s}{'pairs':>7s}{'mean':>9s}{'ratio':>8s}"
            f"{'ratio CI':>18s}{'diff':>9s}{'diff CI':>20s}{'wins':>7s}"
        )
        for name in others:
            table = compare_algorithms(
                frame,
                name,
                args.baseline,
                metric,
                confidence=args.confidence,
                n_bootstrap=args.bootstrap,
                seed=args.seed,
            )
            for _, r in table.iterrows():
                if not r["n_pairs"]:
                    continue
                print(
                    f"{name:<14s}{r[axis]:>{width}g}{int(r['n_pairs']):>7d}"
                    f"{r['mean_algorithm']:>9.3f}{r['ratio']:>8.3f}"
                    f"{f'[{r.ratio_low:.3f}, {r.ratio_high:.3f}]':>18s}"
                    f"{r['difference']:>9.3f}"
                    f"{f'[{r.difference_low:.3f}, {r.difference_high:.3f}]':>20s}"
                    f"{r['win_rate']:>7.0%}"
                )
        print()
    return 0


# --------------------------------------------------------------------------- export
def _cmd_export(args: argparse.Namespace) -> int:
    exports = _export_targets(args)
    if not exports:
        raise ValueError("export: give --csv PATH, --parquet PATH and/or --json PATH")
    with ResultStore(args.store, mode="r") as store:
        frame = store.frame()
    for fmt, path in exports:
        print(f"{fmt}: {export_results(frame, path, format=fmt)}")
    return 0


# --------------------------------------------------------------------------- parser
def _scenario_arguments(parser: argparse.ArgumentParser, *, sweep_defaults: bool) -> None:
    group = parser.add_argument_group("scenario (the paper's channel, its section IV)")
    group.add_argument(
        "--resources", type=parse_positive_int, default=4, help="K, subcarriers (4)"
    )
    group.add_argument("--users", type=parse_positive_int, default=6, help="J, users (6)")
    group.add_argument("--n-per-user", type=parse_positive_int, default=2, help="N (2)")
    group.add_argument("--users-per-resource", type=parse_positive_int, default=3, help="d_f (3)")
    group.add_argument(
        "--noise",
        choices=("paper", "thermal"),
        default="paper",
        help="noise preset: 'paper' reproduces the authors' numbers (30 dB above kTB); "
        "'thermal' is kTB (default paper)",
    )
    if sweep_defaults:
        group.add_argument("--radius", type=float, default=300.0, help="cell radius in m (300)")
        group.add_argument(
            "--path-loss-exponent", type=float, default=4.0, help="alpha in 1 + d^alpha (4)"
        )
        group.add_argument(
            "--bandwidth",
            type=float,
            default=DEFAULT_BANDWIDTH,
            help=f"subcarrier bandwidth in Hz ({DEFAULT_BANDWIDTH:g})",
        )


def _export_arguments(group: argparse._ActionsContainer, verb: str) -> None:
    group.add_argument("--csv", metavar="PATH", help=f"{verb} CSV")
    group.add_argument("--parquet", metavar="PATH", help=f"{verb} Parquet (needs pyarrow)")
    group.add_argument("--json", metavar="PATH", help=f"{verb} JSON")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    names = ", ".join(f"{n} ({a.description})" for n, a in ALGORITHMS.items())
    parser = _Parser(
        prog=PROG,
        description=(
            "Joint codebook and power allocation for uplink SCMA (Evangelista et al., "
            "arXiv:1805.11722). 'sweep' on its defaults runs "
            f"{len(PAPER_BUDGETS_DBM)} budgets x {DEFAULT_DROPS} drops x "
            f"{len(DEFAULT_ALGORITHMS)} algorithms on all CPUs, stored in {DEFAULT_STORE} "
            f"(rerun to resume) with plots in {DEFAULT_PLOTS}/."
        ),
        epilog=f"Algorithms: {names}.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    # solve ---------------------------------------------------------------------------
    solve = sub.add_parser(
        "solve",
        help="solve one random drop: allocation tables, rates, Jain, factor graph picture",
        description="Solve one random drop and print each allocation (power per edge), "
        "the user rates and Jain's index; save a picture of the factor graphs.",
    )
    _scenario_arguments(solve, sweep_defaults=False)
    solve.add_argument("--budget-dbm", type=float, default=10.0, help="per-user budget (10)")
    solve.add_argument("--seed", type=int, default=0, help="channel drop seed (0)")
    solve.add_argument(
        "--objective",
        choices=("max-sr", "max-min", "both"),
        default="both",
        help="which solver(s) to run (both)",
    )
    solve.add_argument("--method", choices=METHODS, default="alternating", help="(alternating)")
    solve.add_argument(
        "--algorithms",
        type=_name_list,
        default=None,
        metavar="LIST",
        help="comma-separated registry names (e.g. max-sr,b0,b2); replaces --objective/--method",
    )
    solve.add_argument(
        "--figure",
        default="results/scma_solve.png",
        metavar="PATH",
        help="factor graph picture (PNG unless the suffix says pdf/svg; results/scma_solve.png)",
    )
    solve.add_argument("--no-figure", action="store_true", help="do not draw the picture")
    solve.add_argument(
        "--scenario",
        metavar="FILE",
        default=None,
        help="solve a planner's scenario file (.npz or .csv, see docs/planning_guide.md) "
        "instead of a random drop; K, J, N, d_f, the budgets and the noise come from the file "
        "(a different --resources/--users/--n-per-user/--users-per-resource, or any "
        "--budget-dbm/--noise/--seed, is refused)",
    )
    solve.add_argument(
        "--min-rates",
        type=_number_list,
        default=None,
        metavar="LIST",
        help="rate floors in bit/s/Hz: one for every user or one per user (e.g. 1 or "
        "1,1,0.5,0,0,2); met, or the status says floors_not_met and the allocation is "
        "the closest found",
    )
    solve.add_argument(
        "--weights",
        type=_number_list,
        default=None,
        metavar="LIST",
        help="user weights: the weighted sum-rate (max-sr) or the weighted max-min "
        "min_j R_j / w_j (max-min)",
    )
    solve.add_argument(
        "--resource-caps-dbm",
        type=_number_list,
        default=None,
        metavar="LIST",
        help="power cap per subcarrier over all its users, dBm: one for every subcarrier "
        "or one per subcarrier",
    )
    solve.add_argument(
        "--total-cap-dbm",
        type=float,
        default=None,
        metavar="DBM",
        help="cap on the transmit power of all users together, dBm",
    )
    solve.add_argument(
        "--json",
        metavar="PATH",
        default=None,
        help="also write the scenario and each allocation as JSON: assignment and power (W) "
        "as K x J nested lists (outer index: resource k), user rates, status",
    )
    solve.set_defaults(func=_cmd_solve)
    solve.set_defaults(**dict.fromkeys(_SOLVE_DROP))  # told apart from values given

    # sweep ---------------------------------------------------------------------------
    run = sub.add_parser(
        "sweep",
        help="paired sweep over the budget (or --vary another parameter) into a resumable "
        "store, with plots",
        description="Run every algorithm on the same channel drops at every budget, or at "
        "every value of another parameter (--vary NAME --values LIST). Each finished point "
        "is committed to the store at once: rerun the same command after an interruption "
        "(Ctrl-C, kill) to resume, or with more --drops or more values (after the stored "
        "ones) to extend the stored sweep; a store holding a different sweep is refused.",
    )
    run.add_argument(
        "--budgets-dbm",
        type=parse_budget_list,
        default=PAPER_BUDGETS_DBM,
        metavar="LIST",
        help="budgets in dBm: 3,6,10 or start:stop[:step] inclusive (3:10, the paper's)",
    )
    run.add_argument(
        "--vary",
        type=_vary,
        default=None,
        metavar="NAME",
        help="sweep this parameter instead of the budget: resources (K), users (J), load "
        "(J/K at the fixed K: J = load x K users), radius (m), path-loss-exponent, bandwidth "
        "(Hz), n-per-user (N), users-per-resource (d_f), or an algorithm option ALG:NAME "
        "(e.g. max-min:n_polish); its values are --values, the budget --budget-dbm",
    )
    run.add_argument(
        "--values",
        type=_value_list,
        default=None,
        metavar="LIST",
        help="values of --vary, increasing: 100,200,300 or start:stop[:step] inclusive "
        "(whole numbers for resources, users, n-per-user, users-per-resource)",
    )
    run.add_argument(
        "--budget-dbm",
        type=float,
        default=None,
        help=f"per-user budget of every point of a --vary sweep ({DEFAULT_BUDGET_DBM:g})",
    )
    run.add_argument(
        "--drops",
        type=parse_positive_int,
        default=DEFAULT_DROPS,
        help=f"channel drops ({DEFAULT_DROPS})",
    )
    run.add_argument(
        "--algorithms",
        type=_name_list,
        default=DEFAULT_ALGORITHMS,
        metavar="LIST",
        help=f"comma-separated registry names ({','.join(DEFAULT_ALGORITHMS)})",
    )
    run.add_argument("--seed", type=int, default=0, help="root seed of the drops (0)")
    run.add_argument(
        "--config",
        action=_ConfigFile,
        metavar="FILE.toml",
        help="TOML file setting any option of this command by its name without the dashes "
        '(drops = 10, budgets-dbm = [3, 6, 10], algorithms = ["max-sr", "b0"], no-plots = '
        "true, [option.max-min] n_polish = 3); values given on the command line win; an "
        "unknown key is refused",
    )
    run.add_argument(
        "--option",
        type=_option,
        action="append",
        metavar="ALG:NAME=VALUE",
        help="algorithm option, repeatable (e.g. max-min:n_polish=3); recorded in the store",
    )
    _scenario_arguments(run, sweep_defaults=True)
    execution = run.add_argument_group("execution and output")
    execution.add_argument(
        "--jobs",
        type=parse_jobs,
        default=usable_cpus(),
        help=f"worker processes (default: all {usable_cpus()} CPUs; 0 or -1: all)",
    )
    execution.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on Dask: a scheduler address (tcp://host:8786) or 'local' for a "
        "LocalCluster of --jobs workers",
    )
    execution.add_argument(
        "--store", default=DEFAULT_STORE, metavar="PATH", help=f"SQLite store ({DEFAULT_STORE})"
    )
    execution.add_argument("--no-store", action="store_true", help="keep results in memory only")
    execution.add_argument(
        "--plots", default=DEFAULT_PLOTS, metavar="DIR", help=f"plot folder ({DEFAULT_PLOTS})"
    )
    execution.add_argument("--no-plots", action="store_true", help="do not write plots")
    execution.add_argument(
        "--baseline",
        type=_algorithm_name,
        default="b0",
        help="paired gains over this algorithm (b0)",
    )
    execution.add_argument(
        "--formats", type=_formats, default=("png", "pdf"), help="plot formats (png,pdf)"
    )
    _export_arguments(execution, "also export the results as")
    execution.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar with ETA on stderr (default: when stderr is a terminal)",
    )
    run.set_defaults(func=_cmd_sweep)

    # plot ----------------------------------------------------------------------------
    plot = sub.add_parser(
        "plot",
        help="figures from a store: metrics vs the swept parameter, factor graphs, convergence",
        description="Draw sum-rate, minimum rate and Jain's index vs the swept parameter "
        "(budget, radius, ...; means with "
        "bootstrap bands), the paired gains over --baseline, the stored factor graphs of "
        "one point, and the convergence of Max-SR and Max-Min on that drop (re-solved: "
        "histories are not stored). Works on read-only stores and while a sweep is "
        "writing.",
    )
    plot.add_argument("--store", default=DEFAULT_STORE, metavar="PATH", help=f"({DEFAULT_STORE})")
    plot.add_argument("--out", default=DEFAULT_PLOTS, metavar="DIR", help=f"({DEFAULT_PLOTS})")
    plot.add_argument("--formats", type=_formats, default=("png", "pdf"), help="(png,pdf)")
    plot.add_argument("--algorithms", type=_name_list, default=None, metavar="LIST")
    plot.add_argument("--confidence", type=_confidence, default=0.95, help="band level (0.95)")
    plot.add_argument("--drop", type=int, default=0, help="drop for graphs/convergence (0)")
    plot.add_argument(
        "--budget-dbm", type=float, default=None, help="budget for graphs/convergence (largest)"
    )
    plot.add_argument(
        "--value",
        type=float,
        default=None,
        help="value of the swept parameter for graphs/convergence (largest); in a budget "
        "sweep, the same as --budget-dbm",
    )
    plot.add_argument("--no-convergence", action="store_true", help="skip the convergence plot")
    plot.add_argument(
        "--baseline", type=_algorithm_name, default="b0", help="paired-gain figure against it (b0)"
    )
    plot.set_defaults(func=_cmd_plot)

    # compare -------------------------------------------------------------------------
    compare = sub.add_parser(
        "compare",
        help="paired statistics between algorithms (ratio of means with a CI)",
        description="Paired comparison on common drops, per budget (or value of the swept "
        "parameter): ratio of means with a "
        "paired bootstrap interval, mean difference with a t-interval, share of wins.",
    )
    compare.add_argument(
        "--store", default=DEFAULT_STORE, metavar="PATH", help=f"({DEFAULT_STORE})"
    )
    compare.add_argument(
        "--baseline", type=_algorithm_name, default="b0", help="reference algorithm (b0)"
    )
    compare.add_argument(
        "--algorithms", type=_name_list, default=None, metavar="LIST", help="(all others)"
    )
    compare.add_argument(
        "--metrics", type=_metrics, default=METRICS, metavar="LIST", help="(all three)"
    )
    compare.add_argument("--confidence", type=_confidence, default=0.95, help="(0.95)")
    compare.add_argument(
        "--bootstrap", type=parse_positive_int, default=2000, help="resamples (2000)"
    )
    compare.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    compare.set_defaults(func=_cmd_compare)

    # export --------------------------------------------------------------------------
    export = sub.add_parser(
        "export",
        help="write a store's results as CSV, Parquet or JSON",
        description="Write every stored result with its allocation and its drop, so it can "
        "be checked without this package: the factor graph, the powers (W) and the "
        "channel gains as K x J nested lists (outer index: resource k, inner: user j), "
        "the noise power, the budgets and the user rates (bit/s/Hz, summed over the K "
        "resources). In CSV the lists are JSON text; a JSON file also states this layout "
        "and the sweep configuration.",
    )
    export.add_argument(
        "--store", default=DEFAULT_STORE, metavar="PATH", help=f"({DEFAULT_STORE})"
    )
    _export_arguments(export, "write the results as")
    export.set_defaults(func=_cmd_export)
    register_link_commands(sub)  # ber, link
    return parser


def _parse_arguments(parser: argparse.ArgumentParser, arguments: list[str]) -> argparse.Namespace:
    """Parse the command line; with ``--config`` a second time, once the file's values have
    become the command's defaults (so that the values given on the line win)."""
    args = parser.parse_args(arguments)
    if getattr(args, "config", None) is not None:
        args = parser.parse_args(arguments)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (2: bad arguments, 1: store or I/O fault)."""
    parser = build_parser()
    _NOTED.clear()
    args = _parse_arguments(parser, list(sys.argv[1:] if argv is None else argv))
    if args.command is None:  # a bare command: its help, not a long computation
        parser.print_help()
        return 0
    if getattr(args, "progress", False) is None:
        args.progress = sys.stderr.isatty()
    np.set_printoptions(precision=4, suppress=True)
    try:
        return args.func(args)
    except (ValueError, TypeError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (StoreError, OSError, ImportError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
