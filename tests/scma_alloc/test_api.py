"""The public surface: options (one source of defaults), results, imports, the monitor."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import numpy as np
import pytest
from reference_problems import sic_rates_by_hand

import scma_alloc as sa
from scma_alloc._result import Monitor

OPTION_CLASSES = [sa.AlternatingOptions, sa.PaperOptions, sa.ExhaustiveOptions]


@pytest.mark.parametrize("cls", OPTION_CLASSES)
def test_option_docstrings_state_the_defaults_the_fields_have(cls):
    documented = dict(re.findall(r"^    (\w+) : [^\n]*?, default (.+)$", cls.__doc__, re.M))
    fields = {f.name: f.default for f in dataclasses.fields(cls)}
    assert set(documented) == set(fields), set(documented) ^ set(fields)
    for name, default in fields.items():
        assert documented[name] == repr(default), (name, documented[name], default)


@pytest.mark.parametrize("cls", OPTION_CLASSES)
def test_options_are_frozen_and_validated(cls):
    options = cls()
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.trust_radius = 2.0
    with pytest.raises(ValueError, match="trust_shrink"):
        cls(trust_shrink=1.5)
    with pytest.raises(TypeError, match="solver"):
        cls(solver=3)


def test_options_object_and_keyword_overrides_agree():
    scenario = sa.random_scenario(rng=3)
    a = sa.solve_max_sr(scenario, options=sa.AlternatingOptions(n_starts=2))
    b = sa.solve_max_sr(scenario, n_starts=2)
    np.testing.assert_array_equal(a.power, b.power)
    with pytest.raises(TypeError, match="PaperOptions"):
        sa.solve_max_sr(scenario, method="paper", options=sa.AlternatingOptions())
    with pytest.raises(TypeError, match="unknown option"):
        sa.solve_max_sr(scenario, options=sa.AlternatingOptions(), eta=3.0)


def test_import_loads_no_heavy_dependency():
    code = (
        "import sys, scma_alloc; "
        "print(sorted(m for m in ('cvxpy', 'pandas', 'matplotlib', 'scipy.optimize', "
        "'scipy.stats', 'networkx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lazy_names_load_on_first_use():
    assert "sweep" in dir(sa) and "ResultStore" in dir(sa)
    assert callable(sa.sweep) and sa.PAPER_BUDGETS_DBM[0] == 3.0
    with pytest.raises(AttributeError, match="no_such_name"):
        sa.no_such_name  # noqa: B018


def test_result_is_a_dict_with_attributes_and_a_readable_repr():
    result = sa.static_equal_power(sa.random_scenario(rng=1))
    assert result["status"] == result.status == sa.STATUS_HEURISTIC
    assert "sum_rate" in dir(result)
    text = repr(result)
    assert "assignment:" in text and "StepRecord(s)" in text
    with pytest.raises(AttributeError):
        result.nothing  # noqa: B018


def test_monitor_scope_prefixes_the_stages_of_a_block():
    monitor = Monitor()
    monitor.record("a")
    with monitor.scope("paper:"):
        monitor.record("b")
    monitor.record("c")
    assert [r.stage for r in monitor.history] == ["a", "paper:b", "c"]


def test_every_public_name_is_exported():
    for name in sa.__all__:
        assert hasattr(sa, name), name


def test_result_scales_round_off_but_refuses_real_overshoot():
    from scma_alloc._objectives import Problem
    from scma_alloc._rates import rate_model

    scenario = sa.random_scenario(rng=0)
    problem = Problem(scenario, "sum_rate", rate_model(scenario, None))
    graph = sa.regular_factor_graph(4, 6)
    power = sa.equal_power(scenario, graph)
    kwargs = {"method": "test", "status": sa.STATUS_HEURISTIC, "message": ""}
    nudged = problem.result(graph, power * (1 + 1e-12), **kwargs)
    assert sa.allocation_violations(scenario, graph, nudged.power) == []
    with pytest.raises(RuntimeError, match="beyond round-off"):
        problem.result(graph, power * 3.0, **kwargs)
    with pytest.raises(RuntimeError, match="beyond round-off"):
        problem.result(graph, -power, **kwargs)


def test_active_assignment_is_the_transmitted_graph_and_keeps_the_rates():
    seen_idle = False
    for seed in range(5):
        scenario = sa.random_scenario(rng=seed, power_budget_dbm=3.0)
        for result in (sa.solve_max_sr(scenario), sa.solve_max_min(scenario)):
            active = result.active_assignment
            np.testing.assert_array_equal(active, (result.assignment == 1) & (result.power > 0))
            seen_idle |= bool(active.sum() < result.assignment.sum())
            by_hand = sic_rates_by_hand(scenario.gains, scenario.noise_power, active, result.power)
            np.testing.assert_allclose(by_hand, result.user_rates, rtol=1e-9, atol=1e-12)
    assert seen_idle  # zero-power edges do occur (Max-SR leaves about a third idle)
