"""Shared pieces of the ``benchmarks/integration_*.py`` scripts.

Signature sets by name or from ``Signatures`` JSON files, seeded 4 x 6 drops shared by
every script, and the resumable CSV writer (rows appended as they finish, finished keys
skipped on rerun).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import gfnoma
import scma_alloc as sa

#: Conventional sets understood by :func:`signature_sets`.
CONVENTIONAL = ("wbe", "qwbe", "musa", "cc-search", "random")


def _conventional(name: str, activation: Sequence[float], length: int) -> gfnoma.Signatures:
    key = name.strip().lower()
    if key == "cc-search":
        return gfnoma.search_signatures(activation, length).signatures
    if key not in ("wbe", "qwbe", "musa", "random"):
        raise ValueError(f"--sets: unknown set {name!r}; choose from {', '.join(CONVENTIONAL)}")
    return gfnoma.make_signatures(key, activation, length)


def signature_sets(
    names: Iterable[str],
    files: Iterable[Path] = (),
    *,
    activation: Sequence[float] = gfnoma.P_ASY,
    length: int = 4,
    n_users: int = 6,
) -> list[gfnoma.Signatures]:
    """Conventional sets by name (p = ``activation``) plus any ``Signatures`` JSON files.

    A file keeps its own activation profile and name (the file stem if it is the
    default ``"custom"``);
    its user count must be ``n_users`` (the scenario's J).
    """
    sets = [_conventional(name, activation, length) for name in names]
    for path in files:
        sig = gfnoma.Signatures.load(path)
        if sig.n_users != n_users:
            raise ValueError(
                f"--signatures: {path} has {sig.n_users} users, the scenario has {n_users}"
            )
        if sig.name == "custom":
            sig = sig.with_name(Path(path).stem)
        sets.append(sig)
    labels = [s.name for s in sets]
    if len(set(labels)) != len(labels):
        raise ValueError(f"signature set names must be unique, got {labels}")
    return sets


def drop(index: int, seed: int, budget_dbm: float) -> sa.Scenario:
    """Drop ``index`` of the paper's 4 x 6 scenario (paper noise) at ``budget_dbm``.

    One channel per drop (``SeedSequence(seed).spawn``), the budget changed with
    ``Scenario.with_budget``: every budget and every set sees the same channels.
    """
    child = np.random.SeedSequence(seed).spawn(index + 1)[index]
    base = sa.random_scenario(power_budget_dbm=budget_dbm, rng=np.random.default_rng(child))
    return base.with_budget(sa.dbm_to_watt(budget_dbm))


class ResumableCSV:
    """Append rows to a CSV as they finish; :meth:`done` lists finished keys."""

    def __init__(self, path: Path, fields: Sequence[str], key: Sequence[str]) -> None:
        self.path = Path(path)
        self.fields = list(fields)
        self.key = list(key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            header = pd.read_csv(self.path, nrows=0).columns.tolist()
            if header != self.fields:
                raise ValueError(
                    f"--out: {self.path} has columns {header}, expected {self.fields}; "
                    "use another file"
                )

    def done(self) -> set[tuple]:
        if not self.path.exists():
            return set()
        frame = pd.read_csv(self.path)
        return {tuple(row) for row in frame[self.key].itertuples(index=False)}

    def append(self, rows: Iterable[dict]) -> None:
        new = not self.path.exists()
        with open(self.path, "a", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=self.fields)
            if new:
                writer.writeheader()
            writer.writerows(rows)

    def read(self) -> pd.DataFrame:
        return pd.read_csv(self.path)
