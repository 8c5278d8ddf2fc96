#!/usr/bin/env python
"""Benchmark of the campaign machinery: dry-run time and per-job overhead.

1. Dry run (DAG construction) of a 10,000-solve campaign: goal < 20 s.
2. Start-up cost of one `wavelearn eigensolve` job (interpreter, imports, PETSc/SLEPc/MPI
   initialisation, HDF5 write) against its solve time.
3. Chunking: 16 realizations of one point as 16 one-realization jobs vs one 16-realization
   job (local executor, 1 core).
4. Grouping (root only): 8 one-realization jobs submitted to a single-node Slurm one sbatch
   each vs bundled into one group job.

    python bench/workflow_bench.py --output bench/out-workflow.md
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "OMP_NUM_THREADS": "1",
       "OPENBLAS_NUM_THREADS": "1", "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def snakemake(workdir: Path, *args: str, env=None) -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "snakemake"), "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
                    *args], check=True, env=env or ENV, capture_output=True, text=True)
    return time.perf_counter() - start


def campaign(workdir: Path, study: dict) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump({"campaign_seed": 1, "studies": [study]}))
    return workdir


def dry_run(tmp: Path) -> tuple[int, float]:
    study = {"name": "big", "model": "anderson", "dim": 3, "L": [8], "W": {"start": 10, "stop": 20, "num": 100},
             "realizations": 400, "realizations_per_job": 4}
    work = campaign(tmp / "dry", study)
    seconds = snakemake(work, "--dry-run", "--quiet")
    return 100 * 100, seconds


def startup(tmp: Path, repeats: int = 5) -> tuple[float, float]:
    walls, solves = [], []
    for i in range(repeats):
        out = tmp / f"start{i}.h5"
        start = time.perf_counter()
        subprocess.run([str(BIN / "wavelearn"), "eigensolve", "--dim", "3", "--L", "6", "--W", "16.5", "--nev", "5",
                        "--realizations", f"{i}:{i + 1}", "--no-progress", "-o", str(out)], check=True, env=ENV,
                       capture_output=True)
        walls.append(time.perf_counter() - start)
        with h5py.File(out) as f:
            solves.append(float(f["solve_seconds"][0]))
    walls.sort(), solves.sort()
    return walls[repeats // 2], solves[repeats // 2]


def chunking(tmp: Path, L: int) -> tuple[float, float]:
    base = {"name": "chunks", "model": "anderson", "dim": 3, "L": [L], "W": [16.5], "realizations": 16}
    one_each = snakemake(campaign(tmp / f"rpj1_{L}", {**base, "realizations_per_job": 1}), "--cores", "1")
    all_in_one = snakemake(campaign(tmp / f"rpj16_{L}", {**base, "realizations_per_job": 16}), "--cores", "1")
    return one_each, all_in_one


def grouping(tmp: Path) -> tuple[float, float] | None:
    if os.geteuid() != 0:
        return None
    folder = tmp / "slurm"
    subprocess.run([str(ROOT / "envs/slurm/single-node.sh"), "start", str(folder)], check=True, capture_output=True)
    env = {**ENV, "SLURM_CONF": str(folder / "slurm.conf"), "PATH": f"{folder / 'bin'}{os.pathsep}{ENV['PATH']}"}
    common = ["--profile", str(ROOT / "profiles/slurm"), "--default-resources", "slurm_partition=debug",
              "mem_mb=500", "runtime=10", "--set-resources", "eigensolve:mem_mb_per_cpu=500", "gather:mem_mb=500",
              "--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "2",
              "--latency-wait", "5"]
    base = {"name": "groups", "model": "anderson", "dim": 3, "L": [8], "W": [16.5], "realizations": 8,
            "realizations_per_job": 1}
    try:
        single = snakemake(campaign(tmp / "ungrouped", base), *common, "--group-components", "solves=1", env=env)
        grouped = snakemake(campaign(tmp / "grouped", {**base, "name": "groups2"}), *common,
                            "--group-components", "solves=2", env=env)
    finally:
        subprocess.run([str(ROOT / "envs/slurm/single-node.sh"), "stop", str(folder)], capture_output=True)
    return single, grouped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default=None)
    parser.add_argument("--dry-run-only", action="store_true", help="the dry run only (the other rows take minutes)")
    parser.add_argument("--repeats", type=int, default=1, help="dry runs, each its own row [%(default)s]")
    args = parser.parse_args()
    lines = []
    say = lambda text="": (lines.append(text), print(text, flush=True))  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        say("## Campaign machinery")
        say()
        say(f"Command: `python bench/workflow_bench.py {' '.join(sys.argv[1:])}`; {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f} at the start.")
        say()
        say("| measurement | value |")
        say("|---|---|")
        for _ in range(args.repeats):
            jobs, seconds = dry_run(tmp)
            say(f"| dry run (`snakemake -n`) of {jobs} solve jobs + gathers | {seconds:.1f} s (goal < 20 s) |")
        if args.dry_run_only:
            return finish(lines, args.output)
        wall, solve = startup(tmp)
        say(f"| one `wavelearn eigensolve` job, 3D L=6, 1 realization: wall | {wall:.2f} s |")
        say(f"| of which the solve | {solve:.3f} s |")
        say(f"| start-up overhead per job (imports, PETSc/SLEPc/MPI init, HDF5 write) | {wall - solve:.2f} s |")
        for L in (8, 16):
            one_each, all_in_one = chunking(tmp, L)
            say(f"| 16 realizations, 3D L={L}, local, 1 core: 16 jobs x 1 realization | {one_each:.1f} s |")
            say(f"| same as 1 job x 16 realizations | {all_in_one:.1f} s (ratio {one_each / all_in_one:.1f}x) |")
        groups = grouping(tmp)
        if groups:
            say(f"| SLURM (single node): 8 solve jobs, one sbatch each | {groups[0]:.1f} s |")
            say(f"| same, grouped 2 per sbatch (`--group-components solves=2`) | {groups[1]:.1f} s |")
    finish(lines, args.output)


def finish(lines: list[str], output: str | None) -> None:
    if output:
        Path(output).write_text("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
