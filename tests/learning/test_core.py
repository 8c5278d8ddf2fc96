"""The training core: a task's loop, checkpoints with exact resume, signatures, callbacks."""

import csv

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from wavelearn.errors import ParameterError
from wavelearn.learning.core import Callback, FitSettings, SupervisedTask, fit


class LinearRegression(SupervisedTask):
    """Fit y = X w + noise with shuffled mini-batches: the least-squares solution is known."""

    metrics = ("loss",)

    def __init__(self, n=256, d=3, seed=0):
        rng = np.random.default_rng(seed)
        self.X = rng.standard_normal((n, d)).astype(np.float32)
        self.w = np.array([1.5, -2.0, 0.5], np.float32)[:d]
        self.y = self.X @ self.w + 0.01 * rng.standard_normal(n).astype(np.float32)

    def init(self, key):
        return {"w": 0.1 * jax.random.normal(key, (self.X.shape[1],))}, None

    def loss(self, params, batch, key, train):
        x, y = batch
        return jnp.mean((x @ params["w"] - y) ** 2), {}

    def batches(self, epoch, rng):
        order = rng.permutation(len(self.X))
        for start in range(0, len(order), 32):
            idx = order[start : start + 32]
            yield jnp.asarray(self.X[idx]), jnp.asarray(self.y[idx])

    def evaluate(self, params, extra):
        return {"loss": float(np.mean((self.X @ np.asarray(params["w"]) - self.y) ** 2))}


class Counter(Callback):
    def __init__(self):
        self.epochs, self.ended = [], 0

    def on_epoch_end(self, epoch, record, state):
        self.epochs.append(epoch)

    def on_fit_end(self, result):
        self.ended += 1


def test_fit_converges_to_the_least_squares_solution(tmp_path):
    task, counter = LinearRegression(), Counter()
    result = fit(task, optax.adam(0.05), FitSettings(epochs=30, seed=1), tmp_path, signature={"t": 1},
                 callbacks=[counter])
    w_ls = np.linalg.lstsq(task.X, task.y, rcond=None)[0]
    np.testing.assert_allclose(np.asarray(result.params["w"]), w_ls, atol=2e-2)
    assert counter.epochs == list(range(30)) and counter.ended == 1
    assert result.history[0]["train_loss"] > 10 * result.history[-1]["train_loss"]
    with open(tmp_path / "history.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["epoch", "train_loss", "val_loss"] and len(rows) == 30


def test_resumed_run_equals_uninterrupted_run_bit_for_bit(tmp_path):
    task = LinearRegression(seed=3)
    settings = FitSettings(epochs=6, seed=7)
    whole = fit(task, optax.adam(0.01), settings, tmp_path / "whole", signature={"t": 1})
    first = fit(task, optax.adam(0.01), settings, tmp_path / "resumed", signature={"t": 1}, stop_after=2)
    assert first.epochs_done == 2
    resumed = fit(task, optax.adam(0.01), settings, tmp_path / "resumed", signature={"t": 1})
    np.testing.assert_array_equal(np.asarray(whole.params["w"]), np.asarray(resumed.params["w"]))
    assert whole.history == resumed.history


def test_another_signature_starts_over(tmp_path, capsys):
    task = LinearRegression()
    fit(task, optax.sgd(0.01), FitSettings(epochs=2), tmp_path, signature={"data": "a"})
    again = fit(task, optax.sgd(0.01), FitSettings(epochs=2), tmp_path, signature={"data": "a"})
    assert "resuming" in capsys.readouterr().out and len(again.history) == 2
    other = fit(task, optax.sgd(0.01), FitSettings(epochs=1), tmp_path, signature={"data": "b"})
    assert "starting over" in capsys.readouterr().out and other.epochs_done == 1


@pytest.mark.parametrize("kwargs, message", [({"epochs": 0}, "epochs=0"), ({"seed": -1}, "seed=-1"),
                                             ({"epochs": 2.0}, "epochs=2.0")])
def test_bad_settings_name_the_value(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        FitSettings(**kwargs)
