"""The campaign report (make report): `snakemake --report` of a tiny campaign holds every figure and
table the rules wrote, with rendered captions under their stage and study, and a headless browser
opens it without script errors. Which rule outputs are marked for the report is checked for every
kind of study without running them."""

import base64
import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EIGEN = {"name": "tiny", "model": "anderson", "dim": 2, "L": [6], "W": [1.0, 3.0, 18.0, 20.0], "energy": 0.1,
         "nev": 3, "realizations": 4, "realizations_per_job": 4}
NETWORK = {"name": "net", "train_study": "tiny", "epochs": 1, "batch_size": 8,
           "classes": [{"name": "metal", "parameter": "W", "low": 0.0, "high": 4.0},
                       {"name": "insulator", "parameter": "W", "low": 17.0, "high": 21.0}]}
# Result files that are no figure or table of the campaign: training logs (their figure,
# history.png, is in the report) and checkpoints.
NOT_RESULTS = {"history.csv", "checkpoint.json", "network.json"}


def embedded(html: str, name: str):
    """The JSON the report's page script ``<script id="NAME">var NAME = ...;`` holds."""
    match = re.search(rf'<script id="{name}">\s*var \w+ = (.*?);\s*</script>', html, flags=re.S)
    assert match, f"no {name} in the report"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def campaign(tmp_path_factory, root, snakemake, write_config):
    """A tiny campaign (eigenstates, criticality, a CNN and its phase diagram) and its report."""
    workdir = tmp_path_factory.mktemp("report")
    write_config(workdir, [EIGEN], learning=[NETWORK])
    snakemake(workdir, "--profile", str(root / "profiles/local"), "--cores", "2")
    snakemake(workdir, "--report", "results/report.html")
    return workdir


def test_report_holds_every_figure_and_table_the_rules_wrote(campaign):
    html = (campaign / "results/report.html").read_text()
    results = embedded(html, "results")
    written = sorted(str(p.relative_to(campaign)) for p in (campaign / "results").rglob("*")
                     if p.suffix in (".png", ".csv") and p.name not in NOT_RESULTS)
    assert len(written) == 13  # summary 2, states 1, criticality 6, training history 1, scan 1, phase diagram 2
    assert sorted(results) == written
    for path, result in results.items():
        # Embedded whole: the file opens on a laptop without the campaign folder.
        assert base64.b64decode(result["data_uri"].split("base64,", 1)[1]) == (campaign / path).read_bytes(), path
        caption = result["caption"]
        assert len(caption) > 200 and "system-message" not in caption and "{{" not in caption, (path, caption)
    text = {path: re.sub(r"<[^>]+>", "", result["caption"]) for path, result in results.items()}
    states = text["results/tiny/L6/states.png"]
    assert "L = 6" in states and "W: [1.0, 3.0, 18.0, 20.0]" in states  # wildcards and the study's config
    assert "--epochs 1" in text["results/learning/net/L6/history.png"]  # the rule's params
    assert "Atas et al., PRL 110, 084101 (2013)" in text["results/tiny/criticality.png"]


def test_results_are_grouped_by_stage_and_study(campaign):
    categories = embedded((campaign / "results/report.html").read_text(), "categories")
    assert {stage: sorted(groups) for stage, groups in categories.items()} == {
        "Eigenstates": ["all studies", "tiny"], "Criticality": ["tiny"], "Learning": ["net training", "tiny"]}
    assert categories["Eigenstates"]["all studies"] == ["results/summary.csv", "results/summary.png"]
    assert "results/learning/net/scan_tiny/phase_diagram.png" in categories["Learning"]["tiny"]


def test_the_workflow_description_comes_first_with_the_campaign(campaign):
    description = embedded((campaign / "results/report.html").read_text(), "workflow-desc")
    assert "wavelearn campaign report" in description and "system-message" not in description
    assert "Campaign seed 7" in description and "tiny" in description and "Slevin" in description


def test_the_report_renders_in_a_headless_browser(campaign, tmp_path, requires):
    browser = shutil.which("chromium")
    requires(browser is not None, "chromium not installed (make install installs it)")
    # --no-sandbox: Chromium's sandbox refuses to run as root; the budget lets React render.
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}",
                             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000", "--dump-dom",
                             (campaign / "results/report.html").as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if re.search(r"Uncaught|Error|Failed", line)], console
    # What the page script drew into <div id="app"> (the dumped DOM also holds the scripts' text).
    app = result.stdout.split('<div id="app">', 1)[1].split("<script", 1)[0]
    assert "<nav" in app, app[:2000]
    for text in ("wavelearn campaign report", "Eigenstates", "Criticality", "Learning", "Physics and conventions"):
        assert text in app, text


# Loads the Snakefile as `snakemake` does (no job runs) and prints, per rule output, whether it is
# marked for the report and with which caption and category.
FLAGS = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from snakemake.api import SnakemakeApi
    from snakemake.io import get_flag_value, is_flagged
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

    snakefile, workdir = Path(sys.argv[1]), Path(sys.argv[2])
    rows = []
    with SnakemakeApi(OutputSettings()) as api:
        workflow = api.workflow(resource_settings=ResourceSettings(), snakefile=snakefile, workdir=workdir,
                                config_settings=ConfigSettings(configfiles=[workdir / "config.yaml"]))
        for rule in workflow._workflow.rules:
            for f in rule.output:
                report = get_flag_value(f, "report") if is_flagged(f, "report") else None
                rows.append(dict(rule=rule.name, output=str(f),
                                 caption=report and str(report.caption.get_path_or_uri(secret_free=True)),
                                 category=report and report.category))
    print("FLAGS", json.dumps(rows))
""")


def test_every_rule_of_every_kind_marks_its_figures_and_tables(tmp_path, root, bin_dir, env, write_config):
    fingerprints = {"name": "fp", "kind": "transport", "Lx": 16, "Ly": 10, "lead_width": 6, "energy": 0.9,
                    "antidots": 1, "radius": 2.0, "field_min": 0.0, "field_max": 0.02, "field_points": 9,
                    "layouts": 20, "layouts_per_job": 10, "vae": {"epochs": 2, "latent": 3}}
    spins = {"name": "spins", "kind": "manybody", "model": "heisenberg", "L": [6], "alpha": [1], "iterations": 15}
    write_config(tmp_path, [EIGEN, fingerprints, spins], learning=[NETWORK])
    result = subprocess.run([str(bin_dir / "python"), "-c", FLAGS, str(root / "Snakefile"), str(tmp_path)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(result.stdout.split("FLAGS ", 1)[1])
    marked = {(row["rule"], row["output"].rsplit("/", 1)[1]) for row in rows if row["caption"]}
    assert {(row["rule"], row["output"].rsplit("/", 1)[1]) for row in rows
            if row["output"].endswith((".png", ".csv", ".svg", ".pdf"))} <= marked
    for rule in ("summarize", "plot_states", "criticality", "train_cnn", "phase_diagram", "scan",
                 "plot_fingerprints", "train_vae", "evaluate_vae", "plot_nqs"):
        assert any(r == rule for r, _ in marked), rule
    assert ("evaluate_vae", "metrics.json") in marked and ("evaluate_vae", "latent.png") in marked
    stages = {"Eigenstates", "Criticality", "Learning", "Fingerprints", "Neural quantum states"}
    for row in rows:
        if row["caption"]:
            assert row["category"] in stages, row
            caption = Path(row["caption"]).resolve()
            assert caption.parent == root / "workflow/report" and caption.is_file(), row
