"""The critical point three ways: literature values, the CNN's estimates from a scan, the table
and its plot, and the CLI path that writes them beside the level statistics."""

import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from wavelearn.analysis.estimates import ESTIMATE_FIELDS, NU_ORTHOGONAL, NU_UNITARY, cnn_estimates, from_fss, \
    literature, plot_critical_points
from wavelearn.io.scans import ScanResult, write_scan

W_C, NU = 16.54, 1.57


def test_literature_values():
    box = literature("anderson", 3, "box", "W", 0.0, 0.0)
    assert (box["x_c"], box["nu"]) == (16.54, 1.57) and "Slevin" in box["reference"]
    gauss = literature("anderson", 3, "gaussian", "W", 0.0, 0.0)
    assert math.isnan(gauss["x_c"]) and gauss["nu"] == NU_ORTHOGONAL
    assert math.isnan(literature("anderson", 3, "box", "W", 0.5, 0.0)["x_c"])  # W_c depends on E
    assert literature("anderson", 3, "box", "W", 0.0, 0.125)["nu"] == NU_UNITARY
    assert literature("percolation", 3, "box", "p", 0.1, 0.0)["nu"] == NU_ORTHOGONAL
    assert literature("anderson", 2, "box", "W", 0.0, 0.0) == {}


def synthetic_scan(sizes=(8, 12, 16), xs=np.linspace(15.5, 17.5, 9), realizations=60, states=4, seed=0):
    """P(metal) of every state: 1 / (1 + exp(u + 0.5 g)), u = (W - W_c) L^(1/nu) / 3, g a standard
    normal number per realization: the mean over realizations is a function of u alone (exact
    one-parameter scaling, symmetric about u = 0)."""
    rng = np.random.default_rng(seed)
    meta = {k: [] for k in ("L", "W", "p", "flux", "energy", "eigenvalue", "realization", "point_hash")}
    probs = []
    for L in sizes:
        for W in xs:
            for k in range(realizations):
                u = (W - W_C) * L ** (1 / NU) / 3 + 0.5 * rng.standard_normal()
                p = 1 / (1 + np.exp(u))
                for _ in range(states):
                    probs.append([p, 1 - p])
                    for name, value in dict(L=L, W=W, p=1.0, flux=0.0, energy=0.0, eigenvalue=0.0, realization=k,
                                            point_hash=f"L{L}W{W}").items():
                        meta[name].append(value)
    meta = {k: np.array(v, dtype=object if k == "point_hash" else None) for k, v in meta.items()}
    return ScanResult.from_samples(("metal", "insulator"), meta, np.array(probs))


def test_cnn_estimates_recover_the_critical_point_of_a_synthetic_scan():
    lit = literature("anderson", 3, "box", "W", 0.0, 0.0)
    rows = cnn_estimates("box", "net", synthetic_scan(), lit, order=3, n_boot=200)
    half = [r for r in rows if r["estimate"] == "P=1/2"]
    assert [r["L1"] for r in half] == [8, 12, 16]
    for r in half:  # P = 1/2 sits at W_c for every L in this symmetric scaling form
        assert r["x_c"] == pytest.approx(W_C, abs=0.15) and r["covers"] == "True"
        assert r["x_c_low"] < r["x_c"] < r["x_c_high"]
    crossings = [r for r in rows if r["estimate"] == "crossing"]
    assert {(r["L1"], r["L2"]) for r in crossings} == {(8, 12), (12, 16)}
    (fit,) = [r for r in rows if r["estimate"] == "fit"]
    assert fit["x_c"] == pytest.approx(W_C, rel=0.01) and fit["covers"] == "True"
    assert fit["nu"] == pytest.approx(NU, rel=0.15)
    assert abs(fit["deviation"]) < 0.01 and fit["method"] == "CNN net"
    assert set(fit) == set(ESTIMATE_FIELDS)


def test_from_fss_marks_coverage_and_keeps_skipped_fits():
    lit = dict(x_c=16.54, nu=1.57, reference="ref")
    fss = [dict(study="s", observable="r", parameter="W", method="crossing", L1=8, L2=12, x_c=16.0, x_c_low=15.0,
                x_c_high=16.3),
           dict(study="s", observable="d2_lambda", parameter="W", method="fit skipped: too few points", n_points=3)]
    crossing, skipped = from_fss(fss, lit)
    assert crossing["covers"] == "False" and crossing["deviation"] == pytest.approx((16.0 - 16.54) / 16.54)
    assert crossing["method"] == "⟨r⟩"
    assert skipped["estimate"].startswith("fit skipped") and skipped["covers"] == "" and math.isnan(skipped["x_c"])


def test_cli_writes_the_three_way_table(tmp_path, capsys):
    # the documented dataset layout, filled by exact diagonalisation (tests/analysis/test_criticality.py)
    spec = importlib.util.spec_from_file_location("criticality_tests", Path(__file__).with_name("test_criticality.py"))
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    write_dataset = helpers.write_dataset
    from wavelearn.cli.main import main

    grid = [dict(W=W) for W in (8.0, 16.0, 24.0)]
    datasets = [write_dataset(tmp_path / f"L{L}.h5", "box", L, grid, 3, 12) for L in (4, 6)]
    scan = synthetic_scan(sizes=(4, 6), xs=np.array([8.0, 16.0, 24.0]), realizations=6, states=2)
    write_scan(scan, tmp_path / "scan.h5")
    out = tmp_path / "out"
    code = main(["criticality", *datasets, "--csv", str(out / "c.csv"), "--scan", f"cnn={tmp_path / 'scan.h5'}",
                 "--estimates-csv", str(out / "e.csv"), "--estimates-plot", str(out / "e.png"), "--bootstrap", "20"])
    assert code == 0
    with open(out / "e.csv") as f:
        rows = list(csv.DictReader(f))
    methods = {(r["method"], r["estimate"]) for r in rows}
    assert ("CNN cnn", "P=1/2") in methods and any(m == "⟨r⟩" for m, _ in methods)
    assert all(r["x_c_literature"] == "16.54" for r in rows)
    assert (out / "e.png").read_bytes()[:4] == b"\x89PNG"
    assert "CNN cnn" in capsys.readouterr().out


def test_plot_of_estimates_against_L(tmp_path):
    rows = [dict(study="s", method="⟨r⟩", estimate="crossing", parameter="W", L1=8, L2=12, x_c=16.2, x_c_low=15.9,
                 x_c_high=16.6, x_c_literature=16.54),
            dict(study="s", method="CNN n", estimate="P=1/2", parameter="W", L1=8, L2=8, x_c=16.0, x_c_low=float("nan"),
                 x_c_high=float("nan"), x_c_literature=16.54),
            dict(study="s", method="⟨r⟩", estimate="fit", parameter="W", L1=8, L2=12, x_c=16.4, x_c_low=16.0,
                 x_c_high=16.9, x_c_literature=16.54)]
    plot_critical_points(rows, str(tmp_path / "p.png"))
    assert (tmp_path / "p.png").stat().st_size > 1000
