"""Options of the allocation methods: one frozen dataclass per method.

These classes are the single source of every default; the solvers' docstrings point
here, and a test checks that each docstring below states the default its field has.
Values are validated when an options object is made (``TypeError`` / ``ValueError``
naming the field), so a bad option fails before any work.
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_SOLVERS",
    "METHODS",
    "AlternatingOptions",
    "ExhaustiveOptions",
    "PaperOptions",
]

#: Default conic solver order: CLARABEL, then ECOS, then SCS when one fails.
DEFAULT_SOLVERS: tuple[str, ...] = ("CLARABEL", "ECOS", "SCS")


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _positive(value: Any, name: str) -> float:
    value = _number(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def _integer(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _flag(value: Any, name: str, allow_none: bool = False) -> bool | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        choices = "True, False or None (automatic)" if allow_none else "True or False"
        raise TypeError(f"{name} must be {choices}, got {value!r}")
    return bool(value)


def _solver(value: Any) -> str | tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.upper()
    try:
        names = tuple(value)
    except TypeError:
        raise TypeError(
            f"solver must be a solver name, a sequence of names or None, got {value!r}"
        ) from None
    if not names or not all(isinstance(name, str) for name in names):
        raise ValueError(f"solver: give at least one solver name, got {value!r}")
    return tuple(name.upper() for name in names)


@dataclass(frozen=True)
class _ConicOptions:
    """Settings shared by every trust-region SCP loop and conic solve."""

    trust_radius: float = 1.0
    trust_radius_max: float = 2.0
    trust_expand: float = 1.5
    trust_shrink: float = 0.8
    solver: str | tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("trust_radius", "trust_radius_max", "trust_expand"):
            self._set(name, _positive(getattr(self, name), name))
        shrink = _positive(self.trust_shrink, "trust_shrink")
        if shrink >= 1:
            raise ValueError(f"trust_shrink must be in (0, 1), got {shrink!r}")
        self._set("trust_shrink", shrink)
        self._set("solver", _solver(self.solver))

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    @property
    def solvers(self) -> tuple[str, ...]:
        """The conic solver order (installed solvers only; imports CVXPY)."""
        from ._convex import solver_path

        return solver_path(self.solver)


@dataclass(frozen=True)
class AlternatingOptions(_ConicOptions):
    """Options of ``method="alternating"`` (the default): multi-start codebook search.

    Attributes
    ----------
    n_starts : int or None, default None
        Random starting graphs next to the greedy graph and the regular graph F0.
        None: for the sum-rate 6 up to J = 12 users, 12 up to J = 24 and 2 above
        (where kicked walks do better for the time), 0 for the min-rate, 2 for the
        alpha-fair objectives (their power step is the costly part).
    max_moves : int, default 10000
        Accepted codebook moves per start, at most.
    n_kicks : int or None, default None
        Sum-rate: walks from kicked copies of the best graph after the first walks
        (iterated local search; a kick is max(2, J // 8) random moves or swaps).
        None: 8 from J = 16 users on, else 0.
    n_rescore : int, default 8
        Sum-rate: before a walk stops, its best neighbours by estimate re-scored by
        exact water-filling.
    polish : bool, default True
        Min-rate and coupled models: polish the best graphs' powers (min-rate: barrier
        Newton; coupled sum-rate: SCP).
    n_polish : int, default 4
        Graphs of the pool polished (the best ones by the search's power step).
    polish_moves : int, default 1
        Min-rate: rounds of codebook moves scored by the polish after the first.
    scp_tol : float, default 1e-05
        SCP stopping tolerance (nats), coupled sum-rate.
    max_inner : int, default 20
        SCP iterations per polish, at most, coupled sum-rate.
    trust_radius : float, default 1.0
        Initial trust-region radius (L1, budget fractions).
    trust_radius_max : float, default 2.0
        Largest trust-region radius.
    trust_expand : float, default 1.5
        Radius factor after an accepted step.
    trust_shrink : float, default 0.8
        Radius factor after a rejected step.
    solver : str, sequence of str or None, default None
        Conic solver order; None: CLARABEL, then ECOS, then SCS.
    """

    n_starts: int | None = None
    max_moves: int = 10_000
    n_kicks: int | None = None
    n_rescore: int = 8
    polish: bool = True
    n_polish: int = 4
    polish_moves: int = 1
    scp_tol: float = 1e-5
    max_inner: int = 20

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.n_starts is not None:
            self._set("n_starts", _integer(self.n_starts, "n_starts", 0))
        self._set("max_moves", _integer(self.max_moves, "max_moves", 1))
        if self.n_kicks is not None:
            self._set("n_kicks", _integer(self.n_kicks, "n_kicks", 0))
        self._set("n_rescore", _integer(self.n_rescore, "n_rescore", 1))
        self._set("polish", _flag(self.polish, "polish"))
        self._set("n_polish", _integer(self.n_polish, "n_polish", 1))
        self._set("polish_moves", _integer(self.polish_moves, "polish_moves", 0))
        self._set("scp_tol", _positive(self.scp_tol, "scp_tol"))
        self._set("max_inner", _integer(self.max_inner, "max_inner", 1))

    def kicks_for(self, n_users: int) -> int:
        """Kicked walks for ``n_users`` users (resolves ``n_kicks=None``)."""
        if self.n_kicks is not None:
            return self.n_kicks
        return 8 if n_users >= 16 else 0

    def starts_for(self, objective: str, n_users: int) -> int:
        """Random starts for ``objective`` and ``n_users`` users (resolves
        ``n_starts=None``)."""
        if self.n_starts is not None:
            return self.n_starts
        if objective == "min_rate":
            return 0
        if objective == "alpha_fair":
            return 2
        return 6 if n_users <= 12 else 12 if n_users <= 24 else 2


@dataclass(frozen=True)
class PaperOptions(_ConicOptions):
    """Options of ``method="paper"``: the paper's Algorithms 1-2 (authors' values).

    Attributes
    ----------
    eta : float, default 50.0
        Weight of the exact penalty ``eta * sum(F**2 - F)`` (nats).
    tol : float, default 0.0001
        Outer loop: stop when F and F∘P change by less (Frobenius norm).
    scp_tol : float, default 0.0001
        SCP stopping tolerance (nats).
    max_outer : int, default 5
        Alternating (outer) iterations, at most.
    max_inner : int, default 10
        SCP iterations per step, at most.
    trust_radius : float, default 1.0
        Initial trust-region radius (L1).
    trust_radius_max : float, default 2.0
        Largest trust-region radius.
    trust_expand : float, default 1.5
        Radius factor after an accepted step.
    trust_shrink : float, default 0.8
        Radius factor after a rejected step.
    solver : str, sequence of str or None, default None
        Conic solver order; None: CLARABEL, then ECOS, then SCS.
    """

    eta: float = 50.0
    tol: float = 1e-4
    scp_tol: float = 1e-4
    max_outer: int = 5
    max_inner: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("eta", "tol", "scp_tol"):
            self._set(name, _positive(getattr(self, name), name))
        self._set("max_outer", _integer(self.max_outer, "max_outer", 1))
        self._set("max_inner", _integer(self.max_inner, "max_inner", 1))


@dataclass(frozen=True)
class ExhaustiveOptions(_ConicOptions):
    """Options of ``method="exhaustive"``: every feasible factor graph.

    Attributes
    ----------
    max_graphs : int, default 200000
        Refuse (``ValueError``, before any work) above this many feasible graphs.
    polish : bool, default True
        Min-rate and coupled models: polish every graph whose upper bound can beat the
        best value found (min-rate: barrier Newton; coupled sum-rate: SCP).
    scp_tol : float, default 1e-06
        SCP stopping tolerance (nats), coupled sum-rate.
    max_inner : int, default 20
        SCP iterations per graph, at most, coupled sum-rate.
    trust_radius : float, default 1.0
        Initial trust-region radius (L1).
    trust_radius_max : float, default 2.0
        Largest trust-region radius.
    trust_expand : float, default 1.5
        Radius factor after an accepted step.
    trust_shrink : float, default 0.8
        Radius factor after a rejected step.
    solver : str, sequence of str or None, default None
        Conic solver order; None: CLARABEL, then ECOS, then SCS.
    """

    max_graphs: int = 200_000
    polish: bool = True
    scp_tol: float = 1e-6
    max_inner: int = 20

    def __post_init__(self) -> None:
        super().__post_init__()
        self._set("max_graphs", _integer(self.max_graphs, "max_graphs", 1))
        self._set("polish", _flag(self.polish, "polish"))
        self._set("scp_tol", _positive(self.scp_tol, "scp_tol"))
        self._set("max_inner", _integer(self.max_inner, "max_inner", 1))


#: The options class of every method of the solvers.
OPTIONS_CLASS: dict[str, type] = {
    "alternating": AlternatingOptions,
    "paper": PaperOptions,
    "exhaustive": ExhaustiveOptions,
}
#: The methods of :func:`~scma_alloc.solve_max_sr` / :func:`~scma_alloc.solve_max_min`.
METHODS: tuple[str, ...] = tuple(OPTIONS_CLASS)


def method_options(method: str, options: Any, overrides: dict[str, Any]) -> Any:
    """The validated options object of ``method``: ``options`` with ``overrides``.

    Raises
    ------
    ValueError
        Unknown method or invalid value.
    TypeError
        ``options`` of the wrong class, an unknown override or a wrongly typed value.
    """
    if not isinstance(method, str) or method not in OPTIONS_CLASS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    cls = OPTIONS_CLASS[method]
    if options is None:
        options = cls()
    elif not isinstance(options, cls):
        raise TypeError(
            f"options for method={method!r} must be a {cls.__name__} (or None), "
            f"got {type(options).__name__}"
        )
    if overrides:
        names = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise TypeError(
                f"unknown option(s) {unknown} for method={method!r}; accepted: {sorted(names)}"
            )
        options = dataclasses.replace(options, **overrides)
    return options
