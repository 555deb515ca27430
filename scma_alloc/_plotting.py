"""Figures: metrics vs power budget with confidence bands, convergence, factor graphs.

Every function draws on a :class:`matplotlib.figure.Figure` it creates itself (never
``pyplot``), so nothing depends on the interactive backend and no global state
changes; :func:`save_figure` writes PNG and PDF through the Agg canvas.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._graph import to_networkx
from ._registry import ALGORITHMS
from ._result import AllocationResult
from ._store import decode_assignment
from ._sweep import METRICS, summarize_sweep

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not with the package
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "convergence_figure",
    "factor_graphs_figure",
    "plot_convergence",
    "plot_factor_graph",
    "plot_metric",
    "plot_sweep",
    "save_figure",
    "write_sweep_figures",
]

_LABELS = {
    "sum_rate": "sum-rate (bit/s/Hz)",
    "min_rate": "minimum user rate (bit/s/Hz)",
    "jain_index": "Jain's fairness index",
}
_STYLE = {
    "max-sr": ("tab:blue", "o", "-"),
    "max-min": ("tab:red", "s", "-"),
    "max-sr-paper": ("tab:cyan", "o", "--"),
    "max-min-paper": ("tab:pink", "s", "--"),
    "b0": ("tab:gray", "v", ":"),
    "b1": ("tab:olive", "^", ":"),
    "b2": ("tab:green", "D", ":"),
    "b3": ("tab:purple", "P", ":"),
    "exhaustive": ("black", "*", "-."),
    "exhaustive-max-min": ("tab:brown", "X", "-."),
}
_LN2 = float(np.log(2.0))


def _label(name: str) -> str:
    algorithm = ALGORITHMS.get(name)
    return algorithm.label if algorithm is not None else name


def _new_axes(ax: Axes | None, size: tuple[float, float] = (5.0, 3.6)) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def _summary(data: pd.DataFrame, confidence: float) -> pd.DataFrame:
    if "drop" in data.columns:
        return summarize_sweep(data, confidence)
    return data


def plot_metric(
    data: pd.DataFrame,
    metric: str = "sum_rate",
    *,
    ax: Axes | None = None,
    algorithms: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Axes:
    """One metric's mean vs power budget, one line per algorithm, with confidence bands.

    Parameters
    ----------
    data : pandas.DataFrame
        A sweep table (:func:`~scma_alloc.sweep`) or its :func:`~scma_alloc.summarize_sweep`.
    metric : {"sum_rate", "min_rate", "jain_index"}
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted (``ax.figure``).
    algorithms : sequence of str, optional
        Subset and order of the lines (default: all, in sweep order).
    confidence : float
        Level of the t-interval bands (ignored for a summary, which has its own).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    summary = _summary(data, confidence)
    ax = _new_axes(ax)
    names = list(dict.fromkeys(summary["algorithm"]))
    if algorithms is not None:
        missing = [a for a in algorithms if a not in names]
        if missing:
            raise ValueError(f"algorithms {missing} are not in the data (it has {names})")
        names = list(algorithms)
    for name in names:
        part = summary[summary["algorithm"] == name].sort_values("budget_dbm")
        color, marker, line = _STYLE.get(name, (None, "o", "-"))
        x = part["budget_dbm"].to_numpy()
        (handle,) = ax.plot(
            x,
            part[metric],
            marker=marker,
            linestyle=line,
            color=color,
            markersize=4,
            label=_label(name),
        )
        low = part[f"{metric}_low"].to_numpy(dtype=float)
        high = part[f"{metric}_high"].to_numpy(dtype=float)
        if np.any(np.isfinite(low)):
            ax.fill_between(x, low, high, color=handle.get_color(), alpha=0.18, linewidth=0)
    ax.set_xlabel("per-user power budget (dBm)")
    ax.set_ylabel(_LABELS[metric])
    ax.grid(True, alpha=0.3)
    return ax


def plot_sweep(
    data: pd.DataFrame,
    *,
    algorithms: Sequence[str] | None = None,
    confidence: float = 0.95,
    title: str | None = None,
) -> Figure:
    """Sum-rate, minimum rate and Jain's index vs budget, side by side.

    Parameters
    ----------
    data : pandas.DataFrame
        A sweep table or its summary.
    algorithms : sequence of str, optional
    confidence : float
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    summary = _summary(data, confidence)
    figure = Figure(figsize=(13.0, 3.8), layout="constrained")
    axes = figure.subplots(1, 3)
    for ax, metric in zip(axes, METRICS, strict=True):
        plot_metric(summary, metric, ax=ax, algorithms=algorithms)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside right center", fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


def plot_convergence(
    results: Mapping[str, AllocationResult],
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Objective vs step from the convergence history of one or more results.

    Each result's :attr:`!history` is drawn in step order:
    accepted steps joined by a line, rejected steps as crosses. Objectives are
    converted from nats to bit/s/Hz. During the paper method's relaxed stages the
    objective includes the penalty ``eta * sum(F**2 - F)`` and is negative while F is
    fractional, so the y axis is symmetric-logarithmic.

    Parameters
    ----------
    results : mapping of label -> AllocationResult
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    lowest = 0.0
    for label, result in results.items():
        history = list(result.get("history", []))
        if not history:
            raise ValueError(f"result {label!r} has no convergence history")
        objective = np.array([r.objective for r in history], dtype=float) / _LN2
        accepted = np.array([r.accepted for r in history], dtype=bool)
        steps = np.arange(1, len(history) + 1)
        keep = accepted & np.isfinite(objective)
        (line,) = ax.plot(steps[keep], objective[keep], marker=".", label=label)
        rejected = ~accepted & np.isfinite(objective)
        if rejected.any():
            ax.plot(
                steps[rejected],
                objective[rejected],
                linestyle="none",
                marker="x",
                color=line.get_color(),
            )
        if np.isfinite(objective).any():
            lowest = min(lowest, float(np.nanmin(objective)))
    if lowest < 0:
        ax.set_yscale("symlog", linthresh=1.0)
    ax.set_xlabel("step of the convergence history (x: rejected step)")
    ax.set_ylabel("objective (bit/s/Hz)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def plot_factor_graph(
    assignment: ArrayLike,
    power: ArrayLike | None = None,
    *,
    user_rates: ArrayLike | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The factor graph as a bipartite drawing, edges labelled with their power.

    Resources (squares) on the left, users (circles) on the right (networkx bipartite
    layout); edge width grows with the power, labels are in mW.

    Parameters
    ----------
    assignment : array_like, shape (K, J)
        Binary factor graph.
    power : array_like, shape (K, J), optional
        Powers in watts.
    user_rates : array_like, shape (J,), optional
        Shown under the user labels (bit/s/Hz).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    graph = to_networkx(assignment, power)
    f = np.asarray(assignment)
    n_resources, n_users = f.shape
    ax = _new_axes(ax, (4.8, 0.55 * max(n_resources, n_users) + 1.6))
    resources = [("resource", k) for k in range(n_resources)]
    users = [("user", j) for j in range(n_users)]
    position = nx.bipartite_layout(graph, resources, align="vertical")
    # Top-to-bottom in index order on both sides.
    for side in (resources, users):
        ys = np.linspace(1.0, -1.0, len(side)) if len(side) > 1 else [0.0]
        for node, y in zip(side, ys, strict=True):
            position[node] = np.array([-1.0 if node[0] == "resource" else 1.0, y])
    edges = list(graph.edges(data=True))
    powers = np.array([d.get("power", np.nan) for _, _, d in edges], dtype=float)
    top = np.nanmax(powers) if np.isfinite(powers).any() and np.nanmax(powers) > 0 else 1.0
    widths = np.where(np.isfinite(powers), 0.6 + 4.0 * np.nan_to_num(powers) / top, 1.5)
    nx.draw_networkx_edges(
        graph, position, edgelist=[(u, v) for u, v, _ in edges], width=widths, ax=ax, alpha=0.7
    )
    nx.draw_networkx_nodes(
        graph, position, nodelist=resources, node_shape="s", node_color="#f2c14e", ax=ax
    )
    nx.draw_networkx_nodes(graph, position, nodelist=users, node_color="#8ecae6", ax=ax)
    labels = {node: f"k{node[1]}" for node in resources}
    rates = None if user_rates is None else np.asarray(user_rates, dtype=float)
    for node in users:
        labels[node] = f"u{node[1]}"
    nx.draw_networkx_labels(graph, position, labels=labels, font_size=8, ax=ax)
    if rates is not None:
        for node in users:
            x, y = position[node]
            ax.annotate(
                f"{rates[node[1]]:.2f} b/s/Hz",
                (x, y),
                xytext=(14, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
    if np.isfinite(powers).any():
        # Keyed (user, resource) so that label_pos counts from the user end, where at
        # most N edges meet (up to d_f meet at a resource).
        edge_labels = {
            (v, u) if u[0] == "resource" else (u, v): f"{1e3 * d['power']:.2f}"
            for u, v, d in edges
            if np.isfinite(d["power"])
        }
        nx.draw_networkx_edge_labels(
            graph,
            position,
            edge_labels=edge_labels,
            label_pos=0.3,
            font_size=6,
            ax=ax,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    ax.set_xlim(-1.4, 2.1 if rates is not None else 1.4)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def convergence_figure(
    panels: Mapping[str, Mapping[str, AllocationResult]], *, title: str | None = None
) -> Figure:
    """Convergence histories side by side: one panel per entry of ``panels``.

    Parameters
    ----------
    panels : mapping of str to mapping of str to AllocationResult
        Panel title -> {legend label -> result}, drawn with :func:`plot_convergence`
        (e.g. ``{"Max-SR": {"paper": r1, "default": r2}, "Max-Min": {...}}``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    if not panels:
        raise ValueError("panels is empty: give at least one panel of results")
    figure = Figure(figsize=(5.5 * len(panels), 3.8), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(panels)))
    for ax, (name, results) in zip(axes, panels.items(), strict=True):
        plot_convergence(results, ax=ax, title=name)
    if title:
        figure.suptitle(title)
    return figure


def factor_graphs_figure(
    rows: pd.DataFrame, shape: tuple[int, int], *, title: str | None = None
) -> Figure:
    """The stored allocations of sweep rows (one point, several algorithms), side by side.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of a sweep table with ``assignment``, ``power``, ``user_rates``.
    shape : (K, J)
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    rows = rows[rows["status"] != "error"]
    n = len(rows)
    if n == 0:
        raise ValueError("no stored allocation to draw (every row is an error or none given)")
    columns = min(n, 3)
    n_rows = -(-n // columns)
    figure = Figure(figsize=(4.6 * columns, 3.9 * n_rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(n_rows, columns)).ravel()
    for ax, (_, row) in zip(axes, rows.iterrows(), strict=False):
        plot_factor_graph(
            decode_assignment(row["assignment"]),
            np.asarray(row["power"]).reshape(shape),
            user_rates=row["user_rates"],
            ax=ax,
            title=f"{_label(row['algorithm'])}: sum {row['sum_rate']:.2f}, "
            f"min {row['min_rate']:.2f}",
        )
    for ax in axes[n:]:
        ax.set_axis_off()
    if title:
        figure.suptitle(title)
    return figure


def save_figure(
    figure: Figure,
    stem: str | os.PathLike[str],
    formats: Sequence[str] = ("png", "pdf"),
    *,
    dpi: int = 120,
) -> list[Path]:
    """Write ``figure`` as ``stem.<format>`` for each format (folders created).

    Returns
    -------
    list of pathlib.Path
    """
    allowed = {"png", "pdf", "svg"}
    bad = [f for f in formats if f not in allowed]
    if bad:
        raise ValueError(f"formats must be among {sorted(allowed)}, got {bad}")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        figure.savefig(path, dpi=dpi)
        paths.append(path)
    return paths


def write_sweep_figures(
    frame: pd.DataFrame,
    folder: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("png", "pdf"),
    prefix: str = "scma_",
    algorithms: Sequence[str] | None = None,
    confidence: float = 0.95,
    title: str | None = None,
) -> list[Path]:
    """Write one figure per metric (``<prefix><metric>.<format>``) for a sweep table.

    Returns
    -------
    list of pathlib.Path
    """
    from matplotlib.figure import Figure

    summary = summarize_sweep(frame, confidence)
    paths: list[Path] = []
    for metric in METRICS:
        figure = Figure(figsize=(7.0, 3.8), layout="constrained")
        ax = plot_metric(summary, metric, ax=figure.add_subplot(), algorithms=algorithms)
        figure.legend(loc="outside right upper", fontsize="small")
        if title:
            ax.set_title(title, fontsize=9)
        paths += save_figure(ax.figure, Path(folder) / f"{prefix}{metric}", formats)
    return paths
