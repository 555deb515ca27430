"""Scenario files: one schema, written and read as NPZ or CSV.

The schema (version 1) holds a :class:`~scma_alloc.Scenario` and, optionally, the user
positions it was made from:

========================  ===========================  =====================================
field                     shape                        meaning
========================  ===========================  =====================================
``gains``                 (K, J)                       ``|h[k, j]|**2``, linear (watts
                                                       received per watt sent); rows are
                                                       resources k, columns users j
``power_budget``          () or (J,)                   per-user budget in watts
``noise_power``           () or (K,)                   noise (plus external
                                                       interference) per resource, watts
``n_per_user``            ()                           N, an integer
``users_per_resource``    ()                           d_f, an integer
``positions`` (optional)  (J, 2)                       user (x, y) in metres, base station
                                                       at the origin
``schema`` (optional)     ()                           1
========================  ===========================  =====================================

NPZ: one array per field, under the field's name (``numpy.load`` reads it without
this package); nothing else is allowed in the file.

CSV: UTF-8 text, a long table with one row per (resource, user) pair. Lines starting
with ``#`` before the column header are comments; a comment of the form ``# name =
value`` (one word on each side) sets one of the integer fields ``n_per_user``,
``users_per_resource`` or ``schema``, any other comment is free text. The columns, in
any order, are ``resource`` and ``user`` (0-based integers; each pair exactly once),
``gain``, ``noise_power`` and ``power_budget``, and optionally ``x`` and ``y`` (both or
neither). ``power_budget``, ``x`` and ``y`` are per user, so
they repeat on the K rows of each user and must agree there; ``noise_power`` is read back
as one number when all rows agree, as K values when it depends only on the resource
(a value that differs between the users of a resource is refused, as ``Scenario``
refuses it). A scenario with external interference is saved with noise plus
interference in ``noise_power`` (the rates see only their sum). Numbers are written
with Python's shortest round-trip representation, so a file read back gives equal
floats.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._positions import check_positions
from ._scenario import Scenario, check_scenario

__all__ = ["SCENARIO_FILE_FORMATS", "SCENARIO_SCHEMA", "load_scenario", "save_scenario"]

#: Scenario file formats, chosen by the file suffix (or ``format=``).
SCENARIO_FILE_FORMATS = ("npz", "csv")
#: Version of the scenario file schema written by :func:`save_scenario`.
SCENARIO_SCHEMA = 1

_REQUIRED = ("gains", "power_budget", "noise_power", "n_per_user", "users_per_resource")
_OPTIONAL = ("positions", "schema")
_INTEGERS = ("n_per_user", "users_per_resource", "schema")
_CSV_COLUMNS = ("resource", "user", "gain", "noise_power", "power_budget")
_CSV_OPTIONAL = ("x", "y")
#: A CSV comment that sets a field: ``# name = value``, one word on each side.
_SETTING = re.compile(r"^#\s*(\w+)\s*=\s*(\S+)\s*$")


class _FileError(ValueError):
    """A malformed scenario file (the message names the file and the field)."""


def _check_path(path: Any) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        if format not in SCENARIO_FILE_FORMATS:
            raise ValueError(
                f"format must be one of {', '.join(SCENARIO_FILE_FORMATS)}, got {format!r}"
            )
        return format
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in SCENARIO_FILE_FORMATS:
        raise ValueError(
            f"path: cannot tell the format of {path} (suffix {path.suffix!r}); use a suffix "
            f"among .{', .'.join(SCENARIO_FILE_FORMATS)} or give format="
        )
    return fmt


def _noise_array(scenario: Scenario) -> np.ndarray:
    """The noise the rates see: with external interference, noise plus interference
    per resource (the file has one noise field; the rates are the same)."""
    if scenario.interference_power is not None:
        return np.asarray(scenario.noise_per_resource, dtype=float)
    return np.asarray(scenario.noise_power, dtype=float)


# --------------------------------------------------------------------------- writing
def _repr(value: float) -> str:
    return repr(float(value))


def _csv_text(scenario: Scenario, positions: np.ndarray | None) -> str:
    n_resources, n_users = scenario.shape
    noise = _noise_array(scenario)
    if noise.ndim == 1:  # one value per resource
        noise = noise[:, None]
    noise = np.broadcast_to(noise, (n_resources, n_users))
    columns = [*_CSV_COLUMNS, *(_CSV_OPTIONAL if positions is not None else ())]
    buffer = io.StringIO()
    buffer.write(
        f"# scma_alloc scenario file, schema {SCENARIO_SCHEMA}: one row per resource k and "
        "user j; gain is |h|^2 (linear), noise_power and power_budget in W, x and y in m\n"
        f"# schema = {SCENARIO_SCHEMA}\n"
        f"# n_per_user = {scenario.n_per_user}\n"
        f"# users_per_resource = {scenario.users_per_resource}\n"
    )
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for k in range(n_resources):
        for j in range(n_users):
            row = [
                str(k),
                str(j),
                _repr(scenario.gains[k, j]),
                _repr(noise[k, j]),
                _repr(scenario.power_budget[j]),
            ]
            if positions is not None:
                row += [_repr(positions[j, 0]), _repr(positions[j, 1])]
            writer.writerow(row)
    return buffer.getvalue()


def save_scenario(
    scenario: Scenario,
    path: str | os.PathLike[str],
    *,
    positions: ArrayLike | None = None,
    format: str | None = None,
) -> Path:
    """Write a scenario (and optionally its user positions) as NPZ or CSV.

    Parameters
    ----------
    scenario : Scenario
    path : str or path-like
        Output file; ``.npz`` or ``.csv`` unless ``format`` is given. Its folder must
        exist. The file is written whole or not at all (a temporary file is renamed).
    positions : array_like, shape (J, 2), optional
        User ``(x, y)`` in metres, stored with the scenario.
    format : {"npz", "csv"}, optional
        Default: from the suffix of ``path``.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    TypeError
        ``scenario`` is not a :class:`~scma_alloc.Scenario`, or ``path`` is not a path.
    ValueError
        An unknown format or suffix, ``path`` is a folder, or ``positions`` is not J x 2
        finite metres.

    Notes
    -----
    The schema and both layouts are described in the planning guide
    (``docs/planning_guide.md``, section 1.2). NPZ keeps every float bit for bit; CSV writes each
    number with Python's shortest round-trip representation, so reading it back gives
    equal floats too.

    Examples
    --------
    >>> import os, tempfile
    >>> import scma_alloc as sa
    >>> s = sa.random_scenario(rng=1)
    >>> path = sa.save_scenario(s, os.path.join(tempfile.mkdtemp(), "cell.csv"))
    >>> bool((sa.load_scenario(path).gains == s.gains).all())
    True
    """
    scenario = check_scenario(scenario)
    out = _check_path(path)
    fmt = _format_of(out, format)
    xy = None
    if positions is not None:
        xy = check_positions(positions)
        if xy.shape[0] != scenario.n_users:
            raise ValueError(
                f"positions must have one row per user ({scenario.n_users}), got {xy.shape[0]}"
            )
    if out.is_dir():
        raise ValueError(f"path: {out} is a folder; give a file name")
    temporary = out.with_name(f".{out.name}.partial")
    try:
        if fmt == "npz":
            fields = {
                "schema": np.asarray(SCENARIO_SCHEMA),
                "gains": np.asarray(scenario.gains),
                "power_budget": np.asarray(scenario.power_budget),
                "noise_power": _noise_array(scenario),
                "n_per_user": np.asarray(scenario.n_per_user),
                "users_per_resource": np.asarray(scenario.users_per_resource),
            }
            if xy is not None:
                fields["positions"] = xy
            with temporary.open("wb") as handle:
                np.savez(handle, **fields)
        else:
            temporary.write_text(_csv_text(scenario, xy), encoding="utf-8")
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return out


# --------------------------------------------------------------------------- reading
def _numbers(path: Path, name: str, value: np.ndarray) -> np.ndarray:
    if value.dtype.kind not in "iuf":
        raise _FileError(f"{path}: field {name!r} must hold numbers, got dtype {value.dtype}")
    if name in _INTEGERS:
        if value.ndim != 0 or value.dtype.kind not in "iu":
            raise _FileError(
                f"{path}: field {name!r} must be one integer, got {value.dtype} of shape "
                f"{value.shape}"
            )
        return value
    array = value.astype(float)
    if not np.all(np.isfinite(array)):
        raise _FileError(f"{path}: field {name!r} holds NaN or inf")
    return array


def _check_fields(path: Path, fields: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every field present, known, numeric, finite and of its shape."""
    missing = [name for name in _REQUIRED if name not in fields]
    if missing:
        raise _FileError(f"{path}: field {missing[0]!r} is missing")
    unknown = sorted(set(fields) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _FileError(
            f"{path}: unknown field {unknown[0]!r} (fields: {', '.join((*_REQUIRED, *_OPTIONAL))})"
        )
    checked = {name: _numbers(path, name, value) for name, value in fields.items()}
    if "schema" in checked and int(checked["schema"]) != SCENARIO_SCHEMA:
        raise _FileError(
            f"{path}: field 'schema' is {int(checked['schema'])}; this version reads schema "
            f"{SCENARIO_SCHEMA}"
        )
    gains = checked["gains"]
    if gains.ndim != 2 or 0 in gains.shape:
        raise _FileError(f"{path}: field 'gains' must be a K x J matrix, got shape {gains.shape}")
    n_resources, n_users = gains.shape
    shapes = {
        "power_budget": [(), (n_users,)],
        "noise_power": [(), (n_resources,), (n_resources, n_users)],
        "positions": [(n_users, 2)],
    }
    for name, allowed in shapes.items():
        if name in checked and checked[name].shape not in allowed:
            raise _FileError(
                f"{path}: field {name!r} has shape {checked[name].shape}; with {n_resources} "
                f"resources and {n_users} users it must have shape "
                f"{' or '.join(str(s) for s in allowed)}"
            )
    return checked


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    broken = (ValueError, OSError, EOFError, zipfile.BadZipFile)
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"scenario file {path} does not exist") from None
    except broken as exc:
        raise _FileError(f"{path}: not an NPZ file ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise _FileError(f"{path}: not an NPZ file (a single array, not named fields)")
    fields = {}
    with archive:
        for name in archive.files:
            try:
                fields[name] = archive[name]
            except ValueError:  # an object array needs pickle: never loaded
                raise _FileError(
                    f"{path}: field {name!r} must hold numbers (it holds Python objects)"
                ) from None
            except broken as exc:
                raise _FileError(f"{path}: field {name!r} cannot be read ({exc})") from None
    return fields


def _csv_number(path: Path, line: int, name: str, text: str, integer: bool) -> float | int:
    try:
        return int(text) if integer else float(text)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise _FileError(
            f"{path}: line {line}: field {name!r} must be {kind}, got {text!r}"
        ) from None


def _read_csv(path: Path) -> dict[str, np.ndarray]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"scenario file {path} does not exist") from None
    except UnicodeDecodeError:
        raise _FileError(f"{path}: not a CSV scenario file (not UTF-8 text)") from None
    lines = text.splitlines()
    fields: dict[str, np.ndarray] = {}
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].startswith("#")):
        setting = _SETTING.match(lines[start])
        start += 1
        if setting is None:  # free text
            continue
        name, value = setting.groups()
        if name not in _INTEGERS:
            raise _FileError(
                f"{path}: line {start}: unknown field {name!r} in a '# name = value' comment "
                f"(fields set there: {', '.join(_INTEGERS)})"
            )
        fields[name] = np.asarray(_csv_number(path, start, name, value, integer=True))
    rows = list(csv.reader(lines[start:]))
    if not rows:
        raise _FileError(f"{path}: no column header (expected {', '.join(_CSV_COLUMNS)})")
    header = [name.strip() for name in rows[0]]
    missing = [name for name in _CSV_COLUMNS if name not in header]
    if missing:
        raise _FileError(f"{path}: field {missing[0]!r} is missing (no such column)")
    unknown = [name for name in header if name not in (*_CSV_COLUMNS, *_CSV_OPTIONAL)]
    if unknown:
        raise _FileError(
            f"{path}: unknown column {unknown[0]!r} (columns: "
            f"{', '.join((*_CSV_COLUMNS, *_CSV_OPTIONAL))})"
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise _FileError(f"{path}: column {twice[0]!r} appears twice")
    has_xy = [name in header for name in _CSV_OPTIONAL]
    if any(has_xy) and not all(has_xy):
        raise _FileError(f"{path}: field 'positions' needs both columns x and y")
    body = [(start + 2 + i, row) for i, row in enumerate(rows[1:]) if row]
    if not body:
        raise _FileError(f"{path}: field 'gains' is missing (no data rows)")
    values: dict[str, list] = {name: [] for name in header}
    for line, row in body:
        if len(row) != len(header):
            raise _FileError(
                f"{path}: line {line} has {len(row)} values, the header {len(header)}"
            )
        for name, cell in zip(header, row, strict=True):
            value = _csv_number(path, line, name, cell.strip(), name in ("resource", "user"))
            values[name].append(value)
    resource = np.asarray(values["resource"])
    user = np.asarray(values["user"])
    for name, index in (("resource", resource), ("user", user)):
        if np.any(index < 0):
            raise _FileError(f"{path}: field {name!r} must be >= 0 (indices are 0-based)")
    n_resources, n_users = int(resource.max()) + 1, int(user.max()) + 1
    count = np.zeros((n_resources, n_users), dtype=int)
    np.add.at(count, (resource, user), 1)
    if np.any(count > 1):
        k, j = np.argwhere(count > 1)[0]
        raise _FileError(f"{path}: field 'gains': (resource, user) = ({k}, {j}) appears twice")
    if np.any(count == 0):
        k, j = np.argwhere(count == 0)[0]
        raise _FileError(
            f"{path}: field 'gains': no row for (resource, user) = ({k}, {j}); the file needs "
            f"all {n_resources} x {n_users} pairs"
        )

    def matrix(name: str) -> np.ndarray:
        out = np.empty((n_resources, n_users))
        out[resource, user] = values[name]
        if not np.all(np.isfinite(out)):
            raise _FileError(f"{path}: field {name!r} holds NaN or inf")
        return out

    def per_user(name: str, field: str) -> np.ndarray:
        full = matrix(name)
        if np.any(full != full[:1]):
            j = int(np.flatnonzero(np.any(full != full[:1], axis=0))[0])
            raise _FileError(
                f"{path}: field {field!r}: column {name!r} differs between the rows of user {j}"
            )
        return full[0]

    fields["gains"] = matrix("gain")
    noise = matrix("noise_power")
    if np.all(noise == noise[0, 0]):
        fields["noise_power"] = np.asarray(noise[0, 0])
    elif np.all(noise == noise[:, :1]):
        fields["noise_power"] = noise[:, 0].copy()
    else:
        fields["noise_power"] = noise
    fields["power_budget"] = per_user("power_budget", "power_budget")
    if all(has_xy):
        fields["positions"] = np.column_stack(
            (per_user("x", "positions"), per_user("y", "positions"))
        )
    return fields


def load_scenario(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    return_positions: bool = False,
) -> Scenario | tuple[Scenario, np.ndarray | None]:
    """Read a scenario file written by :func:`save_scenario` (or by hand, same schema).

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` or ``.csv`` scenario file.
    format : {"npz", "csv"}, optional
        Default: from the suffix of ``path``.
    return_positions : bool
        Also return the user positions (``None`` when the file has none).

    Returns
    -------
    Scenario, or (Scenario, numpy.ndarray or None)
        The scenario; with ``return_positions``, also the (J, 2) positions in metres.

    Raises
    ------
    ValueError
        A malformed file, in one line naming the file and the field: a missing or
        unknown field, a wrong shape, text, NaN or inf where numbers belong, a CSV row
        missing or repeated, or values the :class:`~scma_alloc.Scenario` refuses.
    FileNotFoundError
        No such file.
    TypeError
        ``path`` is not a str or path-like, or ``return_positions`` not a bool.

    Examples
    --------
    >>> import os, tempfile
    >>> import scma_alloc as sa
    >>> path = os.path.join(tempfile.mkdtemp(), "cell.npz")
    >>> xy = sa.random_positions(6, 300.0, rng=1)
    >>> _ = sa.save_scenario(sa.random_scenario(rng=1), path, positions=xy)
    >>> scenario, positions = sa.load_scenario(path, return_positions=True)
    >>> scenario.shape, positions.shape
    ((4, 6), (6, 2))
    """
    source = _check_path(path)
    fmt = _format_of(source, format)
    if not isinstance(return_positions, bool):
        raise TypeError(
            f"return_positions must be True or False, got {type(return_positions).__name__}"
        )
    if source.is_dir():
        raise ValueError(f"path: {source} is a folder, not a scenario file")
    fields = _check_fields(source, _read_npz(source) if fmt == "npz" else _read_csv(source))
    noise = fields["noise_power"]
    try:
        scenario = Scenario(
            fields["gains"],
            fields["power_budget"],
            noise_power=float(noise) if noise.ndim == 0 else noise,
            n_per_user=int(fields["n_per_user"]),
            users_per_resource=int(fields["users_per_resource"]),
        )
    except (ValueError, TypeError) as exc:
        raise _FileError(f"{source}: {exc}") from None
    if return_positions:
        return scenario, fields.get("positions")
    return scenario
