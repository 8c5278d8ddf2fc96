"""Phase classification of eigenstates by CNNs (Ohtsuki & Ohtsuki, JPSJ 2016, 2017): the first
task on the training core.

- :mod:`~wavelearn.learning.phases.data`       labelled samples from datasets (class windows)
- :mod:`~wavelearn.learning.phases.network`    2D/3D convolutional classifiers, periodic padding
- :mod:`~wavelearn.learning.phases.layers`     FFT convolution and max pooling for XLA's CPU backend
- :mod:`~wavelearn.learning.phases.augment`    random translations and lattice point-group symmetries
- :mod:`~wavelearn.learning.phases.training`   the classifier task and ``train_classifier``
- :mod:`~wavelearn.learning.phases.inference`  a trained network: load, predict, scan
"""
