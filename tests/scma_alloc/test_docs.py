"""The docstring examples of scma_alloc and the examples of docs/scma_alloc.md run."""

from __future__ import annotations

import pytest

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
def test_docstring_examples(name, run_doctests):
    result = run_doctests(name)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("page", ["docs/scma_alloc.md", "docs/integration.md", "README.md"])
def test_doc_examples_run(page, run_doc_examples):
    assert run_doc_examples(page) > 0
