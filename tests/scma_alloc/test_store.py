"""The SQLite results store: round trip, uniqueness, configuration, faults, exports."""

from __future__ import annotations

import json
import os
import sqlite3

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import scma_alloc as sa
from scma_alloc._store import decode_assignment, encode_assignment

CONFIG = {"algorithms": ["b0", "max-sr"], "seed": 3, "n_drops": 2, "budgets_dbm": [3.0]}


def row(drop: int, algorithm: str = "b0", **values) -> dict:
    rng = np.random.default_rng(drop)
    base = {
        "drop": drop,
        "budget_index": 0,
        "budget_dbm": 3.0,
        "algorithm": algorithm,
        "status": "heuristic",
        "sum_rate": float(rng.random() * 20),
        "min_rate": float(rng.random()),
        "jain_index": 0.7,
        "user_rates": rng.random(6),
        "n_outer": 0,
        "n_inner": 0,
        "converged": False,
        "solve_time": 1e-3,
        "task_time": 2e-3,
        "solver": "equal power",
        "message": "ok",
        "assignment": "111000|100110|010101|001011",
        "power": rng.random(24) * 1e-2,
        "finished_at": 1.0,
    }
    base.update(values)
    return base


def snapshot(path) -> bytes:
    return path.read_bytes()


def test_round_trip_keeps_values_bit_for_bit(tmp_path):
    path = tmp_path / "s.sqlite"
    rows = [row(1, "max-sr"), row(0, "max-sr"), row(0), row(1)]
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write(rows)
        assert store.count() == 4
        assert store.finished() == {(0, 0, "b0"), (1, 0, "b0"), (0, 0, "max-sr"), (1, 0, "max-sr")}
    frame = sa.load_results(path)
    # Sorted by drop, budget, then the configuration's algorithm order.
    assert list(zip(frame["drop"], frame["algorithm"], strict=True)) == [
        (0, "b0"),
        (0, "max-sr"),
        (1, "b0"),
        (1, "max-sr"),
    ]
    by_key = {(r["drop"], r["algorithm"]): r for r in rows}
    for _, got in frame.iterrows():
        want = by_key[(got["drop"], got["algorithm"])]
        assert got["sum_rate"] == want["sum_rate"]
        assert_array_equal(got["user_rates"], want["user_rates"])
        assert_array_equal(got["power"], want["power"])
    assert frame.attrs["config"] == CONFIG
    assert not (tmp_path / "s.sqlite-wal").exists()  # log folded back on close
    assert not (tmp_path / "s.sqlite.lock").exists()


def test_assignment_text_round_trip():
    graph = sa.regular_factor_graph(4, 6)
    text = encode_assignment(graph)
    assert text == "111000|100110|010101|001011"
    assert_array_equal(decode_assignment(text), graph)


def test_a_task_is_never_stored_twice(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write([row(0)])
        with pytest.raises(sa.StoreError, match="twice"):
            store.write([row(1), row(0, sum_rate=99.0)])  # one transaction: all or nothing
        assert store.count() == 1
        assert store.frame()["sum_rate"].iloc[0] == row(0)["sum_rate"]
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):  # the key is enforced by the schema itself
        raw.execute(
            'INSERT INTO results ("drop", budget_index, budget_dbm, algorithm, status) '
            "VALUES (0, 0, 3.0, 'b0', 'x')"
        )
    raw.close()


def test_another_configuration_is_refused_and_nothing_changes(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write([row(0)])
    before = snapshot(path)
    other = {**CONFIG, "seed": 4}
    with sa.ResultStore(path) as store:
        with pytest.raises(sa.ConfigMismatchError, match="seed: store has 3, requested 4"):
            store.bind(other)
        store.bind(json.loads(json.dumps(CONFIG)))  # same configuration: accepted
    assert snapshot(path) == before
    assert issubclass(sa.ConfigMismatchError, ValueError)


def test_a_second_writer_is_refused_but_readers_are_welcome(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write([row(0)])
        with pytest.raises(sa.StoreLockedError, match="in use by another sweep"):
            sa.ResultStore(path)
        assert len(sa.load_results(path)) == 1  # WAL: reading while a writer is open
    with sa.ResultStore(path) as store:  # released on close
        assert store.count() == 1


def test_a_store_locked_by_another_program_gives_a_clear_error(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write([row(0)])
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sa.StoreLockedError, match="locked by another process"):
            with sa.ResultStore(path, timeout=0.1) as store:
                store.write([row(1)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(sa.load_results(path)) == 1


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 50, b"SQLite format 3\x00" + b"\x07" * 3000],
    ids=["text", "damaged-header"],
)
def test_a_corrupt_file_is_refused_and_left_untouched(tmp_path, content):
    path = tmp_path / "s.sqlite"
    path.write_bytes(content)
    for mode in ("a", "r"):
        with pytest.raises(sa.StoreCorruptError, match="left untouched"):
            sa.ResultStore(path, mode=mode)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]


def test_a_truncated_store_is_reported_as_damaged(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write([row(d) for d in range(200)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(sa.StoreCorruptError):
        sa.load_results(path)
    with pytest.raises(sa.StoreCorruptError):
        sa.ResultStore(path)


def test_a_store_with_its_last_bytes_cut_is_refused_by_every_reader(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write([row(d) for d in range(60)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 960])  # the tail of the last page is gone
    readers = [
        lambda: sa.load_results(path),
        lambda: sa.ResultStore(path, mode="r").frame(),
        lambda: sa.ResultStore(path).frame(),
    ]
    for read in readers:
        with pytest.raises(sa.StoreCorruptError, match="is damaged") as info:
            read()
        assert "\n" not in str(info.value)


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (a)")
    conn.commit()
    conn.close()
    before = snapshot(path)
    with pytest.raises(sa.StoreCorruptError, match="not a scma_alloc results store"):
        sa.ResultStore(path)
    assert snapshot(path) == before


def test_read_only_mode_cannot_write(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
    with sa.ResultStore(path, mode="r") as store:
        with pytest.raises(sa.StoreReadOnlyError, match="read-only"):
            store.write([row(0)])
    with pytest.raises(FileNotFoundError):
        sa.ResultStore(tmp_path / "missing.sqlite", mode="r")
    with pytest.raises(ValueError, match="mode"):
        sa.ResultStore(path, mode="w")


def test_read_only_file_is_refused_for_writing_and_readable(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.write([row(0)])
    if os.geteuid() == 0:
        # root ignores file permissions: make the permission check see a read-only file.
        real_access = os.access
        monkeypatch.setattr(
            os,
            "access",
            lambda p, m: (
                False if (os.fspath(p) == os.fspath(path) and m == os.W_OK) else real_access(p, m)
            ),
        )
    path.chmod(0o444)
    try:
        with pytest.raises(sa.StoreReadOnlyError, match="read-only"):
            sa.ResultStore(path)
        assert len(sa.load_results(path)) == 1
    finally:
        path.chmod(0o644)


def test_runs_are_recorded(tmp_path):
    path = tmp_path / "s.sqlite"
    with sa.ResultStore(path) as store:
        store.bind(CONFIG)
        store.start_run("serial", 1)
        store.write([row(0)])
        store.finish_run("finished", 1)
        runs = store.runs()
    assert runs[["state", "backend", "n_workers", "tasks_done"]].values.tolist() == [
        ["finished", "serial", 1, 1]
    ]


def test_a_grown_configuration_replaces_the_stored_one_and_keeps_the_old(tmp_path):
    path = tmp_path / "s.sqlite"
    grown = {**CONFIG, "n_drops": 4}
    with sa.ResultStore(path) as store:
        with pytest.raises(sa.StoreError, match="no configuration to replace"):
            store.replace_config(grown)
        store.bind(CONFIG, "aaaa")
        store.write([row(0)])
        assert store.previous_configs() == []
        store.replace_config(grown, "bbbb")
        assert store.config == grown
        store.bind(grown)  # the grown configuration is now the store's
    with sa.ResultStore(path, mode="r") as store:
        assert store.config == grown and store.count() == 1
        (previous,) = store.previous_configs()
        assert previous["config"] == CONFIG and previous["config_hash"] == "aaaa"
        with pytest.raises(sa.StoreReadOnlyError):
            store.replace_config(CONFIG)
    raw = sqlite3.connect(path)
    assert dict(raw.execute("SELECT key, value FROM meta"))["config_hash"] == "bbbb"
    raw.close()
    with sa.ResultStore(path) as store:
        with pytest.raises(sa.ConfigMismatchError, match="can only grow"):
            store.bind(CONFIG)


def test_the_swept_parameter_gets_its_column(tmp_path):
    config = {**CONFIG, "vary": "radius", "values": [100.0, 200.0]}
    del config["budgets_dbm"]
    with sa.ResultStore(tmp_path / "s.sqlite") as store:
        store.bind(config)
        store.write([row(0), row(1, budget_index=1)])
        frame = store.frame()
    assert frame.columns[:4].tolist() == ["drop", "budget_index", "radius", "budget_dbm"]
    assert frame["radius"].tolist() == [100.0, 200.0]
    assert list(sa.load_results(tmp_path / "s.sqlite").columns) == list(frame.columns)
