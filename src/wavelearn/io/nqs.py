"""One variational-Monte-Carlo run as HDF5 (format ``wavelearn-nqs-run``, version 1).

Layout:

    attrs       format, format_version, convention ("pauli": energies of sigma operators, see
                wavelearn.manybody), settings (JSON of the run's settings), model_<key> for every
                model parameter, n_sites, seed, iterations, energy, energy_error (final estimate),
                exact_energy and relative_error (NaN when N is too large for exact diagonalisation),
                seconds_per_iteration, provenance
    trace/      one dataset per column of the per-iteration trace: iteration, energy, energy_error,
                variance, acceptance, tau, rhat (energies in the Pauli convention)
    params/     the final variational parameters, one dataset per leaf of the parameter tree
                (groups for nested names), complex where the RBM is complex

Written atomically (temporary file, then rename).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import h5py
import numpy as np

from wavelearn.io.formats import NQS_RUN, check_format, require
from wavelearn.io.atomic import atomic_path
from wavelearn.io.provenance import provenance

FORMAT = NQS_RUN
FORMAT_VERSION = 1
TRACE_COLUMNS = ("energy", "energy_error", "variance", "acceptance", "tau", "rhat")


@dataclass
class NQSRun:
    settings: dict[str, Any]
    trace: dict[str, np.ndarray]
    params: dict[str, Any]
    energy: float
    energy_error: float
    exact_energy: float | None
    seed: int
    seconds_per_iteration: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def relative_error(self) -> float | None:
        if self.exact_energy is None:
            return None
        return abs((self.energy - self.exact_energy) / self.exact_energy)


def trace_from_history(history: Sequence[Mapping[str, float]]) -> dict[str, np.ndarray]:
    """The core's history rows (``epoch``, ``train_<metric>``) as columns."""
    trace = {"iteration": np.array([int(row["epoch"]) for row in history], dtype=np.int64)}
    for name in TRACE_COLUMNS:
        trace[name] = np.array([row.get(f"train_{name}", np.nan) for row in history], dtype=np.float64)
    return trace


def _write_tree(group: h5py.Group, tree: Mapping[str, Any]) -> None:
    for key, value in tree.items():
        if isinstance(value, Mapping):
            _write_tree(group.create_group(str(key)), value)
        else:
            group.create_dataset(str(key), data=np.asarray(value))


def _read_tree(group: h5py.Group) -> dict[str, Any]:
    return {key: (_read_tree(item) if isinstance(item, h5py.Group) else item[()]) for key, item in group.items()}


def write_run(path: str | os.PathLike, run: NQSRun) -> None:
    relative = run.relative_error
    model = run.settings.get("model", {})
    attrs = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "convention": "pauli",
        "settings": json.dumps(run.settings, sort_keys=True),
        **{f"model_{key}": value for key, value in model.items()},
        "seed": run.seed,
        "iterations": len(run.trace["iteration"]),
        "energy": run.energy,
        "energy_error": run.energy_error,
        "exact_energy": np.nan if run.exact_energy is None else run.exact_energy,
        "relative_error": np.nan if relative is None else relative,
        "seconds_per_iteration": np.nan if run.seconds_per_iteration is None else run.seconds_per_iteration,
        **provenance(),
        **run.attrs,
    }
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        for key, value in attrs.items():
            f.attrs[key] = value
        trace = f.create_group("trace")
        for name, column in run.trace.items():
            trace.create_dataset(name, data=column)
        _write_tree(f.create_group("params"), run.params)


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def read_run(path: str | os.PathLike) -> NQSRun:
    """Read a file of :func:`write_run`; DataError for another kind of file."""
    with h5py.File(path, "r") as f:
        check_format(f, FORMAT, path)
        require(f, ("trace", "params", "settings", "energy"), path)
        attrs = {key: (value.item() if isinstance(value, np.generic) else value) for key, value in f.attrs.items()}
        trace = {name: f["trace"][name][()] for name in f["trace"]}
        params = _read_tree(f["params"])
    return NQSRun(json.loads(attrs["settings"]), trace, params, float(attrs["energy"]),
                  float(attrs["energy_error"]), _number(attrs["exact_energy"]), int(attrs["seed"]),
                  _number(attrs["seconds_per_iteration"]), attrs)
