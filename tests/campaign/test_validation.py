"""Validation before any job: every config the schema accepts runs; everything else is refused
with one line naming the key, the value and what is allowed (issue: nothing silently wrong)."""

import copy
import math
import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wavelearn.campaign.config import ConfigError, validate_config
from wavelearn.campaign.plan import Plan

STUDY = {"name": "a", "model": "anderson", "dim": 2, "L": [6], "W": [1.0, 3.0], "realizations": 2,
         "realizations_per_job": 2}
NET = {"name": "net", "train_study": "a", "classes": [
    {"name": "metal", "parameter": "W", "low": 0.0, "high": 2.0},
    {"name": "insulator", "parameter": "W", "low": 2.5, "high": 4.0}]}


def config(study=None, net=None, **top):
    out = {"campaign_seed": 1, "studies": [{**STUDY, **(study or {})}], **top}
    if net is not None:
        out["learning"] = [{**NET, **net}]
    for item in out["studies"]:
        for key in [k for k, v in item.items() if v is None]:
            del item[key]
    return out


# One row per rule of the schema and per check of the package: the change and the line it must print.
REFUSED = [
    # top level
    (config(campaign_seed=-1), "campaign_seed: -1 is less than the minimum of 0"),
    (config(campaign_seed=2**63), "campaign_seed: 9223372036854775808 is greater than the maximum"),
    (config(campaign_seed=1.0), "campaign_seed: 1.0 is not of type 'integer'"),
    (config(results="../elsewhere"), "results: '../elsewhere' is not allowed: use letters, digits"),
    (config(results="out; rm -rf ~"), "results: 'out; rm -rf ~' is not allowed"),
    (config(results="my results"), "results: 'my results' is not allowed"),
    (config(bogus=1), "'bogus' was unexpected"),
    # a study
    (config({"kind": "transport-ish"}), "studies[0].kind: 'transport-ish' is not one of"),
    (config({"name": "1a"}), "studies[0].name: '1a' is not allowed"),
    (config({"model": "lieb"}), "studies[0].model: 'lieb' is not one of ['anderson', 'percolation']"),
    (config({"dim": 2.0}), "studies[0].dim: 2.0 is not of type 'integer'"),
    (config({"dim": 4}), "studies[0].dim: 4 is not one of [2, 3]"),
    (config({"L": [1]}), "studies[0].L[0]: 1 is less than the minimum of 2"),
    (config({"L": [6.0]}), "studies[0].L[0]: 6.0 is not of type 'integer'"),
    (config({"W": [-1.0]}), "studies[0].W"),
    (config({"W": [math.nan]}), "studies[0].W"),
    (config({"W": {"start": 0, "stop": 1, "num": 0}}), "studies[0].W"),
    (config({"model": "percolation", "p": [1.5]}), "studies[0].p"),
    (config({"flux": [math.inf]}), "studies[0].flux"),
    (config({"flux": [0.3]}), "flux=0.3 is incommensurate with L=6"),
    (config({"p": [0.5]}), "p=0.5 given for model 'anderson'"),
    (config({"percolation": "corner"}), "studies[0].percolation: 'corner' is not one of ['site', 'bond']"),
    (config({"distribution": "levy"}), "studies[0].distribution: 'levy' is not one of"),
    (config({"boundary": "twisted"}), "studies[0].boundary: 'twisted' is not one of"),
    (config({"energy": math.nan}), "studies[0].energy: nan is not of type 'number'"),
    (config({"nev": 0}), "studies[0].nev: 0 is less than the minimum of 1"),
    (config({"nev": 36}), "nev=36 must be smaller than L^dim=36"),
    (config({"realizations": 8.0}), "studies[0].realizations: 8.0 is not of type 'integer'"),
    (config({"realizations": 0}), "studies[0].realizations: 0 is less than the minimum of 1"),
    (config({"realizations_per_job": True}), "studies[0].realizations_per_job: True is not of type 'integer'"),
    (config({"backend": "lanczos"}), "studies[0].backend: 'lanczos' is not one of ['auto', 'mumps', 'slepc', 'scipy', 'dense']"),
    (config({"mpi_ranks": 0}), "studies[0].mpi_ranks: 0 is less than the minimum of 1"),
    (config({"backend": "scipy", "mpi_ranks": 2}), "backend 'scipy' runs on one process; mpi_ranks=2 needs"),
    (config({"backend": "mumps", "mpi_ranks": 2}), "backend 'mumps' runs on one process; mpi_ranks=2 needs"),
    (config({"backend": "mumps", "dim": 2, "L": [8], "flux": [0.0, 0.25]}),
     "backend 'mumps' solves real H only; flux=0.25 makes H complex: use backend auto"),
    (config({"backend": "dense", "dim": 3, "L": [28]}), "backend 'dense' holds an n x n matrix; L=28 has n=21952"),
    (config({"tol": 0}), "studies[0].tol: 0 is less than or equal to the minimum of 0"),
    (config({"tol": 1}), "studies[0].tol: 1 is greater than the maximum of 1e-06"),
    (config({"tol": math.inf}), "studies[0].tol: inf is not of type 'number'"),
    (config({"save_psi": "yes"}), "studies[0].save_psi: 'yes' is not of type 'boolean'"),
    (config({"first_realization": -1}), "studies[0].first_realization: -1 is less than the minimum of 0"),
    (config({"share_realizations": 1}), "studies[0].share_realizations: 1 is not of type 'boolean'"),
    (config({"model": "percolation", "p": [0.1], "dim": 2, "L": [6], "cluster": "all"}),
     "site percolation p=0.1 keeps 3.6 of L^dim=36 sites on average and no more than nev=5 with probability"),
    (config({"model": "percolation", "p": [0.1], "dim": 2, "L": [6]}),
     "site percolation p=0.1, L=6: the largest cluster of a realization holds as few as 1 sites (of the 2 "
     "realizations checked), no more than nev=5: raise p or L, or lower nev"),
    (config({"model": "percolation", "p": [0.3], "dim": 3, "L": [6], "realizations": 100}),
     "(of the 64 realizations checked), less than 2 x nev=5"),
    (config({"cluster": "largest"}), "cluster='largest' given for model 'anderson'"),
    ({"campaign_seed": 1, "studies": [STUDY, {**STUDY, "name": "b"}]},
     "study 'b' repeats the point anderson-2d-L6-W1-box-p1-flux0-periodic of study 'a' with the same "
     "realizations 0..1: set first_realization: 2"),
    # the learning section
    (config(net={"name": "a b"}), "learning[0].name: 'a b' is not allowed"),
    (config(net={"train_study": "zzz"}), "names unknown studies ['zzz']"),
    (config(net={"classes": NET["classes"][:1]}), "learning[0].classes"),
    (config(net={"classes": [{**NET["classes"][0], "high": 3.0}, NET["classes"][1]]}),
     "class windows 'metal' W in [0.0, 3.0] and 'insulator' in [2.5, 4.0] overlap"),
    (config(net={"classes": [{**NET["classes"][0], "low": 5.0, "high": 6.0}, NET["classes"][1]]}),
     "class 'metal' window W in [5.0, 6.0] is empty"),
    (config(net={"scan_studies": []}), "learning[0].scan_studies: [] should be non-empty"),
    (config(net={"input": "q"}), "learning[0].input: 'q' is not one of ['r', 'k']"),
    (config(net={"input": "k"}), "needs save_psi: true in studies ['a']"),
    (config(net={"features": [0]}), "learning[0].features[0]: 0 is less than the minimum of 1"),
    (config(net={"dropout": 0.95}), "learning[0].dropout: 0.95 is greater than the maximum of 0.9"),
    (config(net={"epochs": 0}), "learning[0].epochs: 0 is less than the minimum of 1"),
    (config(net={"batch_size": 3.0}), "learning[0].batch_size: 3.0 is not of type 'integer'"),
    (config(net={"learning_rate": math.nan}), "learning[0].learning_rate: nan is not of type 'number'"),
    (config(net={"learning_rate": 0}), "learning[0].learning_rate: 0 is less than or equal to the minimum"),
    (config(net={"validation": 0.95}), "learning[0].validation: 0.95 is greater than the maximum of 0.9"),
    (config(net={"seed": 2**40}), "learning[0].seed: 1099511627776 is greater than the maximum"),
]


@pytest.mark.parametrize("bad, message", REFUSED, ids=[m[:40] for _, m in REFUSED])
def test_refused_with_one_line_naming_key_value_and_allowed(bad, message):
    with pytest.raises(ConfigError) as err:
        validate_config(copy.deepcopy(bad))
    text = str(err.value)
    assert message in text, text
    assert len(text.splitlines()) <= 2  # "invalid config:" + one line


def test_a_held_out_study_gets_its_own_realizations_or_shares_on_purpose():
    other = {**STUDY, "name": "b", "first_realization": 2}
    points = Plan(validate_config({"campaign_seed": 1, "studies": [STUDY, other]})).points
    b = [pt for pt in points if pt.study == "b"][0]
    assert [c.span for c in b.chunks] == ["2:4"]
    validate_config({"campaign_seed": 1, "studies": [STUDY, {**STUDY, "name": "b", "share_realizations": True}]})


# ---- property: validation refuses a config, or every job of it can run

# Values of the right types within (and at the edges of) the schema's ranges: the schema's own
# rules are the table above; here the checks that need several keys at once (sizes against nev,
# flux against L, backends against ranks and sizes, percolation against nev) meet the jobs.
study_strategy = st.fixed_dictionaries(
    {"name": st.just("s"), "model": st.sampled_from(["anderson", "percolation"]), "dim": st.sampled_from([2, 3]),
     "L": st.lists(st.integers(2, 6), min_size=1, max_size=2, unique=True)},
    optional={"W": st.lists(st.floats(0, 30), min_size=1, max_size=2, unique=True),
              "p": st.lists(st.floats(0, 1), min_size=1, max_size=2, unique=True),
              "flux": st.lists(st.sampled_from([0.0, 0.25, 0.5, 1 / 3]), min_size=1, max_size=2, unique=True),
              "nev": st.integers(1, 8), "energy": st.floats(-3, 3),
              "backend": st.sampled_from(["auto", "mumps", "slepc", "scipy", "dense"]),
              "realizations": st.integers(1, 3),
              "realizations_per_job": st.integers(1, 3), "mpi_ranks": st.sampled_from([1, 2]),
              "tol": st.sampled_from([1e-10, 1e-6]), "percolation": st.sampled_from(["site", "bond"]),
              "boundary": st.sampled_from(["periodic", "open"]),
              "distribution": st.sampled_from(["box", "gaussian", "cauchy"])})


ACCEPTED = []


@pytest.mark.timeout(600)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(study=study_strategy)
def test_accepted_configs_have_runnable_jobs(study, run_job):
    try:
        plan = Plan(validate_config({"campaign_seed": 3, "studies": [study]}))
    except ConfigError as err:
        assert str(err).startswith("invalid config")
        return
    # Accepted: the first chunk of the first and the last point really runs (one rank here; the
    # multi-rank path is the workflow tests').
    for point in {id(p): p for p in (plan.points[0], plan.points[-1])}.values():
        run_job(shlex.split(point.job_arguments(point.chunks[0])))
    ACCEPTED.append(study)


@pytest.fixture(scope="module")
def run_job(tmp_path_factory):
    """Run one eigensolve job in this process (the CLI's own entry point)."""
    from wavelearn.cli.main import main

    folder = tmp_path_factory.mktemp("jobs")

    def run(arguments):
        output = folder / "shard.h5"
        code = main(["eigensolve", *arguments, "--no-progress", "--output", str(output)])
        assert code == 0, arguments
        output.unlink()

    return run


def test_the_property_saw_accepted_configs():
    # Runs after the property test (file order): it must not have refused everything.
    assert len(ACCEPTED) >= 5, ACCEPTED
