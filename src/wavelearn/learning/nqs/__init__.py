"""Neural quantum states: RBM wave functions trained by variational Monte Carlo (Carleo & Troyer 2017).

- :mod:`~wavelearn.learning.nqs.rbm`      the restricted Boltzmann machine log psi(sigma)
- :mod:`~wavelearn.learning.nqs.sampler`  Metropolis (single flip, Sz-conserving exchange) and exact sums
- :mod:`~wavelearn.learning.nqs.sr`       stochastic reconfiguration
- :mod:`~wavelearn.learning.nqs.vmc`      local energies, statistics, the VMC task of the training core

Energies follow :mod:`wavelearn.manybody` (Pauli convention). Everything runs in float64: the
functions that build and run a VMC problem do so inside :func:`x64`, a context that switches JAX
to 64-bit for their duration only, so other users of JAX in the same process are unaffected.
"""

from __future__ import annotations

import contextlib


def x64():
    """Context manager enabling 64-bit JAX (jax.enable_x64 or its older experimental home)."""
    import jax

    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    try:
        from jax.experimental import enable_x64

        return enable_x64()
    except ImportError:  # pragma: no cover - very old or very new jax: fall back to the global flag
        jax.config.update("jax_enable_x64", True)
        return contextlib.nullcontext()
