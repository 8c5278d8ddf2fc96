"""Load and validate a campaign config: the one path every config goes through.

The schema is ``workflow/schemas/config.schema.yaml`` with the study definition of every
registered kind merged in (:func:`campaign_schema`). :func:`validate_config` checks the schema,
fills the defaults, builds every point (each kind's own checks) and makes the checks that need
several studies; the Snakefile and the command-line tools (``wavelearn plan``) both call it, so
they accept exactly the same configs.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from typing import Any

import yaml

from wavelearn.campaign.kinds import DEFAULT_KIND
from wavelearn.campaign.networks import check_networks
from wavelearn.campaign.plan import campaign_points
from wavelearn.campaign.registry import KINDS
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


def _read_yaml(path: Path) -> dict[str, Any]:
    with open(path) as handle:
        return yaml.safe_load(handle)


@functools.lru_cache(maxsize=4)
def campaign_schema(path: Path | None = None) -> dict[str, Any]:
    """The campaign schema with ``$defs/<kind>_study`` for every registered kind and
    ``$defs/study`` choosing among them by the study's ``kind`` (absent: the default kind)."""
    path = path or schema_path()
    schema = _read_yaml(path)
    defs = schema["$defs"]
    branches = []
    for name, kind in KINDS.items():
        part = _read_yaml(path.parent / kind.schema_file)
        defs.update(part.get("$defs", {}))
        study = copy.deepcopy(part["study"])
        study["properties"]["kind"] = {"const": name}
        defs[f"{name}_study"] = study
        chosen = {"properties": {"kind": {"const": name}}, "required": ["kind"]}
        if name == DEFAULT_KIND:
            chosen = {"anyOf": [{"not": {"required": ["kind"]}}, chosen]}
        branches.append({"if": chosen, "then": {"$ref": f"#/$defs/{name}_study"}})
    defs["study"] = {
        "type": "object",
        "required": ["name"],
        "properties": {"kind": {"enum": list(KINDS), "default": DEFAULT_KIND,
                                "description": "the kind of study (wavelearn.campaign.registry)"}},
        "allOf": branches,
    }
    return schema


def study_properties(study: dict[str, Any]) -> dict[str, Any]:
    """The schema properties of a study of its kind (with their defaults)."""
    return campaign_schema()["$defs"][f"{study.get('kind', DEFAULT_KIND)}_study"]["properties"]


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

        # The alternative of the right type (list or mapping) says what is wrong inside it: a type
        # error of the grid itself only says it is the other alternative ([nan] "is not an object").
        relevant = [e for e in error.context
                    if e.validator != "type" or len(e.absolute_path) > len(error.absolute_path)] or list(error.context)
        inner = best_match(relevant)
        return f"{_where(inner)}: {inner.message} (a grid is a list of numbers or {{start, stop, num}})"
    if error.validator == "pattern":
        allowed = error.schema.get("allowed", f"the pattern {error.validator_value}")
        return f"{_where(error)}: {error.instance!r} is not allowed: use {allowed}"
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"{_where(error)}: {error.message}; allowed keys: {allowed}"
    return f"{_where(error)}: {error.message}"


def _fill_defaults(config: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(config)
    for key, spec in schema["properties"].items():
        if "default" in spec:
            config.setdefault(key, spec["default"])
    for study in config["studies"]:
        study.setdefault("kind", DEFAULT_KIND)
        for key, spec in study_properties(study).items():
            if "default" in spec:
                study.setdefault(key, copy.deepcopy(spec["default"]))
    for network in config["learning"]:
        for key, spec in schema["$defs"]["network"]["properties"].items():
            if "default" in spec:
                network.setdefault(key, copy.deepcopy(spec["default"]))
    for network in config["learning"]:
        network.setdefault("scan_studies", [network["train_study"]])
    return config


@functools.lru_cache(maxsize=1)
def _validator_class():
    """Draft 2020-12 with stricter types than JSON's: an ``integer`` is an int (8.0 and True are
    not: a job's ``range(8.0)`` fails long after validation), a ``number`` is finite (.nan and
    .inf pass every comparison check and then poison a job)."""
    import jsonschema

    from wavelearn.checks import is_number

    def is_integer(checker, value):
        # Any size: a too large one is then reported against the key's maximum, which says more.
        return isinstance(value, int) and not isinstance(value, bool)

    checker = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": is_integer, "number": lambda checker, value: is_number(value)})
    return jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=checker)


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    """Validate against the schema, fill defaults, and check every point is a valid model.

    Raises :class:`ConfigError` listing every violation.
    """
    schema = campaign_schema()
    validator = _validator_class()(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError("invalid config:\n  " + "\n  ".join(_describe(e) for e in errors))
    config = _fill_defaults(config, schema)
    names = [study["name"] for study in config["studies"]]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"invalid config: study names must be unique; repeated: {', '.join(duplicates)}")
    try:
        points = campaign_points(config)
        for name, kind in KINDS.items():
            kind.check(config, [pt for pt in points if pt.kind == name])
        check_networks(config)
    except ParameterError as err:
        raise ConfigError(f"invalid config: {err}") from None
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
