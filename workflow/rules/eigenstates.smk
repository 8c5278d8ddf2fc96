# The eigenstate kind (wavelearn.campaign.eigenstates): one eigensolve job per point x chunk of
# realizations; shards -> one dataset per study and L -> campaign summary and state images.
# A study with mpi_ranks > 1 makes MPI jobs: `resources.tasks` ranks started by srun on SLURM,
# mpiexec elsewhere.

from wavelearn.campaign.eigenstates import (
    dataset_path,
    gathered_shards,
    shard_path,
    state_values,
    states_image_path,
    study_sizes,
)

eigen_point = point_getter("eigenstates")
eigen_chunk = chunk_getter("eigenstates")
mpi_ranks = ranks_getter("eigenstates")
SHARDS = gathered_shards(PLAN.points_of("eigenstates"), RESULTS)  # (study, L) -> shards


wildcard_constraints:
    W=r"[0-9]+(\.[0-9]+)?",
    p=r"[0-9]+(\.[0-9]+)?",
    flux=r"-?[0-9]+(\.[0-9]+)?",


rule eigensolve:
    output:
        shard_path(RESULTS, "{study}", "{L}", "{W}", "{p}", "{flux}", "{chunk}"),
    params:
        args=lambda wildcards: eigen_point(wildcards).job_arguments(eigen_chunk(wildcards)),
    log:
        "logs/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.log",
    benchmark:
        "benchmarks/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.tsv"
    threads: mpi_ranks
    resources:
        tasks=lambda wildcards: mpi_ranks(wildcards) if mpi_ranks(wildcards) > 1 else 0,
        mpi=lambda wildcards: mpi_launcher(mpi_ranks(wildcards)),
        launch=lambda wildcards: launch_prefix(mpi_ranks(wildcards)),
        cpus_per_task=1,  # MPI ranks are tasks; serial solves grouped N per job get N CPUs
    retries: 1
    conda:
        "../../envs/eigensolve.yaml"
    shell:
        "{resources.launch} wavelearn eigensolve {params.args} "
        "--no-progress --output {output} > {log} 2>&1"


rule gather:
    input:
        lambda wildcards: SHARDS[(wildcards.study, wildcards.L)],
    output:
        dataset_path(RESULTS, "{study}", "{L}"),
    log:
        "logs/gather/{study}/L{L}.log",
    benchmark:
        "benchmarks/gather/{study}/L{L}.tsv"
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn gather --study {wildcards.study} --output {output} {input} > {log} 2>&1"


rule summarize:
    input:
        [dataset_path(RESULTS, study, L) for study, L in study_sizes(PLAN.points_of("eigenstates"))],
    output:
        csv=f"{RESULTS}/summary.csv",
        plot=f"{RESULTS}/summary.png",
    log:
        "logs/summarize.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn summarize --csv {output.csv} --plot {output.plot} {input} > {log} 2>&1"


rule plot_states:
    input:
        dataset_path(RESULTS, "{study}", "{L}"),
    output:
        states_image_path(RESULTS, "{study}", "{L}"),
    params:
        values=lambda wildcards: state_values(study_of(wildcards)),
    log:
        "logs/plot_states/{study}/L{L}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn plot-states {input} {params.values} --output {output} > {log} 2>&1"
