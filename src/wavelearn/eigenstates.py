"""Solve a range of disorder realizations of one point and collect them as a shard."""

from __future__ import annotations

import os
from typing import Iterable

import numpy as np

from wavelearn.checks import INT64_MAX
from wavelearn.errors import ConvergenceError, ParameterError, WavelearnError
from wavelearn.io.shards import ShardData
from wavelearn.lattice import LatticeModel, build_hamiltonian
from wavelearn.solvers import SolverSettings, get_solver
from wavelearn.solvers.base import EigenSolver, multiplicities


def parse_realizations(text: str) -> range:
    """``"a:b"`` -> range(a, b) (b exclusive, like Python slices); ``"k"`` -> range(k, k+1)."""
    try:
        if ":" in text:
            start, stop = (int(part) for part in text.split(":"))
        else:
            start = int(text)
            stop = start + 1
    except ValueError:
        raise ParameterError(f"realizations={text!r}: expected START:STOP (e.g. 0:8) or one index") from None
    if start < 0 or stop <= start or stop > INT64_MAX:
        raise ParameterError(f"realizations={text!r}: need 0 <= START < STOP <= {INT64_MAX} (indices are int64)")
    return range(start, stop)


FAULT_VARIABLE = "WAVELEARN_INJECT_FAULT"


def injected_fault(realization: int, rank: int) -> None:
    """Fault injection for tests of the failure paths (a failing job is retried and reported; an
    error on one MPI rank ends every rank): ``WAVELEARN_INJECT_FAULT="realization=K[,rank=R]"``
    makes realization K fail on rank R (every rank when R is not given). Unset in normal runs."""
    spec = os.environ.get(FAULT_VARIABLE)
    if not spec:
        return
    fault = parse_fault(spec)
    if fault["realization"] == realization and fault.get("rank", rank) == rank:
        raise WavelearnError(f"injected fault ({FAULT_VARIABLE}={spec}) at realization {realization} on rank {rank}")


def parse_fault(spec: str) -> dict[str, int]:
    """``"realization=K[,rank=R]"`` -> {"realization": K[, "rank": R]}; anything else is an error
    naming the variable, so a typo in a test's environment never passes as "no fault"."""
    fields: dict[str, int] = {}
    for item in spec.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in ("realization", "rank") or key in fields or not value.strip().isdigit():
            raise ParameterError(f"{FAULT_VARIABLE}={spec!r}: expected realization=K or realization=K,rank=R "
                                 "with non-negative integers K, R (unset it in normal runs)")
        fields[key] = int(value)
    if "realization" not in fields:
        raise ParameterError(f"{FAULT_VARIABLE}={spec!r}: realization=K is required (e.g. realization=1,rank=1)")
    return fields


def check_point(model: LatticeModel, settings: SolverSettings) -> None:
    """Validation that needs both the model and the solver settings (before any work)."""
    if settings.nev >= model.n_sites:
        raise ParameterError(
            f"nev={settings.nev} must be smaller than the number of sites L^{model.dim}={model.n_sites}"
        )


def solve_realizations(
    model: LatticeModel,
    settings: SolverSettings,
    campaign_seed: int,
    realizations: Iterable[int],
    solver: EigenSolver | str = "auto",
    save_psi: bool = False,
    progress: bool = False,
    rank: int = 0,
    ranks: int = 1,
) -> ShardData:
    """Eigenpairs near ``settings.target`` for each realization; arrays filled on the root rank.

    ``rank`` of ``ranks`` MPI processes. The shard's attributes ``solver`` and ``arithmetic`` say
    which backend solved (``auto`` resolves per point) and whether in real or complex arithmetic.
    """
    check_point(model, settings)
    is_root = rank == 0  # the rank that gathers the eigenvectors and writes
    solver = get_solver(solver, ranks) if isinstance(solver, str) else solver
    realizations = list(realizations)
    rows = {key: [] for key in ("eigenvalues", "density", "residuals", "dimension", "solve", "factor", "psi",
                                "boundary", "multiplicity")}
    used = {"solver": set(), "arithmetic": set()}  # one point, one path: H is real or not for all
    iterator = realizations
    if progress and is_root:
        from tqdm import tqdm

        iterator = tqdm(realizations, desc=model.label(), unit="realization")
    for k in iterator:
        injected_fault(k, rank)
        hamiltonian = build_hamiltonian(model, campaign_seed, k)
        if hamiltonian.dimension <= settings.nev:
            raise ParameterError(
                f"point {model.label()} (seed {campaign_seed}) realization {k}: its Hilbert space "
                f"({'largest cluster' if model.cluster == 'largest' else 'kept sites'}) has "
                f"{hamiltonian.dimension} sites, no more than nev={settings.nev}: raise p or L, or lower nev")
        try:
            pairs = solver.solve(hamiltonian.matrix, settings)
        except (ConvergenceError, ParameterError) as err:
            raise type(err)(f"point {model.label()} (seed {campaign_seed}) realization {k}: {err}") from err
        used["solver"].add(pairs.info.get("backend", solver.name))
        used["arithmetic"].add(pairs.info.get("arithmetic", "unknown"))
        rows["eigenvalues"].append(pairs.values)
        rows["residuals"].append(pairs.residuals)
        rows["dimension"].append(hamiltonian.dimension)
        rows["solve"].append(pairs.timings.get("solve", np.nan))
        rows["factor"].append(pairs.timings.get("factor", np.nan))
        # A degenerate level straddling the nev boundary: which of its copies came back is arbitrary.
        rows["boundary"].append((pairs.info.get("boundary_degeneracy", 0), pairs.info.get("boundary_returned", 0)))
        # A state of a degenerate level is an arbitrary vector of its eigenspace: flagged, so that
        # no analysis takes it for the wave function of one cluster (docs/formats.md).
        rows["multiplicity"].append(multiplicities(pairs.values, settings.target, pairs.info))
        if is_root:
            psi = hamiltonian.on_lattice(pairs.vectors.T)  # (nev, *shape)
            density = np.abs(psi) ** 2
            density /= density.reshape(settings.nev, -1).sum(axis=1).reshape((-1,) + (1,) * model.dim)
            rows["density"].append(density.astype(np.float32))
            if save_psi:  # complex128 whatever the arithmetic: one format (docs/formats.md)
                rows["psi"].append(psi.astype(np.complex128))
    empty = np.zeros((0, settings.nev) + model.shape, np.float32)
    return ShardData(
        model=model,
        settings=settings,
        campaign_seed=campaign_seed,
        backend=solver.name,
        eigenvalues=np.array(rows["eigenvalues"]),
        density=np.array(rows["density"]) if rows["density"] else empty,
        residuals=np.array(rows["residuals"]),
        multiplicity=np.array(rows["multiplicity"], dtype=np.int64).reshape(len(realizations), settings.nev),
        realization=np.array(realizations, dtype=np.int64),
        dimension=np.array(rows["dimension"], dtype=np.int64),
        solve_seconds=np.array(rows["solve"]),
        factor_seconds=np.array(rows["factor"]),
        psi=np.array(rows["psi"]) if save_psi and is_root else None,
        attrs={"boundary_degeneracy": np.array([b[0] for b in rows["boundary"]], np.int64),
               "boundary_returned": np.array([b[1] for b in rows["boundary"]], np.int64),
               **{key: "+".join(sorted(values)) for key, values in used.items() if values}},
    )
