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
    # the gap 16-17.9 (1.9 long, 17.9 cut from 18) is split at 16.95, then 16-16.95 (0.95; ties go
    # to the lower gap) at 16.475 -> 16.48, then 16.95-17.9 at 17.425 -> 17.42; 15.3-16 (0.7) waits
    assert added == [16.48, 16.95, 17.42]
    assert all(round(v, s.decimals) == v for v in added)
    assert new_values(GRID, where, s, budget=1) == [16.95]
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
    the budget; the final crossing interval lies around 16.54."""
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
    assert d.bracket.low < 16.54 < d.bracket.high
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
