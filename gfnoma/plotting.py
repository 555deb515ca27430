"""Plots: BER versus SNR (one curve per signature set x receiver) and correlation heat maps.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot state, no GUI needed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gfnoma.metrics import cross_correlation, weighted_cross_correlation
from gfnoma.signatures import Signatures

__all__ = ["SNR_LABEL", "plot_ber", "plot_cross_correlation"]

#: x-axis label stating the SNR convention.
SNR_LABEL = r"$E_s/N_0$ per user $= 1/\sigma^2$ [dB]"

_MARKERS = "osD^v<>phx*+"
_STYLES = ("-", "--", ":", "-.")


def _new_axes() -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), dpi=100, layout="constrained")
    return fig.add_subplot()


def plot_ber(
    result: Any,
    ax: Any = None,
    *,
    column: str = "ber",
    title: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """BER versus SNR on a log scale, one curve per (signatures, receiver).

    Parameters
    ----------
    result : BERResult or pandas.DataFrame
        Output of :func:`gfnoma.simulate_ber` / :func:`gfnoma.ber_sweep` (or its table).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made if omitted (``ax.figure`` to save it).
    column : str
        Column to plot (``"ber"`` by default; e.g. ``"activity_error_rate"``).
    title, ylabel : str, optional
        Labels.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Points without errors (zero BER) cannot be shown on a log scale and are left out; the
    line style encodes the receiver, the marker the signature set.
    """
    table = result.table if hasattr(result, "table") else result
    if not isinstance(table, pd.DataFrame):
        raise TypeError("result must be a BERResult or a pandas DataFrame")
    missing = {"signatures", "receiver", "snr_db", column} - set(table.columns)
    if missing:
        raise ValueError(f"result table lacks column(s) {sorted(missing)}")
    if ax is None:
        ax = _new_axes()
    sigs = list(dict.fromkeys(table["signatures"]))
    rxs = list(dict.fromkeys(table["receiver"]))
    for (sig, rx), grp in table.groupby(["signatures", "receiver"], sort=False):
        grp = grp.sort_values("snr_db")
        y = grp[column].to_numpy(dtype=float)
        ok = np.isfinite(y) & (y > 0)
        ax.semilogy(
            grp["snr_db"].to_numpy()[ok],
            y[ok],
            linestyle=_STYLES[rxs.index(rx) % len(_STYLES)],
            marker=_MARKERS[sigs.index(sig) % len(_MARKERS)],
            label=f"{sig} / {rx}",
        )
    ax.set_xlabel(SNR_LABEL)
    ax.set_ylabel(
        ylabel or ("BER (active users; misses count as errors)" if column == "ber" else column)
    )
    if title:
        ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_cross_correlation(
    signatures: Signatures,
    ax: Any = None,
    *,
    weighted: bool = False,
    title: str | None = None,
    vmax: float | None = None,
) -> Any:
    """Heat map of ``|rho_ij|`` (or ``p_i p_j |rho_ij|^2`` if ``weighted``) per user pair.

    The unweighted map corresponds to the paper's Fig. 5. ``vmax`` fixes the colour scale
    (to compare several sets).
    """
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a Signatures object, got {type(signatures).__name__}")
    if ax is None:
        ax = _new_axes()
    if weighted:
        mat = weighted_cross_correlation(signatures)
        label = r"$p_i p_j |\rho_{ij}|^2$"
    else:
        mat = cross_correlation(signatures)
        np.fill_diagonal(mat, np.nan)
        label = r"$|\rho_{ij}|$"
    top = float(np.nanmax(mat)) if vmax is None else float(vmax)
    im = ax.imshow(mat, cmap="viridis", vmin=0.0, vmax=top)
    n = signatures.n_users
    for i in range(n):
        for j in range(n):
            if i != j:
                color = "k" if mat[i, j] > 0.6 * top else "w"
                txt = f"{mat[i, j]:.2f}"
                ax.text(j, i, txt, ha="center", va="center", fontsize=7, color=color)
    ticks = np.arange(n)
    ax.set_xticks(ticks, [f"{k + 1}\np={signatures.activation[k]:g}" for k in ticks], fontsize=7)
    ax.set_yticks(ticks, [str(k + 1) for k in ticks], fontsize=7)
    ax.set_xlabel("user")
    ax.set_ylabel("user")
    ax.figure.colorbar(im, ax=ax, label=label)
    ax.set_title(title or f"{signatures.name}: {label}")
    return ax
