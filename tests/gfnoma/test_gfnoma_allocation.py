"""End to end: signatures -> interference model -> scma_alloc allocation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import gfnoma as gf
import scma_alloc as sa
from gfnoma.cli import main as gfnoma_main
from scma_alloc._store import decode_assignment

BUDGETS = [3.0, 10.0]


@pytest.fixture(scope="module")
def sets():
    return [gf.wbe(gf.P_ASY, 4), gf.pretrained_signatures("n6h4-asy")]


@pytest.fixture(scope="module")
def study(sets):
    return gf.allocation_study(sets, BUDGETS, n_drops=2, algorithms=["max-min", "max-sr"], seed=3)


def test_interference_model_json_round_trip_and_dict_option():
    scenario = sa.random_scenario(rng=5)
    model = gf.interference_model(gf.musa_like(gf.P_ASY, 4), "flat")
    again = sa.InterferenceModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model and np.array_equal(again.coupling, model.coupling)
    direct = sa.solve_max_min(scenario, interference=model)
    as_dict = sa.solve_max_min(scenario, interference=model.to_dict())
    assert as_dict.min_rate == direct.min_rate and as_dict.interference == model.name
    np.testing.assert_array_equal(as_dict.assignment, direct.assignment)
    with pytest.raises(TypeError, match="coupling"):
        sa.solve_max_min(scenario, interference={"name": "x"})
    with pytest.raises(ValueError, match="unknown interference model entries"):
        sa.InterferenceModel.from_dict({"coupling": model.coupling, "kind": 1})


def test_study_rows_recompute_under_each_sets_coupling(sets, study):
    assert set(study["signatures"]) == {"WBE", "QNN-n6h4-asy", gf.SIC_REFERENCE}
    assert len(study) == 3 * 2 * 2 * 2  # sets x drops x budgets x algorithms
    assert (study["status"] != "error").all()
    models = {s.name: gf.interference_model(s, "flat").coupling for s in sets}
    for _, row in study.iterrows():
        scenario = sa.drop_scenario(int(row["drop"]), row["budget_dbm"], seed=3)
        assignment = decode_assignment(row["assignment"])
        power = np.asarray(row["power"], dtype=float).reshape(assignment.shape)
        coupling = models.get(row["signatures"])  # None: the SIC reference
        rates = sa.user_rates(scenario, assignment, power, coupling)
        np.testing.assert_allclose(rates, row["user_rates"], rtol=1e-9, atol=1e-12)
        assert sa.allocation_violations(scenario, assignment, power) == []
        assert row["min_rate"] == pytest.approx(rates.min(), rel=1e-9)


def test_study_is_paired_and_the_sic_rows_are_the_plain_sweep(study):
    plain = sa.sweep(BUDGETS, 2, ["max-min", "max-sr"], seed=3)
    sic = study[study["signatures"] == gf.SIC_REFERENCE].reset_index(drop=True)
    pd.testing.assert_series_equal(sic["min_rate"], plain["min_rate"], check_names=False)
    pd.testing.assert_series_equal(sic["sum_rate"], plain["sum_rate"], check_names=False)
    summary = gf.summarize_allocation_study(study, baseline="WBE")
    assert len(summary) == 3 * 2 * 2 and (summary["n"] == 2).all()
    wbe = summary[summary["signatures"] == "WBE"]
    assert np.allclose(wbe["min_rate_vs_baseline"], 0.0)


def test_study_resumes_from_its_stores(sets, tmp_path):
    first = gf.allocation_study(sets[:1], [10.0], 2, "max-min", store_dir=tmp_path, seed=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["WBE-flat.sqlite", "sic.sqlite"]
    again = gf.allocation_study(sets[:1], [10.0], 2, "max-min", store_dir=tmp_path, seed=1)
    cols = ["signatures", "drop", "budget_dbm", "algorithm", "min_rate", "sum_rate"]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    assert len(sa.load_results(tmp_path / "WBE-flat.sqlite")) == 2  # nothing duplicated


def test_study_bad_input_fails_before_solving(sets):
    n12 = gf.pretrained_signatures("n12h8-asy")
    with pytest.raises(ValueError, match=r"signatures\[1\].*12 users.*n_users=6"):
        gf.allocation_study([sets[0], n12], [10.0], 1)
    with pytest.raises(ValueError, match="does not take an interference model"):
        gf.allocation_study(sets, [10.0], 1, ["max-min", "b2"])
    with pytest.raises(ValueError, match="unique"):
        gf.allocation_study([sets[0], sets[0]], [10.0], 1)
    with pytest.raises(ValueError, match="fading"):
        gf.allocation_study(sets, [10.0], 1, fading="rician")
    with pytest.raises(TypeError, match="Signatures"):
        gf.allocation_study(["wbe"], [10.0], 1)
    with pytest.raises(ValueError, match="budgets_dbm"):
        gf.allocation_study(sets, [], 1)


def test_plot_allocation_study(study):
    fig = gf.plot_allocation_study(study)
    assert len(fig.axes) == 2 * 3
    labels = fig.axes[2].get_legend_handles_labels()[1]
    assert labels == ["WBE", "QNN-n6h4-asy", gf.SIC_REFERENCE]
    with pytest.raises(ValueError, match="metrics"):
        gf.plot_allocation_study(study, metrics=["ber"])


def test_cli_allocate_writes_table_plot_and_stores(tmp_path, capsys):
    out = tmp_path / "study"
    args = ["allocate", "--signatures", "musa,pretrained:n6h4-asy", "--budgets-dbm", "10"]
    args += ["--drops", "1", "--algorithms", "max-min", "--out", str(out), "--no-progress"]
    assert gfnoma_main(args) == 0
    text = capsys.readouterr().out
    assert "QNN-n6h4-asy" in text and "paired difference to 'MUSA-like'" in text
    assert {p.name for p in out.iterdir()} >= {
        "allocation_study.csv",
        "allocation_study.png",
        "allocation_study.pdf",
        "sic.sqlite",
    }
    assert gfnoma_main([*args[:-1], "--algorithms", "b0", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not take an interference model" in err


def test_import_gfnoma_does_not_import_the_allocator():
    import subprocess
    import sys

    code = "import sys, gfnoma; print('scma_alloc' in sys.modules, 'cvxpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
