"""Billiard validation: every bad configuration is a one-line ParameterError before any job."""

from __future__ import annotations

import argparse
import math

import numpy as np
import pytest

from wavelearn.cli import transport as cli_transport
from wavelearn.errors import DataError, ParameterError
from wavelearn.transport.params import MAX_PACKING, Billiard, lead_mode_energies, open_modes_zero_field

GOOD = dict(Lx=30, Ly=20, lead_width=8, energy=0.5, antidots=3, radius=2.5, field_min=-0.02,
            field_max=0.02, field_points=5)


@pytest.mark.parametrize("change, message", [
    (dict(antidots=40, radius=4), "cannot fit"),
    (dict(antidots=1, radius=10), "does not fit"),
    (dict(radius=0), "radius=0.0: the antidot radius must be > 0"),
    (dict(radius=-1.5), "must be > 0"),
    (dict(field_min=0.02, field_max=-0.02), "is empty"),
    (dict(field_min=0.01, field_max=0.01), "is empty"),
    (dict(field_points=0), "field_points=0"),
    (dict(field_points=1, field_min=0.0, field_max=0.01), "field_points=1"),
    (dict(lead_width=21), "wider than the sample"),
    (dict(lead_width=0), "lead_width=0"),
    (dict(energy=4.2), "no open mode"),
    (dict(energy=float("nan")), "energy=nan"),
    (dict(W=-0.1), "W=-0.1"),
    (dict(potential=-2.0), "potential=-2.0"),
    (dict(gap=-1.0), "gap=-1.0"),
    (dict(field_max=0.7), "periodic"),
    (dict(Lx=2.5), "Lx=2.5"),
    (dict(antidots=True), "antidots=True"),
])
def test_bad_configs_name_the_value(change, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        Billiard(**{**GOOD, **change})
    assert "\n" not in str(info.value)


def test_energy_at_a_mode_threshold_is_refused():
    width = 8
    threshold = lead_mode_energies(width)[2] + 2.0  # mode 3 opens/closes exactly here
    with pytest.raises(ParameterError, match="threshold"):
        Billiard(**{**GOOD, "lead_width": width, "energy": threshold})


def test_packing_bound_is_where_the_error_starts():
    # Largest antidot count under MAX_PACKING is accepted, one more is refused.
    base = {**GOOD, "Lx": 60, "Ly": 40, "radius": 3.0}
    n = max(k for k in range(1, 200) if Billiard(**{**base, "antidots": 1}).packing * k <= MAX_PACKING)
    assert Billiard(**{**base, "antidots": n}).packing <= MAX_PACKING
    with pytest.raises(ParameterError, match="cannot fit"):
        Billiard(**{**base, "antidots": n + 1})


def test_normalisation_and_round_trip():
    wire = Billiard(Lx=30, Ly=12, energy=1, radius=2, W=0)
    assert wire.lead_width == 12 and wire.lead_rows == (range(0, 12), range(0, 12))
    assert isinstance(wire.energy, float) and wire.potential == math.inf
    cavity = Billiard(**GOOD)
    assert cavity.lead_rows == (range(6, 14), range(6, 14))
    assert (cavity.lead_y, cavity.right_lead_width, cavity.right_lead_y) == (6, 8, 6)  # resolved
    shifted = Billiard(**GOOD, lead_y=2, right_lead_width=6, right_lead_y=11)
    assert shifted.lead_rows == (range(2, 10), range(11, 17))
    assert "leads8y2-6y11" in shifted.label() and "lead8-" in cavity.label()
    assert Billiard.from_dict({**cavity.as_dict(), "unrelated": 1}) == cavity
    assert np.allclose(cavity.fields(), [-0.02, -0.01, 0.0, 0.01, 0.02])
    assert "/" not in cavity.label() and " " not in cavity.label()


@pytest.mark.parametrize("width, energy, expected", [
    (1, 0.0, 1), (1, 2.5, 0),          # one chain: band [-2, 2]
    (2, 0.0, 2), (2, 2.5, 1),          # ladder: bands centred at -1 and +1
    (12, -3.9, 1), (12, 0.0, 12),
])
def test_open_modes_at_zero_field(width, energy, expected):
    # Transverse modes e_n = -2 cos(n pi / (w+1)); mode n propagates when |E - e_n| < 2.
    assert open_modes_zero_field(width, energy) == expected


def test_cli_reports_bad_config_before_loading_kwant(capsys):
    rc = cli_transport.main(["--Lx", "30", "--Ly", "20", "--lead-width", "30", "--output", "never.h5",
                             "--no-progress"])
    assert rc == 2
    assert "wider than the sample" in capsys.readouterr().err
    rc = cli_transport.main(["--Lx", "30", "--Ly", "20", "--radius", "0", "--antidots", "2",
                             "--output", "never.h5"])
    assert rc == 2
    assert "radius" in capsys.readouterr().err


def test_gather_command_refuses_mixed_chunks(tmp_path, capsys):
    # Through the sub-commands as wavelearn's main parser registers them (no Kwant needed).
    from wavelearn.io.fingerprints import FingerprintData, read_fingerprints, write_fingerprints

    parser = argparse.ArgumentParser()
    cli_transport.register(parser.add_subparsers(dest="command"))
    params = Billiard(**GOOD)
    zeros = dict(conductance=np.zeros((1, 5)), open_modes=np.ones((1, 5), dtype=np.int64),
                 density=np.zeros((1, 30, 20), np.float32), occupancy=np.zeros((1, 30, 20), np.uint8),
                 positions=np.zeros((1, 3, 2)), n_sites=np.ones(1, np.int64), build_seconds=np.zeros(1),
                 solve_seconds=np.zeros(1), density_seconds=np.zeros(1))
    for k in range(2):
        write_fingerprints(tmp_path / f"c{k}.h5", FingerprintData(
            params=params, campaign_seed=k, solver="mumps", field=params.fields(), layout=np.array([k]),
            **zeros))
    args = parser.parse_args(["gather-fingerprints", str(tmp_path / "c0.h5"), str(tmp_path / "c1.h5"),
                              "-o", str(tmp_path / "all.h5")])
    with pytest.raises(DataError, match="campaign_seed=1"):
        args.run(args)
    write_fingerprints(tmp_path / "c1.h5", FingerprintData(
        params=params, campaign_seed=0, solver="mumps", field=params.fields(), layout=np.array([1]), **zeros))
    assert args.run(args) == 0
    assert "2 layouts from 2 chunk(s)" in capsys.readouterr().out
    assert list(read_fingerprints(tmp_path / "all.h5").layout) == [0, 1]
