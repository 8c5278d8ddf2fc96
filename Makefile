# wavelearn — one command each for installing, testing, running and benchmarking.
#
#   make install   Debian packages (when root), .venv, native PETSc/SLEPc stack, Kwant, the package
#                  (GPU=cuda12: the CUDA build of JAX for the training rules)
#   make test      install + the test suite (real PETSc/SLEPc/MUMPS/MPI)
#   make run       install + the default campaign (config.yaml), local profile, and its report
#   make report    every figure and table of the finished campaign, with captions, in one HTML file
#   make dag       render the rule graph and the job DAG to dag/*.svg
#   make bench     install + the benchmarks (tables for docs/benchmarks.md)
#
# Every step is skipped when already done, so a second call takes seconds.

SHELL      := /bin/bash
VENV       ?= .venv
PY         := $(VENV)/bin/python
STAMPS     := $(VENV)/.stamps
PYTEST_ARGS ?=

SNAKEMAKE  := $(VENV)/bin/snakemake
# Rules call `wavelearn`: the venv comes first in PATH.
export PATH := $(abspath $(VENV))/bin:$(PATH)
# OpenMPI refuses to run as root without these; BLAS threads would fight MPI ranks.
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OMPI_MCA_btl_vader_single_copy_mechanism := none
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1

.PHONY: install system test run report dag bench clean help

help:
	@sed -n '2,11p' Makefile | sed 's/^# \{0,1\}//'

system:
	@envs/native/install-system.sh

$(PY): | system
	python3 -m venv $(VENV)

$(STAMPS)/stack: envs/native/build-stack.sh envs/native/steps.sh | $(PY)
	@echo "native stack (first time ~20 min on 2 cores; log in $(VENV)/build-stack.log)"
	@VENV=$(VENV) envs/native/build-stack.sh > $(VENV)/build-stack.log 2>&1 \
	  || { tail -40 $(VENV)/build-stack.log; exit 1; }
	@grep -E '^\s+\[(ok|done)\]' $(VENV)/build-stack.log
	@touch $@

$(STAMPS)/kwant: envs/native/build-kwant.sh envs/native/steps.sh $(STAMPS)/stack
	@echo "Kwant against the sequential MUMPS (first time ~5 min; log in $(VENV)/build-kwant.log)"
	@VENV=$(VENV) envs/native/build-kwant.sh > $(VENV)/build-kwant.log 2>&1 \
	  || { tail -40 $(VENV)/build-kwant.log; exit 1; }
	@grep -E '^\s+\[(ok|done)\]' $(VENV)/build-kwant.log
	@touch $@

# The real-arithmetic solver's C shim (seconds): rebuilt when its source changes.
$(STAMPS)/dmumps: envs/native/build-dmumps.sh envs/native/steps.sh src/wavelearn/solvers/dmumps_shim.c | $(PY)
	@VENV=$(VENV) envs/native/build-dmumps.sh
	@touch $@

$(STAMPS)/project: pyproject.toml $(STAMPS)/stack $(STAMPS)/kwant $(STAMPS)/dmumps
	$(PY) -m pip install -q --no-build-isolation -e '.[test,workflow,learning]'
	@touch $@

# GPU=cuda12 (or cuda13): the CUDA build of JAX from the package index, for the training rules on
# GPU nodes; the default is the CPU build. A stamp per choice, so switching back and forth works.
GPU ?=
$(STAMPS)/jax-$(or $(GPU),cpu): $(STAMPS)/project
	@if [ -n "$(GPU)" ]; then $(PY) -m pip install -q "jax[$(GPU)]"; fi
	@rm -f $(STAMPS)/jax-*; touch $@

install: system $(STAMPS)/project $(STAMPS)/jax-$(or $(GPU),cpu)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

run: install
	$(SNAKEMAKE) --profile profiles/local
	@echo; echo "results/summary.csv (participation ratio per point; plot: results/summary.png):"
	@$(VENV)/bin/wavelearn table results/summary.csv
	@for f in results/learning/*/scan_*/phase_diagram.csv; do \
	  echo; echo "$$f (critical point per L, 95 % bootstrap interval; plot beside it):"; $(VENV)/bin/wavelearn table $$f; done
	@for f in results/*/vae/report/metrics.json; do [ -f "$$f" ] || continue; \
	  echo; echo "VAE on the fingerprints against three baselines (held-out layouts; figures beside it):"; \
	  $(VENV)/bin/wavelearn vae table "$$f"; done
	@runs=$$(ls results/*/L*_alpha*_W*/run.h5 2>/dev/null); [ -z "$$runs" ] || { echo; \
	  echo "neural quantum states (VMC energy +- statistical error, exact diagonalisation):"; \
	  $(VENV)/bin/wavelearn table $$runs; }
	@$(MAKE) --no-print-directory report

# REPORT=results/report.zip for a campaign too large for one HTML file (a folder per result inside).
REPORT ?= results/report.html
report: install
	@mkdir -p logs
	@$(SNAKEMAKE) --report $(REPORT) > logs/report.log 2>&1 || { tail -20 logs/report.log; exit 1; }
	@echo; echo "every figure and table with its caption: $(REPORT) ($$(du -h $(REPORT) | cut -f1); open it in a browser)"

dag: install
	@mkdir -p dag
	$(SNAKEMAKE) --rulegraph | dot -Tsvg > dag/rulegraph.svg
	$(SNAKEMAKE) --dag | dot -Tsvg > dag/dag.svg
	@echo "wrote dag/rulegraph.svg dag/dag.svg"

bench: install
	$(PY) bench/eigensolve_bench.py --output bench/out-eigensolve.md
	$(PY) bench/blas_threads_bench.py --output bench/out-blas-threads.md
	$(PY) bench/workflow_bench.py --output bench/out-workflow.md
	$(PY) -m pip install -q torch==2.13.0   # the baseline of the training benchmark (CPU build)
	$(PY) bench/training_bench.py --output bench/out-training.md
	$(PY) bench/transport_bench.py --sizes 100 200 --output bench/out-transport.md
	$(PY) bench/vae_bench.py --output bench/out-vae.md
	@echo "VMC against NetKet: NetKet in its own venv (python -m venv /tmp/netket-venv &&"
	@echo "  /tmp/netket-venv/bin/pip install netket==3.23), then"
	@echo "  PYTHONPATH=src /tmp/netket-venv/bin/python bench/nqs_bench.py --impl both --cases chain20 square4 square6"
	@echo "copy the tables into docs/benchmarks.md"

clean:
	rm -rf results logs .snakemake .pytest_cache
