"""Quantum fingerprints read back (Daimon et al., Nat. Commun. 13, 3160 (2022)): a Y-shaped
VAE from the magneto-conductance g(B) of an antidot billiard to its wave-function image and its
antidot layout; the second task on the training core.

- :mod:`~wavelearn.learning.fingerprints.data`       samples from fingerprint datasets; a synthetic problem
- :mod:`~wavelearn.learning.fingerprints.network`    encoder, the two decoders, the KL divergence
- :mod:`~wavelearn.learning.fingerprints.training`   the VAE task and ``train_vae``
- :mod:`~wavelearn.learning.fingerprints.inference`  a trained VAE: load, encode, reconstruct, evaluate
- :mod:`~wavelearn.learning.fingerprints.metrics`    pixel correlation, matched position error, baselines
- :mod:`~wavelearn.learning.fingerprints.plots`      reconstructions, t-SNE latent maps
"""
