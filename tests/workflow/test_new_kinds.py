"""The transport and many-body kinds through the real Snakefile: fingerprints with a VAE, and VMC
runs with their plots, in one small campaign beside an eigenstate study."""

import h5py
import pytest

pytestmark = pytest.mark.slow

FINGERPRINTS = {"name": "fp", "kind": "transport", "Lx": 16, "Ly": 10, "lead_width": 6, "energy": 0.9,
                "antidots": 1, "radius": 2.0, "field_min": -0.02, "field_max": 0.02, "field_points": 9,
                "layouts": 20, "layouts_per_job": 10, "vae": {"epochs": 2, "latent": 3}}
SPINS = {"name": "spins", "kind": "manybody", "model": "heisenberg", "L": [6], "alpha": [1], "iterations": 15,
         "samples": 256}
EIGEN = {"name": "tiny", "model": "anderson", "dim": 2, "L": [6], "W": [1.0], "nev": 3, "realizations": 2,
         "realizations_per_job": 2}


@pytest.mark.timeout(900)
def test_every_kind_runs_in_one_campaign_and_reruns_nothing(tmp_path, root, snakemake, write_config, planned_jobs):
    write_config(tmp_path, [EIGEN, FINGERPRINTS, SPINS])
    assert planned_jobs(tmp_path) == {
        "all": 1, "eigensolve": 1, "gather": 1, "summarize": 1, "plot_states": 1, "transport": 2,
        "gather_fingerprints": 1, "plot_fingerprints": 1, "train_vae": 2, "evaluate_vae": 1, "nqs": 1,
        "plot_nqs": 1, **{k: v for k, v in planned_jobs(tmp_path).items() if k == "criticality"}}
    snakemake(tmp_path, "--profile", str(root / "profiles/local"), "--cores", "2")
    with h5py.File(tmp_path / "results/fp/fingerprints.h5") as f:
        assert f["conductance"].shape == (20, 9)
    assert (tmp_path / "results/fp/vae/report/metrics.json").exists()
    assert (tmp_path / "results/spins/energy.png").read_bytes()[:4] == b"\x89PNG"
    with h5py.File(tmp_path / "results/spins/L6_alpha1_W0/run.h5") as f:
        assert f.attrs["format"] == "wavelearn-nqs-run"
    assert planned_jobs(tmp_path) == {}
