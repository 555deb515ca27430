"""Rate model: sum-rate (paper eq. 10), per-user SIC rates (eq. 11-12), Jain's index.

The interference user ``j`` sees on resource ``k`` is weighted by a coupling matrix
``C`` (J x J)::

    R_j = sum_k log2(1 + q[k, j] / (1 + sum_i C[j, i] q[k, i])),   q = F * P * gamma

SIC decoding (the default, spec §2) is the instance ``C[j, i] = 1`` iff user ``i`` is
weaker than ``j`` (decoded after it); its user rates telescope to the sum-rate.
``../shared/spec/integration.md`` plugs signature-derived couplings in through ``C``.

Public functions take a :class:`~scma_alloc.Scenario` and powers in watts; the
``_``-prefixed helpers work on normalised, batched arrays (received SNR ``q`` of
shape ``(..., K, J)``) and return nats.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .factor_graph import assignment_violations
from .scenario import Scenario

__all__ = [
    "allocation_violations",
    "jain_index",
    "sic_coupling",
    "sum_rate",
    "user_rates",
]

LN2 = float(np.log(2.0))


def sic_coupling(scenario: Scenario) -> np.ndarray:
    """SIC coupling matrix: ``C[j, i] = 1`` iff user ``i`` ranks below user ``j``.

    Users are ranked by ascending total gain; the base station decodes the
    strongest first, so user ``j`` still sees every weaker user ``i``.

    Returns
    -------
    ndarray, shape (J, J)
        Strictly "lower triangular" in rank order, zero diagonal.
    """
    rank = scenario.user_rank
    return (rank[None, :] < rank[:, None]).astype(float)


# --------------------------------------------------------------------------- internals
def _sic_user_rates(q: np.ndarray, order: np.ndarray) -> np.ndarray:
    """SIC user rates in nats from received SNRs ``q`` (..., K, J); caller's order."""
    q_ranked = q[..., order]
    interference = np.cumsum(q_ranked, axis=-1) - q_ranked
    # Exact zero interference for the weakest user (cumsum rounding otherwise).
    interference[..., 0] = 0.0
    np.maximum(interference, 0.0, out=interference)
    rates_ranked = np.log1p(q_ranked / (1.0 + interference)).sum(axis=-2)
    rates = np.empty_like(rates_ranked)
    rates[..., order] = rates_ranked
    return rates


def _coupled_user_rates(q: np.ndarray, coupling: np.ndarray) -> np.ndarray:
    """User rates in nats for a general coupling matrix (J x J)."""
    interference = q @ coupling.T
    return np.log1p(q / (1.0 + interference)).sum(axis=-2)


def _sum_rate(q: np.ndarray) -> np.ndarray:
    """Sum-rate in nats, eq. (10): ``sum_k log(1 + sum_j q[k, j])``."""
    return np.log1p(q.sum(axis=-1)).sum(axis=-1)


def _jain(rates: np.ndarray) -> np.ndarray:
    rates = np.asarray(rates, dtype=float)
    numerator = rates.sum(axis=-1) ** 2
    denominator = rates.shape[-1] * (rates**2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerator / denominator


# --------------------------------------------------------------------------- public API
def _received_snr(scenario: Scenario, assignment: ArrayLike, power: ArrayLike) -> np.ndarray:
    f = np.asarray(assignment, dtype=float)
    p = np.asarray(power, dtype=float)
    if f.shape != scenario.shape:
        raise ValueError(f"assignment must have shape {scenario.shape}, got {f.shape}")
    if p.shape != scenario.shape:
        raise ValueError(f"power must have shape {scenario.shape}, got {p.shape}")
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
    coupling : array_like, shape (J, J), optional
        Interference coupling ``C``; default: SIC in ascending-total-gain order.

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
        return _sic_user_rates(q, scenario.decoding_order) / LN2
    c = np.asarray(coupling, dtype=float)
    if c.shape != (scenario.n_users, scenario.n_users):
        raise ValueError(
            f"coupling must have shape ({scenario.n_users}, {scenario.n_users}), got {c.shape}"
        )
    return _coupled_user_rates(q, c) / LN2


def sum_rate(scenario: Scenario, assignment: ArrayLike, power: ArrayLike) -> float:
    """Sum-rate in bit/s/Hz, ``sum_k log2(1 + sum_j F P gamma)`` (paper eq. 10)."""
    return float(_sum_rate(_received_snr(scenario, assignment, power)) / LN2)


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
    value = _jain(np.asarray(rates, dtype=float))
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
    problems = assignment_violations(assignment, scenario.n_per_user, scenario.users_per_resource)
    f = np.asarray(assignment)
    p = np.asarray(power, dtype=float)
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
