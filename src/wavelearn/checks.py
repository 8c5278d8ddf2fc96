"""The checks of a single parameter value that the frozen parameter dataclasses, the campaign
config and the command line share: one rule and one wording for "a finite number", "an integer
in range" and "a seed". Standard library only (the errors layer).

What the command line and the config accept as *a number* at all (before any dataclass sees it)
is :func:`is_number` / :func:`is_integer`: a number is finite, an integer is a true int that
fits a signed 64-bit word — ``nan`` and ``inf`` pass every comparison check (``nan > 0`` is
False, ``inf > 0`` True) and would then poison a job, and a larger integer cannot be stored in
an HDF5 attribute or handed to NumPy.

Seeds: a campaign seed (the root of every realization's and layout's stream) is an integer in
[0, :data:`SEED_MAX`] (2^63 - 1: stored as a signed 64-bit HDF5 attribute, NumPy's
``SeedSequence`` entropy); the seed of a training run (network initialisation, batches, Markov
chains) in [0, :data:`TRAINING_SEED_MAX`] (2^31 - 1, what JAX's ``PRNGKey`` takes on every
platform). ``workflow/schemas/*.schema.yaml`` states the same maxima (tested).
"""

from __future__ import annotations

import math
from typing import Any

from wavelearn.errors import ParameterError

INT64_MAX = 2**63 - 1
SEED_MAX = INT64_MAX
TRAINING_SEED_MAX = 2**31 - 1


def is_integer(value: Any) -> bool:
    """A Python or NumPy integer (not a bool) that fits a signed 64-bit word."""
    if isinstance(value, bool) or not hasattr(value, "__index__") or isinstance(value, float):
        return False
    return -INT64_MAX - 1 <= int(value) <= INT64_MAX


def is_number(value: Any) -> bool:
    """A finite real number (int or float, not a bool)."""
    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value)) and not isinstance(value, (str, bytes, complex))
    except (TypeError, ValueError, OverflowError):
        return False


def _bounds(minimum, maximum, positive: bool = False) -> str:
    """`` in [a, b]``, `` >= a``, `` > 0 and <= b``, ...: the range in an error message."""
    text = lambda v: str(v) if isinstance(v, int) else f"{v:g}"  # noqa: E731
    if minimum is not None and maximum is not None:
        return f" in [{text(minimum)}, {text(maximum)}]"
    parts = ["> 0"] if positive else []
    parts += [f">= {text(minimum)}"] if minimum is not None else []
    parts += [f"<= {text(maximum)}"] if maximum is not None else []
    return "".join(f" {part}" if i == 0 else f" and {part}" for i, part in enumerate(parts))


def integer(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int in [minimum, maximum], or a ParameterError naming ``name``, the value
    and the range."""
    if not (is_integer(value) and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)):
        raise ParameterError(f"{name}={value!r} must be an integer{_bounds(minimum, maximum)}")
    return int(value)


def number(name: str, value: Any, minimum: float | None = None, maximum: float | None = None, *,
           positive: bool = False) -> float:
    """``value`` as a finite float in [minimum, maximum] (``positive``: > 0), or a ParameterError."""
    if not (is_number(value) and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
            and (not positive or value > 0)):
        raise ParameterError(f"{name}={value!r} must be a finite number{_bounds(minimum, maximum, positive)}")
    return float(value)


def seed(name: str, value: Any) -> int:
    """A campaign seed: an integer in [0, SEED_MAX]."""
    return integer(name, value, 0, SEED_MAX)


def training_seed(name: str, value: Any) -> int:
    """The seed of a training run: an integer in [0, TRAINING_SEED_MAX]."""
    return integer(name, value, 0, TRAINING_SEED_MAX)
