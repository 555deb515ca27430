"""Random junk into gfnoma's public entry points: a ValueError/TypeError naming the
argument, or a valid object / a BER in [0, 1]; never another exception."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import gfnoma as gf

junk = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.booleans(),
    st.integers(-5, 50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=10),
    st.lists(st.floats(allow_nan=True), max_size=7),
    st.just([[1.0, 2.0], [3.0]]),
    st.just(np.full((4, 6), "1")),
)


def _unit_columns(args: tuple[int, int, int]) -> np.ndarray:
    rng = np.random.default_rng(args[2])
    m = rng.normal(size=args[:2]) + 1j * rng.normal(size=args[:2])
    return m / np.linalg.norm(m, axis=0)


matrices = st.one_of(
    junk,
    st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(0, 2**31)).map(
        lambda a: (
            np.random.default_rng(a[2]).normal(size=(a[0], a[1]))
            + 1j * np.random.default_rng(a[2] + 1).normal(size=(a[0], a[1]))
        )
    ),
    st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(0, 2**31)).map(_unit_columns),
    st.tuples(st.integers(1, 5), st.integers(1, 7), st.integers(0, 2**31)).map(_unit_columns),
    st.just(np.ones((4, 6)) * 1e308),
    st.just(np.zeros((4, 6))),
)
activations = st.one_of(
    junk,
    st.integers(1, 7).flatmap(lambda n: st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n)),
    st.lists(st.floats(-0.5, 1.5), min_size=1, max_size=7),
    st.just((0.8, 0.8, 0.8, 0.4, 0.4, 0.4)),
)


def _names(exc: Exception, *names: str) -> bool:
    return any(name in str(exc) for name in names)


@st.composite
def signature_inputs(draw):
    """Mostly well-formed (unit columns, one probability per column), then spoiled."""
    h, n = draw(st.integers(1, 5)), draw(st.integers(1, 7))
    matrix = _unit_columns((h, n, draw(st.integers(0, 2**31))))
    activation = draw(st.lists(st.floats(-0.5, 1.5), min_size=n, max_size=n))
    spoil = draw(st.sampled_from(["none", "none", "matrix", "activation", "scale"]))
    if spoil == "matrix":
        matrix = draw(matrices)
    elif spoil == "activation":
        activation = draw(activations)
    elif spoil == "scale":
        matrix = matrix * draw(st.sampled_from([0.0, 3.0, 1e-300, 1e308, np.nan]))
    return matrix, activation


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=signature_inputs(), q=st.one_of(st.none(), st.none(), junk))
def test_signatures_on_junk(inputs, q):
    matrix, activation = inputs
    try:
        sig = gf.Signatures(matrix, activation, q=q)
    except (ValueError, TypeError) as exc:
        assert _names(exc, "matrix", "activation", "q", "signature", "column"), str(exc)
        event("refused")
        return
    event("built")
    assert np.all(np.isfinite(sig.matrix))
    np.testing.assert_allclose(np.linalg.norm(sig.matrix, axis=0), 1.0, atol=1e-6)
    assert len(sig.activation) == sig.n_users
    assert all(0 < p <= 1 for p in sig.activation)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.one_of(st.sampled_from(["wbe", "qwbe", "musa", "random"]), junk),
    activation=st.one_of(st.just((0.8, 0.8, 0.8, 0.4, 0.4, 0.4)), activations),
    length=st.one_of(st.integers(-1, 6), junk),
    q=st.one_of(st.integers(-1, 4), junk),
)
def test_make_signatures_on_junk(kind, activation, length, q):
    try:
        sig = gf.make_signatures(kind, activation, length, q=q, seed=0)
    except (ValueError, TypeError) as exc:
        assert _names(exc, "kind", "activation", "length", "q", "n_users"), str(exc)
        event("refused")
        return
    event("built")
    norms = np.linalg.norm(sig.matrix, axis=0)
    np.testing.assert_allclose(norms, 1.0, atol=1e-6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snr=st.one_of(st.floats(-300, 600), st.lists(st.floats(-30, 60), max_size=3), junk))
def test_simulate_ber_on_junk_snr(snr):
    sig = gf.make_signatures("wbe", (0.8, 0.8, 0.8, 0.4, 0.4, 0.4), 4)
    try:
        result = gf.simulate_ber(
            sig,
            "mmse-sic",
            snr,
            target_errors=5,
            max_samples=2000,
            batch_size=1000,
            progress=False,
        )
    except (ValueError, TypeError) as exc:
        assert _names(exc, "snr_db"), str(exc)
        event("refused")
        return
    event("simulated")
    ber = result.table["ber"].to_numpy(dtype=float)
    assert np.all((ber >= 0) & (ber <= 1))
