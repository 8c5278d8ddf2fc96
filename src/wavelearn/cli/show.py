"""``wavelearn show``: summarise an eigenstate shard."""

from __future__ import annotations

import argparse

import numpy as np

from wavelearn.io.shards import read_shard


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("show", help="summarise an eigenstate shard (parameters, eigenvalues, provenance)",
                       description="Print the parameters, eigenvalues and provenance stored in a shard.")
    p.add_argument("path", help="HDF5 shard written by 'wavelearn eigensolve'")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    shard = read_shard(args.path)
    print(f"{args.path}: {shard.attrs['label']}")
    for key in sorted(shard.attrs):
        print(f"  {key:>24} = {shard.attrs[key]}")
    print(f"  realizations {shard.realization.tolist()}")
    with np.printoptions(precision=10, suppress=True, linewidth=120):
        for k, values in zip(shard.realization, shard.eigenvalues):
            print(f"  k={k}: {values}")
    return 0
