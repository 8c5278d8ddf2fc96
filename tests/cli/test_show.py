"""``wavelearn show`` and the one-line errors of every command."""

import json
import subprocess

import h5py
import numpy as np
import pytest

from wavelearn.io.datasets import read_dataset
from wavelearn.io.scans import ScanResult, write_scan


def test_cli_reports_unreadable_files_without_traceback(tmp_path, run_cli):
    bogus = tmp_path / "bogus.h5"
    bogus.write_text("not hdf5")
    for args in (["show", str(bogus)], ["gather", "-o", str(tmp_path / "d.h5"), str(bogus)]):
        result = run_cli(*args, check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr and "error" in result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory, run_cli):
    """A shard, the dataset gathered from it, a scan of that dataset and a network folder."""
    folder = tmp_path_factory.mktemp("show")
    shard, dataset = folder / "shard.h5", folder / "dataset.h5"
    run_cli("eigensolve", "--dim", "2", "--L", "6", "--W", "3", "--nev", "2", "--realizations", "0:3",
            "--backend", "dense", "--no-progress", "-o", str(shard))
    run_cli("gather", "--study", "s", "-o", str(dataset), str(shard))
    density, meta = read_dataset([dataset])
    probabilities = np.full((len(density), 2), 0.5)
    write_scan(ScanResult.from_samples(("metal", "insulator"), meta, probabilities), folder / "scan.h5")
    (folder / "net").mkdir()
    (folder / "net/network.json").write_text(json.dumps({"classes": ["metal", "insulator"], "input": "r"}))
    return folder


@pytest.mark.parametrize("name, expected", [
    ("shard.h5", ["wavelearn-eigenstates (version 2)", "anderson-2d-L6-W3", "k=2:"]),
    ("dataset.h5", ["wavelearn-dataset (version 2)", "samples: 6", "study = s"]),
    ("scan.h5", ["wavelearn-scan (version 1)", "classes", "samples: 6"]),
    ("net", ["trained network", "metal"]),
])
def test_show_prints_any_wavelearn_file(files, run_cli, name, expected):
    out = run_cli("show", str(files / name)).stdout
    for text in expected:
        assert text in out, (text, out)


def test_show_into_a_closed_pipe_is_not_an_error(files, wavelearn_cmd):
    # `wavelearn show big.h5 | head -1`: the reader closes the pipe early.
    show = subprocess.Popen(wavelearn_cmd("show", str(files / "shard.h5")), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-c", "10"], stdin=show.stdout, capture_output=True)
    show.stdout.close()
    assert show.wait(timeout=60) == 0, show.stderr.read().decode()
    assert b"Broken pipe" not in show.stderr.read() and len(head.stdout) == 10


def test_show_refuses_other_hdf5_files_in_one_line(tmp_path, run_cli):
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.attrs["format"] = "something-else"
    result = run_cli("show", str(tmp_path / "other.h5"), check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "not a wavelearn file" in result.stderr
