"""The grid of a campaign: points, realization chunks, and their file paths.

A point is one study's (L, W, p, flux). Its realizations 0..R-1 are cut into chunks of
``realizations_per_job``; chunk c holds realizations [c*n, min((c+1)*n, R)). Raising R adds
chunks and leaves the complete ones untouched (only a final partial chunk grows).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from wavelearn.errors import ParameterError
from wavelearn.lattice import LatticeModel
from wavelearn.solvers import SolverSettings


def grid_values(spec: Any) -> list[float]:
    """A config grid (list, or {start, stop, num} with stop included) as floats."""
    if isinstance(spec, dict):
        values = np.linspace(spec["start"], spec["stop"], spec["num"])
        # Round away linspace's last-bit noise so paths read 16.5, not 16.500000000000004.
        return [float(f"{v:.12g}") for v in values]
    return [float(v) for v in spec]


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: 16.5, 0, 0.3333333333333333."""
    return np.format_float_positional(float(value), trim="-")


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int
    stop: int

    @property
    def realizations(self) -> str:
        return f"{self.start}:{self.stop}"


@dataclass(frozen=True)
class Point:
    study: str
    model: LatticeModel
    settings: SolverSettings
    realizations: int
    realizations_per_job: int
    backend: str
    mpi_ranks: int
    campaign_seed: int
    save_psi: bool = False

    @property
    def chunks(self) -> list[Chunk]:
        n, total = self.realizations_per_job, self.realizations
        return [Chunk(c, c * n, min((c + 1) * n, total)) for c in range(-(-total // n))]

    @property
    def wildcards(self) -> dict[str, str]:
        return {
            "study": self.study,
            "L": str(self.model.L),
            "W": format_number(self.model.W),
            "p": format_number(self.model.p),
            "flux": format_number(self.model.flux),
        }

    def shard_path(self, results: str, chunk: Chunk) -> str:
        return shard_path(results, **self.wildcards, chunk=f"{chunk.index:03d}")


def shard_path(results: str, study: str, L: str, W: str, p: str, flux: str, chunk: str) -> str:
    return f"{results}/{study}/L{L}/W{W}_p{p}_flux{flux}/chunk{chunk}.h5"


def dataset_path(results: str, study: str, L: int | str) -> str:
    return f"{results}/{study}/L{L}/dataset.h5"


def study_points(study: dict[str, Any], campaign_seed: int) -> Iterator[Point]:
    settings = SolverSettings(target=float(study["energy"]), nev=study["nev"], tol=study["tol"])
    for L, W, p, flux in itertools.product(
        study["L"], grid_values(study["W"]), grid_values(study["p"]), grid_values(study["flux"])
    ):
        try:
            model = LatticeModel(
                dim=study["dim"], L=L, model=study["model"], W=W, distribution=study["distribution"],
                p=p, percolation=study["percolation"], flux=flux, boundary=study["boundary"],
            )
        except ParameterError as err:
            raise ParameterError(f"study {study['name']!r}, L={L}, W={W}, p={p}, flux={flux}: {err}") from None
        if settings.nev >= model.n_sites:
            raise ParameterError(
                f"study {study['name']!r}: nev={settings.nev} must be smaller than L^dim={model.n_sites} (L={L})"
            )
        yield Point(study["name"], model, settings, study["realizations"], study["realizations_per_job"],
                    study["backend"], study["mpi_ranks"], campaign_seed, study.get("save_psi", False))


def campaign_points(config: dict[str, Any]) -> list[Point]:
    """Every point of every study, in config order (the config must have its defaults filled)."""
    points = [pt for study in config["studies"] for pt in study_points(study, config["campaign_seed"])]
    seen: dict[tuple, str] = {}
    for point in points:
        key = tuple(point.wildcards.values())
        if key in seen:
            raise ParameterError(f"study {point.study!r} lists the point {point.wildcards} twice")
        seen[key] = point.study
    return points


WILDCARDS = ("study", "L", "W", "p", "flux")


def index_points(points: list[Point]) -> dict[tuple[str, ...], Point]:
    """Points keyed by their wildcard values (study, L, W, p, flux), for O(1) lookups per job."""
    return {tuple(point.wildcards[key] for key in WILDCARDS): point for point in points}


def find_point(index: dict[tuple[str, ...], Point], **wildcards: str) -> Point:
    try:
        return index[tuple(wildcards[key] for key in WILDCARDS)]
    except KeyError:
        raise KeyError(f"no point of the config matches {wildcards}") from None
