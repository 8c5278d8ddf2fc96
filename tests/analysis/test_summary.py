"""Participation ratios and the campaign summary."""

import csv

import numpy as np

from wavelearn.analysis.summary import participation_ratio
from wavelearn.lattice import LatticeModel, build_hamiltonian
from wavelearn.solvers import SolverSettings, get_solver


def test_participation_ratio_limits():
    uniform = np.full((1, 4, 4, 4), 1 / 64)
    single = np.zeros((1, 4, 4, 4))
    single[0, 1, 2, 3] = 1.0
    half = np.zeros((1, 8))
    half[0, :4] = 0.25
    np.testing.assert_allclose(participation_ratio(uniform), [1.0])
    np.testing.assert_allclose(participation_ratio(single), [1 / 64])
    np.testing.assert_allclose(participation_ratio(half), [0.5])


def test_strong_disorder_localizes_eigenstates():
    # Deep in the insulator (W = 40) states occupy a few sites; in the metal (W = 4) a large
    # fraction of the lattice: the observable the summary plots must see the difference.
    def mean_participation(W):
        model = LatticeModel(dim=3, L=8, W=W)
        values = []
        for k in range(3):
            pairs = get_solver("dense").solve(build_hamiltonian(model, 0, k).matrix, SolverSettings(nev=5))
            values.append(participation_ratio((np.abs(pairs.vectors.T) ** 2)))
        return np.mean(values)

    assert mean_participation(4.0) > 0.2
    assert mean_participation(40.0) < 0.02


def test_gather_and_summarize_cli(tmp_path, run_cli):

    shards = []
    for W in (2.0, 30.0):
        path = tmp_path / f"W{W}.h5"
        run_cli("eigensolve", "--dim", "3", "--L", "6", "--W", str(W), "--nev", "3", "--realizations", "0:2",
                "--backend", "dense", "--no-progress", "-o", str(path))
        shards.append(str(path))
    run_cli("gather", "--study", "s", "-o", str(tmp_path / "d.h5"), *shards)
    run_cli("summarize", "--csv", str(tmp_path / "s.csv"), "--plot", str(tmp_path / "s.png"), str(tmp_path / "d.h5"))
    rows = list(csv.DictReader(open(tmp_path / "s.csv")))
    assert [float(r["W"]) for r in rows] == [2.0, 30.0] and all(r["samples"] == "6" for r in rows)
    assert float(rows[0]["participation"]) > float(rows[1]["participation"])
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
