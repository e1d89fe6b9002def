"""rank_candidates: per-metric ranks with direction, mean ranks over tasks, weighted aggregate."""

from __future__ import annotations

import pandas as pd
import pytest

from nbcompare.stats import rank_candidates

# task -> candidate -> (accuracy, loss), two seeds each with the same value.
SCORES = {
    "t1": {"a": (0.9, 0.3), "b": (0.8, 0.1), "c": (0.7, 0.2)},
    "t2": {"a": (0.9, 0.3), "b": (0.7, 0.2), "c": (0.8, 0.1)},
    "t3": {"a": (0.6, 0.1), "b": (0.9, 0.2), "c": (0.6, 0.3)},
}


def frame(scores=SCORES):
    rows = []
    for task, by_candidate in scores.items():
        for candidate, (accuracy, loss) in by_candidate.items():
            for seed in range(2):
                rows.append({"candidate": candidate, "task": task, "seed": seed, "metric": "accuracy", "value": accuracy})
                rows.append({"candidate": candidate, "task": task, "seed": seed, "metric": "loss", "value": loss})
    return pd.DataFrame(rows)


def ranks_of(table, metric):
    rows = table[table["metric"] == metric]
    return dict(zip(rows["candidate"], rows["mean_rank"]))


def test_accuracy_ranks_higher_first():
    table = rank_candidates(frame(), {"accuracy": True})

    # t1: a1 b2 c3; t2: a1 c2 b3; t3: b1, a and c tie at 2.5.
    assert ranks_of(table, "accuracy") == pytest.approx({"a": 1.5, "b": 2.0, "c": 2.5})


def test_loss_ranks_lower_first():
    table = rank_candidates(frame(), {"loss": False})

    # t1: b1 c2 a3; t2: c1 b2 a3; t3: a1 b2 c3.
    assert ranks_of(table, "loss") == pytest.approx({"a": 7 / 3, "b": 5 / 3, "c": 2.0})


def test_aggregate_is_weighted_mean():
    table = rank_candidates(frame(), {"accuracy": True, "loss": False}, weights={"accuracy": 3, "loss": 1})
    aggregate = ranks_of(table, "aggregate")

    assert aggregate["a"] == pytest.approx((3 * 1.5 + 7 / 3) / 4)
    assert aggregate["b"] == pytest.approx((3 * 2.0 + 5 / 3) / 4)
    assert table.attrs["weights"] == {"accuracy": 3.0, "loss": 1.0}
    assert set(table.loc[table["metric"] == "aggregate", "weight"]) == {4.0}


def test_rows_sorted_best_first_per_metric():
    table = rank_candidates(frame(), {"accuracy": True, "loss": False})

    assert list(table["metric"].unique()) == ["accuracy", "loss", "aggregate"]
    assert list(table.loc[table["metric"] == "accuracy", "candidate"]) == ["a", "b", "c"]
    assert list(table.loc[table["metric"] == "loss", "candidate"]) == ["b", "c", "a"]


def test_incomplete_task_dropped_and_named():
    data = frame()
    data = data[~((data["task"] == "t3") & (data["candidate"] == "c") & (data["metric"] == "accuracy"))]

    table = rank_candidates(data, {"accuracy": True})

    assert table.attrs["dropped_tasks"] == {"accuracy": ("t3",)}
    assert set(table["n_tasks"]) == {2}


def test_bad_weights_named():
    with pytest.raises(ValueError, match="missing: \\['loss'\\]"):
        rank_candidates(frame(), {"accuracy": True, "loss": False}, weights={"accuracy": 1})
    with pytest.raises(ValueError, match="positive"):
        rank_candidates(frame(), {"accuracy": True}, weights={"accuracy": 0})
