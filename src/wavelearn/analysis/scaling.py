"""Finite-size scaling: the critical point x_c and the exponent nu from curves Q(x, L).

Near a continuous transition at x = x_c (disorder W for the Anderson model, occupation p for
percolation, or the flux) a dimensionless quantity Q (the mean level-spacing ratio, the CNN's
P(metal), a generalized dimension at fixed b/L) depends on x and L only through the scaling
variable u = (x - x_c) L^(1/nu), up to corrections from irrelevant operators:

    Q(x, L) = sum_{k=0..n} a_k u^k  +  b L^(-y),    u = (x - x_c) L^(1/nu),  y > 0

(Slevin & Ohtsuki, PRL 82, 382 (1999); New J. Phys. 16, 015012 (2014), who find
W_c = 16.54 and nu = 1.57 for the 3D Anderson model with box disorder at E = 0). The fit
minimises chi^2 = sum_i ((Q_i - Q(x_i, L_i)) / sigma_i)^2. The model is linear in a_k and b,
so for given (x_c, nu, y) they are solved exactly by weighted linear least squares and only
the nonlinear (x_c, nu, y) go to ``scipy.optimize.least_squares`` (variable projection),
started from a small grid of guesses to avoid local minima.

Confidence intervals come from a bootstrap: either replicas of every point supplied by the
caller (realizations resampled with replacement, the honest choice: it keeps the correlation
of each point's states), or points redrawn within their errors, Q_i + sigma_i xi_i. Each
replica is refitted; the interval is the central ``confidence`` fraction of the refitted
values.

The plain pairwise crossings of successive sizes are the other, assumption-light estimate:
the zero of Q(x, L2) - Q(x, L1), linearly interpolated between grid points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy.optimize import least_squares

from wavelearn.errors import DataError, ParameterError
from wavelearn.analysis.levels import DEFAULT_BOOTSTRAP

# Bounds of the nonlinear parameters: nu and the irrelevant exponent y stay positive and finite.
NU_BOUNDS = (0.1, 20.0)
Y_BOUNDS = (0.05, 10.0)


def _arrays(x, L, q, sigma):
    x, L, q = (np.asarray(a, dtype=np.float64).ravel() for a in (x, L, q))
    sigma = np.asarray(sigma, dtype=np.float64).ravel() if sigma is not None else np.ones_like(q)
    if not (x.shape == L.shape == q.shape == sigma.shape):
        raise DataError(f"scaling: x, L, Q and sigma differ in length "
                        f"({x.size}, {L.size}, {q.size}, {sigma.size})")
    if not np.all(sigma > 0) or not np.all(np.isfinite(sigma)):
        raise DataError("scaling: every error sigma must be finite and > 0 "
                        "(a point without error cannot be weighted)")
    if not np.all(np.isfinite(q)) or not np.all(np.isfinite(x)):
        raise DataError("scaling: x and Q must be finite")
    return x, L, q, sigma


@dataclass(frozen=True)
class ScalingFit:
    """Result of :func:`fit_scaling`; intervals are bootstrap percentile intervals."""

    x_c: float
    nu: float
    x_c_interval: tuple[float, float]
    nu_interval: tuple[float, float]
    x_c_error: float  # bootstrap standard deviation
    nu_error: float
    coefficients: tuple[float, ...]  # a_0 .. a_n
    correction: float | None  # b of b L^-y, None without the irrelevant term
    y: float | None
    chi2: float
    dof: int
    order: int
    n_points: int
    n_bootstrap: int  # replicas that converged
    resampling: str  # "realizations" or "errors"
    confidence: float
    at_bound: bool  # x_c or nu (or y) ended on a bound of its search range: the data do not constrain it
    replicas: np.ndarray = field(repr=False, default_factory=lambda: np.empty((0, 2)))  # (x_c, nu) per replica

    @property
    def chi2_dof(self) -> float:
        return self.chi2 / self.dof if self.dof > 0 else float("nan")

    def scaling_variable(self, x, L) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.x_c) * np.asarray(L, dtype=np.float64) ** (1.0 / self.nu)

    def correction_term(self, L) -> np.ndarray:
        L = np.asarray(L, dtype=np.float64)
        return np.zeros_like(L) if self.correction is None else self.correction * L ** (-self.y)

    def scaling_function(self, u) -> np.ndarray:
        return np.polynomial.polynomial.polyval(np.asarray(u, dtype=np.float64), self.coefficients)

    def predict(self, x, L) -> np.ndarray:
        return self.scaling_function(self.scaling_variable(x, L)) + self.correction_term(L)

    def as_row(self) -> dict:
        return dict(x_c=self.x_c, x_c_low=self.x_c_interval[0], x_c_high=self.x_c_interval[1],
                    x_c_error=self.x_c_error, nu=self.nu, nu_low=self.nu_interval[0], nu_high=self.nu_interval[1],
                    nu_error=self.nu_error, chi2=self.chi2, dof=self.dof, chi2_dof=self.chi2_dof,
                    order=self.order,
                    irrelevant=self.correction is not None, y=self.y if self.y is not None else float("nan"),
                    n_points=self.n_points, n_bootstrap=self.n_bootstrap, resampling=self.resampling,
                    at_bound=self.at_bound)


def _design(x, L, theta, order, correction):
    x_c, nu = theta[0], theta[1]
    u = (x - x_c) * L ** (1.0 / nu)
    columns = [u**k for k in range(order + 1)]
    if correction:
        columns.append(L ** (-theta[2]))
    return np.stack(columns, axis=1)


def _linear(x, L, q, w, theta, order, correction):
    """Weighted linear least squares for (a_0..a_n[, b]) at fixed (x_c, nu[, y])."""
    A = _design(x, L, theta, order, correction) * w[:, None]
    coef, *_ = np.linalg.lstsq(A, q * w, rcond=None)
    return coef, q * w - A @ coef


def _fit_once(x, L, q, w, theta0, bounds, order, correction):
    def residuals(theta):
        return _linear(x, L, q, w, theta, order, correction)[1]

    result = least_squares(residuals, theta0, bounds=bounds, x_scale="jac", method="trf")
    coef, res = _linear(x, L, q, w, result.x, order, correction)
    return result.x, coef, float(res @ res)


def _starts(x_lo, x_hi, correction, x_guess):
    centres = list(np.linspace(x_lo, x_hi, 7)[1:-1])
    if x_guess is not None and x_lo < x_guess < x_hi:
        centres.append(x_guess)
    starts = []
    for xc in centres:
        for nu in (0.7, 1.5, 3.0):
            starts.append([xc, nu, 2.0] if correction else [xc, nu])
    return starts


def fit_scaling(x: Sequence[float], L: Sequence[float], q: Sequence[float], sigma: Sequence[float] | None,
                order: int = 3, irrelevant: bool = False, replicas: np.ndarray | None = None,
                n_boot: int = 200, confidence: float = 0.95, seed: int = 0,
                x_guess: float | None = None) -> ScalingFit:
    """Fit Q(x, L) = sum_k a_k [(x - x_c) L^(1/nu)]^k (+ b L^-y) to points (x_i, L_i, Q_i +- sigma_i).

    ``replicas`` (n_replicas, n_points), if given, are bootstrap replicas of every Q_i from
    resampled realizations; otherwise ``n_boot`` replicas Q_i + sigma_i xi_i are drawn. x_c is
    searched within the range of x, nu in ``NU_BOUNDS``. ``x_guess`` (e.g. a crossing) adds a
    starting point.
    """
    x, L, q, sigma = _arrays(x, L, q, sigma)
    if order < 1:
        raise ParameterError(f"order={order}: the scaling function needs order >= 1 (a slope in u)")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence}: must lie in (0, 1)")
    sizes = np.unique(L)
    if sizes.size < 2:
        raise DataError(f"scaling: need at least two system sizes, got L = {', '.join(f'{v:g}' for v in sizes)}")
    n_params = 2 + order + 1 + (2 if irrelevant else 0)
    dof = x.size - n_params
    if dof < 1:
        raise DataError(f"scaling: {x.size} points cannot fit {n_params} parameters (order {order}"
                        f"{', irrelevant correction' if irrelevant else ''}); add points or lower the order")
    x_lo, x_hi = float(x.min()), float(x.max())
    if not x_hi > x_lo:
        raise DataError("scaling: all points share one x; a scan over x is needed")
    lower = [x_lo, NU_BOUNDS[0]] + ([Y_BOUNDS[0]] if irrelevant else [])
    upper = [x_hi, NU_BOUNDS[1]] + ([Y_BOUNDS[1]] if irrelevant else [])
    w = 1.0 / sigma

    best = None
    for theta0 in _starts(x_lo, x_hi, irrelevant, x_guess):
        theta0 = np.clip(theta0, lower, upper)
        theta, coef, chi2 = _fit_once(x, L, q, w, theta0, (lower, upper), order, irrelevant)
        if best is None or chi2 < best[2]:
            best = (theta, coef, chi2)
    theta, coef, chi2 = best
    span = np.subtract(upper, lower)
    at_bound = bool(np.any(np.minimum(theta - lower, np.subtract(upper, theta)) < 1e-6 * span))

    if replicas is not None:
        replicas = np.asarray(replicas, dtype=np.float64)
        if replicas.ndim != 2 or replicas.shape[1] != x.size:
            raise DataError(f"scaling: replicas must have shape (n, {x.size}), got {replicas.shape}")
        samples, resampling = replicas, "realizations"
    else:
        rng = np.random.default_rng(seed)
        samples, resampling = q + sigma * rng.standard_normal((n_boot, x.size)), "errors"
    fitted = []
    for sample in samples:
        try:
            t, _, _ = _fit_once(x, L, sample, w, theta, (lower, upper), order, irrelevant)
        except (ValueError, np.linalg.LinAlgError):
            continue  # a degenerate replica: it does not count towards the interval
        fitted.append(t[:2])
    fitted = np.array(fitted).reshape(-1, 2)
    tail = 100 * (1 - confidence) / 2
    if len(fitted) >= 2:
        (xc_lo, nu_lo), (xc_hi, nu_hi) = np.percentile(fitted, [tail, 100 - tail], axis=0)
        xc_err, nu_err = np.std(fitted, axis=0, ddof=1)
    else:
        xc_lo = xc_hi = nu_lo = nu_hi = xc_err = nu_err = float("nan")
    return ScalingFit(
        x_c=float(theta[0]), nu=float(theta[1]), x_c_interval=(float(xc_lo), float(xc_hi)),
        nu_interval=(float(nu_lo), float(nu_hi)), x_c_error=float(xc_err), nu_error=float(nu_err),
        coefficients=tuple(float(c) for c in coef[: order + 1]),
        correction=float(coef[order + 1]) if irrelevant else None, y=float(theta[2]) if irrelevant else None,
        chi2=chi2, dof=dof, order=order, n_points=int(x.size), n_bootstrap=len(fitted), resampling=resampling,
        confidence=confidence, at_bound=at_bound, replicas=fitted)


# ---------------------------------------------------------------------------------------------
# Pairwise crossings


@dataclass(frozen=True)
class Crossing:
    """Where Q(x, L2) - Q(x, L1) changes sign; ``interval`` is the bootstrap percentile interval
    of the crossing nearest to ``x`` in each replica (``n_valid`` replicas had one)."""

    L1: int
    L2: int
    x: float
    q: float  # Q at the crossing (linear interpolation of the L1 curve)
    x_error: float
    interval: tuple[float, float]
    n_valid: int
    n_crossings: int  # sign changes of the nominal difference in the overlap (1 for a clean crossing)

    def as_row(self) -> dict:
        return dict(L1=self.L1, L2=self.L2, x_cross=self.x, q_cross=self.q, x_error=self.x_error,
                    x_low=self.interval[0], x_high=self.interval[1], n_valid=self.n_valid,
                    n_crossings=self.n_crossings)


def curve_crossings(x1, q1, x2, q2) -> list[tuple[float, float]]:
    """All (x, Q) where two piecewise-linear curves cross, within the overlap of their x ranges.

    Both curves are linearly interpolated onto the union of their x values inside the overlap;
    a zero of the difference between two grid points is located by linear interpolation.
    """
    x1, q1, x2, q2 = (np.asarray(a, dtype=np.float64) for a in (x1, q1, x2, q2))
    o1, o2 = np.argsort(x1), np.argsort(x2)
    x1, q1, x2, q2 = x1[o1], q1[o1], x2[o2], q2[o2]
    lo, hi = max(x1[0], x2[0]), min(x1[-1], x2[-1])
    grid = np.unique(np.concatenate([x1, x2]))
    grid = grid[(grid >= lo) & (grid <= hi)]
    if grid.size < 2:
        return []
    a, b = np.interp(grid, x1, q1), np.interp(grid, x2, q2)
    d = b - a
    out = []
    for i in range(grid.size - 1):
        if d[i] == 0.0:
            out.append((float(grid[i]), float(a[i])))
        elif d[i] * d[i + 1] < 0:
            t = d[i] / (d[i] - d[i + 1])
            out.append((float(grid[i] + t * (grid[i + 1] - grid[i])), float(a[i] + t * (a[i + 1] - a[i]))))
    if d[-1] == 0.0:
        out.append((float(grid[-1]), float(a[-1])))
    return out


def pairwise_crossings(x: Sequence[float], L: Sequence[float], q: Sequence[float],
                       sigma: Sequence[float] | None = None, replicas: np.ndarray | None = None,
                       n_boot: int = DEFAULT_BOOTSTRAP, confidence: float = 0.95, seed: int = 0
                       ) -> list[Crossing]:
    """Crossings of the curves of successive sizes L1 < L2, with bootstrap errors.

    The errors come from ``replicas`` (n, n_points) if given, else from redrawing the points
    within ``sigma``; without either they are NaN. A pair whose curves do not cross in the
    overlap of their x ranges gives no row; a pair whose curves cross several times (noise)
    gives one row per crossing.
    """
    x, L, q, sig = _arrays(x, L, q, sigma)
    if replicas is not None:
        replicas = np.asarray(replicas, dtype=np.float64)
        if replicas.ndim != 2 or replicas.shape[1] != x.size:
            raise DataError(f"crossings: replicas must have shape (n, {x.size}), got {replicas.shape}")
    elif sigma is not None:
        replicas = q + sig * np.random.default_rng(seed).standard_normal((n_boot, x.size))
    sizes = np.unique(L)
    tail = 100 * (1 - confidence) / 2
    rows = []
    for L1, L2 in zip(sizes[:-1], sizes[1:]):
        m1, m2 = L == L1, L == L2
        nominal = curve_crossings(x[m1], q[m1], x[m2], q[m2])
        found = []
        if replicas is not None:
            for rep in replicas:
                found.append([c[0] for c in curve_crossings(x[m1], rep[m1], x[m2], rep[m2])])
        for xc, qc in nominal:
            picks = np.array([min(f, key=lambda v: abs(v - xc)) for f in found if f])
            if picks.size >= 2:
                err = float(np.std(picks, ddof=1))
                interval = tuple(float(v) for v in np.percentile(picks, [tail, 100 - tail]))
            else:
                err, interval = float("nan"), (float("nan"), float("nan"))
            rows.append(Crossing(L1=int(L1), L2=int(L2), x=xc, q=qc, x_error=err, interval=interval,
                                 n_valid=int(picks.size), n_crossings=len(nominal)))
    return rows


def collapse(fit: ScalingFit, x, L, q) -> tuple[np.ndarray, np.ndarray]:
    """Points on the scaling curve: (u, Q - b L^-y) for a collapse plot."""
    u = fit.scaling_variable(x, L)
    return u, np.asarray(q, dtype=np.float64) - fit.correction_term(L)

