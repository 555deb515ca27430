"""Results store for sweeps: one SQLite file, one committed transaction per finished chunk.

A store holds one sweep: its configuration (canonical JSON and its hash, in table
``meta``), one row per finished task in ``results`` (primary key
``(drop, budget_index, algorithm)``, so a task can never be stored twice; ``budget_index``
is the index of the task's point among the values of the swept parameter, which is the
budget unless the configuration names another one in ``vary``) and one row per run
session in ``runs``. A sweep can grow in its store (more drops, more values):
:meth:`ResultStore.replace_config` records the grown configuration, and the replaced
ones stay in ``meta`` (``previous_configs``). The writer uses write-ahead logging with
``synchronous=NORMAL``: a committed task survives the writing process being killed
(``kill -9``); only an operating-system crash or power loss can lose the last commits.
On a clean close the log is folded back, leaving a single self-contained file.

Faults never damage a store: a file that is not a store (or is corrupt), a store being
written by another sweep, a locked or read-only file all raise a :class:`StoreError`
subclass with a message saying what to do, before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ConfigMismatchError",
    "ResultStore",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreReadOnlyError",
    "load_results",
    "results_frame",
]

#: Version of the table layout; a store with another version is refused.
SCHEMA_VERSION = 1

#: Result columns in table order (``drop``, ``budget_index`` and ``algorithm`` are the key;
#: ``budget_index`` is the index of the point among the swept values, whatever they are).
COLUMNS = (
    "drop",
    "budget_index",
    "budget_dbm",
    "algorithm",
    "status",
    "sum_rate",
    "min_rate",
    "jain_index",
    "user_rates",
    "n_outer",
    "n_inner",
    "converged",
    "solve_time",
    "task_time",
    "solver",
    "message",
    "assignment",
    "power",
    "finished_at",
)
_ARRAY_COLUMNS = ("user_rates", "power")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    "drop" INTEGER NOT NULL,
    budget_index INTEGER NOT NULL,
    budget_dbm REAL NOT NULL,
    algorithm TEXT NOT NULL,
    status TEXT NOT NULL,
    sum_rate REAL,
    min_rate REAL,
    jain_index REAL,
    user_rates BLOB,
    n_outer INTEGER,
    n_inner INTEGER,
    converged INTEGER,
    solve_time REAL,
    task_time REAL,
    solver TEXT,
    message TEXT,
    assignment TEXT,
    power BLOB,
    finished_at REAL,
    PRIMARY KEY ("drop", budget_index, algorithm)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    finished_at REAL,
    state TEXT NOT NULL,
    backend TEXT,
    n_workers INTEGER,
    tasks_done INTEGER,
    host TEXT,
    pid INTEGER
);
"""


#: Lock-file descriptors held by open writers of this process.
_LOCK_FDS: set[int] = set()


def release_inherited_locks() -> None:
    """In a forked child: drop the copies of the parent's store-lock descriptors.

    ``flock`` locks live as long as any copy of the descriptor is open; a worker that
    outlives a killed parent would otherwise keep the store reserved.
    """
    for fd in list(_LOCK_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _LOCK_FDS.clear()


class StoreError(RuntimeError):
    """A results store cannot be used; the message says why and what to do."""


class ConfigMismatchError(StoreError, ValueError):
    """The store holds a sweep with another configuration (never mixed)."""


class StoreLockedError(StoreError):
    """Another process is writing to the store."""


class StoreCorruptError(StoreError):
    """The file is not a results store, or is damaged."""


class StoreReadOnlyError(StoreError):
    """The store file (or its folder) cannot be written."""


# --------------------------------------------------------------------------- encoding
def _pack(values: Any) -> bytes | None:
    if values is None:
        return None
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def _unpack(blob: bytes | None) -> np.ndarray | None:
    if blob is None:
        return None
    return np.frombuffer(blob, dtype="<f8").copy()


def encode_assignment(assignment: np.ndarray | None) -> str | None:
    """A factor graph as text: rows of 0/1 separated by ``|`` (``"111000|100110|..."``)."""
    if assignment is None:
        return None
    return "|".join("".join(str(int(v)) for v in row) for row in np.asarray(assignment))


def decode_assignment(text: str) -> np.ndarray:
    """Inverse of :func:`encode_assignment`: an int8 (K, J) array."""
    return np.array([[int(c) for c in row] for row in text.split("|")], dtype=np.int8)


def _explain(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreLockedError(
            f"store {path} is locked by another process ({exc}); nothing was written. "
            "Wait until it is released, or use another store file"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreReadOnlyError(
            f"store {path} cannot be written ({exc}); check the permissions of the file "
            "and its folder, or copy it to a writable place to continue the sweep"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreCorruptError(
            f"{path} is not a readable results store ({exc}); the file was left "
            "untouched. Move it away or choose another store file"
        )
    return StoreError(f"store {path}: {exc}")


def _describe_difference(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
    parts = []
    for key in sorted(set(stored) | set(wanted)):
        if stored.get(key, "<missing>") != wanted.get(key, "<missing>"):
            parts.append(
                f"{key}: store has {stored.get(key, '<missing>')!r}, "
                f"requested {wanted.get(key, '<missing>')!r}"
            )
    return "; ".join(parts) if parts else "same fields, different hash"


# --------------------------------------------------------------------------- frames
def results_frame(
    rows: Iterable[Mapping[str, Any]], config: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The tidy table of a sweep from stored rows (one row per drop x point x algorithm).

    Rows are sorted by drop, point and the configuration's algorithm order;
    ``user_rates`` and ``power`` (row-major K*J watts) are float arrays, ``assignment``
    is the text of :func:`encode_assignment`. When the configuration sweeps another
    parameter than the budget (``config["vary"]``), a column named after it holds each
    row's value (``config["values"][budget_index]``), after ``budget_index``.
    ``frame.attrs["config"]`` holds the sweep configuration when known.
    """
    records = []
    for row in rows:
        record = {column: row.get(column) for column in COLUMNS}
        for column in _ARRAY_COLUMNS:
            value = record[column]
            if isinstance(value, bytes | bytearray | memoryview):
                record[column] = _unpack(bytes(value))
        if record["converged"] is not None:
            record["converged"] = bool(record["converged"])
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    # Tasks that raised have no metrics: nullable integer/boolean columns keep them.
    types = {"drop": "int64", "budget_index": "int64", "n_outer": "Int64", "n_inner": "Int64"}
    types.update({"converged": "boolean", "budget_dbm": float, "finished_at": float})
    types.update({c: float for c in ("sum_rate", "min_rate", "jain_index", "solve_time")})
    types["task_time"] = float
    frame = frame.astype(types)
    if config is not None and config.get("vary") and "values" in config:
        values = list(config["values"])
        point_values = [values[i] if 0 <= i < len(values) else None for i in frame["budget_index"]]
        frame.insert(2, str(config["vary"]), point_values)
    order = list(config["algorithms"]) if config else sorted(set(frame["algorithm"]))
    rank = {name: i for i, name in enumerate(order)}
    frame["_rank"] = frame["algorithm"].map(rank).fillna(len(rank))
    frame = frame.sort_values(["drop", "budget_index", "_rank"], kind="stable")
    frame = frame.drop(columns="_rank").reset_index(drop=True)
    if config is not None:
        frame.attrs["config"] = dict(config)
    return frame


# --------------------------------------------------------------------------- the store
class ResultStore:
    """An SQLite results store holding one sweep.

    Parameters
    ----------
    path : str or os.PathLike
        The database file; created (with its folder) when ``mode="a"`` and missing.
    mode : {"a", "r"}
        ``"a"``: read and append; the store is reserved for this object until
        :meth:`close` (a second writer gets :class:`StoreLockedError`). ``"r"``:
        read-only (plots, comparisons, exports; works on read-only files and while a
        sweep is writing).
    timeout : float
        Seconds to wait for a lock held by another process before giving up.

    Raises
    ------
    StoreCorruptError
        The file is not an SQLite database, is damaged, or is another program's
        database.
    StoreLockedError
        Another process is writing to it.
    StoreReadOnlyError
        ``mode="a"`` but the file or its folder is not writable.
    FileNotFoundError
        ``mode="r"`` and the file does not exist.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "s.sqlite")
    >>> with ResultStore(path) as store:
    ...     store.bind({"seed": 0, "algorithms": ["b0"]})
    ...     store.count()
    0
    """

    def __init__(
        self, path: str | os.PathLike[str], mode: str = "a", *, timeout: float = 10.0
    ) -> None:
        if mode not in ("a", "r"):
            raise ValueError(f"mode must be 'a' (append) or 'r' (read-only), got {mode!r}")
        self.path = Path(path)
        self.mode = mode
        self._lock_fd: int | None = None
        self._config: dict[str, Any] | None = None
        self._run_id: int | None = None
        self._conn: sqlite3.Connection | None = None
        self._wal = False
        if mode == "r":
            self._conn = self._open_readonly(timeout)
        else:
            self._conn = self._open_writer(timeout)
        try:
            self._check_schema()
        except BaseException:
            self.close()
            raise

    # -- opening ---------------------------------------------------------------------
    def _check_header(self) -> None:
        """Refuse a file that is not SQLite before touching anything next to it."""
        try:
            with open(self.path, "rb") as handle:
                header = handle.read(16)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"cannot read store {self.path}: {exc}") from None
        if header and header != b"SQLite format 3\x00":
            raise StoreCorruptError(
                f"{self.path} is not a results store (not an SQLite database); the file was "
                "left untouched. Move it away or choose another store file"
            )

    def _open_readonly(self, timeout: float) -> sqlite3.Connection:
        if not self.path.is_file():
            raise FileNotFoundError(f"store {self.path} does not exist")
        self._check_header()
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=timeout)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc).lower():
                raise _explain(self.path, exc) from None
        except sqlite3.DatabaseError as exc:
            raise _explain(self.path, exc) from None
        # A write-ahead log cannot be opened in a read-only folder: read the file as is
        # (the last clean close folded the log back into it).
        try:
            conn = sqlite3.connect(f"{uri}&immutable=1", uri=True, timeout=timeout)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            raise _explain(self.path, exc) from None

    def _open_writer(self, timeout: float) -> sqlite3.Connection:
        path = self.path
        if path.exists() and not path.is_file():
            raise StoreError(f"store {path} exists and is not a file")
        self._check_header()
        folder = path.parent if str(path.parent) else Path(".")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreReadOnlyError(f"cannot create the folder of store {path}: {exc}") from None
        if path.exists() and not os.access(path, os.W_OK):
            raise StoreReadOnlyError(
                f"store {path} is read-only; plots, comparisons and exports can still read "
                "it. Copy it to a writable place (or fix its permissions) to continue the sweep"
            )
        if not os.access(folder, os.W_OK):
            raise StoreReadOnlyError(
                f"the folder {folder} of store {path} is not writable (SQLite needs to "
                "create its log next to the file); choose another store path"
            )
        self._acquire_run_lock()
        try:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            # A foreign file fails on the first read of the schema. The write-ahead log
            # is switched on at the first write only, so that a refused file (foreign,
            # other configuration) is not modified at all.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error as exc:
            self._release_run_lock()
            raise _explain(path, exc) from None

    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _acquire_run_lock(self) -> None:
        """Reserve the store for this writer: a lock file next to it, removed on close.

        ``flock`` is released by the kernel when the process dies (even by ``kill -9``),
        so a crashed sweep never leaves the store reserved.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: rely on SQLite's own locks
            return
        lock_path = self._lock_path()
        for _ in range(20):
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StoreReadOnlyError(
                    f"cannot create the lock file {lock_path}: {exc}"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                owner = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise StoreLockedError(
                    f"store {self.path} is in use by another sweep ({owner}); wait for it to "
                    "finish, or use another store file"
                ) from None
            try:
                same = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the previous owner removed that file meanwhile: retry
        else:  # pragma: no cover - would need a pathological race
            raise StoreLockedError(f"could not reserve store {self.path}; try again")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        self._lock_fd = fd
        _LOCK_FDS.add(fd)

    def _release_run_lock(self) -> None:
        if self._lock_fd is not None:
            _LOCK_FDS.discard(self._lock_fd)
            with contextlib.suppress(OSError):
                os.unlink(self._lock_path())  # while still holding the lock
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def _check_schema(self) -> None:
        conn = self._connection()
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if tables and "meta" not in tables:
                raise StoreCorruptError(
                    f"{self.path} is an SQLite database but not a scma_alloc results store "
                    f"(tables: {sorted(tables)}); it was left untouched. Choose another file"
                )
            if not tables:
                if self.mode == "r":
                    raise StoreCorruptError(f"{self.path} is an empty database, not a store")
                self._write_transaction(_create_schema)
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            version = meta.get("schema_version")
            if version != str(SCHEMA_VERSION):
                raise StoreCorruptError(
                    f"store {self.path} has layout version {version}, this package reads "
                    f"version {SCHEMA_VERSION}; it was left untouched"
                )
            if "config" in meta:
                self._config = json.loads(meta["config"])
            # Every reader checks too: a cut file otherwise reads as rows of NULLs.
            check = [r[0] for r in conn.execute("PRAGMA quick_check(20)")]
            if check != ["ok"]:
                problems = [
                    line.strip()
                    for text in check
                    for line in str(text).splitlines()
                    if line.strip() and not line.startswith("***")
                ] or ["unknown fault"]
                more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
                raise StoreCorruptError(
                    f"store {self.path} is damaged (SQLite quick_check: {problems[0]}{more}); "
                    "it was left untouched. Start a new store (or recover rows with the "
                    "sqlite3 shell's .recover)"
                )
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"store {self.path} is closed")
        return self._conn

    def _write_transaction(self, work) -> Any:
        if self.mode != "a":
            raise StoreReadOnlyError(f"store {self.path} was opened read-only (mode='r')")
        conn = self._connection()
        try:
            if not self._wal:
                conn.execute("PRAGMA journal_mode=WAL").fetchone()
                conn.execute("PRAGMA synchronous=NORMAL")
                self._wal = True
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None
        try:
            value = work(conn)
            conn.execute("COMMIT")
            return value
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise StoreError(
                    f"store {self.path}: refusing to store a task twice ({exc})"
                ) from None
            if isinstance(exc, sqlite3.Error):
                raise _explain(self.path, exc) from None
            raise

    # -- configuration ---------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any] | None:
        """The sweep configuration recorded in the store (None for a new store)."""
        return None if self._config is None else dict(self._config)

    def bind(self, config: Mapping[str, Any], config_hash: str | None = None) -> None:
        """Record ``config`` in a new store, or check that it is the stored one.

        Raises
        ------
        ConfigMismatchError
            The store holds another sweep; the message lists the differing fields.
        """
        canonical = json.loads(json.dumps(dict(config), sort_keys=True))
        if self._config is not None:
            if self._config != canonical:
                raise ConfigMismatchError(
                    f"store {self.path} holds a different sweep and results are never mixed "
                    f"({_describe_difference(self._config, canonical)}); a stored sweep can "
                    "only grow (more drops, or values after its last one). Use another store "
                    "file, or delete this one to start over"
                )
            return
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))

        def record(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO meta VALUES ('config', ?)", (text,))
            if config_hash is not None:
                conn.execute("INSERT INTO meta VALUES ('config_hash', ?)", (config_hash,))
            conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (repr(time.time()),))

        self._write_transaction(record)
        self._config = canonical

    def replace_config(self, config: Mapping[str, Any], config_hash: str | None = None) -> None:
        """Record ``config`` in place of the stored configuration (a sweep that grew).

        The caller checks that every stored task belongs to ``config`` (for sweeps:
        :meth:`~scma_alloc.SweepConfig.is_extension_of`). The replaced configuration and
        its hash are appended to ``meta`` key ``previous_configs`` (a JSON list, oldest
        first), with the time of the change.

        Raises
        ------
        StoreError
            The store has no configuration yet (use :meth:`bind`), or is read-only.
        """
        if self._config is None:
            raise StoreError(f"store {self.path} has no configuration to replace; use bind()")
        canonical = json.loads(json.dumps(dict(config), sort_keys=True))
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        replaced = self._config

        def record(conn: sqlite3.Connection) -> None:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            history = json.loads(meta.get("previous_configs", "[]"))
            history.append(
                {
                    "config": replaced,
                    "config_hash": meta.get("config_hash"),
                    "replaced_at": time.time(),
                }
            )
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('previous_configs', ?)",
                (json.dumps(history, sort_keys=True, separators=(",", ":")),),
            )
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('config', ?)", (text,))
            if config_hash is None:
                conn.execute("DELETE FROM meta WHERE key = 'config_hash'")
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('config_hash', ?)", (config_hash,)
                )

        self._write_transaction(record)
        self._config = canonical

    def previous_configs(self) -> list[dict[str, Any]]:
        """The configurations this store held before it grew, oldest first (each with
        ``config``, ``config_hash`` and ``replaced_at``)."""
        try:
            row = (
                self._connection()
                .execute("SELECT value FROM meta WHERE key = 'previous_configs'")
                .fetchone()
            )
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None
        return [] if row is None else list(json.loads(row[0]))

    # -- tasks -----------------------------------------------------------------------
    def finished(self) -> set[tuple[int, int, str]]:
        """Keys ``(drop, budget_index, algorithm)`` of every stored task."""
        conn = self._connection()
        try:
            return {
                (int(d), int(b), str(a))
                for d, b, a in conn.execute('SELECT "drop", budget_index, algorithm FROM results')
            }
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    def count(self) -> int:
        """Number of stored tasks."""
        try:
            return int(self._connection().execute("SELECT count(*) FROM results").fetchone()[0])
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    def write(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store finished tasks in one transaction (all or nothing).

        Raises
        ------
        StoreError
            A task is already stored (never overwritten), or the write failed.
        """
        if not rows:
            return
        now = time.time()
        values = [
            tuple(
                _pack(row.get(c))
                if c in _ARRAY_COLUMNS
                else (now if c == "finished_at" and row.get(c) is None else row.get(c))
                for c in COLUMNS
            )
            for row in rows
        ]
        placeholders = ", ".join("?" for _ in COLUMNS)
        names = ", ".join(f'"{c}"' for c in COLUMNS)
        self._write_transaction(
            lambda c: c.executemany(
                f"INSERT INTO results ({names}) VALUES ({placeholders})", values
            )
        )

    def rows(self) -> list[dict[str, Any]]:
        """Every stored task as a dict (arrays still packed)."""
        conn = self._connection()
        names = ", ".join(f'"{c}"' for c in COLUMNS)
        try:
            cursor = conn.execute(f"SELECT {names} FROM results")
            return [dict(zip(COLUMNS, r, strict=True)) for r in cursor]
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    def frame(self) -> pd.DataFrame:
        """The stored tasks as the sweep's tidy :class:`pandas.DataFrame`."""
        return results_frame(self.rows(), self._config)

    # -- run sessions ----------------------------------------------------------------
    def start_run(self, backend: str, n_workers: int) -> None:
        """Record the start of a run session (for timings and provenance)."""

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO runs (started_at, state, backend, n_workers, tasks_done, host, pid) "
                "VALUES (?, 'running', ?, ?, 0, ?, ?)",
                (time.time(), backend, n_workers, socket.gethostname(), os.getpid()),
            )
            return int(cursor.lastrowid)

        self._run_id = self._write_transaction(insert)

    def finish_run(self, state: str, tasks_done: int) -> None:
        """Record how the current run session ended (``"finished"``, ``"interrupted"``...)."""
        if self._run_id is None:
            return
        run_id = self._run_id
        self._write_transaction(
            lambda c: c.execute(
                "UPDATE runs SET finished_at = ?, state = ?, tasks_done = ? WHERE id = ?",
                (time.time(), state, tasks_done, run_id),
            )
        )
        self._run_id = None

    def runs(self) -> pd.DataFrame:
        """The run sessions (start, end, state, backend, workers, tasks done)."""
        try:
            return pd.read_sql_query("SELECT * FROM runs ORDER BY id", self._connection())
        except (sqlite3.Error, pd.errors.DatabaseError) as exc:
            raise StoreError(f"store {self.path}: {exc}") from None

    # -- closing ---------------------------------------------------------------------
    def close(self) -> None:
        """Close the store; a writer folds its log back into the single file."""
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._wal:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA journal_mode=DELETE")
            conn.close()
        self._release_run_lock()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - safety net
        with contextlib.suppress(Exception):
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else ("read-only" if self.mode == "r" else "open")
        return f"ResultStore({str(self.path)!r}, {state})"


def _create_schema(conn: sqlite3.Connection) -> None:
    # One statement at a time: executescript() would commit the open transaction.
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def load_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a store's tidy table (read-only; safe while a sweep is writing to it).

    Examples
    --------
    >>> import scma_alloc as sa, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "s.sqlite")
    >>> _ = sa.sweep([3.0, 10.0], 2, ["b0"], store=path)
    >>> len(load_results(path))
    4
    """
    with ResultStore(path, mode="r") as store:
        return store.frame()
