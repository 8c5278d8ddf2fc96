"""Reproducible random streams: one per (campaign seed, point, realization).

Realization k of a point draws from

    SeedSequence(entropy=campaign_seed, spawn_key=(*point_hash words, k))

so its Hamiltonian is the same whatever the chunking of realizations into jobs, the order
in which jobs run, or the number of MPI ranks (every rank draws the same stream).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from wavelearn import checks
from wavelearn.lattice.params import LatticeModel

# Independent child streams of one realization, in a fixed order. Appending a new
# component at the end keeps the existing ones unchanged.
STREAMS = ("onsite", "sites", "bonds")


def point_hash(model: LatticeModel) -> str:
    """Stable hex digest of the parameters that define the random draws (canonical JSON, sorted
    keys, repr floats): :meth:`LatticeModel.disorder_dict` where the model has one (the Hilbert
    space ``cluster`` is a view of the same draws), else ``as_dict()``."""
    values = model.disorder_dict() if hasattr(model, "disorder_dict") else model.as_dict()
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def realization_seed(campaign_seed: int, model: LatticeModel, realization: int) -> np.random.SeedSequence:
    checks.seed("campaign seed", campaign_seed)
    checks.integer("realization", realization, 0)
    digest = point_hash(model)
    words = tuple(int(digest[i : i + 8], 16) for i in range(0, 32, 8))
    return np.random.SeedSequence(entropy=campaign_seed, spawn_key=(*words, realization))


def realization_rng(campaign_seed: int, model: LatticeModel, realization: int) -> dict[str, np.random.Generator]:
    """One independent generator per disorder component (see ``STREAMS``)."""
    children = realization_seed(campaign_seed, model, realization).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}
