"""Run a snippet under one version of the package: the checkout's or an earlier one.

Before/after benchmarks need both versions on the same instances in one run. An
earlier version is a source tree (for example ``git worktree add /tmp/before <commit>``);
:func:`run_worker` runs a Python snippet in a fresh process whose ``PYTHONPATH`` puts
that tree (or this checkout) first and returns the JSON it prints last. The snippets use
only the public API both versions share (``random_scenario``, ``solve_max_sr``,
``solve_max_min``, ``exhaustive_max_sr``, ``exhaustive_max_min``, ``dbm_to_watt``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def source_tree(path: str | os.PathLike[str] | None) -> Path:
    """The source tree to import ``scma_alloc`` from (default: this checkout)."""
    tree = ROOT if path is None else Path(path).resolve()
    if not (tree / "scma_alloc" / "__init__.py").is_file():
        raise SystemExit(f"{tree} has no scma_alloc package (give a checkout of the repository)")
    return tree


def run_worker(code: str, tree: Path, *args: str, timeout: float | None = None) -> Any:
    """Run ``code`` (Python) with ``tree`` first on the path; the last stdout line is JSON."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=tree,  # "python -c" puts the working folder first on sys.path
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker failed under {tree}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def environment() -> str:
    """One line on the conditions of a timing run (load, cores, thread settings)."""
    threads = {
        name: os.environ[name]
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        if name in os.environ
    }
    load = os.getloadavg()[0]
    return (
        f"load average {load:.2f} on {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"thread settings {threads or 'default'}"
    )
