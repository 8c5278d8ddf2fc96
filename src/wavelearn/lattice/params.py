"""Physical parameters of one disorder ensemble ("a point"), validated on construction.

Conventions (also in README and docs/formats.md):

* Lattice: square (``dim=2``) or simple cubic (``dim=3``), ``L`` sites per side, lattice
  constant 1, hopping t = 1 between nearest neighbours,

      H = sum_j eps_j |j><j|  -  t sum_<jk> ( exp(i theta_jk) |j><k| + h.c. ).

* On-site disorder eps_j, i.i.d.:
    - ``box``:      uniform in [-W/2, W/2]
    - ``gaussian``: normal with mean 0 and standard deviation W
    - ``cauchy``:   Lorentzian P(eps) = W / (pi (eps^2 + W^2)), half width W
* Quantum percolation (``model="percolation"``):
    - ``site``: each site kept with probability p; removed sites leave the Hilbert space
    - ``bond``: each nearest-neighbour bond kept with probability p
  On-site disorder W can be combined with either.
* Hilbert space of a percolation realization (``cluster``):
    - ``largest``: the largest connected cluster of kept sites and bonds (periodic wraps count
      as connections), the default for ``model="percolation"``. Above the classical threshold
      it is, for the sizes studied here, the cluster that spans (wraps around) the sample;
      below it no cluster spans and its states are localized by geometry. Only it makes every
      state a wave function of one connected object: on the whole lattice, the isolated small
      clusters pile up exactly degenerate "molecular" levels (0, +-1, +-sqrt 2, ...) whose
      eigenvectors are arbitrary mixtures of states on different clusters. Among clusters of
      equal size the one holding the lowest site index is taken.
    - ``all``: every kept site (the only choice for ``model="anderson"``).
  The choice does not change the random draws: both share the realization's disorder.
* Magnetic field: flux ``flux`` (in flux quanta h/e) per plaquette of the xy planes, Landau
  gauge A = (0, B x, 0): the hop (x, y) -> (x, y+1) carries the phase exp(+2 pi i flux x).
  With periodic boundaries flux * L must be an integer.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from wavelearn.errors import ParameterError

MODELS = ("anderson", "percolation")
DISTRIBUTIONS = ("box", "gaussian", "cauchy")
PERCOLATION_KINDS = ("site", "bond")
BOUNDARIES = ("periodic", "open")
CLUSTERS = ("all", "largest")
DIMENSIONS = (2, 3)
# The parameters a study scans over (besides L); grids, datasets and plots are keyed by them.
SCANNED = ("W", "p", "flux")


def varying_parameters(columns: dict[str, Any]) -> list[str]:
    """The scanned parameters that take more than one value in ``columns`` (name -> values),
    in the order of ``SCANNED``; ``["W"]`` when none varies."""
    return [k for k in SCANNED if len(set(np.asarray(columns[k]).tolist())) > 1] or ["W"]

# flux * L may differ from an integer by this much and still count as commensurate.
_COMMENSURATE_TOL = 1e-9


def default_cluster(model: str) -> str:
    """The Hilbert space of a realization when none is named (module docstring): the largest
    cluster for quantum percolation, as the literature computes it; the whole lattice otherwise."""
    return "largest" if model == "percolation" else "all"


def _choice(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ParameterError(f"{name}={value!r} is not one of {', '.join(map(str, allowed))}")


@dataclass(frozen=True)
class LatticeModel:
    """One point of parameter space: everything that defines the Hamiltonian ensemble.

    The target energy is *not* part of it: it is a solver setting, so the same disorder
    realizations are used whatever energy is studied.
    """

    dim: int
    L: int
    model: str = "anderson"
    W: float = 0.0
    distribution: str = "box"
    p: float = 1.0
    percolation: str = "site"
    flux: float = 0.0
    boundary: str = "periodic"
    cluster: str | None = None  # None: "largest" for percolation, "all" otherwise

    def __post_init__(self) -> None:
        _choice("model", self.model, MODELS)
        _choice("dim", self.dim, DIMENSIONS)
        _choice("distribution", self.distribution, DISTRIBUTIONS)
        _choice("percolation", self.percolation, PERCOLATION_KINDS)
        _choice("boundary", self.boundary, BOUNDARIES)
        if self.cluster is None:
            object.__setattr__(self, "cluster", default_cluster(self.model))
        _choice("cluster", self.cluster, CLUSTERS)
        if self.model == "anderson" and self.cluster != "all":
            raise ParameterError(f"cluster={self.cluster!r} given for model 'anderson': every site of the "
                                 "Anderson model is connected; the choice of cluster belongs to model "
                                 "'percolation'")
        if isinstance(self.L, bool) or not isinstance(self.L, int) or self.L < 2:
            raise ParameterError(f"L={self.L!r}: the linear size must be an integer >= 2")
        for name in SCANNED:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParameterError(f"{name}={value!r} must be a finite number")
        if self.W < 0:
            raise ParameterError(f"W={self.W}: the disorder strength must be >= 0")
        if not 0.0 <= self.p <= 1.0:
            raise ParameterError(f"p={self.p}: the occupation probability must lie in [0, 1]")
        if self.model == "anderson" and self.p != 1.0:
            raise ParameterError(
                f"p={self.p} given for model 'anderson': occupation probabilities belong to "
                "model 'percolation'"
            )
        if self.boundary == "periodic":
            winding = self.flux * self.L
            if abs(winding - round(winding)) > _COMMENSURATE_TOL:
                raise ParameterError(
                    f"flux={self.flux} is incommensurate with L={self.L}: with periodic boundaries "
                    f"flux*L must be an integer (it is {winding:g}); choose flux = n/L or open "
                    "boundaries"
                )
        # Normalise numbers so that 16 and 16.0 describe (and hash to) the same point.
        object.__setattr__(self, "W", float(self.W))
        object.__setattr__(self, "p", float(self.p))
        object.__setattr__(self, "flux", float(self.flux))

    def disorder_dict(self) -> dict[str, Any]:
        """The parameters that define the random draws of a realization (what its seed hashes):
        every field but ``cluster``, which only chooses the Hilbert space of the same draws."""
        values = self.as_dict()
        del values["cluster"]
        return values

    @property
    def shape(self) -> tuple[int, ...]:
        """Lattice shape; arrays over sites are indexed ``[x, y]`` or ``[x, y, z]``."""
        return (self.L,) * self.dim

    @property
    def n_sites(self) -> int:
        return self.L**self.dim

    @property
    def is_complex(self) -> bool:
        """A magnetic field makes H complex Hermitian; otherwise it is real symmetric."""
        return self.flux != 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def label(self) -> str:
        """Readable, file-name-safe description, e.g. ``anderson-3d-L16-W16.5-box-p1-flux0``."""
        kind = self.model if self.model == "anderson" else f"{self.percolation}-percolation"
        return (
            f"{kind}-{self.dim}d-L{self.L}-W{self.W:g}-{self.distribution}-p{self.p:g}"
            f"-flux{self.flux:g}-{self.boundary}" + ("-largest" if self.cluster == "largest" else "")
        )
