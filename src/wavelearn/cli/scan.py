"""``wavelearn scan`` and ``wavelearn phase-diagram``: apply a trained CNN, find the transition."""

from __future__ import annotations

import argparse

from wavelearn.cli.table import with_error
from wavelearn.io.atomic import write_csv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="P(phase) per eigenstate and per point of a scan, with a trained CNN",
                       description="Apply the network in NETWORK (a 'wavelearn train' workdir) to every state of "
                                   "the DATASET files; write P(phase) per point (mean, standard error over "
                                   "realizations) as CSV, and per state as HDF5 (format wavelearn-scan).")
    p.add_argument("datasets", nargs="+", metavar="DATASET")
    p.add_argument("--network", required=True, help="workdir of 'wavelearn train'")
    p.add_argument("--csv", required=True)
    p.add_argument("--h5", required=True)
    p.set_defaults(run=run_scan)

    d = sub.add_parser("phase-diagram", help="critical points from scans: P = 1/2 crossings with bootstrap intervals",
                       description="From SCAN files (one per L): the parameter where P(first class) crosses 1/2 "
                                   "for every L, with a 95 %% bootstrap interval over realizations, and the "
                                   "crossing of the curves of the two largest L; CSV and a plot.")
    d.add_argument("scans", nargs="+", metavar="SCAN", help="HDF5 files written by 'wavelearn scan'")
    d.add_argument("--csv", required=True)
    d.add_argument("--plot", required=True, help="PNG or PDF")
    d.add_argument("--bootstrap", type=int, default=400, help="bootstrap resamples [%(default)s]")
    d.add_argument("--exclude-training", action="store_true",
                   help="leave out the states whose realizations trained the network")
    d.set_defaults(run=run_phase_diagram)


def run_scan(args: argparse.Namespace) -> int:
    from wavelearn.analysis.critical import point_probabilities
    from wavelearn.io.scans import write_scan
    from wavelearn.learning.phases.inference import load_network, scan

    result = scan(load_network(args.network), args.datasets)
    write_scan(result, args.h5)
    rows = point_probabilities(result)
    write_csv(args.csv, rows)
    name = result.classes[0]
    for row in rows:
        excluded = f", {row['degenerate_excluded']} degenerate left out" if row["degenerate_excluded"] else ""
        print(f"L={row['L']} {result.parameter}={row[result.parameter]:g}: P({name}) = "
              f"{with_error(row[f'P_{name}'], row[f'P_{name}_stderr'])} ({row['states']} states{excluded})")
    return 0


def run_phase_diagram(args: argparse.Namespace) -> int:
    from wavelearn.analysis.critical import phase_diagram
    from wavelearn.analysis.plots import plot_phase_diagram
    from wavelearn.io.scans import read_scans, without_training

    result = read_scans(args.scans)
    if args.exclude_training:
        result = without_training(result)
    estimates = phase_diagram(result, n_boot=args.bootstrap)
    column = f"{result.parameter}_c"
    write_csv(args.csv, [{"L": e.size, column: e.value, "low": e.low, "high": e.high} for e in estimates])
    plot_phase_diagram(result, estimates, args.plot)
    for e in estimates:
        print(f"L={e.size}: {column} = {e.text()}")
    return 0
