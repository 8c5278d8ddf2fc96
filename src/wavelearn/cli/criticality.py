"""``wavelearn criticality``: level statistics, multifractality and finite-size scaling per point."""

from __future__ import annotations

import argparse

from wavelearn.cli.options import number
from wavelearn.errors import ParameterError


def _window(text: str) -> tuple[float, float]:
    try:
        lo, hi = (number(v) for v in text.split(":"))
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(f"{text!r}: expected LOW:HIGH, two finite numbers, e.g. 14:19") from None
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"{text!r}: LOW must be below HIGH")
    return lo, hi


def _scan(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=FILE, e.g. anderson_cnn=L8.h5")
    return name, path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "criticality", help="level-spacing ratio, IPR and D2 per point; finite-size scaling of the transition",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Machine-learning-free observables of the transition, per point of the DATASET files
(one study and one L each, written by 'wavelearn gather'), as CSV:

  r          mean ratio of consecutive level spacings, min(s_n, s_n+1) / max(s_n, s_n+1), over
             each realization's window of nev levels around E: GOE 0.5307 (metal, real H),
             GUE 0.5996 (metal, magnetic field), Poisson 0.3863 (insulator); L-independent at
             the transition (Atas et al., PRL 110, 084101 (2013)).
  ipr        mean inverse participation ratio sum |psi|^4 (~ L^-d extended, O(1) localized).
  d2         correlation dimension from box-size scaling within the states: P_2(b) = sum over
             boxes of side b of (box weight)^2 ~ (b/L)^D2; d in the metal, 0 when localized.
  d2_lambda  ln <P_2(L/4)> / ln(1/4): D2 at the fixed box ratio b/L = 1/4, scale invariant at
             the transition (the finite-size-scaling quantity of the IPR family).

Errors are bootstrap standard deviations over disorder realizations. With --fss-csv, for r and
d2_lambda of every study: the crossings of the curves of successive L, and a fit of
Q = sum_k a_k [(x - x_c) L^(1/nu)]^k (+ b L^-y with --irrelevant) over the points in
--window, with x_c, nu, their bootstrap confidence intervals and chi^2/dof (x = W, p or flux,
whichever the study scans). --sizes-csv: D2 from <IPR> ~ L^-D2 across the sizes at each
disorder. --plot: <r> and D2 against x per L with the reference lines, and the scaling collapses.
Sizing: the error of <r> from R realizations with windows of nev levels is
sqrt(V(nev) / R), V from the measured variance of r (columns r_variance, r_lag1, r_between);
the command prints the R that reaches --target-error for nev = 5, 20, 50, 100.

The three estimates side by side (--estimates-csv, --estimates-plot; one study): the crossings
and fits of r and d2_lambda, and for every --scan NAME=FILE (the scans of this study by a
trained network NAME, 'wavelearn scan --h5') the P = 1/2 crossing at each L, the crossings and
the scaling fit of P(first class); with the literature value (W_c = 16.54, nu = 1.57 for the 3D
Anderson model with box disorder at E = 0, Slevin & Ohtsuki 2014), the relative deviation and
whether each interval covers it; the plot shows x_c against L per method.""")
    p.add_argument("datasets", nargs="+", metavar="DATASET", help="files written by 'wavelearn gather'")
    p.add_argument("--csv", required=True, help="CSV to write: one row per point")
    p.add_argument("--plot", default=None, help="PNG or PDF to write")
    p.add_argument("--fss-csv", default=None, help="CSV to write: crossings and scaling fits per study")
    p.add_argument("--sizes-csv", default=None, help="CSV to write: D2 from system-size scaling of the IPR")
    p.add_argument("--scan", action="append", default=[], type=_scan, metavar="NAME=FILE",
                   help="a scan file of this study by network NAME (repeat for every L and network)")
    p.add_argument("--estimates-csv", default=None, help="CSV to write: every estimate of the critical point")
    p.add_argument("--estimates-plot", default=None, help="PNG or PDF to write: the estimates against L")
    p.add_argument("--window", type=_window, default=None, metavar="LOW:HIGH",
                   help="fit only points with LOW <= x <= HIGH (default: all)")
    p.add_argument("--order", type=int, default=2, help="order n of the scaling polynomial (default 2)")
    p.add_argument("--irrelevant", action="store_true", help="add the irrelevant correction b L^-y to the fit")
    p.add_argument("--bootstrap", type=int, default=400, metavar="N", help="bootstrap replicas (default 400)")
    p.add_argument("--target-error", type=float, default=0.005, metavar="E",
                   help="print how many realizations per point give <r> the error E with windows of 5, 20, 50, "
                        "100 levels (from the measured variance of r; default 0.005)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from wavelearn.analysis.criticality import realizations_needed_table, write_criticality

    if not args.target_error > 0:
        raise ParameterError(f"--target-error {args.target_error}: must be > 0")
    if args.order < 1:
        raise ParameterError(f"--order {args.order}: the scaling polynomial needs order >= 1")
    estimates = bool(args.estimates_csv or args.estimates_plot)
    if args.scan and not estimates:
        raise ParameterError("--scan needs --estimates-csv or --estimates-plot")
    rows, fss_rows = write_criticality(args.datasets, args.csv, args.plot, args.fss_csv, args.sizes_csv,
                                       window=args.window, order=args.order, irrelevant=args.irrelevant,
                                       n_boot=args.bootstrap, scaling=estimates)
    if estimates:
        from wavelearn.analysis.estimates import study_estimates, write_estimates

        estimate_rows = study_estimates(args.datasets, rows, fss_rows, args.scan, window=args.window,
                                        order=args.order, n_boot=args.bootstrap)
        write_estimates(estimate_rows, args.estimates_csv, args.estimates_plot)
    for row in rows:
        print(f"{row['study']:>16} L={row['L']:<3} W={row['W']:<6g} p={row['p']:<5g} flux={row['flux']:<6g} "
              f"r={row['r']:.4f} ± {row['r_error']:.4f}  IPR={row['ipr']:.3e} ± {row['ipr_error']:.1e}  "
              f"D2={row['d2']:.3f} ± {row['d2_error']:.3f}")
    for row in fss_rows:
        head = f"{row['study']:>16} {row['observable']:<9} {row['method']}"
        if row["method"] == "crossing":
            print(f"{head} L={row['L1']},{row['L2']}: {row['parameter']}_c = {row['x_c']:.4g} "
                  f"[{row['x_c_low']:.4g}, {row['x_c_high']:.4g}]")
        elif row["method"] == "fit":
            print(f"{head} L={row['L1']}..{row['L2']}: {row['parameter']}_c = {row['x_c']:.4g} "
                  f"[{row['x_c_low']:.4g}, {row['x_c_high']:.4g}], nu = {row['nu']:.3g} "
                  f"[{row['nu_low']:.3g}, {row['nu_high']:.3g}], chi2/dof = {row['chi2_dof']:.2f}"
                  + ("  (at a bound of the search range: not constrained by the data)"
                     if row["at_bound"] else ""))
        else:
            print(head)
    for row in realizations_needed_table(rows, args.target_error):
        print(f"{row['study']:>16} <r> to ± {args.target_error:g} needs, per point: "
              + ", ".join(f"{row[f'nev{n}']} realizations at nev = {n}" for n in (5, 20, 50, 100)))
    if estimates:
        for row in estimate_rows:
            if row["estimate"] in ("crossing", "fit", "P=1/2"):
                print(f"{row['study']:>16} {row['method']:<22} {row['estimate']:<8} L={row['L1']},{row['L2']}: "
                      f"{row['parameter']}_c = {row['x_c']:.4g} [{row['x_c_low']:.4g}, {row['x_c_high']:.4g}]"
                      + (f", nu = {row['nu']:.3g}" if row["estimate"] == "fit" else "")
                      + (f"  (literature {row['x_c_literature']:g}, covered: {row['covers']})"
                         if row["covers"] else ""))
    for path in (args.csv, args.fss_csv, args.sizes_csv, args.plot, args.estimates_csv, args.estimates_plot):
        if path:
            print(f"wrote {path}")
    return 0
