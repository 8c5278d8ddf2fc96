"""Observables per point of gathered datasets, scaling across points, and the CLI sub-command."""

import argparse
import csv

import h5py
import numpy as np
import pytest

from wavelearn.analysis.criticality import FIELDS, FSS_FIELDS, Point, analyse, criticality_rows, \
    d2_system_size, finite_size_scaling, level_statistics, multifractality, plot_estimates, scaling_table
from wavelearn.analysis.levels import GOE_R, GUE_R, POISSON_R
from wavelearn.cli import criticality as cli
from wavelearn.errors import DataError
from wavelearn.lattice import LatticeModel, build_hamiltonian


def write_dataset(path, study, L, points, realizations, nev, dim=3):
    """A gathered dataset in the documented layout (docs/formats.md, io/datasets.py), filled with
    the nev eigenpairs closest to E = 0 of dense diagonalizations of real Hamiltonians.
    ``points`` is a list of dicts of LatticeModel parameters (W, flux)."""
    density, columns = [], {k: [] for k in ("W", "p", "flux", "L", "energy", "eigenvalue", "residual",
                                            "multiplicity", "realization", "state", "seed", "point_hash",
                                            "source")}
    for params in points:
        model = LatticeModel(dim=dim, L=L, **params)
        for k in range(realizations):
            energies, vectors = np.linalg.eigh(build_hamiltonian(model, 7, k).matrix.toarray())
            picked = np.argsort(np.abs(energies))[:nev]
            density.append((np.abs(vectors[:, picked].T) ** 2).reshape((nev,) + model.shape))
            for state, j in enumerate(picked):
                values = dict(W=model.W, p=model.p, flux=model.flux, L=L, energy=0.0, eigenvalue=energies[j],
                              residual=1e-13, multiplicity=int(np.sum(np.abs(energies - energies[j]) < 1e-8)),
                              realization=k, state=state, seed=7, point_hash=model.label(),
                              source="test")
                for name, value in values.items():
                    columns[name].append(value)
    with h5py.File(path, "w") as f:
        f.create_dataset("density", data=np.concatenate(density).astype(np.float32))
        for name, values in columns.items():
            f.create_dataset(f"samples/{name}", data=np.array(values, dtype=object if name in (
                "point_hash", "source") else None), dtype=h5py.string_dtype() if name in ("point_hash", "source")
                else None)
        for key, value in dict(format="wavelearn-dataset", format_version=2, study=study, model="anderson", dim=dim,
                               L=L, distribution="box", percolation="site", boundary="periodic", cluster="all", nev=nev,
                               n_samples=len(columns["W"])).items():
            f.attrs[key] = value
    return str(path)


@pytest.fixture(scope="module")
def phases(tmp_path_factory):
    """3D Anderson, L = 8: metal (W = 4), insulator (W = 40), and the metal in a field (flux 1/4)."""
    folder = tmp_path_factory.mktemp("phases")
    return [write_dataset(folder / "box.h5", "phases", 8, [dict(W=4.0), dict(W=40.0)], 6, 60),
            write_dataset(folder / "field.h5", "field", 8, [dict(W=4.0, flux=0.25)], 6, 60)]


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """A coarse scan across the transition at L = 4 and 8, for the pipeline (not for W_c)."""
    folder = tmp_path_factory.mktemp("scan")
    grid = [dict(W=W) for W in (6.0, 12.0, 18.0, 24.0, 30.0)]
    return [write_dataset(folder / f"L{L}.h5", "box", L, grid, 3, 12) for L in (4, 8)]


def test_observables_tell_metal_insulator_and_symmetry_class(phases):
    rows = {(r["study"], r["W"]): r for r in criticality_rows(phases)}
    assert set(rows) == {("phases", 4.0), ("phases", 40.0), ("field", 4.0)}
    metal, insulator, field = rows[("phases", 4.0)], rows[("phases", 40.0)], rows[("field", 4.0)]
    assert list(metal) == list(FIELDS)
    assert (metal["realizations"], metal["states"], metal["ratios"], metal["nev"]) == (6, 360, 6 * 58, 60)
    # Level statistics: GOE in the metal, Poisson in the insulator, GUE with the field.
    assert abs(metal["r"] - GOE_R) < 3 * metal["r_error"]
    # (L = 8 at W = 40: 0.41, residual repulsion of overlapping tails; see test_levels.py)
    assert abs(insulator["r"] - POISSON_R) < 0.035 + 2 * insulator["r_error"]
    assert metal["r"] - insulator["r"] > 4 * np.hypot(metal["r_error"], insulator["r_error"])
    assert abs(field["r"] - GUE_R) < 3 * field["r_error"] and field["r"] - metal["r"] > 2 * field["r_error"]
    # Multifractality: extended states spread, localized ones do not.
    assert metal["ipr"] < 0.02 < 0.1 < insulator["ipr"]
    assert metal["d2"] > 2.0 > 0.8 > insulator["d2"] and metal["d2_lambda"] > insulator["d2_lambda"]
    for row in rows.values():
        assert all(row[k] > 0 for k in ("r_error", "ipr_error", "d2_error", "d2_lambda_error"))
    # The sizing model (validated against repeated experiments in test_levels.py): narrow
    # windows need more realizations. One ratio varies by about 0.25 (GOE and Poisson alike).
    from wavelearn.analysis.criticality import realizations_needed_table
    assert all(0.04 < row["r_variance"] < 0.09 for row in rows.values())
    table = {t["study"]: t for t in realizations_needed_table(list(rows.values()), 0.005)}
    assert table["phases"]["points"] == 2 and table["phases"]["nev5"] > table["phases"]["nev50"] > 1
    # The per-observable functions agree with the combined table.
    levels = {(r["study"], r["W"]): r for r in level_statistics(phases)}
    assert levels[("phases", 4.0)]["r"] == metal["r"] and levels[("phases", 4.0)]["r_error"] == metal["r_error"]
    mf = {(r["study"], r["W"]): r for r in multifractality(phases)}
    assert mf[("phases", 40.0)]["d2"] == insulator["d2"] and "r" not in mf[("phases", 40.0)]


def test_d2_across_sizes_and_pipeline(scan):
    points = analyse(scan, n_boot=100)
    assert len(points) == 10 and all(p.replicas["r"].shape == (100,) for p in points)
    sizes = {r["W"]: r for r in d2_system_size(points, n_boot=100)}
    assert set(sizes) == {6.0, 12.0, 18.0, 24.0, 30.0} and sizes[6.0]["sizes"] == "4;8"
    assert sizes[6.0]["d2_size"] > 2.0 > sizes[30.0]["d2_size"]  # <IPR> ~ L^-D2: extended vs localized
    rows, fits = finite_size_scaling(points, "r", order=1)
    assert {row["method"] for row in rows} <= {"fit", "crossing"} and "box" in fits
    assert all(set(row) <= set(FSS_FIELDS) for row in rows)


def synthetic_points(x_c=16.5, nu=1.57, sizes=(8, 12, 16), xs=np.linspace(14, 19, 11), sigma=0.003,
                     study="box", parameter="W", slope=-0.01):
    """Points of one study whose <r> follows a linear scaling function, with bootstrap replicas."""
    rng = np.random.default_rng(0)
    points = []
    for L in sizes:
        for x in xs:
            q = 0.47 + slope * (x - x_c) * L ** (1 / nu)
            replicas = q + sigma * rng.standard_normal(200)
            value = q + sigma * rng.standard_normal()
            row = dict(study=study, dim=3, L=L, W=2.0, p=1.0, flux=0.0, energy=0.0, r=value, r_error=sigma)
            row[parameter] = float(x)
            points.append(Point(row=row, replicas={"r": replicas}))
    return points


def test_scaling_of_points_recovers_the_critical_point():
    rows, fits = finite_size_scaling(synthetic_points(), "r", order=1)
    fit = [r for r in rows if r["method"] == "fit"][0]
    assert fit["parameter"] == "W" and fit["x_c_low"] < 16.5 < fit["x_c_high"]
    assert fit["nu_low"] < 1.57 < fit["nu_high"]
    assert fit["n_points"] == 33 and 0.5 < fit["chi2_dof"] < 1.6
    crossings = [r for r in rows if r["method"] == "crossing"]
    assert [(c["L1"], c["L2"]) for c in crossings] == [(8, 12), (12, 16)]
    assert all(c["x_c_low"] < 16.5 < c["x_c_high"] for c in crossings)
    # Studies are fitted separately, each along the parameter it scans (here p: site percolation).
    points = synthetic_points() + synthetic_points(0.44, 1.3, xs=np.linspace(0.38, 0.5, 9), study="site",
                                                   parameter="p", slope=1.0)
    rows, fits = finite_size_scaling(points, "r", order=1)
    site = [r for r in rows if r["method"] == "fit" and r["study"] == "site"][0]
    assert site["parameter"] == "p" and site["x_c_low"] < 0.44 < site["x_c_high"] and set(fits) == {"box", "site"}
    assert site["nu_low"] < 1.3 < site["nu_high"]
    # Any per-point quantity (here a classifier's P(metal) falling from 1 to 0) through the same
    # analysis, its errors redrawn within the standard errors.
    def p_metal(W, L):
        return float(0.5 - 0.5 * np.tanh(0.1 * (W - 16.5) * L ** (1 / 1.57)))

    cnn = [dict(L=L, W=float(W), p=1.0, flux=0.0, P_metal=p_metal(W, L), P_metal_stderr=0.01)
           for L in (8, 12, 16) for W in np.linspace(14, 19, 11)]
    cnn_rows, cnn_fit = scaling_table(cnn, "P_metal", "P_metal_stderr", study="box", observable="P_metal", order=3)
    assert cnn_fit is not None and cnn_fit.x_c_interval[0] < 16.5 < cnn_fit.x_c_interval[1]
    assert [r["method"] for r in cnn_rows] == ["crossing", "crossing", "fit"]
    assert all(abs(r["x_c"] - 16.5) < 1e-9 for r in cnn_rows[:2])  # exact curves cross on the grid point W_c
    # A window keeps only its points; too few points for the fit give a row that says so.
    rows, fits = finite_size_scaling(synthetic_points(), "r", window=(16.0, 16.6), order=3)
    assert fits == {} and any(r["method"].startswith("fit skipped") for r in rows)
    assert rows[-1]["n_points"] == 6 and rows[-1]["window"] == "16:16.6"


def test_cli_writes_tables_and_plots(scan, phases, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="wavelearn")
    cli.register(parser.add_subparsers(dest="command"))
    out = {name: str(tmp_path / name) for name in ("points.csv", "fss.csv", "sizes.csv", "criticality.png")}
    args = parser.parse_args(["criticality", *scan, *phases, "--csv", out["points.csv"], "--fss-csv", out["fss.csv"],
                              "--sizes-csv", out["sizes.csv"], "--plot", out["criticality.png"], "--order", "1",
                              "--bootstrap", "50", "--window", "5:31"])
    assert args.window == (5.0, 31.0)
    assert args.run(args) == 0
    printed = capsys.readouterr().out
    assert "r=" in printed and "D2=" in printed and "crossing" in printed and f"wrote {out['fss.csv']}" in printed
    assert "realizations at nev = 50" in printed
    with open(out["points.csv"]) as handle:
        points = list(csv.DictReader(handle))
    assert len(points) == 13 and list(points[0]) == list(FIELDS)
    with open(out["fss.csv"]) as handle:
        fss = list(csv.DictReader(handle))
    assert {r["observable"] for r in fss} == {"r", "d2_lambda"}
    assert {r["study"] for r in fss} == {"box", "phases", "field"}
    assert any(r["method"] == "fit" and r["study"] == "box" for r in fss)
    with open(out["criticality.png"], "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SystemExit):
        parser.parse_args(["criticality", *scan, "--csv", "x.csv", "--window", "9:3"])


def test_estimates_plot_and_bad_input(tmp_path):
    plot_estimates({"⟨r⟩ crossings": [dict(L=10, x_c=16.1, x_c_low=15.5, x_c_high=16.6)],
                    "CNN": [dict(L=8, x_c=14.3, x_c_low=14.1, x_c_high=14.5),
                            dict(L=20, x_c=16.0, x_c_low=15.7, x_c_high=16.2)]},
                   tmp_path / "estimates.png", reference=16.54)
    assert (tmp_path / "estimates.png").stat().st_size > 1000
    with h5py.File(tmp_path / "shard.h5", "w") as f:
        f.attrs["format"] = "wavelearn-eigenstates"
    with pytest.raises(DataError, match="not a wavelearn-dataset file"):
        criticality_rows([str(tmp_path / "shard.h5")])
    with h5py.File(tmp_path / "partial.h5", "w") as f:
        f.attrs.update(format="wavelearn-dataset", format_version=2, dim=3, L=4, nev=5)
        f.create_dataset("density", data=np.full((1, 4, 4, 4), 1 / 64, dtype=np.float32))
    with pytest.raises(DataError, match="'samples/W' is missing"):
        level_statistics([str(tmp_path / "partial.h5")])
