"""What produced an output: package versions, git commit, host, time."""

from __future__ import annotations

import datetime
import functools
import importlib.metadata
import platform
import subprocess
from pathlib import Path

import wavelearn

PACKAGES = ("numpy", "scipy", "h5py", "mpi4py", "petsc", "petsc4py", "slepc", "slepc4py")


@functools.lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    versions = {"wavelearn": wavelearn.__version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@functools.lru_cache(maxsize=1)
def git_commit() -> str:
    """The commit of the source tree wavelearn runs from ('unknown' outside a git checkout)."""
    source = Path(wavelearn.__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(source), "describe", "--always", "--dirty", "--abbrev=40"],
            capture_output=True, text=True, timeout=10, check=True,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance() -> dict[str, str]:
    return {
        "git_commit": git_commit(),
        "hostname": platform.node(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **{f"version_{name}": version for name, version in package_versions().items()},
    }
