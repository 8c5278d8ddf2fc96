"""The eigen-solver interface shared by every backend.

A backend finds the ``nev`` eigenpairs (lambda, psi) of a Hermitian H closest to a target
energy E (:class:`SolverSettings`), or the ``nev`` lowest ones (:class:`LowestSettings`: ground
states of many-body Hamiltonians). All backends hand their raw pairs to :func:`finish`, which sorts them by
|lambda - E|, makes exactly degenerate levels orthonormal, and computes the residuals
||H psi - lambda psi||_2 the same way for everyone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from wavelearn import checks
from wavelearn.errors import ConvergenceError, ParameterError


# MUMPS ICNTL(7) codes of the fill-reducing orderings Debian's MUMPS provides (no METIS; SCOTCH
# only in the sequential library of the mumps backend).
MUMPS_ORDERINGS = {"amd": 0, "amf": 2, "scotch": 3, "pord": 4, "qamd": 6}
# Measured best for 3D lattices (docs/benchmarks.md): fewest flops at L = 24 and 40, and
# deterministic (SCOTCH needs one thread and a reset random generator to be).
DEFAULT_ORDERING = "pord"
ORDERINGS = ("auto", *MUMPS_ORDERINGS)
# MUMPS workspace margins (ICNTL(14), % above the analysis' estimate), tried in turn when a
# factorisation runs out of it (delayed pivots at an almost singular shift).
WORKSPACE_PERCENT = (50, 400, 2000)
FACTORIZATIONS = ("auto", "lu", "ldlt")
# The loosest relative tolerance of a solve (the config schema's maximum of ``tol`` too).
TOL_MAX = 1e-6


@dataclass(frozen=True)
class SolverSettings:
    """Numerical settings of an interior eigen-solve.

    ``target``        E, the energy the eigenvalues should be closest to (units of t).
    ``nev``           number of eigenpairs wanted.
    ``tol``           relative convergence tolerance of the iterative backends.
    ``max_it``        maximum number of restarts/iterations of the iterative backends.
    ``ncv``           Krylov subspace size (None: the backend's default).
    ``shift_offset``  the shift-and-invert pole is sigma = E + shift_offset. A tiny offset
                      keeps H - sigma from being exactly singular when E is itself an
                      eigenvalue (percolation at E = 0 has many); it changes nothing else,
                      since results are still ordered by |lambda - E|.
    ``ordering``      fill-reducing ordering of the MUMPS factorisation (mumps, slepc backends):
                      ``auto`` (PORD, measured best on 3D lattices) or one of MUMPS's ``amd``,
                      ``amf``, ``pord``, ``qamd``, ``scotch`` (mumps backend only: the MPI MUMPS
                      PETSc links against is built without SCOTCH).
    ``factorization`` ``auto`` (LDL^T when H is real, LU when complex), ``lu`` or ``ldlt``.
    """

    target: float = 0.0
    nev: int = 5
    tol: float = 1e-10
    max_it: int = 1000
    ncv: int | None = None
    shift_offset: float = 1e-9
    ordering: str = "auto"
    factorization: str = "auto"

    def __post_init__(self) -> None:
        checks.number("target", self.target)
        checks.integer("nev", self.nev, 1)
        # A looser tolerance would also loosen the residual check every result passes (residual_limit).
        checks.number("tol", self.tol, maximum=TOL_MAX, positive=True)
        checks.integer("max_it", self.max_it, 1)
        checks.number("shift_offset", self.shift_offset)
        if self.ncv is not None and checks.integer("ncv", self.ncv, 1) <= self.nev:
            raise ParameterError(f"ncv={self.ncv} must exceed nev={self.nev}")
        if self.factorization not in FACTORIZATIONS:
            raise ParameterError(f"factorization={self.factorization!r} is not one of {', '.join(FACTORIZATIONS)}")
        if self.ordering not in ORDERINGS:
            raise ParameterError(f"ordering={self.ordering!r} is not one of {', '.join(ORDERINGS)}")

    @property
    def mumps_ordering(self) -> str:
        """The ordering MUMPS is given: ``auto`` resolved to :data:`DEFAULT_ORDERING`."""
        return DEFAULT_ORDERING if self.ordering == "auto" else self.ordering

    @property
    def sigma(self) -> float:
        return self.target + self.shift_offset

    @property
    def which(self) -> str:
        """``nearest``: the pairs closest to ``target`` (shift-and-invert); see :class:`LowestSettings`."""
        return "nearest"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LowestSettings(SolverSettings):
    """The ``nev`` lowest (algebraically smallest) eigenpairs, sorted ascending.

    No shift-and-invert: Krylov-Schur (slepc) or ARPACK (scipy) on H itself, which finds the
    extremal eigenvalues without a factorisation — what a many-body ground state needs.
    ``target``, ``shift_offset``, ``ordering`` and ``factorization`` are unused.
    """

    @property
    def which(self) -> str:
        return "smallest"


@dataclass
class Eigenpairs:
    """Result of one solve. ``vectors`` columns are normalised eigenvectors.

    Under MPI only rank 0 holds ``vectors`` (None elsewhere); every rank holds ``values``.
    ``timings`` are seconds: ``setup`` (matrix assembly), ``factor`` (factorisation, when the
    backend can tell; mumps: ordering and analysis included, which ``analysis`` (mumps only, 0
    when reused from the previous realization) separates), ``solve`` (the whole eigen-solve
    including the factorisation).
    """

    values: np.ndarray
    vectors: np.ndarray | None
    residuals: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


class EigenSolver(Protocol):
    """A backend: ``solve(H, settings)`` returns the ``nev`` pairs closest to the target."""

    name: str

    def solve(self, matrix: sp.spmatrix, settings: SolverSettings) -> Eigenpairs: ...


def is_real(matrix: sp.spmatrix) -> bool:
    """Whether H has no imaginary part (no magnetic field): real arithmetic is exact for it."""
    data = matrix.data if sp.issparse(matrix) else np.asarray(matrix)
    return not np.iscomplexobj(data) or not np.any(data.imag)


def arithmetic(matrix: sp.spmatrix) -> str:
    """``real`` or ``complex``: the scalars a backend that follows the matrix's dtype computes in."""
    return "complex" if np.iscomplexobj(matrix.data if sp.issparse(matrix) else matrix) else "real"


def check_size(dimension: int, settings: SolverSettings) -> None:
    if settings.nev >= dimension:
        raise ParameterError(
            f"nev={settings.nev} must be smaller than the Hilbert-space dimension {dimension}"
        )


def require_converged(converged: int, settings: SolverSettings, backend: str) -> None:
    if converged < settings.nev:
        raise ConvergenceError(
            f"{backend}: only {converged} of nev={settings.nev} eigenpairs converged near "
            f"E={settings.target} (tol={settings.tol:g}, max_it={settings.max_it})",
            converged=converged,
            requested=settings.nev,
        )


def degenerate_clusters(values: np.ndarray, tol: float) -> list[np.ndarray]:
    """Groups of indices (into ``values``) whose eigenvalues agree within ``tol``."""
    order = np.argsort(values, kind="stable")
    groups, current = [], [order[0]]
    for previous, index in zip(order[:-1], order[1:]):
        if values[index] - values[previous] <= tol:
            current.append(index)
        else:
            groups.append(np.array(current))
            current = [index]
    groups.append(np.array(current))
    return groups


def residual_norms(matrix: sp.spmatrix, values: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """||H psi_i - lambda_i psi_i||_2 for every column psi_i."""
    return np.linalg.norm(matrix @ vectors - vectors * values[np.newaxis, :], axis=0)


def residual_limit(values: np.ndarray, settings: SolverSettings) -> float:
    """The largest ||H psi - lambda psi|| a returned pair may have."""
    scale = max(1.0, float(np.max(np.abs(values))))
    return max(1e-6, 1e3 * settings.tol) * max(scale, abs(settings.target) + 1.0)


def converged_only(matrix: sp.spmatrix, values: np.ndarray, vectors: np.ndarray,
                   settings: SolverSettings) -> tuple[np.ndarray, np.ndarray]:
    """The raw pairs whose residual is below :func:`residual_limit` (all of them, unchanged, usually).

    Shift-and-invert at a pole next to an exactly degenerate level (theta ~ 1e9 beside O(1))
    can make a Krylov solver report a spurious pair; dropped here, its place is filled by
    :func:`complete_nearest`.
    """
    values = np.real(np.asarray(values))
    if len(values) == 0:
        return values, vectors
    residuals = residual_norms(matrix, values, vectors / np.linalg.norm(vectors, axis=0))
    good = residuals <= residual_limit(values, settings)
    if np.all(good):
        return values, vectors
    return values[good], vectors[:, good]


def finish(
    values: np.ndarray,
    vectors: np.ndarray,
    matrix: sp.spmatrix,
    settings: SolverSettings,
    *,
    degeneracy_tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the ``nev`` pairs closest to the target, orthonormalise degenerate levels, residuals.

    Iterative solvers return orthogonal eigenvectors only up to their tolerance, and inside
    an exactly degenerate eigenspace any orthonormal basis is as good as another: a QR
    factorisation of each cluster's vectors gives a basis orthonormal to machine precision.
    Which basis comes back inside a degenerate eigenspace depends on the backend and the
    number of MPI ranks (see README: "Degenerate levels").
    """
    values = np.real(np.asarray(values))
    key = values if settings.which == "smallest" else np.abs(values - settings.target)
    order = np.argsort(key, kind="stable")[: settings.nev]
    values, vectors = values[order], np.array(vectors[:, order])
    scale = max(1.0, float(np.max(np.abs(values))))
    for cluster in degenerate_clusters(values, degeneracy_tol * scale):
        if len(cluster) > 1:
            q, _ = np.linalg.qr(vectors[:, cluster])
            vectors[:, cluster] = q
    vectors /= np.linalg.norm(vectors, axis=0)
    residuals = residual_norms(matrix, values, vectors)
    # A pair far from satisfying H psi = lambda psi is never returned as valid.
    limit = residual_limit(values, settings)
    bad = int(np.sum(residuals > limit))
    if bad:
        where = "lowest" if settings.which == "smallest" else f"near E={settings.target}"
        raise ConvergenceError(
            f"{bad} of {settings.nev} eigenpairs {where} have residual "
            f"||H psi - lambda psi|| above {limit:.1e} (largest {residuals.max():.1e})",
            converged=settings.nev - bad,
            requested=settings.nev,
        )
    return values, vectors, residuals


# Rounds of "count the window, look for the missing pairs" before a solve gives up.
MAX_COMPLETION_ROUNDS = 12


def count_below(matrix: sp.spmatrix, shift: float) -> int:
    """Number of eigenvalues of the Hermitian H below ``shift``, by Sylvester's law of inertia.

    P (H - shift) P^T = L D L^H with unit lower-triangular L and real diagonal D has as many
    negative pivots D_ii as H has eigenvalues below ``shift``. SuperLU in symmetric mode with
    pure diagonal pivoting (threshold 0, the same permutation on rows and columns) computes
    exactly that factorisation as L U with U = D L^H, so the pivots are the diagonal of U.
    (PETSc is built with complex scalars here, where MUMPS reports no inertia.) A zero or
    off-diagonal pivot means the shift hit an eigenvalue (or a singular leading block):
    the shift is moved by 1e-12 (relative to ||H||) and the count repeated.
    """
    import scipy.sparse.linalg as spla

    n = matrix.shape[0]
    norm = float(abs(matrix).sum(axis=1).max())
    for attempt in range(4):
        s = shift + attempt * 1e-12 * max(1.0, abs(shift), norm)
        a = (sp.csc_matrix(matrix) - s * sp.identity(n, format="csc")).tocsc()
        try:
            # relax=1, panel_size=10: measured 1.6-2x faster than SuperLU's defaults on 3D
            # lattices (L = 20, 24), with the same pivots.
            lu = spla.splu(a, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, relax=1, panel_size=10,
                           options={"SymmetricMode": True})
        except RuntimeError:  # exactly singular pivot
            continue
        if not np.array_equal(lu.perm_r, lu.perm_c):
            continue
        pivots = lu.U.diagonal()
        if np.min(np.abs(pivots)) < 1e-14 * max(1.0, norm):
            continue
        return int(np.sum(pivots.real < 0))
    raise ConvergenceError(f"inertia of H - {shift!r}: no stable LDL^T factorisation (shift at an eigenvalue?)")


def window_margin(settings: SolverSettings, radius: float) -> float:
    """Eigenvalues this close to the window's edge count as lying on it (units of t).

    Far above the solvers' accuracy (residuals ~ tol), far below any level spacing the
    campaign resolves; the tests compare eigenvalues to 1e-8.
    """
    return 1e-7 * max(1.0, abs(settings.target) + radius)


@dataclass(frozen=True)
class WindowCount:
    """The returned values against the true spectrum, around E with r = max |lambda_i - E|.

    ``inner``          eigenvalues of H with |lambda - E| < r - margin (all must be returned);
    ``inner_returned`` how many of the returned values lie there;
    ``outer``          eigenvalues of H with |lambda - E| <= r + margin;
    ``boundary``       outer - inner: multiplicity of the level(s) at distance r;
    ``boundary_returned`` how many of those came back.
    """

    inner: int
    inner_returned: int
    outer: int
    nev: int

    @property
    def missing(self) -> int:
        return self.inner - self.inner_returned

    @property
    def boundary(self) -> int:
        return self.outer - self.inner

    @property
    def boundary_returned(self) -> int:
        return self.nev - self.inner_returned

    @property
    def straddles(self) -> bool:
        """A degenerate level at distance r of which only some copies were returned."""
        return self.missing == 0 and self.outer > self.nev


def window_count(matrix: sp.spmatrix, settings: SolverSettings, values: np.ndarray,
                 below=count_below, counts=None) -> WindowCount:
    """Count the eigenvalues of H around the returned ``values`` (see :class:`WindowCount`).

    ``below(matrix, shift)`` counts the eigenvalues below ``shift`` (inertia; the dense
    backend passes the exact spectrum instead); ``counts(shifts)`` may replace it with all
    the counts at once (under MPI each rank factorises one shift). The outer window comes
    first: when it holds no more eigenvalues than were returned (every non-degenerate case)
    the returned pairs are all of them and the inner window is not factorised at all.
    """
    if counts is None:
        def counts(shifts):
            return [below(matrix, shift) for shift in shifts]

    distance = np.abs(np.asarray(values) - settings.target)
    radius = float(distance.max())
    margin = window_margin(settings, radius)
    inner_radius = radius - margin
    inner_returned = int(np.sum(distance < inner_radius))
    low, high = counts([settings.target - radius - margin, settings.target + radius + margin])
    outer = high - low
    if outer <= len(values):
        return WindowCount(inner_returned, inner_returned, outer, len(values))
    if inner_radius > 0:
        low, high = counts([settings.target - inner_radius, settings.target + inner_radius])
        inner = high - low
    else:
        inner = 0
    return WindowCount(inner, inner_returned, outer, len(values))


def boundary_info(count: WindowCount) -> dict[str, int]:
    """The solver-info entries saying that a degenerate level straddles the nev boundary."""
    if not count.straddles:
        return {}
    return {"boundary_degeneracy": count.boundary, "boundary_returned": count.boundary_returned}


#: Eigenvalues closer than this (relative to max(1, |lambda|)) are one degenerate level: the
#: clustering of :func:`finish`, whose QR makes their vectors orthonormal.
DEGENERACY_TOL = 1e-10


def multiplicities(values: np.ndarray, target: float, info: dict | None = None) -> np.ndarray:
    """The multiplicity of each returned eigenvalue (int array like ``values``).

    Inside the window every copy of a level is returned (:func:`complete_nearest`), so a level's
    returned copies are all of them. On a straddling boundary (``info`` from
    :func:`boundary_info`: ``boundary_degeneracy`` eigenvalues at distance r, of which only
    ``boundary_returned`` came back) the level at distance r has the inertia count less the
    returned copies of the mirror level E -/+ r, if any. A state of multiplicity > 1 is an
    arbitrary vector of its eigenspace: any basis of it is as good as another.
    """
    values = np.real(np.asarray(values, dtype=float))
    result = np.ones(len(values), dtype=np.int64)
    if not len(values):
        return result
    scale = max(1.0, float(np.max(np.abs(values))))
    for cluster in degenerate_clusters(values, DEGENERACY_TOL * scale):
        result[cluster] = len(cluster)
    total = int((info or {}).get("boundary_degeneracy", 0))
    if total:
        distance = values - target
        radius = float(np.abs(distance).max())
        margin = window_margin(SolverSettings(target=target), radius)
        at_boundary = np.abs(np.abs(distance) - radius) <= margin
        for side in (1.0, -1.0):
            here = at_boundary & (np.sign(distance) == side)
            mirror = at_boundary & (np.sign(distance) == -side)
            if here.any():
                result[here] = max(int(here.sum()), total - int(mirror.sum()))
    return result


def deflation_sigma(settings: SolverSettings, values: np.ndarray) -> float:
    """The pole of the deflated solves: E moved by 1 % of the window radius r.

    At sigma = E + 1e-9 next to an exactly degenerate level, theta = 1/(lambda - sigma) ~ 1e9
    amplifies the small errors of the deflation vectors into residuals ~1e-6 of the new pairs;
    1 % of r keeps the amplification modest while the pairs nearest sigma stay those nearest E
    (any reordering is caught by the next window count).
    """
    radius = float(np.abs(np.asarray(values) - settings.target).max()) if len(values) else 0.0
    return settings.target + max(settings.shift_offset, 1e-2 * radius)


def may_hide_degeneracy(matrix: sp.spmatrix, settings: SolverSettings, values: np.ndarray) -> bool:
    """Whether the inertia count is needed: H without on-site disorder (a constant diagonal:
    clean lattices, Landau levels, percolation at W = 0 — where exact degeneracies are the
    rule), a solve that returned a degenerate level, or fewer than nev pairs. With continuous
    on-site disorder levels are non-degenerate with probability one, and the two extra
    factorisations of the count (a 2.6x slower solve at 3D L = 20) are skipped."""
    if len(values) < settings.nev:
        return True
    diagonal = np.real(matrix.diagonal())
    if diagonal.size and np.ptp(diagonal) == 0.0:
        return True
    scale = max(1.0, float(np.max(np.abs(values))))
    return any(len(cluster) > 1 for cluster in degenerate_clusters(np.sort(values), 1e-10 * scale))


def complete_nearest(
    matrix: sp.spmatrix,
    settings: SolverSettings,
    values: np.ndarray,
    vectors: np.ndarray,
    residuals: np.ndarray,
    more,
    backend: str,
    counter=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Make sure the finished pairs are the ``nev`` nearest to E, whatever the degeneracy.

    A Krylov space started from one vector holds one direction of each exactly degenerate
    eigenspace (further copies appear only through rounding), so a shift-and-invert solve
    can return some copies of a level near E and then farther levels. The inertia count of
    the window |lambda - E| < r (:func:`window_count`) says how many eigenvalues it really
    holds; while some are missing, ``more(vectors, k)`` returns ``k`` further raw pairs nearest
    sigma orthogonal to the ``vectors`` found so far (deflation; ``more(vectors, k, sigma)``, the pole
from :func:`deflation_sigma`), and the union is finished again.
    When the count already matches nothing is recomputed: the values are those of the solve.
    ``counter(values)`` replaces :func:`window_count` (under MPI: the ranks share the counts).
    """
    if not may_hide_degeneracy(matrix, settings, values):
        return values, vectors, residuals, {}
    info: dict[str, int] = {}
    for round_ in range(MAX_COMPLETION_ROUNDS + 1):
        count = counter(values) if counter is not None else window_count(matrix, settings, values)
        short = settings.nev - len(values)  # spurious pairs dropped by converged_only
        if count.missing <= 0 and short <= 0:
            if round_:
                info["completion_rounds"] = round_
            return values, vectors, residuals, {**info, **boundary_info(count)}
        if round_ == MAX_COMPLETION_ROUNDS:
            break
        extra = min(max(count.missing, short) + settings.nev, matrix.shape[0] - vectors.shape[1] - 1)
        if extra < 1:  # the found vectors already span (almost) the whole space
            break
        new_values, new_vectors = converged_only(matrix, *more(vectors, extra, deflation_sigma(settings, values)),
                                                 settings)
        values, vectors, residuals = finish(
            np.concatenate([values, new_values]),
            np.concatenate([vectors, new_vectors], axis=1), matrix, settings)
    if count.missing <= 0:
        raise ConvergenceError(f"{backend}: only {len(values)} of nev={settings.nev} eigenpairs converged "
                               f"near E={settings.target}", converged=len(values), requested=settings.nev)
    raise ConvergenceError(
        f"{backend}: {count.missing} of the {count.inner} eigenvalues within "
        f"{float(np.abs(values - settings.target).max()):.6g} of E={settings.target} still missing after "
        f"{MAX_COMPLETION_ROUNDS} deflated solves (a degenerate level near E)",
        converged=count.inner_returned, requested=count.inner)
