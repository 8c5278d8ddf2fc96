"""The Kwant system of one layout: built and finalized once, the field swept through ``params``.

Conventions in wavelearn.transport.params. The only field-dependent matrix elements are the
hops along x, H[(x+1, y), (x, y)] = -t exp(-2 pi i phi (y - yc)) (gauge A = (-B y, 0, 0)),
identical in the conductor and in both leads, so the leads stay translation invariant
along x at every field. They are value functions of the parameter ``phi`` (flux per
plaquette); every other matrix element is a constant stored in the finalized system, so a
field point costs one Hamiltonian assembly and one factorisation and nothing else.
"""

from __future__ import annotations

import cmath
import math

import numpy as np

from wavelearn.transport.layout import Layout, conductor_sites, potential_image
from wavelearn.transport.params import Billiard
from wavelearn.transport.runtime import load_kwant

kwant = load_kwant()

HOPPING = 1.0  # t, the energy unit


def lattice():
    """Square lattice, constant 1, one orbital per site."""
    return kwant.lattice.square(a=1, norbs=1)


def _peierls_x(y_centre: float):
    two_pi = 2 * math.pi

    def hop_x(site_to, site_from, phi):
        # site_to = site_from + (1, 0): H[to, from] = -t exp(-2 pi i phi (y - yc)). The tag is
        # the position (lattice constant 1, no offset) and cheaper to read than site.pos.
        return -HOPPING * cmath.exp(-1j * two_pi * phi * (site_from.tag[1] - y_centre))

    return hop_x


def build_system(params: Billiard, layout: Layout):
    """The finalized two-terminal system of ``layout``: lead 0 on the left, lead 1 on the right.

    Field parameter: ``params={"phi": flux per plaquette}`` at solve time.
    """
    lat = lattice()
    hop_x = _peierls_x((params.Ly - 1) / 2)
    keep = conductor_sites(params, layout)
    onsite = potential_image(params, layout)

    syst = kwant.Builder()
    for x, y in zip(*np.nonzero(keep)):
        syst[lat(int(x), int(y))] = float(onsite[x, y])
    syst[kwant.builder.HoppingKind((1, 0), lat, lat)] = hop_x
    syst[kwant.builder.HoppingKind((0, 1), lat, lat)] = -HOPPING

    for direction, rows in zip((-1, 1), params.lead_rows):  # lead 0 leftwards, lead 1 rightwards
        lead = kwant.Builder(kwant.TranslationalSymmetry((direction, 0)))
        for y in rows:
            lead[lat(0, y)] = 0.0
        lead[kwant.builder.HoppingKind((1, 0), lat, lat)] = hop_x
        lead[kwant.builder.HoppingKind((0, 1), lat, lat)] = -HOPPING
        syst.attach_lead(lead)
    return syst.finalized()


def site_index(fsyst) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) integer coordinates of the finalized system's sites, in its order."""
    tags = np.array([site.tag for site in fsyst.sites], dtype=np.int64).reshape(-1, 2)
    return tags[:, 0], tags[:, 1]
