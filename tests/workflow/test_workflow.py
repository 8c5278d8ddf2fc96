"""The Snakemake campaign, run for real with the local executor on scratch campaigns."""

import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
from wavelearn.io.shards import read_shard

TINY = {"name": "tiny", "model": "anderson", "dim": 2, "L": [6], "W": [1.0, 3.0, 5.0], "energy": 0.1,
        "nev": 3, "realizations": 4, "realizations_per_job": 2}
# A two-rank study: its jobs run under mpiexec inside the workflow.
TINY_MPI = {**TINY, "name": "tinympi", "W": [2.0], "realizations": 2, "mpi_ranks": 2}
pytestmark = pytest.mark.slow


def test_dry_run_counts_jobs_per_rule(tmp_path, write_config, planned_jobs):
    write_config(tmp_path, [{**TINY, "L": [4, 6]}, {**TINY, "name": "perc", "model": "percolation", "L": [6, 8], "p": [0.5, 0.9],
                                                     "W": [0.0], "realizations": 5}])
    # tiny: 2 L x 3 W x 2 chunks; perc: 2 L x 2 p x 3 chunks (5 realizations, 2 per job)
    assert planned_jobs(tmp_path) == {"all": 1, "eigensolve": 12 + 12, "gather": 4, "summarize": 1, "criticality": 2,
                                      "plot_states": 4}


def test_invalid_config_stops_before_any_job(tmp_path, snakemake, write_config):
    write_config(tmp_path, [{**TINY, "model": "lieb"}])
    result = snakemake(tmp_path, "--cores", "1", check=False)
    assert result.returncode != 0
    assert "'lieb' is not one of ['anderson', 'percolation']" in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_lint_is_clean(tmp_path, snakemake, write_config):
    write_config(tmp_path, [TINY])
    result = snakemake(tmp_path, "--lint", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def campaign(tmp_path_factory, root, snakemake, write_config):
    """A tiny campaign, run once for real with the local profile."""
    workdir = tmp_path_factory.mktemp("campaign")
    write_config(workdir, [TINY, TINY_MPI])
    snakemake(workdir, "--profile", str(root / "profiles/local"), "--cores", "2")
    return workdir


def test_campaign_outputs_logs_and_benchmarks(campaign, planned_jobs):
    shards = sorted((campaign / "results/tiny/L6").glob("W*/chunk*.h5"))
    assert len(shards) == 6
    assert (campaign / "results/summary.csv").read_text().count("\n") == 1 + 3 + 1
    assert (campaign / "results/summary.png").stat().st_size > 1000
    assert (campaign / "results/tiny/L6/states.png").read_bytes()[:4] == b"\x89PNG"
    logs = list((campaign / "logs/eigensolve").rglob("*.log"))
    assert len(logs) == 7 and all("wrote" in log.read_text() for log in logs)
    assert len(list((campaign / "benchmarks/eigensolve").rglob("*.tsv"))) == 7
    assert read_shard(campaign / "results/tinympi/L6/W2_p1_flux0/chunk000.h5").attrs["mpi_ranks"] == 2
    assert planned_jobs(campaign) == {}  # nothing left to do


def test_gather_holds_every_shard_sample_exactly_once(campaign):
    shards = sorted(str(p.relative_to(campaign)) for p in (campaign / "results/tiny/L6").glob("W*/chunk*.h5"))
    with h5py.File(campaign / "results/tiny/L6/dataset.h5") as f:
        density = f["density"][()]
        samples = {name: f["samples"][name][()] for name in f["samples"]}
        assert f["density"].chunks == (1, 6, 6)
    sources = [s.decode() if isinstance(s, bytes) else s for s in samples["source"]]
    assert sorted(set(sources)) == shards
    keys = list(zip(sources, samples["realization"], samples["state"]))
    assert len(keys) == len(set(keys)) == 6 * 2 * 3
    for path in shards:
        shard = read_shard(campaign / path)
        rows = np.flatnonzero(np.array(sources) == path)
        np.testing.assert_array_equal(density[rows], shard.density.reshape(-1, 6, 6))
        np.testing.assert_array_equal(samples["eigenvalue"][rows], shard.eigenvalues.ravel())
        assert np.all(samples["W"][rows] == shard.model.W) and np.all(samples["seed"][rows] == 7)


def test_changing_one_value_reruns_only_that_point(campaign, tmp_path, write_config, planned_jobs, planned_outputs):
    work = copy_campaign(campaign, tmp_path)
    write_config(work, [{**TINY, "W": [1.0, 3.5, 5.0]}, TINY_MPI])
    assert planned_jobs(work) == {"all": 1, "eigensolve": 2, "gather": 1, "summarize": 1, "plot_states": 1,
                                  "criticality": 1}
    assert sorted(planned_outputs(work, "eigensolve")) == [
        "results/tiny/L6/W3.5_p1_flux0/chunk000.h5", "results/tiny/L6/W3.5_p1_flux0/chunk001.h5"]


def test_adding_a_point_adds_only_its_jobs(campaign, tmp_path, write_config, planned_jobs):
    work = copy_campaign(campaign, tmp_path)
    write_config(work, [{**TINY, "W": [1.0, 3.0, 5.0, 7.0]}, TINY_MPI])
    assert planned_jobs(work) == {"all": 1, "eigensolve": 2, "gather": 1, "summarize": 1, "plot_states": 1,
                                  "criticality": 1}


def test_more_realizations_add_chunks_and_keep_old_ones(campaign, tmp_path, write_config, planned_jobs, planned_outputs):
    work = copy_campaign(campaign, tmp_path)
    write_config(work, [{**TINY, "realizations": 8}, TINY_MPI])
    assert planned_jobs(work) == {"all": 1, "eigensolve": 3 * 2, "gather": 1, "summarize": 1, "plot_states": 1,
                                  "criticality": 1}
    assert all("chunk002" in o or "chunk003" in o for o in planned_outputs(work, "eigensolve"))


def test_local_run_matches_direct_cli(campaign, tmp_path, bin_dir, env):
    out = tmp_path / "direct.h5"
    subprocess.run([str(bin_dir / "wavelearn"), "eigensolve", "--dim", "2", "--L", "6", "--W", "3", "--energy", "0.1",
                    "--nev", "3", "--seed", "7", "--realizations", "2:4", "--no-progress", "-o", str(out)],
                   check=True, env=env, capture_output=True)
    np.testing.assert_allclose(read_shard(out).eigenvalues,
                               read_shard(campaign / "results/tiny/L6/W3_p1_flux0/chunk001.h5").eigenvalues, atol=1e-12)


@pytest.mark.timeout(300)
def test_killed_job_leaves_no_complete_output_and_rerun_recovers(tmp_path, root, bin_dir, env, snakemake,
                                                                 write_config):
    # The job is held between writing its shard's temporary file and renaming it (the test pause
    # of wavelearn.io.atomic), and Snakemake with all its jobs is killed exactly then.
    write_config(tmp_path, [{**TINY, "name": "slow", "W": [2.0], "realizations": 2}])
    paused = {**env, "WAVELEARN_TEST_PAUSE_BEFORE_RENAME": "120"}
    proc = subprocess.Popen([str(bin_dir / "snakemake"), "--snakefile", str(root / "Snakefile"), "--directory",
                             str(tmp_path), "--profile", str(root / "profiles/local"), "--cores", "1"],
                            env=paused, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    folder = tmp_path / "results/slow/L6/W2_p1_flux0"
    deadline = time.time() + 120
    while not list(folder.glob(".chunk000.h5.tmp-*")) and time.time() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None and list(folder.glob(".chunk000.h5.tmp-*")), "the job never reached its write"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (folder / "chunk000.h5").exists()
    snakemake(tmp_path, "--unlock")  # a killed Snakemake leaves its lock behind
    snakemake(tmp_path, "--profile", str(root / "profiles/local"), "--cores", "2", "--rerun-incomplete")
    assert read_shard(folder / "chunk000.h5").eigenvalues.shape == (2, 3)


@pytest.mark.timeout(600)
def test_a_growing_last_chunk_reruns_only_that_chunk_for_real(tmp_path, root, snakemake, write_config,
                                                               planned_jobs, planned_outputs):
    study = {**TINY, "name": "grow", "W": [2.0], "realizations": 5, "realizations_per_job": 2}
    write_config(tmp_path, [study])
    snakemake(tmp_path, "--profile", str(root / "profiles/local"), "--cores", "2")
    folder = tmp_path / "results/grow/L6/W2_p1_flux0"
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("chunk*.h5")}
    assert sorted(before) == ["chunk000.h5", "chunk001.h5", "chunk002.h5"]
    write_config(tmp_path, [{**study, "realizations": 6}])
    assert planned_outputs(tmp_path, "eigensolve") == ["results/grow/L6/W2_p1_flux0/chunk002.h5"]
    snakemake(tmp_path, "--profile", str(root / "profiles/local"), "--cores", "2")
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("chunk*.h5")}
    assert after["chunk000.h5"] == before["chunk000.h5"] and after["chunk001.h5"] == before["chunk001.h5"]
    assert list(read_shard(folder / "chunk002.h5").realization) == [4, 5]
    with h5py.File(tmp_path / "results/grow/L6/dataset.h5") as f:
        assert sorted(set(f["samples/realization"][()].tolist())) == [0, 1, 2, 3, 4, 5]
    assert planned_jobs(tmp_path) == {}


def test_failing_job_is_retried_then_reported_with_its_log(tmp_path, env, snakemake, write_config, root):
    # A job that fails at run time (validation accepted the config): the fault is injected into
    # realization 1 (wavelearn.eigenstates.injected_fault), so both attempts fail.
    write_config(tmp_path, [{**TINY, "name": "fails", "W": [1.0], "realizations": 2}])
    faulty = {**env, "WAVELEARN_INJECT_FAULT": "realization=1"}
    result = snakemake(tmp_path, "--profile", str(root / "profiles/local"), "--cores", "1", check=False, env=faulty)
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert "logs/eigensolve/fails/L6/W1_p1_flux0/chunk000.log" in text
    assert text.count("Error in rule eigensolve") == 2  # first attempt and the retry
    assert "injected fault" in (tmp_path / "logs/eigensolve/fails/L6/W1_p1_flux0/chunk000.log").read_text()
    assert not (tmp_path / "results/fails/L6/W1_p1_flux0/chunk000.h5").exists()


def test_a_config_jobs_could_not_run_stops_before_any_job(tmp_path, snakemake, write_config):
    # The dense backend cannot hold L^3 = 21952 sites: refused at validation, nothing starts.
    write_config(tmp_path, [{**TINY, "name": "big", "dim": 3, "L": [28], "W": [1.0], "backend": "dense"}])
    result = snakemake(tmp_path, "--cores", "1", check=False)
    assert result.returncode != 0 and "backend 'dense' holds an n x n matrix; L=28" in result.stdout + result.stderr
    assert not (tmp_path / "results").exists() and not (tmp_path / "logs").exists()


def copy_campaign(source, tmp_path):
    work = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(source), str(work)], check=True)
    return work


def test_end_to_end_solve_gather_train_scan(tmp_path, root, snakemake, write_config):
    study = {"name": "ml", "model": "anderson", "dim": 2, "L": [8], "W": [1.0, 4.0, 8.0, 14.0, 20.0],
             "energy": 0.0, "nev": 4, "realizations": 6, "realizations_per_job": 6}
    network = {"name": "net", "train_study": "ml", "epochs": 3, "batch_size": 8,
               "classes": [{"name": "metal", "parameter": "W", "low": 0.0, "high": 2.0},
                           {"name": "insulator", "parameter": "W", "low": 18.0, "high": 25.0}]}
    workdir = tmp_path / "ml"
    write_config(workdir, [study])
    import yaml

    config = yaml.safe_load((workdir / "config.yaml").read_text())
    (workdir / "config.yaml").write_text(yaml.safe_dump({**config, "learning": [network]}))
    snakemake(workdir, "--profile", str(root / "profiles/local"), "--cores", "2")
    base = workdir / "results/learning/net"
    assert (base / "L8/network.json").exists() and (base / "L8/checkpoint.msgpack").exists()
    assert (base / "L8/history.csv").read_text().count("\n") == 4
    rows = (base / "scan_ml/L8.csv").read_text().splitlines()
    assert rows[0].startswith("L,W,p,flux,states,realizations,degenerate_excluded,P_metal") and len(rows) == 6
    assert (base / "scan_ml/phase_diagram.csv").read_text().startswith("L,W_c,low,high")
    assert (base / "scan_ml/phase_diagram.png").stat().st_size > 1000
