"""Heatmap of mean ranks: one row per candidate, one column per metric."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._common import NOTE_COLOUR, axes_or_new, text_width_inches
from ._labels import direction_text

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

RANK_CELL_GID = "rank-cell"
MISSING_CELL_GID = "missing-cell"
AGGREGATE = "aggregate"

_RANK_FRAME_COLUMNS = ("metric", "candidate", "mean_rank")
_COLOUR_MAP = "Blues_r"


@dataclass(frozen=True)
class _RankTable:
    """Mean ranks (candidates x columns, best row first) with one label per column."""

    ranks: pd.DataFrame
    column_labels: tuple[str, ...]
    has_aggregate: bool


def plot_rank_heatmap(data_or_analysis, ax: Axes | None = None) -> Axes:
    """Draw each candidate's mean rank per metric as an annotated heatmap, best candidate on top.

    Ranks are within-block ranks in each metric's own direction, so rank 1 is
    the highest value of a higher-is-better metric and the lowest value of a
    lower-is-better one. Rows are sorted by the aggregate rank, and candidates
    without one come last, sorted by name. A cell without a rank shows a
    hatched "n/a", never 0.

    Parameters
    ----------
    data_or_analysis : Analysis or pandas.DataFrame
        An ``Analysis`` from ``nbcompare.stats.analyze``, whose
        ``ranks_frame()`` gives the ranks and whose aggregate is the unweighted
        mean over the metrics, or the frame that
        ``nbcompare.stats.rank_candidates`` returns, whose ``"aggregate"`` rows
        give the last column.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure is created when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Cell texts have gid ``"rank-cell"`` and sit at
        (column, row) in data coordinates. Each missing cell also gets a hatched
        rectangle with gid ``"missing-cell"``.

    Raises
    ------
    TypeError
        For any other input.
    ValueError
        For a frame or analysis without any rank.
    """
    table = _rank_table(data_or_analysis)
    ranks = table.ranks
    candidates = [str(name) for name in ranks.index]
    ax = axes_or_new(ax, _heatmap_figsize(candidates, table.column_labels))

    import matplotlib as mpl

    values = ranks.to_numpy(dtype=float)
    colour_map = mpl.colormaps[_COLOUR_MAP].with_extremes(bad="white")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=colour_map, vmin=1, vmax=max(len(candidates), 2),
                      aspect="auto", interpolation="nearest")
    for row in range(values.shape[0]):
        for column in range(values.shape[1]):
            _annotate_cell(ax, image, row, column, values[row, column])

    if table.has_aggregate and values.shape[1] > 1:
        ax.axvline(values.shape[1] - 1.5, color="white", linewidth=3)
    # Slanted labels keep the cells narrow when metric names are long.
    ax.set_xticks(np.arange(values.shape[1]), labels=table.column_labels, rotation=35,
                  ha="left", rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.set_yticks(np.arange(len(candidates)), labels=candidates)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    order = "aggregate rank" if table.has_aggregate else "mean rank"
    ax.set_xlabel(f"mean rank, 1 = best in each metric's direction; rows sorted by {order}",
                  color=NOTE_COLOUR)
    return ax


def _rank_table(data_or_analysis) -> _RankTable:
    """Return the candidates x columns mean ranks of an Analysis or a rank_candidates frame."""
    import pandas as pd

    if hasattr(data_or_analysis, "comparisons") and hasattr(data_or_analysis, "ranks_frame"):
        table = _analysis_table(data_or_analysis)
    elif isinstance(data_or_analysis, pd.DataFrame) and set(_RANK_FRAME_COLUMNS) <= set(data_or_analysis.columns):
        table = _frame_table(data_or_analysis)
    else:
        raise TypeError(
            "data_or_analysis must be an Analysis from nbcompare.stats.analyze or the frame that "
            f"nbcompare.stats.rank_candidates returns; got {type(data_or_analysis).__name__}."
        )
    if table.ranks.empty or not np.isfinite(table.ranks.to_numpy(dtype=float)).any():
        raise ValueError("data_or_analysis contains no mean rank; pass the result of analyze or rank_candidates.")
    return table


def _analysis_table(analysis) -> _RankTable:
    """Collect the per-metric mean ranks of an Analysis and add their unweighted mean."""
    ranks = analysis.ranks_frame()
    labels = [
        f"{comparison.metric}\n({direction_text(comparison.higher_is_better)})"
        for comparison in analysis.comparisons
    ]
    has_aggregate = ranks.shape[1] > 1
    if has_aggregate:
        # A candidate missing from a metric has no aggregate, as in rank_candidates.
        ranks[AGGREGATE] = ranks.mean(axis=1, skipna=False)
        labels.append(AGGREGATE)
    sort_by = AGGREGATE if has_aggregate else ranks.columns[0]
    return _RankTable(_sorted_rows(ranks, sort_by), tuple(labels), has_aggregate)


def _frame_table(frame) -> _RankTable:
    """Pivot a rank_candidates frame to candidates x metrics, the aggregate last."""
    metrics = list(dict.fromkeys(str(metric) for metric in frame["metric"]))
    has_aggregate = AGGREGATE in metrics
    metrics = [metric for metric in metrics if metric != AGGREGATE] + ([AGGREGATE] if has_aggregate else [])
    ranks = frame.pivot_table(index="candidate", columns="metric", values="mean_rank", aggfunc="first",
                              dropna=False)
    ranks = ranks.reindex(columns=metrics).astype(float)
    ranks.columns.name = "metric"
    labels = [_frame_column_label(frame, metric) for metric in metrics]
    sort_by = AGGREGATE if has_aggregate else metrics[0]
    return _RankTable(_sorted_rows(ranks, sort_by), tuple(labels), has_aggregate)


def _frame_column_label(frame, metric: str) -> str:
    """Label a metric column with its number of tasks, e.g. "accuracy\\n8 tasks"."""
    if metric == AGGREGATE or "n_tasks" not in frame.columns:
        return metric
    counts = frame.loc[frame["metric"] == metric, "n_tasks"].dropna()
    if counts.empty:
        return metric
    count = int(counts.iloc[0])
    return f"{metric}\n{count} task" if count == 1 else f"{metric}\n{count} tasks"


def _sorted_rows(ranks, sort_by: str):
    """Sort rows by ``sort_by`` rank, then name, with missing ranks last."""
    keys = sorted(
        ranks.index,
        key=lambda name: (math.isnan(ranks.at[name, sort_by]), np.nan_to_num(ranks.at[name, sort_by]), str(name)),
    )
    return ranks.loc[keys]


def _heatmap_figsize(candidates: list[str], column_labels) -> tuple[float, float]:
    """Return a figure size with room for the names, the cells and the slanted column labels."""
    label_lines = [line for label in column_labels for line in label.splitlines()]
    label_width = text_width_inches(label_lines, "xtick.labelsize")
    names_width = text_width_inches(candidates, "ytick.labelsize")
    cell_width = 0.6
    # A label slanted at 35 degrees rises by sin(35°) of its length above the cells
    # and reaches cos(35°) of its length to the right of its cell.
    width = names_width + cell_width * len(column_labels) + 0.82 * label_width + 0.3
    return (width, 0.3 * len(candidates) + 0.6 + 0.58 * label_width + 0.3)


def _annotate_cell(ax: Axes, image, row: int, column: int, rank: float) -> None:
    """Write one cell's rank with 2 decimals, or hatch the cell and write "n/a" when it has none."""
    if not np.isfinite(rank):
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.7",
                               linewidth=0, gid=MISSING_CELL_GID))
        ax.text(column, row, "n/a", ha="center", va="center", fontsize="small", color=NOTE_COLOUR,
                backgroundcolor="white", gid=RANK_CELL_GID)
        return
    red, green, blue = image.cmap(image.norm(rank))[:3]
    colour = "black" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "white"
    ax.text(column, row, f"{rank:.2f}", ha="center", va="center", fontsize="small", color=colour,
            gid=RANK_CELL_GID)
