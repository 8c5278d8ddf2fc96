"""The cost model of ``wavelearn plan``: solves plus the start-up of every job."""

from wavelearn.campaign.config import validate_config
from wavelearn.campaign.cost import JOB_STARTUP_SECONDS, SizeEstimate, estimate
from wavelearn.campaign.plan import campaign_points


def test_job_start_up_is_counted():
    row = SizeEstimate("s", 8, points=2, jobs=10, units=40, seconds_per_unit=0.01, note="measured", ranks=1)
    assert row.core_hours * 3600 == 40 * 0.01 + 10 * JOB_STARTUP_SECONDS
    assert SizeEstimate("s", 8, 2, 10, 40, 0.01, "measured", ranks=2).core_hours == 2 * row.core_hours


def test_estimate_times_one_point_per_size_and_extrapolates_large_ones():
    config = validate_config({"campaign_seed": 1, "studies": [
        {"name": "s", "model": "anderson", "dim": 2, "L": [6, 40], "W": [2.0, 4.0], "backend": "dense",
         "realizations": 4, "realizations_per_job": 2}]})
    rows = {row.L: row for row in estimate(campaign_points(config), max_sites=400)}
    assert rows[6].note == "measured" and rows[6].jobs == 4 and rows[6].units == 8
    assert rows[40].note == "extrapolated from L=20"
    assert rows[40].seconds_per_unit > rows[6].seconds_per_unit
