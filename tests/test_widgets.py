"""The notebook widgets, driven as a user would: set values and click buttons."""

import subprocess
import sys
import time

import pytest

pytest.importorskip("ipywidgets", minversion="8")

import nbcompare as nbc
from nbcompare.widgets import LaunchPanel, StudyBuilder
from nbcompare.widgets._candidate import format_value, parse_value


def _code_study(name="widgets"):
    return nbc.Study(
        name=name,
        candidates=[nbc.Candidate("a", "synthetic", mean=0.0), nbc.Candidate("b", "synthetic", mean=0.5)],
        seeds=range(3),
        metrics=["score"],
    )


def _fill_row(row, name, params):
    row.name.value = name
    row.workload.value = "synthetic"
    for key, text in params.items():
        row.add_param_button.click()
        row.params[-1].key.value = key
        row.params[-1].value.value = text


def _clicked_builder(name="widgets"):
    builder = StudyBuilder(default_workload="synthetic")
    builder.name.value = name
    builder.add_button.click()
    builder.add_button.click()
    _fill_row(builder.candidates[0], "a", {"mean": "0.0"})
    _fill_row(builder.candidates[1], "b", {"mean": "0.5"})
    builder.seeds.value = 3
    builder.metrics.value = ("score",)
    return builder


def test_import_nbcompare_skips_ipywidgets():
    code = "import nbcompare, sys; print('ipywidgets' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


@pytest.mark.parametrize("text, value", [
    ("3", 3), ("1e-3", 1e-3), ("true", True), ("false", False), ('"3"', "3"),
    ("adam", "adam"), ("[1, 2]", [1, 2]), (" 0.5 ", 0.5),
])
def test_parse_value_reads_json_or_text(text, value):
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)
    assert parse_value(format_value(value)) == value


def test_builder_study_equals_code_study():
    builder = _clicked_builder()

    assert builder.study() == _code_study()
    assert "6 trials" in builder.message.value


def test_builder_code_builds_equal_study():
    builder = _clicked_builder()
    namespace = {}

    exec(builder.code(), namespace)

    assert namespace["study"] == builder.study()
    assert namespace["study"] == _code_study()


def test_builder_metric_options_follow_workload():
    builder = _clicked_builder()
    options = set(builder.metrics.options)

    assert {"score", "loss"} <= options
    assert {"train_time_s", "inference_time_per_sample_s", "parameters", "peak_memory_mb"} <= options
    assert "accuracy" not in options


def test_builder_invalid_value_shows_error():
    builder = _clicked_builder()
    builder.candidates[1].params[0].value.value = "NaN"

    with pytest.raises(nbc.StudyError, match="not a finite number") as raised:
        builder.study()

    assert "mean" in str(raised.value)
    assert "not a finite number" in builder.candidates[1].message.value
    assert "not a finite number" in builder.message.value
    assert builder.candidates[0].message.value == ""


def test_builder_duplicate_names_show_error():
    builder = _clicked_builder()
    builder.candidates[1].name.value = "a"

    with pytest.raises(nbc.StudyError, match="repeats the name 'a'"):
        builder.study()

    assert "repeats the name" in builder.message.value


def test_builder_param_without_key_shows_error():
    builder = _clicked_builder()
    row = builder.candidates[0]
    row.add_param_button.click()
    row.params[-1].value.value = "1"

    with pytest.raises(nbc.StudyError, match="has a value but no key"):
        builder.study()

    assert "has a value but no key" in row.message.value
    row.params[-1].remove_button.click()
    assert row.message.value == ""
    assert builder.study() == _code_study()


def test_builder_code_raises_when_invalid():
    builder = _clicked_builder()
    builder.metrics.value = ()

    with pytest.raises(nbc.StudyError, match="metrics is empty"):
        builder.code()


def test_builder_duplicate_and_remove_rows():
    builder = _clicked_builder()

    builder.candidates[1].duplicate_button.click()

    names = [row.name.value for row in builder.candidates]
    assert names == ["a", "b", "b-copy"]
    assert builder.study().candidates[2] == nbc.Candidate("b-copy", "synthetic", mean=0.5)

    builder.candidates[0].remove_button.click()

    assert [c.name for c in builder.study().candidates] == ["b", "b-copy"]


def test_builder_yaml_round_trip(tmp_path):
    path = tmp_path / "study.yaml"
    builder = _clicked_builder()
    builder.to_yaml(path)

    loaded = StudyBuilder()
    study = loaded.load_yaml(path)

    assert study == _code_study()
    assert loaded.study() == _code_study()
    assert nbc.load_study(path) == _code_study()
    assert [row.name.value for row in loaded.candidates] == ["a", "b"]
    assert loaded.candidates[1].params[0].value.value == "0.5"


def test_builder_keeps_fields_it_does_not_edit(tmp_path):
    study = nbc.Study(name="levels", candidates=_code_study().candidates, seeds=range(2, 6),
                      metrics=["score", "train_time_s"], alpha=0.01, timeout_s=30.0,
                      description="check the levels")
    builder = StudyBuilder(study)
    namespace = {}

    exec(builder.code(), namespace)

    assert builder.study() == study
    assert namespace["study"] == study


def test_builder_load_yaml_invalid_file_shows_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ncandidates: []\nseeds: {count: 3}\nmetrics: [score]\nseedz: 1\n")
    builder = StudyBuilder()

    with pytest.raises(nbc.StudyError, match="unknown field 'seedz'"):
        builder.load_yaml(path)

    assert "seedz" in builder.message.value


def test_builder_digits_architecture_dropdown():
    pytest.importorskip("torch")
    builder = StudyBuilder(default_workload="digits")
    builder.name.value = "arch"
    builder.add_button.click()
    builder.add_button.click()
    for row, architecture in zip(builder.candidates, ["mlp", "resnet"]):
        row.name.value = architecture
        row.architecture.value = architecture
    builder.metrics.value = ("accuracy",)

    study = builder.study()

    assert study.candidates[0] == nbc.Candidate("mlp", "digits", architecture="mlp")
    assert study.candidates[1] == nbc.Candidate("resnet", "digits", architecture="resnet")
    builder.candidates[0].defaults_button.click()
    assert builder.study().candidates[0].params["hidden_size"] == 128


def test_launch_panel_without_study_shows_error():
    panel = LaunchPanel(StudyBuilder())

    panel.launch_button.click()

    assert "Not launched" in panel.status.value
    with pytest.raises(nbc.StudyError):
        panel.wait(1)


@pytest.mark.slow
def test_launch_panel_runs_study(tmp_path, nemorun_home, local_executor):
    builder = _clicked_builder("widgets-launch")
    results_dir = tmp_path / "results"
    panel = LaunchPanel(builder, results_dir=results_dir, executor=local_executor, workers=2,
                        poll_interval_s=0.2)

    started = time.monotonic()
    panel.launch_button.click()
    elapsed = time.monotonic() - started
    assert elapsed < 1.0
    assert panel.running

    run = panel.wait(120)

    assert run.progress().completed == 6
    assert panel.progress.value == 6
    assert panel.progress.max == 6
    assert panel.table.value.count("<td style=\"color:#1b5e20\">completed</td>") == 6
    for name in ("a", "b"):
        assert f"<td>{name}</td>" in panel.table.value
    assert "6 completed" in panel.status.value

    attached = LaunchPanel()
    attached.attach(results_dir, follow=False)
    assert attached.progress.value == 6
    assert attached.table.value.count("completed</td>") == 6


def test_launch_panel_shows_failed_trial(tmp_path):
    # A hand-written failed record replaces a real failed trial, so the test starts no process.
    from nbcompare.launch._records import RecordsLayout, atomic_write_json

    study = _code_study("widgets-failed")
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    study.to_yaml(results_dir / "study.yaml")
    layout = RecordsLayout(results_dir)
    trial = study.trials()[0]
    atomic_write_json(layout.record(trial.trial_id), {
        "trial_id": trial.trial_id, "status": "failed", "metrics": {},
        "error": {"type": "RuntimeError", "message": "diverged at <epoch 3>"},
    })

    panel = LaunchPanel()
    panel.attach(results_dir, follow=False)

    assert panel.progress.value == 1
    assert panel.progress.bar_style == "danger"
    assert "RuntimeError: diverged at &lt;epoch 3&gt;" in panel.table.value
    assert "1 failed" in panel.status.value
