"""The fingerprint VAE: shapes, the KL term and the sampling, the metrics against hand-made
cases, learning a synthetic inverse problem against trivial baselines, exact resume, the
variant without the wave-function branch, the CLI, and bad configs."""

import json

import numpy as np
import pytest
from scipy import integrate

from wavelearn.errors import DataError, ParameterError
from wavelearn.learning.fingerprints import metrics as M
from wavelearn.learning.fingerprints.data import (VAEData, fold_field, layout_property, split_layouts,
                                                 synthetic_fingerprints)
from wavelearn.learning.fingerprints.network import FingerprintVAE, VAEConfig, kl_divergence
from wavelearn.learning.fingerprints.training import VAETrainConfig, init_params, train_vae
from wavelearn.transport.symmetry import transform_positions

GRID, FIELDS = 8, 32


def tiny(**changes) -> VAEConfig:
    values = dict(n_fields=FIELDS, height=GRID, width=GRID, latent=4, conv_features=(8, 16), dense=64,
                  decoder_features=(16,))
    return VAEConfig(**{**values, **changes})


@pytest.mark.parametrize("height, width, decoder, with_wavefunction",
                         [(8, 8, (16,), True), (7, 5, (8, 8), False), (10, 6, (), True)])
def test_shapes(height, width, decoder, with_wavefunction):
    import jax

    config = tiny(height=height, width=width, decoder_features=decoder, with_wavefunction=with_wavefunction)
    network = FingerprintVAE(config)
    params = init_params(network, jax.random.PRNGKey(0))
    assert ("image_decoder" in params) == with_wavefunction
    signal = np.random.default_rng(0).normal(size=(3, FIELDS)).astype(np.float32)
    out = network.apply({"params": params}, signal, jax.random.PRNGKey(1))
    assert out["mean"].shape == out["log_var"].shape == out["z"].shape == (3, 4)
    assert out["occupancy_logits"].shape == (3, height, width)
    if with_wavefunction:
        assert out["image"].shape == (3, height, width) and float(out["image"].min()) >= 0
    else:
        assert "image" not in out
    deterministic = network.apply({"params": params}, signal)
    np.testing.assert_array_equal(deterministic["z"], deterministic["mean"])


def test_kl_divergence_against_quadrature():
    # KL of the standard normal to itself is 0; otherwise it equals the integral of q ln(q/p).
    assert float(kl_divergence(np.zeros((2, 7)), np.zeros((2, 7)))[0]) == 0.0
    mu, log_var = 0.7, -0.5
    sigma = np.exp(0.5 * log_var)

    def integrand(z):
        log_q = -0.5 * ((z - mu) / sigma) ** 2 - np.log(sigma * np.sqrt(2 * np.pi))
        log_p = -0.5 * z**2 - 0.5 * np.log(2 * np.pi)
        return np.exp(log_q) * (log_q - log_p)

    exact = integrate.quad(integrand, -12, 12, epsabs=1e-12)[0]
    np.testing.assert_allclose(float(kl_divergence(np.array([mu]), np.array([log_var]))), exact, rtol=1e-6)
    # Independent latent dimensions: the KL adds up.
    np.testing.assert_allclose(float(kl_divergence(np.array([mu, mu]), np.array([log_var, log_var]))), 2 * exact,
                               rtol=1e-6)


def test_reparameterised_samples_have_the_encoder_distribution():
    import jax

    network = FingerprintVAE(tiny())
    params = init_params(network, jax.random.PRNGKey(0))
    signal = np.tile(np.random.default_rng(1).normal(size=(1, FIELDS)).astype(np.float32), (5000, 1))
    out = network.apply({"params": params}, signal, jax.random.PRNGKey(2))
    z, mean, std = np.asarray(out["z"]), np.asarray(out["mean"][0]), np.exp(0.5 * np.asarray(out["log_var"][0]))
    np.testing.assert_allclose(z.mean(axis=0), mean, atol=5 * std.max() / np.sqrt(len(z)))
    np.testing.assert_allclose(z.std(axis=0), std, rtol=0.05)  # 5 standard errors


def test_pixel_correlation_of_known_images():
    rng = np.random.default_rng(0)
    true = rng.random((3, 6, 5))
    np.testing.assert_allclose(M.pixel_correlation(2.5 * true + 1.0, true), 1.0)
    np.testing.assert_allclose(M.pixel_correlation(-true, true), -1.0)
    assert np.all(M.pixel_correlation(np.ones_like(true), true) == 0.0)  # a constant guess
    with pytest.raises(DataError, match="differ"):
        M.pixel_correlation(true[:, :5], true)


def test_position_error_after_optimal_matching():
    # Two discs on a 12x12 grid; the map lists them in the other order than the truth.
    probability = np.zeros((12, 12))
    x, y = np.mgrid[:12, :12]
    for cx, cy in ((3, 8), (9, 2)):
        probability[(x - cx) ** 2 + (y - cy) ** 2 <= 2] = 0.9
    true = np.array([[9.0, 2.0], [3.0, 8.0]])
    np.testing.assert_allclose(M.predicted_centres(probability, 2)[np.argsort(M.predicted_centres(probability, 2)[:, 0])],
                               true[::-1], atol=1e-12)
    assert M.matched_error(M.predicted_centres(probability, 2), true) == pytest.approx(0.0, abs=1e-12)
    # A shift of (3, 4) of every centre is an error of 5 sites.
    assert M.matched_error(true + [3.0, 4.0], true) == pytest.approx(5.0)
    # Asking for 3 antidots where the map shows 2: the third comes from the best remaining pixel.
    assert M.predicted_centres(probability, 3).shape == (3, 2)
    np.testing.assert_allclose(M.occupancy_centres(probability > 0.5)[:, 0], [3.0, 9.0])


def test_baselines_on_synthetic_data():
    data = synthetic_fingerprints(200, seed=3)
    train, test = data.subset(np.arange(150)), data.subset(np.arange(150, 200))
    scores = M.baselines(train, test, seed=0)
    assert list(scores) == list(M.BASELINES)
    mean = np.broadcast_to(train.image.mean(axis=0), test.image.shape)
    assert scores["mean image"]["correlation"] == pytest.approx(M.pixel_correlation(mean, test.image).mean())
    assert 0 < scores["mean image"]["correlation"] < 0.8
    assert scores["random layout"]["position_error"] > 1.5  # a random guess on an 8x8 grid misses by sites
    assert M.baselines(train, test, seed=0) == scores  # seeded
    # The synthetic g(B) determines the layout: looking it up beats guessing.
    assert scores["nearest neighbour"]["position_error"] < 0.5 * scores["random layout"]["position_error"]
    # The synthetic layouts are what their occupancy maps show.
    for occupancy, positions in zip(data.occupancy[:20], data.positions[:20]):
        assert M.matched_error(M.occupancy_centres(occupancy), positions) == pytest.approx(0.0, abs=1e-12)
    assert set(layout_property(data.positions, "count")) == {1.0, 2.0}


def test_nearest_neighbour_against_a_brute_force_lookup():
    rng = np.random.default_rng(4)
    # Field points of very different spread: standardising per point changes the answer.
    train = rng.normal(size=(40, 6)) * [1, 1, 1, 1, 1, 100]
    test = rng.normal(size=(15, 6)) * [1, 1, 1, 1, 1, 100]
    z = lambda a: (a - train.mean(axis=0)) / train.std(axis=0)  # noqa: E731
    expected = [int(np.argmin([np.linalg.norm(z(t) - z(r)) for r in train])) for t in test]
    np.testing.assert_array_equal(M.nearest_neighbours(train, test), expected)
    np.testing.assert_array_equal(M.nearest_neighbours(train, train[:7]), np.arange(7))  # itself


def test_scores_are_the_best_over_the_device_group():
    """On a symmetric device a prediction of the mirror image of the truth is as right as the
    truth: error 0 and correlation 1 over the group; against the truth alone it is wrong."""
    data = synthetic_fingerprints(6, grid=GRID, seed=5)
    mirrored_positions = [transform_positions("mirror_y", p, data.shape) for p in data.positions]
    probability = np.stack([np.flip(o, axis=1) for o in data.occupancy])
    images = np.flip(data.image, axis=2)
    plain = M.scores(data, images, probability)
    symmetric = VAEData(data.signal, data.occupancy, data.image, data.positions, data.field,
                        group=("identity", "mirror_y"), image_group=("identity", "mirror_y"))
    best = M.scores(symmetric, images, probability)
    assert best["position_error"] == pytest.approx(0.0, abs=1e-12) and plain["position_error"] > 0.5
    assert best["correlation"] == pytest.approx(1.0) and plain["correlation"] < 0.9
    np.testing.assert_allclose(M.layout_errors(mirrored_positions, data.positions, ("identity", "mirror_y"),
                                               data.shape), 0.0, atol=1e-12)
    with pytest.raises(DataError, match="identity"):
        VAEData(data.signal, data.occupancy, data.image, data.positions, data.field, group=("mirror_y",))


def test_fold_field_uses_onsager():
    field = np.linspace(-0.02, 0.02, 5)
    g = np.array([[1.0, 2.0, 3.0, 2.5, 0.5]])
    folded_field, folded = fold_field(field, g)
    np.testing.assert_allclose(folded_field, [0.0, 0.01, 0.02])
    np.testing.assert_allclose(folded, [[3.0, 2.25, 0.75]])
    positive = np.linspace(0, 0.02, 4)
    np.testing.assert_array_equal(fold_field(positive, g[:, :4])[0], positive)
    np.testing.assert_array_equal(fold_field(positive, g[:, :4])[1], g[:, :4])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Both variants trained once on the synthetic problem (shared by the tests below)."""
    data = synthetic_fingerprints(240, grid=GRID, n_fields=FIELDS, seed=0)
    train_idx, val_idx = split_layouts(len(data), 0.2, seed=0)
    settings = VAETrainConfig(epochs=20, batch_size=32, learning_rate=5e-3, beta=1e-3)
    runs = {}
    for name, with_wavefunction in (("full", True), ("layout", False)):
        workdir = tmp_path_factory.mktemp(name)
        result = train_vae(data, train_idx, val_idx, tiny(with_wavefunction=with_wavefunction), settings, workdir,
                           progress=False)
        runs[name] = (workdir, result)
    return data, train_idx, val_idx, runs


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_learns_a_synthetic_inverse_problem(trained):
    from wavelearn.learning.fingerprints.inference import load_vae

    data, train_idx, val_idx, runs = trained
    workdir, result = runs["full"]
    metrics = json.loads((workdir / "network.json").read_text())["metrics"]
    baselines = metrics["baselines"]
    # Better than knowing nothing of the fingerprint: the mean image, a random layout.
    assert metrics["test_correlation"] > baselines["mean image"]["correlation"] + 0.2
    assert metrics["test_position_error"] < 0.7 * baselines["random layout"]["position_error"]
    assert result.history[-1]["val_loss"] < result.history[0]["val_loss"]
    assert (workdir / "history.csv").read_text().count("\n") == 21
    # The kept network is the epoch with the lowest loss on the selection layouts.
    selection = [record["val_select_loss"] for record in result.history]
    assert metrics["best_epoch"] == int(np.argmin(selection)) + 1
    assert (workdir / "history.png").read_bytes()[:4] == b"\x89PNG"
    # Inference from network.json + network.msgpack reproduces the training's own evaluation.
    vae = load_vae(workdir)
    test = data.subset(val_idx)
    assert vae.encode(test.signal).shape == (len(val_idx), 4)
    images, probability = vae.reconstruct(test.signal)
    assert images.shape == probability.shape == (len(val_idx), GRID, GRID)
    evaluated = vae.evaluate(test, data.subset(train_idx))
    assert evaluated["correlation"] == pytest.approx(metrics["test_correlation"], rel=1e-5)
    assert evaluated["position_error"] == pytest.approx(metrics["test_position_error"], rel=1e-5)
    assert evaluated["baselines"] == baselines
    # The layout-only variant learns the layout too, and has no image metrics.
    layout_metrics = json.loads((runs["layout"][0] / "network.json").read_text())["metrics"]
    assert "test_correlation" not in layout_metrics
    assert layout_metrics["test_position_error"] < 0.7 * layout_metrics["baselines"]["random layout"]["position_error"]
    assert load_vae(runs["layout"][0]).reconstruct(test.signal[:2])[0] is None


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_evaluation_report_compares_both_variants(trained, tmp_path):
    from wavelearn.learning.fingerprints.inference import evaluate_networks

    data, _, val_idx, runs = trained
    results = evaluate_networks([runs["full"][0], runs["layout"][0]], data, tmp_path, "centre_x", samples=3)
    assert len(results["networks"]) == 2 and list(results["baselines"]) == list(M.BASELINES)
    assert results["symmetry_group"] == ["identity"]
    assert results["layouts"] == {"training": 192, "held_out": 48}
    assert json.loads((tmp_path / "metrics.json").read_text()) == results
    for name in ("latent.png", "reconstructions-0.png", "reconstructions-1.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    table = M.format_report(results)
    assert "baseline: nearest neighbour" in table and "(image + layout)" in table
    assert "(image + layout): correlation " in table.splitlines()[-3]
    assert "device without symmetry" in table.splitlines()[-1]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_resume_equals_uninterrupted_training(tmp_path):
    import jax

    data = synthetic_fingerprints(80, seed=1)
    train_idx, val_idx = split_layouts(len(data), 0.2, seed=1)  # 64 + 16: whole batches only
    settings = VAETrainConfig(epochs=3, batch_size=16, learning_rate=1e-2)
    config = tiny(conv_features=(4,), dense=16, decoder_features=())
    whole = train_vae(data, train_idx, val_idx, config, settings, tmp_path / "whole", progress=False)
    first = train_vae(data, train_idx, val_idx, config, settings, tmp_path / "split", progress=False, stop_after=1)
    assert first.epochs_done == 1 and not (tmp_path / "split" / "network.json").exists()
    resumed = train_vae(data, train_idx, val_idx, config, settings, tmp_path / "split", progress=False)
    assert resumed.epochs_done == 3 and resumed.history == whole.history
    for a, b in zip(jax.tree.leaves(whole.params), jax.tree.leaves(resumed.params)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert (tmp_path / "whole" / "network.msgpack").read_bytes() == (tmp_path / "split" / "network.msgpack").read_bytes()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_cli_trains_and_evaluates(tmp_path, monkeypatch, capsys):
    import argparse

    from wavelearn.cli import vae as cli
    from wavelearn.learning.fingerprints import data as data_module

    # The CLI's reader is replaced by the synthetic problem (the fingerprint format is tested
    # with the transport code).
    monkeypatch.setattr(data_module, "read_datasets", lambda paths: synthetic_fingerprints(60, seed=2))
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["vae", "train", "fp.h5", "--workdir", str(tmp_path / "net"), "--epochs", "2",
                              "--latent", "3", "--conv-features", "4", "--dense", "16", "--decoder-features", "4",
                              "--batch-size", "16", "--no-progress"])
    assert args.run(args) == 0
    assert json.loads((tmp_path / "net" / "network.json").read_text())["vae"]["latent"] == 3
    args = parser.parse_args(["vae", "evaluate", "fp.h5", "--network", str(tmp_path / "net"),
                              "--output", str(tmp_path / "report"), "--samples", "2"])
    assert args.run(args) == 0
    assert "baseline: random layout" in capsys.readouterr().out
    assert (tmp_path / "report" / "latent.png").exists()
    args = parser.parse_args(["vae", "table", str(tmp_path / "report" / "metrics.json")])
    assert args.run(args) == 0
    assert "position error (sites)" in capsys.readouterr().out


@pytest.mark.parametrize("make, message", [
    (lambda: tiny(latent=0), "latent=0"),
    (lambda: tiny(n_fields=1), "n_fields=1"),
    (lambda: tiny(height=-3), "height=-3"),
    (lambda: tiny(conv_features=(8, 0)), "conv_features=(8, 0)"),
    (lambda: tiny(decoder_features=[16]), "decoder_features=[16]"),
    (lambda: tiny(with_wavefunction="yes"), "with_wavefunction='yes'"),
    (lambda: VAETrainConfig(beta=-1.0), "beta=-1.0"),
    (lambda: VAETrainConfig(beta=float("nan")), "beta=nan"),
    (lambda: VAETrainConfig(learning_rate=0.0), "learning_rate=0.0"),
    (lambda: VAETrainConfig(batch_size=0), "batch_size=0"),
    (lambda: VAETrainConfig(validation=1.0), "validation=1.0"),
    (lambda: VAETrainConfig(epochs=0), "epochs=0"),
    (lambda: VAETrainConfig(selection=1.0), "selection=1.0"),
    (lambda: split_layouts(10, 0.0, 0), "fraction=0.0"),
    (lambda: layout_property([np.zeros((1, 2))], "area"), "'area'"),
])
def test_bad_configs_are_rejected_with_the_value(make, message):
    with pytest.raises(ParameterError) as error:
        make()
    assert message in str(error.value)


def test_data_that_do_not_fit_the_network_are_rejected(tmp_path):
    data = synthetic_fingerprints(20, seed=0)
    with pytest.raises(DataError, match="32 points and 8x8"):
        train_vae(data, np.arange(15), np.arange(15, 20), tiny(n_fields=16), VAETrainConfig(epochs=1), tmp_path,
                  progress=False)
    no_images = VAEData(data.signal, data.occupancy, None, data.positions, data.field)
    with pytest.raises(DataError, match="needs density images"):
        train_vae(no_images, np.arange(15), np.arange(15, 20), tiny(), VAETrainConfig(epochs=1), tmp_path,
                  progress=False)
    with pytest.raises(DataError, match="20 signals, 19 occupancy"):
        VAEData(data.signal, data.occupancy[:19], None, data.positions, data.field)


def test_unconfident_maps_fall_back_to_separate_local_maxima():
    # No pixel above 1/2: the two bumps' peaks are the centres, not two pixels of the higher bump.
    x, y = np.mgrid[:16, :12]
    probability = 0.4 * np.exp(-((x - 4) ** 2 + (y - 3) ** 2) / 4) + 0.3 * np.exp(-((x - 11) ** 2 + (y - 8) ** 2) / 4)
    centres = M.seed_centres(probability, 2)
    np.testing.assert_array_equal(centres[np.argsort(centres[:, 0])], [[4.0, 3.0], [11.0, 8.0]])
    # The k-means refinement keeps them at the bumps (each bump's upper half is symmetric up to
    # the other's tail).
    refined = M.predicted_centres(probability, 2)
    np.testing.assert_allclose(refined[np.argsort(refined[:, 0])], [[4.0, 3.0], [11.0, 8.0]], atol=0.05)


def test_blurred_maps_split_their_mass():
    """A flat plateau (a network that cannot place the antidots): its local maxima tie, the
    k-means centres split it into halves: for a plateau over x in [2, 17], the two centres
    sit at the halves' centroids x = 5.5 and 13.5."""
    probability = np.zeros((20, 5))
    probability[2:18, 1:4] = 0.3
    centres = M.predicted_centres(probability, 2)
    np.testing.assert_allclose(np.sort(centres[:, 0]), [5.5, 13.5])
    np.testing.assert_allclose(centres[:, 1], [2.0, 2.0])


def test_report_table_names_the_symmetry_group_and_the_verdicts():
    data = synthetic_fingerprints(6, grid=GRID, seed=5)
    symmetric = VAEData(data.signal, data.occupancy, data.image, data.positions, data.field,
                        group=("identity", "mirror_y"), image_group=("identity", "mirror_y"))
    baselines = {"mean image": {"correlation": 0.4}, "random layout": {"position_error": 5.0},
                 "nearest neighbour": {"correlation": 0.2, "position_error": 4.0}}
    networks = {"a (image + layout)": {"correlation": 0.45, "position_error": 3.0},
                "b (layout only)": {"position_error": 4.5}}
    metrics = M.report(networks, baselines, symmetric, 20, 5)
    assert metrics["symmetry_group"] == ["identity", "mirror_y"]
    lines = M.format_report(metrics).splitlines()
    assert lines[0].split() == ["pixel", "correlation", "position", "error", "(sites)"]
    assert lines[1].split()[-2:] == ["0.450", "3.00"] and lines[2].split()[-2:] == ["-", "4.50"]
    assert lines[-3] == "a (image + layout): correlation beats every baseline; position error beats every baseline"
    assert lines[-2] == "b (layout only): position error does NOT beat every baseline"
    assert lines[-1].startswith("20 training / 5 held-out layouts; scores are the best over the device's "
                                "symmetries identity, mirror_y")
    with pytest.raises(DataError, match="not a metrics.json"):
        M.format_report({"full": {"position_error": 1.0}})


def test_neighbourhood_score_against_known_latents():
    rng = np.random.default_rng(7)
    values = rng.random(200)
    assert M.neighbourhood_score(values[:, None], values, k=5) > 0.98  # the latent is the property
    assert abs(M.neighbourhood_score(rng.normal(size=(200, 3)), values, k=5)) < 0.3  # unrelated
    # By hand on a line: neighbours of 0 are 1, 2 -> prediction 1.5, and so on.
    line = np.arange(6, dtype=float)
    predicted = np.array([1.5, 1.0, 2.0, 3.0, 4.0, 3.5])  # ties broken towards the lower index
    expected = 1 - ((line - predicted) ** 2).sum() / ((line - line.mean()) ** 2).sum()
    assert M.neighbourhood_score(line[:, None], line, k=2) == pytest.approx(expected)
    with pytest.raises(DataError, match="need more than k=10"):
        M.neighbourhood_score(line[:, None], line)
