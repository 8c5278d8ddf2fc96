"""``wavelearn summarize``: participation ratios per point as CSV and a plot."""

from __future__ import annotations

import argparse

from wavelearn.analysis.summary import write_summary
from wavelearn.cli.table import with_error
from wavelearn.lattice.params import SCANNED


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "summarize", help="mean participation ratio per point of gathered datasets (CSV + plot)",
        description="For every point in the DATASET files: number of eigenstates and their mean "
                    "participation ratio 1/(N sum |psi|^4) with its standard error, as CSV, and a "
                    "plot against W (or p, flux) per study and L.")
    p.add_argument("datasets", nargs="+", metavar="DATASET", help="files written by 'wavelearn gather'")
    p.add_argument("--csv", required=True, help="CSV to write")
    p.add_argument("--plot", default=None, help="PNG or PDF to write")
    p.set_defaults(run=run)

    s = sub.add_parser("plot-states", help="|psi|^2 at chosen W (or p, flux): metal, critical, insulator",
                       description="Plot |psi|^2 of the state closest to E at the parameter values nearest to "
                                   "VALUES (3D lattices: summed along z), on a log colour scale.")
    s.add_argument("dataset", help="a file written by 'wavelearn gather'")
    s.add_argument("--values", type=float, nargs="+", required=True)
    s.add_argument("--parameter", choices=SCANNED, default="W")
    s.add_argument("--output", required=True, help="PNG or PDF")
    s.set_defaults(run=run_states)


def run_states(args: argparse.Namespace) -> int:
    from wavelearn.analysis.plots import plot_state_slices

    plot_state_slices(args.dataset, args.values, args.output, args.parameter)
    print(f"wrote {args.output}")
    return 0


def run(args: argparse.Namespace) -> int:
    rows = write_summary(args.datasets, args.csv, args.plot)
    for row in rows:
        print(f"{row['study']:>16} L={row['L']:<3} W={row['W']:<6g} p={row['p']:<5g} flux={row['flux']:<6g} "
              f"states={row['samples']:<4} participation={with_error(row['participation'], row['participation_stderr'])}")
    return 0
