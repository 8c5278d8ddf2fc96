"""Compare two campaign results folders number for number: the proof that a refactor changed no
result (same config and seed -> the same shard paths, bit-identical eigenvalues and densities,
the same datasets, scans and critical points).

    python bench/compare_results.py RESULTS_A RESULTS_B

Every HDF5 dataset of every shard, dataset and scan file present in both is compared with
``numpy.array_equal`` (bit for bit; provenance attributes — times, hosts, commits, versions —
are ignored; datasets that only B has — a newer format's added columns — are listed, and the
rest compared); CSV files (summary, scans, phase diagrams) are compared line by line. Exit status
0 when everything is identical, 1 otherwise; one line per file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import h5py
import numpy as np


def arrays(path: Path) -> dict[str, np.ndarray]:
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and not name.endswith("seconds") and name != "samples/source":
                out[name] = item[()]
        f.visititems(visit)
    return out


def compare(a: Path, b: Path) -> int:
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.suffix in (".h5", ".csv")}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.suffix in (".h5", ".csv")}
    different = 0
    for missing in sorted(files_a ^ files_b):
        print(f"only in {'A' if missing in files_a else 'B'}: {missing}")
        different += 1
    for rel in sorted(files_a & files_b):
        if rel.suffix == ".csv":
            same = (a / rel).read_text() == (b / rel).read_text()
        else:
            x, y = arrays(a / rel), arrays(b / rel)
            common = x.keys() & y.keys()
            same = all(np.array_equal(x[k], y[k]) for k in common)
            added = sorted(y.keys() - x.keys())
            if same and x.keys() - y.keys():
                same = False
            if same and added:
                print(f"identical (plus new datasets in B: {', '.join(added)}): {rel}")
                continue
        print(f"{'identical' if same else 'DIFFERENT'}: {rel}")
        different += not same
    print(f"{len(files_a & files_b)} files compared, {different} differ or are missing")
    return 1 if different else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args()
    sys.exit(compare(args.a, args.b))
