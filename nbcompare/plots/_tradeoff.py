"""Scatter of two metrics per candidate, such as accuracy against parameter count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ._common import axes_or_new, text_width_inches
from ._labels import ci_text, metric_label
from ._palette import resolve_palette

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

_REQUIRED_COLUMNS = ("candidate", "metric", "value")

# With log_x=None the x axis switches to log scale when every mean x is positive
# and the largest exceeds the smallest by more than this factor (two decades).
_LOG_SPAN_RATIO = 100.0

# Linear x axes whose largest mean reaches this value get SI-prefixed tick labels.
_ENGINEERING_TICKS_FROM = 1e4

PARETO_GID = "pareto-front"
PARETO_EDGE_COLOUR = "black"


def _check_frame(frame, metrics: tuple[str, ...]) -> None:
    """Raise ValueError unless ``frame`` is a long results frame containing ``metrics``."""
    missing_columns = [name for name in _REQUIRED_COLUMNS if name not in getattr(frame, "columns", ())]
    if missing_columns:
        raise ValueError(
            f"frame is missing the columns {missing_columns}; pass the long results frame "
            "with one row per trial and metric (columns candidate, task, seed, metric, value)."
        )
    available = sorted(frame["metric"].dropna().unique().tolist(), key=str)
    for metric in metrics:
        if metric not in available:
            raise ValueError(f"metric {metric!r} is not in frame; the metrics present are {available}.")


def _mean_and_half_width(values: np.ndarray, confidence_level: float) -> tuple[float, float]:
    """Return the mean and the t-interval half-width of the finite ``values``.

    The half-width is NaN for fewer than two values, and the mean is NaN for none.
    """
    from scipy import stats

    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan
    standard_error = values.std(ddof=1) / np.sqrt(values.size)
    quantile = stats.t.ppf((1 + confidence_level) / 2, values.size - 1)
    return mean, float(quantile * standard_error)


def candidate_means(frame, metric: str, confidence_level: float) -> dict[str, tuple[float, float]]:
    """Return each candidate's mean and t-interval half-width of ``metric`` over its trials."""
    rows = frame[frame["metric"] == metric]
    result = {}
    for candidate, group in rows.groupby("candidate", sort=True):
        values = group["value"].to_numpy(dtype=float)
        result[candidate] = _mean_and_half_width(values, confidence_level)
    return result


def pareto_mask(x: np.ndarray, y: np.ndarray, x_higher_is_better: bool, y_higher_is_better: bool) -> np.ndarray:
    """Return True for each point that no other point dominates.

    A point dominates another when it is at least as good on both axes and
    strictly better on one. Identical points do not dominate each other.
    """
    x_score = np.asarray(x, dtype=float) * (1 if x_higher_is_better else -1)
    y_score = np.asarray(y, dtype=float) * (1 if y_higher_is_better else -1)
    at_least_as_good = (x_score[:, None] >= x_score[None, :]) & (y_score[:, None] >= y_score[None, :])
    strictly_better = (x_score[:, None] > x_score[None, :]) | (y_score[:, None] > y_score[None, :])
    dominated = (at_least_as_good & strictly_better).any(axis=0)
    return ~dominated


def _use_log_x(x_means: np.ndarray, log_x: bool | None, x: str) -> bool:
    """Decide the x scale, and raise ValueError when log scale is requested for non-positive means."""
    if log_x is None:
        positive = x_means[x_means > 0]
        return bool(positive.size == x_means.size and positive.size > 1
                    and positive.max() / positive.min() > _LOG_SPAN_RATIO)
    if log_x and (x_means <= 0).any():
        raise ValueError(
            f"log_x=True needs positive means of {x!r}, but some are <= 0; pass log_x=False."
        )
    return bool(log_x)


def plot_tradeoff(
    frame: pd.DataFrame,
    x: str,
    y: str,
    ax: Axes | None = None,
    palette: Mapping[str, object] | None = None,
    x_higher_is_better: bool = False,
    y_higher_is_better: bool = True,
    log_x: bool | None = None,
    confidence_level: float = 0.95,
) -> Axes:
    """Draw each candidate at its mean of two metrics and highlight the Pareto-optimal ones.

    Means and t confidence intervals pool all of a candidate's trials in
    ``frame``, over every task and seed, and ignore NaN values. Filter ``frame``
    to one task first for a per-task figure.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long results frame with columns ``candidate``, ``metric`` and ``value``.
    x, y : str
        Metric names for the horizontal and vertical axes, e.g. "parameters" and
        "accuracy".
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure is created when None.
    palette : mapping of candidate to colour, optional
        Defaults to ``candidate_palette(sorted(candidates))``.
    x_higher_is_better, y_higher_is_better : bool
        Directions that decide which candidates are Pareto-optimal.
    log_x : bool, optional
        Log-scale x axis. When None, log scale is used if every mean x is
        positive and they span more than two decades.
    confidence_level : float, default 0.95
        Coverage of the t intervals drawn as error bars, in (0, 1).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Each plotted candidate is one errorbar container
        labelled with its name. Pareto-optimal candidates have a larger marker
        with a black edge, and a dashed line with gid ``"pareto-front"`` joins them.
        Candidates without a finite mean of ``x`` or ``y`` are named in the title.
    """
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level!r}; pass e.g. 0.95.")
    _check_frame(frame, (x, y))

    x_stats = candidate_means(frame, x, confidence_level)
    y_stats = candidate_means(frame, y, confidence_level)
    candidates = sorted(set(x_stats) | set(y_stats), key=str)
    colours = resolve_palette(palette, candidates)
    plotted = [name for name in candidates
               if np.isfinite(x_stats.get(name, (np.nan,))[0]) and np.isfinite(y_stats.get(name, (np.nan,))[0])]
    not_plotted = [name for name in candidates if name not in plotted]

    legend_width = text_width_inches([*map(str, plotted), "(black edge, dashed)"], "legend.fontsize")
    ax = axes_or_new(ax, (3.6 + legend_width + 0.5, 2.9))
    x_means = np.array([x_stats[name][0] for name in plotted])
    y_means = np.array([y_stats[name][0] for name in plotted])
    optimal = pareto_mask(x_means, y_means, x_higher_is_better, y_higher_is_better)

    for index, name in enumerate(plotted):
        _draw_candidate(ax, name, x_stats[name], y_stats[name], colours[name], bool(optimal[index]))
    _draw_pareto_front(ax, x_means[optimal], y_means[optimal])

    if _use_log_x(x_means, log_x, x):
        ax.set_xscale("log")
    else:
        _use_engineering_ticks(ax, x_means)
    interval = ci_text(confidence_level)
    ax.set_xlabel(f"{metric_label(x, x_higher_is_better)}\n{interval}")
    ax.set_ylabel(f"{metric_label(y, y_higher_is_better)}\n{interval}")
    ax.grid(color="0.92", linewidth=0.6)
    ax.set_axisbelow(True)
    if not_plotted:
        ax.set_title(f"not plotted (no finite values): {', '.join(map(str, not_plotted))}",
                     fontsize="small", color="0.35")
    _add_legend(ax, has_points=bool(plotted))
    return ax


def _draw_candidate(ax: Axes, name: str, x_stat, y_stat, colour, optimal: bool) -> None:
    """Draw one candidate's mean point with error bars on both axes."""
    x_mean, x_half = x_stat
    y_mean, y_half = y_stat
    ax.errorbar(
        x_mean,
        y_mean,
        xerr=None if np.isnan(x_half) else x_half,
        yerr=None if np.isnan(y_half) else y_half,
        fmt="o",
        color=colour,
        markersize=7 if optimal else 5,
        markeredgecolor=PARETO_EDGE_COLOUR if optimal else colour,
        markeredgewidth=1.4 if optimal else 0.5,
        elinewidth=1.0,
        capsize=2,
        label=name,
        zorder=3,
    )


def _draw_pareto_front(ax: Axes, x_values: np.ndarray, y_values: np.ndarray) -> None:
    """Join the Pareto-optimal points, sorted by x, with a dashed line."""
    order = np.argsort(x_values, kind="stable")
    ax.plot(x_values[order], y_values[order], linestyle="--", color="0.4", linewidth=0.8,
            zorder=2, gid=PARETO_GID)


def _add_legend(ax: Axes, has_points: bool) -> None:
    """Add a legend of the candidates and the Pareto highlight, right of the axes so it covers no point."""
    if not has_points:
        return
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], marker="o", markersize=7, markerfacecolor="white",
                          markeredgecolor=PARETO_EDGE_COLOUR, markeredgewidth=1.4,
                          linestyle="--", color="0.4", linewidth=0.8))
    labels.append("Pareto-optimal\n(black edge, dashed)")
    ax.legend(handles, labels, fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0),
              borderaxespad=0.0, frameon=False)


def _use_engineering_ticks(ax: Axes, x_means: np.ndarray) -> None:
    """Label a linear x axis of large values as 2M, 10M and so on, instead of with a 1e7 offset."""
    if x_means.size == 0 or np.nanmax(np.abs(x_means)) < _ENGINEERING_TICKS_FROM:
        return
    from matplotlib.ticker import EngFormatter

    ax.xaxis.set_major_formatter(EngFormatter(sep=""))
