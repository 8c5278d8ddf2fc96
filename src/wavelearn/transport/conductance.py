"""Magneto-conductance fingerprints g(B) and scattering-state images of antidot billiards.

* Conductance (Landauer, two terminals, spinless):

      g(B) = T_10(B) = sum_{m in lead 1, n in lead 0} |S_mn(B)|^2     in units of e^2/h,

  from Kwant's scattering matrix at the Fermi energy, one factorisation per field point.
  Two-terminal Onsager reciprocity makes g(B) = g(-B) exactly.
* Scattering-state density image at the field ``image_field``:

      n(r) = sum_{n in incoming modes of lead 0} |psi_n(r)|^2,

  Kwant's scattering states from lead 0, each normalised to carry unit current (probability
  flux 1 per unit time, velocity in units of t a / hbar). So n(r) = 2 pi x the local density of
  states injected from lead 0 (the part of the LDOS of states arriving from the left).
  Image shape (Lx, Ly), indexed [x, y], 0 on removed sites.
* The layout as antidot centres (n, 2) and as an occupancy image (Lx, Ly) on the same grid.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from wavelearn.errors import WavelearnError
from wavelearn.transport import system as _system
from wavelearn.transport.layout import draw_layout, occupancy
from wavelearn.transport.params import Billiard
from wavelearn.transport.runtime import solver as kwant_solver


@dataclass
class Fingerprint:
    """Everything measured on one layout."""

    index: int
    conductance: np.ndarray  # (F,) float64, e^2/h
    open_modes: np.ndarray   # (F,) int64, propagating modes of lead 0 per field point
    density: np.ndarray      # (Lx, Ly) float32, n(r) at image_field
    occupancy: np.ndarray    # (Lx, Ly) bool
    positions: np.ndarray    # (antidots, 2) float64, (x, y)
    n_sites: int             # sites of the scattering region
    build_seconds: float     # layout, Builder, finalization
    solve_seconds: float     # all field points
    density_seconds: float   # the scattering states


def conductance(fsyst, params: Billiard, fields: Iterable[float], solver: str = "mumps",
                ) -> tuple[np.ndarray, np.ndarray]:
    """g in e^2/h and the number of open modes of lead 0 at each field of ``fields``."""
    engine = kwant_solver(solver)
    fields = np.asarray(list(fields), dtype=np.float64)
    g = np.empty(len(fields))
    modes = np.empty(len(fields), dtype=np.int64)
    for i, phi in enumerate(fields):
        # Only the block lead 0 -> lead 1 is needed: fewer right-hand sides. The Hamiltonian
        # is Hermitian by construction (Builder), so Kwant's check is skipped.
        smatrix = engine.smatrix(fsyst, params.energy, params={"phi": float(phi)},
                                 in_leads=[0], out_leads=[1], check_hermiticity=False)
        g[i] = smatrix.transmission(1, 0)
        modes[i] = smatrix.num_propagating(0)
    return g, modes


def scattering_density(fsyst, params: Billiard, field: float, solver: str = "mumps") -> np.ndarray:
    """n(r) = sum over the incoming modes of lead 0 of |psi_n(r)|^2, shape (Lx, Ly) (module doc)."""
    engine = kwant_solver(solver)
    wave = engine.wave_function(fsyst, params.energy, params={"phi": float(field)},
                                check_hermiticity=False)
    psi = wave(0)  # (modes, sites)
    image = np.zeros(params.shape, dtype=np.float64)
    x, y = _system.site_index(fsyst)
    image[x, y] = np.sum(np.abs(psi) ** 2, axis=0)
    return image.astype(np.float32)


def fingerprint(params: Billiard, campaign_seed: int, index: int, solver: str = "mumps") -> Fingerprint:
    """Draw layout ``index``, finalize its system once, sweep the field, image it."""
    start = time.perf_counter()
    layout = draw_layout(campaign_seed, params, index)
    fsyst = _system.build_system(params, layout)
    built = time.perf_counter()
    g, modes = conductance(fsyst, params, params.fields(), solver)
    solved = time.perf_counter()
    density = scattering_density(fsyst, params, params.image_field, solver)
    done = time.perf_counter()
    if not np.all(np.isfinite(g)):
        raise WavelearnError(f"layout {index} of {params.label()}: non-finite conductance")
    return Fingerprint(
        index=index, conductance=g, open_modes=modes, density=density,
        occupancy=occupancy(params, layout.positions), positions=layout.positions,
        n_sites=len(fsyst.sites), build_seconds=built - start, solve_seconds=solved - built,
        density_seconds=done - solved,
    )
