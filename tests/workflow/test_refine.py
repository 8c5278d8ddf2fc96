"""Adaptive refinement run for real: a tiny 2D study whose coarse grid is refined by a Snakemake
checkpoint around the crossing of <r> of two sizes; only new points are solved, a rerun does nothing."""

import csv
import json

import h5py
import numpy as np
import pytest

COARSE = [1.0, 7.0, 13.0]
REFINE = {"name": "tinyref", "model": "anderson", "dim": 2, "L": [6, 8], "W": COARSE, "energy": 0.1, "nev": 12,
          "realizations": 4, "realizations_per_job": 4, "backend": "dense",
          "refine": {"parameter": "W", "width": 0.5, "max_points": 2, "per_round": 1}}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def refined(tmp_path_factory, root, snakemake, write_config):
    workdir = tmp_path_factory.mktemp("refine")
    write_config(workdir, [REFINE])
    snakemake(workdir, "--profile", str(root / "profiles/local"), "--cores", "2")
    return workdir


@pytest.mark.timeout(240)
def test_refinement_adds_points_inside_the_bracket_and_stops(refined, planned_jobs):
    rounds = sorted((refined / "results/tinyref/refine").glob("round*.json"))
    decisions = [json.loads(p.read_text()) for p in rounds]
    assert [d["round"] for d in decisions] == list(range(1, len(decisions) + 1))
    assert decisions[-1]["done"] and not any(d["done"] for d in decisions[:-1])
    added = [v for d in decisions for v in d["added"]]
    assert 1 <= len(added) <= 2 and sorted(added) == decisions[-1]["refined"]
    for d in decisions:
        for value in d["added"]:
            assert d["bracket"]["low"] < value < d["bracket"]["high"]
            assert value not in COARSE
    # every point, coarse or added, was solved exactly once, in the shard its W names
    sampled = sorted(COARSE + added)
    for L in (6, 8):
        with h5py.File(refined / f"results/tinyref/L{L}/dataset.h5") as f:
            assert sorted(np.unique(f["samples"]["W"][()]).tolist()) == sampled
        for W in added:
            assert (refined / f"results/tinyref/L{L}/W{W:g}_p1_flux0/chunk000.h5").exists()
    logs = list((refined / "logs/eigensolve").rglob("*.log"))
    assert len(logs) == 2 * len(sampled)
    with open(refined / "results/tinyref/criticality.csv") as f:
        rows = list(csv.DictReader(f))
    assert sorted({float(r["W"]) for r in rows}) == sampled and len(rows) == 2 * len(sampled)
    assert planned_jobs(refined) == {}  # a rerun of the finished campaign does nothing


def test_refine_needs_two_sizes_and_one_scanned_parameter(tmp_path, snakemake, write_config):
    write_config(tmp_path, [{**REFINE, "L": [6]}])
    result = snakemake(tmp_path, "-n", check=False)
    assert result.returncode != 0 and "refine needs at least two sizes L" in result.stdout + result.stderr
    write_config(tmp_path, [{**REFINE, "refine": {"parameter": "W", "width": -1}}])
    result = snakemake(tmp_path, "-n", check=False)
    assert result.returncode != 0 and "-1" in result.stdout + result.stderr
