"""The transport kind of study: magneto-conductance fingerprints g(B) of antidot billiards.

A study is one billiard (:class:`wavelearn.transport.params.Billiard`: sizes, leads, Fermi energy,
antidots, disorder, field sweep) and a number of random layouts; its one point is the study
itself. Layouts 0..N-1 are cut into chunks of ``layouts_per_job``; one ``transport`` job per chunk
writes ``<results>/<study>/fingerprints/chunk<NNN>.h5``; ``gather_fingerprints`` joins them into
``<results>/<study>/fingerprints.h5``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

from wavelearn.campaign.kinds import (Calibration, Chunk, StudyKind, StudyPoint, chunk_range, format_number,
                                      time_command)
from wavelearn.errors import ParameterError
from wavelearn.transport.params import Billiard

#: study keys that are the billiard's (the rest are the campaign's: name, kind, layouts, ...)
BILLIARD_KEYS = ("Lx", "Ly", "lead_width", "energy", "antidots", "radius", "gap", "potential", "W",
                 "field_min", "field_max", "field_points", "image_field", "lead_y", "right_lead_width",
                 "right_lead_y")


def chunk_path(results: str, study: str, chunk: str) -> str:
    return f"{results}/{study}/fingerprints/chunk{chunk}.h5"


def fingerprints_path(results: str, study: str) -> str:
    return f"{results}/{study}/fingerprints.h5"


def fingerprints_plot_path(results: str, study: str) -> str:
    return f"{results}/{study}/fingerprints.png"


def vae_dir(results: str, study: str, variant: str) -> str:
    """``full`` (image and layout branches) or ``layout`` (without the wave-function branch)."""
    return f"{results}/{study}/vae/{variant}"


def vae_network(results: str, study: str, variant: str) -> str:
    """The file whose presence means the VAE variant is trained."""
    return f"{vae_dir(results, study, variant)}/network.json"


def vae_report(results: str, study: str) -> str:
    return f"{results}/{study}/vae/report/metrics.json"


VAE_DEFAULTS = {"epochs": 50, "latent": 7, "beta": 0.001, "batch_size": 32, "validation": 0.2, "seed": 0,
                "selection": 0.15}
# Held-out layouts a VAE's evaluation needs (metrics, and t-SNE maps: more samples than 3x perplexity 1),
# and training layouts for at least a few batches of statistics.
VAE_MIN_HELD_OUT, VAE_MIN_TRAINING = 4, 8


def vae_arguments(study: dict[str, Any], variant: str) -> str:
    """``wavelearn vae train`` options of a study's VAE (variant ``layout``: no image branch)."""
    vae = {**VAE_DEFAULTS, **study["vae"]}
    return (f"--epochs {vae['epochs']} --latent {vae['latent']} --beta {format_number(vae['beta'])} "
            f"--batch-size {vae['batch_size']} --validation {format_number(vae['validation'])} --seed {vae['seed']} "
            f"--selection {format_number(vae['selection'])}"
            + (" --no-wavefunction" if variant == "layout" else ""))


def billiard_of(study: dict[str, Any]) -> Billiard:
    """The study's billiard; ``potential: hard`` (the default) is hard walls (V = inf)."""
    values = {key: study[key] for key in BILLIARD_KEYS if key in study}
    if values.get("potential") == "hard":
        values["potential"] = math.inf
    return Billiard(**values)


@dataclass(frozen=True)
class TransportPoint(StudyPoint):
    kind: ClassVar[str] = "transport"
    identity: ClassVar[tuple[str, ...]] = ("study",)

    study: str
    billiard: Billiard
    layouts: int
    layouts_per_job: int
    campaign_seed: int

    @property
    def wildcards(self) -> dict[str, str]:
        return {"study": self.study}

    @property
    def chunks(self) -> list[Chunk]:
        return chunk_range(self.layouts, self.layouts_per_job)

    def output(self, results: str, chunk: Chunk) -> str:
        return chunk_path(results, self.study, chunk.label)

    def job_arguments(self, chunk: Chunk) -> str:
        b = self.billiard
        potential = "inf" if math.isinf(b.potential) else format_number(b.potential)
        return (
            f"--Lx {b.Lx} --Ly {b.Ly} --lead-width {b.lead_width} --energy {format_number(b.energy)} "
            f"--antidots {b.antidots} --radius {format_number(b.radius)} --gap {format_number(b.gap)} "
            f"--potential {potential} --W {format_number(b.W)} --field-min {format_number(b.field_min)} "
            f"--field-max {format_number(b.field_max)} --field-points {b.field_points} "
            f"--image-field {format_number(b.image_field)} --lead-y {b.lead_y} "
            f"--right-lead-width {b.right_lead_width} --right-lead-y {b.right_lead_y} --seed {self.campaign_seed} "
            f"--layouts {chunk.span}"
        )

    unit = "layout"

    @property
    def cost_group(self) -> str:
        return f"{self.billiard.Lx}x{self.billiard.Ly}"

    def calibrate(self, max_size: int) -> Calibration:
        """Layout 0 computed by a ``transport`` job of its own (Kwant must not share the planning
        process with PETSc): the layout's build, field sweep and density image as its file records
        them per unit, the rest of the job's wall time as its start-up. ``max_size`` is unused: a
        billiard is calibrated at its own size."""
        import tempfile

        from wavelearn.io.fingerprints import read_fingerprints

        with tempfile.TemporaryDirectory(prefix="wavelearn-plan-") as tmp:
            output = f"{tmp}/layout0.h5"
            wall, _ = time_command(["transport", *self.job_arguments(Chunk(0, 0, 1)).split(), "--output", output,
                                 "--no-progress"])
            data = read_fingerprints(output, load_images=False)
        unit = float(data.build_seconds[0] + data.solve_seconds[0] + data.density_seconds[0])
        return Calibration(unit, max(wall - unit, 0.0), "measured")


class TransportKind(StudyKind):
    name = "transport"
    schema_file = "transport.schema.yaml"
    rule_file = "transport.smk"
    point_type = TransportPoint

    def points(self, study: dict[str, Any], campaign_seed: int) -> list[TransportPoint]:
        try:
            billiard = billiard_of(study)
        except ParameterError as err:
            raise ParameterError(f"study {study['name']!r}: {err}") from None
        if "vae" in study:
            fraction = {**VAE_DEFAULTS, **study["vae"]}["validation"]
            held_out = max(1, int(round(fraction * study["layouts"])))
            if held_out < VAE_MIN_HELD_OUT or study["layouts"] - held_out < VAE_MIN_TRAINING:
                raise ParameterError(
                    f"study {study['name']!r}: layouts={study['layouts']} with vae validation={fraction:g} holds out "
                    f"{held_out} and trains on {study['layouts'] - held_out}; the VAE needs at least "
                    f"{VAE_MIN_HELD_OUT} held out and {VAE_MIN_TRAINING} for training: raise layouts")
        return [TransportPoint(study["name"], billiard, study["layouts"], study["layouts_per_job"], campaign_seed)]

    def targets(self, config: dict[str, Any], points: Sequence[StudyPoint]) -> list[str]:
        results = config["results"]
        studies = {study["name"]: study for study in config["studies"]}
        files = []
        for pt in points:
            files += [fingerprints_path(results, pt.study), fingerprints_plot_path(results, pt.study)]
            if "vae" in studies[pt.study]:
                files.append(vae_report(results, pt.study))
        return files
