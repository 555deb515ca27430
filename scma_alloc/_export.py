"""Sweep results out: CSV, Parquet or JSON that can be checked without this package.

Every exported row carries its allocation and the drop it was computed for, as plain
numbers: the factor graph and the powers as K x J nested lists (outer index: resource
``k``, inner index: user ``j``), the channel gains of the drop in the same layout, the
noise (plus external interference) of each resource and the per-user budgets. The
rates can be recomputed from them with the rate formula of the paper (eq. 11-12) alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._store import ResultStore, StoreError, decode_assignment
from ._sweep import SweepConfig

__all__ = [
    "EXPORT_FORMATS",
    "FIGURE_FORMATS",
    "MATRIX_LAYOUT",
    "check_output_file",
    "export_results",
]

#: Export formats, chosen by the file suffix.
EXPORT_FORMATS = ("csv", "parquet", "json")
#: Figure formats (:func:`~scma_alloc.save_figure`); here so that the command line can
#: check a figure path without importing the plotting module.
FIGURE_FORMATS = ("png", "pdf", "svg")

#: How matrices are laid out in every export (also written into JSON exports).
MATRIX_LAYOUT = (
    "K x J nested lists: the outer index is the resource (subcarrier) k = 0..K-1, the "
    "inner index the user j = 0..J-1"
)

#: What each exported column holds (units included); written into JSON exports.
COLUMN_NOTES = {
    "assignment": "factor graph, 0/1, " + MATRIX_LAYOUT,
    "power_w": "transmit power per edge in watts, " + MATRIX_LAYOUT,
    "gains": "channel power gains |h|^2 of the drop, " + MATRIX_LAYOUT,
    "noise_power_w": "noise plus external interference on each resource in watts, K values",
    "power_budget_w": "per-user power budgets in watts, J values",
    "user_rates": "rate of each user in bit/s/Hz, summed over its resources, J values",
    "sum_rate": "sum of user_rates (bit/s/Hz)",
    "min_rate": "smallest of user_rates (bit/s/Hz)",
    "bandwidth_hz": "bandwidth of one resource in Hz (rate in bit/s = rate x bandwidth_hz)",
}


def check_output_file(path: str | os.PathLike[str], what: str) -> Path:
    """Make sure ``path`` can be written before any work is done (folders are created).

    Raises
    ------
    ValueError
        If ``path`` is an existing folder.
    OSError
        If its folder cannot be created or written to.
    """
    out = Path(path)
    if out.is_dir():
        raise ValueError(f"{what}: {out} is a folder; give a file name")
    if out.parent.exists() and not out.parent.is_dir():
        raise ValueError(f"{what}: {out.parent} is a file, not a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"{what}: cannot create the folder of {out} ({exc.strerror})") from None
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise OSError(f"{what}: {out} cannot be written (permission denied)")
    return out


def _format_of(path: Path, format: str | None) -> str:
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"format: cannot tell the export format of {path} (suffix {path.suffix!r}); use a "
            f"suffix or format among {', '.join(EXPORT_FORMATS)}"
        )
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise StoreError("Parquet export needs pyarrow (pip install pyarrow)") from None
    return fmt


def _plain(value: Any) -> Any:
    """A JSON value at full float precision (NaN and missing values become null)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _matrix(values: Any, shape: tuple[int, int]) -> list[list[float]] | None:
    if values is None or (isinstance(values, float) and np.isnan(values)):
        return None
    return np.asarray(values, dtype=float).reshape(shape).tolist()


def export_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The sweep table in its export layout (matrices as K x J nested lists, the drop's
    gains, noise and budgets on every row). Needs ``frame.attrs["config"]``."""
    config_dict = frame.attrs.get("config")
    if not config_dict:
        raise ValueError(
            "frame: the sweep configuration is missing (frame.attrs['config']); export a "
            "table read from a store or returned by sweep()"
        )
    config = SweepConfig.from_dict(config_dict)
    table = frame.drop(columns=["power"]).copy()
    table.attrs = {}
    table["assignment"] = [
        None if text is None else decode_assignment(text).tolist() for text in frame["assignment"]
    ]
    table["user_rates"] = [
        None if r is None else np.asarray(r).tolist() for r in frame["user_rates"]
    ]
    # Each row's drop (its size too: K and J may be the swept parameter).
    scenarios: dict[tuple[int, int], Any] = {}
    power, gains, noise, budgets = [], [], [], []
    for drop, point, values in zip(
        frame["drop"], frame["budget_index"], frame["power"], strict=True
    ):
        key = (int(drop), int(point))
        if key not in scenarios:
            scenarios[key] = config.scenario_for(*key)
        scenario = scenarios[key]
        power.append(_matrix(values, scenario.shape))
        gains.append(scenario.gains.tolist())
        noise.append(scenario.noise_per_resource.tolist())
        budgets.append(scenario.power_budget.tolist())
    table["power_w"] = power
    table["gains"] = gains
    table["noise_power_w"] = noise
    table["power_budget_w"] = budgets
    table["bandwidth_hz"] = [
        float(config.drop_options(int(point))["bandwidth"]) for point in frame["budget_index"]
    ]
    return table


def export_results(
    source: pd.DataFrame | ResultStore | str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
) -> Path:
    """Write sweep results as CSV, Parquet or JSON, checkable without this package.

    Parameters
    ----------
    source : pandas.DataFrame, ResultStore or path
        A table from :func:`~scma_alloc.sweep` / :func:`~scma_alloc.load_results`, an
        open store, or the path of a store file.
    path : path
        Output file; its folder is created.
    format : {"csv", "parquet", "json"}, optional
        Default: from the suffix of ``path``.

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    One row per drop x swept value (budget, radius, ...) x algorithm with the sweep's
    columns (the swept parameter's own column included), where ``assignment``
    (0/1), ``power_w`` (watts) and ``gains`` (the drop's ``|h|^2``) are K x J nested
    lists, the outer index being the resource ``k`` and the inner index the user ``j``;
    ``noise_power_w`` (K values: noise plus external interference of each resource),
    ``power_budget_w`` (J values) and ``bandwidth_hz`` complete the drop. In CSV the
    lists are JSON text. A JSON export is one object with ``"layout"`` (what each column
    holds), ``"config"`` (the sweep) and ``"results"`` (the rows).

    Examples
    --------
    >>> import json, os, tempfile
    >>> import scma_alloc as sa
    >>> table = sa.sweep([10.0], n_drops=1, algorithms=["b0"], seed=0)
    >>> path = sa.export_results(table, os.path.join(tempfile.mkdtemp(), "r.json"))
    >>> row = json.loads(path.read_text())["results"][0]
    >>> len(row["assignment"]), len(row["assignment"][0])  # K x J
    (4, 6)
    """
    out = Path(path)
    fmt = _format_of(out, format)
    check_output_file(out, "path")
    if isinstance(source, pd.DataFrame):
        frame = source
    elif isinstance(source, ResultStore):
        frame = source.frame()
    elif isinstance(source, str | os.PathLike):
        with ResultStore(source, mode="r") as store:
            frame = store.frame()
    else:
        raise TypeError(
            "source must be a DataFrame, a ResultStore or a store path, got "
            f"{type(source).__name__}"
        )
    table = export_table(frame)
    if fmt == "csv":
        nested = (
            "assignment",
            "power_w",
            "gains",
            "user_rates",
            "power_budget_w",
            "noise_power_w",
        )
        flat = table.copy()
        for column in nested:
            flat[column] = [json.dumps(v) for v in flat[column]]
        flat.to_csv(out, index=False)
    elif fmt == "parquet":
        table.to_parquet(out, index=False)
    else:
        records = [
            {key: _plain(value) for key, value in row.items()}
            for row in table.to_dict(orient="records")
        ]
        document = {
            "description": "scma_alloc sweep results: one record per drop x swept value x "
            "algorithm",
            "layout": COLUMN_NOTES,
            "config": frame.attrs["config"],
            "results": records,
        }
        out.write_text(json.dumps(document, indent=1) + "\n")
    return out
