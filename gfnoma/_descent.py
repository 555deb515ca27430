"""Chip-wise coordinate descent on a weighted sum of squared cross-correlations.

Shared by :func:`gfnoma.search_signatures` (weights ``p``, objective ``CC_weighted``) and
:func:`gfnoma.musa_like` for long sequences (unit weights, first chip fixed).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np

__all__ = ["coordinate_descent", "weighted_correlation_sum"]

# Costs are O(1); a move must lower the objective by more than this to count, so floating
# point noise can neither fake an improvement nor make the descent cycle.
_TOL = 1e-12


def weighted_correlation_sum(raw: np.ndarray, weights: np.ndarray) -> float:
    """``sum_{i != j} w_i w_j |rho_ij|^2`` of the columns of ``raw`` (non-zero columns)."""
    unit = raw / np.linalg.norm(raw, axis=0)
    r2 = np.abs(unit.conj().T @ unit) ** 2
    np.fill_diagonal(r2, 0.0)
    return float(weights @ r2 @ weights)


def _user_costs(unit: np.ndarray, w: np.ndarray, n: int, cand: np.ndarray) -> np.ndarray:
    """``w_n sum_{m != n} w_m |rho_nm|^2`` for candidate columns ``cand`` (H, V) of user n."""
    others = np.arange(unit.shape[1]) != n
    norms = np.sqrt(np.sum(cand.real**2 + cand.imag**2, axis=0))
    ok = norms > 0
    cost = np.full(cand.shape[1], np.inf)
    r2 = np.abs(unit[:, others].conj().T @ (cand[:, ok] / norms[ok])) ** 2
    cost[ok] = w[n] * (w[others] @ r2)
    return cost


def coordinate_descent(
    raw: np.ndarray,
    weights: np.ndarray,
    values: np.ndarray | Callable[[int, int], np.ndarray],
    *,
    fixed_rows: Collection[int] = (),
    max_sweeps: int = 100,
) -> tuple[np.ndarray, int, int]:
    """Improve ``raw`` (H, N) chip by chip over the alphabet ``values``.

    A sweep visits every user ``n`` and chip ``k`` (except ``fixed_rows``) and sets the chip
    to the value with the lowest objective (all candidate values are evaluated exactly; only
    user ``n``'s terms change). ``values`` is one array of candidates for every chip, or a
    function ``values(chip, user)`` giving each chip its own. Each accepted move lowers the
    objective by more than ``1e-12``; the descent stops after a sweep without moves or after
    ``max_sweeps``.

    Returns
    -------
    (raw, sweeps, evaluations)
        The improved copy, the number of sweeps and of evaluated candidate values.
    """
    raw = np.array(raw, dtype=np.complex128)
    h, n = raw.shape
    unit = raw / np.linalg.norm(raw, axis=0)
    sweeps = evaluations = 0
    for _ in range(max_sweeps):
        sweeps += 1
        changed = False
        for user in range(n):
            for chip in range(h):
                if chip in fixed_rows:
                    continue
                options = values(chip, user) if callable(values) else values
                cand = np.repeat(raw[:, user : user + 1], options.size, axis=1)
                cand[chip, :] = options
                costs = _user_costs(unit, weights, user, cand)
                evaluations += options.size
                j = int(np.argmin(costs))
                current = _user_costs(unit, weights, user, raw[:, user : user + 1])[0]
                if costs[j] < current - _TOL:
                    raw[chip, user] = options[j]
                    unit[:, user] = raw[:, user] / np.linalg.norm(raw[:, user])
                    changed = True
        if not changed:
            break
    return raw, sweeps, evaluations
