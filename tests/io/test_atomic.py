"""Atomic writes: a file under its final name is always complete."""

import pytest

from wavelearn.io.atomic import atomic_path, write_bytes


def test_atomic_path_removes_partial_file_on_error(tmp_path):
    final = tmp_path / "x.h5"
    with pytest.raises(RuntimeError):
        with atomic_path(final) as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_temporary_name_is_hidden_beside_the_target_and_unique(tmp_path):
    seen = []
    for _ in range(2):
        with atomic_path(tmp_path / "out.h5") as tmp:
            seen.append(tmp.name)
            tmp.write_bytes(b"x")
    assert all(name.startswith(".out.h5.tmp-") for name in seen) and seen[0] != seen[1]
    write_bytes(tmp_path / "b.bin", b"abc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "out.h5"]
