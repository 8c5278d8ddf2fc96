"""``wavelearn plan``: what a campaign will cost before it burns an allocation."""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from wavelearn.campaign.config import load_config
from wavelearn.campaign.plan import campaign_points
from wavelearn.lattice import build_hamiltonian
from wavelearn.solvers import get_solver

# Cost of a sparse direct factorisation with nested-dissection-like orderings grows as
# n^2 (3D) and n^1.5 (2D) in the number of sites n: used to extrapolate calibrations.
SCALING = {2: 1.5, 3: 2.0}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan", help="points, jobs and estimated core-hours of a campaign config",
        description="Validate a campaign config, list its points and jobs per study, and estimate "
                    "core-hours from one short calibration solve per (study, L) — what to check "
                    "before submitting.")
    p.add_argument("--config", default="config.yaml", help="campaign config [%(default)s]")
    p.add_argument("--no-calibrate", action="store_true", help="skip the calibration solves")
    p.add_argument("--calibrate-max-sites", type=int, default=40**3,
                   help="largest system solved for calibration; larger ones are extrapolated "
                        "as n^2 (3D) or n^1.5 (2D) [%(default)s]")
    p.set_defaults(run=run)


def calibrate(point, max_sites: int) -> tuple[float, str]:
    """Seconds for one realization of ``point`` (solved, or extrapolated from a smaller L)."""
    model = point.model
    note = "measured"
    if model.n_sites > max_sites:
        from dataclasses import replace

        small_L = round(max_sites ** (1 / model.dim))
        while small_L**model.dim > max_sites:
            small_L -= 1
        small = replace(model, L=small_L, flux=0.0 if model.flux * small_L % 1 else model.flux)
        seconds, _ = calibrate(replace(point, model=small), max_sites)
        return seconds * (model.n_sites / small.n_sites) ** SCALING[model.dim], f"extrapolated from L={small_L}"
    H = build_hamiltonian(model, point.campaign_seed, 0).matrix
    start = time.perf_counter()
    get_solver(point.backend).solve(H, point.settings)
    return time.perf_counter() - start, note


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    points = campaign_points(config)
    by_study = defaultdict(list)
    for point in points:
        by_study[point.study].append(point)
    total_jobs, total_hours = 0, 0.0
    print(f"campaign seed {config['campaign_seed']}, {len(points)} points, results in {config['results']}/")
    for study, pts in by_study.items():
        jobs = sum(len(pt.chunks) for pt in pts)
        total_jobs += jobs
        print(f"\nstudy {study}: {len(pts)} points, {jobs} solve jobs "
              f"({pts[0].realizations} realizations/point, {pts[0].realizations_per_job}/job, "
              f"{pts[0].mpi_ranks} rank(s)/job), {len({pt.model.L for pt in pts})} gathered datasets")
        if args.no_calibrate:
            continue
        for L in sorted({pt.model.L for pt in pts}):
            at_L = [pt for pt in pts if pt.model.L == L]
            probe = at_L[len(at_L) // 2]
            seconds, note = calibrate(probe, args.calibrate_max_sites)
            hours = seconds * probe.realizations * len(at_L) * probe.mpi_ranks / 3600
            total_hours += hours
            print(f"  L={L:<4} {len(at_L):>4} points  {seconds:8.2f} s/realization ({note})  "
                  f"~{hours:.3g} core-hours")
    print(f"\ntotal: {total_jobs} solve jobs" + ("" if args.no_calibrate else f", ~{total_hours:.3g} core-hours "
          "(solves only; single-rank timing times ranks)"))
    return 0
