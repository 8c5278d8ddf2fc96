"""The eigenstate kind of study: disorder realizations of tight-binding lattices over
(L, W, p, flux) grids, solved near an energy E (``wavelearn eigensolve``), gathered per study and L.

A point is one study's (L, W, p, flux) with its solver settings. Its realizations 0..R-1 are cut
into chunks of ``realizations_per_job``; one ``eigensolve`` job per chunk writes a shard
``<results>/<study>/L<L>/W<W>_p<p>_flux<flux>/chunk<NNN>.h5``; ``gather`` concatenates the shards
of one study and L into ``<results>/<study>/L<L>/dataset.h5``.
"""

from __future__ import annotations

import functools
import itertools
import time
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Sequence

from wavelearn.campaign.kinds import Calibration, Chunk, StudyKind, StudyPoint, chunk_range, format_number, grid_values
from wavelearn.campaign.refine import check_refine
from wavelearn.errors import ParameterError
from wavelearn.lattice import LatticeModel, build_hamiltonian
from wavelearn.lattice.params import SCANNED, varying_parameters
from wavelearn.solvers import MPI_BACKENDS, SolverSettings, get_solver
from wavelearn.solvers.dense import MAX_DIMENSION as DENSE_MAX_DIMENSION

# Site percolation keeps a binomial number of sites; a realization that keeps no more than nev
# cannot be solved. A point where that happens with a larger probability is refused.
PERCOLATION_FAILURE = 1e-6


def shard_path(results: str, study: str, L: str, W: str, p: str, flux: str, chunk: str) -> str:
    return f"{results}/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.h5"


def dataset_path(results: str, study: str, L: int | str) -> str:
    return f"{results}/{study}/L{L}/dataset.h5"


def states_image_path(results: str, study: str, L: int | str) -> str:
    return f"{results}/{study}/L{L}/states.png"


@dataclass(frozen=True)
class EigenstatePoint(StudyPoint):
    kind: ClassVar[str] = "eigenstates"
    identity: ClassVar[tuple[str, ...]] = ("study", "L", *SCANNED)

    study: str
    model: LatticeModel
    settings: SolverSettings
    realizations: int
    realizations_per_job: int
    backend: str
    mpi_ranks: int
    campaign_seed: int
    save_psi: bool = False
    first_realization: int = 0

    @property
    def chunks(self) -> list[Chunk]:
        return chunk_range(self.realizations, self.realizations_per_job, self.first_realization)

    @property
    def realization_range(self) -> range:
        return range(self.first_realization, self.first_realization + self.realizations)

    @property
    def wildcards(self) -> dict[str, str]:
        return {"study": self.study, "L": str(self.model.L),
                **{name: format_number(getattr(self.model, name)) for name in SCANNED}}

    def output(self, results: str, chunk: Chunk) -> str:
        return shard_path(results, **self.wildcards, chunk=chunk.label)

    def job_arguments(self, chunk: Chunk) -> str:
        m, s = self.model, self.settings
        return (
            f"--model {m.model} --dim {m.dim} --L {m.L} --W {format_number(m.W)} "
            f"--distribution {m.distribution} --p {format_number(m.p)} --percolation {m.percolation} "
            f"--flux {format_number(m.flux)} --boundary {m.boundary} "
            # Only percolation has a choice of cluster; anderson's arguments (and so the rule's params,
            # which decide what Snakemake reruns) stay as they were before the option existed.
            + (f"--cluster {m.cluster} " if m.model == "percolation" else "")
            + f"--energy {format_number(s.target)} "
            f"--nev {s.nev} --tol {s.tol!r} --backend {self.backend} --seed {self.campaign_seed} "
            f"--realizations {chunk.span}" + (" --save-psi" if self.save_psi else "")
        )

    def seconds_per_realization(self, max_sites: int) -> tuple[float, str]:
        """One realization solved here and timed (the cost model of ``wavelearn plan``); a system
        above ``max_sites`` is timed at a smaller L and scaled as n^2 (3D) or n^1.5 (2D) in the
        number of sites n, the cost of a sparse direct factorisation with nested dissection."""
        model = self.model
        if model.n_sites > max_sites:
            small_L = round(max_sites ** (1 / model.dim))
            while small_L**model.dim > max_sites:
                small_L -= 1
            small = replace(model, L=small_L, flux=0.0 if model.flux * small_L % 1 else model.flux)
            seconds, _ = replace(self, model=small).seconds_per_realization(max_sites)
            return seconds * (model.n_sites / small.n_sites) ** SCALING[model.dim], f"extrapolated from L={small_L}"
        H = build_hamiltonian(model, self.campaign_seed, 0).matrix
        start = time.perf_counter()
        get_solver(self.backend, self.mpi_ranks).solve(H, self.settings)
        return time.perf_counter() - start, "measured"

    unit = "realization"

    @property
    def ranks(self) -> int:
        return self.mpi_ranks

    @property
    def cost_group(self) -> str:
        return f"L={self.model.L}"

    def calibrate(self, max_size: int) -> Calibration:
        """One realization timed (:meth:`seconds_per_realization`, ``max_size`` in sites) and the
        measured start-up of an eigensolve job on this point's path (with PETSc or without)."""
        from wavelearn.campaign.cost import JOB_STARTUP_SECONDS

        petsc = self.backend == "slepc" or (self.backend == "auto" and (self.model.is_complex or self.mpi_ranks > 1))
        _warm_up(self.backend, self.mpi_ranks, self.model.is_complex)
        seconds, note = self.seconds_per_realization(max_size)
        return Calibration(seconds, JOB_STARTUP_SECONDS["with PETSc" if petsc else "without PETSc"], note)


@functools.lru_cache(maxsize=None)
def _warm_up(backend: str, ranks: int, is_complex: bool) -> None:
    """One tiny solve on the backend's path, so that the first timed realization of a plan does
    not also pay for loading its libraries (PETSc, the MUMPS shim): that is job start-up."""
    tiny = LatticeModel(dim=2, L=4, W=1.0, flux=0.25 if is_complex else 0.0)
    get_solver(backend, ranks).solve(build_hamiltonian(tiny, 0, 0).matrix, SolverSettings(nev=1))


SCALING = {2: 1.5, 3: 2.0}


def check_solvable(study: dict[str, Any], model: LatticeModel, settings: SolverSettings,
                   campaign_seed: int = 0) -> None:
    """What a job of this point would find out too late: sizes, backends and ranks that cannot work."""
    name, n = study["name"], model.n_sites
    if settings.nev >= n:
        raise ParameterError(f"study {name!r}: nev={settings.nev} must be smaller than L^dim={n} (L={model.L})")
    if study["backend"] not in MPI_BACKENDS and study["mpi_ranks"] > 1:
        raise ParameterError(f"study {name!r}: backend {study['backend']!r} runs on one process; "
                             f"mpi_ranks={study['mpi_ranks']} needs backend {' or '.join(MPI_BACKENDS)}")
    if study["backend"] == "mumps" and model.flux != 0:
        raise ParameterError(f"study {name!r}: backend 'mumps' solves real H only; flux={model.flux:g} makes H "
                             f"complex: use backend auto (real where flux = 0) or slepc")
    if study["backend"] == "dense" and n > DENSE_MAX_DIMENSION:
        raise ParameterError(f"study {name!r}: backend 'dense' holds an n x n matrix; L={model.L} has n={n} > "
                             f"{DENSE_MAX_DIMENSION} sites: use slepc or scipy")
    if model.cluster == "largest":
        check_cluster_sizes(name, model, settings, campaign_seed, study["realizations"], study["first_realization"])
    elif model.model == "percolation" and model.percolation == "site":
        from scipy.stats import binom

        failure = float(binom.cdf(settings.nev, n, model.p))
        if failure > PERCOLATION_FAILURE:
            raise ParameterError(
                f"study {name!r}: site percolation p={model.p:g} keeps {model.p * n:.3g} of L^dim={n} sites on "
                f"average and no more than nev={settings.nev} with probability {failure:.1e} per realization "
                f"(at most {PERCOLATION_FAILURE:g} allowed): raise p or L, or lower nev")


# Realizations whose largest cluster is built at validation (about 1.5 ms each at L = 8-12):
# every one of a point that has no more, the first ones otherwise.
CLUSTER_CHECKS = 64
# Where not every realization is checked, the checked ones must hold this many times nev sites, a
# margin that makes an unchecked realization falling to nev sites or fewer very unlikely.
CLUSTER_MARGIN = 2


def check_cluster_sizes(name: str, model: LatticeModel, settings: SolverSettings, campaign_seed: int,
                        realizations: int, first: int) -> None:
    """The largest cluster's size is random. Built here for the point's realizations (all of them up
    to :data:`CLUSTER_CHECKS`), a point where a cluster holds no more than nev sites — or, when
    some realizations go unchecked, fewer than :data:`CLUSTER_MARGIN` x nev — is refused before
    any job runs. An unchecked realization that still falls to nev sites stops its job with the
    same advice."""
    checked = min(realizations, CLUSTER_CHECKS)
    smallest = min(build_hamiltonian(model, campaign_seed, k).dimension for k in range(first, first + checked))
    if checked == realizations:
        needed, rule = settings.nev + 1, f"no more than nev={settings.nev}"
    else:
        needed, rule = CLUSTER_MARGIN * settings.nev, f"less than {CLUSTER_MARGIN} x nev={settings.nev}"
    if smallest < needed:
        raise ParameterError(
            f"study {name!r}: {model.percolation} percolation p={model.p:g}, L={model.L}: the largest cluster of "
            f"a realization holds as few as {smallest} sites (of the {checked} realizations checked), {rule}: "
            "raise p or L, or lower nev")


class EigenstateKind(StudyKind):
    name = "eigenstates"
    schema_file = "eigenstates.schema.yaml"
    rule_file = "eigenstates.smk"
    point_type = EigenstatePoint

    def points(self, study: dict[str, Any], campaign_seed: int) -> list[EigenstatePoint]:
        check_refine(study)
        settings = SolverSettings(target=float(study["energy"]), nev=study["nev"], tol=study["tol"])
        points = []
        for L, W, p, flux in itertools.product(study["L"], *(grid_values(study[k]) for k in SCANNED)):
            try:
                model = LatticeModel(
                    dim=study["dim"], L=L, model=study["model"], W=W, distribution=study["distribution"],
                    p=p, percolation=study["percolation"], flux=flux, boundary=study["boundary"],
                    cluster=study["cluster"],
                )
            except ParameterError as err:
                raise ParameterError(f"study {study['name']!r}, L={L}, W={W}, p={p}, flux={flux}: {err}") from None
            check_solvable(study, model, settings, campaign_seed)
            points.append(EigenstatePoint(study["name"], model, settings, study["realizations"],
                                          study["realizations_per_job"], study["backend"], study["mpi_ranks"],
                                          campaign_seed, study["save_psi"], study["first_realization"]))
        return points

    def check(self, config: dict[str, Any], points: Sequence[StudyPoint]) -> None:
        """Two studies at the same point with overlapping realization indices would solve the very
        same Hamiltonians: refused unless the later study says it shares them on purpose."""
        first_owner: dict[LatticeModel, EigenstatePoint] = {}
        for point in points:
            earlier = first_owner.get(point.model)
            if earlier is None:
                first_owner[point.model] = point
                continue
            overlap = set(earlier.realization_range) & set(point.realization_range)
            study = next(s for s in config["studies"] if s["name"] == point.study)
            if overlap and not study["share_realizations"]:
                raise ParameterError(
                    f"study {point.study!r} repeats the point {point.model.label()} of study {earlier.study!r} "
                    f"with the same realizations {min(overlap)}..{max(overlap)}: set first_realization: "
                    f"{earlier.realization_range.stop} (or higher) for independent ones, or share_realizations: "
                    "true to reuse them on purpose")

    def targets(self, config: dict[str, Any], points: Sequence[StudyPoint]) -> list[str]:
        results = config["results"]
        if not points:
            return []
        images = [states_image_path(results, study, L) for study, L in study_sizes(points)]
        criticality = [path for study in sorted({pt.study for pt in points if isinstance(pt, EigenstatePoint)})
                       for path in criticality_paths(results, study).values()]
        return [f"{results}/summary.csv", f"{results}/summary.png", *images, *criticality]


def gathered_shards(points: Sequence[StudyPoint], results: str) -> dict[tuple[str, str], list[str]]:
    """(study, L) -> the shards gathered into its dataset, in config order."""
    shards: dict[tuple[str, str], list[str]] = {}
    for pt in points:
        shards.setdefault((pt.study, str(pt.model.L)), []).extend(pt.output(results, c) for c in pt.chunks)
    return shards


def study_sizes(points: Sequence[StudyPoint]) -> list[tuple[str, int]]:
    """(study, L) of every gathered dataset, sorted."""
    return sorted({(pt.study, pt.model.L) for pt in points if isinstance(pt, EigenstatePoint)})


def state_values(study: dict[str, Any]) -> str:
    """``plot-states`` arguments: lowest, middle and highest value of the study's varying
    parameter (W, else p, else flux)."""
    grids = {k: grid_values(study[k]) for k in SCANNED}
    parameter = varying_parameters(grids)[0]
    values = sorted(grids[parameter])
    picks = [values[0], values[len(values) // 2], values[-1]]
    return f"--parameter {parameter} --values " + " ".join(format_number(v) for v in picks)


def criticality_paths(results: str, study: str) -> dict[str, str]:
    """The files ``wavelearn criticality`` writes for one study (rule ``criticality``): per point
    (csv), the plots (png), the finite-size-scaling table (fss), D2 across sizes (sizes) and the
    estimates of the critical point side by side (estimates, estimates_plot)."""
    base = f"{results}/{study}"
    return dict(csv=f"{base}/criticality.csv", png=f"{base}/criticality.png", fss=f"{base}/criticality_fss.csv",
                sizes=f"{base}/criticality_sizes.csv", estimates=f"{base}/critical_points.csv",
                estimates_plot=f"{base}/critical_points.png")
