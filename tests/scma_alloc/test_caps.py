"""Power caps per resource and in total, next to the per-user budgets."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

import scma_alloc as sa
from scma_alloc._rates import LN2, edge_index

CAPS = [
    {"total_cap": 0.03},
    {"resource_caps": 0.01},
    {"resource_caps": [0.004, 0.02, 0.01, np.inf], "total_cap": 0.025},
]


def _within(result, scenario, caps) -> bool:
    p = result.power
    ok = bool(np.all(p.sum(axis=0) <= scenario.power_budget * (1 + 1e-12)))
    if caps.get("total_cap") is not None:
        ok &= p.sum() <= caps["total_cap"] * (1 + 1e-12)
    if caps.get("resource_caps") is not None:
        ok &= bool(np.all(p.sum(axis=1) <= np.asarray(caps["resource_caps"]) * (1 + 1e-12)))
    return ok


def _sum_rate_reference(scenario, assignment, caps) -> float:
    """The capped sum-rate power step of one graph as a convex program (SIC sum-rate is
    the concave sum over resources of log(1 + their total received SNR))."""
    sub = edge_index(assignment, scenario.n_per_user)
    j, n = sub.shape
    a = scenario.snr_at_budget[sub, np.arange(j)[:, None]]
    watts = scenario.power_budget[:, None] * np.ones((j, n))
    y = cp.Variable((j, n), nonneg=True)
    per_resource = [cp.sum(cp.multiply(watts * (sub == k), y)) for k in range(4)]
    terms = [cp.log(1 + cp.sum(cp.multiply(a * (sub == k), y))) for k in range(4)]
    constraints = [cp.sum(y, axis=1) <= 1]
    if caps.get("total_cap") is not None:
        constraints.append(cp.sum(cp.multiply(watts, y)) <= caps["total_cap"])
    if caps.get("resource_caps") is not None:
        limit = np.broadcast_to(np.asarray(caps["resource_caps"], dtype=float), (4,))
        constraints += [per_resource[k] <= limit[k] for k in range(4) if np.isfinite(limit[k])]
    problem = cp.Problem(cp.Maximize(cp.sum(terms)), constraints)
    problem.solve(solver="CLARABEL")
    return problem.value / LN2


@pytest.mark.parametrize("caps", CAPS)
def test_caps_hold_for_every_objective(caps):
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    for solve in (
        sa.solve_max_sr,
        sa.solve_max_min,
        lambda s, **kw: sa.solve_alpha_fair(s, 1, **kw),
    ):
        res = solve(s, **caps)
        assert res.success and _within(res, s, caps)
        assert np.allclose(sa.user_rates(s, res.assignment, res.power), res.user_rates)


@pytest.mark.parametrize("caps", CAPS)
def test_capped_sum_rate_power_step_is_the_convex_optimum(caps):
    for seed in range(2):
        s = sa.random_scenario(power_budget_dbm=10, rng=seed)
        res = sa.solve_max_sr(s, **caps)
        reference = _sum_rate_reference(s, res.assignment, caps)
        assert res.sum_rate == pytest.approx(reference, rel=2e-4)
        assert res.sum_rate <= sa.solve_max_sr(s).sum_rate * (1 + 1e-9)


def test_caps_that_cannot_bind_change_nothing():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    loose = {"resource_caps": 0.03, "total_cap": 0.06}  # d_f x 10 mW, J x 10 mW
    for solve in (sa.solve_max_sr, sa.solve_max_min):
        assert solve(s, **loose).user_rates.tolist() == solve(s).user_rates.tolist()


def test_max_min_with_caps():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    free = sa.solve_max_min(s)
    # A cap at what the free optimum uses allows it: the capped value is not worse.
    at_use = sa.solve_max_min(s, resource_caps=free.power.sum(axis=1) * (1 + 1e-9))
    assert at_use.min_rate >= free.min_rate * (1 - 1e-3)
    tight = sa.solve_max_min(s, total_cap=0.01)
    assert tight.min_rate < free.min_rate and tight.power.sum() <= 0.01 * (1 + 1e-12)


def test_floors_and_caps_together():
    s = sa.random_scenario(power_budget_dbm=10, rng=0)
    caps = {"total_cap": 0.03}
    floor = 0.9 * sa.solve_max_min(s, **caps).min_rate
    res = sa.solve_max_sr(s, min_rates=floor, **caps)
    assert res.success and _within(res, s, caps)
    assert res.user_rates.min() >= floor * (1 - 1e-9)
    assert res.total_cap == 0.03


def test_exhaustive_with_caps():
    s = sa.random_scenario(n_resources=3, n_users=3, n_per_user=2, power_budget_dbm=6, rng=1)
    caps = {"total_cap": 0.006}
    exact = sa.solve_max_min(s, method="exhaustive", **caps)
    found = sa.solve_max_min(s, **caps)
    assert _within(exact, s, caps) and _within(found, s, caps)
    assert found.min_rate >= exact.min_rate * (1 - 5e-3)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"resource_caps": -1.0}, ValueError, "resource_caps"),
        ({"resource_caps": 0.0}, ValueError, "resource_caps"),
        ({"resource_caps": np.nan}, ValueError, "resource_caps"),
        ({"resource_caps": [1.0, 2.0]}, ValueError, "resource_caps"),
        ({"resource_caps": 1j}, TypeError, "resource_caps"),
        ({"resource_caps": "1"}, TypeError, "resource_caps"),
        ({"total_cap": 0.0}, ValueError, "total_cap"),
        ({"total_cap": np.nan}, ValueError, "total_cap"),
        ({"total_cap": "1"}, TypeError, "total_cap"),
        ({"total_cap": True}, TypeError, "total_cap"),
        ({"total_cap": 0.01, "method": "paper"}, ValueError, "method"),
    ],
)
def test_bad_caps_are_refused(kwargs, error, match):
    s = sa.random_scenario(rng=0)
    with pytest.raises(error, match=match):
        sa.solve_max_sr(s, **kwargs)


def test_cli_solve_with_caps(capsys):
    from scma_alloc._cli import main

    args = ["solve", "--no-figure", "--objective", "max-min"]
    assert main([*args, "--total-cap-dbm", "14", "--resource-caps-dbm", "10"]) == 0
    assert "status converged" in capsys.readouterr().out
    assert main([*args, "--resource-caps-dbm", "10,11"]) == 2
    assert "one per subcarrier (4), got 2" in capsys.readouterr().err
    assert main(["solve", "--no-figure", "--algorithms", "b0", "--total-cap-dbm", "14"]) == 2
    assert "--total-cap-dbm applies to --objective runs" in capsys.readouterr().err
