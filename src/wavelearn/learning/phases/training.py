"""Training a phase classifier: the CNN as a task of the training core.

Cross entropy of the logits against the phase labels, Adam, a random lattice symmetry per sample
and epoch (augmentation), validation loss and accuracy after every epoch; checkpoints and exact
resume come from :func:`wavelearn.learning.core.fit`.

Files in the work folder, besides the core's (checkpoint.*, history.csv):
    network.msgpack   the final parameters
    history.png       training curves
    network.json      architecture, classes, training settings, data (written last: "done")
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from wavelearn import checks
from wavelearn.learning.core import (
    FitResult,
    FitSettings,
    PrintEpochs,
    ProgressBar,
    SupervisedTask,
    fit,
    save_network,
)
from wavelearn.learning.phases.augment import augment
from wavelearn.learning.phases.network import CNNConfig, PhaseCNN, prepare_input, resolve_impl
from wavelearn.learning.plots import HistoryPlot


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a classifier's training; the defaults are the CLI's and the config schema's."""

    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    validation: float = 0.1  # fraction of realizations held out
    seed: int = 0
    augment: bool = True

    def __post_init__(self) -> None:
        FitSettings(self.epochs, self.seed)  # the core's own checks
        checks.integer("batch_size", self.batch_size, 1)
        checks.number("learning_rate", self.learning_rate, positive=True)
        checks.number("validation", self.validation, 0, VALIDATION_MAX)  # the config schema's range too


#: The largest fraction of realizations held out for validation.
VALIDATION_MAX = 0.9
#: The fewest training states of each class a classifier is trained on (``wavelearn train`` refuses
#: fewer): below it the network memorises a handful of images instead of learning a phase.
MIN_TRAINING_PER_CLASS = 8


class ClassifierTask(SupervisedTask):
    """Phase classification of |psi|^2 images (batches: (N·|psi|^2, labels))."""

    metrics = ("loss", "accuracy")

    def __init__(self, cnn: CNNConfig, settings: TrainConfig, density: np.ndarray, labels: np.ndarray,
                 val_density: np.ndarray, val_labels: np.ndarray):
        self.cnn, self.settings = cnn, settings
        self.network = PhaseCNN(cnn)
        self.density, self.labels = density, labels
        self.val_density, self.val_labels = val_density, val_labels
        self._eval = jax.jit(lambda params, x, y: self.loss(params, (x, y), jax.random.PRNGKey(0), False))

    def init(self, key):
        sample = jnp.zeros((1,) + (self.cnn.L,) * self.cnn.dim + (1,), jnp.float32)
        return self.network.init(key, sample)["params"], None

    def loss(self, params, batch, key, train):
        x, y = batch
        logits = self.network.apply({"params": params}, x, train=train, rngs={"dropout": key})
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return loss, {"accuracy": jnp.mean(jnp.argmax(logits, -1) == y)}

    def batches(self, epoch, rng):
        order = rng.permutation(len(self.density))
        for start in range(0, len(order), self.settings.batch_size):
            idx = order[start : start + self.settings.batch_size]
            batch = augment(self.density[idx], rng) if self.settings.augment else self.density[idx]
            yield prepare_input(batch), jnp.asarray(self.labels[idx])

    def evaluate(self, params, extra, batch: int = 256):
        if not len(self.val_density):
            return {"loss": np.nan, "accuracy": np.nan}
        losses, accs, weights = [], [], []
        for start in range(0, len(self.val_density), batch):
            x = prepare_input(self.val_density[start : start + batch])
            y = jnp.asarray(self.val_labels[start : start + batch])
            loss, metrics = self._eval(params, x, y)
            losses.append(float(loss)), accs.append(float(metrics["accuracy"])), weights.append(len(y))
        return {"loss": float(np.average(losses, weights=weights)),
                "accuracy": float(np.average(accs, weights=weights))}


def data_fingerprint(*arrays: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def train_classifier(
    density: np.ndarray, labels: np.ndarray, train_idx: np.ndarray, val_idx: np.ndarray, cnn: CNNConfig,
    settings: TrainConfig, workdir: str | Path, classes: Sequence[str], progress: bool = True,
    stop_after: int | None = None, metadata: dict | None = None,
) -> FitResult:
    """Train (or resume) a classifier in ``workdir``; writes the network when all epochs are done.
    ``stop_after`` ends after that many epochs in all, as if the job had been killed (tests)."""
    workdir = Path(workdir)
    task = ClassifierTask(cnn, settings, density[train_idx], labels[train_idx], density[val_idx], labels[val_idx])
    signature = {"cnn": cnn.as_dict(), "train": asdict(settings), "classes": list(classes),
                 "data_sha256": data_fingerprint(density, labels, train_idx, val_idx)}
    callbacks = [ProgressBar(settings.epochs) if progress else PrintEpochs(), HistoryPlot()]
    result = fit(task, optax.adam(settings.learning_rate), FitSettings(settings.epochs, settings.seed), workdir,
                 signature=signature, callbacks=callbacks, stop_after=stop_after)
    if result.epochs_done == settings.epochs:
        # "impl": the formulation that trained it (network.PhaseCNN), as "device" records where
        info = {"cnn": cnn.as_dict(), "train": asdict(settings), "classes": list(classes),
                "history": str(workdir / "history.csv"), "impl": resolve_impl(task.network.impl),
                **(metadata or {})}
        save_network(workdir, result.params, info)
    return result
