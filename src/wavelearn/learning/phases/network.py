"""Convolutional phase classifiers in the spirit of Ohtsuki & Ohtsuki (JPSJ 2016, 2017).

Input: |psi|^2 on the lattice, scaled by the number of sites N (so a uniform state is 1
everywhere), shape (batch, L, L[, L], 1). Periodic lattices have no origin or edge, so every
convolution pads circularly (wrap-around) instead of with zeros. Output: logits over phases.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import flax.linen as nn
import jax.numpy as jnp

from wavelearn.errors import DataError


@dataclass(frozen=True)
class CNNConfig:
    """Architecture: blocks of (periodic conv 3^d + ReLU) x convs_per_block, then 2^d max pooling;
    dropout; a dense hidden layer; logits for ``n_classes`` phases."""

    dim: int
    L: int
    features: tuple[int, ...] = (8, 16)
    convs_per_block: int = 1
    dense: int = 64
    dropout: float = 0.3
    n_classes: int = 2

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def default(cls, dim: int, L: int, n_classes: int = 2) -> "CNNConfig":
        """Small on CPU (XLA's 3D convolutions are slow there), enough for L <= 24."""
        if dim == 2:
            return cls(dim=2, L=L, features=(16, 32), dense=128, n_classes=n_classes)
        return cls(dim=3, L=L, features=(8, 16), dense=64, n_classes=n_classes)


def periodic_pad(x: jnp.ndarray, width: int, dim: int) -> jnp.ndarray:
    """Pad the ``dim`` spatial axes of (batch, *space, channels) by wrapping around."""
    return jnp.pad(x, [(0, 0)] + [(width, width)] * dim + [(0, 0)], mode="wrap")


class PhaseCNN(nn.Module):
    config: CNNConfig

    @nn.compact
    def __call__(self, x: jnp.ndarray, train: bool = False) -> jnp.ndarray:
        c = self.config
        window = (2,) * c.dim
        for features in c.features:
            for _ in range(c.convs_per_block):
                x = nn.Conv(features, kernel_size=(3,) * c.dim, padding="VALID")(periodic_pad(x, 1, c.dim))
                x = nn.relu(x)
            if min(x.shape[1 : 1 + c.dim]) >= 2:
                x = nn.max_pool(x, window, strides=window)
        x = x.reshape((x.shape[0], -1))
        x = nn.Dropout(c.dropout, deterministic=not train)(x)
        x = nn.relu(nn.Dense(c.dense)(x))
        x = nn.Dropout(c.dropout, deterministic=not train)(x)
        return nn.Dense(c.n_classes)(x)


def prepare_input(density) -> jnp.ndarray:
    """(batch, *shape) densities summing to 1 -> (batch, *shape, 1) scaled to mean 1."""
    density = jnp.asarray(density, dtype=jnp.float32)
    n_sites = 1
    for size in density.shape[1:]:
        n_sites *= size
    return (density * n_sites)[..., None]


def check_shape(config: CNNConfig, shape: Sequence[int]) -> None:
    if tuple(shape) != (config.L,) * config.dim:
        raise DataError(
            f"the network was trained on {config.dim}D L={config.L} lattices; the data has shape {tuple(shape)}"
        )
