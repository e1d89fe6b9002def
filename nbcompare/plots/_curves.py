"""Curves and interval plots of several candidates: sensitivity, learning curves and rliable-style figures.

Each candidate is drawn in its colour from ``candidate_palette`` and with its
marker and line style from ``candidate_markers``, so the figure stays readable
in greyscale. Every confidence band or interval is named in an axis label.

The performance profile, probability of improvement and aggregate intervals
follow Agarwal et al. (2021), "Deep Reinforcement Learning at the Edge of the
Statistical Precipice", NeurIPS. Their intervals come from a stratified
bootstrap that resamples runs within each task.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from ._labels import ci_text, metric_label, percent_text
from ._palette import resolve_markers, resolve_palette

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BAND_GID = "ci-band"
REFERENCE_GID = "reference-line"
BAND_ALPHA = 0.2
# Values spanning more than this ratio (2 decades) get a log x axis by default.
_LOG_SPAN = 100.0
# Markers drawn along a curve with many points, so they do not merge into a line.
_MARKERS_PER_CURVE = 8
_DEFAULT_TAU_COUNT = 101
# Resampled scores held at once by the performance profile bootstrap.
_PROFILE_CHUNK_ELEMENTS = 2_000_000
_STATISTIC_NAMES = {
    "mean": "Mean",
    "median": "Median",
    "iqm": "IQM",
    "optimality_gap": "Optimality gap",
}


# ---------------------------------------------------------------------------
# Shared helpers


def _new_axes(ax: Axes | None) -> Axes:
    """Return ``ax``, or the axes of a new constrained-layout figure of ``rcParams["figure.figsize"]``."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(layout="constrained")
    return new_ax


def _styles(candidates: Sequence[str], palette, markers) -> tuple[dict, dict]:
    return resolve_palette(palette, candidates), resolve_markers(markers, candidates)


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}.")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing the columns {missing}; it has {list(frame.columns)}.")


def _metric_values(frame: pd.DataFrame, metric: str, name: str) -> pd.DataFrame:
    """Return the rows of one metric with its values in column "value".

    A tidy frame (columns metric and value) is filtered on the metric. A wide
    frame with a column named ``metric`` is used as it is.
    """
    if {"metric", "value"} <= set(frame.columns):
        rows = frame[frame["metric"] == metric]
        if rows.empty:
            raise ValueError(
                f"{name} has no rows with metric {metric!r}; its metrics are {sorted(frame['metric'].unique())}."
            )
        return rows
    if metric in frame.columns:
        return frame.assign(value=frame[metric])
    raise ValueError(
        f"{name} has neither columns metric and value nor a column {metric!r}; "
        f"its columns are {list(frame.columns)}."
    )


def _single_task(rows: pd.DataFrame, name: str) -> None:
    if "task" in rows.columns and rows["task"].nunique() > 1:
        raise ValueError(
            f"{name} mixes {rows['task'].nunique()} tasks {sorted(map(str, rows['task'].unique()))}; "
            "select one first, e.g. frame[frame.task == 'cifar10']."
        )


def t_bands(values: pd.DataFrame, by: list[str], confidence_level: float) -> pd.DataFrame:
    """Compute the mean and two-sided t interval of column "value" within each group of ``by``.

    Returns one row per group with columns ``by``, mean, low, high and n. The
    interval is ``mean ± t(1 - (1 - level) / 2, n - 1) s / sqrt(n)``, the
    t interval of ``nbcompare.stats.mean_interval``. Groups with one value get
    NaN bounds.
    """
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be strictly between 0 and 1, got {confidence_level!r}.")
    summary = values.groupby(by, sort=True)["value"].agg(["mean", "std", "count"]).reset_index()
    n = summary["count"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        critical = scipy_stats.t.ppf((1 + confidence_level) / 2, n - 1)
        half_width = critical * summary["std"].to_numpy(dtype=float) / np.sqrt(n)
    half_width = np.where(n >= 2, half_width, np.nan)
    summary["low"] = summary["mean"] - half_width
    summary["high"] = summary["mean"] + half_width
    return summary.rename(columns={"count": "n"}).drop(columns="std")


def _draw_curve(ax: Axes, x, mean, low, high, candidate: str, colour, marker_style: dict, slot=(0, 1)) -> None:
    """Draw one candidate's mean line with markers and its interval as a shaded band.

    ``slot`` is (index, count) of the candidate among the curves. On curves
    with more points than markers, each candidate's markers start at a
    different point, so markers of close curves do not cover each other.
    """
    count = len(x)
    step = max(1, count // _MARKERS_PER_CURVE)
    first = (slot[0] * step) // max(slot[1], 1)
    ax.plot(
        x,
        mean,
        color=colour,
        label=candidate,
        markersize=4,
        markeredgecolor="black",
        markeredgewidth=0.4,
        markevery=(first, step),
        **marker_style,
    )
    finite = np.isfinite(low) & np.isfinite(high)
    if finite.any():
        ax.fill_between(
            np.asarray(x, dtype=float), low, high,
            where=finite, color=colour, alpha=BAND_ALPHA, linewidth=0, gid=BAND_GID,
        )


def _legend(ax: Axes) -> None:
    ax.legend(frameon=False, handlelength=2.2)


# ---------------------------------------------------------------------------
# Sensitivity and learning curves


def _use_log_x(x: np.ndarray, log_x: bool | None, param: str) -> bool:
    """Return whether the x axis is logarithmic: as requested, or when positive values span over 2 decades."""
    if log_x is None:
        return bool(np.all(x > 0) and x.max() / x.min() > _LOG_SPAN)
    if log_x and np.any(x <= 0):
        raise ValueError(
            f"log_x=True needs positive values of {param!r}; got minimum {x.min()!r}. Pass log_x=False."
        )
    return bool(log_x)


def plot_sensitivity(
    frame: pd.DataFrame,
    param: str,
    metric: str,
    *,
    higher_is_better: bool,
    candidate_col: str = "candidate",
    log_x: bool | None = None,
    confidence_level: float = 0.95,
    ax: Axes | None = None,
    palette: Mapping[str, object] | None = None,
    markers: Mapping[str, Mapping[str, str]] | None = None,
) -> Axes:
    """Draw a metric against one hyperparameter's values, one line per candidate with t interval bands.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per trial and metric: a tidy frame with columns ``candidate_col``,
        ``param``, metric and value, or a wide frame with a column named ``metric``.
        Rows of one candidate at one value of ``param`` are the runs (seeds)
        that the mean and interval are computed over. Non-finite values are dropped.
    param : str
        Column with the hyperparameter's numeric value, e.g. "learning_rate".
    metric : str
        The metric drawn on the y axis.
    higher_is_better : bool
        Direction of the metric, written in the y label.
    candidate_col : str, default "candidate"
        Column naming each line.
    log_x : bool, optional
        Logarithmic x axis. None (the default) chooses log when all values are
        positive and the largest is over 100 times the smallest.
    confidence_level : float, default 0.95
        Level of the t interval drawn as a band around each mean.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure of ``rcParams["figure.figsize"]`` is
        created when None; inside ``style(venue=...)`` that is the venue's width.
    palette, markers : mapping, optional
        Colours and marker styles per candidate. Default to
        ``candidate_palette`` and ``candidate_markers`` of the sorted names.

    Returns
    -------
    matplotlib.axes.Axes
        One line per candidate labelled with its name, at the sorted distinct
        values of ``param``, and one band (gid ``"ci-band"``) per candidate
        with at least one value of ``param`` that has two or more runs.

    Raises
    ------
    ValueError
        For missing columns, a metric not in the frame, several tasks in the
        rows, non-numeric ``param`` values or ``log_x=True`` with values <= 0.
    """
    _require_columns(frame, [candidate_col, param], "frame")
    rows = _metric_values(frame, metric, "frame")
    _single_task(rows, "frame")
    try:
        x_values = pd.to_numeric(rows[param])
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"param column {param!r} must hold numbers, e.g. learning rates; got values such as "
            f"{rows[param].iloc[0]!r}."
        ) from error
    rows = pd.DataFrame({"candidate": rows[candidate_col], "x": x_values, "value": rows["value"].astype(float)})
    rows = rows[np.isfinite(rows["value"]) & np.isfinite(rows["x"])]
    if rows.empty:
        raise ValueError(f"frame has no finite values of {metric!r} at finite values of {param!r}.")

    summary = t_bands(rows, ["candidate", "x"], confidence_level)
    candidates = list(pd.unique(rows["candidate"]))
    colours, marker_styles = _styles(candidates, palette, markers)
    ax = _new_axes(ax)
    for index, candidate in enumerate(candidates):
        line = summary[summary["candidate"] == candidate]
        _draw_curve(ax, line["x"].to_numpy(), line["mean"].to_numpy(), line["low"].to_numpy(),
                    line["high"].to_numpy(), candidate, colours[candidate], marker_styles[candidate],
                    (index, len(candidates)))

    if _use_log_x(summary["x"].to_numpy(dtype=float), log_x, param):
        ax.set_xscale("log")
    ax.set_xlabel(param)
    ax.set_ylabel(f"{metric_label(metric, higher_is_better)}\n{ci_text(confidence_level)} over runs")
    _legend(ax)
    return ax


def plot_learning_curves(
    history: pd.DataFrame,
    metric: str,
    *,
    confidence_level: float = 0.95,
    higher_is_better: bool | None = None,
    ax: Axes | None = None,
    palette: Mapping[str, object] | None = None,
    markers: Mapping[str, Mapping[str, str]] | None = None,
) -> Axes:
    """Draw each candidate's per-step mean over seeds with a t interval band.

    Parameters
    ----------
    history : pandas.DataFrame
        Learning curves as ``ResultSet.history()`` returns them: columns
        candidate, seed, step, metric and value (task and trial_id optional).
        Several rows of one seed at one step are averaged first, so every seed
        counts once. Non-finite values are dropped.
    metric : str
        The metric drawn on the y axis.
    confidence_level : float, default 0.95
        Level of the t interval over seeds at each step.
    higher_is_better : bool, optional
        Direction of the metric, written in the y label when given.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure of ``rcParams["figure.figsize"]`` is created when None.
    palette, markers : mapping, optional
        Colours and marker styles per candidate.

    Returns
    -------
    matplotlib.axes.Axes
        One line per candidate labelled with its name, at its sorted steps, and
        one band (gid ``"ci-band"``) per candidate with two or more seeds at some step.
    """
    _require_columns(history, ["candidate", "seed", "step"], "history")
    rows = _metric_values(history, metric, "history")
    _single_task(rows, "history")
    rows = rows[np.isfinite(rows["value"].astype(float))]
    if rows.empty:
        raise ValueError(f"history has no finite values of {metric!r}.")

    per_seed = rows.groupby(["candidate", "seed", "step"], sort=True)["value"].mean().reset_index()
    summary = t_bands(per_seed, ["candidate", "step"], confidence_level)
    candidates = list(pd.unique(rows["candidate"]))
    colours, marker_styles = _styles(candidates, palette, markers)
    ax = _new_axes(ax)
    for index, candidate in enumerate(candidates):
        line = summary[summary["candidate"] == candidate]
        _draw_curve(ax, line["step"].to_numpy(), line["mean"].to_numpy(), line["low"].to_numpy(),
                    line["high"].to_numpy(), candidate, colours[candidate], marker_styles[candidate],
                    (index, len(candidates)))

    seeds = per_seed.groupby("candidate")["seed"].nunique()
    seed_text = f"{seeds.min()}" if seeds.min() == seeds.max() else f"{seeds.min()}-{seeds.max()}"
    name = metric if higher_is_better is None else metric_label(metric, higher_is_better)
    ax.set_xlabel("step")
    ax.set_ylabel(f"{name}\n{ci_text(confidence_level)} over {seed_text} seeds")
    _legend(ax)
    return ax


# ---------------------------------------------------------------------------
# Performance profile


def _score_arrays(scores) -> dict[str, np.ndarray]:
    from nbcompare.stats._aggregates import score_arrays

    return score_arrays(scores)


def _generator(rng) -> np.random.Generator:
    from nbcompare.stats._bootstrap import as_generator

    return as_generator(rng)


def _check_level(confidence_level: float) -> None:
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be strictly between 0 and 1, got {confidence_level!r}.")


def _check_resamples(n_resamples: int) -> None:
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}; pass e.g. 2000.")


def profile_fractions(array: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """Return, for each tau, the fraction of the runs x tasks scores of ``array`` above tau."""
    return (array[:, :, None] > taus).mean(axis=(0, 1))


def bootstrap_profile(
    array: np.ndarray, taus: np.ndarray, n_resamples: int, generator: np.random.Generator
) -> np.ndarray:
    """Return stratified bootstrap resamples of the score profile, an array of shape (n_resamples, n_taus).

    Each resample draws n_runs runs with replacement within each task. The
    fraction above tau is then the count-weighted mean of the indicators
    ``score[run, task] > tau``, computed for all taus at once as one matrix
    product of the draw counts (resamples x runs*tasks) with the indicators
    (runs*tasks x taus).
    """
    n_runs, n_tasks = array.shape
    above = (array[:, :, None] > taus).reshape(n_runs * n_tasks, taus.size).astype(float)
    per_chunk = max(1, _PROFILE_CHUNK_ELEMENTS // (n_runs * n_tasks))
    fractions = np.empty((n_resamples, taus.size))
    for start in range(0, n_resamples, per_chunk):
        stop = min(start + per_chunk, n_resamples)
        draws = generator.integers(0, n_runs, size=(stop - start, n_runs, n_tasks))
        # counts[b, r, m]: how often run r of task m was drawn in resample b.
        flat = (np.arange(stop - start)[:, None, None] * n_runs + draws) * n_tasks + np.arange(n_tasks)
        counts = np.bincount(flat.ravel(), minlength=(stop - start) * n_runs * n_tasks)
        counts = counts.reshape(stop - start, n_runs * n_tasks)
        fractions[start:stop] = counts @ above / (n_runs * n_tasks)
    return fractions


def _default_taus(arrays: Mapping[str, np.ndarray]) -> np.ndarray:
    low = min(float(array.min()) for array in arrays.values())
    high = max(float(array.max()) for array in arrays.values())
    if low == high:
        low, high = low - 0.5, high + 0.5
    return np.linspace(low, high, _DEFAULT_TAU_COUNT)


def plot_performance_profile(
    scores,
    *,
    taus: Sequence[float] | None = None,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    rng=None,
    ax: Axes | None = None,
    palette: Mapping[str, object] | None = None,
    markers: Mapping[str, Mapping[str, str]] | None = None,
) -> Axes:
    """Draw each candidate's run-score distribution, the fraction of runs scoring above tau, with bootstrap bands.

    Parameters
    ----------
    scores : mapping or pandas.DataFrame
        Candidate name -> array of shape (n_runs, n_tasks), or a tidy frame of
        one metric with columns candidate, task, seed and value, as for
        ``nbcompare.stats.aggregate_interval``. Scores of different tasks
        should share a scale (e.g. normalised scores), because every run of
        every task counts equally.
    taus : sequence of float, optional
        Thresholds on the x axis. Default: 101 evenly spaced values from the
        lowest to the highest score of all candidates.
    n_resamples : int, default 2000
        Bootstrap resamples per candidate.
    confidence_level : float, default 0.95
        Level of the percentile band at each tau.
    rng : numpy.random.Generator, int or None
        Source of the resamples. Candidates are resampled in input order from
        one generator, so the same int seed draws the same figure.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure of ``rcParams["figure.figsize"]`` is created when None.
    palette, markers : mapping, optional
        Colours and marker styles per candidate.

    Returns
    -------
    matplotlib.axes.Axes
        One line per candidate labelled with its name, its y data the fraction
        of all runs x tasks scores strictly above each tau, and one band
        (gid ``"ci-band"``) per candidate.

    Notes
    -----
    With the same number of runs on every task, the fraction of all scores
    above tau equals the mean over tasks of each task's fraction, the
    definition of Agarwal et al. (2021). The band resamples runs within each
    task and keeps the tasks fixed, so it covers run-to-run variability only.
    """
    _check_level(confidence_level)
    _check_resamples(n_resamples)
    arrays = _score_arrays(scores)
    tau_values = _default_taus(arrays) if taus is None else np.sort(np.asarray(taus, dtype=float))
    if tau_values.ndim != 1 or tau_values.size == 0 or not np.all(np.isfinite(tau_values)):
        raise ValueError(f"taus must be a non-empty 1-D sequence of finite numbers; got {taus!r}.")
    generator = _generator(rng)
    colours, marker_styles = _styles(list(arrays), palette, markers)
    tail = (1 - confidence_level) / 2

    ax = _new_axes(ax)
    for index, (candidate, array) in enumerate(arrays.items()):
        fractions = profile_fractions(array, tau_values)
        resampled = bootstrap_profile(array, tau_values, int(n_resamples), generator)
        low, high = np.quantile(resampled, [tail, 1 - tail], axis=0)
        _draw_curve(ax, tau_values, fractions, low, high, candidate, colours[candidate], marker_styles[candidate],
                    (index, len(arrays)))

    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(r"score threshold $\tau$")
    ax.set_ylabel(
        f"fraction of runs with score > $\\tau$\n{percent_text(confidence_level)} stratified bootstrap CI"
    )
    _legend(ax)
    return ax


# ---------------------------------------------------------------------------
# Probability of improvement


def _improvement_results(pairs_or_scores, pairs, n_resamples, confidence_level, rng) -> list:
    """Return ImprovementProbability results, given or computed from scores for ``pairs``."""
    from nbcompare.stats import probability_of_improvement
    from nbcompare.stats._aggregates import ImprovementProbability

    if isinstance(pairs_or_scores, ImprovementProbability):
        return [pairs_or_scores]
    if not isinstance(pairs_or_scores, (Mapping, pd.DataFrame)):
        results = list(pairs_or_scores)
        wrong = [type(item).__name__ for item in results if not isinstance(item, ImprovementProbability)]
        if wrong or not results:
            raise TypeError(
                "pairs_or_scores must be scores (a mapping or tidy frame) or a non-empty list of "
                f"results of nbcompare.stats.probability_of_improvement; got items of type {wrong or 'none'}."
            )
        return results

    arrays = _score_arrays(pairs_or_scores)
    pair_list = list(itertools.combinations(arrays, 2)) if pairs is None else [tuple(pair) for pair in pairs]
    generator = _generator(rng)
    results = []
    for x, y in pair_list:
        for name in (x, y):
            if name not in arrays:
                raise ValueError(f"pairs names {name!r}, which is not in scores; candidates: {list(arrays)}.")
        results.append(probability_of_improvement(
            arrays[x], arrays[y], n_resamples=n_resamples, confidence_level=confidence_level,
            rng=generator, labels=(x, y),
        ))
    return results


def plot_probability_of_improvement(
    pairs_or_scores,
    ax: Axes | None = None,
    *,
    pairs: Iterable[tuple[str, str]] | None = None,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    rng=None,
    palette: Mapping[str, object] | None = None,
    markers: Mapping[str, Mapping[str, str]] | None = None,
) -> Axes:
    """Draw P(X > Y) with its stratified bootstrap interval for each pair, one row per pair.

    Parameters
    ----------
    pairs_or_scores : scores, ImprovementProbability or list of them
        Either scores as for ``nbcompare.stats.aggregate_interval`` (candidate
        -> (n_runs, n_tasks) array, or a tidy frame), from which the
        probabilities are computed, or results of
        ``nbcompare.stats.probability_of_improvement``, drawn as they are.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure of ``rcParams["figure.figsize"]`` is created when None.
    pairs : iterable of (X, Y), optional
        Pairs to compute from scores. Default: every pair (X, Y) with X before
        Y in the candidate order.
    n_resamples, confidence_level, rng
        Passed to ``probability_of_improvement`` when computing from scores.
        One generator draws all pairs in order, so an int seed fixes the figure.
    palette, markers : mapping, optional
        Colours and marker styles per candidate. Each row takes the colour and
        marker of its X.

    Returns
    -------
    matplotlib.axes.Axes
        One errorbar container per pair, labelled "X > Y", with the estimate as
        its point and the interval as its horizontal error bar, the first pair
        on top, and a dashed line (gid ``"reference-line"``) at 0.5.
    """
    results = _improvement_results(pairs_or_scores, pairs, n_resamples, confidence_level, rng)
    # Every candidate of the pairs gets its colour, so colours match other figures of the same candidates.
    names = list(dict.fromkeys(name for result in results for name in (result.label_x, result.label_y)))
    colours, marker_styles = _styles(names, palette, markers)
    ax = _new_axes(ax)

    for row, result in enumerate(results):
        ax.errorbar(
            result.estimate,
            row,
            xerr=[[result.estimate - result.low], [result.high - result.estimate]],
            fmt=marker_styles[result.label_x]["marker"],
            color=colours[result.label_x],
            markeredgecolor="black",
            markeredgewidth=0.5,
            markersize=5,
            elinewidth=1.6,
            capsize=2.5,
            label=f"{result.label_x} > {result.label_y}",
        )
    ax.axvline(0.5, color="0.45", linestyle="--", linewidth=0.8, zorder=0, gid=REFERENCE_GID)

    lows = [result.low for result in results] + [0.5]
    highs = [result.high for result in results] + [0.5]
    margin = 0.05 * max(max(highs) - min(lows), 0.1)
    ax.set_xlim(max(0.0, min(lows) - margin), min(1.0, max(highs) + margin))
    ax.set_yticks(range(len(results)), labels=[f"P({r.label_x} > {r.label_y})" for r in results])
    ax.set_ylim(len(results) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    levels = {result.confidence_level for result in results}
    level_text = percent_text(levels.pop()) if len(levels) == 1 else "mixed-level"
    ax.set_xlabel(f"probability of improvement, ties counted half\n{level_text} stratified bootstrap CI")
    return ax


# ---------------------------------------------------------------------------
# Aggregate intervals


def _interval_axes(axes, count: int) -> tuple[list, bool]:
    """Return ``count`` axes, from ``axes`` or a new one-row figure, and whether the figure is new."""
    if axes is None:
        import matplotlib.pyplot as plt

        fig, new_axes = plt.subplots(1, count, sharey=True, layout="constrained", squeeze=False)
        return list(new_axes[0]), True
    from matplotlib.axes import Axes

    axes_list = [axes] if isinstance(axes, Axes) else list(np.ravel(axes))
    if len(axes_list) != count:
        raise ValueError(f"axes has {len(axes_list)} Axes but statistics has {count}; pass one Axes per statistic.")
    return axes_list, False


def _draw_interval_panel(ax: Axes, result, colours: dict, marker_styles: dict, first: bool) -> None:
    """Draw one aggregate: a bar from low to high and the estimate's marker per candidate, first on top."""
    for row, estimate in enumerate(result.estimates):
        colour = colours[estimate.candidate]
        ax.barh(row, estimate.high - estimate.low, left=estimate.low, height=0.6,
                color=colour, alpha=0.45, linewidth=0, label=f"_{estimate.candidate}")
        ax.plot(estimate.estimate, row, marker=marker_styles[estimate.candidate]["marker"], color=colour,
                markeredgecolor="black", markeredgewidth=0.5, markersize=5, linestyle="none",
                label=estimate.candidate)
    ax.set_yticks(range(len(result.estimates)), labels=[e.candidate for e in result.estimates])
    ax.tick_params(axis="y", length=0, labelleft=first)
    ax.set_ylim(len(result.estimates) - 0.5, -0.5)
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)


def plot_aggregate_intervals(
    scores,
    statistics: Sequence[str] = ("median", "iqm", "mean", "optimality_gap"),
    *,
    axes=None,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    rng=None,
    gap_threshold: float = 1.0,
    palette: Mapping[str, object] | None = None,
    markers: Mapping[str, Mapping[str, str]] | None = None,
) -> list:
    """Draw each candidate's aggregate scores with stratified bootstrap intervals, one panel per statistic.

    Parameters
    ----------
    scores : mapping or pandas.DataFrame
        Candidate name -> array of shape (n_runs, n_tasks), or a tidy frame, as
        for ``nbcompare.stats.aggregate_interval``.
    statistics : sequence of str, default ("median", "iqm", "mean", "optimality_gap")
        Aggregates to draw, any of "mean", "median", "iqm" and "optimality_gap".
    axes : Axes or sequence of Axes, optional
        One Axes per statistic. None creates a one-row figure of
        ``rcParams["figure.figsize"]`` with shared candidate rows.
    n_resamples, confidence_level, rng, gap_threshold
        Passed to ``aggregate_interval``. One generator draws all statistics in
        order, so an int seed fixes the figure.
    palette, markers : mapping, optional
        Colours and marker styles per candidate.

    Returns
    -------
    list of matplotlib.axes.Axes
        One Axes per statistic, in the order of ``statistics``. Each has one
        bar per candidate spanning the interval and one marker line labelled
        with the candidate at the estimate, the first candidate on top.
    """
    from nbcompare.stats import aggregate_interval

    statistics = list(statistics)
    if not statistics:
        raise ValueError("statistics is empty; pass at least one of 'median', 'iqm', 'mean', 'optimality_gap'.")
    generator = _generator(rng)
    results = [
        aggregate_interval(scores, statistic, n_resamples=n_resamples, confidence_level=confidence_level,
                           rng=generator, gap_threshold=gap_threshold)
        for statistic in statistics
    ]
    candidates = list(results[0].candidates)
    colours, marker_styles = _styles(candidates, palette, markers)
    axes_list, new_figure = _interval_axes(axes, len(statistics))
    method = f"{percent_text(confidence_level)} stratified bootstrap CI"

    for index, (ax, result) in enumerate(zip(axes_list, results)):
        _draw_interval_panel(ax, result, colours, marker_styles, first=index == 0 or not new_figure)
        name = _STATISTIC_NAMES[result.statistic]
        if result.statistic == "optimality_gap":
            name += "\n(lower is better)"
        ax.set_xlabel(name if new_figure else f"{name}\n{method}")
    if new_figure:
        axes_list[0].get_figure().supxlabel(method)
    return axes_list
