"""Ranks of candidates per metric and task, mean ranks across tasks and an aggregate across metrics."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from nbcompare.stats._design import select_metric_rows, unwrap_data, validate_direction
from nbcompare.stats._ranks import block_ranks, orient_lower_is_better

AGGREGATE = "aggregate"
RANK_COLUMNS = ("metric", "candidate", "mean_rank", "n_tasks", "weight")


def rank_candidates(
    data: Any,
    metrics: Mapping[str, bool],
    *,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Rank the candidates on each metric and task, then average the ranks.

    For each metric, every candidate's values are averaged over seeds within a
    task and ranked within the task (1 = best in the metric's direction,
    average ranks for ties). Tasks in which some candidate has no value are
    left out of that metric, and ``frame.attrs["dropped_tasks"]`` names them.
    A candidate's mean rank on a metric is the mean over the remaining tasks.
    The aggregate rank is the weighted mean of the per-metric mean ranks,
    ``sum_m w_m R_m / sum_m w_m``.

    Parameters
    ----------
    data : pandas.DataFrame or ResultSet
        Long format with columns candidate, task, seed, metric and value.
    metrics : mapping of str to bool
        Metric name to ``higher_is_better``.
    weights : mapping of str to float, optional
        Weight of each metric in the aggregate, positive. Default: equal weights.

    Returns
    -------
    pandas.DataFrame
        Columns metric, candidate, mean_rank, n_tasks, weight: one row per
        metric and candidate, then one row per candidate with metric
        ``"aggregate"`` (its n_tasks is the smallest over the metrics and its
        weight the total weight). Rows are sorted by metric in the given order,
        then best first.
    """
    frame, _ = unwrap_data(data)
    if not isinstance(metrics, Mapping) or not metrics:
        raise TypeError(
            "metrics must be a non-empty mapping from metric name to higher_is_better, "
            f"for example {{'accuracy': True}}; got {metrics!r}."
        )
    weight_of = _validate_weights(weights, list(metrics))
    rows, dropped = [], {}
    for metric, direction in metrics.items():
        direction = validate_direction(direction, f"metrics[{metric!r}]")
        mean_ranks, n_tasks, dropped[metric] = _metric_mean_ranks(frame, metric, direction)
        for candidate, rank in mean_ranks.items():
            rows.append((metric, candidate, rank, n_tasks, weight_of[metric]))

    table = pd.DataFrame(rows, columns=list(RANK_COLUMNS))
    total = sum(weight_of.values())
    by_candidate = table.groupby("candidate")
    candidates_everywhere = [
        name for name, group in by_candidate if set(group["metric"]) == set(metrics)
    ]
    aggregate = [
        (
            AGGREGATE,
            name,
            float(np.sum(group["mean_rank"] * group["weight"]) / total),
            int(group["n_tasks"].min()),
            total,
        )
        for name, group in by_candidate
        if name in candidates_everywhere
    ]
    table = pd.concat([table, pd.DataFrame(aggregate, columns=list(RANK_COLUMNS))], ignore_index=True)
    order = {metric: index for index, metric in enumerate([*metrics, AGGREGATE])}
    table = table.sort_values(
        ["metric", "mean_rank", "candidate"], key=lambda column: column.map(order) if column.name == "metric" else column
    ).reset_index(drop=True)
    table.attrs["dropped_tasks"] = {metric: tasks for metric, tasks in dropped.items() if tasks}
    table.attrs["weights"] = dict(weight_of)
    return table


def _validate_weights(weights: Mapping[str, float] | None, metrics: list[str]) -> dict[str, float]:
    if weights is None:
        return {metric: 1.0 for metric in metrics}
    unknown = sorted(set(weights) - set(metrics))
    absent = [metric for metric in metrics if metric not in weights]
    if unknown or absent:
        raise ValueError(
            f"weights must have one entry per metric {metrics}; unknown: {unknown}, missing: {absent}."
        )
    for metric, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not weight > 0:
            raise ValueError(f"weights[{metric!r}] must be a positive number; got {weight!r}.")
    return {metric: float(weights[metric]) for metric in metrics}


def _metric_mean_ranks(frame: pd.DataFrame, metric: str, higher_is_better: bool) -> tuple[pd.Series, int, tuple[str, ...]]:
    """Return each candidate's mean within-task rank, the number of tasks used and the dropped tasks."""
    rows = select_metric_rows(frame, metric, None)
    means = rows.groupby(["task", "candidate"])["value"].mean().unstack("candidate")
    complete = means.dropna(axis=0, how="any")
    dropped = tuple(str(task) for task in means.index.difference(complete.index))
    if complete.empty:
        raise ValueError(
            f"metric {metric!r} has no task in which every candidate has a value; "
            f"incomplete tasks: {list(dropped)}."
        )
    ranks = block_ranks(orient_lower_is_better(complete.to_numpy(dtype=float), higher_is_better))
    return pd.Series(ranks.mean(axis=0), index=[str(name) for name in complete.columns]), len(complete), dropped
