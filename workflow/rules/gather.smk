# Shards -> one dataset per study and L -> campaign summary.


rule gather:
    input:
        shards_of,
    output:
        f"{RESULTS}/{{study}}/L{{L}}/dataset.h5",
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
        all_datasets(),
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
        f"{RESULTS}/{{study}}/L{{L}}/dataset.h5",
    output:
        f"{RESULTS}/{{study}}/L{{L}}/states.png",
    params:
        values=state_values,
    log:
        "logs/plot_states/{study}/L{L}.log",
    conda:
        "../../envs/analysis.yaml"
    shell:
        "wavelearn plot-states {input} {params.values} --output {output} > {log} 2>&1"
