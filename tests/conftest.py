"""Fixtures shared by the tests: the project root, the ``wavelearn`` and ``snakemake`` commands
of the venv, scratch campaigns. MPI runs as root need OpenMPI's explicit permission."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
# Containers often forbid the cross-memory-attach OpenMPI uses for shared memory.
os.environ.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def require(condition: bool, reason: str) -> None:
    """Skip when a component is missing — except under CI, where a missing component fails."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: a missing component fails, it never skips)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def root() -> Path:
    """The project checkout."""
    return ROOT


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    """The venv's bin folder (wavelearn, snakemake)."""
    return BIN


@pytest.fixture(scope="session")
def env() -> dict:
    """The environment of subprocesses: the venv first in PATH."""
    return dict(ENV)


@pytest.fixture(scope="session")
def requires():
    """``requires(condition, reason)``: skip, or fail under CI."""
    return require


@pytest.fixture(scope="session")
def wavelearn_cmd():
    """``wavelearn_cmd(*args, ranks=1)``: the command line, under mpiexec for ranks > 1."""

    def command(*args: str, ranks: int = 1) -> list[str]:
        exe = str(BIN / "wavelearn")
        if ranks == 1:
            return [exe, *args]
        mpiexec = shutil.which("mpiexec")
        if mpiexec is None:
            pytest.fail("mpiexec not found: the native stack is not installed (run 'make install')")
        return [mpiexec, "-n", str(ranks), "--oversubscribe", exe, *args]

    return command


@pytest.fixture(scope="session")
def run_cli(wavelearn_cmd):
    """``run_cli(*args, ranks=1, check=True, timeout=300)``: run wavelearn, fail with its stderr."""

    def run(*args: str, ranks: int = 1, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        # ENV was captured before any test initialised MPI in this process: an initialised
        # parent's OMPI_/PMIX_ variables would make a child mpiexec fail.
        result = subprocess.run(wavelearn_cmd(*args, ranks=ranks), capture_output=True, text=True, timeout=timeout,
                                env=ENV)
        if check and result.returncode != 0:
            raise AssertionError(f"wavelearn {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    return run


# ---- the real Snakefile on scratch campaign folders

@pytest.fixture(scope="session")
def write_config():
    """``write_config(workdir, studies, seed=7, **top_level)``: a config.yaml in ``workdir``."""

    def write(workdir: Path, studies: list[dict], seed: int = 7, **top_level) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "config.yaml").write_text(yaml.safe_dump({"campaign_seed": seed, "studies": studies,
                                                             **top_level}))

    return write


@pytest.fixture(scope="session")
def snakemake():
    """``snakemake(workdir, *args, check=True, timeout=600, env=None)``: the project's Snakefile."""

    def run(workdir: Path, *args: str, check: bool = True, timeout: float = 600,
            env: dict | None = None) -> subprocess.CompletedProcess:
        cmd = [str(BIN / "snakemake"), "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), *args]
        result = subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        return result

    return run


def parse_job_stats(text: str) -> dict[str, int]:
    """Jobs per rule from a dry run's output: ``{}`` only when Snakemake says there is nothing to
    do. Output without a job table, or a table whose rows do not add up to its ``total``, fails
    the test: an unparsed table must never read as "nothing to rerun"."""
    if "Nothing to be done" in text:
        return {}
    if "Job stats:" not in text:
        pytest.fail(f"no 'Job stats:' table and no 'Nothing to be done' in the dry run's output:\n{text[-3000:]}")
    counts = {}
    for line in text.split("Job stats:", 1)[1].splitlines()[3:]:
        match = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if not match:
            break
        counts[match.group(1)] = int(match.group(2))
    total = counts.pop("total", None)
    if not counts or total != sum(counts.values()):
        pytest.fail(f"the dry run's job table did not parse (rows {counts}, total {total}):\n{text[-3000:]}")
    return counts


@pytest.fixture(scope="session")
def planned_jobs(snakemake):
    """``planned_jobs(workdir, *args)``: jobs per rule of a dry run (Snakemake's 'Job stats')."""

    def jobs(workdir: Path, *args: str) -> dict[str, int]:
        out = snakemake(workdir, "--dry-run", *args)
        return parse_job_stats(out.stdout + out.stderr)

    return jobs


@pytest.fixture(scope="session")
def planned_outputs(snakemake):
    """``planned_outputs(workdir, rule)``: the outputs a dry run plans for ``rule``."""

    def outputs(workdir: Path, rule: str) -> list[str]:
        out = snakemake(workdir, "--dry-run", "--printshellcmds")
        return re.findall(rf"rule {rule}:.*?output: (\S+)", out.stdout, flags=re.S)

    return outputs
