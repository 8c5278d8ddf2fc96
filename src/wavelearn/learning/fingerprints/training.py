"""Training the fingerprint VAE: a task of the training core.

Loss per batch (the negative evidence lower bound of a beta-VAE, per pixel):

    L = w_img  <(n_pred(r) - n(r))^2>_r                        image reconstruction (MSE)
      + w_lay  <BCE(logit(r), occ(r))>_r                        layout reconstruction
      + beta   1/2 sum_i ( mu_i^2 + sigma_i^2 - 1 - ln sigma_i^2 )   KL( q(z|g) || N(0, 1) )

averaged over the batch; <.>_r is the mean over the H x W pixels, so beta weighs the KL of the
whole latent vector against one pixel's reconstruction error. z is drawn by the
reparameterisation trick with the key the core passes for the step; validation uses z = mu.
Inputs are standardised (g by the training set's mean and standard deviation, images divided
by the training set's mean pixel): the stored :class:`Normalisation` travels with the network.

After every epoch, on the held-out layouts: the three losses, the pixel correlation of the
images and the antidot-position error (:mod:`~wavelearn.learning.fingerprints.metrics`).

The network kept is the epoch's with the lowest reconstruction loss (w_img MSE + w_lay BCE at
z = mu) on the *selection* layouts: a seeded fraction ``selection`` of the training layouts that
the optimiser never sees. The held-out layouts that the reported metrics come from choose
nothing. The best parameters, their loss and epoch ride in the task's carried state (the
core's ``extra``), so they are checkpointed and a resumed run keeps the same best epoch.

Files in the work folder, besides the core's (checkpoint.*, history.csv):
    network.msgpack   the final parameters
    history.png       training curves
    network.json      architecture, settings, normalisation, held-out indices, final metrics
                      with their baselines (written last: "done")
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from wavelearn.errors import DataError, ParameterError
from wavelearn.learning.core import (
    FitResult,
    FitSettings,
    PrintEpochs,
    ProgressBar,
    SupervisedTask,
    fit,
    save_network,
)
from wavelearn.learning.fingerprints import metrics as M
from wavelearn.learning.fingerprints.data import VAEData, split_layouts
from wavelearn.learning.fingerprints.network import FingerprintVAE, VAEConfig, kl_divergence
from wavelearn.learning.plots import HistoryPlot


@dataclass(frozen=True)
class VAETrainConfig:
    """Settings of a VAE's training; the defaults are the CLI's."""

    epochs: int = 50
    batch_size: int = 32
    learning_rate: float = 1e-3
    beta: float = 1e-3  # weight of the KL term (see the module docstring)
    image_weight: float = 1.0
    layout_weight: float = 1.0
    validation: float = 0.2  # fraction of layouts held out
    seed: int = 0
    selection: float = 0.15  # fraction of the training layouts that select the best epoch; 0: the last epoch

    def __post_init__(self) -> None:
        FitSettings(self.epochs, self.seed)  # the core's own checks
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ParameterError(f"batch_size={self.batch_size!r} must be an integer >= 1")
        if not (isinstance(self.learning_rate, (int, float)) and self.learning_rate > 0):
            raise ParameterError(f"learning_rate={self.learning_rate!r} must be > 0")
        for name in ("beta", "image_weight", "layout_weight"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < float("inf")):
                raise ParameterError(f"{name}={value!r} must be a finite number >= 0")
        if not (isinstance(self.validation, (int, float)) and 0 < self.validation < 1):
            raise ParameterError(f"validation={self.validation!r} must lie strictly between 0 and 1")
        if not (isinstance(self.selection, (int, float)) and not isinstance(self.selection, bool)
                and 0 <= self.selection < 1):
            raise ParameterError(f"selection={self.selection!r} must lie in [0, 1)")


@dataclass(frozen=True)
class Normalisation:
    """g_in = (g - signal_mean) / signal_std; image_in = image / image_scale."""

    signal_mean: float
    signal_std: float
    image_scale: float

    @classmethod
    def of(cls, data: VAEData) -> "Normalisation":
        std = float(data.signal.std())
        scale = float(data.image.mean()) if data.image is not None else 1.0
        return cls(float(data.signal.mean()), std if std > 0 else 1.0, scale if scale > 0 else 1.0)

    def signal(self, g: np.ndarray) -> jnp.ndarray:
        return jnp.asarray((np.asarray(g, np.float32) - self.signal_mean) / self.signal_std, jnp.float32)

    def image(self, image: np.ndarray) -> jnp.ndarray:
        return jnp.asarray(np.asarray(image, np.float32) / self.image_scale, jnp.float32)


def check_data(config: VAEConfig, data: VAEData) -> None:
    """The data fit the network: as many field points, the same image grid, images when the
    wave-function branch is on."""
    if data.signal.shape[1] != config.n_fields or data.shape != (config.height, config.width):
        raise DataError(f"the network reads g(B) of {config.n_fields} points and {config.height}x{config.width} "
                        f"images; the data have {data.signal.shape[1]} points and {data.shape[0]}x{data.shape[1]}")
    if config.with_wavefunction and data.image is None:
        raise DataError("the wave-function branch needs density images; the data have none")


def init_params(network: FingerprintVAE, key: jax.Array):
    """The network's initial parameters, drawn from ``key`` (the core's PRNGKey(seed)).

    The draws come from XLA's RBG generator seeded with the key's data, in one jitted call:
    with threefry each parameter array compiles its own unrolled hash (seconds on a CPU, the
    bulk of a short run), and op-by-op initialisation compiles every initialiser separately.
    """
    sample = jnp.zeros((1, network.config.n_fields), jnp.float32)

    def init(key):
        rbg = jax.random.wrap_key_data(jnp.tile(jax.random.key_data(key), 2), impl="rbg")
        return network.init(rbg, sample)["params"]

    return jax.jit(init)(key)


def param_shapes(network: FingerprintVAE):
    """The parameter tree's shapes and dtypes (nothing computed)."""
    return jax.eval_shape(lambda: network.init(jax.random.PRNGKey(0),
                                               jnp.zeros((1, network.config.n_fields), jnp.float32))["params"])


def vae_loss(network: FingerprintVAE, settings: VAETrainConfig, params, batch: dict, key):
    """(loss, {image_mse, layout_bce, kl}) of one batch; ``key`` None: z = mu."""
    out = network.apply({"params": params}, batch["signal"], key)
    bce = optax.sigmoid_binary_cross_entropy(out["occupancy_logits"], batch["occupancy"]).mean()
    kl = kl_divergence(out["mean"], out["log_var"]).mean()
    loss = settings.layout_weight * bce + settings.beta * kl
    metrics = {"layout_bce": bce, "kl": kl}
    if "image" in out:
        mse = jnp.mean((out["image"] - batch["image"]) ** 2)
        loss = loss + settings.image_weight * mse
        metrics["image_mse"] = mse
    return loss, metrics


def reconstruction_loss(settings: VAETrainConfig, metrics: dict) -> jnp.ndarray:
    """w_img MSE + w_lay BCE (no KL): what selects the best epoch."""
    return settings.layout_weight * metrics["layout_bce"] + settings.image_weight * metrics.get("image_mse", 0.0)


@functools.lru_cache(maxsize=8)
def _evaluator(config: VAEConfig, settings: VAETrainConfig):
    """The jitted held-out evaluation (losses at z = mu, and the outputs), shared by the tasks of
    one architecture and settings so that a resumed run does not compile it again."""
    network = FingerprintVAE(config)

    @jax.jit
    def evaluate(params, batch):
        return vae_loss(network, settings, params, batch, None), network.apply({"params": params}, batch["signal"])

    return evaluate


class VAETask(SupervisedTask):
    """The Y-shaped VAE on (g(B), image, occupancy) batches."""

    def __init__(self, config: VAEConfig, settings: VAETrainConfig, train: VAEData, val: VAEData,
                 norm: Normalisation, select: VAEData | None = None):
        for part in (train, val, *(() if select is None else (select,))):
            check_data(config, part)
        self.config, self.settings, self.norm = config, settings, norm
        self.network = FingerprintVAE(config)
        self.metrics = ("loss", *(("image_mse",) if config.with_wavefunction else ()), "layout_bce", "kl")
        self.train, self.val, self.select = train, val, select
        self._inputs = self._arrays(train)
        self._val_inputs = self._arrays(val)
        self._select_inputs = None if select is None else self._arrays(select)
        self._eval = _evaluator(config, settings)

    def _arrays(self, data: VAEData) -> dict[str, jnp.ndarray]:
        arrays = {"signal": self.norm.signal(data.signal), "occupancy": jnp.asarray(data.occupancy)}
        if self.config.with_wavefunction:
            arrays["image"] = self.norm.image(data.image)
        return arrays

    def init(self, key):
        """The parameters, and the carried state ``{"best": params, "score": loss, "epoch": e,
        "epochs": evaluations so far}`` of the best epoch on the selection layouts."""
        params = init_params(self.network, key)
        best = {"best": params, "score": jnp.asarray(jnp.inf, jnp.float32),
                "epoch": jnp.asarray(0, jnp.int32), "epochs": jnp.asarray(0, jnp.int32)}
        return params, (best if self.select is not None else None)

    def loss(self, params, batch, key, train):
        return vae_loss(self.network, self.settings, params, batch, key if train else None)

    def batches(self, epoch, rng):
        order = rng.permutation(len(self.train))
        for start in range(0, len(order), self.settings.batch_size):
            idx = jnp.asarray(order[start : start + self.settings.batch_size])
            yield {name: array[idx] for name, array in self._inputs.items()}

    def predict(self, params, batch: int = 256, inputs: dict | None = None,
                ) -> tuple[dict[str, float], np.ndarray | None, np.ndarray]:
        """Held-out losses (z = mu), predicted images (training scale) and P(occupied); of the
        selection layouts' ``inputs`` when given."""
        inputs = self._val_inputs if inputs is None else inputs
        sums: dict[str, float] = {}
        images, probabilities = [], []
        n = len(inputs["signal"])
        for start in range(0, n, batch):
            part = {k: v[start : start + batch] for k, v in inputs.items()}
            (loss, metrics), out = self._eval(params, part)
            weight = len(part["signal"]) / n
            for name, value in {"loss": loss, **metrics}.items():
                sums[name] = sums.get(name, 0.0) + weight * float(value)
            probabilities.append(np.asarray(jax.nn.sigmoid(out["occupancy_logits"])))
            if "image" in out:
                images.append(np.asarray(out["image"]))
        return sums, (np.concatenate(images) if images else None), np.concatenate(probabilities)

    def evaluate(self, params, extra):
        """Held-out losses and scores; with selection layouts also their reconstruction loss
        (``select_loss``), and ``extra`` is updated in place when this epoch is the best so far
        (the core checkpoints the ``extra`` it passed here)."""
        losses, images, probability = self.predict(params)
        record = dict(losses)
        record.update(M.scores(self.val, images, probability))
        if extra is not None:
            chosen, _, _ = self.predict(params, inputs=self._select_inputs)
            score = float(reconstruction_loss(self.settings, chosen))
            extra["epochs"] = extra["epochs"] + 1
            if score < float(extra["score"]):
                extra.update(best=params, score=jnp.asarray(score, jnp.float32), epoch=extra["epochs"])
            record["select_loss"] = score
        return record


def kept_params(result: FitResult):
    """The parameters the run keeps: the best epoch's on the selection layouts, or the last."""
    return result.params if result.extra is None else result.extra["best"]


def final_metrics(task: VAETask, params, reference: VAEData, extra=None) -> dict:
    """Held-out metrics of the kept network (``test_*``), the baselines' from the ``reference``
    layouts (all training layouts, selection ones included: ``baselines``), and the epoch kept
    (``best_epoch``, when selected)."""
    losses, images, probability = task.predict(params)
    result: dict = {f"test_{k}": v for k, v in losses.items()}
    result.update({f"test_{k}": v for k, v in M.scores(task.val, images, probability).items()})
    result["baselines"] = M.baselines(reference, task.val, task.settings.seed)
    if extra is not None:
        result["best_epoch"] = int(extra["epoch"])
    return result


def train_vae(data: VAEData, train_idx: np.ndarray, val_idx: np.ndarray, config: VAEConfig,
              settings: VAETrainConfig, workdir: str | Path, progress: bool = True, stop_after: int | None = None,
              metadata: dict | None = None) -> FitResult:
    """Train (or resume) the VAE in ``workdir``; writes the network when all epochs are done.
    ``stop_after`` ends after that many epochs in all, as if the job had been killed (tests)."""
    workdir = Path(workdir)
    train_idx, val_idx = np.asarray(train_idx, int), np.asarray(val_idx, int)
    if len(train_idx) == 0 or len(val_idx) == 0:
        raise DataError(f"{len(train_idx)} training and {len(val_idx)} held-out layouts: need both")
    train, val = data.subset(train_idx), data.subset(val_idx)
    select = None
    if settings.selection > 0:  # the layouts that choose the epoch: out of training, not the held-out ones
        fit_rows, select_rows = split_layouts(len(train_idx), settings.selection, settings.seed, stream=6007)
        train, select = data.subset(train_idx[fit_rows]), data.subset(train_idx[select_rows])
    norm = Normalisation.of(train)
    task = VAETask(config, settings, train, val, norm, select)
    signature = {"vae": config.as_dict(), "train": asdict(settings), "data_sha256": data.fingerprint(),
                 "train_idx": train_idx.tolist(), "val_idx": val_idx.tolist()}
    callbacks = [ProgressBar(settings.epochs, desc="vae") if progress else PrintEpochs(), HistoryPlot()]
    result = fit(task, optax.adam(settings.learning_rate), FitSettings(settings.epochs, settings.seed), workdir,
                 signature=signature, callbacks=callbacks, stop_after=stop_after)
    if result.epochs_done == settings.epochs:
        params = kept_params(result)
        info = {"vae": config.as_dict(), "train": asdict(settings), "normalisation": asdict(norm),
                "field": np.asarray(data.field, float).tolist(), "train_idx": train_idx.tolist(),
                "val_idx": val_idx.tolist(), "symmetry_group": list(data.group),
                "image_symmetry_group": list(data.image_group),
                "metrics": final_metrics(task, params, data.subset(train_idx), result.extra),
                "history": str(workdir / "history.csv"), **(metadata or {})}
        save_network(workdir, params, info)
    return result
