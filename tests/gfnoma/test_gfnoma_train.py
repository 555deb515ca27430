"""Training: configuration checks, outputs, determinism, interruption and resume, faults, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

import gfnoma as gf
from gfnoma.cli import main
from gfnoma.train import build_models

TINY = gf.get_config("tiny", max_steps=30)


def _weights(path):
    ck = torch.load(path / "checkpoint.pt", weights_only=True)
    return ck["encoder"], ck["decoder"], ck["optimizer"]


def _same_state(a, b):
    return set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a)


# -- configuration --------------------------------------------------------------------------
def test_presets_and_paper_settings():
    paper = gf.CONFIGS["paper"]
    assert paper.activation == gf.P_ASY and (paper.n_users, paper.length, paper.q) == (6, 4, 2)
    assert paper.hidden == gf.PAPER_SICNN_HIDDEN and paper.batch_size == 100
    assert paper.lr == 1e-3 and paper.encoder_init == "xavier"
    assert paper.train_snr_db == gf.PAPER_TRAIN_SNR_DB == (-5, 0, 5, 10, 15, 20)
    assert paper.fairness and paper.beta_mse == paper.beta_fair == 1.0
    assert gf.get_config("fast").max_seconds == 900.0
    cfg = gf.get_config("tiny", activation="high", q=None)
    assert cfg.activation == gf.P_HIGH and cfg.q is None
    # ours: "fast" plus LMMSE features, uniform encoder initialisation, plain MSE
    ours, fast = gf.get_config("fast-lmmse"), gf.get_config("fast")
    changed = {k for k, v in ours.to_dict().items() if fast.to_dict()[k] != v}
    assert changed == {"features", "encoder_init", "fairness"}
    assert (ours.features, ours.encoder_init, ours.fairness) == ("mmse", "uniform", False)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"n_users": 5}, "activation has 6 entries but n_users=5"),
        ({"fairness_weights": [1, 1, 2]}, "fairness_weights has 3 entries but there are 6"),
        ({"activation": [0.5, 1.5]}, "activation entries must lie in"),
        ({"decoder": "cnn"}, "decoder must be one of"),
        ({"decoder": "fcnn", "features": "mmse"}, "only available for the SICNN"),
        ({"signatures": "golay"}, "signatures must be None or one of"),
        ({"hidden": []}, "hidden must contain"),
        ({"batch_size": 0}, "batch_size must be >= 1"),
        ({"train_snr_db": []}, "train_snr_db must not be empty"),
        ({"lr": -1.0}, "lr must be > 0"),
        ({"colour": "red"}, "unknown config field"),
        ({"fairness": False, "fairness_normalized": True}, "needs fairness=True"),
        ({"decoder": "posterior-mean", "signatures": "wbe"}, "needs a trained encoder"),
        ({"fading": "rician"}, "fading must be one of flat, per-chip"),
        ({"decoder": "posterior-mean", "channel_input": "raw"}, "must be 'effective'"),
        ({"decoder": "posterior-mean", "activation": [0.5] * 8}, "N=8 exceeds 7"),
        ({"correlation_weight": -1.0}, "correlation_weight must be >= 0"),
        ({"correlation_weight": 1.0, "signatures": "wbe"}, "correlation_weight > 0 shapes"),
        ({"correlation_weight": 1.0, "activation": [0.5]}, "at least two users"),
    ],
)
def test_config_errors_name_the_problem(changes, match):
    with pytest.raises((ValueError, TypeError), match=match):
        TINY.replace(**changes)


def test_config_json_round_trip_and_file_errors(tmp_path):
    path = TINY.save(tmp_path / "c.json")
    assert gf.TrainConfig.load(path) == TINY
    assert gf.get_config(str(path)) == TINY
    (tmp_path / "bad.json").write_text('{"length": 4, "n_users": 3}')
    with pytest.raises(ValueError, match=r"bad\.json: activation has 6 entries but n_users=3"):
        gf.TrainConfig.load(tmp_path / "bad.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON"):
        gf.TrainConfig.load(tmp_path / "broken.json")
    with pytest.raises(ValueError, match="config must be one of"):
        gf.get_config("huge")


# -- training runs --------------------------------------------------------------------------
def test_train_writes_outputs_usable_by_the_simulator(tmp_path):
    res = gf.train(TINY, tmp_path, progress=False)
    assert res.status == "max_steps" and res.steps == 30 and res.samples == 30 * 64
    for name in ("checkpoint.pt", "signatures.json", "decoder.pt", "log.csv", "config.json"):
        assert (tmp_path / name).is_file(), name
    sig = gf.Signatures.load(tmp_path / "signatures.json")
    assert sig == res.signatures and sig.q == 2 and sig.activation.tolist() == list(gf.P_ASY)
    assert set(np.unique(sig.alphabet_re)) | set(np.unique(sig.alphabet_im)) <= set(range(-2, 3))
    log = pd.read_csv(tmp_path / "log.csv")
    assert log["step"].tolist() == [0, 10, 20, 30]
    assert {"val_loss", "val_ber_0", "val_ber_20", "cc_weighted", "train_loss"} <= set(log.columns)
    assert gf.TrainConfig.load(tmp_path / "config.json") == TINY
    # the trained decoder is a receiver for simulate_ber, from memory and from the file
    rx = gf.load_receiver(tmp_path / "decoder.pt")
    t = gf.ber_sweep(
        sig,
        [res.receiver, rx, "mmse-sic"],
        [10.0],
        max_samples=500,
        batch_size=500,
        progress=False,
    ).table
    assert t["receiver"].tolist() == ["SICNN", "SICNN", "MMSE-SIC"]
    assert t["ber"].iloc[0] == t["ber"].iloc[1]


def test_training_lowers_the_validation_loss():
    """Gradients reach encoder and decoder: 150 steps lower the loss by a wide margin
    (fixed seed and validation set, so the check is deterministic)."""
    cfg = gf.get_config("tiny", max_steps=150, eval_every=50, lr_encoder=0.05)
    res = gf.train(cfg, progress=False)
    first, last = res.log["val_loss"].iloc[0], res.log["val_loss"].iloc[-1]
    assert last < 0.75 * first
    init = build_models(cfg)[0].export(cfg.activation)
    assert res.signatures != init.with_name(cfg.name)  # the STE moved quantized levels


def test_training_is_deterministic():
    a = gf.train(TINY, progress=False)
    b = gf.train(TINY, progress=False)
    assert a.signatures == b.signatures
    cols = [c for c in a.log.columns if c != "seconds"]
    pd.testing.assert_frame_equal(a.log[cols], b.log[cols])
    c = gf.train(TINY.replace(seed=1), progress=False)
    assert not np.allclose(a.log["val_loss"].iloc[1:], c.log["val_loss"].iloc[1:])


def test_interrupted_run_resumes_bit_for_bit(tmp_path):
    full = gf.train(TINY, tmp_path / "full", progress=False)
    part = gf.train(TINY, tmp_path / "part", progress=False, callback=lambda st: st.step >= 13)
    assert part.status == "callback" and part.steps == 13
    assert torch.load(tmp_path / "part" / "checkpoint.pt", weights_only=True)["step"] == 13
    res = gf.train(TINY, tmp_path / "part", progress=False)
    assert res.steps == 30 and res.status == "max_steps"
    for a, b in zip(_weights(tmp_path / "full")[:2], _weights(tmp_path / "part")[:2], strict=True):
        assert _same_state(a, b)
    assert res.signatures == full.signatures
    cols = [c for c in full.log.columns if c != "seconds"]
    pd.testing.assert_frame_equal(full.log[cols], res.log[cols])


def test_ctrl_c_writes_a_checkpoint_and_the_run_resumes(tmp_path):
    def interrupt(state):
        if state.step == 7:
            raise KeyboardInterrupt

    res = gf.train(TINY, tmp_path, progress=False, callback=interrupt)
    assert res.interrupted and res.steps == 7
    assert (tmp_path / "signatures.json").is_file()  # results so far are kept
    done = gf.train(TINY, tmp_path, progress=False)
    assert done.steps == 30 and done.signatures == gf.train(TINY, progress=False).signatures


def test_more_steps_continue_a_finished_run(tmp_path):
    gf.train(TINY, tmp_path, progress=False)
    res = gf.train(TINY.replace(max_steps=40), tmp_path, progress=False)
    assert res.steps == 40
    assert res.signatures == gf.train(TINY.replace(max_steps=40), progress=False).signatures


def test_early_stopping_on_a_flat_validation_loss():
    # beta_mse = beta_fair = 0: zero loss and zero gradients, so the validation loss never
    # improves after step 0 and training stops after `patience` validations.
    cfg = TINY.replace(beta_mse=0.0, beta_fair=0.0, patience=2, max_steps=1000)
    res = gf.train(cfg, progress=False)
    assert res.status == "early_stopping" and res.steps == 20 and res.best_step == 0


def test_checkpoint_faults_give_clear_errors(tmp_path):
    gf.train(TINY, tmp_path, progress=False)
    ckpt = tmp_path / "checkpoint.pt"
    with pytest.raises(ValueError, match=r"checkpoint from another config \(differs in hidden"):
        gf.train(TINY.replace(hidden=(8,)), tmp_path, progress=False)
    with pytest.raises(ValueError, match="differs in activation"):
        gf.train(TINY.replace(activation=gf.P_LOW), tmp_path, progress=False)
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match=r"checkpoint\.pt: not a readable checkpoint \(corrupt"):
        gf.train(TINY, tmp_path, progress=False)
    ckpt.write_bytes(b"\x00" * 100)
    with pytest.raises(ValueError, match="corrupt or truncated"):
        gf.load_checkpoint(ckpt)
    torch.save({"format": "other"}, ckpt)
    with pytest.raises(ValueError, match="not a gfnoma training checkpoint"):
        gf.load_checkpoint(ckpt)
    # a checkpoint written before a field existed resumes (the field counts as its default)
    gf.train(TINY, tmp_path, progress=False, resume=False)
    old = torch.load(ckpt, weights_only=True)
    for added in ("fairness_normalized", "fading", "correlation_weight"):
        del old["identity"][added]
    torch.save(old, ckpt)
    assert gf.train(TINY.replace(max_steps=40), tmp_path, progress=False).steps == 40
    with pytest.raises(ValueError, match="differs in correlation_weight"):
        gf.train(TINY.replace(correlation_weight=1.0), tmp_path, progress=False)
    with pytest.raises(ValueError, match="differs in fairness_normalized"):
        gf.train(TINY.replace(fairness_normalized=True), tmp_path, progress=False)
    with pytest.raises(ValueError, match="differs in fading"):
        gf.train(TINY.replace(fading="flat"), tmp_path, progress=False)
    old["identity"] = {}
    torch.save(old, ckpt)
    with pytest.raises(ValueError, match="without its configuration"):
        gf.train(TINY, tmp_path, progress=False)
    # resume=False starts afresh over a damaged checkpoint
    res = gf.train(TINY, tmp_path, progress=False, resume=False)
    assert res.steps == 30 and gf.load_checkpoint(ckpt, TINY)["step"] == 30


def test_fixed_signatures_full_precision_and_fcnn_variants(tmp_path):
    res = gf.train(TINY.replace(signatures="wbe", max_steps=10), progress=False)
    assert res.encoder is None and res.signatures == gf.wbe(gf.P_ASY, 4)
    res = gf.train(TINY.replace(q=None, max_steps=10), progress=False)
    assert res.signatures.q is None
    res = gf.train(TINY.replace(decoder="fcnn", hidden=(32,), max_steps=10), progress=False)
    assert res.receiver.label == "FCNN"
    res = gf.train(TINY.replace(features="mmse", fairness=False, max_steps=10), progress=False)
    assert res.steps == 10 and np.isfinite(res.best_val_loss)
    res = gf.train(TINY.replace(fairness_normalized=True, max_steps=10), progress=False)
    assert res.steps == 10 and np.isfinite(res.best_val_loss)


def test_flat_fading_training_trains_and_validates_under_flat_fading(tmp_path, monkeypatch):
    import importlib

    train_module = importlib.import_module("gfnoma.train")
    real_channel, seen = train_module.GrantFreeChannel, []

    def spy(*args, **kwargs):
        seen.append(kwargs.get("fading", "per-chip"))
        return real_channel(*args, **kwargs)

    monkeypatch.setattr(train_module, "GrantFreeChannel", spy)
    flat = gf.train(TINY.replace(fading="flat", max_steps=10), tmp_path, progress=False)
    assert "flat" in seen  # the training channel fades flat
    assert seen == ["flat", "flat"]  # training channel, then the validation set's
    monkeypatch.undo()
    same = gf.train(TINY.replace(max_steps=10), progress=False)
    assert flat.steps == 10 and gf.TrainConfig.load(tmp_path / "config.json").fading == "flat"
    # a different channel: other losses from the same seed
    assert flat.log["val_loss"].iloc[0] != same.log["val_loss"].iloc[0]
    from gfnoma.train import _ValidationSet

    h = _ValidationSet(TINY.replace(fading="flat")).h
    assert torch.equal(h, h[:, :1, :].expand_as(h))


def test_correlation_term_enters_the_loss_and_lowers_cc_weighted(tmp_path):
    base = TINY.replace(lr_encoder=0.05, max_steps=10)
    plain = gf.train(base, progress=False).log
    weighted = gf.train(base.replace(correlation_weight=20.0), tmp_path, progress=False)
    log = weighted.log
    # same seed, same untrained state: the validation loss differs by exactly 20 * CC
    assert log["cc_weighted"].iloc[0] == plain["cc_weighted"].iloc[0]
    gap = log["val_loss"].iloc[0] - plain["val_loss"].iloc[0]
    assert gap == pytest.approx(20.0 * log["cc_weighted"].iloc[0], rel=1e-4)
    # the term pulls the quantized set's CC_weighted down faster than eq. (12) alone
    assert log["cc_weighted"].iloc[-1] < min(plain["cc_weighted"].iloc[-1], log["cc_weighted"][0])
    assert gf.TrainConfig.load(tmp_path / "config.json").correlation_weight == 20.0
    # the training step uses the same term: after one step, the training losses differ by
    # 20 * CC_weighted of the (identical) initial set
    one = TINY.replace(max_steps=1, eval_every=1)
    a = gf.train(one, progress=False).log
    b = gf.train(one.replace(correlation_weight=20.0), progress=False).log
    assert b["train_loss"].iloc[1] - a["train_loss"].iloc[1] == pytest.approx(
        20.0 * a["cc_weighted"].iloc[0], rel=1e-4
    )
    assert gf.cc_weighted(weighted.signatures) == pytest.approx(
        log.loc[log["step"] == weighted.best_step, "cc_weighted"].iloc[0]
    )


def test_encoder_trained_against_the_posterior_mean_decoder(tmp_path):
    cfg = TINY.replace(decoder="posterior-mean", fairness=False, lr=0.05, max_steps=20)
    res = gf.train(cfg, tmp_path, progress=False)
    assert res.decoder_parameters == 0 and res.receiver.label == "Posterior mean"
    # only the encoder learns: its weights moved, the decoder has no state
    enc0, _, _ = build_models(cfg)
    enc_last, dec_last, _ = _weights(tmp_path)
    assert dec_last == {} and not torch.equal(enc_last["weight"], enc0.weight)
    # the validation loss is the summed MSE of eq. (10) of the exact posterior mean
    from gfnoma.train import _ValidationSet

    val = _ValidationSet(cfg)
    s = enc0.signatures().detach()
    z = s.unsqueeze(0) * val.x.unsqueeze(1)
    y = (val.h * z).sum(-1) + torch.sqrt(val.nv)[:, None] * val.w
    x_hat = gf.posterior_mean(val.h * s, y, torch.tensor(cfg.activation), val.nv)
    expected = (x_hat - val.x).abs().square().mean(dim=0).sum()
    assert res.log["val_loss"].iloc[0] == pytest.approx(float(expected), rel=1e-5)
    rx = gf.load_receiver(tmp_path / "decoder.pt")
    assert rx.name == "posterior-mean" and rx.signatures == res.signatures
    t = gf.ber_sweep(
        res.signatures, [rx, "map"], [20.0], max_samples=400, batch_size=400, progress=False
    ).table
    assert t["receiver"].tolist() == ["Posterior mean", "MAP"]
    # resuming a finished run with more steps continues it
    more = gf.train(cfg.replace(max_steps=30), tmp_path, progress=False)
    assert more.steps == 30


def test_files_with_the_earlier_mmse_features_are_refused(tmp_path):
    # features="mmse" meant other inputs before 2026-11-22; such weights must not load silently
    cfg = TINY.replace(features="mmse", fairness=False, max_steps=10)
    gf.train(cfg, tmp_path, progress=False)
    assert gf.load_receiver(tmp_path / "decoder.pt").decoder.features == "mmse"
    dec = torch.load(tmp_path / "decoder.pt", weights_only=True)
    del dec["decoder"]["features_version"]
    torch.save(dec, tmp_path / "decoder.pt")
    with pytest.raises(ValueError, match=r"before 2026-11-22.*retrain"):
        gf.load_receiver(tmp_path / "decoder.pt")
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    del ckpt["features_version"]
    torch.save(ckpt, tmp_path / "checkpoint.pt")
    with pytest.raises(ValueError, match="checkpoint uses features='mmse' as defined before"):
        gf.train(cfg.replace(max_steps=20), tmp_path, progress=False)


# -- command line ---------------------------------------------------------------------------
def test_cli_train_resume_and_errors(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "--config", "tiny", "--out", str(out), "--no-progress", "--max-steps", "20"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "status:      max_steps after 20 steps" in text and "CC_weighted" in text
    assert json.loads((out / "config.json").read_text())["max_steps"] == 20
    assert main([*args[:-1], "25"]) == 0  # resumes and continues to 25 steps
    assert "after 25 steps" in capsys.readouterr().out
    assert main([*args, "--set", "hidden=8"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gfnoma: error: ") and "another config (differs in hidden" in err
    assert main(["train", "--config", "tiny", "--out", str(tmp_path / "x"), "--set", "q=0"]) == 2
    assert "q must be >= 1" in capsys.readouterr().err
    assert main(["train", "--config", "tiny", "--out", str(tmp_path / "y"), "--set", "q"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err
    code = main(
        [
            "train",
            "--config",
            "tiny",
            "--out",
            str(tmp_path / "z"),
            "--no-progress",
            "--max-steps",
            "10",
            "--activation",
            "0.5,0.5",
            "--set",
            "hidden=4,4",
        ]
    )
    assert code == 0
    assert gf.Signatures.load(tmp_path / "z" / "signatures.json").n_users == 2


def test_cli_ber_accepts_a_trained_decoder(tmp_path, capsys):
    run = tmp_path / "run"
    gf.train(gf.get_config("tiny", max_steps=10), run, progress=False)
    out = tmp_path / "ber"
    args = [
        "ber",
        "--signatures",
        str(run / "signatures.json"),
        "--receivers",
        f"mmse-sic,{run / 'decoder.pt'}",
        "--snr",
        "10",
        "--max-samples",
        "500",
        "--batch-size",
        "500",
        "--no-progress",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    table = pd.read_csv(out.with_suffix(".csv"))
    assert table["receiver"].tolist() == ["MMSE-SIC", "SICNN"]
    args[2] = "wbe"  # the decoder was trained for other chip magnitudes
    assert main(args) == 2
    assert "trained with other chip magnitudes" in capsys.readouterr().err
