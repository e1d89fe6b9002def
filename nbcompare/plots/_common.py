"""Helpers shared by the figure functions: axes creation, input checks and notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_COMPARISON_FIELDS = ("metric", "higher_is_better", "candidates", "summary", "matrix", "pairwise")

NOTE_COLOUR = "0.35"


def axes_or_new(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """Return ``ax``, or the axes of a new pyplot figure of ``figsize`` inches when it is None."""
    if ax is not None:
        return ax

    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return new_ax


def text_width_inches(texts, size: str | float) -> float:
    """Estimate the width of the longest of ``texts`` at font ``size``, for sizing new figures.

    ``size`` is a point size or an rcParams key such as "ytick.labelsize". The
    estimate assumes an average glyph width of 0.6 em, which fits DejaVu Sans.
    """
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    if isinstance(size, str) and size in mpl.rcParams:
        size = mpl.rcParams[size]
    points = FontProperties(size=size).get_size_in_points()
    longest = max((len(str(text)) for text in texts), default=0)
    return longest * 0.6 * points / 72


def check_comparison(comparison: object) -> None:
    """Raise TypeError unless ``comparison`` has the fields of a ``nbcompare.stats.Comparison``."""
    missing = [name for name in _COMPARISON_FIELDS if not hasattr(comparison, name)]
    if missing:
        raise TypeError(
            f"comparison must be a Comparison returned by nbcompare.stats.compare; "
            f"got {type(comparison).__name__} without {missing}."
        )


def finite_column(matrix, candidate: str) -> np.ndarray:
    """Return the finite values of one candidate's column in a blocks x candidates matrix."""
    if candidate not in matrix.columns:
        return np.empty(0)
    values = matrix[candidate].to_numpy(dtype=float)
    return values[np.isfinite(values)]


def is_finite(value: object) -> bool:
    """Return True for a real number that is neither NaN nor infinite."""
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


def annotate_row(ax: Axes, row: float, text: str) -> None:
    """Write a grey note at the left edge of the axes, on the data row ``row``."""
    ax.text(
        0.02,
        row,
        text,
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize="small",
        fontstyle="italic",
        color=NOTE_COLOUR,
        gid="note",
    )
