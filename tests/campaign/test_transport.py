"""The transport kind: schema defaults are the Billiard's, job arguments rebuild the billiard,
physics errors stop at validation."""

import argparse
import dataclasses
import math
import shlex

import pytest

from wavelearn.campaign.config import ConfigError, campaign_schema, validate_config
from wavelearn.campaign.plan import Plan
from wavelearn.campaign.transport import TransportPoint, billiard_of
from wavelearn.transport.params import Billiard

STUDY = {"name": "fp", "kind": "transport", "Lx": 20, "Ly": 12, "lead_width": 6, "antidots": 2, "radius": 2.0,
         "field_points": 5, "layouts": 5, "layouts_per_job": 2}


def test_schema_defaults_are_the_billiards():
    properties = campaign_schema()["$defs"]["transport_study"]["properties"]
    defaults = {f.name: f.default for f in dataclasses.fields(Billiard) if f.default is not dataclasses.MISSING}
    for key, spec in properties.items():
        if key in defaults and "default" in spec:
            expected = "hard" if key == "potential" and math.isinf(defaults[key]) else defaults[key]
            assert spec["default"] == expected, key


def test_points_chunks_and_arguments_rebuild_the_billiard():
    from wavelearn.cli.transport import add_arguments, params_from_args

    plan = Plan(validate_config({"campaign_seed": 4, "studies": [STUDY]}))
    (point,) = plan.points
    assert isinstance(point, TransportPoint)
    assert [c.span for c in point.chunks] == ["0:2", "2:4", "4:5"]
    assert point.output("results", point.chunks[2]) == "results/fp/fingerprints/chunk002.h5"
    assert plan.targets() == ["results/fp/fingerprints.h5", "results/fp/fingerprints.png"]
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(shlex.split(point.job_arguments(point.chunks[1])) + ["--output", "x.h5"])
    assert params_from_args(args) == point.billiard == billiard_of(validate_config(
        {"campaign_seed": 4, "studies": [STUDY]})["studies"][0])
    assert args.layouts == "2:4" and args.seed == 4


@pytest.mark.parametrize("change, message", [
    ({"antidots": 40, "radius": 3.0}, "antidots=40 of radius=3.0 with gap=1.0 cannot fit"),
    ({"radius": 0}, "studies[0].radius: 0 is less than or equal to the minimum of 0"),
    ({"lead_width": 14}, "lead_width=14 is wider than the sample (Ly=12)"),
    ({"field_min": 0.01, "field_max": 0.01}, "field range [0.01, 0.01] with 5 points is empty"),
    ({"potential": -1}, "studies[0].potential"),
    ({"layouts": 2.0}, "studies[0].layouts: 2.0 is not of type 'integer'"),
    ({"Nx": 3}, "'Nx' was unexpected"),
])
def test_bad_billiards_stop_at_validation(change, message):
    with pytest.raises(ConfigError) as err:
        validate_config({"campaign_seed": 1, "studies": [{**STUDY, **change}]})
    assert message in str(err.value)
