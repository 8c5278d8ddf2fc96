"""The symmetries of a billiard that g(B) cannot see, and their action on layouts and images.

The rectangle x = 0..Lx-1, y = 0..Ly-1 is invariant under the group {identity, mirror_x
(x -> Lx-1-x), mirror_y (y -> Ly-1-y), rotation (by 180 degrees: both)}. The two-terminal
conductance is invariant under each element that maps the *device* (rectangle and leads) onto
itself, for every layout L:

* mirror_y keeps both leads, reverses the orientation, so B -> -B:  g_{mirror_y L}(B) = g_L(-B);
* mirror_x swaps the leads and reverses B:  g_{mirror_x L}(B) = T_01,L(-B) = g_L(B);
* rotation swaps the leads and keeps B:  g_{rotation L}(B) = T_01,L(B) = g_L(B);

with the two-terminal identities T_01(B) = T_10(B) (unitarity: R_00 + T_01 = R_00 + T_10 = N_0)
and Onsager's T_10(B) = T_01(-B), hence g(B) = g(-B). So on a device with such a symmetry a
fingerprint has several equally valid layouts, whatever the field window: :func:`device_group`
finds them from the lead rows (an element is a symmetry when it maps the rows of the leads onto
the rows of the leads it sends them to).

The density image (lead 0's scattering states at ``image_field``) follows a layout only under
the elements that keep lead 0 where it is: mirror_y, and then only at ``image_field`` = 0
(mirror_y maps the image at phi to the mirrored layout's image at -phi). Under mirror_x and
rotation the transformed layout's image is lead 1's, which is not measured.
"""

from __future__ import annotations

import numpy as np

from wavelearn.errors import ParameterError
from wavelearn.transport.params import Billiard

#: The elements of the rectangle's symmetry group, identity first.
ELEMENTS = ("identity", "mirror_x", "mirror_y", "rotation")
_FLIPS = {"identity": (False, False), "mirror_x": (True, False), "mirror_y": (False, True), "rotation": (True, True)}


def _flipped(rows: range, Ly: int) -> range:
    return range(Ly - rows.stop, Ly - rows.start)


def device_group(params: Billiard) -> tuple[str, ...]:
    """The elements of :data:`ELEMENTS` that map the device (rectangle and leads) onto itself."""
    left, right = params.lead_rows
    keeps = {
        "identity": True,
        "mirror_x": left == right,
        "mirror_y": _flipped(left, params.Ly) == left and _flipped(right, params.Ly) == right,
        "rotation": _flipped(left, params.Ly) == right,
    }
    return tuple(name for name in ELEMENTS if keeps[name])


def image_group(params: Billiard) -> tuple[str, ...]:
    """The elements of :func:`device_group` under which the density image follows the layout."""
    return tuple(name for name in device_group(params)
                 if name == "identity" or (name == "mirror_y" and params.image_field == 0))


def _check(name: str) -> tuple[bool, bool]:
    if name not in _FLIPS:
        raise ParameterError(f"symmetry {name!r} is not one of {', '.join(ELEMENTS)}")
    return _FLIPS[name]


def transform_positions(name: str, positions: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Antidot centres (n, 2), (x, y) in lattice units, under the element ``name`` of a
    ``shape`` = (Lx, Ly) rectangle."""
    flip_x, flip_y = _check(name)
    out = np.array(positions, dtype=np.float64).reshape(-1, 2)
    if flip_x:
        out[:, 0] = shape[0] - 1 - out[:, 0]
    if flip_y:
        out[:, 1] = shape[1] - 1 - out[:, 1]
    return out


def transform_image(name: str, image: np.ndarray) -> np.ndarray:
    """An image (..., Lx, Ly) indexed [x, y] under the element ``name``."""
    flip_x, flip_y = _check(name)
    image = np.asarray(image)
    axes = tuple(axis for axis, flip in zip((-2, -1), (flip_x, flip_y)) if flip)
    return np.flip(image, axis=axes) if axes else image
