"""CC_weighted, weighted Welch bound, cross-correlation, Jain's index and error counting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gfnoma import (
    P_ASY,
    P_HIGH,
    P_LOW,
    ErrorCounts,
    Signatures,
    cc_weighted,
    count_errors,
    cross_correlation,
    jain_index,
    musa_like,
    quantized_wbe,
    random_signatures,
    wbe,
    weighted_cross_correlation,
    weighted_welch_bound,
)


def _cc_loop(s: np.ndarray, p: np.ndarray) -> float:
    """Eq. (29) by a double loop over user pairs."""
    n = s.shape[1]
    total = 0.0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            rho = np.vdot(s[:, i], s[:, j]) / (np.linalg.norm(s[:, i]) * np.linalg.norm(s[:, j]))
            total += p[i] * p[j] * abs(rho) ** 2
    return total / (n * (n - 1))


@pytest.mark.parametrize("make", [wbe, quantized_wbe, musa_like, random_signatures])
@pytest.mark.parametrize("profile", [P_ASY, P_HIGH, P_LOW])
def test_cc_weighted_matches_loop(make, profile):
    sig = make(profile, 4)
    assert cc_weighted(sig) == pytest.approx(_cc_loop(sig.matrix, sig.activation), rel=1e-12)


def test_cc_weighted_plain_matrix_and_override():
    raw = random_signatures(P_ASY, 4, seed=3).alphabet  # unnormalised integers
    assert cc_weighted(raw, P_ASY) == pytest.approx(_cc_loop(raw, np.array(P_ASY)), rel=1e-12)
    sig = wbe()
    assert cc_weighted(sig, P_HIGH) == pytest.approx(cc_weighted(sig.with_activation(P_HIGH)))
    with pytest.raises(ValueError, match="activation is required"):
        cc_weighted(raw)
    with pytest.raises(ValueError, match="at least two users"):
        cc_weighted(wbe([0.5], 4))
    with pytest.raises(ValueError, match="all-zero column"):
        cc_weighted(np.zeros((4, 2)), [0.5, 0.5])


def test_welch_bound_p_asy():
    b = weighted_welch_bound(P_ASY, 4)
    # ((sum p)^2 / H - sum p^2) / (N (N - 1)) = (3.24 - 2.4) / 30
    assert b.cc == pytest.approx(0.028, abs=1e-15)
    assert b.attainable
    assert b.cc_min == pytest.approx(b.cc)
    assert b.frame_sum == pytest.approx(3.24)


def test_equal_activation_wbe_meets_welch_bound_exactly():
    # With equal weights the weighted bound is the classic Welch bound, met by the tight frame.
    for profile in (P_HIGH, P_LOW):
        assert cc_weighted(wbe(profile, 4)) == pytest.approx(
            weighted_welch_bound(profile, 4).cc, abs=1e-15
        )


def test_unattainable_bound_and_generalised_minimum():
    # One dominant user: max p > sum p / H, so the plain bound is not attainable.
    p = [1.0, 0.1, 0.1, 0.1]
    b = weighted_welch_bound(p, 2)
    assert not b.attainable
    assert b.cc_min > b.cc
    # The generalised optimum: the big user alone on one dimension, the rest share the other.
    s = np.array([[1, 0, 0, 0], [0, 1, 1, 1]], dtype=complex)
    assert cc_weighted(s, p) == pytest.approx(b.cc_min, abs=1e-15)


def test_welch_bound_orthogonal_when_n_le_h():
    b = weighted_welch_bound([0.3, 0.9, 0.5], 4)
    assert b.cc_min == 0.0
    assert cc_weighted(np.eye(4)[:, :3], [0.3, 0.9, 0.5]) == 0.0


def test_welch_bound_validation():
    with pytest.raises(ValueError, match="at least two users"):
        weighted_welch_bound([0.5], 4)
    with pytest.raises(ValueError, match=r"activation entries must lie in \(0, 1\]"):
        weighted_welch_bound([0.5, 0.0], 4)
    with pytest.raises(ValueError, match="length must be >= 1"):
        weighted_welch_bound([0.5, 0.5], 0)


_chip = st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False)


@st.composite
def sets_with_profile(draw, max_n=8, max_h=6):
    h = draw(st.integers(1, max_h))
    n = draw(st.integers(2, max_n))
    s = np.array(draw(st.lists(_chip, min_size=h * n, max_size=h * n))).reshape(h, n)
    norms = np.linalg.norm(s, axis=0)
    s[:, norms < 1e-3] = 1.0
    p = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)))
    return s, p


@settings(max_examples=200, deadline=None)
@given(sets_with_profile())
def test_no_set_beats_the_welch_bound(case):
    s, p = case
    b = weighted_welch_bound(p, s.shape[0])
    cc = cc_weighted(s, p)
    assert cc >= b.cc - 1e-12
    assert cc >= b.cc_min - 1e-12


@settings(max_examples=100, deadline=None)
@given(sets_with_profile(), st.data())
def test_cc_invariances(case, data):
    s, p = case
    h, n = s.shape
    cc = cc_weighted(s, p)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    # 1. per-user complex scaling
    scale = rng.uniform(0.1, 5, n) * np.exp(2j * np.pi * rng.random(n))
    assert cc_weighted(s * scale, p) == pytest.approx(cc, rel=1e-9, abs=1e-13)
    # 2. a common unitary transform (includes the chirp diag(exp(j pi u l^2 / N)))
    u, _ = np.linalg.qr(rng.normal(size=(h, h)) + 1j * rng.normal(size=(h, h)))
    assert cc_weighted(u @ s, p) == pytest.approx(cc, rel=1e-9, abs=1e-13)
    # 3. relabelling users together with their probabilities
    perm = rng.permutation(n)
    assert cc_weighted(s[:, perm], p[perm]) == pytest.approx(cc, rel=1e-9, abs=1e-13)
    # 4. complex conjugation
    assert cc_weighted(s.conj(), p) == pytest.approx(cc, rel=1e-9, abs=1e-13)


def test_cross_correlation_matrices():
    sig = wbe(P_ASY, 4)
    rho = cross_correlation(sig)
    np.testing.assert_allclose(np.diag(rho), 1.0)
    np.testing.assert_allclose(rho, rho.T, atol=1e-15)
    off = rho[~np.eye(6, dtype=bool)]
    # Harmonic frame, N=6, H=4: |rho| = |sum_k exp(2j pi k d / 6)| / 4 for user distance d,
    # i.e. sqrt(3)/4 (d = 1, 5), 1/4 (d = 2, 4) and 0 (d = 3). (Paper Fig. 5 quotes 0.24-0.44
    # for its chirp-based WBE; see docs.)
    np.testing.assert_allclose(np.unique(np.round(off, 12)), [0.0, 0.25, math.sqrt(3) / 4])
    w = weighted_cross_correlation(sig)
    np.testing.assert_allclose(np.diag(w), 0.0)
    expected = np.outer(sig.activation, sig.activation) * rho**2 * ~np.eye(6, dtype=bool)
    np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-15)
    assert w.sum() / 30 == pytest.approx(cc_weighted(sig))


def test_jain_index():
    assert jain_index([0.1, 0.1, 0.1]) == pytest.approx(1.0)
    assert jain_index([0.3, 0.0, 0.0]) == pytest.approx(1 / 3)
    assert jain_index([1.0, 2.0]) == pytest.approx(9 / 10)
    assert math.isnan(jain_index([0.0, 0.0]))
    with pytest.raises(ValueError, match="non-negative"):
        jain_index([-1.0, 1.0])
    with pytest.raises(ValueError, match="non-empty"):
        jain_index([])


def test_count_errors_conventions():
    # Two channel uses, three users.
    bits = np.array([[[0, 0], [1, 1], [0, 1]], [[1, 0], [0, 0], [1, 1]]])
    active = np.array([[True, True, False], [True, False, True]])
    # use 0: user 0 correct, user 1 one bit wrong, user 2 inactive but detected (false alarm)
    # use 1: user 0 missed (both bits wrong), user 1 inactive and silent, user 2 both wrong
    bits_hat = np.array([[[0, 0], [1, 0], [1, 1]], [[1, 0], [1, 1], [0, 0]]])
    active_hat = np.array([[True, True, True], [False, False, True]])
    c = count_errors(bits, bits_hat, active, active_hat)
    np.testing.assert_array_equal(c.bit_errors, [2, 1, 2])
    np.testing.assert_array_equal(c.bits, [4, 2, 2])
    np.testing.assert_array_equal(c.misses, [1, 0, 0])
    np.testing.assert_array_equal(c.false_alarms, [0, 0, 1])
    assert c.ber == pytest.approx(5 / 8)
    np.testing.assert_allclose(c.per_user_ber, [0.5, 0.5, 1.0])
    assert c.miss_rate == pytest.approx(1 / 4)
    assert c.false_alarm_rate == pytest.approx(1 / 2)
    assert c.activity_error_rate == pytest.approx(2 / 6)
    assert c.jain == pytest.approx(jain_index([0.5, 0.5, 1.0]))
    assert c.samples == 2
    total = c + c
    assert total.ber == c.ber and total.samples == 4
    np.testing.assert_array_equal(total.bit_errors, 2 * c.bit_errors)


def test_count_errors_shapes_and_empty():
    with pytest.raises(ValueError, match=r"bits must have shape \(B, N, 2\)"):
        count_errors(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="bits_hat must have the shape"):
        count_errors(np.zeros((2, 3, 2)), np.zeros((2, 2, 2)), np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="active and active_hat"):
        count_errors(np.zeros((2, 3, 2)), np.zeros((2, 3, 2)), np.zeros((2, 2)), np.zeros((2, 3)))
    z = ErrorCounts.zeros(3)
    assert math.isnan(z.ber) and math.isnan(z.miss_rate) and math.isnan(z.jain)
    assert np.all(np.isnan(z.per_user_ber))


def test_cc_of_signature_objects_uses_normalised_columns():
    raw = np.array([[2, 0], [0, 1j]], dtype=complex)
    assert cc_weighted(Signatures(raw, [1.0, 1.0])) == 0.0
    raw2 = np.array([[1, 1], [0, 1]], dtype=complex)  # |rho|^2 = 1/2
    assert cc_weighted(Signatures(raw2, [1.0, 0.5])) == pytest.approx(2 * 0.5 * 0.5 / 2)
