"""The multiplicity of every returned level, against the exact spectrum.

A state of a degenerate level is an arbitrary vector of its eigenspace; the shards flag it by
its multiplicity so that no analysis takes it for one cluster's wave function.
"""

import numpy as np
import pytest

from wavelearn.eigenstates import solve_realizations
from wavelearn.lattice import LatticeModel, build_hamiltonian
from wavelearn.solvers import SolverSettings, get_solver
from wavelearn.solvers.base import multiplicities

CLEAN_2D = LatticeModel(dim=2, L=8)
FLUX_2D = LatticeModel(dim=2, L=8, flux=1 / 4)
# Isolated dimers and single sites of a sparse whole lattice: levels +-1 and 0 many times over.
DILUTE = LatticeModel(dim=2, L=10, model="percolation", p=0.3, percolation="site", cluster="all")
DISORDERED = LatticeModel(dim=2, L=8, W=2.0)


@pytest.mark.parametrize("model, energy, nev", [
    (CLEAN_2D, 0.3, 6), (CLEAN_2D, 2.0, 7), (CLEAN_2D, 2.0 - 1e-4, 9), (CLEAN_2D, 1e-3, 4),
    (FLUX_2D, 0.3, 8), (DILUTE, 1.0, 4), (DILUTE, 0.5, 6), (DISORDERED, 0.1, 6),
], ids=lambda v: getattr(v, "label", lambda: str(v))())
@pytest.mark.parametrize("backend", ["dense", "scipy"])
def test_multiplicity_is_the_exact_degeneracy(model, energy, nev, backend):
    H = build_hamiltonian(model, 3, 0).matrix
    spectrum = np.linalg.eigvalsh(H.toarray())
    pairs = get_solver(backend).solve(H, SolverSettings(target=energy, nev=nev))
    found = multiplicities(pairs.values, energy, pairs.info)
    exact = np.array([np.sum(np.abs(spectrum - v) < 1e-8) for v in pairs.values])
    radius = np.abs(pairs.values - energy).max()
    # Where the levels E - r and E + r both sit on the window's edge, only their joint count is known:
    # the flag may then err on the side of "degenerate", never the other way.
    mirrored = np.any(np.abs(spectrum - (energy - radius)) < 1e-8) and np.any(np.abs(spectrum - (energy + radius)) < 1e-8)
    if mirrored:
        assert np.all(found >= exact)
    else:
        np.testing.assert_array_equal(found, exact)
    assert np.all((found > 1) >= (exact > 1))


def test_disorder_leaves_no_degeneracy_and_shards_carry_the_flags():
    shard = solve_realizations(DISORDERED, SolverSettings(target=0.1, nev=4), 1, range(3), solver="dense")
    assert shard.multiplicity.shape == (3, 4) and np.all(shard.multiplicity == 1)
    clean = solve_realizations(CLEAN_2D, SolverSettings(target=0.0, nev=4), 1, range(2), solver="dense")
    assert np.all(clean.multiplicity > 1)  # E = 0 of the clean 8 x 8 torus is highly degenerate
