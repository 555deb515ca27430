"""Reference problems with known answers, reused by every method (CVXPY's solver test
helpers are the model: a new method is one more parameter of the tests that use them).

Each :class:`Reference` is a scenario, an objective, an interference model and a known
answer: the exact optimum (``exact=True``: nothing may beat it, and exact methods must
reach it) or the best value of a brute-force search over a fine power grid on every
factor graph (``exact=False``: a lower bound of the optimum that the local methods must
come close to).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np

import scma_alloc as sa


@dataclass(frozen=True)
class Reference:
    name: str
    scenario: sa.Scenario
    objective: str  # "sum_rate" | "min_rate"
    coupling: np.ndarray | None  # None: SIC
    value: float  # bit/s/Hz
    exact: bool
    rtol: float = 1e-9


def _grid_min_rate(scenario: sa.Scenario, coupling: np.ndarray | None, points: int) -> float:
    """Best min-rate over every factor graph and a grid of every user's power: N = 1, a
    fraction of the budget; N = 2, a total fraction and a split (``points`` values each)."""
    k, j = scenario.shape
    n = scenario.n_per_user
    levels = np.linspace(0.0, 1.0, points)
    if n == 1:
        per_user = levels[:, None]
    else:
        u, s = np.meshgrid(levels, levels, indexing="ij")
        per_user = np.stack([(u * s).ravel(), (u * (1 - s)).ravel()], axis=1)
    combos = np.array(list(itertools.product(range(len(per_user)), repeat=j)))
    x = per_user[combos]  # (C, J, N)
    best = 0.0
    for graph in sa.enumerate_factor_graphs(k, j, n, scenario.users_per_resource):
        sub = np.nonzero(graph.T)[1].reshape(j, n)
        power = np.zeros((len(combos), k, j))
        power[:, sub, np.arange(j)[:, None]] = x * scenario.power_budget[:, None]
        q = graph * power * scenario.snr_gain
        if coupling is None:
            order = scenario.decoding_order
            ranked = q[..., order]
            interference = np.cumsum(ranked, axis=-1) - ranked
            rates_ranked = np.log2(1 + ranked / (1 + interference)).sum(axis=-2)
            rates = np.empty_like(rates_ranked)
            rates[..., order] = rates_ranked
        else:
            rates = np.log2(1 + q / (1 + q @ coupling.T)).sum(axis=-2)
        best = max(best, float(rates.min(axis=-1).max()))
    return best


def _tiny(seed: int, k: int, j: int, n: int, d: int) -> sa.Scenario:
    rng = np.random.default_rng(seed)
    gains = 10.0 ** rng.uniform(-1, 2, size=(k, j))
    return sa.Scenario(gains, 1.0, 1.0, n_per_user=n, users_per_resource=d)


@cache
def references() -> tuple[Reference, ...]:
    """The table (built once per test session)."""
    table = []
    # The paper's 4 x 6 drops: the exhaustive Max-SR optimum (every graph, water-filling).
    for seed, budget in ((0, 3.0), (1, 6.0), (2, 10.0), (5, 10.0)):
        scenario = sa.random_scenario(power_budget_dbm=budget, rng=seed)
        optimum = sa.exhaustive_max_sr(scenario).sum_rate
        name = f"4x6-{seed}-{budget:g}dBm"
        table.append(Reference(name, scenario, "sum_rate", None, optimum, True))
    # Tiny instances where users must share: brute force over a power grid (min-rate).
    for seed, (k, j, n, d, points) in enumerate(
        ((1, 2, 1, 2, 401), (2, 3, 1, 2, 101), (2, 2, 2, 2, 31))
    ):
        scenario = _tiny(seed, k, j, n, d)
        rng = np.random.default_rng(10 + seed)
        coupling = rng.uniform(0.05, 0.5, size=(j, j)) * (1 - np.eye(j))
        for tag, model in (("sic", None), ("coupled", coupling)):
            value = _grid_min_rate(scenario, model, points)
            name = f"tiny-{k}x{j}-N{n}-{tag}"
            table.append(Reference(name, scenario, "min_rate", model, value, False, 1e-5))
    # Sum-rate under SIC with every user on every resource: concave, CVXPY's optimum.
    for seed in (1, 2):
        scenario = _tiny(seed, 2, 2, 2, 2)
        graph = np.ones((2, 2), dtype=np.int8)
        optimum = sa.sum_rate(scenario, graph, sa.max_sr_power(scenario, graph, method="cvxpy"))
        table.append(
            Reference(f"tiny-2x2-sr-{seed}", scenario, "sum_rate", None, optimum, True, 1e-6)
        )
    return tuple(table)


def sic_rates_by_hand(gains, noise, assignment, power):
    """The SIC rates of the paper (eq. 11-12) from the exported numbers alone."""
    gains, f, p = np.asarray(gains), np.asarray(assignment), np.asarray(power)
    noise = np.broadcast_to(np.asarray(noise, dtype=float), gains.shape[:1])  # per resource
    order = np.argsort(gains.sum(axis=0), kind="stable")  # ascending total gain
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    rates = np.zeros(gains.shape[1])
    for j in range(gains.shape[1]):
        for k in np.flatnonzero(f[:, j]):
            weaker = [i for i in range(gains.shape[1]) if rank[i] < rank[j] and f[k, i]]
            interference = sum(p[k, i] * gains[k, i] for i in weaker)
            rates[j] += np.log2(1 + p[k, j] * gains[k, j] / (noise[k] + interference))
    return rates
