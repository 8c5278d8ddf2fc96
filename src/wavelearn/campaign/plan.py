"""The plan of a campaign: every point of every study, looked up by its wildcards, and the
final files; built once from a validated config (:func:`wavelearn.campaign.config.validate_config`).
"""

from __future__ import annotations

from typing import Any, Mapping

from wavelearn.campaign.kinds import DEFAULT_KIND, Chunk, StudyPoint
from wavelearn.campaign.networks import network_targets
from wavelearn.campaign.registry import KINDS
from wavelearn.errors import ParameterError


def campaign_points(config: dict[str, Any]) -> list[StudyPoint]:
    """Every point of every study, in config order (the config must have its defaults filled);
    a point listed twice by one study is an error."""
    points = [pt for study in config["studies"]
              for pt in KINDS[study.get("kind", DEFAULT_KIND)].points(study, config["campaign_seed"])]
    seen = set()
    for point in points:
        if (point.kind, point.key) in seen:
            raise ParameterError(f"study {point.study!r} lists the point {point.wildcards} twice")
        seen.add((point.kind, point.key))
    return points


class Plan:
    """The points of a validated config with O(1) lookups by wildcards, per kind."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.results: str = config["results"]
        self.points = campaign_points(config)
        self._index = {(pt.kind, pt.key): pt for pt in self.points}
        self.studies = {study["name"]: study for study in config["studies"]}

    def points_of(self, kind: str) -> list[StudyPoint]:
        return [pt for pt in self.points if pt.kind == kind]

    def point(self, kind: str, wildcards: Mapping[str, str]) -> StudyPoint:
        identity = KINDS[kind].point_type.identity
        try:
            return self._index[(kind, tuple(str(wildcards[name]) for name in identity))]
        except KeyError:
            raise KeyError(f"no {kind} point of the config matches {dict(wildcards)}") from None

    def chunk(self, kind: str, wildcards: Mapping[str, str]) -> Chunk:
        return self.point(kind, wildcards).chunks[int(wildcards["chunk"])]

    def targets(self) -> list[str]:
        """The inputs of ``rule all``: every kind's final files and the phase diagrams."""
        files = []
        for name, kind in KINDS.items():
            files += kind.targets(self.config, self.points_of(name))
        return files + network_targets(self.config)
