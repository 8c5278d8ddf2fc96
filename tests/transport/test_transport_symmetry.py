"""The device symmetries g(B) cannot see: the group from the lead geometry, its action on layouts
and images, and, through Kwant (one process per call: Kwant must not share the test process
with PETSc), that the default campaign's device has none while Onsager's g(B) = g(-B) holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

from wavelearn.campaign.transport import billiard_of
from wavelearn.errors import ParameterError
from wavelearn.transport.params import Billiard
from wavelearn.transport.symmetry import (ELEMENTS, device_group, image_group, transform_image,
                                          transform_positions)

ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
ROOT = Path(__file__).resolve().parents[2]
BASE = dict(Lx=24, Ly=16, energy=0.9, antidots=2, radius=2.5, field_min=0.0, field_max=0.02, field_points=5)


def default_study() -> dict:
    """The fingerprint study of the default campaign (config.yaml, what `make run` computes)."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    return next(s for s in config["studies"] if s.get("kind") == "transport")


@pytest.mark.parametrize("leads, group", [
    (dict(), ELEMENTS),                                                     # a wire
    (dict(lead_width=8), ELEMENTS),                                         # centred, equal: the old default
    (dict(lead_width=8, lead_y=2, right_lead_y=2), ("identity", "mirror_x")),
    (dict(lead_width=8, lead_y=1, right_lead_y=7), ("identity", "rotation")),  # rows 1..8 -> 7..14
    (dict(lead_width=8, right_lead_width=6), ("identity", "mirror_y")),     # both centred, widths differ
    (dict(lead_width=8, lead_y=2, right_lead_y=5), ("identity",)),
])
def test_group_from_the_lead_rows(leads, group):
    params = Billiard(**BASE, **leads)
    assert device_group(params) == group
    # The image follows the layout only where lead 0 stays put (and at zero field for mirror_y).
    assert image_group(params) == tuple(e for e in group if e in ("identity", "mirror_y"))
    assert image_group(Billiard(**{**BASE, **leads, "image_field": 0.01})) == ("identity",)


def test_default_campaign_device_has_no_symmetry():
    params = billiard_of(default_study())
    assert device_group(params) == ("identity",)
    assert params.field_min >= 0, "g(B) = g(-B): a window symmetric about 0 would repeat every point"


def test_group_elements_act_as_the_rectangle_symmetries():
    shape = (24, 16)
    positions = np.array([[3.5, 4.0], [17.25, 11.5]])
    image = np.random.default_rng(0).random(shape)
    compose = {("mirror_x", "mirror_y"): "rotation", ("mirror_y", "mirror_x"): "rotation",
               ("rotation", "mirror_x"): "mirror_y", ("mirror_x", "rotation"): "mirror_y"}
    for name in ELEMENTS:  # involutions
        np.testing.assert_array_equal(transform_positions(name, transform_positions(name, positions, shape), shape),
                                      positions)
        np.testing.assert_array_equal(transform_image(name, transform_image(name, image)), image)
    for (a, b), c in compose.items():
        np.testing.assert_array_equal(transform_positions(a, transform_positions(b, positions, shape), shape),
                                      transform_positions(c, positions, shape))
        np.testing.assert_array_equal(transform_image(a, transform_image(b, image)), transform_image(c, image))
    # Positions and images transform alike: the pixel of a centre maps to the pixel of its image.
    x, y = 3, 4
    moved = transform_positions("rotation", np.array([[x, y]], float), shape)[0].astype(int)
    assert transform_image("rotation", image)[moved[0], moved[1]] == image[x, y]
    assert moved.tolist() == [20, 11]
    with pytest.raises(ParameterError, match="'shear'"):
        transform_positions("shear", positions, shape)


@pytest.mark.parametrize("change, message", [
    (dict(lead_width=8, lead_y=9), "lead_y=9: a lead of 8 sites from row 9 leaves the sample"),
    (dict(lead_width=8, right_lead_width=17), "right_lead_width=17 is wider than the sample"),
    (dict(lead_width=8, right_lead_y=-1), "right_lead_y=-1"),
])
def test_bad_lead_placements_name_the_value(change, message):
    with pytest.raises(ParameterError, match=message):
        Billiard(**BASE, **change)


# g of a layout and of its three symmetry images, at +B and -B, through the real system builder.
IMAGES = textwrap.dedent("""
    import json, sys
    import numpy as np
    from wavelearn.transport import system
    from wavelearn.transport.conductance import conductance
    from wavelearn.transport.layout import Layout, draw_layout
    from wavelearn.transport.params import Billiard
    from wavelearn.transport.symmetry import ELEMENTS, transform_image, transform_positions
    params = Billiard(**json.loads(sys.argv[1]))
    out = {}
    for index in (0, 1):
        layout = draw_layout(2026, params, index)
        for name in ELEMENTS:
            image = Layout(index, transform_positions(name, layout.positions, params.shape),
                           np.ascontiguousarray(transform_image(name, layout.onsite)))
            fsyst = system.build_system(params, image)
            plus, _ = conductance(fsyst, params, params.fields())
            minus, _ = conductance(fsyst, params, -params.fields())
            out[f"{index}/{name}"] = [plus.tolist(), minus.tolist()]
    print(json.dumps(out))
""")


def conductances(params: Billiard) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    values = {k: v for k, v in params.as_dict().items()}
    result = subprocess.run([sys.executable, "-c", IMAGES, json.dumps(values)], capture_output=True, text=True,
                            timeout=170, env=ENV)
    assert result.returncode == 0, result.stderr
    return {k: (np.array(v[0]), np.array(v[1])) for k, v in json.loads(result.stdout).items()}


@pytest.mark.timeout(180)
def test_default_device_tells_a_layout_from_its_symmetry_images():
    """Default campaign device: each symmetry image of a layout has another g(B) (far above
    round-off, comparable to another layout's), while g(B) = g(-B) for every one of them.
    Control: on the centred device of equal leads the images' g(B) agree to round-off."""
    study = default_study()
    params = Billiard(**{**billiard_of(study).as_dict(), "field_points": 11})
    g = conductances(params)
    for key, (plus, minus) in g.items():
        assert np.max(np.abs(plus - minus)) < 1e-9, key  # Onsager
    rms = lambda a, b: float(np.sqrt(np.mean((a - b) ** 2)))  # noqa: E731
    between_layouts = rms(g["0/identity"][0], g["1/identity"][0])
    for index in (0, 1):
        for name in ELEMENTS[1:]:
            difference = rms(g[f"{index}/identity"][0], g[f"{index}/{name}"][0])
            assert difference > 1e-2 and difference > 0.05 * between_layouts, (index, name, difference)
    symmetric = Billiard(**{**params.as_dict(), "lead_y": None, "right_lead_width": None, "right_lead_y": None})
    assert device_group(symmetric) == ELEMENTS
    g = conductances(symmetric)
    for index in (0, 1):
        for name in ELEMENTS[1:]:
            assert np.max(np.abs(g[f"{index}/identity"][0] - g[f"{index}/{name}"][0])) < 1e-9, (index, name)
