"""The cost model of a campaign (``wavelearn plan``): core-seconds from one timed unit of work
per (study, L) plus the start-up of every job.

    core seconds of a study at one L = ranks x (units x seconds per unit + jobs x start-up)

A unit is what a job loops over (a realization of an eigenstate point). The start-up — Python
imports, MPI and PETSc initialisation, writing the output — was measured at 0.9 s per job on the
development machine (docs/benchmarks.md); it dominates tiny solves, which is why the estimate
without it was 4x too low for the default campaign.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from wavelearn.campaign.kinds import StudyPoint

JOB_STARTUP_SECONDS = 0.9


@dataclass(frozen=True)
class SizeEstimate:
    study: str
    L: int
    points: int
    jobs: int
    units: int
    seconds_per_unit: float
    note: str  # "measured" or "extrapolated from L=..."
    ranks: int

    @property
    def core_hours(self) -> float:
        return self.ranks * (self.units * self.seconds_per_unit + self.jobs * JOB_STARTUP_SECONDS) / 3600


def estimate(points: Sequence[StudyPoint], max_sites: int) -> list[SizeEstimate]:
    """One estimate per (study, L), timing the middle point of each (``max_sites``: the largest
    system timed; larger ones are extrapolated by the kind's scaling law)."""
    groups: dict[tuple[str, int], list] = defaultdict(list)
    for point in points:
        groups[(point.study, point.model.L)].append(point)
    rows = []
    for (study, L), pts in groups.items():
        probe = pts[len(pts) // 2]
        seconds, note = probe.seconds_per_realization(max_sites)
        rows.append(SizeEstimate(study, L, len(pts), sum(len(p.chunks) for p in pts),
                                 sum(p.realizations for p in pts), seconds, note, probe.mpi_ranks))
    return rows
