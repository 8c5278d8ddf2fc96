# The transport kind (wavelearn.campaign.transport): one transport job per chunk of antidot
# layouts (Kwant, one core, one BLAS thread), gathered into one fingerprint dataset per study.

from wavelearn.campaign.transport import (
    chunk_path,
    fingerprints_path,
    fingerprints_plot_path,
    vae_arguments,
    vae_network,
    vae_report,
)

transport_point = point_getter("transport")
transport_chunk = chunk_getter("transport")


rule transport:
    output:
        chunk_path(RESULTS, "{study}", "{chunk}"),
    params:
        args=lambda wildcards: transport_point(wildcards).job_arguments(transport_chunk(wildcards)),
    log:
        "logs/transport/{study}/chunk{chunk}.log",
    benchmark:
        "benchmarks/transport/{study}/chunk{chunk}.tsv"
    threads: 1
    resources:
        cpus_per_task=1,
    retries: 1
    conda:
        "../../envs/transport.yaml"
    shell:
        "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 wavelearn transport {params.args} "
        "--no-progress --output {output:q} > {log:q} 2>&1"


rule gather_fingerprints:
    input:
        lambda wildcards: [
            transport_point(wildcards).output(RESULTS, c) for c in transport_point(wildcards).chunks
        ],
    output:
        fingerprints_path(RESULTS, "{study}"),
    log:
        "logs/gather_fingerprints/{study}.log",
    conda:
        "../../envs/transport.yaml"
    shell:
        "wavelearn gather-fingerprints {input:q} --output {output:q} > {log:q} 2>&1"


rule plot_fingerprints:
    input:
        fingerprints_path(RESULTS, "{study}"),
    output:
        report(fingerprints_plot_path(RESULTS, "{study}"), caption="../report/fingerprints.rst",
               category="Fingerprints", subcategory="{study}"),
    log:
        "logs/plot_fingerprints/{study}.log",
    conda:
        "../../envs/transport.yaml"
    shell:
        "wavelearn plot-fingerprints {input:q} --output {output:q} > {log:q} 2>&1"


rule train_vae:
    input:
        fingerprints_path(RESULTS, "{study}"),
    output:
        vae_network(RESULTS, "{study}", "{variant}"),
        # Written by the training's HistoryPlot beside history.csv: declared for the report.
        report(os.path.join(os.path.dirname(vae_network(RESULTS, "{study}", "{variant}")), "history.png"),
               caption="../report/vae_history.rst", category="Fingerprints", subcategory="{study}"),
    wildcard_constraints:
        variant="full|layout",
    params:
        args=lambda wildcards: vae_arguments(study_of(wildcards), wildcards.variant),
        workdir=lambda wildcards, output: os.path.dirname(output[0]),
    log:
        "logs/train_vae/{study}/{variant}.log",
    benchmark:
        "benchmarks/train_vae/{study}/{variant}.tsv"
    threads: 2
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn vae train {input:q} {params.args} --workdir {params.workdir:q} --no-progress > {log:q} 2>&1"


rule evaluate_vae:
    input:
        data=fingerprints_path(RESULTS, "{study}"),
        full=vae_network(RESULTS, "{study}", "full"),
        layout=vae_network(RESULTS, "{study}", "layout"),
    output:
        report(vae_report(RESULTS, "{study}"), caption="../report/vae_metrics.rst", category="Fingerprints",
               subcategory="{study}"),
        # Beside metrics.json (wavelearn vae evaluate): a reconstruction per --network, the latent maps.
        *[report(os.path.join(os.path.dirname(vae_report(RESULTS, "{study}")), name),
                 caption=f"../report/{caption}.rst", category="Fingerprints", subcategory="{study}")
          for name, caption in (("reconstructions-0.png", "vae_reconstructions"),
                                ("reconstructions-1.png", "vae_reconstructions"), ("latent.png", "vae_latent"))],
    params:
        full=lambda wildcards, input: os.path.dirname(input.full),
        layout=lambda wildcards, input: os.path.dirname(input.layout),
        folder=lambda wildcards, output: os.path.dirname(output[0]),
    log:
        "logs/evaluate_vae/{study}.log",
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn vae evaluate {input.data:q} --network {params.full:q} --network {params.layout:q} "
        "--output {params.folder:q} > {log:q} 2>&1"
