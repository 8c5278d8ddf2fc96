"""Adaptive refinement of a study's grid near the transition (the ``refine:`` key of a study).

After the coarse grid is solved, each round reads the crossings of the curves Q(x, L) of the
study's observable (``r`` or ``d2_lambda``; x = W, p or flux) and adds values of x inside the
*bracket* around the transition, until the bracket is narrower than ``width`` or ``max_points``
values have been added. The bracket is the union of the bootstrap confidence intervals of the
crossings of the two largest sizes that cross (the pair nearest the thermodynamic limit; a pair
whose noisy curves cross several times contributes every crossing). Without an interval (too
few replicas crossed) the bracket is the grid cell around the crossing.

New values fill the largest gaps of the grid inside the bracket: the gaps between the grid
values in the bracket and the nearest grid values outside it, each cut down to the bracket; a
round adds the midpoint of the largest such gap (of equal ones, the gap nearest the crossing),
``per_round`` times (each addition splits its gap). Values are rounded to ``width / 20`` (decimal digits), so paths read ``W16.25``; a gap
narrower than ``width / 4`` is not split. Existing points and their shard paths never change:
refinement only adds points.

This module is the pure logic and the round files; the crossings come from
:mod:`wavelearn.analysis.criticality`, the rounds are a Snakemake checkpoint
(``workflow/rules/eigenstates.smk``).

Round file ``<results>/<study>/refine/round<k>.json`` (format ``wavelearn-refine`` version 1):
``round`` k, ``parameter``, ``observable``, ``bracket`` (``low``, ``high``, ``estimate``,
``pair`` [L1, L2], or null without a crossing), ``added`` (this round's new values),
``refined`` (every value added in rounds 1..k), ``done`` and ``reason``. Round 1 reads the
coarse grid; round k the coarse grid and the values of rounds < k.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

from wavelearn.errors import DataError, ParameterError
from wavelearn.io.atomic import atomic_path
from wavelearn.lattice.params import SCANNED

FORMAT = "wavelearn-refine"
FORMAT_VERSION = 1
OBSERVABLES = ("r", "d2_lambda")


def round_path(results: str, study: str, round_: int | str) -> str:
    return f"{results}/{study}/refine/round{round_}.json"


@dataclass(frozen=True)
class RefineSettings:
    """The ``refine:`` key of a study: add values of ``parameter`` around the crossings of
    ``observable`` until the bracket is below ``width`` or ``max_points`` values were added,
    at most ``per_round`` per round."""

    parameter: str
    width: float
    max_points: int = 8
    per_round: int = 2
    observable: str = "r"

    def __post_init__(self):
        if self.parameter not in SCANNED:
            raise ParameterError(f"refine parameter={self.parameter!r} is not one of {', '.join(SCANNED)}")
        if not (isinstance(self.width, (int, float)) and math.isfinite(self.width) and self.width > 0):
            raise ParameterError(f"refine width={self.width!r}: must be a finite number > 0")
        for name in ("max_points", "per_round"):
            value = getattr(self, name)
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
                raise ParameterError(f"refine {name}={value!r}: must be an integer >= 1")
        if self.observable not in OBSERVABLES:
            raise ParameterError(f"refine observable={self.observable!r} is not one of {', '.join(OBSERVABLES)}")

    @classmethod
    def from_study(cls, study: dict[str, Any]) -> "RefineSettings | None":
        """The settings of a study config, or None when it does not refine."""
        spec = study.get("refine")
        if not spec:
            return None
        return cls(**spec)

    @property
    def decimals(self) -> int:
        """Decimal digits of new values: a resolution of ``width / 20``."""
        return max(0, math.ceil(-math.log10(self.width / 20)))

    @property
    def min_gap(self) -> float:
        return self.width / 4

    @property
    def max_rounds(self) -> int:
        """Every round but the last adds at least one value, so the rounds are bounded."""
        return -(-self.max_points // self.per_round) + 1


@dataclass(frozen=True)
class Bracket:
    """Where the transition lies: [low, high] around the crossing ``estimate`` of sizes ``pair``."""

    low: float
    high: float
    estimate: float
    pair: tuple[int, int]

    @property
    def width(self) -> float:
        return self.high - self.low


def bracket(crossings: Sequence[dict], grid: Sequence[float]) -> Bracket | None:
    """The bracket from crossing rows (``L1``, ``L2``, ``x_c``, ``x_c_low``, ``x_c_high``, as
    ``wavelearn criticality`` writes them with method ``crossing``) on the sampled ``grid``;
    None when no pair of sizes crosses.

    The pair with the largest sizes that crosses decides; several crossings of that pair
    (noise) widen the bracket to cover them all. A crossing without a finite interval
    contributes the grid cell that holds it.
    """
    rows = [c for c in crossings if math.isfinite(float(c["x_c"]))]
    if not rows:
        return None
    pair = max((int(c["L1"]), int(c["L2"])) for c in rows)
    rows = [c for c in rows if (int(c["L1"]), int(c["L2"])) == pair]
    values = sorted(set(float(v) for v in grid))
    lows, highs = [], []
    for c in rows:
        x, lo, hi = float(c["x_c"]), float(c["x_c_low"]), float(c["x_c_high"])
        if not (math.isfinite(lo) and math.isfinite(hi)):
            lo = max([v for v in values if v <= x], default=x)
            hi = min([v for v in values if v >= x], default=x)
        lows.append(min(lo, x))
        highs.append(max(hi, x))
    estimate = float(sum(float(c["x_c"]) for c in rows) / len(rows))
    return Bracket(low=min(lows), high=max(highs), estimate=estimate, pair=pair)


def new_values(existing: Sequence[float], where: Bracket, settings: RefineSettings, budget: int) -> list[float]:
    """At most ``min(per_round, budget)`` new values inside ``where``, each the midpoint of the
    largest gap of ``existing`` (cut down to the bracket), rounded to ``settings.decimals``;
    gaps narrower than ``settings.min_gap`` are not split. Sorted."""
    if where.width < settings.width:
        return []
    values = sorted(set(float(v) for v in existing))
    inside = [v for v in values if where.low < v < where.high]
    nodes = sorted({max([v for v in values if v <= where.low], default=where.low), *inside,
                    min([v for v in values if v >= where.high], default=where.high)})
    added: list[float] = []
    for _ in range(min(settings.per_round, budget)):
        gaps = [(max(a, where.low), min(b, where.high)) for a, b in zip(nodes[:-1], nodes[1:])]
        gaps = [(lo, hi) for lo, hi in gaps if hi - lo >= settings.min_gap]
        if not gaps:
            break
        # the longest gap; among equal ones (a regular grid) the one nearest the crossing
        best = max(gaps, key=lambda g: (round(g[1] - g[0], 9), -abs((g[0] + g[1]) / 2 - where.estimate)))
        value = round((best[0] + best[1]) / 2, settings.decimals)
        if any(abs(value - v) < 0.5 * 10.0 ** -settings.decimals for v in nodes):
            break  # rounding landed on a sampled value: the gap is at the resolution
        added.append(value)
        nodes = sorted([*nodes, value])
    return sorted(added)


@dataclass(frozen=True)
class RefineRound:
    """The decision of one round (see the module docstring for the file)."""

    round: int
    parameter: str
    observable: str
    bracket: Bracket | None
    added: tuple[float, ...]
    refined: tuple[float, ...]
    done: bool
    reason: str
    format: str = field(default=FORMAT, repr=False)
    format_version: int = field(default=FORMAT_VERSION, repr=False)


def decide(settings: RefineSettings, grid: Sequence[float], refined: Sequence[float], crossings: Sequence[dict],
           round_: int) -> RefineRound:
    """Round ``round_`` given the coarse ``grid`` values, the values ``refined`` in earlier
    rounds and the crossings measured on all of them."""
    refined = tuple(sorted(float(v) for v in refined))
    sampled = sorted({*map(float, grid), *refined})
    where = bracket(crossings, sampled)

    def result(added, done, reason):
        return RefineRound(round_, settings.parameter, settings.observable, where, tuple(added),
                           tuple(sorted({*refined, *added})), done, reason)

    budget = settings.max_points - len(refined)
    if where is None:
        return result((), True, "no crossing of the curves of two sizes: nothing to refine")
    if where.width < settings.width:
        return result((), True, f"bracket [{where.low:.6g}, {where.high:.6g}] narrower than {settings.width:g}")
    if budget <= 0:
        return result((), True, f"budget of {settings.max_points} points spent")
    added = new_values(sampled, where, settings, budget)
    if not added:
        return result((), True, f"the grid in [{where.low:.6g}, {where.high:.6g}] is at the resolution "
                                f"{settings.min_gap:g} (width / 4)")
    if len(refined) + len(added) >= settings.max_points:
        return result(added, True, f"budget of {settings.max_points} points spent")
    return result(added, False, f"bracket [{where.low:.6g}, {where.high:.6g}] wider than {settings.width:g}")


def write_round(decision: RefineRound, path: str | os.PathLike, provenance: dict | None = None) -> None:
    data = asdict(decision)
    data["bracket"] = None if decision.bracket is None else {**asdict(decision.bracket),
                                                             "pair": list(decision.bracket.pair)}
    data.update(provenance or {})
    with atomic_path(path) as tmp:
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1, default=str)
            f.write("\n")


def read_round(path: str | os.PathLike) -> RefineRound:
    with open(path) as f:
        data = json.load(f)
    if data.get("format") != FORMAT:
        raise DataError(f"{path}: format {data.get('format')!r}, expected {FORMAT!r}")
    if data.get("format_version") != FORMAT_VERSION:
        raise DataError(f"{path}: format_version {data.get('format_version')!r}, expected {FORMAT_VERSION}")
    b = data["bracket"]
    where = None if b is None else Bracket(b["low"], b["high"], b["estimate"], tuple(b["pair"]))
    return RefineRound(int(data["round"]), data["parameter"], data["observable"], where,
                       tuple(data["added"]), tuple(data["refined"]), bool(data["done"]), data["reason"])


# ---------------------------------------------------------------------------------------------
# The campaign side: validation, the refined points and their jobs' arguments


def check_refine(study: dict[str, Any]) -> RefineSettings | None:
    """The validated refine settings of a study config (None without ``refine``): the study must
    scan ``parameter`` alone over at least two values, at two sizes or more (crossings need
    them)."""
    from wavelearn.campaign.kinds import grid_values

    try:
        settings = RefineSettings.from_study(study)
    except (ParameterError, TypeError) as err:
        raise ParameterError(f"study {study['name']!r}: {err}") from None
    if settings is None:
        return None
    varying = [k for k in SCANNED if len(set(grid_values(study[k]))) > 1]
    if varying != [settings.parameter]:
        raise ParameterError(f"study {study['name']!r}: refine parameter {settings.parameter!r} must be the only "
                             f"scanned parameter with several values (the study varies {varying or 'none'})")
    if len(set(study["L"])) < 2:
        raise ParameterError(f"study {study['name']!r}: refine needs at least two sizes L for crossings, "
                             f"got L={study['L']}")
    return settings


def refined_point(study: dict[str, Any], campaign_seed: int, wildcards: Any):
    """The point of a refining study at the values its ``wildcards`` name (L and the scanned
    parameter; the others must be the study's): the study's settings, one L, one value. The
    point's identity and shard path follow from its values alone, so adding values never
    touches the points already solved. Raises KeyError when the study does not refine or the
    wildcards do not fit it."""
    from wavelearn.campaign.eigenstates import EigenstateKind
    from wavelearn.campaign.kinds import format_number, grid_values

    settings = RefineSettings.from_study(study)
    if settings is None or int(wildcards["L"]) not in study["L"]:
        raise KeyError(f"no point of study {study['name']!r} matches {dict(wildcards)}")
    values = {k: float(wildcards[k]) for k in SCANNED}
    for k in SCANNED:
        if k != settings.parameter and format_number(values[k]) not in {format_number(v) for v in grid_values(study[k])}:
            raise KeyError(f"no point of study {study['name']!r} matches {dict(wildcards)}")
    # one point: the study with one L and one value (refine off: its checks concern the grid)
    one = {**study, "L": [int(wildcards["L"])], **{k: [values[k]] for k in SCANNED}, "refine": None}
    (point,) = EigenstateKind().points(one, campaign_seed)
    if point.wildcards[settings.parameter] != str(wildcards[settings.parameter]):
        raise KeyError(f"{settings.parameter}={wildcards[settings.parameter]} is not written as "
                       f"{point.wildcards[settings.parameter]} in paths")
    return point


def refined_points(study: dict[str, Any], campaign_seed: int, values: Sequence[float]) -> list:
    """The points of a refining study at the added ``values`` of its parameter, every L."""
    from wavelearn.campaign.eigenstates import EigenstateKind

    settings = RefineSettings.from_study(study)
    if settings is None or not values:
        return []
    return EigenstateKind().points({**study, settings.parameter: [float(v) for v in values], "refine": None},
                                   campaign_seed)


def refine_arguments(settings: RefineSettings, refined: Sequence[float]) -> str:
    """The arguments of one round (``python -m wavelearn.cli.refine``) besides shards and output."""
    from wavelearn.campaign.kinds import format_number

    text = (f"--parameter {settings.parameter} --width {settings.width!r} --max-points {settings.max_points} "
            f"--per-round {settings.per_round} --observable {settings.observable}")
    return text + (f" --refined {','.join(format_number(v) for v in sorted(refined))}" if refined else "")


class Refinement:
    """The workflow's view of the refining studies of a plan (rule file: no functions there).

    ``round_file(study, k)`` gives the path of round k's file once that checkpoint has run
    (in the workflow: ``checkpoints.refine.get(study=..., round=...).output[0]``, which makes
    Snakemake run the round first).
    """

    def __init__(self, plan, round_file: Callable[[str, int], str]):
        self.plan = plan
        self.round_file = round_file
        self.seed = plan.config["campaign_seed"]

    def settings(self, study: str) -> RefineSettings | None:
        return RefineSettings.from_study(self.plan.studies[study])

    def point(self, wildcards):
        """The point of a job: from the plan, or one added by the refinement of its study."""
        try:
            return self.plan.point("eigenstates", wildcards)
        except KeyError:
            return refined_point(self.plan.studies[wildcards["study"]], self.seed, wildcards)

    def values_before(self, study: str, round_: int) -> tuple[float, ...]:
        """The values added by rounds 1 .. round_ - 1."""
        return () if round_ <= 1 else read_round(self.round_file(study, round_ - 1)).refined

    def final_values(self, study: str) -> tuple[float, ...]:
        """The values added by every round, once the last round (done) has run."""
        decision = None
        for k in range(1, self.settings(study).max_rounds + 1):
            decision = read_round(self.round_file(study, k))
            if decision.done:
                break
        return decision.refined

    def _outputs(self, points) -> list[str]:
        return [pt.output(self.plan.results, c) for pt in points for c in pt.chunks]

    def shards(self, study: str, L: int | str) -> list[str]:
        """Shards of the refined points of a study at size L (none when it does not refine)."""
        if self.settings(study) is None:
            return []
        points = refined_points(self.plan.studies[study], self.seed, self.final_values(study))
        return self._outputs(pt for pt in points if pt.model.L == int(L))

    def round_inputs(self, study: str, round_: int) -> list[str]:
        """The shards round ``round_`` reads: the study's grid and the values of earlier rounds."""
        points = [pt for pt in self.plan.points_of("eigenstates") if pt.study == study]
        points += refined_points(self.plan.studies[study], self.seed, self.values_before(study, round_))
        return self._outputs(points)

    def round_arguments(self, study: str, round_: int) -> str:
        return refine_arguments(self.settings(study), self.values_before(study, round_))
