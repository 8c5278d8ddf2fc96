#!/usr/bin/env python
"""Eigenvalues and densities of one set of points, by one backend, saved for comparison.

Proves two things about a change of solver path (docs/benchmarks.md, "Real against complex"):

* ``--backend slepc`` with the new code equals the old code bit for bit (run once with the old
  source tree first on ``PYTHONPATH``, once with the new, then ``compare``);
* ``--backend auto`` (the real path for real H) agrees with the complex path to the tolerance.

    PYTHONPATH=/tmp/old/src python bench/path_agreement.py solve --backend slepc -o old.npz
    python bench/path_agreement.py solve --backend slepc -o slepc.npz
    python bench/path_agreement.py solve --backend auto -o auto.npz
    python bench/path_agreement.py compare old.npz slepc.npz auto.npz
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

# Real H (Anderson box/Gaussian, 2D and 3D, site percolation with its degenerate levels) and
# complex H (a field), a few realizations each.
POINTS = [
    dict(dim=3, L=12, W=10.0), dict(dim=3, L=12, W=16.5), dict(dim=3, L=12, W=24.0),
    dict(dim=3, L=10, W=20.0, distribution="gaussian"), dict(dim=2, L=24, W=5.0),
    dict(dim=3, L=10, model="percolation", percolation="site", p=0.35),
    dict(dim=2, L=16, W=2.0, flux=0.125),
]
ENERGIES = {5: 0.1}  # site percolation: next to, not at, the degenerate E = 0


def solve(args: argparse.Namespace) -> None:
    from wavelearn.eigenstates import solve_realizations
    from wavelearn.lattice import LatticeModel
    from wavelearn.solvers import SolverSettings

    out = {}
    for i, point in enumerate(POINTS):
        settings = SolverSettings(target=ENERGIES.get(i, 0.0), nev=5, tol=1e-10)
        shard = solve_realizations(LatticeModel(**point), settings, 2026, range(4), solver=args.backend)
        out[f"eigenvalues{i}"] = shard.eigenvalues
        out[f"density{i}"] = shard.density
        out[f"solver{i}"] = np.array(shard.attrs.get("solver", args.backend))
    np.savez(args.output, **out)


def compare(args: argparse.Namespace) -> None:
    files = [np.load(name) for name in args.files]
    names = args.files
    for i, point in enumerate(POINTS):
        line = [f"{point}"]
        for name, data in zip(names[1:], files[1:]):
            a, b = files[0][f"eigenvalues{i}"], data[f"eigenvalues{i}"]
            da, db = files[0][f"density{i}"], data[f"density{i}"]
            same = np.array_equal(a, b) and np.array_equal(da, db)
            line.append(f"{name} ({data[f'solver{i}']}): "
                        + ("bit-identical" if same else
                           f"max |d lambda| {np.abs(a - b).max():.1e}, max |d density| {np.abs(da - db).max():.1e}"))
        print(" | ".join(line))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("solve")
    s.add_argument("--backend", default="auto")
    s.add_argument("--output", "-o", required=True)
    c = sub.add_parser("compare")
    c.add_argument("files", nargs="+", help="the reference first")
    args = parser.parse_args()
    {"solve": solve, "compare": compare}[args.mode](args)
    sys.exit(0)
