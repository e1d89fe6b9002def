"""Plain-text and HTML rendering of Comparison and Analysis.

Every p-value shown names its test and its correction ("uncorrected" for the
omnibus test and for raw pairwise p-values).
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import pandas as pd

from nbcompare.stats._correction import correction_label

if TYPE_CHECKING:
    from nbcompare.stats._results import Analysis, Comparison

# Display names of the tests that `Comparison.omnibus.test` and
# `PairwiseTest.test` can name.
TEST_NAMES = {
    "friedman": "Friedman",
    "wilcoxon": "Wilcoxon",
    "iman-davenport": "Iman–Davenport",
    "rm-anova": "repeated-measures ANOVA",
    "skillings-mack": "Skillings–Mack",
    "anova": "one-way ANOVA",
    "welch-anova": "Welch's ANOVA",
    "kruskal-wallis": "Kruskal–Wallis",
    "paired-t": "paired t",
    "sign": "sign test",
    "permutation": "paired permutation",
    "nadeau-bengio": "Nadeau–Bengio corrected t",
    "welch-t": "Welch t",
    "mann-whitney": "Mann–Whitney U",
    "nemenyi": "Nemenyi",
    "conover": "Conover",
    "tukey-hsd": "Tukey HSD",
    "dunn": "Dunn",
}

# Corrections that are not statsmodels multipletests methods.
_OTHER_CORRECTIONS = {
    "single-step studentized range": "single-step studentized range",
    "none": "no correction",
}


def test_label(test: str) -> str:
    """Return the display name of a test, or the name itself if it has none."""
    return TEST_NAMES.get(test, test)


def correction_text(correction: str) -> str:
    """Return the display name of a correction, including the single-step studentized range."""
    if correction in _OTHER_CORRECTIONS:
        return _OTHER_CORRECTIONS[correction]
    return correction_label(correction)


def _pairwise_name(comparison: Comparison) -> str:
    return test_label(comparison.pairwise[0].test) if comparison.pairwise else "Wilcoxon"


def format_pvalue(pvalue: float) -> str:
    """Format a p-value with 4 significant digits, or "n/a" for NaN."""
    if math.isnan(pvalue):
        return "n/a"
    if pvalue == 0:
        # A p-value of 0 only arises from floating-point underflow.
        return "< 1e-300"
    return f"{pvalue:.4g}"


def format_number(value: float) -> str:
    """Format a metric value or difference with about 4 significant digits."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e6:
        decimals = max(0, 3 - math.floor(math.log10(magnitude)))
        return f"{value:.{decimals}f}"
    return f"{value:.3e}"


def _interval(low: float, high: float) -> str:
    return f"[{format_number(low)}, {format_number(high)}]"


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _method_phrase(test: str, method: str) -> str:
    if method == "asymptotic":
        chi_square = test in ("friedman", "skillings-mack")
        return "chi-square approximation" if chi_square else "normal approximation"
    if method == "permutation":
        return "exact, all 2**n sign flips"
    return method


def _headline(comparison: Comparison) -> str:
    direction = "higher is better" if comparison.higher_is_better else "lower is better"
    if comparison.design is not None and not comparison.design.paired:
        return (
            f"Comparison of {comparison.metric!r} ({direction}): "
            f"{_plural(len(comparison.candidates), 'candidate')} as independent samples "
            f"(at least {_plural(comparison.n_blocks, comparison.blocks)} each)"
        )
    blocks = _plural(comparison.n_blocks, comparison.blocks)
    if comparison.blocks == "task":
        blocks += " (each value a mean over seeds)"
    return (
        f"Comparison of {comparison.metric!r} ({direction}): "
        f"{_plural(len(comparison.candidates), 'candidate')} over {blocks} as blocks"
    )


def _lead_sentence(comparison: Comparison) -> str:
    verdict = "yes" if comparison.significant_lead else "no"
    label = correction_text(comparison.correction)
    return (
        f"Best: {comparison.best}. Significantly better than every other candidate "
        f"({_pairwise_name(comparison)}, {label}, alpha = {comparison.alpha:g}): {verdict}."
    )


def _omnibus_sentence(comparison: Comparison) -> str:
    omnibus = comparison.omnibus
    method = _method_phrase(omnibus.test, omnibus.method)
    if omnibus.test == "friedman":
        return (
            f"Omnibus Friedman test: chi-square = {omnibus.statistic:.4g}, "
            f"df = {omnibus.df:g}, p (Friedman, uncorrected) = "
            f"{format_pvalue(omnibus.pvalue)} ({method})."
        )
    if omnibus.test == "nadeau-bengio" and omnibus.k > 2:
        correction = correction_text(comparison.correction)
        return (
            f"Global test of the pairwise Nadeau–Bengio corrected t tests: largest |t| = "
            f"{omnibus.statistic:.4g} (df = {omnibus.df:g}), smallest {correction}-adjusted "
            f"p = {format_pvalue(omnibus.pvalue)}; the candidates differ if any pair is rejected."
        )
    if omnibus.test == "wilcoxon":
        return (
            f"Omnibus two-sided Wilcoxon signed-rank test (zero_method={omnibus.zero_method!r}): "
            f"W = min(R+, R-) = {omnibus.statistic:g}, p (Wilcoxon, uncorrected) = "
            f"{format_pvalue(omnibus.pvalue)} ({method})."
        )
    name = test_label(omnibus.test)
    degrees = ""
    if omnibus.df is not None:
        degrees = f", df = {omnibus.df:g}"
        if omnibus.df2 is not None:
            degrees += f" and {omnibus.df2:g}"
    return (
        f"Omnibus {name} test: statistic = {format_number(omnibus.statistic)}{degrees}, "
        f"p ({name}, uncorrected) = {format_pvalue(omnibus.pvalue)} ({method})."
    )


def _pairwise_heading(comparison: Comparison) -> str:
    label = correction_text(comparison.correction)
    if comparison.pairwise and comparison.pairwise[0].test != "wilcoxon":
        return (
            f"Pairwise two-sided {_pairwise_name(comparison)} tests, adjusted by {label} over "
            f"{_plural(comparison.family_size, 'test')}, reject at alpha = {comparison.alpha:g}. "
            f"r is the {comparison.pairwise[0].effect_size_name} correlation, positive when "
            "model_a is better; the mean difference is model_a - model_b in raw units."
        )
    return (
        f"Pairwise two-sided Wilcoxon signed-rank tests (zero_method={comparison.zero_method!r}), "
        f"adjusted by {label} over {_plural(comparison.family_size, 'test')}, "
        f"reject at alpha = {comparison.alpha:g}. r is the rank-biserial correlation, "
        "positive when model_a is better; the mean difference is model_a - model_b "
        "in raw units."
    )


def _summary_rows(comparison: Comparison) -> list[dict[str, object]]:
    level = _percent(comparison.confidence_level)
    return [
        {
            "candidate": row.candidate,
            "n": row.n,
            "mean": format_number(row.mean),
            "std": format_number(row.std),
            f"{level} CI of mean": _interval(row.ci_low, row.ci_high),
            "median": format_number(row.median),
            "mean rank": f"{row.mean_rank:.2f}",
        }
        for row in comparison.summary
    ]


def _pairwise_rows(comparison: Comparison) -> list[dict[str, object]]:
    label = correction_text(comparison.correction)
    level = _percent(comparison.confidence_level)
    name = _pairwise_name(comparison)
    statistic = "W" if name == "Wilcoxon" else "statistic"
    return [
        {
            "model_a": test.model_a,
            "model_b": test.model_b,
            "n": test.n,
            statistic: f"{test.statistic:g}",
            f"p ({name}, uncorrected)": format_pvalue(test.pvalue),
            f"p ({name}, {label})": format_pvalue(test.pvalue_adjusted),
            "reject": "yes" if test.reject else "no",
            "r (rank-biserial)": f"{test.effect_size:.3f}",
            "mean diff": format_number(test.mean_difference),
            f"{level} CI": _interval(test.ci_low, test.ci_high),
            "method": _method_phrase(test.test, test.method),
        }
        for test in comparison.pairwise
    ]


def _html_table(rows: list[dict[str, object]]) -> str:
    """Render rows of display strings as the HTML that ``DataFrame(rows).to_html(index=False)`` gives.

    The markup, the "dataframe" class and the cell text match pandas 3.1.
    ``&``, ``<`` and ``>`` are escaped, and a tab, newline or carriage return
    in a value prints as ``\\t``, ``\\n`` or ``\\r``. The whitespace around each
    cell is stripped and each double space becomes two ``&nbsp;``. Building
    the string directly takes about a sixth of the time pandas needs for a
    190-row table. All rows have the same keys, so the first row's keys are the
    columns, and no rows give a table without columns, as in pandas.
    """
    columns = list(rows[0]) if rows else []
    lines = ['<table border="1" class="dataframe">', "  <thead>",
             '    <tr style="text-align: right;">']
    lines += [f"      <th>{_cell(str(column))}</th>" for column in columns]
    lines += ["    </tr>", "  </thead>", "  <tbody>"]
    for row in rows:
        lines.append("    <tr>")
        lines += [f"      <td>{_cell(str(row[column]).translate(_CONTROL_ESCAPES))}</td>"
                  for column in columns]
        lines.append("    </tr>")
    lines += ["  </tbody>", "</table>"]
    return "\n".join(lines)


# pandas prints a tab, newline or carriage return inside a table value as a backslash escape.
_CONTROL_ESCAPES = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _cell(text: str) -> str:
    return html.escape(text, quote=False).strip().replace("  ", "&nbsp;&nbsp;")


def comparison_text(comparison: Comparison) -> str:
    """Render a comparison as a plain-text report."""
    lines = [_headline(comparison), _lead_sentence(comparison), ""]
    lines.append(pd.DataFrame(_summary_rows(comparison)).to_string(index=False))
    lines += ["", _omnibus_sentence(comparison), "", _pairwise_heading(comparison)]
    lines.append(pd.DataFrame(_pairwise_rows(comparison)).to_string(index=False))
    if comparison.dropped_blocks:
        lines += ["", f"Dropped {comparison.blocks}s: {', '.join(comparison.dropped_blocks)}."]
    for heading, items in _extra_sections(comparison):
        lines += ["", heading]
        lines += [f"- {item}" for item in items]
    return "\n".join(lines)


def _extra_sections(comparison: Comparison) -> list[tuple[str, list[str]]]:
    """Return the headed lists after the tables: test choice, checks, groups, power, notes.

    The default path shows only its notes, as before.
    """
    sections = []
    if comparison.requested_test or comparison.assumptions or comparison.posthoc is not None:
        sections.append(("Design and choice of tests:", list(comparison.reasons)))
        if comparison.assumptions:
            sections.append(("Assumption checks:", [check.sentence for check in comparison.assumptions]))
        groups = []
        posthoc = comparison.posthoc
        if posthoc is not None and posthoc.critical_difference is not None:
            groups.append(
                f"Critical difference of mean ranks ({test_label(posthoc.method)}, alpha = "
                f"{posthoc.alpha:g}): {format_number(posthoc.critical_difference)}."
            )
        groups += [
            "Not separated: " + ", ".join(clique) for clique in comparison.cliques if len(clique) > 1
        ]
        if groups:
            sections.append(("Groups:", groups))
        if comparison.effect_sizes:
            sections.append((
                "Effect sizes (positive when model_a is better):",
                [f"{pair.model_a} vs {pair.model_b}: {pair.effect_size}" for pair in comparison.effect_sizes],
            ))
        if comparison.power:
            sections.append(("Power:", list(comparison.power)))
    if comparison.notes:
        sections.append(("Notes:", list(comparison.notes)))
    return sections


def comparison_html(comparison: Comparison) -> str:
    """Render a comparison as an HTML fragment for notebooks."""
    parts = [
        f"<h4>{html.escape(_headline(comparison))}</h4>",
        f"<p>{html.escape(_lead_sentence(comparison))}</p>",
        _html_table(_summary_rows(comparison)),
        f"<p>{html.escape(_omnibus_sentence(comparison))}</p>",
        f"<p>{html.escape(_pairwise_heading(comparison))}</p>",
        _html_table(_pairwise_rows(comparison)),
    ]
    if comparison.dropped_blocks:
        dropped = ", ".join(comparison.dropped_blocks)
        parts.append(f"<p>Dropped {comparison.blocks}s: {html.escape(dropped)}.</p>")
    for heading, entries in _extra_sections(comparison):
        items = "".join(f"<li>{html.escape(entry)}</li>" for entry in entries)
        parts.append(f"<p>{html.escape(heading)}</p><ul>{items}</ul>")
    return "<div>" + "\n".join(parts) + "</div>"


def analysis_text(analysis: Analysis) -> str:
    """Render every comparison of an analysis as plain text, separated by rules."""
    if not analysis.comparisons:
        return "Analysis of no metrics."
    rule = "\n\n" + "=" * 72 + "\n\n"
    return rule.join(comparison_text(comparison) for comparison in analysis.comparisons)


def analysis_html(analysis: Analysis) -> str:
    """Render every comparison of an analysis as one HTML fragment."""
    if not analysis.comparisons:
        return "<p>Analysis of no metrics.</p>"
    return "<hr>".join(comparison_html(comparison) for comparison in analysis.comparisons)
