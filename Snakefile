# wavelearn campaign: eigen-solves over the (model, L, W, p, flux) grids of config.yaml,
# gathered into one HDF5 dataset per study and L, summarised in results/summary.{csv,png},
# classified by CNNs into phase diagrams (results/learning/<net>/scan_<study>/).
#
#   snakemake -n                          # what would run (jobs per rule)
#   snakemake --profile profiles/local    # laptop / workstation
#   snakemake --profile profiles/slurm    # cluster (edit the partition first)

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/eigensolve.smk"
include: "workflow/rules/gather.smk"
include: "workflow/rules/learning.smk"


localrules:
    all,


rule all:
    input:
        f"{RESULTS}/summary.csv",
        f"{RESULTS}/summary.png",
        all_state_images(),
        phase_diagrams(),
    default_target: True
