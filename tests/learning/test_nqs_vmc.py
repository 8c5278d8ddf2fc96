"""Stochastic reconfiguration and VMC: SR lowers the energy, its solvers agree, a short run reaches
the exact ground state, and a resumed run is the uninterrupted one."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from wavelearn.learning.nqs import x64
from jax.flatten_util import ravel_pytree
from wavelearn.learning.nqs.rbm import RBMConfig
from wavelearn.learning.nqs.sampler import SamplerSettings
from wavelearn.learning.nqs.sr import SRSettings, centred, natural_gradient
from wavelearn.learning.nqs.vmc import OptimizerSettings, VMCSettings, VMCTask, log_derivatives, run_vmc
from wavelearn.manybody import SpinModel
from wavelearn.manybody.exact import ground_energy


def exact_energy_of(task, params):
    _, _, _, _, metrics = task.estimate(params, None, jax.random.PRNGKey(0))
    return float(metrics["energy"])


@pytest.mark.parametrize("complex_params", [False, True])
def test_one_sr_step_lowers_the_energy(complex_params):
    with x64():
        model = SpinModel("heisenberg", "chain", 6, W=0.5)
        settings = VMCSettings(model=model, rbm=RBMConfig(alpha=1, marshall=True, complex_params=complex_params,
                                                          init_std=0.1),
                               sampler=SamplerSettings("exact"), sr=SRSettings(diag_shift=0.01))
        task = VMCTask(settings)
        params, extra = task.init(jax.random.PRNGKey(0))
        before = exact_energy_of(task, params)
        direction, _, metrics = task.grads(params, extra, None, jax.random.PRNGKey(1))
        assert float(metrics["energy"]) == pytest.approx(before, abs=1e-12)
        after = exact_energy_of(task, jax.tree_util.tree_map(lambda p, d: p - 0.05 * d, params, direction))
        assert after < before - 1e-3 * abs(before)
        # a step *up* the natural gradient raises it: the direction is not arbitrary
        worse = exact_energy_of(task, jax.tree_util.tree_map(lambda p, d: p + 0.05 * d, params, direction))
        assert worse > before


def test_sr_solvers_agree_with_explicit_s_matrix():
    with x64():
        rng = np.random.default_rng(0)
        for samples, params in ((50, 20), (20, 50)):  # parameter space and sample space
            O = jnp.asarray(rng.standard_normal((samples, params)) + 1j * rng.standard_normal((samples, params)))
            e = jnp.asarray(rng.standard_normal(samples) + 0.1j * rng.standard_normal(samples))
            X, y = centred(O, e, None)
            S = np.asarray(jnp.conj(X).T @ X)
            F = np.asarray(jnp.conj(X).T @ y)
            # holomorphic: (S + eps) delta = F
            expected = np.linalg.solve(S + 0.1 * np.eye(params), F)
            for solver in ("cholesky", "cg"):
                got = natural_gradient(O, e, SRSettings(0.1, solver, cg_tol=1e-12), holomorphic=True)
                np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-7, atol=1e-9, err_msg=solver)
            # real parameters: (Re S + eps) delta = 2 Re F
            expected = np.linalg.solve(S.real + 0.1 * np.eye(params), 2 * F.real)
            for solver in ("cholesky", "cg"):
                got = natural_gradient(O, e, SRSettings(0.1, solver, cg_tol=1e-12), holomorphic=False)
                np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-7, atol=1e-9, err_msg=solver)
            # relative shift: (S + eps + scale diag S) delta = F
            expected = np.linalg.solve(S + np.diag(0.1 + 0.3 * np.diag(S)), F)
            for solver in ("cholesky", "cg"):
                got = natural_gradient(O, e, SRSettings(0.1, solver, cg_tol=1e-12, diag_scale=0.3), holomorphic=True)
                np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-7, atol=1e-9, err_msg=solver)


def test_log_derivatives_match_finite_differences():
    with x64():
        task = VMCTask(VMCSettings(model=SpinModel("heisenberg", "chain", 6),
                                   rbm=RBMConfig(alpha=1, init_std=0.2), sampler=SamplerSettings("exact")))
        params, _ = task.init(jax.random.PRNGKey(0))
        sigma = jnp.asarray(task.hilbert.configurations()[:5], jnp.float64)
        O = np.asarray(log_derivatives(task.logpsi, params, sigma, holomorphic=False))
        flat, unravel = ravel_pytree(params)
        h = 1e-6
        for k in (0, 7, 20, len(flat) - 1):
            step = jnp.zeros_like(flat).at[k].set(h)
            diff = (task.logpsi(unravel(flat + step), sigma) - task.logpsi(unravel(flat - step), sigma)) / (2 * h)
            np.testing.assert_allclose(O[:, k], np.real(np.asarray(diff)), rtol=1e-6, atol=1e-8)


@pytest.mark.timeout(180)
def test_short_vmc_run_reaches_heisenberg_ground_state(tmp_path):
    model = SpinModel("heisenberg", "chain", 10)
    exact = ground_energy(model)
    settings = VMCSettings(model=model, rbm=RBMConfig(alpha=1, marshall=True),
                           sampler=SamplerSettings("exchange", n_chains=16, n_samples=512),
                           sr=SRSettings(diag_shift=0.1), optimizer=OptimizerSettings("sgd", 0.05))
    result = run_vmc(settings, 120, tmp_path, seed=1, exact_energy=exact)
    assert len(result.history) == 120
    assert result.relative_error < 1e-2
    first, last = result.history[0], result.history[-1]
    assert last["train_variance"] < 0.1 * first["train_variance"]  # approaching an eigenstate
    assert last["train_rhat"] < 1.2


@pytest.mark.timeout(120)
def test_checkpoint_resume_is_exact(tmp_path):
    settings = VMCSettings(model=SpinModel("heisenberg", "chain", 6, W=1.0),
                           rbm=RBMConfig(alpha=1, marshall=True), sampler=SamplerSettings("exchange", 4, 64))
    whole = run_vmc(settings, 6, tmp_path / "whole", seed=3)
    run_vmc(settings, 6, tmp_path / "cut", seed=3, stop_after=3)
    resumed = run_vmc(settings, 6, tmp_path / "cut", seed=3)
    assert [row["train_energy"] for row in resumed.history] == [row["train_energy"] for row in whole.history]
    for a, b in zip(jax.tree_util.tree_leaves(whole.params), jax.tree_util.tree_leaves(resumed.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    # another setting in the same folder starts over instead of resuming
    other = run_vmc(VMCSettings(model=settings.model, rbm=RBMConfig(alpha=2, marshall=True),
                                sampler=settings.sampler), 2, tmp_path / "cut", seed=3)
    assert len(other.history) == 2


def test_divergence_is_an_error_not_nan_parameters():
    from wavelearn.errors import ConvergenceError
    from wavelearn.learning.nqs.vmc import StopOnDivergence

    StopOnDivergence().on_epoch_end(3, {"epoch": 4, "train_energy": -1.0}, None)
    with pytest.raises(ConvergenceError, match="diverged at iteration 5"):
        StopOnDivergence().on_epoch_end(4, {"epoch": 5, "train_energy": float("nan")}, None)


def test_diag_shift_schedule_is_geometric():
    settings = SRSettings(0.1, final_diag_shift=0.001, decay_steps=10)
    assert float(settings.shift(0)) == pytest.approx(0.1)
    assert float(settings.shift(5)) == pytest.approx(0.01)
    assert float(settings.shift(10)) == pytest.approx(0.001) and float(settings.shift(50)) == pytest.approx(0.001)
    assert SRSettings(0.2).shift(100) == 0.2


def test_learning_rate_warmup_and_decay():
    import optax

    settings = OptimizerSettings("sgd", 0.05, final_learning_rate=0.005, decay_steps=110, warmup_steps=10)
    optimizer = settings.build()
    params = {"x": jnp.zeros(())}
    state = optimizer.init(params)
    rates = []
    for _ in range(111):
        update, state = optimizer.update({"x": jnp.ones(())}, state, params)
        rates.append(-float(update["x"]))
    assert rates[0] == pytest.approx(0.0005, rel=1e-5) and rates[10] == pytest.approx(0.05, rel=1e-5)
    assert np.all(np.diff(rates[:11]) > 0) and rates[-1] == pytest.approx(0.005, rel=1e-3)
    assert isinstance(optimizer, optax.GradientTransformation)
