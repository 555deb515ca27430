"""Scenario files: NPZ and CSV round trips, files made by hand, malformed files refused."""

from __future__ import annotations

import numpy as np
import pytest

import scma_alloc as sa

HEADER = "resource,user,gain,noise_power,power_budget"


@pytest.fixture
def cell():
    """A 4 x 6 scenario with distinct per-user budgets, and its positions."""
    xy = sa.random_positions(6, 250.0, min_distance=10.0, rng=3)
    scenario = sa.scenario_from_positions(
        xy, power_budget_dbm=[20.0, 21.0, 22.0, 23.0, 23.0, 17.5], rng=4
    )
    return scenario, xy


def same(a: sa.Scenario, b: sa.Scenario) -> bool:
    return (
        np.array_equal(a.gains, b.gains)
        and np.array_equal(a.power_budget, b.power_budget)
        and np.array_equal(np.asarray(a.noise_power), np.asarray(b.noise_power))
        and a.sizes == b.sizes
    )


@pytest.mark.parametrize("suffix", ["npz", "csv"])
def test_round_trip_is_exact(tmp_path, cell, suffix):
    scenario, xy = cell
    path = sa.save_scenario(scenario, tmp_path / f"cell.{suffix}", positions=xy)
    loaded, positions = sa.load_scenario(path, return_positions=True)
    assert same(loaded, scenario)
    assert np.array_equal(positions, xy)
    bare = sa.save_scenario(scenario, tmp_path / f"bare.{suffix}")
    assert sa.load_scenario(bare, return_positions=True)[1] is None
    assert same(sa.load_scenario(bare), scenario)


def test_format_argument_overrides_the_suffix(tmp_path, cell):
    scenario, _ = cell
    path = sa.save_scenario(scenario, tmp_path / "cell.data", format="csv")
    assert path.name == "cell.data" and path.read_text().startswith("# scma_alloc scenario")
    assert same(sa.load_scenario(path, format="csv"), scenario)
    assert not list(tmp_path.glob(".*partial"))  # the temporary file is gone


@pytest.mark.parametrize("suffix", ["npz", "csv"])
def test_per_resource_noise_round_trip(tmp_path, suffix):
    gains = sa.random_scenario(rng=2).gains
    noise = np.array([1.0, 2.0, 3.0, 4.0]) * 1e-13
    scenario = sa.Scenario(gains, 0.01, noise_power=noise)
    loaded = sa.load_scenario(sa.save_scenario(scenario, tmp_path / f"n.{suffix}"))
    assert same(loaded, scenario)


@pytest.mark.parametrize("suffix", ["npz", "csv"])
def test_external_interference_is_saved_into_the_noise(tmp_path, suffix):
    s = sa.random_scenario(rng=2)
    interference = np.array([0.0, 5.0, 0.0, 1.0]) * s.noise_power
    scenario = sa.Scenario(s.gains, 0.01, s.noise_power, interference_power=interference)
    loaded = sa.load_scenario(sa.save_scenario(scenario, tmp_path / f"i.{suffix}"))
    np.testing.assert_array_equal(loaded.noise_per_resource, scenario.noise_per_resource)
    np.testing.assert_array_equal(loaded.snr_at_budget, scenario.snr_at_budget)


def test_noise_per_resource_and_user_is_refused(tmp_path):
    gains = sa.random_scenario(rng=2).gains
    path = tmp_path / "n.npz"
    np.savez(
        path,
        gains=gains,
        power_budget=np.asarray(0.01),
        noise_power=np.full((4, 6), 1e-13),
        n_per_user=np.asarray(2),
        users_per_resource=np.asarray(3),
    )
    with pytest.raises(ValueError, match="noise_power"):
        sa.load_scenario(path)


def test_hand_written_csv_in_any_row_order(tmp_path):
    rows = [
        f"{k},{j},{(k + 1) * (j + 1) * 1e-12!r},1e-15,0.2"
        for j in reversed(range(6))
        for k in range(4)
    ]
    path = tmp_path / "planner.csv"
    path.write_text(
        "# exported from the planning tool\n# n_per_user = 2\n# users_per_resource = 3\n"
        f"{HEADER}\n" + "\n".join(rows) + "\n"
    )
    scenario = sa.load_scenario(path)
    k, j = np.meshgrid(np.arange(4), np.arange(6), indexing="ij")
    assert np.array_equal(scenario.gains, (k + 1) * (j + 1) * 1e-12)
    assert scenario.noise_power == 1e-15 and scenario.sizes == (4, 6, 2, 3)


def test_hand_written_npz_without_schema(tmp_path):
    path = tmp_path / "planner.npz"
    np.savez(
        path,
        gains=np.ones((4, 6)) * 1e-12,
        power_budget=0.2,
        noise_power=1e-15,
        n_per_user=2,
        users_per_resource=3,
    )
    scenario = sa.load_scenario(path)
    assert scenario.shape == (4, 6) and np.all(scenario.power_budget == 0.2)


# --------------------------------------------------------------------------- refusals
def npz_fields():
    return {
        "gains": np.ones((4, 6)) * 1e-12,
        "power_budget": np.full(6, 0.2),
        "noise_power": np.asarray(1e-15),
        "n_per_user": np.asarray(2),
        "users_per_resource": np.asarray(3),
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"gains": None}, "gains", "is missing"),
        ({"gain": np.ones((4, 6))}, "gain", "unknown field"),
        ({"power_budget": np.full(5, 0.2)}, "power_budget", "has shape \\(5,\\)"),
        ({"noise_power": np.ones(3)}, "noise_power", "has shape \\(3,\\)"),
        ({"positions": np.ones((6, 3))}, "positions", "has shape \\(6, 3\\)"),
        ({"gains": np.ones(24)}, "gains", "must be a K x J matrix"),
        ({"gains": np.full((4, 6), np.nan)}, "gains", "NaN or inf"),
        ({"gains": np.full((4, 6), "1e-12")}, "gains", "must hold numbers, got dtype <U5"),
        ({"n_per_user": np.asarray(2.0)}, "n_per_user", "must be one integer"),
        ({"schema": np.asarray(2)}, "schema", "reads schema 1"),
        ({"gains": -np.ones((4, 6))}, "gains", "must be non-negative"),
    ],
)
def test_malformed_npz_is_refused_in_one_line(tmp_path, change, field, message):
    fields = {**npz_fields(), **change}
    path = tmp_path / "bad.npz"
    np.savez(path, **{k: v for k, v in fields.items() if v is not None})
    with pytest.raises(ValueError, match=message) as error:
        sa.load_scenario(path)
    text = str(error.value)
    assert str(path) in text and field in text and "\n" not in text


def test_npz_with_python_objects_is_refused(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, **{**npz_fields(), "gains": np.array([[1, "a"]], dtype=object)})
    with pytest.raises(ValueError, match="field 'gains' must hold numbers \\(it holds Python"):
        sa.load_scenario(path)


def test_file_that_is_not_npz_is_refused(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("gains\n1,2\n")
    with pytest.raises(ValueError, match=r"text\.npz: not an NPZ file"):
        sa.load_scenario(path)


def csv_text() -> str:
    """A valid 4 x 6 CSV scenario file (header on line 3, data from line 4)."""
    lines = ["# n_per_user = 2", "# users_per_resource = 3", HEADER]
    lines += [f"{k},{j},1e-12,1e-15,0.2" for k in range(4) for j in range(6)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (csv_text().replace(HEADER, "resource,user,noise_power,power_budget"), "gain", "missing"),
        (csv_text().replace(HEADER, HEADER + ",z"), "z", "unknown column"),
        (csv_text().replace("0,1,1e-12", "0,1,abc"), "gain", "must be a number, got 'abc'"),
        (csv_text().replace("0,1,1e-12", "0,1,nan"), "gain", "NaN or inf"),
        (csv_text().replace("2,3,1e-12", "2,x,1e-12"), "user", "must be an integer"),
        (csv_text().replace("1,1,1e-12,1e-15,0.2\n", ""), "gains", "no row for .* \\(1, 1\\)"),
        (csv_text().replace("1,1,", "1,2,"), "gains", "\\(1, 2\\) appears twice"),
        (csv_text().replace("3,4,1e-12,1e-15,0.2", "3,4,1e-12,1e-15,1"), "power_budget", "user 4"),
        (csv_text().replace("# n_per_user = 2\n", ""), "n_per_user", "is missing"),
        (csv_text().replace("# n_per_user = 2", "# n_per_usr = 2"), "n_per_usr", "unknown field"),
        (csv_text().replace("# n_per_user = 2", "# n_per_user = 2.5"), "n_per_user", "integer"),
        (csv_text().replace("0,0,1e-12", "-1,0,1e-12"), "resource", "must be >= 0"),
        (csv_text().replace("0,0,1e-12,1e-15,0.2", "0,0,1e-12,1e-15"), "line 4", "has 4 values"),
        (csv_text().replace(HEADER, HEADER + ",x"), "positions", "needs both columns x and y"),
        ("# n_per_user = 2\n", "no column header", "no column header"),
        (csv_text().replace("0,0,1e-12", "0,0,-1e-12"), "gains", "must be non-negative"),
    ],
)
def test_malformed_csv_is_refused_in_one_line(tmp_path, text, field, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as error:
        sa.load_scenario(path)
    text = str(error.value)
    assert str(path) in text and field in text and "\n" not in text


def test_binary_csv_is_refused(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ValueError, match=r"binary\.csv: not a CSV scenario file \(not UTF-8"):
        sa.load_scenario(path)


def test_bad_arguments(tmp_path, cell):
    scenario, xy = cell
    with pytest.raises(TypeError, match=r"scenario must be a scma_alloc\.Scenario"):
        sa.save_scenario(scenario.gains, tmp_path / "a.npz")
    with pytest.raises(ValueError, match=r"cannot tell the format .* '\.txt'"):
        sa.save_scenario(scenario, tmp_path / "a.txt")
    with pytest.raises(ValueError, match="format must be one of npz, csv"):
        sa.save_scenario(scenario, tmp_path / "a.npz", format="h5")
    with pytest.raises(ValueError, match="positions must have one row per user"):
        sa.save_scenario(scenario, tmp_path / "a.npz", positions=xy[:5])
    with pytest.raises(ValueError, match="is a folder"):
        sa.save_scenario(scenario, tmp_path, format="npz")
    with pytest.raises(TypeError, match="path must be a str"):
        sa.load_scenario(3)
    with pytest.raises(FileNotFoundError, match=r"scenario file .*missing\.csv does not exist"):
        sa.load_scenario(tmp_path / "missing.csv")
    with pytest.raises(FileNotFoundError, match=r"missing\.npz does not exist"):
        sa.load_scenario(tmp_path / "missing.npz")
