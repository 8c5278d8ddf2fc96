"""The Y-shaped variational autoencoder of Daimon et al., Nat. Commun. 13, 3160 (2022).

One encoder reads the magneto-conductance fingerprint g(B) — a 1D signal of ``n_fields``
points, standardised by the training set's mean and standard deviation — through 1D
convolutions (ReLU, average pooling by 2) and a dense layer into a diagonal Gaussian
q(z | g) = N(mu, diag(exp(log_var))) of dimension ``latent``. Two decoder branches read a
sample z (the "Y"):

* the wave-function image n(r) (``height`` x ``width``, indexed [x, y] like the lattice;
  non-negative through a softplus; in units of the training set's mean pixel), and
* the antidot layout as the logits of an occupancy map on the same grid (P(site in an antidot)
  = sigmoid(logit)).

Each branch is a dense layer to a coarse grid of ceil(H / 2^k) x ceil(W / 2^k) pixels, k
transposed 3x3 convolutions of stride 2 (ReLU), a last 3x3 convolution to one channel, and a
crop to H x W (so any image size works). ``with_wavefunction=False`` drops the image branch:
the paper's comparison of what the latent space organises without the wave function.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from wavelearn.errors import ParameterError


def _positive_int(name: str, value: Any, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParameterError(f"{name}={value!r} must be an integer >= {minimum}")


@dataclass(frozen=True)
class VAEConfig:
    """Architecture of the VAE (every size of the network; nothing about training).

    ``n_fields``: points of g(B); ``height``, ``width``: image grid (Lx, Ly); ``latent``: dimension
    of z (7 in Daimon et al.); ``conv_features``: channels of the encoder's 1D convolutions (one
    pooling by 2 after each); ``kernel``: their width; ``dense``: width of the hidden dense
    layers (encoder and both decoders); ``decoder_features``: channels of the transposed
    convolutions (each doubles the grid); ``with_wavefunction``: the image branch.
    """

    n_fields: int
    height: int
    width: int
    latent: int = 7
    conv_features: tuple[int, ...] = (16, 32)
    kernel: int = 5
    dense: int = 128
    decoder_features: tuple[int, ...] = (32, 16)
    with_wavefunction: bool = True

    def __post_init__(self) -> None:
        _positive_int("n_fields", self.n_fields, 2)
        _positive_int("height", self.height)
        _positive_int("width", self.width)
        _positive_int("latent", self.latent)
        _positive_int("kernel", self.kernel)
        _positive_int("dense", self.dense)
        for name in ("conv_features", "decoder_features"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(
                    isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value):
                raise ParameterError(f"{name}={value!r} must be a tuple of integers >= 1")
        if not isinstance(self.with_wavefunction, bool):
            raise ParameterError(f"with_wavefunction={self.with_wavefunction!r} must be True or False")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "VAEConfig":
        return cls(**{**values, "conv_features": tuple(values["conv_features"]),
                      "decoder_features": tuple(values["decoder_features"])})

    @property
    def coarse(self) -> tuple[int, int]:
        """The decoders' starting grid: each transposed convolution doubles it."""
        factor = 2 ** len(self.decoder_features)
        return math.ceil(self.height / factor), math.ceil(self.width / factor)


class Encoder(nn.Module):
    config: VAEConfig

    @nn.compact
    def __call__(self, signal: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
        """(batch, n_fields) standardised g(B) -> (mean, log-variance), each (batch, latent)."""
        c = self.config
        x = signal[..., None]
        for features in c.conv_features:
            x = nn.relu(nn.Conv(features, (c.kernel,), padding="SAME")(x))
            if x.shape[1] >= 2:
                x = nn.avg_pool(x, (2,), strides=(2,))
        x = nn.relu(nn.Dense(c.dense)(x.reshape((x.shape[0], -1))))
        return nn.Dense(c.latent, name="mean")(x), nn.Dense(c.latent, name="log_var")(x)


class ImageDecoder(nn.Module):
    """z -> one (batch, height, width) map (pre-activation)."""

    config: VAEConfig

    @nn.compact
    def __call__(self, z: jnp.ndarray) -> jnp.ndarray:
        c = self.config
        h0, w0 = c.coarse
        first = c.decoder_features[0] if c.decoder_features else 8
        x = nn.relu(nn.Dense(c.dense)(z))
        x = nn.relu(nn.Dense(h0 * w0 * first)(x)).reshape((z.shape[0], h0, w0, first))
        for features in c.decoder_features:
            x = nn.relu(nn.ConvTranspose(features, (3, 3), strides=(2, 2), padding="SAME")(x))
        x = nn.Conv(1, (3, 3), padding="SAME")(x)
        return x[:, : c.height, : c.width, 0]


class FingerprintVAE(nn.Module):
    """Encoder + the two decoders. ``__call__`` returns a dict with ``mean``, ``log_var``, ``z``,
    ``occupancy_logits`` and (with the wave-function branch) ``image``."""

    config: VAEConfig

    def setup(self) -> None:
        self.encoder = Encoder(self.config)
        self.layout_decoder = ImageDecoder(self.config)
        if self.config.with_wavefunction:
            self.image_decoder = ImageDecoder(self.config)

    def decode(self, z: jnp.ndarray) -> dict[str, jnp.ndarray]:
        out = {"occupancy_logits": self.layout_decoder(z)}
        if self.config.with_wavefunction:
            out["image"] = nn.softplus(self.image_decoder(z))
        return out

    def __call__(self, signal: jnp.ndarray, key: jax.Array | None = None) -> dict[str, jnp.ndarray]:
        """``key`` given: z = mu + exp(log_var / 2) * eps, eps ~ N(0, 1) (the reparameterisation
        trick, differentiable in mu and log_var); ``key`` None: z = mu (inference)."""
        mean, log_var = self.encoder(signal)
        z = mean if key is None else mean + jnp.exp(0.5 * log_var) * jax.random.normal(key, mean.shape)
        return {"mean": mean, "log_var": log_var, "z": z, **self.decode(z)}


def kl_divergence(mean: jnp.ndarray, log_var: jnp.ndarray) -> jnp.ndarray:
    """KL( N(mu, diag sigma^2) || N(0, 1) ) per sample, summed over the latent dimensions:

        KL = 1/2 sum_i ( mu_i^2 + sigma_i^2 - 1 - ln sigma_i^2 ),   sigma_i^2 = exp(log_var_i).
    """
    return 0.5 * jnp.sum(mean**2 + jnp.exp(log_var) - 1.0 - log_var, axis=-1)
