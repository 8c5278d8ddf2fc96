"""The names of wavelearn's file formats, and the one check every reader makes.

Every file wavelearn writes carries the root attributes ``format`` (one of the names below)
and ``format_version``; docs/formats.md documents each. A reader opens a file through
:func:`check_format`, so a file of another kind, or of a version this code cannot read, is a
one-line :class:`~wavelearn.errors.DataError` instead of a KeyError deep inside.
"""

from __future__ import annotations

import os

from wavelearn.errors import DataError

EIGENSTATES = "wavelearn-eigenstates"  # one eigensolve job: realizations of one point
DATASET = "wavelearn-dataset"          # the gathered samples of one study and L
SCAN = "wavelearn-scan"                # P(phase) per state from a trained network
FINGERPRINTS = "wavelearn-fingerprints"  # g(B), images and layouts of antidot billiards
NQS_RUN = "wavelearn-nqs-run"          # a variational Monte Carlo run: energy trace, RBM parameters

#: the versions this code reads, per format
VERSIONS = {EIGENSTATES: (2,), DATASET: (2,), SCAN: (0, 1), FINGERPRINTS: (1,), NQS_RUN: (1,)}  # scan 0: written before versions were recorded


def python_value(value):
    """An HDF5 attribute as a plain Python value (numpy scalars -> numbers, bytes -> str)."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode()
    return value


def _text(value) -> str | None:
    return None if value is None else str(python_value(value))


def check_format(handle, expected: str, path: str | os.PathLike) -> int:
    """Raise DataError unless the open HDF5 ``handle`` is a file of format ``expected`` in a
    version this code reads; returns the version."""
    found = _text(handle.attrs.get("format"))
    if found != expected:
        raise DataError(f"{path}: not a {expected} file (format={found!r})")
    version = int(handle.attrs.get("format_version", 0))
    if version not in VERSIONS[expected]:
        raise DataError(f"{path}: {expected} version {version} is not readable by this wavelearn "
                        f"(reads {', '.join(map(str, VERSIONS[expected]))})")
    return version


def require(handle, names, path: str | os.PathLike) -> None:
    """Raise DataError naming the first of ``names`` (datasets or attributes) missing from ``handle``."""
    for name in names:
        if name not in handle and name not in handle.attrs:
            raise DataError(f"{path}: incomplete {_text(handle.attrs.get('format'))} file: {name!r} is missing")
