"""Restricted Boltzmann machine wave functions (Carleo & Troyer, Science 355, 602 (2017)).

For sigma_i = +-1 (the sz eigenvalues of :mod:`wavelearn.manybody`) and M = alpha N hidden units

    log psi(sigma) = sum_i a_i sigma_i + sum_j log 2cosh(theta_j),   theta_j = b_j + sum_i W_ji sigma_i,

the hidden units traced out analytically. Parameters are real (psi > 0 unless a sign is added)
or complex (amplitude and phase). Options:

* ``marshall``: multiply psi by the Marshall sign (-1)^{n_up on sublattice 1}, i.e. add
  i pi sum_{i in B} (1 + sigma_i)/2 to log psi — the exact sign of the bipartite Heisenberg
  antiferromagnet's ground state, leaving a positive amplitude to learn.
* ``symmetric``: a translation-invariant RBM: alpha (an integer) feature filters W_f, each applied
  to every translate of sigma, theta_{f,t} = b_f + sum_i W_{f,i} sigma_{T_t(i)}, and one visible
  bias a sum_i sigma_i; psi is then invariant under lattice translations (zero momentum).

log 2cosh(z) = s z + log(1 + exp(-2 s z)) with s = sign(Re z): no overflow for large |theta|.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from wavelearn.errors import ParameterError


def log_cosh2(z):
    """log(2 cosh z), real or complex, stable for large |Re z|."""
    s = jnp.where(jnp.real(z) >= 0, 1.0, -1.0).astype(z.dtype) if jnp.iscomplexobj(z) else jnp.sign(z) + (z == 0)
    return s * z + jnp.log1p(jnp.exp(-2.0 * s * z))


class RBMModule(nn.Module):
    """Flax module: ``__call__(sigma)`` with sigma of shape (..., N) returns log psi of shape (...)."""

    n_hidden: int
    complex_params: bool = False
    marshall: tuple[int, ...] | None = None      # sublattice (0/1) per site
    translations: tuple[tuple[int, ...], ...] | None = None  # permutations, for the symmetric RBM
    init_std: float = 0.01

    @nn.compact
    def __call__(self, sigma):
        dtype = jnp.complex128 if self.complex_params else jnp.float64
        init = nn.initializers.normal(self.init_std, dtype=dtype)
        sigma = jnp.asarray(sigma, dtype=jnp.float64)
        n = sigma.shape[-1]
        if self.translations is None:
            a = self.param("visible_bias", init, (n,))
            b = self.param("hidden_bias", init, (self.n_hidden,))
            W = self.param("weights", init, (n, self.n_hidden))
            theta = sigma.astype(dtype) @ W + b
            out = sigma.astype(dtype) @ a + jnp.sum(log_cosh2(theta), axis=-1)
        else:
            perms = jnp.asarray(np.array(self.translations))            # (T, N)
            a = self.param("visible_bias", init, ())
            b = self.param("hidden_bias", init, (self.n_hidden,))
            W = self.param("weights", init, (n, self.n_hidden))          # one filter per feature
            translated = sigma[..., perms].astype(dtype)                  # (..., T, N)
            theta = translated @ W + b                                    # (..., T, F)
            out = a * jnp.sum(sigma, axis=-1).astype(dtype) + jnp.sum(log_cosh2(theta), axis=(-2, -1))
        if self.marshall is not None:
            on_b = jnp.asarray(np.array(self.marshall), dtype=jnp.float64)
            phase = jnp.pi * (jnp.sum((1.0 + sigma) * on_b, axis=-1) / 2.0)
            out = out.astype(jnp.complex128) + 1j * phase
        return out


@dataclass(frozen=True)
class RBMConfig:
    """``alpha`` hidden-unit density (M = round(alpha N); an integer number of filters when
    symmetric), ``complex_params``, ``marshall`` sign, ``symmetric`` (translation-invariant),
    ``init_std`` of the normal initialisation of every parameter."""

    alpha: float = 1.0
    complex_params: bool = False
    marshall: bool = False
    symmetric: bool = False
    init_std: float = 0.01

    def __post_init__(self) -> None:
        if not (isinstance(self.alpha, (int, float)) and np.isfinite(self.alpha) and self.alpha > 0):
            raise ParameterError(f"alpha={self.alpha!r} must be a positive number (hidden units per spin)")
        if self.symmetric and float(self.alpha) != int(self.alpha):
            raise ParameterError(f"alpha={self.alpha!r} must be an integer for the symmetric RBM (filters)")
        if not self.init_std > 0:
            raise ParameterError(f"init_std={self.init_std!r} must be positive")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def n_hidden(self, n_sites: int) -> int:
        return int(self.alpha) if self.symmetric else max(1, int(round(self.alpha * n_sites)))

    def module(self, lattice) -> RBMModule:
        """The Flax module for a :class:`~wavelearn.manybody.SpinLattice` (sublattice, translations)."""
        marshall = tuple(int(v) for v in lattice.sublattice) if self.marshall else None
        translations = tuple(tuple(int(v) for v in row) for row in lattice.translations) if self.symmetric else None
        return RBMModule(self.n_hidden(lattice.n_sites), self.complex_params, marshall, translations, self.init_std)


def dense_parameters(module: RBMModule, params) -> tuple[jnp.ndarray, jnp.ndarray, jnp.ndarray]:
    """(a, b, W) of the plain RBM equal to ``module``: the symmetric RBM unrolled over translations,
    theta_{t,f} = b_f + sum_i W_{i,f} sigma_{T_t(i)} = b_f + sum_k W_{T_t^-1(k),f} sigma_k."""
    a, b, W = params["visible_bias"], params["hidden_bias"], params["weights"]
    if module.translations is None:
        return a, b, W
    perms = np.array(module.translations)
    inverse = np.argsort(perms, axis=1)                      # inverse[t, k] = i with perms[t, i] = k
    n, n_translations = perms.shape[1], perms.shape[0]
    W_full = jnp.transpose(W[inverse], (1, 0, 2)).reshape(n, n_translations * W.shape[1])
    return a * jnp.ones(n, dtype=W.dtype), jnp.tile(b, n_translations), W_full


def log_ratios(module: RBMModule, params, sigma, flips) -> jnp.ndarray:
    """log psi(sigma^(m)) - log psi(sigma) for every move m flipping the sites ``flips[m]`` (M, k),
    for configurations sigma (B, N): shape (B, M).

    The flipped spins change theta_j by -2 sum_{i in m} W_ij sigma_i, so a move costs O(k alpha N)
    instead of the O(alpha N^2) of evaluating log psi afresh. With the Marshall sign, flipping
    sigma_i changes n_up on sublattice 1 by -sigma_i, the phase by pi times that.
    """
    a, b, W = dense_parameters(module, params)
    sigma = jnp.asarray(sigma, dtype=jnp.float64)
    dtype = W.dtype
    theta = sigma.astype(dtype) @ W + b                                       # (B, H)
    flipped = jnp.stack([sigma[:, flips[:, c]] for c in range(flips.shape[1])], axis=-1)  # (B, M, k)
    delta_visible = -2.0 * jnp.einsum("bmc,mc->bm", flipped.astype(dtype), a[flips])
    if jnp.iscomplexobj(W):
        delta_theta = -2.0 * jnp.einsum("bmc,mch->bmh", flipped.astype(dtype), W[flips])
        hidden = jnp.sum(log_cosh2(theta[:, None, :] + delta_theta) - log_cosh2(theta)[:, None, :], axis=-1)
    else:
        hidden = _real_hidden_ratios(theta, flipped, W[flips])
    out = delta_visible + hidden
    if module.marshall is not None:
        on_b = jnp.asarray(np.array(module.marshall), dtype=jnp.float64)
        delta_n = -jnp.sum(flipped * on_b[flips], axis=-1)
        out = out.astype(jnp.complex128) + 1j * jnp.pi * delta_n
    return out


def _real_hidden_ratios(theta, flipped, W_moves, group: int = 16):
    """sum_j log[cosh(theta_j + D_j) / cosh(theta_j)] with D_j = -2 sum_c W_{i_c j} sigma_{i_c}, real.

    cosh(theta + D) / cosh(theta) = [e^D (1 + t) + e^-D (1 - t)] / 2 with t = tanh(theta); e^D is a
    product of the precomputed e^{-+2 W} of the flipped sites, so the (samples x moves x hidden)
    array needs multiplications only. The ratios are multiplied within groups of ``group`` hidden
    units (each factor lies in [e^-|D|, e^|D|], so a group stays far from overflow for any
    reasonable weights) and one logarithm is taken per group.
    """
    t = jnp.tanh(theta)[:, None, :]                                         # (B, 1, H)
    up = jnp.exp(-2.0 * W_moves)                                            # (M, k, H): e^D factor when sigma_i = +1
    down = 1.0 / up
    plus = jnp.ones(())
    minus = jnp.ones(())
    for c in range(W_moves.shape[1]):
        positive = (flipped[:, :, c] > 0)[..., None]                       # (B, M, 1)
        plus = plus * jnp.where(positive, up[None, :, c, :], down[None, :, c, :])
        minus = minus * jnp.where(positive, down[None, :, c, :], up[None, :, c, :])
    ratio = 0.5 * (plus * (1.0 + t) + minus * (1.0 - t))                    # (B, M, H)
    n_hidden = ratio.shape[-1]
    pad = (-n_hidden) % group
    if pad:
        ratio = jnp.concatenate([ratio, jnp.ones(ratio.shape[:-1] + (pad,), ratio.dtype)], axis=-1)
    grouped = ratio.reshape(ratio.shape[:-1] + (-1, group))
    return jnp.sum(jnp.log(jnp.prod(grouped, axis=-1)), axis=-1)
