"""``wavelearn plan``: points, jobs and core-hours of a config; its errors."""


def test_plan_lists_points_jobs_and_core_hours(tmp_path, run_cli):
    (tmp_path / "c.yaml").write_text(
        "campaign_seed: 3\nstudies:\n  - {name: s, model: anderson, dim: 3, L: [6, 8], W: [5, 20],"
        " realizations: 8, realizations_per_job: 4}\n")
    out = run_cli("plan", "--config", str(tmp_path / "c.yaml")).stdout
    assert "4 points" in out and "8 solve jobs" in out and "core-hours" in out
    assert "L=6" in out and "L=8" in out


def test_plan_reports_config_errors(tmp_path, run_cli):
    (tmp_path / "c.yaml").write_text("campaign_seed: 3\nstudies:\n  - {name: s, model: lieb, dim: 3, L: [6]}\n")
    result = run_cli("plan", "--config", str(tmp_path / "c.yaml"), check=False)
    assert result.returncode == 2 and "'lieb' is not one of" in result.stderr
