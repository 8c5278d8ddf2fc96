"""A readable summary of any file wavelearn writes (``wavelearn show``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import h5py
import numpy as np

from wavelearn.errors import DataError
from wavelearn.io import formats


def _attributes(attrs) -> list[str]:
    lines = []
    for key in sorted(attrs):
        lines.append(f"  {key:>24} = {formats.python_value(attrs[key])}")
    return lines


def _datasets(handle: h5py.Group) -> list[str]:
    lines = []

    def visit(name, item):
        if isinstance(item, h5py.Dataset):
            lines.append(f"  {name:<28} {str(item.shape):<22} {item.dtype}")

    handle.visititems(visit)
    return lines


def describe(path: str | os.PathLike) -> list[str]:
    """Lines describing a shard, dataset or scan (HDF5), or a trained network (its folder or
    network.json): format, parameters, provenance, datasets, and the key numbers."""
    path = Path(path)
    if path.is_dir() or path.suffix == ".json":
        info_file = path / "network.json" if path.is_dir() else path
        if not info_file.exists():
            raise DataError(f"{path}: no network.json (not a trained network)")
        info = json.loads(info_file.read_text())
        return [f"{path}: trained network", *(f"  {k:>24} = {v}" for k, v in info.items())]
    with h5py.File(path, "r") as f:
        kind = formats.python_value(f.attrs.get("format"))
        if kind not in formats.VERSIONS:
            raise DataError(f"{path}: not a wavelearn file (format={kind!r}); "
                            f"wavelearn writes {', '.join(formats.VERSIONS)}")
        formats.check_format(f, kind, path)
        lines = [f"{path}: {kind} (version {int(f.attrs.get('format_version', 0))})",
                 "attributes:", *_attributes(f.attrs), "datasets:", *_datasets(f)]
        if kind == formats.EIGENSTATES:
            lines.append("eigenvalues per realization:")
            with np.printoptions(precision=10, suppress=True, linewidth=120):
                for k, values in zip(f["realization"][()], f["eigenvalues"][()]):
                    lines.append(f"  k={k}: {values}")
        elif kind in (formats.DATASET, formats.SCAN):
            samples = f["samples"]
            lines.append(f"samples: {samples['L'].shape[0]}")
            for name in ("L", "W", "p", "flux"):
                if name in samples:
                    values = np.unique(samples[name][()])
                    lines.append(f"  {name:>6}: {', '.join(f'{v:g}' for v in values[:20])}"
                                 + (" ..." if len(values) > 20 else ""))
    return lines
