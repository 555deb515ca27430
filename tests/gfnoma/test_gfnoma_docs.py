"""Docstring examples and the examples of docs/gfnoma_simulator.md actually run."""

from __future__ import annotations

import pytest

MODULES = [
    "gfnoma.signatures",
    "gfnoma.metrics",
    "gfnoma.theory",
    "gfnoma.channel",
    "gfnoma.simulate",
    "gfnoma.search",
    "gfnoma.allocation",
    "gfnoma.interference",
    "gfnoma.link_sinr",
    "gfnoma.loss",
    "gfnoma.models",
    "gfnoma.train",
    "gfnoma.pretrained",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, run_doctests):
    result = run_doctests(name)
    assert result.attempted > 0 and result.failed == 0


def test_doc_examples_run(run_doc_examples):
    assert run_doc_examples("docs/gfnoma_simulator.md") >= 3
