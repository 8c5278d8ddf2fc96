"""Eigenstate shards: the HDF5 file one ``wavelearn eigensolve`` call writes.

Layout (format ``wavelearn-eigenstates`` version 2, documented in docs/formats.md):

=================  ==========================  =============================================
dataset            shape, dtype                meaning
=================  ==========================  =============================================
``eigenvalues``    (R, nev) float64            lambda, sorted by |lambda - E| per realization
``density``        (R, nev, *shape) float32    |psi|^2 on the full lattice, sum 1 per state;
                                               0 on sites removed by site percolation
``residuals``      (R, nev) float64            ||H psi - lambda psi||_2
``multiplicity``   (R, nev) int64              degeneracy of lambda (1: a non-degenerate level;
                                               > 1: psi is an arbitrary vector of its eigenspace)
``realization``    (R,) int64                  realization index k of the point
``dimension``      (R,) int64                  Hilbert-space dimension (kept sites)
``solve_seconds``  (R,) float64                wall time of the eigen-solve
``factor_seconds`` (R,) float64                of which the factorisation (NaN if unknown)
``psi``            (R, nev, *shape) complex128 only with ``--save-psi``
=================  ==========================  =============================================

Attributes: every :class:`LatticeModel` field, every :class:`SolverSettings` field (``ncv`` 0
meaning the backend's default), ``energy``, ``campaign_seed``, ``backend``, ``mpi_ranks``,
``point_hash``, ``label``, ``wall_seconds``, ``blas_threads`` and the provenance record.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

import h5py
import numpy as np

from wavelearn.io.atomic import atomic_path
from wavelearn.io.formats import EIGENSTATES as FORMAT, check_format, python_value, require
from wavelearn.io.integrity import check_shard
from wavelearn.io.provenance import provenance
from wavelearn.lattice import LatticeModel, point_hash
from wavelearn.solvers.base import SolverSettings

# Version 2: the ``multiplicity`` of every state and the ``cluster`` attribute (Hilbert space).
FORMAT_VERSION = 2
ARRAYS = ("eigenvalues", "density", "residuals", "multiplicity", "realization", "dimension", "solve_seconds",
          "factor_seconds")


@dataclass
class ShardData:
    """A shard in memory: per-realization arrays stacked along the first axis."""

    model: LatticeModel
    settings: SolverSettings
    campaign_seed: int
    backend: str
    eigenvalues: np.ndarray
    density: np.ndarray
    residuals: np.ndarray
    multiplicity: np.ndarray
    realization: np.ndarray
    dimension: np.ndarray
    solve_seconds: np.ndarray
    factor_seconds: np.ndarray
    psi: np.ndarray | None = None
    attrs: dict[str, Any] = dataclasses.field(default_factory=dict)


def _settings_attrs(settings: SolverSettings) -> dict[str, Any]:
    values = settings.as_dict()
    values["ncv"] = values["ncv"] or 0
    return values


def write_shard(path: str | os.PathLike, shard: ShardData, extra_attrs: dict[str, Any] | None = None) -> None:
    """Write ``shard`` to ``path`` atomically (temporary file, then rename)."""
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        compress = {"compression": "gzip", "compression_opts": 4, "shuffle": True}
        f.create_dataset("eigenvalues", data=shard.eigenvalues.astype(np.float64))
        f.create_dataset("residuals", data=shard.residuals.astype(np.float64))
        f.create_dataset("multiplicity", data=shard.multiplicity.astype(np.int64))
        f.create_dataset("realization", data=shard.realization.astype(np.int64))
        f.create_dataset("dimension", data=shard.dimension.astype(np.int64))
        f.create_dataset("solve_seconds", data=shard.solve_seconds.astype(np.float64))
        f.create_dataset("factor_seconds", data=shard.factor_seconds.astype(np.float64))
        f.create_dataset("density", data=shard.density.astype(np.float32), **compress)
        if shard.psi is not None:
            f.create_dataset("psi", data=shard.psi.astype(np.complex128), **compress)
        attrs = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            **shard.model.as_dict(),
            **_settings_attrs(shard.settings),
            "energy": shard.settings.target,
            "campaign_seed": shard.campaign_seed,
            "backend": shard.backend,
            "point_hash": point_hash(shard.model),
            "label": shard.model.label(),
            **provenance(),
            **(extra_attrs or {}),
        }
        for key, value in attrs.items():
            f.attrs[key] = value


def read_shard(path: str | os.PathLike, load_psi: bool = False) -> ShardData:
    """Read a shard written by :func:`write_shard`; raises DataError for other files."""
    with h5py.File(path, "r") as f:
        check_format(f, FORMAT, path)
        require(f, (*ARRAYS, *(k.name for k in dataclasses.fields(LatticeModel)),
                    *(k.name for k in dataclasses.fields(SolverSettings)), "campaign_seed", "backend"), path)
        attrs = {key: python_value(value) for key, value in f.attrs.items()}
        model = LatticeModel(**{k.name: attrs[k.name] for k in dataclasses.fields(LatticeModel)})
        settings_fields = {k.name: attrs[k.name] for k in dataclasses.fields(SolverSettings)}
        settings_fields["ncv"] = settings_fields["ncv"] or None
        arrays = {name: f[name][()] for name in ARRAYS}
        psi = f["psi"][()] if load_psi and "psi" in f else None
    return check_shard(path, ShardData(
        model=model,
        settings=SolverSettings(**settings_fields),
        campaign_seed=int(attrs["campaign_seed"]),
        backend=str(attrs["backend"]),
        psi=psi,
        attrs=attrs,
        **arrays,
    ))
