"""Exports carry every allocation with its drop, checkable without the package."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from reference_problems import sic_rates_by_hand

import scma_alloc as sa


@pytest.fixture(scope="module")
def table():
    return sa.sweep([3.0, 10.0], n_drops=2, algorithms=["max-sr", "b2"], seed=3)


def test_json_export_recomputes_without_the_package(table, tmp_path):
    path = sa.export_results(table, tmp_path / "r.json")
    document = json.loads(path.read_text())
    assert "outer index is the resource" in document["layout"]["gains"]
    assert document["config"]["n_drops"] == 2
    assert len(document["results"]) == len(table) == 8
    for record in document["results"]:
        assert np.shape(record["assignment"]) == np.shape(record["power_w"]) == (4, 6)
        assert np.shape(record["gains"]) == (4, 6)
        rates = sic_rates_by_hand(
            record["gains"], record["noise_power_w"], record["assignment"], record["power_w"]
        )
        np.testing.assert_allclose(rates, record["user_rates"], rtol=1e-9)
        assert sum(rates) == pytest.approx(record["sum_rate"], rel=1e-9)
        used = np.asarray(record["power_w"]).sum(axis=0)
        assert np.all(used <= np.asarray(record["power_budget_w"]) * (1 + 1e-9))


def test_csv_and_parquet_hold_the_same_numbers(table, tmp_path):
    csv = pd.read_csv(sa.export_results(table, tmp_path / "r.csv"))
    parquet = pd.read_parquet(sa.export_results(table, tmp_path / "r.parquet"))
    for name in ("assignment", "power_w", "gains"):
        for text, values in zip(csv[name], parquet[name], strict=True):
            np.testing.assert_array_equal(json.loads(text), np.stack(values))
    np.testing.assert_array_equal(csv["sum_rate"], table["sum_rate"])
    first = table.iloc[0]
    scenario = sa.SweepConfig.from_dict(table.attrs["config"]).scenario_for(
        first["drop"], first["budget_index"]
    )
    np.testing.assert_array_equal(json.loads(csv["gains"][0]), scenario.gains)
    assert json.loads(csv["noise_power_w"][0]) == [scenario.noise_power] * 4


def test_export_refuses_what_it_cannot_write_before_reading(table, tmp_path):
    with pytest.raises(ValueError, match="format"):
        sa.export_results(table, tmp_path / "r.xlsx")
    with pytest.raises(ValueError, match="is a folder"):
        sa.export_results(table, tmp_path, format="csv")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        sa.export_results(table, blocker / "r.csv")
    with pytest.raises(ValueError, match="configuration is missing"):
        sa.export_results(pd.DataFrame(table), tmp_path / "r.csv")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        sa.export_results(tmp_path / "missing.sqlite", tmp_path / "r.csv")
    with pytest.raises(TypeError, match="source"):
        sa.export_results(42, tmp_path / "r.csv")


def test_a_sweep_over_the_users_exports_each_rows_own_size(tmp_path):
    table = sa.sweep_parameter("n_users", [4, 6], n_drops=2, algorithms=["b2"], seed=3)
    document = json.loads(sa.export_results(table, tmp_path / "r.json").read_text())
    assert document["config"]["vary"] == "n_users"
    for record in document["results"]:
        shape = (4, record["n_users"])
        assert np.shape(record["power_w"]) == np.shape(record["gains"]) == shape
        rates = sic_rates_by_hand(
            record["gains"], record["noise_power_w"], record["assignment"], record["power_w"]
        )
        np.testing.assert_allclose(rates, record["user_rates"], rtol=1e-9)
    csv = pd.read_csv(sa.export_results(table, tmp_path / "r.csv"))
    assert csv["n_users"].tolist() == [4, 6, 4, 6]
