"""``wavelearn plan``: points, jobs and core-hours of a config, every kind of study; its errors."""

import math
import re

import pytest
import yaml


def test_plan_lists_points_jobs_and_core_hours(tmp_path, run_cli):
    (tmp_path / "c.yaml").write_text(
        "campaign_seed: 3\nstudies:\n  - {name: s, model: anderson, dim: 3, L: [6, 8], W: [5, 20],"
        " realizations: 8, realizations_per_job: 4}\n")
    out = run_cli("plan", "--config", str(tmp_path / "c.yaml")).stdout
    assert "study s (eigenstates): 4 points, 8 jobs, 32 realizations" in out and "core-hours" in out
    row = r"L=6 +2 points +4 jobs +16 realizations x 1 rank\(s\) .* s/realization \+ 0\.27 s/job \(measured\)"
    assert re.search(row, out), out
    assert "L=8" in out and "total: 8 jobs" in out


def expected_jobs(config: dict) -> dict[str, int]:
    """Jobs per study counted from the config by hand: a grid's points times its chunks per point
    (eigenstates), chunks of layouts (transport), one run per (L, alpha, W) (manybody)."""
    def size(grid):
        return grid["num"] if isinstance(grid, dict) else len(grid)

    jobs = {}
    for study in config["studies"]:
        kind = study.get("kind", "eigenstates")
        if kind == "eigenstates":
            points = len(study["L"]) * math.prod(size(study.get(k, [d])) for k, d in (("W", 0), ("p", 1), ("flux", 0)))
            jobs[study["name"]] = points * -(-study.get("realizations", 8) // study.get("realizations_per_job", 4))
        elif kind == "transport":
            jobs[study["name"]] = -(-study["layouts"] // study.get("layouts_per_job", 8))
        else:
            jobs[study["name"]] = len(study["L"]) * size(study["alpha"]) * size(study.get("W", [0]))
    return jobs


def shipped_configs(root):
    return [root / "config.yaml", *sorted((root / "docs" / "campaigns").glob("*.yaml"))]


def test_plan_reports_every_study_of_every_shipped_config(root, run_cli):
    # issue 18: plan on the default config (three kinds) ended in an AttributeError.
    for path in shipped_configs(root):
        config = yaml.safe_load(path.read_text())
        out = run_cli("plan", "--config", str(path), "--no-calibrate").stdout
        expected = expected_jobs(config)
        found = {m.group(1): int(m.group(2)) for m in re.finditer(r"^study (\S+) \(\w+\): \d+ points, (\d+) jobs", out,
                                                                 flags=re.M)}
        assert found == expected, (path, out)
        assert f"total: {sum(expected.values())} jobs" in out


@pytest.mark.slow
def test_plan_calibrates_every_kind(tmp_path, run_cli):
    """One tiny study of each kind, each timed its own way: a solve in the planning process, a
    transport job and a VMC job in processes of their own."""
    config = {"campaign_seed": 1, "studies": [
        {"name": "eig", "model": "anderson", "dim": 2, "L": [4], "W": [1.0], "backend": "dense", "nev": 2,
         "realizations": 2, "realizations_per_job": 1},
        {"name": "fp", "kind": "transport", "Lx": 16, "Ly": 12, "energy": 0.9, "antidots": 1, "radius": 1.5,
         "field_points": 3, "layouts": 3, "layouts_per_job": 2},
        {"name": "spins", "kind": "manybody", "model": "heisenberg", "geometry": "chain", "L": [4], "alpha": [1],
         "iterations": 3}]}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    out = run_cli("plan", "--config", str(tmp_path / "c.yaml"), timeout=600).stdout
    assert re.search(r"study eig \(eigenstates\): 1 points, 2 jobs, 2 realizations", out), out
    assert re.search(r"study fp \(transport\): 1 points, 2 jobs, 3 layouts", out), out
    assert re.search(r"study spins \(manybody\): 1 points, 1 jobs, 3 iterations", out), out
    for unit in ("realization", "layout", "iteration"):
        assert re.search(rf"s/{unit} \+ [0-9.e+-]+ s/job \(measured", out), (unit, out)
    assert "total: 5 jobs, ~" in out and "core-hours" in out


def test_plan_reports_config_errors(tmp_path, run_cli):
    (tmp_path / "c.yaml").write_text("campaign_seed: 3\nstudies:\n  - {name: s, model: lieb, dim: 3, L: [6]}\n")
    result = run_cli("plan", "--config", str(tmp_path / "c.yaml"), check=False)
    assert result.returncode == 2 and "'lieb' is not one of" in result.stderr
