"""RBM wave function and samplers: the RBM against its definition, Monte Carlo against exact sums."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from wavelearn.errors import ParameterError
from wavelearn.learning.nqs import x64
from wavelearn.learning.nqs.rbm import RBMConfig, log_cosh2
from wavelearn.learning.nqs.sampler import (SamplerSettings, chain_statistics, integrated_autocorrelation_time,
                                            split_rhat)
from wavelearn.learning.nqs.vmc import VMCSettings, VMCTask, local_energies
from wavelearn.manybody import SpinLattice, SpinModel
from wavelearn.manybody.hamiltonians import marshall_sign


def perturbed(params, key, scale):
    leaves, tree = jax.tree_util.tree_flatten(params)
    keys = jax.random.split(key, len(leaves))
    noisy = [x + scale * jax.random.normal(k, x.shape, x.dtype) for x, k in zip(leaves, keys)]
    return jax.tree_util.tree_unflatten(tree, noisy)


def test_log_cosh_stable_and_exact():
    with x64():
        x = jnp.array([-3.0, -0.5, 0.0, 0.2, 4.0])
        np.testing.assert_allclose(log_cosh2(x), np.log(2 * np.cosh(np.asarray(x))), rtol=1e-14)
        z = jnp.array([0.3 + 1.1j, -2.0 - 0.4j, 5.0 + 3.0j])
        expected = np.log(2 * np.cosh(np.asarray(z)))
        got = np.asarray(log_cosh2(z))
        np.testing.assert_allclose(got.real, expected.real, rtol=1e-13)
        np.testing.assert_allclose(np.exp(1j * got.imag), np.exp(1j * expected.imag), atol=1e-12)  # phase mod 2 pi
        big = log_cosh2(jnp.array([800.0, -800.0]))
        np.testing.assert_allclose(big, [800.0, 800.0])


@pytest.mark.parametrize("complex_params", [False, True])
def test_rbm_equals_sum_over_hidden_units(complex_params):
    """psi(sigma) = sum_h exp(a.sigma + b.h + h.W.sigma) with h_j = +-1: the marginal of the RBM."""
    with x64():
        lattice = SpinLattice("chain", 4)
        config = RBMConfig(alpha=0.75, complex_params=complex_params, init_std=0.4)
        module = config.module(lattice)
        params = module.init(jax.random.PRNGKey(1), jnp.ones((1, 4)))["params"]
        sigma = np.array(list(itertools.product([-1.0, 1.0], repeat=4)))
        got = np.exp(np.asarray(module.apply({"params": params}, sigma)))
        a, b, W = (np.asarray(params[k]) for k in ("visible_bias", "hidden_bias", "weights"))
        assert W.shape == (4, 3)
        hidden = np.array(list(itertools.product([-1.0, 1.0], repeat=3)))
        expected = np.array([np.sum(np.exp(s @ a + hidden @ b + hidden @ (W.T @ s))) for s in sigma])
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_marshall_and_translation_symmetry():
    with x64():
        lattice = SpinLattice("square", 4)
        sigma = np.random.default_rng(0).choice([-1.0, 1.0], size=(20, 16))
        plain = RBMConfig(alpha=2, symmetric=True, init_std=0.3).module(lattice)
        signed = RBMConfig(alpha=2, symmetric=True, marshall=True, init_std=0.3).module(lattice)
        params = plain.init(jax.random.PRNGKey(0), jnp.ones((1, 16)))["params"]
        assert params["weights"].shape == (16, 2)  # two filters, whatever the lattice size
        base = np.asarray(plain.apply({"params": params}, sigma))
        for t in (1, 5, 11):
            shifted = sigma[:, lattice.translations[t]]
            np.testing.assert_allclose(np.asarray(plain.apply({"params": params}, shifted)), base, rtol=1e-12)
        ratio = np.exp(np.asarray(signed.apply({"params": params}, sigma)) - base)
        np.testing.assert_allclose(ratio, marshall_sign(lattice, sigma), atol=1e-12)
        # without symmetry, a translated configuration generally has another amplitude
        free = RBMConfig(alpha=1, init_std=0.3).module(lattice)
        p2 = free.init(jax.random.PRNGKey(0), jnp.ones((1, 16)))["params"]
        assert not np.allclose(free.apply({"params": p2}, sigma[:, lattice.translations[1]]),
                               free.apply({"params": p2}, sigma))


def exact_expectation(task, params):
    """<psi|H|psi> / <psi|psi> from the sparse matrix of the sector (no local energies involved)."""
    hilbert = task.hilbert
    psi = np.exp(np.asarray(task.logpsi(params, jnp.asarray(hilbert.configurations(), jnp.float64))))
    H = task.settings.model.matrix(hilbert)
    return float(np.real(np.vdot(psi, H @ psi) / np.vdot(psi, psi)))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("model, kind, sz, marshall", [
    (SpinModel("heisenberg", "chain", 8, W=1.0), "exchange", "auto", True),
    (SpinModel("ising", "chain", 8, h=1.0), "local", None, False),
    (SpinModel("j1j2", "chain", 6, J2=0.4), "exchange", "auto", False),
], ids=["heisenberg8", "ising8", "j1j2_6"])
def test_monte_carlo_agrees_with_exact_enumeration(model, kind, sz, marshall):
    with x64():
        rbm = RBMConfig(alpha=1, marshall=marshall, complex_params=kind == "local", init_std=0.01)
        exact = VMCTask(VMCSettings(model=model, rbm=rbm, sampler=SamplerSettings("exact"), sz=sz))
        mc = VMCTask(VMCSettings(model=model, rbm=rbm, sampler=SamplerSettings(kind, 16, 4000), sz=sz))
        params, extra = mc.init(jax.random.PRNGKey(0))
        params = perturbed(params, jax.random.PRNGKey(3), 0.25)  # a non-trivial |psi|^2
        reference = exact_expectation(exact, params)
        # exact enumeration through the local energies equals the matrix expectation value
        _, _, _, _, m_exact = exact.estimate(params, exact.init(jax.random.PRNGKey(0))[1], jax.random.PRNGKey(1))
        assert float(m_exact["energy"]) == pytest.approx(reference, abs=1e-10)
        _, _, _, _, m = jax.jit(mc.estimate)(params, extra, jax.random.PRNGKey(2))
        error = float(m["energy_error"])
        assert 0 < error < 0.05 * abs(reference) + 0.05
        assert abs(float(m["energy"]) - reference) < 4 * error
        assert float(m["rhat"]) < 1.1
        assert 0.05 < float(m["acceptance"]) <= 1


def test_local_energy_of_an_eigenstate_is_constant():
    """A product state of the Ising model at h = 0 is an eigenstate: E_loc = E everywhere sampled."""
    with x64():
        model = SpinModel("ising", "chain", 6, h=0.0)
        task = VMCTask(VMCSettings(model=model, sampler=SamplerSettings("local", 2, 8), sz=None))
        params, _ = task.init(jax.random.PRNGKey(0))
        sigma = jnp.ones((3, 6))
        np.testing.assert_allclose(local_energies(task.logpsi, params, sigma, task.terms), -6.0)


def test_chain_diagnostics():
    rng = np.random.default_rng(0)
    rho, n = 0.8, 20000
    x = np.zeros((8, n))
    noise = rng.standard_normal((8, n))
    for t in range(1, n):
        x[:, t] = rho * x[:, t - 1] + noise[:, t]
    tau = integrated_autocorrelation_time(x)
    assert tau == pytest.approx((1 + rho) / (2 * (1 - rho)), rel=0.15)  # AR(1): 4.5
    with x64():
        iid = jnp.asarray(rng.standard_normal((16, 400)))
        assert float(split_rhat(iid)) == pytest.approx(1.0, abs=0.02)
        stuck = iid + jnp.arange(16)[:, None]  # chains that never mix
        assert float(split_rhat(stuck)) > 2
        stats = chain_statistics(iid)
        assert float(stats["error"]) == pytest.approx(1 / np.sqrt(16 * 400), rel=0.5)
        assert float(stats["tau"]) < 1.0


def test_impossible_inputs():
    with pytest.raises(ParameterError, match="alpha=0"):
        RBMConfig(alpha=0)
    with pytest.raises(ParameterError, match="alpha=-1"):
        RBMConfig(alpha=-1.0)
    with pytest.raises(ParameterError, match="integer for the symmetric"):
        RBMConfig(alpha=1.5, symmetric=True)
    with pytest.raises(ParameterError, match="exact sampler: N=20"):
        VMCSettings(model=SpinModel("heisenberg", "chain", 20), sampler=SamplerSettings("exact"))
    with pytest.raises(ParameterError, match="exchange sampler"):
        VMCSettings(model=SpinModel("ising", "chain", 8), sampler=SamplerSettings("exchange"), sz="auto")
    with pytest.raises(ParameterError, match="sz=0"):
        VMCSettings(model=SpinModel("heisenberg", "chain", 7), sz=0.0)
    with pytest.raises(ParameterError, match="not bipartite"):
        VMCSettings(model=SpinModel("heisenberg", "chain", 7), rbm=RBMConfig(marshall=True))
    with pytest.raises(ParameterError, match="kind="):
        SamplerSettings("gibbs")


@pytest.mark.parametrize("symmetric, complex_params, marshall", [(False, False, True), (True, False, True),
                                                                  (False, True, False), (True, True, True)])
def test_fast_log_ratios_equal_direct_evaluation(symmetric, complex_params, marshall):
    from wavelearn.learning.nqs.rbm import log_ratios

    with x64():
        model = SpinModel("j1j2", "square", 4, J2=0.5)
        module = RBMConfig(alpha=1, symmetric=symmetric, complex_params=complex_params, marshall=marshall,
                           init_std=0.3).module(model.lattice)
        params = module.init(jax.random.PRNGKey(2), jnp.ones((1, 16)))["params"]
        sigma = jnp.asarray(np.random.default_rng(1).choice([-1.0, 1.0], size=(7, 16)))
        terms = model.terms
        fast = np.asarray(log_ratios(module, params, sigma, jnp.asarray(terms.flips)))
        primes, _ = terms.connected(np.asarray(sigma, dtype=np.int8))
        direct = (np.asarray(module.apply({"params": params}, jnp.asarray(primes[:, 1:], jnp.float64)))
                  - np.asarray(module.apply({"params": params}, sigma))[:, None])
        np.testing.assert_allclose(np.exp(fast), np.exp(direct), rtol=1e-10, atol=1e-12)


def test_local_energy_ignores_amplitudes_outside_the_sector():
    """A uniform visible bias a multiplies psi by exp(a sum sigma): constant inside Sz = 0, so E_loc
    must not change — even when a is so large that psi overflows on the states one double flip
    outside the sector (exp(inf) * 0 must not turn into NaN)."""
    with x64():
        task = VMCTask(VMCSettings(model=SpinModel("heisenberg", "chain", 8),
                                   rbm=RBMConfig(alpha=1, marshall=True, init_std=0.2),
                                   sampler=SamplerSettings("exchange", 2, 8)))
        params, _ = task.init(jax.random.PRNGKey(0))
        params = dict(params, visible_bias=jnp.zeros(8))
        sigma = jnp.asarray(task.hilbert.configurations()[::5], jnp.float64)
        base = local_energies(task.logpsi, params, sigma, task.terms, ratios=task.ratios)
        huge = dict(params, visible_bias=jnp.full(8, 400.0))
        for ratios in (task.ratios, None):
            shifted = local_energies(task.logpsi, huge, sigma, task.terms, ratios=ratios)
            assert np.all(np.isfinite(np.asarray(shifted)))
            np.testing.assert_allclose(np.asarray(shifted), np.asarray(base), rtol=1e-9, atol=1e-9)
