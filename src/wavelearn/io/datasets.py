"""Gathered datasets: all eigenstates of one study and one L in a single HDF5 file.

Layout (format ``wavelearn-dataset`` version 2, docs/formats.md):

* ``density`` (N, *shape) float32, |psi|^2 per sample (sum 1), chunked one sample per chunk,
  gzip-compressed: the input of the learning stages.
* ``density_k`` (N, *shape) float32, |psi(k)|^2 (sum 1, k = 0 at the centre), only when every
  shard stores ``psi`` (``save_psi: true`` in the study).
* ``samples/`` one 1-D column of length N per metadata field: ``W``, ``p``, ``flux``, ``L``,
  ``energy``, ``eigenvalue``, ``residual``, ``multiplicity`` (degeneracy of the level: > 1 marks
  an arbitrary vector of a degenerate eigenspace, which the analyses leave out, see
  :func:`nondegenerate`), ``realization``, ``state`` (rank of |lambda - E| within its
  realization), ``seed`` (campaign seed), ``point_hash``, ``source`` (shard path).
* attributes: the study's fixed parameters, ``n_degenerate`` (samples of multiplicity > 1) and
  the provenance of the gather.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

import h5py
import numpy as np

from wavelearn.errors import DataError
from wavelearn.io.atomic import atomic_path
from wavelearn.io.formats import DATASET as FORMAT, EIGENSTATES, check_format, require
from wavelearn.io.integrity import check_dataset
from wavelearn.io.provenance import provenance
from wavelearn.io.shards import read_shard

# Version 2: the ``multiplicity`` column, the ``cluster`` and ``n_degenerate`` attributes.
FORMAT_VERSION = 2
#: the input fields a reader may ask for: |psi(r)|^2 ("r") or |psi(k)|^2 ("k")
INPUTS = {"r": "density", "k": "density_k"}
# Parameters that must agree between all shards of one dataset (the points may differ in W, p, flux).
SHARED = ("model", "dim", "L", "distribution", "percolation", "boundary", "cluster", "nev")
# Settings that must agree too: a dataset never mixes energies, seeds, tolerances or backends.
SETTINGS = ("energy", "campaign_seed", "tol", "backend", "format_version")


def momentum_density(psi: np.ndarray) -> np.ndarray:
    """|psi(k)|^2 on the reciprocal lattice, k = 0 at the centre (fftshift), sum 1 per state.

    ``psi`` has shape (n_states, *shape); the Fourier transform runs over the lattice axes.
    """
    axes = tuple(range(1, psi.ndim))
    density = np.abs(np.fft.fftshift(np.fft.fftn(psi, axes=axes), axes=axes)) ** 2
    return density / density.reshape(len(density), -1).sum(axis=1).reshape((-1,) + (1,) * (psi.ndim - 1))


def gather_shards(shard_paths: Iterable[str | os.PathLike], output: str | os.PathLike, study: str = "") -> int:
    """Concatenate the samples of every shard into one dataset; returns the number of samples.

    Each shard is read once and streamed into the output, so memory stays at one shard.
    """
    shard_paths = [str(p) for p in shard_paths]
    if not shard_paths:
        raise DataError("gather: no shards given")
    headers, with_psi, seen = [], True, {}
    for path in shard_paths:
        with h5py.File(path, "r") as f:
            check_format(f, EIGENSTATES, path)
            require(f, ("eigenvalues", "density", "realization", "point_hash", *SHARED, *SETTINGS), path)
            headers.append((dict(f.attrs), f["eigenvalues"].shape, f["density"].shape[2:]))
            with_psi &= "psi" in f
            # The same realization of the same point twice (a.h5 and ./a.h5, or a copied shard)
            # would count one Hamiltonian twice: duplicates are found by content, not by path.
            for k in f["realization"][()].tolist():
                key = (str(f.attrs["point_hash"]), k)
                if key in seen:
                    raise DataError(f"gather: realization {k} of point {f.attrs['label']} is in both "
                                    f"{seen[key]} and {path}")
                seen[key] = path
    first = headers[0][0]
    for path, (attrs, _, _) in zip(shard_paths, headers):
        for key in (*SHARED, *SETTINGS):
            if attrs[key] != first[key]:
                raise DataError(f"gather: {path} has {key}={attrs[key]}, the first shard "
                                f"{shard_paths[0]} {key}={first[key]}")
    shape = headers[0][2]
    total = sum(r * nev for _, (r, nev), _ in headers)
    string = h5py.string_dtype()
    columns = {"W": "f8", "p": "f8", "flux": "f8", "L": "i8", "energy": "f8", "eigenvalue": "f8",
               "residual": "f8", "multiplicity": "i8", "realization": "i8", "state": "i8", "seed": "i8",
               "point_hash": string, "source": string}
    with atomic_path(output) as tmp, h5py.File(tmp, "w") as f:
        density = f.create_dataset("density", shape=(total, *shape), dtype="f4", chunks=(1, *shape),
                                   compression="gzip", compression_opts=4, shuffle=True)
        density_k = f.create_dataset("density_k", shape=(total, *shape), dtype="f4", chunks=(1, *shape),
                                     compression="gzip", compression_opts=4, shuffle=True) if with_psi else None
        group = f.create_group("samples")
        cols = {name: group.create_dataset(name, shape=(total,), dtype=dtype) for name, dtype in columns.items()}
        offset = 0
        for path in shard_paths:
            shard = read_shard(path, load_psi=with_psi)
            r, nev = shard.eigenvalues.shape
            n = r * nev
            sl = slice(offset, offset + n)
            density[sl] = shard.density.reshape(n, *shape)
            if density_k is not None:
                density_k[sl] = momentum_density(shard.psi.reshape(n, *shape))
            values = {
                "W": shard.model.W, "p": shard.model.p, "flux": shard.model.flux, "L": shard.model.L,
                "energy": shard.settings.target, "eigenvalue": shard.eigenvalues.ravel(),
                "residual": shard.residuals.ravel(), "multiplicity": shard.multiplicity.ravel(),
                "realization": np.repeat(shard.realization, nev),
                "state": np.tile(np.arange(nev), r), "seed": shard.campaign_seed,
                "point_hash": shard.attrs["point_hash"], "source": path,
            }
            for name, value in values.items():
                cols[name][sl] = np.broadcast_to(np.asarray(value, dtype=object if name in ("point_hash", "source") else None), (n,))
            offset += n
        n_degenerate = int(np.sum(cols["multiplicity"][()] > 1))
        attrs = {"format": FORMAT, "format_version": FORMAT_VERSION, "study": study, "n_samples": total,
                 "n_degenerate": n_degenerate,
                 "n_shards": len(shard_paths), **{key: first[key] for key in SHARED}, **provenance()}
        for key, value in attrs.items():
            f.attrs[key] = value
    return total


def read_dataset(paths: Sequence[str | Path], input: str = "r") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Concatenate gathered datasets of one lattice shape: |psi(r)|^2 (``input="r"``) or
    |psi(k)|^2 (``"k"``), shape (N, *shape), and the per-sample columns of ``samples/``."""
    field = INPUTS[input]
    densities, metas, shape = [], [], None
    for path in paths:
        if not Path(path).exists():
            raise DataError(f"dataset {path} does not exist")
        with h5py.File(path, "r") as f:
            check_format(f, FORMAT, path)
            require(f, ("density", "samples"), path)
            if shape is not None and f["density"].shape[1:] != shape:
                raise DataError(f"{path} has lattice shape {f['density'].shape[1:]}, the first dataset {shape}")
            if field not in f:
                raise DataError(f"{path} has no {field!r} (|psi(k)|^2 needs save_psi: true in the study)")
            shape = f["density"].shape[1:]
            densities.append(f[field][()])
            metas.append({key: f["samples"][key][()] for key in f["samples"]})
            check_dataset(path, field, densities[-1], metas[-1])
    meta = {key: np.concatenate([m[key] for m in metas]) for key in metas[0]}
    return np.concatenate(densities), meta


def nondegenerate(meta: dict[str, np.ndarray]) -> np.ndarray:
    """Boolean mask of the samples that are eigenstates of a non-degenerate level.

    A vector of an exactly degenerate eigenspace (clean lattices, Landau levels, the molecular
    levels of percolation clusters) is one arbitrary member of a basis that the solver chose:
    on a lattice of several clusters it mixes states of different clusters. It is not a wave
    function to classify, image, or average over, so training, scans, summaries and the
    criticality analysis leave such samples out and report how many they left out.
    """
    return np.asarray(meta["multiplicity"]) <= 1


def realization_keys(meta: dict[str, np.ndarray]) -> np.ndarray:
    """``seed/point_hash/realization`` of every sample: the identity of its Hamiltonian."""
    hashes = [h.decode() if isinstance(h, bytes) else str(h) for h in meta["point_hash"]]
    return np.array([f"{s}/{h}/{r}" for s, h, r in zip(meta["seed"], hashes, meta["realization"])])


def realization_groups(meta: dict[str, np.ndarray]) -> np.ndarray:
    """One integer id per (point, realization): the states of one Hamiltonian share it."""
    keys = [f"{h}/{r}" for h, r in zip(meta["point_hash"], meta["realization"])]
    _, groups = np.unique(keys, return_inverse=True)
    return groups
