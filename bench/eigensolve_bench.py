#!/usr/bin/env python
"""Benchmark of the eigen-solve: the real path (mumps backend: real MUMPS LDL^T + block Lanczos),
the complex path (slepc: Krylov-Schur + complex MUMPS, 1 and 2 ranks) and scipy shift-invert
(ARPACK + SuperLU, what a user would otherwise write); job start-up; MUMPS orderings.

3D Anderson model, box disorder W = 16.5 (the critical point), E = 0, nev = 5, periodic.
Each configuration runs in its own process (so peak memory is its own); the 2-rank runs go
through mpiexec. Writes a Markdown report (default: print to stdout).

    python bench/eigensolve_bench.py --sizes 16 24 32 40 --output bench/out-eigensolve.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
ENV = {
    **os.environ,
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
}


# ---------------------------------------------------------------- worker (one configuration)
def worker(args: argparse.Namespace) -> None:
    from wavelearn.cli.mpi import world_rank_size
    from wavelearn.lattice import LatticeModel, build_hamiltonian
    from wavelearn.solvers import SolverSettings, get_solver

    rank, size = world_rank_size()
    model = LatticeModel(dim=3, L=args.L, W=16.5)
    settings = SolverSettings(target=0.0, nev=5, tol=1e-10, ordering=args.ordering,
                              factorization=args.factorization)
    solver = get_solver(args.backend)
    rows = []
    for k in range(args.realizations):
        t0 = time.perf_counter()
        H = build_hamiltonian(model, 2026, k).matrix
        t_build = time.perf_counter() - t0
        pairs = solver.solve(H, settings)
        rows.append({
            "build": t_build,
            "total": time.perf_counter() - t0,
            **pairs.timings,
            **{key: value for key, value in pairs.info.items() if isinstance(value, (int, float))},
            "max_residual": float(pairs.residuals.max()),
            "eigenvalues": pairs.values.tolist(),
        })
    if rank == 0:
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps({"rows": rows, "rss_mb_rank0": rss_mb, "ranks": size}), flush=True)


def run_worker(L: int, backend: str, realizations: int, ranks: int = 1, ordering: str = "auto",
               factorization: str = "auto", env: dict | None = None) -> dict:
    """One configuration in its own process (``env``: ENV, one BLAS thread, unless given)."""
    cmd = [sys.executable, str(HERE), "worker", "--L", str(L), "--backend", backend,
           "--realizations", str(realizations), "--ordering", ordering, "--factorization", factorization]
    if ranks > 1:
        cmd = [shutil.which("mpiexec"), "-n", str(ranks), "--oversubscribe", *cmd]
    out = subprocess.run(cmd, env=env or ENV, capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def median(result: dict, key: str) -> float:
    return float(np.median([row[key] for row in result["rows"] if key in row]))


def gemm_rate(dtype: str, n: int = 2000) -> float:
    """Single-core matrix product rate, 2 n^3 / t: real flops for float64 (dgemm), complex
    multiply-add pairs counted as 2 ops for complex128 (zgemm) -- the units of MUMPS's RINFOG(3)
    in real and complex arithmetic."""
    code = (
        "import numpy as np, time; n=%d; r=np.random.default_rng(0);"
        "a=r.random((n,n)).astype(%r); a = a + 1j*a if a.dtype.kind == 'c' else a; b=a.copy(); a@b;"
        "t=time.perf_counter(); [a@b for _ in range(3)]; print(2*n**3*3/(time.perf_counter()-t))" % (n, dtype)
    )
    out = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True)
    return float(out.stdout)


def side_by_side(L: int, realizations: int, env: dict | None = None) -> float:
    """Wall time for two independent 1-rank jobs sharing the 2 cores (``env`` as for run_worker)."""
    start = time.perf_counter()
    cmd = [sys.executable, str(HERE), "worker", "--L", str(L), "--backend", "auto",
           "--realizations", str(realizations)]
    procs = [subprocess.Popen(cmd, env=env or ENV, stdout=subprocess.DEVNULL) for _ in range(2)]
    for proc in procs:
        if proc.wait() != 0:
            raise RuntimeError("side-by-side worker failed")
    return time.perf_counter() - start


def startup(backend: str, repeats: int = 7) -> float:
    """Median wall time of a tiny ``wavelearn eigensolve`` job (3D L = 6, one realization)."""
    exe = str(Path(sys.executable).with_name("wavelearn"))
    cmd = [exe, "eigensolve", "--dim", "3", "--L", "6", "--W", "16.5", "--nev", "5", "--backend", backend,
           "--output", "/tmp/wavelearn-startup.h5", "--no-progress"]
    walls = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, env=ENV, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    return float(np.median(walls))


def bare_python(repeats: int = 7) -> float:
    """Median wall time of ``python -c 'import numpy, scipy.sparse, h5py'``: the floor of any job."""
    walls = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy, scipy.sparse, h5py"], env=ENV, check=True)
        walls.append(time.perf_counter() - start)
    return float(np.median(walls))


# ---------------------------------------------------------------- driver
def main(args: argparse.Namespace) -> None:
    lines = []
    say = lambda text="": (lines.append(text), print(text, flush=True))  # noqa: E731
    drate, zrate = gemm_rate("float64"), gemm_rate("complex128")
    say("## Eigen-solve: real MUMPS + block Lanczos, SLEPc + complex MUMPS, SciPy shift-invert")
    say()
    say(f"3D Anderson model, box disorder W = 16.5, E = 0, nev = 5, tol = 1e-10, periodic; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, one BLAS thread per process. "
        f"Median over realizations of one job (mumps and slepc {args.realizations}, scipy "
        f"{args.scipy_realizations}); 'first' is the job's first realization, which also pays for the "
        f"ordering and symbolic analysis (later realizations reuse it). The speed-up against scipy is like "
        f"for like: first realization against first realization, and median against median over the "
        f"same realizations (the first {min(args.realizations, args.scipy_realizations)}). "
        f"Command: `{args.command}`.")
    say()
    say("| L | sites | scipy first s | real (mumps) first s | real median s | real vs scipy, first realization both | "
        "real vs scipy, median of the same realizations | solve / factor | "
        "analysis s | complex (slepc) 1 rank s | real vs complex | slepc 2 ranks s | Gflop real / complex | "
        "factor rate / dgemm | peak MB scipy / real / complex |")
    say("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for L in args.sizes:
        real = run_worker(L, "mumps", args.realizations)
        one = run_worker(L, "slepc", args.realizations)
        two = run_worker(L, "slepc", args.realizations, ranks=2) if L in args.mpi_sizes else None
        ref = run_worker(L, "scipy", args.scipy_realizations) if L <= args.scipy_max_L else None
        for result in (one, two, ref):
            if result is not None:
                np.testing.assert_allclose(result["rows"][0]["eigenvalues"], real["rows"][0]["eigenvalues"],
                                           atol=1e-8)
        t_real, t1 = median(real, "total"), median(one, "total")
        t2 = median(two, "total") if two else float("nan")
        first = real["rows"][0]
        factor = median(real, "factor")
        flops = median(real, "mumps_flops")
        # Like for like: the same realizations on both sides (the first ones scipy solved).
        shared = min(len(real["rows"]), len(ref["rows"])) if ref else 0
        ref_first = ref["rows"][0]["total"] if ref else float("nan")
        same = (float(np.median([r["total"] for r in ref["rows"][:shared]]))
                / float(np.median([r["total"] for r in real["rows"][:shared]]))) if ref else float("nan")
        say(f"| {L} | {L**3} | {ref_first:.2f} | {first['total']:.2f} | {t_real:.2f} | "
            f"{ref_first / first['total']:.1f}x | {same:.1f}x | "
            f"{median(real, 'solve') / factor:.2f} | {first['analysis']:.2f} | {t1:.2f} | "
            f"{t1 / t_real:.1f}x | {t2:.2f} | {flops / 1e9:.1f} / {median(one, 'mumps_flops') / 1e9:.1f} | "
            f"{flops / factor / drate:.0%} | {ref['rss_mb_rank0'] if ref else float('nan'):.0f} / "
            f"{real['rss_mb_rank0']:.0f} / {one['rss_mb_rank0']:.0f} |")
        say(f"<!-- L={L}: block solves {median(real, 'applications'):.0f}, right-hand sides "
            f"{median(real, 'columns'):.0f}, restarts {median(real, 'restarts'):.0f} -->")
    say()
    say(f"Single-core rates (numpy/OpenBLAS, n = 2000): dgemm {drate / 1e9:.2f} Gflop/s, zgemm "
        f"{zrate / 1e9:.2f} G complex ops/s (2n^3/t, the units of MUMPS's RINFOG(3)).")
    say()

    say("### Job start-up")
    say()
    say("| measurement | wall s |")
    say("|---|---|")
    floor = bare_python()
    real_start, slepc_start = startup("auto"), startup("slepc")
    say(f"| `python -c 'import numpy, scipy.sparse, h5py'` | {floor:.2f} |")
    say(f"| tiny `wavelearn eigensolve` (3D L = 6), backend auto (real path, no MPI, no PETSc) | {real_start:.2f} |")
    say(f"| the same, backend slepc (PETSc, SLEPc and MPI initialised) | {slepc_start:.2f} |")
    say()

    say("### Campaign throughput on the 2 cores")
    say()
    say("| L | realizations | two 1-rank jobs side by side s | one 2-rank job (slepc), both batches s | ratio |")
    say("|---|---|---|---|---|")
    for L in args.throughput_sizes:
        wall_pair = side_by_side(L, args.realizations)
        start = time.perf_counter()
        run_worker(L, "slepc", 2 * args.realizations, ranks=2)
        wall_mpi = time.perf_counter() - start
        say(f"| {L} | 2 x {args.realizations} | {wall_pair:.1f} | {wall_mpi:.1f} | {wall_mpi / wall_pair:.2f} |")
    say()

    say("### MUMPS orderings, real LDL^T (mumps backend, 1 rank)")
    say()
    say("| L | ordering | median s | first s | analysis s | factor s | MUMPS Gflop | factor entries (M) |")
    say("|---|---|---|---|---|---|---|---|")
    for L in args.ordering_sizes:
        for ordering, factorization in [(o, "auto") for o in ("amd", "amf", "pord", "qamd", "scotch")] + [
                ("pord", "lu")]:
            res = run_worker(L, "mumps", args.realizations, ordering=ordering, factorization=factorization)
            first = res["rows"][0]
            label = ordering if factorization == "auto" else f"{ordering}, LU instead of LDL^T"
            say(f"| {L} | {label} | {median(res, 'total'):.2f} | {first['total']:.2f} | "
                f"{first['analysis']:.2f} | {median(res, 'factor'):.2f} | "
                f"{median(res, 'mumps_flops') / 1e9:.1f} | {median(res, 'mumps_factor_entries') / 1e6:.1f} |")
    say()
    if args.output:
        Path(args.output).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode")
    w = sub.add_parser("worker", help="(internal) run one configuration, print JSON")
    w.add_argument("--L", type=int, required=True)
    w.add_argument("--backend", default="slepc")
    w.add_argument("--realizations", type=int, default=3)
    w.add_argument("--ordering", default="auto")
    w.add_argument("--factorization", default="auto")
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 24, 32, 40])
    parser.add_argument("--realizations", type=int, default=3)
    parser.add_argument("--scipy-realizations", type=int, default=2)
    parser.add_argument("--scipy-max-L", type=int, default=40)
    parser.add_argument("--throughput-sizes", type=int, nargs="+", default=[24])
    parser.add_argument("--mpi-sizes", type=int, nargs="*", default=[24, 32, 40], help="sizes also run on 2 ranks")
    parser.add_argument("--ordering-sizes", type=int, nargs="+", default=[32, 40])
    parser.add_argument("--output", default=None, help="write the Markdown report here")
    args = parser.parse_args()
    args.command = "python bench/eigensolve_bench.py " + " ".join(sys.argv[1:])
    worker(args) if args.mode == "worker" else main(args)
