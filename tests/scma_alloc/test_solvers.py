"""solve_max_sr / solve_max_min: results, exact references, options, faults."""

import numpy as np
import pytest

import scma_alloc as sa
import scma_alloc._convex
from scma_alloc._convex import ConicOutcome

FIELDS = (
    "assignment",
    "power",
    "user_rates",
    "sum_rate",
    "min_rate",
    "jain_index",
    "status",
    "converged",
    "message",
    "n_outer",
    "n_inner",
    "history",
    "solve_time",
    "solver",
)
SOLVERS = {"max_sr": sa.solve_max_sr, "max_min": sa.solve_max_min}


def assert_valid(scenario, result):
    for field in FIELDS:
        assert field in result, field
    assert result.success
    assert sa.allocation_violations(scenario, result.assignment, result.power) == []
    rates = sa.user_rates(scenario, result.assignment, result.power)
    np.testing.assert_allclose(result.user_rates, rates, rtol=1e-12)
    assert result.sum_rate == pytest.approx(rates.sum(), rel=1e-12)
    assert result.min_rate == pytest.approx(rates.min(), rel=1e-12)
    assert result.jain_index == pytest.approx(sa.jain_index(rates), rel=1e-12)
    assert result.solve_time >= 0


@pytest.mark.parametrize("objective", ["max_sr", "max_min"])
@pytest.mark.parametrize("method", ["alternating", "paper"])
def test_results_are_feasible_and_consistent(objective, method):
    scenario = sa.random_scenario(power_budget_dbm=6.0, rng=11)
    result = SOLVERS[objective](scenario, method=method)
    assert_valid(scenario, result)
    assert result.status == sa.STATUS_CONVERGED
    assert result.converged and result.method == method
    assert result.history and result.n_outer >= (1 if method == "paper" else 0)


def test_exhaustive_max_sr_is_the_optimum_and_the_default_reaches_it():
    for seed in range(6):
        scenario = sa.random_scenario(power_budget_dbm=float([3, 6, 10][seed % 3]), rng=seed)
        exact = sa.exhaustive_max_sr(scenario)
        assert exact.status == sa.STATUS_OPTIMAL and exact.n_graphs == 1860
        assert_valid(scenario, exact)
        default = sa.solve_max_sr(scenario)
        paper = sa.solve_max_sr(scenario, method="paper")
        b0 = sa.sum_rate(
            scenario,
            sa.regular_factor_graph(4, 6),
            sa.regular_factor_graph(4, 6) * scenario.power_budget / 2,
        )
        assert exact.sum_rate >= max(default.sum_rate, paper.sum_rate, b0) * (1 - 1e-12)
        assert default.sum_rate >= paper.sum_rate * (1 - 1e-12)
        assert default.sum_rate >= 0.995 * exact.sum_rate


def test_exhaustive_max_sr_by_brute_force_on_a_tiny_instance():
    rng = np.random.default_rng(5)
    scenario = sa.Scenario(rng.exponential(size=(3, 4)) * 50, 1.0, n_per_user=2)
    graphs = sa.enumerate_factor_graphs(3, 4, 2, 3)
    best = max(sa.sum_rate(scenario, g, sa.max_sr_power(scenario, g)) for g in graphs)
    assert sa.exhaustive_max_sr(scenario).sum_rate == pytest.approx(best, rel=1e-10)


def test_exhaustive_max_min_pruning_changes_nothing():
    rng = np.random.default_rng(3)
    scenario = sa.Scenario(rng.exponential(size=(3, 4)) * 30, 1.0, 1.0, 2, 3)
    pruned = sa.exhaustive_max_min(scenario)
    values = [
        sa.user_rates(scenario, g, sa.max_min_power(scenario, g)).min()
        for g in sa.enumerate_factor_graphs(3, 4, 2, 3)
    ]
    assert pruned.min_rate == pytest.approx(max(values), rel=1e-6)
    assert pruned.n_polished <= pruned.n_graphs == len(values)


def test_exhaustive_refuses_large_instances_before_any_work():
    big = sa.random_scenario(16, 24, rng=0)
    with pytest.raises(ValueError, match="max_graphs"):
        sa.exhaustive_max_sr(big)
    with pytest.raises(ValueError, match="max_graphs"):
        sa.solve_max_min(big, method="exhaustive")


@pytest.mark.parametrize("seed", range(4))
def test_default_max_min_never_worse_than_the_paper(seed):
    scenario = sa.random_scenario(power_budget_dbm=float([3, 10][seed % 2]), rng=40 + seed)
    default = sa.solve_max_min(scenario)
    paper = sa.solve_max_min(scenario, method="paper")
    assert_valid(scenario, default)
    assert default.min_rate >= paper.min_rate * (1 - 1e-12)
    # Max-Min is about fairness: far fairer than the sum-rate optimum.
    assert default.min_rate >= sa.solve_max_sr(scenario).min_rate * (1 - 1e-12)


def _monotone(values, rtol=1e-9):
    values = np.asarray(values, dtype=float)
    return np.all(np.diff(values) >= -rtol * (1 + np.abs(values[:-1])))


@pytest.mark.parametrize("objective", ["max_sr", "max_min"])
def test_convergence_monitor_theorem_1(objective):
    """Accepted steps never decrease the true objective (paper Theorem 1)."""
    checked = 0
    for seed in range(12):
        scenario = sa.random_scenario(power_budget_dbm=float(3 + seed % 8), rng=100 + seed)
        for method in ("paper", "alternating"):
            result = SOLVERS[objective](scenario, method=method)
            frame = result.history_frame()
            accepted = frame[frame.accepted & np.isfinite(frame.objective)]
            # The relaxed alternating stage of the paper: codebook and power steps.
            for prefix in ("", "paper:"):
                relaxed = accepted[accepted.stage.isin([prefix + "codebook", prefix + "power"])]
                assert _monotone(relaxed.objective), (seed, method, prefix)
                checked += len(relaxed)
            for (stage, _), group in accepted.groupby(["stage", "outer"]):
                if stage.endswith(("final_power", "local_search")):
                    assert _monotone(group.objective), (seed, method, stage)
                    checked += len(group)
            # Minorant: the true objective at a surrogate's solution is never below
            # the surrogate's optimal value (up to solver accuracy).
            solved = frame[np.isfinite(frame.surrogate) & np.isfinite(frame.candidate)]
            slack = solved.candidate - solved.surrogate
            assert np.all(slack >= -1e-5 * (1 + np.abs(solved.surrogate))), (seed, method)
    assert checked > 100


def test_callback_can_stop_the_run():
    scenario = sa.random_scenario(rng=2)
    seen = []

    def stop_at_third(record):
        seen.append(record)
        return len(seen) >= 3

    for objective, method in [
        ("max_sr", "paper"),
        ("max_min", "paper"),
        ("max_min", "alternating"),
    ]:
        seen.clear()
        result = SOLVERS[objective](scenario, method=method, callback=stop_at_third)
        assert result.status == sa.STATUS_STOPPED_BY_CALLBACK
        assert not result.converged
        assert_valid(scenario, result)
        assert len(seen) == 3


def test_every_solver_failing_still_returns_a_feasible_allocation(monkeypatch):
    def fail(problem, solvers):
        return ConicOutcome(False, "solver_error: SolverError", "+".join(solvers), float("nan"))

    monkeypatch.setattr(scma_alloc._convex, "solve_conic", fail)  # every SCP goes through it
    scenario = sa.random_scenario(power_budget_dbm=6.0, rng=8)
    for objective in ("max_sr", "max_min"):
        for method in ("paper", "alternating"):
            result = SOLVERS[objective](scenario, method=method)
            assert_valid(scenario, result)
            if method == "paper":
                assert result.status == sa.STATUS_SOLVER_FAILED, (objective, method)
                assert "failed on every solver" in result.message
                assert result.min_rate > 0
            else:  # the default method needs no conic solver under SIC
                assert result.status == sa.STATUS_CONVERGED, (objective, method)
    # Under a coupling the default's sum-rate polish is SCP: its failures are reported.
    coupling = 0.1 * (1 - np.eye(6))
    result = sa.solve_max_sr(scenario, interference=coupling)
    assert_valid_coupled(scenario, result, coupling)
    assert result.status == sa.STATUS_SOLVER_FAILED
    assert "failed on every solver" in result.message


def assert_valid_coupled(scenario, result, coupling):
    assert sa.allocation_violations(scenario, result.assignment, result.power) == []
    rates = sa.user_rates(scenario, result.assignment, result.power, coupling=coupling)
    np.testing.assert_allclose(result.user_rates, rates, rtol=1e-12)


def test_fallback_to_the_next_solver(monkeypatch):
    import cvxpy as cp
    from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import CLARABEL

    def broken(self, *args, **kwargs):
        raise cp.error.SolverError("simulated CLARABEL failure")

    monkeypatch.setattr(CLARABEL, "solve_via_data", broken)
    scenario = sa.random_scenario(rng=8)
    result = sa.solve_max_min(scenario, method="paper")
    assert_valid(scenario, result)
    assert result.status == sa.STATUS_CONVERGED
    assert result.solver == "ECOS"


def test_wide_dynamic_range_of_gains():
    rng = np.random.default_rng(0)
    gains = 10.0 ** rng.uniform(-3, 12, size=(4, 6))
    gains[0, 0], gains[1, 1] = 1e-3, 1e12
    scenario = sa.Scenario(gains, 1.0)
    exact = sa.exhaustive_max_sr(scenario)
    for method in ("alternating", "paper"):
        result = sa.solve_max_sr(scenario, method=method)
        assert_valid(scenario, result)
        assert result.status == sa.STATUS_CONVERGED
        assert result.sum_rate >= 0.99 * exact.sum_rate
    fair = sa.solve_max_min(scenario)  # runs the paper's Algorithm 2 inside, too
    assert_valid(scenario, fair)
    assert fair.status == sa.STATUS_CONVERGED
    assert fair.min_rate > 1.0


def test_initial_point_options():
    scenario = sa.random_scenario(rng=12)
    first = sa.solve_max_sr(scenario, method="paper")
    again = sa.solve_max_sr(scenario, initial=first)
    assert again.sum_rate >= first.sum_rate * (1 - 1e-12)
    relaxed = sa.solve_max_sr(scenario, method="paper", initial=np.full((4, 6), 0.4))
    assert_valid(scenario, relaxed)
    with pytest.raises(ValueError, match="initial"):
        sa.solve_max_sr(scenario, initial=np.ones((4, 6)))
    with pytest.raises(ValueError, match="initial"):
        sa.solve_max_min(scenario, method="paper", initial=np.full((4, 6), 2.0))


def test_results_are_reproducible():
    scenario = sa.random_scenario(rng=13)
    for solve in SOLVERS.values():
        a, b = solve(scenario), solve(scenario)
        np.testing.assert_array_equal(a.assignment, b.assignment)
        np.testing.assert_array_equal(a.power, b.power)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "magic"}, ValueError, "method"),
        ({"tolerance": 1e-3}, TypeError, "tolerance"),
        ({"method": "paper", "n_starts": 3}, TypeError, "n_starts"),
        ({"method": "paper", "eta": -1.0}, ValueError, "eta"),
        ({"method": "paper", "max_outer": 0}, ValueError, "max_outer"),
        ({"method": "paper", "max_inner": 2.5}, TypeError, "max_inner"),
        ({"method": "paper", "trust_shrink": 1.5}, ValueError, "trust_shrink"),
        ({"n_starts": -1}, ValueError, "n_starts"),
        ({"polish": "yes"}, TypeError, "polish"),
        ({"callback": 3}, TypeError, "callback"),
        ({"solver": "NOSUCHSOLVER"}, ValueError, "solver"),
    ],
)
def test_bad_options_fail_fast(kwargs, error, match):
    scenario = sa.random_scenario(rng=0)
    for solve in SOLVERS.values():
        with pytest.raises(error, match=match):
            solve(scenario, **kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: sa.solve_max_sr(s),
        lambda s: sa.solve_max_min(s, method="paper"),
        lambda s: sa.exhaustive_max_sr(s),
        lambda s: sa.exhaustive_max_min(s),
        lambda s: sa.static_equal_power(s),
        lambda s: sa.greedy_sum_rate_water_filling(s),
        lambda s: sa.max_sr_power(s, sa.regular_factor_graph(4, 6, 2, 3)),
        lambda s: sa.max_min_power(s, sa.regular_factor_graph(4, 6, 2, 3)),
        lambda s: sa.equal_power(s, sa.regular_factor_graph(4, 6, 2, 3)),
        lambda s: sa.user_rates(s, np.ones((4, 6)), np.ones((4, 6))),
        lambda s: sa.sum_rate(s, np.ones((4, 6)), np.ones((4, 6))),
        lambda s: sa.allocation_violations(s, np.ones((4, 6)), np.ones((4, 6))),
        lambda s: sa.sic_coupling(s),
    ],
)
def test_scenario_type_is_checked(call):
    with pytest.raises(TypeError, match=r"scenario must be a scma_alloc\.Scenario"):
        call(np.ones((4, 6)))


def test_larger_instance_runs():
    scenario = sa.random_scenario(16, 24, power_budget_dbm=6.0, rng=1)
    for solve in SOLVERS.values():
        result = solve(scenario)
        assert_valid(scenario, result)
