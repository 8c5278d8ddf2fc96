"""Damaged data is refused by its reader, naming the file and the sample, before anything is
written from it (issue 18: a shard whose density held a NaN was gathered without a word)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from wavelearn.eigenstates import solve_realizations
from wavelearn.errors import DataError
from wavelearn.io.datasets import gather_shards, read_dataset
from wavelearn.io.integrity import NORM_TOLERANCE, check_rows
from wavelearn.io.shards import read_shard, write_shard
from wavelearn.lattice import LatticeModel
from wavelearn.solvers import SolverSettings


@pytest.fixture
def shard(tmp_path):
    path = tmp_path / "shard.h5"
    data = solve_realizations(LatticeModel(dim=2, L=4, W=3.0), SolverSettings(nev=2), 5, range(3, 6), "dense")
    write_shard(path, data)
    return path


def damage(path, name, index, value):
    with h5py.File(path, "r+") as f:
        array = f[name][()]
        array[index] = value
        f[name][...] = array


def test_an_intact_shard_reads_and_gathers(shard, tmp_path):
    assert read_shard(shard).density.shape == (3, 2, 4, 4)
    assert gather_shards([shard], tmp_path / "d.h5") == 6
    density, _ = read_dataset([tmp_path / "d.h5"])
    assert np.allclose(density.reshape(6, -1).sum(axis=1), 1, atol=NORM_TOLERANCE)


@pytest.mark.parametrize("name, index, value, message", [
    ("density", (1, 0, 2, 3), np.nan, "'density' of realization 4, state 0 holds a non-finite value (nan"),
    ("density", (2, 1, 0, 0), -0.25, "'density' of realization 5, state 1 holds a negative value"),
    ("density", (0, 1, 1, 1), 0.9, "'density' of realization 3, state 1 does not sum to 1"),
    ("eigenvalues", (2, 0), np.inf, "'eigenvalues' of realization 5, state 0 holds a non-finite value (inf"),
    ("residuals", (0, 1), np.nan, "'residuals' of realization 3, state 1 holds a non-finite value"),
])
def test_a_damaged_shard_fails_the_gather_and_writes_nothing(shard, tmp_path, run_cli, name, index, value, message):
    damage(shard, name, index, value)
    with pytest.raises(DataError) as error:
        read_shard(shard)
    assert str(error.value).startswith(f"{shard}: ") and message in str(error.value)
    result = run_cli("gather", str(shard), "-o", str(tmp_path / "d.h5"), check=False)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d.h5").exists()


def test_a_damaged_dataset_is_refused_naming_the_sample(shard, tmp_path):
    gather_shards([shard], tmp_path / "d.h5")
    damage(tmp_path / "d.h5", "density", (4, 1, 1), np.nan)
    with pytest.raises(DataError, match=r"d\.h5: 'density' of sample 4 \(W=3, p=1, flux=0, realization 5, "
                                        r"state 0\) holds a non-finite value"):
        read_dataset([tmp_path / "d.h5"])


def test_a_truncated_array_is_a_shape_error(shard):
    with h5py.File(shard, "r+") as f:
        values = f["residuals"][()]
        del f["residuals"]
        f["residuals"] = values[:2]
    with pytest.raises(DataError, match=r"'residuals' has shape \(2, 2\), expected \(3, 2\)"):
        read_shard(shard)


def test_check_rows_against_a_hand_count():
    rows = np.array([[0.5, 0.5], [0.25, 0.75], [1.0, 0.0]], dtype=np.float32)
    assert check_rows("f", "x", rows, lambda i: f"row {i[0]}", normalised=True, nonnegative=True) is rows
    rows[1:, 0] = np.nan
    with pytest.raises(DataError, match=r"f: 'x' of row 1 holds a non-finite value \(nan; 2 such sample\(s\)\)"):
        check_rows("f", "x", rows, lambda i: f"row {i[0]}")


def test_the_summary_refuses_a_damaged_dataset_too(shard, tmp_path):
    from wavelearn.analysis.summary import summarize_dataset

    gather_shards([shard], tmp_path / "d.h5")
    assert len(summarize_dataset(tmp_path / "d.h5")) == 1
    damage(tmp_path / "d.h5", "density", (3, 0, 0), np.inf)
    with pytest.raises(DataError, match=r"d\.h5: 'density' of sample 3 holds a non-finite value \(inf"):
        summarize_dataset(tmp_path / "d.h5")
