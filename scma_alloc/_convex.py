"""Convex surrogates solved by CVXPY, built once and re-solved (DPP), with solver fallback.

Every rate in this package is a sum of terms ``log(1 + S)`` (possibly minus
``log(1 + I)``), with ``S`` and ``I`` non-negative combinations of the variables.
:class:`ScaledLogTerms` builds such terms in a form conic solvers handle even when
gains span ``1e-3 .. 1e12``:

* the argument is divided by a scale ``c`` (a parameter), the largest value it can
  take inside the trust region, so that every coefficient is at most one:
  ``log(1 + S) = log c + log(1/c + S/c)``;
* the subtracted ``log(1 + I)`` is replaced by its tangent at the current point,
  ``log(1 + I0) + (I - I0) / (1 + I0)``, an upper bound of a concave function (paper
  Lemmas 2-3), so each surrogate is a concave minorant, tight at the current point.

Coefficients live on the pairs (term, variable) that can interact (the factor-graph
edges sharing a resource), never on dense masks.

Solving goes through :func:`solve_conic`: the solvers of :func:`solver_path` in order
(default CLARABEL, then ECOS, then SCS), a failed one replaced by the next.

The problems:

* :class:`SlotMaxMinProblem` — Max-Min power step on a binary graph (variables on the
  ``K * d_f`` resource slots; one compiled problem serves every graph);
* :class:`EdgeSumRateProblem` — Max-SR power step on a binary graph (the CVXPY
  cross-check of water-filling);
* :class:`RelaxedSumRateCodebookProblem`, :class:`RelaxedMaxMinCodebookProblem`,
  :class:`RelaxedMaxMinPowerProblem` — the paper's relaxed steps (F in [0, 1]).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import cvxpy as cp
import numpy as np

from ._options import DEFAULT_SOLVERS

__all__ = [
    "ConicOutcome",
    "CoupledSlotProblem",
    "EdgeSumRateProblem",
    "RelaxedMaxMinCodebookProblem",
    "RelaxedMaxMinPowerProblem",
    "RelaxedSumRateCodebookProblem",
    "ScaledLogTerms",
    "SlotMaxMinProblem",
    "solve_conic",
    "solver_path",
]


# --------------------------------------------------------------------------- solving
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


@lru_cache(maxsize=1)
def installed_solvers() -> frozenset[str]:
    """The conic solvers CVXPY can call (asked once per process)."""
    return frozenset(cp.installed_solvers())


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
    installed = installed_solvers()
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


# --------------------------------------------------------------------------- surrogates
def _incidence(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """0/1 matrix (n_rows x len(rows)) with a one at (rows[p], p)."""
    matrix = np.zeros((n_rows, rows.size))
    matrix[rows, np.arange(rows.size)] = 1.0
    return matrix


class ScaledLogTerms:
    """Terms ``log(1 + S_s) - log(1 + I_s)`` over a variable vector ``x`` (DPP).

    Parameters
    ----------
    n_terms, n_vars : int
    included : (array, array)
        Pairs ``(s, v)``: variable ``v`` contributes to ``S_s``.
    interfering : (array, array) or None
        Pairs ``(s, v)``: variable ``v`` contributes to ``I_s`` (tangent bound).
    upper : float
        Upper bound of every variable (1 for fractions and relaxed F).
    """

    def __init__(
        self,
        n_terms: int,
        n_vars: int,
        included: tuple[np.ndarray, np.ndarray],
        interfering: tuple[np.ndarray, np.ndarray] | None = None,
        upper: float = 1.0,
    ) -> None:
        self.n_terms, self.n_vars, self.upper = n_terms, n_vars, upper
        self.inc_term, self.inc_var = (np.asarray(a, dtype=np.intp) for a in included)
        self.inc_gather = _incidence(self.inc_var, n_vars).T
        self.inc_scatter = _incidence(self.inc_term, n_terms)
        self.inc_weight = cp.Parameter(self.inc_term.size, nonneg=True)
        self.inv_scale = cp.Parameter(n_terms, nonneg=True)
        self.offset = cp.Parameter(n_terms)
        if interfering is not None and len(interfering[0]):
            self.int_term, self.int_var = (np.asarray(a, dtype=np.intp) for a in interfering)
            self.int_gather = _incidence(self.int_var, n_vars).T
            self.int_scatter = _incidence(self.int_term, n_terms)
            self.int_weight = cp.Parameter(self.int_term.size, nonneg=True)
        else:
            self.int_term = None

    def expression(self, x: cp.Expression) -> cp.Expression:
        """The surrogate of every term (vector of length ``n_terms``)."""
        scaled = self.inc_scatter @ cp.multiply(self.inc_weight, self.inc_gather @ x)
        value = cp.log(self.inv_scale + scaled) - self.offset
        if self.int_term is not None:
            value = value - self.int_scatter @ cp.multiply(self.int_weight, self.int_gather @ x)
        return value

    def set_point(
        self,
        coef: np.ndarray,
        x0: np.ndarray,
        radius: float,
        inc_coef: np.ndarray | None = None,
        int_coef: np.ndarray | None = None,
    ) -> None:
        """Scale and linearise at ``x0``.

        ``coef`` gives one coefficient per variable (``S_s = sum coef_v x_v`` over the
        included pairs); ``inc_coef`` / ``int_coef``, when given, give one per pair
        instead (a coupling that depends on who interferes with whom).
        """
        inc_coef = coef[self.inc_var] if inc_coef is None else inc_coef
        reach = np.minimum(x0 + radius, self.upper)
        scale = 1.0 + np.bincount(
            self.inc_term, weights=inc_coef * reach[self.inc_var], minlength=self.n_terms
        )
        self.inc_weight.value = inc_coef / scale[self.inc_term]
        self.inv_scale.value = 1.0 / scale
        offset = np.log(scale)
        if self.int_term is not None:
            int_coef = coef[self.int_var] if int_coef is None else int_coef
            i0 = np.bincount(
                self.int_term, weights=int_coef * x0[self.int_var], minlength=self.n_terms
            )
            slope = 1.0 / (1.0 + i0)
            self.int_weight.value = slope[self.int_term] * int_coef
            offset = offset - (np.log1p(i0) - i0 * slope)
        # value = log(scale) + log(1/scale + S/scale) - [log(1 + I0) + slope (I - I0)]
        self.offset.value = -offset


def _cumulative_pairs(group: np.ndarray, position: np.ndarray, strict: bool):
    """Pairs (s, v) with v in the same group as s and position[v] <(=) position[s]."""
    same = group[:, None] == group[None, :]
    before = (
        position[None, :] < position[:, None] if strict else position[None, :] <= position[:, None]
    )
    return np.nonzero(same & before)


class SlotMaxMinProblem:
    """Max-Min power step surrogate on a binary graph, one per (K, J, d_f) (paper §III-B).

    Variables on the ``K * d_f`` resource slots (a resource's users fill its slots
    weakest first): budget fractions ``y``, rate epigraphs ``z``, common rate ``t``.
    ``max t`` s.t. ``z_s <= surrogate rate of slot s``, ``owner @ z >= t`` (user rates),
    ``owner @ y <= 1`` (budgets), ``y <= occupied``, ``||y - y0||_1 <= radius``. The
    graph enters only through parameters (slot gains, occupancy, slot-to-user
    incidence), so one compiled problem serves every graph and SCP iteration.
    """

    def __init__(self, n_resources: int, n_users: int, users_per_resource: int) -> None:
        n_slots = n_resources * users_per_resource
        self.terms = _ranked_terms(n_resources, users_per_resource)
        self.occupied = cp.Parameter(n_slots, nonneg=True)
        self.owner = cp.Parameter((n_users, n_slots), nonneg=True)
        self.y0 = cp.Parameter(n_slots, nonneg=True)
        self.radius = cp.Parameter(nonneg=True)
        self.y = cp.Variable(n_slots, nonneg=True)
        self.z = cp.Variable(n_slots)
        self.t = cp.Variable()
        constraints = [
            self.z <= self.terms.expression(self.y),
            self.owner @ self.z >= self.t,
            self.owner @ self.y <= 1.0,
            self.y <= self.occupied,
            cp.norm1(self.y - self.y0) <= self.radius,
        ]
        self.problem = cp.Problem(cp.Maximize(self.t), constraints)

    def set_point(
        self,
        a_slots: np.ndarray,
        occupied: np.ndarray,
        owner: np.ndarray,
        y0: np.ndarray,
        radius: float,
    ) -> None:
        """Linearise at slot fractions ``y0`` for a graph (slot gains, occupancy, owner)."""
        self.terms.set_point(a_slots, y0, radius)
        self.occupied.value = occupied
        self.owner.value = owner
        self.y0.value = y0
        self.radius.value = radius


class CoupledSlotProblem:
    """Power-step surrogate under a general coupling ``C`` (integration spec).

    Slots as in :class:`SlotMaxMinProblem`, but every slot of a resource may interfere
    with every other: ``S_s = r_s + I_s``, ``I_s = sum_{s' != s} C[u(s), u(s')] r_s'``,
    with per-pair coefficients set for each graph. ``objective="min_rate"`` maximises the
    common rate ``t``; ``"sum_rate"`` maximises the sum of the surrogate user rates (the
    sum-rate is no longer concave for a general ``C``, so Max-SR needs SCP too).
    """

    def __init__(
        self, n_resources: int, n_users: int, users_per_resource: int, objective: str
    ) -> None:
        n_slots = n_resources * users_per_resource
        group = np.repeat(np.arange(n_resources), users_per_resource)
        same = group[:, None] == group[None, :]
        self.included = np.nonzero(same)
        self.interfering = np.nonzero(same & ~np.eye(n_slots, dtype=bool))
        self.terms = ScaledLogTerms(n_slots, n_slots, self.included, self.interfering)
        self.occupied = cp.Parameter(n_slots, nonneg=True)
        self.owner = cp.Parameter((n_users, n_slots), nonneg=True)
        self.y0 = cp.Parameter(n_slots, nonneg=True)
        self.radius = cp.Parameter(nonneg=True)
        self.y = cp.Variable(n_slots, nonneg=True)
        self.z = cp.Variable(n_slots)
        constraints = [
            self.z <= self.terms.expression(self.y),
            self.owner @ self.y <= 1.0,
            self.y <= self.occupied,
            cp.norm1(self.y - self.y0) <= self.radius,
        ]
        if objective == "min_rate":
            self.t = cp.Variable()
            constraints.append(self.owner @ self.z >= self.t)
            goal = self.t
        elif objective == "sum_rate":
            goal = cp.sum(self.owner @ self.z)
        else:  # pragma: no cover - internal
            raise ValueError(f"objective must be 'min_rate' or 'sum_rate', got {objective!r}")
        self.problem = cp.Problem(cp.Maximize(goal), constraints)

    def set_point(
        self,
        a_slots: np.ndarray,
        user_of_slot: np.ndarray,
        coupling: np.ndarray,
        occupied: np.ndarray,
        owner: np.ndarray,
        y0: np.ndarray,
        radius: float,
    ) -> None:
        """Linearise at ``y0`` for a graph (slot gains and users; -1 marks empty slots)."""
        users = np.where(user_of_slot >= 0, user_of_slot, 0)
        s_inc, v_inc = self.included
        s_int, v_int = self.interfering
        weight_inc = np.where(s_inc == v_inc, 1.0, coupling[users[s_inc], users[v_inc]])
        weight_int = coupling[users[s_int], users[v_int]]
        self.terms.set_point(
            a_slots,
            y0,
            radius,
            inc_coef=weight_inc * a_slots[v_inc],
            int_coef=weight_int * a_slots[v_int],
        )
        self.occupied.value = occupied
        self.owner.value = owner
        self.y0.value = y0
        self.radius.value = radius


class EdgeSumRateProblem:
    """``max sum_k log(1 + sum_{e on k} a_e y_e)``, budgets on edges, one graph; with
    ``caps`` (M, E) also the power caps ``caps @ y <= 1``."""

    def __init__(self, sub: np.ndarray, n_resources: int, caps: np.ndarray | None = None) -> None:
        n_users, n_per_user = sub.shape
        n_edges = n_users * n_per_user
        self.terms = ScaledLogTerms(n_resources, n_edges, (sub.ravel(), np.arange(n_edges)))
        of_user = np.kron(np.eye(n_users), np.ones((1, n_per_user)))
        self.y = cp.Variable(n_edges, nonneg=True)
        constraints = [of_user @ self.y <= 1.0]
        if caps is not None:  # power caps as rows @ y <= 1 (see scma_alloc._caps)
            constraints.append(caps @ self.y <= 1.0)
        self.problem = cp.Problem(cp.Maximize(cp.sum(self.terms.expression(self.y))), constraints)

    def set_gains(self, a_edges: np.ndarray) -> None:
        # Scale at the whole budget on every edge: the largest reachable value.
        self.terms.set_point(a_edges.ravel(), np.zeros(a_edges.size), radius=1.0)


def _ranked_terms(n_resources: int, n_ranks: int) -> ScaledLogTerms:
    """The SIC log terms of ``n_resources * n_ranks`` cells (k, r), flat in C order.

    Cell (k, r) sees the cells (k, i) with rank i <= r in its total and i < r in its
    interference: ranks are the users of a dense (K, J) matrix in decoding order, or
    the slots of a resource filled weakest first.
    """
    group = np.repeat(np.arange(n_resources), n_ranks)
    position = np.tile(np.arange(n_ranks), n_resources)
    n = n_resources * n_ranks
    return ScaledLogTerms(
        n,
        n,
        _cumulative_pairs(group, position, strict=False),
        _cumulative_pairs(group, position, strict=True),
    )


def _relaxed_constraints(
    f: cp.Variable,
    f0: cp.Parameter,
    radius: cp.Parameter,
    power: cp.Parameter,
    n_per_user: int,
    users_per_resource: int,
) -> list:
    per_user = cp.sum(f, axis=0)
    return [
        cp.sum(cp.multiply(power, f), axis=0) <= 1.0,
        f >= 0,
        f <= 1,
        per_user >= 1,
        per_user <= n_per_user,
        cp.sum(f, axis=1) <= users_per_resource,
        cp.sum(cp.abs(f - f0)) <= radius,
    ]


class _RelaxedCodebookProblem:
    """Parameters, relaxed constraints on F and the point update shared by the two
    codebook steps: ``f`` (the relaxed assignment), ``slope`` (the penalty's tangent slope
    ``c``), ``f0``, ``power`` (``P / Pmax``) and ``radius``."""

    def __init__(self, terms: ScaledLogTerms, shape: tuple[int, int]) -> None:
        self.terms = terms
        self.f = cp.Variable(shape)
        self.slope = cp.Parameter(shape)
        self.f0 = cp.Parameter(shape)
        self.power = cp.Parameter(shape, nonneg=True)
        self.radius = cp.Parameter(nonneg=True)

    def _constraints(self, n_per_user: int, users_per_resource: int) -> list:
        return _relaxed_constraints(
            self.f, self.f0, self.radius, self.power, n_per_user, users_per_resource
        )

    def set_point(
        self, q: np.ndarray, f0: np.ndarray, power: np.ndarray, slope: np.ndarray, radius: float
    ) -> None:
        self.terms.set_point(q.ravel(), f0.ravel(), radius)
        self.slope.value = slope
        self.f0.value = f0
        self.power.value = power
        self.radius.value = radius


class RelaxedSumRateCodebookProblem(_RelaxedCodebookProblem):
    """Codebook step of Max-SR (paper problem (19), Lemma 1), P fixed.

    ``max sum_k log(1 + sum_j q[k, j] F[k, j]) + sum(c * F)`` with the penalty's tangent
    slope ``c = eta * (2 F0 - 1)``, over ``F in [0, 1]``, ``1 <= sum_k F[k, j] <= N``,
    ``sum_j F[k, j] <= d_f``, the budget ``sum_k F[k, j] P[k, j] / Pmax_j <= 1`` and
    ``||F - F0||_1 <= radius``. ``q = a * P / Pmax`` is the received SNR per unit of F
    at the current power.
    """

    def __init__(self, n_resources: int, n_users: int, n_per_user: int, users_per_resource: int):
        n_cells = n_resources * n_users
        terms = ScaledLogTerms(
            n_resources, n_cells, (np.repeat(np.arange(n_resources), n_users), np.arange(n_cells))
        )
        super().__init__(terms, (n_resources, n_users))
        objective = cp.sum(self.terms.expression(cp.vec(self.f, order="C"))) + cp.sum(
            cp.multiply(self.slope, self.f)
        )
        self.problem = cp.Problem(
            cp.Maximize(objective), self._constraints(n_per_user, users_per_resource)
        )


class RelaxedMaxMinCodebookProblem(_RelaxedCodebookProblem):
    """Codebook step of Max-Min (paper Lemma 3), P fixed; users in rank order.

    ``max t + sum(c * F)`` s.t. for every user j (columns sorted weakest first)
    ``sum_k [log(1 + sum_{i<=j} q[k,i] F[k,i]) - tangent of log(1 + sum_{i<j} ...)] >= t``
    and the relaxed constraints on F (see :class:`RelaxedSumRateCodebookProblem`).
    """

    def __init__(self, n_resources: int, n_users: int, n_per_user: int, users_per_resource: int):
        shape = (n_resources, n_users)
        terms = _ranked_terms(n_resources, n_users)
        super().__init__(terms, shape)
        self.t = cp.Variable()
        cell_rates = cp.reshape(self.terms.expression(cp.vec(self.f, order="C")), shape, order="C")
        constraints = [
            cp.sum(cell_rates, axis=0) >= self.t,
            *self._constraints(n_per_user, users_per_resource),
        ]
        objective = self.t + cp.sum(cp.multiply(self.slope, self.f))
        self.problem = cp.Problem(cp.Maximize(objective), constraints)


class RelaxedMaxMinPowerProblem:
    """Power step of Max-Min with a relaxed F (paper Lemma 2); users in rank order.

    Variables: effective budget fractions ``y = F * P / Pmax`` (zero off the support
    of F), ``sum_k y[k, j] <= 1``; rates as in :class:`RelaxedMaxMinCodebookProblem`
    with ``received = a * y``; trust region ``||y - y0||_1 <= radius``.
    """

    def __init__(self, n_resources: int, n_users: int):
        shape = (n_resources, n_users)
        self.terms = _ranked_terms(n_resources, n_users)
        self.y = cp.Variable(shape, nonneg=True)
        self.t = cp.Variable()
        self.support = cp.Parameter(shape, nonneg=True)
        self.y0 = cp.Parameter(shape)
        self.radius = cp.Parameter(nonneg=True)
        cell_rates = cp.reshape(self.terms.expression(cp.vec(self.y, order="C")), shape, order="C")
        constraints = [
            cp.sum(cell_rates, axis=0) >= self.t,
            self.y <= self.support,
            cp.sum(self.y, axis=0) <= 1.0,
            cp.sum(cp.abs(self.y - self.y0)) <= self.radius,
        ]
        self.problem = cp.Problem(cp.Maximize(self.t), constraints)

    def set_point(self, a: np.ndarray, support: np.ndarray, y0: np.ndarray, radius: float) -> None:
        self.terms.set_point(a.ravel(), y0.ravel(), radius)
        self.support.value = support
        self.y0.value = y0
        self.radius.value = radius
