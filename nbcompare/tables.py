"""Publication tables of `compare` and `analyze` results.

`results_table` builds one row per candidate and one column per metric, each
cell the mean with the half-width of its confidence interval. `to_latex`,
`to_markdown`, `to_html` and `styler` render that table with the best mean per
metric in bold, a dagger on every candidate that the bold one beats
significantly, and a note that names the test, the correction, alpha and the
interval. `pairwise_latex` exports the pairwise tests of one comparison.

Rules shared by every format:

* Best value: the best mean of each metric column in the metric's direction,
  among the rows displayed. Exactly equal means are all bold.
* Dagger: the comparison's own pairwise test of the bold candidate against
  that row rejects after the comparison's correction (``PairwiseTest.reject``),
  and the effect size (rank-biserial, or the mean difference when the effect
  size is NaN) favours the bold candidate. When several means tie for best, the
  tied candidate ranked first by the comparison is the reference.
* Decimals: see `column_decimals`.
* p-values: see `format_p`.
* Every candidate and metric name is escaped for the output format.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nbcompare.stats._render import correction_text, test_label
from nbcompare.stats._results import Analysis, Comparison, PairwiseTest

# Most significant digits (of the largest |mean| in a column) that the automatic
# decimals add to tell different means apart. Means closer than that print alike.
_MAX_SIGNIFICANT = 6

# Smallest power of ten that `format_p` names. A p-value of exactly 0 is a
# floating-point underflow of a value too small for a float64.
_SMALLEST_P_EXPONENT = -300

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # The default OT1 font encoding prints <, > and | as other glyphs.
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    # Test names such as "Iman–Davenport" use an en dash, and the notes use
    # these symbols, which pdflatex cannot typeset as Unicode text.
    "–": "--",
    "±": r"$\pm$",
    "≤": r"$\le$",
    "α": r"$\alpha$",
    "↑": r"$\uparrow$",
    "↓": r"$\downarrow$",
    "†": r"$^{\dagger}$",
}

# ASCII punctuation that has a meaning inside a GitHub Markdown table cell.
_MARKDOWN_SPECIALS = frozenset("\\`*_[]<>|~&$")


def escape_latex(text: str) -> str:
    """Escape `text` so that LaTeX typesets it literally.

    Handles ``\\ & % $ # _ { } ~ ^``, ``< > |``, which the default OT1 font
    encoding would print as other glyphs, and the symbols ``– ± ≤ α ↑ ↓ †``,
    which become math so that pdflatex needs no Unicode font.
    """
    return "".join(_LATEX_SPECIALS.get(char, char) for char in str(text))


def escape_markdown(text: str) -> str:
    """Backslash-escape the characters of `text` that Markdown table cells interpret."""
    return "".join("\\" + char if char in _MARKDOWN_SPECIALS else char for char in str(text))


@dataclass(frozen=True)
class _Cell:
    """One metric value of one candidate, before formatting."""

    mean: float
    half_width: float
    ci_low: float
    ci_high: float
    decimals: int
    best: bool
    marked: bool


@dataclass(frozen=True)
class _Table:
    """Rows, columns and cells of a results table, independent of the output format."""

    candidates: tuple[str, ...]
    comparisons: tuple[Comparison, ...]
    cells: dict[tuple[str, str], _Cell]
    ci: str

    def cell(self, candidate: str, metric: str) -> _Cell | None:
        return self.cells.get((candidate, metric))


# --------------------------------------------------------------------------
# Number formatting


def column_decimals(means: Sequence[float], half_widths: Sequence[float]) -> int:
    """Choose the decimals of one metric column.

    The rule: two significant digits of the smallest positive CI half-width
    (three significant digits of the largest |mean| when no half-width is
    positive), never fewer than 0 decimals. Then one more decimal at a time
    until every pair of different means prints differently, up to
    `_MAX_SIGNIFICANT` significant digits of the largest |mean|.

    Parameters
    ----------
    means, half_widths : sequence of float
        The column's means and CI half-widths. NaN entries are ignored.

    Returns
    -------
    int
        Number of decimals, at least 0.
    """
    finite_means = [mean for mean in means if math.isfinite(mean)]
    widths = [width for width in half_widths if math.isfinite(width) and width > 0]
    scale = max((abs(mean) for mean in finite_means), default=0.0)
    if widths:
        decimals = 1 - math.floor(math.log10(min(widths)))
    elif scale > 0:
        decimals = 2 - math.floor(math.log10(scale))
    else:
        decimals = 3
    decimals = max(decimals, 0)

    limit = decimals
    if scale > 0:
        limit = max(decimals, _MAX_SIGNIFICANT - 1 - math.floor(math.log10(scale)))
    while decimals < limit and not _prints_distinct(finite_means, decimals):
        decimals += 1
    return decimals


def _prints_distinct(means: Sequence[float], decimals: int) -> bool:
    distinct_values = set(means)
    printed = {f"{mean:.{decimals}f}" for mean in distinct_values}
    return len(printed) == len(distinct_values)


def format_p(pvalue: float, *, alpha: float | None = None, latex: bool = False) -> str:
    """Format a p-value for a table without ever printing a p of 0.

    The rule:

    * p >= 1e-4: three significant digits, such as ``0.0123`` or ``0.5``. When
      `alpha` is given and rounding would move the printed value onto or
      across alpha (``0.04996`` printing as ``0.05``), more digits are displayed,
      up to six.
    * 0 < p < 1e-4: ``< 10^{-e}`` for the smallest power of ten above p, such
      as ``< 10^{-6}`` for 3.2e-7, and ``< 10^{-300}`` below 1e-300.
    * p == 0 (a floating-point underflow): ``< 10^{-300}``.
    * NaN: ``n/a``.

    Parameters
    ----------
    pvalue : float
        The p-value.
    alpha : float, optional
        Significance level that the printed value must not appear to cross.
    latex : bool
        Return LaTeX math (``$< 10^{-6}$``) instead of plain text (``< 1e-06``).

    Returns
    -------
    str
    """
    if math.isnan(pvalue):
        return "n/a"
    if pvalue < 1e-4:
        exponent = _SMALLEST_P_EXPONENT
        if pvalue > 0:
            exponent = max(math.floor(math.log10(pvalue)) + 1, _SMALLEST_P_EXPONENT)
        return f"$< 10^{{{exponent}}}$" if latex else f"< 1e{exponent:+03d}"

    for digits in range(3, 7):
        text = f"{pvalue:.{digits}g}"
        if alpha is None or _side(float(text), alpha) == _side(pvalue, alpha):
            break
    return text


def _side(value: float, threshold: float) -> int:
    """Return -1, 0 or 1 as `value` is below, at or above `threshold`."""
    return (value > threshold) - (value < threshold)


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


# --------------------------------------------------------------------------
# Building the table


def _as_analysis(analysis: Analysis | Comparison) -> Analysis:
    if isinstance(analysis, Analysis):
        return analysis
    if isinstance(analysis, Comparison):
        return Analysis((analysis,))
    raise TypeError(
        "analysis must be the Analysis that nbcompare.stats.analyze returns or a "
        f"Comparison from compare; got {type(analysis).__name__}."
    )


def _select_comparisons(analysis: Analysis, metrics: Sequence[str] | None) -> tuple[Comparison, ...]:
    if metrics is None:
        return tuple(analysis.comparisons)
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [metric for metric in metrics if metric not in analysis.metrics]
    if unknown:
        raise ValueError(
            f"metrics contains {unknown!r}, which the analysis did not compare; "
            f"pass a subset of {list(analysis.metrics)}."
        )
    return tuple(analysis[metric] for metric in metrics)


def _order_candidates(
    comparisons: Sequence[Comparison], candidates: Sequence[str] | None
) -> tuple[str, ...]:
    """Return the rows: `candidates` as given, or by mean rank averaged over the metrics.

    A candidate missing from some metric is ranked by its mean over the
    metrics it has. Ties keep the order of first appearance.
    """
    known: dict[str, list[float]] = {}
    for comparison in comparisons:
        for row in comparison.summary:
            known.setdefault(row.candidate, []).append(row.mean_rank)

    if candidates is None:
        order = sorted(known, key=lambda name: sum(known[name]) / len(known[name]))
        return tuple(order)

    if isinstance(candidates, str):
        candidates = [candidates]
    unknown = [name for name in candidates if name not in known]
    if unknown:
        raise ValueError(
            f"candidates contains {unknown!r}, which no selected comparison contains; "
            f"pass a subset of {list(known)}."
        )
    if len(set(candidates)) != len(candidates):
        raise ValueError(f"candidates contains duplicates: {list(candidates)!r}; list each name once.")
    return tuple(candidates)


def _validate_ci(ci: bool | str) -> str:
    if ci is True or ci == "pm":
        return "pm"
    if ci is False or ci == "none":
        return "none"
    if ci == "interval":
        return "interval"
    raise ValueError(
        f"ci must be True (mean ± half-width), 'interval' (mean [low, high]) or False "
        f"(mean only); got {ci!r}."
    )


def _decimals_for(metric: str, digits: int | Mapping[str, int] | None) -> int | None:
    if digits is None:
        return None
    value = digits.get(metric) if isinstance(digits, Mapping) else digits
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"digits must be a number of decimals >= 0, a mapping from metric to one, or "
            f"None for the automatic rule; got {value!r} for metric {metric!r}."
        )
    return value


def _reference(comparison: Comparison, displayed: Sequence[str]) -> tuple[str, ...]:
    """Return the displayed candidates with the best mean, the comparison's first-ranked first."""
    means = {row.candidate: row.mean for row in comparison.summary if row.candidate in displayed}
    finite = {name: mean for name, mean in means.items() if math.isfinite(mean)}
    if not finite:
        return ()
    pick = max if comparison.higher_is_better else min
    best_mean = pick(finite.values())
    return tuple(name for name in comparison.candidates if finite.get(name) == best_mean)


def _pair_test(comparison: Comparison, first: str, second: str) -> PairwiseTest | None:
    for test in comparison.pairwise:
        if {test.model_a, test.model_b} == {first, second}:
            return test
    return None


def _beats_significantly(comparison: Comparison, winner: str, loser: str) -> bool:
    """Return True when the pairwise test of the pair rejects and its effect favours `winner`."""
    test = _pair_test(comparison, winner, loser)
    if test is None or not test.reject:
        return False
    sign = 1.0 if test.model_a == winner else -1.0
    effect = sign * test.effect_size
    if math.isnan(effect):
        direction = 1.0 if comparison.higher_is_better else -1.0
        effect = direction * sign * test.mean_difference
    return effect > 0


def _column_cells(
    comparison: Comparison, displayed: Sequence[str], decimals: int | None
) -> dict[tuple[str, str], _Cell]:
    rows = {row.candidate: row for row in comparison.summary if row.candidate in displayed}
    half_widths = {name: (row.ci_high - row.ci_low) / 2 for name, row in rows.items()}
    if decimals is None:
        decimals = column_decimals(
            [row.mean for row in rows.values()], list(half_widths.values())
        )
    best = _reference(comparison, displayed)
    cells = {}
    for name, row in rows.items():
        marked = bool(best) and name not in best and _beats_significantly(comparison, best[0], name)
        cells[(name, comparison.metric)] = _Cell(
            mean=row.mean,
            half_width=half_widths[name],
            ci_low=row.ci_low,
            ci_high=row.ci_high,
            decimals=decimals,
            best=name in best,
            marked=marked,
        )
    return cells


def _build_table(
    analysis: Analysis | Comparison,
    *,
    metrics: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    digits: int | Mapping[str, int] | None = None,
    ci: bool | str = True,
) -> _Table:
    comparisons = _select_comparisons(_as_analysis(analysis), metrics)
    if not comparisons:
        raise ValueError("analysis contains no comparisons; run analyze with at least one metric.")
    displayed = _order_candidates(comparisons, candidates)
    cells: dict[tuple[str, str], _Cell] = {}
    for comparison in comparisons:
        cells.update(_column_cells(comparison, displayed, _decimals_for(comparison.metric, digits)))
    return _Table(displayed, comparisons, cells, _validate_ci(ci))


# --------------------------------------------------------------------------
# Cell and note text


def _cell_text(cell: _Cell | None, table: _Table) -> str:
    """Return the cell as plain text, without bold or dagger."""
    if cell is None:
        return "–"
    mean = _number(cell.mean, cell.decimals)
    if table.ci == "none" or math.isnan(cell.half_width):
        return mean
    if table.ci == "interval":
        low, high = _number(cell.ci_low, cell.decimals), _number(cell.ci_high, cell.decimals)
        return f"{mean} [{low}, {high}]"
    return f"{mean} ± {_number(cell.half_width, cell.decimals)}"


def _latex_cell(cell: _Cell | None, table: _Table) -> str:
    if cell is None:
        return "--"
    mean = _number(cell.mean, cell.decimals)
    if table.ci == "none" or math.isnan(cell.half_width):
        body = mean
    elif table.ci == "interval":
        low, high = _number(cell.ci_low, cell.decimals), _number(cell.ci_high, cell.decimals)
        body = rf"{mean}\ [{low}, {high}]"
    else:
        body = rf"{mean} \pm {_number(cell.half_width, cell.decimals)}"
    if cell.best:
        body = rf"\mathbf{{{body}}}"
    if cell.marked:
        body += r"^{\dagger}"
    return f"${body}$"


def _pairwise_test_name(test: str) -> str:
    if test == "wilcoxon":
        return "two-sided Wilcoxon signed-rank test"
    label = test_label(test)
    return f"two-sided {label}" if label.endswith("test") else f"two-sided {label} test"


def _correction_phrase(comparison: Comparison) -> str:
    if comparison.correction == "single-step studentized range":
        return "single-step studentized-range p-values, which cover all pairs without further correction"
    if comparison.correction == "none":
        return "no multiplicity correction"
    tests = "test" if comparison.family_size == 1 else "tests"
    label = correction_text(comparison.correction)
    return f"{label} correction over {comparison.family_size} pairwise {tests} of the metric"


def _unit_phrase(comparison: Comparison) -> str:
    sizes = sorted({row.n for row in comparison.summary})
    count = str(sizes[0]) if len(sizes) == 1 else f"{sizes[0]} to {sizes[-1]}"
    unit = comparison.blocks if sizes[-1] == 1 else f"{comparison.blocks}s"
    phrase = f"{count} {unit}"
    if comparison.blocks == "task":
        phrase += " (each value a mean over seeds)"
    return phrase


def _interval_phrase(comparison: Comparison, table: _Table) -> str:
    level = f"{comparison.confidence_level * 100:g}%"
    interval = f"{level} Student t confidence interval of the mean over {_unit_phrase(comparison)}"
    if table.ci == "interval":
        return f"mean [low, high], the bounds of the {interval}"
    if table.ci == "none":
        return f"mean over {_unit_phrase(comparison)}"
    return f"mean ± half-width of the {interval}"


def _test_phrase(comparison: Comparison) -> str:
    name = _pairwise_test_name(comparison.pairwise[0].test) if comparison.pairwise else "no pairwise test"
    return (
        f"{name} with {_correction_phrase(comparison)}, rejecting at adjusted "
        f"p ≤ α = {comparison.alpha:g}"
    )


def _grouped(comparisons: Sequence[Comparison], phrase: Callable[[Comparison], str]) -> str:
    """Join one phrase per comparison, naming the metrics when the phrases differ."""
    groups: dict[str, list[str]] = {}
    for comparison in comparisons:
        groups.setdefault(phrase(comparison), []).append(comparison.metric)
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{', '.join(metrics)}: {text}" for text, metrics in groups.items())


def _note(table: _Table, escape: Callable[[str], str] = str) -> str:
    """Return the sentences that explain the cells, the bold values and the daggers, escaped."""
    cells = "Cells: " + _grouped(table.comparisons, lambda c: _interval_phrase(c, table)) + "."
    bold = "Bold: best mean per metric (↑ higher is better, ↓ lower is better)."
    dagger = (
        "†: significantly worse than the bold candidate of the column by the comparison's "
        f"own pairwise test: {_grouped(table.comparisons, _test_phrase)}."
    )
    return escape(" ".join([cells, bold, dagger]))


def _header(comparison: Comparison) -> str:
    arrow = "↑" if comparison.higher_is_better else "↓"
    return f"{comparison.metric} {arrow}"


# --------------------------------------------------------------------------
# Public API


def results_table(
    analysis: Analysis | Comparison,
    *,
    metrics: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    digits: int | Mapping[str, int] | None = None,
    ci: bool | str = True,
) -> pd.DataFrame:
    """Build the candidate x metric table of means with confidence intervals.

    Parameters
    ----------
    analysis : Analysis or Comparison
        Result of `nbcompare.stats.analyze` (or `compare`).
    metrics : sequence of str, optional
        Metric columns, in this order. Default: every comparison, in order.
    candidates : sequence of str, optional
        Rows, in this order. Default: every candidate, ordered by its mean rank
        averaged over the selected metrics (best first).
    digits : int or mapping of str to int, optional
        Decimals of every column, or per metric. Default: the rule of
        `column_decimals`, applied per column.
    ci : bool or {"interval"}
        True: ``mean ± half-width`` of the comparison's t interval of the mean.
        ``"interval"``: ``mean [low, high]``. False: the mean alone.

    Returns
    -------
    pandas.DataFrame
        String cells indexed by candidate, one column per metric. The best cell
        of each column ends in ``" (best)"``. A cell whose candidate the best
        one beats significantly ends in ``" †"``. A candidate that a metric did
        not compare shows ``"–"``. ``attrs`` contains ``"best"`` and ``"marked"``
        (metric to tuple of candidates) and ``"note"``, the sentences that
        name the interval, the test, the correction and alpha.
    """
    table = _build_table(analysis, metrics=metrics, candidates=candidates, digits=digits, ci=ci)
    columns = {}
    for comparison in table.comparisons:
        texts = []
        for name in table.candidates:
            cell = table.cell(name, comparison.metric)
            text = _cell_text(cell, table)
            if cell is not None and cell.best:
                text += " (best)"
            if cell is not None and cell.marked:
                text += " †"
            texts.append(text)
        columns[comparison.metric] = texts

    frame = pd.DataFrame(columns, index=pd.Index(table.candidates, name="candidate"))
    frame.columns.name = "metric"
    frame.attrs["best"] = _flagged(table, "best")
    frame.attrs["marked"] = _flagged(table, "marked")
    frame.attrs["note"] = _note(table)
    return frame


def _flagged(table: _Table, flag: str) -> dict[str, tuple[str, ...]]:
    return {
        comparison.metric: tuple(
            name
            for name in table.candidates
            if (cell := table.cell(name, comparison.metric)) is not None and getattr(cell, flag)
        )
        for comparison in table.comparisons
    }


def _with_caption(caption: str | None, note: str) -> str:
    """Return the escaped `caption`, ended by a period if it has none, followed by `note`."""
    if not caption:
        return note
    caption = caption.strip()
    if not caption.endswith((".", "!", "?")):
        caption += "."
    return f"{escape_latex(caption)} {note}"


def _write(text: str, path: str | Path | None) -> str:
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def to_latex(
    analysis: Analysis | Comparison,
    path: str | Path | None = None,
    *,
    metrics: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    digits: int | Mapping[str, int] | None = None,
    ci: bool | str = True,
    caption: str | None = None,
    label: str | None = None,
) -> str:
    """Render the results table as a booktabs LaTeX table.

    The table needs the ``booktabs`` package. Numbers are typeset in math mode,
    the best value per column in ``\\mathbf`` and significance marks as
    ``^{\\dagger}``. The caption is `caption` (escaped as text) followed by the
    note of `results_table`.

    Parameters
    ----------
    analysis, metrics, candidates, digits, ci
        As in `results_table`.
    path : str or Path, optional
        File to write the table to (UTF-8).
    caption : str, optional
        Text placed before the note in the caption.
    label : str, optional
        ``\\label`` of the table, written unescaped.

    Returns
    -------
    str
        The ``table`` environment.
    """
    # NOTE: tests compile this output only where pdflatex or xelatex is installed.
    table = _build_table(analysis, metrics=metrics, candidates=candidates, digits=digits, ci=ci)
    headers = ["Candidate"] + [escape_latex(_header(comparison)) for comparison in table.comparisons]
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\begin{tabular}{l" + "c" * len(table.comparisons) + "}",
        r"\toprule",
        " & ".join(headers) + r" \\",
        r"\midrule",
    ]
    for name in table.candidates:
        cells = [_latex_cell(table.cell(name, c.metric), table) for c in table.comparisons]
        lines.append(" & ".join([escape_latex(name), *cells]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]

    text = _with_caption(caption, _note(table, escape_latex))
    lines.append(rf"\caption{{{text}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines.append(r"\end{table}")
    return _write("\n".join(lines) + "\n", path)


def to_markdown(
    analysis: Analysis | Comparison,
    *,
    metrics: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    digits: int | Mapping[str, int] | None = None,
    ci: bool | str = True,
) -> str:
    """Render the results table as a GitHub pipe table followed by its note.

    Parameters are those of `results_table`. The best value per column is
    ``**bold**``, significance marks are ``†`` and names are backslash-escaped.
    """
    table = _build_table(analysis, metrics=metrics, candidates=candidates, digits=digits, ci=ci)
    headers = ["Candidate"] + [escape_markdown(_header(comparison)) for comparison in table.comparisons]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|:--" + "|--:" * len(table.comparisons) + "|",
    ]
    for name in table.candidates:
        cells = [escape_markdown(name)]
        for comparison in table.comparisons:
            cell = table.cell(name, comparison.metric)
            text = _cell_text(cell, table)
            if cell is not None and cell.best:
                text = f"**{text}**"
            if cell is not None and cell.marked:
                text += " †"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", _note(table, escape_markdown)]
    return "\n".join(lines) + "\n"


def styler(
    analysis: Analysis | Comparison,
    *,
    metrics: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    digits: int | Mapping[str, int] | None = None,
    ci: bool | str = True,
) -> "pd.io.formats.style.Styler":
    """Return a pandas Styler of the results table for notebooks.

    Parameters are those of `results_table`. The best cell per column is bold
    through CSS, significance marks are ``†``, the caption is the note, and
    every cell, index label, header and the caption are HTML-escaped.
    """
    table = _build_table(analysis, metrics=metrics, candidates=candidates, digits=digits, ci=ci)
    data, weights = {}, {}
    for comparison in table.comparisons:
        texts, styles = [], []
        for name in table.candidates:
            cell = table.cell(name, comparison.metric)
            text = _cell_text(cell, table)
            if cell is not None and cell.marked:
                text += " †"
            texts.append(text)
            styles.append("font-weight: bold" if cell is not None and cell.best else "")
        header = _header(comparison)
        data[header], weights[header] = texts, styles

    index = pd.Index(table.candidates, name="candidate")
    frame = pd.DataFrame(data, index=index)
    css = pd.DataFrame(weights, index=index)
    return (
        frame.style.format(escape="html")
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
        .apply(lambda _: css, axis=None)
        .set_caption(_note(table, html.escape))
    )


def to_html(
    analysis: Analysis | Comparison,
    *,
    metrics: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    digits: int | Mapping[str, int] | None = None,
    ci: bool | str = True,
) -> str:
    """Render the `styler` table as an HTML fragment with its caption."""
    return styler(analysis, metrics=metrics, candidates=candidates, digits=digits, ci=ci).to_html()


# --------------------------------------------------------------------------
# Pairwise table


def pairwise_latex(
    comparison: Comparison,
    path: str | Path | None = None,
    *,
    caption: str | None = None,
    label: str | None = None,
) -> str:
    """Render the pairwise tests of one comparison as a booktabs LaTeX table.

    One row per pair, in the order of `Comparison.pairwise`: the two
    candidates, the raw and the adjusted p-value (formatted by `format_p`),
    the effect size with its name in the header and whether the adjusted p
    rejects at the comparison's alpha. The caption names the test, the
    correction, alpha and the blocks.

    Parameters
    ----------
    comparison : Comparison
        Result of `nbcompare.stats.compare`, or one metric of an Analysis.
    path : str or Path, optional
        File to write the table to (UTF-8).
    caption : str, optional
        Text placed before the generated caption, escaped.
    label : str, optional
        ``\\label`` of the table, written unescaped.

    Returns
    -------
    str
        The ``table`` environment.
    """
    if not isinstance(comparison, Comparison):
        raise TypeError(
            f"comparison must be a Comparison (use analysis[metric] for one metric of an "
            f"Analysis); got {type(comparison).__name__}."
        )
    effect_names = sorted({test.effect_size_name for test in comparison.pairwise})
    effect_header = "Effect size"
    if len(effect_names) == 1 and effect_names[0]:
        effect_header += f" ({escape_latex(effect_names[0])})"
    correction = escape_latex(correction_text(comparison.correction))
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\begin{tabular}{llrrrc}",
        r"\toprule",
        rf"Candidate A & Candidate B & $p$ & $p$ ({correction}) & {effect_header} & Reject \\",
        r"\midrule",
    ]
    for test in comparison.pairwise:
        lines.append(_pairwise_row(test, comparison.alpha, len(effect_names) > 1) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]

    text = _with_caption(caption, _pairwise_caption(comparison))
    lines.append(rf"\caption{{{text}}}")
    if label:
        lines.append(rf"\label{{{label}}}")
    lines.append(r"\end{table}")
    return _write("\n".join(lines) + "\n", path)


def _pairwise_row(test: PairwiseTest, alpha: float, name_effect: bool) -> str:
    effect = "n/a" if math.isnan(test.effect_size) else f"${test.effect_size:+.3f}$"
    if name_effect and test.effect_size_name:
        effect += f" ({escape_latex(test.effect_size_name)})"
    cells = [
        escape_latex(test.model_a),
        escape_latex(test.model_b),
        format_p(test.pvalue, latex=True),
        format_p(test.pvalue_adjusted, alpha=alpha, latex=True),
        effect,
        "yes" if test.reject else "no",
    ]
    return " & ".join(cells)


def _pairwise_caption(comparison: Comparison) -> str:
    direction = "higher is better" if comparison.higher_is_better else "lower is better"
    name = _pairwise_test_name(comparison.pairwise[0].test) if comparison.pairwise else "pairwise test"
    sentence = (
        f"Pairwise {name}s of {comparison.metric} ({direction}) over "
        f"{_unit_phrase(comparison)}. Adjusted p: {_correction_phrase(comparison)}. "
        f"Reject: adjusted p ≤ α = {comparison.alpha:g}. The effect size is positive "
        "when candidate A is better. p-values below 1e-4 are displayed as upper bounds."
    )
    return escape_latex(sentence)
