"""The criticality step of a campaign: per eigenstate study, ``wavelearn criticality`` on its
datasets (every L) beside the scans of the networks that scan the study (rule ``criticality``,
files :func:`wavelearn.campaign.eigenstates.criticality_paths`)."""

from __future__ import annotations

from typing import Any

from wavelearn.campaign.networks import scan_path


def criticality_scans(config: dict[str, Any], study: str) -> dict[str, list[str]]:
    """network name -> its scan files of ``study`` (one per L of the study)."""
    sizes = next(s["L"] for s in config["studies"] if s["name"] == study)
    return {net["name"]: [scan_path(config["results"], net["name"], study, L, "h5") for L in sizes]
            for net in config["learning"] if study in net["scan_studies"]}


def criticality_scan_arguments(config: dict[str, Any], study: str) -> str:
    """``--scan NAME=FILE`` for every scan of the study."""
    return " ".join(f"--scan {net}={path}" for net, files in criticality_scans(config, study).items()
                    for path in files)
