"""Quantum transport through antidot billiards (Kwant): magneto-conductance fingerprints.

Importing this package does not load Kwant: :mod:`~wavelearn.transport.params` and
:mod:`~wavelearn.transport.layout` validate and draw devices anywhere (campaign validation,
readers); :mod:`~wavelearn.transport.system` and :mod:`~wavelearn.transport.conductance` load
Kwant through :func:`wavelearn.transport.runtime.load_kwant` (one BLAS thread, no PETSc).
"""

from wavelearn.transport.layout import Layout, draw_layout, occupancy, sample_hash
from wavelearn.transport.params import Billiard, open_modes_zero_field

__all__ = ["Billiard", "Layout", "draw_layout", "occupancy", "open_modes_zero_field", "sample_hash"]
