# CNN phase classification: one network per (network, L) trained on the training study's
# states inside the class windows; scans of other studies; phase diagrams with critical points.


rule train_cnn:
    input:
        lambda wildcards: dataset_path(RESULTS, NETWORKS[wildcards.net]["train_study"], wildcards.L),
    output:
        f"{RESULTS}/learning/{{net}}/L{{L}}/model.json",
    params:
        args=train_arguments,
        workdir=lambda wildcards, output: os.path.dirname(output[0]),
    log:
        "logs/train_cnn/{net}/L{L}.log",
    benchmark:
        "benchmarks/train_cnn/{net}/L{L}.tsv"
    threads: 2
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn train {input} {params.args} --workdir {params.workdir} --no-progress > {log} 2>&1"


rule scan:
    input:
        model=f"{RESULTS}/learning/{{net}}/L{{L}}/model.json",
        data=lambda wildcards: dataset_path(RESULTS, wildcards.scan, wildcards.L),
    output:
        csv=f"{RESULTS}/learning/{{net}}/scan_{{scan}}/L{{L}}.csv",
        h5=f"{RESULTS}/learning/{{net}}/scan_{{scan}}/L{{L}}.h5",
    params:
        model=lambda wildcards, input: os.path.dirname(input.model),
    log:
        "logs/scan/{net}/{scan}/L{L}.log",
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn scan {input.data} --model {params.model} --csv {output.csv} --h5 {output.h5} > {log} 2>&1"


rule phase_diagram:
    input:
        scans_of,
    output:
        csv=f"{RESULTS}/learning/{{net}}/scan_{{scan}}/phase_diagram.csv",
        plot=f"{RESULTS}/learning/{{net}}/scan_{{scan}}/phase_diagram.png",
    log:
        "logs/phase_diagram/{net}/{scan}.log",
    conda:
        "../../envs/learning.yaml"
    shell:
        "wavelearn phase-diagram {input} --csv {output.csv} --plot {output.plot} > {log} 2>&1"
