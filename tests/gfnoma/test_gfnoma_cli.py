"""The gfnoma command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gfnoma import P_ASY, Signatures, cc_weighted, musa_like
from gfnoma.cli import _fix_negative_values, build_parser, main, parse_snr

ROOT = Path(__file__).resolve().parents[2]


def test_issue_command_line_parses():
    argv = _fix_negative_values(
        [
            "ber",
            "--signatures",
            "wbe,musa,qwbe",
            "--receivers",
            "mmse-sic,mf",
            "--snr",
            "-5:20:6",
            "--activation",
            "0.8,0.8,0.8,0.4,0.4,0.4",
        ]
    )
    args = build_parser().parse_args(argv)
    np.testing.assert_array_equal(parse_snr(args.snr), [-5, 0, 5, 10, 15, 20])
    assert args.signatures == "wbe,musa,qwbe" and args.receivers == "mmse-sic,mf"
    np.testing.assert_array_equal(parse_snr("0,2.5,-3"), [0, 2.5, -3])


def test_ber_writes_table_and_plot(tmp_path, capsys):
    out = tmp_path / "res" / "ber"
    code = main(
        [
            "ber",
            "--signatures",
            "wbe,musa,qwbe",
            "--receivers",
            "mmse-sic,mf",
            "--snr",
            "-5:20:6",
            "--activation",
            "0.8,0.8,0.8,0.4,0.4,0.4",
            "--max-samples",
            "1000",
            "--batch-size",
            "1000",
            "--no-progress",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out.with_suffix(".csv"))
    assert len(table) == 3 * 2 * 6
    assert set(table["signatures"]) == {"WBE", "MUSA-like", "QWBE"}
    assert set(table["receiver"]) == {"MMSE-SIC", "MF"}
    assert out.with_suffix(".png").stat().st_size > 1000
    assert "wrote" in capsys.readouterr().out


def test_ber_with_json_file_and_oracle(tmp_path):
    path = musa_like().save(tmp_path / "m.json")
    out = tmp_path / "o"
    code = main(
        [
            "ber",
            "--signatures",
            str(path),
            "--receivers",
            "oracle-ls,map",
            "--snr",
            "10",
            "--max-samples",
            "500",
            "--batch-size",
            "500",
            "--no-progress",
            "--threads",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out.with_suffix(".csv"))
    assert list(table["receiver"]) == ["oracle-LS", "MAP"]
    assert table["pinv_fraction"].notna().tolist() == [True, False]


def test_signatures_make_and_show(tmp_path, capsys):
    path = tmp_path / "w.json"
    assert main(["signatures", "make", "qwbe", "--out", str(path)]) == 0
    sig = Signatures.load(path)
    assert sig.name == "QWBE" and sig.q == 2
    np.testing.assert_array_equal(sig.activation, P_ASY)
    capsys.readouterr()
    assert main(["signatures", "show", str(path)]) == 0
    text = capsys.readouterr().out
    assert "CC_weighted (eq. 29):  0.037728" in text
    assert "weighted Welch bound:  0.028000 (attainable" in text
    assert "+2+0j" in text  # the integer alphabet is printed
    assert main(["signatures", "make", "wbe", "--activation", "high", "--out", str(path)]) == 0
    capsys.readouterr()
    main(["signatures", "show", str(path)])
    assert "continuous" in capsys.readouterr().out


def test_signatures_phases_keeps_magnitudes_and_lowers_cc(tmp_path, capsys):
    src, out = tmp_path / "same.json", tmp_path / "phased.json"
    Signatures(np.full((4, 6), 2 + 1j), P_ASY, q=2, name="same").save(src)
    assert main(["signatures", "phases", str(src), "--out", str(out), "--restarts", "5"]) == 0
    text = capsys.readouterr().out
    assert "CC_weighted 0.352000 ->" in text and "same chip magnitudes" in text
    sig = Signatures.load(out)
    assert sig.name == "same (phases)" and sig.q == 2
    np.testing.assert_array_equal(np.abs(sig.alphabet), np.abs(np.full((4, 6), 2 + 1j)))
    assert cc_weighted(sig) <= 0.0295
    main(["signatures", "make", "wbe", "--out", str(src)])
    assert main(["signatures", "phases", str(src), "--out", str(out)]) == 2
    assert "not a finite-alphabet set" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ber", "--snr", "1:2"], "--snr: expected START:STOP:NUM"),
        (["ber", "--snr", "a,b"], "--snr: expected comma-separated numbers"),
        (["ber", "--activation", "0.8,1.5"], r"--activation entries must lie in \(0, 1\]"),
        (["ber", "--activation", "0,0.5"], r"--activation entries must lie in \(0, 1\]"),
        (["ber", "--receivers", "zf"], "--receivers: receiver must be one of"),
        (["ber", "--signatures", "grassmann"], "--signatures: unknown kind 'grassmann'"),
        (
            ["ber", "--receivers", "ml", "--activation", ",".join(["0.5"] * 20), "--length", "8"],
            r"n_users: .*N=20 exceeds max_users=8",
        ),
        (["ber", "--threads", "0"], "--threads must be >= 1"),
        (["ber", "--length", "0"], "length must be >= 1"),
        (["signatures", "show", "missing.json"], "no such signatures file"),
    ],
)
def test_bad_arguments_one_line_error(argv, message, capsys, tmp_path):
    code = main([*argv, *(["--out", str(tmp_path / "x")] if argv[0] == "ber" else [])])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("gfnoma: error: ") and err.count("\n") == 1
    import re

    assert re.search(message, err), err


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ber", "--bogus"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_module_entry_point_and_no_traceback(tmp_path):
    env_cmd = [sys.executable, "-m", "gfnoma"]
    ok = subprocess.run([*env_cmd, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "ber" in ok.stdout and "signatures" in ok.stdout
    helptext = subprocess.run(
        [*env_cmd, "ber", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    for opt in (
        "--signatures",
        "--receivers",
        "--snr",
        "--activation",
        "--length",
        "--q",
        "--target-errors",
        "--max-samples",
        "--batch-size",
        "--seed",
        "--out",
        "--early-stop",
        "--no-progress",
        "--threads",
    ):
        assert opt in helptext
    bad = subprocess.run(
        [*env_cmd, "ber", "--activation", "0.8,2", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0 and bad.stderr.startswith("gfnoma: error:")
