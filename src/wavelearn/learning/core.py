"""The one training core every network of wavelearn uses: CNN phase classifiers, the VAE of the
fingerprints, the RBM wave functions of variational Monte Carlo.

A training problem is a :class:`Task`: it creates its parameters, supplies the update direction
of one step (the gradient of a loss, or for VMC the natural gradient of stochastic
reconfiguration), the batches of an epoch and an evaluation after each epoch. The core owns what
is common: the optax optimiser, the jitted step, the random streams, a checkpoint after every
epoch with exact resume, the history, and callbacks (progress bar, plots) — the split of NetKet's
driver/callbacks and of the Flax examples' ``train_and_evaluate``.

Random streams (the contract that makes a resumed run identical to an uninterrupted one): epoch e
draws its host-side choices (shuffling, augmentation) from ``numpy.random.default_rng([seed, e])``
and its device-side ones (dropout, Markov chains) from ``fold_in(PRNGKey(seed), e)``, folded again
with the step index s. Parameters are initialised from ``PRNGKey(seed)``.

Files in the work folder (``workdir``):

    checkpoint.msgpack   params, optimiser state, task state ("extra"), epochs done, history
    checkpoint.json      the run's signature; a checkpoint of another signature starts over
    history.csv          one row per epoch: epoch, train_<metric>..., val_<metric>...
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol, Sequence

import jax
import numpy as np
import optax
from flax import serialization

from wavelearn.checks import training_seed
from wavelearn.errors import DataError, ParameterError
from wavelearn.io.atomic import atomic_path, write_bytes

CHECKPOINT = "checkpoint.msgpack"
SIGNATURE = "checkpoint.json"
HISTORY = "history.csv"
# A finished network: its parameters, then its description (written last: its presence means "trained").
NETWORK_PARAMS = "network.msgpack"
NETWORK_INFO = "network.json"


@dataclass(frozen=True)
class FitSettings:
    """``epochs``: passes over :meth:`Task.batches` (for VMC an epoch is one iteration);
    ``seed``: root of every random stream of the run (see the module docstring)."""

    epochs: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise ParameterError(f"epochs={self.epochs!r} must be an integer >= 1")
        training_seed("seed", self.seed)


def require_enough(counts: Mapping[str, int], minimum: Mapping[str, int], fix: str) -> None:
    """Refuse to train on less than the smallest data a task can learn from: ``counts[part]``
    (e.g. ``"training states of class metal"``) against ``minimum[part]``; the error lists every
    part that falls short, with both numbers, and ``fix``."""
    short = [f"{counts.get(part, 0)} {part} (at least {least})" for part, least in minimum.items()
             if counts.get(part, 0) < least]
    if short:
        raise DataError(f"too little data to learn from: {'; '.join(short)}: {fix}")


class Task(Protocol):
    """What a training problem supplies; the core runs the loop."""

    #: names of the per-step metrics of :meth:`grads` (history columns ``train_<name>``)
    metrics: tuple[str, ...]

    def init(self, key: jax.Array) -> tuple[Any, Any]:
        """(params, extra): the optimised pytree and the carried, non-optimised state (or None)."""

    def grads(self, params: Any, extra: Any, batch: Any, key: jax.Array) -> tuple[Any, Any, dict]:
        """(update direction for the optimiser, new extra, metrics); traced by ``jax.jit``."""

    def batches(self, epoch: int, rng: np.random.Generator) -> Iterable[Any]:
        """The batches of one epoch (host side)."""

    def evaluate(self, params: Any, extra: Any) -> dict[str, float]:
        """Metrics after an epoch (history columns ``val_<name>``); ``{}`` when there are none."""


class SupervisedTask:
    """A task whose update direction is the gradient of a scalar loss.

    Subclasses define ``loss(params, batch, key, train) -> (loss, {name: value})`` with the
    metric names in ``metrics`` (the first of which is the loss itself), plus ``init``,
    ``batches`` and ``evaluate``.
    """

    metrics: tuple[str, ...] = ("loss",)

    def grads(self, params, extra, batch, key):
        (loss, metrics), grads = jax.value_and_grad(self.loss, has_aux=True)(params, batch, key, True)
        return grads, extra, {"loss": loss, **metrics}


@dataclass
class TrainState:
    params: Any
    opt_state: Any
    extra: Any
    epochs_done: int = 0
    history: list[dict[str, float]] = field(default_factory=list)


@dataclass
class FitResult:
    params: Any
    extra: Any
    epochs_done: int
    history: list[dict[str, float]]
    workdir: Path

    @property
    def last(self) -> dict[str, float]:
        return self.history[-1] if self.history else {}


class Callback:
    """Hooks called by :func:`fit`; override what you need."""

    def on_epoch_end(self, epoch: int, record: dict[str, float], state: TrainState) -> None:
        pass

    def on_fit_end(self, result: FitResult) -> None:
        pass


class ProgressBar(Callback):
    """A tqdm bar over epochs showing the latest metrics."""

    def __init__(self, total: int, initial: int = 0, desc: str = "training"):
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=initial, desc=desc, unit="epoch")

    def on_epoch_end(self, epoch, record, state):
        self.bar.update(1)
        self.bar.set_postfix({k: f"{v:.3g}" for k, v in record.items() if k != "epoch"})

    def on_fit_end(self, result):
        self.bar.close()


class PrintEpochs(Callback):
    """One log line per epoch (for job logs, where a progress bar is noise)."""

    def on_epoch_end(self, epoch, record, state):
        print(" ".join(f"{k}={v:.6g}" if k != "epoch" else f"epoch {int(v)}" for k, v in record.items()),
              flush=True)


def _to_bytes(state: TrainState) -> bytes:
    return serialization.to_bytes({"params": state.params, "opt_state": state.opt_state, "extra": state.extra,
                                   "epochs_done": state.epochs_done,
                                   "history": json.dumps(state.history)})


def _from_bytes(template: TrainState, data: bytes) -> TrainState:
    target = {"params": template.params, "opt_state": template.opt_state, "extra": template.extra,
              "epochs_done": 0, "history": ""}
    restored = serialization.from_bytes(target, data)
    return TrainState(restored["params"], restored["opt_state"], restored["extra"],
                      int(restored["epochs_done"]), json.loads(restored["history"]))


def write_history(path: str | Path, history: Sequence[dict[str, float]]) -> None:
    """``history.csv``: one row per epoch, ``epoch`` an integer, metrics to 6 significant digits."""
    if not history:
        return
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(history[0]))
        for record in history:
            writer.writerow([int(v) if k == "epoch" else f"{v:.6g}" for k, v in record.items()])


def device() -> str:
    """The device JAX computes on, e.g. ``cpu:0`` or ``cuda:0 (NVIDIA H100 80GB HBM3)``."""
    first = jax.devices()[0]
    kind = getattr(first, "device_kind", "")
    return f"{first}" + (f" ({kind})" if kind and first.platform != "cpu" else "")


def save_network(workdir: str | Path, params: Any, info: dict) -> None:
    """Write a trained network: ``network.msgpack`` (Flax serialisation), then ``network.json``
    (with the device it was trained on)."""
    workdir = Path(workdir)
    write_bytes(workdir / NETWORK_PARAMS, serialization.to_bytes(params))
    with atomic_path(workdir / NETWORK_INFO) as tmp:
        tmp.write_text(json.dumps({**info, "device": device()}, indent=2))


def make_step(task: Task, optimizer: optax.GradientTransformation):
    """The jitted update: task direction -> optax update -> new params."""

    @jax.jit
    def step(params, opt_state, extra, batch, key):
        grads, extra, metrics = task.grads(params, extra, batch, key)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, extra, metrics

    return step


def fit(task: Task, optimizer: optax.GradientTransformation, settings: FitSettings, workdir: str | Path, *,
        signature: dict, callbacks: Sequence[Callback] = (), stop_after: int | None = None) -> FitResult:
    """Train ``task`` for ``settings.epochs`` epochs in ``workdir``, resuming its checkpoint.

    ``signature`` is everything that defines the run (architecture, settings, a fingerprint of
    the data): a checkpoint is resumed only under the same signature, since its epochs would
    otherwise not be those of the requested run. ``stop_after`` ends after that many epochs in
    all (to test resuming, as if the job had been killed).
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    params, extra = task.init(jax.random.PRNGKey(settings.seed))
    state = TrainState(params, optimizer.init(params), extra)
    checkpoint, signature_file = workdir / CHECKPOINT, workdir / SIGNATURE
    text = json.dumps({**signature, "fit": {"epochs": settings.epochs, "seed": settings.seed}}, sort_keys=True)
    if checkpoint.exists() and signature_file.exists() and signature_file.read_text() == text:
        state = _from_bytes(state, checkpoint.read_bytes())
        print(f"resuming from {checkpoint} after epoch {state.epochs_done}", flush=True)
    elif checkpoint.exists():
        print(f"{checkpoint} was written with other settings or data: starting over", flush=True)
        checkpoint.unlink()
    with atomic_path(signature_file) as tmp:
        tmp.write_text(text)

    # Which device trains, in the job's log and (through device()) in the saved network.
    print(f"training on {device()}", flush=True)
    step = make_step(task, optimizer)
    base_key = jax.random.PRNGKey(settings.seed)
    for epoch in range(state.epochs_done, settings.epochs):
        if stop_after is not None and epoch >= stop_after:
            break
        rng = np.random.default_rng([settings.seed, epoch])
        key = jax.random.fold_in(base_key, epoch)
        sums: dict[str, list[float]] = {}
        params, opt_state, extra = state.params, state.opt_state, state.extra
        for index, batch in enumerate(task.batches(epoch, rng)):
            params, opt_state, extra, metrics = step(params, opt_state, extra, batch, jax.random.fold_in(key, index))
            for name in task.metrics:
                sums.setdefault(name, []).append(float(metrics[name]))
        record = {"epoch": epoch + 1, **{f"train_{k}": float(np.mean(v)) for k, v in sums.items()}}
        record.update({f"val_{k}": float(v) for k, v in task.evaluate(params, extra).items()})
        state = TrainState(params, opt_state, extra, epoch + 1, [*state.history, record])
        write_bytes(checkpoint, _to_bytes(state))
        write_history(workdir / HISTORY, state.history)
        for callback in callbacks:
            callback.on_epoch_end(epoch, record, state)
    result = FitResult(state.params, state.extra, state.epochs_done, state.history, workdir)
    for callback in callbacks:
        callback.on_fit_end(result)
    return result
