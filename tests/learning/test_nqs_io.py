"""The HDF5 of a VMC run and the ``wavelearn nqs`` command."""

import argparse

import h5py
import numpy as np
import pytest

from wavelearn.cli import nqs as nqs_cli
from wavelearn.errors import DataError
from wavelearn.io.nqs import read_run
from wavelearn.manybody import SpinModel
from wavelearn.manybody.exact import ground_energy


def parse(argv):
    parser = argparse.ArgumentParser()
    nqs_cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["nqs", *argv])


@pytest.mark.timeout(120)
def test_cli_run_writes_a_readable_file(tmp_path, capsys):
    out = tmp_path / "run.h5"
    args = parse(["--L", "6", "--W", "0.5", "--sampler", "exact", "--iterations", "8", "--workdir",
                  str(tmp_path / "work"), "--output", str(out), "--no-progress"])
    assert nqs_cli.run(args) == 0
    printed = capsys.readouterr().out
    assert "Pauli convention" in printed and "relative error" in printed
    run = read_run(out)
    assert run.settings["model"]["L"] == 6 and run.settings["rbm"]["marshall"] is True  # auto: bipartite AFM
    assert run.attrs["convention"] == "pauli"
    np.testing.assert_array_equal(run.trace["iteration"], np.arange(1, 9))
    assert run.trace["energy"].shape == (8,) and np.all(run.trace["energy_error"] == 0)  # exact sums
    assert run.exact_energy == pytest.approx(ground_energy(SpinModel("heisenberg", "chain", 6, W=0.5)), abs=1e-10)
    assert run.energy >= run.exact_energy - 1e-9  # variational principle
    assert run.relative_error == pytest.approx(abs(run.energy / run.exact_energy - 1))
    assert run.params["weights"].shape == (6, 6)
    assert run.trace["energy"][-1] < run.trace["energy"][0]
    # rerunning resumes the finished run: same numbers, no further iterations
    assert nqs_cli.run(args) == 0
    assert read_run(out).trace["energy"].tolist() == run.trace["energy"].tolist()


def test_reader_refuses_other_files(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "wavelearn-eigenstates"
    with pytest.raises(DataError, match="not a wavelearn-nqs-run"):
        read_run(path)


def test_cli_defaults_pick_sector_and_sampler():
    settings = nqs_cli.settings_from_args(parse(["--model", "ising", "--L", "8", "--workdir", "w"]))
    assert settings.sampler.kind == "local" and settings.hilbert().sz is None and not settings.rbm.marshall
    settings = nqs_cli.settings_from_args(parse(["--geometry", "square", "--L", "4", "--workdir", "w"]))
    assert settings.sampler.kind == "exchange" and settings.hilbert().sz == 0 and settings.rbm.marshall


@pytest.mark.timeout(120)
def test_plots_of_runs(tmp_path):
    from wavelearn.learning.nqs.plots import plot_energy_trace, plot_error_vs_alpha

    runs = []
    for alpha in ("0.5", "1"):
        out = tmp_path / f"a{alpha}.h5"
        nqs_cli.run(parse(["--L", "4", "--sampler", "exact", "--iterations", "3", "--alpha", alpha,
                           "--workdir", str(tmp_path / alpha), "--output", str(out), "--no-progress"]))
        runs.append(read_run(out))
    plot_energy_trace(runs, tmp_path / "trace.png")
    plot_error_vs_alpha(runs, tmp_path / "alpha.png")
    assert (tmp_path / "trace.png").stat().st_size > 1000 and (tmp_path / "alpha.png").stat().st_size > 1000
    without_exact = [r for r in runs]
    for r in without_exact:
        r.exact_energy = None
    with pytest.raises(DataError, match="no run has an exact energy"):
        plot_error_vs_alpha(without_exact, tmp_path / "none.png")
