"""The ``ber`` and ``link`` commands of ``scma-alloc``."""

from __future__ import annotations

import pandas as pd
import pytest

from scma_alloc._cli import main


def test_ber_command_writes_csv_and_figure(tmp_path, capsys):
    csv, figure = tmp_path / "out" / "ber.csv", tmp_path / "ber.png"
    code = main(
        [
            "ber",
            "--codebooks",
            "CS1,CS2",
            "--ebno",
            "2,30",
            "--target-errors",
            "20",
            "--max-blocks",
            "2000",
            "--jobs",
            "1",
            "--csv",
            str(csv),
            "--figure",
            str(figure),
        ]
    )
    assert code == 0
    table = pd.read_csv(csv)
    assert list(table["codebook"]) == ["CS1", "CS1", "CS2", "CS2"]
    assert set(table.columns) >= {"ebno_db", "esno_db", "ber", "bit_errors", "bits", "status"}
    assert figure.stat().st_size > 0
    assert "Eb/N0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["ber", "--codebooks", "CS9"], "unknown codebook"),
        (["ber", "--ebno", "a:b"], "Eb/N0 list"),
        (["ber", "--figure", "x.txt"], "suffix"),
        (["ber", "--max-blocks", "0"], "positive integer"),
        (["ber", "--detector", "mpa"], "invalid choice"),
        (["ber", "--jobs", "x"], "integer"),
        (["ber", "--detector-noise-factor", "-1"], "positive"),
        (["link"], "--store"),
    ],
)
def test_bad_arguments_are_one_line(argv, match, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert match in err and len(err.strip().splitlines()) == 1


def test_outputs_checked_before_work(tmp_path, capsys):
    (tmp_path / "folder.csv").mkdir()
    assert main(["ber", "--csv", str(tmp_path / "folder.csv")]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_link_command_on_a_store(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    assert (
        main(
            [
                "sweep",
                "--budgets-dbm",
                "0",
                "--drops",
                "1",
                "--algorithms",
                "max-sr,b0",
                "--store",
                str(store),
                "--no-plots",
                "--jobs",
                "1",
            ]
        )
        == 0
    )
    capsys.readouterr()
    csv, figure = tmp_path / "link.csv", tmp_path / "link.png"
    code = main(
        [
            "link",
            "--store",
            str(store),
            "--max-blocks",
            "4000",
            "--jobs",
            "1",
            "--csv",
            str(csv),
            "--figure",
            str(figure),
        ]
    )
    assert code == 0
    table = pd.read_csv(csv)
    assert len(table) == 12 and set(table["algorithm"]) == {"max-sr", "b0"}
    assert table["ber"].between(0, 1).all() and (table["bits"] == 8000).all()
    assert figure.exists()
    assert main(["link", "--store", str(store), "--budget-dbm", "7"]) == 2
    assert "not a budget" in capsys.readouterr().err
    assert main(["link", "--store", str(store), "--algorithms", "b3"]) == 2
    assert main(["link", "--store", str(store), "--drops", "5"]) == 2
