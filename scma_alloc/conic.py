"""Calling conic solvers through CVXPY: solver order with fallback, and outcomes."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cvxpy as cp

__all__ = ["DEFAULT_SOLVERS", "ConicOutcome", "solve_conic", "solver_path"]

#: Default order: CLARABEL, then ECOS, then SCS when one fails.
DEFAULT_SOLVERS: tuple[str, ...] = ("CLARABEL", "ECOS", "SCS")

_GOOD = {cp.OPTIMAL, cp.OPTIMAL_INACCURATE}
_CVXPY_LOGGER = logging.getLogger("__cvxpy__")


@contextlib.contextmanager
def _quiet_cvxpy() -> Iterator[None]:
    """Silence CVXPY's per-solver INFO lines of ``solver_path`` for one call."""
    level = _CVXPY_LOGGER.level
    _CVXPY_LOGGER.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        _CVXPY_LOGGER.setLevel(level)


@dataclass(frozen=True)
class ConicOutcome:
    """What happened when a convex surrogate was solved."""

    ok: bool
    status: str
    solver: str
    value: float


def solver_path(solver: str | Sequence[str] | None) -> tuple[str, ...]:
    """Normalise the ``solver`` option into an ordered tuple of installed solvers.

    A single name puts that solver first and keeps the others as fallbacks;
    a sequence is used as given.
    """
    if solver is None:
        names: tuple[str, ...] = DEFAULT_SOLVERS
    elif isinstance(solver, str):
        names = (solver.upper(), *(s for s in DEFAULT_SOLVERS if s != solver.upper()))
    else:
        names = tuple(str(s).upper() for s in solver)
        if not names:
            raise ValueError("solver: give at least one solver name")
    installed = set(cp.installed_solvers())
    unknown = [name for name in names if name not in installed]
    if unknown and len(unknown) == len(names):
        raise ValueError(
            f"solver: none of {list(names)} is installed; installed: {sorted(installed)}"
        )
    return tuple(name for name in names if name in installed)


def solve_conic(problem: cp.Problem, solvers: Sequence[str]) -> ConicOutcome:
    """Solve ``problem`` with the first solver of ``solvers`` that succeeds.

    Uses CVXPY's ``solver_path``: a solver that raises or does not report
    ``optimal`` is skipped and the next one is tried. Never raises for solver
    failures: the outcome says whether any solver succeeded. ``warm_start=False``
    makes every solve independent of earlier ones (CVXPY otherwise re-uses a cached
    CLARABEL object whose result depends on the solve history), so results are
    reproducible.
    """
    try:
        with _quiet_cvxpy():
            value = problem.solve(solver_path=list(solvers), warm_start=False)
    except (cp.error.SolverError, ValueError, ArithmeticError, ZeroDivisionError) as exc:
        return ConicOutcome(
            False, f"solver_error: {type(exc).__name__}", "+".join(solvers), float("nan")
        )
    status = problem.status or "unknown"
    used = getattr(problem.solver_stats, "solver_name", None) or "+".join(solvers)
    ok = status in _GOOD and value is not None and abs(value) < float("inf")
    return ConicOutcome(ok, status, used, float(value) if value is not None else float("nan"))
