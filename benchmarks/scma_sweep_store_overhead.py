"""What the SQLite store adds to a sweep's time (target: < 5 %).

Two measurements, for the same sweep run in memory (``store=None``) and into a fresh
store file:

* wall clock of whole runs, alternated (memory, store, memory, store, ...) so that
  machine load drifts affect both equally; the medians are compared;
* the time spent inside the store itself (opening, configuration check, every
  ``write`` transaction, run records, the final read of the table), measured by
  wrapping the store's methods, as a share of the stored run's wall time. This is
  insensitive to other processes on the machine.

Two sweeps: a realistic one (the default algorithms, Max-SR and Max-Min dominate)
and a worst case (baselines only: each point costs about a millisecond, so the
per-point commit weighs the most). Serial (``n_jobs=1``): no parallelism hides
anything.

    python benchmarks/scma_sweep_store_overhead.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scma_alloc as sa  # noqa: E402
from scma_alloc import ResultStore  # noqa: E402

CASES = {
    "realistic (max-sr, max-min, b0-b3; 8 budgets x 8 drops)": dict(
        budgets_dbm=sa.PAPER_BUDGETS_DBM, n_drops=8, algorithms=sa.DEFAULT_ALGORITHMS
    ),
    "worst case (b0-b3 only; 8 budgets x 150 drops)": dict(
        budgets_dbm=sa.PAPER_BUDGETS_DBM, n_drops=150, algorithms=("b0", "b1", "b2", "b3")
    ),
}
TIMED = ("__init__", "bind", "finished", "write", "start_run", "finish_run", "frame", "close")


class StoreClock:
    """Adds up the time spent in the store's methods (wrapping them on the class)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._saved = {}

    def __enter__(self) -> StoreClock:
        for name in TIMED:
            original = getattr(ResultStore, name)
            self._saved[name] = original

            @functools.wraps(original)
            def timed(*args, _original=original, **kwargs):
                start = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - start
                    self.calls += 1

            setattr(ResultStore, name, timed)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, original in self._saved.items():
            setattr(ResultStore, name, original)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    sa.sweep([3.0], 1, sa.DEFAULT_ALGORITHMS)  # warm-up: imports, CVXPY problem caches
    for label, case in CASES.items():
        memory, stored, inside = [], [], []
        with tempfile.TemporaryDirectory() as folder:
            for repeat in range(args.repeats):
                start = time.perf_counter()
                reference = sa.sweep(**case, seed=repeat)
                memory.append(time.perf_counter() - start)
                path = Path(folder) / f"run{repeat}.sqlite"
                with StoreClock() as clock:
                    start = time.perf_counter()
                    table = sa.sweep(**case, seed=repeat, store=path)
                    stored.append(time.perf_counter() - start)
                inside.append(clock.seconds / stored[-1])
                assert len(table) == len(reference)
                n_points = len(table) // len(case["algorithms"])
                commits = clock.calls
        m, s = statistics.median(memory), statistics.median(stored)
        print(f"\n{label}: {len(table)} tasks, {n_points} commits per run")
        print(f"  in memory: {', '.join(f'{t:.2f}' for t in memory)} s (median {m:.2f})")
        print(f"  with store: {', '.join(f'{t:.2f}' for t in stored)} s (median {s:.2f})")
        print(f"  wall-clock difference of the medians: {(s - m) / m:+.1%}")
        print(
            f"  time inside the store: {', '.join(f'{v:.2%}' for v in inside)} of the run "
            f"(median {statistics.median(inside):.2%}; {commits} store calls per run, "
            f"{1e3 * statistics.median(inside) * s / n_points:.2f} ms per point)"
        )
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
