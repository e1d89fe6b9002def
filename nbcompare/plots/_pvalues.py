"""Heatmap of the pairwise p-values of one comparison."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from ._common import NOTE_COLOUR, axes_or_new, check_comparison, text_width_inches
from ._labels import (
    P_FLOOR,
    blocks_text,
    display_correction_name,
    display_test_name,
    format_pvalue,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

P_CELL_GID = "p-cell"
SIGNIFICANT_MARK = "*"

# A fixed colour scale, log10(p) from log10(P_FLOOR) to 0, keeps matrices of
# different metrics and studies comparable. Smaller p-values are darker.
_LOG_P_MIN = float(np.log10(P_FLOOR))
_COLOUR_MAP = "viridis"

# Smallest font size, in points, that cell texts shrink to on small axes.
_MIN_CELL_FONT_SIZE = 4.0


def _reject_lookup(comparison) -> dict[tuple[str, str], bool]:
    """Map both orders of every tested pair to its ``reject`` decision."""
    lookup = {}
    for test in comparison.pairwise:
        lookup[(test.model_a, test.model_b)] = bool(test.reject)
        lookup[(test.model_b, test.model_a)] = bool(test.reject)
    return lookup


def _log_pvalues(pvalues: np.ndarray) -> np.ndarray:
    """Return log10 of the p-values clipped to the colour scale, keeping NaN."""
    with np.errstate(divide="ignore"):
        logs = np.log10(pvalues)
    return np.clip(logs, _LOG_P_MIN, 0.0)


def _text_colour(rgba) -> str:
    """Return black or white, whichever reads better on the cell colour ``rgba``."""
    red, green, blue = rgba[:3]
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "black" if luminance > 0.45 else "white"


def _title(comparison, adjusted: bool) -> str:
    """Name the metric, the pairwise test and the p-value shown.

    For example "accuracy: Wilcoxon signed-rank, adjusted p (Holm)".
    """
    test = display_test_name(comparison.pairwise[0].test) if comparison.pairwise else "pairwise test"
    correction = display_correction_name(getattr(comparison, "correction", None))
    if correction is None:
        shown = "unadjusted p (no correction)"
    elif adjusted:
        shown = f"adjusted p ({correction})"
    else:
        shown = "unadjusted p"
    return f"{comparison.metric}: {test}, {shown}"


def _caption(comparison, adjusted: bool, show_effect: bool) -> str:
    """Explain the significance mark, the level, the number of blocks and, when shown, the effect sizes."""
    correction = display_correction_name(getattr(comparison, "correction", None))
    alpha = getattr(comparison, "alpha", 0.05)
    if correction is None:
        decided_on = "p"
    else:
        decided_on = f"{correction}-adjusted p" if not adjusted else "adjusted p"
    caption = f"{SIGNIFICANT_MARK} {decided_on} ≤ α = {alpha:g} (bold), {blocks_text(comparison)}"
    if show_effect:
        caption += f"\nsecond line: {_effect_size_name(comparison)}, row vs column (> 0: row better)"
    return caption


def _effect_size_name(comparison) -> str:
    """Return the effect size name of the pairwise tests, e.g. "rank-biserial"."""
    names = list(dict.fromkeys(test.effect_size_name for test in comparison.pairwise if test.effect_size_name))
    return " / ".join(names) if names else "effect size"


def format_effect(effect: float) -> str:
    """Format an effect size with a sign and 2 decimals ("+0.85", "-0.30"), or "n/a" for NaN."""
    if not np.isfinite(effect):
        return "n/a"
    return f"{effect:+.2f}"


def _draw_colourbar(ax: Axes, image, adjusted: bool, corrected: bool) -> None:
    """Attach a colour bar for ``image`` just right of ``ax``, with ticks at the decades."""
    colourbar_ax = ax.inset_axes([1.04, 0.0, 0.05, 1.0])
    colourbar = ax.figure.colorbar(image, cax=colourbar_ax)
    ticks = np.arange(_LOG_P_MIN, 0.5, 1.0)
    colourbar.set_ticks(ticks, labels=[f"≤{P_FLOOR:g}" if t == _LOG_P_MIN else f"{10**t:g}" for t in ticks])
    colourbar.set_label("adjusted p" if adjusted and corrected else "p")
    colourbar.outline.set_linewidth(0.5)


def _matrix_figsize(candidates: list[str]) -> tuple[float, float]:
    """Return a figure size whose cells fit a bold "0.0123*" and whose margins fit the names."""
    import matplotlib as mpl

    # Cell texts use the "small" size, 0.833 of font.size, and bold adds about 10 % width.
    cell = 0.08 + text_width_inches(["0.0123*"], 1.1 * 0.833 * mpl.rcParams["font.size"])
    label = text_width_inches(candidates, "ytick.labelsize")
    grid = cell * max(len(candidates), 1)
    # The x tick labels are rotated by 40 degrees, so they take sin(40°) ≈ 0.64 of their width in height.
    return (label + grid + 1.4, grid + 0.64 * label + 0.9)


def plot_pvalue_matrix(
    comparison, ax: Axes | None = None, adjusted: bool = True, show_effect: bool = True
) -> Axes:
    """Draw the candidate x candidate p-values as a heatmap with each cell annotated.

    Each off-diagonal cell shows that pair's own p-value from
    ``comparison.p_matrix(adjusted=adjusted)``, formatted by ``format_pvalue``.
    Cells of pairs whose ``reject`` is True get a trailing "*" and bold text, and
    the x label explains the mark. The diagonal stays blank. The colour scale is
    log10(p) from -4 to 0 in every figure, and p-values below 1e-4, an exact 0
    included, get the darkest colour.

    Parameters
    ----------
    comparison : Comparison
        Result of ``nbcompare.stats.compare``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure is created when None. The colour bar is an
        inset just right of these axes.
    adjusted : bool, default True
        Show the p-values adjusted for multiple testing. The marks always follow
        ``reject``, which the adjusted p-values decide.
    show_effect : bool, default True
        Add a second line to each off-diagonal cell with that pair's effect
        size from ``comparison.effect_matrix()``, oriented row vs column:
        positive means the row candidate is better. The x label names the
        effect size. With False each cell shows only its p-value.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Cell texts have gid ``"p-cell"`` and sit at
        (column, row) in data coordinates.
    """
    check_comparison(comparison)
    pvalues_frame = comparison.p_matrix(adjusted=adjusted)
    candidates = [str(name) for name in pvalues_frame.index]
    size = len(candidates)
    ax = axes_or_new(ax, _matrix_figsize(candidates))

    if size < 2 or not comparison.pairwise:
        reason = "fewer than two candidates" if size < 2 else "the comparison contains no pairwise tests"
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"no p-values to show: {reason}", ha="center", va="center",
                transform=ax.transAxes, color=NOTE_COLOUR, gid="note")
        return ax

    import matplotlib as mpl

    pvalues = pvalues_frame.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(pvalues, np.nan)
    colour_map = mpl.colormaps[_COLOUR_MAP].with_extremes(bad="white")
    image = ax.imshow(
        np.ma.masked_invalid(_log_pvalues(pvalues)),
        cmap=colour_map,
        vmin=_LOG_P_MIN,
        vmax=0.0,
        aspect="equal",
        interpolation="nearest",
    )

    reject = _reject_lookup(comparison)
    effects = comparison.effect_matrix().loc[pvalues_frame.index, pvalues_frame.columns] if show_effect else None
    for row, row_name in enumerate(pvalues_frame.index):
        for column, column_name in enumerate(pvalues_frame.columns):
            if row == column:
                continue
            effect = float(effects.iat[row, column]) if effects is not None else None
            _annotate_cell(ax, image, row, column, pvalues[row, column],
                           reject.get((row_name, column_name), False), effect)

    ax.set_xticks(np.arange(size), labels=candidates, rotation=40, ha="right", rotation_mode="anchor")
    ax.set_yticks(np.arange(size), labels=candidates)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    ax.set_title(_title(comparison, adjusted))
    ax.set_xlabel(_caption(comparison, adjusted, show_effect))
    corrected = display_correction_name(getattr(comparison, "correction", None)) is not None
    _draw_colourbar(ax, image, adjusted, corrected)
    return ax


@functools.cache
def _cell_text_class() -> type:
    """Return a matplotlib Text subclass that shrinks its font to fit one heatmap cell.

    The class is built on first use so that importing this module does not
    import matplotlib.
    """
    from matplotlib.text import Text

    class CellText(Text):
        """Text that, when drawn, scales its font down until it fits 90 % of a cell's width and height.

        The cell size is only known at draw time, after the layout engine and the
        equal aspect ratio have placed the axes.
        """

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._base_size = self.get_fontsize()

        def draw(self, renderer):
            if not self.get_visible() or self.axes is None:
                return super().draw(renderer)
            # get_fontproperties returns the live object, so resizing it does not
            # mark the figure stale and cannot trigger another draw.
            properties = self.get_fontproperties()
            properties.set_size(self._base_size)
            origin = self.axes.transData.transform((0.0, 0.0))
            corner = self.axes.transData.transform((1.0, 1.0))
            width_limit, height_limit = 0.9 * abs(corner - origin)
            # Glyph hinting makes the width shrink less than the size, so a
            # second pass corrects the first estimate.
            for _ in range(2):
                extent = self.get_window_extent(renderer)
                size = properties.get_size_in_points()
                scale = min(width_limit / extent.width if extent.width else 1.0,
                            height_limit / extent.height if extent.height else 1.0)
                if not 0 < scale < 1 or size <= _MIN_CELL_FONT_SIZE:
                    break
                properties.set_size(max(size * scale, _MIN_CELL_FONT_SIZE))
            return super().draw(renderer)

    return CellText


def _annotate_cell(
    ax: Axes, image, row: int, column: int, pvalue: float, significant: bool, effect: float | None
) -> None:
    """Write one cell's formatted p-value, marked when ``significant``, and its effect size unless None."""
    text = format_pvalue(pvalue) + (SIGNIFICANT_MARK if significant else "")
    if effect is not None:
        text += "\n" + format_effect(effect)
    if np.isnan(pvalue):
        colour = "black"
    else:
        colour = _text_colour(image.cmap(image.norm(_log_pvalues(np.array([pvalue]))[0])))
    cell_text = _cell_text_class()(
        column,
        row,
        text,
        ha="center",
        va="center",
        fontsize="small",
        fontweight="bold" if significant else "normal",
        color=colour,
        gid=P_CELL_GID,
    )
    ax.add_artist(cell_text)
