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
# Optional columns that identify the cross-validation split of a trial.
SPLIT_COLUMNS = ("repeat", "fold")
MISSING_POLICIES = ("complete_blocks", "skillings_mack")

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
    frame: pd.DataFrame,
    metric: str,
    candidates: Sequence[str] | None,
    *,
    keep_split_columns: bool = False,
) -> pd.DataFrame:
    """Return the rows of `metric`, restricted to `candidates` and checked.

    Only the required columns are kept, and with `keep_split_columns` also
    the ``repeat`` and ``fold`` columns that the data have. A trial is then
    identified by (candidate, task, seed, repeat, fold). ``candidate`` and ``task`` become str and
    ``value`` becomes float. Raises ValueError for a missing column, an unknown
    metric or candidate, an infinite value or a duplicated trial.
    """
    absent = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if absent:
        raise ValueError(
            f"data is missing the columns {absent}; the long format needs "
            f"{list(REQUIRED_COLUMNS)} (one row per trial and metric)."
        )
    split_columns = split_columns_of(frame) if keep_split_columns else []
    rows = frame.loc[:, list(REQUIRED_COLUMNS) + split_columns]
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
    _check_unique_trials(rows, metric, split_columns)
    return rows


def split_columns_of(frame: pd.DataFrame) -> list[str]:
    """Return the cross-validation split columns (``repeat``, ``fold``) that `frame` has."""
    return [column for column in SPLIT_COLUMNS if column in frame.columns]


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


def _check_unique_trials(rows: pd.DataFrame, metric: str, split_columns: Sequence[str] = ()) -> None:
    key = ["candidate", "task", "seed", *split_columns]
    repeated = rows[rows.duplicated(key, keep=False)]
    if not repeated.empty:
        trials = _format_trials(repeated.drop_duplicates(key))
        raise ValueError(
            f"metric {metric!r} has more than one row for the trials {trials}; "
            f"each ({', '.join(key)}) must appear once per metric."
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
    blocks: str | None = None,
    keep_incomplete: bool = False,
) -> BlockDesign:
    """Build the complete-block matrix of `metric` from its checked rows.

    Blocks in which some candidate has no value are dropped, named in the notes
    and reported as a MissingTrialsWarning. With `keep_incomplete` they stay in
    the matrix as NaN cells (for the Skillings–Mack test), and the notes name
    them. Raises ValueError when fewer than `min_candidates` candidates or
    `min_blocks` complete blocks remain (or, with `keep_incomplete`, blocks
    with at least 2 values).

    `blocks` is ``"seed"``, ``"task"`` or ``"fold"``. None keeps the original
    rule: the seed with one task, the task with several.
    """
    candidate_names = sorted(rows["candidate"].unique())
    if len(candidate_names) < min_candidates:
        raise ValueError(
            f"metric {metric!r} needs at least {min_candidates} candidates to compare; "
            f"the data have {candidate_names}."
        )
    if blocks is None:
        blocks = "seed" if rows["task"].nunique() == 1 else "task"

    notes: list[str] = []
    warnings_: list[PendingWarning] = []
    if blocks == "task":
        matrix, partial_note = _task_means(rows)
        if partial_note:
            notes.append(partial_note)
            warnings_.append((MissingTrialsWarning, f"Metric {metric!r}: {partial_note}"))
    else:
        table = rows.assign(block=block_keys(rows, blocks))
        matrix = table.pivot(index="block", columns="candidate", values="value")
        matrix.index.name = blocks
    matrix = matrix.reindex(columns=candidate_names).sort_index()
    matrix.columns.name = "candidate"

    incomplete = matrix.isna().any(axis=1)
    complete = matrix[~incomplete]
    gaps = _describe_gaps(matrix[incomplete], blocks)
    if keep_incomplete:
        return _incomplete_design(metric, blocks, matrix, incomplete, gaps, min_blocks, notes, warnings_)
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


def _incomplete_design(
    metric: str,
    blocks: str,
    matrix: pd.DataFrame,
    incomplete: pd.Series,
    gaps: str,
    min_blocks: int,
    notes: list[str],
    warnings_: list[PendingWarning],
) -> BlockDesign:
    """Keep incomplete blocks with at least 2 values and drop the others, naming both."""
    usable = matrix.notna().sum(axis=1) >= 2
    if int(usable.sum()) < min_blocks:
        raise ValueError(
            f"metric {metric!r} has {int(usable.sum())} {blocks}(s) with values for at "
            f"least 2 candidates, but at least {min_blocks} are needed. Rerun the failed trials."
        )
    dropped = tuple(_block_label(label) for label in matrix.index[~usable])
    if dropped:
        note = (
            f"Dropped {len(dropped)} {blocks}s with fewer than 2 values, which carry no "
            f"ranking information: {', '.join(dropped)}."
        )
        notes.append(note)
        warnings_.append((MissingTrialsWarning, f"Metric {metric!r}: {note}"))
    kept_incomplete = incomplete & usable
    if kept_incomplete.any():
        note = (
            f"Kept {int(kept_incomplete.sum())} incomplete {blocks}s for the Skillings–Mack "
            f"test (missing='skillings_mack'): {_describe_gaps(matrix[kept_incomplete], blocks)}."
        )
        notes.append(note)
        warnings_.append((MissingTrialsWarning, f"Metric {metric!r}: {note}"))
    return BlockDesign(
        metric=metric,
        blocks=blocks,
        matrix=matrix[usable],
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
    trial_key = ["seed", *[column for column in SPLIT_COLUMNS if column in rows.columns]]
    expected = rows.drop_duplicates(["task", *trial_key]).groupby("task").size()
    unit = "seeds" if trial_key == ["seed"] else "trials"

    partial = []
    for (task, candidate), count in present.items():
        if 0 < count < expected[task]:
            partial.append(f"{candidate!r} on task {task!r} ({count} of {expected[task]} {unit})")
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


# ---------------------------------------------------------------- design detection

BLOCK_CHOICES = ("seed", "task", "fold")

_UNITS = {
    "seed": "the seed",
    "task": "the task",
    "fold": "the cross-validation split",
}


@dataclass(frozen=True)
class Design:
    """Arrangement of one metric's trials for testing: pairing, blocks and their number.

    Attributes
    ----------
    paired : bool
        True when every candidate was run on the same blocks, so values that
        share a block are compared with each other. False for independent
        samples, one per candidate.
    k : int
        Number of candidates.
    blocks : str
        ``"seed"``, ``"task"`` or ``"fold"``: what one block (paired) or one
        observation (independent) is.
    n_blocks : int
        Number of blocks tested (paired), or the smallest sample size
        (independent).
    unit : str
        The experimental unit, for example ``"the task"``.
    reasons : tuple of str
        Sentences that explain each choice.
    n_folds : int or None
        Number of distinct folds when ``blocks == "fold"``.
    """

    paired: bool
    k: int
    blocks: str
    n_blocks: int
    unit: str
    reasons: tuple[str, ...]
    n_folds: int | None = None


def choose_blocks(rows: pd.DataFrame, blocks: str | None) -> tuple[str, list[str]]:
    """Return what a block is and the sentences that explain the choice.

    Without an override: several tasks make the task the block, split columns
    (``repeat``/``fold``) with one task make the split the block, and otherwise
    the seed is the block.
    """
    n_tasks = rows["task"].nunique()
    split_columns = [column for column in SPLIT_COLUMNS if column in rows.columns]
    if blocks is not None:
        if blocks not in BLOCK_CHOICES:
            raise ValueError(
                f"blocks must be one of {list(BLOCK_CHOICES)} or None for automatic "
                f"detection; got {blocks!r}."
            )
        if blocks == "fold" and not split_columns:
            raise ValueError(
                "blocks='fold' needs a 'fold' or 'repeat' column in data; the data have "
                "neither. Pass blocks='seed' or blocks='task'."
            )
        if blocks == "fold" and n_tasks > 1:
            raise ValueError(
                f"blocks='fold' needs a single task, but the data have {n_tasks} tasks. "
                "Pass blocks='task', or candidates and data of one task."
            )
        return blocks, [f"The blocks are {blocks}s, as requested (blocks={blocks!r})."]
    if n_tasks > 1:
        extra = " and folds" if split_columns else ""
        return "task", [
            f"The data have {n_tasks} tasks, so the experimental unit is the task: each "
            f"candidate's values are averaged over seeds{extra} within a task, and the "
            "tasks are the blocks (Demšar 2006)."
        ]
    if split_columns:
        return "fold", [
            f"The data have one task and the split columns {split_columns}, so each "
            "cross-validation split is a block. Splits share training data, so their "
            "differences are correlated."
        ]
    return "seed", ["The data have one task, so each seed is a block."]


def block_keys(rows: pd.DataFrame, blocks: str) -> pd.Series:
    """Return the block label of every row: seed, task, or the split (seed, repeat, fold)."""
    if blocks == "task":
        return rows["task"]
    if blocks == "seed":
        if rows["task"].nunique() > 1:
            return rows["task"].astype(str) + "/seed " + rows["seed"].astype(str)
        return rows["seed"]
    parts = ["seed", *[column for column in SPLIT_COLUMNS if column in rows.columns]]
    labels = rows[parts[0]].astype(str).radd(f"{parts[0]}=")
    for column in parts[1:]:
        labels = labels + f", {column}=" + rows[column].astype(str)
    return labels


def shared_blocks(rows: pd.DataFrame, keys: pd.Series) -> int:
    """Return how many blocks have a value (or a row) for every candidate."""
    by_candidate = (
        pd.DataFrame({"candidate": rows["candidate"], "key": keys})
        .groupby("candidate")["key"]
        .agg(lambda labels: set(labels))
    )
    common = set.intersection(*by_candidate.tolist()) if len(by_candidate) else set()
    return len(common)


def choose_pairing(
    rows: pd.DataFrame, keys: pd.Series, blocks: str, paired: bool | None
) -> tuple[bool, list[str]]:
    """Return whether the design is paired and the sentences that explain it.

    The design is paired when at least 2 blocks have a row for every
    candidate. `paired` overrides the detection, but ``paired=True`` on data
    without 2 shared blocks raises, because no paired test is possible.
    """
    shared = shared_blocks(rows, keys)
    if paired is None:
        if shared >= 2:
            return True, [
                f"All candidates share {shared} {blocks}s, so the design is paired: values "
                f"from the same {blocks} are compared with each other."
            ]
        if blocks == "task":
            return True, [
                f"The candidates share {shared} tasks; task means are always compared "
                "task by task, so the design is paired."
            ]
        return False, [
            f"The candidates share {shared} {blocks}s (at least 2 are needed for pairing), "
            "so the design is treated as independent samples, one per candidate."
        ]
    if not isinstance(paired, (bool, np.bool_)):
        raise TypeError(f"paired must be True, False or None; got {paired!r}.")
    if paired and shared < 2:
        raise ValueError(
            f"paired=True needs at least 2 {blocks}s that every candidate was run on, "
            f"but the candidates share {shared}. Pass paired=False to test independent "
            "samples, or rerun the candidates with the same seeds."
        )
    if paired:
        return True, ["The design is paired, as requested (paired=True)."]
    note = (
        f" The candidates share {shared} {blocks}s, so ignoring the pairing can lose power."
        if shared >= 2 else ""
    )
    return False, [
        f"The design is treated as independent samples, as requested (paired=False).{note}"
    ]


def independent_samples_of(
    rows: pd.DataFrame, keys: pd.Series
) -> tuple[dict[str, np.ndarray], pd.DataFrame, tuple[str, ...]]:
    """Return each candidate's non-missing values, a block x candidate display matrix and notes.

    Missing values (NaN) are dropped from each sample, and the notes count
    them per candidate.
    """
    table = pd.DataFrame({"candidate": rows["candidate"], "key": keys, "value": rows["value"]})
    matrix = table.pivot(index="key", columns="candidate", values="value")
    matrix = matrix.reindex(columns=sorted(matrix.columns)).sort_index()
    matrix.columns.name = "candidate"
    samples = {}
    notes = []
    for name in matrix.columns:
        column = table.loc[table["candidate"] == name, "value"].to_numpy(dtype=float)
        finite = column[~np.isnan(column)]
        if finite.size < column.size:
            notes.append(f"{name!r}: {column.size - finite.size} of {column.size} values missing")
        samples[str(name)] = finite
    too_small = [name for name, values in samples.items() if values.size < 2]
    if too_small:
        raise ValueError(
            f"independent samples need at least 2 values per candidate, but {too_small} "
            "have fewer. Rerun the failed trials or pass candidates=[...] without them."
        )
    if notes:
        notes = [
            "Missing values were dropped from the independent samples: " + "; ".join(notes) + "."
        ]
    return samples, matrix, tuple(notes)
