#!/usr/bin/env python
"""Benchmark of the transport job: seconds per field point of g(B) on L x L antidot billiards.

Rows, each configuration in its own process:

* ``ours``: wavelearn.transport (layout -> build_system -> conductance), MUMPS, one BLAS thread;
* ``bare``: a plain Kwant loop over the *same* device (the tutorial idiom: onsite and Peierls
  value functions for every site and hop, ``kwant.smatrix(...).transmission(1, 0)`` with the
  default options) -- the cost a user writing Kwant by hand pays; the goal is ours <= 1.1 x bare;
* ``ours, scipy``: our job with Kwant's SciPy fallback instead of MUMPS;
* ``bare, 2 BLAS threads``: the bare loop with OpenBLAS allowed two threads.

    python bench/transport_bench.py --sizes 100 200 --output bench/out-transport.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def billiard(L: int):
    from wavelearn.transport.params import Billiard

    return Billiard(Lx=L, Ly=L, lead_width=L // 4, energy=0.5, antidots=max(2, L // 12),
                    radius=L / 25, gap=1.0, W=0.0, field_min=-0.002, field_max=0.002, field_points=9)


# ---------------------------------------------------------------- workers (one configuration)
def worker_ours(L: int, points: int, solver: str) -> dict:
    from wavelearn.transport import system
    from wavelearn.transport.conductance import conductance
    from wavelearn.transport.layout import draw_layout

    params = billiard(L)
    t0 = time.perf_counter()
    fsyst = system.build_system(params, draw_layout(0, params, 0))
    t_build = time.perf_counter() - t0
    fields = params.fields()[:points]
    conductance(fsyst, params, fields[:1], solver)  # warm-up (imports, first-call costs)
    t0, c0 = time.perf_counter(), time.process_time()
    g, _ = conductance(fsyst, params, fields, solver)
    per_point = (time.perf_counter() - t0) / len(fields)
    cpu = (time.process_time() - c0) / len(fields)
    return {"build": t_build, "per_point": per_point, "cpu": cpu, "g": g.tolist(), "sites": len(fsyst.sites)}


def worker_bare(L: int, points: int) -> dict:
    import cmath
    import math

    import kwant

    from wavelearn.transport.layout import conductor_sites, draw_layout, potential_image

    params = billiard(L)
    layout = draw_layout(0, params, 0)
    keep, onsite_values = conductor_sites(params, layout), potential_image(params, layout)
    yc = (L - 1) / 2
    t0 = time.perf_counter()
    lat = kwant.lattice.square(norbs=1)

    def onsite(site):
        return onsite_values[site.tag[0], site.tag[1]]

    def hopping(site1, site2, phi):
        x1, y1 = site1.pos
        x2, y2 = site2.pos
        return -cmath.exp(-1j * 2 * math.pi * phi * (x1 - x2) * ((y1 + y2) / 2 - yc))

    syst = kwant.Builder()
    syst[(lat(int(x), int(y)) for x, y in zip(*np.nonzero(keep)))] = onsite
    syst[lat.neighbors()] = hopping
    lead = kwant.Builder(kwant.TranslationalSymmetry((-1, 0)))
    lead[(lat(0, y) for y in params.lead_rows)] = 0.0
    lead[lat.neighbors()] = hopping
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    fsyst = syst.finalized()
    t_build = time.perf_counter() - t0
    fields = params.fields()[:points]
    kwant.smatrix(fsyst, params.energy, params=dict(phi=fields[0])).transmission(1, 0)  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    g = [kwant.smatrix(fsyst, params.energy, params=dict(phi=phi)).transmission(1, 0) for phi in fields]
    per_point = (time.perf_counter() - t0) / len(fields)
    cpu = (time.process_time() - c0) / len(fields)
    return {"build": t_build, "per_point": per_point, "cpu": cpu, "g": g, "sites": len(fsyst.sites)}


def run_worker(kind: str, L: int, points: int, threads: int = 1) -> dict:
    env = {**ENV, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    cmd = [sys.executable, str(HERE), "worker", kind, "--L", str(L), "--points", str(points)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    w = sub.add_parser("worker")
    w.add_argument("kind", choices=("ours", "scipy", "bare"))
    w.add_argument("--L", type=int, required=True)
    w.add_argument("--points", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200])
    parser.add_argument("--points", type=int, default=5, help="field points per configuration")
    parser.add_argument("--scipy-points", type=int, default=2, help="field points with the SciPy fallback")
    parser.add_argument("--output", help="Markdown file (default: stdout)")
    args = parser.parse_args()
    if args.command == "worker":
        result = (worker_bare(args.L, args.points) if args.kind == "bare"
                  else worker_ours(args.L, args.points, "mumps" if args.kind == "ours" else "scipy"))
        print("RESULT " + json.dumps(result), flush=True)
        return

    lines = [
        "## Transport: seconds per field point (g(B) of one L x L antidot billiard)",
        "",
        f"{platform.node()}, {os.cpu_count()} cores, Kwant {_kwant_version()}; lead width L/4, "
        "E = 0.5 t, L//12 hard-wall antidots of radius L/25; mean over the timed points after one "
        "warm-up point; each row its own process. Each cell: CPU seconds of the process per point "
        "(wall seconds in parentheses; they differ when other work shares the cores).",
        "",
        "| L | sites | ours (MUMPS) | bare Kwant loop | ours / bare (CPU) | ours, SciPy fallback "
        "| SciPy / MUMPS (CPU) | bare, 2 BLAS threads | max abs(g_ours - g_bare) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for L in args.sizes:
        ours = run_worker("ours", L, args.points)
        bare = run_worker("bare", L, args.points)
        scipy = run_worker("scipy", L, args.scipy_points)
        threads2 = run_worker("bare", L, args.points, threads=2)
        diff = float(np.max(np.abs(np.array(ours["g"]) - np.array(bare["g"]))))
        cell = lambda r: f"{r['cpu']:.3f} s ({r['per_point']:.3f} s)"  # noqa: E731
        lines.append(
            f"| {L} | {ours['sites']} | {cell(ours)} | {cell(bare)} | {ours['cpu'] / bare['cpu']:.2f} "
            f"| {cell(scipy)} | {scipy['cpu'] / ours['cpu']:.1f} x | {cell(threads2)} | {diff:.1e} |")
        print(lines[-1], file=sys.stderr, flush=True)
    text = "\n".join(lines) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    print(text)


def _kwant_version() -> str:
    out = subprocess.run([sys.executable, "-c", "import kwant; print(kwant.__version__)"], env=ENV,
                         capture_output=True, text=True)
    return out.stdout.strip() or "?"


if __name__ == "__main__":
    main()
