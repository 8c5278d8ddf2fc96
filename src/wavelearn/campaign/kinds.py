"""The contract a kind of study implements, and what every kind shares.

A campaign config lists studies; each has a ``kind`` (default :data:`DEFAULT_KIND`). A kind is
one subsystem's idea of "a point" and of the jobs that compute it:

* its part of the config schema: ``workflow/schemas/<schema_file>``, a mapping with a ``study``
  definition (and optional ``$defs``), merged into the campaign schema by
  :func:`wavelearn.campaign.config.campaign_schema`;
* its frozen point type (a :class:`StudyPoint`): the identity values of a point, their wildcards,
  the chunks of work, the output path and the command-line arguments of each job;
* the final files it contributes to the campaign (:meth:`StudyKind.targets`) and the checks that
  need several studies at once (:meth:`StudyKind.check`);
* its rules: ``workflow/rules/<rule_file>``, thin rules whose getters call the point.

Kinds are registered in :mod:`wavelearn.campaign.registry` (one line each).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

import numpy as np

DEFAULT_KIND = "eigenstates"


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
    """Units [start, stop) of a point (realizations, layouts, ...), the work of one job."""

    index: int
    start: int
    stop: int

    @property
    def span(self) -> str:
        """The units as the CLI's ``START:STOP`` (``--realizations``, ``--layouts``)."""
        return f"{self.start}:{self.stop}"

    @property
    def label(self) -> str:
        """``chunk`` wildcard value: three digits or more (000, 001, ..., 1000)."""
        return f"{self.index:03d}"


def chunk_range(total: int, per_job: int, first: int = 0) -> list[Chunk]:
    """Units first..first+total-1 cut into jobs of ``per_job``; raising ``total`` keeps the
    complete chunks unchanged (only a final partial chunk grows)."""
    return [Chunk(c, first + c * per_job, first + min((c + 1) * per_job, total)) for c in range(-(-total // per_job))]


class StudyPoint(ABC):
    """One point of a study: a frozen dataclass of a kind, with its jobs."""

    kind: ClassVar[str]
    #: the wildcard names that identify a point of this kind (``study`` first)
    identity: ClassVar[tuple[str, ...]]
    study: str

    @property
    @abstractmethod
    def wildcards(self) -> dict[str, str]:
        """The identity values as the strings that appear in paths."""

    @property
    @abstractmethod
    def chunks(self) -> list[Chunk]:
        """The jobs of this point."""

    @abstractmethod
    def output(self, results: str, chunk: Chunk) -> str:
        """The file one job writes."""

    @abstractmethod
    def job_arguments(self, chunk: Chunk) -> str:
        """Command-line arguments of one job: this point's own values and this chunk only."""

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(self.wildcards[name] for name in self.identity)

    # ---- the cost of the jobs (``wavelearn plan``, :mod:`wavelearn.campaign.cost`)

    #: what one job loops over, in the plan's words ("realization", "layout", "iteration")
    unit: ClassVar[str] = "unit"

    @property
    def units(self) -> int:
        """The units of all this point's jobs."""
        return sum(chunk.stop - chunk.start for chunk in self.chunks)

    @property
    def ranks(self) -> int:
        """Cores (MPI ranks) of one job."""
        return 1

    @property
    def cost_group(self) -> str:
        """Points with the same group cost the same per unit and share one calibration (e.g. one
        study's points of one L); the plan prints it."""
        return self.study

    @abstractmethod
    def calibrate(self, max_size: int) -> "Calibration":
        """Time this point's work here, a unit (or a scaled-down one when larger than ``max_size``,
        in the kind's measure of size), and return the cost per unit and per job."""


@dataclass(frozen=True)
class Calibration:
    """The measured cost of a point's jobs: ``seconds_per_unit`` of work, ``seconds_per_job`` of
    start-up (imports, initialisation, compilation, writing), and how it was obtained."""

    seconds_per_unit: float
    seconds_per_job: float
    note: str  # "measured", "extrapolated from L=...", ...


def time_command(args: list[str], marker: str | None = None) -> tuple[float, list[float]]:
    """Wall seconds of ``wavelearn ARGS`` run as a job runs, in its own process, and the seconds
    (from its start) at which each output line beginning with ``marker`` appeared: a kind whose
    libraries must not share the planning process (Kwant beside PETSc) or whose cost includes its
    start-up (JAX compilation) is calibrated this way. Its error is the calibration's error."""
    import subprocess
    import sys
    import time

    from wavelearn.errors import WavelearnError

    start, marks, last = time.perf_counter(), [], "no output"
    # One pipe for both streams: a full, unread stderr pipe would stall the job.
    with subprocess.Popen([sys.executable, "-m", "wavelearn.cli.main", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as job:
        for line in job.stdout:
            if marker is not None and line.startswith(marker):
                marks.append(time.perf_counter() - start)
            last = line.strip() or last
    if job.returncode != 0:
        raise WavelearnError(f"calibration run 'wavelearn {' '.join(args)}' failed: {last}")
    return time.perf_counter() - start, marks


class StudyKind(ABC):
    """A kind of study (see the module docstring)."""

    name: ClassVar[str]
    schema_file: ClassVar[str]  # under workflow/schemas/
    rule_file: ClassVar[str]  # under workflow/rules/
    point_type: ClassVar[type[StudyPoint]]

    @abstractmethod
    def points(self, study: dict[str, Any], campaign_seed: int) -> list[StudyPoint]:
        """The validated points of one study (its config has the defaults filled);
        raises ParameterError naming the study and the offending value."""

    def check(self, config: dict[str, Any], points: Sequence[StudyPoint]) -> None:
        """Checks that need the whole config (several studies); raises ParameterError."""

    def targets(self, config: dict[str, Any], points: Sequence[StudyPoint]) -> list[str]:
        """The final files of this kind's studies (the inputs of ``rule all``)."""
        return []
