"""Participation ratios and the campaign summary."""

import csv

import numpy as np
import pytest

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


def test_plan_lists_points_jobs_and_core_hours(tmp_path):
    from conftest import run_cli

    (tmp_path / "c.yaml").write_text(
        "campaign_seed: 3\nstudies:\n  - {name: s, model: anderson, dim: 3, L: [6, 8], W: [5, 20],"
        " realizations: 8, realizations_per_job: 4}\n")
    out = run_cli("plan", "--config", str(tmp_path / "c.yaml")).stdout
    assert "4 points" in out and "8 solve jobs" in out and "core-hours" in out
    assert "L=6" in out and "L=8" in out


def test_plan_reports_config_errors(tmp_path):
    from conftest import run_cli

    (tmp_path / "c.yaml").write_text("campaign_seed: 3\nstudies:\n  - {name: s, model: lieb, dim: 3, L: [6]}\n")
    result = run_cli("plan", "--config", str(tmp_path / "c.yaml"), check=False)
    assert result.returncode == 2 and "'lieb' is not one of" in result.stderr


def test_gather_and_summarize_cli(tmp_path):
    from conftest import run_cli

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


def test_gather_refuses_mixed_sizes(tmp_path):
    from conftest import run_cli

    for L in (4, 6):
        run_cli("eigensolve", "--dim", "2", "--L", str(L), "--nev", "2", "--backend", "dense", "--no-progress",
                "-o", str(tmp_path / f"L{L}.h5"))
    result = run_cli("gather", "-o", str(tmp_path / "d.h5"), str(tmp_path / "L4.h5"), str(tmp_path / "L6.h5"),
                     check=False)
    assert result.returncode != 0 and "L=6" in result.stderr
    assert not (tmp_path / "d.h5").exists()


def test_momentum_density_of_a_plane_wave_is_a_delta():
    from wavelearn.io.datasets import momentum_density

    L = 6
    x, y = np.meshgrid(np.arange(L), np.arange(L), indexing="ij")
    psi = np.exp(2j * np.pi * (x + 2 * y) / L)[None] / L
    rho = momentum_density(psi)[0]
    peak = np.unravel_index(np.argmax(rho), rho.shape)
    assert rho[peak] == pytest.approx(1.0) and peak == (L // 2 + 1, L // 2 + 2)  # k = 0 sits at L/2


def test_gather_adds_momentum_density_when_shards_carry_psi(tmp_path):
    import h5py

    from conftest import run_cli

    path = tmp_path / "psi.h5"
    run_cli("eigensolve", "--dim", "2", "--L", "6", "--W", "3", "--nev", "2", "--realizations", "0:2",
            "--backend", "dense", "--save-psi", "--no-progress", "-o", str(path))
    run_cli("gather", "-o", str(tmp_path / "d.h5"), str(path))
    with h5py.File(tmp_path / "d.h5") as f, h5py.File(path) as s:
        psi = s["psi"][()].reshape(4, 6, 6)
        k = np.abs(np.fft.fftshift(np.fft.fft2(psi), axes=(1, 2))) ** 2
        np.testing.assert_allclose(f["density_k"][()], k / k.sum(axis=(1, 2), keepdims=True), atol=1e-6)


def test_cli_reports_unreadable_files_without_traceback(tmp_path):
    from conftest import run_cli

    bogus = tmp_path / "bogus.h5"
    bogus.write_text("not hdf5")
    for args in (["show", str(bogus)], ["gather", "-o", str(tmp_path / "d.h5"), str(bogus)]):
        result = run_cli(*args, check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr and "error" in result.stderr
