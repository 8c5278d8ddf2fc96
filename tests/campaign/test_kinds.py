"""Kinds of study: the registry, the merged schema, one source per default, the eigenstate kind's
points, arguments and targets."""

import argparse
import dataclasses

import pytest

from wavelearn.campaign.config import ConfigError, campaign_schema, validate_config
from wavelearn.campaign.eigenstates import EigenstateKind, EigenstatePoint, gathered_shards, state_values
from wavelearn.campaign.kinds import DEFAULT_KIND, StudyKind, chunk_range
from wavelearn.campaign.plan import Plan
from wavelearn.campaign.registry import KINDS, get_kind
from wavelearn.errors import ParameterError
from wavelearn.lattice import LatticeModel
from wavelearn.solvers import SolverSettings

STUDY = {"name": "a", "model": "anderson", "dim": 3, "L": [4, 6], "W": [10, 20], "realizations": 5,
         "realizations_per_job": 2}


def test_registry_and_default_kind():
    assert DEFAULT_KIND == "eigenstates" and isinstance(KINDS[DEFAULT_KIND], EigenstateKind)
    for name, kind in KINDS.items():
        assert isinstance(kind, StudyKind) and kind.name == name
        assert f"{name}_study" in campaign_schema()["$defs"]
    with pytest.raises(ParameterError, match="kind='bogus' is not one of eigenstates, "):
        get_kind("bogus")


def test_kind_defaults_to_eigenstates_and_is_checked():
    config = validate_config({"campaign_seed": 1, "studies": [STUDY]})
    assert config["studies"][0]["kind"] == "eigenstates"
    assert validate_config({"campaign_seed": 1, "studies": [{**STUDY, "kind": "eigenstates"}]}) == config
    with pytest.raises(ConfigError, match="studies\\[0\\].kind: 'bogus' is not one of \\['eigenstates', "):
        validate_config({"campaign_seed": 1, "studies": [{**STUDY, "kind": "bogus"}]})


def schema_default(name):
    return campaign_schema()["$defs"]["eigenstates_study"]["properties"][name]["default"]


def test_schema_defaults_are_the_dataclass_defaults():
    # One source per default: the schema must agree with the dataclasses the jobs construct.
    fields = {f.name: f.default for f in dataclasses.fields(LatticeModel) if f.default is not dataclasses.MISSING}
    for name in ("distribution", "percolation", "boundary"):
        assert schema_default(name) == fields[name]
    for name in ("W", "p", "flux"):
        assert schema_default(name) == [fields[name]]
    settings = {f.name: f.default for f in dataclasses.fields(SolverSettings)}
    assert schema_default("energy") == settings["target"]
    assert schema_default("nev") == settings["nev"] and schema_default("tol") == settings["tol"]


def test_cli_defaults_are_the_dataclass_and_schema_defaults():
    from wavelearn.cli.main import build_parser
    from wavelearn.learning.phases.training import TrainConfig

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    solve = sub.choices["eigensolve"].parse_args(["--L", "4", "--output", "x.h5"])
    assert (solve.nev, solve.tol, solve.energy, solve.W, solve.p, solve.flux) == (
        schema_default("nev"), schema_default("tol"), schema_default("energy"), 0.0, 1.0, 0.0)
    train = sub.choices["train"].parse_args(["d.h5", "--class", "a:W:0:1", "--workdir", "w"])
    network = campaign_schema()["$defs"]["network"]["properties"]
    defaults = TrainConfig()
    for key in ("epochs", "batch_size", "learning_rate", "validation", "seed"):
        assert getattr(train, key) == getattr(defaults, key) == network[key]["default"], key


def test_job_arguments_are_this_points_values_only():
    config = validate_config({"campaign_seed": 9, "studies": [{**STUDY, "save_psi": True}]})
    point = Plan(config).points[1]
    assert isinstance(point, EigenstatePoint)
    # Pinned: a change here changes the rule's params, which makes Snakemake rerun finished jobs.
    assert point.job_arguments(point.chunks[2]) == (
        "--model anderson --dim 3 --L 4 --W 20 --distribution box --p 1 --percolation site --flux 0 "
        "--boundary periodic --energy 0 --nev 5 --tol 1e-10 --backend auto --seed 9 --realizations 4:5 "
        "--save-psi")
    assert point.output("results", point.chunks[2]) == "results/a/L4/W20_p1_flux0/chunk002.h5"


def test_plan_looks_points_up_by_wildcards_and_lists_targets():
    config = validate_config({"campaign_seed": 1, "studies": [STUDY]})
    plan = Plan(config)
    wildcards = {"study": "a", "L": "6", "W": "10", "p": "1", "flux": "0", "chunk": "001"}
    assert plan.point("eigenstates", wildcards).model.L == 6
    assert plan.chunk("eigenstates", wildcards).span == "2:4"
    with pytest.raises(KeyError, match="no eigenstates point"):
        plan.point("eigenstates", {**wildcards, "W": "11"})
    assert plan.targets()[:4] == ["results/summary.csv", "results/summary.png", "results/a/L4/states.png",
                                  "results/a/L6/states.png"]
    shards = gathered_shards(plan.points_of("eigenstates"), "results")
    assert shards[("a", "4")] == [f"results/a/L4/W{W}_p1_flux0/chunk00{c}.h5" for W in (10, 20) for c in range(3)]


def test_chunks_grow_only_at_the_end():
    assert [c.span for c in chunk_range(5, 2)] == ["0:2", "2:4", "4:5"]
    assert chunk_range(6, 2)[:2] == chunk_range(5, 2)[:2]
    assert chunk_range(2000, 1)[1000].label == "1000"


def test_state_values_pick_lowest_middle_highest_of_the_varying_parameter():
    study = validate_config({"campaign_seed": 1, "studies": [
        {**STUDY, "model": "percolation", "L": [8], "W": [0.0], "p": [0.2, 0.4, 0.6, 0.8]}]})["studies"][0]
    assert state_values(study) == "--parameter p --values 0.2 0.6 0.8"
