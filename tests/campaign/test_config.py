"""The campaign config: schema validation, grids, points and the chunk layout."""

import copy

import pytest
import yaml
from wavelearn.campaign.config import ConfigError, load_config, validate_config
from wavelearn.campaign.kinds import format_number, grid_values
from wavelearn.campaign.plan import campaign_points

BASE = {
    "campaign_seed": 1,
    "studies": [{"name": "a", "model": "anderson", "dim": 3, "L": [4, 6], "W": [10, 20],
                 "realizations": 8, "realizations_per_job": 4}],
}


def with_study(**changes):
    config = copy.deepcopy(BASE)
    config["studies"][0].update(changes)
    for key, value in list(changes.items()):
        if value is None:
            del config["studies"][0][key]
    return config


def test_default_config_is_valid(root):
    config = load_config(root / "config.yaml")
    assert len(campaign_points(config)) > 0


def test_defaults_are_filled():
    config = validate_config(BASE)
    study = config["studies"][0]
    assert study["nev"] == 5 and study["backend"] == "auto" and study["distribution"] == "box"
    assert config["results"] == "results"


@pytest.mark.parametrize(
    "config, message",
    [
        (with_study(L=8), "studies[0].L: 8 is not of type 'array'"),
        (with_study(L=["8"]), "studies[0].L[0]: '8' is not of type 'integer'"),
        (with_study(model="lieb"), "studies[0].model: 'lieb' is not one of ['anderson', 'percolation']"),
        (with_study(distribution="levy"), "'levy' is not one of ['box', 'gaussian', 'cauchy']"),
        (with_study(W=[]), "studies[0].W"),
        (with_study(L=[]), "studies[0].L: [] should be non-empty"),
        (with_study(model="percolation", p=[0.5, 1.2]), "studies[0].p"),
        (with_study(model="percolation", p={"start": 0.2, "stop": 1.5, "num": 3}), "1.5 is greater than the maximum of 1"),
        (with_study(W=[-1]), "-1 is less than the minimum of 0"),
        (with_study(nev=0), "studies[0].nev: 0 is less than the minimum of 1"),
        (with_study(bogus=3), "'bogus' was unexpected"),
        ({**BASE, "campaign_seed": "x"}, "campaign_seed: 'x' is not of type 'integer'"),
        ({"campaign_seed": 1, "studies": []}, "studies: [] should be non-empty"),
        ({"studies": BASE["studies"]}, "'campaign_seed' is a required property"),
    ],
)
def test_schema_errors_name_the_key_and_allowed_values(config, message):
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "config, message",
    [
        (with_study(p=[0.5]), "p=0.5 given for model 'anderson'"),
        (with_study(flux=[0.3]), "flux=0.3 is incommensurate with L=4"),
        (with_study(L=[2], nev=8), "nev=8 must be smaller than L^dim=8"),
        ({**BASE, "studies": BASE["studies"] * 2}, "study names must be unique"),
    ],
)
def test_physics_errors_name_the_study(config, message):
    with pytest.raises(ConfigError, match=message.replace("^", r"\^")):
        validate_config(config)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    (tmp_path / "bad.yaml").write_text("studies: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(tmp_path / "bad.yaml")


def test_grids_and_number_formatting():
    assert grid_values({"start": 10, "stop": 24, "num": 8}) == [10, 12, 14, 16, 18, 20, 22, 24]
    assert grid_values({"start": 0.1, "stop": 0.3, "num": 3}) == [0.1, 0.2, 0.3]
    assert [format_number(x) for x in (16.5, 0.0, 1 / 3, 10)] == ["16.5", "0", "0.3333333333333333", "10"]
    assert float(format_number(1 / 3)) == 1 / 3


def test_points_and_chunks():
    points = campaign_points(validate_config(with_study(realizations=10)))
    assert len(points) == 4  # 2 L x 2 W
    assert [c.span for c in points[0].chunks] == ["0:4", "4:8", "8:10"]
    assert points[0].output("results", points[0].chunks[1]) == "results/a/L4/W10_p1_flux0/chunk001.h5"


def test_raising_realizations_keeps_old_chunks():
    old = campaign_points(validate_config(with_study(realizations=8)))[0].chunks
    new = campaign_points(validate_config(with_study(realizations=16)))[0].chunks
    assert new[: len(old)] == old and len(new) == 4


def test_the_config_is_validated_once_by_the_package(root):
    # One path: the Snakefile does not validate on its own; common.smk calls validate_config.
    snakefile = (root / "Snakefile").read_text()
    assert "validate(" not in snakefile
    assert "CAMPAIGN = validate_config(config)" in (root / "workflow/rules/common.smk").read_text()
    assert yaml.safe_load((root / "workflow/schemas/config.schema.yaml").read_text())["title"]


LEARN = {"name": "net", "train_study": "a", "classes": [
    {"name": "metal", "parameter": "W", "low": 5, "high": 12}, {"name": "insulator", "parameter": "W", "low": 15, "high": 25}]}


def test_learning_defaults_and_scan_studies():
    config = validate_config({**BASE, "learning": [LEARN]})
    net = config["learning"][0]
    assert net["scan_studies"] == ["a"] and net["epochs"] == 10 and net["validation"] == 0.1


@pytest.mark.parametrize(
    "net, message",
    [
        ({**LEARN, "train_study": "zzz"}, "names unknown studies ['zzz']"),
        ({**LEARN, "classes": LEARN["classes"][:1]}, "is too short"),
        ({**LEARN, "classes": [{**LEARN["classes"][0], "low": 13, "high": 14}, LEARN["classes"][1]]},
         "class 'metal' window W in [13, 14] is empty"),
        ({**LEARN, "classes": [{**LEARN["classes"][0], "parameter": "E"}, LEARN["classes"][1]]}, "'E' is not one of"),
    ],
)
def test_learning_errors(net, message):
    with pytest.raises(ConfigError) as err:
        validate_config({**BASE, "learning": [net]})
    assert message in str(err.value)


def test_scan_study_needs_a_network_of_each_size():
    other = {**BASE["studies"][0], "name": "b", "L": [4, 8], "first_realization": 8}
    with pytest.raises(ConfigError, match="scan study 'b' has L=\\[8\\], which the training study 'a' lacks"):
        validate_config({**BASE, "studies": [BASE["studies"][0], other], "learning": [{**LEARN, "scan_studies": ["b"]}]})


def test_k_space_input_needs_psi():
    with pytest.raises(ConfigError, match="uses input k .* needs save_psi: true in studies \\['a'\\]"):
        validate_config({**BASE, "learning": [{**LEARN, "input": "k"}]})
    config = validate_config({**with_study(save_psi=True), "learning": [{**LEARN, "input": "k"}]})
    assert campaign_points(config)[0].save_psi
