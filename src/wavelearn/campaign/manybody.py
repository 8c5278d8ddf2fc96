"""The many-body kind of study: RBM wave functions trained by variational Monte Carlo on spin
models (wavelearn.manybody, wavelearn.learning.nqs), refereed by exact diagonalization.

A point is one study's (L, alpha, W): model and geometry fixed per study, energies in the Pauli
convention. One ``nqs`` job per point writes ``<results>/<study>/L<L>_alpha<a>_W<W>/run.h5``
(its checkpoints beside it, so a killed job resumes); ``plot_nqs`` draws the energy traces
against the exact line and the relative error against alpha per study.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

from wavelearn.campaign.kinds import (Calibration, Chunk, StudyKind, StudyPoint, format_number, grid_values,
                                      time_command)
from wavelearn.errors import ParameterError


def run_dir(results: str, study: str, L: str, alpha: str, W: str) -> str:
    return f"{results}/{study}/L{L}_alpha{alpha}_W{W}"


def run_file(results: str, study: str, L: str, alpha: str, W: str) -> str:
    return f"{run_dir(results, study, L, alpha, W)}/run.h5"


def work_dir(results: str, study: str, L: str, alpha: str, W: str) -> str:
    """Checkpoints and history of a run: a killed job resumes from them."""
    return f"{run_dir(results, study, L, alpha, W)}/work"


def plots_path(results: str, study: str, name: str) -> str:
    return f"{results}/{study}/{name}.png"


@dataclass(frozen=True)
class ManybodyPoint(StudyPoint):
    kind: ClassVar[str] = "manybody"
    identity: ClassVar[tuple[str, ...]] = ("study", "L", "alpha", "W")

    study: str
    model: str
    geometry: str
    L: int
    alpha: float
    W: float
    iterations: int
    options: tuple[tuple[str, Any], ...]  # the study's remaining settings (CLI flag, value)
    campaign_seed: int

    @property
    def wildcards(self) -> dict[str, str]:
        return {"study": self.study, "L": str(self.L), "alpha": format_number(self.alpha),
                "W": format_number(self.W)}

    @property
    def chunks(self) -> list[Chunk]:
        return [Chunk(0, 0, 1)]  # one VMC run per point

    def output(self, results: str, chunk: Chunk) -> str:
        return run_file(results, **self.wildcards)

    def job_arguments(self, chunk: Chunk) -> str:
        flags = "".join(f" --{key.replace('_', '-')}" + ("" if value is True else f" {value}")
                        for key, value in self.options if value is not False)
        return (f"--model {self.model} --geometry {self.geometry} --L {self.L} --alpha {format_number(self.alpha)} "
                f"--W {format_number(self.W)} --disorder-seed {self.campaign_seed} --iterations {self.iterations}"
                + flags)

    unit = "iteration"

    @property
    def units(self) -> int:
        return self.iterations

    @property
    def cost_group(self) -> str:
        return f"L={self.L} alpha={format_number(self.alpha)}"

    def calibrate(self, max_size: int) -> Calibration:
        """A short ``nqs`` job of this point, n = min(iterations, :data:`CALIBRATION_ITERATIONS`) + 1
        iterations, its log lines time-stamped as they appear: an iteration costs the median
        interval between two log lines after the first (which also waited for JAX's compilation),
        the rest of the job's wall time is its start-up (imports, compilation, the exact reference
        energy, writing). ``max_size`` is unused: a spin model is calibrated at its own size."""
        import tempfile

        import numpy as np

        n = min(self.iterations, CALIBRATION_ITERATIONS) + 1
        with tempfile.TemporaryDirectory(prefix="wavelearn-plan-") as tmp:
            wall, epochs = time_command(["nqs", *self.job_arguments(self.chunks[0]).split(), "--iterations", str(n),
                                         "--workdir", f"{tmp}/work", "--no-progress"], marker="epoch ")
        per_iteration = float(np.median(np.diff(epochs))) if len(epochs) > 1 else 0.0
        return Calibration(per_iteration, max(wall - n * per_iteration, 0.0), f"measured: {n} iterations")


#: Iterations of a many-body point's calibration job, besides its first (which waits for the
#: compilation); their median is robust against the other work on a shared machine.
CALIBRATION_ITERATIONS = 20


#: study keys passed to ``wavelearn nqs`` as they are (key -> flag --key-with-dashes)
OPTIONS = ("J", "h", "delta", "J2", "samples", "chains", "learning_rate", "diag_shift", "warmup", "symmetric", "seed")


class ManybodyKind(StudyKind):
    name = "manybody"
    schema_file = "manybody.schema.yaml"
    rule_file = "manybody.smk"
    point_type = ManybodyPoint

    def points(self, study: dict[str, Any], campaign_seed: int) -> list[ManybodyPoint]:
        from wavelearn.manybody import SpinModel

        options = tuple((key, study[key]) for key in OPTIONS if key in study)
        points = []
        for L, alpha, W in itertools.product(study["L"], grid_values(study["alpha"]), grid_values(study["W"])):
            try:
                model = SpinModel(study["model"], study["geometry"], L, W=W)
                sz = model.default_sz()
                if sz is not None and model.n_sites % 2:
                    raise ParameterError(f"N={model.n_sites} spins are odd: no Sz = 0 sector")
                if not alpha > 0:
                    raise ParameterError(f"alpha={alpha:g}: the hidden-unit density must be > 0")
                if study.get("symmetric") and float(alpha) != int(alpha):
                    raise ParameterError(f"alpha={alpha:g}: the translation-symmetric RBM needs an integer alpha")
            except ParameterError as err:
                raise ParameterError(f"study {study['name']!r}, L={L}, alpha={alpha:g}, W={W:g}: {err}") from None
            points.append(ManybodyPoint(study["name"], study["model"], study["geometry"], L, alpha, W,
                                        study["iterations"], options, campaign_seed))
        return points

    def targets(self, config: dict[str, Any], points: Sequence[StudyPoint]) -> list[str]:
        results = config["results"]
        return [plots_path(results, study, name) for study in sorted({pt.study for pt in points})
                for name in ("energy", "error_vs_alpha")]
