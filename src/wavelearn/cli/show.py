"""``wavelearn show``: summarise any wavelearn file."""

from __future__ import annotations

import argparse

from wavelearn.io.describe import describe


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("show", help="summarise a wavelearn file: shard, dataset, scan or trained network",
                       description="Print the format, parameters, provenance and contents of a file written by "
                                   "wavelearn: an eigenstate shard, a gathered dataset, a scan, or a trained "
                                   "network (its folder). Formats: docs/formats.md.")
    p.add_argument("path", help="HDF5 file, or a 'wavelearn train' workdir")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    for line in describe(args.path):
        print(line)
    return 0
