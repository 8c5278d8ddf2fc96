"""Deep learning on one training core (JAX + Flax + optax).

- :mod:`~wavelearn.learning.core`    the fit loop: tasks, optimiser, checkpoints, exact resume, callbacks
- :mod:`~wavelearn.learning.plots`   training curves
- :mod:`~wavelearn.learning.phases`  CNN phase classifiers of eigenstates (the first task)
- :mod:`~wavelearn.learning.fingerprints`  Y-shaped VAE: g(B) fingerprints -> wave-function image and layout
- :mod:`~wavelearn.learning.nqs`     RBM wave functions trained by variational Monte Carlo (SR)
"""
