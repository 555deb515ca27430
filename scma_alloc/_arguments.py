"""Command-line value conventions shared by ``scma-alloc`` and ``gfnoma``.

One spelling for one idea in both command lines:

- a list of numbers is ``"3,6,10"`` or an inclusive range ``"START:STOP[:STEP]"``
  (``"3:10"`` is 3, 4, ..., 10; ``"0:20:5"`` is 0, 5, 10, 15, 20);
- ``--jobs N`` is N worker processes, and ``0`` or ``-1`` means all usable CPUs.

The parsers raise :class:`argparse.ArgumentTypeError` with a message that names the
expected form, so argparse prints it as one line.
"""

from __future__ import annotations

import argparse
import math
import os

__all__ = [
    "parse_budget_list",
    "parse_jobs",
    "parse_non_negative_int",
    "parse_number_list",
    "parse_positive_int",
    "usable_cpus",
]

_LIST_FORM = "numbers separated by commas (3,6,10) or an inclusive range START:STOP[:STEP] (3:10)"


def usable_cpus() -> int:
    """The number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def parse_number_list(text: str, *, name: str = "value") -> tuple[float, ...]:
    """Parse ``"3,6,10"`` or the inclusive range ``"START:STOP[:STEP]"`` (STEP defaults to 1).

    Parameters
    ----------
    text : str
        The command-line value.
    name : str
        What the values are (used in the error message), e.g. ``"budget list"``.

    Returns
    -------
    tuple of float
        The values, finite, in the order given (a range ascends).

    Raises
    ------
    argparse.ArgumentTypeError
        If ``text`` is not of either form, is empty, or holds a non-finite number.
    """
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            if len(parts) not in (2, 3) or not all(math.isfinite(p) for p in parts):
                raise ValueError
            start, stop = parts[0], parts[1]
            step = parts[2] if len(parts) == 3 else 1.0
            if step <= 0 or stop < start:
                raise ValueError
            count = math.floor((stop - start) / step + 1e-9) + 1
            values = tuple(round(start + i * step, 10) for i in range(count))
        else:
            values = tuple(float(p) for p in text.split(",") if p.strip())
        if not values or not all(math.isfinite(v) for v in values):
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid {name} {text!r}: use {_LIST_FORM}") from None
    return values


def parse_budget_list(text: str) -> tuple[float, ...]:
    """Power budgets in dBm: ``"3,6,10"`` or an inclusive range ``"3:10"`` / ``"3:10:0.5"``."""
    return parse_number_list(text, name="budget list")


def _parse_int(text: str, minimum: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
    return value


def parse_positive_int(text: str) -> int:
    """Parse an integer >= 1 (a count, a size)."""
    return _parse_int(text, 1, "a positive integer")


def parse_non_negative_int(text: str) -> int:
    """Parse an integer >= 0 (a seed)."""
    return _parse_int(text, 0, "a non-negative integer")


def parse_jobs(text: str) -> int:
    """Parse ``--jobs``: a positive number of worker processes, or 0 / -1 for all CPUs."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an integer (0 or -1: all CPUs), got {text!r}"
        ) from None
    if value in (0, -1):
        return usable_cpus()
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer (0 or -1: all CPUs), got {value}"
        )
    return value
