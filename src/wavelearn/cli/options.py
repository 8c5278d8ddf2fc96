"""How the command line reads a number: what the config (and :mod:`wavelearn.checks`) accepts as
one. Ranges are not checked here but by the dataclass that owns the parameter, so the command
line, the config and the Python API give the same error for the same value."""

from __future__ import annotations

import argparse

from wavelearn.checks import is_integer, is_number


def _read(text: str, convert, valid, not_read: str, not_valid: str):
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(not_read.format(text=text)) from None
    if not valid(value):
        raise argparse.ArgumentTypeError(not_valid.format(text=text))
    return value


def integer(text: str) -> int:
    """An integer that fits a signed 64-bit word (what HDF5 and NumPy store)."""
    return _read(text, int, is_integer, "{text!r} is not an integer", "{text} does not fit a signed 64-bit integer")


def number(text: str) -> float:
    """A finite number: 'nan', 'inf' and overflowing ones ('1e400') are refused."""
    return _read(text, float, is_number, "{text!r} is not a number", "{text!r} is not a finite number")
