"""Figures of the link-level results: BER curves, and BER against predicted rate.

One style for every BER curve (:data:`CURVE_STYLE`: markers on a solid line, log BER axis,
grid); references (published curves) are drawn as hollow markers on a dotted line. The
functions draw what they are given and return a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

__all__ = ["CURVE_STYLE", "REFERENCE_STYLE", "ber_figure", "rate_ber_figure"]

#: Style of a simulated curve.
CURVE_STYLE = {"marker": "o", "markersize": 4, "linewidth": 1.4, "linestyle": "-"}
#: Style of a reference curve.
REFERENCE_STYLE = {
    "marker": "s",
    "markersize": 5,
    "linewidth": 1.0,
    "linestyle": ":",
    "markerfacecolor": "none",
}


def ber_figure(
    curves: Mapping[str, Any],
    *,
    references: Mapping[str, tuple[Any, Any]] | None = None,
    title: str = "",
    ax: Any = None,
) -> Figure:
    """BER against Eb/N0, one curve per entry.

    Parameters
    ----------
    curves : mapping of label to BERResult (or to an (ebno_db, ber) pair)
    references : mapping of label to (ebno_db, ber), optional
        Published curves, drawn hollow and dotted in the colour of the curve of the same
        position.
    title : str
    ax : matplotlib Axes, optional
        Draw into it (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if ax is None:
        figure = Figure(figsize=(5.6, 4.0), layout="constrained")
        ax = figure.subplots()
    else:
        figure = ax.figure
    colours = [f"C{i}" for i in range(10)]
    for i, (label, curve) in enumerate(curves.items()):
        ebno, ber = (curve.ebno_db, curve.ber) if hasattr(curve, "ber") else curve
        ber = np.asarray(ber, dtype=float)
        shown = ber > 0
        ax.semilogy(
            np.asarray(ebno)[shown], ber[shown], color=colours[i % 10], label=label, **CURVE_STYLE
        )
    for i, (label, (ebno, ber)) in enumerate((references or {}).items()):
        ax.semilogy(ebno, ber, color=colours[i % 10], label=label, **REFERENCE_STYLE)
    ax.set_xlabel("Eb/N0 (dB)")
    ax.set_ylabel("bit error rate")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return figure


def rate_ber_figure(table: Any, *, title: str = "") -> Figure:
    """Per-user BER against the user's predicted rate, one colour per algorithm.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``algorithm``, ``rate`` (bit/s/Hz) and ``ber`` (one row per user and
        allocation), as ``scma-alloc link --csv`` writes. Zero BERs are drawn at half an
        error (``0.5 / bits``) when a ``bits`` column is there, as hollow markers.

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure = Figure(figsize=(5.6, 4.0), layout="constrained")
    ax = figure.subplots()
    for i, (name, part) in enumerate(table.groupby("algorithm", sort=False)):
        ber = part["ber"].to_numpy(dtype=float)
        rate = part["rate"].to_numpy(dtype=float)
        zero = ber <= 0
        colour = f"C{i % 10}"
        ax.semilogy(rate[~zero], ber[~zero], "o", color=colour, markersize=4, label=name)
        if zero.any() and "bits" in part:
            floor = 0.5 / part["bits"].to_numpy(dtype=float)[zero]
            ax.semilogy(rate[zero], floor, "o", color=colour, markersize=4, markerfacecolor="none")
    ax.set_xlabel("predicted user rate (bit/s/Hz, Shannon, SIC)")
    ax.set_ylabel("user bit error rate (uncoded, MPA)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return figure
