"""Critical-difference diagram of one comparison, after Demšar (2006).

The diagram puts every candidate at its mean rank on a horizontal axis, with
rank 1 (the best) at the left. A thick bar joins each maximal group of
candidates, contiguous in rank order, that the pairwise test does not separate.
When the post-hoc procedure defines a critical difference (Nemenyi,
Bonferroni–Dunn), a bar of that length sits above the axis.

Vertical positions are in label rows: the rank axis is y = 0, clique bars and
names sit below it at positive y, and the y axis is inverted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._common import NOTE_COLOUR, axes_or_new, check_comparison, text_width_inches
from ._labels import blocks_text, display_correction_name, display_test_name, format_pvalue
from ._palette import resolve_palette

if TYPE_CHECKING:
    from matplotlib.axes import Axes

RANK_MARKER_GID = "rank-marker"
LEADER_GID = "leader-line"
NAME_GID = "candidate-name"
CLIQUE_BAR_GID = "clique-bar"
CD_BAR_GID = "cd-bar"
CD_LABEL_GID = "cd-label"
CAPTION_GID = "cd-caption"

# Pairwise procedures that compare two candidates at a time. The caption calls
# them "pairwise <test>", while Nemenyi, Conover, Tukey HSD and Dunn name an
# all-pairs procedure on their own.
_TWO_SAMPLE_TESTS = {
    "wilcoxon", "paired-t", "sign", "permutation", "nadeau-bengio", "welch-t", "mann-whitney",
}
# Post-hoc methods whose critical difference the diagram can recompute for another alpha.
_CD_METHODS = {"nemenyi", "bonferroni-dunn"}
_SINGLE_STEP = "single-step studentized range"

# Layout, in label rows (one row is _ROW_HEIGHT_EM times the name font size).
_ROW_HEIGHT_EM = 1.5
_FIRST_LANE = 0.7
_LANE_STEP = 0.55
_NAMES_GAP = 0.9
_MIN_NAME_FONT_SIZE = 4.0
# Width of the rank axis in inches: at least _MIN_AXIS_WIDTH, else _INCHES_PER_RANK per unit of rank.
_MIN_AXIS_WIDTH = 2.6
_INCHES_PER_RANK = 0.28
# Clique bars share a lane only when at least this many inches of empty axis separate them.
_LANE_GAP_INCHES = 0.12
# Empty axis, in inches, between rank 1 (or the last rank) and the start of the names.
_EDGE_PAD_INCHES = 0.18


@dataclass(frozen=True)
class _RankLayout:
    """Candidates in drawing order with their mean ranks and the width of the rank axis."""

    names: tuple[str, ...]
    ranks: tuple[float, ...]
    axis_end: int
    pooled: bool
    axis_width: float

    def rank_of(self, name: str) -> float:
        return self.ranks[self.names.index(name)]

    def inches_to_rank(self, inches: float) -> float:
        return inches * (self.axis_end - 1) / self.axis_width


def plot_cd_diagram(
    comparison,
    ax: Axes | None = None,
    *,
    palette: Mapping[str, object] | None = None,
    alpha: float | None = None,
    max_name_length: int = 30,
) -> Axes:
    """Draw a critical-difference diagram: mean ranks, clique bars and the critical difference.

    Each candidate is a marker at its mean rank on a horizontal rank axis, with
    rank 1 (best) at the left and ticks at the integer ranks. A leader line
    takes each name to the left side (the better half) or the right side (the
    rest), one row per name, so names never overlap. Thick bars below the axis
    join the groups of candidates, contiguous in rank order, in which the test
    rejects no pair. With a Nemenyi or Bonferroni–Dunn post-hoc test, a bar
    labelled "CD = x.xx" above the axis shows the critical difference of mean
    ranks. A caption under the names names the tests, the correction, alpha
    and the blocks.

    Parameters
    ----------
    comparison : Comparison
        Result of ``nbcompare.stats.compare`` with at least two candidates.
        Positions come from ``comparison.summary`` (``mean_rank``). Groups come
        from ``comparison.cliques`` when it is set, and otherwise from
        ``nbcompare.stats.cliques`` on ``comparison.p_matrix()`` (adjusted),
        where a pair is separated when its adjusted p <= alpha. An exact 0
        counts as separated and NaN as not separated.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on. A new figure sized to the candidates is created when
        None. On a given axes, names shrink (down to 4 pt) to fit its height,
        and they sit outside its left and right edges, so leave room there or
        use a constrained layout.
    palette : mapping of candidate to colour, optional
        Colours of the markers and leader lines. Defaults to
        ``candidate_palette(sorted(comparison.candidates))``.
    alpha : float, optional
        Significance level of the bars. Defaults to ``comparison.alpha``.
        Another value recomputes the groups from the adjusted p-values, and the
        critical difference for Nemenyi and Bonferroni–Dunn.
    max_name_length : int, default 30
        Names longer than this are cut to this many characters, ending in "…",
        and get a number, e.g. "[1] mixup-long-sch…". The caption lists the
        full name of each number.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Each candidate is one marker line with gid
        ``"rank-marker"`` and its name as label. Each clique is one line with
        gid ``"clique-bar"`` whose x data are the lowest and highest mean rank
        of its members. The critical difference is one line with gid
        ``"cd-bar"`` from rank 1 to 1 + CD.

    Raises
    ------
    ValueError
        For fewer than two candidates, an alpha outside (0, 1), a
        ``max_name_length`` below 4, or a comparison without finite mean ranks.
    """
    check_comparison(comparison)
    _check_options(comparison, alpha, max_name_length)
    alpha = float(comparison.alpha if alpha is None else alpha)
    layout = _rank_layout(comparison)
    colours = resolve_palette(palette, list(layout.names))
    groups = clique_groups(comparison, layout.names, alpha)
    lanes = _assign_lanes([_extent(group, layout) for group in groups], layout.inches_to_rank(_LANE_GAP_INCHES))
    labels, footnotes = shorten_names(layout.names, max_name_length)
    caption = _caption_lines(comparison, alpha, layout, footnotes)

    n_lanes = max(lanes, default=-1) + 1
    names_top = (_FIRST_LANE + _LANE_STEP * (n_lanes - 1) if n_lanes else 0.0) + _NAMES_GAP
    side_rows = math.ceil(len(layout.names) / 2)
    bottom = names_top + side_rows + 0.35 + 0.8 * len(caption)

    import matplotlib as mpl

    base_size = mpl.rcParams["font.size"]
    if ax is None:
        has_cd = critical_difference_of(comparison, alpha) is not None
        ax = axes_or_new(ax, _figure_size(layout, labels, caption, bottom, base_size, has_cd))
        name_size = base_size
    else:
        name_size = _fitted_font_size(ax, bottom, base_size)

    _draw_rank_axis(ax, layout, bottom)
    _draw_candidates(ax, layout, labels, colours, names_top, name_size)
    for group, lane in zip(groups, lanes):
        low, high = _extent(group, layout)
        ax.plot([low, high], [_FIRST_LANE + _LANE_STEP * lane] * 2, color="black", linewidth=2.6,
                solid_capstyle="butt", gid=CLIQUE_BAR_GID, label="|".join(group), clip_on=False)
    cd = critical_difference_of(comparison, alpha)
    if cd is not None:
        _draw_cd_bar(ax, cd)
    _draw_caption(ax, caption, names_top + side_rows + 0.35, name_size)
    return ax


def _check_options(comparison, alpha: float | None, max_name_length: int) -> None:
    """Raise ValueError for fewer than two candidates or an invalid option."""
    count = len(comparison.candidates)
    if count < 2:
        raise ValueError(
            f"comparison has {count} candidates {list(comparison.candidates)}, but a critical-difference "
            "diagram needs at least two. Pass a Comparison from compare() on two or more candidates."
        )
    if alpha is not None and not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise ValueError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}; pass e.g. alpha=0.05.")
    if isinstance(max_name_length, bool) or not isinstance(max_name_length, int) or max_name_length < 4:
        raise ValueError(f"max_name_length must be an integer >= 4, got {max_name_length!r}; pass e.g. 30.")


def _rank_layout(comparison) -> _RankLayout:
    """Order the candidates by mean rank, best first, keeping ``comparison.candidates`` order for ties."""
    by_name = {summary.candidate: float(summary.mean_rank) for summary in comparison.summary}
    ranks = [by_name.get(name, math.nan) for name in comparison.candidates]
    posthoc = getattr(comparison, "posthoc", None)
    if not all(np.isfinite(ranks)) and posthoc is not None and posthoc.mean_ranks is not None:
        from_posthoc = dict(zip(posthoc.candidates, posthoc.mean_ranks))
        ranks = [float(from_posthoc.get(name, math.nan)) for name in comparison.candidates]
    if not all(np.isfinite(ranks)):
        missing = [name for name, rank in zip(comparison.candidates, ranks) if not np.isfinite(rank)]
        raise ValueError(
            f"comparison has no finite mean rank for {missing}, but a critical-difference diagram needs "
            "one per candidate. Pass a Comparison from compare() with higher_is_better set."
        )
    order = sorted(range(len(ranks)), key=lambda index: (ranks[index], index))
    names = tuple(str(comparison.candidates[index]) for index in order)
    sorted_ranks = tuple(ranks[index] for index in order)
    count = len(names)
    # Independent designs (Dunn's test) rank the pooled observations, so ranks run past k.
    pooled = sorted_ranks[-1] > count + 1e-9
    axis_end = max(count, math.ceil(sorted_ranks[-1]))
    ticks = count if not pooled else 12
    axis_width = max(_MIN_AXIS_WIDTH, _INCHES_PER_RANK * (ticks - 1))
    return _RankLayout(names, sorted_ranks, axis_end, pooled, axis_width)


def clique_groups(comparison, order: Sequence[str], alpha: float) -> list[tuple[str, ...]]:
    """Return the groups of two or more candidates that the diagram joins with a bar.

    ``comparison.cliques`` is used when it is set, ``alpha`` equals
    ``comparison.alpha`` and every group is contiguous in ``order``. Otherwise
    the groups are the maximal runs of ``order`` with no pair whose adjusted
    p-value is <= ``alpha``. An all-versus-control post-hoc test leaves most
    pairs untested, so it yields no groups.
    """
    posthoc = getattr(comparison, "posthoc", None)
    if posthoc is not None and getattr(posthoc, "control", None) is not None:
        return []
    stored = [tuple(group) for group in getattr(comparison, "cliques", ()) or () if len(group) >= 2]
    if getattr(comparison, "cliques", ()) and alpha == comparison.alpha and _all_contiguous(stored, order):
        return stored

    from nbcompare.stats import cliques

    return list(cliques(comparison.p_matrix(adjusted=True), list(order), alpha=alpha, min_size=2))


def _all_contiguous(groups: list[tuple[str, ...]], order: Sequence[str]) -> bool:
    """Return True when every group is a run of consecutive names of ``order``."""
    position = {name: index for index, name in enumerate(order)}
    for group in groups:
        if any(name not in position for name in group):
            return False
        indices = sorted(position[name] for name in group)
        if indices != list(range(indices[0], indices[0] + len(indices))):
            return False
    return True


def critical_difference_of(comparison, alpha: float) -> float | None:
    """Return the post-hoc critical difference of mean ranks at ``alpha``, or None when the test has none."""
    posthoc = getattr(comparison, "posthoc", None)
    if posthoc is None or posthoc.critical_difference is None:
        return None
    if alpha == posthoc.alpha or posthoc.method not in _CD_METHODS:
        return float(posthoc.critical_difference)

    from nbcompare.stats._posthoc import bonferroni_dunn_q, critical_difference, nemenyi_q

    k = len(posthoc.candidates)
    q_alpha = nemenyi_q(k, alpha) if posthoc.method == "nemenyi" else bonferroni_dunn_q(k, alpha)
    return float(critical_difference(q_alpha, k, posthoc.n))


def _extent(group: Sequence[str], layout: _RankLayout) -> tuple[float, float]:
    ranks = [layout.rank_of(name) for name in group]
    return min(ranks), max(ranks)


def _assign_lanes(extents: list[tuple[float, float]], min_gap: float) -> list[int]:
    """Give each bar the first lane in which it keeps ``min_gap`` from every bar already there.

    Bars come sorted by start, so this greedy pass uses the fewest lanes an
    interval graph allows, up to the gap.
    """
    lane_ends: list[float] = []
    lanes = []
    for low, high in extents:
        for lane, end in enumerate(lane_ends):
            if low - end >= min_gap:
                lane_ends[lane] = high
                lanes.append(lane)
                break
        else:
            lane_ends.append(high)
            lanes.append(len(lane_ends) - 1)
    return lanes


def shorten_names(names: Sequence[str], max_length: int) -> tuple[list[str], list[str]]:
    """Cut names longer than ``max_length`` and number them.

    Returns
    -------
    labels : list of str
        One label per name: the name itself, or "[i] " and its first
        characters ending in "…", at most ``max_length`` + 4 characters.
    footnotes : list of str
        "[i] full name" for each shortened name.
    """
    labels, footnotes = [], []
    for name in names:
        if len(name) <= max_length:
            labels.append(name)
            continue
        number = len(footnotes) + 1
        labels.append(f"[{number}] {name[: max_length - 1]}…")
        footnotes.append(f"[{number}] {name}")
    return labels, footnotes


def _figure_size(
    layout: _RankLayout, labels, caption, bottom: float, size: float, has_cd: bool
) -> tuple[float, float]:
    """Return a figure size that fits the rank axis, the names on both sides, the caption and the CD bar."""
    names_width = text_width_inches(labels, size) + 0.15
    caption_width = text_width_inches(caption, 0.9 * size)
    width = max(layout.axis_width + 2 * (names_width + _EDGE_PAD_INCHES), caption_width + 0.2)
    row_inches = _ROW_HEIGHT_EM * size / 72
    # Rank tick labels take about 0.3 inch above the axis, and the CD bar with its label as much again.
    above_axis = 0.6 if has_cd else 0.3
    return (width, above_axis + row_inches * bottom + 0.1)


def _fitted_font_size(ax: Axes, bottom: float, base_size: float) -> float:
    """Return the largest name font size, at most ``base_size``, whose rows fit the height of ``ax``."""
    figure = ax.get_figure(root=True)
    height_points = ax.get_position().height * figure.get_figheight() * 72
    fitted = height_points / (bottom * _ROW_HEIGHT_EM)
    return float(min(base_size, max(_MIN_NAME_FONT_SIZE, fitted)))


def _draw_rank_axis(ax: Axes, layout: _RankLayout, bottom: float) -> None:
    """Use the top spine as the rank axis at y = 0, with rank ticks above it."""
    from matplotlib.ticker import MaxNLocator

    pad = layout.inches_to_rank(_EDGE_PAD_INCHES)
    ax.set_xlim(1 - pad, layout.axis_end + pad)
    ax.set_ylim(bottom, 0)
    ax.xaxis.tick_top()
    if layout.pooled:
        ticks = MaxNLocator(nbins=10, integer=True).tick_values(1, layout.axis_end)
        ax.set_xticks(sorted({1, *(int(tick) for tick in ticks if 1 <= tick <= layout.axis_end)}))
    else:
        ax.set_xticks(np.arange(1, layout.axis_end + 1))
    ax.set_yticks([])
    for side in ("left", "right", "bottom"):
        ax.spines[side].set_visible(False)
    top = ax.spines["top"]
    top.set_visible(True)
    top.set_bounds(1, layout.axis_end)
    top.set_linewidth(1.0)
    top.set_color("black")
    ax.patch.set_visible(False)


def _draw_candidates(ax: Axes, layout: _RankLayout, labels, colours, names_top: float, size: float) -> None:
    """Draw each candidate's marker, its leader line and its name, better half to the left."""
    count = len(layout.names)
    left_count = math.ceil(count / 2)
    low_edge, high_edge = ax.get_xlim()
    for index, (name, rank, label) in enumerate(zip(layout.names, layout.ranks, labels)):
        if index < left_count:
            # The best candidate gets the top row, so leader lines never cross.
            row, edge, align, offset = names_top + index, low_edge, "right", -3
        else:
            row, edge, align, offset = names_top + (count - 1 - index), high_edge, "left", 3
        colour = colours[name]
        ax.plot([rank, rank, edge], [0, row, row], color=colour, linewidth=0.9, gid=LEADER_GID,
                clip_on=False, zorder=2)
        ax.plot([rank], [0], marker="o", markersize=4.5, color=colour, markeredgecolor="black",
                markeredgewidth=0.5, linestyle="none", gid=RANK_MARKER_GID, label=name, clip_on=False,
                zorder=4)
        ax.annotate(label, (edge, row), xytext=(offset, 0), textcoords="offset points", ha=align,
                    va="center", fontsize=size, gid=NAME_GID, annotation_clip=False)


def _draw_cd_bar(ax: Axes, cd: float) -> None:
    """Draw the critical difference as a bar from rank 1 to 1 + ``cd`` above the rank tick labels."""
    import matplotlib as mpl
    from matplotlib.transforms import offset_copy

    tick_points = mpl.rcParams["xtick.major.size"] + mpl.rcParams["xtick.major.pad"]
    label_points = _points(mpl.rcParams["xtick.labelsize"])
    above = offset_copy(ax.transData, fig=ax.get_figure(root=True), y=tick_points + label_points + 7,
                        units="points")
    ax.plot([1, 1 + cd], [0, 0], color="black", linewidth=1.2, transform=above, gid=CD_BAR_GID,
            clip_on=False, marker="|", markersize=5, markeredgewidth=1.2)
    label_offset = offset_copy(above, fig=ax.get_figure(root=True), y=3, units="points")
    ax.text(1 + cd / 2, 0, f"CD = {cd:.2f}", ha="center", va="bottom", transform=label_offset,
            gid=CD_LABEL_GID, clip_on=False)


def _points(size) -> float:
    """Return a font size given in points or as a name such as "small" in points."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def _draw_caption(ax: Axes, lines: list[str], row: float, size: float) -> None:
    """Write the caption lines centred under the names, starting at ``row``."""
    from matplotlib.transforms import blended_transform_factory

    # x in axes fractions, y in data rows.
    centre = blended_transform_factory(ax.transAxes, ax.transData)
    ax.text(0.5, row, "\n".join(lines), transform=centre, ha="center", va="top", fontsize=0.9 * size,
            color=NOTE_COLOUR, gid=CAPTION_GID, clip_on=False, linespacing=1.3)


def _caption_lines(comparison, alpha: float, layout: _RankLayout, footnotes: list[str]) -> list[str]:
    """Name the tests, the correction, alpha and the blocks, then explain notes and shortened names."""
    lines = [f"{_procedure_text(comparison)}, α = {alpha:g}"]
    rank_kind = "mean rank of the pooled observations" if layout.pooled else "mean rank"
    lines.append(f"{rank_kind} over {blocks_text(comparison)}, 1 = best; bars join candidates not separated")
    omnibus = comparison.omnibus
    if len(comparison.candidates) > 2 and not omnibus.pvalue <= alpha:
        lines.append(f"the {display_test_name(omnibus.test)} test does not reject at α = {alpha:g}, "
                     "so the pairwise results are exploratory")
    posthoc = getattr(comparison, "posthoc", None)
    if posthoc is not None and getattr(posthoc, "control", None) is not None:
        lines.append(f"each candidate was tested against {posthoc.control} only, so no bars are drawn")
    lines.extend(footnotes)
    return lines


def _p_text(pvalue: float) -> str:
    """Return "p = 0.0123", or "p < 1e-4" below the display floor."""
    formatted = format_pvalue(pvalue)
    return f"p {formatted[0]} {formatted[1:]}" if formatted.startswith("<") else f"p = {formatted}"


def _procedure_text(comparison) -> str:
    """Describe the tests, e.g. "Friedman (p = 0.0012) + Nemenyi" or "Wilcoxon signed-rank"."""
    pair_test = comparison.pairwise[0].test if comparison.pairwise else comparison.omnibus.test
    pair_name = display_test_name(pair_test)
    if pair_test in _TWO_SAMPLE_TESTS and len(comparison.candidates) > 2:
        pair_name = f"pairwise {pair_name}"
    correction = None
    if comparison.correction != _SINGLE_STEP and comparison.family_size > 1:
        correction = display_correction_name(comparison.correction)
    if len(comparison.candidates) == 2:
        text = pair_name
    else:
        omnibus = comparison.omnibus
        text = f"{display_test_name(omnibus.test)} ({_p_text(omnibus.pvalue)}) + {pair_name}"
    return f"{text}, {correction}" if correction else text
