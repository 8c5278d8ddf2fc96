#!/usr/bin/env bash
# Build the native numerical stack into the project venv, skipping finished steps.
#
#   mpi4py  against the system OpenMPI (never a wheel that brings its own MPI)
#   PETSc   3.26 from its PyPI source package: complex scalars, MUMPS, ScaLAPACK, OpenBLAS
#   SLEPc   3.26 on top of it, then petsc4py / slepc4py against both
#
# Each finished step leaves a stamp in $VENV/.stamps whose name carries the version and a
# hash of the configure options, so changing either rebuilds exactly that step.
set -euo pipefail
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
STAMPS="$VENV/.stamps"
PETSC_VERSION=${PETSC_VERSION:-3.26.1}
SLEPC_VERSION=${SLEPC_VERSION:-3.26.1}
MPI4PY_VERSION=${MPI4PY_VERSION:-4.1.2}
LIBDIR=/usr/lib/$(gcc -print-multiarch)

export PETSC_CONFIGURE_OPTIONS="--with-scalar-type=complex --with-debugging=0 --with-fortran-bindings=0 \
--with-x=0 --with-hdf5=0 COPTFLAGS=-O3 CXXOPTFLAGS=-O3 FOPTFLAGS=-O3 \
--with-blaslapack-lib=-lopenblas \
--with-scalapack-lib=-lscalapack-openmpi \
--with-mumps-include=/usr/include \
--with-mumps-lib=[$LIBDIR/libzmumps.so,$LIBDIR/libdmumps.so,$LIBDIR/libcmumps.so,$LIBDIR/libsmumps.so,$LIBDIR/libmumps_common.so,$LIBDIR/libpord.so]"
opts_hash=$(printf '%s' "$PETSC_CONFIGURE_OPTIONS" | sha1sum | cut -c1-10)
export MPICC=mpicc MPICXX=mpicxx MPIFORT=mpif90
# Building as root with OpenMPI (PETSc's configure runs MPI test programs).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export MAKEFLAGS="-j$(nproc)"

# shellcheck source=steps.sh
source "$(dirname "$0")/steps.sh"

step "build-tools" "$PY" -m pip install -q -U "pip>=24" "setuptools>=70" wheel "cython>=3" "numpy>=2"
step "mpi4py-$MPI4PY_VERSION" pipi --no-binary mpi4py "mpi4py==$MPI4PY_VERSION"
step "petsc-$PETSC_VERSION-$opts_hash" pipi -v "petsc==$PETSC_VERSION"
step "petsc4py-$PETSC_VERSION-$opts_hash" pipi "petsc4py==$PETSC_VERSION"
step "slepc-$SLEPC_VERSION-$opts_hash" pipi -v "slepc==$SLEPC_VERSION"
step "slepc4py-$SLEPC_VERSION-$opts_hash" pipi "slepc4py==$SLEPC_VERSION"
