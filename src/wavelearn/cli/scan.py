"""``wavelearn scan`` and ``wavelearn phase-diagram``: apply a trained CNN, find the transition."""

from __future__ import annotations

import argparse

import numpy as np

from wavelearn.io.atomic import write_csv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="P(phase) per eigenstate and per point of a scan, with a trained CNN",
                       description="Apply the network in MODEL (a 'wavelearn train' workdir) to every state of "
                                   "the DATASET files; write P(phase) per point (mean, standard error over "
                                   "realizations) as CSV, and per state as HDF5.")
    p.add_argument("datasets", nargs="+", metavar="DATASET")
    p.add_argument("--model", required=True, help="workdir of 'wavelearn train'")
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
    d.set_defaults(run=run_phase_diagram)


def run_scan(args: argparse.Namespace) -> int:
    from wavelearn.learning.scan import scan, write_scan
    from wavelearn.learning.train import load_model

    trainer, info = load_model(args.model)
    result = scan(trainer, info["classes"], args.datasets, info.get("input", "r"))
    rows = write_scan(result, args.csv, args.h5)
    name = result.classes[0]
    for row in rows:
        print(f"L={row['L']} {result.parameter}={row[result.parameter]:g}: P({name}) = "
              f"{row[f'P_{name}']:.3f} ± {row[f'P_{name}_stderr']:.3f} ({row['states']} states)")
    return 0


def run_phase_diagram(args: argparse.Namespace) -> int:
    from wavelearn.learning.scan import critical_point, crossing, plot_phase_diagram, read_scans

    result = read_scans(args.scans)
    sizes = sorted(np.unique(result.meta["L"]).tolist())
    estimates = {L: critical_point(result, L, n_boot=args.bootstrap) for L in sizes}
    rows = [{"L": L, f"{result.parameter}_c": xc, "low": lo, "high": hi} for L, (xc, lo, hi) in estimates.items()]
    if len(sizes) >= 2:
        # Crossing of the two largest sizes' curves: where P_L1 - P_L2 changes sign.
        points = result.points()
        name = result.classes[0]
        a, b = ({r[result.parameter]: r[f"P_{name}"] for r in points if r["L"] == L} for L in sizes[-2:])
        common = sorted(set(a) & set(b))
        xc = crossing(np.array(common), np.array([a[x] - b[x] for x in common]), level=0.0)
        rows.append({"L": f"{sizes[-2]}x{sizes[-1]}", f"{result.parameter}_c": xc, "low": np.nan, "high": np.nan})
    write_csv(args.csv, rows)
    plot_phase_diagram(result, estimates, args.plot)
    for row in rows:
        print(f"L={row['L']}: {result.parameter}_c = {row[f'{result.parameter}_c']:.3f} "
              f"[{row['low']:.3f}, {row['high']:.3f}]")
    return 0
