"""The gfnoma command line."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gfnoma as gf
from gfnoma import P_ASY, SIGNATURE_KINDS, Signatures, cc_weighted, minimum_length, musa_like
from gfnoma.cli import _fix_negative_values, build_parser, main, parse_snr
from scma_alloc._arguments import usable_cpus

ROOT = Path(__file__).resolve().parents[2]


def run(argv, capsys):
    """``main(argv)`` as the console script runs it: (exit status, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err, pattern, command="gfnoma"):
    """One line ``gfnoma: error: ...`` matching ``pattern``; argparse's errors add the help."""
    assert err.startswith("gfnoma: error: ") and err.count("\n") == 1, err
    assert "usage:" not in err and "Traceback" not in err
    assert re.search(pattern, err), err
    if command is not None:
        assert err.endswith(f" (see '{command} --help')\n"), err


def test_issue_command_line_parses():
    argv = _fix_negative_values(
        [
            "ber",
            "--signatures",
            "wbe,musa,qwbe",
            "--receivers",
            "mmse-sic,mf",
            "--snr",
            "-5:20:5",
            "--activation",
            "0.8,0.8,0.8,0.4,0.4,0.4",
        ]
    )
    args = build_parser().parse_args(argv)
    np.testing.assert_array_equal(args.snr, [-5, 0, 5, 10, 15, 20])
    assert args.activation == P_ASY
    assert args.signatures == "wbe,musa,qwbe" and args.receivers == "mmse-sic,mf"
    np.testing.assert_array_equal(parse_snr("0,2.5,-3"), [0, 2.5, -3])
    np.testing.assert_array_equal(build_parser().parse_args(["ber"]).snr, [-5, 0, 5, 10, 15, 20])


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
            "-5:20:5",
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
        (["ber", "--receivers", "zf"], "--receivers: receiver must be one of"),
        (["ber", "--signatures", "grassmann"], "--signatures: unknown kind 'grassmann'"),
        (
            ["ber", "--receivers", "ml", "--activation", ",".join(["0.5"] * 20), "--length", "8"],
            r"--receivers: joint ML detection .*N=20 exceeds the receiver's limit N=8",
        ),
        (["ber", "--receivers", "missing.pt"], "--receivers: no such decoder file: missing.pt"),
        (["signatures", "show", "missing.json"], "SIGNATURES: no such signatures file"),
    ],
)
def test_bad_values_found_by_the_command_one_line_error(argv, message, capsys, tmp_path):
    argv = [*argv, *(["--out", str(tmp_path / "x")] if argv[0] == "ber" else [])]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert_one_line_error(err, message, command=None)


@pytest.mark.parametrize(
    ("argv", "message", "command"),
    [
        (["ber", "--snr", "1:2:0"], r"argument --snr: invalid SNR list '1:2:0': use", "ber"),
        (["ber", "--snr", "a,b"], r"argument --snr: invalid SNR list 'a,b'", "ber"),
        (["ber", "--snr", "20:-5"], r"argument --snr: invalid SNR list '20:-5'", "ber"),
        (["ber", "--activation", "0.8,1.5"], r"argument --activation: expected prob", "ber"),
        (["ber", "--activation", "0,0.5"], r"probabilities in \(0, 1\]", "ber"),
        (["ber", "--threads", "0"], "argument --threads: expected a positive integer", "ber"),
        (["ber", "--length", "0"], "argument --length: expected a positive integer", "ber"),
        (["ber", "--target-errors", "0"], "argument --target-errors: expected a pos", "ber"),
        (["ber", "--max-samples", "x"], "argument --max-samples: expected a pos", "ber"),
        (["ber", "--seed", "-1"], "argument --seed: expected a non-negative integer", "ber"),
        (["ber", "--bogus"], "unrecognized arguments: --bogus", "ber"),
        (["--bogus"], "unrecognized arguments: --bogus", ""),
        (["bogus"], "argument COMMAND: invalid choice: 'bogus'", ""),
        (["signatures", "bogus"], "argument ACTION: invalid choice", "signatures"),
        (["signatures", "show"], "required: SIGNATURES", "signatures show"),
        (
            ["signatures", "show", "wbe", "--q", "0"],
            "argument --q: expected a pos",
            "signatures show",
        ),
        (["signatures", "make", "wbe"], "required: --out", "signatures make"),
        (
            ["signatures", "phases", "x.json", "--out", "y", "--restarts", "0"],
            "--restarts",
            "signatures phases",
        ),
        (["allocate"], "required: --signatures", "allocate"),
        (
            ["allocate", "--signatures", "wbe", "--jobs", "-2"],
            r"argument --jobs: expected a positive integer \(0 or -1: all CPUs\), got -2",
            "allocate",
        ),
        (
            ["allocate", "--signatures", "wbe", "--jobs", "x"],
            "argument --jobs: expected an integer",
            "allocate",
        ),
        (
            ["allocate", "--signatures", "wbe", "--budgets-dbm", "10:3"],
            "argument --budgets-dbm: invalid budget list '10:3'",
            "allocate",
        ),
        (
            ["allocate", "--signatures", "wbe", "--drops", "0"],
            "argument --drops: expected a pos",
            "allocate",
        ),
        (
            ["allocate", "--signatures", "wbe", "--fading", "x"],
            "argument --fading: invalid choice",
            "allocate",
        ),
        (["train"], "required: --out", "train"),
        (
            ["train", "--out", "x", "--max-minutes", "0"],
            "argument --max-minutes: expected a positive number",
            "train",
        ),
        (
            ["train", "--out", "x", "--max-steps", "0"],
            "argument --max-steps: expected a pos",
            "train",
        ),
    ],
)
def test_argument_errors_are_one_line_for_every_parser(argv, message, command, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert_one_line_error(err, message, command=f"gfnoma {command}".strip())


def test_without_a_command_the_help_is_printed(capsys):
    code, out, err = run([], capsys)
    assert code == 0 and err == ""
    assert out.startswith("usage: gfnoma ") and "COMMAND" in out and "allocate" in out
    code, out, err = run(["signatures"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("usage: gfnoma signatures ") and "show" in out and "phases" in out


def test_version_is_one_line(capsys):
    code, out, err = run(["--version"], capsys)
    assert code == 0 and err == ""
    assert out == f"gfnoma (noma-alloc) {metadata.version('noma-alloc')}\n"


# -- signature files ----------------------------------------------------------------------
def _edited_wbe(tmp_path, value):
    d = json.loads(gf.wbe().to_json())
    d["matrix"]["re"][0][2] = value
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(d))
    return path


def test_signature_file_that_is_not_unit_norm_is_refused(tmp_path, capsys):
    # entry 3.0: was printed as a "unit-norm matrix" whose column 2 has norm 3.12
    path = _edited_wbe(tmp_path, 3.0)
    code, out, err = run(["signatures", "show", str(path)], capsys)
    assert code == 2 and out == ""
    assert_one_line_error(
        err, rf"{re.escape(str(path))}: .*column 2 has norm 3\.122499, not 1", command=None
    )
    # entry 1e308: ber used to report BER = 1.0 with exit status 0
    path = _edited_wbe(tmp_path, 1e308)
    argv = ["ber", "--signatures", str(path), "--snr", "10", "--max-samples", "100"]
    code, out, err = run([*argv, "--no-progress", "--out", str(tmp_path / "b")], capsys)
    assert code == 2 and out == ""
    assert_one_line_error(err, r"column 2 has norm 1e\+308, not 1", command=None)
    assert not (tmp_path / "b.csv").exists()
    path = _edited_wbe(tmp_path, float("nan"))
    code, _, err = run(["signatures", "show", str(path)], capsys)
    assert code == 2
    assert_one_line_error(err, r"NaN or infinite entries in column\(s\) \[2\]", command=None)


def test_show_prints_a_unit_norm_matrix_for_a_continuous_file(tmp_path, capsys):
    path = gf.wbe().save(tmp_path / "w.json")
    code, out, _ = run(["signatures", "show", str(path)], capsys)
    assert code == 0 and "unit-norm matrix:" in out and "+0.500+0.000j" in out


# -- --length against each kind -----------------------------------------------------------
def test_ber_length_one_with_musa_is_refused_up_front(tmp_path, capsys):
    argv = ["ber", "--length", "1", "--signatures", "musa", "--out", str(tmp_path / "x")]
    code, _, err = run(argv, capsys)
    assert code == 2  # was: "cannot reshape array of size 0 into shape (0)"
    assert_one_line_error(
        err, r"^gfnoma: error: --length: musa needs --length >= 2 for N=6 users, got 1$", None
    )


@pytest.mark.parametrize("kind", SIGNATURE_KINDS)
@pytest.mark.parametrize("command", ["make", "show", "ber"])
def test_every_kind_refuses_lengths_below_its_minimum(kind, command, tmp_path, capsys):
    activation = ",".join(["0.5"] * 10)
    shortest = minimum_length(kind, 10)
    opts = ["--activation", activation, "--length", str(shortest - 1)]
    argv = {
        "make": ["signatures", "make", kind, *opts, "--out", str(tmp_path / "s.json")],
        "show": ["signatures", "show", kind, *opts],
        "ber": ["ber", "--signatures", kind, *opts, "--out", str(tmp_path / "b")],
    }[command]
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    if shortest == 1:
        assert_one_line_error(err, "argument --length: expected a positive integer, got 0", None)
    else:
        pattern = rf"--length: {kind} needs --length >= {shortest} for N=10 users, got "
        assert_one_line_error(err, pattern, command=None)
    if command == "make":
        argv[argv.index("--length") + 1] = str(shortest)
        code, out, _ = run(argv, capsys)
        assert code == 0 and f"H={shortest}" in out


# -- shared conventions: number lists and ranges, --jobs ----------------------------------
@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("-5:20:5", [-5, 0, 5, 10, 15, 20]),
        ("0:20:5", [0, 5, 10, 15, 20]),
        ("-5:20:6", [-5, 1, 7, 13, 19]),  # STEP, no longer the number of points
        ("3:6", [3, 4, 5, 6]),
        ("10", [10]),
        ("-3,0,2.5", [-3, 0, 2.5]),
    ],
)
def test_snr_is_a_list_or_an_inclusive_range(text, values):
    args = build_parser().parse_args(_fix_negative_values(["ber", "--snr", text]))
    np.testing.assert_allclose(args.snr, values)


def test_allocate_budgets_ranges_and_jobs(monkeypatch, tmp_path, capsys):
    parse = build_parser().parse_args
    args = parse(
        _fix_negative_values(["allocate", "--signatures", "wbe", "--budgets-dbm", "3:10:3"])
    )
    assert args.budgets_dbm == (3.0, 6.0, 9.0) and args.jobs == 1
    args = parse(
        _fix_negative_values(["allocate", "--signatures", "wbe", "--budgets-dbm", "-3:0"])
    )
    assert args.budgets_dbm == (-3.0, -2.0, -1.0, 0.0)
    for jobs in ("0", "-1"):
        assert parse(["allocate", "--signatures", "wbe", "--jobs", jobs]).jobs == usable_cpus()
    assert parse(["allocate", "--signatures", "wbe", "--jobs", "3"]).jobs == 3

    import gfnoma.allocation

    seen = {}

    def fake_study(sets, budgets, drops, algorithms, **kwargs):
        seen.update(budgets=budgets, n_jobs=kwargs["n_jobs"])
        raise ValueError("stop here")

    monkeypatch.setattr(gfnoma.allocation, "allocation_study", fake_study)
    argv = ["allocate", "--signatures", "wbe", "--budgets-dbm", "3:5", "--jobs", "0"]
    code, _, err = run([*argv, "--out", str(tmp_path)], capsys)
    assert code == 2 and "stop here" in err  # before: "n_jobs" named in the error for 0
    assert seen == {"budgets": (3.0, 4.0, 5.0), "n_jobs": usable_cpus()}


# -- show accepts what ber accepts ---------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "extra", "expected"),
    [
        ("wbe", [], "name:        WBE"),
        ("musa-like", ["--length", "2"], "length H:    2"),
        ("qwbe", ["--q", "3", "--activation", "high"], "alphabet:    {-3..3} (Re, Im)"),
        ("random", ["--seed", "4"], "name:        random"),
        ("search", ["--length", "3"], "name:        CC-search"),
        ("pretrained:n6h4-asy", [], "name:        QNN-n6h4-asy"),
    ],
)
def test_show_accepts_the_kinds_ber_accepts(spec, extra, expected, capsys):
    code, out, err = run(["signatures", "show", spec, *extra], capsys)
    assert code == 0 and err == ""
    assert expected in out and "CC_weighted (eq. 29)" in out


def test_show_builds_a_kind_as_ber_does(capsys):
    code, out, _ = run(["signatures", "show", "qwbe", "--q", "3", "--activation", "high"], capsys)
    sig = gf.quantized_wbe(gf.P_HIGH, 4, q=3)
    assert code == 0 and f"CC_weighted (eq. 29):  {cc_weighted(sig):.6f}" in out
    assert "activation:  0.8, 0.8, 0.8, 0.8, 0.8, 0.8" in out


def test_show_file_with_activation_of_the_wrong_size(tmp_path, capsys):
    path = musa_like().save(tmp_path / "m.json")
    code, _, err = run(["signatures", "show", str(path), "--activation", "0.5,0.5"], capsys)
    assert code == 2
    assert_one_line_error(
        err, f"--activation has 2 entries but {re.escape(str(path))} has 6", None
    )


# -- messages name flags, not Python arguments ----------------------------------------------
def test_trained_decoder_refusal_names_the_flag_and_the_flag_works(tmp_path, capsys):
    decoder = gf.SICNN(6, 4, hidden=(8,))
    path = gf.save_decoder(tmp_path / "decoder.pt", decoder, musa_like())
    argv = ["ber", "--signatures", "wbe", "--receivers", str(path), "--snr", "10"]
    argv += ["--max-samples", "100", "--batch-size", "100", "--no-progress"]
    argv += ["--out", str(tmp_path / "b")]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert_one_line_error(
        err,
        r"--receivers .*decoder\.pt with --signatures wbe: the SICNN was trained with other chip "
        r"magnitudes .*; pass --no-check-signatures to use it anyway$",
        command=None,
    )
    assert "check_signatures=False" not in err
    code, out, _ = run([*argv, "--no-check-signatures"], capsys)
    assert code == 0 and "SICNN" in out


def test_train_refusal_names_no_resume(tmp_path, capsys):
    gf.train(gf.get_config("tiny", max_steps=1), tmp_path, progress=False)
    argv = ["train", "--config", "tiny", "--out", str(tmp_path), "--set", "hidden=8"]
    code, _, err = run([*argv, "--no-progress"], capsys)
    assert code == 2
    assert_one_line_error(err, "another config .* or --no-resume to start afresh", command=None)
    assert "resume=False" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--config", "nope"], "--config: must be one of paper, fast"),
        (["train", "--config", "missing.json"], "--config: no such file: missing.json"),
        (
            ["allocate", "--signatures", "wbe", "--algorithms", "bogus"],
            "--algorithms: unknown algorithm 'bogus'",
        ),
        (
            ["allocate", "--signatures", "wbe", "--algorithms", "b0"],
            "--algorithms: 'b0' does not take",
        ),
        (["allocate", "--signatures", "wbe,wbe"], "--signatures: wbe is given twice"),
        (
            ["allocate", "--signatures", "wbe", "--resources", "3"],
            r"--resources: 6 users need --resources >= 4 .*, got 3",
        ),
        (
            ["allocate", "--signatures", "wbe,pretrained:n12h8-asy"],
            "every set needs the same number of users",
        ),
        (
            ["ber", "--receivers", "map", "--activation", ",".join(["0.5"] * 9), "--length", "8"],
            "--receivers: joint MAP",
        ),
    ],
)
def test_messages_name_command_line_options(argv, message, tmp_path, capsys):
    code, _, err = run([*argv, "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert_one_line_error(err, message, command=None)
    python_names = r"n_users|max_users|n_jobs|n_resources|n_per_user|path:|\w+=False|"
    python_names += r"Signatures\.|algorithms:|config must"
    assert not re.search(rf"(?<![-\w])({python_names})", err), err


def test_allocate_tells_apart_sets_that_share_a_name(monkeypatch, tmp_path, capsys):
    a = gf.wbe().with_name("QNN").save(tmp_path / "a.json")
    b = musa_like().with_name("QNN").save(tmp_path / "b.json")
    import gfnoma.allocation

    seen = {}

    def fake_study(sets, *args, **kwargs):
        seen["names"] = [s.name for s in sets]
        raise ValueError("stop here")

    monkeypatch.setattr(gfnoma.allocation, "allocation_study", fake_study)
    code, _, _ = run(
        ["allocate", "--signatures", f"{a},{b}", "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and seen["names"] == [f"QNN ({a})", f"QNN ({b})"]


# -- no pointers outside the repository -----------------------------------------------------
def test_help_texts_and_docstrings_point_inside_the_repository():
    # Pointers go to the paper (sections, equations, figures) or to docs/ pages, never to
    # files outside the repository.
    files = [*(ROOT / "gfnoma").glob("*.py"), *(ROOT / "docs").glob("gfnoma_*.md")]
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}
    stack = [build_parser()]
    while stack:  # every parser's help, as printed
        parser = stack.pop()
        texts[parser.prog] = parser.format_help()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
    assert "gfnoma signatures phases" in texts
    found = [
        (name, pointer)
        for name, text in texts.items()
        for pointer in ("spec §", "spec/", "shared/", "../")
        if pointer in text
    ]
    assert found == []


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


def test_command_lines_in_the_docs_parse():
    import shlex

    commands = []
    for page in (
        "docs/gfnoma_simulator.md",
        "docs/gfnoma_results.md",
        "docs/gfnoma_autoencoder.md",
        "docs/gfnoma_reproduction.md",
        "docs/gfnoma_appendix.md",
        "docs/gfnoma_receivers.md",
    ):
        text = (ROOT / page).read_text(encoding="utf-8").replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("python -m gfnoma "):
                commands.append(shlex.split(line.split("  #")[0])[3:])
    assert len(commands) >= 15
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(_fix_negative_values(argv))
        if args.command == "ber":
            assert args.snr.tolist() == [-5, 0, 5, 10, 15, 20]
