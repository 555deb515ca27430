"""TR 38.901 path loss, LOS probability and shadowing against values computed by hand.

Each expected value is written twice: as the formula of Table 7.4.1-1 / 7.4.2-1 typed as a
calculator expression (``math`` only, not the package) and as the literal number it gives,
so a typo in either shows.
"""

from __future__ import annotations

from math import exp, log10, sqrt

import numpy as np
import pytest

import scma_alloc as sa
from scma_alloc._pathloss import breakpoint_distance

FC = 3.5  # GHz
UMI_DH = 10.0 - 1.5  # h_BS - h_UT
UMA_DH = 25.0 - 1.5


def d3(d2d: float, dh: float) -> float:
    """d_3D = sqrt(d_2D^2 + (h_BS - h_UT)^2)."""
    return sqrt(d2d**2 + dh**2)


def test_breakpoint_distances():
    # d'_BP = 4 (h_BS - 1)(h_UT - 1) f_c / c with f_c in Hz
    assert breakpoint_distance(FC, model="umi") == pytest.approx(4 * 9 * 0.5 * 3.5e9 / 3e8)
    assert breakpoint_distance(FC, model="umi") == pytest.approx(210.0)
    assert breakpoint_distance(FC, model="uma") == pytest.approx(4 * 24 * 0.5 * 3.5e9 / 3e8)
    assert breakpoint_distance(FC, model="uma") == pytest.approx(560.0)


@pytest.mark.parametrize(
    ("model", "los", "d2d", "formula", "literal"),
    [
        # UMi LOS below the 210 m breakpoint: PL1
        ("umi", True, 100.0, 32.4 + 21 * log10(d3(100, UMI_DH)) + 20 * log10(FC), 85.314189),
        # UMi LOS beyond it: PL2
        (
            "umi",
            True,
            500.0,
            32.4 + 40 * log10(d3(500, UMI_DH)) + 20 * log10(FC) - 9.5 * log10(210.0**2 + 8.5**2),
            107.113750,
        ),
        # UMi NLOS: PL' = 35.3 log10 d3D + 22.4 + 21.3 log10 fc (above the LOS value)
        ("umi", False, 100.0, 35.3 * log10(d3(100, UMI_DH)) + 22.4 + 21.3 * log10(FC), 104.643832),
        ("umi", False, 500.0, 35.3 * log10(d3(500, UMI_DH)) + 22.4 + 21.3 * log10(FC), 129.264505),
        # Below 10 m: evaluated at 10 m
        ("umi", True, 4.0, 32.4 + 21 * log10(d3(10, UMI_DH)) + 20 * log10(FC), 66.761033),
        # UMa LOS below the 560 m breakpoint: PL1
        ("uma", True, 100.0, 28.0 + 22 * log10(d3(100, UMA_DH)) + 20 * log10(FC), 83.138157),
        # UMa LOS beyond it: PL2
        (
            "uma",
            True,
            1000.0,
            28.0 + 40 * log10(d3(1000, UMA_DH)) + 20 * log10(FC) - 9 * log10(560.0**2 + 23.5**2),
            109.411895,
        ),
        # UMa NLOS: PL' = 13.54 + 39.08 log10 d3D + 20 log10 fc
        ("uma", False, 100.0, 13.54 + 39.08 * log10(d3(100, UMA_DH)) + 20 * log10(FC), 103.037524),
        (
            "uma",
            False,
            1000.0,
            13.54 + 39.08 * log10(d3(1000, UMA_DH)) + 20 * log10(FC),
            141.666046,
        ),
    ],
)
def test_path_loss_by_hand(model, los, d2d, formula, literal):
    assert formula == pytest.approx(literal, abs=1e-6)
    value = sa.path_loss_db([d2d], model=model, los=los, carrier_ghz=FC)[0]
    assert value == pytest.approx(literal, abs=1e-6)


def test_uma_nlos_is_the_larger_of_los_and_nlos_prime():
    # h_UT = 12 m at d_2D = 10 m: PL' (65.5987 dB) falls below PL_LOS (65.6086 dB), and
    # NLOS takes the LOS value (d'_BP = 4 * 24 * 11 * 3.5e9 / 3e8 = 12320 m: PL1).
    d = d3(10, 25.0 - 12.0)
    pl_los = 28.0 + 22 * log10(d) + 20 * log10(FC)
    pl_prime = 13.54 + 39.08 * log10(d) + 20 * log10(FC) - 0.6 * (12 - 1.5)
    assert pl_los == pytest.approx(65.608636, abs=1e-6)
    assert pl_prime == pytest.approx(65.598720, abs=1e-6)
    nlos = sa.path_loss_db([10.0], model="uma", los=False, carrier_ghz=FC, ut_height=12.0)
    assert nlos[0] == pytest.approx(pl_los, abs=1e-9)


def test_user_height_enters_nlos_and_breakpoint():
    # UMa, 28 GHz, h_UT = 10 m, 300 m: d'_BP = 4 * 24 * 9 * 28e9 / 3e8 = 80640 m (PL1)
    d = d3(300, 25.0 - 10.0)
    los = 28.0 + 22 * log10(d) + 20 * log10(28.0)
    nlos = 13.54 + 39.08 * log10(d) + 20 * log10(28.0) - 0.6 * (10 - 1.5)
    assert (los, nlos) == pytest.approx((111.451756, 134.210248), abs=1e-6)
    value = sa.path_loss_db(
        [300.0, 300.0], model="uma", los=[True, False], carrier_ghz=28.0, ut_height=10.0
    )
    assert value == pytest.approx([los, nlos], abs=1e-6)


@pytest.mark.parametrize("model", ["umi", "uma"])
def test_nlos_never_below_los_and_loss_grows_with_distance(model):
    d = np.geomspace(10.0, 5000.0, 200)
    los = sa.path_loss_db(d, model=model, los=True, carrier_ghz=FC)
    nlos = sa.path_loss_db(d, model=model, los=False, carrier_ghz=FC)
    assert np.all(nlos >= los)
    assert np.all(np.diff(los) > 0) and np.all(np.diff(nlos) > 0)


@pytest.mark.parametrize(
    ("model", "d2d", "formula", "literal"),
    [
        ("umi", 36.0, 18 / 36 + exp(-36 / 36) * (1 - 18 / 36), 0.683940),
        ("umi", 100.0, 18 / 100 + exp(-100 / 36) * (1 - 18 / 100), 0.230985),
        ("uma", 63.0, 18 / 63 + exp(-63 / 63) * (1 - 18 / 63), 0.548485),
        ("uma", 200.0, 18 / 200 + exp(-200 / 63) * (1 - 18 / 200), 0.128048),
        ("umi", 18.0, 1.0, 1.0),
        ("uma", 5.0, 1.0, 1.0),
    ],
)
def test_los_probability_by_hand(model, d2d, formula, literal):
    assert formula == pytest.approx(literal, abs=1e-6)
    assert sa.los_probability([d2d], model=model)[0] == pytest.approx(literal, abs=1e-6)


@pytest.mark.parametrize(
    ("model", "los", "sigma"),
    [("umi", True, 4.0), ("umi", False, 7.82), ("uma", True, 4.0), ("uma", False, 6.0)],
)
def test_shadowing_statistics(model, los, sigma):
    n = 200_000
    x = sa.shadowing_db(np.full(n, los), model=model, rng=7)
    # standard errors: sigma / sqrt(n) for the mean, about sigma / sqrt(2 n) for the std
    assert abs(x.mean()) < 5 * sigma / np.sqrt(n)
    assert x.std() == pytest.approx(sigma, abs=5 * sigma / np.sqrt(2 * n))
    again = sa.shadowing_db(np.full(n, los), model=model, rng=7)
    assert np.array_equal(x, again)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: sa.path_loss_db([6000.0]), ValueError, "beyond the 5000 m range"),
        (lambda: sa.path_loss_db([-1.0]), ValueError, "non-negative"),
        (lambda: sa.path_loss_db([np.nan]), ValueError, "finite"),
        (lambda: sa.path_loss_db(["100"]), TypeError, "distance_2d must be an array of real"),
        (lambda: sa.path_loss_db([100.0], carrier_ghz=3.5e9), ValueError, "GHz, not Hz"),
        (lambda: sa.path_loss_db([100.0], carrier_ghz=0.1), ValueError, "carrier_ghz"),
        (lambda: sa.path_loss_db([100.0], model="rma"), ValueError, "model must be one of"),
        (lambda: sa.path_loss_db([100.0], model="uma", ut_height=13.0), ValueError, "h_E"),
        (lambda: sa.path_loss_db([100.0], ut_height=30.0), ValueError, "ut_height"),
        (lambda: sa.path_loss_db([100.0], los=1), TypeError, "booleans"),
        (lambda: sa.path_loss_db([1.0, 2.0], los=[True] * 3), ValueError, "broadcast"),
        (lambda: sa.shadowing_db([0, 1]), TypeError, "booleans"),
        (lambda: sa.los_probability([1e4], model="uma"), ValueError, "5000 m"),
    ],
)
def test_bad_input_is_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()
