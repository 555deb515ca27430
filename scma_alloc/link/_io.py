"""Codebook files: the text table format, the MATLAB ``.mat`` layout and the shipped sets.

* Text (``.cb`` and any suffix other than ``.mat``): first line ``J K M``; then J*K rows,
  user-major (row ``u*K + k`` is user ``u`` on resource ``k``), each with M pairs
  ``Re Im`` (the format of the AFF3CT configuration files).
* MATLAB: a K x M x J complex array (``CB(:, :, j)`` is the K x M codebook of user j),
  read with :func:`scipy.io.loadmat`; the file's only 3-D numeric variable, or the one
  named by ``variable``.
* ``"CS1"`` .. ``"CS8"``: the published 6 x 4, M = 4 sets shipped in
  ``scma_alloc/link/data/`` (its README names their sources).

:func:`load_codebook` applies one normalisation to every table it reads: unit mean power
per resource element of the superposed signal (:meth:`Codebook.normalized`).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ._codebook import Codebook

__all__ = ["CODEBOOK_NAMES", "load_codebook", "read_codebook", "save_codebook"]

#: Names of the shipped codebook sets.
CODEBOOK_NAMES = tuple(f"CS{i}" for i in range(1, 9))

_SOURCES = {
    "CS1": "Huawei, 1st 5G Algorithm Innovation Competition SCMA presentation",
    "CS2": "LDS (low-density spreading) on a QPSK constellation",
    "CS3": "after 'Capacity analysis for non-orthogonal overloading transmissions under "
    "constellation constraints' (IEEE 7341294), optimised for AWGN",
    "CS4": "'A capacity-based codebook design method for sparse code multiple access "
    "systems' (IEEE 7752620)",
    "CS5": "'Signature Design of Sparsely Spread CDMA Based on Superposed Constellation "
    "Distance Analysis' (arXiv:1604.04362)",
    "CS6": "'SCMA Codebooks Optimization Based on Genetic Algorithm' (IEEE 8011314)",
    "CS7": "'SCMA Codebooks Optimization Based on Genetic Algorithm' (IEEE 8011314)",
    "CS8": "'Iterative multiuser receiver in sparse code multiple access systems' "
    "(IEEE 7248770), for uplink fading",
}


def load_codebook(
    name_or_path: str | os.PathLike[str] | Codebook,
    *,
    normalize: bool = True,
    variable: str | None = None,
) -> Codebook:
    """A codebook set by name (``"CS1"`` .. ``"CS8"``) or from a file, normalised.

    Parameters
    ----------
    name_or_path : str, path or Codebook
        A shipped set's name (case-insensitive), a text table or a ``.mat`` file; a
        :class:`Codebook` is returned as it is (normalised if ``normalize``).
    normalize : bool, default True
        Scale to unit mean power per resource element of the superposed signal.
    variable : str, optional
        The array to read from a ``.mat`` file (default: its only 3-D numeric array).

    Returns
    -------
    Codebook

    Raises
    ------
    TypeError
        If ``name_or_path`` is not a string, path or Codebook.
    ValueError
        If the name is unknown and no such file exists, or the file is malformed (the
        message names the file and what is wrong).

    Examples
    --------
    >>> from scma_alloc.link import load_codebook
    >>> cb = load_codebook("CS1")
    >>> round(cb.mean_power_per_resource_element(), 12)
    1.0
    """
    if isinstance(name_or_path, Codebook):
        return name_or_path.normalized() if normalize else name_or_path
    if not isinstance(name_or_path, str | os.PathLike):
        raise TypeError(
            "name_or_path must be a codebook name ('CS1'..'CS8'), a file path or a Codebook, "
            f"got {type(name_or_path).__name__}"
        )
    text = os.fspath(name_or_path)
    if text.upper() in CODEBOOK_NAMES and not Path(text).exists():
        name = text.upper()
        data = resources.files(__package__).joinpath("data", f"{name}.cb")
        codebook = _parse_text(data.read_text(encoding="ascii"), name)
        codebook = Codebook(codebook.codewords, name=name, source=_SOURCES[name])
    else:
        path = Path(text)
        if not path.is_file():
            raise ValueError(
                f"codebook {text!r} is neither a shipped set ({', '.join(CODEBOOK_NAMES)}) nor "
                "a file"
            )
        codebook = read_codebook(path, variable=variable)
    return codebook.normalized() if normalize else codebook


def read_codebook(path: str | os.PathLike[str], *, variable: str | None = None) -> Codebook:
    """Read a codebook file as it is (no normalisation): ``.mat`` or the text table.

    Parameters
    ----------
    path : str or path
        The file; ``.mat`` is read as MATLAB (K x M x J complex array), anything else as
        the text table (see the module docstring).
    variable : str, optional
        For ``.mat``: the variable to read.

    Returns
    -------
    Codebook

    Raises
    ------
    ValueError
        If the file is malformed, with the file named.
    """
    path = Path(path)
    if path.suffix.lower() == ".mat":
        return _read_mat(path, variable)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"codebook file {path} is not UTF-8 text (nor a .mat file)") from None
    codebook = _parse_text(text, str(path))
    return Codebook(codebook.codewords, name=path.stem, source=str(path))


def save_codebook(codebook: Codebook, path: str | os.PathLike[str]) -> Path:
    """Write a codebook as a text table or, for a ``.mat`` suffix, as MATLAB (K x M x J).

    Parameters
    ----------
    codebook : Codebook
    path : str or path

    Returns
    -------
    pathlib.Path
        The file written.
    """
    if not isinstance(codebook, Codebook):
        raise TypeError(f"codebook must be a Codebook, got {type(codebook).__name__}")
    path = Path(path)
    cw = codebook.codewords
    if path.suffix.lower() == ".mat":
        from scipy.io import savemat

        savemat(path, {"CB": np.transpose(cw, (1, 2, 0))})
        return path
    n_users, n_resources, order = cw.shape
    lines = [f"{n_users} {n_resources} {order}"]
    for user in range(n_users):
        for k in range(n_resources):
            pairs = np.stack([cw[user, k].real, cw[user, k].imag], axis=1).ravel()
            lines.append(" ".join(f"{v:.10f}" for v in pairs))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _parse_text(text: str, where: str) -> Codebook:
    tokens = text.split()
    if len(tokens) < 3:
        raise ValueError(f"codebook {where}: the first line must be 'J K M' (three integers)")
    try:
        n_users, n_resources, order = (int(t) for t in tokens[:3])
    except ValueError:
        raise ValueError(
            f"codebook {where}: the first line must be 'J K M' (three integers), got "
            f"{' '.join(tokens[:3])!r}"
        ) from None
    if min(n_users, n_resources, order) < 1:
        raise ValueError(f"codebook {where}: J, K and M must be positive")
    expected = n_users * n_resources * 2 * order
    if len(tokens) - 3 != expected:
        raise ValueError(
            f"codebook {where}: J={n_users}, K={n_resources}, M={order} needs "
            f"{n_users * n_resources} rows of {2 * order} numbers ({expected} in all), found "
            f"{len(tokens) - 3}"
        )
    try:
        values = np.array([float(t) for t in tokens[3:]])
    except ValueError as exc:
        raise ValueError(f"codebook {where}: not a number ({exc})") from None
    pairs = values.reshape(n_users, n_resources, order, 2)
    try:
        return Codebook(pairs[..., 0] + 1j * pairs[..., 1], name=where)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"codebook {where}: {exc}") from None


def _read_mat(path: Path, variable: str | None) -> Codebook:
    from scipy.io import loadmat

    try:
        content: dict[str, Any] = loadmat(path)
    except Exception as exc:  # scipy raises several types for damaged files
        raise ValueError(f"codebook {path}: cannot read it as a .mat file ({exc})") from None
    arrays = {
        key: value
        for key, value in content.items()
        if not key.startswith("__") and isinstance(value, np.ndarray) and value.ndim == 3
    }
    if variable is not None:
        if variable not in content:
            raise ValueError(f"codebook {path}: no variable {variable!r} (has {sorted(arrays)})")
        array = np.asarray(content[variable])
    elif len(arrays) == 1:
        array = next(iter(arrays.values()))
    else:
        raise ValueError(
            f"codebook {path}: expected one K x M x J array, found {len(arrays)} 3-D variables "
            f"({sorted(arrays)}); name one with variable="
        )
    if array.ndim != 3 or array.dtype.kind not in "biufc":
        raise ValueError(f"codebook {path}: the variable must be a K x M x J numeric array")
    try:
        codebook = Codebook(np.transpose(array, (2, 0, 1)), name=path.stem, source=str(path))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"codebook {path}: {exc}") from None
    return codebook
