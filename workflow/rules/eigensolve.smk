# One job per point x realization chunk. A study with mpi_ranks > 1 makes MPI jobs:
# `resources.tasks` ranks started by `resources.mpi` (mpiexec locally, srun on SLURM).


rule eigensolve:
    output:
        f"{RESULTS}/{{study}}/L{{L}}/W{{W}}_p{{p}}_flux{{flux}}/chunk{{chunk}}.h5",
    params:
        args=solve_arguments,
    log:
        "logs/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.log",
    benchmark:
        "benchmarks/eigensolve/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.tsv"
    threads: mpi_ranks
    resources:
        tasks=lambda wildcards: mpi_ranks(wildcards) if mpi_ranks(wildcards) > 1 else 0,
        mpi=mpi_launcher,
        launch=launch_prefix,
        cpus_per_task=1,  # MPI ranks are tasks; serial solves grouped N per job get N CPUs
    retries: 1
    conda:
        "../../envs/eigensolve.yaml"
    shell:
        "{resources.launch} wavelearn eigensolve {params.args} "
        "--no-progress --output {output} > {log} 2>&1"
