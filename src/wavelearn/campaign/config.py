"""Load and validate a campaign config against ``workflow/schemas/config.schema.yaml``.

The same schema file is used by the Snakefile (``snakemake.utils.validate``) and here, so
the command-line tools (``wavelearn plan``) and the workflow accept exactly the same configs.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import Any

import yaml

from wavelearn.campaign.plan import campaign_points, grid_values
from wavelearn.errors import ParameterError

SCHEMA_RELATIVE = Path("workflow") / "schemas" / "config.schema.yaml"


class ConfigError(ParameterError):
    """The campaign config does not follow the schema or describes impossible points."""


def schema_path() -> Path:
    """The schema in the project checkout wavelearn runs from (or $WAVELEARN_SCHEMA)."""
    if os.environ.get("WAVELEARN_SCHEMA"):
        return Path(os.environ["WAVELEARN_SCHEMA"])
    for parent in Path(__file__).resolve().parents:
        if (parent / SCHEMA_RELATIVE).is_file():
            return parent / SCHEMA_RELATIVE
    raise FileNotFoundError(f"{SCHEMA_RELATIVE} not found above {__file__}; set WAVELEARN_SCHEMA")


@functools.lru_cache(maxsize=4)
def load_schema(path: Path | None = None) -> dict[str, Any]:
    with open(path or schema_path()) as handle:
        return yaml.safe_load(handle)


def _where(error) -> str:
    parts = []
    for item in error.absolute_path:
        parts.append(f"[{item}]" if isinstance(item, int) else (f".{item}" if parts else str(item)))
    return "".join(parts) or "(top level)"


def _describe(error) -> str:
    """One line per violation: the key, the offending value and what is allowed."""
    if error.validator == "oneOf" and error.context:
        # A grid: report the alternative that came closest.
        from jsonschema.exceptions import best_match

        # The alternative of the right type (list or mapping) says what is wrong inside it.
        relevant = [e for e in error.context if e.validator != "type"] or list(error.context)
        inner = best_match(relevant)
        return f"{_where(inner)}: {inner.message} (a grid is a list of numbers or {{start, stop, num}})"
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"{_where(error)}: {error.message}; allowed keys: {allowed}"
    return f"{_where(error)}: {error.message}"


def _fill_defaults(config: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(config)
    for key, spec in schema["properties"].items():
        if "default" in spec:
            config.setdefault(key, spec["default"])
    for section, definition in (("studies", "study"), ("learning", "network")):
        properties = schema["$defs"][definition]["properties"]
        for item in config[section]:
            for key, spec in properties.items():
                if "default" in spec:
                    item.setdefault(key, copy.deepcopy(spec["default"]))
    for network in config["learning"]:
        network.setdefault("scan_studies", [network["train_study"]])
    return config


def _check_learning(config: dict[str, Any]) -> None:
    """Every network names existing studies, and each scanned L has a network of that L."""
    studies = {study["name"]: study for study in config["studies"]}
    names = [net["name"] for net in config["learning"]]
    if len(set(names)) != len(names):
        raise ConfigError("invalid config: learning network names must be unique")
    for net in config["learning"]:
        missing = sorted({s for s in [net["train_study"], *net["scan_studies"]] if s not in studies})
        if missing:
            raise ConfigError(f"invalid config: learning {net['name']!r} names unknown studies {missing}; "
                              f"studies are {sorted(studies)}")
        train = studies[net["train_study"]]
        if net["input"] == "k":
            without = [s for s in [net["train_study"], *net["scan_studies"]] if not studies[s]["save_psi"]]
            if without:
                raise ConfigError(f"invalid config: learning {net['name']!r} uses input k (|psi(k)|^2), which needs "
                                  f"save_psi: true in studies {sorted(set(without))}")
        for window in net["classes"]:
            values = grid_values(train[window["parameter"]])
            if not any(window["low"] <= v <= window["high"] for v in values):
                raise ConfigError(
                    f"invalid config: learning {net['name']!r}: class {window['name']!r} window "
                    f"{window['parameter']} in [{window['low']}, {window['high']}] is empty: the training study "
                    f"{net['train_study']!r} has {window['parameter']} = {values}")
        for scan_name in net["scan_studies"]:
            scan = studies[scan_name]
            if scan["dim"] != train["dim"]:
                raise ConfigError(f"invalid config: learning {net['name']!r}: scan study {scan_name!r} is "
                                  f"{scan['dim']}D, the training study {train['dim']}D")
            lacking = sorted(set(scan["L"]) - set(train["L"]))
            if lacking:
                raise ConfigError(f"invalid config: learning {net['name']!r}: scan study {scan_name!r} has L={lacking}, "
                                  f"which the training study {net['train_study']!r} lacks (one network per L)")


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    """Validate against the schema, fill defaults, and check every point is a valid model.

    Raises :class:`ConfigError` listing every violation.
    """
    import jsonschema

    schema = load_schema()
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError("invalid config:\n  " + "\n  ".join(_describe(e) for e in errors))
    config = _fill_defaults(config, schema)
    names = [study["name"] for study in config["studies"]]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"invalid config: study names must be unique; repeated: {', '.join(duplicates)}")
    try:
        campaign_points(config)
    except ParameterError as err:
        raise ConfigError(f"invalid config: {err}") from None
    _check_learning(config)
    return config


def load_config(path: str | os.PathLike) -> dict[str, Any]:
    try:
        with open(path) as handle:
            config = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a mapping with campaign_seed and studies")
    return validate_config(config)
