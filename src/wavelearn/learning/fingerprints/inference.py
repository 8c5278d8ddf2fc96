"""Using a trained fingerprint VAE: load it, map g(B) to latent means, reconstruct the wave
function and the layout.

Like the phase classifier's inference, it needs only ``network.json`` and ``network.msgpack``
(:mod:`~wavelearn.learning.fingerprints.training`): no optimiser, no checkpoint.
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

from wavelearn import checks
from wavelearn.errors import DataError
from wavelearn.io.atomic import atomic_path
from wavelearn.learning.fingerprints import metrics as M
from wavelearn.learning.fingerprints.data import VAEData
from wavelearn.learning.fingerprints.network import FingerprintVAE, VAEConfig
from wavelearn.learning.core import NETWORK_INFO, NETWORK_PARAMS
from wavelearn.learning.fingerprints.training import Normalisation, check_data, param_shapes


@dataclass
class TrainedVAE:
    config: VAEConfig
    params: Any
    norm: Normalisation
    info: dict  # network.json

    def __post_init__(self) -> None:
        network = FingerprintVAE(self.config)
        self._apply = jax.jit(lambda params, x: network.apply({"params": params}, x))

    def _outputs(self, signal: np.ndarray, batch: int) -> dict[str, np.ndarray]:
        signal = np.asarray(signal, np.float32)
        if signal.ndim != 2 or signal.shape[1] != self.config.n_fields:
            raise DataError(f"the network reads g(B) of {self.config.n_fields} field points; got shape {signal.shape}")
        parts = [{k: np.asarray(v) for k, v in self._apply(self.params, self.norm.signal(signal[s : s + batch])).items()}
                 for s in range(0, len(signal), batch)]
        if not parts:
            raise DataError("no fingerprint to read")
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def encode(self, signal: np.ndarray, batch: int = 256) -> np.ndarray:
        """Latent means mu(g), (N, latent), of g(B) in e^2/h, shape (N, n_fields)."""
        return self._outputs(signal, batch)["mean"]

    def reconstruct(self, signal: np.ndarray, batch: int = 256) -> tuple[np.ndarray | None, np.ndarray]:
        """(images, P(occupied)) decoded from z = mu: the images (N, H, W) in the data's units
        (None without the wave-function branch), the occupancy probabilities (N, H, W)."""
        out = self._outputs(signal, batch)
        probability = np.asarray(jax.nn.sigmoid(jnp.asarray(out["occupancy_logits"])))
        images = out["image"] * self.norm.image_scale if "image" in out else None
        return images, probability

    def held_out(self, data: VAEData) -> VAEData:
        """The layouts of ``data`` the network did not train on (its held-out indices)."""
        val_idx = np.asarray(self.info["val_idx"], int)
        if len(val_idx) and val_idx.max() >= len(data):
            raise DataError(f"the network held out layout rows up to {val_idx.max()}; the data have {len(data)}")
        return data.subset(val_idx)

    def evaluate(self, data: VAEData, train: VAEData | None = None, seed: int = 0) -> dict:
        """Pixel correlation and antidot-position error on ``data`` (the best over its symmetry
        groups); with ``train`` (the training layouts) also the baselines' (``baselines``)."""
        check_data(self.config, data)
        images, probability = self.reconstruct(data.signal)
        result: dict = M.scores(data, images, probability)
        if train is not None:
            result["baselines"] = M.baselines(train, data, seed)
        return result


def load_vae(workdir: str | Path) -> TrainedVAE:
    """The trained VAE in ``workdir`` (network.json + network.msgpack)."""
    workdir = Path(workdir)
    if not (workdir / NETWORK_INFO).exists():
        raise DataError(f"no trained VAE in {workdir} ({NETWORK_INFO} missing)")
    info = json.loads((workdir / NETWORK_INFO).read_text())
    if "vae" not in info:
        raise DataError(f"{workdir / NETWORK_INFO} describes no VAE")
    config = VAEConfig.from_dict(info["vae"])
    params = serialization.msgpack_restore((workdir / NETWORK_PARAMS).read_bytes())
    shapes = param_shapes(FingerprintVAE(config))
    if jax.tree.structure(params) != jax.tree.structure(shapes) or any(
            tuple(p.shape) != s.shape for p, s in zip(jax.tree.leaves(params), jax.tree.leaves(shapes))):
        raise DataError(f"{workdir / NETWORK_PARAMS} does not hold the parameters of the network in {NETWORK_INFO}")
    params = jax.tree.map(jnp.asarray, params)
    return TrainedVAE(config, params, Normalisation(**info["normalisation"]), info)


def network_name(workdir: str | Path, vae: TrainedVAE) -> str:
    return f"{Path(workdir).name} ({'image + layout' if vae.config.with_wavefunction else 'layout only'})"


#: latent neighbours of the neighbourhood score in the report (metrics.neighbourhood_score)
NEIGHBOURS = 10


def evaluate_networks(workdirs: Sequence[str | Path], data: VAEData, output: str | Path,
                      colour_by: str = "centre_x", samples: int = 4) -> dict:
    """Evaluate trained VAEs on their held-out layouts of ``data`` (the data they trained on).

    Writes into ``output``: ``metrics.json`` (:func:`~wavelearn.learning.fingerprints.metrics.report`: the symmetry groups scored over,
    the numbers of layouts, per network its pixel correlation, position error, kept epoch and
    the neighbourhood score of its latent means for three layout properties, and the baselines'
    scores), ``reconstructions-<k>.png`` (true vs predicted image and layout
    of the first ``samples`` held-out layouts of network k) and ``latent.png`` (t-SNE maps of the
    held-out latent means in 2D and 3D, one column per network, coloured by the layout property
    ``colour_by``: see :func:`~wavelearn.learning.fingerprints.data.layout_property`).
    """
    from wavelearn.learning.fingerprints.data import layout_property
    from wavelearn.learning.fingerprints.plots import plot_latent_maps, plot_reconstructions

    if not workdirs:
        raise DataError("no trained network given")
    checks.integer("samples", samples, 1)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    networks, latents, colours, splits = {}, {}, {}, set()
    baselines = None
    for k, workdir in enumerate(workdirs):
        vae = load_vae(workdir)
        name = network_name(workdir, vae)
        test = vae.held_out(data)
        train = data.subset(np.asarray(vae.info["train_idx"], int))
        splits.add((len(train), len(test), tuple(vae.info["val_idx"])))
        evaluated = vae.evaluate(test, train, seed=int(vae.info["train"]["seed"]))
        baselines = evaluated.pop("baselines")
        networks[name] = {**evaluated, **({"best_epoch": vae.info["metrics"]["best_epoch"]}
                                          if "best_epoch" in vae.info.get("metrics", {}) else {})}
        images, probability = vae.reconstruct(test.signal[:samples])
        centres = [M.predicted_centres(p, len(t)) for p, t in zip(probability, test.positions)]
        plot_reconstructions(output / f"reconstructions-{k}.png", test.occupancy, probability, test.image, images,
                             test.positions, centres, samples)
        latents[name] = vae.encode(test.signal)
        colours[name] = layout_property(test.positions, colour_by)
        if len(test) > NEIGHBOURS:
            networks[name]["latent_neighbourhood_r2"] = {
                prop: M.neighbourhood_score(latents[name], layout_property(test.positions, prop), NEIGHBOURS)
                for prop in ("centre_x", "centre_y", "spread")}
    if len(splits) != 1:
        raise DataError("the networks held out different layouts: their scores cannot be compared")
    (n_train, n_test, _), = splits
    plot_latent_maps(output / "latent.png", latents, colours, colour_by)
    result = M.report(networks, baselines, data, n_train, n_test)
    with atomic_path(output / "metrics.json") as tmp:
        tmp.write_text(json.dumps(result, indent=2))
    return result
