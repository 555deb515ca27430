"""Receivers against slow per-sample references, plus shapes and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gfnoma_reference import (
    joint_one,
    mf_one,
    mmse_sic_one,
    nearest_qpsk,
    posterior_mean_one,
    slice_map,
)

from gfnoma import (
    MMSESIC,
    P_ASY,
    GrantFreeChannel,
    JointDetector,
    MatchedFilter,
    OracleLS,
    OracleMMSE,
    Receiver,
    get_receiver,
    map_slice,
    musa_like,
    posterior_mean,
    random_signatures,
    wbe,
)

C128 = torch.complex128


def _batch(sig, batch, snr_db, seed, dtype=C128):
    ch = GrantFreeChannel(sig.activation, sig.length, seed=seed, dtype=dtype)
    out = ch(sig.tensor(dtype), batch, snr_db)
    real = torch.float64 if dtype == C128 else torch.float32
    return out, sig.tensor(dtype), sig.activation_tensor(real)


def _np(out, s):
    g = (out.h * s).to(C128).numpy()
    return g, out.y.to(C128).numpy(), out.noise_var.double().numpy()


CASES = [
    (wbe(P_ASY, 4), 0.0),
    (wbe(P_ASY, 4), 12.0),
    (musa_like(P_ASY, 4), 6.0),
    (random_signatures([0.9, 0.3, 0.6, 1.0], 3, seed=2), 8.0),  # includes p = 1
    (random_signatures([0.5, 0.7, 0.2], 4, seed=3), 25.0),
]


def test_map_slice_equals_five_point_posterior():
    rng = np.random.default_rng(0)
    z = rng.normal(size=500) + 1j * rng.normal(size=500)
    v = rng.uniform(0.05, 2.0, 500)
    p = rng.choice([0.1, 0.4, 0.8, 1.0], 500)
    sym, act = map_slice(torch.tensor(z), torch.tensor(v), torch.tensor(p))
    ref = np.array([slice_map(z[i], v[i], p[i]) for i in range(500)])
    np.testing.assert_allclose(sym.numpy(), ref, atol=1e-12)
    np.testing.assert_array_equal(act.numpy(), ref != 0)
    assert act.numpy()[p == 1.0].all()  # always-active users are never declared silent


@pytest.mark.parametrize(("sig", "snr"), CASES)
@pytest.mark.parametrize("interference", ["average", "instantaneous"])
def test_mf_matches_reference(sig, snr, interference):
    out, s, p = _batch(sig, 200, snr, seed=1)
    det = MatchedFilter(interference)(out.y, out.h, s, p, out.noise_var)
    g, y, nv = _np(out, s)
    ref = np.array(
        [
            mf_one(y[b], g[b], sig.matrix, sig.activation, nv[b], interference == "average")
            for b in range(200)
        ]
    )
    np.testing.assert_allclose(det.symbols.numpy(), ref, atol=1e-9)
    np.testing.assert_array_equal(det.active.numpy(), ref != 0)


@pytest.mark.parametrize(("sig", "snr"), CASES)
def test_mmse_sic_matches_reference(sig, snr):
    out, s, p = _batch(sig, 150, snr, seed=2)
    det = MMSESIC()(out.y, out.h, s, p, out.noise_var)
    g, y, nv = _np(out, s)
    ref = np.array([mmse_sic_one(y[b], g[b], sig.activation, nv[b]) for b in range(150)])
    np.testing.assert_allclose(det.symbols.numpy(), ref, atol=1e-9)


@pytest.mark.parametrize(("sig", "snr"), CASES)
@pytest.mark.parametrize("prior", [True, False])
def test_joint_detector_is_exhaustive_map_ml(sig, snr, prior):
    n_samples = 40 if sig.n_users >= 6 else 120
    out, s, p = _batch(sig, n_samples, snr, seed=3)
    det = JointDetector(prior=prior)(out.y, out.h, s, p, out.noise_var)
    g, y, nv = _np(out, s)
    ref = np.array([joint_one(y[b], g[b], sig.activation, nv[b], prior) for b in range(n_samples)])
    np.testing.assert_allclose(det.symbols.numpy(), ref, atol=1e-9)
    np.testing.assert_array_equal(det.active.numpy(), ref != 0)


@pytest.mark.parametrize(("sig", "snr"), CASES)
def test_posterior_mean_is_the_exhaustive_posterior_mean(sig, snr):
    out, s, p = _batch(sig, 30, snr, seed=4)
    got = posterior_mean(out.h * s, out.y, p, out.noise_var, chunk_elements=5**sig.n_users * 7)
    g, y, nv = _np(out, s)
    ref = np.array([posterior_mean_one(y[b], g[b], sig.activation, nv[b]) for b in range(30)])
    np.testing.assert_allclose(got.numpy(), ref, atol=1e-10)
    # complex64 (the training precision) agrees to single precision
    got32 = posterior_mean(
        (out.h * s).to(torch.complex64),
        out.y.to(torch.complex64),
        p.float(),
        out.noise_var.float(),
    )
    np.testing.assert_allclose(got32.numpy(), ref, atol=2e-4)


def test_posterior_mean_rejects_bad_input():
    g = torch.ones(2, 4, 3, dtype=torch.complex64)
    y = torch.ones(2, 4, dtype=torch.complex64)
    p = torch.tensor([0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="N=8 exceeds 7"):
        posterior_mean(torch.ones(2, 4, 8, dtype=torch.complex64), y, torch.full((8,), 0.5), 1.0)
    with pytest.raises(ValueError, match="g must be a complex tensor"):
        posterior_mean(g.real, y, p, 1.0)
    with pytest.raises(ValueError, match=r"y must be a tensor of shape \(2, 4\)"):
        posterior_mean(g, y[:, :3], p, 1.0)
    with pytest.raises(ValueError, match=r"p: activation probabilities must lie in \(0, 1\]"):
        posterior_mean(g, y, torch.tensor([0.5, 0.0, 0.5]), 1.0)
    with pytest.raises(ValueError, match=r"p must have shape \(3,\)"):
        posterior_mean(g, y, torch.tensor([0.5, 0.5]), 1.0)
    with pytest.raises(ValueError, match="noise_var must be positive and finite"):
        posterior_mean(g, y, p, torch.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match="noise_var must be positive and finite"):
        posterior_mean(g, y, p, float("inf"))
    with pytest.raises(ValueError, match=r"noise_var must be a scalar or have shape \(2,\)"):
        posterior_mean(g, y, p, torch.ones(3))
    with pytest.raises(ValueError, match="at least one channel use"):
        posterior_mean(g[:0], y[:0], p, 1.0)
    with pytest.raises(TypeError, match="chunk_elements"):
        posterior_mean(g, y, p, 1.0, chunk_elements=2.5)
    assert posterior_mean(g, y, p, 0.5).shape == (2, 3)


def test_posterior_mean_gradient_matches_finite_differences():
    sig = random_signatures([0.8, 0.4, 0.6], 2, seed=5)
    out, s, p = _batch(sig, 4, 6.0, seed=6)
    g = (out.h * s).detach().requires_grad_()
    y = out.y.detach().requires_grad_()
    assert torch.autograd.gradcheck(
        lambda g_, y_: posterior_mean(g_, y_, p, out.noise_var), (g, y), atol=1e-6
    )


@pytest.mark.parametrize("name", ["mf", "mmse-sic", "map", "ml"])
def test_complex64_agrees_with_complex128(name):
    # Single precision changes a decision only where the metric is nearly tied.
    sig = wbe(P_ASY, 4)
    rx = get_receiver(name)
    n = 2000 if name in ("map", "ml") else 5000
    agree = []
    for snr in (0.0, 10.0, 20.0):
        out, s, p = _batch(sig, n, snr, seed=4)
        ref = rx(out.y, out.h, s, p, out.noise_var).symbols
        lo = rx(
            out.y.to(torch.complex64),
            out.h.to(torch.complex64),
            s.to(torch.complex64),
            p.float(),
            out.noise_var.float(),
        ).symbols
        same = (lo.to(C128) - ref).abs() < 1e-6
        agree.append(same.all(dim=1).double().mean().item())
    assert min(agree) >= 0.999, agree


def _pinv_ls(g, y, act):
    n = g.shape[1]
    x = np.zeros(n, dtype=complex)
    idx = np.flatnonzero(act)
    if idx.size:
        x[idx] = np.linalg.pinv(g[:, idx]) @ y
    return x


@pytest.mark.parametrize("snr", [0.0, 15.0])
def test_oracle_ls_is_pseudo_inverse(snr):
    sig = wbe(P_ASY, 4)
    out, s, p = _batch(sig, 400, snr, seed=5)
    det = OracleLS()(out.y, out.h, s, p, out.noise_var, active=out.active)
    g, y, _ = _np(out, s)
    a = out.active.numpy()
    ref = np.array([_pinv_ls(g[b], y[b], a[b]) for b in range(400)])
    ref_sym = np.array(
        [[nearest_qpsk(v) if a[b, k] else 0 for k, v in enumerate(ref[b])] for b in range(400)]
    )
    np.testing.assert_allclose(det.symbols.numpy(), ref_sym, atol=1e-12)
    np.testing.assert_array_equal(det.active.numpy(), a)
    n_under = int((a.sum(axis=1) > 4).sum())
    assert n_under > 0  # both branches are exercised
    assert det.info["pinv"] == n_under


def test_oracle_ls_handles_rank_deficient_active_sets():
    # Sparse signatures sharing chips: users 0 and 1 both live on chip 0 alone, so whenever
    # both are active G_Gamma has dependent columns (the normal equations are singular).
    from gfnoma import Signatures

    alphabet = np.zeros((4, 6), dtype=complex)
    alphabet[0, 0] = alphabet[0, 1] = 1
    alphabet[1, 2] = alphabet[2, 3] = alphabet[3, 4] = 2
    alphabet[1, 5] = alphabet[2, 5] = 1j
    sig = Signatures(alphabet, P_ASY, q=2)
    out, s, p = _batch(sig, 400, 10.0, seed=3)
    det = OracleLS()(out.y, out.h, s, p, out.noise_var, active=out.active)
    g, y, _ = _np(out, s)
    a = out.active.numpy()
    assert (a[:, 0] & a[:, 1]).sum() > 0 and (a.sum(axis=1) <= 4).sum() > 0
    ref = np.array([_pinv_ls(g[b], y[b], a[b]) for b in range(400)])
    ref_sym = np.array(
        [[nearest_qpsk(v) if a[b, k] else 0 for k, v in enumerate(ref[b])] for b in range(400)]
    )
    np.testing.assert_allclose(det.symbols.numpy(), ref_sym, atol=1e-12)


@pytest.mark.parametrize("snr", [0.0, 15.0])
def test_oracle_mmse_reference(snr):
    sig = musa_like(P_ASY, 4)
    out, s, p = _batch(sig, 300, snr, seed=6)
    det = OracleMMSE()(out.y, out.h, s, p, out.noise_var, active=out.active)
    g, y, nv = _np(out, s)
    a = out.active.numpy()
    for b in range(300):
        idx = np.flatnonzero(a[b])
        expect = np.zeros(6, dtype=complex)
        if idx.size:
            gi = g[b][:, idx]
            est = np.linalg.solve(gi.conj().T @ gi + nv[b] * np.eye(idx.size), gi.conj().T @ y[b])
            expect[idx] = [nearest_qpsk(v) for v in est]
        np.testing.assert_allclose(det.symbols.numpy()[b], expect, atol=1e-12)
    assert det.info["pinv"] == int((a.sum(axis=1) > 4).sum())


@pytest.mark.parametrize("name", ["mf", "mmse-sic", "oracle-ls", "oracle-mmse", "map", "ml"])
def test_noise_free_orthogonal_recovery(name):
    # Disjoint chip supports stay orthogonal under per-chip fading; at 80 dB every receiver
    # must return the sent symbols exactly (activity included).
    s = np.zeros((6, 3), dtype=complex)
    s[0:2, 0], s[2:4, 1], s[4:6, 2] = 1, 1, 1
    from gfnoma import Signatures

    sig = Signatures(s, [0.5, 0.7, 0.9])
    out, st, p = _batch(sig, 2000, 80.0, seed=7)
    det = get_receiver(name)(out.y, out.h, st, p, out.noise_var, active=out.active)
    assert torch.equal(det.active, out.active)
    torch.testing.assert_close(det.symbols, out.symbols, atol=1e-6, rtol=0)


def test_registry_and_labels():
    for name, cls in [
        ("mf", MatchedFilter),
        ("mmse-sic", MMSESIC),
        ("oracle-ls", OracleLS),
        ("oracle-mmse", OracleMMSE),
        ("map", JointDetector),
        ("ml", JointDetector),
    ]:
        rx = get_receiver(name)
        assert isinstance(rx, cls) and isinstance(rx, Receiver)
    assert get_receiver("ml").prior is False and get_receiver("map").prior is True
    rx = MMSESIC()
    assert get_receiver(rx) is rx
    with pytest.raises(ValueError, match="receiver must be one of"):
        get_receiver("zf")
    with pytest.raises(TypeError, match="receiver must be a name"):
        get_receiver(3)
    with pytest.raises(ValueError, match="interference must be"):
        MatchedFilter("worst")


def test_ml_refuses_too_many_users_before_computing():
    rx = get_receiver("ml")
    with pytest.raises(ValueError, match=r"n_users: .*N=20 exceeds max_users=8"):
        rx.check_size(20, 8)
    h = torch.zeros(1, 8, 20, dtype=torch.complex64)
    with pytest.raises(ValueError, match="n_users"):
        rx(
            torch.zeros(1, 8, dtype=torch.complex64),
            h,
            torch.ones(8, 20, dtype=torch.complex64),
            torch.full((20,), 0.5),
            1.0,
        )
    JointDetector(max_users=9).check_size(9, 4)  # configurable


def test_receiver_input_validation():
    sig = wbe()
    out, s, p = _batch(sig, 4, 0.0, seed=8, dtype=torch.complex64)
    rx = MMSESIC()
    with pytest.raises(ValueError, match=r"y must have shape \(4, 4\)"):
        rx(out.y[:, :3], out.h, s, p, out.noise_var)
    with pytest.raises(ValueError, match=r"h must have shape \(B, H, N\)"):
        rx(out.y, out.h[0], s, p, out.noise_var)
    with pytest.raises(ValueError, match=r"s must have shape \(4, 6\)"):
        rx(out.y, out.h, s[:, :5], p, out.noise_var)
    with pytest.raises(ValueError, match=r"p must have shape \(6,\)"):
        rx(out.y, out.h, s, p[:5], out.noise_var)
    with pytest.raises(ValueError, match=r"p: activation probabilities must lie in \(0, 1\]"):
        rx(out.y, out.h, s, p * 2, out.noise_var)
    with pytest.raises(ValueError, match="noise_var must be a scalar or have shape"):
        rx(out.y, out.h, s, p, out.noise_var[:2])
    with pytest.raises(ValueError, match="noise_var must be positive"):
        rx(out.y, out.h, s, p, 0.0)
    with pytest.raises(TypeError, match="s must be a complex"):
        rx(out.y, out.h, sig, p, out.noise_var)
    with pytest.raises(ValueError, match="active: the oracle-LS receiver needs the true activity"):
        OracleLS()(out.y, out.h, s, p, out.noise_var)
    with pytest.raises(ValueError, match=r"active must have shape \(4, 6\)"):
        OracleMMSE()(out.y, out.h, s, p, out.noise_var, active=out.active[:, :2])


def test_receivers_ignore_signature_scaling():
    # Receivers normalise the signature columns like the channel does.
    sig = wbe()
    out, s, p = _batch(sig, 500, 10.0, seed=9)
    for name in ("mf", "mmse-sic", "map"):
        rx = get_receiver(name)
        a = rx(out.y, out.h, s, p, out.noise_var).symbols
        b = rx(out.y, out.h, 2.5 * s, p, out.noise_var).symbols
        assert torch.equal(a, b)
