"""Run the real Snakefile on a scratch campaign directory."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

from conftest import BIN, ROOT

ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def write_config(workdir: Path, studies: list[dict], seed: int = 7) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump({"campaign_seed": seed, "studies": studies}))


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: float = 600,
              env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "snakemake"), "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), *args]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def planned_jobs(workdir: Path, *args: str) -> dict[str, int]:
    """Jobs per rule of a dry run (Snakemake's 'Job stats' table)."""
    out = snakemake(workdir, "--dry-run", *args)
    text = out.stdout + out.stderr
    if "Nothing to be done" in text:
        return {}
    table = text.split("Job stats:", 1)[1]
    counts = {}
    for line in table.splitlines()[3:]:
        match = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if not match:
            break
        counts[match.group(1)] = int(match.group(2))
    counts.pop("total", None)
    return counts


def planned_outputs(workdir: Path, rule: str) -> list[str]:
    out = snakemake(workdir, "--dry-run", "--printshellcmds")
    return re.findall(rf"rule {rule}:.*?output: (\S+)", out.stdout, flags=re.S)
