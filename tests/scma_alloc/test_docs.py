"""The docstring examples of scma_alloc and the examples of its pages (docs/*.md, README) run."""

from __future__ import annotations

import pytest

MODULES = [
    "scma_alloc",
    "scma_alloc._units",
    "scma_alloc._scenario",
    "scma_alloc._pathloss",
    "scma_alloc._positions",
    "scma_alloc._scenario_files",
    "scma_alloc._graph",
    "scma_alloc._greedy",
    "scma_alloc._rates",
    "scma_alloc._power",
    "scma_alloc._exhaustive",
    "scma_alloc._solve",
    "scma_alloc._baselines",
    "scma_alloc._registry",
    "scma_alloc._sweep",
    "scma_alloc._export",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, run_doctests):
    result = run_doctests(name)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "page", ["docs/scma_alloc.md", "docs/integration.md", "docs/planning_guide.md", "README.md"]
)
def test_doc_examples_run(page, run_doc_examples):
    assert run_doc_examples(page) > 0
