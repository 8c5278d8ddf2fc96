"""Antidot layouts: reproducible, chunking-independent, non-overlapping, consistent images."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wavelearn.transport.layout import Layout, conductor_sites, draw_layout, occupancy, sample_hash
from wavelearn.transport.params import Billiard

PARAMS = Billiard(Lx=60, Ly=40, lead_width=16, energy=0.5, antidots=8, radius=3.5, gap=1.0, W=1.0)


def test_same_layout_whatever_the_chunking_and_order():
    forward = [draw_layout(7, PARAMS, k) for k in range(6)]
    backward = [draw_layout(7, PARAMS, k) for k in reversed(range(6))][::-1]
    chunked = [draw_layout(7, PARAMS, k) for k in range(3)] + [draw_layout(7, PARAMS, k) for k in range(3, 6)]
    for a, b, c in zip(forward, backward, chunked):
        assert np.array_equal(a.positions, b.positions) and np.array_equal(a.positions, c.positions)
        assert np.array_equal(a.onsite, b.onsite) and np.array_equal(a.onsite, c.onsite)
    # Different layouts and different seeds are different devices.
    assert not np.allclose(forward[0].positions, forward[1].positions)
    assert not np.allclose(draw_layout(8, PARAMS, 0).positions, forward[0].positions)


def test_measurement_parameters_do_not_change_the_layout():
    other = Billiard(**{**PARAMS.as_dict(), "energy": -1.3, "lead_width": 30, "field_min": -0.1,
                        "field_points": 7, "image_field": 0.05, "potential": 5.0, "W": 3.0, "lead_y": 0,
                        "right_lead_width": 20, "right_lead_y": 17})
    assert sample_hash(other) == sample_hash(PARAMS)
    a, b = draw_layout(0, other, 4), draw_layout(0, PARAMS, 4)
    assert np.array_equal(a.positions, b.positions)
    assert np.allclose(a.onsite, 3.0 * b.onsite)  # the same disorder pattern, scaled by W
    bigger = Billiard(**{**PARAMS.as_dict(), "radius": 3.0})
    assert sample_hash(bigger) != sample_hash(PARAMS)


@pytest.mark.parametrize("index", range(20))
def test_antidots_do_not_overlap_and_stay_inside(index):
    layout = draw_layout(0, PARAMS, index)
    x, y = layout.positions.T
    r = PARAMS.radius
    assert np.all((x >= r) & (x <= PARAMS.Lx - 1 - r) & (y >= r) & (y <= PARAMS.Ly - 1 - r))
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    assert d[np.triu_indices(len(x), 1)].min() >= 2 * r + PARAMS.gap


def test_disorder_is_box_distributed():
    eps = np.concatenate([draw_layout(1, PARAMS, k).onsite.ravel() for k in range(5)])
    # Uniform in [-W/2, W/2]: mean 0, variance W^2/12.
    assert eps.min() >= -0.5 and eps.max() <= 0.5
    assert abs(eps.mean()) < 0.01 and abs(eps.var() - 1 / 12) < 0.005
    clean = Billiard(**{**PARAMS.as_dict(), "W": 0.0})
    assert not draw_layout(1, clean, 0).onsite.any()


def test_occupancy_matches_disc_areas():
    params = Billiard(Lx=80, Ly=80, antidots=5, radius=6.0, energy=0.5)
    layout = draw_layout(3, params, 0)
    image = occupancy(params, layout.positions)
    assert image.shape == (80, 80)
    # Non-overlapping discs: ~ n pi R^2 sites (lattice-point count of a disc, within 10 %).
    assert abs(image.sum() - 5 * math.pi * 36) < 0.1 * 5 * math.pi * 36
    # Every occupied site is within R of a centre, and every centre's site is occupied.
    for cx, cy in layout.positions:
        assert image[int(round(cx)), int(round(cy))]


def test_conductor_drops_hard_walls_and_enclosed_pockets():
    params = Billiard(Lx=11, Ly=11, antidots=0, radius=1.9, energy=0.5)
    # Four discs around (5, 5): its four neighbours are inside them, (5, 5) itself is not.
    ring = Layout(index=0, positions=np.array([[3.0, 5.0], [7.0, 5.0], [5.0, 3.0], [5.0, 7.0]]),
                  onsite=np.zeros(params.shape))
    inside = occupancy(params, ring.positions)
    assert not inside[5, 5] and inside[4, 5] and inside[6, 5] and inside[5, 4] and inside[5, 6]
    kept = conductor_sites(params, ring)
    assert not kept[5, 5]
    pocket = np.zeros(params.shape, dtype=bool)
    pocket[5, 5] = True
    assert np.array_equal(kept, ~inside & ~pocket)
    # Finite potentials keep every site (the potential, not the lattice, repels).
    soft = Billiard(Lx=11, Ly=11, antidots=0, radius=1.9, energy=0.5, potential=50.0)
    assert conductor_sites(soft, ring).all()
