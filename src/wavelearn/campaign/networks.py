"""The ``learning:`` section of a campaign: CNN phase classifiers trained on one eigenstate
study (one network per L) and applied to scan studies; their arguments, files and checks."""

from __future__ import annotations

from typing import Any

from wavelearn.campaign.kinds import grid_values
from wavelearn.errors import ParameterError


def network_dir(results: str, net: str, L: int | str) -> str:
    return f"{results}/learning/{net}/L{L}"


def network_file(results: str, net: str, L: int | str) -> str:
    """The file whose presence means "trained" (written last by ``wavelearn train``)."""
    return f"{network_dir(results, net, L)}/network.json"


def scan_path(results: str, net: str, scan: str, L: int | str, suffix: str) -> str:
    return f"{results}/learning/{net}/scan_{scan}/L{L}.{suffix}"


def phase_diagram_path(results: str, net: str, scan: str, suffix: str) -> str:
    return f"{results}/learning/{net}/scan_{scan}/phase_diagram.{suffix}"


def network_targets(config: dict[str, Any]) -> list[str]:
    """The phase diagram of every (network, scan study)."""
    return [phase_diagram_path(config["results"], net["name"], scan, "csv")
            for net in config["learning"] for scan in net["scan_studies"]]


def train_arguments(net: dict[str, Any]) -> str:
    """``wavelearn train`` arguments of a network (without datasets and workdir)."""
    classes = " ".join(f"--class {c['name']}:{c['parameter']}:{c['low']}:{c['high']}" for c in net["classes"])
    architecture = (
        (f" --features {' '.join(map(str, net['features']))}" if "features" in net else "")
        + (f" --dense {net['dense']}" if "dense" in net else "")
        + (f" --dropout {net['dropout']}" if "dropout" in net else "")
    )
    return (f"{classes}{architecture} --input {net['input']} --epochs {net['epochs']} --batch-size {net['batch_size']} "
            f"--learning-rate {net['learning_rate']} --validation {net['validation']} --seed {net['seed']}")


def check_networks(config: dict[str, Any]) -> None:
    """Every network names existing studies, its class windows select training points, and each
    scanned L has a network of that L."""
    studies = {study["name"]: study for study in config["studies"]}
    names = [net["name"] for net in config["learning"]]
    if len(set(names)) != len(names):
        raise ParameterError("learning network names must be unique")
    for net in config["learning"]:
        missing = sorted({s for s in [net["train_study"], *net["scan_studies"]] if s not in studies})
        if missing:
            raise ParameterError(f"learning {net['name']!r} names unknown studies {missing}; "
                                 f"studies are {sorted(studies)}")
        not_eigen = sorted({s for s in [net["train_study"], *net["scan_studies"]]
                            if studies[s].get("kind", "eigenstates") != "eigenstates"})
        if not_eigen:
            raise ParameterError(f"learning {net['name']!r}: studies {not_eigen} are not eigenstate studies")
        train = studies[net["train_study"]]
        if net["input"] == "k":
            without = [s for s in [net["train_study"], *net["scan_studies"]] if not studies[s]["save_psi"]]
            if without:
                raise ParameterError(f"learning {net['name']!r} uses input k (|psi(k)|^2), which needs "
                                     f"save_psi: true in studies {sorted(set(without))}")
        for window in net["classes"]:
            values = grid_values(train[window["parameter"]])
            if not any(window["low"] <= v <= window["high"] for v in values):
                raise ParameterError(
                    f"learning {net['name']!r}: class {window['name']!r} window "
                    f"{window['parameter']} in [{window['low']}, {window['high']}] is empty: the training study "
                    f"{net['train_study']!r} has {window['parameter']} = {values}")
        windows = net["classes"]
        for i, a in enumerate(windows):
            if a["low"] > a["high"]:
                raise ParameterError(f"learning {net['name']!r}: class {a['name']!r} window [{a['low']}, {a['high']}] "
                                     "is empty (low > high)")
            for b in windows[i + 1:]:
                if a["parameter"] == b["parameter"] and a["low"] <= b["high"] and b["low"] <= a["high"]:
                    raise ParameterError(
                        f"learning {net['name']!r}: class windows {a['name']!r} {a['parameter']} in "
                        f"[{a['low']}, {a['high']}] and {b['name']!r} in [{b['low']}, {b['high']}] overlap: a state "
                        "cannot belong to two phases")
        for scan_name in net["scan_studies"]:
            scan = studies[scan_name]
            if scan["dim"] != train["dim"]:
                raise ParameterError(f"learning {net['name']!r}: scan study {scan_name!r} is "
                                     f"{scan['dim']}D, the training study {train['dim']}D")
            lacking = sorted(set(scan["L"]) - set(train["L"]))
            if lacking:
                raise ParameterError(f"learning {net['name']!r}: scan study {scan_name!r} has L={lacking}, "
                                     f"which the training study {net['train_study']!r} lacks (one network per L)")
