"""Sampling |psi(sigma)|^2: Metropolis-Hastings Markov chains (vmapped over chains) or exact enumeration.

Metropolis: from sigma propose sigma' and accept with probability min(1, |psi(sigma')/psi(sigma)|^2)
= min(1, exp(2 Re[log psi(sigma') - log psi(sigma)])). Proposals are symmetric, so this satisfies
detailed balance:

* ``local``: flip one uniformly chosen spin (all Sz sectors);
* ``exchange``: swap the two spins of a uniformly chosen nearest-neighbour bond — conserves the
  total Sz, so chains stay in the sector they start in (Sz = 0 by default).

Every chain makes ``sweep`` proposals (default N) between two kept samples ("thinning"), and
discards ``n_discard`` such sweeps before the first kept sample of each iteration ("burn-in";
chains continue from where the previous iteration left them).

Diagnostics, per iteration: the acceptance rate; the split-R-hat of the local energies (Gelman et
al., Bayesian Data Analysis, 3rd ed., eq. 11.4: each chain split in halves; values near 1 mean the
chains agree); and the integrated autocorrelation time tau (in kept samples), estimated from the
spread of the chain means, tau = (S var(chain means) / var - 1) / 2, and on the host by
:func:`integrated_autocorrelation_time` (FFT, Sokal's automatic window).

Exact: for small N, every configuration of the sector with weight |psi|^2 / sum |psi|^2 — expectations
without statistical error, the referee of the Monte-Carlo estimates.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from wavelearn.errors import ParameterError

KINDS = ("local", "exchange", "exact")
MAX_EXACT_STATES = 1 << 16  # exact sums over more states than this cost more than sampling


@dataclass(frozen=True)
class SamplerSettings:
    """``kind`` local, exchange or exact; ``n_samples`` kept per iteration in total, split over
    ``n_chains`` chains (rounded up to a multiple); ``n_discard`` burn-in sweeps per chain and
    iteration (None: a tenth of the samples per chain); ``sweep`` proposals per kept sample (None: N)."""

    kind: str = "exchange"
    n_chains: int = 16
    n_samples: int = 1008
    n_discard: int | None = None
    sweep: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ParameterError(f"sampler kind={self.kind!r} is not one of {', '.join(KINDS)}")
        for name in ("n_chains", "n_samples"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ParameterError(f"{name}={value!r} must be an integer >= 1")
        if self.n_samples < 2 * self.n_chains and self.kind != "exact":
            raise ParameterError(f"n_samples={self.n_samples} must be at least 2 per chain (n_chains={self.n_chains})")
        if self.n_discard is not None and (not isinstance(self.n_discard, int) or self.n_discard < 0):
            raise ParameterError(f"n_discard={self.n_discard!r} must be an integer >= 0")
        if self.sweep is not None and (not isinstance(self.sweep, int) or self.sweep < 1):
            raise ParameterError(f"sweep={self.sweep!r} must be an integer >= 1")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def per_chain(self) -> int:
        return math.ceil(self.n_samples / self.n_chains)

    def discard(self) -> int:
        return self.per_chain // 10 if self.n_discard is None else self.n_discard

    def sweep_size(self, n_sites: int) -> int:
        return n_sites if self.sweep is None else self.sweep


def initial_configurations(key: jax.Array, n_chains: int, n_sites: int, n_up: int | None) -> jax.Array:
    """Random +-1 configurations (float64, (n_chains, N)); with ``n_up`` all in that Sz sector."""
    if n_up is None:
        return jax.random.choice(key, jnp.array([-1.0, 1.0]), (n_chains, n_sites))
    base = jnp.where(jnp.arange(n_sites) < n_up, 1.0, -1.0)
    keys = jax.random.split(key, n_chains)
    return jax.vmap(lambda k: jax.random.permutation(k, base))(keys)


def _propose(kind: str, bonds: jax.Array, choice: jax.Array, sigma: jax.Array) -> jax.Array:
    """One proposal per chain: flip site ``choice[c]`` (local) or swap the spins of bond ``choice[c]``."""
    n_chains, n_sites = sigma.shape
    rows = jnp.arange(n_chains)
    if kind == "local":
        return sigma.at[rows, choice].multiply(-1.0)
    i, j = bonds[choice, 0], bonds[choice, 1]
    si, sj = sigma[rows, i], sigma[rows, j]
    return sigma.at[rows, i].set(sj).at[rows, j].set(si)


def metropolis(logpsi: Callable, params: Any, sigma: jax.Array, key: jax.Array, *, kind: str, bonds: jax.Array,
               n_keep: int, n_discard: int, sweep: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Run the chains: returns samples (n_chains, n_keep, N), the last configurations, acceptance rate.

    ``logpsi(params, sigma)`` maps (B, N) to (B,). Jittable (``kind``, counts static). The random
    numbers of all proposals are drawn in two vectorised calls before the loop: a counter-based
    generator inside the loop would cost more than the wave function itself for small N.
    """
    n_chains, n_sites = sigma.shape
    n_sweeps = n_discard + n_keep
    k_choice, k_accept = jax.random.split(key)
    high = n_sites if kind == "local" else bonds.shape[0]
    choices = jax.random.randint(k_choice, (n_sweeps, sweep, n_chains), 0, high)
    log_u = jnp.log(jax.random.uniform(k_accept, (n_sweeps, sweep, n_chains), dtype=jnp.float64))

    def step(carry, xs):
        sigma, log_value, accepted = carry
        choice, threshold = xs
        proposal = _propose(kind, bonds, choice, sigma)
        log_new = logpsi(params, proposal)
        accept = threshold < 2.0 * jnp.real(log_new - log_value)
        sigma = jnp.where(accept[:, None], proposal, sigma)
        log_value = jnp.where(accept, log_new, log_value)
        return (sigma, log_value, accepted + accept), None

    def one_sweep(carry, xs):
        carry, _ = jax.lax.scan(step, carry, xs)
        return carry, carry[0]

    start = (sigma, logpsi(params, sigma), jnp.zeros(n_chains))
    (last, _, accepted), trace = jax.lax.scan(one_sweep, start, (choices, log_u))
    samples = jnp.swapaxes(trace[n_discard:], 0, 1)
    acceptance = jnp.mean(accepted) / (n_sweeps * sweep)
    return samples, last, acceptance


def exact_weights(logpsi: Callable, params: Any, configurations: jax.Array) -> jax.Array:
    """|psi|^2 / sum |psi|^2 over ``configurations`` (all states of the sector)."""
    log_p = 2.0 * jnp.real(logpsi(params, configurations))
    return jax.nn.softmax(log_p)


def check_exact(n_states: int, n_sites: int) -> None:
    if n_states > MAX_EXACT_STATES:
        raise ParameterError(f"exact sampler: N={n_sites} has {n_states} configurations in the sector, more than "
                             f"{MAX_EXACT_STATES}; use a Metropolis sampler (local or exchange)")


def chain_statistics(values: jax.Array) -> dict[str, jax.Array]:
    """Mean, error of the mean, variance, tau and split-R-hat of ``values`` (n_chains, n_per_chain).

    The error of the mean comes from the spread of the chain means, sqrt(var(chain means) /
    n_chains), which includes the autocorrelation within chains; with one chain it falls back to
    sqrt(var / n). Real part only (the energy is real; its imaginary part is noise).
    """
    x = jnp.real(values)
    n_chains, n = x.shape
    mean = jnp.mean(x)
    variance = jnp.mean((x - mean) ** 2)
    chain_means = jnp.mean(x, axis=1)
    if n_chains > 1:
        var_means = jnp.var(chain_means, ddof=1)
        error = jnp.sqrt(var_means / n_chains)
        tau = jnp.maximum(0.0, 0.5 * (n * var_means / jnp.maximum(variance, 1e-300) - 1.0))
    else:
        error = jnp.sqrt(variance / n)
        tau = jnp.zeros(())
    return {"mean": mean, "error": error, "variance": variance, "tau": tau, "rhat": split_rhat(x)}


def split_rhat(x: jax.Array) -> jax.Array:
    """Split-R-hat: chains cut in halves; sqrt(((n-1)/n W + B/n) / W) with W the mean within-half
    variance and B/n the variance of the half means."""
    n_chains, n = x.shape
    half = n // 2
    if half < 2:
        return jnp.ones(())
    halves = jnp.concatenate([x[:, :half], x[:, n - half:]], axis=0)
    within = jnp.mean(jnp.var(halves, axis=1, ddof=1))
    between_over_n = jnp.var(jnp.mean(halves, axis=1), ddof=1)
    var_hat = (half - 1) / half * within + between_over_n
    return jnp.sqrt(var_hat / jnp.maximum(within, 1e-300))


def integrated_autocorrelation_time(x: np.ndarray, c: float = 5.0) -> float:
    """tau_int = 1/2 + sum_{t>=1} rho(t) for chains x (n_chains, n), rho averaged over chains,
    summed up to Sokal's window: the smallest W with W >= c tau_int(W)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    n = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n].mean(axis=0)
    if acf[0] <= 0:
        return 0.5
    rho = acf / acf[0]
    taus = np.cumsum(rho) - 0.5
    window = np.arange(n)
    ok = window >= c * taus
    return float(taus[np.argmax(ok)] if ok.any() else taus[-1])
