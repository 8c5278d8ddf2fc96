# One job per point x realization chunk. A study with mpi_ranks > 1 makes MPI jobs:
# `resources.tasks` ranks started by `resources.mpi` (mpiexec locally, srun on SLURM).


rule eigensolve:
    output:
        f"{RESULTS}/{{study}}/L{{L}}/W{{W}}_p{{p}}_flux{{flux}}/chunk{{chunk}}.h5",
    params:
        args=solve_arguments,
        launch=launch_prefix,
    log:
        "logs/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.log",
    benchmark:
        "benchmarks/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.tsv"
    threads: mpi_ranks
    resources:
        tasks=lambda wildcards: mpi_ranks(wildcards) if mpi_ranks(wildcards) > 1 else 0,
        mpi=mpi_launcher,
    retries: 1
    conda:
        "../../envs/eigensolve.yaml"
    shell:
        "{params.launch} wavelearn eigensolve {params.args} "
        "--no-progress --output {output} > {log} 2>&1"
