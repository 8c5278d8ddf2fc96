"""Periodic convolution and max pooling written for XLA's CPU backend.

The phase classifiers convolve with 3^d kernels on a torus and pool 2^d windows. XLA's native
ops compute exactly that, but on CPU two of them are slow: the 3D convolution (Eigen's generic
path; the first 1 -> 8 channel layer at L = 20 is ~20x slower than oneDNN) and the gradient of
max pooling (``select_and_scatter_add``). This module gives the same functions in forms XLA runs
fast on CPU; :class:`~wavelearn.learning.phases.network.PhaseCNN` uses them when JAX computes on
the CPU and keeps the native ops (cuDNN) on GPUs.

Periodic convolution by FFT
    With channels first, x[b, c, r] on a lattice of shape L = (L_1, ..., L_d) (N sites), a kernel
    w[k, c, o] with offsets k in {0, 1, 2}^d and the wrap-around padding of the network,

        y[b, o, r] = sum_{c, k} x[b, c, (r + k - 1) mod L] w[k, c, o],

    which is a circular convolution, diagonal in Fourier space (x^(q) = sum_r x(r) e^{-2 pi i q.r/L}):

        y^[b, o, q] = sum_c x^[b, c, q] K[c, o, q],     K[c, o, q] = sum_k w[k, c, o] e^{+2 pi i q.(k-1)/L}.

    Its gradients are of the same kind (g = dLoss/dy):

        dx^[b, c, q] = sum_o g^[b, o, q] conj(K[c, o, q])                     (the adjoint convolution)
        dw[k, c, o]  = (1/N) sum_q e^{+2 pi i q.(k-1)/L} sum_b x^[b, c, q] conj(g^[b, o, q])

    The last lattice axis uses the half spectrum of a real FFT (q_d = 0 .. L_d // 2); in the sum
    over q for dw the other half contributes the complex conjugate, so each q_d counts twice
    except q_d = 0 and, for even L_d, q_d = L_d / 2, and the real part is taken. Kernels wider
    than the lattice (L_a < 3 after pooling) fold onto it exactly as wrap padding does. The
    result equals the direct sum up to float rounding (a different summation order: relative
    differences ~1e-7 in float32).

First-maximum pooling
    m = max over each 2^d window (odd sizes drop their last slice, as VALID pooling does). The
    gradient goes to the first maximal entry of the window in row-major window order, which is
    what XLA's ``select_and_scatter_add`` (the gradient of ``reduce_window``) does; here the
    forward pass records that entry's index (int8) and the backward pass is one elementwise
    select instead of a scatter. Evaluated without a gradient it is ``reduce_window`` itself.
"""

from __future__ import annotations

import itertools
from functools import lru_cache, partial
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax


# ---------------------------------------------------------------------------------------------
# Periodic convolution by FFT


@lru_cache(maxsize=None)
def _phases(n: int, half: bool, dtype: str) -> np.ndarray:
    """E[q, k] = exp(2 pi i q (k - 1) / n) for q = 0..n-1 (0..n//2 when ``half``), k = 0, 1, 2."""
    q = np.arange(n // 2 + 1 if half else n)[:, None]
    return np.exp(2j * np.pi * q * (np.arange(3)[None, :] - 1) / n).astype(dtype)


def _half_spectrum_weights(n: int) -> np.ndarray:
    """Multiplicity of each q_d = 0..n//2 of a real FFT in the full spectrum: 1 for 0 and n/2, else 2."""
    weights = np.full(n // 2 + 1, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    return weights


def _phase_matrices(shape: Sequence[int], dtype, weighted: bool = False) -> list[np.ndarray]:
    dtype = np.dtype(dtype).name
    mats = [_phases(n, a == len(shape) - 1, dtype) for a, n in enumerate(shape)]
    if weighted:
        mats[-1] = mats[-1] * _half_spectrum_weights(shape[-1])[:, None].astype(dtype)
    return mats


def _letters(dim: int) -> tuple[str, str]:
    return "ijk"[:dim], "uvw"[:dim]  # kernel offsets, frequencies


def kernel_spectrum(kernel: jnp.ndarray, shape: Sequence[int], dtype) -> jnp.ndarray:
    """K[c, o, q] = sum_k w[k, c, o] e^{2 pi i q.(k-1)/L} of a kernel (3,)*d + (C, O), half spectrum."""
    dim = len(shape)
    k, q = _letters(dim)
    spec = ",".join(f"{q[a]}{k[a]}" for a in range(dim)) + f",{k}co->co{q}"
    return jnp.einsum(spec, *_phase_matrices(shape, dtype), kernel.astype(dtype))


def _kernel_from_spectrum(s: jnp.ndarray, shape: Sequence[int]) -> jnp.ndarray:
    """dw[k, c, o] = (1/N) Re sum_q weight(q_d) e^{2 pi i q.(k-1)/L} S[c, o, q] (S on the half spectrum)."""
    dim = len(shape)
    k, q = _letters(dim)
    spec = f"co{q}," + ",".join(f"{q[a]}{k[a]}" for a in range(dim)) + f"->{k}co"
    return jnp.real(jnp.einsum(spec, s, *_phase_matrices(shape, s.dtype, weighted=True))) / np.prod(shape)


def _fft_forward(x, kernel):
    shape, axes = x.shape[2:], tuple(range(2, x.ndim))
    xq = jnp.fft.rfftn(x, axes=axes)
    k = kernel_spectrum(kernel, shape, xq.dtype)
    y = jnp.fft.irfftn(jnp.einsum("bc...,co...->bo...", xq, k), s=shape, axes=axes)
    return y.astype(x.dtype), (xq, k)


def periodic_conv_fft(x: jnp.ndarray, kernel: jnp.ndarray) -> jnp.ndarray:
    """The periodic 3^d convolution (no bias) of ``x`` (batch, channels, *lattice) with ``kernel``
    (3,)*d + (in, out), by FFT over the lattice axes; output (batch, out, *lattice). Equal to
    ``conv(periodic_pad(x, 1), kernel, padding="VALID")`` up to float rounding (module docstring)."""
    dtype = jnp.result_type(x, kernel)
    return _periodic_conv_fft(x.astype(dtype), kernel.astype(dtype))


@jax.custom_vjp
def _periodic_conv_fft(x, kernel):
    return _fft_forward(x, kernel)[0]


def _fft_bwd(residuals, g):
    xq, k = residuals
    shape, axes = g.shape[2:], tuple(range(2, g.ndim))
    gq = jnp.fft.rfftn(g, axes=axes)
    # The adjoint convolution; XLA drops it when x needs no gradient (the network's input).
    dx = jnp.fft.irfftn(jnp.einsum("bo...,co...->bc...", gq, jnp.conj(k)), s=shape, axes=axes)
    dw = _kernel_from_spectrum(jnp.einsum("bc...,bo...->co...", xq, jnp.conj(gq)), shape)
    return dx.astype(g.dtype), dw.reshape((3,) * len(shape) + k.shape[:2]).astype(g.dtype)


_periodic_conv_fft.defvjp(_fft_forward, _fft_bwd)


# ---------------------------------------------------------------------------------------------
# Max pooling with the first-maximum gradient


def _blocks(x: jnp.ndarray, axes: tuple[int, ...]) -> jnp.ndarray:
    """``x`` with each pooled axis of size n split into (n // 2, 2); odd sizes lose their last slice."""
    x = x[tuple(slice(0, n - n % 2) if a in axes else slice(None) for a, n in enumerate(x.shape))]
    shape = []
    for a, n in enumerate(x.shape):
        shape += [n // 2, 2] if a in axes else [n]
    return x.reshape(shape)


def _pair_axes(axes: tuple[int, ...]) -> list[int]:
    """Positions of the within-window axes in :func:`_blocks`' output."""
    return [a + 1 + i for i, a in enumerate(axes)]


def _window_entries(blocks: jnp.ndarray, axes: tuple[int, ...]) -> list[jnp.ndarray]:
    """The 2^d entries of every window, in row-major window order (that of ``reduce_window``)."""
    pairs = _pair_axes(axes)
    entries = []
    for offsets in itertools.product((0, 1), repeat=len(axes)):
        index = [slice(None)] * blocks.ndim
        for axis, offset in zip(pairs, offsets):
            index[axis] = offset
        entries.append(blocks[tuple(index)])
    return entries


def _reduce_window_max(x, axes):
    window = tuple(2 if a in axes else 1 for a in range(x.ndim))
    return lax.reduce_window(x, -jnp.inf, lax.max, window, window, "VALID")


@partial(jax.custom_vjp, nondiff_argnums=(1,))
def max_pool_first(x: jnp.ndarray, axes: tuple[int, ...]) -> jnp.ndarray:
    """2^d max pooling (stride 2, VALID) over ``axes`` of ``x``; the gradient of each window goes to
    its first maximal entry, as for ``flax.linen.max_pool`` (module docstring)."""
    return _reduce_window_max(x, axes)


def _pool_fwd(x, axes):
    entries = jnp.stack(_window_entries(_blocks(x, axes), axes), axis=-1)
    # argmax gives the first maximal entry. As a reduction XLA computes it once per window; the
    # equivalent chain of elementwise selects would be fused into the gradient's loop and
    # recomputed there for each of the 2^d entries of the window (measured 1.3x slower).
    return jnp.max(entries, axis=-1), (jnp.argmax(entries, axis=-1).astype(jnp.int8), x.shape)


def _pool_bwd(axes, residuals, g):
    first, shape = residuals
    pairs = _pair_axes(axes)
    cropped = [n - n % 2 if a in axes else n for a, n in enumerate(shape)]
    rank = np.zeros([2 if a in pairs else 1 for a in range(len(shape) + len(axes))], np.int8)
    for index, offsets in enumerate(itertools.product((0, 1), repeat=len(axes))):
        rank[tuple(offsets[pairs.index(a)] if a in pairs else 0 for a in range(rank.ndim))] = index
    expand = lambda a: jnp.expand_dims(a, pairs)  # noqa: E731
    dx = jnp.where(expand(first) == rank, expand(g), jnp.zeros((), g.dtype)).reshape(cropped)
    if cropped != list(shape):
        dx = jnp.pad(dx, [(0, n - m) for n, m in zip(shape, cropped)])
    return (dx,)


max_pool_first.defvjp(_pool_fwd, _pool_bwd)
