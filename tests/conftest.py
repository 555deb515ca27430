"""Shared test settings and helpers.

* Torch runs single-threaded in every test module: the tests check correctness, not
  speed, and on a shared 2-core machine OpenMP worker threads that wait for a busy core slow
  every large tensor operation down by an order of magnitude. The setting is restored after
  each module. Speed is measured by the scripts in ``benchmarks/`` instead.
* ``run_doctests(module_name)`` runs a module's docstring examples;
  ``run_doc_examples(page)`` runs the ```python blocks of a Markdown page in order, in one
  namespace, from a temporary working directory (examples may write files).
"""

from __future__ import annotations

import doctest
import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="module")
def _single_threaded_torch():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def run_doctests() -> Callable[[str], doctest.TestResults]:
    def run(name: str) -> doctest.TestResults:
        module = importlib.import_module(name)
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        return doctest.testmod(module, optionflags=flags, verbose=False)

    return run


@pytest.fixture
def run_doc_examples(tmp_path, monkeypatch) -> Callable[[str], int]:
    def run(page: str) -> int:
        path = ROOT / page
        blocks = re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        monkeypatch.chdir(tmp_path)
        namespace: dict = {}
        for block in blocks:
            exec(compile(block, str(path), "exec"), namespace)
        return len(blocks)

    return run
