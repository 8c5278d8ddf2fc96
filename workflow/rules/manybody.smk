# The many-body kind (wavelearn.campaign.manybody): one VMC run per (study, L, alpha, W), its
# checkpoints beside its output (a killed run resumes), and the plots per study.

from wavelearn.campaign.manybody import plots_path, run_file, work_dir

nqs_point = point_getter("manybody")


wildcard_constraints:
    alpha=r"[0-9]+(\.[0-9]+)?",


rule nqs:
    output:
        run_file(RESULTS, "{study}", "{L}", "{alpha}", "{W}"),
    params:
        args=lambda wildcards: nqs_point(wildcards).job_arguments(nqs_point(wildcards).chunks[0]),
        workdir=lambda wildcards: work_dir(RESULTS, **dict(wildcards)),
    log:
        "logs/nqs/{study}/L{L}_alpha{alpha}_W{W}.log",
    benchmark:
        "benchmarks/nqs/{study}/L{L}_alpha{alpha}_W{W}.tsv"
    threads: 1
    retries: 1
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn nqs {params.args} --workdir {params.workdir:q} --output {output:q} --no-progress > {log:q} 2>&1"


rule plot_nqs:
    input:
        lambda wildcards: [
            pt.output(RESULTS, pt.chunks[0]) for pt in PLAN.points_of("manybody") if pt.study == wildcards.study
        ],
    output:
        energy=report(plots_path(RESULTS, "{study}", "energy"), caption="../report/nqs_energy.rst",
                      category="Neural quantum states", subcategory="{study}"),
        alpha=report(plots_path(RESULTS, "{study}", "error_vs_alpha"), caption="../report/nqs_error.rst",
                     category="Neural quantum states", subcategory="{study}"),
    log:
        "logs/plot_nqs/{study}.log",
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn plot-nqs {input:q} --energy-plot {output.energy:q} --alpha-plot {output.alpha:q} > {log:q} 2>&1"
