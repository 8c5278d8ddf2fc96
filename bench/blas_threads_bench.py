"""One BLAS thread per job against OpenBLAS's default (one thread per core), on the real eigen-solve.

What a user would otherwise get: a job started without OPENBLAS_NUM_THREADS / OMP_NUM_THREADS
(a laptop shell, a cluster node outside a CPU cgroup) runs OpenBLAS with one thread per core.
`wavelearn eigensolve` now pins one thread per process (wavelearn.blas); this compares the two
on the solve itself (the library, which does not pin, started with either environment):

* one job alone on the machine: median solve per realization, and whether the eigenvalues
  are bit-identical between the two;
* two jobs at once (what the local profile runs on 2 cores): wall time of both;
* the pinning itself, through the command line started with the default environment: the
  shard's ``blas_threads`` attribute and its median solve.

    python bench/blas_threads_bench.py --L 32 --realizations 3 --output bench/out-blas-threads.md
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

from eigensolve_bench import median, run_worker, side_by_side  # this folder
from wavelearn.blas import THREAD_VARIABLES

DEFAULT_ENV = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
ONE_ENV = {**DEFAULT_ENV, **{k: "1" for k in THREAD_VARIABLES}}


def command_line(L: int, count: int) -> tuple[int, float]:
    out = Path("/tmp/wavelearn-blas-threads-bench.h5")
    exe = str(Path(sys.executable).with_name("wavelearn"))
    subprocess.run([exe, "eigensolve", "--dim", "3", "--L", str(L), "--W", "16.5", "--energy", "0", "--nev", "5",
                    "--realizations", f"0:{count}", "--no-progress", "--output", str(out)],
                   env=DEFAULT_ENV, capture_output=True, check=True)
    with h5py.File(out) as f:
        return int(f.attrs["blas_threads"]), float(np.median(f["solve_seconds"][()]))


def main(args: argparse.Namespace) -> None:
    lines = []
    say = lambda text="": (lines.append(text), print(text, flush=True))  # noqa: E731
    cores = len(os.sched_getaffinity(0))
    say(f"3D Anderson L = {args.L}, W = 16.5, E = 0, nev = 5, backend auto (real path); {cores} cores; "
        f"{args.realizations} realizations per job. Command: `python bench/blas_threads_bench.py "
        f"--L {args.L} --realizations {args.realizations}`")
    say()
    say("| measurement | OpenBLAS default threads | one thread | default / one |")
    say("|---|---|---|---|")
    many, one = (run_worker(args.L, "auto", args.realizations, env=env) for env in (DEFAULT_ENV, ONE_ENV))
    for key, label in (("solve", "one job alone: median solve s"), ("factor", "of which the factorisation s")):
        say(f"| {label} | {median(many, key):.2f} | {median(one, key):.2f} | "
            f"{median(many, key) / median(one, key):.2f} |")
    same = all(a["eigenvalues"] == b["eigenvalues"] for a, b in zip(many["rows"], one["rows"]))
    wall_many, wall_one = (side_by_side(args.L, args.realizations, env) for env in (DEFAULT_ENV, ONE_ENV))
    say(f"| two jobs at once: wall s | {wall_many:.2f} | {wall_one:.2f} | {wall_many / wall_one:.2f} |")
    say()
    say(f"Eigenvalues bit-identical between the two: {'yes' if same else 'no'}.")
    threads, solve = command_line(args.L, args.realizations)
    say(f"`wavelearn eigensolve` started with the default environment: blas_threads = {threads}, "
        f"median solve {solve:.2f} s.")
    if args.output:
        Path(args.output).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--L", type=int, default=32)
    parser.add_argument("--realizations", type=int, default=3)
    parser.add_argument("--output", help="also write the table here (markdown)")
    main(parser.parse_args())
