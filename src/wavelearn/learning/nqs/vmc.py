"""Variational Monte Carlo: local energies, energy statistics, and the VMC task of the training core.

The variational energy is E = <psi|H|psi> / <psi|psi> = < E_loc >_{|psi|^2} with the local energy

    E_loc(sigma) = sum_sigma' <sigma|H|sigma'> psi(sigma') / psi(sigma)
                 = diag(sigma) + sum_m c_m(sigma) exp(log psi(sigma^(m)) - log psi(sigma)),

the moves m of :class:`wavelearn.manybody.LocalTerms` (H is real symmetric, so <sigma|H|sigma'> =
<sigma'|H|sigma>). Per iteration the task samples |psi|^2, reports E with its error bar, the
variance of E_loc (zero exactly for an eigenstate), acceptance, tau and split-R-hat, and hands the
SR natural gradient (or the plain gradient) to the core's optax optimiser. Energies are in the
Pauli convention of :mod:`wavelearn.manybody`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from wavelearn.errors import ConvergenceError, ParameterError
from wavelearn.learning.nqs import x64
from wavelearn.learning.nqs.rbm import RBMConfig, log_ratios
from wavelearn.learning.nqs.sampler import (SamplerSettings, chain_statistics, check_exact, exact_weights,
                                            initial_configurations, metropolis)
from wavelearn.learning.nqs.sr import SRSettings, energy_gradient, natural_gradient
from wavelearn.manybody import SpinModel

OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class OptimizerSettings:
    """``name`` sgd or adam; ``learning_rate`` eta, decayed by a cosine to ``final_learning_rate``
    over ``decay_steps`` iterations when that is given (None: constant); ``warmup_steps``: eta
    ramps up linearly from eta/100 over these first iterations (the natural gradient of a freshly
    initialised RBM, whose S is nearly zero, is dominated by the diagonal shift and can be large:
    the symmetric RBM of a 6x6 lattice diverges without it)."""

    name: str = "sgd"
    learning_rate: float = 0.05
    final_learning_rate: float | None = None
    decay_steps: int = 300
    warmup_steps: int = 0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ParameterError(f"optimizer={self.name!r} is not one of {', '.join(OPTIMIZERS)}")
        if not self.learning_rate > 0:
            raise ParameterError(f"learning_rate={self.learning_rate!r} must be positive")
        if self.final_learning_rate is not None and not self.final_learning_rate > 0:
            raise ParameterError(f"final_learning_rate={self.final_learning_rate!r} must be positive")
        if self.decay_steps < 1:
            raise ParameterError(f"decay_steps={self.decay_steps!r} must be >= 1")
        if isinstance(self.warmup_steps, bool) or not isinstance(self.warmup_steps, int) or self.warmup_steps < 0:
            raise ParameterError(f"warmup_steps={self.warmup_steps!r} must be an integer >= 0")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def build(self) -> optax.GradientTransformation:
        rate = self.learning_rate
        if self.final_learning_rate is not None:
            rate = optax.cosine_decay_schedule(self.learning_rate, max(1, self.decay_steps - self.warmup_steps),
                                               alpha=self.final_learning_rate / self.learning_rate)
        if self.warmup_steps:
            ramp = optax.linear_schedule(self.learning_rate / 100, self.learning_rate, self.warmup_steps)
            rest = rate if callable(rate) else optax.constant_schedule(rate)
            rate = optax.join_schedules([ramp, rest], [self.warmup_steps])
        return optax.sgd(rate) if self.name == "sgd" else optax.adam(rate)


@dataclass(frozen=True)
class VMCSettings:
    """Everything that defines a VMC run (its checkpoint signature).

    ``sz``: the Sz sector the chains live in ("auto": 0 for the Sz-conserving models with even N,
    else none). The exchange sampler keeps it; the local sampler needs ``sz=None``.
    ``sr``: stochastic reconfiguration, or None for the plain gradient.
    """

    model: SpinModel = field(default_factory=SpinModel)
    rbm: RBMConfig = field(default_factory=RBMConfig)
    sampler: SamplerSettings = field(default_factory=SamplerSettings)
    sr: SRSettings | None = field(default_factory=SRSettings)
    optimizer: OptimizerSettings = field(default_factory=OptimizerSettings)
    sz: float | None | str = "auto"

    def __post_init__(self) -> None:
        sector = self.hilbert()
        if self.sampler.kind == "exchange" and sector.sz is None:
            raise ParameterError(f"the exchange sampler conserves Sz: it needs a sector (sz={self.sz!r}, model "
                                 f"{self.model.model}); use the local sampler")
        if self.sampler.kind == "local" and sector.sz is not None:
            raise ParameterError(f"the local sampler changes Sz: use sz=None (not {sector.sz}) or the exchange sampler")
        if self.sampler.kind == "exact":
            check_exact(sector.size, self.model.n_sites)
        if self.rbm.marshall:
            _ = self.model.lattice.sublattice  # refuses non-bipartite lattices

    def hilbert(self):
        return self.model.hilbert(self.sz)

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model.as_dict(), "rbm": self.rbm.as_dict(), "sampler": self.sampler.as_dict(),
                "sr": None if self.sr is None else self.sr.as_dict(), "optimizer": self.optimizer.as_dict(),
                "sz": self.sz}


@dataclass(frozen=True)
class JaxTerms:
    """:class:`~wavelearn.manybody.LocalTerms` as JAX arrays (static ``exchange``)."""

    pairs: jax.Array
    zz: jax.Array
    field: jax.Array
    flips: jax.Array
    flip_sign: jax.Array  # (M, N): -1 on the sites a move flips, +1 elsewhere
    coupling: jax.Array
    exchange: bool

    @classmethod
    def from_terms(cls, terms) -> "JaxTerms":
        sign = np.ones((len(terms.coupling), terms.n_sites))
        for column in range(terms.flips.shape[1]):
            sign[np.arange(len(terms.coupling)), terms.flips[:, column]] = -1.0
        return cls(jnp.asarray(terms.pairs), jnp.asarray(terms.zz, jnp.float64), jnp.asarray(terms.field, jnp.float64),
                   jnp.asarray(terms.flips), jnp.asarray(sign), jnp.asarray(terms.coupling, jnp.float64), terms.exchange)


def local_energies(logpsi, params, sigma: jax.Array, terms: JaxTerms, log_sigma: jax.Array | None = None,
                   ratios=None) -> jax.Array:
    """E_loc for configurations sigma (B, N) (equation in the module docstring).

    ``ratios(params, sigma, flips)``, when given, returns log psi(sigma^(m)) - log psi(sigma) for
    all moves at once (the RBM's O(alpha N) update, :func:`~wavelearn.learning.nqs.rbm.log_ratios`);
    otherwise log psi is evaluated afresh on every connected configuration.
    """
    diagonal = (sigma[:, terms.pairs[:, 0]] * sigma[:, terms.pairs[:, 1]]) @ terms.zz + sigma @ terms.field
    if ratios is not None:
        log_ratio = ratios(params, sigma, terms.flips)
    else:
        if log_sigma is None:
            log_sigma = logpsi(params, sigma)
        primes = sigma[:, None, :] * terms.flip_sign[None, :, :]               # (B, M, N)
        log_primes = logpsi(params, primes.reshape(-1, sigma.shape[1])).reshape(primes.shape[:2])
        log_ratio = log_primes - log_sigma[:, None]
    if terms.exchange:
        # A "move" on a parallel pair is no term of H (element 0). Its flipped configuration lies
        # outside the Sz sector, where psi was never trained and may overflow: exp(inf) * 0 would
        # be NaN, so such ratios are replaced by 0 before exponentiating.
        active = sigma[:, terms.flips[:, 0]] != sigma[:, terms.flips[:, 1]]
        mels = jnp.where(active, terms.coupling, 0.0)
        log_ratio = jnp.where(active, log_ratio, 0.0)
    else:
        mels = jnp.broadcast_to(terms.coupling, log_ratio.shape)
    return diagonal + jnp.sum(mels * jnp.exp(log_ratio), axis=1)


def log_derivatives(logpsi, params, sigma: jax.Array, holomorphic: bool) -> jax.Array:
    """O_k(sigma) = d log psi / d theta_k, shape (B, P) over the flattened parameters.

    Real parameters: the gradient of Re log psi (the phase of these RBMs does not depend on theta)."""
    flat, unravel = ravel_pytree(params)

    def single(p, s):
        value = logpsi(unravel(p), s[None])[0]
        return value if holomorphic else jnp.real(value)

    return jax.vmap(jax.grad(single, holomorphic=holomorphic), in_axes=(None, 0))(flat, sigma)


class VMCTask:
    """VMC of an RBM as a :class:`wavelearn.learning.core.Task`: one epoch = one iteration.

    ``extra`` carries the Markov-chain configurations from iteration to iteration (and through
    checkpoints, so a resumed run continues the same chains).
    """

    metrics = ("energy", "energy_error", "variance", "acceptance", "tau", "rhat")

    def __init__(self, settings: VMCSettings):
        self.settings = settings
        self.hilbert = settings.hilbert()
        self.lattice = settings.model.lattice
        self.module = settings.rbm.module(self.lattice)
        self.terms = JaxTerms.from_terms(settings.model.terms)
        self.holomorphic = settings.rbm.complex_params
        self.bonds = jnp.asarray(self.lattice.bonds)
        self.exact_configurations = (jnp.asarray(self.hilbert.configurations(), jnp.float64)
                                     if settings.sampler.kind == "exact" else None)

    def ratios(self, params, sigma, flips):
        return log_ratios(self.module, params, sigma, flips)

    def logpsi(self, params, sigma):
        return self.module.apply({"params": params}, sigma)

    def init(self, key):
        k_params, k_chains = jax.random.split(key)
        n = self.lattice.n_sites
        params = self.module.init(k_params, jnp.ones((1, n)))["params"]
        chains = 1 if self.settings.sampler.kind == "exact" else self.settings.sampler.n_chains
        sigma = initial_configurations(k_chains, chains, n, self.hilbert.n_up)
        # the iteration counter drives the diagonal-shift schedule and travels with checkpoints
        return params, {"sigma": sigma, "iteration": jnp.zeros((), jnp.int32)}

    def sample(self, params, extra, key):
        """(samples (B, N), weights or None, chain shape, new extra, acceptance)."""
        s = self.settings.sampler
        if s.kind == "exact":
            weights = exact_weights(self.logpsi, params, self.exact_configurations)
            return self.exact_configurations, weights, None, extra, jnp.ones(())
        samples, last, acceptance = metropolis(
            self.logpsi, params, extra["sigma"], key, kind=s.kind, bonds=self.bonds, n_keep=s.per_chain,
            n_discard=s.discard(), sweep=s.sweep_size(self.lattice.n_sites))
        return samples.reshape(-1, samples.shape[-1]), None, samples.shape[:2], {**extra, "sigma": last}, acceptance

    def estimate(self, params, extra, key):
        """Energy statistics of one batch of samples, plus what the gradient needs."""
        sigma, weights, shape, extra, acceptance = self.sample(params, extra, key)
        e_loc = local_energies(self.logpsi, params, sigma, self.terms, ratios=self.ratios)
        if weights is None:
            stats = chain_statistics(e_loc.reshape(shape))
        else:
            mean = weights @ jnp.real(e_loc)
            stats = {"mean": mean, "error": jnp.zeros(()), "variance": weights @ (jnp.real(e_loc) - mean) ** 2,
                     "tau": jnp.zeros(()), "rhat": jnp.ones(())}
        metrics = {"energy": stats["mean"], "energy_error": stats["error"], "variance": stats["variance"],
                   "acceptance": acceptance, "tau": stats["tau"], "rhat": stats["rhat"]}
        return sigma, weights, e_loc, extra, metrics

    def grads(self, params, extra, batch, key):
        sigma, weights, e_loc, extra, metrics = self.estimate(params, extra, key)
        O = log_derivatives(self.logpsi, params, sigma, self.holomorphic)
        if self.settings.sr is None:
            direction = energy_gradient(O, e_loc, holomorphic=self.holomorphic, weights=weights)
        else:
            direction = natural_gradient(O, e_loc, self.settings.sr, holomorphic=self.holomorphic, weights=weights,
                                         iteration=extra["iteration"])
        extra = {**extra, "iteration": extra["iteration"] + 1}
        _, unravel = ravel_pytree(params)
        return unravel(direction.astype(ravel_pytree(params)[0].dtype)), extra, metrics

    def batches(self, epoch: int, rng: np.random.Generator):
        return [None]

    def evaluate(self, params, extra) -> dict[str, float]:
        return {}


@dataclass
class VMCResult:
    """A finished run: the trace (one row per iteration), final parameters, the final estimate."""

    settings: VMCSettings
    history: list[dict[str, float]]
    params: Any
    energy: float
    energy_error: float
    exact_energy: float | None = None
    seconds_per_iteration: float | None = None

    @property
    def relative_error(self) -> float | None:
        if self.exact_energy is None:
            return None
        return abs((self.energy - self.exact_energy) / self.exact_energy)


def final_estimate(history: Sequence[dict[str, float]], fraction: float = 0.1) -> tuple[float, float]:
    """Mean energy of the last ``fraction`` of iterations and its error (the iterations' errors
    combined as independent: sqrt(sum err^2) / k)."""
    k = max(1, int(round(len(history) * fraction)))
    tail = history[-k:]
    energies = np.array([row["train_energy"] for row in tail])
    errors = np.array([row["train_energy_error"] for row in tail])
    return float(energies.mean()), float(np.sqrt(np.sum(errors**2)) / k)


class StopOnDivergence:
    """Core callback: a non-finite energy ends the run with a ConvergenceError (instead of
    iterating on NaN parameters and writing them)."""

    def on_epoch_end(self, epoch, record, state):
        if not np.isfinite(record.get("train_energy", 0.0)):
            raise ConvergenceError(f"VMC diverged at iteration {epoch + 1}: the energy is {record['train_energy']}; "
                                   f"lower the learning rate or raise the SR diagonal shift")

    def on_fit_end(self, result):
        pass


def run_vmc(settings: VMCSettings, iterations: int, workdir: str | Path, *, seed: int = 0,
            exact_energy: float | None = None, callbacks: Sequence = (), stop_after: int | None = None) -> VMCResult:
    """Train through the core (checkpoint after every iteration in ``workdir``, exact resume)."""
    import time

    from wavelearn.learning.core import FitSettings, fit

    with x64():
        task = VMCTask(settings)
        signature = {"kind": "nqs-vmc", "settings": json.loads(json.dumps(settings.as_dict()))}
        start = time.perf_counter()
        result = fit(task, settings.optimizer.build(), FitSettings(epochs=iterations, seed=seed), workdir,
                     signature=signature, callbacks=[StopOnDivergence(), *callbacks], stop_after=stop_after)
        elapsed = time.perf_counter() - start
    energy, error = final_estimate(result.history)
    return VMCResult(settings, result.history, jax.device_get(result.params), energy, error, exact_energy,
                     elapsed / max(1, len(result.history)))


EXACT_AUTO_MAX_DIMENSION = 1_000_000  # "auto": exact diagonalisation of sectors up to this size (N <= 22 at Sz=0)


def default_marshall(model: SpinModel) -> bool:
    """The Marshall sign helps the antiferromagnetic Heisenberg-like models on bipartite lattices."""
    return model.model in ("heisenberg", "xxz", "j1j2") and model.J > 0 and model.lattice.bipartite


def bethe_applies(model: SpinModel, sz: float | None) -> bool:
    """The clean antiferromagnetic Heisenberg chain of even N, in the sector of its singlet ground
    state (Sz = 0, or all of them): the Bethe-ansatz energy is exact there at any N."""
    return (model.model == "heisenberg" and model.geometry == "chain" and model.W == 0 and model.J > 0
            and model.n_sites % 2 == 0 and model.n_sites >= 4 and sz in (None, 0))


def exact_reference(settings: VMCSettings, backend: str = "auto") -> float | None:
    """Exact ground-state energy of the run's sector, or None (``backend="none"``, or "auto" and the
    sector larger than EXACT_AUTO_MAX_DIMENSION). With "auto", the clean Heisenberg chain takes the
    Bethe-ansatz energy (:func:`~wavelearn.manybody.exact.heisenberg_chain_energy`, equal to exact
    diagonalisation to 1e-13 and milliseconds at any N)."""
    from wavelearn.manybody.exact import ground_energy, heisenberg_chain_energy

    if backend == "none":
        return None
    hilbert = settings.hilbert()
    if backend == "auto" and bethe_applies(settings.model, hilbert.sz):
        return heisenberg_chain_energy(settings.model.n_sites, settings.model.J)
    if backend == "auto" and hilbert.size > EXACT_AUTO_MAX_DIMENSION:
        return None
    return ground_energy(settings.model, sz=hilbert.sz, backend=backend)


def train_and_save(settings: VMCSettings, iterations: int, workdir: str | Path, output: str | Path | None, *,
                   seed: int = 0, exact: str = "auto", callbacks: Sequence = ()) -> VMCResult:
    """Run VMC (resuming ``workdir``), compare with exact diagonalisation where N allows, and write
    the run's HDF5 (:mod:`wavelearn.io.nqs`) to ``output``."""
    from wavelearn.io.nqs import NQSRun, trace_from_history, write_run

    exact_energy = exact_reference(settings, exact)
    result = run_vmc(settings, iterations, workdir, seed=seed, exact_energy=exact_energy, callbacks=callbacks)
    if output is not None:
        params = jax.tree_util.tree_map(np.asarray, result.params)
        write_run(output, NQSRun(json.loads(json.dumps(settings.as_dict())), trace_from_history(result.history),
                                 dict(params), result.energy, result.energy_error, exact_energy, seed,
                                 result.seconds_per_iteration,
                                 {"n_sites": settings.model.n_sites, "n_parameters": int(
                                     sum(np.size(x) for x in jax.tree_util.tree_leaves(params)))}))
    return result
