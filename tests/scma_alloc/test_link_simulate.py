"""SNR conventions, labelling, channels and the Monte-Carlo BER."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from scma_alloc.link import (
    BERResult,
    bits_to_indices,
    ebno_to_esno,
    esno_to_noise_var,
    load_codebook,
    make_mc_fun,
    point_seed,
    simulate_ber,
    transmit,
)


def test_snr_conventions():
    cb = load_codebook("CS1")
    assert ebno_to_esno(0.0, cb) == pytest.approx(10 * math.log10(3))
    assert ebno_to_esno(10.0, cb) - 10.0 == pytest.approx(4.771, abs=1e-3)
    assert esno_to_noise_var(10.0) == pytest.approx(0.1)
    np.testing.assert_allclose(ebno_to_esno([0, 1], cb), [4.7712, 5.7712], atol=1e-4)


def test_labelling_is_natural_binary_lsb_first():
    bits = torch.tensor([[0, 0], [1, 0], [0, 1], [1, 1]])
    np.testing.assert_array_equal(bits_to_indices(bits).numpy(), [0, 1, 2, 3])


@pytest.mark.parametrize("fading", ["none", "rayleigh"])
def test_signal_and_noise_powers(fading):
    # Superposed signal: unit mean power per resource element; noise: N0 per element.
    cb = load_codebook("CS1")
    table = torch.as_tensor(np.array(cb.codewords), dtype=torch.complex64)
    g = torch.Generator().manual_seed(0)
    indices = torch.randint(0, 4, (200_000, 6), generator=g)
    silent, _ = transmit(table * 0, indices, 0.25, g, fading=fading)
    assert silent.abs().pow(2).mean().item() == pytest.approx(0.25, rel=0.02)
    y, h = transmit(table, indices, 1e-12, g, fading=fading)
    assert y.abs().pow(2).mean().item() == pytest.approx(1.0, rel=0.02)
    if fading == "rayleigh":
        assert h.shape == (200_000, 4, 6)
        assert h.abs().pow(2).mean().item() == pytest.approx(1.0, rel=0.01)
    else:
        assert h is None


def test_cs1_awgn_against_the_published_curve():
    # AFF3CT's uncoded CS1 AWGN reference (6 iterations, matched detector): 6.25e-2 at
    # Eb/N0 4 dB. 300 errors: about 6 % standard error.
    result = simulate_ber("CS1", 4.0, target_errors=3000, max_blocks=200_000, seed=3)
    assert result.ber[0] == pytest.approx(6.25e-2, rel=0.1)
    assert result.status == ["target_errors"]


def test_result_counts_and_table():
    r = simulate_ber("CS2", [2.0, 30.0], target_errors=50, max_blocks=3000, batch_size=1000)
    assert isinstance(r, BERResult)
    assert r.blocks[1] == 3000 and r.status[1] == "max_blocks"
    assert r.bits[1] == 3000 * 12
    assert r.ber[0] == r.bit_errors[0] / r.bits[0]
    assert r.status[0] == "target_errors" and r.bit_errors[0] >= 50
    table = r.table()
    assert list(table["ebno_db"]) == [2.0, 30.0] and "bler" in table
    assert "Eb/N0" in repr(r)


def test_seeded_and_paired():
    kwargs = {"target_errors": 100, "max_blocks": 4000, "batch_size": 2000}
    a = simulate_ber("CS1", [3.0, 6.0], seed=5, **kwargs)
    b = simulate_ber("CS1", [6.0], seed=5, **kwargs)
    assert a.bit_errors[1] == b.bit_errors[0]  # a point depends on its own seed only
    assert point_seed(5, 6.0) != point_seed(5, 6.001)


def test_mc_fun_form():
    mc_fun = make_mc_fun("CS1", channel="rayleigh", iterations=4, seed=2)
    bits, bits_hat = mc_fun(500, 10.0)
    assert bits.shape == bits_hat.shape == (500, 6, 2)
    ber = (bits != bits_hat).double().mean().item()
    assert 0.005 < ber < 0.06  # AFF3CT: 2.1e-2 at 10 dB
    again, _ = mc_fun(500, 10.0)
    assert not torch.equal(bits, again)  # one generator, new samples each call


def test_interruption_keeps_finished_points(monkeypatch):
    from scma_alloc.link import _simulate

    calls = {"n": 0}
    original = _simulate._Link.run

    def run(self, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(_simulate._Link, "run", run)
    r = simulate_ber("CS1", [0.0, 20.0, 25.0], target_errors=10, batch_size=1000)
    assert r.interrupted
    assert r.status == ["target_errors", "interrupted", "skipped"]
    assert r.blocks[0] > 0 and np.isnan(r.ber[2])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"channel": "rician"}, ValueError, "channel"),
        ({"detector": "mpa"}, ValueError, "detector"),
        ({"iterations": 0}, ValueError, "iterations"),
        ({"target_errors": 1.5}, TypeError, "target_errors"),
        ({"max_blocks": 0}, ValueError, "max_blocks"),
        ({"seed": -1}, ValueError, "seed"),
        ({"detector_noise_factor": 0}, ValueError, "detector_noise_factor"),
    ],
)
def test_bad_arguments_before_any_work(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_ber("CS1", [1.0], **kwargs)


def test_bad_snr_and_codebook():
    with pytest.raises(TypeError, match="ebno_db"):
        simulate_ber("CS1", "10")
    with pytest.raises(ValueError, match="ebno_db"):
        simulate_ber("CS1", [float("nan")])
    with pytest.raises(ValueError, match="ebno_db"):
        simulate_ber("CS1", [500.0])
    with pytest.raises(ValueError, match="CS0"):
        simulate_ber("CS0", [1.0])
