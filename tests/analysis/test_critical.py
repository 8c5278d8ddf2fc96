"""The critical point from a scan: crossings, bootstrap intervals, and their printed precision."""

import numpy as np
import pytest

from wavelearn.analysis.critical import (
    CriticalEstimate, crossing, critical_point, format_interval, phase_diagram, size_crossing,
)
from wavelearn.io.scans import ScanResult


def logistic_scan(centres: dict[int, float], realizations: int = 30, noise: float = 0.05, seed: int = 0):
    """P(metal) = logistic in W around a centre per L, one state per realization, with noise."""
    rng = np.random.default_rng(seed)
    W = np.repeat(np.arange(10.0, 24.0, 1.0), realizations)
    parts = {"L": [], "W": [], "P": []}
    for L, centre in centres.items():
        p = 1 / (1 + np.exp((W - centre) * L / 8)) + noise * rng.standard_normal(len(W))
        parts["L"].append(np.full(len(W), L)), parts["W"].append(W), parts["P"].append(p)
    W, L, p = (np.concatenate(parts[k]) for k in ("W", "L", "P"))
    meta = {"L": L, "W": W, "p": np.ones(len(W)), "flux": np.zeros(len(W))}
    return ScanResult("W", ("metal", "insulator"), meta, np.stack([p, 1 - p], axis=1), np.arange(len(W)))


def test_crossing_interpolates_linearly():
    assert crossing(np.array([1.0, 2.0, 3.0]), np.array([0.9, 0.7, 0.1])) == pytest.approx(2.0 + 0.2 / 0.6)
    assert np.isnan(crossing(np.array([1.0, 2.0]), np.array([0.9, 0.8])))


def test_bootstrap_interval_covers_the_true_crossing():
    wc, low, high = critical_point(logistic_scan({8: 16.5}), 8, n_boot=200)
    assert abs(wc - 16.5) < 0.1 and low < 16.5 < high and high - low < 0.5


def test_curves_of_two_sizes_cross_where_they_are_built_to():
    # Curves of L = 8 and 12 both pass P = 1/2 at W = 16.5 (a scale-invariant point): they cross there.
    result = logistic_scan({8: 16.5, 12: 16.5}, noise=0.0)
    assert size_crossing(result, 8, 12) == pytest.approx(16.5, abs=0.05)
    rows = phase_diagram(result, n_boot=50)
    assert [r.size for r in rows] == [8, 12, "8x12"]


def test_values_print_to_the_precision_of_their_interval():
    assert format_interval(16.0312345, 15.7312, 16.2154) == "16.03 [15.73, 16.22]"
    assert format_interval(16.0312345, 15.0, 17.0) == "16.0 [15.0, 17.0]"
    assert format_interval(0.312345, 0.3110, 0.3135) == "0.3123 [0.3110, 0.3135]"
    assert format_interval(16.0312345) == "16.03"
    assert CriticalEstimate("8x12", 16.0312345).text() == "16.03"
