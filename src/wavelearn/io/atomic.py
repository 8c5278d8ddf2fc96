"""Atomic file creation: write to a temporary name in the same folder, then rename.

A job killed mid-write leaves at most a ``.<name>.tmp-<host>-<pid>-<8 hex>`` file, never a file under the
final name, so Snakemake (and people) never mistake a partial output for a finished one.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
import socket
import uuid
from pathlib import Path
from typing import Iterator, Sequence

from wavelearn.errors import ParameterError


PAUSE_VARIABLE = "WAVELEARN_TEST_PAUSE_BEFORE_RENAME"


def _pause_for_tests(temporary: Path) -> None:
    """Tests of killed jobs set ``WAVELEARN_TEST_PAUSE_BEFORE_RENAME=SECONDS`` to hold a job
    while its complete temporary file exists and the final name does not: the moment a kill
    must never turn into a file that looks complete. Unset in normal runs."""
    seconds = pause_seconds()
    if seconds > 0:
        import time

        time.sleep(seconds)


def pause_seconds() -> float:
    """The pause of :func:`_pause_for_tests` (0 when unset); a value that is not a finite number
    of seconds >= 0 is an error naming the variable, before anything is written."""
    text = os.environ.get(PAUSE_VARIABLE, "").strip()
    try:
        seconds = float(text) if text else 0.0
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ParameterError(f"{PAUSE_VARIABLE}={text!r}: expected a number of seconds >= 0 "
                             "(unset it in normal runs)")
    return seconds


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it to ``path``."""
    pause_seconds()  # a malformed test variable fails before any file is created
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    # Unique even for two hosts writing the same target on a shared file system.
    temporary = final.with_name(f".{final.name}.tmp-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        yield temporary
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        _pause_for_tests(temporary)
        os.replace(temporary, final)
        directory = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # make the rename itself durable
        finally:
            os.close(directory)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_csv(path: str | os.PathLike, rows: Sequence[dict], fieldnames: Sequence[str] | None = None) -> None:
    """Rows (dicts) as CSV with a header; the columns are ``fieldnames`` or the first row's keys."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fieldnames or rows[0]))
        writer.writeheader()
        writer.writerows(rows)
