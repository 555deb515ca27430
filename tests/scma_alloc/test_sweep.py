"""Paired sweeps: validation, pairing, resume, failures, processes, Dask, kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import scma_alloc as sa
from scma_alloc import ALGORITHMS, STATUS_ERROR, Algorithm, SweepConfig

ROOT = Path(__file__).resolve().parents[2]
SWEEP_MODULE = sys.modules["scma_alloc._sweep"]  # the module (sa.sweep is the function)
VALUES = ["drop", "budget_index", "budget_dbm", "algorithm", "status", "sum_rate", "min_rate"]
VALUES += ["jain_index", "n_outer", "n_inner", "converged", "solver", "message", "assignment"]


def assert_same_results(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal tables, value for value (timings excepted)."""
    assert len(a) == len(b)
    pd.testing.assert_frame_equal(
        a[VALUES].reset_index(drop=True), b[VALUES].reset_index(drop=True), check_exact=True
    )
    for column in ("user_rates", "power"):
        for x, y in zip(a[column], b[column], strict=True):
            assert_array_equal(x, y)


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budgets_dbm": []}, "budgets_dbm is empty"),
        ({"budgets_dbm": [10.0, 3.0]}, "budgets_dbm must be sorted"),
        ({"budgets_dbm": [3.0, 3.0, 5.0]}, "budgets_dbm has duplicate"),
        ({"budgets_dbm": [3.0, float("nan")]}, "budgets_dbm must be finite"),
        ({"budgets_dbm": "3,4"}, "budgets_dbm must be numbers"),
        ({"budgets_dbm": ["3", "4"]}, "budgets_dbm must be numbers"),
        ({"n_drops": 0}, "n_drops must be >= 1"),
        ({"n_drops": 2.5}, "n_drops must be an integer"),
        ({"algorithms": []}, "algorithms is empty"),
        ({"algorithms": ["b0", "foo"]}, r"unknown name\(s\) \['foo'\]; valid names: max-sr"),
        ({"algorithms": ["b0", "b0"]}, r"lists \['b0'\] more than once"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"n_jobs": 0}, "n_jobs must be a positive integer"),
        ({"n_users": 9}, "n_users"),
        ({"noise": "loud"}, "noise must be 'paper' or 'thermal'"),
        ({"algorithm_options": {"b2": {"rng": 1}}}, "not among the algorithms"),
        ({"algorithm_options": {"b0": {"rng": object()}}}, "only JSON values"),
        (
            {"algorithms": ["max-sr"], "algorithm_options": {"max-sr": {"n_starts": -1}}},
            "n_starts",
        ),
    ],
)
def test_bad_arguments_raise_before_any_work(tmp_path, kwargs, message):
    args = {"budgets_dbm": [3.0, 10.0], "n_drops": 2, "algorithms": ["b0"], **kwargs}
    with pytest.raises(ValueError, match=message):
        sa.sweep(store=tmp_path / "s.sqlite", **args)
    assert not (tmp_path / "s.sqlite").exists()


def test_unknown_options_are_type_errors():
    with pytest.raises(TypeError, match="unknown option"):
        sa.sweep([3.0], 1, ["max-sr"], algorithm_options={"max-sr": {"bogus": 1}})
    with pytest.raises(TypeError, match="unknown scenario option"):
        SweepConfig.create([3.0], 1, ["b0"], cell_size=3)


def test_a_scalar_budget_and_a_single_name_are_accepted():
    frame = sa.sweep(6.0, 1, "b0")
    assert frame[["budget_dbm", "algorithm"]].values.tolist() == [[6.0, "b0"]]


# --------------------------------------------------------------------------- pairing
def test_drops_come_from_spawned_seed_sequences_and_ignore_the_budget():
    children = np.random.SeedSequence(7).spawn(5)
    for drop in range(5):
        low = sa.drop_scenario(drop, 3.0, seed=7)
        high = sa.drop_scenario(drop, 10.0, seed=7)
        assert_array_equal(low.gains, high.gains)
        direct = sa.random_scenario(
            power_budget_dbm=3.0, rng=np.random.default_rng(children[drop])
        )
        assert_array_equal(low.gains, direct.gains)
    assert not np.array_equal(
        sa.drop_scenario(0, 3.0, seed=7).gains, sa.drop_scenario(1, 3.0, seed=7).gains
    )


def test_table_is_tidy_and_every_row_reproduces_from_its_drop():
    budgets, names = [3.0, 10.0], ["b0", "b2", "max-sr"]
    frame = sa.sweep(budgets, 3, names, seed=11)
    assert len(frame) == 3 * 2 * 3
    assert not frame.duplicated(["drop", "budget_dbm", "algorithm"]).any()
    assert frame.attrs["config"]["algorithms"] == names
    for _, r in frame.iterrows():
        scenario = sa.drop_scenario(r["drop"], r["budget_dbm"], seed=11)
        direct = ALGORITHMS[r["algorithm"]](scenario)
        assert r["sum_rate"] == direct.sum_rate
        assert_array_equal(r["user_rates"], direct.user_rates)
        assert_array_equal(np.asarray(r["power"]).reshape(4, 6), direct.power)
        assert r["status"] == direct.status
    # Paired: the static baseline's graph is the same in every row; its rates grow with budget.
    b0 = frame[frame.algorithm == "b0"].pivot(
        index="drop", columns="budget_dbm", values="sum_rate"
    )
    assert (b0[10.0] > b0[3.0]).all()


def test_config_hash_is_canonical():
    a = SweepConfig.create([3, 10], 2, ["b0"], seed=1)
    b = SweepConfig.create((3.0, 10.0), 2, ("b0",), seed=1, noise="paper")
    assert a.to_json() == b.to_json() and a.hash == b.hash
    assert SweepConfig.create([3, 10], 2, ["b0"], seed=2).hash != a.hash
    assert SweepConfig.from_dict(a.as_dict()) == a


# --------------------------------------------------------------------------- store and resume
def test_resume_recomputes_only_missing_tasks(tmp_path):
    path = tmp_path / "s.sqlite"
    args = ([3.0, 10.0], 3, ["b0", "b1", "max-sr"])
    full = sa.sweep(*args, seed=2, store=path)
    conn = sqlite3.connect(path)
    conn.execute(
        "DELETE FROM results WHERE \"drop\" = 1 OR (algorithm = 'max-sr' AND budget_index = 0)"
    )
    conn.commit()
    left = conn.execute("SELECT count(*) FROM results").fetchone()[0]
    conn.close()
    resumed = sa.sweep(*args, seed=2, store=path)
    assert_same_results(full, resumed)
    with sa.ResultStore(path, mode="r") as store:
        runs = store.runs()
    assert runs["tasks_done"].tolist() == [18, 18 - left]
    assert runs["state"].tolist() == ["finished", "finished"]
    again = sa.sweep(*args, seed=2, store=path)  # nothing left: no work, same table
    assert_same_results(full, again)


def test_a_store_of_another_sweep_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    sa.sweep([3.0], 2, ["b0"], seed=1, store=path)
    before = path.read_bytes()
    # A budget below the stored ones is not an extension (budgets are appended above).
    with pytest.raises(sa.ConfigMismatchError, match=r"budgets_dbm: store has \[3.0\]"):
        sa.sweep([2.0, 3.0], 2, ["b0"], seed=1, store=path)
    with pytest.raises(sa.ConfigMismatchError, match="noise"):
        sa.sweep([3.0], 2, ["b0"], seed=1, noise="thermal", store=path)
    assert path.read_bytes() == before


def test_an_open_store_object_can_be_passed(tmp_path):
    with sa.ResultStore(tmp_path / "s.sqlite") as store:
        frame = sa.sweep([3.0], 2, ["b0"], store=store)
        assert store.count() == len(frame) == 2


# --------------------------------------------------------------------------- failures
def _flaky(scenario, **options):
    if scenario.gains[0, 0] > np.median(scenario.gains):  # raises on some drops only
        raise RuntimeError("solver exploded")
    return sa.static_equal_power(scenario, **options)


def _failing_solver(scenario, **options):
    result = sa.static_equal_power(scenario, **options)
    result.status = sa.STATUS_SOLVER_FAILED
    return result


@pytest.mark.filterwarnings("ignore:only 2 drop")
def test_errors_and_solver_failures_are_recorded_not_redrawn(monkeypatch, tmp_path):
    registry = dict(ALGORITHMS)
    registry["b1"] = Algorithm("b1", _flaky, "flaky", "sum_rate", "raises on some drops")
    registry["b3"] = Algorithm("b3", _failing_solver, "failing", "sum_rate", "solver fails")
    monkeypatch.setattr(SWEEP_MODULE, "ALGORITHMS", registry)
    frame = sa.sweep([3.0, 10.0], 6, ["b0", "b1", "b3"], seed=3, store=tmp_path / "s.sqlite")
    assert len(frame) == 6 * 2 * 3  # every task has its row
    errors = frame[frame.status == STATUS_ERROR]
    assert 0 < len(errors) < 12 and set(errors.algorithm) == {"b1"}
    assert errors["message"].str.contains("RuntimeError: solver exploded").all()
    assert errors["sum_rate"].isna().all()
    failed = frame[frame.algorithm == "b3"]
    assert (failed.status == sa.STATUS_SOLVER_FAILED).all()
    b0 = frame[frame.algorithm == "b0"]
    assert_array_equal(failed["sum_rate"].to_numpy(), b0["sum_rate"].to_numpy())
    # Same drops as everyone else, none replaced: b1's successful rows (it delegates to
    # b0) equal b0's rows on the same (drop, budget).
    assert frame.groupby("algorithm")["drop"].apply(set).tolist() == [set(range(6))] * 3
    ok = frame[(frame.algorithm == "b1") & (frame.status != STATUS_ERROR)]
    merged = ok.merge(b0, on=["drop", "budget_dbm"], suffixes=("", "_b0"))
    assert len(merged) == len(ok) and (merged["sum_rate"] == merged["sum_rate_b0"]).all()
    summary = sa.summarize_sweep(frame)
    b1 = summary[summary.algorithm == "b1"]
    assert (b1["n"] + b1["n_error"] == 6).all() and b1["n_error"].sum() == len(errors)
    assert summary[summary.algorithm == "b3"]["n_solver_failed"].tolist() == [6, 6]
    # Resuming does not retry recorded errors.
    again = sa.sweep([3.0, 10.0], 6, ["b0", "b1", "b3"], seed=3, store=tmp_path / "s.sqlite")
    assert (again.status == STATUS_ERROR).sum() == len(errors)


# --------------------------------------------------------------------------- scale-out
def test_processes_give_the_same_table_as_one_process():
    args = ([3.0, 10.0], 4, ["b0", "b2", "max-sr"])
    serial = sa.sweep(*args, seed=4, n_jobs=1)
    parallel = sa.sweep(*args, seed=4, n_jobs=2)
    assert_same_results(serial, parallel)


def test_dask_local_cluster_gives_the_same_table(tmp_path):
    pytest.importorskip("distributed")
    args = ([3.0, 10.0], 3, ["b0", "b1", "max-sr"])
    local = sa.sweep(*args, seed=6)
    distributed = sa.sweep(*args, seed=6, n_jobs=1, scheduler="local", store=tmp_path / "d.sqlite")
    assert_same_results(local, distributed)
    with sa.ResultStore(tmp_path / "d.sqlite", mode="r") as store:
        assert store.runs()["backend"].tolist() == ["dask:local"]


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(SWEEP_MODULE, "DASK_CONNECT_TIMEOUT", 1.0)
    with pytest.raises(ConnectionError, match="cannot reach the Dask scheduler"):
        sa.sweep([3.0], 1, ["b0"], scheduler="tcp://127.0.0.1:9")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_kill_9_loses_only_tasks_in_flight(tmp_path, n_jobs):
    """A sweep process killed with SIGKILL resumes to the uninterrupted table. With
    worker processes, the orphaned workers must not keep the store reserved: the
    resume opens it for writing right after the kill."""
    path = tmp_path / "killed.sqlite"
    budgets, names, n_drops, seed = [3.0, 10.0], ["b0", "b2", "max-sr"], 14, 8
    total = n_drops * len(budgets) * len(names)
    script = (
        "import scma_alloc as sa\n"
        f"sa.sweep({budgets!r}, {n_drops}, {names!r}, seed={seed}, store={str(path)!r}, "
        f"n_jobs={n_jobs})\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)
    stored = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with sa.ResultStore(path, mode="r", timeout=0.05) as store:
                    stored = store.count()
            except (FileNotFoundError, sa.StoreError):
                stored = 0
            if stored >= 2 * len(names):
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the sweep finished before it was killed"
    assert wait_for_orphans(script) == [], "worker processes outlived the killed sweep"
    with sa.ResultStore(path, mode="r") as store:
        after_kill = store.count()
        runs = store.runs()
    assert stored <= after_kill < total
    assert runs["state"].tolist() == ["running"]  # it never got to say goodbye
    resumed = sa.sweep(budgets, n_drops, names, seed=seed, store=path)
    reference = sa.sweep(budgets, n_drops, names, seed=seed)
    assert_same_results(resumed, reference)
    with sa.ResultStore(path, mode="r") as store:
        runs = store.runs()
    assert runs["tasks_done"].iloc[-1] == total - after_kill


def wait_for_orphans(command_line: str, timeout: float = 10.0) -> list[int]:
    """Processes still running ``python -c command_line`` after ``timeout`` seconds."""
    if not Path("/proc").is_dir():  # pragma: no cover - not Linux
        return []
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command_line.encode() in argv:
                alive.append(int(entry.name))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


# --------------------------------------------------------------------------- statistics
def _table(values: dict[str, list[float]]) -> pd.DataFrame:
    """A sweep table with given metric values, one algorithm at one budget."""
    n = len(next(iter(values.values())))
    data = {"algorithm": ["x"] * n, "budget_dbm": [3.0] * n, "drop": range(n)}
    data.update({"status": ["converged"] * n, "solve_time": [0.01] * n})
    for metric in ("sum_rate", "min_rate", "jain_index"):
        data[metric] = values.get(metric, [1.0] * n)
    return pd.DataFrame(data)


def test_summary_means_and_intervals():
    frame = sa.sweep([3.0, 10.0], 12, ["b0", "b1"], seed=9)
    summary = sa.summarize_sweep(frame, confidence=0.9)
    assert summary[["algorithm", "budget_dbm"]].values.tolist() == [
        ["b0", 3.0],
        ["b0", 10.0],
        ["b1", 3.0],
        ["b1", 10.0],
    ]
    part = frame[(frame.algorithm == "b1") & (frame.budget_dbm == 10.0)]["min_rate"].to_numpy()
    row = summary.iloc[3]
    assert row["min_rate"] == pytest.approx(part.mean())
    assert part.min() <= row["min_rate_low"] < row["min_rate"] < row["min_rate_high"] <= part.max()
    # Deterministic: the bootstrap has a seed.
    pd.testing.assert_frame_equal(summary, sa.summarize_sweep(frame, confidence=0.9))


def test_bootstrap_interval_agrees_with_t_on_many_drops():
    values = np.random.default_rng(0).normal(5.0, 1.0, 400)
    row = sa.summarize_sweep(_table({"sum_rate": list(values)}), confidence=0.95).iloc[0]
    from scipy import stats

    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    assert (row["sum_rate_high"] - row["sum_rate_low"]) / 2 == pytest.approx(half, rel=0.1)


def test_intervals_stay_inside_what_is_possible_and_few_drops_warn():
    # Three drops, one min-rate near 0 and Jain values at 1: a t-interval leaves the
    # range (min-rate below 0, Jain above 1); the bootstrap interval cannot.
    table = _table({"min_rate": [0.01, 0.02, 1.5], "jain_index": [1.0, 0.999999, 1.0]})
    with pytest.warns(UserWarning, match="only 3 drop"):
        row = sa.summarize_sweep(table).iloc[0]
    assert 0.01 <= row["min_rate_low"] <= row["min_rate_high"] <= 1.5
    assert row["jain_index_high"] <= 1.0
    from scipy import stats

    values = np.array([0.01, 0.02, 1.5])  # the t-interval of the same drops leaves the range
    half = stats.t.ppf(0.975, 2) * values.std(ddof=1) / np.sqrt(3)
    assert values.mean() - half < 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sa.summarize_sweep(_table({"sum_rate": [1.0 + i for i in range(10)]}))


def test_paired_comparison_of_algorithms():
    frame = sa.sweep([3.0, 10.0], 12, ["b0", "b2"], seed=10)
    table = sa.compare_algorithms(frame, "b2", "b0", "sum_rate", n_bootstrap=500)
    assert table["n_pairs"].tolist() == [12, 12]
    for budget, r in table.set_index("budget_dbm").iterrows():
        a = frame[(frame.algorithm == "b2") & (frame.budget_dbm == budget)]["sum_rate"].mean()
        b = frame[(frame.algorithm == "b0") & (frame.budget_dbm == budget)]["sum_rate"].mean()
        assert r["ratio"] == pytest.approx(a / b)
        assert r["ratio_low"] <= r["ratio"] <= r["ratio_high"]
        assert r["difference_low"] <= r["difference"] <= r["difference_high"]
        assert 0 <= r["win_rate"] <= 1
    # Same algorithm: ratio 1, difference 0, all ties.
    same = sa.compare_algorithms(frame, "b0", "b0", "jain_index", n_bootstrap=200)
    assert np.allclose(same["ratio"], 1) and np.allclose(same["tie_rate"], 1)
    with pytest.raises(ValueError, match="metric"):
        sa.compare_algorithms(frame, "b2", "b0", "speed")
    with pytest.raises(ValueError, match="not in the table"):
        sa.compare_algorithms(frame, "max-sr", "b0")


# --------------------------------------------------------------------------- other parameters
#: (parameter, values, the fixed sweep() option of each value): a point of a sweep over a
#: scenario parameter is the drop of a budget sweep with that parameter fixed.
PARAMETER_CASES = [
    ("radius", [100.0, 250.0], lambda v: {"radius": v}),
    ("n_users", [4, 6], lambda v: {"n_users": v}),
    ("n_resources", [4, 5], lambda v: {"n_resources": v}),
    ("load", [1.0, 1.5], lambda v: {"n_users": round(4 * v)}),
    ("n_per_user", [1, 2], lambda v: {"n_per_user": v}),
]


@pytest.mark.parametrize(("name", "values", "fixed"), PARAMETER_CASES, ids=lambda c: str(c))
def test_a_point_of_a_parameter_sweep_is_the_drop_of_a_fixed_sweep(name, values, fixed):
    table = sa.sweep_parameter(name, values, 2, ["b0", "b2"], seed=5, budget_dbm=7.0)
    assert table.attrs["config"]["vary"] == name
    assert table.attrs["config"]["values"] == values
    assert len(table) == 2 * len(values) * 2 and (table["budget_dbm"] == 7.0).all()
    assert table.columns[:4].tolist() == ["drop", "budget_index", name, "budget_dbm"]
    for point, value in enumerate(values):
        part = table[table[name] == value].reset_index(drop=True)
        assert (part["budget_index"] == point).all()
        reference = sa.sweep([7.0], 2, ["b0", "b2"], seed=5, **fixed(value))
        assert_array_equal(part["sum_rate"], reference["sum_rate"])
        assert (part["assignment"] == reference["assignment"]).all()
        for mine, theirs in zip(part["power"], reference["power"], strict=True):
            assert_array_equal(mine, theirs)


def test_drops_are_paired_across_radius_and_options():
    config = SweepConfig.for_parameter("radius", [100.0, 300.0], 3, ["b0"], seed=2)
    for drop in range(3):
        near, far = config.scenario_for(drop, 0), config.scenario_for(drop, 1)
        # Same users and fading, moved out: each user's gains scale by one factor.
        ratio = far.gains / near.gains
        assert np.allclose(ratio, ratio[0], rtol=1e-12) and (ratio < 1).all()
    config = SweepConfig.for_parameter("max-min:n_polish", [1, 3], 2, ["max-min", "b0"])
    assert_array_equal(config.scenario_for(1, 0).gains, config.scenario_for(1, 1).gains)
    assert config.options_for("max-min", 1) == {"n_polish": 3}
    assert config.options_for("max-min") == {} and config.options_for("b0", 1) == {}


def test_an_algorithm_option_is_a_parameter():
    table = sa.sweep_parameter(
        "max-min:n_polish",
        [1, 2],
        2,
        ["max-min", "b0"],
        seed=3,
        algorithm_options={"max-min": {"n_starts": 1}},
    )
    config = table.attrs["config"]
    assert config["vary"] == "max-min:n_polish"
    assert config["algorithm_options"] == {"max-min": {"n_starts": 1}}
    assert table["max-min:n_polish"].tolist() == [1, 1, 2, 2] * 2
    for _, row in table.iterrows():
        scenario = sa.drop_scenario(row["drop"], 10.0, seed=3)
        options = {"n_starts": 1, "n_polish": row["max-min:n_polish"]}
        direct = ALGORITHMS[row["algorithm"]](scenario, **options if row.algorithm != "b0" else {})
        assert row["min_rate"] == direct.min_rate
    b0 = table[table.algorithm == "b0"].pivot(index="drop", columns="max-min:n_polish")
    assert_array_equal(b0["sum_rate"][1], b0["sum_rate"][2])  # untouched by the option


@pytest.mark.parametrize(
    ("name", "values", "kwargs", "message"),
    [
        ("cell_size", [1.0], {}, "cannot sweep 'cell_size'"),
        ("max-sr:n_polish", [1], {}, "'max-sr' is not among the algorithms"),
        ("n_users", [4.5, 6], {}, "n_users takes whole numbers"),
        ("n_users", [4, 9], {}, "infeasible sizes"),
        ("radius", [300.0, 100.0], {}, "values must be sorted"),
        ("radius", [100.0, 100.0], {}, "values has duplicate"),
        ("radius", [], {}, "values is empty"),
        ("radius", [True, False], {}, "values must be numbers"),
        ("radius", "100,200", {}, "values must be numbers"),
        ("radius", [-1.0, 2.0], {}, "radius must be a positive"),
        ("radius", [100.0], {"radius": 200.0}, "radius is the swept parameter"),
        ("load", [1.1], {}, r"multiples of 1/K = 0.25"),
        ("load", [1.0], {"n_users": 4}, "n_users follows from the swept load"),
        ("budget_dbm", [3.0], {"budget_dbm": 3.0}, "budget_dbm is the swept parameter"),
        ("radius", [100.0], {"budget_dbm": "10"}, "budget_dbm must be one number"),
        ("radius", [100.0], {"n_drops": 0}, "n_drops must be >= 1"),
        ("max-min:n_polish", [0, 1], {}, "n_polish must be >= 1"),
        (
            "max-min:n_polish",
            [1, 2],
            {"algorithm_options": {"max-min": {"n_polish": 3}}},
            r"algorithm_options\['max-min'\]\['n_polish'\] is the swept parameter",
        ),
    ],
)
def test_bad_parameter_sweeps_raise_before_any_work(tmp_path, name, values, kwargs, message):
    args = {"n_drops": 2, "algorithms": ["max-min", "b0"], **kwargs}
    with pytest.raises(ValueError, match=message):
        sa.sweep_parameter(name, values, store=tmp_path / "s.sqlite", **args)
    assert not (tmp_path / "s.sqlite").exists()


def test_options_an_algorithm_does_not_take_are_type_errors():
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['n_polish'\] for a baseline"):
        sa.sweep_parameter("b0:n_polish", [1, 2], 1, ["b0"])
    with pytest.raises(TypeError, match="name must be a parameter name"):
        sa.sweep_parameter(3, [1, 2], 1, ["b0"])
    with pytest.raises(TypeError, match="unknown scenario option"):
        sa.sweep_parameter("radius", [100.0], 1, ["b0"], cell_size=3)


def test_summaries_and_comparisons_are_per_value_of_the_parameter():
    table = sa.sweep_parameter("radius", [100.0, 200.0, 400.0], 3, ["b0", "b2"], seed=4)
    with pytest.warns(UserWarning, match="only 3 drop"):
        summary = sa.summarize_sweep(table)
    assert summary.columns[:3].tolist() == ["algorithm", "radius", "n"]
    assert summary[["algorithm", "radius"]].values.tolist() == [
        [a, r] for a in ("b0", "b2") for r in (100.0, 200.0, 400.0)
    ]
    means = table.groupby(["algorithm", "radius"])["sum_rate"].mean()
    assert_array_equal(summary["sum_rate"], means.to_numpy())
    assert (summary["n"] == 3).all() and summary.attrs["config"]["vary"] == "radius"
    comparison = sa.compare_algorithms(table, "b2", "b0", n_bootstrap=200)
    assert comparison["radius"].tolist() == [100.0, 200.0, 400.0]
    b2 = table[table.algorithm == "b2"].groupby("radius")["sum_rate"].mean()
    b0 = table[table.algorithm == "b0"].groupby("radius")["sum_rate"].mean()
    assert_array_equal(comparison["ratio"], (b2 / b0).to_numpy())
    # A farther cell gives less: the radius really is the x axis.
    assert (np.diff(summary[summary.algorithm == "b2"]["sum_rate"]) < 0).all()


def test_the_config_round_trips_and_a_budget_sweep_keeps_its_layout():
    config = SweepConfig.for_parameter("n_users", [4, 5], 2, ["b0"], seed=1, budget_dbm=6)
    assert SweepConfig.from_dict(config.as_dict()) == config
    assert config.as_dict()["scenario"]["budget_dbm"] == 6.0
    assert "n_users" not in config.as_dict()["scenario"]
    assert config.budgets_dbm == (6.0, 6.0) and config.n_tasks == 4
    # The budget as a parameter is the budget sweep: same configuration, same hash.
    budgets = SweepConfig.for_parameter("budget_dbm", [3, 10], 2, ["b0", "b2"], seed=1)
    legacy = SweepConfig.create([3, 10], 2, ["b0", "b2"], seed=1)
    assert budgets == legacy
    # The hash of a budget sweep is the one stores recorded before other parameters
    # could be swept, so that those stores keep opening and resuming.
    assert legacy.hash == "f780eda520281c1a"
    assert "vary" not in legacy.as_dict() and legacy.as_dict()["budgets_dbm"] == [3.0, 10.0]


# --------------------------------------------------------------------------- growing a sweep
def _counting(monkeypatch) -> list:
    """Replace the registry seen by sweeps with one that records every task run."""
    calls: list = []
    registry = dict(ALGORITHMS)
    for name in ("b0", "b2"):
        algorithm = ALGORITHMS[name]

        def run(scenario, _function=algorithm.function, _name=name, **options):
            calls.append((_name, scenario.shape, float(scenario.power_budget[0])))
            return _function(scenario, **options)

        registry[name] = Algorithm(name, run, algorithm.label, "sum_rate", "counted")
    monkeypatch.setattr(SWEEP_MODULE, "ALGORITHMS", registry)
    return calls


def test_a_stored_sweep_grows_without_recomputing_what_is_stored(monkeypatch, tmp_path):
    path = tmp_path / "s.sqlite"
    calls = _counting(monkeypatch)
    first = sa.sweep_parameter("radius", [100.0, 200.0], 2, ["b0", "b2"], seed=6, store=path)
    assert len(calls) == len(first) == 8
    calls.clear()
    grown = sa.sweep_parameter(
        "radius", [100.0, 200.0, 300.0], 3, ["b0", "b2"], seed=6, store=path
    )
    assert len(calls) == 3 * 3 * 2 - 8 == 10  # only the new tasks ran
    assert len(grown) == 18
    kept = grown.merge(first, on=["drop", "budget_index", "algorithm"], suffixes=("", "_old"))
    assert len(kept) == 8 and (kept["finished_at"] == kept["finished_at_old"]).all()
    reference = sa.sweep_parameter("radius", [100.0, 200.0, 300.0], 3, ["b0", "b2"], seed=6)
    assert_same_results(grown, reference)
    with sa.ResultStore(path, mode="r") as store:
        assert store.config == grown.attrs["config"] and store.config["n_drops"] == 3
        assert store.runs()["tasks_done"].tolist() == [8, 10]
        (previous,) = store.previous_configs()
    assert previous["config"] == first.attrs["config"]
    assert previous["config_hash"] == SweepConfig.from_dict(first.attrs["config"]).hash
    calls.clear()
    again = sa.sweep_parameter(
        "radius", [100.0, 200.0, 300.0], 3, ["b0", "b2"], seed=6, store=path
    )
    assert calls == [] and len(again) == 18
    # More budgets above the stored ones, and more drops, for a budget sweep too.
    budgets = tmp_path / "b.sqlite"
    sa.sweep([3.0, 6.0], 2, ["b0"], seed=1, store=budgets)
    calls.clear()
    table = sa.sweep([3.0, 6.0, 9.0], 3, ["b0"], seed=1, store=budgets)
    assert sorted(set(calls)) == [("b0", (4, 6), b) for b in sa.dbm_to_watt([3.0, 6.0, 9.0])]
    assert len(calls) == 9 - 4 and len(table) == 9


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_drops": 2}, r"n_drops: store has 3, requested 2"),
        ({"values": [100.0]}, r"values: store has \[100.0, 200.0\], requested \[100.0\]"),
        ({"values": [100.0, 150.0, 200.0]}, "values: store has"),
        ({"values": [50.0, 100.0, 200.0]}, "values: store has"),
        ({"seed": 7}, "seed: store has 6, requested 7"),
        ({"algorithms": ["b0", "b2", "b1"]}, "algorithms: store has"),
        ({"budget_dbm": 6.0}, "scenario: store has"),
        ({"name": "path_loss_exponent", "values": [3.0, 4.0]}, "vary: store has 'radius'"),
    ],
)
def test_a_stored_sweep_cannot_shrink_or_change(tmp_path, change, message):
    path = tmp_path / "s.sqlite"
    args = {
        "name": "radius",
        "values": [100.0, 200.0],
        "n_drops": 3,
        "algorithms": ["b0", "b2"],
        "seed": 6,
    }
    sa.sweep_parameter(**args, store=path)
    before = path.read_bytes()
    with pytest.raises(sa.ConfigMismatchError, match=message) as info:
        sa.sweep_parameter(**{**args, **change}, store=path)
    assert "can only grow (more drops, or values after its last one)" in str(info.value)
    assert path.read_bytes() == before


def test_a_store_made_before_parameter_sweeps_resumes_and_grows(tmp_path):
    """The configuration exactly as stores recorded it before other parameters could be
    swept (the layout and hash of a budget sweep are unchanged)."""
    path = tmp_path / "old.sqlite"
    recorded = {
        "algorithm_options": {},
        "algorithms": ["b0", "b2"],
        "budgets_dbm": [3.0, 10.0],
        "n_drops": 2,
        "scenario": {
            "bandwidth": 180000.0,
            "n_per_user": 2,
            "n_resources": 4,
            "n_users": 6,
            "noise": "paper",
            "path_loss_exponent": 4.0,
            "radius": 300.0,
            "users_per_resource": 3,
        },
        "seed": 1,
    }
    reference = sa.sweep([3.0, 10.0], 2, ["b0", "b2"], seed=1)
    with sa.ResultStore(path) as store:
        store.bind(recorded, "f780eda520281c1a")
        store.write(reference.to_dict(orient="records"))
    table = sa.sweep([3.0, 10.0], 2, ["b0", "b2"], seed=1, store=path)
    assert_same_results(table, reference)
    grown = sa.sweep([3.0, 10.0], 3, ["b0", "b2"], seed=1, store=path)
    with sa.ResultStore(path, mode="r") as store:
        assert store.runs()["tasks_done"].tolist() == [0, 4]
        assert store.config == {**recorded, "n_drops": 3}
    assert len(grown) == 12
