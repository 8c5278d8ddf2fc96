# wavelearn — one command each for installing, testing, running and benchmarking.
#
#   make install   Debian packages (when root), .venv, native PETSc/SLEPc stack, the package
#   make test      install + the test suite (real PETSc/SLEPc/MUMPS/MPI)
#   make run       install + the default campaign (config.yaml)
#   make bench     install + the eigen-solver benchmark (docs/benchmarks.md)
#
# Every step is skipped when already done, so a second call takes seconds.

SHELL      := /bin/bash
VENV       ?= .venv
PY         := $(VENV)/bin/python
STAMPS     := $(VENV)/.stamps
PYTEST_ARGS ?=

# OpenMPI refuses to run as root without these; BLAS threads would fight MPI ranks.
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OMPI_MCA_btl_vader_single_copy_mechanism := none
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1

.PHONY: install system test run bench clean help

help:
	@sed -n '2,9p' Makefile | sed 's/^# \{0,1\}//'

system:
	@envs/native/install-system.sh

$(PY): | system
	python3 -m venv $(VENV)

$(STAMPS)/stack: envs/native/build-stack.sh | $(PY)
	@echo "native stack (first time ~20 min on 2 cores; log in $(VENV)/build-stack.log)"
	@VENV=$(VENV) envs/native/build-stack.sh > $(VENV)/build-stack.log 2>&1 \
	  || { tail -40 $(VENV)/build-stack.log; exit 1; }
	@grep -E '^\s+\[(ok|done)\]' $(VENV)/build-stack.log
	@touch $@

$(STAMPS)/project: pyproject.toml $(STAMPS)/stack
	$(PY) -m pip install -q --no-build-isolation -e '.[test]'
	@touch $@

install: system $(STAMPS)/project

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

run: install
	@echo "the campaign workflow arrives with issue 3; a single point meanwhile:"
	$(VENV)/bin/wavelearn eigensolve --dim 3 --L 12 --W 16.5 --nev 5 --realizations 0:4 -o results/demo.h5

bench: install
	$(PY) bench/eigensolve_bench.py --output docs/benchmarks.md

clean:
	rm -rf results logs .snakemake .pytest_cache
