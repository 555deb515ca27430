"""Command line: help, bad arguments, solve, sweep/resume, plot, compare, export, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import scma_alloc as sa
from scma_alloc import _cli as cli

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--budgets-dbm", "3,10", "--drops", "2", "--algorithms", "b0,b2", "--jobs", "1"]


def run_module(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "scma_alloc", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_every_command_and_algorithm(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for word in ("solve", "sweep", "plot", "compare", "export", "b3", "exhaustive-max-min"):
        assert word in text
    for command, option in [
        ("solve", "--algorithms"),
        ("sweep", "--scheduler"),
        ("sweep", "--budgets-dbm"),
        ("plot", "--no-convergence"),
        ("compare", "--baseline"),
        ("export", "--parquet"),
    ]:
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert option in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "--drops", "0"], "expected a positive integer"),
        (["sweep", "--budgets-dbm", "3,x"], "invalid budget list"),
        (["sweep", "--algorithms", "max-sr,foo"], "unknown algorithm"),
        (["sweep", "--option", "b0-n=1"], "ALGORITHM:NAME=VALUE"),
        (["compare", "--confidence", "2"], "expected a number in (0, 1)"),
        (["frobnicate"], "invalid choice"),
        (["sweep", "--baseline", "b9"], "unknown algorithm 'b9'"),
        (["sweep", "--jobs", "-3"], "expected a positive integer (0 or -1: all CPUs)"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["sweep", "--budgets-dbm", "10,3", "--no-store"], "budgets_dbm must be sorted", 2),
        (["sweep", "--users", "9", "--no-store"], "infeasible sizes", 2),
        (["plot", "--store", "missing.sqlite"], "does not exist", 1),
    ],
)
def test_library_errors_give_one_line_without_traceback(capsys, args, message, code):
    assert cli.main(args) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_a_real_process_prints_one_line_and_exits_2():
    done = run_module("sweep", "--drops", "2", "--budgets-dbm", "3,3", "--no-store")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "budgets_dbm has duplicate" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_no_command_prints_help_and_computes_nothing(monkeypatch, capsys):
    monkeypatch.setattr(cli, "_cmd_sweep", lambda args: pytest.fail("a bare command swept"))
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: scma-alloc") and "sweep" in out


def test_sweep_defaults_are_the_papers(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "_cmd_sweep", lambda args: seen.update(vars(args)) or 0)
    assert cli.main(["sweep"]) == 0
    assert seen["drops"] == cli.DEFAULT_DROPS == 30
    assert seen["budgets_dbm"] == sa.PAPER_BUDGETS_DBM
    assert seen["algorithms"] == sa.DEFAULT_ALGORITHMS
    assert seen["store"] == "results/scma_sweep.sqlite"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"scma-alloc {sa.__version__}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "--figure", "{tmp}/out.jpg"], "--figure: cannot write a 'jpg' picture"),
        (["sweep", "--no-store", "--csv", "{tmp}/file/t.csv"], "is a file, not a folder"),
        (["sweep", "--no-store", "--json", "{tmp}"], "is a folder"),
        (["sweep", "--no-store", "--plots", "{tmp}/file"], "--plots: cannot create folder"),
        (["export", "--store", "{tmp}/s.sqlite"], "give --csv PATH"),
    ],
)
def test_outputs_are_checked_before_any_work(monkeypatch, tmp_path, capsys, args, message):
    (tmp_path / "file").write_text("")
    for name in ("run_sweep", "random_scenario"):
        monkeypatch.setattr(cli, name, lambda *a, **k: pytest.fail("work before the check"))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert cli.main(args) in (1, 2)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_solve_prints_tables_and_saves_the_factor_graph(tmp_path, capsys):
    figure = tmp_path / "graph.png"
    assert cli.main(["solve", "--algorithms", "b0,b2", "--figure", str(figure)]) == 0
    out = capsys.readouterr().out
    assert "B0: fixed regular graph, equal power: sum-rate" in out and "Jain" in out
    assert "B2: greedy sum-rate graph, water-filling: sum-rate" in out
    assert "Mbit/s" in out and "assigned edges carry no power" in out
    assert "rate " in out and f"factor graph picture: {figure}" in out
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main(["solve", "--objective", "max-sr", "--no-figure"]) == 0
    assert "Max-SR (alternating method)" in capsys.readouterr().out


def test_sweep_resume_plot_compare_export(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    plots = tmp_path / "plots"
    args = ["sweep", *SMALL, "--store", str(store), "--plots", str(plots), "--formats", "png"]
    csv, parquet = tmp_path / "t.csv", tmp_path / "t.parquet"
    assert cli.main([*args, "--csv", str(csv), "--parquet", str(parquet)]) == 0
    out = capsys.readouterr().out
    assert (
        "sum-rate (bit/s/Hz), mean over drops" in out
        and "B2: greedy sum-rate graph, water-filling" in out
    )
    assert "paired gain over b0 on common drops" in out
    assert sorted(p.name for p in plots.iterdir()) == [
        "scma_jain_index.png",
        "scma_min_rate.png",
        "scma_paired.png",
        "scma_sum_rate.png",
    ]
    assert len(pd.read_csv(csv)) == len(pd.read_parquet(parquet)) == 8
    # Same command again: resumes (nothing to do), says so, and reports the same table.
    assert cli.main(args) == 0
    again = capsys.readouterr()
    assert out.split("results:")[0] == again.out.split("results:")[0]
    assert "8 of 8 tasks already stored" in again.err and "nothing to compute" in again.err
    with sa.ResultStore(store, mode="r") as s:
        assert s.runs()["tasks_done"].tolist() == [8, 0]
    # Another configuration on the same store: refused, exit 2.
    assert cli.main(["sweep", *SMALL[:-4], "--drops", "3", "--store", str(store)]) == 2
    assert "holds a different sweep" in capsys.readouterr().err
    # plot
    out_dir = tmp_path / "fig"
    assert (
        cli.main(["plot", "--store", str(store), "--out", str(out_dir), "--formats", "png"]) == 0
    )
    names = sorted(p.name for p in out_dir.iterdir())
    assert "scma_convergence.png" in names and "scma_factor_graphs.png" in names
    # A bad point is refused before anything is written.
    for bad, message in ((["--budget-dbm", "5"], "not a budget"), (["--drop", "99"], "--drop")):
        fresh = tmp_path / "fresh"
        assert cli.main(["plot", "--store", str(store), "--out", str(fresh), *bad]) == 2
        assert message in capsys.readouterr().err and not fresh.exists()
    # compare
    assert cli.main(["compare", "--store", str(store), "--metrics", "sum_rate"]) == 0
    out = capsys.readouterr().out
    assert "ratio of means vs b0" in out and "b2" in out
    table = sa.compare_algorithms(sa.load_results(store), "b2", "b0", "sum_rate")
    assert f"{table['ratio'].iloc[0]:.3f}" in out
    # export
    assert cli.main(["export", "--store", str(store), "--csv", str(tmp_path / "e.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "e.csv")) == 8
    assert cli.main(["export", "--store", str(store), "--json", str(tmp_path / "e.json")]) == 0
    assert len(json.loads((tmp_path / "e.json").read_text())["results"]) == 8
    assert cli.main(["export", "--store", str(store)]) == 2


def test_a_corrupt_store_is_one_line_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 100)
    assert cli.main(["sweep", *SMALL, "--store", str(bad), "--no-plots"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a results store" in err
    assert bad.read_bytes() == b"garbage" * 100


def test_a_store_cut_short_is_one_line_exit_1_for_every_reader(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    assert cli.main(["sweep", *SMALL, "--drops", "6", "--store", str(store), "--no-plots"]) == 0
    data = store.read_bytes()
    store.write_bytes(data[: len(data) - 960])
    capsys.readouterr()
    for command in (
        ["compare"],
        ["plot", "--out", str(tmp_path / "p")],
        ["export", "--csv", str(tmp_path / "e.csv")],
        ["sweep", *SMALL, "--drops", "6", "--no-plots"],
    ):
        assert cli.main([*command, "--store", str(store)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is damaged" in err, command


def test_ctrl_c_keeps_every_finished_task(tmp_path):
    """SIGINT mid-sweep (2 worker processes): exit 130, finished points stored, resume."""
    store = tmp_path / "s.sqlite"
    # 40 drops: long enough (about a second of solving) that the signal lands mid-sweep.
    args = ["sweep", "--budgets-dbm", "3,10", "--drops", "40", "--algorithms", "b0,max-sr"]
    args += ["--jobs", "2", "--store", str(store), "--no-plots", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    # A shell starts background jobs with SIGINT ignored, and a child inherits that: give
    # the sweep the default disposition, as a terminal would (Python then raises
    # KeyboardInterrupt on it), so the test does not depend on how pytest was started.
    process = subprocess.Popen(
        [sys.executable, "-m", "scma_alloc", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sa.ResultStore(store, mode="r", timeout=0.05) as s:
                if s.count() >= 4:
                    break
        except (FileNotFoundError, sa.StoreError):
            pass
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted; every finished task is in" in err and "Traceback" not in err
    with sa.ResultStore(store, mode="r") as s:
        runs = s.runs()
        stored = s.count()
    assert runs["state"].tolist() == ["interrupted"]
    assert runs["tasks_done"].tolist() == [stored] and 4 <= stored < 160
    resumed = sa.sweep([3.0, 10.0], 40, ["b0", "max-sr"], store=store)  # what the CLI runs
    reference = sa.sweep([3.0, 10.0], 40, ["b0", "max-sr"])
    pd.testing.assert_series_equal(resumed["sum_rate"], reference["sum_rate"], check_exact=True)
    assert (resumed["assignment"] == reference["assignment"]).all()


# --------------------------------------------------------------------------- other parameters
RADIUS = ["--vary", "radius", "--drops", "2", "--algorithms", "b0,b2", "--jobs", "1"]


def test_sweep_over_the_radius_grows_plots_compares_and_exports(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    line = ["sweep", *RADIUS, "--store", str(store), "--no-plots", "--budget-dbm", "6"]
    assert cli.main([*line, "--values", "100:200:100"]) == 0
    captured = capsys.readouterr()
    assert "2 drops x 2 values of cell radius (m) (100, 200) at 6 dBm" in captured.err
    assert "sum-rate (bit/s/Hz), mean over drops, by cell radius (m):" in captured.out
    assert "100m" in captured.out and "paired gain over b0" in captured.out
    # More drops and one more radius: the stored sweep grows, only new tasks run.
    assert cli.main([*line, "--values", "100,200,300", "--drops", "3"]) == 0
    err = capsys.readouterr().err
    assert "held this sweep with 2 drops x 2 values of cell radius (m)" in err
    assert "8 of 18 tasks already stored" in err and "computing the other 10" in err
    with sa.ResultStore(store, mode="r") as s:
        assert s.runs()["tasks_done"].tolist() == [8, 10]
        assert s.config["values"] == [100.0, 200.0, 300.0] and s.config["n_drops"] == 3
    # Shrinking is refused, in one line.
    assert cli.main([*line, "--values", "100,200"]) == 2
    assert "can only grow" in capsys.readouterr().err
    out = tmp_path / "fig"
    plot = ["plot", "--store", str(store), "--out", str(out), "--formats", "png"]
    assert cli.main([*plot, "--value", "200", "--no-convergence"]) == 0
    assert "scma_factor_graphs.png" in {p.name for p in out.iterdir()}
    capsys.readouterr()
    for bad, message in (
        (["--value", "250"], "--value 250 is not a value of cell radius (m) of this sweep"),
        (["--budget-dbm", "6"], "sweeps cell radius (m) at 6 dBm; choose the point with --value"),
    ):
        assert cli.main([*plot[:-2], "--out", str(tmp_path / "no"), *bad]) == 2
        assert message in capsys.readouterr().err and not (tmp_path / "no").exists()
    assert cli.main(["compare", "--store", str(store), "--metrics", "min_rate"]) == 0
    out_text = capsys.readouterr().out
    assert "by cell radius (m): column 'm'" in out_text
    table = sa.compare_algorithms(sa.load_results(store), "b2", "b0", "min_rate")
    assert f"{table['ratio'].iloc[2]:.3f}" in out_text
    assert cli.main(["export", "--store", str(store), "--csv", str(tmp_path / "e.csv")]) == 0
    radii = pd.read_csv(tmp_path / "e.csv")["radius"].tolist()
    assert radii == [r for r in (100.0, 200.0, 300.0) for _ in "ab"] * 3  # b0, b2 per drop


def test_sweep_over_an_algorithm_option_and_the_users(tmp_path, capsys):
    line = ["sweep", "--drops", "2", "--jobs", "1", "--no-store"]
    plots = tmp_path / "plots"
    option = ["--vary", "max-min:n_polish", "--values", "1:2", "--algorithms", "max-min,b0"]
    assert cli.main([*line, *option, "--plots", str(plots), "--formats", "png"]) == 0
    captured = capsys.readouterr()
    assert "2 values of Max-Min: n_polish (1, 2) at 10 dBm" in captured.err
    assert len(list(plots.iterdir())) == 4
    users = ["--vary", "users", "--values", "4,6", "--algorithms", "b0", "--no-plots"]
    assert cli.main([*line, *users, "--json", str(tmp_path / "u.json")]) == 0
    results = json.loads((tmp_path / "u.json").read_text())["results"]
    assert [len(r["user_rates"]) for r in results] == [4, 6, 4, 6]


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--vary", "budget-dbm"], "give the budgets with --budgets-dbm", 2),
        (["--vary", "speed"], "cannot sweep 'speed': use one of resources, users, load", 2),
        (["--vary", "b9:n"], "unknown algorithm 'b9' in --vary", 2),
        (["--vary", "radius", "--values", "1,x"], "invalid value list", 2),
        (["--values", "1,2"], "--values needs --vary NAME", 2),
        (["--budget-dbm", "6"], "--budget-dbm is the one budget of a --vary sweep", 2),
        (["--vary", "radius"], "a sweep over cell radius (m) needs --values", 2),
        (["--vary", "users", "--values", "4.5,6"], "users J takes whole numbers, got 4.5", 2),
        (
            ["--vary", "radius", "--values", "1,2", "--radius", "200"],
            "--radius 200: cell radius (m) follows from --vary; drop --radius",
            2,
        ),
        (
            ["--vary", "load", "--values", "1,1.5", "--users", "5"],
            "--users 5: users J follows from --vary",
            2,
        ),
        (
            ["--vary", "radius", "--values", "1,2", "--budgets-dbm", "3,10"],
            "--budgets-dbm: a sweep over cell radius (m) has one budget, --budget-dbm",
            2,
        ),
        (["--vary", "load", "--values", "1.1"], "multiples of 1/K = 0.25", 2),
    ],
)
def test_bad_parameter_sweeps_give_one_line(monkeypatch, capsys, args, message, code):
    monkeypatch.setattr(cli, "run_sweep", lambda *a, **k: pytest.fail("work before the check"))
    try:
        result = cli.main(["sweep", "--no-store", "--no-plots", *args])
    except SystemExit as exit_:
        result = exit_.code
    assert result == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err, err
