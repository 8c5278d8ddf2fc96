"""The transition without machine learning: level statistics and multifractality per point,
finite-size scaling across L.

Per point (one study, one L, one W / p / flux, one energy) of gathered datasets:

* ``r``: the mean ratio of consecutive level spacings in each realization's window of nev
  levels around E (:mod:`wavelearn.analysis.levels`): GOE 0.5307 / GUE 0.5996 in the metal,
  Poisson 0.3863 in the insulator, an L-independent value at the transition.
* ``ipr``: the mean inverse participation ratio sum |psi|^4 of the states.
* ``d2``: the correlation dimension from box-size scaling within the states, slope of
  ln <P_2(b)> against ln(b/L) over the box sides b | L, b <= L/2
  (:mod:`wavelearn.analysis.multifractal`): d in the metal, 0 deep in the insulator.
* ``d2_lambda``: the same at one fixed box ratio lambda = b/L = 1/4, ln <P_2(L/4)> / ln(1/4).
  At the critical point the coarse-grained measure depends on b/L only, so this quantity is
  L-independent there and its curves cross at W_c: it is the scaling quantity of the IPR
  family used for finite-size scaling (NaN when 4 does not divide L).

Every error is a bootstrap over disorder realizations (states of one realization share it);
the bootstrap replicas of each point are kept for the scaling fits. Across L at fixed disorder:
D2 from <IPR> ~ L^-D2. Across points: finite-size-scaling fits and pairwise crossings of
``r`` and ``d2_lambda`` (:mod:`wavelearn.analysis.scaling`).
"""

from __future__ import annotations

import os
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import h5py
import numpy as np

from wavelearn.analysis.levels import DEFAULT_BOOTSTRAP, REFERENCE_R, RatioVariance, bootstrap_groups, \
    mean_ratio, ratio_variance, ratios_by_realization
from wavelearn.analysis.multifractal import box_moments, box_sizes, d2_from_sizes, point_d2
from wavelearn.analysis.scaling import collapse, fit_scaling, pairwise_crossings
from wavelearn.errors import DataError, ParameterError
from wavelearn.io.atomic import write_csv
from wavelearn.io.datasets import nondegenerate
from wavelearn.io.formats import DATASET, check_format, require
from wavelearn.io.integrity import density_block
from wavelearn.lattice.params import SCANNED, varying_parameters

LAMBDA = 0.25  # box ratio b/L of the fixed-lambda D2 used for scaling
POINT_KEYS = ("study", "dim", "L", "W", "p", "flux", "energy")
FIELDS = POINT_KEYS + ("nev", "realizations", "states", "degenerate_excluded", "ratios", "r", "r_error", "ipr", "ipr_error",
                       "d2", "d2_error", "d2_lambda", "d2_lambda_error", "r_variance", "r_lag1", "r_between")
SIZE_FIELDS = ("study", "dim", "W", "p", "flux", "energy", "sizes", "d2_size", "d2_size_error")
FSS_FIELDS = ("study", "observable", "parameter", "method", "L1", "L2", "x_c", "x_c_low", "x_c_high", "x_c_error",
              "nu", "nu_low", "nu_high", "nu_error", "chi2_dof", "order", "irrelevant", "y", "n_points",
              "n_crossings", "at_bound", "window")
OBSERVABLES = ("r", "d2_lambda")
LABELS = {"r": "⟨r⟩", "d2_lambda": f"D2(b/L = {LAMBDA:g})", "d2": "D2 (box scaling)", "ipr": "⟨IPR⟩"}
BLOCK = 256  # samples of density read at a time


@dataclass
class Point:
    """Observables of one point; ``row`` is what the CSV shows, ``replicas`` the bootstrap values
    of each observable (same length for every observable of the point) and ``ipr_realizations``
    the IPRs of each realization, for D2 across sizes."""

    row: dict
    replicas: dict = field(default_factory=dict)
    ipr_realizations: list = field(default_factory=list)


def _seed(key: tuple) -> int:
    """A bootstrap seed fixed by the point, so that reruns give the same error bars and the
    replicas of different points are drawn independently."""
    return zlib.crc32(repr(key).encode())


REQUIRED = ("density", "samples/W", "samples/p", "samples/flux", "samples/L", "samples/energy",
            "samples/eigenvalue", "samples/realization", "samples/multiplicity")


def _check(f: h5py.File, path) -> None:
    """A gathered dataset (format ``wavelearn-dataset``) with the columns read here."""
    check_format(f, DATASET, path)
    require(f, REQUIRED + ("dim", "L", "nev"), path)


def _groups(f: h5py.File) -> tuple[dict, dict]:
    """Samples columns and the sample indices of each point key (L, W, p, flux, energy);
    ``degenerate`` marks the vectors of degenerate levels (multiplicity > 1)."""
    columns = {name: f["samples"][name][()] for name in ("W", "p", "flux", "L", "energy", "eigenvalue",
                                                          "realization")}
    columns["degenerate"] = ~nondegenerate({"multiplicity": f["samples"]["multiplicity"][()]})
    groups = defaultdict(list)
    for i, key in enumerate(zip(columns["L"], columns["W"], columns["p"], columns["flux"], columns["energy"])):
        groups[tuple(float(k) for k in key)].append(i)
    return columns, {k: np.asarray(v) for k, v in sorted(groups.items())}


def _base_row(f: h5py.File, key: tuple, index: np.ndarray, realization: np.ndarray) -> dict:
    L, W, p, flux, energy = key
    return dict(study=str(f.attrs.get("study", "")), dim=int(f.attrs["dim"]), L=int(L), W=W, p=p, flux=flux,
                energy=energy, nev=int(f.attrs["nev"]), realizations=int(np.unique(realization[index]).size),
                states=int(index.size))


def _usable(columns: dict, index: np.ndarray) -> tuple[np.ndarray, int]:
    """The samples of a point that are wave functions of non-degenerate levels (the IPR and D2
    average them) and how many vectors of degenerate levels were left out."""
    degenerate = columns["degenerate"][index]
    return index[~degenerate], int(degenerate.sum())


def _level_point(columns: dict, index: np.ndarray, n_boot: int, seed: int) -> tuple[dict, np.ndarray]:
    """<r> of one point, and the variance model that sizes campaigns (NaN below nev = 5)."""
    ratios = ratios_by_realization(columns["eigenvalue"][index], columns["realization"][index],
                                   columns["degenerate"][index])
    nan = float("nan")
    if not any(len(r) for r in ratios):
        return dict(ratios=0, r=nan, r_error=nan, r_variance=nan, r_lag1=nan, r_between=nan), np.full(n_boot, nan)
    m = mean_ratio(ratios, n_boot=n_boot, seed=seed)
    try:
        v = ratio_variance(ratios)
        model = dict(r_variance=v.variance, r_lag1=v.lag1, r_between=v.between)
    except DataError:  # windows too narrow (nev < 5) or a single realization
        model = dict(r_variance=nan, r_lag1=nan, r_between=nan)
    return dict(ratios=m.ratios, r=m.mean, r_error=m.error, **model), m.replicas


def realizations_needed_table(rows: Sequence[dict], target_error: float, nevs: Sequence[int] = (5, 20, 50, 100)
                              ) -> list[dict]:
    """Per study, the realizations per point that give <r> the standard error ``target_error``
    with windows of each of ``nevs`` levels: the largest over the study's points of the
    prediction of :class:`~wavelearn.analysis.levels.RatioVariance` from the measured
    ``r_variance``, ``r_lag1``, ``r_between`` columns (points without them are skipped)."""
    out = []
    for study in sorted({r["study"] for r in rows}):
        models = [RatioVariance(variance=r["r_variance"], lag1=r["r_lag1"], between=r["r_between"], nev=r["nev"])
                  for r in rows if r["study"] == study and np.isfinite(r["r_variance"])]
        if models:
            needed = {f"nev{n}": max(m.realizations_needed(target_error, n) for m in models) for n in nevs}
            out.append(dict(study=study, target_error=target_error, points=len(models), **needed))
    return out


def level_statistics(paths: Sequence[str | os.PathLike], n_boot: int = DEFAULT_BOOTSTRAP) -> list[dict]:
    """Rows per point of the datasets: ``r`` (mean level-spacing ratio) and its bootstrap error."""
    rows = []
    for path in paths:
        with h5py.File(path, "r") as f:
            _check(f, path)
            columns, groups = _groups(f)
            for key, index in groups.items():
                row = _base_row(f, key, index, columns["realization"])
                row["degenerate_excluded"] = _usable(columns, index)[1]
                row.update(_level_point(columns, index, n_boot, _seed((row["study"], key)))[0])
                rows.append(row)
    return rows


def _moments(f: h5py.File, sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """IPR and P_2(b) of every sample, reading the densities block by block."""
    n = f["density"].shape[0]
    ipr, moments = np.empty(n), np.empty((n, len(sizes)))
    for start in range(0, n, BLOCK):
        block = density_block(f, start, start + BLOCK).astype(np.float64)
        m = box_moments(block, sizes)
        moments[start:start + len(block)] = m
        ipr[start:start + len(block)] = m[:, 0]  # b = 1: P_2 is the IPR itself
    return ipr, moments


def _multifractal_point(ipr, moments, sizes, L, realization, n_boot, seed) -> tuple[dict, dict, list]:
    keys = np.unique(realization)
    per_realization = [ipr[realization == k] for k in keys]
    ipr_reps = bootstrap_groups(per_realization, n_boot=n_boot, seed=seed)
    d2, d2_err, d2_reps = point_d2(moments, sizes, L, realization, n_boot=n_boot, seed=seed)
    nan = float("nan")
    if L % round(1 / LAMBDA) == 0:
        j = sizes.index(round(L * LAMBDA))
        rows = np.stack([moments[realization == k, j].mean() for k in keys])
        value = float(np.log(rows.mean()) / np.log(LAMBDA))
        draws = np.random.default_rng(seed).integers(0, len(keys), size=(n_boot, len(keys)))
        lam_reps = np.log(rows[draws].mean(axis=1)) / np.log(LAMBDA)
        lam_err = float(np.std(lam_reps, ddof=1))
    else:
        value, lam_err, lam_reps = nan, nan, np.full(n_boot, nan)
    row = dict(ipr=float(ipr.mean()), ipr_error=float(np.std(ipr_reps, ddof=1)), d2=d2, d2_error=d2_err,
               d2_lambda=value, d2_lambda_error=lam_err)
    return row, dict(ipr=ipr_reps, d2=d2_reps, d2_lambda=lam_reps), per_realization


def analyse(paths: Sequence[str | os.PathLike], n_boot: int = DEFAULT_BOOTSTRAP) -> list[Point]:
    """Every observable of every point of the datasets, with the bootstrap replicas."""
    if n_boot < 2:
        raise ParameterError(f"n_boot={n_boot}: the bootstrap needs at least 2 replicas")
    points = []
    for path in paths:
        with h5py.File(path, "r") as f:
            _check(f, path)
            columns, groups = _groups(f)
            L = int(f.attrs["L"])
            sizes = box_sizes(L)
            ipr, moments = _moments(f, sizes)
            base = {key: _base_row(f, key, index, columns["realization"]) for key, index in groups.items()}
        for key, index in groups.items():
            row = base[key]
            seed = _seed((row["study"], key))
            level_row, r_reps = _level_point(columns, index, n_boot, seed)
            row.update(level_row)
            good, row["degenerate_excluded"] = _usable(columns, index)
            if not len(good):  # every state of the point is a vector of a degenerate level
                nan = float("nan")
                row.update(ipr=nan, ipr_error=nan, d2=nan, d2_error=nan, d2_lambda=nan, d2_lambda_error=nan)
                mf_reps = {name: np.full(n_boot, nan) for name in ("ipr", "d2", "d2_lambda")}
                points.append(Point(row=row, replicas=dict(r=r_reps, **mf_reps), ipr_realizations=[]))
                continue
            mf_row, mf_reps, per_realization = _multifractal_point(
                ipr[good], moments[good], sizes, L, columns["realization"][good], n_boot, seed)
            row.update(mf_row)
            points.append(Point(row=row, replicas=dict(r=r_reps, **mf_reps), ipr_realizations=per_realization))
    return points


def multifractality(paths: Sequence[str | os.PathLike], n_boot: int = DEFAULT_BOOTSTRAP) -> list[dict]:
    """Rows per point: mean IPR, D2 from box-size scaling and D2 at b/L = 1/4, with errors."""
    keep = POINT_KEYS + ("realizations", "states", "ipr", "ipr_error", "d2", "d2_error", "d2_lambda",
                         "d2_lambda_error")
    return [{k: p.row[k] for k in keep} for p in analyse(paths, n_boot)]


def criticality_rows(paths: Sequence[str | os.PathLike], n_boot: int = DEFAULT_BOOTSTRAP) -> list[dict]:
    """One row per point with every observable (the columns of ``FIELDS``)."""
    return [{k: p.row[k] for k in FIELDS} for p in analyse(paths, n_boot)]


def d2_system_size(points: Iterable[Point], n_boot: int = DEFAULT_BOOTSTRAP) -> list[dict]:
    """D2 from <IPR>(L) ~ L^-D2 at each disorder (study, W, p, flux, energy) seen at >= 2 sizes."""
    by_disorder = defaultdict(dict)
    for pt in points:
        r = pt.row
        by_disorder[(r["study"], r["dim"], r["W"], r["p"], r["flux"], r["energy"])][r["L"]] = pt.ipr_realizations
    rows = []
    for key, by_size in sorted(by_disorder.items()):
        if len(by_size) < 2:
            continue
        d2, err, _ = d2_from_sizes(by_size, n_boot=n_boot, seed=_seed(key))
        rows.append(dict(zip(("study", "dim", "W", "p", "flux", "energy"), key),
                         sizes=";".join(str(L) for L in sorted(by_size)), d2_size=d2, d2_size_error=err))
    return rows


def scan_parameter(rows: Sequence[dict]) -> str:
    """The parameter a study scans (W, p or flux): the first one that varies in ``rows``."""
    return varying_parameters({k: [row[k] for row in rows] for k in SCANNED})[0]


def _studies(points: Sequence[Point]) -> dict[str, list[Point]]:
    out = defaultdict(list)
    for pt in points:
        out[pt.row["study"]].append(pt)
    return dict(sorted(out.items()))


def _scale(base: dict, x, L, q, sigma, replicas, order: int, irrelevant: bool, confidence: float
           ) -> tuple[list[dict], object]:
    """Crossings and the scaling fit of one set of curves; the fit is None when it cannot be made."""
    rows = []
    crossings = pairwise_crossings(x, L, q, sigma=None if replicas is not None else sigma, replicas=replicas,
                                   confidence=confidence) if len(x) else []
    for c in crossings:
        rows.append(dict(base, method="crossing", L1=c.L1, L2=c.L2, x_c=c.x, x_c_low=c.interval[0],
                         x_c_high=c.interval[1], x_c_error=c.x_error,
                         n_points=int(np.isin(L, (c.L1, c.L2)).sum()), n_crossings=c.n_crossings))
    try:
        fit = fit_scaling(x, L, q, sigma, order=order, irrelevant=irrelevant, replicas=replicas,
                          confidence=confidence, x_guess=crossings[-1].x if crossings else None)
    except DataError as err:
        rows.append(dict(base, method=f"fit skipped: {err}", n_points=len(x)))
        return rows, None
    r = fit.as_row()
    rows.append(dict(base, method="fit", L1=int(np.min(L)), L2=int(np.max(L)),
                     **{k: r[k] for k in ("x_c", "x_c_low", "x_c_high", "x_c_error", "nu", "nu_low", "nu_high",
                                          "nu_error", "chi2_dof", "order", "irrelevant", "y", "n_points",
                                          "at_bound")}))
    return rows, fit


def _window_text(window) -> str:
    return "" if window is None else f"{window[0]:g}:{window[1]:g}"


def finite_size_scaling(points: Sequence[Point], observable: str = "r", window: tuple[float, float] | None = None,
                        order: int = 2, irrelevant: bool = False, confidence: float = 0.95
                        ) -> tuple[list[dict], dict]:
    """Scaling fit and pairwise crossings of ``observable`` for each study of ``points``.

    Points with x outside ``window`` (inclusive), or without a finite value and error, are
    left out. Confidence intervals: bootstrap over realizations (each point's replicas). A
    study that cannot be fitted (too few points or sizes) gets a row with method
    ``"fit skipped: <reason>"``. Returns the rows (``FSS_FIELDS``) and, by study, (fit, the
    scanned parameter, the points fitted).
    """
    if observable not in OBSERVABLES:
        raise ParameterError(f"observable={observable!r} is not one of {', '.join(OBSERVABLES)}")
    rows, fits = [], {}
    for study, pts in _studies(points).items():
        parameter = scan_parameter([p.row for p in pts])
        keep = [p for p in pts if np.isfinite(p.row[observable]) and p.row[f"{observable}_error"] > 0
                and (window is None or window[0] <= p.row[parameter] <= window[1])]
        base = dict(study=study, observable=observable, parameter=parameter, window=_window_text(window))
        replicas = np.stack([p.replicas[observable] for p in keep], axis=1) if keep else None
        study_rows, fit = _scale(base, np.array([p.row[parameter] for p in keep]),
                                 np.array([p.row["L"] for p in keep]), np.array([p.row[observable] for p in keep]),
                                 np.array([p.row[f"{observable}_error"] for p in keep]), replicas, order, irrelevant,
                                 confidence)
        rows += study_rows
        if fit is not None:
            fits[study] = (fit, parameter, keep)
    return rows, fits


def scaling_table(rows: Sequence[dict], value: str, error: str, study: str = "", observable: str | None = None,
                  replicas: np.ndarray | None = None, window: tuple[float, float] | None = None, order: int = 2,
                  irrelevant: bool = False, confidence: float = 0.95) -> tuple[list[dict], object]:
    """Crossings and scaling fit of any per-point quantity of one study, e.g. the CNN's
    P(metal) per point (rows with ``L``, ``W``, ``p``, ``flux``, ``value`` and ``error``
    columns, as :func:`wavelearn.analysis.critical.point_probabilities` writes them).

    ``replicas`` (n, len(rows)): bootstrap replicas of every row's value over its
    realizations; without them the points are redrawn within ``error``. Returns the rows
    (``FSS_FIELDS``) and the :class:`~wavelearn.analysis.scaling.ScalingFit` (None if none).
    """
    parameter = scan_parameter(rows)
    keep = [i for i, r in enumerate(rows) if np.isfinite(r[value]) and r[error] > 0
            and (window is None or window[0] <= r[parameter] <= window[1])]
    if replicas is not None:
        replicas = np.asarray(replicas, dtype=np.float64)
        if replicas.ndim != 2 or replicas.shape[1] != len(rows):
            raise DataError(f"scaling_table: replicas must have shape (n, {len(rows)}), got {replicas.shape}")
        replicas = replicas[:, keep]
    base = dict(study=study, observable=observable or value, parameter=parameter, window=_window_text(window))
    return _scale(base, np.array([rows[i][parameter] for i in keep]), np.array([rows[i]["L"] for i in keep]),
                  np.array([rows[i][value] for i in keep]), np.array([rows[i][error] for i in keep]), replicas,
                  order, irrelevant, confidence)


def write_criticality(paths: Sequence[str], csv_path: str, plot_path: str | None = None,
                      fss_csv: str | None = None, sizes_csv: str | None = None,
                      window: tuple[float, float] | None = None, order: int = 2, irrelevant: bool = False,
                      n_boot: int = DEFAULT_BOOTSTRAP, scaling: bool = False) -> tuple[list[dict], list[dict]]:
    """Everything the ``wavelearn criticality`` command writes; returns (point rows, FSS rows).
    The FSS rows are computed when written, plotted, or asked for by ``scaling``."""
    points = analyse(paths, n_boot)
    rows = [{k: p.row[k] for k in FIELDS} for p in points]
    write_csv(csv_path, rows, FIELDS)
    fss_rows, fits = [], {}
    if fss_csv or plot_path or scaling:
        for observable in OBSERVABLES:
            obs_rows, obs_fits = finite_size_scaling(points, observable, window, order, irrelevant)
            fss_rows += obs_rows
            fits.update({(study, observable): fit for study, fit in obs_fits.items()})
    if fss_csv:
        write_csv(fss_csv, fss_rows, FSS_FIELDS)
    if sizes_csv:
        write_csv(sizes_csv, d2_system_size(points, n_boot), SIZE_FIELDS)
    if plot_path:
        plot_criticality(rows, fits, plot_path)
    return rows, fss_rows


# ---------------------------------------------------------------------------------------------
# Plots


def _curves(rows: Sequence[dict], parameter: str) -> dict:
    """Rows of one study grouped into curves: one per L (and per value of the other scanned
    parameters that vary), each sorted along ``parameter``."""
    others = [k for k in varying_parameters({k: [r[k] for r in rows] for k in SCANNED}) if k != parameter]
    curves = defaultdict(list)
    for r in rows:
        curves[(r["L"], *(r[k] for k in others))].append(r)
    return {(f"L={key[0]}" + "".join(f", {k}={v:g}" for k, v in zip(others, key[1:]))):
            sorted(c, key=lambda r: r[parameter]) for key, c in sorted(curves.items())}


def _panel_observable(ax, rows, parameter, observable) -> None:
    for label, curve in _curves(rows, parameter).items():
        ax.errorbar([r[parameter] for r in curve], [r[observable] for r in curve],
                    yerr=[r[f"{observable}_error"] for r in curve], marker="o", ms=3, capsize=2, label=label)
    ax.set_xlabel(parameter)
    ax.set_ylabel(LABELS[observable])


def _reference_lines(ax, rows) -> None:
    complex_h = any(r["flux"] != 0 for r in rows)
    for name, value in REFERENCE_R.items():
        style = "-" if (name == "GUE") == complex_h or name == "Poisson" else ":"
        ax.axhline(value, color="grey", lw=0.8, ls=style)
        ax.annotate(f"{name} {value:.4f}", (1.0, value), xycoords=("axes fraction", "data"), xytext=(-3, 2),
                    textcoords="offset points", ha="right", fontsize=7, color="grey")


def _panel_collapse(ax, fit_entry, study, observable) -> None:
    fit, parameter, pts = fit_entry
    by_L = defaultdict(list)
    for p in pts:
        by_L[p.row["L"]].append(p.row)
    for L, rows in sorted(by_L.items()):
        u, q = collapse(fit, [r[parameter] for r in rows], [L] * len(rows), [r[observable] for r in rows])
        ax.errorbar(u, q, yerr=[r[f"{observable}_error"] for r in rows], ls="none", marker="o", ms=3, capsize=2,
                    label=f"L={L}")
    grid = np.linspace(*ax.get_xlim(), 200)
    ax.plot(grid, fit.scaling_function(grid), "k-", lw=1)
    ax.set_xlabel(f"({parameter} − {parameter}_c) L^(1/ν)")
    ax.set_ylabel(LABELS[observable] + (" − b L^(−y)" if fit.correction is not None else ""))
    ax.set_title(f"{study}: collapse of {LABELS[observable]}\n"
                 f"{parameter}_c = {fit.x_c:.3f} [{fit.x_c_interval[0]:.3f}, {fit.x_c_interval[1]:.3f}], "
                 f"ν = {fit.nu:.2f} [{fit.nu_interval[0]:.2f}, {fit.nu_interval[1]:.2f}], "
                 f"χ²/dof = {fit.chi2_dof:.2f}", fontsize=7)


def plot_criticality(rows: Sequence[dict], fits: dict, path: str) -> None:
    """One row of panels per study: <r> against the scanned parameter per L with the GOE, GUE
    and Poisson lines; D2 (box scaling) against it with the lines D2 = d and 0; and the scaling
    collapse of <r> and of D2(b/L = 1/4) where a fit exists (``fits`` keyed by (study, observable))."""
    from wavelearn.io.figures import pyplot, save_figure

    plt = pyplot()
    studies = sorted({r["study"] for r in rows})
    fig, axes = plt.subplots(len(studies), 4, figsize=(17, 3.8 * len(studies)), squeeze=False)
    for ax_row, study in zip(axes, studies):
        pts = [r for r in rows if r["study"] == study]
        parameter = scan_parameter(pts)
        _panel_observable(ax_row[0], pts, parameter, "r")
        _reference_lines(ax_row[0], pts)
        ax_row[0].set_title(f"{study}: level-spacing ratio", fontsize=9)
        _panel_observable(ax_row[1], pts, parameter, "d2")
        ax_row[1].axhline(pts[0]["dim"], color="grey", lw=0.8)
        ax_row[1].axhline(0, color="grey", lw=0.8)
        ax_row[1].set_title(f"{study}: correlation dimension", fontsize=9)
        for ax, observable in zip(ax_row[2:], OBSERVABLES):
            if (study, observable) in fits:
                _panel_collapse(ax, fits[(study, observable)], study, observable)
            else:
                ax.text(0.5, 0.5, f"{study}: no scaling fit of {LABELS[observable]}\n(see the FSS table)",
                        ha="center", transform=ax.transAxes, fontsize=8)
                ax.set_axis_off()
        for ax in ax_row:
            if ax.has_data():
                ax.legend(fontsize=7)
    save_figure(fig, path)


def plot_estimates(estimates: dict[str, Sequence[dict]], path: str, reference: float | None = None,
                   parameter: str = "W") -> None:
    """Critical-point estimates against L, one series per method (e.g. "⟨r⟩ crossings", "CNN").

    Each estimate is a dict with ``L`` (for a crossing of L1 and L2, their geometric mean is a
    fair abscissa), ``x_c``, ``x_c_low``, ``x_c_high``; ``reference`` draws the literature value.
    """
    from wavelearn.io.figures import pyplot, save_figure

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.8))
    for i, (method, points) in enumerate(estimates.items()):
        points = sorted(points, key=lambda e: e["L"])
        L = np.array([e["L"] for e in points], dtype=float) * (1 + 0.01 * i)  # offset so bars do not overlap
        x = np.array([e["x_c"] for e in points])
        lo = np.array([e["x_c_low"] for e in points])
        hi = np.array([e["x_c_high"] for e in points])
        ax.errorbar(L, x, yerr=[np.clip(x - lo, 0, None), np.clip(hi - x, 0, None)], marker="o", capsize=3,
                    label=method)
    if reference is not None:
        ax.axhline(reference, color="k", lw=0.8, ls="--", label=f"literature {reference:g}")
    ax.set_xlabel("L")
    ax.set_ylabel(f"{parameter}_c")
    ax.legend(fontsize=7)
    save_figure(fig, path)
