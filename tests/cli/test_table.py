"""``wavelearn table`` (what ``make run`` prints): numbers to the digits they carry, NaN explained."""

from __future__ import annotations

from wavelearn.cli.table import table_lines, with_error

SUMMARY = """study,L,W,p,flux,energy,samples,degenerate_excluded,participation,participation_stderr
anderson3d,8,10.0,1.0,0.0,0.0,40,0,0.29347125244140625,0.0031283950805664062
anderson3d,8,24.0,1.0,0.0,0.0,1,0,0.0123456789,nan
clean,8,0.0,1.0,0.0,0.0,0,40,nan,nan
"""

PHASES = """L,W_c,low,high
8,15.993834343438571,13.912345,18.087654
12,16.5123456,nan,nan
16,nan,nan,nan
12x16,nan,nan,nan
8x12,17.123456,nan,nan
"""


def test_values_carry_the_digits_of_their_error():
    # Two significant digits of the error (the rule of wavelearn phase-diagram's intervals).
    assert with_error(0.29347125244140625, 0.0031283950805664062) == "0.2935 ± 0.0031"
    assert with_error(16.49, 0.123) == "16.49 ± 0.12"
    assert with_error(1234.5, 56.0) == "1234 ± 56"  # Python rounds half to even: 1234.5 -> 1234
    assert with_error(0.5, float("nan")) == "0.5 ± nan" and with_error(1.0, 0.0) == "1 ± 0"


def test_summary_table(tmp_path):
    path = tmp_path / "summary.csv"
    path.write_text(SUMMARY)
    lines = table_lines(str(path))
    assert lines[0].split() == ["study", "L", "W", "p", "flux", "energy", "samples", "degenerate_excluded",
                                "participation", "±", "error"]
    assert lines[1].split()[-3:] == ["0.2935", "±", "0.0031"] and "0.29347125" not in lines[1]
    assert lines[2].endswith("0.01235 ± nan (1)")
    assert lines[3].endswith("nan (2)")
    assert lines[4].startswith("(1) one state at this point: no standard error")
    assert lines[5].startswith("(2) no usable state at this point")
    assert len(lines) == 6


def test_phase_diagram_table(tmp_path):
    path = tmp_path / "phase_diagram.csv"
    path.write_text(PHASES)
    lines = table_lines(str(path))
    assert lines[0].split() == ["L", "W_c", "[95", "%", "interval]"]
    assert lines[1].split(maxsplit=1) == ["8", "16.0 [13.9, 18.1]"]  # +-2.1: one decimal, not 16
    assert lines[2].split(maxsplit=1) == ["12", "16.51 [nan] (1)"]
    assert lines[3].split(maxsplit=1) == ["16", "nan (2)"]
    assert lines[4].split(maxsplit=1) == ["12x16", "nan (3)"]
    assert lines[5].split(maxsplit=1) == ["8x12", "17.12 (4)"]
    notes = lines[6:]
    assert notes[0].startswith("(1) fewer than half of the bootstrap resamples cross 1/2 at L=12")
    assert notes[1].startswith("(2) P(first class) does not cross 1/2 inside the scanned range at L=16")
    assert notes[2].startswith("(3) the P curves of L=12 and L=16 do not cross inside the scanned range")
    assert notes[3].startswith("(4) no interval: the crossing of two sizes")
    assert len(notes) == 4


def test_make_run_prints_through_the_table_command(root):
    text = (root / "Makefile").read_text()
    run = text.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "column -s" not in run and run.count("wavelearn table") == 3


def test_a_vmc_run_is_one_line_to_its_statistical_error(tmp_path):
    import numpy as np

    from wavelearn.cli.table import nqs_line
    from wavelearn.io.nqs import NQSRun, write_run

    trace = {"iteration": np.arange(3), **{name: np.zeros(3) for name in ("energy", "energy_error")}}
    run = NQSRun(settings={"model": {"L": 4}}, trace=trace, params={"a": np.zeros(2)}, energy=-8.002091234,
                 energy_error=0.0027973, exact_energy=-8.0, seed=0)
    write_run(tmp_path / "run.h5", run)
    assert nqs_line(str(tmp_path / "run.h5")) == (f"{tmp_path / 'run.h5'}: E = -8.0021 ± 0.0028 (Pauli convention), "
                                                  "exact -8.0000, relative error 2.6e-04")
    write_run(tmp_path / "big.h5", NQSRun(**{**vars(run), "exact_energy": None}))
    assert nqs_line(str(tmp_path / "big.h5")).endswith("no exact energy (the sector is too large for exact "
                                                       "diagonalisation)")
