"""The cost model of a campaign (``wavelearn plan``): core-seconds from one calibration of each
group of points that cost alike (a study's points of one L, a billiard, ...), every kind in its
own terms (:meth:`wavelearn.campaign.kinds.StudyPoint.calibrate`):

    core seconds of a group = ranks x (units x seconds per unit + jobs x seconds per job)

A unit is what a job loops over (a realization of an eigenstate point, a layout of a billiard,
an iteration of a VMC run); the seconds per job are its start-up — Python imports, MPI and PETSc
initialisation, JAX compilation, writing the output. An eigensolve job's start-up is
:data:`JOB_STARTUP_SECONDS`, measured on the development machine (docs/benchmarks.md, "Job
start-up": a tiny ``wavelearn eigensolve`` per path); it dominates tiny solves, which is why an
estimate without it was 4x too low for the default campaign. The other kinds measure theirs in
the calibration run itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from wavelearn import checks
from wavelearn.campaign.kinds import Calibration, StudyPoint

#: Wall seconds of a tiny eigensolve job (3D L = 6): without PETSc (the real path of ``auto`` and
#: ``mumps``, ``scipy``, ``dense``) and with PETSc, SLEPc and MPI initialised (``slepc``, a field,
#: several ranks; mpiexec's own start-up not included).
JOB_STARTUP_SECONDS = {"without PETSc": 0.27, "with PETSc": 0.62}


@dataclass(frozen=True)
class GroupCost:
    """The jobs of one group of points and, once calibrated, their cost."""

    study: str
    kind: str
    group: str  # e.g. "L=8"
    unit: str  # e.g. "realization"
    points: int
    jobs: int
    units: int
    ranks: int
    calibration: Calibration | None = None

    @property
    def core_hours(self) -> float:
        c = self.calibration
        if c is None:
            raise ValueError(f"study {self.study!r}, {self.group}: not calibrated")
        return self.ranks * (self.units * c.seconds_per_unit + self.jobs * c.seconds_per_job) / 3600


def groups(points: Sequence[StudyPoint]) -> dict[tuple[str, str], list[StudyPoint]]:
    """(study, cost group) -> its points, in config order."""
    grouped: dict[tuple[str, str], list[StudyPoint]] = defaultdict(list)
    for point in points:
        grouped[(point.study, point.cost_group)].append(point)
    return dict(grouped)


def estimate(points: Sequence[StudyPoint], max_size: int | None = None) -> list[GroupCost]:
    """One row per (study, cost group), in config order; with ``max_size``, calibrated by timing
    the group's middle point (``max_size``: the largest system a calibration solves, in the
    kind's measure — sites for eigenstates; larger ones are extrapolated by the kind's scaling
    law); without it, the jobs only."""
    if max_size is not None:
        checks.integer("calibrate_max_sites", max_size, 8)
    rows = []
    for (study, group), pts in groups(points).items():
        probe = pts[len(pts) // 2]
        rows.append(GroupCost(study, probe.kind, group, probe.unit, len(pts), sum(len(p.chunks) for p in pts),
                              sum(p.units for p in pts), probe.ranks,
                              None if max_size is None else probe.calibrate(max_size)))
    return rows
