"""The cost model of ``wavelearn plan``: units plus the start-up of every job, for every kind."""

import pytest

from wavelearn.campaign.config import validate_config
from wavelearn.campaign.cost import JOB_STARTUP_SECONDS, GroupCost, estimate
from wavelearn.campaign.kinds import Calibration
from wavelearn.campaign.plan import campaign_points
from wavelearn.errors import ParameterError


def test_units_and_job_start_up_are_counted_times_ranks():
    startup = JOB_STARTUP_SECONDS["without PETSc"]
    one = GroupCost("s", "eigenstates", "L=8", "realization", points=2, jobs=10, units=40, ranks=1,
                    calibration=Calibration(0.01, startup, "measured"))
    assert one.core_hours * 3600 == pytest.approx(40 * 0.01 + 10 * startup)
    two = GroupCost("s", "eigenstates", "L=8", "realization", 2, 10, 40, ranks=2, calibration=one.calibration)
    assert two.core_hours == pytest.approx(2 * one.core_hours)
    with pytest.raises(ValueError, match="not calibrated"):
        GroupCost("s", "eigenstates", "L=8", "realization", 2, 10, 40, 1).core_hours


def test_estimate_times_one_point_per_size_and_extrapolates_large_ones():
    config = validate_config({"campaign_seed": 1, "studies": [
        {"name": "s", "model": "anderson", "dim": 2, "L": [6, 40], "W": [2.0, 4.0], "backend": "dense",
         "realizations": 4, "realizations_per_job": 2}]})
    rows = {row.group: row for row in estimate(campaign_points(config), max_size=400)}
    assert rows["L=6"].calibration.note == "measured" and rows["L=6"].jobs == 4 and rows["L=6"].units == 8
    assert rows["L=40"].calibration.note == "extrapolated from L=20"
    assert rows["L=40"].calibration.seconds_per_unit > rows["L=6"].calibration.seconds_per_unit


def test_every_kind_states_its_jobs_and_units_without_calibration():
    config = validate_config({"campaign_seed": 1, "studies": [
        {"name": "e", "model": "anderson", "dim": 2, "L": [6], "W": [1.0, 2.0], "realizations": 5,
         "realizations_per_job": 2},
        {"name": "t", "kind": "transport", "Lx": 24, "Ly": 16, "energy": 0.9, "layouts": 10, "layouts_per_job": 4},
        {"name": "m", "kind": "manybody", "model": "heisenberg", "geometry": "chain", "L": [8, 10], "alpha": [1, 2],
         "iterations": 50}]})
    rows = {(row.study, row.group): row for row in estimate(campaign_points(config))}
    assert all(row.calibration is None for row in rows.values())
    e, t = rows[("e", "L=6")], rows[("t", "24x16")]
    assert (e.points, e.jobs, e.units, e.unit) == (2, 6, 10, "realization")
    assert (t.points, t.jobs, t.units, t.unit) == (1, 3, 10, "layout")
    assert {key[1] for key in rows if key[0] == "m"} == {"L=8 alpha=1", "L=8 alpha=2", "L=10 alpha=1", "L=10 alpha=2"}
    m = rows[("m", "L=10 alpha=2")]
    assert (m.points, m.jobs, m.units, m.unit) == (1, 1, 50, "iteration")


def test_the_calibration_size_is_checked():
    with pytest.raises(ParameterError, match="calibrate_max_sites=0 must be an integer >= 8"):
        estimate([], max_size=0)
