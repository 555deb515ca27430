"""Plots: log scale, one curve per (signatures, receiver), SNR convention on the axis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gfnoma import plot_ber, plot_cross_correlation, wbe


def _table():
    rows = []
    for sig in ("WBE", "MUSA-like"):
        for rx in ("MMSE-SIC", "MF"):
            for snr, ber in ((0.0, 0.3), (10.0, 0.05), (20.0, 0.0)):
                rows.append({"signatures": sig, "receiver": rx, "snr_db": snr, "ber": ber})
    return pd.DataFrame(rows)


def test_plot_ber_curves_and_labels(tmp_path):
    ax = plot_ber(_table(), title="t")
    assert ax.get_yscale() == "log"
    assert "E_s/N_0" in ax.get_xlabel() and "sigma" in ax.get_xlabel()
    lines = ax.get_lines()
    assert len(lines) == 4
    labels = {ln.get_label() for ln in lines}
    assert labels == {"WBE / MMSE-SIC", "WBE / MF", "MUSA-like / MMSE-SIC", "MUSA-like / MF"}
    for ln in lines:  # the zero-BER point is left out of the log plot
        np.testing.assert_array_equal(ln.get_xdata(), [0.0, 10.0])
    path = tmp_path / "ber.png"
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 1000


def test_plot_ber_validation():
    with pytest.raises(ValueError, match="lacks column"):
        plot_ber(pd.DataFrame({"snr_db": [0.0]}))
    with pytest.raises(TypeError, match="BERResult or a pandas DataFrame"):
        plot_ber([1, 2])


def test_plot_cross_correlation():
    ax = plot_cross_correlation(wbe(), weighted=True)
    assert len(ax.images) == 1
    img = ax.images[0].get_array()
    assert img.shape == (6, 6)
    ax2 = plot_cross_correlation(wbe())
    assert "rho" in ax2.get_title()
