#!/usr/bin/env python
"""Benchmark of the eigen-solve: slepc (MUMPS LDL^T/LU, 1 and 2 ranks) against scipy shift-invert.

3D Anderson model, box disorder W = 16.5 (the critical point), E = 0, nev = 5, periodic.
Each configuration runs in its own process (so peak memory is its own); the 2-rank runs go
through mpiexec. Writes a Markdown report (default: print to stdout).

    python bench/eigensolve_bench.py --sizes 16 24 32 40 --output docs/benchmarks.md
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
               factorization: str = "auto") -> dict:
    cmd = [sys.executable, str(HERE), "worker", "--L", str(L), "--backend", backend,
           "--realizations", str(realizations), "--ordering", ordering, "--factorization", factorization]
    if ranks > 1:
        cmd = [shutil.which("mpiexec"), "-n", str(ranks), "--oversubscribe", *cmd]
    out = subprocess.run(cmd, env=ENV, capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def median(result: dict, key: str) -> float:
    return float(np.median([row[key] for row in result["rows"] if key in row]))


def zgemm_rate(n: int = 2000) -> float:
    """Single-core complex128 matrix product rate in complex multiply-add pairs counted as
    2 ops (the convention MUMPS's flop count uses): 2 n^3 / t."""
    code = (
        "import numpy as np, time; n=%d; r=np.random.default_rng(0);"
        "a=(r.random((n,n))+1j*r.random((n,n))); b=a.copy(); a@b; t=time.perf_counter();"
        "[a@b for _ in range(3)]; print(2*n**3*3/(time.perf_counter()-t))" % n
    )
    out = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True)
    return float(out.stdout)


def side_by_side(L: int, realizations: int) -> float:
    """Wall time for two independent 1-rank jobs sharing the 2 cores."""
    start = time.perf_counter()
    cmd = [sys.executable, str(HERE), "worker", "--L", str(L), "--backend", "slepc",
           "--realizations", str(realizations)]
    procs = [subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL) for _ in range(2)]
    for proc in procs:
        if proc.wait() != 0:
            raise RuntimeError("side-by-side worker failed")
    return time.perf_counter() - start


# ---------------------------------------------------------------- driver
def main(args: argparse.Namespace) -> None:
    lines = []
    say = lambda text="": (lines.append(text), print(text, flush=True))  # noqa: E731
    rate = zgemm_rate()
    say("## Eigen-solve: SLEPc + MUMPS vs SciPy shift-invert")
    say()
    say(f"3D Anderson model, box disorder W = 16.5, E = 0, nev = 5, tol = 1e-10, periodic; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, one BLAS thread per process. "
        f"Median over realizations (slepc {args.realizations}, scipy {args.scipy_realizations}). "
        f"Command: `{args.command}`.")
    say()
    say("| L | sites | scipy s | slepc 1 rank s | speed-up | factor share | solve / factor | "
        "slepc 2 ranks s | speed-up | MUMPS Gflop | factor rate / zgemm | peak MB scipy | peak MB slepc 1 | "
        "peak MB slepc 2 (rank 0) |")
    say("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for L in args.sizes:
        one = run_worker(L, "slepc", args.realizations)
        two = run_worker(L, "slepc", args.realizations, ranks=2)
        ref = run_worker(L, "scipy", args.scipy_realizations) if L <= args.scipy_max_L else None
        for result in (two, ref):
            if result is not None:
                np.testing.assert_allclose(result["rows"][0]["eigenvalues"], one["rows"][0]["eigenvalues"], atol=1e-8)
        t1, t2 = median(one, "total"), median(two, "total")
        factor = median(one, "factor")
        flops = median(one, "mumps_flops")
        t_ref = median(ref, "total") if ref else float("nan")
        summary[L] = (t_ref, t1, t2)
        say(f"| {L} | {L**3} | {t_ref:.2f} | {t1:.2f} | {t_ref / t1:.1f}x | {factor / t1:.0%} | "
            f"{median(one, 'solve') / factor:.2f} | {t2:.2f} | {t_ref / t2:.1f}x | {flops / 1e9:.1f} | "
            f"{flops / factor / rate:.0%} | {ref['rss_mb_rank0'] if ref else float('nan'):.0f} | "
            f"{one['rss_mb_rank0']:.0f} | {two['rss_mb_rank0']:.0f} |")
    say()
    say(f"Single-core zgemm rate (numpy/OpenBLAS, n = 2000): {rate / 1e9:.2f} G complex ops/s "
        "(2n^3/t, the unit of MUMPS's RINFOG(3)).")
    say()

    say("### Campaign throughput on the 2 cores")
    say()
    say("| L | realizations | two 1-rank jobs side by side s | one 2-rank job, both batches s | ratio |")
    say("|---|---|---|---|---|")
    for L in args.throughput_sizes:
        wall_pair = side_by_side(L, args.realizations)
        start = time.perf_counter()
        run_worker(L, "slepc", 2 * args.realizations, ranks=2)
        wall_mpi = time.perf_counter() - start
        say(f"| {L} | 2 x {args.realizations} | {wall_pair:.1f} | {wall_mpi:.1f} | {wall_mpi / wall_pair:.2f} |")
    say()

    say("### MUMPS orderings (1 rank, LDL^T)")
    say()
    say("| L | ordering | median s | factor s | MUMPS Gflop | factor entries (M) |")
    say("|---|---|---|---|---|---|")
    for ordering in ("amd", "amf", "pord", "qamd"):
        res = run_worker(args.ordering_L, "slepc", args.realizations, ordering=ordering)
        say(f"| {args.ordering_L} | {ordering} | {median(res, 'total'):.2f} | {median(res, 'factor'):.2f} | "
            f"{median(res, 'mumps_flops') / 1e9:.1f} | {median(res, 'mumps_factor_entries') / 1e6:.1f} |")
    res = run_worker(args.ordering_L, "slepc", args.realizations, factorization="lu")
    say(f"| {args.ordering_L} | pord, LU instead of LDL^T | {median(res, 'total'):.2f} | "
        f"{median(res, 'factor'):.2f} | {median(res, 'mumps_flops') / 1e9:.1f} | "
        f"{median(res, 'mumps_factor_entries') / 1e6:.1f} |")
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
    parser.add_argument("--ordering-L", type=int, default=32)
    parser.add_argument("--output", default=None, help="write the Markdown report here")
    args = parser.parse_args()
    args.command = "python bench/eigensolve_bench.py " + " ".join(sys.argv[1:])
    worker(args) if args.mode == "worker" else main(args)
