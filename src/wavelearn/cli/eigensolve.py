"""``wavelearn eigensolve``: eigenpairs near E for a range of disorder realizations -> HDF5 shard."""

from __future__ import annotations

import argparse
import time

import numpy as np

from wavelearn.blas import limit_blas_threads, max_blas_threads
from wavelearn.cli.defaults import DEFAULT
from wavelearn.cli.mpi import world_rank_size
from wavelearn.eigenstates import parse_realizations, solve_realizations
from wavelearn.errors import ParameterError
from wavelearn.io.shards import write_shard
from wavelearn.lattice import DISTRIBUTIONS, MODELS, PERCOLATION_KINDS, LatticeModel
from wavelearn.lattice.params import BOUNDARIES, CLUSTERS
from wavelearn.solvers import BACKENDS, MPI_BACKENDS, SolverSettings
from wavelearn.solvers.base import FACTORIZATIONS, ORDERINGS

HELP = "eigenpairs near an energy for disorder realizations of one point, written as an HDF5 shard"

DESCRIPTION = """\
Build the tight-binding Hamiltonian of each requested disorder realization of one
parameter point and compute the NEV eigenpairs closest to the energy E by shift-and-invert.

  H = sum_j eps_j |j><j| - sum_<jk> exp(i theta_jk) |j><k|     (hopping t = 1)

Realization k of a point is fully determined by (--seed, the point's parameters, k): the
same Hamiltonian whatever the chunking into --realizations ranges or the number of ranks.
Backends: 'auto' (default) solves a real H (no field) on one process by the real
MUMPS LDL^T with block Lanczos ('mumps') and everything else by SLEPc Krylov-Schur
with a complex MUMPS factorisation ('slepc'); the shard records which ('solver',
'arithmetic'). Under 'mpiexec -n N wavelearn eigensolve ...' (or srun) auto and slepc
take the slepc path in parallel: the same numbers as slepc on one rank (and as mumps
to the tolerance). The output is written atomically on rank 0; its format is
described in docs/formats.md.

example:
  mpiexec -n 2 wavelearn eigensolve --dim 3 --L 16 --W 16.5 --energy 0 --nev 5 \\
      --realizations 0:8 --output shard.h5
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eigensolve", help=HELP, description=DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    m = p.add_argument_group("lattice model (the point)")
    m.add_argument("--model", choices=MODELS, default=DEFAULT(LatticeModel, "model"),
                   help="anderson: on-site disorder only; percolation: sites or bonds removed "
                        "at random (plus optional on-site disorder) [%(default)s]")
    m.add_argument("--dim", type=int, choices=(2, 3), default=3, help="square (2) or cubic (3) lattice [%(default)s]")
    m.add_argument("--L", type=int, required=True, help="sites per side (>= 2); L^dim sites in all")
    m.add_argument("--W", type=float, default=DEFAULT(LatticeModel, "W"),
                   help="disorder strength: box width, gaussian standard deviation, or cauchy "
                        "half width [%(default)s]")
    m.add_argument("--distribution", choices=DISTRIBUTIONS, default=DEFAULT(LatticeModel, "distribution"),
                   help="box: uniform in [-W/2, W/2]; gaussian: N(0, W^2); cauchy: "
                        "W/(pi (e^2 + W^2)) [%(default)s]")
    m.add_argument("--p", type=float, default=DEFAULT(LatticeModel, "p"),
                   help="occupation probability of a site or bond, percolation model only [%(default)s]")
    m.add_argument("--percolation", choices=PERCOLATION_KINDS, default=DEFAULT(LatticeModel, "percolation"),
                   help="what percolation removes: sites (leave the Hilbert space) or bonds [%(default)s]")
    m.add_argument("--flux", type=float, default=DEFAULT(LatticeModel, "flux"),
                   help="magnetic flux per xy plaquette in flux quanta (Landau gauge); with "
                        "periodic boundaries flux*L must be an integer [%(default)s]")
    m.add_argument("--boundary", choices=BOUNDARIES, default=DEFAULT(LatticeModel, "boundary"), help="[%(default)s]")
    m.add_argument("--cluster", choices=CLUSTERS, default=None,
                   help="Hilbert space of a percolation realization: the largest connected cluster (the "
                        "one that spans the sample above the threshold; the default for percolation) or "
                        "all kept sites (the only choice for anderson)")

    s = p.add_argument_group("eigen-solver")
    s.add_argument("--energy", "-E", type=float, default=DEFAULT(SolverSettings, "target"), help="target energy E in units of t [%(default)s]")
    s.add_argument("--nev", type=int, default=DEFAULT(SolverSettings, "nev"), help="eigenpairs per realization, closest to E [%(default)s]")
    s.add_argument("--backend", choices=BACKENDS, default="auto",
                   help="auto: mumps for a real H on one process, slepc otherwise; mumps: real MUMPS "
                        "LDL^T + block Lanczos, one process, no field; slepc: Krylov-Schur + complex "
                        "MUMPS, MPI-parallel; scipy: ARPACK + SuperLU (reference); dense: LAPACK, tiny "
                        "systems [%(default)s]")
    s.add_argument("--tol", type=float, default=DEFAULT(SolverSettings, "tol"), help="relative convergence tolerance [%(default)s]")
    s.add_argument("--max-it", type=int, default=DEFAULT(SolverSettings, "max_it"), help="maximum restarts [%(default)s]")
    s.add_argument("--ncv", type=int, default=None, help="Krylov subspace size [backend default]")
    s.add_argument("--ordering", choices=ORDERINGS, default=DEFAULT(SolverSettings, "ordering"),
                   help="MUMPS fill-reducing ordering (auto: pord; scotch with the mumps backend "
                        "only) [%(default)s]")
    s.add_argument("--factorization", choices=FACTORIZATIONS, default=DEFAULT(SolverSettings, "factorization"),
                   help="auto: LDL^T for real H, LU for complex H (mumps, slepc backends) [%(default)s]")

    r = p.add_argument_group("realizations and output")
    r.add_argument("--seed", type=int, default=0, help="campaign seed [%(default)s]")
    r.add_argument("--realizations", default="0:1", metavar="START:STOP",
                   help="realization indices START..STOP-1 [%(default)s]")
    r.add_argument("--output", "-o", required=True, help="HDF5 shard to write (atomically)")
    r.add_argument("--save-psi", action="store_true", help="also store complex eigenvectors 'psi'")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # One BLAS thread per process (per MPI rank): faster for these small dense kernels, and the
    # results' last bits do not depend on the node's core count (wavelearn.blas).
    limit_blas_threads()
    rank, size = world_rank_size()
    model = LatticeModel(
        dim=args.dim, L=args.L, model=args.model, W=args.W, distribution=args.distribution,
        p=args.p, percolation=args.percolation, flux=args.flux, boundary=args.boundary, cluster=args.cluster,
    )
    settings = SolverSettings(
        target=args.energy, nev=args.nev, tol=args.tol, max_it=args.max_it, ncv=args.ncv,
        ordering=args.ordering, factorization=args.factorization,
    )
    realizations = parse_realizations(args.realizations)
    if size > 1 and args.backend not in MPI_BACKENDS:
        raise ParameterError(f"backend {args.backend!r} runs on one process; launched on {size}")
    start = time.perf_counter()
    shard = solve_realizations(
        model, settings, args.seed, realizations, solver=args.backend,
        save_psi=args.save_psi, progress=not args.no_progress, rank=rank, ranks=size,
    )
    wall = time.perf_counter() - start
    if rank == 0:
        write_shard(args.output, shard, {"mpi_ranks": size, "wall_seconds": wall, "blas_threads": max_blas_threads(),
                                         **shard.attrs})
        for k, copies, returned in zip(shard.realization, shard.attrs["boundary_degeneracy"],
                                       shard.attrs["boundary_returned"]):
            if copies:
                print(f"warning: realization {k}: a level of multiplicity {copies} straddles the nev boundary "
                      f"({returned} copies returned; which ones is arbitrary)")
        print(
            f"wrote {args.output}: {model.label()}, E={settings.target:g}, "
            f"{len(realizations)} realization(s) x {settings.nev} states, "
            f"median solve {np.median(shard.solve_seconds):.3g} s, "
            f"max residual {shard.residuals.max():.1e}"
        )
    return 0
