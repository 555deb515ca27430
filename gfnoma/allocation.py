"""Signatures judged by the allocator: the end-to-end path gfnoma -> scma_alloc.

Each signature set becomes a per-user interference model
(:func:`gfnoma.interference_model`, ``docs/integration.md``) and the scma_alloc
solvers allocate subcarriers and power for it on the same seeded channel drops
(:func:`scma_alloc.sweep`), so conventional and learned signatures are compared by the
min-rate, sum-rate and fairness the allocator reaches for the population their activation
profile describes. The SCMA SIC model (no signatures) can be solved on the same drops as a
reference.

Every set runs as its own :func:`scma_alloc.sweep` with the coupling recorded in its
configuration, so with ``store_dir`` each set has its own resumable SQLite store and an
interrupted study continues where it stopped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gfnoma.interference import FADING_MODELS, interference_model
from gfnoma.signatures import Signatures

__all__ = [
    "SIC_REFERENCE",
    "allocation_study",
    "plot_allocation_study",
    "summarize_allocation_study",
]

#: Label of the SCMA SIC reference in the study's ``signatures`` column.
SIC_REFERENCE = "SCMA SIC"

_METRICS = {
    "min_rate": "min-rate (bit/s/Hz)",
    "sum_rate": "sum-rate (bit/s/Hz)",
    "jain_index": "Jain's index",
}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "set"


def _check_sets(signatures: Any, n_users: int) -> list[Signatures]:
    if isinstance(signatures, Signatures):
        signatures = [signatures]
    if isinstance(signatures, Mapping):
        signatures = [
            s.with_name(str(k)) if isinstance(s, Signatures) else s for k, s in signatures.items()
        ]
    if isinstance(signatures, str) or not isinstance(signatures, Sequence):
        raise TypeError("signatures must be a Signatures object or a sequence of them")
    sets = list(signatures)
    if not sets:
        raise ValueError("signatures: give at least one signature set")
    for i, sig in enumerate(sets):
        if not isinstance(sig, Signatures):
            raise TypeError(f"signatures[{i}] must be a gfnoma.Signatures, got {type(sig)}")
        if sig.n_users != n_users:
            raise ValueError(
                f"signatures[{i}] ({sig.name!r}) has {sig.n_users} users but the scenario "
                f"has n_users={n_users}"
            )
    names = [s.name for s in sets]
    if len(set(names)) != len(names) or SIC_REFERENCE in names:
        raise ValueError(
            f"signatures: set names must be unique and differ from {SIC_REFERENCE!r}, got "
            f"{names} (rename with Signatures.with_name)"
        )
    return sets


def _check_algorithms(algorithms: Any) -> tuple[str, ...]:
    import scma_alloc as sa

    names = (algorithms,) if isinstance(algorithms, str) else tuple(algorithms)
    if not names:
        raise ValueError("algorithms: give at least one algorithm")
    for name in names:
        algorithm = sa.get_algorithm(name)  # ValueError listing the valid names
        if algorithm.method not in ("alternating", "exhaustive"):
            raise ValueError(
                f"algorithms: {name!r} does not take an interference model (the paper's "
                "methods and the baselines assume SIC); use max-sr, max-min, exhaustive or "
                "exhaustive-max-min"
            )
    return names


def allocation_study(
    signatures: Signatures | Sequence[Signatures] | Mapping[str, Signatures],
    budgets_dbm: Sequence[float] = (3.0, 6.0, 10.0),
    n_drops: int = 20,
    algorithms: Sequence[str] | str = ("max-min", "max-sr"),
    *,
    fading: str = "flat",
    include_sic: bool = True,
    seed: int = 0,
    n_jobs: int | None = 1,
    scheduler: Any = None,
    store_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
    **scenario_options: Any,
) -> pd.DataFrame:
    """Allocate for every signature set on the same channel drops; one tidy table.

    For each set ``s``, ``model = interference_model(s, fading)`` and
    ``scma_alloc.sweep(budgets_dbm, n_drops, algorithms, algorithm_options={a: {"interference":
    model.to_dict()}}, seed=seed, ...)``: the user rates of the rate model of
    ``docs/integration.md`` ``R_j = sum_k log2(1 + q_kj / (1 + sum_i C[j, i] q_ki))`` with the
    signature-derived coupling ``C``. Drop ``d`` is the same channel for every set and budget
    (paired comparisons).

    Parameters
    ----------
    signatures : Signatures, sequence of Signatures, or dict name -> Signatures
        The sets to compare (learned or conventional), each with its activation profile;
        their user count must be the scenario's ``n_users``. Names must be unique.
    budgets_dbm : sequence of float
        Per-user power budgets in dBm, strictly increasing.
    n_drops : int
        Channel drops (paper's 4 x 6 channel unless ``scenario_options`` say otherwise).
    algorithms : sequence of str
        Registry names that accept an interference model: ``max-min``, ``max-sr``,
        ``exhaustive``, ``exhaustive-max-min``.
    fading : {"flat", "per-chip"}
        Leakage model of :func:`gfnoma.interference_model`.
    include_sic : bool
        Also solve the SCMA SIC model (no signatures) on the same drops, labelled
        :data:`SIC_REFERENCE`.
    seed, n_jobs, scheduler, progress
        As :func:`scma_alloc.sweep`.
    store_dir : path, optional
        Folder of one resumable SQLite store per set (``<set>-<fading>.sqlite``,
        ``sic.sqlite``); rerunning the same study skips what is stored.
    **scenario_options
        ``n_resources``, ``n_users``, ``noise``, ... as :func:`scma_alloc.sweep`.

    Returns
    -------
    pandas.DataFrame
        The sweeps' rows (``drop``, ``budget_dbm``, ``algorithm``, ``min_rate``,
        ``sum_rate``, ``jain_index``, ``user_rates``, ``status``, ...) with two more
        columns: ``signatures`` (set name, or :data:`SIC_REFERENCE`) and ``fading``
        (``"sic"`` for the reference).

    Raises
    ------
    TypeError, ValueError
        Bad signatures (wrong type, user count, duplicate names), an algorithm that does
        not take an interference model, an unknown fading model, or any bad sweep
        argument -- all before anything is solved.

    Examples
    --------
    >>> import gfnoma as gf
    >>> sets = [gf.wbe(gf.P_ASY, 4), gf.pretrained_signatures("n6h4-asy")]
    >>> table = gf.allocation_study(sets, [10.0], n_drops=2, algorithms="max-min")
    >>> sorted(table["signatures"].unique())
    ['QNN-n6h4-asy', 'SCMA SIC', 'WBE']
    """
    import scma_alloc as sa

    n_users = int(scenario_options.get("n_users", 6))
    sets = _check_sets(signatures, n_users)
    names = _check_algorithms(algorithms)
    if fading not in FADING_MODELS:
        raise ValueError(f"fading must be one of {FADING_MODELS}, got {fading!r}")
    if not isinstance(include_sic, bool):
        raise TypeError(f"include_sic must be True or False, got {include_sic!r}")
    models = [(s.name, interference_model(s, fading)) for s in sets]
    folder = None if store_dir is None else Path(store_dir)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    common = dict(
        seed=seed, n_jobs=n_jobs, scheduler=scheduler, progress=progress, **scenario_options
    )
    # (label, fading, algorithm options, store file); the SIC reference has no options.
    runs: list[tuple[str, str, dict | None, str]] = [
        (
            name,
            fading,
            {a: {"interference": model.to_dict()} for a in names},
            f"{_slug(name)}-{fading}.sqlite",
        )
        for name, model in models
    ]
    if include_sic:
        runs.append((SIC_REFERENCE, "sic", None, "sic.sqlite"))
    # Validate every configuration before the first solve (SweepConfig checks options).
    for _, _, options, _ in runs:
        sa.SweepConfig.create(
            budgets_dbm, n_drops, names, seed=seed, algorithm_options=options, **scenario_options
        )
    tables = []
    for label, kind, options, filename in runs:
        store = None if folder is None else folder / filename
        table = sa.sweep(
            budgets_dbm, n_drops, names, algorithm_options=options, store=store, **common
        )
        tables.append(table.assign(signatures=label, fading=kind))
    return pd.concat(tables, ignore_index=True)


def summarize_allocation_study(
    table: pd.DataFrame, confidence: float = 0.95, baseline: str | None = None
) -> pd.DataFrame:
    """Mean and bootstrap interval of min-rate, sum-rate and Jain's index per set,
    algorithm and budget.

    :func:`scma_alloc.summarize_sweep` applied to each set's rows (rows with
    ``status="error"`` are counted in ``n_error``, not averaged).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`allocation_study`.
    confidence : float
        Level of the intervals, in (0, 1).
    baseline : str, optional
        A set name: adds the paired mean difference of each metric to it (same drop and
        budget), ``<metric>_vs_baseline``.

    Returns
    -------
    pandas.DataFrame
        One row per (``algorithm``, ``signatures``, ``budget_dbm``): ``n``, ``n_error`` and,
        per metric, ``<metric>`` (mean), ``<metric>_low`` and ``<metric>_high``.
    """
    import scma_alloc as sa
    from scma_alloc import STATUS_ERROR

    if not isinstance(table, pd.DataFrame) or "signatures" not in table:
        raise TypeError("table must be the DataFrame returned by allocation_study")
    sets = list(dict.fromkeys(table["signatures"]))
    if baseline is not None and baseline not in sets:
        raise ValueError(f"baseline {baseline!r} is not a set of the study")
    parts = [
        sa.summarize_sweep(table[table["signatures"] == name], confidence).assign(signatures=name)
        for name in sets
    ]
    summary = pd.concat(parts, ignore_index=True)
    keys = ["algorithm", "budget_dbm"]
    if baseline is not None:
        ok = table[table["status"] != STATUS_ERROR]
        wide = ok.pivot_table(index=[*keys, "drop"], columns="signatures", values=list(_METRICS))
        for metric in _METRICS:
            diff = wide[metric].sub(wide[metric][baseline], axis=0)
            mean = diff.groupby(level=keys).mean().stack().rename(metric + "_vs_baseline")
            summary = summary.merge(
                mean.reset_index(), on=[*keys, "signatures"], how="left", validate="1:1"
            )
    first = ["algorithm", "signatures", "budget_dbm"]
    return summary[first + [c for c in summary.columns if c not in first]]


_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_DASHES = ("-", "--", "-.", (0, (3, 1, 1, 1, 1, 1)))


def plot_allocation_study(
    table: pd.DataFrame,
    metrics: Sequence[str] = ("min_rate", "sum_rate", "jain_index"),
    confidence: float = 0.95,
):
    """Metrics vs power budget, one line per signature set, one row per algorithm.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`allocation_study`.
    metrics : sequence of str
        Columns among ``min_rate``, ``sum_rate``, ``jain_index``.
    confidence : float
        Level of the error bars (percentile-bootstrap intervals over drops, inside
        each metric's range).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    import scma_alloc as sa

    for metric in metrics:
        if metric not in _METRICS:
            raise ValueError(f"metrics: unknown metric {metric!r}; choose from {list(_METRICS)}")
    summary = summarize_allocation_study(table, confidence)
    algorithms = list(dict.fromkeys(summary["algorithm"]))
    sets = list(dict.fromkeys(summary["signatures"]))
    fig, axes = plt.subplots(
        len(algorithms),
        len(metrics),
        figsize=(4.2 * len(metrics), 3.3 * len(algorithms)),
        squeeze=False,
    )
    for r, algorithm in enumerate(algorithms):
        label = sa.get_algorithm(algorithm).label
        for c, metric in enumerate(metrics):
            ax = axes[r, c]
            for i, name in enumerate(sets):
                g = summary[(summary["algorithm"] == algorithm) & (summary["signatures"] == name)]
                yerr = np.nan_to_num(
                    [g[metric] - g[metric + "_low"], g[metric + "_high"] - g[metric]]
                )
                ax.errorbar(
                    g["budget_dbm"],
                    g[metric],
                    yerr=yerr,
                    # Sets often coincide: distinct markers and dashes keep each visible.
                    marker=_MARKERS[i % len(_MARKERS)],
                    ms=4,
                    lw=1.2,
                    capsize=2,
                    color="k" if name == SIC_REFERENCE else None,
                    ls=":" if name == SIC_REFERENCE else _DASHES[i % len(_DASHES)],
                    label=name,
                )
            ax.set_title(f"{label}: {_METRICS[metric]}", fontsize=9)
            ax.grid(alpha=0.3)
            if r == len(algorithms) - 1:
                ax.set_xlabel("power budget per user (dBm)")
    axes[0, -1].legend(fontsize=7, loc="best")
    n_drops = table["drop"].nunique()
    fading = sorted(set(table["fading"]) - {"sic"})
    n_users = len(table["user_rates"].iloc[0]) if "user_rates" in table else None
    users = f"{n_users} users, " if n_users else ""
    fig.suptitle(
        f"Joint codebook and power allocation with each signature set's interference "
        f"({users}{n_drops} common channel drops, {', '.join(fading)} fading of the "
        f"signature chips, {confidence:.0%} bootstrap intervals)",
        fontsize=9,
    )
    fig.tight_layout()
    return fig
