"""Convolutional phase classifiers in the spirit of Ohtsuki & Ohtsuki (JPSJ 2016, 2017).

Input: |psi|^2 on the lattice, scaled by the number of sites N (so a uniform state is 1
everywhere), shape (batch, L, L[, L], 1). Periodic lattices have no origin or edge, so every
convolution pads circularly (wrap-around) instead of with zeros. Output: logits over phases.

One network, two formulations (``PhaseCNN.impl``), with the same parameters (names, shapes,
initial values) and the same outputs up to float rounding:

- ``"native"``: XLA's convolution and ``reduce_window`` pooling, channels last (cuDNN on GPUs).
- ``"cpu"``: for XLA's CPU backend, where the native 3D convolution and the gradient of max
  pooling are slow (:mod:`~wavelearn.learning.phases.layers`): 3D convolutions by FFT with
  channels first, 2D ones native (XLA's 2D convolution is fast on CPU); max pooling with the
  first-maximum gradient computed elementwise; and each block pools before adding the bias and
  applying ReLU, max(relu(z_i + b)) = relu(max(z_i) + b) (exactly, rounding being monotone), so
  bias and ReLU touch 2^d times fewer values.
- ``"auto"`` (default): ``$WAVELEARN_CNN_IMPL`` when set, else ``"cpu"`` when JAX's default
  backend is the CPU and ``"native"`` otherwise.

The CPU formulation sums in another order than the native one, so trained networks and the
critical points read from them agree with the native path only to float rounding.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from wavelearn.errors import DataError, ParameterError
from wavelearn.learning.phases.layers import max_pool_first, periodic_conv_fft

IMPLS = ("auto", "native", "cpu")
IMPL_ENV = "WAVELEARN_CNN_IMPL"


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
        """Small, to train on a CPU (docs/benchmarks.md), enough for L <= 24."""
        if dim == 2:
            return cls(dim=2, L=L, features=(16, 32), dense=128, n_classes=n_classes)
        return cls(dim=3, L=L, features=(8, 16), dense=64, n_classes=n_classes)


def periodic_pad(x: jnp.ndarray, width: int, dim: int) -> jnp.ndarray:
    """Pad the ``dim`` spatial axes of (batch, *space, channels) by wrapping around."""
    return jnp.pad(x, [(0, 0)] + [(width, width)] * dim + [(0, 0)], mode="wrap")


def periodic_conv(x: jnp.ndarray, kernel: jnp.ndarray, dim: int) -> jnp.ndarray:
    """XLA's periodic 3^d convolution of (batch, *space, channels) with a (3,)*d + (in, out) kernel,
    no bias: the VALID convolution of the wrap-padded input, as ``nn.Conv`` computes it here."""
    numbers = {2: ("NHWC", "HWIO", "NHWC"), 3: ("NDHWC", "DHWIO", "NDHWC")}[dim]
    return jax.lax.conv_general_dilated(periodic_pad(x, 1, dim), kernel.astype(x.dtype), (1,) * dim, "VALID",
                                        dimension_numbers=numbers)


def resolve_impl(impl: str = "auto") -> str:
    """``"native"`` or ``"cpu"``: ``impl`` itself, or for ``"auto"`` the environment's choice
    (``$WAVELEARN_CNN_IMPL``, else by JAX's default backend)."""
    if impl == "auto":
        impl = os.environ.get(IMPL_ENV, "").strip() or "auto"
        if impl == "auto":
            return "cpu" if jax.default_backend() == "cpu" else "native"
    if impl not in IMPLS[1:]:
        raise ParameterError(f"CNN implementation {impl!r} is not one of {', '.join(IMPLS)} (${IMPL_ENV})")
    return impl


class ConvParams(nn.Module):
    """The parameters of a 3^d convolution, created as ``flax.linen.Conv`` creates them (same
    names, shapes, initialisers and random streams), for formulations Conv does not offer."""

    features: int
    dim: int

    @nn.compact
    def __call__(self, in_features: int) -> tuple[jnp.ndarray, jnp.ndarray]:
        shape = (3,) * self.dim + (in_features, self.features)
        kernel = self.param("kernel", nn.initializers.lecun_normal(), shape, jnp.float32)
        return kernel, self.param("bias", nn.initializers.zeros_init(), (self.features,), jnp.float32)


class PhaseCNN(nn.Module):
    config: CNNConfig
    impl: str = "auto"  # "native", "cpu" or "auto" (module docstring); not part of the architecture

    @nn.compact
    def __call__(self, x: jnp.ndarray, train: bool = False) -> jnp.ndarray:
        c = self.config
        if resolve_impl(self.impl) == "cpu":
            x = self._cpu_convolutions(x)
        else:
            window = (2,) * c.dim
            for features in c.features:
                for _ in range(c.convs_per_block):
                    conv = nn.Conv(features, kernel_size=(3,) * c.dim, padding="VALID")
                    x = nn.relu(conv(periodic_pad(x, 1, c.dim)))
                if min(x.shape[1 : 1 + c.dim]) >= 2:
                    x = nn.max_pool(x, window, strides=window)
        x = x.reshape((x.shape[0], -1))
        x = nn.Dropout(c.dropout, deterministic=not train)(x)
        x = nn.relu(nn.Dense(c.dense)(x))
        x = nn.Dropout(c.dropout, deterministic=not train)(x)
        return nn.Dense(c.n_classes)(x)

    def _cpu_convolutions(self, x: jnp.ndarray) -> jnp.ndarray:
        """The convolution blocks in the CPU formulation; (batch, *lattice, 1) -> (batch, *lattice', C)
        in the native layout, so the dense layers (and their parameters) are the same."""
        c = self.config
        fft = c.dim == 3
        if fft:
            x = jnp.moveaxis(x, -1, 1)  # channels first: the FFT runs over the trailing axes
        space = tuple(range(2, 2 + c.dim)) if fft else tuple(range(1, 1 + c.dim))
        channel = 1 if fft else -1
        index = 0
        for features in c.features:
            for j in range(c.convs_per_block):
                kernel, bias = ConvParams(features, c.dim, name=f"Conv_{index}")(x.shape[channel])
                index += 1
                x = periodic_conv_fft(x, kernel) if fft else periodic_conv(x, kernel, c.dim)
                if j == c.convs_per_block - 1 and min(x.shape[a] for a in space) >= 2:
                    x = max_pool_first(x, space)
                x = nn.relu(x + bias.reshape((-1,) + (1,) * c.dim if fft else (-1,)))
        return jnp.moveaxis(x, 1, -1) if fft else x


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
