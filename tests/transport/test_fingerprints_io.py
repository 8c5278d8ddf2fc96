"""Fingerprint files: exact round trip, atomic write, gather checks (synthetic data, no Kwant)."""

from __future__ import annotations

import dataclasses

import h5py
import numpy as np
import pytest

from wavelearn.errors import DataError
from wavelearn.io.fingerprints import (FORMAT, FingerprintData, gather_fingerprints, read_fingerprints,
                                       write_fingerprints)
from wavelearn.transport.layout import draw_layout, occupancy, sample_hash
from wavelearn.transport.params import Billiard

PARAMS = Billiard(Lx=12, Ly=8, lead_width=4, energy=0.5, antidots=2, radius=1.5, field_min=-0.01,
                  field_max=0.01, field_points=5, W=0.3)


@dataclasses.dataclass
class FakeFingerprint:  # the attributes of wavelearn.transport.conductance.Fingerprint
    index: int
    conductance: np.ndarray
    open_modes: np.ndarray
    density: np.ndarray
    occupancy: np.ndarray
    positions: np.ndarray
    n_sites: int
    build_seconds: float
    solve_seconds: float
    density_seconds: float


def fake(params: Billiard, index: int, seed: int = 3) -> FakeFingerprint:
    rng = np.random.default_rng(index)
    positions = draw_layout(seed, params, index).positions
    return FakeFingerprint(
        index=index, conductance=rng.uniform(0, 3, params.field_points),
        open_modes=np.full(params.field_points, 3), density=rng.random(params.shape).astype(np.float32),
        occupancy=occupancy(params, positions), positions=positions, n_sites=90,
        build_seconds=0.1, solve_seconds=0.2 + index, density_seconds=0.05)


def chunk(params: Billiard, indices, seed: int = 3) -> FingerprintData:
    return FingerprintData.from_fingerprints(params, seed, "mumps", [fake(params, k, seed) for k in indices])


def test_round_trip_is_exact(tmp_path):
    data = chunk(PARAMS, [4, 2, 3])  # any order in, sorted by layout out
    write_fingerprints(tmp_path / "c.h5", data, {"wall_seconds": 1.5})
    back = read_fingerprints(tmp_path / "c.h5")
    assert back.params == PARAMS and back.campaign_seed == 3 and back.solver == "mumps"
    assert list(data.layout) == list(back.layout) == [2, 3, 4]
    assert np.array_equal(back.conductance[0], fake(PARAMS, 2).conductance)
    for name in ("conductance", "open_modes", "density", "occupancy", "positions", "solve_seconds"):
        assert np.array_equal(getattr(back, name), getattr(data, name)), name
    assert back.density.dtype == np.float32 and back.occupancy.dtype == np.uint8
    assert back.positions.shape == (3, 2, 2)
    assert np.array_equal(back.field, PARAMS.fields())
    assert back.attrs["format"] == FORMAT and back.attrs["format_version"] == 1
    assert back.attrs["kind"] == "chunk" and back.attrs["wall_seconds"] == 1.5
    assert back.attrs["sample_hash"] == sample_hash(PARAMS)
    for key in ("git_commit", "version_numpy", "version_kwant", "created"):
        assert key in back.attrs
    light = read_fingerprints(tmp_path / "c.h5", load_images=False)
    assert light.density is None and np.array_equal(light.conductance, back.conductance)
    # Nothing but the final file is left behind (atomic write through a temporary name).
    assert [p.name for p in tmp_path.iterdir()] == ["c.h5"]


def test_no_antidots_round_trip(tmp_path):
    wire = Billiard(Lx=10, Ly=6, energy=0.5, field_points=3, field_max=0.02)
    write_fingerprints(tmp_path / "w.h5", chunk(wire, [0, 1]))
    write_fingerprints(tmp_path / "v.h5", chunk(wire, [2]))
    gather_fingerprints([tmp_path / "w.h5", tmp_path / "v.h5"], tmp_path / "all.h5")
    back = read_fingerprints(tmp_path / "all.h5")
    assert back.positions.shape == (3, 0, 2) and list(back.layout) == [0, 1, 2]


def test_gather_sorts_and_equals_one_big_chunk(tmp_path):
    write_fingerprints(tmp_path / "b.h5", chunk(PARAMS, [3, 4, 5]))
    write_fingerprints(tmp_path / "a.h5", chunk(PARAMS, [0, 1, 2]))
    write_fingerprints(tmp_path / "whole.h5", chunk(PARAMS, range(6)))
    n = gather_fingerprints([tmp_path / "b.h5", tmp_path / "a.h5"], tmp_path / "dataset.h5")
    assert n == 6
    gathered, whole = read_fingerprints(tmp_path / "dataset.h5"), read_fingerprints(tmp_path / "whole.h5")
    assert list(gathered.layout) == list(range(6))
    for name in ("conductance", "open_modes", "density", "occupancy", "positions", "n_sites"):
        assert np.array_equal(getattr(gathered, name), getattr(whole, name)), name
    assert gathered.attrs["kind"] == "dataset" and gathered.attrs["n_chunks"] == 2
    assert gathered.params == PARAMS


def test_gather_refuses_mixed_or_duplicate_chunks(tmp_path):
    write_fingerprints(tmp_path / "a.h5", chunk(PARAMS, [0, 1]))
    write_fingerprints(tmp_path / "dup.h5", chunk(PARAMS, [1, 2]))
    other = Billiard(**{**PARAMS.as_dict(), "energy": 0.7})
    write_fingerprints(tmp_path / "other.h5", chunk(other, [2]))
    write_fingerprints(tmp_path / "seed.h5", chunk(PARAMS, [2], seed=9))
    with pytest.raises(DataError, match="layout 1 appears in more than one chunk"):
        gather_fingerprints([tmp_path / "a.h5", tmp_path / "dup.h5"], tmp_path / "x.h5")
    with pytest.raises(DataError, match="energy=0.7"):
        gather_fingerprints([tmp_path / "a.h5", tmp_path / "other.h5"], tmp_path / "x.h5")
    with pytest.raises(DataError, match="campaign_seed=9"):
        gather_fingerprints([tmp_path / "a.h5", tmp_path / "seed.h5"], tmp_path / "x.h5")
    with pytest.raises(DataError, match="listed twice"):
        gather_fingerprints([tmp_path / "a.h5", tmp_path / "a.h5"], tmp_path / "x.h5")
    assert not (tmp_path / "x.h5").exists()


def test_other_files_are_refused(tmp_path):
    with h5py.File(tmp_path / "eig.h5", "w") as f:
        f.attrs["format"] = "wavelearn-eigenstates"
        f.attrs["format_version"] = 1
    with pytest.raises(DataError, match="not a wavelearn-fingerprints file"):
        read_fingerprints(tmp_path / "eig.h5")
    write_fingerprints(tmp_path / "c.h5", chunk(PARAMS, [0]))
    with h5py.File(tmp_path / "c.h5", "a") as f:
        f.attrs["format_version"] = 2
    with pytest.raises(DataError, match="version 2"):
        read_fingerprints(tmp_path / "c.h5")
    write_fingerprints(tmp_path / "d.h5", chunk(PARAMS, [0]))
    with h5py.File(tmp_path / "d.h5", "a") as f:
        del f["density"]
    with pytest.raises(DataError, match="'density' is missing"):
        read_fingerprints(tmp_path / "d.h5")


def test_inconsistent_shapes_are_refused(tmp_path):
    data = chunk(PARAMS, [0, 1])
    data.conductance = data.conductance[:, :3]
    with pytest.raises(DataError, match="conductance has shape"):
        write_fingerprints(tmp_path / "bad.h5", data)
    assert not (tmp_path / "bad.h5").exists()


def test_files_without_lead_placement_have_centred_leads(tmp_path):
    """Files written before lead_y, right_lead_width, right_lead_y existed: both leads centred,
    equal widths (the only geometry then); they read and gather like new files, and a chunk of
    other leads is refused."""
    for name, indices in (("a.h5", [0, 1]), ("b.h5", [2])):
        write_fingerprints(tmp_path / name, chunk(PARAMS, indices))
        with h5py.File(tmp_path / name, "a") as f:
            for key in ("lead_y", "right_lead_width", "right_lead_y"):
                del f.attrs[key]
    old = read_fingerprints(tmp_path / "a.h5")
    assert old.params == PARAMS and old.params.lead_rows == (range(2, 6), range(2, 6))
    assert gather_fingerprints([tmp_path / "a.h5", tmp_path / "b.h5"], tmp_path / "all.h5") == 3
    shifted = Billiard(**{**PARAMS.as_dict(), "right_lead_y": 4})
    write_fingerprints(tmp_path / "c.h5", chunk(shifted, [2]))
    assert read_fingerprints(tmp_path / "c.h5").params == shifted
    with pytest.raises(DataError, match="right_lead_y=4"):
        gather_fingerprints([tmp_path / "a.h5", tmp_path / "c.h5"], tmp_path / "x.h5")
