"""The Hilbert space of a percolation realization: the largest connected cluster.

References independent of the code under test: a hand-made graph with known clusters, and a
plain breadth-first flood fill over the periodic lattice of the kept sites and bonds.
"""

import hashlib
import json
from collections import deque

import numpy as np
import pytest

from wavelearn.errors import ParameterError
from wavelearn.lattice import LatticeModel, build_hamiltonian, point_hash
from wavelearn.lattice.hamiltonian import largest_cluster


def test_largest_cluster_of_a_hand_made_graph():
    # Sites 0..9: a chain 0-1-2-3, a triangle 4-5-6, a dimer 7-8 and a lone site 9; site 2 removed
    # splits the chain into 0-1 and 3.
    edges = np.array([(0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (6, 4), (7, 8)]).T
    kept = np.ones(10, bool)
    np.testing.assert_array_equal(largest_cluster(10, kept, (edges[0], edges[1])), [0, 1, 2, 3])
    kept[2] = False
    np.testing.assert_array_equal(largest_cluster(10, kept, (edges[0], edges[1])), [4, 5, 6])
    # Equal sizes: the cluster holding the lowest site index wins (0-1 against 7-8).
    kept[[4, 5, 6]] = False
    np.testing.assert_array_equal(largest_cluster(10, kept, (edges[0], edges[1])), [0, 1])
    assert largest_cluster(10, np.zeros(10, bool), (edges[0], edges[1])).size == 0


def flood_fill_largest(model: LatticeModel, realization: int, seed: int) -> np.ndarray:
    """Largest cluster by breadth-first search on the kept sites, following the hops of the
    whole-lattice Hamiltonian of the same realization (periodic wraps included)."""
    whole = build_hamiltonian(LatticeModel(**{**model.as_dict(), "cluster": "all"}), seed, realization)
    H = whole.matrix.tocoo()
    neighbours = {int(s): set() for s in whole.sites}
    for i, j in zip(H.row, H.col):
        if i != j:
            neighbours[int(whole.sites[i])].add(int(whole.sites[j]))
    seen, best = set(), []
    for start in sorted(neighbours):
        if start in seen:
            continue
        cluster, queue = [start], deque([start])
        seen.add(start)
        while queue:
            for nxt in neighbours[queue.popleft()]:
                if nxt not in seen:
                    seen.add(nxt), cluster.append(nxt), queue.append(nxt)
        if len(cluster) > len(best):
            best = cluster
    return np.sort(best)


@pytest.mark.parametrize("model", [
    LatticeModel(dim=3, L=8, model="percolation", p=0.3, percolation="site"),
    LatticeModel(dim=3, L=8, model="percolation", p=0.45, percolation="site", W=1.0),
    LatticeModel(dim=3, L=6, model="percolation", p=0.25, percolation="bond"),
    LatticeModel(dim=2, L=12, model="percolation", p=0.55, percolation="bond", flux=1 / 12),
    LatticeModel(dim=2, L=10, model="percolation", p=0.6, percolation="site", boundary="open"),
], ids=lambda m: m.label())
def test_largest_cluster_matches_a_flood_fill(model):
    for realization in range(3):
        H = build_hamiltonian(model, 7, realization)
        np.testing.assert_array_equal(H.sites, flood_fill_largest(model, realization, 7))
        # The same draws restricted: H on the cluster is the whole-lattice H's submatrix.
        whole = build_hamiltonian(LatticeModel(**{**model.as_dict(), "cluster": "all"}), 7, realization)
        index = np.searchsorted(whole.sites, H.sites)
        assert abs(whole.matrix[index][:, index] - H.matrix).max() == 0


def spans(H) -> bool:
    """Whether the cluster touches every plane perpendicular to every axis (a wrapping cluster does)."""
    coords = H.coordinates
    return all(len(np.unique(coords[:, a])) == H.model.L for a in range(H.model.dim))


def test_largest_cluster_spans_above_the_threshold_and_not_below():
    above = LatticeModel(dim=3, L=12, model="percolation", p=0.5, percolation="site")
    below = LatticeModel(dim=3, L=12, model="percolation", p=0.2, percolation="site")
    for k in range(4):
        big, small = build_hamiltonian(above, 1, k), build_hamiltonian(below, 1, k)
        assert spans(big) and big.dimension > 0.8 * 0.5 * 12**3
        assert not spans(small) and small.dimension < 0.05 * 12**3


def test_cluster_defaults_and_checks():
    assert LatticeModel(dim=3, L=4, model="percolation", p=0.5).cluster == "largest"
    assert LatticeModel(dim=3, L=4).cluster == "all"
    with pytest.raises(ParameterError, match="cluster='largest' given for model 'anderson'"):
        LatticeModel(dim=3, L=4, cluster="largest")
    with pytest.raises(ParameterError, match="cluster='spanning' is not one of all, largest"):
        LatticeModel(dim=3, L=4, model="percolation", cluster="spanning")


def test_the_cluster_does_not_change_the_draws_or_the_seed():
    largest = LatticeModel(dim=3, L=6, model="percolation", p=0.5)
    whole = LatticeModel(dim=3, L=6, model="percolation", p=0.5, cluster="all")
    assert point_hash(largest) == point_hash(whole)
    # The seed of every existing point is the hash of its fields before 'cluster' existed.
    anderson = LatticeModel(dim=3, L=8, W=16.5)
    before = {k: v for k, v in anderson.as_dict().items() if k != "cluster"}
    assert point_hash(anderson) == hashlib.sha256(
        json.dumps(before, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
