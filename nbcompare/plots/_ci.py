"""Per-candidate figures of one metric: means with confidence intervals, and per-block values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ._common import annotate_row, axes_or_new, check_comparison, finite_column, is_finite, text_width_inches
from ._labels import blocks_text, ci_text, metric_label
from ._palette import resolve_palette

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Half the height of the band that jittered seed points spread over around a row.
_JITTER_HALF_WIDTH = 0.18
_GOLDEN_RATIO_FRACTION = 0.6180339887498949

BLOCK_LINE_GID = "block-line"
BAR_GID = "mean-bar"
BOX_MEDIAN_GID = "box-median"
SEED_POINTS_GID = "seed-points"


def _row_figsize(candidates: list[str], xlabel: str) -> tuple[float, float]:
    """Return a figure size with one row per candidate and room for the names and the x label."""
    names_width = text_width_inches(candidates, "ytick.labelsize")
    label_width = text_width_inches(xlabel.splitlines(), "axes.labelsize")
    width = names_width + 0.35 + max(2.5, label_width + 0.1)
    return (width, 1.1 + 0.28 * max(len(candidates), 1))


def jitter_offsets(count: int) -> np.ndarray:
    """Return ``count`` deterministic vertical offsets spread over the jitter band.

    The offsets follow the golden-ratio sequence, so they never repeat and do not
    line up with the block order the way evenly spaced offsets would.
    """
    fractions = (np.arange(count) * _GOLDEN_RATIO_FRACTION) % 1.0
    return (fractions - 0.5) * 2 * _JITTER_HALF_WIDTH


def _set_candidate_rows(ax: Axes, candidates: list[str]) -> None:
    """Put one y tick per candidate, the first candidate at the top."""
    ax.set_yticks(np.arange(len(candidates)), labels=candidates)
    ax.set_ylim(len(candidates) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)


def _block_unit(comparison) -> str:
    return str(getattr(comparison, "blocks", "block") or "block")


def _draw_jittered_seeds(ax: Axes, comparison, candidates: list[str], colours: Mapping) -> None:
    """Draw each candidate's finite per-block values as small dots around its row."""
    for row, candidate in enumerate(candidates):
        values = finite_column(comparison.matrix, candidate)
        if values.size == 0:
            continue
        ax.scatter(
            values,
            row + jitter_offsets(values.size),
            s=9,
            color=colours[candidate],
            alpha=0.55,
            linewidths=0,
            zorder=2,
            gid=SEED_POINTS_GID,
        )


def _metric_ci_xlabel(comparison, show_seeds: bool) -> str:
    """Name the metric, its direction, the interval and the blocks behind it."""
    detail = f"{ci_text(comparison.confidence_level)} over {blocks_text(comparison)}"
    if show_seeds:
        seeds_note = f"dots: single {_block_unit(comparison)}s"
        # Start a third label line rather than widen a single-column figure.
        detail += f"\n{seeds_note}" if len(detail) > 45 else f", {seeds_note}"
    return f"{metric_label(comparison.metric, comparison.higher_is_better)}\n{detail}"


def plot_metric_ci(
    comparison,
    ax: Axes | None = None,
    palette: Mapping[str, object] | None = None,
    show_seeds: bool = True,
    kind: str = "point",
) -> Axes:
    """Draw each candidate's mean with its t confidence interval, best candidate on top.

    Parameters
    ----------
    comparison : Comparison
        Result of ``nbcompare.stats.compare``. Means and interval ends come from
        ``comparison.summary`` and the per-block values from ``comparison.matrix``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure is created when None.
    palette : mapping of candidate to colour, optional
        Defaults to ``candidate_palette(sorted(comparison.candidates))``.
    show_seeds : bool, default True
        Also draw each block's value as a small dot, jittered vertically by a
        fixed sequence so the figure is the same on every run.
    kind : {"point", "bar"}, default "point"
        ``"point"`` draws a marker at the mean (a forest plot); ``"bar"`` draws a
        horizontal bar from zero to the mean, with the same interval.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Each candidate is one errorbar container labelled with
        its name. A candidate without a finite mean gets a "no finite values" note
        on its row, and one without a finite interval gets a "no CI" note.
    """
    check_comparison(comparison)
    if kind not in ("point", "bar"):
        raise ValueError(f"kind must be 'point' or 'bar', got {kind!r}.")
    candidates = list(comparison.candidates)
    colours = resolve_palette(palette, candidates)
    summaries = {summary.candidate: summary for summary in comparison.summary}
    xlabel = _metric_ci_xlabel(comparison, show_seeds)
    ax = axes_or_new(ax, _row_figsize(candidates, xlabel))

    if show_seeds:
        _draw_jittered_seeds(ax, comparison, candidates, colours)

    for row, candidate in enumerate(candidates):
        summary = summaries.get(candidate)
        if summary is None or not is_finite(summary.mean):
            annotate_row(ax, row, "no finite values")
            continue

        xerr = None
        if is_finite(summary.ci_low) and is_finite(summary.ci_high):
            xerr = [[max(summary.mean - summary.ci_low, 0.0)], [max(summary.ci_high - summary.mean, 0.0)]]
        else:
            annotate_row(ax, row, f"no CI (n = {summary.n})")
        if kind == "bar":
            ax.barh(row, summary.mean, height=0.6, color=colours[candidate], alpha=0.85, zorder=1,
                    gid=BAR_GID)
        ax.errorbar(
            summary.mean,
            row,
            xerr=xerr,
            fmt="o",
            color=colours[candidate],
            markersize=5,
            markeredgecolor="black",
            markeredgewidth=0.6,
            elinewidth=1.4,
            capsize=3,
            label=candidate,
            zorder=3,
        )

    _set_candidate_rows(ax, candidates)
    ax.set_xlabel(xlabel)
    return ax


def plot_seed_points(
    comparison,
    ax: Axes | None = None,
    palette: Mapping[str, object] | None = None,
) -> Axes:
    """Draw every per-block value, joining the values of one block across candidates.

    The blocks (seeds or tasks) pair the candidates' values, so a thin grey line
    links the values of each block from row to row. A missing value breaks its
    block's line rather than being drawn at zero.

    Parameters
    ----------
    comparison : Comparison
        Result of ``nbcompare.stats.compare``. Values come from ``comparison.matrix``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure is created when None.
    palette : mapping of candidate to colour, optional
        Defaults to ``candidate_palette(sorted(comparison.candidates))``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Each block with at least two finite values is one
        line with gid ``"block-line"``, and each candidate's values are one
        scatter collection labelled with its name.
    """
    check_comparison(comparison)
    candidates = list(comparison.candidates)
    colours = resolve_palette(palette, candidates)
    matrix = comparison.matrix
    unit = _block_unit(comparison)
    xlabel = (
        f"{metric_label(comparison.metric, comparison.higher_is_better)}\n"
        f"one dot per {unit}, a grey line joins the values of one {unit}"
    )
    ax = axes_or_new(ax, _row_figsize(candidates, xlabel))
    rows = np.arange(len(candidates), dtype=float)
    # Each block sits at its own small vertical offset, so blocks with equal values
    # (common for accuracy on a small test set) stay visible instead of overlapping.
    offsets = _block_offsets(len(matrix))

    for offset, (_, block_values) in zip(offsets, matrix.iterrows()):
        values = np.array([block_values.get(name, np.nan) for name in candidates], dtype=float)
        if np.isfinite(values).sum() < 2:
            continue
        ax.plot(values, rows + offset, color="0.7", linewidth=0.6, zorder=1, gid=BLOCK_LINE_GID)

    for row, candidate in enumerate(candidates):
        column = matrix[candidate].to_numpy(dtype=float) if candidate in matrix else np.array([])
        finite = np.isfinite(column)
        values = column[finite]
        if values.size == 0:
            annotate_row(ax, row, "no finite values")
            continue
        ax.scatter(
            values,
            row + offsets[finite],
            s=14,
            color=colours[candidate],
            edgecolors="white",
            linewidths=0.4,
            zorder=2,
            label=candidate,
        )

    _set_candidate_rows(ax, candidates)
    ax.set_xlabel(xlabel)
    return ax


def _block_offsets(n_blocks: int) -> np.ndarray:
    """Spread ``n_blocks`` vertical offsets evenly over a band of ±0.25 around a row."""
    if n_blocks <= 1:
        return np.zeros(n_blocks)
    return np.linspace(-0.25, 0.25, n_blocks)


def plot_seed_distribution(
    comparison,
    ax: Axes | None = None,
    palette: Mapping[str, object] | None = None,
    kind: str = "box",
) -> Axes:
    """Draw the distribution of each candidate's per-block values as a box or violin.

    The per-block values (``comparison.matrix``) are drawn on top as dots, so a
    box over five seeds is never mistaken for a large sample.

    Parameters
    ----------
    comparison : Comparison
        Result of ``nbcompare.stats.compare``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure is created when None.
    palette : mapping of candidate to colour, optional
        Defaults to ``candidate_palette(sorted(comparison.candidates))``.
    kind : {"box", "violin"}, default "box"
        A box plot (median, quartiles, whiskers at 1.5 IQR) or a violin (kernel
        density estimate, matplotlib's default Scott bandwidth).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, one row per candidate, best candidate on top.
    """
    check_comparison(comparison)
    if kind not in ("box", "violin"):
        raise ValueError(f"kind must be 'box' or 'violin', got {kind!r}.")
    candidates = list(comparison.candidates)
    colours = resolve_palette(palette, candidates)
    unit = _block_unit(comparison)
    xlabel = (f"{metric_label(comparison.metric, comparison.higher_is_better)}\n"
              f"{kind} over {blocks_text(comparison)}, dots: single {unit}s")
    ax = axes_or_new(ax, _row_figsize(candidates, xlabel))

    rows, samples = [], []
    for row, candidate in enumerate(candidates):
        values = finite_column(comparison.matrix, candidate)
        if values.size == 0:
            annotate_row(ax, row, "no finite values")
            continue
        rows.append(row)
        samples.append(values)
    if kind == "box":
        _draw_boxes(ax, samples, rows, [colours[candidates[r]] for r in rows])
    else:
        _draw_violins(ax, samples, rows, [colours[candidates[r]] for r in rows])
    _draw_jittered_seeds(ax, comparison, candidates, colours)

    _set_candidate_rows(ax, candidates)
    ax.set_xlabel(xlabel)
    return ax


def _draw_boxes(ax: Axes, samples: list, rows: list[int], colours: list) -> None:
    if not samples:
        return
    parts = ax.boxplot(samples, positions=rows, orientation="horizontal", widths=0.5,
                       patch_artist=True, showfliers=False, manage_ticks=False)
    for box, colour in zip(parts["boxes"], colours):
        box.set_facecolor(colour)
        box.set_alpha(0.35)
        box.set_edgecolor("0.2")
    for median in parts["medians"]:
        median.set_color("black")
        median.set_gid(BOX_MEDIAN_GID)


def _draw_violins(ax: Axes, samples: list, rows: list[int], colours: list) -> None:
    # A violin needs at least two distinct values to estimate a density.
    drawable = [(s, r, c) for s, r, c in zip(samples, rows, colours) if np.unique(s).size > 1]
    if not drawable:
        return
    samples, rows, colours = zip(*drawable)
    parts = ax.violinplot(list(samples), positions=list(rows), orientation="horizontal", widths=0.7,
                          showmedians=True, showextrema=False)
    for body, colour in zip(parts["bodies"], colours):
        body.set_facecolor(colour)
        body.set_alpha(0.35)
    parts["cmedians"].set_color("black")
