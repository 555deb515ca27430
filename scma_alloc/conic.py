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
#: Per-solver settings: SCS, the last resort, is capped so a hopeless surrogate fails
#: in seconds rather than minutes (its default is 100000 iterations).
SOLVER_OPTIONS: dict[str, dict] = {"SCS": {"max_iters": 2000}, "ECOS": {"max_iters": 200}}
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
    requested = (solver.upper(),) if isinstance(solver, str) else names if solver else ()
    missing = [name for name in requested if name not in installed]
    if missing:
        raise ValueError(
            f"solver: {missing} not installed; installed solvers: {sorted(installed)}"
        )
    usable = tuple(name for name in names if name in installed)
    if not usable:
        raise ValueError(f"solver: none of {list(names)} is installed")
    return usable


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
            path = [(name, SOLVER_OPTIONS.get(name, {})) for name in solvers]
            value = problem.solve(solver_path=path, warm_start=False)
    except cp.error.SolverError as exc:
        # solver_path only accepts "optimal". The last solver's "optimal_inaccurate"
        # point is still worth a try: every SCP step is accepted on the true
        # objective, never on the surrogate's word.
        if problem.status == cp.OPTIMAL_INACCURATE and problem.value is not None:
            return ConicOutcome(True, cp.OPTIMAL_INACCURATE, solvers[-1], float(problem.value))
        return ConicOutcome(False, f"solver_error: {exc}"[:120], "+".join(solvers), float("nan"))
    except (ValueError, ArithmeticError) as exc:
        return ConicOutcome(False, f"error: {type(exc).__name__}", "+".join(solvers), float("nan"))
    status = problem.status or "unknown"
    used = getattr(problem.solver_stats, "solver_name", None) or "+".join(solvers)
    ok = status in _GOOD and value is not None and abs(value) < float("inf")
    return ConicOutcome(ok, status, used, float(value) if value is not None else float("nan"))
