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
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np

from wavelearn.blas import THREAD_VARIABLES

HERE = Path(__file__).resolve().parent
DEFAULT_ENV = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
ONE_ENV = {**DEFAULT_ENV, **{k: "1" for k in THREAD_VARIABLES}}


def worker_command(L: int, first: int, count: int) -> list[str]:
    # eigensolve_bench's worker: realizations `first`.. of 3D Anderson W = 16.5, E = 0, nev = 5, backend auto
    return [sys.executable, str(HERE / "eigensolve_bench.py"), "worker", "--L", str(L), "--backend", "auto",
            "--realizations", str(count), "--first", str(first)]


def rows(stdout: str) -> list[dict]:
    return json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT "))[7:])["rows"]


def alone(L: int, count: int, env: dict) -> list[dict]:
    return rows(subprocess.run(worker_command(L, 0, count), env=env, capture_output=True, text=True,
                               check=True).stdout)


def two_at_once(L: int, count: int, env: dict) -> float:
    start = time.perf_counter()
    procs = [subprocess.Popen(worker_command(L, j * count, count), env=env, stdout=subprocess.DEVNULL)
             for j in range(2)]
    if any(proc.wait() for proc in procs):
        raise RuntimeError("a worker failed")
    return time.perf_counter() - start


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
    many, one = alone(args.L, args.realizations, DEFAULT_ENV), alone(args.L, args.realizations, ONE_ENV)
    med = lambda result, key: float(np.median([r[key] for r in result]))  # noqa: E731
    for key, label in (("solve", "one job alone: median solve s"), ("factor", "of which the factorisation s")):
        say(f"| {label} | {med(many, key):.2f} | {med(one, key):.2f} | {med(many, key) / med(one, key):.2f} |")
    same = all(a["eigenvalues"] == b["eigenvalues"] for a, b in zip(many, one))
    wall_many, wall_one = two_at_once(args.L, args.realizations, DEFAULT_ENV), two_at_once(args.L, args.realizations,
                                                                                          ONE_ENV)
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
