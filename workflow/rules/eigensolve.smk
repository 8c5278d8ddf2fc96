# One job per point x realization chunk. MPI: `resources.tasks` ranks launched by
# `resources.mpi` (mpiexec locally; the SLURM profile sets srun).


rule eigensolve:
    output:
        RESULTS + "/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.h5",
    params:
        args=solve_arguments,
    log:
        "logs/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.log",
    benchmark:
        "benchmarks/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.tsv"
    threads: lambda wildcards: point_of(wildcards).mpi_ranks
    resources:
        tasks=lambda wildcards: point_of(wildcards).mpi_ranks,
        mpi="mpiexec --oversubscribe",
    retries: 1
    conda:
        "../../envs/eigensolve.yaml"
    shell:
        "{resources.mpi} -n {resources.tasks} wavelearn eigensolve {params.args} "
        "--no-progress --output {output} > {log} 2>&1"
