# The eigenstate kind (wavelearn.campaign.eigenstates): one eigensolve job per point x chunk of
# realizations (eigensolve_mpi for studies with mpi_ranks > 1); shards -> one dataset per study
# and L -> campaign summary and state images.

from wavelearn.campaign.eigenstates import (
    criticality_paths,
    dataset_path,
    gathered_shards,
    shard_path,
    state_values,
    states_image_path,
    study_sizes,
)

from wavelearn.campaign.criticality import criticality_scan_arguments, criticality_scans
from wavelearn.campaign.refine import Refinement, round_path

# Points of jobs: the plan's, or those the refinement of a study adds (wavelearn.campaign.refine).
REFINEMENT = Refinement(PLAN, lambda study, k: checkpoints.refine.get(study=study, round=str(k)).output[0])
eigen_point = REFINEMENT.point
eigen_chunk = lambda wildcards: eigen_point(wildcards).chunks[int(wildcards.chunk)]
mpi_ranks = lambda wildcards: eigen_point(wildcards).mpi_ranks
SHARDS = gathered_shards(PLAN.points_of("eigenstates"), RESULTS)  # (study, L) -> shards


wildcard_constraints:
    W=r"[0-9]+(\.[0-9]+)?",
    p=r"[0-9]+(\.[0-9]+)?",
    flux=r"-?[0-9]+(\.[0-9]+)?",


# Single-rank and multi-rank studies are one rule used twice with the same outputs, told apart by the study:
# serial solves are grouped N per sbatch job (profiles/slurm), MPI solves are jobs of their own
# (a group's string resources, such as the MPI launcher, must agree).
SERIAL_STUDIES = study_pattern({pt.study for pt in PLAN.points_of("eigenstates") if pt.mpi_ranks == 1})
MPI_STUDIES = study_pattern({pt.study for pt in PLAN.points_of("eigenstates") if pt.mpi_ranks > 1})


rule eigensolve:
    output:
        shard_path(RESULTS, "{study}", "{L}", "{W}", "{p}", "{flux}", "{chunk}"),
    wildcard_constraints:
        study=SERIAL_STUDIES,
    params:
        args=lambda wildcards: eigen_point(wildcards).job_arguments(eigen_chunk(wildcards)),
    log:
        "logs/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.log",
    benchmark:
        "benchmarks/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.tsv"
    threads: 1
    resources:
        # Not MPI jobs (no tasks, no launcher): grouped serial solves ask SLURM for one task
        # with one CPU per solve.
        tasks=0,
        mpi="",
        launch="",
        cpus_per_task=1,
    retries: 1
    conda:
        "../../envs/eigensolve.yaml"
    shell:
        "{resources.launch} wavelearn eigensolve {params.args} --no-progress --output {output:q} > {log:q} 2>&1"


use rule eigensolve as eigensolve_mpi with:
    wildcard_constraints:
        study=MPI_STUDIES,
    threads: mpi_ranks
    resources:
        # MPI ranks are tasks: `tasks` ranks started by `mpi` (srun on SLURM, mpiexec elsewhere).
        tasks=mpi_ranks,
        mpi=lambda wildcards: mpi_launcher(mpi_ranks(wildcards)),
        launch=lambda wildcards: launch_prefix(mpi_ranks(wildcards)),
        cpus_per_task=1,


rule gather:
    input:
        lambda wildcards: SHARDS[(wildcards.study, wildcards.L)] + REFINEMENT.shards(wildcards.study, wildcards.L),
    output:
        dataset_path(RESULTS, "{study}", "{L}"),
    log:
        "logs/gather/{study}/L{L}.log",
    benchmark:
        "benchmarks/gather/{study}/L{L}.tsv"
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn gather --study {wildcards.study} --output {output:q} {input:q} > {log:q} 2>&1"


rule summarize:
    input:
        [dataset_path(RESULTS, study, L) for study, L in study_sizes(PLAN.points_of("eigenstates"))],
    output:
        csv=report(f"{RESULTS}/summary.csv", caption="../report/summary_table.rst", category="Eigenstates",
                   subcategory="all studies"),
        plot=report(f"{RESULTS}/summary.png", caption="../report/summary.rst", category="Eigenstates",
                    subcategory="all studies"),
    log:
        "logs/summarize.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn summarize --csv {output.csv:q} --plot {output.plot:q} {input:q} > {log:q} 2>&1"


rule plot_states:
    input:
        dataset_path(RESULTS, "{study}", "{L}"),
    output:
        report(states_image_path(RESULTS, "{study}", "{L}"), caption="../report/states.rst", category="Eigenstates",
               subcategory="{study}"),
    params:
        values=lambda wildcards: state_values(study_of(wildcards)),
    log:
        "logs/plot_states/{study}/L{L}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn plot-states {input:q} {params.values} --output {output:q} > {log:q} 2>&1"



# ---------------------------------------------------------------------------------------------
# Criticality: level statistics, multifractality and finite-size scaling per study, beside the
# CNN's estimates where a network scans the study (wavelearn.analysis.criticality, .estimates).

# The caption (workflow/report/<name>.rst) of each file of criticality_paths in the report.
CRITICALITY_CAPTIONS = dict(csv="criticality_table", png="criticality", fss="criticality_fss",
                            sizes="criticality_sizes", estimates="critical_points_table",
                            estimates_plot="critical_points")


rule criticality:
    input:
        datasets=lambda wildcards: [dataset_path(RESULTS, wildcards.study, L) for L in study_of(wildcards)["L"]],
        scans=lambda wildcards: sum(criticality_scans(CAMPAIGN, wildcards.study).values(), []),
    output:
        **{name: report(path, caption=f"../report/{CRITICALITY_CAPTIONS[name]}.rst", category="Criticality",
                        subcategory="{study}")
           for name, path in criticality_paths(RESULTS, "{study}").items()},
    params:
        scans=lambda wildcards: criticality_scan_arguments(CAMPAIGN, wildcards.study),
    log:
        "logs/criticality/{study}.log",
    benchmark:
        "benchmarks/criticality/{study}.tsv"
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn criticality {input.datasets:q} {params.scans} --csv {output.csv:q} --plot {output.png:q} "
        "--fss-csv {output.fss:q} --sizes-csv {output.sizes:q} --estimates-csv {output.estimates:q} "
        "--estimates-plot {output.estimates_plot:q} > {log:q} 2>&1"


# ---------------------------------------------------------------------------------------------
# Adaptive refinement (a study's `refine:` key, wavelearn.campaign.refine): round k reads the
# shards of the grid and of the values added by rounds < k and writes round<k>.json with the
# values it adds; the shards of new values are ordinary eigensolve jobs (their paths encode the
# value, so the points already solved never change); the study's datasets gather them all once
# a round says it is done (REFINEMENT.shards walks the rounds).


checkpoint refine:
    input:
        lambda wildcards: REFINEMENT.round_inputs(wildcards.study, int(wildcards.round)),
    output:
        round_path(RESULTS, "{study}", "{round}"),
    params:
        args=lambda wildcards: REFINEMENT.round_arguments(wildcards.study, int(wildcards.round)),
    wildcard_constraints:
        round=r"[1-9][0-9]*",
    log:
        "logs/refine/{study}/round{round}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn refine {input:q} --round {wildcards.round} {params.args} --output {output:q} "
        "> {log:q} 2>&1"
