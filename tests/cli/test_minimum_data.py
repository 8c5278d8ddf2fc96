"""Every training command states the smallest data it learns from and refuses less, with the
numbers (issue 18: ``wavelearn vae train`` accepted a dataset of 2 layouts)."""

from __future__ import annotations

import numpy as np

from wavelearn.cli.main import main


def run(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err.strip()


def test_vae_train_refuses_two_layouts(tmp_path, capsys):
    from wavelearn.campaign.transport import VAE_MIN_HELD_OUT, VAE_MIN_TRAINING
    from wavelearn.io.fingerprints import FingerprintData, write_fingerprints
    from wavelearn.transport.params import Billiard

    params = Billiard(Lx=12, Ly=8, lead_width=4, energy=0.5, field_points=5)
    n, rng = 2, np.random.default_rng(0)
    data = FingerprintData(
        params=params, campaign_seed=1, solver="mumps", field=params.fields(),
        conductance=rng.uniform(0, 2, (n, 5)), open_modes=np.full((n, 5), 2),
        density=rng.random((n, 12, 8), np.float32),
        occupancy=np.zeros((n, 12, 8), np.uint8), positions=np.zeros((n, 0, 2)), layout=np.arange(n),
        n_sites=np.full(n, 96), build_seconds=np.zeros(n), solve_seconds=np.zeros(n), density_seconds=np.zeros(n))
    write_fingerprints(tmp_path / "fp.h5", data, {})
    code, err = run(["vae", "train", str(tmp_path / "fp.h5"), "--workdir", str(tmp_path / "w")], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert (f"too little data to learn from: 1 training layouts (at least {VAE_MIN_TRAINING}); 1 held-out layouts "
            f"(at least {VAE_MIN_HELD_OUT})") in err
    assert not (tmp_path / "w").exists() or not any((tmp_path / "w").iterdir())


def test_cnn_train_refuses_classes_with_few_training_states(tmp_path, capsys, run_cli):
    from wavelearn.learning.phases.training import MIN_TRAINING_PER_CLASS

    common = ["eigensolve", "--dim", "2", "--L", "6", "--nev", "2", "--backend", "dense", "--no-progress"]
    for W in ("1", "9"):
        run_cli(*common, "--W", W, "--realizations", "0:3", "-o", str(tmp_path / f"W{W}.h5"))
    run_cli("gather", str(tmp_path / "W1.h5"), str(tmp_path / "W9.h5"), "-o", str(tmp_path / "d.h5"))
    code, err = run(["train", str(tmp_path / "d.h5"), "--class", "metal:W:0:2", "--class", "insulator:W:8:10",
                     "--validation", "0", "--workdir", str(tmp_path / "w")], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    # 3 realizations x 2 states per class, none held out: 6 < 8 for both classes
    assert (f"6 training states of class metal (at least {MIN_TRAINING_PER_CLASS}); 6 training states of class "
            f"insulator (at least {MIN_TRAINING_PER_CLASS})") in err
    assert "--help" not in err
