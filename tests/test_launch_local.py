"""The launcher end to end through NeMo Run's real LocalExecutor."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import nbcompare as nbc
from nbcompare.launch._records import RecordsLayout, read_json

pytestmark = pytest.mark.slow


def _faulty_study(name="faults", seeds=range(3)):
    candidates = [
        nbc.Candidate("low", "faulty_trials:scored", label="low", offset=0.0),
        nbc.Candidate("high", "faulty_trials:scored", label="high", offset=1.0),
    ]
    return nbc.Study(name, candidates, seeds=seeds, metrics=[nbc.Metric("score", higher_is_better=True)])


@pytest.fixture
def fault_files(tmp_path, monkeypatch):
    faults = tmp_path / "faults.json"
    executions = tmp_path / "executions.txt"
    executions.touch()
    monkeypatch.setenv("NBC_TEST_FAULTS", str(faults))
    monkeypatch.setenv("NBC_TEST_EXECUTIONS", str(executions))
    return faults, executions


def _executions(path):
    return sorted(path.read_text().split())


def test_failures_recorded_and_resume_reruns_only_them(tmp_path, nemorun_home, local_executor, fault_files):
    faults, executions = fault_files
    faults.write_text(json.dumps({"low/1": "raise", "high/2": "kill", "high/0": "exit0"}))
    study = _faulty_study()
    results_dir = tmp_path / "results"

    study.run(results_dir=results_dir, executor=local_executor, workers=2, progress=False)

    results = nbc.ResultSet.from_directory(results_dir)
    statuses = results.frame.drop_duplicates("trial_id").set_index(["candidate", "seed"])["status"]
    assert statuses[("low", 0)] == "completed"
    assert statuses[("low", 2)] == "completed"
    assert statuses[("high", 1)] == "completed"
    assert statuses[("low", 1)] == "failed"
    assert statuses[("high", 2)] == "failed"
    assert statuses[("high", 0)] == "failed"

    failures = results.failures.set_index(["candidate", "seed"])
    assert failures.loc[("low", 1), "error_type"] == "RuntimeError"
    assert "injected failure for low/1" in failures.loc[("low", 1), "message"]
    assert failures.loc[("high", 2), "cause"] == "signal"
    assert "SIGKILL" in failures.loc[("high", 2), "message"]
    assert failures.loc[("high", 0), "cause"] == "no_record"
    assert "status 0 without writing a record" in failures.loc[("high", 0), "message"]

    layout = RecordsLayout(results_dir)
    raised = read_json(layout.record(results.failures.set_index(["candidate", "seed"]).loc[("low", 1), "trial_id"]))
    assert "Traceback" in raised["error"]["traceback"]
    assert "injected failure" in raised["error"]["traceback"]
    assert not layout.running_ids()

    # The completed trials keep their values; the failed ones are NaN in the table.
    wide = results.wide(["score"]).set_index(["candidate", "seed"])["score"]
    assert wide[("low", 0)] == pytest.approx(0.0)
    assert wide[("low", 2)] == pytest.approx(0.2)
    assert wide[("high", 1)] == pytest.approx(1.1)
    assert pd.isna(wide[("low", 1)])

    # Resume with the faults gone: only the three failed trials run again.
    faults.unlink()
    executions.write_text("")
    study.run(results_dir=results_dir, executor=local_executor, workers=2, progress=False)
    assert _executions(executions) == ["high/0", "high/2", "low/1"]
    resumed = nbc.ResultSet.from_directory(results_dir)
    assert set(resumed.frame["status"]) == {"completed"}
    assert resumed.failures.empty
    wide = resumed.wide(["score"]).set_index(["candidate", "seed"])["score"]
    assert wide[("high", 2)] == pytest.approx(1.2)


def test_killed_shard_records_its_unrun_trials(tmp_path, nemorun_home, local_executor, fault_files):
    faults, executions = fault_files
    # One shard: the first trial (seed 0, candidate low) kills it; the rest never run.
    faults.write_text(json.dumps({"low/0": "kill_shard"}))
    study = _faulty_study("shard-killed", seeds=range(2))
    results_dir = tmp_path / "results"

    run = study.run(results_dir=results_dir, executor=local_executor, workers=1, progress=False)

    results = nbc.ResultSet.from_directory(results_dir)
    failures = results.failures.set_index(["candidate", "seed"])
    assert len(failures) == 4
    unrun = failures.drop(index=("low", 0))
    assert set(unrun["cause"]) == {"no_record"}
    assert all("without a record" in m for m in unrun["message"])
    assert _executions(executions) == ["low/0"]
    assert run.experiment_id

    faults.unlink()
    study.run(results_dir=results_dir, executor=local_executor, workers=1, progress=False)
    assert set(nbc.ResultSet.from_directory(results_dir).frame["status"]) == {"completed"}


def test_rerun_with_all_records_launches_nothing(tmp_path, nemorun_home, local_executor, fault_files):
    study = _faulty_study("complete", seeds=range(2))
    results_dir = tmp_path / "results"
    study.run(results_dir=results_dir, executor=local_executor, workers=2, progress=False)
    _, executions = fault_files
    executions.write_text("")

    again = study.run(results_dir=results_dir, executor=local_executor, workers=2, progress=False)

    assert again.launched_trials == []
    assert _executions(executions) == []
    assert len(RecordsLayout(results_dir).launches_file.read_text().splitlines()) == 1


def test_misspelled_hyperparameter_fails_before_launch(tmp_path, nemorun_home):
    study = nbc.Study("typo", [nbc.Candidate("mlp", "digits", architecture="mlp", learning_rate=0.1),
                               nbc.Candidate("vit", "digits", architecture="vit")],
                      seeds=range(2), metrics=["accuracy"])
    with pytest.raises(nbc.StudyError, match=r"Candidate 'mlp' on task 'digits': unknown config key 'learning_rate'"):
        study.run(results_dir=tmp_path / "results", progress=False)
    assert not (tmp_path / "results").exists()


def test_unimportable_function_fails_before_launch(tmp_path, nemorun_home, monkeypatch):
    monkeypatch.chdir(tmp_path)
    study = nbc.Study("missing", [nbc.Candidate("a", "no_such_module_here:fit"),
                                  nbc.Candidate("b", "no_such_module_here:fit")],
                      seeds=range(2), metrics=[nbc.Metric("score", higher_is_better=True)])
    with pytest.raises(nbc.TrialFunctionError, match=r"Cannot import module 'no_such_module_here'.*launch from the directory"):
        study.run(results_dir=tmp_path / "results", progress=False)


def test_trial_module_in_working_directory_is_importable(tmp_path, nemorun_home, monkeypatch):
    # A user's module next to the notebook or study file: no PYTHONPATH set by hand.
    (tmp_path / "my_trials.py").write_text(
        "def fit(config, seed, context):\n"
        "    return {'score': config['offset'] + seed}\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    study = nbc.Study("cwd-module", [nbc.Candidate("a", "my_trials:fit", offset=0.0),
                                     nbc.Candidate("b", "my_trials:fit", offset=0.5)],
                      seeds=range(2), metrics=[nbc.Metric("score", higher_is_better=True)])

    run = study.run(results_dir=tmp_path / "results", progress=False)

    wide = run.results().wide(["score"]).set_index(["candidate", "seed"])["score"]
    assert wide[("b", 1)] == pytest.approx(1.5)
    assert set(run.results().frame["status"]) == {"completed"}


def test_script_without_main_guard_launches_once(tmp_path):
    """A launching script re-imported in each shard must not start the study again."""
    script = tmp_path / "snippet.py"
    script.write_text(
        "import nbcompare as nbc\n"
        "study = nbc.Study(name='noguard', candidates=[nbc.Candidate('a', 'synthetic', mean=0.0),\n"
        "                  nbc.Candidate('b', 'synthetic', mean=0.5)], seeds=range(3), metrics=['score'])\n"
        "study.run(workers=1)\n"
        "print('launcher finished')\n"
    )
    env = dict(os.environ, NEMORUN_HOME=str(tmp_path / "nemorun-home"),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    env.pop("NBCOMPARE_SHARD_OF", None)
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("launcher finished") == 1
    launches = (tmp_path / "results" / "noguard" / "launches.jsonl").read_text().splitlines()
    assert len(launches) == 1
    records = [json.loads(p.read_text()) for p in (tmp_path / "results" / "noguard" / "records").glob("*.json")]
    assert len(records) == 6
    assert {r["status"] for r in records} == {"completed"}


def test_run_study_inside_shard_raises(monkeypatch):
    monkeypatch.setenv("NBCOMPARE_SHARD_OF", "outer")
    study = nbc.Study("inner", [nbc.Candidate("a", "synthetic"), nbc.Candidate("b", "synthetic")],
                      seeds=range(2), metrics=["score"])
    with pytest.raises(RuntimeError, match='if __name__ == "__main__":'):
        study.run()
