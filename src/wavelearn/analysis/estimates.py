"""The critical point three ways, side by side: level statistics, multifractality and the CNN.

For one study the rows of :func:`critical_points` hold every estimate of the critical point
x_c (W_c, p_c or the critical flux) and of the exponent nu:

* ``<r>`` and ``D2(b/L=1/4)``: the pairwise crossings of successive sizes and the
  finite-size-scaling fit of :mod:`wavelearn.analysis.criticality` (bootstrap over realizations);
* ``CNN <net>``: for each scan of a trained classifier, the P = 1/2 crossing at each L
  (:func:`wavelearn.analysis.critical.critical_point`), and the crossings and the scaling fit
  of P(first class) per point (:func:`wavelearn.analysis.criticality.scaling_table`, the points
  redrawn within their standard errors over realizations);

each with the literature value where one is known (:func:`literature`), the relative
deviation from it and whether the interval covers it.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from typing import Sequence

import h5py
import numpy as np

from wavelearn.analysis.critical import critical_point, point_probabilities
from wavelearn.analysis.criticality import LABELS, scaling_table
from wavelearn.io.atomic import write_csv
from wavelearn.io.scans import ScanResult

ESTIMATE_FIELDS = ("study", "method", "estimate", "parameter", "L1", "L2", "x_c", "x_c_low", "x_c_high", "nu",
                   "nu_low", "nu_high", "chi2_dof", "n_points", "at_bound", "x_c_literature", "nu_literature",
                   "deviation", "covers", "reference")

# Published critical points at E = 0 (the band centre).
SLEVIN_OHTSUKI_2014 = "Slevin & Ohtsuki, New J. Phys. 16, 015012 (2014)"
SLEVIN_OHTSUKI_2016 = "Slevin & Ohtsuki, J. Phys. Soc. Jpn. 85, 104712 (2016)"
NU_ORTHOGONAL = 1.57  # 3D orthogonal class (time-reversal symmetric, spinless)
NU_UNITARY = 1.443  # 3D unitary class (magnetic field)


def literature(model: str, dim: int, distribution: str, parameter: str, energy: float, flux: float) -> dict:
    """The literature values for a study: ``x_c`` (NaN where wavelearn knows none), ``nu`` and
    ``reference``. W_c = 16.54, nu = 1.57 for the 3D Anderson model with box disorder at E = 0
    without field; nu is universal, so every 3D orthogonal study gets 1.57 and a 3D study in a
    field (unitary class) 1.443. Empty for 2D (no transition in the orthogonal class)."""
    nan = float("nan")
    if dim != 3:
        return {}
    if flux != 0:
        return dict(x_c=nan, nu=NU_UNITARY, reference=f"nu: {SLEVIN_OHTSUKI_2016}")
    if model == "anderson" and distribution == "box" and parameter == "W" and energy == 0:
        return dict(x_c=16.54, nu=NU_ORTHOGONAL, reference=SLEVIN_OHTSUKI_2014)
    return dict(x_c=nan, nu=NU_ORTHOGONAL, reference=f"nu: {SLEVIN_OHTSUKI_2014}")


def study_literature(paths: Sequence[str | os.PathLike], rows: Sequence[dict], parameter: str) -> dict:
    """:func:`literature` for the study of the datasets ``paths`` (their model attributes) and
    its point rows (energy, flux); empty when the points mix energies or fluxes."""
    with h5py.File(paths[0], "r") as f:
        model, dim, distribution = (str(f.attrs["model"]), int(f.attrs["dim"]), str(f.attrs["distribution"]))
    energies, fluxes = {r["energy"] for r in rows}, {r["flux"] for r in rows}
    if len(energies) != 1 or (len(fluxes) != 1 and parameter != "flux"):
        return {}
    return literature(model, dim, distribution, parameter, energies.pop(), 0.0 if parameter == "flux" else fluxes.pop())


def _method(observable: str) -> str:
    if observable.startswith("cnn:"):
        return f"CNN {observable[4:]}"
    return LABELS.get(observable, observable)


def _compare(row: dict, lit: dict) -> dict:
    """Literature columns of an estimate row."""
    nan = float("nan")
    x_lit, nu_lit = lit.get("x_c", nan), lit.get("nu", nan)
    x, lo, hi = row.get("x_c", nan), row.get("x_c_low", nan), row.get("x_c_high", nan)
    deviation = (x - x_lit) / x_lit if math.isfinite(x_lit) and math.isfinite(x) else nan
    covers = "" if not (math.isfinite(x_lit) and math.isfinite(lo) and math.isfinite(hi)) else str(lo <= x_lit <= hi)
    return dict(x_c_literature=x_lit, nu_literature=nu_lit, deviation=deviation, covers=covers,
                reference=lit.get("reference", ""))


def from_fss(fss_rows: Sequence[dict], lit: dict) -> list[dict]:
    """Estimate rows from the rows of the FSS table (``criticality.FSS_FIELDS``)."""
    out = []
    for r in fss_rows:
        nan = float("nan")
        row = dict(study=r["study"], method=_method(r["observable"]), estimate=r["method"], parameter=r["parameter"],
                   L1=r.get("L1", ""), L2=r.get("L2", ""), x_c=r.get("x_c", nan), x_c_low=r.get("x_c_low", nan),
                   x_c_high=r.get("x_c_high", nan), nu=r.get("nu", nan), nu_low=r.get("nu_low", nan),
                   nu_high=r.get("nu_high", nan), chi2_dof=r.get("chi2_dof", nan), n_points=r.get("n_points", ""),
                   at_bound=r.get("at_bound", ""))
        out.append({**row, **_compare(row, lit)})
    return out


def cnn_estimates(study: str, network: str, result: ScanResult, lit: dict, window=None, order: int = 2,
                  n_boot: int = 400) -> list[dict]:
    """The CNN's estimates from one scan of ``study``: the P = 1/2 crossing of each L, then the
    crossings of successive sizes and the scaling fit of P(first class) per point."""
    name = result.classes[0]
    rows = []
    for L in sorted(np.unique(result.meta["L"]).tolist()):
        x, lo, hi = critical_point(result, int(L), n_boot=n_boot)
        row = dict(study=study, method=f"CNN {network}", estimate="P=1/2", parameter=result.parameter, L1=int(L),
                   L2=int(L), x_c=x, x_c_low=lo, x_c_high=hi, n_points=int(np.sum(result.meta["L"] == L)))
        rows.append({**row, **_compare(row, lit)})
    points = [dict(r, study=study) for r in point_probabilities(result)]
    if len({r["L"] for r in points}) >= 2:
        fss, _ = scaling_table(points, f"P_{name}", f"P_{name}_stderr", study=study, observable=f"cnn:{network}",
                               window=window, order=order)
        rows += from_fss(fss, lit)
    return rows


def study_estimates(paths: Sequence[str | os.PathLike], rows: Sequence[dict], fss_rows: Sequence[dict],
                    scans: Sequence[tuple[str, str]] = (), window=None, order: int = 2, n_boot: int = 400
                    ) -> list[dict]:
    """Every estimate of one study: the FSS rows of r and d2_lambda (from ``wavelearn
    criticality``) and the CNN's estimates from the scans ``(network, file)`` of this study."""
    from wavelearn.analysis.criticality import scan_parameter
    from wavelearn.errors import ParameterError
    from wavelearn.io.scans import read_scans

    studies = sorted({r["study"] for r in rows})
    if len(studies) != 1:
        raise ParameterError(f"the estimates side by side take the datasets of one study, got {studies}")
    parameter = scan_parameter(rows)
    lit = study_literature(paths, rows, parameter)
    out = from_fss(fss_rows, lit)
    by_network = defaultdict(list)
    for network, path in scans:
        by_network[network].append(path)
    for network, files in by_network.items():
        out += cnn_estimates(studies[0], network, read_scans(files), lit, window=window, order=order, n_boot=n_boot)
    return out


def write_estimates(rows: Sequence[dict], csv_path: str | None, plot_path: str | None) -> None:
    if csv_path:
        write_csv(csv_path, rows, ESTIMATE_FIELDS)
    if plot_path:
        plot_critical_points(rows, plot_path)


def plot_critical_points(rows: Sequence[dict], path: str) -> None:
    """One panel per study: x_c against L for every method with its interval — crossings of
    L1, L2 at their geometric mean, P = 1/2 points at their L, scaling fits at the largest L
    (open markers) — and the literature value as a dashed line."""
    from wavelearn.io.figures import pyplot, save_figure

    plt = pyplot()
    studies = sorted({r["study"] for r in rows}) or [""]
    fig, axes = plt.subplots(1, len(studies), figsize=(5.5 * len(studies), 4), squeeze=False)
    for ax, study in zip(axes[0], studies):
        series = defaultdict(list)
        lit, parameter = float("nan"), "W"
        for r in rows:
            if r["study"] != study or r["estimate"] not in ("crossing", "fit", "P=1/2") or not math.isfinite(r["x_c"]):
                continue
            parameter, lit = r["parameter"], r["x_c_literature"]
            L = math.sqrt(r["L1"] * r["L2"]) if r["estimate"] == "crossing" else float(r["L2"])
            series[(r["method"], r["estimate"])].append((L, r["x_c"], r["x_c_low"], r["x_c_high"]))
        for i, ((method, estimate), pts) in enumerate(sorted(series.items())):
            pts = np.array(sorted(pts), dtype=float)
            L, x, lo, hi = pts.T * np.array([[1 + 0.015 * i], [1], [1], [1]])  # offset so bars do not overlap
            err = np.nan_to_num([np.clip(x - lo, 0, None), np.clip(hi - x, 0, None)])
            joined = estimate != "fit" and len(set(pts[:, 0])) == len(pts)  # several crossings of one pair: no line
            ax.errorbar(L, x, yerr=err, marker="s" if estimate == "fit" else "o", capsize=3,
                        mfc="none" if estimate == "fit" else None, ls="-" if joined else "none",
                        label=f"{method} {estimate}")
        if math.isfinite(lit):
            ax.axhline(lit, color="k", lw=0.8, ls="--", label=f"literature {lit:g}")
        ax.set_xlabel("L (crossings: sqrt(L1 L2))")
        ax.set_ylabel(f"{parameter}_c")
        ax.set_title(f"{study}: critical point by method", fontsize=9)
        if ax.has_data():
            ax.legend(fontsize=6)
    save_figure(fig, path)
