"""The rate model: an allocation on the factor graph's edges, its rates, the coupling.

User ``j`` sees ``C[j, i]`` of user ``i``'s received power on a shared resource::

    R_j = sum_k log2(1 + q[k, j] / (1 + sum_i C[j, i] q[k, i])),   q = F * P * gamma

(paper eq. 11-12 in the coupling form of ``docs/integration.md``):

* SIC (the default, the paper's model): ``C[j, i] = 1`` iff ``i`` is weaker than ``j``
  (decoded after it); users are ranked by ascending total gain. The user rates telescope
  to the sum-rate ``sum_k log2(1 + sum_j q[k, j])`` (eq. 10).
* Treat interference as noise: ``C = 1 - I``.
* Any ``C`` with non-negative entries and a zero diagonal, e.g. the activation-weighted
  signature leakage built by :func:`gfnoma.interference_model`.

:class:`InterferenceModel` is the public coupling; internally a :class:`RateModel`
knows whether it is the SIC model of a scenario (exact, telescoping kernels) or a
general coupling.

**Edges.** An allocation on a factor graph lives on the graph's edges: ``sub[..., j, n]``
is the ``n``-th resource of user ``j`` (sorted), and powers are budget fractions
``x[..., j, n] = P / Pmax_j`` on those edges. Arrays carry a leading batch axis, so a
batch of candidate graphs is scored by one array operation. :class:`SlotLayout` places
the edges of a batch on the ``d_f`` slots of every resource (weakest user first), the
form the convex surrogates and the coupled kernels use. The ``_nats`` kernels work on
received SNRs and return nats; the public functions take a
:class:`~scma_alloc.Scenario` and watts and return bit/s/Hz.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._graph import assignment_violations
from ._scenario import Scenario, check_scenario
from ._units import real_array

__all__ = [
    "InterferenceModel",
    "allocation_violations",
    "jain_index",
    "sic_coupling",
    "sum_rate",
    "user_rates",
]

LN2 = float(np.log(2.0))


# --------------------------------------------------------------------------- edges
def edge_index(assignment: np.ndarray, n_per_user: int) -> np.ndarray:
    """Resources of every user, ``sub[..., j, n]`` (sorted), from binary F (..., K, J)."""
    f = np.asarray(assignment)
    batch_shape = f.shape[:-2]
    ft = np.swapaxes(f, -1, -2).reshape(-1, f.shape[-2])  # (B*J, K)
    _, k = np.nonzero(ft)
    return k.reshape(*batch_shape, f.shape[-1], n_per_user)


def edges_to_dense(values: np.ndarray, sub: np.ndarray, n_resources: int) -> np.ndarray:
    """Scatter edge values (..., J, N) into a dense (..., K, J) matrix."""
    *batch, n_users, _ = values.shape
    dense = np.zeros((*batch, n_resources, n_users))
    index = np.indices(sub.shape)
    dense[(*index[:-2], sub, index[-2])] = values
    return dense


def gather_edges(dense: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """Values of a (..., K, J) matrix on the edges ``sub`` (..., J, N).

    A single (K, J) matrix is broadcast over a batch of graphs.
    """
    index = np.indices(sub.shape)
    if dense.ndim == 2:
        return dense[sub, index[-2]]
    return dense[(*index[:-2], sub, index[-2])]


def graph_of(sub: np.ndarray, n_resources: int) -> np.ndarray:
    """Binary factor graph(s) (..., K, J) of int8 from edges (..., J, N)."""
    return edges_to_dense(np.ones(sub.shape), sub, n_resources).astype(np.int8)


def resource_totals(q: np.ndarray, sub: np.ndarray, n_resources: int) -> np.ndarray:
    """Total received SNR ``S[b, k] = sum_{edges on k} q`` of a batch (B, J, N) -> (B, K)."""
    n_batch = q.shape[0]
    flat = (np.arange(n_batch)[:, None, None] * n_resources + sub).ravel()
    return np.bincount(flat, weights=q.ravel(), minlength=n_batch * n_resources).reshape(
        n_batch, n_resources
    )


class SlotLayout:
    """Where the edges of a batch of graphs sit in the resource slots, weakest first.

    Resource ``k`` has ``d_f`` slots ``k * d_f + s``; its users fill slots ``s = 0, 1,
    ...`` by ascending rank, so under SIC slot ``s`` is interfered by the slots before it
    on the same resource.

    Parameters
    ----------
    sub : ndarray of int, shape (B, J, N) or (J, N)
        Edges of each graph.
    rank : ndarray of int, shape (J,)
        Rank of each user (0 = weakest).
    n_resources, users_per_resource : int

    Attributes
    ----------
    slot_of_edge : ndarray, shape of ``sub``
        Slot (in ``0 .. K*d_f - 1``) of every edge.
    slot_user : ndarray, shape (B, K*d_f)
        User in each slot, -1 where empty.
    occupied : ndarray, shape (B, K*d_f)
        1.0 on used slots.
    """

    def __init__(
        self, sub: np.ndarray, rank: np.ndarray, n_resources: int, users_per_resource: int
    ) -> None:
        single = sub.ndim == 2
        sub = sub[None] if single else sub
        n_batch, n_users, n_per_user = sub.shape
        self.n_slots = n_resources * users_per_resource
        edge_user = np.broadcast_to(np.arange(n_users)[:, None], (n_users, n_per_user)).ravel()
        key = (
            np.arange(n_batch)[:, None] * n_resources + sub.reshape(n_batch, -1)
        ) * n_users + rank[edge_user][None, :]
        order = np.argsort(key, axis=None, kind="stable")
        group = key.ravel()[order] // n_users  # (b, k) of each sorted edge
        starts = np.searchsorted(group, group, side="left")
        position = np.empty(order.size, dtype=np.intp)
        position[order] = np.arange(order.size) - starts
        resource = sub.reshape(n_batch, -1)
        slot = resource * users_per_resource + position.reshape(n_batch, -1)
        self.slot_of_edge = slot.reshape(sub.shape)
        self.slot_user = np.full((n_batch, self.n_slots), -1, dtype=np.intp)
        rows = np.arange(n_batch)[:, None]
        self.slot_user[rows, slot] = edge_user[None, :]
        self.occupied = (self.slot_user >= 0).astype(float)
        self._single = single
        if single:
            self.slot_of_edge = self.slot_of_edge[0]

    def owner(self, n_users: int) -> np.ndarray:
        """Slot-to-user incidence (J, K*d_f) of a single graph."""
        owner = np.zeros((n_users, self.n_slots))
        used = self.slot_user[0] >= 0
        owner[self.slot_user[0][used], np.flatnonzero(used)] = 1.0
        return owner

    def to_slots(self, edge_values: np.ndarray) -> np.ndarray:
        """Edge values (B, J, N) -> slot values (B, K*d_f), zero on empty slots."""
        if self._single:
            out = np.zeros(self.n_slots)
            out[self.slot_of_edge.ravel()] = edge_values.ravel()
            return out
        n_batch = edge_values.shape[0]
        out = np.zeros((n_batch, self.n_slots))
        rows = np.arange(n_batch)[:, None]
        out[rows, self.slot_of_edge.reshape(n_batch, -1)] = edge_values.reshape(n_batch, -1)
        return out

    def to_edges(self, slot_values: np.ndarray) -> np.ndarray:
        """Slot values -> edge values (shape of ``sub``)."""
        if self._single:
            return slot_values[self.slot_of_edge]
        rows = np.arange(slot_values.shape[0])[:, None, None]
        return slot_values[rows, self.slot_of_edge]


# --------------------------------------------------------------------------- kernels
def sum_rate_nats(q: np.ndarray) -> np.ndarray:
    """Sum-rate in nats, eq. (10): ``sum_k log(1 + sum_j q[k, j])`` over (..., K, J)."""
    return np.log1p(q.sum(axis=-1)).sum(axis=-1)


def sic_user_rates_nats(q: np.ndarray, order: np.ndarray) -> np.ndarray:
    """SIC user rates in nats from received SNRs ``q`` (..., K, J); caller's user order.

    ``order`` lists the users weakest first; each user sees the users before it.
    """
    q_ranked = q[..., order]
    interference = np.cumsum(q_ranked, axis=-1) - q_ranked
    # Exact zero interference for the weakest user (cumsum rounding otherwise).
    interference[..., 0] = 0.0
    np.maximum(interference, 0.0, out=interference)
    rates_ranked = np.log1p(q_ranked / (1.0 + interference)).sum(axis=-2)
    rates = np.empty_like(rates_ranked)
    rates[..., order] = rates_ranked
    return rates


def coupled_user_rates_nats(q: np.ndarray, coupling: np.ndarray) -> np.ndarray:
    """User rates in nats for a coupling matrix ``C`` (J x J) from ``q`` (..., K, J)."""
    interference = q @ coupling.T
    return np.log1p(q / (1.0 + interference)).sum(axis=-2)


def jain_values(rates: np.ndarray) -> np.ndarray:
    """Jain's index over the last axis (NaN when every rate is zero)."""
    rates = np.asarray(rates, dtype=float)
    numerator = rates.sum(axis=-1) ** 2
    denominator = rates.shape[-1] * (rates**2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerator / denominator


class RateModel:
    """The coupling a problem is solved under (internal).

    ``coupling is None`` means the SIC model of the scenario (ranked by ascending total
    gain), evaluated by the exact telescoping kernels.
    """

    def __init__(self, scenario: Scenario, coupling: np.ndarray | None, name: str) -> None:
        self.order = scenario.decoding_order
        self.rank = scenario.user_rank
        self.coupling = coupling
        self.name = name

    @property
    def is_sic(self) -> bool:
        """True for the SIC model (the paper's)."""
        return self.coupling is None

    def user_rates_nats(self, q: np.ndarray) -> np.ndarray:
        """User rates (nats) from received SNRs ``q`` (..., K, J)."""
        if self.coupling is None:
            return sic_user_rates_nats(q, self.order)
        return coupled_user_rates_nats(q, self.coupling)


# --------------------------------------------------------------------------- the coupling
def sic_coupling(scenario: Scenario) -> np.ndarray:
    """SIC coupling matrix: ``C[j, i] = 1`` iff user ``i`` ranks below user ``j``.

    Users are ranked by ascending total gain; the base station decodes the strongest
    first, so user ``j`` still sees every weaker user ``i``.

    Returns
    -------
    ndarray, shape (J, J)
        Strictly "lower triangular" in rank order, zero diagonal.
    """
    rank = check_scenario(scenario).user_rank
    return (rank[None, :] < rank[:, None]).astype(float)


class InterferenceModel:
    """A J x J coupling matrix with a name: the interference model of the rates.

    Parameters
    ----------
    coupling : array_like, shape (J, J)
        ``C[j, i] >= 0``: the fraction of user i's received power user j still sees.
        The diagonal must be zero.
    name : str
        Shown in results and plots.

    Raises
    ------
    ValueError
        Wrong shape, NaN/inf or negative entries, or a non-zero diagonal.
    TypeError
        Non-numeric entries.

    Examples
    --------
    >>> import numpy as np
    >>> m = InterferenceModel.treat_interference_as_noise(3)
    >>> m.coupling
    array([[0., 1., 1.],
           [1., 0., 1.],
           [1., 1., 0.]])
    """

    def __init__(self, coupling: ArrayLike, name: str = "custom") -> None:
        c = real_array(coupling, "coupling")
        if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] < 1:
            raise ValueError(f"coupling must be a square J x J matrix, got shape {c.shape}")
        if not np.all(np.isfinite(c)):
            raise ValueError("coupling must be finite (found NaN or inf)")
        if np.any(c < 0):
            raise ValueError("coupling must be non-negative")
        if np.any(np.diag(c) != 0):
            raise ValueError(
                "coupling must have a zero diagonal (a user does not interfere with itself)"
            )
        c.setflags(write=False)
        self._coupling = c
        self.name = str(name)

    @property
    def coupling(self) -> np.ndarray:
        """The coupling matrix ``C`` (read-only)."""
        return self._coupling

    @property
    def n_users(self) -> int:
        """J."""
        return self._coupling.shape[0]

    @classmethod
    def sic(cls, scenario: Scenario) -> InterferenceModel:
        """The SIC model of ``scenario`` (ascending total gain decoding order)."""
        return cls(sic_coupling(scenario), name="sic")

    @classmethod
    def treat_interference_as_noise(cls, n_users: int) -> InterferenceModel:
        """``C = 1 - I``: every co-channel user is noise."""
        return cls(1.0 - np.eye(n_users), name="tin")

    def check(self, scenario: Scenario) -> None:
        """Raise ``ValueError`` (naming ``interference``) if the sizes do not match."""
        if self.n_users != scenario.n_users:
            raise ValueError(
                f"interference: the model has {self.n_users} users but the scenario has "
                f"{scenario.n_users}"
            )

    def is_sic_for(self, scenario: Scenario) -> bool:
        """True when this is exactly the SIC coupling of ``scenario``."""
        return self.n_users == scenario.n_users and np.array_equal(
            self._coupling, sic_coupling(scenario)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form ``{"name": ..., "coupling": [[...], ...]}`` (floats round-trip exactly).

        This is the form sweeps record with their results: pass it as the ``interference``
        algorithm option of :func:`~scma_alloc.sweep`.
        """
        return {"name": self.name, "coupling": self._coupling.tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InterferenceModel:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        TypeError
            ``data`` is not a mapping with a ``coupling`` entry.
        ValueError
            As the constructor.
        """
        if not isinstance(data, Mapping) or "coupling" not in data:
            raise TypeError(
                "an interference model as a dict needs a 'coupling' entry (and optionally "
                "a 'name'), as written by InterferenceModel.to_dict()"
            )
        unknown = sorted(set(data) - {"name", "coupling"})
        if unknown:
            raise ValueError(f"unknown interference model entries {unknown}")
        return cls(data["coupling"], name=data.get("name", "custom"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InterferenceModel):
            return NotImplemented
        return self.name == other.name and np.array_equal(self._coupling, other._coupling)

    __hash__ = None  # mutable name: not hashable

    def __repr__(self) -> str:
        return f"InterferenceModel(name={self.name!r}, n_users={self.n_users})"


def as_interference_model(value: Any, name: str) -> InterferenceModel:
    """An :class:`InterferenceModel` from a model, a J x J array or the dict form of
    :meth:`InterferenceModel.to_dict` (errors name ``name``)."""
    if isinstance(value, InterferenceModel):
        return value
    try:
        if isinstance(value, Mapping):  # the JSON form of to_dict(), as in sweeps
            return InterferenceModel.from_dict(value)
        return InterferenceModel(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from exc


def rate_model(scenario: Scenario, interference: Any) -> RateModel:
    """The :class:`RateModel` of a solver's ``interference`` argument.

    ``None``, or a model equal to the scenario's SIC coupling, is the SIC model (exactly
    the paper's kernels); a :class:`InterferenceModel`, a J x J array or the dict form
    of :meth:`InterferenceModel.to_dict` is a general coupling.

    Raises
    ------
    TypeError, ValueError
        Naming ``interference``.
    """
    if interference is None:
        return RateModel(scenario, None, "sic")
    interference = as_interference_model(interference, "interference")
    interference.check(scenario)
    if interference.is_sic_for(scenario):
        return RateModel(scenario, None, "sic")
    return RateModel(scenario, np.asarray(interference.coupling), interference.name)


# --------------------------------------------------------------------------- public API
def _received_snr(scenario: Scenario, assignment: ArrayLike, power: ArrayLike) -> np.ndarray:
    scenario = check_scenario(scenario)
    f = real_array(assignment, "assignment")
    p = real_array(power, "power")
    if f.shape != scenario.shape:
        raise ValueError(f"assignment must have shape {scenario.shape}, got {f.shape}")
    if p.shape != scenario.shape:
        raise ValueError(f"power must have shape {scenario.shape}, got {p.shape}")
    if not np.all(np.isfinite(f)) or np.any((f < 0) | (f > 1)):
        raise ValueError("assignment must have values in [0, 1] (binary, or relaxed)")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("power must be finite and non-negative")
    return f * p * scenario.snr_gain


def user_rates(
    scenario: Scenario,
    assignment: ArrayLike,
    power: ArrayLike,
    coupling: ArrayLike | None = None,
) -> np.ndarray:
    """Achievable rate of every user in bit/s/Hz (paper eq. 11-12).

    Parameters
    ----------
    scenario : Scenario
    assignment : array_like, shape (K, J)
        Factor graph F (binary, or relaxed values in [0, 1]).
    power : array_like, shape (K, J)
        Transmit powers in watts.
    coupling : InterferenceModel or array_like, shape (J, J), optional
        Interference coupling ``C`` (non-negative, zero diagonal; also the dict form
        of :meth:`InterferenceModel.to_dict`); default: SIC in ascending-total-gain
        order. A given coupling is always evaluated by the general kernel, even when
        it equals the SIC coupling.

    Returns
    -------
    ndarray, shape (J,)
        Rates in the caller's user order.

    Examples
    --------
    >>> import numpy as np
    >>> from scma_alloc import Scenario, regular_factor_graph
    >>> s = Scenario(np.ones((4, 6)), power_budget=2.0)
    >>> F = regular_factor_graph(4, 6)
    >>> r = user_rates(s, F, F * 1.0)
    >>> bool(np.isclose(r.sum(), sum_rate(s, F, F * 1.0)))
    True
    """
    q = _received_snr(scenario, assignment, power)
    if coupling is None:
        return sic_user_rates_nats(q, scenario.decoding_order) / LN2
    model = as_interference_model(coupling, "coupling")
    if model.n_users != scenario.n_users:
        raise ValueError(
            f"coupling must have shape ({scenario.n_users}, {scenario.n_users}), "
            f"got ({model.n_users}, {model.n_users})"
        )
    return coupled_user_rates_nats(q, np.asarray(model.coupling)) / LN2


def sum_rate(scenario: Scenario, assignment: ArrayLike, power: ArrayLike) -> float:
    """Sum-rate in bit/s/Hz, ``sum_k log2(1 + sum_j F P gamma)`` (paper eq. 10)."""
    return float(sum_rate_nats(_received_snr(scenario, assignment, power)) / LN2)


def jain_index(rates: ArrayLike) -> float | np.ndarray:
    """Jain's fairness index ``(sum R)^2 / (J sum R^2)`` in ``[1/J, 1]``.

    Computed over the last axis; NaN when every rate is zero.

    Examples
    --------
    >>> jain_index([1.0, 1.0, 1.0])
    1.0
    >>> jain_index([1.0, 0.0, 0.0, 0.0])
    0.25
    """
    value = jain_values(real_array(rates, "rates"))
    return float(value) if np.ndim(value) == 0 else value


def allocation_violations(
    scenario: Scenario,
    assignment: ArrayLike,
    power: ArrayLike,
    rtol: float = 1e-9,
) -> list[str]:
    """Every way an allocation breaks the problem's constraints (empty if feasible).

    Checks the factor graph (binary, N per user, loads <= d_f), powers (finite,
    non-negative, zero off the graph) and per-user budgets (up to ``rtol``).
    """
    scenario = check_scenario(scenario)
    p = real_array(power, "power")
    problems = assignment_violations(assignment, scenario.n_per_user, scenario.users_per_resource)
    f = np.asarray(assignment)
    if p.shape != scenario.shape or f.shape != scenario.shape:
        return [*problems, f"shapes {f.shape}/{p.shape} differ from {scenario.shape}"]
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        problems.append("powers must be finite and non-negative")
    if np.any(p[f == 0] != 0):
        problems.append("power is non-zero off the factor graph")
    used = p.sum(axis=0)
    over = np.flatnonzero(used > scenario.power_budget * (1 + rtol))
    if over.size:
        problems.append(f"users {over.tolist()} exceed their power budget")
    return problems


def weighted_min(rates: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """``min_j R_j / w_j`` over the last axis (users of weight 0 left out; all 0: inf)."""
    if weights is None:
        return rates.min(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(weights > 0, rates / weights, np.inf)
    return ratio.min(axis=-1)
