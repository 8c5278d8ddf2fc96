"""The CPU formulation of the phase classifiers (FFT convolution, first-maximum pooling) against
XLA's native ops: same values and gradients, same parameters, same predictions of saved networks."""

import json

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from wavelearn.errors import ParameterError
from wavelearn.learning.phases.layers import max_pool_first, periodic_conv_fft
from wavelearn.learning.phases.network import (
    IMPL_ENV,
    CNNConfig,
    PhaseCNN,
    periodic_conv,
    prepare_input,
    resolve_impl,
)

RTOL = 1e-5  # float32 rounding of sums in another order, relative to the largest entry


def assert_close(actual, expected, rtol=RTOL):
    expected = np.asarray(expected)
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=0, atol=rtol * np.abs(expected).max())


def native_conv(x, kernel):
    """The network's native periodic convolution (channels last)."""
    return periodic_conv(x, kernel, x.ndim - 2)


def fft_conv(x, kernel):
    """periodic_conv_fft with channels last, for comparison."""
    return jnp.moveaxis(periodic_conv_fft(jnp.moveaxis(x, -1, 1), kernel), 1, -1)


@pytest.mark.parametrize("dim, L, c_in, c_out", [
    (3, 8, 1, 8), (3, 5, 8, 16), (3, 6, 3, 2),
    (3, 2, 4, 3), (3, 1, 2, 2),  # L < 3: the kernel wraps onto itself
    (2, 8, 1, 16), (2, 7, 16, 32), (2, 3, 2, 5),
])
def test_fft_convolution_equals_native_convolution_and_gradients(dim, L, c_in, c_out):
    rng = np.random.default_rng(dim * 100 + L)
    x = jnp.asarray(rng.random((3,) + (L,) * dim + (c_in,), dtype=np.float32))
    kernel = jnp.asarray(rng.standard_normal((3,) * dim + (c_in, c_out)).astype(np.float32))
    g = jnp.asarray(rng.standard_normal((3,) + (L,) * dim + (c_out,)).astype(np.float32))
    assert_close(fft_conv(x, kernel), native_conv(x, kernel))
    grads = [jax.grad(lambda x, k: jnp.vdot(conv(x, k), g), argnums=(0, 1))(x, kernel)
             for conv in (fft_conv, native_conv)]
    assert_close(grads[0][0], grads[1][0])  # input
    assert_close(grads[0][1], grads[1][1])  # kernel


def test_fft_convolution_under_jit_and_in_float64():
    rng = np.random.default_rng(1)
    x = rng.random((2, 6, 6, 6, 2))
    kernel = rng.standard_normal((3, 3, 3, 2, 4))
    assert_close(jax.jit(fft_conv)(jnp.asarray(x, jnp.float32), jnp.asarray(kernel, jnp.float32)),
                 native_conv(jnp.asarray(x, jnp.float32), jnp.asarray(kernel, jnp.float32)))
    with jax.enable_x64(True):
        y = fft_conv(jnp.asarray(x), jnp.asarray(kernel))
        assert y.dtype == jnp.float64
        assert_close(y, native_conv(jnp.asarray(x), jnp.asarray(kernel)), rtol=1e-12)


@pytest.mark.parametrize("shape, axes", [
    ((3, 2, 6, 6, 6), (2, 3, 4)),  # channels first, 3D
    ((3, 5, 7, 6, 2), (1, 2, 3)),  # channels last, 3D, odd sizes (VALID pooling drops the last slice)
    ((4, 7, 8, 3), (1, 2)),        # channels last, 2D
])
def test_first_maximum_pooling_equals_flax_pooling_exactly(shape, axes):
    rng = np.random.default_rng(2)
    z = rng.standard_normal(shape).astype(np.float32)
    z[0] = np.round(z[0])  # many ties within windows
    z[1] = 0.0              # windows of equal entries
    z = jnp.asarray(z)
    window = tuple(2 if a in axes else 1 for a in range(len(shape)))

    def native_pool(v):  # flax.linen.max_pool is this reduce_window; its gradient is select_and_scatter_add
        return jax.lax.reduce_window(v, -jnp.inf, jax.lax.max, window, window, "VALID")

    if axes == tuple(range(1, len(shape) - 1)):  # channels last, as flax pools
        flax_pooled = nn.max_pool(z, (2,) * len(axes), strides=(2,) * len(axes))
        np.testing.assert_array_equal(native_pool(z), flax_pooled)
    expected = native_pool(z)
    g = jnp.asarray(rng.standard_normal(expected.shape).astype(np.float32))
    np.testing.assert_array_equal(max_pool_first(z, axes), expected)
    np.testing.assert_array_equal(jax.vjp(lambda v: max_pool_first(v, axes), z)[0], expected)
    np.testing.assert_array_equal(jax.grad(lambda v: jnp.vdot(max_pool_first(v, axes), g))(z),
                                  jax.grad(lambda v: jnp.vdot(native_pool(v), g))(z))


CONFIGS = [
    CNNConfig.default(3, 20),
    CNNConfig.default(2, 16),
    # odd L, two convolutions per block, pooling stops at L = 1
    pytest.param(CNNConfig(dim=3, L=7, features=(4, 6, 5), convs_per_block=2, dense=8),
                 marks=pytest.mark.slow),
    pytest.param(CNNConfig(dim=2, L=9, features=(3, 4, 5, 6), dense=8, n_classes=3),
                 marks=pytest.mark.slow),
]


@pytest.mark.parametrize("cnn", CONFIGS, ids=["3D-default", "2D-default", "3D-deep", "2D-deep"])
def test_cpu_formulation_is_the_same_network(cnn):
    rng = np.random.default_rng(3)
    x = prepare_input(rng.random((4,) + (cnn.L,) * cnn.dim) / cnn.L**cnn.dim)
    y = jnp.arange(4) % cnn.n_classes
    native, cpu = PhaseCNN(cnn, impl="native"), PhaseCNN(cnn, impl="cpu")
    params = native.init(jax.random.PRNGKey(7), x)["params"]
    # same parameter names, shapes and initial values: networks move between the formulations
    cpu_params = cpu.init(jax.random.PRNGKey(7), x)["params"]
    assert jax.tree_util.tree_structure(cpu_params) == jax.tree_util.tree_structure(params)
    for a, b in zip(jax.tree_util.tree_leaves(params), jax.tree_util.tree_leaves(cpu_params)):
        np.testing.assert_array_equal(a, b)
    assert_close(cpu.apply({"params": params}, x), native.apply({"params": params}, x))

    def grad(model):  # of a training step's loss, dropout included
        return jax.jit(jax.grad(lambda p: optax.softmax_cross_entropy_with_integer_labels(
            model.apply({"params": p}, x, train=True, rngs={"dropout": jax.random.PRNGKey(1)}), y).mean()))

    leaves = jax.tree_util.tree_leaves
    for a, b in zip(leaves(grad(cpu)(params)), leaves(grad(native)(params))):
        assert_close(a, b)


def test_automatic_choice_and_override(monkeypatch):
    monkeypatch.delenv(IMPL_ENV, raising=False)
    assert resolve_impl() == ("cpu" if jax.default_backend() == "cpu" else "native")
    assert resolve_impl("native") == "native" and resolve_impl("cpu") == "cpu"
    monkeypatch.setenv(IMPL_ENV, "native")
    assert resolve_impl() == "native"
    assert resolve_impl("cpu") == "cpu"  # an explicit choice wins over the environment
    monkeypatch.setenv(IMPL_ENV, "cudnn")
    with pytest.raises(ParameterError, match="CNN implementation 'cudnn' is not one of auto, native, cpu"):
        resolve_impl()


@pytest.mark.slow
def test_network_trained_natively_predicts_the_same_in_the_cpu_formulation(tmp_path, monkeypatch):
    from wavelearn.learning.phases.inference import load_network
    from wavelearn.learning.phases.training import TrainConfig, train_classifier

    rng = np.random.default_rng(4)
    density = rng.random((24, 6, 6, 6)).astype(np.float32) + 0.5
    density /= density.reshape(24, -1).sum(axis=1)[:, None, None, None]
    labels = np.arange(24) % 2
    monkeypatch.setenv(IMPL_ENV, "native")
    train_classifier(density, labels, np.arange(20), np.arange(20, 24), CNNConfig.default(3, 6),
                     TrainConfig(epochs=1, batch_size=8), tmp_path, ("a", "b"), progress=False)
    assert json.loads((tmp_path / "network.json").read_text())["impl"] == "native"
    native = load_network(tmp_path).predict(density)
    monkeypatch.setenv(IMPL_ENV, "cpu")
    network = load_network(tmp_path)
    assert_close(network.predict(density), native)
