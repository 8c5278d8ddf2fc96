# CNN phase classification (wavelearn.campaign.networks): one network per (network, L) trained on
# the training study's states inside the class windows; scans of other studies; phase diagrams.

from wavelearn.campaign.eigenstates import dataset_path
from wavelearn.campaign.networks import network_dir, network_file, phase_diagram_path, scan_path, train_arguments

NETWORKS = {net["name"]: net for net in CAMPAIGN["learning"]}


rule train_cnn:
    input:
        lambda wildcards: dataset_path(RESULTS, NETWORKS[wildcards.net]["train_study"], wildcards.L),
    output:
        network_file(RESULTS, "{net}", "{L}"),
        # Written by the training's HistoryPlot beside history.csv: declared for the report.
        report(f"{network_dir(RESULTS, '{net}', '{L}')}/history.png",
               caption="../report/cnn_history.rst", category="Learning", subcategory="{net} training"),
    params:
        args=lambda wildcards: train_arguments(NETWORKS[wildcards.net]),
        workdir=lambda wildcards, output: os.path.dirname(output[0]),
    log:
        "logs/train_cnn/{net}/L{L}.log",
    benchmark:
        "benchmarks/train_cnn/{net}/L{L}.tsv"
    threads: 2
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn train {input:q} {params.args} --workdir {params.workdir:q} --no-progress > {log:q} 2>&1"


rule scan:
    input:
        network=network_file(RESULTS, "{net}", "{L}"),
        data=lambda wildcards: dataset_path(RESULTS, wildcards.scan, wildcards.L),
    output:
        csv=report(scan_path(RESULTS, "{net}", "{scan}", "{L}", "csv"), caption="../report/scan_table.rst",
                   category="Learning", subcategory="{scan}"),
        h5=scan_path(RESULTS, "{net}", "{scan}", "{L}", "h5"),
    params:
        network=lambda wildcards, input: os.path.dirname(input.network),
    log:
        "logs/scan/{net}/{scan}/L{L}.log",
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn scan {input.data:q} --network {params.network:q} --csv {output.csv:q} --h5 {output.h5:q} > {log:q} 2>&1"


rule phase_diagram:
    input:
        lambda wildcards: [scan_path(RESULTS, wildcards.net, wildcards.scan, L, "h5")
                           for L in PLAN.studies[wildcards.scan]["L"]],
    output:
        csv=report(phase_diagram_path(RESULTS, "{net}", "{scan}", "csv"),
                   caption="../report/phase_diagram_table.rst", category="Learning", subcategory="{scan}"),
        plot=report(phase_diagram_path(RESULTS, "{net}", "{scan}", "png"), caption="../report/phase_diagram.rst",
                    category="Learning", subcategory="{scan}"),
    log:
        "logs/phase_diagram/{net}/{scan}.log",
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn phase-diagram {input:q} --csv {output.csv:q} --plot {output.plot:q} > {log:q} 2>&1"
