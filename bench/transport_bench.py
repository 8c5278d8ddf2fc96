#!/usr/bin/env python
"""Benchmark of the transport job: seconds per field point of g(B) on L x L antidot billiards.

Rows, each configuration in its own process:

* ``ours``: wavelearn.transport (layout -> build_system -> conductance), MUMPS, one BLAS thread;
* ``tuned``: the Kwant loop a competent user writes over the *same* finalized device: value
  functions for the on-site energies and Peierls phases, and only what g needs,
  ``kwant.smatrix(fsyst, E, params=..., in_leads=[0], out_leads=[1], check_hermiticity=False)``
  -- the like-for-like baseline and the headline ratio (goal: ours <= 1.1 x tuned);
* ``bare``: the same loop with Kwant's default options (the full scattering matrix, the
  Hermiticity check), as in the tutorials;
* ``ours, scipy``: our job with Kwant's SciPy fallback instead of MUMPS;
* ``bare, 2 BLAS threads``: the bare loop with OpenBLAS allowed two threads.

    python bench/transport_bench.py --sizes 100 200 --output bench/out-transport.md
    python bench/transport_bench.py --ucf 8 --output bench/out-transport-ucf.md   # UCF, ~2 min
    python bench/transport_bench.py --symmetry 6    # g(B) of layouts vs their mirror/rotation images
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


def worker_bare(L: int, points: int, tuned: bool = False) -> dict:
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
    lead[(lat(0, y) for y in params.lead_rows[0])] = 0.0  # centred leads of equal width: reversed() is lead 1
    lead[lat.neighbors()] = hopping
    syst.attach_lead(lead)
    syst.attach_lead(lead.reversed())
    fsyst = syst.finalized()
    t_build = time.perf_counter() - t0
    fields = params.fields()[:points]
    # tuned: only the lead 0 -> 1 block of S, without the O(nnz) Hermiticity check per call.
    options = dict(in_leads=[0], out_leads=[1], check_hermiticity=False) if tuned else {}
    kwant.smatrix(fsyst, params.energy, params=dict(phi=fields[0]), **options).transmission(1, 0)  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    g = [kwant.smatrix(fsyst, params.energy, params=dict(phi=phi), **options).transmission(1, 0)
         for phi in fields]
    per_point = (time.perf_counter() - t0) / len(fields)
    cpu = (time.process_time() - c0) / len(fields)
    return {"build": t_build, "per_point": per_point, "cpu": cpu, "g": g, "sites": len(fsyst.sites)}


def ucf(layouts: int, energies: np.ndarray, field: float) -> str:
    """Universal conductance fluctuations: rms of g over the Fermi energy (a window with a fixed
    number N of lead modes), per layout, at B = 0 (orthogonal, beta = 1) and at a field that
    breaks time reversal (unitary, beta = 2), compared with random-matrix theory for a chaotic
    cavity with N modes per lead (Baranger & Mello 1994; Jalabert, Pichard & Beenakker 1994):
    var g = N (N+1)^2 / ((2N+1)^2 (2N+3)) -> 1/8 and N^2 / (4 (4N^2 - 1)) -> 1/16,
    weak localisation <g>_2 - <g>_1 = N / (2 (2N+1)) -> 1/4."""
    import dataclasses

    from wavelearn.transport import system
    from wavelearn.transport.conductance import conductance
    from wavelearn.transport.layout import draw_layout
    from wavelearn.transport.params import Billiard

    base = Billiard(Lx=80, Ly=80, lead_width=20, energy=float(energies[0]), antidots=8, radius=5.0,
                    field_min=0.0, field_max=field, field_points=2)
    g = np.empty((layouts, len(energies), 2))
    modes = set()
    for k in range(layouts):
        fsyst = system.build_system(base, draw_layout(0, base, k))
        for i, energy in enumerate(energies):
            g[k, i], n = conductance(fsyst, dataclasses.replace(base, energy=float(energy)), base.fields())
            modes.update(n.tolist())
    if len(modes) != 1:
        raise SystemExit(f"the energy window changes the number of lead modes: {sorted(modes)}")
    N = modes.pop()
    rms = g.std(axis=1, ddof=1)  # (layouts, 2): over energy
    rmt = (np.sqrt(N * (N + 1) ** 2 / ((2 * N + 1) ** 2 * (2 * N + 3))), np.sqrt(N**2 / (4 * (4 * N**2 - 1))))
    flux = field * base.Lx * base.Ly
    lines = [
        "## Transport: universal conductance fluctuations",
        "",
        f"{base.Lx}x{base.Ly} billiard, {base.antidots} hard-wall antidots of radius {base.radius:g}, "
        "leads of "
        f"{base.lead_width} sites (N = {N} modes), W = 0; rms of g over {len(energies)} Fermi energies in "
        f"[{energies[0]:.3f}, {energies[-1]:.3f}] t, per layout, for layouts 0..{layouts - 1} (seed 0).",
        "",
        f"| | B = 0 (beta = 1) | phi = {field:g} ({flux:.1f} flux quanta through the billiard, beta = 2) "
        "| ratio |",
        "|---|---|---|---|",
        f"| rms g per layout (e^2/h) | {' '.join(f'{v:.2f}' for v in rms[:, 0])} "
        f"| {' '.join(f'{v:.2f}' for v in rms[:, 1])} | |",
        f"| mean rms g | {rms[:, 0].mean():.3f} | {rms[:, 1].mean():.3f} "
        f"| {rms[:, 0].mean() / rms[:, 1].mean():.2f} |",
        f"| RMT chaotic cavity, N = {N} | {rmt[0]:.3f} | {rmt[1]:.3f} | {rmt[0] / rmt[1]:.2f} |",
        f"| mean g | {g[:, :, 0].mean():.3f} | {g[:, :, 1].mean():.3f} "
        f"| WL: {g[:, :, 1].mean() - g[:, :, 0].mean():.3f} "
        f"(RMT {N / (2 * (2 * N + 1)):.3f}) |",
    ]
    return "\n".join(lines) + "\n"


def symmetry(layouts: int) -> str:
    """rms over B of g_L(B) - g_s(L)(B) for each symmetry s of the rectangle (mean and min over
    layouts), against the rms between two random layouts: the default campaign's device (lead 0
    on rows 0..7, lead 1 on rows 4..11) and the same with centred leads."""
    from wavelearn.transport import system
    from wavelearn.transport.conductance import conductance
    from wavelearn.transport.layout import Layout, draw_layout
    from wavelearn.transport.params import Billiard
    from wavelearn.transport.symmetry import ELEMENTS, transform_image, transform_positions

    shifted = Billiard(Lx=24, Ly=16, lead_width=8, lead_y=0, right_lead_y=4, energy=0.9, antidots=2, radius=2.5,
                       field_min=0.0, field_max=0.04, field_points=41)
    centred = Billiard(**{**shifted.as_dict(), "lead_y": None, "right_lead_y": None, "right_lead_width": None})
    rms = lambda a, b: float(np.sqrt(np.mean((a - b) ** 2)))  # noqa: E731
    lines = ["| device | " + " | ".join(f"{name}: mean (min)" for name in ELEMENTS[1:]) + " | between layouts |",
             "|---|---|---|---|---|"]
    for params in (centred, shifted):
        g = {}
        for k in range(layouts):
            layout = draw_layout(2026, params, k)
            for name in ELEMENTS:
                image = Layout(k, transform_positions(name, layout.positions, params.shape),
                               np.ascontiguousarray(transform_image(name, layout.onsite)))
                g[k, name] = conductance(system.build_system(params, image), params, params.fields())[0]
        between = np.mean([rms(g[i, "identity"], g[j, "identity"]) for i in range(layouts) for j in range(i)])
        cells = [[rms(g[k, "identity"], g[k, name]) for k in range(layouts)] for name in ELEMENTS[1:]]
        lines.append(f"| {params.label()} | " + " | ".join(f"{np.mean(c):.3g} ({np.min(c):.3g})" for c in cells)
                     + f" | {between:.3g} |")
    return (f"g(B) in e^2/h on {shifted.field_points} fields in [0, {shifted.field_max:g}], layouts 0..{layouts - 1} "
            "(seed 2026)\n\n" + "\n".join(lines) + "\n")


def run_worker(kind: str, L: int, points: int, threads: int = 1) -> dict:
    env = {**ENV, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    cmd = [sys.executable, str(HERE), "worker", kind, "--L", str(L), "--points", str(points)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    w = sub.add_parser("worker")
    w.add_argument("kind", choices=("ours", "scipy", "bare", "tuned"))
    w.add_argument("--L", type=int, required=True)
    w.add_argument("--points", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200])
    parser.add_argument("--points", type=int, default=5, help="field points per configuration")
    parser.add_argument("--scipy-points", type=int, default=2, help="field points with the SciPy fallback")
    parser.add_argument("--output", help="Markdown file (default: stdout)")
    parser.add_argument("--ucf", type=int, metavar="LAYOUTS", default=0,
                        help="instead: universal conductance fluctuations over this many layouts")
    parser.add_argument("--symmetry", type=int, metavar="LAYOUTS", default=0,
                        help="instead: g(B) of layouts against their mirror and rotation images")
    args = parser.parse_args()
    if args.symmetry:
        text = symmetry(args.symmetry)
        if args.output:
            Path(args.output).write_text(text)
        print(text)
        return
    if args.ucf:
        # N = 15 modes between the thresholds 0.534 and 0.753 of a 20-site lead.
        text = ucf(args.ucf, np.linspace(0.56, 0.73, 18), field=0.0015)
        if args.output:
            Path(args.output).write_text(text)
        print(text)
        return
    if args.command == "worker":
        result = (worker_bare(args.L, args.points, tuned=args.kind == "tuned") if args.kind in ("bare", "tuned")
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
        "| L | sites | ours (MUMPS) | tuned Kwant loop | **ours / tuned (CPU)** | Kwant defaults | ours / defaults "
        "| ours, SciPy fallback | SciPy / MUMPS (CPU) | defaults, 2 BLAS threads | max abs(g_ours - g_tuned) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for L in args.sizes:
        ours = run_worker("ours", L, args.points)
        tuned = run_worker("tuned", L, args.points)
        bare = run_worker("bare", L, args.points)
        scipy = run_worker("scipy", L, args.scipy_points)
        threads2 = run_worker("bare", L, args.points, threads=2)
        diff = float(np.max(np.abs(np.array(ours["g"]) - np.array(tuned["g"]))))
        cell = lambda r: f"{r['cpu']:.3f} s ({r['per_point']:.3f} s)"  # noqa: E731
        lines.append(
            f"| {L} | {ours['sites']} | {cell(ours)} | {cell(tuned)} | **{ours['cpu'] / tuned['cpu']:.2f}** "
            f"| {cell(bare)} | {ours['cpu'] / bare['cpu']:.2f} "
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
