"""Adaptive refinement: the bracket from crossings, the new values inside it, and when it stops."""

import math

import numpy as np
import pytest
from wavelearn.analysis.scaling import pairwise_crossings
from wavelearn.campaign.refine import Bracket, RefineSettings, bracket, decide, new_values, read_round, \
    round_path, write_round
from wavelearn.errors import DataError, ParameterError

GRID = [10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 22.0, 24.0]


def crossing(L1, L2, x, lo, hi):
    return dict(L1=L1, L2=L2, x_c=x, x_c_low=lo, x_c_high=hi)


def test_settings_are_validated():
    assert RefineSettings.from_study({"name": "a"}) is None
    assert RefineSettings.from_study({"refine": None}) is None
    s = RefineSettings.from_study({"refine": {"parameter": "W", "width": 0.5, "max_points": 8}})
    assert (s.per_round, s.observable, s.decimals, s.min_gap) == (2, "r", 2, 0.125)
    for bad, message in [(dict(parameter="E", width=1.0), "parameter='E'"), (dict(parameter="W", width=0.0), "width=0.0"),
                         (dict(parameter="W", width=1.0, max_points=0), "max_points=0"),
                         (dict(parameter="W", width=1.0, per_round=True), "per_round=True"),
                         (dict(parameter="W", width=1.0, observable="ipr"), "observable='ipr'")]:
        with pytest.raises(ParameterError, match=message):
            RefineSettings(**bad)


def test_bracket_uses_the_largest_crossing_pair_and_covers_all_its_crossings():
    rows = [crossing(8, 12, 15.0, 14.0, 17.5), crossing(12, 16, 16.2, 15.8, 16.9), crossing(12, 16, 17.1, 16.5, 17.4)]
    b = bracket(rows, GRID)
    assert b.pair == (12, 16) and (b.low, b.high) == (15.8, 17.4)
    assert b.estimate == pytest.approx(16.65)
    assert bracket([], GRID) is None
    # without an interval the grid cell holding the crossing is the bracket
    b = bracket([crossing(8, 12, 16.7, math.nan, math.nan)], GRID)
    assert (b.low, b.high) == (16.0, 18.0)


def test_new_values_lie_inside_the_bracket_split_the_largest_gaps_and_avoid_existing_ones():
    s = RefineSettings(parameter="W", width=0.5, per_round=3)
    where = Bracket(15.3, 17.9, 16.5, (8, 12))
    added = new_values(GRID, where, s, budget=10)
    assert len(added) == 3 and all(where.low < v < where.high for v in added)
    assert not set(added) & set(GRID)
    # the gap 16-17.9 (1.9 long, 17.9 cut from 18) is split at 16.95, then 16-16.95 (0.95; of equal
    # gaps the one nearer the crossing 16.5) at 16.475 -> 16.48, then 16.95-17.9 at 17.425 -> 17.42;
    # 15.3-16 (0.7) waits
    assert added == [16.48, 16.95, 17.42]
    assert all(round(v, s.decimals) == v for v in added)
    assert new_values(GRID, where, s, budget=1) == [16.95]
    # a regular grid: equal gaps, the one nearest the crossing first
    assert new_values(GRID, Bracket(13.0, 19.0, 16.8, (8, 12)), s, budget=1) == [17.0]
    assert new_values(GRID, Bracket(13.0, 19.0, 15.1, (8, 12)), s, budget=1) == [15.0]
    # a bracket already below the width adds nothing
    assert new_values(GRID, Bracket(16.1, 16.4, 16.2, (8, 12)), s, budget=10) == []


def test_decide_stops_on_width_budget_and_missing_crossing():
    s = RefineSettings(parameter="W", width=0.5, max_points=3, per_round=2)
    wide = [crossing(8, 12, 16.5, 15.0, 18.0)]
    first = decide(s, GRID, [], wide, 1)
    assert not first.done and len(first.added) == 2 and first.refined == first.added
    second = decide(s, GRID, first.refined, wide, 2)
    assert second.done and len(second.added) == 1 and len(second.refined) == 3 and "budget" in second.reason
    spent = decide(s, GRID, second.refined, wide, 3)
    assert spent.done and spent.added == () and spent.refined == second.refined
    narrow = decide(s, GRID, first.refined, [crossing(8, 12, 16.5, 16.4, 16.7)], 2)
    assert narrow.done and narrow.added == () and "narrower" in narrow.reason
    none = decide(s, GRID, [], [], 1)
    assert none.done and none.bracket is None and none.added == ()


def test_rounds_converge_on_a_synthetic_transition():
    """Curves Q = tanh((x - 16.54) L^(1/1.57)) with noise: each round adds points inside the
    bracket, every added value lies in the bracket of its round, and refinement stops within
    the budget once the crossing's interval is narrower than the width, at 16.54."""
    rng = np.random.default_rng(3)
    s = RefineSettings(parameter="W", width=0.3, max_points=10, per_round=2)
    sigma = 0.01
    noise = {}

    def crossings(values):
        x = np.array([v for _ in (8, 12) for v in values])
        L = np.repeat([8, 12], len(values))
        q = np.tanh((x - 16.54) * L ** (1 / 1.57) / 20)
        q += np.array([noise.setdefault((Li, xi), sigma * rng.standard_normal()) for xi, Li in zip(x, L)])
        return [dict(L1=c.L1, L2=c.L2, x_c=c.x, x_c_low=c.interval[0], x_c_high=c.interval[1])
                for c in pairwise_crossings(x, L, q, sigma=np.full(x.size, sigma), seed=1)]

    refined, rounds = [], 0
    while True:
        rounds += 1
        d = decide(s, GRID, refined, crossings(sorted({*GRID, *refined})), rounds)
        assert all(d.bracket.low < v < d.bracket.high for v in d.added)
        refined = list(d.refined)
        if d.done:
            break
        assert rounds <= s.max_rounds
    assert 1 <= len(refined) <= s.max_points
    # it stops on the width, well inside the budget, with the crossing at the true transition
    assert "narrower" in d.reason and d.bracket.width < s.width
    assert d.bracket.estimate == pytest.approx(16.54, abs=0.1)
    assert all(15.0 < v < 18.5 for v in refined)


def test_round_file_round_trip(tmp_path):
    s = RefineSettings(parameter="p", width=0.02, max_points=4)
    d = decide(s, [0.2, 0.3, 0.4, 0.5], [], [crossing(8, 12, 0.33, 0.31, 0.36)], 1)
    path = tmp_path / round_path("results", "perc", 1)
    write_round(d, path, {"git_commit": "abc"})
    assert read_round(path) == d
    assert path.name == "round1.json" and d.added == (0.323, 0.335)  # resolution width / 20 = 0.001
    path.write_text(path.read_text().replace("wavelearn-refine", "other"))
    with pytest.raises(DataError, match="format 'other'"):
        read_round(path)


# ---------------------------------------------------------------------------------------------
# The campaign side


STUDY = {"name": "ref", "model": "anderson", "dim": 3, "L": [6, 8], "W": {"start": 10.0, "stop": 24.0, "num": 8},
         "refine": {"parameter": "W", "width": 0.5}}


def validated(study):
    from wavelearn.campaign.config import validate_config

    return validate_config({"campaign_seed": 5, "studies": [study]})


def test_schema_defaults_are_the_settings_defaults_and_refine_is_off_by_default():
    import dataclasses

    from wavelearn.campaign.config import campaign_schema

    spec = campaign_schema()["$defs"]["eigenstates_study"]["properties"]["refine"]
    fields = {f.name: f.default for f in dataclasses.fields(RefineSettings) if f.default is not dataclasses.MISSING}
    assert {k: v["default"] for k, v in spec["properties"].items() if "default" in v} == fields
    config = validated({k: v for k, v in STUDY.items() if k != "refine"})
    assert config["studies"][0]["refine"] is None


def test_refine_is_validated_with_the_study():
    from wavelearn.campaign.config import ConfigError

    assert validated(STUDY)["studies"][0]["refine"] == {"parameter": "W", "width": 0.5}
    for study, message in [({**STUDY, "L": [8]}, "refine needs at least two sizes L"),
                           ({**STUDY, "flux": [0.0, 0.25], "L": [4, 8]}, "must be the only scanned parameter"),
                           ({**STUDY, "refine": {"parameter": "p", "width": 0.5}}, "must be the only scanned"),
                           ({**STUDY, "refine": {"parameter": "W", "width": 0}}, "width")]:
        with pytest.raises((ParameterError, ConfigError), match=message):
            validated(study)


def test_refined_points_are_the_studys_points_at_new_values_and_leave_existing_ones_alone():
    from wavelearn.campaign.plan import Plan
    from wavelearn.campaign.refine import refined_point, refined_points

    config = validated(STUDY)
    study, plan = config["studies"][0], Plan(config)
    before = [(pt.key, pt.output("results", c)) for pt in plan.points for c in pt.chunks]
    added = refined_points(study, 5, [16.25, 17.5])
    assert [(pt.model.L, pt.model.W) for pt in added] == [(6, 16.25), (6, 17.5), (8, 16.25), (8, 17.5)]
    assert added[0].output("results", added[0].chunks[0]) == "results/ref/L6/W16.25_p1_flux0/chunk000.h5"
    assert added[0].settings == plan.points[0].settings and added[0].realizations == plan.points[0].realizations
    # a point of the grid built as a refined one is the very same point (same jobs, same seeds)
    same = refined_point(study, 5, {"study": "ref", "L": "8", "W": "12", "p": "1", "flux": "0"})
    assert same == plan.point("eigenstates", {"study": "ref", "L": "8", "W": "12", "p": "1", "flux": "0"})
    assert refined_point(study, 5, {"study": "ref", "L": "8", "W": "16.25", "p": "1", "flux": "0"}) == added[2]
    for bad in ({"L": "10", "W": "16.25"}, {"L": "8", "W": "16.25", "p": "0.5"}, {"L": "8", "W": "16.250"}):
        with pytest.raises(KeyError):
            refined_point(study, 5, {"study": "ref", "p": "1", "flux": "0", **bad})
    assert [(pt.key, pt.output("results", c)) for pt in Plan(config).points for c in pt.chunks] == before
    no_refine = {**study, "refine": None}
    with pytest.raises(KeyError):
        refined_point(no_refine, 5, {"study": "ref", "L": "8", "W": "16.25", "p": "1", "flux": "0"})
    assert refined_points(no_refine, 5, [16.25]) == []


def test_refine_arguments():
    from wavelearn.campaign.refine import refine_arguments

    s = RefineSettings(parameter="W", width=0.5)
    assert refine_arguments(s, []) == "--parameter W --width 0.5 --max-points 8 --per-round 2 --observable r"
    assert refine_arguments(s, [17.5, 16.25]).endswith("--refined 16.25,17.5")


def test_refinement_walks_the_rounds_for_the_workflow(tmp_path):
    from wavelearn.campaign.criticality import criticality_scan_arguments, criticality_scans
    from wavelearn.campaign.plan import Plan
    from wavelearn.campaign.refine import Refinement

    config = validated(STUDY)
    settings = RefineSettings.from_study(config["studies"][0])
    first = decide(settings, [10, 12, 14, 16, 18, 20, 22, 24], [], [crossing(6, 8, 16.5, 15.0, 18.0)], 1)
    second = decide(settings, [10, 12, 14, 16, 18, 20, 22, 24], first.refined, [crossing(6, 8, 16.5, 16.4, 16.6)], 2)
    assert not first.done and second.done and second.added == ()
    for d in (first, second):
        write_round(d, tmp_path / f"round{d.round}.json")
    asked = []

    def round_file(study, k):
        asked.append(k)
        return str(tmp_path / f"round{k}.json")

    refinement = Refinement(Plan(config), round_file)
    assert refinement.values_before("ref", 1) == () and asked == []  # round 1 needs no earlier round
    assert refinement.final_values("ref") == first.refined and asked == [1, 2]
    grid = refinement.round_inputs("ref", 1)
    assert len(grid) == 2 * 8 * 2  # 2 L x 8 W x 2 chunks (8 realizations, 4 per job)
    assert refinement.round_inputs("ref", 2)[: len(grid)] == grid  # later rounds only add shards
    assert len(refinement.round_inputs("ref", 2)) == len(grid) + 2 * len(first.added) * 2
    assert refinement.shards("ref", 6) == [f"results/ref/L6/W{v:g}_p1_flux0/chunk00{c}.h5"
                                           for v in first.refined for c in (0, 1)]
    assert refinement.round_arguments("ref", 2).endswith("--refined " + ",".join(f"{v:g}" for v in first.refined))
    point = refinement.point({"study": "ref", "L": "8", "W": f"{first.added[0]:g}", "p": "1", "flux": "0"})
    assert point.model.W == first.added[0]
    # the criticality step's scans: none without networks
    assert criticality_scans(config, "ref") == {} and criticality_scan_arguments(config, "ref") == ""
    config["learning"] = [{"name": "net", "scan_studies": ["ref"]}]
    assert criticality_scan_arguments(config, "ref") == ("--scan net=results/learning/net/scan_ref/L6.h5 "
                                                         "--scan net=results/learning/net/scan_ref/L8.h5")
