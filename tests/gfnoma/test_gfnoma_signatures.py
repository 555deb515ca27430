"""Signature sets, the Signatures container, JSON round trips and input validation."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gfnoma import (
    P_ASY,
    P_HIGH,
    SIGNATURE_KINDS,
    UNIT_NORM_TOLERANCE,
    Signatures,
    cc_weighted,
    make_signatures,
    minimum_length,
    musa_like,
    quantize,
    quantized_wbe,
    random_signatures,
    wbe,
)

# ---------------------------------------------------------------------------------------
# WBE
# ---------------------------------------------------------------------------------------


def test_wbe_is_unit_norm_tight_frame():
    sig = wbe(P_ASY, 4)
    s = sig.matrix
    np.testing.assert_allclose(np.linalg.norm(s, axis=0), 1.0, atol=1e-15)
    # N >= H: the harmonic frame is tight, S S^H = (N/H) I (Welch-bound equality, eq. 1)
    np.testing.assert_allclose(s @ s.conj().T, (6 / 4) * np.eye(4), atol=1e-14)
    assert sig.name == "WBE" and sig.q is None


def test_wbe_cc_weighted_matches_paper_table_iii():
    # Paper Table III: WBE 3.67e-2; spec: exactly 0.036667 in natural order with p_asy.
    assert cc_weighted(wbe(P_ASY, 4)) == pytest.approx(0.0366666666667, abs=1e-12)


@pytest.mark.parametrize("chirp", [0.5, 1.0, 3.0])
def test_chirp_changes_no_correlation(chirp):
    plain, chirped = wbe(P_ASY, 4), wbe(P_ASY, 4, chirp=chirp)
    assert not np.allclose(plain.matrix, chirped.matrix)
    np.testing.assert_allclose(
        np.abs(plain.matrix.conj().T @ plain.matrix),
        np.abs(chirped.matrix.conj().T @ chirped.matrix),
        atol=1e-14,
    )


# ---------------------------------------------------------------------------------------
# Quantised WBE
# ---------------------------------------------------------------------------------------


def _quantize_reference(s: np.ndarray, q: int) -> np.ndarray:
    """Loop version of the documented rule: per user, step A_n/q, round half away, clip."""
    out = np.zeros(s.shape, dtype=complex)
    for n in range(s.shape[1]):
        a = max(max(abs(v.real), abs(v.imag)) for v in s[:, n])
        step = a / q
        for k in range(s.shape[0]):
            parts = []
            for x in (s[k, n].real, s[k, n].imag):
                t = round(abs(x) / step, 9)  # snap floating noise, as documented
                r = math.floor(t + 0.5)
                parts.append(max(-q, min(q, int(math.copysign(r, x)) if r else 0)))
            out[k, n] = complex(*parts)
    return out


@pytest.mark.parametrize("q", [1, 2, 3])
@pytest.mark.parametrize("chirp", [0.0, 1.0])
def test_quantized_wbe_follows_documented_rule(q, chirp):
    sig = quantized_wbe(P_ASY, 4, q=q, chirp=chirp)
    ref = _quantize_reference(wbe(P_ASY, 4, chirp=chirp).matrix, q)
    np.testing.assert_array_equal(sig.alphabet, ref)
    assert sig.q == q and sig.name == "QWBE"
    assert np.abs(sig.alphabet_re).max() == q or np.abs(sig.alphabet_im).max() == q


def test_quantized_wbe_cc_is_close_to_wbe():
    # Not tuned to the paper's 4.01e-2; the documented rule gives 0.037728 (see docs).
    cc = cc_weighted(quantized_wbe(P_ASY, 4, q=2))
    assert cc == pytest.approx(0.0377283950617, abs=1e-12)
    assert cc > cc_weighted(wbe(P_ASY, 4))  # quantisation costs correlation here


def test_quantize_keeps_activation_and_rejects_bad_q():
    sig = quantize(wbe([0.5, 0.6, 0.7], 2), 2)
    np.testing.assert_array_equal(sig.activation, [0.5, 0.6, 0.7])
    with pytest.raises(ValueError, match="q must be >= 1"):
        quantize(wbe(), 0)
    with pytest.raises(TypeError, match="q must be an integer"):
        quantize(wbe(), 1.5)
    with pytest.raises(TypeError, match="signatures"):
        quantize(np.eye(2), 2)


# ---------------------------------------------------------------------------------------
# MUSA-like
# ---------------------------------------------------------------------------------------


def test_musa_like_structure_and_low_correlation():
    sig = musa_like(P_ASY, 4)
    assert sig.name == "MUSA-like" and sig.q == 1
    assert set(np.unique(sig.alphabet_re)) <= {-1, 0, 1}
    assert set(np.unique(sig.alphabet_im)) <= {-1, 0, 1}
    np.testing.assert_array_equal(sig.alphabet[0], np.ones(6))  # first chip fixed to 1
    assert len({tuple(c) for c in sig.alphabet.T}) == 6  # distinct sequences
    rho2 = np.abs(sig.matrix.conj().T @ sig.matrix) ** 2
    np.fill_diagonal(rho2, 0.0)
    # The unweighted Welch bound sum_{i != j} |rho|^2 >= N^2/H - N = 3 is attained.
    assert rho2.sum() == pytest.approx(3.0, abs=1e-9)
    assert rho2.max() <= 0.25 + 1e-12


def test_musa_like_is_deterministic_and_activation_agnostic():
    a = musa_like(P_ASY, 4)
    b = musa_like(P_HIGH, 4)
    np.testing.assert_array_equal(a.alphabet, b.alphabet)  # p is not used in the selection
    np.testing.assert_array_equal(a.alphabet, musa_like(P_ASY, 4).alphabet)


# ---------------------------------------------------------------------------------------
# Random and by-name construction
# ---------------------------------------------------------------------------------------


def test_random_signatures_in_alphabet_seeded():
    a = random_signatures(P_ASY, 4, q=3, seed=7)
    b = random_signatures(P_ASY, 4, q=3, seed=7)
    c = random_signatures(P_ASY, 4, q=3, seed=8)
    assert a == b and a != c
    assert np.abs(a.alphabet_re).max() <= 3 and np.abs(a.alphabet_im).max() <= 3
    assert np.all(np.linalg.norm(a.alphabet, axis=0) > 0)


def test_random_signatures_never_zero_columns_even_when_likely():
    # H = 1, q = 1: a column is zero with probability 1/9; all must be redrawn.
    sig = random_signatures([0.5] * 50, 1, q=1, seed=0)
    assert np.all(np.abs(sig.alphabet) > 0)


@pytest.mark.parametrize(
    ("kind", "name"),
    [("wbe", "WBE"), ("qwbe", "QWBE"), ("musa", "MUSA-like"), ("random", "random")],
)
def test_make_signatures(kind, name):
    assert make_signatures(kind, P_ASY, 4).name == name


def test_make_signatures_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        make_signatures("grassmann")
    with pytest.raises(ValueError, match="kind must be one of"):
        minimum_length("grassmann", 6)


@pytest.mark.parametrize("n_users", [1, 2, 6, 9, 10, 12, 81, 82])
@pytest.mark.parametrize("kind", SIGNATURE_KINDS)
def test_minimum_length_is_the_shortest_buildable(kind, n_users):
    shortest = minimum_length(kind, n_users)
    expected = 1 if kind != "musa" else (2 if n_users <= 9 else 3 if n_users <= 81 else 4)
    assert shortest == expected
    if n_users > 12:
        return  # building N=81 or 82 MUSA-like sets is slow; the rule above is enough
    p = [0.5] * n_users
    assert make_signatures(kind, p, shortest).length == shortest
    if shortest > 1:
        with pytest.raises(ValueError, match=rf"length must be >= {shortest} for N={n_users}"):
            make_signatures(kind, p, shortest - 1)


def test_musa_like_refuses_length_one_up_front():
    # it used to fail inside numpy: "cannot reshape array of size 0 into shape (0)"
    with pytest.raises(ValueError, match=r"length must be >= 2 for N=6 users, got 1"):
        musa_like(P_ASY, 1)


# ---------------------------------------------------------------------------------------
# Container: validation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matrix", "activation", "kwargs", "exc", "match"),
    [
        (np.ones((4, 2)), [0.5, 0.5], {}, None, None),
        (np.zeros((4, 2)), [0.5, 0.5], {}, ValueError, "matrix has all-zero column"),
        (np.array([[1, 0], [1, 0]]), [0.5, 0.5], {}, ValueError, r"zero column\(s\) \[1\]"),
        (np.array([[1, np.nan], [1, 1]]), [0.5, 0.5], {}, ValueError, "matrix contains NaN"),
        (np.array([[1, np.inf], [1, 1]]), [0.5, 0.5], {}, ValueError, "matrix contains NaN"),
        (np.ones(4), [0.5], {}, ValueError, r"matrix must be a 2-D \(H, N\)"),
        (np.ones((2, 2, 2)), [0.5, 0.5], {}, ValueError, r"matrix must be a 2-D \(H, N\)"),
        (np.ones((0, 3)), [0.5] * 3, {}, ValueError, "at least one chip"),
        ([["a", "b"]], [0.5, 0.5], {}, TypeError, "matrix must be a 2-D array of numbers"),
        (np.ones((4, 2)) * 3, [0.5, 0.5], {"q": 2}, ValueError, r"\{-2\.\.2\}"),
        (np.ones((4, 2)) * (1 - 3j), [0.5, 0.5], {"q": 2}, ValueError, r"\{-2\.\.2\}"),
        (np.ones((4, 2)) * 0.5, [0.5, 0.5], {"q": 2}, ValueError, "integer real and imag"),
        (np.ones((4, 2)), [0.5, 0.5], {"q": 1.5}, TypeError, "q must be an integer"),
        (np.ones((4, 2)), [0.5, 0.5], {"q": 0}, ValueError, "q must be >= 1"),
        (np.ones((4, 2)), [0.5], {}, ValueError, "activation has 1 entries but there are 2"),
        (np.ones((4, 2)), [0.0, 0.5], {}, ValueError, r"activation entries must lie in \(0, 1\]"),
        (np.ones((4, 2)), [1.2, 0.5], {}, ValueError, r"activation entries must lie in \(0, 1\]"),
        (np.ones((4, 2)), [-0.1, 0.5], {}, ValueError, r"activation entries must lie"),
        (np.ones((4, 2)), [np.nan, 0.5], {}, ValueError, "activation contains NaN"),
        (np.ones((4, 2)), "0.5,0.5", {}, TypeError, "activation must be a sequence"),
        (np.ones((4, 2)), [[0.5, 0.5]], {}, ValueError, "activation must be a non-empty 1-D"),
        (np.ones((4, 2)), [0.5, 0.5], {"name": ""}, TypeError, "name must be a non-empty"),
    ],
)
def test_signatures_validation(matrix, activation, kwargs, exc, match):
    if exc is None:
        Signatures(matrix, activation, **kwargs)
        return
    with pytest.raises(exc, match=match):
        Signatures(matrix, activation, **kwargs)


def test_activation_one_is_allowed():
    sig = Signatures(np.ones((2, 2)) + np.eye(2), [1.0, 1.0])
    np.testing.assert_array_equal(sig.activation, [1.0, 1.0])


def test_signatures_are_immutable_views():
    sig = wbe()
    with pytest.raises(ValueError):
        sig.matrix[0, 0] = 0
    with pytest.raises(ValueError):
        sig.activation[0] = 0.1


def test_permuted_moves_sequences_not_probabilities():
    sig = musa_like(P_ASY, 4)
    order = [5, 4, 3, 2, 1, 0]
    per = sig.permuted(order)
    np.testing.assert_array_equal(per.alphabet, sig.alphabet[:, order])
    np.testing.assert_array_equal(per.activation, sig.activation)
    with pytest.raises(ValueError, match="order must be a permutation"):
        sig.permuted([0, 0, 1, 2, 3, 4])


def test_generators_validate_sizes():
    with pytest.raises(ValueError, match="length must be >= 1"):
        wbe(P_ASY, 0)
    with pytest.raises(ValueError, match=r"activation entries must lie in \(0, 1\]"):
        musa_like([0.8, 1.5], 4)
    with pytest.raises(TypeError, match="chirp must be a real number"):
        wbe(P_ASY, 4, chirp="x")


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------

_prob = st.floats(min_value=1e-6, max_value=1.0, allow_nan=False, exclude_min=False)


@st.composite
def finite_sets(draw):
    h = draw(st.integers(1, 8))
    n = draw(st.integers(1, 8))
    q = draw(st.integers(1, 5))
    ints = st.integers(-q, q)
    re = np.array(draw(st.lists(ints, min_size=h * n, max_size=h * n))).reshape(h, n)
    im = np.array(draw(st.lists(ints, min_size=h * n, max_size=h * n))).reshape(h, n)
    zero = np.all((re == 0) & (im == 0), axis=0)
    re[0, zero] = q  # make every column non-zero
    p = draw(st.lists(_prob, min_size=n, max_size=n))
    name = draw(st.text(min_size=1, max_size=12))
    return Signatures.from_alphabet(re, im, p, q=q, name=name)


@st.composite
def continuous_sets(draw):
    h = draw(st.integers(1, 6))
    n = draw(st.integers(1, 6))
    fl = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=True)
    re = np.array(draw(st.lists(fl, min_size=h * n, max_size=h * n))).reshape(h, n)
    im = np.array(draw(st.lists(fl, min_size=h * n, max_size=h * n))).reshape(h, n)
    zero = np.all((re == 0) & (im == 0), axis=0)
    re[0, zero] = 1.0
    p = draw(st.lists(_prob, min_size=n, max_size=n))
    return Signatures(re + 1j * im, p, name="cont")


@settings(max_examples=60, deadline=None)
@given(finite_sets())
def test_json_round_trip_exact_finite(sig):
    back = Signatures.from_json(sig.to_json())
    assert back == sig
    np.testing.assert_array_equal(back.matrix, sig.matrix)  # bit for bit
    assert back.alphabet_re.dtype == np.int64
    d = json.loads(sig.to_json())
    assert all(isinstance(v, int) for row in d["alphabet"]["re"] for v in row)


@settings(max_examples=40, deadline=None)
@given(continuous_sets())
def test_json_round_trip_exact_continuous(sig):
    back = Signatures.from_json(sig.to_json())
    assert back == sig
    assert back.matrix.tobytes() == sig.matrix.tobytes()
    assert back.activation.tobytes() == sig.activation.tobytes()


def test_save_load_file(tmp_path):
    sig = musa_like(P_ASY, 4)
    path = sig.save(tmp_path / "musa.json")
    assert Signatures.load(path) == sig
    assert not (tmp_path / "musa.json.tmp").exists()


def test_load_errors(tmp_path):
    with pytest.raises(ValueError, match="no such signatures file"):
        Signatures.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        Signatures.load(bad)
    bad.write_bytes(b"\x80PK binary")  # e.g. a decoder.pt given by mistake
    with pytest.raises(ValueError, match=r"bad.json: not a signatures JSON file \(not UTF-8"):
        Signatures.load(bad)
    good = json.loads(musa_like().to_json())
    cases = [
        ({k: v for k, v in good.items() if k != "activation"}, "missing key 'activation'"),
        ({**good, "format": "other"}, "'format' must be"),
        ({**good, "version": 99}, "unsupported 'version'"),
        ({**good, "alphabet": {"re": [[0.5] * 6] * 4, "im": [[0] * 6] * 4}}, "must be integers"),
        ({**good, "alphabet": {"re": [[1] * 6] * 3, "im": [[0] * 6] * 3}}, "does not match"),
        ({**good, "alphabet": {"re": [[2] * 6] * 4, "im": [[0] * 6] * 4}}, r"\{-1\.\.1\}"),
        ({**good, "activation": [0.8] * 5}, "activation has 5 entries"),
        ({k: v for k, v in good.items() if k != "alphabet"}, "needs 'alphabet'"),
        ({**good, "q": 1.0}, "'q' must be an integer or null"),
        ({**good, "activation": ["a"] * 6}, "activation must be a sequence of real"),
    ]
    for d, match in cases:
        bad.write_text(json.dumps(d))
        with pytest.raises(ValueError, match=match):
            Signatures.load(bad)


def _wbe_file(tmp_path, chip, value):
    d = json.loads(wbe().to_json())
    d["matrix"]["re"][0][chip[1]] = value
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(d))
    return path


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (3.0, r"column 2 has norm 3\.122499, not 1: stored signatures are unit-norm within 1e-06"),
        (1e308, r"column 2 has norm 1e\+308, not 1"),
        (float("inf"), r"NaN or infinite entries in column\(s\) \[2\]"),
        (float("nan"), r"NaN or infinite entries in column\(s\) \[2\]"),
        (0.0, r"column 2 has norm 0\.866025404, not 1"),
    ],
)
def test_load_refuses_matrices_that_are_not_unit_norm(tmp_path, value, match):
    path = _wbe_file(tmp_path, (0, 2), value)
    with pytest.raises(ValueError, match=match) as info:
        Signatures.load(path)
    assert str(info.value).startswith(f"{path}: ")


def test_load_overflowing_entries_and_json_infinity(tmp_path):
    path = tmp_path / "big.json"
    d = json.loads(wbe().to_json())
    d["matrix"]["re"][1] = d["matrix"]["re"][2] = [1.7e308] * 6  # the norms overflow float64
    path.write_text(json.dumps(d))
    with pytest.raises(ValueError, match=r"column 0 has norm inf, not 1 \(and column\(s\) \[1, 2"):
        Signatures.load(path)
    path.write_text(json.dumps(d).replace("1.7e+308", "1e999"))  # parsed as inf
    with pytest.raises(ValueError, match="NaN or infinite entries in column"):
        Signatures.load(path)
    d = json.loads(musa_like().to_json())
    d["q"] = 2**70
    d["alphabet"]["re"][0][3] = 2**70
    path.write_text(json.dumps(d))
    with pytest.raises(
        ValueError, match=r"alphabet column\(s\) \[3\] hold integers beyond 2\*\*53"
    ):
        Signatures.load(path)


def test_load_accepts_unit_norm_within_tolerance_and_rescales(tmp_path):
    sig = wbe()
    d = json.loads(sig.to_json())
    d["matrix"]["re"] = [[round(v, 7) for v in row] for row in d["matrix"]["re"]]
    d["matrix"]["im"] = [[round(v, 7) for v in row] for row in d["matrix"]["im"]]
    path = tmp_path / "rounded.json"
    path.write_text(json.dumps(d))
    back = Signatures.load(path)
    np.testing.assert_allclose(np.linalg.norm(back.matrix, axis=0), 1.0, atol=1e-15)
    np.testing.assert_allclose(back.matrix, sig.matrix, atol=1e-7)
    # just outside the tolerance: refused
    d = json.loads(sig.to_json())
    d["matrix"]["re"][0][0] *= 1 + 6 * UNIT_NORM_TOLERANCE
    path.write_text(json.dumps(d))
    with pytest.raises(ValueError, match=r"column 0 has norm 1\.0000015, not 1"):
        Signatures.load(path)


def test_from_alphabet_checks_integers():
    with pytest.raises(ValueError, match="re must contain integers"):
        Signatures.from_alphabet([[0.5]], [[0]], [0.5], q=1)
    with pytest.raises(ValueError, match="same shape"):
        Signatures.from_alphabet([[1, 1]], [[0]], [0.5], q=1)


def test_tensor_conversion():
    import torch

    sig = wbe()
    t = sig.tensor()
    assert t.dtype == torch.complex64 and tuple(t.shape) == (4, 6)
    np.testing.assert_allclose(t.numpy(), sig.matrix, atol=1e-7)
    assert sig.tensor(torch.complex128).numpy().tobytes() == sig.matrix.tobytes()
    with pytest.raises(TypeError, match="dtype"):
        sig.tensor(torch.float32)


def test_every_alphabet_point_reachable_by_quantize():
    # all (2q+1)^2 chip values are legal inputs and survive a round trip
    q = 2
    vals = [complex(a, b) for a, b in itertools.product(range(-q, q + 1), repeat=2)]
    vals = [v for v in vals if v != 0]
    m = np.array(vals).reshape(1, -1)
    sig = Signatures(m, [0.5] * m.shape[1], q=q)
    np.testing.assert_array_equal(Signatures.from_json(sig.to_json()).alphabet, m)
