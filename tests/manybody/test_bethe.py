"""The Bethe-ansatz ground-state energy of the periodic Heisenberg chain, against exact diagonalisation."""

import math

import pytest

from wavelearn.errors import ParameterError
from wavelearn.manybody import SpinModel
from wavelearn.manybody.exact import ground_energy, heisenberg_chain_energy


@pytest.mark.parametrize("n", [4, 6, 8, 10, 12, 14, 16, 18, 20])
def test_bethe_ansatz_equals_exact_diagonalisation(n):
    exact = ground_energy(SpinModel("heisenberg", "chain", n), tol=1e-13)
    assert heisenberg_chain_energy(n) == pytest.approx(exact, rel=1e-12, abs=1e-12)


def test_closed_forms_and_the_thermodynamic_limit():
    assert heisenberg_chain_energy(4) == pytest.approx(-8.0, abs=1e-13)  # 4 x (-2 J) in S units
    assert heisenberg_chain_energy(6, J=0.5) == pytest.approx(0.5 * heisenberg_chain_energy(6), rel=1e-14)
    # E0/N approaches 1 - 4 ln 2 from below with the conformal correction -pi c v / (6 N^2), c = 1 and the
    # spinon velocity v = pi/2 (S units; x 4 here): -pi^2 / (3 N^2), up to logarithmic corrections.
    limit = 1 - 4 * math.log(2)
    per_site = [heisenberg_chain_energy(n) / n for n in (40, 80, 160)]
    assert all(e < limit for e in per_site) and per_site[0] < per_site[1] < per_site[2]
    assert per_site[2] - limit == pytest.approx(-math.pi**2 / (3 * 160**2), rel=0.05)
    assert heisenberg_chain_energy(40) / 40 == pytest.approx(-1.7746523, abs=1e-7)


@pytest.mark.parametrize("args, message", [((5,), "even chain"), ((2,), "even chain"), ((8, -1.0), "J=-1.0")])
def test_refuses_what_the_singlet_does_not_describe(args, message):
    with pytest.raises(ParameterError, match=message):
        heisenberg_chain_energy(*args)


def test_vmc_runs_take_the_bethe_energy_where_exact_diagonalisation_is_out_of_reach():
    from wavelearn.learning.nqs.vmc import VMCSettings, exact_reference

    chain = VMCSettings(model=SpinModel("heisenberg", "chain", 36))  # Sz = 0 sector: 9.1e9 states
    assert exact_reference(chain) == heisenberg_chain_energy(36)
    assert exact_reference(chain, "none") is None
    disordered = VMCSettings(model=SpinModel("heisenberg", "chain", 36, W=0.5))
    assert exact_reference(disordered) is None  # no closed form, and too large for "auto"
    small = VMCSettings(model=SpinModel("heisenberg", "chain", 10))
    assert exact_reference(small, "dense") == pytest.approx(exact_reference(small), rel=1e-12)
