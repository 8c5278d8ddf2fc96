"""Vectors of degenerate levels are flagged in shards and datasets and left out downstream.

Two points of one whole-lattice site-percolation study at E = 1: a sparse one (p = 0.3, no
on-site disorder) whose isolated dimers put many exact copies of the level 1 next to E, and a
dense disordered one (p = 0.9, W = 1) without any degeneracy.
"""

import h5py
import numpy as np
import pytest

from wavelearn.errors import DataError

COMMON = ["eigensolve", "--model", "percolation", "--percolation", "site", "--cluster", "all", "--dim", "2",
          "--L", "10", "--energy", "1", "--nev", "4", "--backend", "dense", "--no-progress"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, run_cli):
    folder = tmp_path_factory.mktemp("degenerate")
    run_cli(*COMMON, "--p", "0.3", "--realizations", "0:3", "-o", str(folder / "sparse.h5"))
    run_cli(*COMMON, "--p", "0.9", "--W", "1", "--realizations", "0:3", "-o", str(folder / "dense.h5"))
    run_cli("gather", "-o", str(folder / "dataset.h5"), str(folder / "sparse.h5"), str(folder / "dense.h5"))
    return folder


def test_shards_and_dataset_count_the_degenerate_vectors(dataset):
    with h5py.File(dataset / "sparse.h5") as f:
        sparse = f["multiplicity"][()]
    with h5py.File(dataset / "dense.h5") as f:
        dense = f["multiplicity"][()]
    assert np.all(sparse > 1) and np.all(dense == 1)
    with h5py.File(dataset / "dataset.h5") as f:
        assert f.attrs["n_degenerate"] == sparse.size
        np.testing.assert_array_equal(f["samples/multiplicity"][()], np.concatenate([sparse.ravel(), dense.ravel()]))


def test_summary_and_criticality_leave_them_out(dataset):
    from wavelearn.analysis.criticality import analyse
    from wavelearn.analysis.summary import summarize_dataset

    rows = {row["p"]: row for row in summarize_dataset(dataset / "dataset.h5")}
    assert rows[0.3]["samples"] == 0 and rows[0.3]["degenerate_excluded"] == 12
    assert np.isnan(rows[0.3]["participation"])
    assert rows[0.9]["samples"] == 12 and rows[0.9]["degenerate_excluded"] == 0
    points = {pt.row["p"]: pt.row for pt in analyse([dataset / "dataset.h5"], n_boot=20)}
    assert points[0.3]["degenerate_excluded"] == 12 and np.isnan(points[0.3]["ipr"])
    assert points[0.3]["ratios"] == 0  # no ratio of three non-degenerate levels
    assert points[0.9]["degenerate_excluded"] == 0 and points[0.9]["ratios"] == 3 * 2


def test_training_refuses_a_class_of_degenerate_vectors_only(dataset):
    from wavelearn.learning.phases.data import ClassWindow, label_samples

    windows = [ClassWindow("a", "p", 0.2, 0.4), ClassWindow("b", "p", 0.8, 1.0)]
    with pytest.raises(DataError, match="class 'a': every one of its 12 samples is a vector of a degenerate level"):
        label_samples([dataset / "dataset.h5"], windows)


def test_phase_diagram_averages_only_usable_states():
    from wavelearn.analysis.critical import point_probabilities
    from wavelearn.io.scans import ScanResult

    # Two points of two realizations x two states; at p = 0.3 the second realization's states are degenerate
    # with P = 1, which must not enter the mean.
    meta = {"L": np.full(8, 8), "W": np.zeros(8), "flux": np.zeros(8), "p": np.repeat([0.3, 0.9], 4),
            "realization": np.tile([0, 0, 1, 1], 2), "point_hash": np.repeat(["a", "b"], 4),
            "degenerate": np.array([0, 0, 1, 1, 0, 0, 0, 0], bool)}
    probabilities = np.array([[0.1, 0.9], [0.3, 0.7], [1, 0], [1, 0], [0.8, 0.2], [0.9, 0.1], [0.7, 0.3], [0.6, 0.4]])
    rows = {r["p"]: r for r in point_probabilities(ScanResult.from_samples(("metal", "insulator"), meta, probabilities))}
    assert rows[0.3]["P_metal"] == pytest.approx(0.2) and rows[0.3]["degenerate_excluded"] == 2
    assert rows[0.3]["realizations"] == 1 and rows[0.3]["states"] == 2
    assert rows[0.9]["P_metal"] == pytest.approx(0.75) and rows[0.9]["degenerate_excluded"] == 0
