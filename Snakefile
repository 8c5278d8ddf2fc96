# wavelearn campaign: the studies of config.yaml, each of a kind (wavelearn.campaign.registry),
# e.g. eigen-solves over (L, W, p, flux) grids gathered into datasets and summarised, and CNN
# phase classifiers with phase diagrams (results/learning/<net>/scan_<study>/).
#
#   snakemake -n                          # what would run (jobs per rule)
#   snakemake --profile profiles/local    # laptop / workstation
#   snakemake --profile profiles/slurm    # cluster (edit the partition first)

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


# The first page of `snakemake --report` (make report); every figure and table is marked report(...)
# in the rule files, with its caption in workflow/report/.
report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


# Each registered kind of study brings its own rule file.
for _kind in KINDS.values():

    include: f"workflow/rules/{_kind.rule_file}"


include: "workflow/rules/learning.smk"


localrules:
    all,


rule all:
    input:
        PLAN.targets(),
    default_target: True
