"""The notebook widgets, driven as a user would: set values and click buttons."""

import html
import json
import os
import socket
import subprocess
import sys
import time

import psutil
import pytest

pytest.importorskip("ipywidgets", minversion="8")

import nbcompare as nbc
from nbcompare.launch import ExecutorSpecError, launch_status, load_executor
from nbcompare.launch._records import RecordsLayout, read_json
from nbcompare.widgets import LaunchPanel, StudyBuilder
from nbcompare.widgets._candidate import format_value, parse_value

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


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


@pytest.fixture
def study_runs(monkeypatch):
    """Replace Study.run by a recorder, so exec(builder.code()) launches nothing."""
    calls = []

    def record_run(study, **options):
        calls.append((study, options))

    monkeypatch.setattr(nbc.Study, "run", record_run)
    return calls


def _slurm_builder(**fields):
    builder = _clicked_builder("widgets-slurm")
    form = builder.executor_form
    form.kind.value = "slurm"
    values = {"partition": "batch", "account": "ml-research", "time": "02:30:00", "nodes": 2,
              "gpus_per_node": 8, "container_image": "nvcr.io/nvidia/pytorch:24.05-py3",
              "host": "login.example.org", "user": "alice", "job_dir": "/scratch/alice/nemo-run",
              "slurm_workers": 3, **fields}
    for name, value in values.items():
        getattr(form, name).value = value
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


def test_builder_code_builds_equal_study(study_runs):
    builder = _clicked_builder()
    namespace = {}

    exec(builder.code(), namespace)

    assert namespace["study"] == builder.study()
    assert namespace["study"] == _code_study()
    assert study_runs == [(namespace["study"], {"workers": builder.executor().workers})]


def test_builder_metric_options_follow_workload():
    builder = _clicked_builder()
    options = {name for _, name in builder.metrics.options}

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


def test_builder_keeps_fields_it_does_not_edit(tmp_path, study_runs):
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


# -- the Executor section ---------------------------------------------------------------


def test_builder_local_executor_default():
    builder = _clicked_builder()

    choice = builder.executor()

    assert choice.executor is None
    assert choice.workers == max(1, os.cpu_count() or 1)
    builder.executor_form.local_workers.value = 3
    assert builder.executor() == (None, 3)


def test_builder_slurm_executor_fields():
    import nemo_run as run

    builder = _slurm_builder()

    executor, workers = builder.executor()

    assert isinstance(executor, run.SlurmExecutor)
    assert executor.partition == "batch"
    assert executor.account == "ml-research"
    assert executor.time == "02:30:00"
    assert executor.nodes == 2
    assert executor.gpus_per_node == 8
    assert executor.container_image == "nvcr.io/nvidia/pytorch:24.05-py3"
    assert isinstance(executor.tunnel, run.SSHTunnel)
    assert executor.tunnel.host == "login.example.org"
    assert executor.tunnel.user == "alice"
    assert executor.tunnel.job_dir == "/scratch/alice/nemo-run"
    assert executor.tunnel.session is None  # constructing it opened no SSH connection
    assert workers == 3
    assert all(message.value == "" for message in builder.executor_form.messages["slurm"].values())


def test_builder_slurm_local_tunnel():
    import nemo_run as run

    builder = _slurm_builder(host="", user="", job_dir="", gpus_per_node=0, container_image="")
    form = builder.executor_form

    form.tunnel.value = "local"
    executor, _ = builder.executor()

    assert isinstance(executor.tunnel, run.LocalTunnel)
    assert executor.gpus_per_node is None
    assert executor.container_image is None
    assert form._rows["slurm"]["tunnel.host"].layout.display == "none"


@pytest.mark.parametrize("text, problem, fix", [
    ("1:00:00:00", "Slurm time limit '1:00:00:00' is invalid", "days-hours:minutes:seconds"),
    ("01:75:00", "Slurm time limit '01:75:00' has 75 minutes", "write '2:15:00' instead"),
    ("00:00:00", "Slurm time limit '00:00:00' is zero", "for example 01:00:00"),
    ("two hours", "Slurm time limit 'two hours' is invalid", "for example 02:00:00 or 1-12:00:00"),
])
def test_builder_invalid_time_limit_message(text, problem, fix):
    builder = _slurm_builder(time=text)
    message = builder.executor_form.messages["slurm"]["time"]

    with pytest.raises(ExecutorSpecError, match=problem) as raised:
        builder.executor()

    assert raised.value.field == "time"
    assert problem in html.unescape(message.value)
    assert fix in html.unescape(message.value)
    builder.executor_form.time.value = "04:00:00"
    assert message.value == ""
    assert builder.executor().executor.time == "04:00:00"


def test_builder_slurm_required_fields_messages():
    builder = _slurm_builder(account="", host="alice@login", user="", job_dir="scratch")
    messages = builder.executor_form.messages["slurm"]

    with pytest.raises(ExecutorSpecError):
        builder.executor()

    assert "Slurm account is empty" in messages["account"].value
    assert "contains a user name" in messages["tunnel.host"].value
    assert "SSH user is empty" in messages["tunnel.user"].value
    assert "'scratch' is not an absolute path" in html.unescape(messages["tunnel.job_dir"].value)
    assert messages["time"].value == ""


@pytest.mark.parametrize("source", [
    "nemo_run.DockerExecutor(container_image='python:3.11', num_gpus=0)",
    "run.DockerExecutor(container_image='python:3.11', num_gpus=0)",
    "executor: nemo_run.DockerExecutor\ncontainer_image: python:3.11\nnum_gpus: 0\n",
])
def test_builder_other_executor_from_text(source):
    import nemo_run as run

    builder = _clicked_builder()
    form = builder.executor_form
    form.kind.value = "other"
    form.source.value = source
    form.other_workers.value = 2

    executor, workers = builder.executor()

    assert isinstance(executor, run.DockerExecutor)
    assert executor.container_image == "python:3.11"
    assert executor.num_gpus == 0
    assert workers == 2
    assert form.messages["other"]["source"].value == ""


@pytest.mark.parametrize("source, expected", [
    ("", "the text is empty"),
    ("nemo_run.DockrExecutor(container_image='x')", "Did you mean 'nemo_run.DockerExecutor'?"),
    ("nemo_run.DockerExecutor(container_imag='x')", "has no argument 'container_imag'"),
    ("nemo_run.DockerExecutor()", "needs the argument(s) container_image"),
    ("nemo_run.DockerExecutor('python:3.11')", "positional arguments"),
    ("nemo_run.DockerExecutor(container_image=os.environ['IMAGE'])", "neither a literal nor a nemo_run object"),
    ("nemo_run.SSHTunnel(host='h', user='u', job_dir='/j')", "is not a NeMo Run executor class"),
    ("container_image: python:3.11", "has no 'executor' key"),
    ("executor: [", "neither a Python expression nor YAML"),
])
def test_builder_other_executor_errors(source, expected):
    builder = _clicked_builder()
    form = builder.executor_form
    form.kind.value = "other"

    form.source.value = source

    assert expected in html.unescape(form.messages["other"]["source"].value)
    with pytest.raises(ExecutorSpecError) as raised:
        builder.executor()
    assert raised.value.field == "source"


def test_builder_code_constructs_slurm_executor(study_runs):
    builder = _slurm_builder()
    expected, workers = builder.executor()
    namespace = {}

    exec(builder.code(), namespace)

    executor = namespace["executor"]
    assert type(executor) is type(expected)
    assert executor.to_config() == expected.to_config()
    assert executor.tunnel.host == "login.example.org"
    assert namespace["study"] == builder.study()
    assert study_runs == [(namespace["study"], {"executor": executor, "workers": workers})]


def test_builder_code_constructs_other_executor(study_runs):
    builder = _clicked_builder()
    builder.executor_form.kind.value = "other"
    builder.executor_form.source.value = (
        "executor: nemo_run.DockerExecutor\ncontainer_image: python:3.11\nvolumes: [/data:/data]\n")
    namespace = {}

    exec(builder.code(), namespace)

    assert namespace["executor"].volumes == ["/data:/data"]
    assert namespace["executor"].to_config() == builder.executor().executor.to_config()
    assert study_runs[0][1] == {"executor": namespace["executor"], "workers": 1}


def test_builder_code_raises_when_executor_invalid():
    builder = _slurm_builder(time="90 minutes")

    with pytest.raises(ExecutorSpecError, match="'90 minutes' is invalid"):
        builder.code()

    assert "'90 minutes' is invalid" in html.unescape(builder.message.value)


def test_builder_yaml_round_trip_with_executor(tmp_path):
    path = tmp_path / "study.yaml"
    builder = _slurm_builder()
    builder.to_yaml(path)

    loaded = StudyBuilder()
    study = loaded.load_yaml(path)

    assert study == builder.study()
    assert nbc.load_study(path) == builder.study()
    assert loaded.executor_form.spec() == builder.executor_form.spec()
    assert loaded.executor().executor.to_config() == builder.executor().executor.to_config()
    assert load_executor(path).workers == 3


def test_builder_loads_yaml_without_executor(tmp_path):
    path = tmp_path / "old.yaml"
    _code_study().to_yaml(path)
    builder = _slurm_builder()

    builder.load_yaml(path)

    assert builder.executor_form.kind.value == "local"
    assert builder.executor() == (None, max(1, os.cpu_count() or 1))
    assert load_executor(path) is None


def test_builder_load_yaml_invalid_executor(tmp_path):
    # PyYAML reads an unquoted 1:30:00 as the base-60 number 5400.
    path = tmp_path / "bad.yaml"
    path.write_text(_code_study("bad").to_yaml() + "executor:\n  kind: slurm\n  account: ml\n  time: 1:30:00\n")
    builder = _clicked_builder()

    with pytest.raises(nbc.StudyError, match="in YAML quote it"):
        builder.load_yaml(path)

    assert "quote it" in builder.message.value
    assert builder.study() == _code_study()  # the form is unchanged
    assert nbc.load_study(path) == _code_study("bad")


def test_launch_panel_uses_builder_executor(monkeypatch):
    import nemo_run as run
    from nbcompare.launch import _launcher

    calls = []
    monkeypatch.setattr(_launcher, "run_study", lambda study, **options: calls.append(options))
    builder = _slurm_builder()

    panel = LaunchPanel(builder, results_dir="unused")
    panel.launch_button.click()
    panel.wait(10)

    assert isinstance(calls[0]["executor"], run.SlurmExecutor)
    assert calls[0]["executor"].partition == "batch"
    assert calls[0]["workers"] == 3

    explicit = run.LocalExecutor()
    LaunchPanel(builder, results_dir="unused", executor=explicit).launch()
    time.sleep(0.2)
    assert calls[1]["executor"] is explicit
    assert calls[1]["workers"] is None


def test_launch_panel_invalid_executor_not_launched():
    builder = _slurm_builder(account="")
    panel = LaunchPanel(builder)

    panel.launch_button.click()

    assert "Not launched: Slurm account is empty" in panel.status.value
    with pytest.raises(ExecutorSpecError):
        panel.wait(1)


# -- following and cancelling -------------------------------------------------------------


def _planned_results(tmp_path, launch):
    """Write a results directory with a plan, one completed record and launches.jsonl."""
    from nbcompare.launch._control import append_launch
    from nbcompare.launch._records import atomic_write_json

    study = _code_study("widgets-follow")
    layout = RecordsLayout(tmp_path / "results")
    layout.root.mkdir()
    study.to_yaml(layout.study_file)
    trials = study.trials()
    atomic_write_json(layout.plan_file, {"study": study.name, "trials": [t.to_dict() for t in trials]})
    atomic_write_json(layout.record(trials[0].trial_id), {
        "trial_id": trials[0].trial_id, "status": "completed", "metrics": {"score": 0.1}, "error": None})
    append_launch(layout, {"experiment_id": "nbcompare-widgets-follow_1", "started_at": time.time(),
                           "executor": "LocalExecutor", "shards": [[t.trial_id for t in trials]],
                           "host": socket.gethostname(), **launch})
    return layout


def test_attach_follow_stops_without_live_launch(tmp_path):
    # The launching process died without a final state and 5 trials have no record.
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    layout = _planned_results(tmp_path, {"state": "running", "pid": int(finished.stdout)})
    panel = LaunchPanel(poll_interval_s=0.05)

    panel.attach(layout.root, follow=True)
    panel._poll_thread.join(5)

    assert not panel._poll_thread.is_alive()
    assert "no launch of this study is running" in panel.status.value
    assert "5 trial(s) have no record" in panel.status.value
    assert panel.cancel_button.disabled


def test_attach_follow_keeps_polling_live_launch(tmp_path):
    layout = _planned_results(tmp_path, {"state": "running", "pid": os.getpid(),
                                         "pid_create_time": psutil.Process().create_time()})
    panel = LaunchPanel(poll_interval_s=0.05)

    panel.attach(layout.root, follow=True)
    time.sleep(0.5)

    assert panel._poll_thread.is_alive()
    assert not panel.cancel_button.disabled
    panel.stop()
    panel._poll_thread.join(5)
    assert not panel._poll_thread.is_alive()


def _hanging_study(name):
    candidates = [nbc.Candidate("low", "faulty_trials:scored", label="low", offset=0.0),
                  nbc.Candidate("high", "faulty_trials:scored", label="high", offset=1.0)]
    return nbc.Study(name, candidates, seeds=range(2), metrics=[nbc.Metric("score", higher_is_better=True)])


@pytest.fixture
def hang_high_seed0(tmp_path, monkeypatch):
    """Make trial high/0 hang; return the faults file and the file that lists every execution."""
    faults = tmp_path / "faults.json"
    executions = tmp_path / "executions.txt"
    faults.write_text(json.dumps({"high/0": "hang"}))
    executions.touch()
    monkeypatch.setenv("NBC_TEST_FAULTS", str(faults))
    monkeypatch.setenv("NBC_TEST_EXECUTIONS", str(executions))
    return faults, executions


def _wait_until_hanging(layout, study, timeout_s=90.0):
    """Wait until low/0 has a record and high/0 runs; return the trial ids, the trial pid and the shard pids."""
    ids = {f"{t.candidate}/{t.seed}": t.trial_id for t in study.trials()}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        running = {m["trial_id"]: m["pid"] for m in layout.running_markers()}
        shards = [m["pid"] for m in layout.shard_markers()]
        if ids["high/0"] in running and layout.record(ids["low/0"]).exists() and shards:
            return ids, running[ids["high/0"]], shards
        time.sleep(0.1)
    raise AssertionError(f"high/0 was not running within {timeout_s} s")


def _assert_dead(pids, timeout_s=15.0):
    deadline = time.monotonic() + timeout_s
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if psutil.pid_exists(pid)
                 and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.05)
    assert alive == [], f"processes still alive: {alive}"


def _assert_cancelled_records(layout, ids):
    low0 = read_json(layout.record(ids["low/0"]))
    assert low0["status"] == "completed"
    assert low0["metrics"]["score"] == pytest.approx(0.0)
    for key in ("high/0", "low/1", "high/1"):
        record = read_json(layout.record(ids[key]))
        assert record["status"] == "cancelled", key
        assert "cancelled by the user" in record["error"]["message"], key
    assert not layout.running_ids()


@pytest.mark.slow
def test_launch_panel_cancel_stops_trials(tmp_path, nemorun_home, local_executor, hang_high_seed0,
                                          monkeypatch):
    import nemo_run as run

    faults, executions = hang_high_seed0
    cancelled_jobs = []
    nemo_run_cancel = run.Experiment.cancel

    def record_cancel(experiment, job_id):
        cancelled_jobs.append(job_id)
        return nemo_run_cancel(experiment, job_id)

    monkeypatch.setattr(run.Experiment, "cancel", record_cancel)
    study = _hanging_study("widgets-cancel")
    results_dir = tmp_path / "results"
    layout = RecordsLayout(results_dir)
    panel = LaunchPanel(study, results_dir=results_dir, executor=local_executor, workers=1,
                        poll_interval_s=0.2)
    panel.launch_button.click()
    ids, trial_pid, shard_pids = _wait_until_hanging(layout, study)
    assert not panel.cancel_button.disabled

    result = panel.cancel(timeout_s=20)

    _assert_dead([trial_pid, *shard_pids])
    assert cancelled_jobs == ["shard-00"]  # through NeMo Run's own cancel
    assert not panel.running
    assert panel.wait(5) is not None
    assert result.completed == (ids["low/0"],)
    assert len(result.cancelled) == 3
    _assert_cancelled_records(layout, ids)
    assert "Cancelled by the user" in panel.status.value
    assert "3 cancelled" in panel.status.value
    assert panel.cancel_button.disabled
    assert json.loads(layout.launches_file.read_text().splitlines()[-1])["state"] == "cancelled"

    # Resume: exactly the three cancelled trials run again.
    faults.unlink()
    executions.write_text("")
    study.run(results_dir=results_dir, executor=local_executor, workers=1, progress=False)
    assert sorted(executions.read_text().split()) == ["high/0", "high/1", "low/1"]
    assert {read_json(layout.record(i))["status"] for i in ids.values()} == {"completed"}


_LAUNCH_SCRIPT = '''
import sys
import nemo_run as run
import nbcompare as nbc

if __name__ == "__main__":
    candidates = [nbc.Candidate("low", "faulty_trials:scored", label="low", offset=0.0),
                  nbc.Candidate("high", "faulty_trials:scored", label="high", offset=1.0)]
    study = nbc.Study(sys.argv[2], candidates, seeds=range(2),
                      metrics=[nbc.Metric("score", higher_is_better=True)])
    study.run(results_dir=sys.argv[1], executor=run.LocalExecutor(), workers=1, progress=False)
'''


@pytest.mark.slow
def test_attached_panel_cancels_launch_of_other_process(tmp_path, nemorun_home, hang_high_seed0):
    # Another kernel launched the study; this one attaches after a "restart" and cancels.
    script = tmp_path / "launch_study.py"
    script.write_text(_LAUNCH_SCRIPT)
    results_dir = tmp_path / "results"
    layout = RecordsLayout(results_dir)
    study = _hanging_study("widgets-cancel-other")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([TESTS_DIR, os.environ.get("PYTHONPATH", "")])}
    launcher = subprocess.Popen([sys.executable, str(script), str(results_dir), study.name],
                                env=env, cwd=tmp_path, start_new_session=True)
    try:
        ids, trial_pid, shard_pids = _wait_until_hanging(layout, study)
        panel = LaunchPanel(poll_interval_s=0.2)
        panel.attach(results_dir, follow=True)
        assert not panel.cancel_button.disabled

        result = panel.cancel(timeout_s=20)

        _assert_dead([trial_pid, *shard_pids])
        assert launcher.wait(timeout=60) == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert set(shard_pids) <= set(result.signalled)
    assert result.surviving == ()
    _assert_cancelled_records(layout, ids)
    assert "Cancelled by the user" in panel.status.value
    assert launch_status(results_dir).alive is False


def test_show_code_toggle_tracks_form():
    builder = _clicked_builder()

    assert builder.code_view.value == ""
    builder.show_code.value = True
    displayed_code = html.unescape(builder.code_view.value)
    assert displayed_code == f"<pre>{builder.code()}</pre>"
    builder.seeds.value = 4
    assert "seeds=range(4)" in html.unescape(builder.code_view.value)
    builder.candidates[1].name.value = "a"  # duplicate name: the form is invalid
    assert "No code while the form is invalid" in builder.code_view.value
    builder.show_code.value = False
    assert builder.code_view.value == ""


def test_yaml_buttons_save_and_load(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    builder = _clicked_builder("yaml-buttons")

    builder.save_button.click()
    assert "Saved the study to yaml-buttons.yaml" in builder.file_message.value
    assert nbc.load_study(tmp_path / "yaml-buttons.yaml") == builder.study()

    other = StudyBuilder(default_workload="synthetic")
    other.yaml_path.value = "yaml-buttons.yaml"
    other.load_button.click()
    assert "Loaded yaml-buttons.yaml" in other.file_message.value
    assert other.study() == builder.study()


def test_yaml_buttons_report_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    builder = StudyBuilder(default_workload="synthetic")

    builder.save_button.click()
    assert "no path is given and the study has no name" in builder.file_message.value
    builder.yaml_path.value = "missing.yaml"
    builder.load_button.click()
    assert "Not loaded" in builder.file_message.value
    assert "missing.yaml" in builder.file_message.value


def test_metric_options_show_direction():
    builder = _clicked_builder()
    labels = dict((name, label) for label, name in builder.metrics.options)

    assert labels["score"] == "score (higher is better)"
    assert labels["loss"] == "loss (lower is better)"
    assert labels["train_time_s"] == "train_time_s (lower is better)"


def _function_builder(name):
    """Two candidates of a user's own trial function, which declares no metrics."""
    builder = StudyBuilder(default_workload="synthetic")
    builder.name.value = name
    builder.add_button.click()
    builder.add_button.click()
    for row, candidate in zip(builder.candidates, ("a", "b")):
        _fill_row(row, candidate, {"lr": "0.1"})
        row.workload.value = "my_trials:fit"
    builder.seeds.value = 3
    return builder


def test_typed_workload_needs_metric_direction():
    builder = _function_builder("typed-workload")

    assert builder.candidates[0].candidate().workload == "my_trials:fit"
    assert {name for _, name in builder.metrics.options} >= {"train_time_s", "parameters"}
    with pytest.raises(nbc.StudyError, match="metrics is empty"):
        builder.study()


def test_add_metric_with_direction(study_runs):
    builder = _function_builder("custom-metric")
    builder.new_metric.value = "calibration_gap"
    builder.new_metric_direction.value = False
    builder.add_metric_button.click()

    assert "Added calibration_gap (lower is better)" in builder.metric_message.value
    assert builder.metrics.value == ("calibration_gap",)
    study = builder.study()
    assert study.metric("calibration_gap").higher_is_better is False
    assert "nbc.Metric('calibration_gap', higher_is_better=False)" in builder.code()
    namespace = {}
    exec(builder.code(), namespace)
    assert namespace["study"] == study


def test_add_metric_rejects_invalid_name():
    builder = _clicked_builder()
    builder.new_metric.value = "bad name/with slash"
    builder.add_metric_button.click()

    assert "bad name/with slash" in html.unescape(builder.metric_message.value)
    assert "bad name/with slash" not in {name for _, name in builder.metrics.options}


def test_custom_metric_survives_yaml(tmp_path):
    builder = _function_builder("custom-yaml")
    builder.add_metric("gap", higher_is_better=False)
    builder.to_yaml(tmp_path / "study.yaml")

    other = StudyBuilder(default_workload="synthetic")
    other.load_yaml(tmp_path / "study.yaml")
    assert other.study() == builder.study()
    assert dict((name, label) for label, name in other.metrics.options)["gap"] == "gap (lower is better)"


def test_show_code_follows_executor_edits():
    builder = _clicked_builder("code-executor")
    builder.show_code.value = True
    assert "SlurmExecutor" not in builder.code_view.value

    form = builder.executor_form
    form.kind.value = "slurm"
    for name, value in {"partition": "batch", "account": "ml", "time": "01:00:00",
                        "host": "login.example.org", "user": "alice", "job_dir": "/scratch/alice"}.items():
        getattr(form, name).value = value
    displayed_code = html.unescape(builder.code_view.value)
    assert "SlurmExecutor" in displayed_code
    assert "partition='batch'" in displayed_code
    assert displayed_code == f"<pre>{builder.code()}</pre>"


# -- candidate rows run the workload's own config check -----------------------------------


def _digits_builder(name="digits-check"):
    builder = StudyBuilder(default_workload="digits")
    builder.name.value = name
    builder.add_candidate("mlp", "digits", {"architecture": "mlp"})
    builder.add_candidate("resnet", "digits", {"architecture": "resnet"})
    builder.metrics.value = ("accuracy",)
    return builder


@pytest.mark.parametrize("key, text, expected", [
    ("epochs", "abc", "hyperparameter 'epochs' of architecture 'mlp' must be a positive integer, got 'abc'. "
                      "The default is 30."),
    ("epochs", "-2", "hyperparameter 'epochs' of architecture 'mlp' must be a positive integer, got -2."),
    ("epochs", "2.5", "hyperparameter 'epochs' of architecture 'mlp' must be a positive integer, got 2.5."),
    ("lrr", "0.01", "unknown config key 'lrr' for architecture 'mlp'."),
    ("lr", "fast", "hyperparameter 'lr' of architecture 'mlp' must be a positive number, got 'fast'."),
])
def test_digits_row_rejects_invalid_hyperparameter(key, text, expected):
    import re

    builder = _digits_builder()
    row = builder.candidates[0]
    assert "Valid study" in builder.message.value

    row.add_param_button.click()
    row.params[-1].key.value = key
    row.params[-1].value.value = text

    assert expected in html.unescape(row.message.value)
    assert "Candidate('mlp') is invalid for workload 'digits'" in html.unescape(row.message.value)
    assert "Valid study" not in builder.message.value
    assert expected in html.unescape(builder.message.value)
    with pytest.raises(nbc.StudyError, match=re.escape(expected)):
        builder.study()
    with pytest.raises(nbc.StudyError, match=re.escape(expected)):
        row.candidate()

    row.params[-1].key.value = "epochs"
    row.params[-1].value.value = "3"
    assert row.message.value == ""
    assert "Valid study" in builder.message.value


def test_digits_row_without_architecture_is_invalid():
    builder = _digits_builder()
    row = builder.candidates[0]

    row.architecture.value = "(workload default)"

    assert "config is missing the key 'architecture'" in html.unescape(row.message.value)
    assert "Valid study" not in builder.message.value


def test_synthetic_row_rejects_unknown_key():
    builder = _clicked_builder("synthetic-check")
    row = builder.candidates[0]

    row.params[0].key.value = "meen"

    assert "Unknown synthetic hyperparameter(s) ['meen']" in html.unescape(row.message.value)
    assert "Valid study" not in builder.message.value


def test_function_path_row_is_not_checked():
    builder = StudyBuilder(default_workload="synthetic")
    builder.add_candidate("a", "mypkg.trials:fit", {"epochs": "abc", "lrr": 1})

    row = builder.candidates[0]

    assert row.message.value == ""
    assert row.candidate().params == {"epochs": "abc", "lrr": 1}


def test_digits_row_check_needs_no_torch():
    script = (
        "import sys\n"
        "class BlockTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] == 'torch':\n"
        "            raise ModuleNotFoundError(f'{name} is blocked by the test')\n"
        "sys.meta_path.insert(0, BlockTorch())\n"
        "from nbcompare.widgets._candidate import CandidateRow\n"
        "row = CandidateRow(['digits', 'synthetic'], name='a', workload='digits',\n"
        "                   params={'architecture': 'mlp', 'epochs': 'abc'})\n"
        "print(row.architecture.value)\n"
        "print(row.message.value)\n"
        "print('torch imported:', 'torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "mlp"
    assert "must be a positive integer, got &#x27;abc&#x27;" in result.stdout
    assert "torch imported: False" in result.stdout


# -- Slurm time limits -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "90",  # minutes
    "90:30",  # minutes:seconds
    "02:30:00",  # hours:minutes:seconds
    "100:00:00",  # hours may exceed 23 when they come first
    "1-12",  # days-hours
    "1-01:30",  # days-hours:minutes
    "1-01:00:00",  # days-hours:minutes:seconds
    "0:30",
])
def test_slurm_time_limit_forms_pass_through(text):
    builder = _slurm_builder(time=text)

    executor, _ = builder.executor()

    assert builder.executor_form.messages["slurm"]["time"].value == ""
    assert executor.time == text
    assert f"time={text!r}" in builder.code()


@pytest.mark.parametrize("value, expected", [
    ("0", "Slurm time limit '0' is zero, which Slurm reads as no time limit"),
    ("0:00", "Slurm time limit '0:00' is zero"),
    ("0:00:00", "Slurm time limit '0:00:00' is zero"),
    ("0-0", "Slurm time limit '0-0' is zero"),
    ("0-00:00:00", "Slurm time limit '0-00:00:00' is zero"),
    ("1-24", "has 24 hours, but in the form days-hours the hours must be below 24; write '2-00' instead."),
    ("1-01:60", "has 60 minutes, but in the form days-hours:minutes the minutes must be below 60; "
                "write '1-02:00' instead."),
    ("1:61", "has 61 seconds, but in the form minutes:seconds the seconds must be below 60; write '2:01' instead."),
    ("00:90:00", "has 90 minutes, but in the form hours:minutes:seconds the minutes must be below 60; "
                 "write '1:30:00' instead."),
    ("1:00:00:00", "Slurm time limit '1:00:00:00' is invalid"),
    ("1-", "Slurm time limit '1-' is invalid"),
    ("-1", "Slurm time limit '-1' is invalid"),
    ("1h", "Slurm time limit '1h' is invalid"),
    ("\u0661\u0662", "is invalid"),  # Arabic-Indic digits, which Slurm does not read
    ("", "Slurm time limit '' is invalid"),
    (5400, "Slurm time limit 5400 is a number, not text; in YAML quote it"),
])
def test_slurm_time_limit_rejects(value, expected):
    from nbcompare.launch._executors import check_executor_spec

    spec = {"kind": "slurm", "account": "ml", "time": value}

    errors = check_executor_spec(spec)

    assert set(errors) == {"time"}
    assert expected in errors["time"]


def test_slurm_time_limit_message_lists_forms():
    from nbcompare.launch._executors import check_time_limit

    message = check_time_limit("two hours")

    for form in ("minutes", "minutes:seconds", "hours:minutes:seconds", "days-hours",
                 "days-hours:minutes", "days-hours:minutes:seconds"):
        assert f'"{form}"' in message


def test_slurm_time_limit_from_yaml(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(_code_study("slurm-days").to_yaml()
                    + "executor:\n  kind: slurm\n  account: ml\n  time: '1-01:00:00'\n")

    choice = load_executor(path)

    assert choice.executor.time == "1-01:00:00"


# -- free-form executor text names a NeMo Run class first -----------------------------------


@pytest.mark.parametrize("source, expected", [
    ("os.system('echo pwned')", "'os.system' is not a NeMo Run executor class: it is outside the nemo_run package"),
    ("subprocess.Popen(args=['id'])", "'subprocess.Popen' is not a NeMo Run executor class"),
    ("executor: os.system\ncommand: echo pwned\n", "'os.system' is not a NeMo Run executor class"),
    ("system('echo pwned')", "class 'system' was not found in nemo_run."),
    ("nemo_run.__loader__('x')", "'nemo_run.__loader__' is not a NeMo Run executor class: it names a private"),
    ("nemo_run.SSHTunnel('h')", "'nemo_run.SSHTunnel' is not a NeMo Run executor class"),
    ("nemo_run.DockerExecutor(container_image='x', packager=os.getenv('P'))",
     "'os.getenv' is not a NeMo Run class: it is outside the nemo_run package"),
    ("nemo_run.DockerExecutor(container_image='x', packager=nemo_run.Experiment(title='t'))",
     "'nemo_run.Experiment' cannot be an argument; arguments may construct only NeMo Run dataclasses"),
    ("nemo_run.core.execution.base.os.system('echo pwned')",
     "class 'nemo_run.core.execution.base.os.system' was not found in nemo_run."),
])
def test_free_form_executor_names_nemo_run_class_first(source, expected):
    from nbcompare.launch._executors import check_executor_spec

    errors = check_executor_spec({"kind": "other", "source": source})

    assert expected in errors["source"]
    assert "positional arguments" not in errors["source"]


def test_free_form_executor_imports_no_named_module(tmp_path, monkeypatch):
    from nbcompare.launch._executors import check_executor_spec

    marker = tmp_path / "imported"
    (tmp_path / "pwned_module.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('imported')\n"
        "class Executor:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    sources = ["pwned_module.Executor(name='x')",
               "pwned_module.Executor",
               "executor: pwned_module.Executor\n",
               "nemo_run.DockerExecutor(container_image='x', packager=pwned_module.Executor())"]
    for source in sources:
        errors = check_executor_spec({"kind": "other", "source": source})
        assert "'pwned_module.Executor' is not a NeMo Run" in errors["source"], source

    assert not marker.exists()
    assert "pwned_module" not in sys.modules


def test_free_form_executor_accepts_full_nemo_run_path():
    import nemo_run as run
    from nbcompare.launch._executors import executor_from_spec

    spec = {"kind": "other", "workers": 1,
            "source": "nemo_run.core.execution.docker.DockerExecutor(container_image='python:3.11', "
                      "packager=run.GitArchivePackager(subpath='src'))"}

    executor, _ = executor_from_spec(spec)

    assert isinstance(executor, run.DockerExecutor)
    assert isinstance(executor.packager, run.GitArchivePackager)


def test_summary_reports_invalid_executor_field():
    builder = _clicked_builder("executor-summary")
    assert "Valid study" in builder.message.value

    form = builder.executor_form
    form.kind.value = "slurm"
    assert "account is empty" in builder.message.value
    for name, value in {"partition": "batch", "account": "ml", "host": "login.example.org",
                        "user": "alice", "job_dir": "/scratch/alice", "time": "25 hours"}.items():
        getattr(form, name).value = value
    assert "Valid study" not in builder.message.value
    assert "25 hours" in html.unescape(builder.message.value)

    form.time.value = "01:00:00"
    assert "Valid study" in builder.message.value
