"""``wavelearn gather``: concatenate eigenstate shards into one HDF5 dataset."""

from __future__ import annotations

import argparse

from wavelearn.io.datasets import gather_shards


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gather", help="concatenate eigenstate shards of one study and L into an HDF5 dataset",
        description="Concatenate the samples (one per eigenstate) of SHARD files into one dataset with a "
                    "per-sample metadata table; every shard's samples appear exactly once "
                    "(format: docs/formats.md).")
    p.add_argument("shards", nargs="+", metavar="SHARD", help="shards written by 'wavelearn eigensolve'")
    p.add_argument("--output", "-o", required=True, help="dataset to write (atomically)")
    p.add_argument("--study", default="", help="study name, stored as an attribute")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    n = gather_shards(args.shards, args.output, study=args.study)
    print(f"wrote {args.output}: {n} samples from {len(args.shards)} shards")
    return 0
