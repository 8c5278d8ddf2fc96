"""wavelearn: learning the physics of random quantum systems.

Sub-packages by domain:

- :mod:`wavelearn.lattice`  tight-binding Hamiltonians of disordered lattices
- :mod:`wavelearn.solvers`  interior eigen-solvers (SLEPc/MUMPS, SciPy, dense)
- :mod:`wavelearn.io`       HDF5 shards, atomic writes, provenance
- :mod:`wavelearn.cli`      the ``wavelearn`` command line
"""

__version__ = "0.1.0"
