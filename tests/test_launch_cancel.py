"""Stopping a launch: a shard on SIGTERM, cancel_study by process group, launch_status.

These tests run shards as plain subprocesses of run_trials, without NeMo Run, so
each takes a second or two; test_widgets.py cancels real NeMo Run launches.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

import nbcompare as nbc
from nbcompare.launch import cancel_study, launch_status
from nbcompare.launch._control import append_launch
from nbcompare.launch._launcher import _pending
from nbcompare.launch._records import RecordsLayout, atomic_write_json, read_json

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
_SHARD = ("import sys; from nbcompare.launch._runner import run_trials; "
          "run_trials(sys.argv[1], sys.argv[2].split(','))")


def _study(name="cancel"):
    candidates = [nbc.Candidate("low", "faulty_trials:scored", label="low", offset=0.0),
                  nbc.Candidate("high", "faulty_trials:scored", label="high", offset=1.0)]
    return nbc.Study(name, candidates, seeds=range(2), metrics=[nbc.Metric("score", higher_is_better=True)])


def _trial_ids(study):
    """Return {"candidate/seed": trial_id}, in the study's (seed-major) order."""
    return {f"{t.candidate}/{t.seed}": t.trial_id for t in study.trials()}


@pytest.fixture
def planned(tmp_path, monkeypatch):
    """A planned study whose trial high/0 hangs; returns (layout, ids, executions file)."""
    faults = tmp_path / "faults.json"
    executions = tmp_path / "executions.txt"
    faults.write_text(json.dumps({"high/0": "hang"}))
    executions.touch()
    monkeypatch.setenv("NBC_TEST_FAULTS", str(faults))
    monkeypatch.setenv("NBC_TEST_EXECUTIONS", str(executions))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (TESTS_DIR, os.environ.get("PYTHONPATH")) if p))
    study = _study()
    layout = RecordsLayout(tmp_path / "results")
    layout.root.mkdir()
    study.to_yaml(layout.study_file)
    atomic_write_json(layout.plan_file, {"study": study.name, "trials": [t.to_dict() for t in study.trials()]})
    return layout, _trial_ids(study), executions


def _start_shard(layout, ids):
    # A new session, like torchx gives each shard, so a process-group signal spares pytest.
    return subprocess.Popen([sys.executable, "-c", _SHARD, str(layout.root), ",".join(ids.values())],
                            start_new_session=True)


def _wait_for_running(layout, trial_id, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for marker in layout.running_markers():
            if marker["trial_id"] == trial_id:
                return marker["pid"]
        time.sleep(0.05)
    raise AssertionError(f"trial {trial_id} did not start within {timeout_s} s")


def _dead(pid, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def _status(layout, trial_id):
    return read_json(layout.record(trial_id))["status"]


@pytest.mark.parametrize("cancel_requested", [True, False])
def test_shard_sigterm_records_unfinished_trials(planned, cancel_requested):
    layout, ids, _ = planned
    shard = _start_shard(layout, ids)
    trial_pid = _wait_for_running(layout, ids["high/0"])
    if cancel_requested:
        atomic_write_json(layout.cancel_file, {"requested_at": time.time()})

    shard.send_signal(signal.SIGTERM)  # the shard only: it must stop its trial itself

    assert shard.wait(timeout=20) == -signal.SIGTERM
    assert _dead(trial_pid)
    assert _status(layout, ids["low/0"]) == "completed"
    assert read_json(layout.record(ids["low/0"]))["metrics"]["score"] == pytest.approx(0.0)
    expected = "cancelled" if cancel_requested else "failed"
    for key in ("high/0", "low/1", "high/1"):
        record = read_json(layout.record(ids[key]))
        assert record["status"] == expected, key
        if cancel_requested:
            assert "cancelled by the user" in record["error"]["message"]
            assert record["error"]["cause"] == "cancelled"
        else:
            assert "SIGTERM" in record["error"]["message"]
            assert record["error"]["cause"] == "terminated"
    assert not layout.running_ids()
    assert layout.shard_markers() == []


def test_killed_shard_takes_its_trial_along(planned):
    layout, ids, _ = planned
    shard = _start_shard(layout, ids)
    trial_pid = _wait_for_running(layout, ids["high/0"])

    shard.send_signal(signal.SIGKILL)  # no handler runs; PR_SET_PDEATHSIG must kill the trial

    assert shard.wait(timeout=20) == -signal.SIGKILL
    assert _dead(trial_pid)


def test_cancel_study_stops_shard_and_trial(planned):
    layout, ids, executions = planned
    shard = _start_shard(layout, ids)
    trial_pid = _wait_for_running(layout, ids["high/0"])
    started = read_json(layout.record(ids["low/0"]))["started_at"] - 1.0
    append_launch(layout, {"experiment_id": "nbcompare-cancel_1", "started_at": started,
                           "executor": "LocalExecutor", "shards": [list(ids.values())],
                           "state": "running", "host": socket.gethostname(), "pid": shard.pid,
                           "pid_create_time": psutil.Process(shard.pid).create_time()})
    assert launch_status(layout.root).alive is True

    result = cancel_study(layout.root, timeout_s=20)

    assert shard.wait(timeout=20) == -signal.SIGTERM
    assert _dead(trial_pid)
    assert result.experiment_id == "nbcompare-cancel_1"
    assert set(result.cancelled) == {ids["high/0"], ids["low/1"], ids["high/1"]}
    assert result.completed == (ids["low/0"],)
    assert shard.pid in result.signalled
    assert result.surviving == ()
    assert _status(layout, ids["low/0"]) == "completed"
    for key in ("high/0", "low/1", "high/1"):
        assert _status(layout, ids[key]) == "cancelled", key
    status = launch_status(layout.root)
    assert status.state == "cancelled"
    assert status.alive is False
    # The trials after the hung one never started.
    assert "low/1" not in executions.read_text().split()
    assert "high/1" not in executions.read_text().split()


def test_cancel_study_without_running_launch(planned):
    layout, _, _ = planned

    result = cancel_study(layout.root)

    assert result.experiment_id is None
    assert result.cancelled == ()
    assert "nothing was cancelled" in result.message


def test_cancel_study_rejects_other_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no plan.json"):
        cancel_study(tmp_path)


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("launch, alive", [
    (None, False),
    ({"state": "finished", "executor": "LocalExecutor"}, False),
    ({"state": "running", "executor": "LocalExecutor", "pid": "dead"}, False),
    ({"state": "running", "executor": "LocalExecutor", "pid": "self"}, True),
    ({"state": "submitted", "executor": "SlurmExecutor", "pid": "dead"}, None),
    ({"state": "running", "executor": "LocalExecutor", "pid": "dead", "host": "other-host"}, None),
])
def test_launch_status_cases(planned, launch, alive):
    layout, _, _ = planned
    if launch is not None:
        pid = {"dead": _dead_pid(), "self": os.getpid()}.get(launch.get("pid"))
        append_launch(layout, {"experiment_id": "nbcompare-cancel_2", "started_at": time.time(),
                               "shards": [], "host": socket.gethostname(), **launch, "pid": pid})

    status = launch_status(layout.root)

    assert status.alive is alive
    assert status.reason


def test_pending_reruns_cancelled_without_retry_failed(planned):
    layout, ids, _ = planned
    study = _study()
    atomic_write_json(layout.record(ids["low/0"]), {"status": "completed"})
    atomic_write_json(layout.record(ids["high/0"]), {"status": "failed"})
    atomic_write_json(layout.record(ids["low/1"]), {"status": "cancelled"})

    pending = _pending(study.trials(), layout, resume=True, retry_failed=False)

    assert set(pending) == {ids["low/1"], ids["high/1"]}
