"""``wavelearn eigensolve`` end to end: shards, chunking, MPI ranks, bad input, killed jobs."""

import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from wavelearn.io.shards import read_shard

POINT = ["--dim", "3", "--L", "6", "--W", "12", "--energy", "0.2", "--nev", "4", "--seed", "11", "--no-progress"]


@pytest.fixture
def solve(tmp_path, run_cli):
    """``solve(name, *extra, ranks=1)``: the point POINT solved into tmp_path/name, read back."""

    def run(name, *extra, ranks=1):
        out = tmp_path / name
        run_cli("eigensolve", *POINT, *extra, "--output", str(out), ranks=ranks)
        return read_shard(out)

    return run


def test_shard_layout_and_attributes(tmp_path, solve):
    shard = solve("s.h5", "--realizations", "2:5", "--save-psi", "--backend", "scipy")
    with h5py.File(tmp_path / "s.h5") as f:
        assert f["eigenvalues"].shape == (3, 4) and f["eigenvalues"].dtype == np.float64
        assert f["density"].shape == (3, 4, 6, 6, 6) and f["density"].dtype == np.float32
        assert f["residuals"].shape == (3, 4)
        assert f["psi"].dtype == np.complex128
        assert list(f["realization"][()]) == [2, 3, 4]
        attrs = dict(f.attrs)
    np.testing.assert_allclose(shard.density.sum(axis=(2, 3, 4)), 1.0, rtol=1e-5)
    for key in ("W", "L", "dim", "model", "distribution", "p", "percolation", "flux", "boundary", "energy",
                "nev", "tol", "max_it", "campaign_seed", "backend", "git_commit", "version_numpy",
                "version_petsc", "wall_seconds", "mpi_ranks", "point_hash"):
        assert key in attrs, key
    assert attrs["W"] == 12.0 and attrs["campaign_seed"] == 11 and attrs["energy"] == 0.2
    assert np.all(shard.residuals < 1e-8)


def test_without_psi_flag_no_psi(tmp_path, solve):
    solve("s.h5", "--backend", "dense")
    with h5py.File(tmp_path / "s.h5") as f:
        assert "psi" not in f


def test_chunking_does_not_change_any_realization(tmp_path, solve):
    whole = solve("all.h5", "--realizations", "0:4")
    parts = [solve(f"part{i}.h5", "--realizations", r) for i, r in enumerate(["0:1", "1:3", "3:4"])]
    np.testing.assert_array_equal(np.concatenate([p.realization for p in parts]), whole.realization)
    np.testing.assert_allclose(np.concatenate([p.eigenvalues for p in parts]), whole.eigenvalues, atol=1e-12)
    np.testing.assert_allclose(np.concatenate([p.density for p in parts]), whole.density, atol=1e-6)


@pytest.mark.mpi
@pytest.mark.parametrize("extra", [[], ["--flux", "0.5"]], ids=["real", "complex"])
def test_two_ranks_equal_one_rank(tmp_path, extra, solve):
    one = solve("one.h5", "--realizations", "0:3", *extra)
    two = solve("two.h5", "--realizations", "0:3", *extra, ranks=2)
    assert two.attrs["mpi_ranks"] == 2
    np.testing.assert_allclose(two.eigenvalues, one.eigenvalues, atol=1e-10)
    np.testing.assert_allclose(two.density, one.density, atol=1e-6)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--L", "1"], "L=1"),
        (["--W", "-2"], "W=-2.0"),
        (["--model", "percolation", "--p", "1.2"], "p=1.2"),
        (["--model", "percolation", "--p", "-0.2"], "p=-0.2"),
        (["--L", "6", "--flux", "0.1"], "flux=0.1 is incommensurate with L=6"),
        (["--L", "2", "--nev", "8"], "nev=8 must be smaller than the number of sites"),
        (["--model", "kagome"], "invalid choice: 'kagome'"),
        (["--distribution", "levy"], "invalid choice: 'levy'"),
        (["--realizations", "5:2"], "realizations='5:2'"),
        (["--seed", "-1"], "seed=-1"),
        (["--tol", "0"], "tol=0.0"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path, args, message, run_cli):
    out = tmp_path / "never.h5"
    base = {"--L": "4", "--dim": "3"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = [x for kv in base.items() for x in kv]
    result = run_cli("eigensolve", *argv, "--no-progress", "--output", str(out), check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_non_convergence_names_point_and_realization(tmp_path, run_cli):
    out = tmp_path / "never.h5"
    result = run_cli("eigensolve", "--dim", "3", "--L", "8", "--W", "16.5", "--nev", "40", "--ncv", "41",
                     "--max-it", "1", "--tol", "1e-14", "--realizations", "3:5", "--no-progress",
                     "--output", str(out), check=False)
    assert result.returncode == 2
    assert "anderson-3d-L8-W16.5" in result.stderr and "realization 3" in result.stderr
    assert not out.exists()


@pytest.mark.timeout(120)
def test_killed_job_leaves_no_complete_looking_file(tmp_path, wavelearn_cmd, env):
    # The job is held after writing its shard to the temporary name and before the rename
    # (wavelearn.io.atomic's test pause): killed exactly there, mid-write.
    out = tmp_path / "killed.h5"
    proc = subprocess.Popen(
        wavelearn_cmd("eigensolve", "--dim", "2", "--L", "6", "--realizations", "0:3", "--backend", "dense",
                      "--no-progress", "--output", str(out)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**env, "WAVELEARN_TEST_PAUSE_BEFORE_RENAME": "60"},
    )
    deadline = time.time() + 60
    while not list(tmp_path.glob(".killed.h5.tmp-*")) and time.time() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None and list(tmp_path.glob(".killed.h5.tmp-*")), "the job never reached its write"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    assert all(p.name.startswith(".killed.h5.tmp-") for p in tmp_path.iterdir())  # hidden, never the name


def test_show_prints_parameters(tmp_path, run_cli, solve):
    solve("s.h5", "--backend", "dense")
    result = run_cli("show", str(tmp_path / "s.h5"))
    assert "anderson-3d-L6-W12" in result.stdout and "campaign_seed" in result.stdout


def test_help_explains_every_option(run_cli):
    text = run_cli("eigensolve", "--help").stdout
    for flag in ("--model", "--dim", "--L", "--W", "--distribution", "--p", "--percolation", "--flux",
                 "--energy", "--nev", "--seed", "--realizations", "--backend", "--output", "--save-psi"):
        assert flag in text


@pytest.mark.mpi
@pytest.mark.timeout(120)
def test_an_error_on_one_rank_ends_every_rank_within_seconds(tmp_path, wavelearn_cmd, env):
    # Rank 1 fails before its second realization while rank 0 enters the solve's collectives:
    # without MPI_Abort rank 0 would wait forever.
    out = tmp_path / "s.h5"
    start = time.perf_counter()
    result = subprocess.run(wavelearn_cmd("eigensolve", *POINT, "--realizations", "0:3", "--output", str(out),
                                          ranks=2),
                            env={**env, "WAVELEARN_INJECT_FAULT": "realization=1,rank=1"},
                            capture_output=True, text=True, timeout=100)
    assert result.returncode != 0
    assert "injected fault" in result.stderr and "on rank 1" in result.stderr
    assert time.perf_counter() - start < 60
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("backend", ["auto", "slepc"])
def test_a_job_runs_one_blas_thread_whatever_the_environment(tmp_path, wavelearn_cmd, env, backend):
    # A cluster module or a laptop shell may ask OpenBLAS for many threads; the job pins one per
    # process (faster here, and the last bits of the results independent of the core count).
    many = {**env, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    control = subprocess.run([sys.executable, "-c",
                              "import numpy; from wavelearn.blas import max_blas_threads; print(max_blas_threads())"],
                             env=many, capture_output=True, text=True, check=True)
    if len(os.sched_getaffinity(0)) >= 2:  # with one CPU OpenBLAS never runs two threads anyway
        assert int(control.stdout) == 2, "the environment alone should give OpenBLAS two threads"
    out = tmp_path / "s.h5"
    subprocess.run(wavelearn_cmd("eigensolve", *POINT, "--backend", backend, "--output", str(out)),
                   env=many, capture_output=True, check=True, timeout=300)
    with h5py.File(out) as f:
        assert f.attrs["blas_threads"] == 1
        assert f.attrs["solver"] == ("mumps" if backend == "auto" else "slepc")
