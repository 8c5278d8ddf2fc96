"""Deep learning of phases from eigenstate densities (JAX + Flax + optax).

- :mod:`~wavelearn.learning.data`     labelled samples from gathered datasets (class windows)
- :mod:`~wavelearn.learning.models`   2D/3D convolutional classifiers with periodic padding
- :mod:`~wavelearn.learning.augment`  random translations and lattice point-group symmetries
- :mod:`~wavelearn.learning.train`    the training loop, checkpoints every epoch, exact resume
- :mod:`~wavelearn.learning.scan`     P(phase) per point of a scan and the critical point
"""
