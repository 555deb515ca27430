"""Scenarios from user positions: the defaults, the channel they build, the refusals."""

from __future__ import annotations

import inspect
from math import log10

import numpy as np
import pytest

import scma_alloc as sa


def column(distances) -> np.ndarray:
    """Users on the x axis at the given distances (metres)."""
    distances = np.asarray(distances, dtype=float)
    return np.column_stack((distances, np.zeros_like(distances)))


def test_defaults_are_stated_once():
    signature = inspect.signature(sa.scenario_from_positions).parameters
    for name, value in sa.PLANNING_DEFAULTS.items():
        default = signature[name].default
        # None in the signature: the model's own default, read from the table
        assert default == value or default is None, name
    assert set(sa.PLANNING_DEFAULTS) == set(signature) - {"positions", "rng"}
    with pytest.raises(TypeError):
        sa.PLANNING_DEFAULTS["model"] = "uma"  # read-only


def test_default_scenario_units():
    s = sa.scenario_from_positions(column([50.0, 100.0, 150.0, 200.0, 250.0, 300.0]), rng=0)
    assert s.sizes == (4, 6, 2, 3)  # K = ceil(6 * 2 / 3)
    # kTB + 5 dB over 180 kHz: -174 + 10 log10(180e3) + 5 = -116.447275 dBm
    assert sa.watt_to_dbm(s.noise_power) == pytest.approx(-116.447275, abs=1e-6)
    # 23 dBm = 10**((23 - 30) / 10) W = 0.19952623149688797 W
    assert s.power_budget == pytest.approx(np.full(6, 0.19952623149688797), rel=1e-12)


@pytest.mark.parametrize(("n_users", "expected"), [(1, 2), (6, 4), (7, 5), (9, 6)])
def test_fewest_resources_that_fit(n_users, expected):
    s = sa.scenario_from_positions(column(np.linspace(20, 200, n_users)), rng=0)
    assert s.n_resources == expected


def test_disc_model_reproduces_random_scenario():
    generator = np.random.default_rng(1)
    distance = 300.0 * np.sqrt(generator.random(6))  # random_scenario's first draw
    s = sa.scenario_from_positions(
        column(distance),
        model="disc",
        power_budget_dbm=10.0,
        noise="paper",
        noise_figure_db=0.0,
        rng=generator,
    )
    reference = sa.random_scenario(rng=1)
    assert np.array_equal(s.gains, reference.gains)
    assert s.noise_power == reference.noise_power
    assert np.array_equal(s.power_budget, reference.power_budget)


@pytest.mark.parametrize("model", ["umi", "uma"])
def test_gains_without_fading_are_the_path_loss(model):
    d = np.array([15.0, 80.0, 300.0, 700.0, 1500.0, 4000.0])
    los = np.array([True, False, True, False, True, False])
    s = sa.scenario_from_positions(
        column(d), model=model, carrier_ghz=2.0, los=los, shadowing=False, fading=None
    )
    expected = sa.path_loss_db(d, model=model, los=los, carrier_ghz=2.0)
    assert np.allclose(-10 * np.log10(s.gains), expected[None, :], rtol=0, atol=1e-9)


def test_position_direction_does_not_matter():
    xy = np.array([[30.0, 40.0], [-30.0, -40.0], [0.0, 50.0], [50.0, 0.0], [-50, 0], [0, -50]])
    s = sa.scenario_from_positions(xy, los=True, shadowing=False, fading=None)
    assert np.allclose(s.gains, s.gains[0, 0])
    # 50 m UMi LOS at 3.5 GHz, below the 210 m breakpoint
    expected = 32.4 + 21 * log10((50**2 + 8.5**2) ** 0.5) + 20 * log10(3.5)
    assert -10 * np.log10(s.gains[0, 0]) == pytest.approx(expected, abs=1e-9)


def test_los_is_drawn_with_the_table_probability():
    n = 3000  # every user at 36 m: Pr_LOS = 18/36 + exp(-1) (1 - 18/36) = 0.683940
    s = sa.scenario_from_positions(
        column(np.full(n, 36.0)),
        shadowing=False,
        fading=None,
        n_resources=1,
        n_per_user=1,
        users_per_resource=n,
        rng=3,
    )
    los_gain = 10 ** (-sa.path_loss_db([36.0], los=True)[0] / 10)
    share = np.mean(np.isclose(s.gains[0], los_gain, rtol=1e-12))
    assert share == pytest.approx(0.683940, abs=4 * np.sqrt(0.684 * 0.316 / n))


@pytest.mark.parametrize(("model", "los", "sigma"), [("umi", False, 7.82), ("uma", True, 4.0)])
def test_shadowing_in_the_gains(model, los, sigma):
    n = 4000
    s = sa.scenario_from_positions(
        column(np.full(n, 100.0)),
        model=model,
        los=los,
        fading=None,
        n_resources=1,
        n_per_user=1,
        users_per_resource=n,
        rng=5,
    )
    pl = sa.path_loss_db([100.0], model=model, los=los)[0]
    x = -10 * np.log10(s.gains[0]) - pl
    assert abs(x.mean()) < 4 * sigma / np.sqrt(n)
    assert x.std() == pytest.approx(sigma, abs=4 * sigma / np.sqrt(2 * n))


def test_rayleigh_fading_is_independent_per_resource_and_seeded():
    xy = sa.random_positions(6, 200.0, min_distance=10.0, rng=1)
    a = sa.scenario_from_positions(xy, los=True, shadowing=False, rng=2)
    b = sa.scenario_from_positions(xy, los=True, shadowing=False, rng=2)
    assert np.array_equal(a.gains, b.gains)
    assert len(np.unique(a.gains)) == a.gains.size
    flat = sa.scenario_from_positions(xy, los=True, shadowing=False, fading=None)
    # |g|^2 ~ Exp(1): the gains scatter around the large-scale value
    ratio = a.gains / flat.gains
    assert np.all(ratio > 0) and 0.2 < ratio.mean() < 5


def test_random_positions_fill_the_ring_by_area():
    xy = sa.random_positions(20_000, 300.0, min_distance=10.0, rng=4)
    r = np.hypot(xy[:, 0], xy[:, 1])
    assert r.min() >= 10.0 and r.max() <= 300.0
    # uniform by area: P(r <= R / sqrt(2)) is about one half (a little less with the hole)
    half = np.sqrt((10.0**2 + 300.0**2) / 2)
    assert np.mean(r <= half) == pytest.approx(0.5, abs=0.02)
    assert np.array_equal(xy, sa.random_positions(20_000, 300.0, min_distance=10.0, rng=4))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"positions": [[1.0, 2.0, 3.0]]}, ValueError, "shape \\(n_users, 2\\)"),
        ({"positions": [["a", "b"]]}, TypeError, "positions must be an array of real"),
        ({"positions": [[np.nan, 1.0]]}, ValueError, "positions must be finite"),
        ({"positions": [[6000.0, 0.0]]}, ValueError, "beyond the 5000 m range"),
        ({"model": "rma"}, ValueError, "model must be one of umi, uma, disc"),
        ({"model": "disc", "carrier_ghz": 3.5}, ValueError, "carrier_ghz does not apply"),
        ({"model": "disc", "los": True}, ValueError, "los does not apply"),
        ({"model": "disc", "shadowing": True}, ValueError, "shadowing does not apply"),
        ({"path_loss_exponent": 3.0}, ValueError, "path_loss_exponent does not apply"),
        ({"los": 1}, TypeError, "booleans"),
        ({"los": [True, False]}, ValueError, "los must be a boolean or have shape"),
        ({"shadowing": 1}, TypeError, "shadowing must be True, False or None"),
        ({"fading": "rician"}, ValueError, "fading must be 'rayleigh' or None"),
        ({"noise": "white"}, ValueError, "noise must be 'paper' or 'thermal'"),
        ({"noise_figure_db": -1.0}, ValueError, "noise_figure_db must be >= 0"),
        ({"noise_figure_db": "5"}, TypeError, "noise_figure_db must be a real number"),
        ({"carrier_ghz": 3.5e9}, ValueError, "GHz, not Hz"),
        ({"ut_height": [1.5, 2.0]}, ValueError, "ut_height must be a number or have shape"),
        ({"power_budget_dbm": [23.0, 20.0]}, ValueError, "power_budget_dbm must be a number"),
        ({"power_budget_dbm": 120.0}, ValueError, "exceeds"),
        ({"n_resources": 1}, ValueError, "n_per_user \\(N=2\\) cannot exceed"),
        ({"n_resources": 3}, ValueError, "infeasible sizes"),
    ],
)
def test_bad_input_is_refused_before_any_draw(kwargs, error, message):
    arguments = {"positions": column([20.0, 40.0, 60.0, 80.0, 100.0, 120.0]), **kwargs}
    generator = np.random.default_rng(9)
    with pytest.raises(error, match=message):
        sa.scenario_from_positions(**arguments, rng=generator)
    assert generator.random() == np.random.default_rng(9).random()  # nothing drawn


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_users": 0}, "n_users must be >= 1"),
        ({"radius": -1.0}, "radius must be a positive"),
        ({"min_distance": 300.0}, "min_distance must be in"),
    ],
)
def test_random_positions_refuses_bad_sizes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sa.random_positions(**{"n_users": 6, "radius": 300.0, **kwargs})
