"""Transport physics through the real job (``python -m wavelearn.cli.transport``, one process per
call: Kwant must not share the test process with PETSc), checked against exact results."""

from __future__ import annotations

import os
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from wavelearn.io.fingerprints import gather_fingerprints, read_fingerprints
from wavelearn.transport.params import open_modes_zero_field

# Subprocesses: one BLAS thread (as the workflow runs them), nothing else changed.
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

CAVITY = ("--Lx", "30", "--Ly", "20", "--lead-width", "8", "--energy", "0.5", "--antidots", "3",
          "--radius", "2.5", "--W", "0.5")


def transport(out, *args: str):
    result = subprocess.run([sys.executable, "-m", "wavelearn.cli.transport", *args, "--output", str(out),
                             "--no-progress"], capture_output=True, text=True, timeout=180, env=ENV)
    assert result.returncode == 0, result.stderr
    return read_fingerprints(out)


@pytest.mark.timeout(180)
def test_clean_wire_conducts_its_open_modes(tmp_path):
    """Without antidots or disorder every incoming mode is transmitted: g(B) is the integer
    number of open modes at every field, at B = 0 the analytic count, and a scattering state
    of mode n carries |psi|^2 = 1/v_n per column, v_n = 2 sin k_n, E = e_n - 2 cos k_n."""
    width, energy = 12, 0.5
    data = transport(tmp_path / "wire.h5", "--Lx", "30", "--Ly", str(width), "--energy", str(energy),
                     "--field-min", "-0.12", "--field-max", "0.12", "--field-points", "13")
    g, modes = data.conductance[0], data.open_modes[0]
    assert np.max(np.abs(g - modes)) < 1e-8
    assert np.max(np.abs(g - np.round(g))) < 1e-8
    assert len(set(modes)) > 1, "the field range should change the number of open modes"
    assert modes[6] == open_modes_zero_field(width, energy)  # field 0 is the middle point
    e_n = -2 * np.cos(np.arange(1, width + 1) * np.pi / (width + 1))
    open_ = np.abs(energy - e_n) < 2
    velocity = 2 * np.sin(np.arccos((e_n[open_] - energy) / 2))
    columns = data.density[0].sum(axis=1)  # density is indexed [x, y]
    assert np.allclose(columns, np.sum(1 / velocity), rtol=1e-6)  # float32 images


@pytest.mark.timeout(180)
def test_strong_field_leaves_one_mode_per_landau_level(tmp_path):
    """Units of the field: near the band bottom the lattice is a 2D electron gas with
    hbar omega_c = 4 pi t phi (phi = flux per plaquette, m* = hbar^2 / 2 t a^2), so for a magnetic
    length sqrt(1 / 2 pi phi) << Ly the lead carries one edge state per Landau level below E:
    N = #{n >= 0 : -4 + 4 pi phi (n + 1/2) < E}, and a clean wire conducts exactly N."""
    energy, fields = -3.55, np.array([0.005, 0.01, 0.015, 0.02])
    data = transport(tmp_path / "lh.h5", "--Lx", "10", "--Ly", "40", "--energy", str(energy),
                     "--field-min", "0.005", "--field-max", "0.02", "--field-points", "4")
    landau = np.floor((energy + 4) / (4 * np.pi * fields) + 0.5).astype(int)
    assert list(landau) == [7, 4, 2, 2]
    assert np.array_equal(data.open_modes[0], landau)
    assert np.max(np.abs(data.conductance[0] - landau)) < 1e-8
    assert open_modes_zero_field(40, energy) == 8  # more modes without field


@pytest.mark.timeout(180)
@pytest.mark.parametrize("potential", ["inf", "8"])
def test_onsager_symmetry_for_every_layout(tmp_path, potential):
    """Two terminals: g(B) = g(-B) to round-off, while g itself fluctuates with B and layout."""
    data = transport(tmp_path / "c.h5", *CAVITY, "--potential", potential, "--field-min", "-0.03",
                     "--field-max", "0.03", "--field-points", "7", "--layouts", "0:3")
    g = data.conductance
    assert np.max(np.abs(g - g[:, ::-1])) < 1e-9
    assert np.ptp(g, axis=1).min() > 0.05          # a fingerprint, not a constant
    assert np.ptp(g[:, 3]) > 0.05                  # layouts differ at B = 0
    assert np.all((g > 0) & (g < data.open_modes))


@pytest.mark.timeout(180)
def test_chunks_equal_one_job_and_images_match_the_layout(tmp_path):
    args = (*CAVITY, "--field-min", "0", "--field-max", "0.02", "--field-points", "3",
            "--image-field", "0.01")
    whole = transport(tmp_path / "whole.h5", *args, "--layouts", "0:3")
    transport(tmp_path / "b.h5", *args, "--layouts", "2:3")
    transport(tmp_path / "a.h5", *args, "--layouts", "0:2")
    gather_fingerprints([tmp_path / "b.h5", tmp_path / "a.h5"], tmp_path / "all.h5")
    gathered = read_fingerprints(tmp_path / "all.h5")
    for name in ("layout", "positions", "occupancy", "open_modes"):
        assert np.array_equal(getattr(gathered, name), getattr(whole, name)), name
    # Round-off only: Kwant's site order (hence MUMPS's pivots) may differ between processes.
    assert np.allclose(gathered.conductance, whole.conductance, rtol=0, atol=1e-10)
    assert np.allclose(gathered.density, whole.density, rtol=1e-5)
    # Hard walls: no amplitude inside an antidot; the removed sites are the occupied ones.
    occupied = whole.occupancy.astype(bool)
    assert occupied.any() and not whole.density[occupied].any()
    assert np.all(whole.n_sites <= 30 * 20 - occupied.reshape(3, -1).sum(axis=1))
    assert whole.attrs["blas_threads"] == 1 and whole.attrs["solver"] == "mumps"


@pytest.mark.timeout(180)
def test_high_potential_approaches_hard_walls(tmp_path):
    """Inside a barrier V >> t a state decays by ~t/V per site: g converges to the hard wall's
    as V grows (measured: |dg| = 3e-2 at V = 100, 3e-4 at V = 1e4)."""
    args = (*CAVITY, "--field-min", "0", "--field-max", "0.02", "--field-points", "3")
    hard = transport(tmp_path / "hard.h5", *args, "--potential", "inf")
    high = transport(tmp_path / "high.h5", *args, "--potential", "1e4")
    lower = transport(tmp_path / "lower.h5", *args, "--potential", "100")
    # The same antidots (the wall height is not in the layout's seed); error ~ t/V.
    assert np.array_equal(high.positions, hard.positions)
    high_error = np.max(np.abs(high.conductance - hard.conductance))
    assert high_error < 1e-2
    assert np.max(np.abs(lower.conductance - hard.conductance)) > 10 * high_error


@pytest.mark.timeout(180)
def test_density_image_is_the_ldos_injected_from_lead_0():
    """n_0(r) + n_1(r) = 2 pi LDOS(r): the images from both leads add up to Kwant's LDOS."""
    code = textwrap.dedent("""
        import json
        import numpy as np
        from wavelearn.transport import system
        from wavelearn.transport.conductance import scattering_density
        from wavelearn.transport.layout import draw_layout
        from wavelearn.transport.params import Billiard
        params = Billiard(Lx=30, Ly=20, lead_width=8, energy=0.5, antidots=3, radius=2.5, W=0.5,
                          potential=8.0)
        fsyst = system.build_system(params, draw_layout(0, params, 1))
        n0 = scattering_density(fsyst, params, 0.01)
        wave = system.kwant.solvers.mumps.wave_function(fsyst, 0.5, params={"phi": 0.01})
        n1 = np.zeros(params.shape)
        x, y = system.site_index(fsyst)
        n1[x, y] = (abs(wave(1)) ** 2).sum(axis=0)
        ldos = np.zeros(params.shape)
        ldos[x, y] = system.kwant.ldos(fsyst, 0.5, params={"phi": 0.01})
        print(json.dumps({"error": float(np.max(np.abs(n0 + n1 - 2 * np.pi * ldos))),
                          "scale": float(np.max(2 * np.pi * ldos)),
                          "share": float(n0.sum() / (n0 + n1).sum())}))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env=ENV)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["error"] < 1e-5 * info["scale"]  # float32 image
    assert 0.2 < info["share"] < 0.8  # each lead injects a comparable part
