"""CNN phase classification: learning, exact resume, shapes, scan and critical point, errors."""

import numpy as np
import pytest

from wavelearn.errors import DataError
from wavelearn.learning.phases.augment import augment, point_group
from wavelearn.learning.phases.data import ClassWindow, split_by_group
from wavelearn.learning.phases.inference import load_network
from wavelearn.learning.phases.network import CNNConfig, PhaseCNN, check_shape, prepare_input
from wavelearn.learning.phases.training import TrainConfig, train_classifier


def synthetic(n, L, dim, seed=0):
    """Separable toy phases: 'extended' noise spread over the lattice vs a 'localized' peak."""
    rng = np.random.default_rng(seed)
    shape = (L,) * dim
    density = rng.random((n,) + shape).astype(np.float32) + 0.5
    labels = np.arange(n) % 2
    for i in np.flatnonzero(labels == 1):
        peak = np.zeros(shape, np.float32)
        peak[tuple(rng.integers(0, L, dim))] = 1.0
        density[i] = 0.02 * density[i] + 20 * peak
    density /= density.reshape(n, -1).sum(axis=1).reshape((n,) + (1,) * dim)
    return density, labels


@pytest.mark.parametrize("dim, L", [(2, 8), (3, 6)])
def test_shapes_and_dtypes(dim, L):
    import jax

    cnn = CNNConfig.default(dim, L)
    x = prepare_input(np.full((3,) + (L,) * dim, 1.0 / L**dim))
    assert x.shape == (3,) + (L,) * dim + (1,) and x.dtype == np.float32
    np.testing.assert_allclose(np.asarray(x).mean(), 1.0, rtol=1e-6)
    model = PhaseCNN(cnn)
    params = model.init(jax.random.PRNGKey(0), x)["params"]
    logits = model.apply({"params": params}, x)
    assert logits.shape == (3, 2)


def test_periodic_convolution_commutes_with_lattice_translations():
    # The torus has no origin: with circular padding, convolving a translated state gives the
    # translated output (zero padding would break this at the edges).
    import flax.linen as nn
    import jax

    from wavelearn.learning.phases.network import periodic_pad

    x = prepare_input(synthetic(2, 8, 2)[0])
    layer = nn.Conv(4, (3, 3), padding="VALID")
    params = layer.init(jax.random.PRNGKey(0), periodic_pad(x, 1, 2))
    y = np.asarray(layer.apply(params, periodic_pad(x, 1, 2)))
    shifted = np.roll(np.asarray(x), (3, -2), axis=(1, 2))
    y_shifted = np.asarray(layer.apply(params, periodic_pad(shifted, 1, 2)))
    np.testing.assert_allclose(np.roll(y, (3, -2), axis=(1, 2)), y_shifted, atol=1e-5)


def test_point_group_orders_and_augmentation_preserves_density():
    assert len(point_group(2)) == 8 and len(point_group(3)) == 48
    density, _ = synthetic(4, 6, 3)
    out = augment(density, np.random.default_rng(0))
    np.testing.assert_allclose(np.sort(out.reshape(4, -1), axis=1), np.sort(density.reshape(4, -1), axis=1))


@pytest.mark.slow
def test_learns_a_separable_problem(tmp_path):
    density, labels = synthetic(160, 8, 2)
    train_idx, val_idx = np.arange(128), np.arange(128, 160)
    result = train_classifier(density, labels, train_idx, val_idx, CNNConfig.default(2, 8),
                              TrainConfig(epochs=6, batch_size=16, learning_rate=3e-3), tmp_path, ("a", "b"),
                              progress=False)
    assert result.history[-1]["val_accuracy"] >= 0.95
    probabilities = load_network(tmp_path).predict(density[val_idx])
    assert np.all(np.argmax(probabilities, axis=1) == labels[val_idx])
    assert (tmp_path / "history.csv").read_text().count("\n") == 7
    assert (tmp_path / "history.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_resume_from_checkpoint_equals_uninterrupted(tmp_path):
    density, labels = synthetic(64, 6, 2, seed=3)
    settings = TrainConfig(epochs=4, batch_size=16, seed=5)
    cnn = CNNConfig.default(2, 6)
    idx, val = np.arange(56), np.arange(56, 64)
    whole = train_classifier(density, labels, idx, val, cnn, settings, tmp_path / "whole", ("a", "b"), progress=False)
    # "killed" after 2 epochs, then started again in the same folder
    train_classifier(density, labels, idx, val, cnn, settings, tmp_path / "resumed", ("a", "b"), progress=False,
                     stop_after=2)
    assert not (tmp_path / "resumed/network.json").exists()
    resumed = train_classifier(density, labels, idx, val, cnn, settings, tmp_path / "resumed", ("a", "b"),
                               progress=False)
    import jax

    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(resumed.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert whole.history == resumed.history
    # Other settings do not resume a foreign checkpoint: they start over.
    other = train_classifier(density, labels, idx, val, cnn, TrainConfig(epochs=1, batch_size=16, seed=5),
                             tmp_path / "resumed", ("a", "b"), progress=False)
    assert other.epochs_done == 1
    loaded = load_network(tmp_path / "whole")
    assert loaded.classes == ("a", "b")
    for a, b in zip(jax.tree_util.tree_leaves(loaded.params), jax.tree_util.tree_leaves(whole.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert loaded.predict(density[:4]).shape == (4, 2)


def test_clear_errors():
    with pytest.raises(DataError, match="window \\[3.0, 1.0\\] is empty"):
        ClassWindow("metal", "W", 3.0, 1.0)
    with pytest.raises(DataError, match="parameter 'E' is not one of W, p, flux"):
        ClassWindow("metal", "E", 0.0, 1.0)
    with pytest.raises(DataError, match="trained on 3D L=8 lattices; the data has shape \\(12, 12, 12\\)"):
        check_shape(CNNConfig.default(3, 8), (12, 12, 12))
    with pytest.raises(DataError, match="no trained network"):
        load_network("/nonexistent/net")
    with pytest.raises(DataError, match="expected NAME:PARAMETER:LOW:HIGH"):
        ClassWindow.parse("metal:W:8")
    from wavelearn.learning.phases.data import label_samples

    with pytest.raises(DataError, match="dataset /nonexistent.h5 does not exist"):
        label_samples(["/nonexistent.h5"], [ClassWindow("a", "W", 0, 1), ClassWindow("b", "W", 2, 3)])
    with pytest.raises(DataError, match="validation split leaves no training sample"):
        split_by_group(np.zeros(5, int), 0.5, 0)


def test_split_keeps_realizations_together():
    groups = np.repeat(np.arange(20), 5)
    train_idx, val_idx = split_by_group(groups, 0.1, 0)
    assert len(val_idx) == 10 and not set(groups[train_idx]) & set(groups[val_idx])
