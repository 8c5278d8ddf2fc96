"""The SLURM profile against a real single-node Slurm (munge + slurmctld + slurmd).

The cluster is configured by envs/slurm/single-node.sh into a temporary folder and stopped
afterwards. Skipped, with the reason, only where Slurm cannot be started (not root, or the
Debian packages missing) — and never under CI, where that is a failure.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from wavelearn.io.shards import read_shard

pytestmark = [pytest.mark.slow, pytest.mark.slurm]
SCRIPT = Path(__file__).resolve().parents[2] / "envs/slurm/single-node.sh"


@pytest.fixture(scope="module")
def slurm(tmp_path_factory, env, requires):
    requires(os.geteuid() == 0, "a single-node Slurm needs root")
    requires(shutil.which("slurmctld") is not None and shutil.which("munged") is not None,
             "Slurm is not installed (make install installs it when root)")
    folder = tmp_path_factory.mktemp("slurm")
    started = subprocess.run([str(SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        subprocess.run([str(SCRIPT), "stop", str(folder)], capture_output=True)
        pytest.fail(f"single-node Slurm did not start:\n{started.stdout}\n{started.stderr}")
    env = {**env, "SLURM_CONF": str(folder / "slurm.conf"), "PATH": f"{folder / 'bin'}{os.pathsep}{env['PATH']}"}
    yield env
    subprocess.run([str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=60)


def test_campaign_runs_through_sbatch_and_matches_a_local_run(slurm, tmp_path, root, bin_dir, env, snakemake, write_config):
    study = {"name": "cluster", "model": "anderson", "dim": 3, "L": [5], "W": [8.0, 20.0], "energy": 0.0,
             "nev": 3, "realizations": 4, "realizations_per_job": 2}
    # A two-rank study: its jobs are started by srun inside the sbatch allocation.
    mpi = {**study, "name": "clustermpi", "W": [12.0], "realizations": 2, "mpi_ranks": 2}
    write_config(tmp_path, [study, mpi])
    result = snakemake(
        tmp_path, "--profile", str(root / "profiles/slurm"),
        # test-only overrides: this cluster's partition, small memory, quick status checks
        "--default-resources", "slurm_partition=debug", "mem_mb=500", "runtime=10",
        "--set-resources", "eigensolve:mem_mb_per_cpu=500", "gather:mem_mb=500",
        "--group-components", "solves=2",  # a group of 2 serial solves fits the 2-CPU node
        "--latency-wait", "10", "--slurm-init-seconds-before-status-checks", "1",
        "--seconds-between-status-checks", "2",
        env=slurm, timeout=900,
    )
    text = result.stdout + result.stderr
    job_ids = set(re.findall(r"SLURM jobid (\d+)", text))
    assert job_ids, text[-3000:]
    accounted = subprocess.run(["squeue", "--states=all", "-h", "-o", "%i"], env=slurm, capture_output=True,
                               text=True).stdout.split()
    assert job_ids <= set(accounted)  # Slurm knows every job Snakemake says it submitted

    for chunk, realizations in (("000", "0:2"), ("001", "2:4")):
        local = tmp_path / f"local{chunk}.h5"
        subprocess.run([str(bin_dir / "wavelearn"), "eigensolve", "--dim", "3", "--L", "5", "--W", "20", "--nev", "3",
                        "--seed", "7", "--realizations", realizations, "--no-progress", "-o", str(local)],
                       check=True, env=env, capture_output=True)
        remote = read_shard(tmp_path / f"results/cluster/L5/W20_p1_flux0/chunk{chunk}.h5")
        np.testing.assert_allclose(remote.eigenvalues, read_shard(local).eigenvalues, atol=1e-12)
    assert (tmp_path / "results/summary.csv").exists()
    two_ranks = read_shard(tmp_path / "results/clustermpi/L5/W12_p1_flux0/chunk000.h5")
    assert two_ranks.attrs["mpi_ranks"] == 2
    assert "srun --mpi=pmix -n 2 wavelearn eigensolve" in text  # started by srun, not mpiexec
