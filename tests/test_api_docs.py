"""The API reference (docs/api/*.rst) lists exactly the public names of each package.

A name added to a package's ``__all__`` must be placed in a group of its reference page, and
a page must not list a name the package does not export. Plain text parsing: no Sphinx
needed (the Sphinx build itself runs in ``.ci/run``).
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path

import pytest

API_DIR = Path(__file__).resolve().parents[1] / "docs" / "api"
PACKAGES = ("scma_alloc", "scma_alloc.link", "gfnoma")

_DIRECTIVE = re.compile(r"^(\s*)\.\. ([\w:-]+)::\s*(\S*)\s*$")
_AUTO_OBJECT = {"autofunction", "autoclass", "autoexception", "autodata", "autoattribute"}


def documented_names(page: Path, package: str) -> list[str]:
    """Names an API page documents: autosummary entries and auto* directives, in order."""
    names: list[str] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i])
        i += 1
        if match is None:
            continue
        indent, directive, argument = match.groups()
        if directive in _AUTO_OBJECT:
            names.append(argument)
        elif directive == "autosummary":
            # The block: options (":toctree: ...") and entries, indented deeper than the
            # directive; blank lines inside it are allowed.
            while i < len(lines) and (
                not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(indent)
            ):
                entry = lines[i].strip()
                i += 1
                if entry and not entry.startswith(":"):
                    names.append(entry.split()[0])
    prefix = f"{package}."
    return [n.lstrip("~").removeprefix(prefix) for n in names]


def _page(package: str) -> str:
    """The reference page of a package: ``scma_alloc.link`` -> ``scma_alloc_link.rst``."""
    return package.replace(".", "_") + ".rst"


@pytest.mark.parametrize("package", PACKAGES)
def test_api_page_lists_exactly_the_public_names(package: str) -> None:
    module = importlib.import_module(package)
    documented = documented_names(API_DIR / _page(package), package)
    exported = set(module.__all__)

    missing = sorted(exported - set(documented))
    page = f"docs/api/{_page(package)}"
    assert not missing, f"{page} does not list these exported names: {missing}"
    extra = sorted(set(documented) - exported)
    assert not extra, f"{page} lists names not in {package}.__all__: {extra}"
    twice = sorted(name for name, count in Counter(documented).items() if count > 1)
    assert not twice, f"{page} lists these names more than once: {twice}"


@pytest.mark.parametrize("package", PACKAGES)
def test_public_names_resolve(package: str) -> None:
    """Every exported name imports (the lazily loaded ones of scma_alloc included)."""
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_parser_reads_autosummary_blocks_and_directives(tmp_path: Path) -> None:
    page = tmp_path / "pkg.rst"
    page.write_text(
        "Title\n=====\n\n.. currentmodule:: pkg\n\n"
        ".. autosummary::\n   :toctree: generated\n\n   alpha\n   ~pkg.Beta\n\n"
        "Text between.\n\n.. autofunction:: pkg.gamma\n.. autodata:: DELTA\n",
        encoding="utf-8",
    )
    assert documented_names(page, "pkg") == ["alpha", "Beta", "gamma", "DELTA"]
