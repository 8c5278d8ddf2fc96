"""Every reader checks the format it reads; an incomplete file is a one-line error."""

import h5py
import numpy as np
import pytest

from wavelearn.errors import DataError
from wavelearn.io import formats
from wavelearn.io.datasets import read_dataset
from wavelearn.io.scans import read_scans
from wavelearn.io.shards import read_shard


def tagged(path, name, version=None, **datasets):
    version = max(formats.VERSIONS[name]) if version is None and name in formats.VERSIONS else (version or 1)
    with h5py.File(path, "w") as f:
        f.attrs["format"], f.attrs["format_version"] = name, version
        for key, value in datasets.items():
            f.create_dataset(key, data=value)
    return path


@pytest.mark.parametrize("reader, name", [(read_shard, formats.EIGENSTATES), (lambda p: read_dataset([p]), formats.DATASET),
                                          (lambda p: read_scans([p]), formats.SCAN)])
def test_readers_refuse_other_formats_versions_and_incomplete_files(tmp_path, reader, name):
    other = tagged(tmp_path / "other.h5", "wavelearn-something")
    with pytest.raises(DataError, match=f"not a {name} file \\(format='wavelearn-something'\\)"):
        reader(other)
    future = tagged(tmp_path / "future.h5", name, version=99)
    with pytest.raises(DataError, match=f"{name} version 99 is not readable"):
        reader(future)
    incomplete = tagged(tmp_path / "incomplete.h5", name, eigenvalues=np.zeros((1, 2)))
    with pytest.raises(DataError, match=f"incomplete {name} file: '\\w+' is missing"):
        reader(incomplete)


def test_format_names_have_one_home():
    from wavelearn.io import datasets, scans, shards

    assert shards.FORMAT == formats.EIGENSTATES and datasets.FORMAT == formats.DATASET and scans.FORMAT == formats.SCAN
    assert {formats.EIGENSTATES, formats.DATASET, formats.SCAN, formats.FINGERPRINTS, formats.NQS_RUN} == set(formats.VERSIONS)
