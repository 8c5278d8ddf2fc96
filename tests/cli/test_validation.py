"""The command line validates like the config and the Python API: every option of every command
(found in the parsers themselves) refuses non-finite, overflowing and wrong-type values with one
line on stderr, exit status 2, no traceback and no output file; out-of-range values are refused
by the dataclass that owns the parameter, with the same words from the CLI and the API."""

from __future__ import annotations

import argparse
import math
import re
import subprocess
from pathlib import Path

import pytest

from wavelearn.cli import criticality, nqs, refine, transport
from wavelearn.cli.main import MODULES, build_parser, main
from wavelearn.errors import ParameterError
from wavelearn.lattice import LatticeModel
from wavelearn.lattice.seeding import realization_seed
from wavelearn.solvers import SolverSettings

#: values no number option may accept, per type as declared (type=int / type=float)
BAD = {
    int: ["abc", "1.5", "18446744073709551616", "-18446744073709551616", "1e3"],
    float: ["nan", "inf", "-inf", "1e400", "abc", "0x"],
}
#: the commands' own value parsers, and values each must refuse ("inf" is a hard wall for
#: --potential, so only nan there)
CUSTOM = {
    transport._potential: ["nan", "-nan", "abc"],
    nqs._sz: ["nan", "inf", "abc"],
    criticality._window: ["nan:1", "-inf:inf", "1:inf", "2:1", "a:b"],
    refine._values: ["nan", "1,inf", "1,abc"],
    criticality._scan: ["no-equals-sign", "=file.h5"],
}


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """(argv prefix, parser) of every command, nested ones (``vae train``) included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*prefix, name))
            return
    yield prefix, parser


def value_options():
    """(command, option, type) of every option that parses a value other than free text."""
    found = []
    for prefix, parser in commands(build_parser()):
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0 or isinstance(action, argparse._HelpAction):
                continue
            if action.type is not None or action.choices is not None:
                option = max(action.option_strings, key=len)
                found.append((prefix, option, action.type if action.choices is None else "choice"))
    return found


OPTIONS = value_options()
CASES = [pytest.param(prefix, option, value, id=f"{' '.join(prefix)} {option} {value}")
         for prefix, option, kind in OPTIONS
         for value in (BAD.get(kind) or CUSTOM.get(kind) or (["bogus"] if kind == "choice" else [None]))]


def test_every_command_and_every_typed_option_is_covered():
    walked = {prefix[0] for prefix, _ in commands(build_parser())}
    assert walked == set(MODULES)
    kinds = {kind for _, _, kind in OPTIONS}
    unknown = kinds - set(BAD) - set(CUSTOM) - {"choice"}
    assert not unknown, f"options of a new value type: add its bad values to CUSTOM: {unknown}"
    assert len(OPTIONS) > 100  # eigensolve alone has 20


def one_line_error(capsys, argv, tmp_path: Path) -> str:
    """Run ``wavelearn ARGV`` in this process; its only output is one error line, exit 2, no file."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2, f"exit {code}: {captured.err}{captured.out}"
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith(f"wavelearn {argv[0]}"), lines[0]
    assert not any(tmp_path.iterdir()), f"wrote {list(tmp_path.iterdir())}"
    return lines[0]


@pytest.mark.parametrize("prefix, option, value", CASES)
def test_a_bad_value_of_any_option_is_one_line_and_no_output(prefix, option, value, capsys, tmp_path):
    assert value is not None, f"{' '.join(prefix)} {option}: no bad values for its type"
    line = one_line_error(capsys, [*prefix, f"{option}={value}"], tmp_path)
    # The error is about this option, not a missing argument reported instead.
    assert f"argument {option}" in line or option in line, line


# ---- negative integers: every integer option of the job commands is a count, a size, an index or
# a seed, and its owner refuses -1 (the commands that read data files are covered by the cases below)

BASELINES = {
    ("eigensolve",): lambda tmp: ["--dim", "2", "--L", "4", "--nev", "2", "--backend", "dense", "--no-progress",
                                  "--output", str(tmp / "e.h5")],
    ("transport",): lambda tmp: ["--Lx", "16", "--Ly", "12", "--antidots", "1", "--radius", "1.5", "--field-points",
                                 "3", "--no-progress", "--output", str(tmp / "t.h5")],
    ("nqs",): lambda tmp: ["--L", "4", "--iterations", "2", "--no-progress", "--workdir", str(tmp / "w"),
                           "--output", str(tmp / "run.h5")],
}
NEGATIVE = [pytest.param(prefix, option, id=f"{prefix[0]} {option}")
            for prefix, option, kind in OPTIONS if kind is int and prefix in BASELINES]


@pytest.mark.parametrize("prefix, option", NEGATIVE)
def test_minus_one_is_refused_by_the_parameters_owner(prefix, option, capsys, tmp_path, run_cli):
    argv = [*prefix, *BASELINES[prefix](tmp_path), f"{option}=-1"]
    if prefix == ("transport",):  # its own process: Kwant must not load beside this one's PETSc
        result = run_cli(*argv, check=False)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and not any(tmp_path.iterdir()), result.stderr
        line = lines[0]
    else:
        line = one_line_error(capsys, argv, tmp_path)
    assert re.search(r"[= ]-1\b", line), line


def test_the_negative_walk_covers_the_job_commands():
    assert {prefix for prefix, *_ in (p.values for p in NEGATIVE)} == set(BASELINES) and len(NEGATIVE) >= 20


# ---- out of range: the owning dataclass's check, the same words from the CLI and the API

def eigensolve(tmp_path, *extra):
    return ["eigensolve", "--dim", "2", "--L", "4", "--nev", "2", "--backend", "dense", "--no-progress",
            "--output", str(tmp_path / "e.h5"), *extra]


@pytest.mark.parametrize("extra, api, message", [
    (["--tol", "1"], lambda: SolverSettings(tol=1.0), "tol=1.0 must be a finite number > 0 and <= 1e-06"),
    (["--tol", "0"], lambda: SolverSettings(tol=0.0), "tol=0.0 must be a finite number > 0"),
    (["--nev", "0"], lambda: SolverSettings(nev=0), "nev=0 must be an integer >= 1"),
    (["--max-it", "0"], lambda: SolverSettings(max_it=0), "max_it=0 must be an integer >= 1"),
    (["--L", "1"], lambda: LatticeModel(dim=2, L=1), "L=1"),
    (["--W", "-1"], lambda: LatticeModel(dim=2, L=4, W=-1.0), "W=-1.0"),
    (["--seed", "-1"], lambda: realization_seed(-1, LatticeModel(dim=2, L=4), 0),
     "campaign seed=-1 must be an integer in [0, 9223372036854775807]"),
])
def test_out_of_range_eigensolve_values_are_the_dataclass_error(extra, api, message, capsys, tmp_path):
    line = one_line_error(capsys, eigensolve(tmp_path, *extra), tmp_path)
    assert message in line
    with pytest.raises(ParameterError) as error:
        api()
    assert message in str(error.value)


def test_non_finite_values_are_refused_by_the_api_and_the_config_too():
    from wavelearn.campaign.config import ConfigError, validate_config

    for make in (lambda: SolverSettings(target=math.nan), lambda: SolverSettings(tol=math.inf),
                 lambda: LatticeModel(dim=3, L=4, W=math.nan)):
        with pytest.raises(ParameterError, match="must be a finite number"):
            make()
    for key, value in (("energy", math.nan), ("tol", math.inf), ("W", [math.nan])):
        with pytest.raises(ConfigError, match="is not of type 'number'"):
            validate_config({"campaign_seed": 1, "studies": [{"name": "s", "model": "anderson", "dim": 3, "L": [4],
                                                              key: value}]})
    with pytest.raises(ConfigError, match="campaign_seed: 18446744073709551616 is greater than the maximum"):
        validate_config({"campaign_seed": 2**64, "studies": [{"name": "s", "model": "anderson", "dim": 3, "L": [4]}]})


@pytest.mark.parametrize("argv, message", [
    (["train", "d.h5", "--class", "a:W:0:1", "--class", "b:W:2:3", "--workdir", "{tmp}/w", "--validation", "0.95"],
     "validation=0.95"),
    (["train", "d.h5", "--class", "a:W:0:1", "--class", "b:W:2:3", "--workdir", "{tmp}/w", "--seed", "2147483648"],
     "seed=2147483648 must be an integer in [0, 2147483647]"),
    (["train", "d.h5", "--class", "a:W:0:1", "--class", "b:W:2:3", "--workdir", "{tmp}/w", "--batch-size", "0"],
     "batch_size=0"),
    (["train", "d.h5", "--class", "a:W:nan:1", "--class", "b:W:2:3", "--workdir", "{tmp}/w"], "'a:W:nan:1'"),
    (["vae", "train", "d.h5", "--workdir", "{tmp}/w", "--validation", "1.5"], "validation=1.5"),
    (["vae", "train", "d.h5", "--workdir", "{tmp}/w", "--epochs", "0"], "epochs=0"),
    (["transport", "--Lx", "2", "--Ly", "8", "--output", "{tmp}/t.h5"], "Lx=2"),
    (["transport", "--Lx", "20", "--Ly", "8", "--field-points", "0", "--output", "{tmp}/t.h5"], "field_points=0"),
    (["plan", "--config", "{config}", "--calibrate-max-sites", "1"], "calibrate_max_sites=1"),
    (["eigensolve", "--L", "4", "--realizations", "0:18446744073709551616", "-o", "{tmp}/e.h5"],
     "realizations='0:18446744073709551616'"),
    (["eigensolve", "--L", "4", "--realizations", "nan:1", "-o", "{tmp}/e.h5"], "realizations='nan:1'"),
    (["transport", "--Lx", "20", "--Ly", "8", "--layouts", "3:1", "-o", "{tmp}/t.h5"], "realizations='3:1'"),
])
def test_out_of_range_values_of_other_commands_name_the_value(argv, message, capsys, tmp_path, tmp_path_factory):
    config = tmp_path_factory.mktemp("config") / "c.yaml"
    config.write_text("campaign_seed: 1\nstudies:\n  - {name: s, model: anderson, dim: 2, L: [4], nev: 2}\n")
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{config}", str(config)) for a in argv]
    line = one_line_error(capsys, argv, tmp_path)
    assert message in line


def test_the_issue_examples_as_a_user_runs_them(tmp_path, run_cli):
    # issue 18: --energy nan wrote a shard with E = nan, --tol inf wrote one, a 2^64 seed ended in
    # h5py's traceback.
    for extra in (["--energy", "nan"], ["--tol", "inf"], ["--seed", "18446744073709551616"]):
        result = run_cli(*eigensolve(tmp_path, *extra), check=False)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert extra[0] in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "e.h5").exists()


def test_seed_ranges_are_the_config_schemas(root):
    import yaml

    from wavelearn.checks import SEED_MAX, TRAINING_SEED_MAX

    schemas = root / "workflow" / "schemas"
    assert yaml.safe_load((schemas / "config.schema.yaml").read_text())["properties"]["campaign_seed"]["maximum"] \
        == SEED_MAX
    text = "".join(p.read_text() for p in schemas.glob("*.schema.yaml"))
    assert text.count(f"maximum: {TRAINING_SEED_MAX}") >= 3  # the CNN's, the VAE's and the VMC's seeds


@pytest.mark.parametrize("variable, value", [
    ("WAVELEARN_INJECT_FAULT", "realisation=1"),
    ("WAVELEARN_INJECT_FAULT", "realization=one"),
    ("WAVELEARN_INJECT_FAULT", "rank=1"),
    ("WAVELEARN_TEST_PAUSE_BEFORE_RENAME", "ten"),
    ("WAVELEARN_TEST_PAUSE_BEFORE_RENAME", "-1"),
    ("WAVELEARN_TEST_PAUSE_BEFORE_RENAME", "nan"),
])
def test_a_malformed_fault_injection_variable_is_a_clear_error(variable, value, tmp_path, env, wavelearn_cmd):
    result = subprocess.run(wavelearn_cmd(*eigensolve(tmp_path)), capture_output=True, text=True,
                            env={**env, variable: value}, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and repr(value) in lines[0], result.stderr
    assert not (tmp_path / "e.h5").exists()


def test_checks_accept_what_they_should():
    from wavelearn.checks import integer, is_integer, is_number, number

    assert is_number(0) and is_number(-1.5) and not is_number(math.nan) and not is_number(True)
    assert not is_number("1") and is_integer(2**63 - 1) and not is_integer(2**63) and not is_integer(1.0)
    assert integer("n", 3, 1) == 3 and number("x", 2, 0, 2) == 2.0
