"""Figures: metric vs budget with bands, convergence, factor graph, files."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import scma_alloc as sa
from scma_alloc._plotting import save_figure, write_sweep_figures

B0 = "B0: fixed regular graph, equal power"
B2 = "B2: greedy sum-rate graph, water-filling"
B3 = "B3: fairness greedy graph, equal power"

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def frame():
    return sa.sweep([3.0, 6.0, 10.0], 10, ["b0", "b2", "b3"], seed=12)


def test_metric_plot_draws_means_and_confidence_bands(frame):
    ax = sa.plot_metric(frame, "min_rate", confidence=0.9)
    summary = sa.summarize_sweep(frame, confidence=0.9)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert sorted(lines) == [B0, B2, B3]
    b2 = summary[summary.algorithm == "b2"]
    assert_allclose(lines[B2].get_xdata(), [3.0, 6.0, 10.0])
    assert_allclose(lines[B2].get_ydata(), b2["min_rate"])
    bands = ax.collections
    assert len(bands) == 3
    # The band of b2 spans exactly its interval at each budget.
    vertices = bands[1].get_paths()[0].vertices
    assert_allclose(vertices[:, 1].min(), b2["min_rate_low"].min())
    assert_allclose(vertices[:, 1].max(), b2["min_rate_high"].max())
    assert ax.get_xlabel() == "per-user power budget (dBm)"
    # Rates get a second axis in Mbit/s at the sweep's 180 kHz per subcarrier.
    (second,) = [c for c in ax.child_axes if "Mbit/s" in c.get_ylabel()]
    assert "180 kHz" in second.get_ylabel()
    assert not sa.plot_metric(frame, "jain_index").child_axes


def test_metric_plot_subset_and_errors(frame):
    ax = sa.plot_metric(frame, "jain_index", algorithms=["b3"])
    assert [line.get_label() for line in ax.get_lines()] == [B3]
    with pytest.raises(ValueError, match="metric"):
        sa.plot_metric(frame, "throughput")
    with pytest.raises(ValueError, match="not in the data"):
        sa.plot_metric(frame, "sum_rate", algorithms=["max-sr"])


def test_sweep_figure_and_files(frame, tmp_path):
    figure = sa.plot_sweep(frame, title="t")
    assert len(figure.axes) == 3
    paths = save_figure(figure, tmp_path / "sub" / "sweep", ("png", "pdf"))
    assert [p.name for p in paths] == ["sweep.png", "sweep.pdf"]
    assert paths[0].read_bytes()[:8] == PNG
    assert paths[1].read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="formats"):
        save_figure(figure, tmp_path / "x", ("jpg",))
    written = write_sweep_figures(frame, tmp_path / "w", formats=("png",))
    assert sorted(p.name for p in written) == [
        "scma_jain_index.png",
        "scma_min_rate.png",
        "scma_paired.png",
        "scma_sum_rate.png",
    ]
    assert all(p.stat().st_size > 5000 for p in written)
    without = write_sweep_figures(frame, tmp_path / "n", formats=("png",), baseline=None)
    assert "scma_paired.png" not in [p.name for p in without]


def test_caption_says_the_scenario_in_words(frame):
    text = sa.sweep_caption(frame)
    assert text.startswith("6 users on 4 subcarriers (each user on 2, at most 3 users")
    assert "the paper's noise (thermal kTB + 30 dB)" in text
    assert "10 channel drops" in text and "95% intervals" in text


def test_paired_plot_shows_the_gain_on_common_drops(frame):
    ax = sa.plot_paired(frame, "b0", "sum_rate")
    lines = {line.get_label(): line for line in ax.get_lines() if line.get_label()[0] != "_"}
    assert sorted(lines) == [B2, B3]
    table = sa.compare_algorithms(frame, "b2", "b0", "sum_rate")
    assert_allclose(lines[B2].get_ydata(), 100 * (table["ratio"] - 1))
    with pytest.raises(ValueError, match="sweep table"):
        sa.plot_paired(sa.summarize_sweep(frame), "b0")


def test_convergence_plot_follows_the_history():
    scenario = sa.random_scenario(power_budget_dbm=6, rng=3)
    paper = sa.solve_max_sr(scenario, method="paper")
    fair = sa.solve_max_min(scenario, method="paper")
    ax = sa.plot_convergence({"sr": paper, "mm": fair})
    line = ax.get_lines()[0]
    assert line.get_label() == "sr"
    values = np.array([r.objective / np.log(2) for r in paper.history])
    kept = np.array([r.accepted for r in paper.history]) & np.isfinite(values)
    # The line is the best accepted value so far (at every step from the first), with
    # penalised (negative) relaxed steps shown at 0.
    best = np.maximum.accumulate(np.where(kept, np.maximum(values, 0.0), -np.inf))
    assert_allclose(line.get_ydata(), best[np.isfinite(best)])
    assert (values < 0).any() and ax.get_yscale() == "linear" and ax.get_ylim()[0] == 0.0
    empty = sa.AllocationResult(history=[])
    with pytest.raises(ValueError, match="no convergence history"):
        sa.plot_convergence({"x": empty})


def test_factor_graph_plot_has_one_edge_per_assignment_entry():
    scenario = sa.random_scenario(rng=5)
    result = sa.solve_max_sr(scenario)
    ax = sa.plot_factor_graph(result.assignment, result.power, user_rates=result.user_rates)
    drawn, idle = ax.collections[0], ax.collections[1]  # powered edges, then dashed ones
    assert len(drawn.get_segments()) == int(result.active_assignment.sum())
    assert len(idle.get_segments()) == int((result.assignment - result.active_assignment).sum())
    texts = [t.get_text() for t in ax.texts]
    assert {"k0", "k3", "u0", "u5"} <= set(texts)
    labels = sorted(float(t) for t in texts if t.replace(".", "", 1).isdigit())
    assert_allclose(labels, sorted(np.round(result.power[result.assignment == 1] * 1e3, 2)))
    plain = sa.plot_factor_graph(sa.regular_factor_graph(4, 6))
    assert len(plain.collections[0].get_segments()) == 12
    assert_array_equal(sa.from_networkx(sa.to_networkx(result.assignment)), result.assignment)


def test_figures_of_one_sweep_point(frame):
    from scma_alloc._plotting import convergence_figure, factor_graphs_figure

    rows = frame[(frame["drop"] == 1) & (frame["budget_dbm"] == 10.0)]
    figure = factor_graphs_figure(rows, (4, 6), title="drop 1")
    drawn = [ax for ax in figure.axes if ax.get_title()]
    assert len(drawn) == 3 and drawn[0].get_title().startswith(f"{B0}: sum")
    with pytest.raises(ValueError, match="no stored allocation"):
        factor_graphs_figure(rows.iloc[:0], (4, 6))
    scenario = sa.drop_scenario(1, 10.0, seed=12)
    figure = convergence_figure(
        {
            "Max-SR": {
                "paper": sa.solve_max_sr(scenario, method="paper"),
                "default": sa.solve_max_sr(scenario),
            },
            "Max-Min": {
                "paper": sa.solve_max_min(scenario, method="paper"),
                "default": sa.solve_max_min(scenario),
            },
        }
    )
    assert [ax.get_title() for ax in figure.axes] == ["Max-SR", "Max-Min"]
    assert all(len(ax.get_lines()) >= 2 for ax in figure.axes)


@pytest.fixture(scope="module")
def users_frame():
    return sa.sweep_parameter("n_users", [4, 5, 6], 3, ["b0", "b2"], seed=2, budget_dbm=6.0)


def test_figures_of_another_parameter_put_it_on_the_x_axis(users_frame, tmp_path):
    ax = sa.plot_metric(users_frame, "sum_rate")
    assert ax.get_xlabel() == "users J"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert_allclose(lines[B2].get_xdata(), [4, 5, 6])
    assert all(float(t).is_integer() for t in ax.get_xticks())
    paired = sa.plot_paired(users_frame, "b0", "min_rate")
    assert paired.get_xlabel() == "users J"
    table = sa.compare_algorithms(users_frame, "b2", "b0", "min_rate")
    (line,) = [x for x in paired.get_lines() if x.get_label() == B2]
    assert_allclose(line.get_xdata(), [4, 5, 6])
    assert_allclose(line.get_ydata(), 100 * (table["ratio"] - 1))
    text = sa.sweep_caption(users_frame)
    assert text.startswith("J users on 4 subcarriers (each user on 2")
    assert "6 dBm per user" in text and "3 channel drops" in text
    written = write_sweep_figures(users_frame, tmp_path, formats=("png",))
    assert len(written) == 4 and all(p.stat().st_size > 5000 for p in written)
    radius = sa.sweep_parameter("radius", [100.0, 300.0], 2, ["b0"], seed=1)
    assert sa.plot_metric(radius, "jain_index").get_xlabel() == "cell radius (m)"
    option = sa.sweep_parameter("max-min:n_polish", [1, 2], 2, ["max-min"], seed=1)
    assert sa.plot_sweep(option).axes[0].get_xlabel() == "Max-Min: n_polish"
