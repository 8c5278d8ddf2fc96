"""The antidot billiard and its measurement, validated on construction.

Conventions (also in docs/fingerprints-format.md):

* Lattice: square, lattice constant 1, hopping t = 1 (the energy unit); the conductor is the
  rectangle of ``Lx`` x ``Ly`` sites x = 0..Lx-1 (the transport direction), y = 0..Ly-1,

      H = sum_j (eps_j + V_j) |j><j|  -  t sum_<jk> ( exp(i theta_jk) |j><k| + h.c. ).

* Leads: two semi-infinite clean wires along x, lead 0 on the left edge at the rows
  y = ``lead_y`` .. ``lead_y`` + ``lead_width`` - 1, lead 1 on the right edge at the rows
  ``right_lead_y`` .. ``right_lead_y`` + ``right_lead_width`` - 1. Unset: ``lead_width`` = Ly,
  ``right_lead_width`` = ``lead_width``, and each lead centred, y0 = (Ly - width) // 2.
  ``lead_width == Ly`` is a wire; narrower leads make a cavity. Centred leads of equal width
  make the device symmetric under x -> Lx-1-x, y -> Ly-1-y and the 180-degree rotation, and
  g(B) cannot tell a layout from its images (:mod:`wavelearn.transport.symmetry`); leads at
  different heights break all three.
* Antidots: ``antidots`` discs of radius ``radius``; a site belongs to a disc when its distance
  to the centre is < radius. ``potential = inf`` is a hard wall (the sites are removed);
  a finite ``potential`` V > 0 is added on site inside. Discs lie inside the rectangle
  (centre at least ``radius`` from every edge) and their edges are at least ``gap`` apart.
* Disorder: eps_j uniform in [-W/2, W/2] on every site of the conductor (the leads are clean).
* Field: flux ``phi`` per plaquette in flux quanta h/e, in the gauge A = (-B y, 0, 0), which is
  translation invariant along the leads: the hop (x, y) -> (x+1, y) carries
  H[(x+1, y), (x, y)] = -t exp(-2 pi i phi (y - yc)), yc = (Ly - 1) / 2, so that a plaquette
  encircled counter-clockwise picks up the phase 2 pi phi (the convention of
  wavelearn.lattice). The field grid is ``linspace(field_min, field_max, field_points)``.
* The Fermi energy ``energy`` is in units of t; at least one lead mode must be open and no
  mode may sit exactly at its threshold (where the conductance is singular).

A *layout* (wavelearn.transport.layout) draws the antidot centres and the disorder from a
stream seeded by (campaign seed, hash of :meth:`Billiard.sample_dict`, layout index): the
same layout whatever the chunking, and the same layout when only the Fermi energy, the leads,
the field sweep, the wall height or the disorder strength W change (the disorder pattern is
then scaled by W).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from wavelearn.errors import ParameterError

#: Largest packing fraction of the antidots' exclusion discs (radius + gap/2) in the region
#: open to them. Random sequential addition of discs jams near 0.547; below 0.35 the
#: rejection sampling of wavelearn.transport.layout finds a layout in a few attempts per disc.
MAX_PACKING = 0.35
#: The fields of :class:`Billiard` that a layout's seed hashes: those that constrain where the
#: antidots go. The wall height and W are not among them, so hard and soft walls, or several
#: disorder strengths, can be compared on the same layouts (eps = W (u - 1/2), the same u).
SAMPLE_FIELDS = ("Lx", "Ly", "antidots", "radius", "gap")
#: Peierls phases are periodic in the flux per plaquette with period 1.
MAX_FIELD = 0.5
# A lead mode closer than this to its threshold (in units of t) makes g(E) singular.
_THRESHOLD_TOL = 1e-9


def _integer(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def _number(name: str, value: Any, allow_inf: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name}={value!r} must be a number")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ParameterError(f"{name}={value!r} must be a finite number")
    return value


def lead_mode_energies(width: int) -> np.ndarray:
    """Band centres of the transverse modes of a clean lead of ``width`` sites at zero field:
    mode n (1..width) propagates at energy E when |E - e_n| < 2, e_n = -2 cos(n pi / (width+1))."""
    n = np.arange(1, width + 1)
    return -2.0 * np.cos(n * np.pi / (width + 1))


def open_modes_zero_field(width: int, energy: float) -> int:
    """Number of propagating modes of a clean lead at zero field (the clean wire's g in e^2/h)."""
    return int(np.sum(np.abs(energy - lead_mode_energies(width)) < 2.0))


@dataclass(frozen=True)
class Billiard:
    """An antidot billiard between two leads, and the field sweep that fingerprints it.

    Units: lengths in lattice constants, energies in t, fields in flux quanta per plaquette.
    """

    Lx: int
    Ly: int
    lead_width: int | None = None  # None: the full width Ly (a wire)
    energy: float = 0.5  # non-integer: integers hit mode thresholds of some widths
    antidots: int = 0
    radius: float = 3.0
    gap: float = 1.0
    potential: float = math.inf  # inf: hard walls (sites removed); finite: on-site V > 0
    W: float = 0.0
    field_min: float = 0.0
    field_max: float = 0.01
    field_points: int = 101
    image_field: float = 0.0  # the field of the scattering-state density image
    lead_y: int | None = None  # bottom row of lead 0; None: centred
    right_lead_width: int | None = None  # None: lead_width
    right_lead_y: int | None = None  # bottom row of lead 1; None: centred

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        set_("Lx", _integer("Lx", self.Lx, 3))
        set_("Ly", _integer("Ly", self.Ly, 1))
        width = self._lead_width("lead_width", self.lead_width, self.Ly)
        set_("lead_width", width)
        set_("lead_y", self._lead_y("lead_y", self.lead_y, width))
        right = self._lead_width("right_lead_width", self.right_lead_width, width)
        set_("right_lead_width", right)
        set_("right_lead_y", self._lead_y("right_lead_y", self.right_lead_y, right))
        for name in ("energy", "radius", "gap", "W", "field_min", "field_max", "image_field"):
            set_(name, _number(name, getattr(self, name)))
        set_("potential", _number("potential", self.potential, allow_inf=True))
        set_("antidots", _integer("antidots", self.antidots, 0))
        set_("field_points", _integer("field_points", self.field_points, 1))
        self._check_energy()
        self._check_antidots()
        self._check_fields()
        if self.W < 0:
            raise ParameterError(f"W={self.W}: the disorder strength must be >= 0")

    def _lead_width(self, name: str, value: Any, unset: int) -> int:
        width = unset if value is None else _integer(name, value, 1)
        if width > self.Ly:
            raise ParameterError(f"{name}={width} is wider than the sample (Ly={self.Ly}); allowed 1..{self.Ly}")
        return width

    def _lead_y(self, name: str, value: Any, width: int) -> int:
        if value is None:
            return (self.Ly - width) // 2
        y0 = _integer(name, value, 0)
        if y0 + width > self.Ly:
            raise ParameterError(f"{name}={y0}: a lead of {width} sites from row {y0} leaves the sample "
                                 f"(Ly={self.Ly}); allowed 0..{self.Ly - width}")
        return y0

    def _check_energy(self) -> None:
        for width in sorted({self.lead_width, self.right_lead_width}):
            if open_modes_zero_field(width, self.energy) == 0:
                raise ParameterError(
                    f"energy={self.energy}: no open mode in a lead of width {width} "
                    f"(the lead's modes propagate for |E - e_n| < 2 with e_n in "
                    f"[{lead_mode_energies(width).min():.4g}, {lead_mode_energies(width).max():.4g}])")
            distance = np.min(np.abs(np.abs(self.energy - lead_mode_energies(width)) - 2.0))
            if distance < _THRESHOLD_TOL:
                raise ParameterError(f"energy={self.energy} sits at the threshold of a mode of a lead of width "
                                     f"{width}, where g is singular; shift it slightly")

    def _check_antidots(self) -> None:
        if not self.radius > 0:
            raise ParameterError(f"radius={self.radius}: the antidot radius must be > 0")
        if self.gap < 0:
            raise ParameterError(f"gap={self.gap}: the distance between antidot edges must be >= 0")
        if not self.potential > 0:
            raise ParameterError(f"potential={self.potential}: an antidot's potential must be > 0 "
                                 "(inf for hard walls)")
        if self.antidots == 0:
            return
        if 2 * self.radius > min(self.Lx, self.Ly) - 1:
            raise ParameterError(
                f"radius={self.radius}: an antidot of diameter {2 * self.radius:g} does not fit in the "
                f"{self.Lx}x{self.Ly} sample (diameter <= {min(self.Lx, self.Ly) - 1} needed)")
        if self.packing > MAX_PACKING:
            raise ParameterError(
                f"antidots={self.antidots} of radius={self.radius} with gap={self.gap} cannot fit at random "
                f"in {self.Lx}x{self.Ly}: they would cover {self.packing:.2f} of the free area "
                f"(at most {MAX_PACKING}); use fewer or smaller antidots, a smaller gap or a larger sample")

    def _check_fields(self) -> None:
        if self.field_min > self.field_max or (self.field_points > 1 and self.field_min == self.field_max):
            raise ParameterError(
                f"field range [{self.field_min}, {self.field_max}] with {self.field_points} points is empty: "
                "need field_min < field_max (or field_points = 1 with field_min = field_max)")
        if self.field_points == 1 and self.field_min != self.field_max:
            raise ParameterError(f"field_points=1 needs field_min = field_max (got {self.field_min}, "
                                 f"{self.field_max})")
        for name in ("field_min", "field_max", "image_field"):
            if abs(getattr(self, name)) > MAX_FIELD:
                raise ParameterError(f"{name}={getattr(self, name)}: the flux per plaquette must lie in "
                                     f"[-{MAX_FIELD}, {MAX_FIELD}] (Peierls phases are periodic)")

    # ---- derived quantities -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        """Shape of every image of the conductor; arrays are indexed ``[x, y]``."""
        return (self.Lx, self.Ly)

    @property
    def lead_rows(self) -> tuple[range, range]:
        """The rows y where lead 0 (left) and lead 1 (right) touch the conductor."""
        return (range(self.lead_y, self.lead_y + self.lead_width),
                range(self.right_lead_y, self.right_lead_y + self.right_lead_width))

    @property
    def open_modes(self) -> int:
        """Propagating modes of lead 0 at zero field: a clean wire's conductance in e^2/h."""
        return open_modes_zero_field(self.lead_width, self.energy)

    @property
    def packing(self) -> float:
        """Area fraction the exclusion discs (radius + gap/2) take of the region open to them:
        centres lie in [R, L-1-R] per axis, enlarged by the exclusion radius on every side."""
        r = self.radius + self.gap / 2
        free = (self.Lx - 1 - 2 * self.radius + 2 * r) * (self.Ly - 1 - 2 * self.radius + 2 * r)
        return self.antidots * math.pi * r**2 / free

    def fields(self) -> np.ndarray:
        """The field grid (flux per plaquette), float64."""
        return np.linspace(self.field_min, self.field_max, self.field_points)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sample_dict(self) -> dict[str, Any]:
        """The parameters that constrain the antidot positions (and hence a layout's seed)."""
        return {name: getattr(self, name) for name in SAMPLE_FIELDS}

    def label(self) -> str:
        """Readable, file-name-safe description, e.g. ``billiard-60x40-lead20-n6-R4-hard-W0-E1``
        (``leads8y2-8y6`` for leads of 8 sites from rows 2 and 6 unless both are centred alike)."""
        wall = "hard" if math.isinf(self.potential) else f"V{self.potential:g}"
        left, right = self.lead_rows
        centred = left == right and self.lead_y == (self.Ly - self.lead_width) // 2
        leads = f"lead{self.lead_width}" if centred else (
            f"leads{self.lead_width}y{self.lead_y}-{self.right_lead_width}y{self.right_lead_y}")
        return (f"billiard-{self.Lx}x{self.Ly}-{leads}-n{self.antidots}-R{self.radius:g}"
                f"-{wall}-W{self.W:g}-E{self.energy:g}")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Billiard":
        """From a mapping that may hold more keys (e.g. the attributes of an HDF5 file)."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})
