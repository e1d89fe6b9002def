"""Aggregate scores across tasks with stratified bootstrap confidence intervals.

The aggregates and the probability of improvement follow Agarwal et al. (2021),
"Deep Reinforcement Learning at the Edge of the Statistical Precipice", NeurIPS:
a candidate's scores form an (n_runs, n_tasks) array, and the bootstrap resamples
runs with replacement within each task on its own (a stratified bootstrap, the
tasks being the strata). The interval is the percentile interval of the
resampled aggregates.

The resamples are computed together with numpy, in chunks of
`_CHUNK_ELEMENTS` resampled scores so that memory stays bounded. Runs are drawn
in pairs, one random code per pair (`_RunSampler`), and look-up tables turn the
codes into sums of scores (mean, median, optimality gap) or into sorted
positions, whose counts give the IQM (`_IQMResampler`). The chunk size depends
only on the data shape, so the same seed draws the same resamples on any
machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nbcompare.stats._bootstrap import (
    RandomSource,
    as_generator,
    percent,
    render_html,
    render_text,
    validate_choice,
    validate_count,
    validate_probability,
)
from nbcompare.stats._render import format_number

STATISTICS = ("mean", "median", "iqm", "optimality_gap")
TIDY_COLUMNS = ("candidate", "task", "seed", "value")

# Resampled scores per chunk. The IQM then keeps about 2 MB of arrays (8-byte
# positions, counts and their float copy per score). On the 2-core benchmark
# machine (AMD EPYC, numpy 2.4), 32k to 64k scores per chunk ran fastest at
# 10 x 26 and 10 x 100 runs x tasks. Chunks of 1 million ran 1.3 to 4 times
# slower per score, likely because their arrays do not fit in the L2 cache.
_CHUNK_ELEMENTS = 65_536
# Largest look-up table of pair codes, n_tasks x n_runs**2 entries (512 KB of
# float64). Score arrays that need a bigger table draw single runs instead.
_MAX_PAIR_TABLE = 65_536

_STATISTIC_LABELS = {
    "mean": "mean over all runs and tasks",
    "median": "median over tasks of the per-task mean",
    "iqm": "interquartile mean (25% trimmed mean of all runs x tasks)",
    "optimality_gap": "optimality gap (lower is better)",
}


@dataclass(frozen=True)
class AggregateEstimate:
    """One candidate's aggregate score with its stratified bootstrap interval.

    Attributes
    ----------
    candidate : str
        Candidate name.
    estimate : float
        The aggregate of the observed scores.
    low, high : float
        Percentile interval of the resampled aggregates.
    n_runs, n_tasks : int
        Shape of the candidate's score array.
    """

    candidate: str
    estimate: float
    low: float
    high: float
    n_runs: int
    n_tasks: int


@dataclass(frozen=True)
class AggregateIntervals:
    """Aggregate scores of several candidates with stratified bootstrap intervals.

    Attributes
    ----------
    statistic : str
        ``"mean"``, ``"median"``, ``"iqm"`` or ``"optimality_gap"``.
    estimates : tuple of AggregateEstimate
        One per candidate, in input order.
    confidence_level : float
        Two-sided level of the percentile intervals.
    n_resamples : int
        Bootstrap resamples per candidate.
    gap_threshold : float or None
        Threshold of the optimality gap, None for the other statistics.
    method : str
        ``"stratified bootstrap percentile"``.
    """

    statistic: str
    estimates: tuple[AggregateEstimate, ...]
    confidence_level: float
    n_resamples: int
    gap_threshold: float | None
    method: str = "stratified bootstrap percentile"

    @property
    def candidates(self) -> tuple[str, ...]:
        """Candidate names, in input order."""
        return tuple(row.candidate for row in self.estimates)

    def __getitem__(self, candidate: str) -> AggregateEstimate:
        for row in self.estimates:
            if row.candidate == candidate:
                return row
        raise KeyError(f"no candidate {candidate!r}; candidates: {list(self.candidates)}")

    def to_frame(self) -> pd.DataFrame:
        """Return one row per candidate with the estimate, bounds and the settings."""
        frame = pd.DataFrame([vars(row) for row in self.estimates])
        frame.insert(1, "statistic", self.statistic)
        frame["confidence_level"] = self.confidence_level
        frame["n_resamples"] = self.n_resamples
        frame["gap_threshold"] = self.gap_threshold
        frame["method"] = self.method
        return frame

    def _headline(self) -> str:
        label = _STATISTIC_LABELS[self.statistic]
        if self.gap_threshold is not None:
            label = f"{label}, threshold {self.gap_threshold:g}"
        return (
            f"{label}, with {percent(self.confidence_level)} {self.method} intervals "
            f"({self.n_resamples} resamples of runs within each task)"
        )

    def _display_frame(self) -> pd.DataFrame:
        return pd.DataFrame([
            {
                "candidate": row.candidate,
                self.statistic: format_number(row.estimate),
                f"{percent(self.confidence_level)} CI": _bracket(row.low, row.high),
                "runs": row.n_runs,
                "tasks": row.n_tasks,
            }
            for row in self.estimates
        ])

    def __str__(self) -> str:
        return render_text(self._headline(), self._display_frame())

    def _repr_html_(self) -> str:
        return render_html(self._headline(), self._display_frame())


@dataclass(frozen=True)
class AggregateDifference:
    """Difference of two candidates' aggregates with a stratified bootstrap interval.

    Attributes
    ----------
    candidate_a, candidate_b : str
        The difference is ``aggregate(a) - aggregate(b)``.
    statistic : str
        The aggregate compared.
    estimate : float
        Observed difference.
    low, high : float
        Percentile interval of the resampled differences.
    estimate_a, estimate_b : float
        Observed aggregates of each candidate.
    paired : bool
        True when run ``i`` of task ``j`` of both candidates was resampled together
        (runs share a seed); False when each candidate was resampled on its own.
    confidence_level : float
        Two-sided level of the interval.
    n_resamples : int
        Bootstrap resamples.
    gap_threshold : float or None
        Threshold of the optimality gap, None for the other statistics.
    method : str
        ``"stratified bootstrap percentile"``.
    """

    candidate_a: str
    candidate_b: str
    statistic: str
    estimate: float
    low: float
    high: float
    estimate_a: float
    estimate_b: float
    paired: bool
    confidence_level: float
    n_resamples: int
    gap_threshold: float | None
    method: str = "stratified bootstrap percentile"

    def to_frame(self) -> pd.DataFrame:
        """Return the difference as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def _headline(self) -> str:
        resampling = "paired by run" if self.paired else "each candidate resampled on its own"
        return (
            f"Difference of {_STATISTIC_LABELS[self.statistic]}, {self.candidate_a} - "
            f"{self.candidate_b}, with a {percent(self.confidence_level)} {self.method} "
            f"interval ({self.n_resamples} resamples, {resampling})"
        )

    def _display_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "a": self.candidate_a,
            "b": self.candidate_b,
            f"{self.statistic} a": format_number(self.estimate_a),
            f"{self.statistic} b": format_number(self.estimate_b),
            "a - b": format_number(self.estimate),
            f"{percent(self.confidence_level)} CI": _bracket(self.low, self.high),
        }])

    def __str__(self) -> str:
        return render_text(self._headline(), self._display_frame())

    def _repr_html_(self) -> str:
        return render_html(self._headline(), self._display_frame())


@dataclass(frozen=True)
class ImprovementProbability:
    """Probability that a run of X scores above a run of Y, averaged over tasks.

    Attributes
    ----------
    label_x, label_y : str
        Names of X and Y.
    estimate : float
        ``mean over tasks of P(X > Y) + 0.5 P(X = Y)``.
    low, high : float
        Stratified bootstrap percentile interval.
    confidence_level : float
        Two-sided level of the interval.
    n_resamples : int
        Bootstrap resamples.
    n_runs_x, n_runs_y, n_tasks : int
        Shapes of the two score arrays.
    method : str
        ``"stratified bootstrap percentile"``.
    """

    label_x: str
    label_y: str
    estimate: float
    low: float
    high: float
    confidence_level: float
    n_resamples: int
    n_runs_x: int
    n_runs_y: int
    n_tasks: int
    method: str = "stratified bootstrap percentile"

    def to_frame(self) -> pd.DataFrame:
        """Return the probability as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def _headline(self) -> str:
        return (
            f"Probability of improvement P({self.label_x} > {self.label_y}), averaged over "
            f"{self.n_tasks} tasks, ties counted half, with a {percent(self.confidence_level)} "
            f"{self.method} interval ({self.n_resamples} resamples)"
        )

    def _display_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "X": self.label_x,
            "Y": self.label_y,
            "P(X > Y)": f"{self.estimate:.4f}",
            f"{percent(self.confidence_level)} CI": f"[{self.low:.4f}, {self.high:.4f}]",
            "runs X": self.n_runs_x,
            "runs Y": self.n_runs_y,
        }])

    def __str__(self) -> str:
        return render_text(self._headline(), self._display_frame())

    def _repr_html_(self) -> str:
        return render_html(self._headline(), self._display_frame())


def aggregate_interval(
    scores: Mapping[str, Any] | pd.DataFrame,
    statistic: str = "iqm",
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    rng: RandomSource = None,
    gap_threshold: float = 1.0,
) -> AggregateIntervals:
    """Estimate each candidate's aggregate score with a stratified bootstrap interval.

    Parameters
    ----------
    scores : mapping or pandas.DataFrame
        Either candidate name -> array of shape (n_runs, n_tasks), or a tidy
        frame with columns ``candidate``, ``task``, ``seed`` and ``value`` and one
        row per run. Every candidate needs every (seed, task) cell of its grid and
        the same tasks as the others. Candidates may differ in the number of runs.
    statistic : {"mean", "median", "iqm", "optimality_gap"}
        ``"mean"``: mean of all scores. ``"median"``: median over tasks of the
        per-task mean score. ``"iqm"``: interquartile mean, the mean of the middle
        50% of all n_runs x n_tasks scores (scipy.stats.trim_mean with 0.25, which
        removes ``int(0.25 N)`` scores from each end). ``"optimality_gap"``:
        ``gap_threshold - mean(min(score, gap_threshold))``, lower is better.
        These are the definitions of Agarwal et al. (2021), section 4.
    n_resamples : int
        Number of bootstrap resamples per candidate.
    confidence_level : float
        Two-sided level of the percentile interval.
    rng : numpy.random.Generator, int or None
        Source of the resamples. Candidates are resampled in input order from the
        one generator, so the same seed gives the same intervals.
    gap_threshold : float
        Threshold of the optimality gap, ignored by the other statistics.

    Returns
    -------
    AggregateIntervals

    Notes
    -----
    The stratified bootstrap resamples runs within each task and keeps the task
    set fixed, so the interval covers run-to-run variability on these tasks only,
    not the choice of tasks.
    """
    statistic = validate_choice(statistic, "statistic", STATISTICS)
    n_resamples = validate_count(n_resamples, "n_resamples", minimum=1)
    confidence_level = validate_probability(confidence_level, "confidence_level")
    gap_threshold = _validate_threshold(gap_threshold)
    arrays = score_arrays(scores)
    generator = as_generator(rng)
    point_aggregate = aggregate_function(statistic, gap_threshold)

    rows = []
    for candidate, array in arrays.items():
        sampler = _RunSampler(*array.shape)
        resampled = _resampler(statistic, array, sampler, gap_threshold)
        distribution = np.empty(n_resamples)
        for start, stop in _chunks(n_resamples, array.shape):
            distribution[start:stop] = resampled(sampler.draw(generator, stop - start))
        low, high = percentile_bounds(distribution, confidence_level)
        rows.append(AggregateEstimate(
            candidate=candidate,
            estimate=float(point_aggregate(array[np.newaxis])[0]),
            low=low,
            high=high,
            n_runs=array.shape[0],
            n_tasks=array.shape[1],
        ))
    return AggregateIntervals(
        statistic=statistic,
        estimates=tuple(rows),
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        gap_threshold=gap_threshold if statistic == "optimality_gap" else None,
    )


def aggregate_difference_interval(
    scores: Mapping[str, Any] | pd.DataFrame,
    candidate_a: str,
    candidate_b: str,
    statistic: str = "iqm",
    paired: bool = False,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    rng: RandomSource = None,
    gap_threshold: float = 1.0,
) -> AggregateDifference:
    """Estimate ``aggregate(a) - aggregate(b)`` with a stratified bootstrap interval.

    Parameters
    ----------
    scores : mapping or pandas.DataFrame
        As in `aggregate_interval`.
    candidate_a, candidate_b : str
        The two candidates compared.
    statistic : {"mean", "median", "iqm", "optimality_gap"}
        The aggregate, as in `aggregate_interval`.
    paired : bool
        False (default): each candidate's runs are resampled on their own within
        each task. True: run ``i`` of both candidates is drawn together, which is
        right when row ``i`` of both arrays comes from the same seed and seeds are
        shared. Pairing needs the same number of runs.
    n_resamples, confidence_level, rng, gap_threshold
        As in `aggregate_interval`.

    Returns
    -------
    AggregateDifference
    """
    statistic = validate_choice(statistic, "statistic", STATISTICS)
    n_resamples = validate_count(n_resamples, "n_resamples", minimum=1)
    confidence_level = validate_probability(confidence_level, "confidence_level")
    gap_threshold = _validate_threshold(gap_threshold)
    arrays = score_arrays(scores)
    first = _pick(arrays, candidate_a, "candidate_a")
    second = _pick(arrays, candidate_b, "candidate_b")
    if paired and first.shape != second.shape:
        raise ValueError(
            f"paired=True needs the same number of runs; {candidate_a!r} has "
            f"{first.shape[0]} and {candidate_b!r} has {second.shape[0]}. "
            "Pass paired=False."
        )
    generator = as_generator(rng)
    point_aggregate = aggregate_function(statistic, gap_threshold)
    sampler_a = _RunSampler(*first.shape)
    sampler_b = _RunSampler(*second.shape)
    resampled_a = _resampler(statistic, first, sampler_a, gap_threshold)
    resampled_b = _resampler(statistic, second, sampler_b, gap_threshold)

    differences = np.empty(n_resamples)
    for start, stop in _chunks(n_resamples, first.shape):
        codes_a = sampler_a.draw(generator, stop - start)
        # Paired arrays have the same shape, so their samplers encode runs alike.
        codes_b = codes_a if paired else sampler_b.draw(generator, stop - start)
        differences[start:stop] = resampled_a(codes_a) - resampled_b(codes_b)
    low, high = percentile_bounds(differences, confidence_level)
    estimate_a = float(point_aggregate(first[np.newaxis])[0])
    estimate_b = float(point_aggregate(second[np.newaxis])[0])
    return AggregateDifference(
        candidate_a=str(candidate_a),
        candidate_b=str(candidate_b),
        statistic=statistic,
        estimate=estimate_a - estimate_b,
        low=low,
        high=high,
        estimate_a=estimate_a,
        estimate_b=estimate_b,
        paired=bool(paired),
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        gap_threshold=gap_threshold if statistic == "optimality_gap" else None,
    )


def probability_of_improvement(
    scores_x: Any,
    scores_y: Any,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    rng: RandomSource = None,
    labels: tuple[str, str] = ("X", "Y"),
) -> ImprovementProbability:
    """Estimate the average probability that a run of X scores above a run of Y.

    For each task ``m`` the probability is the Mann-Whitney form
    ``P(X_m > Y_m) + 0.5 P(X_m = Y_m)``, which is ``U / (n_x n_y)`` with ``U`` the
    Mann-Whitney U statistic of X. The estimate is the mean over tasks (Agarwal
    et al. 2021, section 4). The interval is the percentile interval of a
    stratified bootstrap that resamples the runs of X and of Y independently
    within each task.

    Parameters
    ----------
    scores_x, scores_y : array_like
        Arrays of shape (n_runs_x, n_tasks) and (n_runs_y, n_tasks), with the
        tasks in the same column order.
    n_resamples : int
        Number of bootstrap resamples.
    confidence_level : float
        Two-sided level of the interval.
    rng : numpy.random.Generator, int or None
        Source of the resamples.
    labels : tuple of two str
        Names of X and Y in the result.

    Returns
    -------
    ImprovementProbability

    Notes
    -----
    ``U`` is computed from ranks, without comparing every pair in every resample.
    With Y's scores of task ``m`` sorted, each score of X has a fixed position
    among them. In a resample, ``U`` is the sum over the drawn runs of X of the
    number of drawn runs of Y below that position, plus half the number equal to
    it, read from a cumulative count of Y's draws. The cost is
    O(n_resamples x n_tasks x (n_x + n_y)).
    """
    x = _score_array(scores_x, "scores_x")
    y = _score_array(scores_y, "scores_y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"scores_x has {x.shape[1]} tasks and scores_y has {y.shape[1]}; both need "
            "the same tasks in the same column order."
        )
    n_resamples = validate_count(n_resamples, "n_resamples", minimum=1)
    confidence_level = validate_probability(confidence_level, "confidence_level")
    generator = as_generator(rng)

    table = _improvement_table(x, y)
    n_x, n_tasks = x.shape
    n_y = y.shape[0]
    whole_x = np.broadcast_to(np.arange(n_x)[:, None], (1, n_x, n_tasks))
    whole_y = np.broadcast_to(np.arange(n_y)[:, None], (1, n_y, n_tasks))
    estimate = float(table.probabilities(whole_x, whole_y)[0])

    distribution = np.empty(n_resamples)
    for start, stop in _chunks(n_resamples, (max(n_x, n_y), n_tasks)):
        draws_x = stratified_indices(generator, stop - start, x.shape)
        draws_y = stratified_indices(generator, stop - start, y.shape)
        distribution[start:stop] = table.probabilities(draws_x, draws_y)
    low, high = percentile_bounds(distribution, confidence_level)
    return ImprovementProbability(
        label_x=str(labels[0]),
        label_y=str(labels[1]),
        estimate=estimate,
        low=low,
        high=high,
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        n_runs_x=n_x,
        n_runs_y=n_y,
        n_tasks=n_tasks,
    )


@dataclass(frozen=True)
class _ImprovementTable:
    """Positions of X's scores among Y's sorted scores, task by task.

    ``below[i, m]`` is the number of Y scores of task m below ``x[i, m]`` and
    ``not_above[i, m]`` the number at most ``x[i, m]``, both as positions in
    ``y_order[:, m]``, the permutation that sorts Y's column m.
    """

    below: np.ndarray
    not_above: np.ndarray
    y_rank: np.ndarray

    def probabilities(self, draws_x: np.ndarray, draws_y: np.ndarray) -> np.ndarray:
        """Return the mean over tasks of ``U / (n_x n_y)`` for each resample.

        `draws_x` and `draws_y` have shape (resamples, runs, tasks) and contain
        run indices into X and Y.
        """
        resamples, n_x, n_tasks = draws_x.shape
        n_y = draws_y.shape[1]
        tasks = np.arange(n_tasks)

        # Count how often each sorted position of Y was drawn, then cumulate:
        # cumulative[r, m, p] is the number of draws among the p lowest Y scores.
        positions = self.y_rank[draws_y, tasks]
        flat = (np.arange(resamples)[:, None, None] * n_tasks + tasks) * n_y + positions
        counts = np.bincount(flat.ravel(), minlength=resamples * n_tasks * n_y)
        cumulative = np.zeros((resamples, n_tasks, n_y + 1))
        np.cumsum(counts.reshape(resamples, n_tasks, n_y), axis=2, out=cumulative[:, :, 1:])

        below = self.below[draws_x, tasks]
        not_above = self.not_above[draws_x, tasks]
        resample_index = np.arange(resamples)[:, None, None]
        task_index = tasks[None, None, :]
        count_below = cumulative[resample_index, task_index, below]
        count_not_above = cumulative[resample_index, task_index, not_above]
        u_statistic = (count_below + 0.5 * (count_not_above - count_below)).sum(axis=1)
        return np.mean(u_statistic / (n_x * n_y), axis=1)


def _improvement_table(x: np.ndarray, y: np.ndarray) -> _ImprovementTable:
    n_tasks = x.shape[1]
    y_order = np.argsort(y, axis=0, kind="stable")
    y_rank = np.empty_like(y_order)
    np.put_along_axis(y_rank, y_order, np.arange(y.shape[0])[:, None], axis=0)
    y_sorted = np.take_along_axis(y, y_order, axis=0)
    below = np.empty(x.shape, dtype=np.intp)
    not_above = np.empty(x.shape, dtype=np.intp)
    for task in range(n_tasks):
        below[:, task] = np.searchsorted(y_sorted[:, task], x[:, task], side="left")
        not_above[:, task] = np.searchsorted(y_sorted[:, task], x[:, task], side="right")
    return _ImprovementTable(below=below, not_above=not_above, y_rank=y_rank)


def aggregate_function(statistic: str, gap_threshold: float) -> Callable[[np.ndarray], np.ndarray]:
    """Return a function mapping scores of shape (k, runs, tasks) to k point estimates.

    The mean is summed in rliable's order (mean of the task means) so that point
    estimates agree with rliable's to the last bit. Resamples go through
    `_resampler` instead.
    """
    if statistic == "mean":
        return _mean_of_task_means
    if statistic == "median":
        return _median_of_task_means
    if statistic == "iqm":
        return _interquartile_mean

    def optimality_gap(scores: np.ndarray) -> np.ndarray:
        return gap_threshold - _mean(np.minimum(scores, gap_threshold))

    return optimality_gap


class _RunSampler:
    """Draw stratified bootstrap resamples as integer codes of groups of runs.

    A resample draws `n_runs` runs with replacement in each task. The draws of
    a task are split into groups of `size` runs (pairs when the look-up tables
    stay small, else single runs), and each group is one integer code drawn
    uniformly from ``[0, n_runs**size)``. The base-`n_runs` digits of the code are
    the runs drawn. The digits of a uniform code are independent and uniform, so
    the resample has the distribution of `n_runs` independent uniform draws, and
    it costs half the random numbers and table look-ups when runs are paired.
    """

    def __init__(self, n_runs: int, n_tasks: int):
        self.n_runs = n_runs
        self.n_tasks = n_tasks
        size = 2 if n_runs > 1 and n_tasks * n_runs**2 <= _MAX_PAIR_TABLE else 1
        groups, remainder = divmod(n_runs, size)
        # (size, number of groups) blocks, each drawn with one call of the generator.
        self.blocks = ((size, groups),) + (((remainder, 1),) if remainder else ())

    def draw(self, generator: np.random.Generator, resamples: int) -> list[np.ndarray]:
        """Draw one code array of shape (resamples, groups, n_tasks) per block."""
        codes = []
        for size, groups in self.blocks:
            n_codes = self.n_runs**size
            # uint16 draws take half the time of int64 draws (numpy 2.4).
            dtype = np.uint16 if n_codes <= 2**16 else np.int64
            codes.append(generator.integers(0, n_codes, size=(resamples, groups, self.n_tasks), dtype=dtype))
        return codes

    def runs_of_codes(self, size: int) -> np.ndarray:
        """Return the runs of every code of a group: shape (size, n_runs**size)."""
        codes = np.arange(self.n_runs**size)
        return np.stack([codes // self.n_runs**digit % self.n_runs for digit in range(size)])

    def run_indices(self, codes: list[np.ndarray]) -> np.ndarray:
        """Decode `codes` into run indices of shape (resamples, n_runs, n_tasks)."""
        runs = []
        for (size, _), block in zip(self.blocks, codes):
            table = self.runs_of_codes(size)
            runs.extend(table[digit][block] for digit in range(size))
        return np.concatenate(runs, axis=1)

    def code_offsets(self, size: int) -> np.ndarray:
        """Return the start of each task in a flat (n_tasks, n_runs**size) table."""
        return np.arange(self.n_tasks, dtype=np.intp) * self.n_runs**size


class _Workspace:
    """Arrays reused from chunk to chunk, grown on demand.

    Fresh arrays of a chunk's size land on new pages each time. With 131k scores
    per chunk, reusing them made the IQM about twice as fast (numpy 2.4).
    """

    def __init__(self):
        self._arrays: dict[str, np.ndarray] = {}

    def array(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """Return an uninitialised array of `shape`, reusing the memory of `name`."""
        size = math.prod(shape)
        buffer = self._arrays.get(name)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = self._arrays[name] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)


def _table_index(workspace: _Workspace, block: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Return ``block + offsets``, the index of each code in a flat per-task table."""
    index = workspace.array("table_index", block.shape, np.intp)
    np.add(block, offsets, out=index)
    return index


class _SumResampler:
    """Compute the mean, median or optimality gap of resamples from group sums.

    For each block of `sampler`, a table holds the sum of the scores of the runs
    of every code, task by task, so one look-up adds a whole group of draws.
    The optimality gap sums ``min(score, gap_threshold)``.
    """

    def __init__(self, statistic: str, scores: np.ndarray, sampler: _RunSampler, gap_threshold: float):
        self.statistic = statistic
        self.gap_threshold = gap_threshold
        self.sampler = sampler
        self.workspace = _Workspace()
        values = np.minimum(scores, gap_threshold) if statistic == "optimality_gap" else scores
        self.tables = []
        for size, _ in sampler.blocks:
            runs = sampler.runs_of_codes(size)
            # table[m, code] = sum of values[run, m] over the runs of the code.
            table = values[runs].sum(axis=0).T
            self.tables.append((np.ascontiguousarray(table).ravel(), sampler.code_offsets(size)))

    def __call__(self, codes: list[np.ndarray]) -> np.ndarray:
        """Return the statistic of each resample, one per row of the codes."""
        resamples = codes[0].shape[0]
        n_runs, n_tasks = self.sampler.n_runs, self.sampler.n_tasks
        median = self.statistic == "median"
        sums = np.zeros((resamples, n_tasks) if median else resamples)
        for (table, offsets), block in zip(self.tables, codes):
            group_sums = self.workspace.array("group_sums", block.shape, np.float64)
            # mode="clip" writes straight into `out`, which the default mode
            # buffers. The codes are in range, so nothing is clipped.
            np.take(table, _table_index(self.workspace, block, offsets), out=group_sums, mode="clip")
            if median:
                sums += group_sums.sum(axis=1)
            else:
                sums += group_sums.reshape(resamples, -1).sum(axis=1)

        if median:
            return np.median(sums / n_runs, axis=1)
        mean = sums / (n_runs * n_tasks)
        if self.statistic == "optimality_gap":
            return self.gap_threshold - mean
        return mean


class _IQMResampler:
    """Compute the interquartile mean of resamples from counts of the sorted scores.

    The N = n_runs x n_tasks scores are sorted once, ``v[0] <= ... <= v[N-1]``.
    A resample draws each sorted score some number of times, and E[j], the
    cumulative count of draws of ``v[0..j]``, places the draws of ``v[j]`` at
    sorted positions ``[E[j-1], E[j])``. scipy.stats.trim_mean(resample, 0.25)
    keeps positions ``[L, U)`` with ``L = int(0.25 N)`` and ``U = N - L``, so
    with ``F[j] = clip(E[j], L, U)`` and ``F[-1] = L`` the kept sum is
    ``sum_j v[j] (F[j] - F[j-1])``. Summed by parts, that is
    ``sum_{j < N-1} F[j] (v[j] - v[j+1]) + U v[N-1] - L v[0]``: one
    matrix-vector product per chunk, with no per-score subtraction.
    """

    def __init__(self, scores: np.ndarray, sampler: _RunSampler):
        n_runs, n_tasks = scores.shape
        self.sampler = sampler
        self.workspace = _Workspace()
        self.total = n_runs * n_tasks
        self.lower_cut = int(0.25 * self.total)
        self.upper_cut = self.total - self.lower_cut

        order = np.argsort(scores, axis=None, kind="stable")
        sorted_scores = scores.ravel()[order]
        # position[run, m] is the index of scores[run, m] in sorted_scores.
        position = np.empty(self.total, dtype=np.intp)
        position[order] = np.arange(self.total)
        position = position.reshape(n_runs, n_tasks)

        # weights[j] = v[j] - v[j+1], and v[N-1] for the last, which F[N-1] = U multiplies.
        self.weights = np.append(sorted_scores[:-1] - sorted_scores[1:], sorted_scores[-1])
        self.offset = self.lower_cut * sorted_scores[0]

        # One table per digit of each block: table[m, code] is the sorted
        # position of the run of that digit in task m.
        self.tables = []
        for size, _ in sampler.blocks:
            runs = sampler.runs_of_codes(size)
            digit_tables = [np.ascontiguousarray(position[runs[digit]].T).ravel() for digit in range(size)]
            self.tables.append((digit_tables, sampler.code_offsets(size)))

    def __call__(self, codes: list[np.ndarray]) -> np.ndarray:
        """Return the interquartile mean of each resample, one per row of the codes."""
        resamples = codes[0].shape[0]
        size = resamples * self.total

        # The sorted position of every draw plus r * N for resample r, so that one
        # bincount counts every resample of the chunk. Each digit of each block
        # fills a contiguous part, because np.take buffers a strided `out`.
        positions = self.workspace.array("positions", (size,), np.intp)
        row_start = np.arange(0, size, self.total, dtype=np.intp)[:, np.newaxis, np.newaxis]
        start = 0
        for (digit_tables, offsets), block in zip(self.tables, codes):
            table_index = _table_index(self.workspace, block, offsets)
            for table in digit_tables:
                part = positions[start:start + block.size].reshape(block.shape)
                np.take(table, table_index, out=part, mode="clip")
                part += row_start
                start += block.size

        counts = np.bincount(positions, minlength=size).reshape(resamples, self.total)
        np.cumsum(counts, axis=1, out=counts)
        np.clip(counts, self.lower_cut, self.upper_cut, out=counts)
        clipped = self.workspace.array("clipped", counts.shape, np.float64)
        np.copyto(clipped, counts)
        kept_sum = clipped @ self.weights - self.offset
        return kept_sum / (self.upper_cut - self.lower_cut)


def _resampler(
    statistic: str, scores: np.ndarray, sampler: _RunSampler, gap_threshold: float
) -> Callable[[list[np.ndarray]], np.ndarray]:
    """Return a function of a chunk of codes giving one aggregate per resample."""
    if statistic == "iqm":
        return _IQMResampler(scores, sampler)
    return _SumResampler(statistic, scores, sampler, gap_threshold)


def _mean_of_task_means(scores: np.ndarray) -> np.ndarray:
    # The mean of the per-task means, the order of summation of rliable's
    # aggregate_mean, so that point estimates agree to the last bit.
    return np.mean(np.mean(scores, axis=1), axis=1)


def _mean(scores: np.ndarray) -> np.ndarray:
    return np.mean(scores.reshape(scores.shape[0], -1), axis=1)


def _median_of_task_means(scores: np.ndarray) -> np.ndarray:
    return np.median(np.mean(scores, axis=1), axis=1)


def _interquartile_mean(scores: np.ndarray) -> np.ndarray:
    # The cut of scipy.stats.trim_mean(proportiontocut=0.25): int(0.25 N) scores
    # leave each end, and np.partition puts the kept ones in the middle slice.
    flat = scores.reshape(scores.shape[0], -1)
    total = flat.shape[1]
    lower_cut = int(0.25 * total)
    upper_cut = total - lower_cut
    if lower_cut == 0:
        return np.mean(flat, axis=1)
    partitioned = np.partition(flat, (lower_cut, upper_cut - 1), axis=1)
    return np.mean(partitioned[:, lower_cut:upper_cut], axis=1)


def stratified_indices(
    generator: np.random.Generator, resamples: int, shape: tuple[int, int]
) -> np.ndarray:
    """Draw run indices of shape (resamples, n_runs, n_tasks), independently per task."""
    n_runs, n_tasks = shape
    # int32 halves the memory traffic of int64; score arrays never have 2**31 runs.
    return generator.integers(0, n_runs, size=(resamples, n_runs, n_tasks), dtype=np.int32)


def percentile_bounds(distribution: np.ndarray, confidence_level: float) -> tuple[float, float]:
    """Return the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles (linear interpolation)."""
    tail = (1 - confidence_level) / 2
    low, high = np.quantile(distribution, [tail, 1 - tail])
    return float(low), float(high)


def _chunks(n_resamples: int, shape: tuple[int, int]) -> list[tuple[int, int]]:
    per_chunk = max(1, _CHUNK_ELEMENTS // (shape[0] * shape[1]))
    return [(start, min(start + per_chunk, n_resamples)) for start in range(0, n_resamples, per_chunk)]


def score_arrays(scores: Mapping[str, Any] | pd.DataFrame) -> dict[str, np.ndarray]:
    """Convert `scores` to candidate name -> finite array of shape (n_runs, n_tasks).

    Candidates keep the mapping's order, or their order of first appearance in a
    frame, which is the order in which they are resampled. A tidy frame is
    pivoted to seeds x tasks per candidate, with tasks in sorted order. Every candidate must have the same number of tasks, and a frame must
    list the same tasks for every candidate.
    """
    if isinstance(scores, pd.DataFrame):
        arrays = _arrays_from_frame(scores)
    elif isinstance(scores, Mapping):
        arrays = {str(name): _score_array(value, f"scores[{name!r}]") for name, value in scores.items()}
    else:
        raise TypeError(
            "scores must be a mapping of candidate name -> array of shape (n_runs, n_tasks) "
            f"or a DataFrame with columns {list(TIDY_COLUMNS)}; got {type(scores).__name__}."
        )
    if not arrays:
        raise ValueError("scores contains no candidates; pass at least one.")
    task_counts = {name: array.shape[1] for name, array in arrays.items()}
    if len(set(task_counts.values())) > 1:
        raise ValueError(
            f"every candidate needs the same tasks; numbers of tasks per candidate: {task_counts}."
        )
    return arrays


def _arrays_from_frame(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    missing = [column for column in TIDY_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(
            f"scores frame is missing the columns {missing}; it needs {list(TIDY_COLUMNS)} "
            "with one row per candidate, task and seed."
        )
    if "metric" in frame.columns and frame["metric"].nunique() > 1:
        raise ValueError(
            f"scores frame contains several metrics {sorted(frame['metric'].unique())}; "
            "select one first, for example frame[frame.metric == 'accuracy']."
        )
    duplicated = frame.duplicated(["candidate", "task", "seed"])
    if duplicated.any():
        first = frame.loc[duplicated, ["candidate", "task", "seed"]].iloc[0].tolist()
        raise ValueError(
            f"scores frame has {int(duplicated.sum())} duplicate (candidate, task, seed) "
            f"rows, the first {first}; keep one value per run."
        )

    tasks = sorted(frame["task"].unique(), key=str)
    arrays = {}
    for candidate, group in frame.groupby("candidate", sort=False):
        grid = group.pivot(index="seed", columns="task", values="value").reindex(columns=tasks)
        if grid.isna().to_numpy().any():
            holes = grid.isna().stack()
            first_hole = holes[holes].index[0]
            raise ValueError(
                f"candidate {candidate!r} has {int(holes.sum())} missing (seed, task) "
                f"scores, the first {tuple(first_hole)}; every candidate needs a score for "
                "each of its seeds on every task. Drop incomplete seeds first."
            )
        arrays[str(candidate)] = _score_array(grid.to_numpy(dtype=float), f"candidate {candidate!r}")
    return arrays


def _score_array(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n_runs, n_tasks); got shape {array.shape}. "
            "For a single task pass values.reshape(-1, 1)."
        )
    if array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError(f"{name} is empty (shape {array.shape}); pass at least one run and task.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite scores; drop or fill them first.")
    return array


def _pick(arrays: dict[str, np.ndarray], candidate: str, name: str) -> np.ndarray:
    if candidate not in arrays:
        raise KeyError(f"{name}={candidate!r} is not in scores; candidates: {list(arrays)}.")
    return arrays[candidate]


def _validate_threshold(value: Any) -> float:
    threshold = float(value)
    if not np.isfinite(threshold):
        raise ValueError(f"gap_threshold must be a finite number; got {value!r}.")
    return threshold


def _bracket(low: float, high: float) -> str:
    return f"[{format_number(low)}, {format_number(high)}]"
