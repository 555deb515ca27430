"""Figures: metrics vs the swept parameter with confidence bands, convergence, factor graphs.

Every function draws on a :class:`matplotlib.figure.Figure` it creates itself (never
``pyplot``), so nothing depends on the interactive backend and no global state
changes; :func:`save_figure` writes PNG and PDF through the Agg canvas.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._export import FIGURE_FORMATS
from ._graph import to_networkx
from ._registry import ALGORITHMS
from ._result import AllocationResult
from ._store import decode_assignment
from ._sweep import (
    METRICS,
    compare_algorithms,
    is_integer_parameter,
    parameter_label,
    summarize_sweep,
    sweep_axis,
)
from ._units import NOISE_DESCRIPTIONS

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not with the package
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "convergence_figure",
    "factor_graphs_figure",
    "plot_convergence",
    "plot_factor_graph",
    "plot_metric",
    "plot_paired",
    "plot_sweep",
    "save_figure",
    "sweep_caption",
    "write_sweep_figures",
]

_LABELS = {
    "sum_rate": "sum-rate (bit/s/Hz)",
    "min_rate": "minimum user rate (bit/s/Hz)",
    "jain_index": "Jain's fairness index",
}
#: Rates are per resource bandwidth, each user's summed over its resources.
_RATE_NOTE = "bit/s/Hz: each user's rate summed over its resources"
#: Above this many edges the factor-graph drawing leaves out the power labels.
_MAX_LABELLED_EDGES = 30
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
    "prop-fair": ("tab:orange", "h", "-"),
    "alpha-fair": ("tab:olive", "p", "--"),
}
_LN2 = float(np.log(2.0))


#: References often coincide with the method they check (Max-SR reaches the optimum):
#: they are drawn as large hollow markers without a line, on top, so both stay visible.
_REFERENCES = ("exhaustive", "exhaustive-max-min")


def _line_style(name: str) -> dict:
    color, marker, line = _STYLE.get(name, (None, "o", "-"))
    style = {"color": color, "marker": marker, "linestyle": line, "markersize": 4}
    if name in _REFERENCES:
        style.update(
            linestyle="none", markersize=9, markerfacecolor="none", markeredgewidth=1.0, zorder=3
        )
    return style


def _label(name: str) -> str:
    algorithm = ALGORITHMS.get(name)
    return algorithm.label if algorithm is not None else name


def _new_axes(ax: Axes | None, size: tuple[float, float] = (5.0, 3.6)) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def sweep_caption(frame: pd.DataFrame, confidence: float | None = 0.95) -> str:
    """A plain-words description of a sweep table's scenario for figure titles.

    E.g. "6 users on 4 subcarriers (each user on 2, at most 3 users per subcarrier),
    the paper's noise (thermal kTB + 30 dB), 30 channel drops, 95 % intervals". A
    swept size is named by its symbol (``J users``, ``K subcarriers``); the budget of a
    sweep over another parameter is given ("10 dBm per user").
    """
    config = frame.attrs.get("config") or {}
    scenario = config.get("scenario") or {}
    vary = config.get("vary", "budget_dbm")
    parts = []
    if scenario:
        # The swept sizes are named by their symbol; the others by their value.
        users = {"n_users": "J users", "load": "J = load x K users"}.get(
            vary, f"{scenario.get('n_users')} users"
        )
        resources = scenario.get("n_resources", "K")
        per_user = scenario.get("n_per_user", "N")
        per_resource = scenario.get("users_per_resource", "d_f")
        parts.append(
            f"{users} on {resources} subcarriers (each user on {per_user}, at most "
            f"{per_resource} users per subcarrier)"
        )
        if "budget_dbm" in scenario:
            parts.append(f"{scenario['budget_dbm']:g} dBm per user")
        noise = scenario.get("noise")
        parts.append(NOISE_DESCRIPTIONS.get(noise, f"noise '{noise}'"))
    if "drop" in frame.columns:
        n_drops = frame["drop"].nunique()
        parts.append(f"{n_drops} channel drop{'s' if n_drops != 1 else ''}")
    if confidence is not None:
        parts.append(f"{confidence:.0%} intervals")
    return ", ".join(parts)


def _bandwidth(frame: pd.DataFrame) -> float | None:
    scenario = (frame.attrs.get("config") or {}).get("scenario") or {}
    value = scenario.get("bandwidth")
    return float(value) if value else None


def _x_axis(ax: Axes, axis: str, values: pd.Series) -> None:
    """The x axis of a sweep figure: the swept parameter in words, whole-number ticks for
    counts (K, J, N, d_f, an integer option)."""
    ax.set_xlabel(parameter_label(axis))
    if is_integer_parameter(axis) or pd.api.types.is_integer_dtype(values):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


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
    bandwidth: float | None = None,
) -> Axes:
    """One metric's mean vs the swept parameter (the power budget, the radius, J, ...), one
    line per algorithm, with confidence bands.

    Parameters
    ----------
    data : pandas.DataFrame
        A sweep table (:func:`~scma_alloc.sweep`, :func:`~scma_alloc.sweep_parameter`) or
        its :func:`~scma_alloc.summarize_sweep`.
    metric : {"sum_rate", "min_rate", "jain_index"}
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted (``ax.figure``).
    algorithms : sequence of str, optional
        Subset and order of the lines (default: all, in sweep order).
    confidence : float
        Level of the bootstrap bands (ignored for a summary, which has its own).
    bandwidth : float, optional
        Bandwidth of one subcarrier in Hz: rate axes get a second scale in Mbit/s
        (default: the sweep's, when ``data`` is a sweep table).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    summary = _summary(data, confidence)
    if bandwidth is None:
        bandwidth = _bandwidth(data)
    ax = _new_axes(ax)
    names = list(dict.fromkeys(summary["algorithm"]))
    if algorithms is not None:
        missing = [a for a in algorithms if a not in names]
        if missing:
            raise ValueError(f"algorithms {missing} are not in the data (it has {names})")
        names = list(algorithms)
    axis = sweep_axis(summary)
    for name in names:
        part = summary[summary["algorithm"] == name].sort_values(axis)
        x = part[axis].to_numpy(dtype=float)
        (handle,) = ax.plot(x, part[metric], label=_label(name), **_line_style(name))
        low = part[f"{metric}_low"].to_numpy(dtype=float)
        high = part[f"{metric}_high"].to_numpy(dtype=float)
        if np.any(np.isfinite(low)):
            ax.fill_between(x, low, high, color=handle.get_color(), alpha=0.18, linewidth=0)
    _x_axis(ax, axis, summary[axis])
    ax.set_ylabel(_LABELS[metric])
    ax.grid(True, alpha=0.3)
    if bandwidth and metric != "jain_index":
        scale = bandwidth / 1e6
        second = ax.secondary_yaxis("right", functions=(lambda r: r * scale, lambda m: m / scale))
        second.set_ylabel(f"Mbit/s at {bandwidth / 1e3:g} kHz per subcarrier", fontsize=8)
    return ax


def plot_paired(
    frame: pd.DataFrame,
    baseline: str,
    metric: str = "sum_rate",
    *,
    ax: Axes | None = None,
    algorithms: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Axes:
    """Each algorithm's paired gain over ``baseline`` vs the swept parameter, with its
    interval.

    The algorithms of a sweep run on common drops, so their difference is judged on
    pairs: the ratio of means ``mean(a) / mean(baseline)`` minus one, in percent, with
    a paired bootstrap interval (:func:`~scma_alloc.compare_algorithms`). Bands of
    :func:`plot_metric` that overlap can hide a gain that is clear here.

    Parameters
    ----------
    frame : pandas.DataFrame
        A sweep table (not a summary: the pairs are needed).
    baseline : str
        The algorithm compared against (a horizontal line at 0 %).
    metric : {"sum_rate", "min_rate", "jain_index"}
    ax : matplotlib Axes, optional
    algorithms : sequence of str, optional
        Default: every other algorithm in the table.
    confidence : float

    Returns
    -------
    matplotlib.axes.Axes
    """
    if "drop" not in frame.columns:
        raise ValueError("frame must be a sweep table with a 'drop' column, not a summary")
    present = list(dict.fromkeys(frame["algorithm"]))
    names = [a for a in (algorithms or present) if a != baseline]
    axis = sweep_axis(frame)
    ax = _new_axes(ax)
    for name in names:
        table = compare_algorithms(frame, name, baseline, metric, confidence=confidence)
        table = table[table["n_pairs"] > 0]
        x = table[axis].to_numpy(dtype=float)
        gain = 100 * (table["ratio"].to_numpy(dtype=float) - 1)
        (handle,) = ax.plot(x, gain, label=_label(name), **_line_style(name))
        low = 100 * (table["ratio_low"].to_numpy(dtype=float) - 1)
        high = 100 * (table["ratio_high"].to_numpy(dtype=float) - 1)
        if np.any(np.isfinite(low)):
            ax.fill_between(x, low, high, color=handle.get_color(), alpha=0.18, linewidth=0)
    ax.axhline(0.0, color="black", linewidth=0.8)
    _x_axis(ax, axis, frame[axis])
    short = _label(baseline).split(":")[0]  # "B2: greedy ..." -> "B2"
    ax.set_ylabel(f"{_LABELS[metric].split(' (')[0]}: % over {short}", fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax


def plot_sweep(
    data: pd.DataFrame,
    *,
    algorithms: Sequence[str] | None = None,
    confidence: float = 0.95,
    title: str | None = None,
) -> Figure:
    """Sum-rate, minimum rate and Jain's index vs the swept parameter, side by side.

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

    Each result's ``history`` is drawn in step order: the line is the best objective
    of the accepted steps so far, dots are the accepted steps' own values (a method
    with several starts records each start's steps) and crosses the rejected steps.
    Objectives are
    converted from nats to bit/s/Hz. During the paper method's relaxed stages the
    objective includes the penalty ``eta * sum(F**2 - F)`` and is negative while F is
    fractional; such steps are drawn as triangles on the bottom edge (at 0) so that
    the axis keeps the scale of the rates.

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
    penalised = False
    for label, result in results.items():
        history = list(result.get("history", []))
        if not history:
            raise ValueError(f"result {label!r} has no convergence history")
        objective = np.array([r.objective for r in history], dtype=float) / _LN2
        accepted = np.array([r.accepted for r in history], dtype=bool)
        steps = np.arange(1, len(history) + 1)
        finite = np.isfinite(objective)
        below = finite & (objective < 0)
        shown = np.where(below, 0.0, objective)
        keep = accepted & finite
        # The best objective so far: a method with several starts records each start's
        # own steps, so the values of single steps go up and down.
        best = np.maximum.accumulate(np.where(keep, shown, -np.inf))
        drawn = np.isfinite(best)
        (line,) = ax.plot(steps[drawn], best[drawn], label=label)
        rejected = ~accepted & finite
        penalised |= bool(below.any())
        # Accepted steps' own values, rejected steps, penalised (negative) steps.
        for mask, marker, size, alpha in (
            (keep, ".", 4, 0.6),
            (rejected, "x", 6, 1.0),
            (below, "v", 5, 1.0),
        ):
            if mask.any():
                ax.plot(
                    steps[mask],
                    shown[mask],
                    linestyle="none",
                    marker=marker,
                    markersize=size,
                    color=line.get_color(),
                    alpha=alpha,
                )
    ax.set_ylim(bottom=0.0)
    note = "; v: penalised, below 0" if penalised else ""
    ax.set_xlabel(f"step (line: best so far; x: rejected{note})", fontsize=8)
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
    layout); edge width grows with the power, labels are in mW (left out above 30
    edges, where they would overlap; the widths still show the powers). Edges that carry
    no power are dashed: they are assigned but not transmitted on.

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
    ax = _new_axes(ax, _graph_size(n_resources, n_users))
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
    idle = np.isfinite(powers) & (powers <= 0)
    pairs = [(u, v) for u, v, _ in edges]
    nx.draw_networkx_edges(
        graph,
        position,
        edgelist=[e for e, z in zip(pairs, idle, strict=True) if not z],
        width=widths[~idle],
        ax=ax,
        alpha=0.7,
    )
    if idle.any():
        nx.draw_networkx_edges(
            graph,
            position,
            edgelist=[e for e, z in zip(pairs, idle, strict=True) if z],
            width=0.8,
            style="dashed",
            edge_color="0.55",
            ax=ax,
        )
    node_size = 300 if max(n_resources, n_users) <= 12 else 120
    nx.draw_networkx_nodes(
        graph,
        position,
        nodelist=resources,
        node_shape="s",
        node_color="#f2c14e",
        node_size=node_size,
        ax=ax,
    )
    nx.draw_networkx_nodes(
        graph, position, nodelist=users, node_color="#8ecae6", node_size=node_size, ax=ax
    )
    labels = {node: f"k{node[1]}" for node in resources}
    rates = None if user_rates is None else np.asarray(user_rates, dtype=float)
    for node in users:
        labels[node] = f"u{node[1]}"
    font = 8 if max(n_resources, n_users) <= 12 else 6
    nx.draw_networkx_labels(graph, position, labels=labels, font_size=font, ax=ax)
    if rates is not None:
        for node in users:
            x, y = position[node]
            ax.annotate(
                f"{rates[node[1]]:.2f} b/s/Hz",
                (x, y),
                xytext=(14, 0),
                textcoords="offset points",
                va="center",
                fontsize=font - 1,
            )
    if np.isfinite(powers).any() and len(edges) <= _MAX_LABELLED_EDGES:
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


def _graph_size(n_resources: int, n_users: int) -> tuple[float, float]:
    """Inches for one factor-graph drawing: about 0.28 in per node on the longer side."""
    return 4.8, max(3.2, 0.28 * max(n_resources, n_users) + 1.4)


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
    width, height = _graph_size(*shape)
    figure = Figure(figsize=(width * columns, height * n_rows), layout="constrained")
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
    bad = [f for f in formats if f not in FIGURE_FORMATS]
    if bad:
        raise ValueError(f"formats must be among {list(FIGURE_FORMATS)}, got {bad}")
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
    baseline: str | None = "b0",
) -> list[Path]:
    """Write the figures of a sweep table into ``folder``.

    One figure per metric (``<prefix><metric>.<format>``: means with bootstrap bands,
    rates with a second axis in Mbit/s) and, when ``baseline`` is in the table, one of
    paired gains over it (``<prefix>paired.<format>``, see :func:`plot_paired`).

    Parameters
    ----------
    frame : pandas.DataFrame
        A sweep table.
    folder : path
        Created if missing.
    formats : sequence of str
        Among ``FIGURE_FORMATS`` (png, pdf, svg).
    prefix : str
        File name prefix.
    algorithms : sequence of str, optional
        Subset and order of the lines.
    confidence : float
        Level of the intervals.
    title : str, optional
        Default: the scenario in plain words (:func:`sweep_caption`).
    baseline : str or None
        Algorithm of the paired figure; ``None`` (or absent from the table) skips it.

    Returns
    -------
    list of pathlib.Path
    """
    from matplotlib.figure import Figure

    title = sweep_caption(frame, confidence) if title is None else title
    summary = summarize_sweep(frame, confidence)
    bandwidth = _bandwidth(frame)
    paths: list[Path] = []
    for metric in METRICS:
        figure = Figure(figsize=(8.6, 4.2), layout="constrained")
        ax = plot_metric(
            summary, metric, ax=figure.add_subplot(), algorithms=algorithms, bandwidth=bandwidth
        )
        figure.legend(loc="outside right upper", fontsize="small")
        text = title if metric == "jain_index" else f"{title}; {_RATE_NOTE}"
        ax.set_title(textwrap.fill(text, 85), fontsize=8)
        paths += save_figure(figure, Path(folder) / f"{prefix}{metric}", formats)
    if baseline is not None and baseline in set(frame["algorithm"]):
        others = [a for a in (algorithms or dict.fromkeys(frame["algorithm"])) if a != baseline]
        if others:
            figure = Figure(figsize=(13.0, 3.9), layout="constrained")
            for ax, metric in zip(figure.subplots(1, 3), METRICS, strict=True):
                plot_paired(
                    frame, baseline, metric, ax=ax, algorithms=others, confidence=confidence
                )
            handles, labels = figure.axes[0].get_legend_handles_labels()
            figure.legend(handles, labels, loc="outside right center", fontsize="small")
            figure.suptitle(
                textwrap.fill(
                    f"paired gain over {_label(baseline)} on common drops (ratio of means "
                    f"- 1, paired bootstrap bands); {title}",
                    160,
                ),
                fontsize=8,
            )
            paths += save_figure(figure, Path(folder) / f"{prefix}paired", formats)
    return paths
