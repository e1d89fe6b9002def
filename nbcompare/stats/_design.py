"""Arrange a tidy trial table into the blocks x candidates matrix that the tests use.

The design is a randomized complete block design. With one task the blocks are
the seeds, so the values of different candidates that share a seed are paired.
With several tasks each candidate's values are first averaged over seeds within
each task, and the blocks are the tasks (Demšar 2006, "Statistical Comparisons of
Classifiers over Multiple Data Sets", JMLR 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nbcompare.exceptions import MissingTrialsWarning

REQUIRED_COLUMNS = ("candidate", "task", "seed", "metric", "value")
MISSING_POLICIES = ("complete_blocks",)

# A warning to emit later, at a stack level that points at the public caller.
PendingWarning = tuple[type[Warning], str]


@dataclass(frozen=True)
class BlockDesign:
    """Values of one metric arranged for a paired comparison.

    Attributes
    ----------
    metric : str
        Name of the metric.
    blocks : str
        ``"seed"`` or ``"task"``: what one row of `matrix` is.
    matrix : pandas.DataFrame
        Complete blocks (rows, sorted) x candidates (columns, sorted by name).
        With ``blocks="task"`` each cell is a mean over seeds.
    dropped_blocks : tuple of str
        Labels of the blocks left out because some candidate has no value there.
    notes : tuple of str
        Sentences that describe what was left out.
    warnings : tuple
        ``(category, message)`` pairs for the caller to emit.
    """

    metric: str
    blocks: str
    matrix: pd.DataFrame
    dropped_blocks: tuple[str, ...]
    notes: tuple[str, ...]
    warnings: tuple[PendingWarning, ...]


def unwrap_data(data: Any) -> tuple[pd.DataFrame, Mapping[str, Any] | None]:
    """Return the trial frame and the metric specifications of `data`.

    `data` is either a DataFrame, which has no metric specifications, or an
    object with a DataFrame ``.frame`` and a mapping ``.metrics`` from metric
    name to an object with a bool ``higher_is_better`` (a ResultSet).
    """
    if isinstance(data, pd.DataFrame):
        return data, None
    frame = getattr(data, "frame", None)
    metrics = getattr(data, "metrics", None)
    if isinstance(frame, pd.DataFrame) and isinstance(metrics, Mapping):
        return frame, metrics
    raise TypeError(
        "data must be a pandas DataFrame or an object with a DataFrame attribute "
        "'frame' and a mapping attribute 'metrics' (a ResultSet); "
        f"got {type(data).__name__}."
    )


def validate_direction(higher_is_better: Any, name: str = "higher_is_better") -> bool:
    """Return `higher_is_better` as a bool, or raise TypeError if it is not one."""
    if isinstance(higher_is_better, (bool, np.bool_)):
        return bool(higher_is_better)
    raise TypeError(f"{name} must be True or False; got {higher_is_better!r}.")


def resolve_direction(
    metric: str,
    higher_is_better: bool | None,
    metric_specs: Mapping[str, Any] | None,
) -> bool:
    """Return whether larger values of `metric` are better.

    An explicit `higher_is_better` wins. Otherwise the direction comes from the
    ResultSet's ``metrics`` mapping. A plain DataFrame has no such mapping, so
    the caller must pass `higher_is_better`.
    """
    if higher_is_better is not None:
        return validate_direction(higher_is_better)
    if metric_specs is None:
        raise ValueError(
            "higher_is_better is required when data is a plain DataFrame: pass "
            f"higher_is_better=True if larger values of {metric!r} are better, "
            "or higher_is_better=False if smaller values are better."
        )
    if metric not in metric_specs:
        raise ValueError(
            f"metric {metric!r} has no entry in data.metrics "
            f"(entries: {sorted(metric_specs)}); pass higher_is_better explicitly."
        )
    spec = metric_specs[metric]
    return validate_direction(
        getattr(spec, "higher_is_better", None), f"data.metrics[{metric!r}].higher_is_better"
    )


def validate_missing(missing: str) -> str:
    """Return `missing` if it names a supported missing-data policy."""
    if missing not in MISSING_POLICIES:
        raise ValueError(
            f"missing must be one of {list(MISSING_POLICIES)}; got {missing!r}."
        )
    return missing


def select_metric_rows(
    frame: pd.DataFrame, metric: str, candidates: Sequence[str] | None
) -> pd.DataFrame:
    """Return the rows of `metric`, restricted to `candidates` and checked.

    Only the required columns are kept. ``candidate`` and ``task`` become str and
    ``value`` becomes float. Raises ValueError for a missing column, an unknown
    metric or candidate, an infinite value or a duplicated trial.
    """
    absent = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if absent:
        raise ValueError(
            f"data is missing the columns {absent}; the long format needs "
            f"{list(REQUIRED_COLUMNS)} (one row per trial and metric)."
        )
    rows = frame.loc[:, list(REQUIRED_COLUMNS)]
    rows = rows[rows["metric"] == metric]
    if rows.empty:
        available = sorted(frame["metric"].dropna().astype(str).unique())
        raise ValueError(f"metric {metric!r} is not in the data; available metrics: {available}.")

    rows = rows.assign(
        candidate=rows["candidate"].astype(str),
        task=rows["task"].astype(str),
        value=_as_float(rows["value"], metric),
    )
    if candidates is not None:
        rows = _restrict_candidates(rows, candidates, metric)
    _check_finite(rows, metric)
    _check_unique_trials(rows, metric)
    return rows


def _as_float(values: pd.Series, metric: str) -> pd.Series:
    try:
        return values.astype(float)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"the values of metric {metric!r} must be numbers (NaN for a failed trial): {error}"
        ) from error


def _restrict_candidates(
    rows: pd.DataFrame, candidates: Sequence[str], metric: str
) -> pd.DataFrame:
    if isinstance(candidates, str):
        raise TypeError(
            f"candidates must be a list of candidate names, not the string {candidates!r}."
        )
    requested = [str(name) for name in candidates]
    repeated = sorted({name for name in requested if requested.count(name) > 1})
    if repeated:
        raise ValueError(f"candidates lists {repeated} more than once.")
    available = set(rows["candidate"])
    unknown = [name for name in requested if name not in available]
    if unknown:
        raise ValueError(
            f"candidates {unknown} have no rows for metric {metric!r}; "
            f"available candidates: {sorted(available)}."
        )
    return rows[rows["candidate"].isin(requested)]


def _check_finite(rows: pd.DataFrame, metric: str) -> None:
    infinite = rows[np.isinf(rows["value"].to_numpy())]
    if not infinite.empty:
        trials = _format_trials(infinite)
        raise ValueError(
            f"metric {metric!r} has infinite values at {trials}; "
            "mark a failed or diverged trial with NaN instead."
        )


def _check_unique_trials(rows: pd.DataFrame, metric: str) -> None:
    repeated = rows[rows.duplicated(["candidate", "task", "seed"], keep=False)]
    if not repeated.empty:
        trials = _format_trials(repeated.drop_duplicates(["candidate", "task", "seed"]))
        raise ValueError(
            f"metric {metric!r} has more than one row for the trials {trials}; "
            "each (candidate, task, seed) must appear once per metric."
        )


def _format_trials(rows: pd.DataFrame, limit: int = 5) -> str:
    labels = [
        f"(candidate={row.candidate!r}, task={row.task!r}, seed={row.seed!r})"
        for row in rows.head(limit).itertuples()
    ]
    if len(rows) > limit:
        labels.append(f"and {len(rows) - limit} more")
    return ", ".join(labels)


def build_design(
    rows: pd.DataFrame,
    metric: str,
    *,
    min_blocks: int,
    min_candidates: int,
) -> BlockDesign:
    """Build the complete-block matrix of `metric` from its checked rows.

    Blocks in which some candidate has no value are dropped, named in the notes
    and reported as a MissingTrialsWarning. Raises ValueError when fewer than
    `min_candidates` candidates or `min_blocks` complete blocks remain.
    """
    candidate_names = sorted(rows["candidate"].unique())
    if len(candidate_names) < min_candidates:
        raise ValueError(
            f"metric {metric!r} needs at least {min_candidates} candidates to compare; "
            f"the data have {candidate_names}."
        )

    notes: list[str] = []
    warnings_: list[PendingWarning] = []
    if rows["task"].nunique() == 1:
        blocks = "seed"
        matrix = rows.pivot(index="seed", columns="candidate", values="value")
    else:
        blocks = "task"
        matrix, partial_note = _task_means(rows)
        if partial_note:
            notes.append(partial_note)
            warnings_.append((MissingTrialsWarning, f"Metric {metric!r}: {partial_note}"))
    matrix = matrix.reindex(columns=candidate_names).sort_index()
    matrix.columns.name = "candidate"

    incomplete = matrix.isna().any(axis=1)
    complete = matrix[~incomplete]
    gaps = _describe_gaps(matrix[incomplete], blocks)
    if len(complete) < min_blocks:
        raise ValueError(
            f"metric {metric!r} has {len(complete)} complete {blocks}(s), in which "
            f"every candidate has a value, but at least {min_blocks} are needed. "
            f"Incomplete {blocks}s: {gaps or 'none'}. Rerun the failed trials, or "
            "pass candidates=[...] without the candidates that lack them."
        )

    dropped = tuple(_block_label(label) for label in matrix.index[incomplete])
    if dropped:
        note = (
            f"Dropped {len(dropped)} of {len(matrix)} {blocks}s in which some candidate "
            f"has no value (missing='complete_blocks'): {gaps}."
        )
        notes.append(note)
        warnings_.append((MissingTrialsWarning, f"Metric {metric!r}: {note}"))

    return BlockDesign(
        metric=metric,
        blocks=blocks,
        matrix=complete,
        dropped_blocks=dropped,
        notes=tuple(notes),
        warnings=tuple(warnings_),
    )


def _task_means(rows: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Average each candidate's values over seeds within each task.

    A mean uses the seeds that have a value. A (task, candidate) cell without any
    value stays NaN, so its task counts as incomplete. Returns the task x candidate
    matrix and a sentence naming the cells that miss some of the task's seeds.
    """
    grouped = rows.groupby(["task", "candidate"], sort=True)["value"]
    matrix = grouped.mean().unstack("candidate")
    present = grouped.count()
    expected = rows.groupby("task")["seed"].nunique()

    partial = []
    for (task, candidate), count in present.items():
        if 0 < count < expected[task]:
            partial.append(f"{candidate!r} on task {task!r} ({count} of {expected[task]} seeds)")
    if not partial:
        return matrix, ""
    return matrix, (
        "Some seed means use fewer seeds than their task has, because trials are "
        "missing or failed: " + "; ".join(partial) + "."
    )


def _describe_gaps(incomplete: pd.DataFrame, blocks: str) -> str:
    parts = []
    for label, row in incomplete.iterrows():
        lacking = ", ".join(repr(name) for name in row.index[row.isna()])
        parts.append(f"{blocks} {_block_label(label)} (no value for {lacking})")
    return "; ".join(parts)


def _block_label(label: Any) -> str:
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)
