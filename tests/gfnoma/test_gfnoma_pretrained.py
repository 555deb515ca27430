"""Pretrained QNN signatures (package data) work with every receiver; BER depends on the
signatures only through their chip magnitudes under per-chip fading."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest
import torch

import gfnoma as gf


def sig_name(name: str) -> str:
    return f"QNN-{name}"


EXPECTED = {
    "n6h4-asy": (6, 4, gf.P_ASY),
    "n6h4-high": (6, 4, gf.P_HIGH),
    "n6h4-low": (6, 4, gf.P_LOW),
    "n12h8-asy": (12, 8, (0.8,) * 6 + (0.4,) * 6),
}


def test_every_paper_configuration_is_shipped_with_its_command():
    # ours (fast-lmmse) under the plain names, the paper's recipe (fast) under "-paper", and
    # ours with the correlation term (decision 17) under "n6h4-asy-cc"
    assert set(gf.PRETRAINED) == set(EXPECTED) | {f"{k}-paper" for k in EXPECTED} | {"n6h4-asy-cc"}
    for name, (filename, command) in gf.PRETRAINED.items():
        n, h, p = EXPECTED[name.removesuffix("-paper").removesuffix("-cc")]
        assert ("--set correlation_weight=50" in command) == name.endswith("-cc")
        preset = "fast" if name.endswith("-paper") else "fast-lmmse"
        assert command.startswith(f"python -m gfnoma train --config {preset} --out ")
        assert sig_name(name) == gf.pretrained_signatures(name).name
        sig = gf.pretrained_signatures(name)
        assert (sig.n_users, sig.length, sig.q) == (n, h, 2)
        assert sig.activation.tolist() == list(p)
        assert sig.is_finite_alphabet and np.abs(sig.alphabet_re).max() <= 2
        path = resources.files("gfnoma").joinpath("data", filename)
        assert path.is_file() and len(path.read_bytes()) < 10_000  # keep package data small
        assert gf.Signatures.load(str(path)) == sig
        assert command.startswith("python -m gfnoma train --config fast")
        assert "--max-steps" in command and "max_seconds=null" in command
    # the correlation-term set meets the CC_weighted target (decision 17)
    assert gf.cc_weighted(gf.pretrained_signatures("n6h4-asy-cc")) == pytest.approx(
        0.028574, abs=1e-6
    )
    with pytest.raises(ValueError, match="name must be one of"):
        gf.pretrained_signatures("n6h4")


@pytest.mark.parametrize("receiver", ["mf", "mmse-sic", "oracle-ls", "oracle-mmse", "map", "ml"])
def test_pretrained_signatures_work_with_every_classic_receiver(receiver):
    sig = gf.pretrained_signatures("n6h4-asy")
    res = gf.simulate_ber(
        sig,
        receiver,
        [10.0],
        target_errors=10**6,
        max_samples=2000,
        batch_size=1000,
        progress=False,
    )
    row = res.table.iloc[0]
    assert row["samples"] == 2000 and 0.0 < row["ber"] < 0.6


def test_pretrained_n12_with_the_receivers_that_scale():
    sig = gf.pretrained_signatures("n12h8-asy")
    res = gf.ber_sweep(
        sig,
        ["mf", "mmse-sic", "oracle-mmse"],
        [10.0],
        target_errors=10**6,
        max_samples=1000,
        batch_size=1000,
        progress=False,
    )
    assert res.table["ber"].between(0.0, 0.6).all()


def _ber_and_se(sig, snr, samples, seed):
    t = gf.simulate_ber(
        sig,
        "mmse-sic",
        [snr],
        target_errors=10**9,
        max_samples=samples,
        batch_size=20_000,
        seed=seed,
        progress=False,
    ).table.iloc[0]
    ber = t["ber"]
    # bit errors come in pairs per symbol; a conservative binomial standard error on symbols
    return ber, math.sqrt(ber * (1 - ber) / (t["bits"] / 2))


def test_ber_depends_only_on_chip_magnitudes():
    """|h e^{j phi}| has the law of |h| for h ~ CN(0, 1): every signature set with the chip
    magnitudes of WBE (|s_n(k)|^2 = 1/4) has WBE's BER, whatever its correlations. All six
    users on the *same* sequence (CC_weighted 0.352 vs 0.0367) give the same MMSE-SIC BER
    within the Monte-Carlo error; a set with other magnitudes does not."""
    p = gf.P_ASY
    wbe = gf.wbe(p, 4)
    same = gf.Signatures(np.ones((4, 6)), p, q=1, name="all users identical")
    assert gf.cc_weighted(same) > 9 * gf.cc_weighted(wbe)
    a, sa = _ber_and_se(wbe, 10.0, 40_000, seed=1)
    b, sb = _ber_and_se(same, 10.0, 40_000, seed=2)  # independent samples
    assert abs(a - b) < 4 * math.hypot(sa, sb)
    support = [[1, 0, 1, 0, 1, 0], [1, 0, 0, 1, 0, 1], [0, 1, 1, 0, 0, 1], [0, 1, 0, 1, 1, 0]]
    sparse = gf.Signatures(np.array(support), p, q=1, name="two chips per user")
    c, sc = _ber_and_se(sparse, 10.0, 40_000, seed=3)
    assert abs(a - c) > 8 * math.hypot(sa, sc)


def test_trained_receivers_plug_into_simulate_ber_with_pretrained_style_sets(tmp_path):
    res = gf.train(gf.get_config("tiny", max_steps=10), tmp_path, progress=False)
    t = gf.ber_sweep(
        res.signatures,
        [res.receiver, "mmse-sic", "map"],
        [0.0, 20.0],
        max_samples=1000,
        batch_size=500,
        progress=False,
    ).table
    assert len(t) == 6 and t["ber"].notna().all()
    torch.testing.assert_close(
        torch.tensor(res.signatures.matrix),
        torch.tensor(gf.Signatures.load(tmp_path / "signatures.json").matrix),
    )


def test_autoencoder_doc_examples_run(run_doc_examples):
    """The python blocks of docs/gfnoma_autoencoder.md run, in order."""
    assert run_doc_examples("docs/gfnoma_autoencoder.md") >= 3


class _Captured(Exception):
    """Raised by the stand-in for gfnoma.train.train: the configuration was built."""


def test_regeneration_commands_build_each_shipped_sets_configuration(monkeypatch):
    import shlex

    from gfnoma.cli import main as gfnoma_main

    seen = {}

    def fake_train(config, out, **kwargs):
        seen["config"] = config
        raise _Captured

    import sys

    # gfnoma.train is also the name of the function; patch the module the CLI imports from.
    monkeypatch.setattr(sys.modules["gfnoma.train"], "train", fake_train)
    for name, (_, command) in gf.PRETRAINED.items():
        args = shlex.split(command)
        assert args[:3] == ["python", "-m", "gfnoma"]
        with pytest.raises(_Captured):
            gfnoma_main(args[3:])
        config, sig = seen["config"], gf.pretrained_signatures(name)
        assert (config.n_users, config.length, config.q) == (sig.n_users, sig.length, sig.q)
        assert tuple(config.activation) == tuple(sig.activation)
        assert config.name == sig.name and config.max_seconds is None
        assert config.max_steps == int(args[args.index("--max-steps") + 1])
        assert config.correlation_weight == (50.0 if name.endswith("-cc") else 0.0)
