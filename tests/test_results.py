"""ResultSet: the tidy table derived from records, failures kept, the Parquet cache."""

import json
import os
import time

import pandas as pd
import pytest

import nbcompare as nbc
from nbcompare.launch._launcher import _write_plan
from nbcompare.launch._records import RecordsLayout, atomic_write_json
from nbcompare.launch._runner import execute_trial, write_failure


def _study():
    return nbc.Study("tidy", [nbc.Candidate("a", "synthetic", mean=0.0), nbc.Candidate("b", "synthetic", mean=2.0)],
                     seeds=range(3), metrics=["score", "loss"])


@pytest.fixture
def results_dir(tmp_path):
    """A results directory whose records come from running the trials in this process."""
    study = _study()
    layout = RecordsLayout(tmp_path / "results")
    trials = _write_plan(study, layout)
    for trial in trials:
        if (trial.candidate, trial.seed) == ("b", 2):
            write_failure(trial, study.name, layout, "The trial process was killed by SIGKILL (signal 9).",
                          {"cause": "signal", "signal": 9})
        elif (trial.candidate, trial.seed) != ("a", 2):
            execute_trial(trial, study.name, layout)
    return layout.root


def test_table_values_equal_record_values(results_dir):
    results = nbc.ResultSet.from_directory(results_dir)
    layout = RecordsLayout(results_dir)
    completed = results.frame[results.frame["status"] == "completed"]
    assert not completed.empty
    for row in completed[completed["metric"].isin(["score", "loss"])].itertuples():
        record = json.loads(layout.record(row.trial_id).read_text())
        assert record["metrics"][row.metric] == row.value


def test_failed_and_missing_trials_stay_visible(results_dir):
    results = nbc.ResultSet.from_directory(results_dir)
    per_trial = results.frame.drop_duplicates("trial_id").set_index(["candidate", "seed"])["status"]
    assert per_trial[("b", 2)] == "failed"
    assert per_trial[("a", 2)] == "missing"
    failed_rows = results.frame[results.frame["status"] != "completed"]
    assert set(failed_rows["metric"]) == {"score", "loss"}
    assert failed_rows["value"].isna().all()
    failures = results.failures.set_index(["candidate", "seed"])
    assert failures.loc[("b", 2), "cause"] == "signal"
    assert failures.loc[("a", 2), "cause"] == "missing"


def test_measured_quantities_are_metrics(results_dir):
    results = nbc.ResultSet.from_directory(results_dir)
    metrics = set(results.completed["metric"])
    assert {"train_time_s", "wall_time_s", "peak_memory_mb", "parameters"} <= metrics
    assert results.metrics["train_time_s"].higher_is_better is False
    assert results.metrics["score"].higher_is_better is True
    assert (results.completed.query("metric == 'peak_memory_mb'")["value"] > 10).all()


def test_cache_is_used_and_invalidated(results_dir):
    first = nbc.ResultSet.from_directory(results_dir)
    cache = results_dir / "table.parquet"
    assert cache.is_file()
    stamp = cache.stat().st_mtime_ns
    nbc.ResultSet.from_directory(results_dir)
    assert cache.stat().st_mtime_ns == stamp

    # Changing a record (as a retried trial would) invalidates the cache.
    layout = RecordsLayout(results_dir)
    trial_id = first.completed["trial_id"].iloc[0]
    record = json.loads(layout.record(trial_id).read_text())
    record["metrics"]["score"] = 123.0
    time.sleep(0.01)
    atomic_write_json(layout.record(trial_id), record)
    again = nbc.ResultSet.from_directory(results_dir)
    value = again.frame.query("trial_id == @trial_id and metric == 'score'")["value"].item()
    assert value == 123.0


def test_records_outside_current_plan_are_ignored(results_dir):
    before = nbc.ResultSet.from_directory(results_dir)
    changed = nbc.Study("tidy", [nbc.Candidate("a", "synthetic", mean=0.5), nbc.Candidate("b", "synthetic", mean=2.0)],
                        seeds=range(3), metrics=["score", "loss"])
    _write_plan(changed, RecordsLayout(results_dir))
    after = nbc.ResultSet.from_directory(results_dir)
    a_status = after.frame.query("candidate == 'a'").drop_duplicates("trial_id")["status"]
    assert set(a_status) == {"missing"}
    assert len(RecordsLayout(results_dir).record_ids()) == before.frame["trial_id"].nunique() - 1


def test_from_frame_requires_columns_and_directions():
    frame = pd.DataFrame({"candidate": ["a", "b"], "seed": [0, 0], "metric": ["acc", "acc"], "value": [0.9, 0.8]})
    results = nbc.ResultSet.from_frame(frame, {"acc": True})
    assert list(results.frame["task"]) == ["default", "default"]
    assert results.metrics["acc"].higher_is_better is True
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['value'\]"):
        nbc.ResultSet.from_frame(frame.drop(columns="value"), {"acc": True})
    with pytest.raises(ValueError, match=r"gives no direction for \['acc'\]"):
        nbc.ResultSet.from_frame(frame, {"f1": True})


def test_not_a_results_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not an nbcompare results directory"):
        nbc.ResultSet.from_directory(tmp_path)
