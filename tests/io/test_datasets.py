"""Gathered datasets: shards concatenated, checked, |psi(k)|^2 added."""

import h5py
import numpy as np
import pytest


def test_gather_refuses_mixed_sizes(tmp_path, run_cli):
    for L in (4, 6):
        run_cli("eigensolve", "--dim", "2", "--L", str(L), "--nev", "2", "--backend", "dense", "--no-progress",
                "-o", str(tmp_path / f"L{L}.h5"))
    result = run_cli("gather", "-o", str(tmp_path / "d.h5"), str(tmp_path / "L4.h5"), str(tmp_path / "L6.h5"),
                     check=False)
    assert result.returncode != 0 and "L=6" in result.stderr
    assert not (tmp_path / "d.h5").exists()


def test_momentum_density_of_a_plane_wave_is_a_delta():
    from wavelearn.io.datasets import momentum_density

    L = 6
    x, y = np.meshgrid(np.arange(L), np.arange(L), indexing="ij")
    psi = np.exp(2j * np.pi * (x + 2 * y) / L)[None] / L
    rho = momentum_density(psi)[0]
    peak = np.unravel_index(np.argmax(rho), rho.shape)
    assert rho[peak] == pytest.approx(1.0) and peak == (L // 2 + 1, L // 2 + 2)  # k = 0 sits at L/2


def test_gather_adds_momentum_density_when_shards_carry_psi(tmp_path, run_cli):
    path = tmp_path / "psi.h5"
    run_cli("eigensolve", "--dim", "2", "--L", "6", "--W", "3", "--nev", "2", "--realizations", "0:2",
            "--backend", "dense", "--save-psi", "--no-progress", "-o", str(path))
    run_cli("gather", "-o", str(tmp_path / "d.h5"), str(path))
    with h5py.File(tmp_path / "d.h5") as f, h5py.File(path) as s:
        psi = s["psi"][()].reshape(4, 6, 6)
        k = np.abs(np.fft.fftshift(np.fft.fft2(psi), axes=(1, 2))) ** 2
        np.testing.assert_allclose(f["density_k"][()], k / k.sum(axis=(1, 2), keepdims=True), atol=1e-6)
