"""The whole loop on real components: NeMo Run, torch training, analysis, figures, report, CLI."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nbcompare as nbc
from nbcompare.launch._records import RecordsLayout

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def _env(tmp_path, **extra):
    env = dict(os.environ)
    env["NEMORUN_HOME"] = str(tmp_path / "nemorun-home")
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["MPLBACKEND"] = "Agg"
    env.update(extra)
    return env


def test_tiny_digits_study_table_comes_from_records(tmp_path, nemorun_home):
    study = nbc.Study(
        "tiny-digits",
        [nbc.Candidate("mlp", "digits", architecture="mlp", epochs=3),
         nbc.Candidate("resnet", "digits", architecture="resnet", epochs=2)],
        seeds=range(2),
        metrics=["accuracy", "ece", "train_time_s", "parameters"],
    )
    run = study.run(results_dir=tmp_path / "results", progress=False)
    results = run.results()

    layout = RecordsLayout(run.results_dir)
    assert len(layout.record_ids()) == 4
    assert set(results.frame["status"]) == {"completed"}
    for trial_id in layout.record_ids():
        record = json.loads(layout.record(trial_id).read_text())
        rows = results.frame[results.frame["trial_id"] == trial_id].set_index("metric")["value"]
        assert rows["accuracy"] == record["metrics"]["accuracy"]
        assert rows["ece"] == record["metrics"]["ece"]
        assert rows["train_time_s"] == record["measurements"]["train_time_s"]
        assert rows["parameters"] == record["measurements"]["parameters"]
        assert 0.5 < record["metrics"]["accuracy"] <= 1.0
        assert record["environment"]["packages"]["torch"].startswith("2.")
        assert len(record["history"]) == record["config"]["epochs"]

    # Same seed, same split: both candidates of a seed saw the same test set size.
    comparison = nbc.compare(results, "accuracy")
    assert set(comparison.candidates) == {"mlp", "resnet"}
    assert comparison.n_blocks == 2
    assert comparison.omnibus.test == "wilcoxon"


def _write_synthetic_study(path, name="cli-study"):
    path.write_text(textwrap.dedent(f"""
        name: {name}
        candidates:
          - {{name: weak, workload: synthetic, params: {{mean: 0.0, sd: 0.1}}}}
          - {{name: middle, workload: synthetic, params: {{mean: 1.0, sd: 0.1}}}}
          - {{name: strong, workload: synthetic, params: {{mean: 2.0, sd: 0.1}}}}
        seeds: {{count: 8}}
        metrics: [score, loss]
    """))
    return path


def test_cli_run_then_analyze_with_figures_and_report(tmp_path):
    study_file = _write_synthetic_study(tmp_path / "study.yaml")
    env = _env(tmp_path)
    run = subprocess.run([sys.executable, "-m", "nbcompare.cli", "run", str(study_file),
                          "--results-dir", str(tmp_path / "results")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "24/24 trials finished: 24 completed, 0 failed" in run.stdout

    analyze = subprocess.run([sys.executable, "-m", "nbcompare.cli", "analyze", str(tmp_path / "results"),
                              "--metric", "score", "--figures", str(tmp_path / "figures"),
                              "--report", str(tmp_path / "report.html")],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert analyze.returncode == 0, analyze.stderr
    assert "Best: strong" in analyze.stdout
    # The synthetic workload gives every candidate the same noise per seed, so the additive
    # model fits exactly, normality cannot be checked, and the rank path is chosen.
    assert "So the Friedman test was used, with Nemenyi post-hoc tests." in analyze.stdout
    assert "Critical difference of mean ranks (Nemenyi" in analyze.stdout

    for stem in ("score_ci", "score_seeds", "score_pvalues"):
        assert (tmp_path / "figures" / f"{stem}.pdf").stat().st_size > 1000
        assert (tmp_path / "figures" / f"{stem}.png").stat().st_size > 1000
    html = (tmp_path / "report.html").read_text()
    assert "cli-study" in html
    assert "Procedure" in html
    assert "Friedman test across 3 candidates with 8 seeds" in html

    classic = subprocess.run([sys.executable, "-m", "nbcompare.cli", "analyze", str(tmp_path / "results"),
                              "--metric", "score", "--test", "classic"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert classic.returncode == 0, classic.stderr
    assert "Omnibus Friedman test" in classic.stdout
    assert "p (Wilcoxon, Holm)" in classic.stdout
    assert "data:image/png;base64" in html
    assert "cdnjs" not in html  # the report opens offline


def test_cli_reports_invalid_study_clearly(tmp_path):
    study_file = tmp_path / "bad.yaml"
    study_file.write_text("name: bad\ncandidates: [{name: a, workload: synthetic}]\nseeds: [0, 1]\nmetrics: [score]\n")
    result = subprocess.run([sys.executable, "-m", "nbcompare.cli", "run", str(study_file)],
                            cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "nbcompare run: error:" in result.stderr
    assert "a comparison needs at least two" in result.stderr


def test_architecture_notebook_executes(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(REPO / "notebooks" / "01-architecture-comparison.ipynb", as_version=4)
    out = tmp_path / "out"
    env = _env(tmp_path, NBCOMPARE_NOTEBOOK_SEEDS="3", NBCOMPARE_NOTEBOOK_OUT=str(out))
    old = dict(os.environ)
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)

    outputs = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "report:" in outputs
    assert (out / "reports" / "digits-architectures-notebook.html").is_file()
    assert (out / "figures" / "accuracy_ci.png").is_file()
    results = nbc.ResultSet.from_directory(out / "results" / "digits-architectures-notebook")
    assert results.frame["trial_id"].nunique() == 9
    assert set(results.frame["status"]) == {"completed"}


def test_cli_run_prints_failure_causes(tmp_path):
    (tmp_path / "flaky.py").write_text(
        "def fit(config, seed, context):\n"
        "    if seed == 1 and config['kind'] == 'b':\n"
        "        raise RuntimeError('diverged at epoch 3')\n"
        "    return {'acc': 0.5 + seed / 10}\n"
    )
    study_file = tmp_path / "study.yaml"
    study_file.write_text(textwrap.dedent("""
        name: flaky
        candidates:
          - {name: a, workload: "flaky:fit", params: {kind: a}}
          - {name: b, workload: "flaky:fit", params: {kind: b}}
        seeds: {count: 3}
        metrics: [{name: acc, higher_is_better: true}, {name: acu, higher_is_better: true}]
    """))
    env = _env(tmp_path)
    env.pop("PYTHONPATH", None)
    run = subprocess.run([sys.executable, "-m", "nbcompare.cli", "run", str(study_file)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "5 completed, 1 failed" in run.stdout
    assert "b / default / seed 1: diverged at epoch 3" in run.stdout
    assert "run the same command again" in run.stdout

    analyze = subprocess.run([sys.executable, "-m", "nbcompare.cli", "analyze", "results/flaky"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert analyze.returncode == 2
    assert "No completed trial returned metric(s) ['acu']" in analyze.stderr
    assert "b / default / seed 1: diverged at epoch 3" in analyze.stdout


def test_figure_gallery_notebook_executes(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(REPO / "notebooks" / "02-figure-gallery.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()

    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    texts = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert len(images) >= 10
    assert "\\toprule" in texts and "\\bottomrule" in texts
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
