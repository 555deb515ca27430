"""Joint training of the signature set and the SoftSICNN detector."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gfnoma as gf
from gfnoma.cli import main
from gfnoma.models import QNNEncoder


def test_the_encoder_starts_at_the_given_set():
    sig = gf.pretrained_signatures("n6h4-asy")
    encoder = QNNEncoder(sig.n_users, sig.length, q=sig.q, init=sig)
    start = encoder.export(sig.activation)
    np.testing.assert_array_equal(start.alphabet, sig.alphabet)
    s = encoder.signatures().detach().numpy()
    np.testing.assert_allclose(s, sig.matrix, atol=1e-6)


def test_joint_training_moves_the_set_and_is_deterministic():
    sig = gf.pretrained_signatures("n6h4-asy")
    # A large constant step so that a few steps move full-precision weights across
    # quantizer thresholds: the encoder must be among the optimised parameters.
    cfg = gf.DetectorConfig(
        steps=12, batch_size=64, hidden=(8,), lr=0.3, lr_final=0.3, tune_samples=300
    )
    net, learnt, history = gf.train_detector_jointly(sig, cfg)
    net2, learnt2, _ = gf.train_detector_jointly(sig, cfg)
    assert learnt.name == f"{sig.name}+joint"
    assert learnt.q == sig.q and learnt.is_finite_alphabet
    np.testing.assert_array_equal(learnt.activation, sig.activation)
    assert max(np.abs(learnt.alphabet.real).max(), np.abs(learnt.alphabet.imag).max()) <= sig.q
    assert not np.array_equal(learnt.alphabet, sig.alphabet)
    np.testing.assert_array_equal(learnt.alphabet, learnt2.alphabet)
    for a, b in zip(net.state_dict().values(), net2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert history[-1]["step"] == 12 and np.isfinite(history[-1]["loss"])
    # The trained detector works on the learnt set.
    rx = gf.DetectorReceiver(net, learnt, name="joint")
    res = gf.simulate_ber(learnt, rx, 15, max_samples=500, batch_size=500, progress=False)
    assert 0 <= res.table.iloc[0]["ber"] <= 1


def test_joint_training_refuses_continuous_sets():
    with pytest.raises(ValueError, match="finite-alphabet"):
        gf.train_detector_jointly(gf.wbe(), gf.DetectorConfig(steps=1))
    with pytest.raises(TypeError, match="signatures"):
        gf.train_detector_jointly("wbe")


def test_joint_flag_in_the_command_line(tmp_path, capsys):
    out = tmp_path / "j.pt"
    code = main(
        ["train-detector", "--signatures", "pretrained:n6h4-asy", "--joint", "--steps", "2",
         "--set", "batch_size=16", "--set", "hidden=8", "--set", "tune_samples=200",
         "--name", "j", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    rx = gf.load_detector(out)
    assert rx.name == "j" and rx.signatures.name.endswith("+joint")
    assert main(["train-detector", "--joint", "--steps", "2", "--out", str(out)]) == 2
    assert "--joint needs a finite-alphabet" in capsys.readouterr().err
