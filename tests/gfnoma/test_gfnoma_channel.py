"""The channel modules: statistics (with binomial / CLT tolerances), seeding, gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gfnoma import (
    AWGN,
    P_ASY,
    BernoulliActivation,
    GrantFreeChannel,
    LinearSpreading,
    RayleighChipFading,
    noise_variance,
    qpsk_demap,
    qpsk_map,
    wbe,
)

SIGMAS = 5.0  # tolerance in standard errors


def test_qpsk_gray_mapping_and_demap():
    bits = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
    x = qpsk_map(bits)
    s = 1 / math.sqrt(2)
    expected = torch.tensor([s + 1j * s, s - 1j * s, -s + 1j * s, -s - 1j * s])
    torch.testing.assert_close(x, expected.to(torch.complex64))
    torch.testing.assert_close(x.abs(), torch.ones(4))
    torch.testing.assert_close(qpsk_demap(x), bits)
    with pytest.raises(ValueError, match="last dimension of 2"):
        qpsk_map(torch.zeros(3, 3))


def test_activation_frequencies_are_binomial():
    act = BernoulliActivation(P_ASY)
    g = torch.Generator().manual_seed(0)
    n = 200_000
    a = act(n, g).double().mean(dim=0).numpy()
    p = np.array(P_ASY)
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(a - p) < SIGMAS * se), (a, p)


def test_fading_statistics():
    fad = RayleighChipFading(6, 4)
    g = torch.Generator().manual_seed(1)
    h = fad(50_000, g).to(torch.complex128)
    assert h.shape == (50_000, 4, 6)
    power = h.abs().square().numpy().ravel()  # Exp(1): mean 1, variance 1
    assert abs(power.mean() - 1.0) < SIGMAS / math.sqrt(power.size)
    assert abs(h.mean().abs().item()) < SIGMAS / math.sqrt(power.size)
    # independent real and imaginary parts of variance 1/2 each
    assert abs(h.real.var().item() - 0.5) < SIGMAS * math.sqrt(0.5 / power.size)
    # users and chips uncorrelated
    corr = (h[:, 0, 0] * h[:, 1, 0].conj()).mean().abs().item()
    assert corr < SIGMAS / math.sqrt(h.shape[0])


def test_flat_fading_is_one_rayleigh_coefficient_per_user_and_use():
    g = torch.Generator().manual_seed(2)
    h = RayleighChipFading(6, 4, model="flat")(50_000, g).to(torch.complex128)
    assert h.shape == (50_000, 4, 6)
    assert torch.equal(h, h[:, :1, :].expand_as(h))  # the same on every chip
    power = h[:, 0, :].abs().square().numpy().ravel()
    assert abs(power.mean() - 1.0) < SIGMAS / math.sqrt(power.size)
    corr = (h[:, 0, 0] * h[:, 0, 1].conj()).mean().abs().item()  # users independent
    assert corr < SIGMAS / math.sqrt(h.shape[0])
    # the default stays the paper's per-chip fading, drawn exactly as before the option
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    expected = torch.randn(10, 4, 6, dtype=torch.complex64, generator=g2)
    assert torch.equal(RayleighChipFading(6, 4)(10, g1), expected)
    ch = GrantFreeChannel([0.5] * 6, 4, seed=0, fading="flat")
    out = ch(torch.ones(4, 6, dtype=torch.complex64) / 2, 8, 10.0)
    assert torch.equal(out.h, out.h[:, :1, :].expand_as(out.h))
    with pytest.raises(ValueError, match="fading must be one of flat, per-chip"):
        GrantFreeChannel([0.5], 4, fading="rician")
    with pytest.raises(ValueError, match="model must be one of flat, per-chip"):
        RayleighChipFading(6, 4, model="block")


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 13.0])
def test_noise_variance_matches_es_n0(snr_db):
    ch = GrantFreeChannel([1.0, 1.0], 4, seed=2, dtype=torch.complex128)
    z = torch.zeros(40_000, 4, 2, dtype=torch.complex128)  # nobody transmits: y = w
    y, _, nv = ch.propagate(z, snr_db)
    sigma2 = 10 ** (-snr_db / 10)
    assert torch.allclose(nv, torch.full_like(nv, sigma2))
    est = y.abs().square().mean().item()
    assert abs(est / sigma2 - 1) < SIGMAS / math.sqrt(y.numel())


def test_received_energy_per_user_is_one():
    # One always-active user, unit-norm signature: E||diag(h) s x||^2 = 1 (Es/N0 = 1/sigma^2).
    sig = wbe([1.0], 4)
    ch = GrantFreeChannel(sig.activation, 4, seed=3, dtype=torch.complex128)
    out = ch(sig.tensor(torch.complex128), 50_000, 200.0)  # negligible noise
    e = out.y.abs().square().sum(dim=1).numpy()  # = sum_k |h_k|^2 / 4: Gamma(4, 1/4), var 1/4
    assert abs(e.mean() - 1.0) < SIGMAS * math.sqrt(0.25 / e.size)


def test_channel_sample_consistency():
    sig = wbe()
    ch = GrantFreeChannel(sig.activation, sig.length, seed=4)
    out = ch(sig, 1000, 10.0)
    assert out.bits.shape == (1000, 6, 2) and out.active.shape == (1000, 6)
    assert torch.all(out.symbols[~out.active] == 0)
    torch.testing.assert_close(out.symbols[out.active], qpsk_map(out.bits)[out.active])
    # y - sum_n h_n s_n x_n is the noise; it has the right power
    s = sig.tensor()
    clean = (out.h * s * out.symbols.unsqueeze(1)).sum(-1)
    w = out.y - clean
    assert abs(w.abs().square().mean().item() / 0.1 - 1) < SIGMAS / math.sqrt(w.numel())


def test_seeded_determinism_and_reset():
    sig = wbe()
    a = GrantFreeChannel(sig.activation, 4, seed=11)(sig.tensor(), 64, 5.0)
    b = GrantFreeChannel(sig.activation, 4, seed=11)(sig.tensor(), 64, 5.0)
    c = GrantFreeChannel(sig.activation, 4, seed=12)(sig.tensor(), 64, 5.0)
    for f in ("bits", "active", "h", "y"):
        assert torch.equal(getattr(a, f), getattr(b, f))
    assert not torch.equal(a.y, c.y)
    ch = GrantFreeChannel(sig.activation, 4, seed=11)
    first = ch(sig.tensor(), 64, 5.0).y
    second = ch(sig.tensor(), 64, 5.0).y
    assert not torch.equal(first, second)
    ch.reset(11)
    assert torch.equal(ch(sig.tensor(), 64, 5.0).y, first)


def test_per_sample_snr():
    ch = GrantFreeChannel([0.5, 0.5], 2, seed=0)
    snr = torch.tensor([0.0, 10.0, 20.0])
    _, _, nv = ch.propagate(torch.zeros(3, 2, 2, dtype=torch.complex64), snr)
    torch.testing.assert_close(nv, torch.tensor([1.0, 0.1, 0.01]))
    with pytest.raises(ValueError, match="snr_db must be a scalar or have shape"):
        ch.propagate(torch.zeros(3, 2, 2, dtype=torch.complex64), torch.zeros(4))
    torch.testing.assert_close(noise_variance(torch.tensor([3.0])), torch.tensor([10**-0.3]))


def test_gradient_flows_to_signatures():
    # The channel is differentiable w.r.t. the signatures (for training the encoder).
    sig = wbe()
    s = sig.tensor().clone().requires_grad_(True)
    ch = GrantFreeChannel(sig.activation, 4, seed=5)
    out = ch(s, 256, 10.0)
    loss = out.y.abs().square().sum()
    loss.backward()
    assert s.grad is not None and torch.isfinite(s.grad).all() and s.grad.abs().sum() > 0
    # normalisation in LinearSpreading: scaling s changes nothing
    z1 = LinearSpreading()(out.symbols, s.detach())
    z2 = LinearSpreading()(out.symbols, 3.0 * s.detach())
    torch.testing.assert_close(z1, z2)


def test_awgn_module_shapes():
    y = torch.zeros(5, 3, dtype=torch.complex64)
    g = torch.Generator().manual_seed(0)
    out = AWGN()(y, torch.full((5,), 0.5), g)
    assert out.shape == (5, 3)


def test_channel_validation():
    with pytest.raises(ValueError, match=r"activation entries must lie in \(0, 1\]"):
        GrantFreeChannel([0.5, 1.5], 4)
    with pytest.raises(ValueError, match="length must be >= 1"):
        GrantFreeChannel([0.5], 0)
    with pytest.raises(TypeError, match="dtype"):
        GrantFreeChannel([0.5], 4, dtype=torch.float32)
    ch = GrantFreeChannel([0.5, 0.5], 4, seed=0)
    with pytest.raises(ValueError, match=r"signatures must have shape \(4, 2\)"):
        ch(torch.ones(4, 3, dtype=torch.complex64), 8, 0.0)
    with pytest.raises(TypeError, match="signatures must be a Signatures object"):
        ch(np.ones((4, 2)), 8, 0.0)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        ch(torch.ones(4, 2, dtype=torch.complex64), 0, 0.0)
    with pytest.raises(ValueError, match="snr_db must be finite"):
        ch(torch.ones(4, 2, dtype=torch.complex64), 8, float("nan"))
    with pytest.raises(ValueError, match=r"z must have shape \(B, 4, 2\)"):
        ch.propagate(torch.zeros(8, 3, 2, dtype=torch.complex64), 0.0)
