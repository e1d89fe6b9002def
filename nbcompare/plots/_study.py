"""Write the standard figures of a study in one call."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ._ci import plot_metric_ci, plot_seed_points
from ._palette import candidate_palette
from ._cd import plot_cd_diagram
from ._pvalues import plot_pvalue_matrix
from ._rankmap import plot_rank_heatmap
from ._style import normalise_formats, save, style
from ._tradeoff import plot_tradeoff

# (file name, x metric) of the trade-off figures drawn against the "accuracy"
# metric whenever the results frame contains both metrics. Lower x is better.
TRADEOFF_FIGURES = (
    ("accuracy_vs_parameters", "parameters"),
    ("accuracy_vs_inference_time", "inference_time_per_sample_s"),
)
_TRADEOFF_Y = "accuracy"


def _collect_comparisons(analysis_or_comparisons) -> list:
    """Return the comparisons of an analysis, a mapping, an iterable or a single Comparison."""
    source = getattr(analysis_or_comparisons, "comparisons", analysis_or_comparisons)
    if hasattr(source, "pairwise") and hasattr(source, "metric"):
        return [source]
    if isinstance(source, Mapping):
        source = source.values()
    if not isinstance(source, Iterable):
        raise TypeError(
            "analysis_or_comparisons must be an iterable of Comparison objects or an object "
            f"with a .comparisons attribute, got {type(analysis_or_comparisons).__name__}."
        )
    return list(source)


def _file_stem(metric: str) -> str:
    """Return ``metric`` with every character that is unsafe in a file name replaced by "_"."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(metric)).strip("._") or "metric"


def _select(comparisons: list, metrics: Iterable[str] | None) -> list:
    """Keep the comparisons of ``metrics``, raising ValueError for a metric without one."""
    if metrics is None:
        return comparisons
    requested = [metrics] if isinstance(metrics, str) else list(metrics)
    available = [comparison.metric for comparison in comparisons]
    unknown = [metric for metric in requested if metric not in available]
    if unknown:
        raise ValueError(f"metrics {unknown} have no comparison; the compared metrics are {available}.")
    return [comparison for comparison in comparisons if comparison.metric in requested]


def _study_palette(comparisons: list, frame) -> dict:
    """Colour every candidate of the study by sorted name, so all its figures agree."""
    names = set()
    for comparison in comparisons:
        names.update(comparison.candidates)
    if frame is not None and "candidate" in frame.columns:
        names.update(frame["candidate"].dropna().unique().tolist())
    return candidate_palette(sorted(names, key=str))


def _draw_and_save(draw: Callable, path: Path, formats) -> list[Path]:
    """Draw one figure under the publication style, save it and close every figure it opened."""
    import matplotlib.pyplot as plt

    open_before = set(plt.get_fignums())
    try:
        with style():
            ax = draw()
            return save(ax.get_figure(root=True), path, formats=formats)
    finally:
        for number in set(plt.get_fignums()) - open_before:
            plt.close(number)


def save_study_figures(
    analysis_or_comparisons,
    frame,
    out_dir: str | Path,
    *,
    metrics: Iterable[str] | None = None,
    formats: str | Iterable[str] = ("pdf", "png"),
) -> list[Path]:
    """Draw and save the standard figures of every compared metric and the trade-offs.

    For each comparison this writes ``{metric}_ci``, ``{metric}_seeds``,
    ``{metric}_pvalues`` and ``{metric}_cd`` (critical-difference diagram); with
    an ``Analysis`` of two or more metrics it writes ``ranks`` (rank heatmap). When ``frame`` contains the metrics ``accuracy`` and
    ``parameters`` it also writes ``accuracy_vs_parameters``, and with
    ``accuracy`` and ``inference_time_per_sample_s`` it writes
    ``accuracy_vs_inference_time``. Every figure uses the publication style and one
    palette for the whole study, and is closed after saving.

    Parameters
    ----------
    analysis_or_comparisons : iterable of Comparison, or object with ``.comparisons``
        The comparisons to draw. A mapping's values and a single Comparison are
        accepted too.
    frame : pandas.DataFrame or None
        Long results frame for the trade-off figures. None skips them.
    out_dir : str or pathlib.Path
        Directory for the files. It is created when missing.
    metrics : iterable of str, optional
        Draw only the comparisons of these metrics. The trade-off figures do not
        depend on this filter.
    formats : str or iterable of str, default ("pdf", "png")
        File formats, as in ``save``.

    Returns
    -------
    list of pathlib.Path
        Every written file.

    Raises
    ------
    ValueError
        If a requested metric has no comparison, or two comparisons would write
        the same file names.
    """
    comparisons = _select(_collect_comparisons(analysis_or_comparisons), metrics)
    stems = [_file_stem(comparison.metric) for comparison in comparisons]
    repeated = sorted({stem for stem in stems if stems.count(stem) > 1})
    if repeated:
        raise ValueError(
            f"several comparisons would write the files {repeated}; pass one comparison per metric "
            "or save them to separate out_dir folders."
        )

    formats = normalise_formats(formats)
    if frame is not None and "metric" not in getattr(frame, "columns", ()):
        raise ValueError(
            "frame has no 'metric' column; pass the long results frame "
            "(columns candidate, task, seed, metric, value) or frame=None to skip the trade-off figures."
        )

    out_dir = Path(out_dir)
    palette = _study_palette(comparisons, frame)
    written: list[Path] = []
    for comparison, stem in zip(comparisons, stems):
        figures = (
            ("ci", functools.partial(plot_metric_ci, comparison, palette=palette)),
            ("seeds", functools.partial(plot_seed_points, comparison, palette=palette)),
            ("pvalues", functools.partial(plot_pvalue_matrix, comparison)),
            ("cd", functools.partial(plot_cd_diagram, comparison, palette=palette)),
        )
        for suffix, draw in figures:
            written += _draw_and_save(draw, out_dir / f"{stem}_{suffix}", formats)
    if hasattr(analysis_or_comparisons, "ranks_frame") and len(comparisons) >= 2 and metrics is None:
        written += _draw_and_save(functools.partial(plot_rank_heatmap, analysis_or_comparisons),
                                  out_dir / "ranks", formats)

    if frame is None:
        return written
    present = set(frame["metric"].dropna().unique().tolist())
    accuracy = next((comparison for comparison in comparisons if comparison.metric == _TRADEOFF_Y), None)
    y_higher_is_better = True if accuracy is None else bool(accuracy.higher_is_better)
    for name, x_metric in TRADEOFF_FIGURES:
        if _TRADEOFF_Y not in present or x_metric not in present:
            continue
        draw = functools.partial(plot_tradeoff, frame, x_metric, _TRADEOFF_Y, palette=palette,
                                 x_higher_is_better=False, y_higher_is_better=y_higher_is_better)
        written += _draw_and_save(draw, out_dir / name, formats)
    return written
