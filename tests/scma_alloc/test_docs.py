"""The docstring examples of scma_alloc and the examples of docs/scma_alloc.md run."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MODULES = [
    "scma_alloc",
    "scma_alloc.units",
    "scma_alloc.scenario",
    "scma_alloc.factor_graph",
    "scma_alloc.rates",
    "scma_alloc.exhaustive",
    "scma_alloc.solvers",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("page", ["scma_alloc.md", "integration.md", "../README.md"])
def test_doc_examples_run(page, tmp_path, monkeypatch):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, page, "exec"), {})
