"""Using a trained phase classifier: load it and give P(phase) for every state of a scan.

Inference builds no trainer and no optimiser: the network's architecture and parameters
(``network.json``, ``network.msgpack`` written by :mod:`~wavelearn.learning.phases.training`)
are all it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import serialization

from wavelearn.errors import DataError
from wavelearn.io.datasets import nondegenerate, read_dataset, realization_keys
from wavelearn.io.scans import ScanResult
from wavelearn.learning.phases.network import CNNConfig, PhaseCNN, check_shape, prepare_input
from wavelearn.learning.core import NETWORK_INFO, NETWORK_PARAMS


@dataclass
class TrainedNetwork:
    cnn: CNNConfig
    params: Any
    info: dict  # network.json: classes, training settings, input ("r" or "k"), data

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.info["classes"])

    @property
    def input(self) -> str:
        return self.info.get("input", "r")

    def predict(self, density: np.ndarray, batch: int = 256) -> np.ndarray:
        """P(class) for each sample of ``density`` (N, *shape), shape (N, n_classes)."""
        network = PhaseCNN(self.cnn)
        apply = jax.jit(lambda params, x: jax.nn.softmax(network.apply({"params": params}, x)))
        out = [np.asarray(apply(self.params, prepare_input(density[s : s + batch])))
               for s in range(0, len(density), batch)]
        return np.concatenate(out) if out else np.zeros((0, self.cnn.n_classes))


def load_network(workdir: str | Path) -> TrainedNetwork:
    """The trained network in ``workdir`` (network.json + network.msgpack)."""
    workdir = Path(workdir)
    if not (workdir / NETWORK_INFO).exists():
        raise DataError(f"no trained network in {workdir} ({NETWORK_INFO} missing)")
    info = json.loads((workdir / NETWORK_INFO).read_text())
    cnn = CNNConfig(**{**info["cnn"], "features": tuple(info["cnn"]["features"])})
    template = PhaseCNN(cnn).init(jax.random.PRNGKey(0), jnp.zeros((1,) + (cnn.L,) * cnn.dim + (1,)))["params"]
    params = serialization.from_bytes(template, (workdir / NETWORK_PARAMS).read_bytes())
    return TrainedNetwork(cnn, params, info)


def scan(network: TrainedNetwork, dataset_paths: Sequence[str | Path]) -> ScanResult:
    """P(phase) for every state of the datasets (the network's input: |psi(r)|^2 or |psi(k)|^2);
    the column ``training`` marks states of realizations the network was trained on,
    ``degenerate`` the vectors of degenerate levels, which the phase diagram leaves out."""
    density, meta = read_dataset(dataset_paths, network.input)
    check_shape(network.cnn, density.shape[1:])
    # Mark the states whose Hamiltonian trained the network: a phase diagram can leave them out.
    trained = set(network.info.get("training_realizations", []))
    meta = {**meta, "training": np.isin(realization_keys(meta), list(trained)), "degenerate": ~nondegenerate(meta)}
    return ScanResult.from_samples(network.classes, meta, network.predict(density))
