"""Sphinx configuration: the API reference from the docstrings, and the pages in docs/.

Build (warnings are errors, as in ``.ci/run``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import os
import pkgutil
import re
import sys
import warnings

from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

# Document the packages of this checkout, not another installed copy.
sys.path.insert(0, os.path.abspath(".."))

import gfnoma
import scma_alloc
import scma_alloc.link

project = "noma-alloc"
author = "the noma-alloc authors"
copyright = "the noma-alloc authors"
release = version = scma_alloc.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build"]

# Every cross-reference must resolve (``-n``), so a reference to a renamed or removed name
# of ours fails the build. No intersphinx (CI has no internet): references to other
# packages' types (numpy, pandas, torch, the standard library), mostly from the signatures'
# annotations, stay plain text.
nitpicky = True
_EXTERNAL = (
    "numpy|np|pandas|pd|torch|scipy|networkx|nx|matplotlib|mpl|dask|distributed"
    "|collections|typing|os|pathlib|types|concurrent|sqlite3"
)
nitpick_ignore_regex = [
    (r"py:.*", rf"({_EXTERNAL})(\..+)?"),
]

# MyST: GitHub-style heading anchors, so the pages' links such as "#1-model" resolve here as
# they do on GitHub.
myst_heading_anchors = 3

# autosummary writes one page per public name into docs/api/generated/ (not tracked).
autosummary_generate = True
autosummary_generate_overwrite = True
autodoc_default_options = {"members": True, "show-inheritance": True}
# Signatures without annotations, as in NumPy's and SciPy's references: the numpydoc
# Parameters and Returns sections give the types (``array_like, shape (K, J)``).
autodoc_typehints = "none"
autodoc_preserve_defaults = True

# Members without a docstring of their own (a torch ``forward``, an override of a documented
# base method) are left out rather than shown with the base class's text.
autodoc_inherit_docstrings = False

# numpydoc renders the docstrings; class members come from autodoc (own members only, no
# tables of inherited torch.nn.Module or dict methods). Full validation is not workable
# (hundreds of stylistic gaps: no See Also, no Examples, parameters described in prose);
# these checks catch what breaks the reference: an unknown section (numpydoc drops it), a
# documented member without a docstring, a documented parameter that is not in the
# signature, a parameter line without the space before the colon.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = {"GL06", "GL08", "PR02", "PR10"}

html_theme = "alabaster"
html_title = f"noma-alloc {release}"
html_theme_options = {"description": "Resource allocation for uplink NOMA"}

_logger = logging.getLogger(__name__)

# -- constants: the ``#:`` comment where they are defined ------------------------------------
# Constants are re-exported by the package, so autodoc finds no doc comment for
# ``scma_alloc.STATUS_OPTIMAL`` and would show ``str``'s docstring instead. Take the comment
# from the defining module; values with a long repr (``CONFIGS``) are left out of the
# heading line (``_templates/autosummary/data.rst``).

_PACKAGES = (scma_alloc, scma_alloc.link, gfnoma)


def _attribute_comments() -> dict[str, list[str]]:
    comments: dict[str, list[str]] = {}
    for package in _PACKAGES:
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue
            docs = ModuleAnalyzer.for_module(info.name).find_attr_docs()
            for (scope, name), lines in docs.items():
                if scope == "" and name in package.__all__:
                    comments.setdefault(f"{package.__name__}.{name}", list(lines))
    return comments


_COMMENTS = _attribute_comments()
# (Every public name is looked up here, so a lazy export that fails to import stops the build.)
_CONSTANTS = {
    f"{package.__name__}.{name}": getattr(package, name)
    for package in _PACKAGES
    for name in package.__all__
    if not callable(getattr(package, name))
}
autosummary_context = {
    "long_values": sorted(name for name, value in _CONSTANTS.items() if len(repr(value)) > 80)
}
# numpydoc would validate a constant's type (``str``, ``mappingproxy``); the hook below checks
# their comments instead.
numpydoc_validation_exclude = {rf"^{re.escape(name)}$" for name in _CONSTANTS}


def _constant_docstring(app, what, name, obj, options, lines):
    if what != "data":
        return
    lines[:] = list(_COMMENTS.get(name, []))
    if not lines:
        _logger.warning("constant %s has no '#:' comment where it is defined", name)


# -- numpydoc's parser warnings are Sphinx warnings (so -W fails on them) -------------------
# numpydoc reports an unknown section or a bad underline with warnings.warn, which -W does
# not see; route those through Sphinx's logger.

_showwarning = warnings.showwarning


def _showwarning_numpydoc(message, category, filename, lineno, file=None, line=None):
    if f"{os.sep}numpydoc{os.sep}" in filename:
        _logger.warning("numpydoc: %s", message)
    else:
        _showwarning(message, category, filename, lineno, file, line)


def _public_bases(app, name, obj, options, bases):
    """Show a private base class (``_Decoder``) as its own public bases."""
    public: list[type] = []
    pending = list(bases)
    while pending:
        base = pending.pop(0)
        if base.__name__.startswith("_"):
            pending[:0] = base.__bases__
        elif base not in public:
            public.append(base)
    bases[:] = public


def setup(app):
    warnings.showwarning = _showwarning_numpydoc
    warnings.filterwarnings("default", category=UserWarning, module=r"numpydoc\b")
    app.connect("autodoc-process-docstring", _constant_docstring, priority=400)
    app.connect("autodoc-process-bases", _public_bases)
