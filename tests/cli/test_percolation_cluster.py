"""Percolation on the largest cluster keeps the reproducibility contract: the same realization
(the same cluster, the same levels) whatever the chunking of realizations and the MPI ranks."""

import h5py
import numpy as np

from wavelearn.lattice import LatticeModel, build_hamiltonian

POINT = ["--model", "percolation", "--percolation", "site", "--p", "0.45", "--dim", "3", "--L", "6",
         "--energy", "0.5", "--nev", "4", "--seed", "11", "--no-progress"]


def read(path):
    with h5py.File(path) as f:
        return {key: f[key][()] for key in ("eigenvalues", "density", "dimension", "multiplicity", "realization")} | {
            "cluster": f.attrs["cluster"]}


def test_largest_cluster_whatever_the_chunking_and_ranks(tmp_path, run_cli):
    run_cli("eigensolve", *POINT, "--realizations", "0:4", "-o", str(tmp_path / "one.h5"))
    run_cli("eigensolve", *POINT, "--realizations", "0:2", "-o", str(tmp_path / "a.h5"))
    run_cli("eigensolve", *POINT, "--realizations", "2:4", "-o", str(tmp_path / "b.h5"))
    run_cli("eigensolve", *POINT, "--realizations", "0:4", "--backend", "slepc", "-o", str(tmp_path / "two.h5"),
            ranks=2)
    one, two = read(tmp_path / "one.h5"), read(tmp_path / "two.h5")
    chunks = [read(tmp_path / name) for name in ("a.h5", "b.h5")]
    assert one["cluster"] == "largest"
    for key in ("eigenvalues", "density", "dimension", "multiplicity", "realization"):
        np.testing.assert_array_equal(one[key], np.concatenate([c[key] for c in chunks]))
    np.testing.assert_allclose(two["eigenvalues"], one["eigenvalues"], atol=1e-9)
    np.testing.assert_array_equal(two["dimension"], one["dimension"])
    # The density lives on the largest cluster of each realization, and nowhere else.
    model = LatticeModel(dim=3, L=6, model="percolation", p=0.45)
    for k in range(4):
        cluster = build_hamiltonian(model, 11, k)
        on = np.zeros(6**3, bool)
        on[cluster.sites] = True
        assert one["dimension"][k] == cluster.dimension < 0.45 * 6**3 * 1.3
        assert np.all(one["density"][k].reshape(4, -1)[:, ~on] == 0)
        np.testing.assert_allclose(one["density"][k].reshape(4, -1)[:, on].sum(axis=1), 1, rtol=1e-5)
