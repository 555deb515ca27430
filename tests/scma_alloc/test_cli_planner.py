"""Command line with a planner's data: ``solve --scenario FILE --json PATH`` and
``sweep --config FILE.toml``."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

import scma_alloc as sa
from scma_alloc import _cli as cli


@pytest.fixture
def cell_file(tmp_path):
    xy = sa.random_positions(6, 200.0, min_distance=10.0, rng=1)
    scenario = sa.scenario_from_positions(xy, rng=2)
    return scenario, sa.save_scenario(scenario, tmp_path / "cell.csv", positions=xy)


def one_line_error(capsys, code: int, expected: int, *words: str) -> str:
    err = capsys.readouterr().err
    assert code == expected, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


# --------------------------------------------------------------------------- solve
def test_solve_a_scenario_file_into_json(tmp_path, capsys, cell_file):
    scenario, path = cell_file
    out = tmp_path / "out" / "allocation.json"
    line = ["solve", "--scenario", str(path), "--algorithms", "max-sr,b0", "--no-figure"]
    code = cli.main([*line, "--json", str(out), "--users", "6"])  # the file's J: accepted
    assert code == 0
    assert f"from {path}" in capsys.readouterr().out
    document = json.loads(out.read_text())
    assert document["shapes"]["assignment"] == [4, 6]
    assert "outer index is the resource" in document["layout"]["power_w"]
    assert np.array_equal(document["scenario"]["gains"], scenario.gains)
    assert document["scenario"]["noise_power_w"] == scenario.noise_power
    assert document["scenario"]["power_budget_w"] == scenario.power_budget.tolist()
    names = [r["name"] for r in document["results"]]
    assert names == [sa.get_algorithm("max-sr").label, sa.get_algorithm("b0").label]
    for record in document["results"]:
        assignment = np.array(record["assignment"])
        power = np.array(record["power_w"])
        assert assignment.shape == power.shape == (4, 6)
        assert np.all(assignment.sum(axis=0) == 2) and np.all(power[assignment == 0] == 0)
        assert np.all(power.sum(axis=0) <= scenario.power_budget * (1 + 1e-9))
        rates = sa.user_rates(scenario, assignment, power)
        assert np.allclose(rates, record["user_rates"], rtol=1e-9)
        assert record["sum_rate"] == pytest.approx(sum(record["user_rates"]))


def test_solve_random_drop_keeps_its_defaults(tmp_path, capsys):
    out = tmp_path / "drop.json"
    assert cli.main(["solve", "--objective", "max-sr", "--no-figure", "--json", str(out)]) == 0
    assert "noise preset 'paper', seed 0" in capsys.readouterr().out
    document = json.loads(out.read_text())
    reference = sa.random_scenario(rng=0)
    assert np.array_equal(document["scenario"]["gains"], reference.gains)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--users", "7"], ["--users 7 (the file has 6)"]),
        (["--resources", "5", "--n-per-user", "3"], ["--resources 5", "--n-per-user 3"]),
        (["--budget-dbm", "23"], ["--budget-dbm"]),
        (["--noise", "thermal"], ["--noise"]),
        (["--seed", "1"], ["--seed"]),
    ],
)
def test_solve_refuses_options_the_file_sets(capsys, cell_file, extra, words):
    _, path = cell_file
    code = cli.main(["solve", "--scenario", str(path), "--no-figure", *extra])
    one_line_error(capsys, code, 2, "sets the sizes, the budgets and the noise", *words)


def test_solve_refuses_a_malformed_or_missing_file(tmp_path, capsys, cell_file):
    _, path = cell_file
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text().replace("0,1,", "0,1,x", 1))
    code = cli.main(["solve", "--scenario", str(bad), "--no-figure"])
    one_line_error(capsys, code, 2, str(bad), "field 'gain'")
    code = cli.main(["solve", "--scenario", str(tmp_path / "none.npz"), "--no-figure"])
    one_line_error(capsys, code, 1, "none.npz does not exist")


def test_solve_checks_the_json_target_first(tmp_path, capsys, cell_file):
    _, path = cell_file
    code = cli.main(["solve", "--scenario", str(path), "--no-figure", "--json", str(tmp_path)])
    one_line_error(capsys, code, 2, "--json", "is a folder")


# --------------------------------------------------------------------------- sweep --config
def sweep_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, commands.choices["sweep"]


#: A value for every key of a sweep TOML file, and what the command line makes of it.
EVERY_KEY = {
    "budgets-dbm": ("3:5", (3.0, 4.0, 5.0)),
    "vary": ("users", "users"),
    "values": ([4, 5], (4.0, 5.0)),
    "budget-dbm": (23, 23.0),
    "drops": (5, 5),
    "algorithms": (["max-sr", "b0"], ("max-sr", "b0")),
    "seed": (7, 7),
    "option": ({"max-min": {"n_polish": 3}}, [("max-min", "n_polish", 3)]),
    "resources": (5, 5),
    "users": (7, 7),
    "n-per-user": (2, 2),
    "users-per-resource": (3, 3),
    "noise": ("thermal", "thermal"),
    "radius": (250, 250.0),
    "path-loss-exponent": (3.5, 3.5),
    "bandwidth": (360e3, 360e3),
    "jobs": (1, 1),
    "scheduler": ("local", "local"),
    "store": ("s.sqlite", "s.sqlite"),
    "no-store": (True, True),
    "plots": ("figures", "figures"),
    "no-plots": (True, True),
    "baseline": ("b0", "b0"),
    "formats": (["png", "svg"], ("png", "svg")),
    "csv": ("r.csv", "r.csv"),
    "parquet": ("r.parquet", "r.parquet"),
    "json": ("r.json", "r.json"),
    "progress": (False, False),
}


def toml(values: dict) -> str:
    """A small TOML writer for the test values (tables last)."""
    lines, tables = [], []
    for key, value in values.items():
        if isinstance(value, dict):
            for name, options in value.items():
                tables.append(f"[{key}.{name}]")
                tables += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines + tables) + "\n"


def test_every_sweep_option_can_be_set_from_the_file(tmp_path):
    parser, sweep = sweep_parser()
    assert set(cli._config_keys(sweep)) == set(EVERY_KEY)
    path = tmp_path / "sweep.toml"
    path.write_text(toml({key: value for key, (value, _) in EVERY_KEY.items()}))
    args = cli._parse_arguments(parser, ["sweep", "--config", str(path)])
    for key, (_, expected) in EVERY_KEY.items():
        assert getattr(args, cli._config_keys(sweep)[key].dest) == expected, key


def test_command_line_values_override_the_file(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(
        toml({"drops": 5, "seed": 3, "option": {"max-min": {"n_polish": 3, "n_starts": 4}}})
    )
    parser, _ = sweep_parser()
    line = ["sweep", "--drops", "2", "--config", str(path), "--option", "max-min:n_polish=1"]
    args = cli._parse_arguments(parser, line)
    assert (args.drops, args.seed) == (2, 3)
    options: dict = {}
    for algorithm, name, value in args.option:
        options.setdefault(algorithm, {})[name] = value  # as _cmd_sweep does: last wins
    assert options == {"max-min": {"n_polish": 1, "n_starts": 4}}


def test_a_parameter_sweep_runs_from_a_config_file(tmp_path, capsys):
    path = tmp_path / "sweep.toml"
    values = {"vary": "load", "values": [1, 1.5], "budget-dbm": 6, "drops": 2}
    values.update(algorithms=["b0"], jobs=1, **{"no-store": True, "no-plots": True})
    path.write_text(toml(values))
    assert cli.main(["sweep", "--config", str(path)]) == 0
    captured = capsys.readouterr()
    assert "2 values of load J/K (overloading factor, K fixed) (1, 1.5) at 6 dBm" in captured.err
    assert "mean over drops, by load J/K" in captured.out


def test_sweep_runs_from_a_config_file(tmp_path, capsys):
    path = tmp_path / "sweep.toml"
    values = {
        "budgets-dbm": [3, 10],
        "drops": 4,
        "algorithms": ["b0", "b2"],
        "jobs": 1,
        "no-store": True,
        "no-plots": True,
        "json": str(tmp_path / "r.json"),
    }
    path.write_text(toml(values))
    assert cli.main(["sweep", "--config", str(path), "--drops", "2"]) == 0
    captured = capsys.readouterr()
    assert "2 drops x 2 budgets (3, 10 dBm) x 2 algorithms (b0, b2)" in captured.err
    assert len(json.loads((tmp_path / "r.json").read_text())["results"]) == 8


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("drop = 2\n", ["unknown key 'drop'", "did you mean 'drops'"]),
        ("budgets_dbm = [3]\n", ["unknown key 'budgets_dbm'", "did you mean 'budgets-dbm'"]),
        ("config = 'a.toml'\n", ["unknown key 'config'"]),
        ("drops = 0\n", ["key 'drops'", "expected a positive integer"]),
        ("drops = '2'\n", []),  # a string is read as on the command line: accepted
        ("seed = 1.5\n", ["key 'seed'", "expected an integer, got 1.5"]),
        ("noise = 'pink'\n", ["key 'noise'", "expected one of paper, thermal"]),
        ("no-plots = 1\n", ["key 'no-plots'", "expected true or false"]),
        ("store = 3\n", ["key 'store'", "expected a string"]),
        ("algorithms = ['b0', 'b9']\n", ["key 'algorithms'", "unknown algorithm"]),
        ("option = ['b0']\n", ["key 'option'", "ALGORITHM:NAME=VALUE"]),
        ("option = {max-min = 3}\n", ["key 'option'", "table of options"]),
        ("drops = \n", ["is not valid TOML"]),
    ],
)
def test_bad_config_files_give_one_line_and_exit_2(tmp_path, capsys, text, words):
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    if not words:
        parser, _ = sweep_parser()
        assert cli._parse_arguments(parser, ["sweep", "--config", str(path)]).drops == 2
        return
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sweep", "--config", str(path)])
    one_line_error(capsys, exit_.value.code, 2, "--config", str(path), *words)


def test_missing_config_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sweep", "--config", str(tmp_path / "none.toml")])
    one_line_error(capsys, exit_.value.code, 2, "cannot read", "none.toml")
