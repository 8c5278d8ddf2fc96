"""``wavelearn transport``: magneto-conductance fingerprints of a chunk of antidot layouts -> HDF5."""

from __future__ import annotations

import argparse
import math
import sys
import time

from wavelearn.blas import max_blas_threads
from wavelearn.cli.options import number
from wavelearn.eigenstates import parse_realizations
from wavelearn.transport.params import Billiard

HELP = "magneto-conductance g(B), wave-function and layout images of antidot billiards -> HDF5"

DESCRIPTION = """\
For each requested layout of one antidot billiard (a square-lattice conductor, t = 1, between
two leads, with circular antidots at random non-overlapping positions and optional on-site
disorder), compute with Kwant:

  g(B) = sum_{m in lead 1, n in lead 0} |S_mn(B)|^2      in e^2/h, on the field grid
  n(r) = sum over incoming modes of lead 0 of |psi(r)|^2  at --image-field
  the antidot centres and their occupancy image on the same grid.

The field is a flux per plaquette in flux quanta (gauge A = (-B y, 0, 0)); each layout's
system is finalized once and the field swept through Kwant's params. Layout k is determined
by (--seed, Lx, Ly, antidots, radius, gap, k): the same layout whatever the chunking. One BLAS
thread; PETSc is never loaded in this process (wavelearn.transport.runtime). The output is
written atomically; its format is in docs/fingerprints-format.md.

example:
  wavelearn transport --Lx 60 --Ly 40 --lead-width 16 --energy 0.5 --antidots 6 --radius 4 \\
      --field-min -0.01 --field-max 0.01 --field-points 81 --layouts 0:8 --output chunk.h5
"""


def _potential(text: str) -> float:
    return math.inf if text.strip().lower() in ("inf", "hard") else number(text)


GATHER_HELP = "join fingerprint chunks of one billiard into a dataset sorted by layout"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transport", help=HELP, description=DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(p)
    p.set_defaults(run=run)
    g = sub.add_parser("gather-fingerprints", help=GATHER_HELP, description=GATHER_HELP + (
        ". Every chunk must have the same billiard, campaign seed, solver and field grid, and no "
        "layout may appear twice; the output (same format, kind 'dataset') is written atomically."))
    g.add_argument("chunks", nargs="+", help="HDF5 files written by 'wavelearn transport'")
    g.add_argument("--output", "-o", required=True, help="the dataset to write")
    g.set_defaults(run=run_gather)
    f = sub.add_parser("plot-fingerprints", help="g(B) of a few layouts with their density images",
                       description="Plot the magneto-conductance g(B) of the first LAYOUTS layouts of a "
                                   "fingerprint dataset, and each layout's density image with its antidots.")
    f.add_argument("dataset", help="a file written by 'wavelearn gather-fingerprints' (or 'transport')")
    f.add_argument("--layouts", type=int, default=4, help="how many layouts [%(default)s]")
    f.add_argument("--output", "-o", required=True, help="PNG or PDF")
    f.set_defaults(run=run_plot)


def run_plot(args: argparse.Namespace) -> int:
    from wavelearn.analysis.fingerprint_plots import plot_fingerprints

    plot_fingerprints(args.dataset, args.output, args.layouts)
    print(f"wrote {args.output}")
    return 0


def run_gather(args: argparse.Namespace) -> int:
    from wavelearn.io.fingerprints import gather_fingerprints

    n = gather_fingerprints(args.chunks, args.output)
    print(f"wrote {args.output}: {n} layouts from {len(args.chunks)} chunk(s)")
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("billiard (lengths in lattice constants, energies in t)")
    g.add_argument("--Lx", type=int, required=True, help="sites along the transport direction x")
    g.add_argument("--Ly", type=int, required=True, help="sites across (y)")
    g.add_argument("--lead-width", type=int, default=None, help="sites of lead 0 (left) [Ly]")
    g.add_argument("--lead-y", type=int, default=None, help="bottom row of lead 0 [centred]")
    g.add_argument("--right-lead-width", type=int, default=None, help="sites of lead 1 (right) [--lead-width]")
    g.add_argument("--right-lead-y", type=int, default=None,
                   help="bottom row of lead 1 [centred]; leads at different heights break the device's "
                        "mirror and rotation symmetries, which g(B) cannot see")
    g.add_argument("--energy", "-E", type=float, default=0.5, help="Fermi energy [%(default)s]")
    g.add_argument("--antidots", type=int, default=0, help="number of antidots [%(default)s]")
    g.add_argument("--radius", type=float, default=3.0, help="antidot radius [%(default)s]")
    g.add_argument("--gap", type=float, default=1.0,
                   help="least distance between antidot edges [%(default)s]")
    g.add_argument("--potential", type=_potential, default=math.inf,
                   help="antidot potential V > 0, or 'inf' for hard walls (sites removed) [inf]")
    g.add_argument("--W", type=float, default=0.0,
                   help="box disorder: eps uniform in [-W/2, W/2] [%(default)s]")

    f = p.add_argument_group("field sweep (flux per plaquette in flux quanta h/e)")
    f.add_argument("--field-min", type=float, default=0.0, help="[%(default)s]")
    f.add_argument("--field-max", type=float, default=0.01, help="[%(default)s]")
    f.add_argument("--field-points", type=int, default=101, help="[%(default)s]")
    f.add_argument("--image-field", type=float, default=0.0,
                   help="field of the scattering-state density image [%(default)s]")
    f.add_argument("--solver", choices=("mumps", "scipy"), default="mumps",
                   help="mumps: Kwant's MUMPS solver; scipy: its SciPy fallback (slow, for "
                        "comparison) [%(default)s]")

    r = p.add_argument_group("layouts and output")
    r.add_argument("--seed", type=int, default=0, help="campaign seed [%(default)s]")
    r.add_argument("--layouts", default="0:1", metavar="START:STOP",
                   help="layout indices START..STOP-1 [%(default)s]")
    r.add_argument("--output", "-o", required=True, help="HDF5 file to write (atomically)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")


def params_from_args(args: argparse.Namespace) -> Billiard:
    return Billiard(
        Lx=args.Lx, Ly=args.Ly, lead_width=args.lead_width, energy=args.energy, antidots=args.antidots,
        radius=args.radius, gap=args.gap, potential=args.potential, W=args.W, field_min=args.field_min,
        field_max=args.field_max, field_points=args.field_points, image_field=args.image_field,
        lead_y=args.lead_y, right_lead_width=args.right_lead_width, right_lead_y=args.right_lead_y,
    )


def run(args: argparse.Namespace) -> int:
    params = params_from_args(args)  # validated before Kwant is loaded
    layouts = parse_realizations(args.layouts)
    # Kwant only now: loading it sets one BLAS thread and blocks PETSc in this process.
    from wavelearn.io.fingerprints import FingerprintData, write_fingerprints
    from wavelearn.transport.conductance import fingerprint

    start = time.perf_counter()
    iterator = layouts
    if not args.no_progress:
        from tqdm import tqdm

        iterator = tqdm(layouts, desc=params.label(), unit="layout")
    results = [fingerprint(params, args.seed, k, args.solver) for k in iterator]
    wall = time.perf_counter() - start
    data = FingerprintData.from_fingerprints(params, args.seed, args.solver, results)
    write_fingerprints(args.output, data, {"wall_seconds": wall, "blas_threads": max_blas_threads()})
    per_point = data.solve_seconds.sum() / (len(data) * params.field_points)
    print(f"wrote {args.output}: {params.label()}, {len(data)} layout(s) x {params.field_points} fields, "
          f"{per_point:.3g} s per field point, <g> = {data.conductance.mean():.3f} e^2/h")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m wavelearn.cli.transport``: the same as ``wavelearn transport`` (one error handling)."""
    from wavelearn.cli.main import main as wavelearn

    return wavelearn(["transport", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
