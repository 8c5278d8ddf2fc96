"""Fingerprint files: g(B), images and layouts of antidot billiards (``wavelearn transport``).

Format ``wavelearn-fingerprints`` version 1 (docs/fingerprints-format.md). One file holds N
layouts of one billiard (wavelearn.transport.params.Billiard) measured on F field points,
rows sorted by layout index; a chunk (one job) and a gathered dataset have the same layout
(attribute ``kind``: ``chunk`` or ``dataset``).

===================  =========================  ===========================================
dataset              shape, dtype               meaning
===================  =========================  ===========================================
``field``            (F,) float64               flux per plaquette, in flux quanta h/e
``conductance``      (N, F) float64             g(B) in e^2/h (transmission lead 0 -> 1)
``open_modes``       (N, F) int64               propagating modes of lead 0 at each field
``density``          (N, Lx, Ly) float32        sum over lead-0 scattering states of
                                                |psi|^2 at ``image_field``, indexed [x, y]
``occupancy``        (N, Lx, Ly) uint8          1 on sites inside an antidot
``positions``        (N, antidots, 2) float64   antidot centres (x, y), lattice units
``layout``           (N,) int64                 layout index k (the seed's last word)
``n_sites``          (N,) int64                 sites of the scattering region
``build_seconds``    (N,) float64               layout draw, Builder, finalization
``solve_seconds``    (N,) float64               all F field points
``density_seconds``  (N,) float64               the scattering states
===================  =========================  ===========================================

Attributes: every Billiard field (lead widths and rows resolved, ``potential`` inf for hard
walls; files without ``lead_y``, ``right_lead_width``, ``right_lead_y`` have centred leads of
equal width), ``campaign_seed``, ``solver`` (mumps or scipy), ``sample_hash``, ``label``, ``kind``,
``n_layouts``, the provenance record with ``version_kwant`` and ``version_tinyarray``, and
for chunks ``wall_seconds``; gathered datasets add ``n_chunks``.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import h5py
import numpy as np

from wavelearn.io.formats import FINGERPRINTS, check_format, python_value, require
from wavelearn.io.integrity import check_fingerprints
from wavelearn.errors import DataError
from wavelearn.io.atomic import atomic_path
from wavelearn.io.provenance import provenance
from wavelearn.transport.layout import sample_hash
from wavelearn.transport.params import Billiard

FORMAT = FINGERPRINTS
FORMAT_VERSION = 1
KINDS = ("chunk", "dataset")
#: per-layout arrays, stacked along the first axis
ROWS = ("conductance", "open_modes", "density", "occupancy", "positions", "layout", "n_sites",
        "build_seconds", "solve_seconds", "density_seconds")
DTYPES = {"conductance": np.float64, "open_modes": np.int64, "density": np.float32,
          "occupancy": np.uint8, "positions": np.float64, "layout": np.int64, "n_sites": np.int64,
          "build_seconds": np.float64, "solve_seconds": np.float64, "density_seconds": np.float64}
IMAGES = ("density", "occupancy")
# Must agree between the chunks of one dataset (besides every Billiard field).
SHARED = ("campaign_seed", "solver")
#: Billiard fields added later; a file without them has the defaults (both leads centred, equal
#: widths: the only geometry written before).
OPTIONAL = ("lead_y", "right_lead_width", "right_lead_y")
BILLIARD = tuple(k.name for k in dataclasses.fields(Billiard))
_COMPRESS = {"compression": "gzip", "compression_opts": 4, "shuffle": True}


@dataclass
class FingerprintData:
    """A fingerprint file in memory (rows = layouts, sorted by layout index)."""

    params: Billiard
    campaign_seed: int
    solver: str
    field: np.ndarray
    conductance: np.ndarray
    open_modes: np.ndarray
    density: np.ndarray | None
    occupancy: np.ndarray | None
    positions: np.ndarray
    layout: np.ndarray
    n_sites: np.ndarray
    build_seconds: np.ndarray
    solve_seconds: np.ndarray
    density_seconds: np.ndarray
    attrs: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_fingerprints(cls, params: Billiard, campaign_seed: int, solver: str,
                          fingerprints: Sequence[Any]) -> "FingerprintData":
        """Stack per-layout results (wavelearn.transport.conductance.Fingerprint objects)."""
        if not fingerprints:
            raise DataError("no layouts to store")
        rows = sorted(fingerprints, key=lambda fp: fp.index)
        stacked = {name: np.stack([np.asarray(getattr(fp, "index" if name == "layout" else name))
                                   for fp in rows]).astype(DTYPES[name]) for name in ROWS}
        stacked["positions"] = stacked["positions"].reshape(len(rows), params.antidots, 2)
        return cls(params=params, campaign_seed=int(campaign_seed), solver=solver, field=params.fields(),
                   **stacked)

    def __len__(self) -> int:
        return len(self.layout)


def _versions() -> dict[str, str]:
    versions = {}
    for name in ("kwant", "tinyarray"):
        try:
            versions[f"version_{name}"] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[f"version_{name}"] = "not installed"
    return versions


def _header(data: FingerprintData, kind: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "n_layouts": len(data),
        **data.params.as_dict(),
        "campaign_seed": data.campaign_seed,
        "solver": data.solver,
        "sample_hash": sample_hash(data.params),
        "label": data.params.label(),
        **provenance(),
        **_versions(),
    }


def _check_shapes(data: FingerprintData) -> None:
    n, f = len(data), len(data.field)
    p = data.params
    expected = {"conductance": (n, f), "open_modes": (n, f), "positions": (n, p.antidots, 2),
                "density": (n, *p.shape), "occupancy": (n, *p.shape)}
    for name, shape in expected.items():
        value = getattr(data, name)
        if value is not None and value.shape != shape:
            raise DataError(f"fingerprints: {name} has shape {value.shape}, expected {shape}")
    if len(np.unique(data.layout)) != n:
        raise DataError("fingerprints: a layout index appears twice")


def write_fingerprints(path: str | os.PathLike, data: FingerprintData,
                       extra_attrs: dict[str, Any] | None = None,
                       kind: str = "chunk") -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename)."""
    if kind not in KINDS:
        raise DataError(f"kind={kind!r} is not one of {', '.join(KINDS)}")
    if data.density is None or data.occupancy is None:
        raise DataError("fingerprints: images not loaded; read with load_images=True to rewrite a file")
    _check_shapes(data)
    order = np.argsort(data.layout, kind="stable")
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset("field", data=np.asarray(data.field, dtype=np.float64))
        for name in ROWS:
            value = np.asarray(getattr(data, name))[order].astype(DTYPES[name])
            options = dict(_COMPRESS, chunks=(1, *value.shape[1:])) if name in IMAGES else {}
            f.create_dataset(name, data=value, **options)
        for key, value in {**_header(data, kind), **(extra_attrs or {})}.items():
            f.attrs[key] = value


def _open_checked(f: h5py.File, path: str | os.PathLike) -> dict[str, Any]:
    check_format(f, FORMAT, path)
    require(f, ("field", *ROWS, *SHARED, *(k for k in BILLIARD if k not in OPTIONAL)), path)
    return {key: python_value(value) for key, value in f.attrs.items()}


def read_fingerprints(path: str | os.PathLike, load_images: bool = True) -> FingerprintData:
    """Read a file written by :func:`write_fingerprints` or :func:`gather_fingerprints`.

    ``load_images=False`` skips the two image stacks (``density``, ``occupancy`` are None).
    """
    with h5py.File(path, "r") as f:
        attrs = _open_checked(f, path)
        arrays = check_fingerprints(path, {name: f[name][()] for name in ROWS if load_images or name not in IMAGES})
        field = f["field"][()]
    arrays.setdefault("density", None)
    arrays.setdefault("occupancy", None)
    return FingerprintData(params=Billiard.from_dict(attrs), campaign_seed=int(attrs["campaign_seed"]),
                           solver=str(attrs["solver"]), field=field, attrs=attrs, **arrays)


def gather_fingerprints(paths: Iterable[str | os.PathLike], output: str | os.PathLike) -> int:
    """Concatenate chunks of one billiard into a dataset sorted by layout index; returns N.

    Every chunk must have the same Billiard parameters, campaign seed, solver and field grid,
    and no layout may appear twice. The images are streamed chunk by chunk.
    """
    paths = [str(p) for p in paths]
    if not paths:
        raise DataError("gather: no fingerprint chunks given")
    if len(set(paths)) != len(paths):
        raise DataError("gather: a chunk is listed twice")
    headers = []
    for path in paths:
        with h5py.File(path, "r") as f:
            attrs = _open_checked(f, path)
            headers.append((attrs, f["layout"][()], f["field"][()]))
    first, _, field = headers[0]
    params = Billiard.from_dict(first)
    for path, (attrs, _, chunk_field) in zip(paths, headers):
        for key in SHARED:
            if attrs[key] != first[key]:
                raise DataError(f"gather: {path} has {key}={attrs[key]!r}, "
                                f"the first chunk {key}={first[key]!r}")
        other = Billiard.from_dict(attrs).as_dict()  # unset optional fields resolved alike
        for key, value in params.as_dict().items():
            if other[key] != value:
                raise DataError(f"gather: {path} has {key}={other[key]!r}, the first chunk {key}={value!r}")
        if not np.array_equal(chunk_field, field):
            raise DataError(f"gather: {path} has another field grid than {paths[0]}")
    layouts = np.concatenate([layout for _, layout, _ in headers])
    unique, counts = np.unique(layouts, return_counts=True)
    if np.any(counts > 1):
        raise DataError(f"gather: layout {unique[counts > 1][0]} appears in more than one chunk")
    rank = {int(k): i for i, k in enumerate(unique)}  # sorted position of each layout
    total = len(unique)
    with atomic_path(output) as tmp, h5py.File(tmp, "w") as out:
        out.create_dataset("field", data=field)
        with h5py.File(paths[0], "r") as f:
            shapes = {name: f[name].shape[1:] for name in ROWS}
        options = {name: dict(_COMPRESS, chunks=(1, *shapes[name])) if name in IMAGES else {}
                   for name in ROWS}
        dsets = {name: out.create_dataset(name, shape=(total, *shapes[name]), dtype=DTYPES[name],
                                          **options[name]) for name in ROWS}
        for path, (_, layout, _) in zip(paths, headers):
            rows = np.array([rank[int(k)] for k in layout])
            order = np.argsort(rows)  # h5py writes need increasing indices
            with h5py.File(path, "r") as f:
                for name in ROWS:
                    if dsets[name].size:  # (N, 0, 2) positions when there are no antidots
                        dsets[name][rows[order]] = check_fingerprints(path, {name: f[name][()], "layout": layout})[name][order]
        header = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": "dataset", "n_layouts": total,
                  "n_chunks": len(paths), **params.as_dict(),
                  **{key: first[key] for key in (*SHARED, "sample_hash", "label")},
                  **provenance(), **_versions()}
        for key, value in header.items():
            out.attrs[key] = value
    return total
