# Shared definitions: the validated config and its plan. All logic lives in wavelearn.campaign
# (the kinds of study, their points, arguments and paths); the rule files only adapt it to
# Snakemake's wildcards.

import os

from wavelearn.campaign.config import validate_config
from wavelearn.campaign.plan import Plan
from wavelearn.campaign.registry import KINDS

CAMPAIGN = validate_config(config)  # the one validation: schema, defaults, every point, before any job
RESULTS = CAMPAIGN["results"]
PLAN = Plan(CAMPAIGN)


wildcard_constraints:
    study=r"[A-Za-z][A-Za-z0-9_-]*",
    L=r"[0-9]+",
    chunk=r"[0-9][0-9][0-9]+",
    net=r"[A-Za-z][A-Za-z0-9_-]*",
    scan=r"[A-Za-z][A-Za-z0-9_-]*",


def point_getter(kind):
    """A getter of the point of ``kind`` a job's wildcards name."""
    return lambda wildcards: PLAN.point(kind, wildcards)


def chunk_getter(kind):
    return lambda wildcards: PLAN.chunk(kind, wildcards)


def ranks_getter(kind):
    """A getter of the MPI ranks of a job's point (1 for kinds without MPI jobs)."""
    return lambda wildcards: getattr(PLAN.point(kind, wildcards), "mpi_ranks", 1)


def study_pattern(names):
    """A wildcard constraint matching exactly these study names (nothing when empty)."""
    return "|".join(sorted(names)) or "(?!)"


def study_of(wildcards):
    return PLAN.studies[wildcards.study]


def mpi_launcher(ranks):
    """How to start the ranks of a multi-rank job: srun under the SLURM executor, mpiexec
    elsewhere. Single-rank jobs are not MPI jobs (empty launcher, tasks 0), so that grouped
    serial jobs ask SLURM for one task with one CPU per job."""
    if ranks == 1:
        return ""
    # "slurm" on the submitting side; inside the allocation the job's own Snakemake runs with
    # another executor, but SLURM_JOB_ID tells where it is.
    executor = getattr(workflow.executor_plugin, "name", "local")
    if "SLURM_JOB_ID" in os.environ:
        executor = "slurm"
    # srun needs the PMI flavour the MPI library speaks: Debian's OpenMPI 4 uses PMIx
    # (set WAVELEARN_SRUN_MPI, e.g. pmi2, where a cluster's MPI speaks another).
    return f"srun --mpi={os.environ.get('WAVELEARN_SRUN_MPI', 'pmix')}" if executor.startswith("slurm") else "mpiexec --oversubscribe"


def launch_prefix(ranks):
    """The command prefix that starts the ranks ('' for one rank). A resource, not a param:
    changing executor (local <-> SLURM) must not re-run finished jobs."""
    launcher = mpi_launcher(ranks)
    return f"{launcher} -n {ranks}" if launcher else ""
