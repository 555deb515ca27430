"""The finite-alphabet CC search: target, Welch limit, determinism, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gfnoma import (
    P_ASY,
    cc_weighted,
    quantized_wbe,
    search_signatures,
    weighted_welch_bound,
)


@pytest.fixture(scope="module")
def p_asy_result():
    return search_signatures(P_ASY, 4, q=2, seed=0)


def test_search_reaches_issue_target(p_asy_result):
    res = p_asy_result
    assert res.cc <= 0.0290  # the CC-search target (: about 0.0284 reachable)
    assert res.cc >= res.welch_bound.cc == pytest.approx(0.028)  # the limit
    assert res.cc == pytest.approx(cc_weighted(res.signatures), abs=1e-15)
    assert res.gap == pytest.approx(res.cc / 0.028 - 1)


def test_search_result_is_a_valid_finite_alphabet_set(p_asy_result):
    sig = p_asy_result.signatures
    assert sig.q == 2 and sig.name == "CC-search"
    assert np.abs(sig.alphabet_re).max() <= 2 and np.abs(sig.alphabet_im).max() <= 2
    np.testing.assert_array_equal(sig.activation, P_ASY)
    assert p_asy_result.cc_per_restart.shape == (50,)
    assert p_asy_result.cc == pytest.approx(p_asy_result.cc_per_restart.min())


def test_search_is_a_local_minimum_over_single_chips(p_asy_result):
    # No single chip change can lower CC_weighted any further (coordinate-wise optimality).
    sig = p_asy_result.signatures
    raw = sig.alphabet
    best = p_asy_result.cc
    values = [complex(a, b) for a in range(-2, 3) for b in range(-2, 3)]
    for n in range(6):
        for k in range(4):
            for v in values:
                trial = raw.copy()
                trial[k, n] = v
                if np.all(trial[:, n] == 0):
                    continue
                assert cc_weighted(trial, P_ASY) >= best - 1e-15


def test_search_is_deterministic_and_beats_its_init():
    a = search_signatures(P_ASY, 4, restarts=3, seed=5)
    b = search_signatures(P_ASY, 4, restarts=3, seed=5)
    assert a.signatures == b.signatures
    init = quantized_wbe(P_ASY, 4, q=2)
    c = search_signatures(P_ASY, 4, restarts=1, init=init)
    assert c.cc < cc_weighted(init)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(0.05, 1.0), min_size=2, max_size=6),
    st.integers(1, 4),
    st.integers(1, 2),
)
def test_search_never_below_the_bound(p, h, q):
    res = search_signatures(p, h, q=q, restarts=2, seed=1)
    bound = weighted_welch_bound(p, h)
    assert res.cc >= bound.cc_min - 1e-12
    assert res.cc >= bound.cc - 1e-12


def test_search_validation():
    with pytest.raises(ValueError, match="at least two users"):
        search_signatures([0.5], 4)
    with pytest.raises(ValueError, match=r"activation entries must lie in \(0, 1\]"):
        search_signatures([0.5, 0.0], 4)
    with pytest.raises(ValueError, match="restarts must be >= 1"):
        search_signatures(P_ASY, 4, restarts=0)
    with pytest.raises(ValueError, match="init must be a finite-alphabet set"):
        search_signatures(P_ASY, 4, init=quantized_wbe(P_ASY, 4, q=3), q=2)
    with pytest.raises(TypeError, match="init must be a Signatures object"):
        search_signatures(P_ASY, 4, init=np.ones((4, 6)))


# -- choose_phases --------------------------------------------------------------------------------
def _brute_force_min_cc(sig):
    """Exhaustive minimum of CC_weighted over same-magnitude alphabet points (tiny sets)."""
    import itertools

    q = sig.q
    pts = np.array([a + 1j * b for a in range(-q, q + 1) for b in range(-q, q + 1)])
    raw = sig.alphabet
    opts = [pts[np.isclose(np.abs(pts), abs(v))] for v in raw.ravel()]
    best = np.inf
    for choice in itertools.product(*opts):
        cand = np.array(choice).reshape(raw.shape)
        best = min(best, cc_weighted(cand, sig.activation))
    return best


def test_choose_phases_keeps_magnitudes_and_matches_brute_force():
    from gfnoma import Signatures, choose_phases

    # 3 users, 2 chips: 4^2 * 8 * 4 ... small enough to enumerate every phase choice.
    raw = np.array([[1, 2 + 1j, 1j], [1 + 1j, 0, 2]])
    sig = Signatures(raw, [0.8, 0.4, 0.4], q=2, name="toy")
    res = choose_phases(sig, restarts=20, seed=0)
    assert np.array_equal(np.abs(res.signatures.alphabet), np.abs(sig.alphabet))
    assert res.signatures.name == "toy (phases)"
    assert res.cc <= cc_weighted(sig) + 1e-15
    assert res.cc == pytest.approx(_brute_force_min_cc(sig), abs=1e-12)


def test_choose_phases_reaches_the_target_for_constant_modulus_five():
    from gfnoma import Signatures, choose_phases

    # Every chip 2 + j (|s|^2 = 5): the phase choice alone gets below the QNN target 0.0295.
    same = Signatures(np.full((4, 6), 2 + 1j), P_ASY, q=2)
    res = choose_phases(same, restarts=20, seed=0)
    assert cc_weighted(same) == pytest.approx(0.352)
    assert res.welch_bound.cc <= res.cc <= 0.0295


def test_choose_phases_validates_input():
    from gfnoma import Signatures, choose_phases, wbe

    with pytest.raises(TypeError, match="signatures"):
        choose_phases(np.ones((4, 6)))
    with pytest.raises(ValueError, match="finite-alphabet"):
        choose_phases(wbe(P_ASY, 4))
    with pytest.raises(ValueError, match="restarts"):
        choose_phases(Signatures(np.ones((4, 6)), P_ASY, q=2), restarts=0)
