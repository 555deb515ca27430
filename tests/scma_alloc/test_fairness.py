"""The alpha-fair objectives: limits, exhaustive references, weights, validation."""

from __future__ import annotations

import numpy as np
import pytest

import scma_alloc as sa
from scma_alloc._fairness import _project, alpha_utility


def _scenario(seed: int, dbm: float = 6.0) -> sa.Scenario:
    return sa.random_scenario(power_budget_dbm=dbm, rng=seed)


def test_alpha_zero_with_equal_weights_is_max_sr():
    s = _scenario(0)
    fair, max_sr = sa.solve_alpha_fair(s, 0.0), sa.solve_max_sr(s)
    np.testing.assert_array_equal(fair.assignment, max_sr.assignment)
    np.testing.assert_array_equal(fair.power, max_sr.power)
    assert fair.utility == fair.sum_rate == max_sr.sum_rate and fair.alpha == 0.0


def test_alpha_zero_through_the_gradient_step_reaches_max_sr():
    # Weights a hair apart take the projected-gradient path, not water-filling.
    for seed in range(3):
        s = _scenario(seed)
        weights = np.r_[np.ones(5), 1.0 + 1e-9]
        fair = sa.solve_alpha_fair(s, 0.0, weights)
        assert fair.method == "alternating" and "projected gradient" in fair.solver
        assert fair.sum_rate == pytest.approx(sa.solve_max_sr(s).sum_rate, rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_large_alpha_approaches_max_min(seed):
    s = _scenario(seed)
    max_min = sa.solve_max_min(s).min_rate
    gaps = [1 - sa.solve_alpha_fair(s, a).min_rate / max_min for a in (4.0, 30.0)]
    assert gaps[1] <= gaps[0] + 1e-9 and gaps[1] < 0.005
    assert sa.solve_alpha_fair(s, np.inf).min_rate == max_min


@pytest.mark.parametrize(
    ("alpha", "weights"),
    [(0.0, [3.0, 1.0, 1.0, 1.0, 1.0, 2.0]), (0.5, None), (1.0, None), (2.0, [1, 2, 1, 2, 1, 2])],
)
def test_alternating_reaches_the_exhaustive_reference(alpha, weights):
    for seed in range(2):
        s = _scenario(seed)
        found = sa.solve_alpha_fair(s, alpha, weights)
        best = sa.solve_alpha_fair(s, alpha, weights, method="exhaustive")
        assert best.n_graphs == 1860 and best.status == "converged"
        assert found.utility >= best.utility - 1e-6 * abs(best.utility)


def test_utility_is_the_formula_of_the_rates():
    s = _scenario(4)
    w = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 3.0])
    r = sa.solve_alpha_fair(s, 1.0, w)
    assert r.utility == pytest.approx(float(np.sum(w * np.log(r.user_rates))), rel=1e-12)
    r = sa.solve_alpha_fair(s, 2.0, w)
    assert r.utility == pytest.approx(float(np.sum(-w / r.user_rates)), rel=1e-12)
    np.testing.assert_array_equal(r.weights, w)


def test_a_heavier_weight_buys_a_user_more_rate():
    s = _scenario(5)
    plain = sa.solve_alpha_fair(s, 1.0).user_rates
    gained = []
    for j in range(6):
        weights = np.ones(6)
        weights[j] = 5.0
        rate = sa.solve_alpha_fair(s, 1.0, weights).user_rates[j]
        assert rate >= plain[j] - 1e-9
        gained.append(rate > plain[j] * (1 + 1e-3))
    assert sum(gained) >= 3  # a user already at its own limit cannot gain


def test_proportional_fairness_sits_between_max_sr_and_max_min():
    s = _scenario(6)
    pf, sr, mm = sa.solve_alpha_fair(s, 1.0), sa.solve_max_sr(s), sa.solve_max_min(s)
    assert mm.min_rate >= pf.min_rate >= sr.min_rate - 1e-9
    assert sr.sum_rate >= pf.sum_rate >= mm.sum_rate - 1e-9
    assert sa.get_algorithm("prop-fair")(s).utility == pytest.approx(pf.utility)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((-1.0,), {}, ValueError, "alpha must be >= 0"),
        ((np.nan,), {}, ValueError, "alpha must be >= 0"),
        (("1",), {}, TypeError, "alpha must be a real number"),
        ((1.0, np.ones(5)), {}, ValueError, r"weights must have shape \(6,\)"),
        ((1.0, -np.ones(6)), {}, ValueError, "weights must be finite and >= 0"),
        ((1.0, np.zeros(6)), {}, ValueError, "at least one positive"),
        ((1.0, ["1"] * 6), {}, TypeError, "weights"),
        ((1.0,), {"method": "paper"}, ValueError, "no alpha-fair algorithm"),
    ],
)
def test_bad_arguments_are_refused_by_name(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        sa.solve_alpha_fair(_scenario(0), *args, **kwargs)


@pytest.mark.parametrize("n", [2, 3])
def test_projection_on_the_budget_set(n):
    # n = 2 takes the closed form, n = 3 the sort-based projection.
    rng = np.random.default_rng(n)
    for _ in range(200):
        v = rng.normal(size=n) * rng.choice([0.1, 1.0, 5.0])
        p = _project(v[None, :])[0]
        assert np.all(p >= 0) and p.sum() <= 1 + 1e-12
        # No feasible point is closer to v (sampled on the simplex and inside it).
        others = rng.dirichlet(np.ones(n), size=300) * rng.uniform(0, 1, (300, 1))
        assert np.linalg.norm(v - p) <= np.linalg.norm(v - others, axis=1).min() + 1e-12
    inside = np.array([[0.2, 0.3, 0.1]])
    np.testing.assert_array_equal(_project(inside), inside)


def test_utility_limits():
    rates = np.array([[1.0, 2.0, 4.0]])
    w = np.ones(3)
    assert alpha_utility(rates, 0.0, w)[0] == 7.0
    assert alpha_utility(rates, 1.0, w)[0] == pytest.approx(np.log(8.0))
    assert alpha_utility(np.array([[0.0, 1.0, 1.0]]), 1.0, w)[0] == -np.inf


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0])
def test_batched_starts_equal_separate_runs(alpha):
    # The power step runs every start of every graph as one batch; each row must
    # follow the same path as a run of that start alone, and the best row is kept.
    from scma_alloc._fairness import alpha_fair_power
    from scma_alloc._graph import random_edges
    from scma_alloc._rates import rate_model

    s = _scenario(1)
    rng = np.random.default_rng(0)
    sub = random_edges(4, 6, 2, 3, rng, 3).astype(np.intp)
    a = s.snr_at_budget[sub, np.arange(6)[None, :, None]]
    model = rate_model(s, None)
    weights = rng.uniform(0.5, 2.0, 6)
    starts = [np.full(sub.shape, 0.5), rng.dirichlet(np.ones(2), size=(3, 6))]
    x, u = alpha_fair_power(a, sub, model, alpha, weights, starts, iterations=40)
    alone = [alpha_fair_power(a, sub, model, alpha, weights, [x0], iterations=40) for x0 in starts]
    best = np.argmax(np.stack([v for _, v in alone]), axis=0)
    for b in range(3):
        np.testing.assert_allclose(x[b], alone[best[b]][0][b], rtol=1e-12, atol=1e-15)
        assert u[b] == pytest.approx(alone[best[b]][1][b], rel=1e-12)
    assert np.all(np.isfinite(u)) and np.all(x >= 0) and np.all(x.sum(axis=2) <= 1 + 1e-12)


@pytest.mark.parametrize("capped", [False, True])
def test_warm_started_proxy_is_feasible_and_no_worse_than_its_start(capped):
    # The search scores a neighbour graph from its parent's point: the proxy must keep
    # the budgets (and the caps, into which the start is scaled first) and never end
    # below the value of its (scaled) start.
    from scma_alloc._caps import check_caps
    from scma_alloc._graph import random_edges
    from scma_alloc._objectives import Problem
    from scma_alloc._power import power_step
    from scma_alloc._rates import rate_model

    s = _scenario(2, dbm=10.0)
    caps = check_caps(s, 0.6 * s.power_budget[0], None) if capped else None
    problem = Problem(
        s, "alpha_fair", rate_model(s, None), alpha=1.0, weights=np.ones(6), caps=caps
    )
    step = power_step(problem)
    assert step.warm_start
    rng = np.random.default_rng(3)
    sub = random_edges(4, 6, 2, 3, rng, 8).astype(np.intp)
    parent = rng.dirichlet(np.ones(2), size=(8, 6)) * rng.uniform(0.5, 1.0, (8, 6, 1))
    x, value = step.proxy(sub, x0=parent)
    assert np.all(x >= 0) and np.all(x.sum(axis=2) <= 1 + 1e-12)
    start = parent if caps is None else caps.scale(parent, sub)
    if caps is not None:
        assert np.all(caps.usage(x, sub) <= 1 + 1e-9)
        assert np.any(caps.usage(parent, sub) > 1)  # the caps bind on some parents
    assert np.all(value >= problem.values(sub, start) - 1e-12)
    np.testing.assert_allclose(value, problem.values(sub, x), rtol=1e-12)


def test_a_neighbour_starts_from_its_parents_powers():
    # Every edge the move leaves in place keeps the parent's budget fraction, and the
    # moved edge takes the fraction of the slot it replaced.
    from scma_alloc._graph import random_edges
    from scma_alloc._search import neighbours, parent_points

    rng = np.random.default_rng(4)
    sub = random_edges(4, 6, 2, 3, rng, 3).astype(np.intp)
    x = rng.dirichlet(np.ones(2), size=(3, 6))
    cand = neighbours(sub, 4, 3)
    graphs, x0 = cand.apply(sub), parent_points(cand, sub, x)
    assert np.all(np.diff(graphs, axis=-1) > 0)  # canonical: sorted slots
    for c in range(len(cand)):
        parent = {
            (int(k), j): x[cand.graph[c], j, n]
            for j in range(6)
            for n, k in enumerate(sub[cand.graph[c], j])
        }
        child = {(int(k), j): x0[c, j, n] for j in range(6) for n, k in enumerate(graphs[c, j])}
        same = set(parent) & set(child)
        assert len(same) == 12 - (1 if cand.user_b[c] < 0 else 2)
        for edge in same:
            assert child[edge] == parent[edge]
        np.testing.assert_allclose(x0[c].sum(axis=1), x[cand.graph[c]].sum(axis=1))
