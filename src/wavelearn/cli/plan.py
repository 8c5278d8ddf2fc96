"""``wavelearn plan``: points, jobs and estimated core-hours of a campaign config."""

from __future__ import annotations

import argparse
from collections import defaultdict

from wavelearn.campaign.config import load_config
from wavelearn.campaign.cost import JOB_STARTUP_SECONDS, estimate
from wavelearn.campaign.plan import campaign_points


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan", help="points, jobs and estimated core-hours of a campaign config",
        description="Validate a campaign config, list its points and jobs per study, and estimate "
                    "core-hours from one short calibration solve per (study, L) plus "
                    f"{JOB_STARTUP_SECONDS} s of start-up per job — what to check before submitting.")
    p.add_argument("--config", default="config.yaml", help="campaign config [%(default)s]")
    p.add_argument("--no-calibrate", action="store_true", help="skip the calibration solves")
    p.add_argument("--calibrate-max-sites", type=int, default=40**3,
                   help="largest system solved for calibration; larger ones are extrapolated "
                        "as n^2 (3D) or n^1.5 (2D) [%(default)s]")
    p.set_defaults(run=run)


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
        for row in sorted(estimate(pts, args.calibrate_max_sites), key=lambda r: r.L):
            total_hours += row.core_hours
            print(f"  L={row.L:<4} {row.points:>4} points  {row.seconds_per_unit:8.2f} s/realization ({row.note})  "
                  f"~{row.core_hours:.3g} core-hours")
    print(f"\ntotal: {total_jobs} solve jobs" + ("" if args.no_calibrate else
          f", ~{total_hours:.3g} core-hours (solves + {JOB_STARTUP_SECONDS} s start-up per job, times ranks)"))
    return 0
