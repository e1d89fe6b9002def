"""Sentences for the report, written from the analysis objects.

Every number in the prose comes from a field of a stats result, formatted by the
functions here, so the text cannot disagree with the tables.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any, Iterable

from nbcompare.stats._render import correction_text, test_label

__all__ = [
    "format_p",
    "format_value",
    "escape_markdown",
    "test_name",
    "correction_name",
    "omnibus_sentence",
    "recommendation",
    "study_markdown",
]

# Symbol of each omnibus test's statistic in the usual reporting style.
_STATISTIC_SYMBOLS = {
    "friedman": "χ²", "skillings-mack": "χ²", "kruskal-wallis": "χ²", "iman-davenport": "F",
    "rm-anova": "F", "anova": "F", "welch-anova": "F", "paired-t": "t", "welch-t": "t",
    "nadeau-bengio": "t", "wilcoxon": "W", "mann-whitney": "U", "sign": "S",
}

# Symbol of each pairwise test's statistic; tests not listed are labelled "statistic".
_PAIRWISE_SYMBOLS = {"wilcoxon": "W", "paired-t": "t", "conover": "t", "welch-t": "t", "mann-whitney": "U"}

_BLOCK_WORDS = {"seed": "seeds", "task": "tasks", "fold": "folds"}


def escape_markdown(text: Any) -> str:
    """Escape user text for a Markdown cell: HTML special characters and Markdown markup."""
    escaped = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~$])", r"\\\1", escaped)


def format_p(p: float) -> str:
    """Format an exact p-value: 3 significant digits, scientific notation below 1e-4."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "not defined"
    if p == 0:
        return "0 (below floating-point resolution)"
    if p < 1e-4:
        return f"{p:.2e}"
    return f"{p:.3g}"


def format_value(value: float, digits: int = 4) -> str:
    """Format a metric value with ``digits`` significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}g}"


def test_name(test: str) -> str:
    """Return the display name of a test, for example "Wilcoxon signed-rank test"."""
    if test == "wilcoxon":
        return "Wilcoxon signed-rank test"
    label = test_label(test)
    return label if label.endswith("test") else f"{label} test"


def correction_name(correction: str) -> str:
    """Return the display name of a correction, for example "Holm"."""
    return correction_text(correction)


def omnibus_sentence(comparison: Any) -> str:
    """Write one sentence stating the omnibus test, its statistic, df, p and the blocks used."""
    test = comparison.omnibus
    blocks = _BLOCK_WORDS.get(comparison.blocks, str(comparison.blocks))
    if test.test == "nadeau-bengio" and test.k > 2:
        return (f"Global test of the pairwise Nadeau–Bengio corrected t tests across {test.k} "
                f"candidates with {test.n_blocks} {blocks} as blocks: largest |t|({test.df:g}) = "
                f"{test.statistic:.4g}, smallest {correction_name(comparison.correction)}-adjusted "
                f"p = {format_p(test.pvalue)}.")
    symbol = _STATISTIC_SYMBOLS.get(test.test, "statistic")
    degrees = ""
    if test.df is not None:
        second = getattr(test, "df2", None)
        degrees = f"({test.df:g}, {second:g})" if second is not None else f"({test.df:g})"
    how = f"{test.method} p-value"
    if test.zero_method:
        how += f", zero_method={test.zero_method}"
    if test.test in ("wilcoxon", "paired-t", "sign", "permutation", "welch-t", "mann-whitney", "nadeau-bengio"):
        how = f"{test.alternative}, {how}"
    name = test_name(test.test)
    return (f"{name[:1].upper()}{name[1:]} across {test.k} candidates with {test.n_blocks} {blocks} as "
            f"blocks ({how}): {symbol}{degrees} = {test.statistic:.4g}, p = {format_p(test.pvalue)}.")


def _pair_phrase(pair: Any, correction: str) -> str:
    return (f"{escape_markdown(pair.model_a)} vs {escape_markdown(pair.model_b)}: "
            f"adjusted p = {format_p(pair.pvalue_adjusted)} ({correction_name(correction)}; "
            f"{test_name(pair.test)}, raw p = {format_p(pair.pvalue)}, "
            f"{pair.effect_size_name} = {pair.effect_size:+.2f})")


def recommendation(comparison: Any) -> str:
    """Say which candidate is best on the metric and whether its lead is significant."""
    best = comparison.summary[0]
    direction = "higher is better" if comparison.higher_is_better else "lower is better"
    level = f"{comparison.confidence_level:.0%}"
    head = (f"**{escape_markdown(comparison.metric)}** ({direction}): "
            f"**{escape_markdown(best.candidate)}** ranks first (mean rank {best.mean_rank:.2f}; mean "
            f"{format_value(best.mean)}, {level} CI [{format_value(best.ci_low)}, {format_value(best.ci_high)}]).")
    pairs = [p for p in comparison.pairwise if best.candidate in (p.model_a, p.model_b)]
    if not pairs:
        return head
    if comparison.significant_lead:
        tail = (f" Its lead is significant at α = {comparison.alpha:g} against every other candidate "
                f"({test_name(pairs[0].test)}, {correction_name(comparison.correction)} correction over "
                f"{comparison.family_size} pairs).")
    else:
        weak = [p for p in pairs if not p.reject]
        tail = (f" Its lead is **not** significant at α = {comparison.alpha:g} against "
                + "; ".join(_pair_phrase(p, comparison.correction) for p in weak) + ".")
    return head + tail


def _format_params(params: dict[str, Any]) -> str:
    if not params:
        return "defaults"
    return ", ".join(f"{escape_markdown(k)}={escape_markdown(v)}" for k, v in params.items())


def study_markdown(study: Any, results: Any) -> str:
    """Write the design section: candidates with their configurations, tasks, seeds, metrics."""
    lines = [
        f"**Study:** {escape_markdown(study.name)}  ",
        f"**Trials:** {escape_markdown(results.summary_line())}  ",
        f"**Tasks:** {', '.join(escape_markdown(t.name) for t in study.tasks)}  ",
        f"**Seeds:** {', '.join(str(s) for s in study.seeds)}  ",
        f"**Confidence level:** {study.confidence_level:g}; **α:** {study.alpha:g}",
    ]
    if study.description:
        lines.insert(1, f"{escape_markdown(study.description)}  ")
    lines.append("")
    lines.append("| Candidate | Workload | Configuration |")
    lines.append("|---|---|---|")
    for c in study.candidates:
        lines.append(f"| {escape_markdown(c.name)} | {escape_markdown(c.workload)} | {_format_params(dict(c.params))} |")
    lines.append("")
    lines.append("| Metric | Direction |")
    lines.append("|---|---|")
    for m in study.metrics:
        lines.append(f"| {escape_markdown(m.name)} | {m.direction} |")
    return "\n".join(lines)


def notes_markdown(notes: Iterable[str]) -> str:
    notes = list(notes)
    if not notes:
        return ""
    return "\n".join(f"- {escape_markdown(n)}" for n in notes)


def summary_table(comparison: Any):
    """Return the per-candidate summary with column names that state the interval."""
    level = f"{comparison.confidence_level:.0%}"
    frame = comparison.summary_frame()
    frame.insert(frame.columns.get_loc("ci_low"), f"{level} t CI", _intervals(frame))
    frame = frame.drop(columns=["ci_low", "ci_high"]).rename(columns={
        "std": "sd (ddof=1)", "mean_rank": "mean rank (1 = best)",
    })
    return frame.set_index("candidate")


def _intervals(frame: Any) -> list[str]:
    return [f"[{format_value(low)}, {format_value(high)}]" for low, high in zip(frame["ci_low"], frame["ci_high"])]


def pairwise_table(comparison: Any):
    """Return the pairwise tests with column names that name the test and the correction."""
    level = f"{comparison.confidence_level:.0%}"
    tests = {p.test for p in comparison.pairwise}
    test = test_label(next(iter(tests))) if len(tests) == 1 else "test"
    correction = correction_name(comparison.correction)
    statistic = _PAIRWISE_SYMBOLS.get(next(iter(tests), ""), "statistic") if len(tests) == 1 else "statistic"
    columns = {
        "model_a": "A", "model_b": "B", "statistic": statistic, "pvalue": f"p ({test})",
        "pvalue_adjusted": f"p ({test}, {correction})", "reject": f"reject at α={comparison.alpha:g}",
        "effect_size": "rank-biserial r (> 0: A better)", "mean_difference": "mean A − B",
    }
    pairs = comparison.pairwise_frame()
    frame = pairs[list(columns)].rename(columns=columns)
    frame[f"{level} t CI of A − B"] = _intervals(pairs)
    reject = columns["reject"]
    frame[reject] = frame[reject].map({True: "yes", False: "no"})
    return frame.set_index(["A", "B"])


def limitations(analysis: Any, results: Any) -> list[str]:
    """List what limits the conclusions: failed trials and each comparison's notes."""
    items = []
    if not results.failures.empty:
        items.append(f"{len(results.failures)} planned trial(s) failed or are missing; paired tests use "
                     "only the blocks in which every candidate has a value.")
    metrics_by_note: dict[str, list[str]] = {}
    for comparison in analysis.comparisons:
        for note in comparison.notes:
            metrics_by_note.setdefault(note, []).append(comparison.metric)
    for note, metrics in metrics_by_note.items():
        items.append(f"{', '.join(metrics)}: {note}")
    return items


def procedure_markdown(comparison: Any) -> str:
    """Explain how the procedure was chosen and what the assumption checks found."""
    lines = [f"- {escape_markdown(reason)}" for reason in getattr(comparison, "reasons", ())]
    posthoc = getattr(comparison, "posthoc", None)
    if posthoc is not None and getattr(posthoc, "critical_difference", None) is not None:
        lines.append(f"- Critical difference of mean ranks ({test_name(posthoc.method)}, "
                     f"α = {posthoc.alpha:g}): {posthoc.critical_difference:.3f}.")
    if not lines:
        return ""
    return "**Procedure**\n\n" + "\n".join(lines)
