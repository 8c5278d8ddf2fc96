"""Command-line defaults taken from the dataclasses that own them (one source per default)."""

from __future__ import annotations

import dataclasses


def DEFAULT(cls, name: str):
    """The default of field ``name`` of dataclass ``cls``."""
    for field in dataclasses.fields(cls):
        if field.name == name:
            if field.default is dataclasses.MISSING:
                raise KeyError(f"{cls.__name__}.{name} has no default")
            return field.default
    raise KeyError(f"{cls.__name__} has no field {name!r}")
