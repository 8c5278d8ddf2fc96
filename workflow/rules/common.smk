# Shared definitions: the validated config, its points, and path helpers.
# All logic lives in wavelearn.campaign; this file only adapts it to Snakemake's wildcards.

import os

from wavelearn.campaign.config import validate_config
from wavelearn.lattice.params import SCANNED, varying_parameters
from wavelearn.campaign.plan import (
    campaign_points,
    dataset_path,
    find_point,
    format_number,
    grid_values,
    index_points,
)

CAMPAIGN = validate_config(config)  # defaults filled, every point checked before any job
RESULTS = CAMPAIGN["results"]
POINTS = campaign_points(CAMPAIGN)
POINT_INDEX = index_points(POINTS)
STUDY_SIZES = sorted({(pt.study, pt.model.L) for pt in POINTS})


wildcard_constraints:
    study=r"[A-Za-z][A-Za-z0-9_-]*",
    L=r"[0-9]+",
    W=r"[0-9]+(\.[0-9]+)?",
    p=r"[0-9]+(\.[0-9]+)?",
    flux=r"-?[0-9]+(\.[0-9]+)?",
    chunk=r"[0-9][0-9][0-9]+",
    net=r"[A-Za-z][A-Za-z0-9_-]*",
    scan=r"[A-Za-z][A-Za-z0-9_-]*",


def point_of(wildcards):
    return find_point(POINT_INDEX, **dict(wildcards))


def chunk_of(wildcards):
    return point_of(wildcards).chunks[int(wildcards.chunk)]


def solve_arguments(wildcards):
    """Command-line arguments of one job: this point's own values and this chunk only."""
    point, chunk = point_of(wildcards), chunk_of(wildcards)
    m, s = point.model, point.settings
    return (
        f"--model {m.model} --dim {m.dim} --L {m.L} --W {format_number(m.W)} "
        f"--distribution {m.distribution} --p {format_number(m.p)} --percolation {m.percolation} "
        f"--flux {format_number(m.flux)} --boundary {m.boundary} --energy {format_number(s.target)} "
        f"--nev {s.nev} --tol {s.tol!r} --backend {point.backend} --seed {point.campaign_seed} "
        f"--realizations {chunk.realizations}" + (" --save-psi" if point.save_psi else "")
    )


def mpi_ranks(wildcards):
    return point_of(wildcards).mpi_ranks


def mpi_launcher(wildcards):
    """How to start the ranks of a multi-rank job: srun under the SLURM executor, mpiexec
    elsewhere. Single-rank jobs are not MPI jobs (empty launcher, tasks 0), so that grouped
    serial solves ask SLURM for one task with one CPU per solve."""
    if mpi_ranks(wildcards) == 1:
        return ""
    executor = getattr(workflow.executor_plugin, "name", "local")
    return "srun" if executor == "slurm" else "mpiexec --oversubscribe"


def launch_prefix(wildcards):
    """The command prefix that starts the ranks ('' for one rank). A resource, not a param:
    changing executor (local <-> SLURM) must not re-run finished solves."""
    launcher = mpi_launcher(wildcards)
    return f"{launcher} -n {mpi_ranks(wildcards)}" if launcher else ""


SHARDS = {}  # (study, L) -> shard paths, in config order
for _pt in POINTS:
    SHARDS.setdefault((_pt.study, str(_pt.model.L)), []).extend(_pt.shard_path(RESULTS, c) for c in _pt.chunks)


def shards_of(wildcards):
    return SHARDS[(wildcards.study, wildcards.L)]


def all_datasets():
    return [dataset_path(RESULTS, study, L) for study, L in STUDY_SIZES]


def all_state_images():
    return [f"{RESULTS}/{study}/L{L}/states.png" for study, L in STUDY_SIZES]


def state_values(wildcards):
    """Lowest, middle and highest value of the study's varying parameter (W, else p, else flux)."""
    study = next(s for s in CAMPAIGN["studies"] if s["name"] == wildcards.study)
    grids = {k: grid_values(study[k]) for k in SCANNED}
    parameter = varying_parameters(grids)[0]
    values = sorted(grids[parameter])
    picks = [values[0], values[len(values) // 2], values[-1]]
    return f"--parameter {parameter} --values " + " ".join(format_number(v) for v in picks)


# ---- learning
NETWORKS = {net["name"]: net for net in CAMPAIGN["learning"]}


def network_sizes(net):
    return sorted({L for study in CAMPAIGN["studies"] if study["name"] in net["scan_studies"] for L in study["L"]})


def train_arguments(wildcards):
    net = NETWORKS[wildcards.net]
    classes = " ".join(f"--class {c['name']}:{c['parameter']}:{c['low']}:{c['high']}" for c in net["classes"])
    architecture = (
        (f" --features {' '.join(map(str, net['features']))}" if "features" in net else "")
        + (f" --dense {net['dense']}" if "dense" in net else "")
        + (f" --dropout {net['dropout']}" if "dropout" in net else "")
    )
    return (f"{classes}{architecture} --input {net['input']} --epochs {net['epochs']} --batch-size {net['batch_size']} "
            f"--learning-rate {net['learning_rate']} --validation {net['validation']} --seed {net['seed']}")


def phase_diagrams():
    return [f"{RESULTS}/learning/{name}/scan_{scan}/phase_diagram.csv"
            for name, net in NETWORKS.items() for scan in net["scan_studies"]]


def scans_of(wildcards):
    study = next(s for s in CAMPAIGN["studies"] if s["name"] == wildcards.scan)
    return [f"{RESULTS}/learning/{wildcards.net}/scan_{wildcards.scan}/L{L}.h5" for L in study["L"]]
