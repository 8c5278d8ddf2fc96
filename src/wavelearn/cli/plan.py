"""``wavelearn plan``: points, jobs and estimated core-hours of a campaign config."""

from __future__ import annotations

import argparse
from collections import defaultdict

from wavelearn.campaign.config import load_config
from wavelearn.campaign.cost import estimate
from wavelearn.campaign.plan import campaign_points


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plan", help="points, jobs and estimated core-hours of a campaign config",
        description="Validate a campaign config, list its points and jobs per study, and estimate "
                    "core-hours: every kind of study times one unit of its own work (an eigen-solve "
                    "of one realization per study and L, one layout of a billiard in a transport job, "
                    "a short VMC run per L and alpha) and adds each job's start-up — what to check "
                    "before submitting.")
    p.add_argument("--config", default="config.yaml", help="campaign config [%(default)s]")
    p.add_argument("--no-calibrate", action="store_true", help="list the jobs only, time nothing")
    p.add_argument("--calibrate-max-sites", type=int, default=40**3,
                   help="largest eigenstate system solved for calibration; larger ones are extrapolated "
                        "as n^2 (3D) or n^1.5 (2D) [%(default)s]")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    points = campaign_points(config)
    rows = estimate(points, None if args.no_calibrate else args.calibrate_max_sites)
    by_study = defaultdict(list)
    for row in rows:
        by_study[(row.study, row.kind)].append(row)
    total_jobs, total_hours = 0, 0.0
    print(f"campaign seed {config['campaign_seed']}, {len(points)} points, results in {config['results']}/")
    for (study, kind), group_rows in by_study.items():
        jobs = sum(row.jobs for row in group_rows)
        total_jobs += jobs
        print(f"\nstudy {study} ({kind}): {sum(row.points for row in group_rows)} points, {jobs} jobs, "
              f"{sum(row.units for row in group_rows)} {group_rows[0].unit}s")
        for row in group_rows:
            line = (f"  {row.group:<14} {row.points:>4} points {row.jobs:>5} jobs {row.units:>7} {row.unit}s "
                    f"x {row.ranks} rank(s)")
            if row.calibration is not None:
                c = row.calibration
                total_hours += row.core_hours
                line += (f"  {c.seconds_per_unit:.2g} s/{row.unit} + {c.seconds_per_job:.2g} s/job "
                         f"({c.note})  ~{row.core_hours:.2g} core-hours")
            print(line)
    print(f"\ntotal: {total_jobs} jobs" + ("" if args.no_calibrate else
          f", ~{total_hours:.2g} core-hours (units + start-up per job, times ranks)"))
    return 0
