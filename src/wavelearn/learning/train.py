"""Training loop: Adam on the cross entropy, a checkpoint after every epoch, exact resume.

Every random choice of epoch e (shuffling, augmentation, dropout) derives from (seed, e), so
a training killed after epoch e and resumed from its checkpoint ends with exactly the
parameters of an uninterrupted run (on the same device and software).

Files in the work folder:
    checkpoint.msgpack   params, optimiser state, epochs done, history (after every epoch)
    checkpoint.json      the settings the checkpoint belongs to (others start over)
    history.csv          epoch, train_loss, train_accuracy, val_loss, val_accuracy
    model.msgpack        the final parameters
    history.png          training curves
    model.json           architecture, classes, training settings (written last: "done")
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import serialization

from wavelearn.errors import DataError
from wavelearn.io.atomic import atomic_path, write_bytes
from wavelearn.learning.augment import augment
from wavelearn.learning.models import CNNConfig, PhaseCNN, prepare_input

HISTORY_FIELDS = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 1e-3
    validation: float = 0.1
    seed: int = 0
    augment: bool = True

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or not self.learning_rate > 0 or not 0 <= self.validation < 1:
            raise DataError(f"invalid training settings {self}")


class Trainer:
    def __init__(self, cnn: CNNConfig, settings: TrainConfig):
        self.cnn, self.settings = cnn, settings
        self.model = PhaseCNN(cnn)
        self.tx = optax.adam(settings.learning_rate)
        sample = jnp.zeros((1,) + (cnn.L,) * cnn.dim + (1,), jnp.float32)
        self.params = self.model.init(jax.random.PRNGKey(settings.seed), sample)["params"]
        self.opt_state = self.tx.init(self.params)
        self.history = np.full((settings.epochs, len(HISTORY_FIELDS)), np.nan)
        self.epochs_done = 0

        def loss_fn(params, x, y, key, train):
            logits = self.model.apply({"params": params}, x, train=train, rngs={"dropout": key})
            loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
            return loss, jnp.mean(jnp.argmax(logits, -1) == y)

        @jax.jit
        def train_step(params, opt_state, x, y, key):
            (loss, acc), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, x, y, key, True)
            updates, opt_state = self.tx.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, loss, acc

        self._train_step = train_step
        self._eval = jax.jit(lambda params, x, y: loss_fn(params, x, y, jax.random.PRNGKey(0), False))
        self._predict = jax.jit(lambda params, x: jax.nn.softmax(self.model.apply({"params": params}, x)))

    # -- checkpoints
    def _state(self) -> dict:
        return {"params": self.params, "opt_state": self.opt_state, "epochs_done": self.epochs_done,
                "history": self.history}

    def save_checkpoint(self, path: Path) -> None:
        write_bytes(path, serialization.to_bytes(self._state()))

    def load_checkpoint(self, path: Path) -> None:
        state = serialization.from_bytes(self._state(), path.read_bytes())
        self.params, self.opt_state = state["params"], state["opt_state"]
        self.epochs_done, self.history = int(state["epochs_done"]), np.array(state["history"])

    # -- training
    def evaluate(self, density: np.ndarray, labels: np.ndarray, batch: int = 256) -> tuple[float, float]:
        losses, accs, weights = [], [], []
        for start in range(0, len(density), batch):
            x, y = prepare_input(density[start : start + batch]), jnp.asarray(labels[start : start + batch])
            loss, acc = self._eval(self.params, x, y)
            losses.append(float(loss)), accs.append(float(acc)), weights.append(len(y))
        return float(np.average(losses, weights=weights)), float(np.average(accs, weights=weights))

    def predict(self, density: np.ndarray, batch: int = 256) -> np.ndarray:
        """P(class) for each sample, shape (N, n_classes)."""
        out = [np.asarray(self._predict(self.params, prepare_input(density[s : s + batch])))
               for s in range(0, len(density), batch)]
        return np.concatenate(out) if out else np.zeros((0, self.cnn.n_classes))

    def run_epoch(self, epoch: int, density: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
        s = self.settings
        rng = np.random.default_rng([s.seed, epoch])
        order = rng.permutation(len(density))
        key = jax.random.fold_in(jax.random.PRNGKey(s.seed), epoch)
        losses, accs = [], []
        for step, start in enumerate(range(0, len(order), s.batch_size)):
            idx = order[start : start + s.batch_size]
            batch = augment(density[idx], rng) if s.augment else density[idx]
            self.params, self.opt_state, loss, acc = self._train_step(
                self.params, self.opt_state, prepare_input(batch), jnp.asarray(labels[idx]),
                jax.random.fold_in(key, step))
            losses.append(float(loss)), accs.append(float(acc))
        return float(np.mean(losses)), float(np.mean(accs))


def write_history(path: Path, history: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HISTORY_FIELDS)
        for row in history[~np.isnan(history[:, 0])]:
            writer.writerow([int(row[0])] + [f"{v:.6g}" for v in row[1:]])


def train(
    density: np.ndarray, labels: np.ndarray, train_idx: np.ndarray, val_idx: np.ndarray, cnn: CNNConfig,
    settings: TrainConfig, workdir: str | Path, classes: tuple[str, ...], progress: bool = True,
    stop_after: int | None = None, metadata: dict | None = None,
) -> Trainer:
    """Train (or resume) in ``workdir``; ``stop_after`` ends early after that many epochs (tests)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    trainer = Trainer(cnn, settings)
    checkpoint = workdir / "checkpoint.msgpack"
    # The checkpoint is only resumed by the same architecture, settings and data;
    # anything else starts over, since its epochs would not be those of the requested run.
    fingerprint = hashlib.sha256()
    for array in (density, labels, train_idx, val_idx):
        fingerprint.update(np.ascontiguousarray(array).tobytes())
    signature = json.dumps({"cnn": cnn.as_dict(), "train": asdict(settings), "classes": list(classes),
                            "data_sha256": fingerprint.hexdigest()}, sort_keys=True)
    signature_file = workdir / "checkpoint.json"
    if checkpoint.exists() and signature_file.exists() and signature_file.read_text() == signature:
        trainer.load_checkpoint(checkpoint)
        print(f"resuming from {checkpoint} after epoch {trainer.epochs_done}", flush=True)
    elif checkpoint.exists():
        print(f"{checkpoint} was written with other settings or data: starting over", flush=True)
        checkpoint.unlink()
    with atomic_path(signature_file) as tmp:
        tmp.write_text(signature)
    epochs = range(trainer.epochs_done, settings.epochs)
    if progress:
        from tqdm import tqdm

        epochs = tqdm(epochs, initial=trainer.epochs_done, total=settings.epochs, desc="training", unit="epoch")
    for epoch in epochs:
        if stop_after is not None and epoch >= stop_after:
            return trainer
        loss, acc = trainer.run_epoch(epoch, density[train_idx], labels[train_idx])
        val = trainer.evaluate(density[val_idx], labels[val_idx]) if len(val_idx) else (np.nan, np.nan)
        trainer.history[epoch] = (epoch + 1, loss, acc, *val)
        trainer.epochs_done = epoch + 1
        trainer.save_checkpoint(checkpoint)
        write_history(workdir / "history.csv", trainer.history)
        if progress:
            epochs.set_postfix(loss=f"{loss:.3f}", acc=f"{acc:.3f}", val_acc=f"{val[1]:.3f}")
    write_bytes(workdir / "model.msgpack", serialization.to_bytes(trainer.params))
    from wavelearn.analysis.plots import plot_history

    plot_history(workdir / "history.csv", workdir / "history.png")
    info = {"cnn": cnn.as_dict(), "train": asdict(settings), "classes": list(classes),
            "history": str(workdir / "history.csv"), **(metadata or {})}
    with atomic_path(workdir / "model.json") as tmp:
        tmp.write_text(json.dumps(info, indent=2))
    return trainer


def load_model(workdir: str | Path) -> tuple[Trainer, dict]:
    """A trained network from ``workdir`` (model.json + model.msgpack)."""
    workdir = Path(workdir)
    if not (workdir / "model.json").exists():
        raise DataError(f"no trained network in {workdir} (model.json missing)")
    info = json.loads((workdir / "model.json").read_text())
    cnn = CNNConfig(**{**info["cnn"], "features": tuple(info["cnn"]["features"])})
    trainer = Trainer(cnn, TrainConfig(**info["train"]))
    trainer.params = serialization.from_bytes(trainer.params, (workdir / "model.msgpack").read_bytes())
    return trainer, info
