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


@pytest.fixture(scope="module")
def shards(tmp_path_factory, run_cli):
    """Shards of one point: realizations 0:2, 2:4 at E = 0, and 4:6 at E = 0.5."""
    folder = tmp_path_factory.mktemp("shards")
    common = ["eigensolve", "--dim", "2", "--L", "6", "--W", "3", "--nev", "2", "--backend", "dense", "--no-progress"]
    run_cli(*common, "--realizations", "0:2", "-o", str(folder / "a.h5"))
    run_cli(*common, "--realizations", "2:4", "-o", str(folder / "b.h5"))
    run_cli(*common, "--realizations", "4:6", "--energy", "0.5", "-o", str(folder / "e.h5"))
    return folder


def test_gather_finds_the_same_realization_twice_by_content(shards, tmp_path):
    from wavelearn.errors import DataError
    from wavelearn.io.datasets import gather_shards

    assert gather_shards([shards / "a.h5", shards / "b.h5"], tmp_path / "ok.h5") == 8
    import shutil

    shutil.copy(shards / "a.h5", tmp_path / "copy.h5")
    for twice in ([shards / "a.h5", f"{shards}/./a.h5"], [shards / "a.h5", tmp_path / "copy.h5"]):
        with pytest.raises(DataError, match="realization 0 of point anderson-2d-L6-W3.* is in both"):
            gather_shards(twice, tmp_path / "d.h5")
    assert not (tmp_path / "d.h5").exists()


def test_gather_refuses_shards_of_other_settings(shards, tmp_path):
    from wavelearn.errors import DataError
    from wavelearn.io.datasets import gather_shards

    with pytest.raises(DataError, match="e.h5 has energy=0.5, the first shard .*a.h5 energy=0.0"):
        gather_shards([shards / "a.h5", shards / "e.h5"], tmp_path / "d.h5")


def test_gather_refuses_a_tagged_shard_without_its_attributes_in_one_line(shards, tmp_path):
    from wavelearn.errors import DataError
    from wavelearn.io.datasets import gather_shards

    import shutil

    shutil.copy(shards / "b.h5", tmp_path / "broken.h5")
    with h5py.File(tmp_path / "broken.h5", "a") as f:
        del f.attrs["tol"]
    with pytest.raises(DataError, match="incomplete wavelearn-eigenstates file: 'tol' is missing"):
        gather_shards([shards / "a.h5", tmp_path / "broken.h5"], tmp_path / "d.h5")
