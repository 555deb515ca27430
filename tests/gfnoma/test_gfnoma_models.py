"""QNN encoder, quantizer, SICNN / FCNN decoders, fairness loss and the neural receiver."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import gfnoma as gf
from gfnoma.models import _as_real

N, H = 6, 4


def _batch(b=32, seed=0, n=N, hh=H):
    g = torch.Generator().manual_seed(seed)
    y = torch.randn(b, hh, dtype=torch.complex64, generator=g)
    h = torch.randn(b, hh, n, dtype=torch.complex64, generator=g)
    return y, h


# -- quantizer (eq. 18, 23) ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("q", "amplitude", "w", "levels"),
    [
        (
            2,
            None,
            [-3.0, -1.6, -1.4, -0.5, -0.2, 0.0, 0.49, 0.5, 1.5, 2.0, 9.0],
            [-2, -2, -1, -1, 0, 0, 0, 1, 2, 2, 2],
        ),
        (1, None, [-2.0, -0.51, -0.49, 0.3, 0.5, 1.0], [-1, -1, 0, 0, 1, 1]),
        (3, None, [-3.6, -2.4, 0.7, 2.6, 3.2], [-3, -2, 1, 3, 3]),
        # A = 1, Q = 2: step 0.5
        (2, 1.0, [-1.5, -0.74, -0.2, 0.26, 0.8, 1.2], [-2, -1, 0, 1, 2, 2]),
    ],
)
def test_threshold_quantizer_levels(q, amplitude, w, levels):
    quant = gf.ThresholdQuantizer(q, amplitude)
    out = quant(torch.tensor(w))
    assert out.tolist() == [float(v) for v in levels]
    assert quant.step == (amplitude or q) / q


def test_threshold_quantizer_clipped_straight_through_gradient():
    quant = gf.ThresholdQuantizer(2, 1.0)  # A = 1, step 0.5
    w = torch.tensor([-1.5, -0.9, 0.1, 0.99, 1.0, 1.01, 3.0], requires_grad=True)
    quant(w).sum().backward()
    # 1/step inside [-A, A], zero outside (clipped STE)
    np.testing.assert_array_equal(w.grad.numpy(), [0, 2, 2, 2, 2, 0, 0])


def test_threshold_quantizer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="q"):
        gf.ThresholdQuantizer(0)
    with pytest.raises(ValueError, match="amplitude"):
        gf.ThresholdQuantizer(2, 0.0)


# -- QNN encoder (eq. 14-25) ------------------------------------------------------------------
def test_encoder_forward_is_eq14_real_form_then_normalisation():
    enc = gf.QNNEncoder(N, H, q=2, init="uniform", generator=torch.Generator().manual_seed(3))
    x = gf.qpsk_map(torch.randint(0, 2, (50, N, 2), generator=torch.Generator().manual_seed(4)))
    z = enc(x)  # (B, H, N)
    w = enc.spreading_weights()  # (N, 2H, 2), eq. (16)
    xr = torch.stack([x.real, x.imag], dim=-1)  # (B, N, 2)
    v = torch.einsum("nij,bnj->bni", w, xr)  # eq. (14): v_n = W_n [xR, xI]
    v_c = torch.complex(v[..., 0::2], v[..., 1::2])  # eq. (25): odd + i even, (B, N, H)
    z_ref = v_c / torch.linalg.vector_norm(v_c, dim=-1, keepdim=True)  # eq. (24)
    torch.testing.assert_close(z, z_ref.transpose(1, 2))
    # eq. (15): v is the interleaved real form of s_n x_n
    s_raw = enc.raw_signatures()  # (H, N)
    torch.testing.assert_close(v_c, (s_raw.unsqueeze(0) * x.unsqueeze(1)).transpose(1, 2))
    # unit energy per active user
    torch.testing.assert_close(
        torch.linalg.vector_norm(z, dim=1), torch.ones(50, N), rtol=1e-5, atol=1e-5
    )


def test_encoder_levels_are_the_integer_alphabet_and_export_round_trips(tmp_path):
    enc = gf.QNNEncoder(N, H, q=2, init="uniform", generator=torch.Generator().manual_seed(0))
    lv = enc.levels().detach().numpy()
    assert set(np.unique(lv)) <= {-2.0, -1.0, 0.0, 1.0, 2.0}
    sig = enc.export(gf.P_ASY, name="QNN")
    assert sig.q == 2 and sig.n_users == N and sig.length == H
    np.testing.assert_array_equal(sig.alphabet_re, lv[..., 0].T)
    np.testing.assert_array_equal(sig.alphabet_im, lv[..., 1].T)
    np.testing.assert_allclose(sig.matrix, enc.signatures().detach().numpy(), atol=1e-6)
    sig.save(tmp_path / "s.json")
    assert gf.Signatures.load(tmp_path / "s.json") == sig


def test_encoder_init_from_signatures_reproduces_the_set():
    for ref, q in ((gf.quantized_wbe(gf.P_ASY, 4, q=2), 2), (gf.musa_like(gf.P_ASY, 4), 1)):
        enc = gf.QNNEncoder(N, H, q=q, init=ref)
        out = enc.export(gf.P_ASY, name=ref.name)
        np.testing.assert_array_equal(out.alphabet, ref.alphabet)


def test_encoder_gradient_reaches_full_precision_weights():
    enc = gf.QNNEncoder(N, H, q=2, init="uniform", generator=torch.Generator().manual_seed(1))
    x = torch.ones(8, N, dtype=torch.complex64)
    z = enc(x)
    (z.real[:, 0, :] - z.imag[:, 1, :]).sum().backward()
    assert enc.weight.grad is not None and bool(enc.weight.grad.abs().sum() > 0)


def test_full_precision_encoder_exports_a_continuous_set():
    enc = gf.QNNEncoder(N, H, q=None, init="xavier", generator=torch.Generator().manual_seed(0))
    sig = enc.export(gf.P_ASY)
    assert sig.q is None and not sig.is_finite_alphabet
    w = enc.weight.detach().numpy()
    raw = w[..., 0].T + 1j * w[..., 1].T
    np.testing.assert_allclose(sig.matrix, raw / np.linalg.norm(raw, axis=0), atol=1e-6)


def test_encoder_never_exports_an_all_zero_signature():
    enc = gf.QNNEncoder(2, 3, q=2, init="xavier")
    with torch.no_grad():
        enc.weight.copy_(
            torch.tensor(
                [[[0.1, -0.3], [0.2, 0.0], [0.0, 0.0]], [[1.2, 0.0], [0.0, 0.0], [0.0, 0.0]]]
            )
        )
    lv = enc.levels()
    # user 0 would quantize to zero: its largest weight (-0.3, imaginary part of chip 0) -> -1
    assert lv[0].tolist() == [[0.0, -1.0], [0.0, 0.0], [0.0, 0.0]]
    assert lv[1].tolist() == [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    assert enc.export([0.5, 0.5]).alphabet[0, 0] == -1j


def test_encoder_rejects_bad_arguments():
    with pytest.raises(ValueError, match="init"):
        gf.QNNEncoder(N, H, init="zeros")
    with pytest.raises(ValueError, match="init"):
        gf.QNNEncoder(N, 8, init=gf.wbe(gf.P_ASY, 4))
    with pytest.raises(ValueError, match="x must have shape"):
        gf.QNNEncoder(N, H)(torch.zeros(3, N + 1, dtype=torch.complex64))


# -- decoders (Fig. 4, eq. 26-28) -------------------------------------------------------------
def test_paper_sizes_and_parameter_counts():
    sic = gf.SICNN(N, H, gf.PAPER_SICNN_HIDDEN)
    assert sic.input_size == 4 * H + 2 * N * H == 64  # Table II: 4H + 2NH
    sizes = (64, 128, 256, 512, 256, 128, 2)
    per_module = sum(a * b + b for a, b in itertools.pairwise(sizes))
    assert gf.count_parameters(sic) == N * per_module == 2_024_460
    fc = gf.FCNN(N, H, gf.PAPER_FCNN_HIDDEN)
    assert fc.input_size == 2 * H + 2 * N * H == 56  # the paper's 28 complex inputs
    assert gf.count_parameters(fc) == 1_417_420
    # the paper's own FCNN count (28 -> ... -> 12, weights only), §IV-C 3
    sizes_fc = (28, 384, 1024, 768, 256, 64, 12)
    assert sum(a * b for a, b in itertools.pairwise(sizes_fc)) == 1_404_160


def test_sicnn_cascade_feeds_each_module_the_residual_of_eq28():
    torch.manual_seed(0)
    dec = gf.SICNN(N, H, (8,), generator=torch.Generator().manual_seed(0))
    s = gf.wbe(gf.P_ASY, H).tensor()
    y, h = _batch()
    seen = []
    hooks = [m.register_forward_pre_hook(lambda _m, a: seen.append(a[0])) for m in dec.mods]
    x_hat = dec(y, h, s)
    for hk in hooks:
        hk.remove()
    assert x_hat.shape == (32, N) and x_hat.dtype == torch.complex64
    g = h * s
    residual = y
    for n in range(N):
        inp = seen[n]
        assert inp.shape == (32, 4 * H + 2 * N * H)
        torch.testing.assert_close(inp[:, : 2 * H], _as_real(residual))  # y_SIC,n-1
        torch.testing.assert_close(inp[:, 2 * H : 4 * H], _as_real(y))  # y
        torch.testing.assert_close(inp[:, 4 * H :], _as_real(g))  # effective channels
        residual = residual - g[:, :, n] * x_hat[:, n : n + 1]  # cancellation


def test_effective_channel_input_sees_signatures_only_through_g():
    """(h e^{-j phi}, s e^{j phi}) gives the same g = h*s: identical decoder output."""
    y, h = _batch(seed=1)
    s = gf.wbe(gf.P_ASY, H).tensor()
    phase = torch.exp(1j * torch.rand(H, N, generator=torch.Generator().manual_seed(2)) * 6.3)
    phase = phase.to(torch.complex64)
    for cls in (gf.SICNN, gf.FCNN):
        eff = cls(N, H, (16,), generator=torch.Generator().manual_seed(0))
        raw = cls(N, H, (16,), channel_input="raw", generator=torch.Generator().manual_seed(0))
        a = eff(y, h, s)
        b = eff(y, h / phase, s * phase)
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
        assert not torch.allclose(raw(y, h, s), raw(y, h / phase, s * phase), atol=1e-3)


def test_sicnn_mmse_features_match_the_lmmse_estimate():
    dec = gf.SICNN(N, H, (8,), features="mmse", generator=torch.Generator().manual_seed(0))
    assert dec.input_size == 4 * H + 2 * N * H + 3 * N
    y, h = _batch(b=16, seed=5)
    s = gf.wbe(gf.P_ASY, H).tensor()
    p = torch.tensor(gf.P_ASY, dtype=torch.float32)
    nv = torch.full((16,), 0.1)
    seen = []
    hook = dec.mods[0].register_forward_pre_hook(lambda _m, a: seen.append(a[0]))
    dec(y, h, s, p, nv)
    hook.remove()
    # first module: LMMSE with the full prior covariance
    g = (h * s).to(torch.complex128)
    cov = (g * p.double()) @ g.mH + 0.1 * torch.eye(H, dtype=torch.complex128)
    w = torch.linalg.solve(cov, g)
    beta = (g.conj() * w).sum(1).real
    est = p.double() * (w.conj() * y.to(torch.complex128).unsqueeze(-1)).sum(1)
    feats = seen[0][:, 4 * H + 2 * N * H :]
    torch.testing.assert_close(feats[:, : 2 * N].double(), _as_real(est), rtol=1e-3, atol=1e-4)
    reliability = p.double() * beta  # p_m g_m^H R^-1 g_m: 1 - MSE / p_m
    torch.testing.assert_close(feats[:, 2 * N :].double(), reliability, rtol=1e-3, atol=1e-4)
    assert float(reliability.min()) >= 0.0 and float(reliability.max()) < 1.0
    with pytest.raises(ValueError, match="noise_var"):
        dec(y, h, s)


def test_sicnn_mmse_features_stay_bounded_when_a_channel_vanishes():
    # The unbiased estimate g^H R^-1 y / beta blew up here (training diverged); ours is bounded.
    dec = gf.SICNN(N, H, (8,), features="mmse", generator=torch.Generator().manual_seed(0))
    y, h = _batch(b=16, seed=6)
    h[:, :, 2] = 0.0  # user 2's effective channel is zero
    s = gf.wbe(gf.P_ASY, H).tensor()
    p = torch.tensor(gf.P_ASY, dtype=torch.float32)
    seen = []
    hook = dec.mods[0].register_forward_pre_hook(lambda _m, a: seen.append(a[0]))
    out = dec(y, h, s, p, torch.full((16,), 1e-3))
    hook.remove()
    feats = seen[0][:, 4 * H + 2 * N * H :]
    assert torch.isfinite(out).all() and torch.isfinite(feats).all()
    assert torch.all(feats[:, 2 * N + 2] == 0.0)  # reliability of the silent channel
    assert torch.all(feats[:, 4:6] == 0.0)  # and its estimate


def test_decoders_reject_bad_shapes_and_options():
    dec = gf.SICNN(N, H, (8,))
    y, h = _batch()
    s = gf.wbe(gf.P_ASY, H).tensor()
    with pytest.raises(ValueError, match="h must have shape"):
        dec(y, h[:, :, :5], s)
    with pytest.raises(ValueError, match="y must have shape"):
        dec(y[:, :3], h, s)
    with pytest.raises(ValueError, match="s must have shape"):
        dec(y, h, s[:, :5])
    with pytest.raises(ValueError, match="features"):
        gf.SICNN(N, H, (8,), features="magic")
    with pytest.raises(ValueError, match="channel_input"):
        gf.FCNN(N, H, (8,), channel_input="both")
    with pytest.raises(TypeError, match="hidden"):
        gf.SICNN(N, H, 8)
    with pytest.raises(ValueError, match="hidden"):
        gf.FCNN(N, H, ())


def test_posterior_mean_decoder_is_the_exact_posterior_mean_without_parameters():
    dec = gf.PosteriorMeanDecoder(N, H)
    assert gf.count_parameters(dec) == 0 and dec.hidden == ()
    y, h = _batch(b=16)
    s = gf.wbe(gf.P_ASY, H).tensor()
    p = torch.tensor(gf.P_ASY)
    nv = torch.full((16,), 0.1)
    expected = gf.posterior_mean(h * s, y, p, nv)
    assert torch.allclose(dec(y, h, s, p, nv), expected)
    with pytest.raises(ValueError, match="p and noise_var are required"):
        dec(y, h, s)
    with pytest.raises(ValueError, match="N=8 exceeds 7"):
        gf.PosteriorMeanDecoder(8, H)
    with pytest.raises(ValueError, match="h must have shape"):
        dec(y, h[:, :, :5], s, p, nv)
    with pytest.raises(ValueError, match="noise_var must be a scalar or have shape"):
        dec(y, h, s, p, nv[:3])
    # as a receiver it is exact for any signature set: no check against its training set
    rx = gf.NeuralReceiver(dec, gf.wbe(gf.P_ASY, H))
    other = gf.musa_like(gf.P_ASY, H)
    det = rx(y, h, other.tensor(), p, nv)
    assert rx.label == "Posterior mean" and det.symbols.shape == (16, N)


# -- loss (eq. 9-12) ----------------------------------------------------------------------------
def test_fairness_loss_matches_eq12_with_the_mean_reference():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(100, 3, dtype=torch.complex64, generator=g)
    x_hat = x + 0.3 * torch.randn(100, 3, dtype=torch.complex64, generator=g)
    lam = [1.0, 1.0, 2.0]
    loss, mse = gf.FairnessMSELoss(lam, beta_mse=0.7, beta_fair=1.3)(x_hat, x)
    ref_mse = (x_hat - x).abs().square().mean(0).double()
    ref = (
        0.7 * ref_mse.sum()
        + 1.3 * (torch.tensor(lam, dtype=torch.float64) * (ref_mse - ref_mse.mean()).abs()).sum()
    )
    torch.testing.assert_close(mse.double(), ref_mse, rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(loss.double(), ref, rtol=1e-5, atol=1e-7)
    # the same loss from given per-user MSEs (what the Bayes-objective benchmark uses)
    from_mse = gf.FairnessMSELoss(lam, beta_mse=0.7, beta_fair=1.3).from_mse(ref_mse.float())
    torch.testing.assert_close(from_mse.double(), ref, rtol=1e-5, atol=1e-7)
    plain, _ = gf.FairnessMSELoss(lam, fairness=False)(x_hat, x)
    torch.testing.assert_close(plain.double(), ref_mse.sum(), rtol=1e-5, atol=1e-7)


def test_normalized_fairness_takes_the_gap_on_mse_over_activity():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(200, 3, dtype=torch.complex64, generator=g)
    x_hat = x + 0.4 * torch.randn(200, 3, dtype=torch.complex64, generator=g)
    lam, p = [1.0, 1.0, 2.0], [0.8, 0.8, 0.4]
    loss, _ = gf.FairnessMSELoss(lam, normalize=p)(x_hat, x)
    ref_mse = (x_hat - x).abs().square().mean(0).double()
    e = ref_mse / torch.tensor(p, dtype=torch.float64)
    ref = ref_mse.sum() + (torch.tensor(lam, dtype=torch.float64) * (e - e.mean()).abs()).sum()
    torch.testing.assert_close(loss.double(), ref, rtol=1e-5, atol=1e-7)
    # The all-silent guess: MSE_n = p_n, so the raw gap is non-zero but the normalised one is 0.
    silent = torch.zeros(4, 3, dtype=torch.complex64)
    x4 = torch.tensor([[1, 1, 1], [1, 1, 0], [1, 1, 0], [1, 1, 0]], dtype=torch.complex64)
    raw_loss, m = gf.FairnessMSELoss(lam)(silent, x4)
    norm_loss, _ = gf.FairnessMSELoss(lam, normalize=[1.0, 1.0, 0.25])(silent, x4)
    assert m.tolist() == [1.0, 1.0, 0.25]
    assert float(norm_loss) == pytest.approx(2.25) and float(raw_loss) > 2.25 + 0.5
    with pytest.raises(ValueError, match="normalize"):
        gf.FairnessMSELoss(lam, normalize=[0.5, 0.5])


def test_fairness_weights_reproduce_the_paper_and_loss_validates():
    assert gf.fairness_weights(gf.P_ASY).tolist() == [1, 1, 1, 2, 2, 2]
    assert gf.fairness_weights(gf.P_HIGH).tolist() == [1.0] * 6
    with pytest.raises(ValueError, match="weights"):
        gf.FairnessMSELoss([1.0, -1.0])
    with pytest.raises(ValueError, match="shape"):
        gf.FairnessMSELoss([1.0, 1.0])(
            torch.zeros(4, 3, dtype=torch.complex64), torch.zeros(4, 3, dtype=torch.complex64)
        )


def test_correlation_penalty_is_cc_weighted_with_gradients():
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(4, 6)) + 1j * rng.normal(size=(4, 6))
    p = np.array([0.9, 0.5, 0.5, 0.2, 0.2, 0.1])
    # eq. (29) by hand: squared normalised correlations, i != j, weighted by p_i p_j
    u = raw / np.linalg.norm(raw, axis=0)
    by_hand = (
        sum(
            p[i] * p[j] * abs(np.vdot(u[:, i], u[:, j])) ** 2
            for i in range(6)
            for j in range(6)
            if i != j
        )
        / 30
    )
    s = torch.tensor(raw, dtype=torch.complex128, requires_grad=True)
    value = gf.correlation_penalty(s, p)
    assert value.item() == pytest.approx(by_hand, rel=1e-12)
    assert value.item() == pytest.approx(gf.cc_weighted(raw, p), rel=1e-12)
    assert gf.correlation_penalty(s, torch.tensor(p)).item() == pytest.approx(by_hand)
    # scale-invariant per column, and differentiable (gradcheck in float64)
    scaled = gf.correlation_penalty(s.detach() * torch.tensor([1, 2, 3, 4, 5, 6.0]), p)
    assert float(scaled) == pytest.approx(by_hand, rel=1e-12)
    assert torch.autograd.gradcheck(lambda x: gf.correlation_penalty(x, p), (s,))
    # the WBE set of Table III and the quantized set of a QNN encoder
    assert float(gf.correlation_penalty(gf.wbe().tensor(), gf.P_ASY)) == pytest.approx(
        0.036667, abs=1e-6
    )
    enc = gf.QNNEncoder(6, 4, q=2, init="uniform", generator=torch.Generator().manual_seed(0))
    exported = enc.export(gf.P_ASY)
    assert gf.correlation_penalty(enc.signatures(), gf.P_ASY).item() == pytest.approx(
        gf.cc_weighted(exported), rel=1e-5
    )
    # real input keeps its precision; scales that overflow or underflow give clear errors
    real64 = torch.tensor(raw.real)
    assert gf.correlation_penalty(real64, p).dtype == torch.float64
    assert gf.correlation_penalty(real64, p).item() == pytest.approx(gf.cc_weighted(raw.real, p))
    single = s.detach().to(torch.complex64)
    for scale in (1e8, 1e-8):
        assert gf.correlation_penalty(single * scale, p).item() == pytest.approx(by_hand, rel=1e-5)
    with pytest.raises(ValueError, match="overflows"):
        gf.correlation_penalty(single * 1e15, p)
    with pytest.raises(ValueError, match="underflowing"):
        gf.correlation_penalty(single * 1e-25, p)
    with pytest.raises(TypeError, match=r"torch\.Tensor, got ndarray"):
        gf.correlation_penalty(raw, p)
    with pytest.raises(TypeError, match="got shape"):
        gf.correlation_penalty(s[0], p)
    with pytest.raises(TypeError, match="activation must be real"):
        gf.correlation_penalty(s, torch.tensor(p, dtype=torch.complex64))
    with pytest.raises(ValueError, match="NaN or infinite"):
        gf.correlation_penalty(torch.full((4, 6), float("nan")), p)
    with pytest.raises(ValueError, match="at least two users"):
        gf.correlation_penalty(s[:, :1], p[:1])
    with pytest.raises(ValueError, match="activation"):
        gf.correlation_penalty(s, p[:5])
    with pytest.raises(ValueError, match="zero"):
        gf.correlation_penalty(torch.zeros(4, 6, dtype=torch.complex64), p)


# -- neural receiver ----------------------------------------------------------------------------
class _Fixed(gf.FCNN):
    """An FCNN whose output is fixed (to test the decision rule)."""

    def __init__(self, out):
        super().__init__(2, 2, (4,))
        self.out = out

    def forward(self, y, h, s, p=None, noise_var=None):
        return self.out.expand(y.shape[0], -1)


def test_neural_receiver_decision_rule():
    out = torch.tensor([[0.45 + 0.1j, -0.6 + 0.2j]], dtype=torch.complex64)
    sig = gf.Signatures([[1, 1], [1, -1]], activation=[0.5, 0.5], q=1)
    rx = gf.NeuralReceiver(_Fixed(out), sig)
    y, h = _batch(b=3, n=2, hh=2)
    det = rx(y, h, sig.tensor(), sig.activation_tensor(), 0.1)
    # |0.45+0.1j| = 0.461 < 1/2: inactive; |-0.6+0.2j| = 0.632: active, quadrant (-, +)
    assert det.active.tolist() == [[False, True]] * 3
    s = 2**-0.5
    np.testing.assert_allclose(det.symbols[0].numpy(), [0j, complex(-s, s)], rtol=1e-6)
    assert gf.NeuralReceiver(_Fixed(out), sig, threshold=0.4)(
        y, h, sig.tensor(), sig.activation_tensor(), 0.1
    ).active.all()


def test_neural_receiver_checks_signatures_and_sizes():
    sig = gf.wbe(gf.P_ASY, H)
    rx = gf.NeuralReceiver(gf.SICNN(N, H, (8,)), sig)
    y, h = _batch(b=4)
    rotated = sig.tensor() * torch.exp(1j * torch.arange(H * N).reshape(H, N) * 0.7).to(
        torch.complex64
    )
    rx(y, h, rotated, sig.activation_tensor(), 0.1)  # same chip magnitudes: accepted
    with pytest.raises(ValueError, match="chip magnitudes"):
        rx(y, h, gf.musa_like(gf.P_ASY, H).tensor(), sig.activation_tensor(), 0.1)
    raw = gf.NeuralReceiver(gf.SICNN(N, H, (8,), channel_input="raw"), sig)
    with pytest.raises(ValueError, match="other signatures"):
        raw(y, h, rotated, sig.activation_tensor(), 0.1)
    with pytest.raises(ValueError, match="trained for N=6"):
        rx.check_size(12, 8)
    with pytest.raises(ValueError, match="do not match"):
        gf.NeuralReceiver(gf.SICNN(N, H, (8,)), gf.wbe(gf.P_ASY, 8))
    with pytest.raises(ValueError, match="trained for"):
        gf.simulate_ber(gf.wbe([0.5] * 12, 8), rx, [10.0], max_samples=10, progress=False)


def test_neural_receiver_in_simulate_ber_and_decoder_files(tmp_path):
    sig = gf.wbe(gf.P_ASY, H)
    dec = gf.SICNN(N, H, (8,), generator=torch.Generator().manual_seed(0))
    rx = gf.NeuralReceiver(dec, sig)
    res = gf.simulate_ber(
        sig,
        rx,
        [0.0, 20.0],
        max_samples=2000,
        batch_size=1000,
        target_errors=10**6,
        progress=False,
    )
    assert res.table["receiver"].tolist() == ["SICNN", "SICNN"]
    assert (res.table["samples"] == 2000).all() and res.table["ber"].between(0, 1).all()
    path = gf.save_decoder(tmp_path / "dec.pt", dec, sig)
    rx2 = gf.load_receiver(path)
    y, h = _batch(b=64)
    d1 = rx(y, h, sig.tensor(), sig.activation_tensor(), 0.05)
    d2 = rx2(y, h, sig.tensor(), sig.activation_tensor(), 0.05)
    assert torch.equal(d1.symbols, d2.symbols) and rx2.signatures == sig
    # damaged files: clear errors naming the file
    (tmp_path / "junk.pt").write_bytes(b"not a torch file at all")
    with pytest.raises(ValueError, match=r"junk\.pt.*corrupt or truncated"):
        gf.load_receiver(tmp_path / "junk.pt")
    data = path.read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.pt.*corrupt or truncated"):
        gf.load_receiver(tmp_path / "cut.pt")
    torch.save({"format": "something else"}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a gfnoma decoder file"):
        gf.load_receiver(tmp_path / "other.pt")
    with pytest.raises(ValueError, match="no such decoder file"):
        gf.load_receiver(tmp_path / "missing.pt")
