"""Sentences for the report, written from the analysis objects.

Every number in the prose comes from a field of a stats result, formatted by the
functions here, so the text cannot disagree with the tables.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any, Iterable, Sequence

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


def _join_names(names: list[str]) -> str:
    """Join escaped candidate names as "a", "a and b" or "a, b and c"."""
    escaped = [escape_markdown(name) for name in names]
    if len(escaped) <= 2:
        return " and ".join(escaped)
    return ", ".join(escaped[:-1]) + " and " + escaped[-1]


def _pair_phrase(pair: Any, correction: str) -> str:
    return (f"{escape_markdown(pair.model_a)} vs {escape_markdown(pair.model_b)}, "
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
        others = [p.model_b if p.model_a == best.candidate else p.model_a for p in weak]
        tail = (f" Its lead over {_join_names(others)} is **not** significant at α = {comparison.alpha:g}: "
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


# --- Methods and results paragraphs -------------------------------------------------------------
#
# Every number in these paragraphs is a field of a stats result passed through
# `format_number`, so tests can recompute each one from the fields.

_NUMBER_FORMATS = {
    "statistic": "{:#.3g}",  # test statistics: F, t, chi-square, W (trailing zeros kept)
    "df": "{:g}",            # degrees of freedom
    "value": "{:#.3g}",      # metric means and their confidence limits
    "effect": "{:.2f}",      # effect sizes and their confidence limits
    "alpha": "{:g}",
}

# References, cited only when the procedure they describe was used.
REFERENCES = {
    "demsar": "Demšar, J. (2006). Statistical comparisons of classifiers over multiple data sets. "
              "Journal of Machine Learning Research, 7, 1–30.",
    "friedman": "Friedman, M. (1937). The use of ranks to avoid the assumption of normality implicit "
                "in the analysis of variance. Journal of the American Statistical Association, 32, 675–701.",
    "wilcoxon": "Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin, 1, 80–83.",
    "nemenyi": "Nemenyi, P. B. (1963). Distribution-free multiple comparisons. PhD thesis, Princeton University.",
    "holm": "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian "
            "Journal of Statistics, 6, 65–70.",
    "fdr_bh": "Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and "
              "powerful approach to multiple testing. Journal of the Royal Statistical Society B, 57, 289–300.",
    "nadeau-bengio": "Nadeau, C., & Bengio, Y. (2003). Inference for the generalization error. "
                     "Machine Learning, 52, 239–281.",
}

_CITATION_KEYS = {
    "demsar": "Demšar, 2006", "friedman": "Friedman, 1937", "wilcoxon": "Wilcoxon, 1945",
    "nemenyi": "Nemenyi, 1963", "holm": "Holm, 1979", "fdr_bh": "Benjamini & Hochberg, 1995",
    "nadeau-bengio": "Nadeau & Bengio, 2003",
}

# Pairwise tests that report a t statistic with n - 1 degrees of freedom (n = number of pairs).
_T_PAIRWISE = ("paired-t", "nadeau-bengio")


def format_number(value: Any, kind: str) -> str:
    """Format one number of the methods and results paragraphs.

    Parameters
    ----------
    value : float
        A field of a stats result.
    kind : {"p", "statistic", "df", "value", "effect", "level", "alpha"}
        What the number is. ``"p"`` uses `format_p` and ``"level"`` prints a
        confidence level as a percentage.

    Returns
    -------
    str
        The text that appears in the paragraph; ``"n/a"`` for a missing value.
    """
    if kind == "p":
        return format_p(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "level":
        return f"{value:.0%}"
    if kind not in _NUMBER_FORMATS:
        raise ValueError(f"Unknown number kind {kind!r}; use one of {['p', 'level', *_NUMBER_FORMATS]}.")
    return _NUMBER_FORMATS[kind].format(value)


def _cite(key: str) -> str:
    """Return " (Author, year)" for a procedure with a reference, else an empty string."""
    return f" ({_CITATION_KEYS[key]})" if key in _CITATION_KEYS else ""


def _cite_in(key: str) -> str:
    """Return "; Author, year" to close a parenthesis, or an empty string."""
    return f"; {_CITATION_KEYS[key]}" if key in _CITATION_KEYS else ""


def procedure_name(test: str, plural: bool = False) -> str:
    """Return a test's name for prose: "Friedman test", "repeated-measures ANOVA", "paired t tests"."""
    name = test_label(test) if "ANOVA" in test_label(test) else test_name(test)
    if plural and name.endswith("test"):
        return name + "s"
    return name


def _effect_for_pair(comparison: Any, pair: Any) -> Any:
    """Return the EffectSize of ``pair`` from ``comparison.effect_sizes``, or None."""
    for entry in getattr(comparison, "effect_sizes", ()):
        if (entry.model_a, entry.model_b) == (pair.model_a, pair.model_b):
            return entry.effect_size
    return None


def _posthoc_test(comparison: Any) -> str | None:
    tests = sorted({pair.test for pair in comparison.pairwise})
    if not tests:
        return None
    return ", ".join(tests)


def procedure_key(comparison: Any) -> tuple:
    """Return the settings that make two comparisons use the same procedure.

    The tuple contains the omnibus test, alternative and p-value method, the post-hoc
    test, zero-difference handling, correction, effect size with its CI method,
    confidence level and alpha.
    """
    effect = comparison.effect_sizes[0].effect_size if comparison.effect_sizes else None
    effect_name = None
    if effect is not None:
        effect_name = effect.name
    elif comparison.pairwise:
        effect_name = comparison.pairwise[0].effect_size_name
    return (
        comparison.omnibus.test, comparison.omnibus.alternative, comparison.omnibus.method,
        _posthoc_test(comparison), comparison.zero_method, comparison.correction,
        effect_name,
        effect.ci_method if effect else "none",
        comparison.confidence_level, comparison.alpha,
    )


def _uses_wilcoxon(comparison: Any) -> bool:
    return comparison.omnibus.test == "wilcoxon" or any(p.test == "wilcoxon" for p in comparison.pairwise)


def _uses_ranks(comparison: Any) -> bool:
    rank_tests = {"friedman", "iman-davenport", "skillings-mack", "kruskal-wallis", "nemenyi", "conover",
                  "dunn", "wilcoxon", "mann-whitney"}
    return comparison.omnibus.test in rank_tests or any(p.test in rank_tests for p in comparison.pairwise)


def _references_for(comparisons: Sequence[Any]) -> list[str]:
    keys = ["demsar"]
    for comparison in comparisons:
        used = {comparison.omnibus.test, comparison.correction, *(p.test for p in comparison.pairwise)}
        for key in ("friedman", "wilcoxon", "nemenyi", "holm", "fdr_bh", "nadeau-bengio"):
            if key in used and key not in keys:
                keys.append(key)
    return keys


def _procedure_sentence(comparisons: Sequence[Any]) -> str:
    """Describe one procedure and the metrics it was applied to."""
    first = comparisons[0]
    metrics = ", ".join(escape_markdown(c.metric) for c in comparisons)
    omnibus = first.omnibus
    sentence = (f"For {metrics}, the candidates were compared with the {procedure_name(omnibus.test)} "
                f"({omnibus.alternative}; p-value method: {omnibus.method}{_cite_in(omnibus.test)})")
    posthoc = _posthoc_test(first)
    if posthoc and first.omnibus.k > 2:
        sentence += f", followed by pairwise {procedure_name(posthoc, plural=True)} (two-sided{_cite_in(posthoc)})"
    sentence += "."

    if first.correction == "single-step studentized range":
        sentence += (" Their p-values come from the studentized range distribution and cover all pairs "
                     "in a single step, so no further correction was applied.")
    else:
        sentence += f" Pairwise p-values were adjusted by {correction_name(first.correction)}{_cite(first.correction)}."
    if _uses_wilcoxon(first):
        sentence += (f" Zero differences in the Wilcoxon tests were handled with "
                     f"zero_method='{escape_markdown(first.zero_method)}'.")
    if _uses_ranks(first):
        sentence += " Ties within a block received average ranks."

    key = procedure_key(first)
    effect_name, ci_method = key[6], key[7]
    level = format_number(first.confidence_level, "level")
    if effect_name:
        interval = (f" with {level} confidence intervals by {ci_method}" if ci_method != "none"
                    else " without a confidence interval")
        sentence += f" Effect sizes are {effect_name}{interval}."
    sentence += (f" Candidate means are reported with {level} Student t confidence intervals; "
                 f"α = {format_number(first.alpha, 'alpha')}.")
    return sentence


def software_versions() -> dict[str, str]:
    """Return the installed versions of scipy, statsmodels and nbcompare ("not installed" if absent)."""
    from importlib import metadata

    versions = {}
    for package in ("scipy", "statsmodels", "nbcompare"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def methods_paragraph(analysis: Any) -> str:
    """Write the methods paragraph: each distinct procedure, software versions and references.

    Metrics analysed with the same procedure (see `procedure_key`) share one
    description. The reference list cites only the procedures that were used.
    """
    groups: dict[tuple, list[Any]] = {}
    for comparison in analysis.comparisons:
        groups.setdefault(procedure_key(comparison), []).append(comparison)
    first = analysis.comparisons[0]
    blocks = _BLOCK_WORDS.get(first.blocks, str(first.blocks))
    parts = [f"Candidates were compared over {first.n_blocks} {blocks} as blocks, following "
             "Demšar (2006) for comparisons of several candidates."]
    parts += [_procedure_sentence(group) for group in groups.values()]
    versions = software_versions()
    parts.append("The analysis used " + ", ".join(f"{name} {version}" for name, version in versions.items()) + ".")
    references = "\n".join(f"- {escape_markdown(REFERENCES[key])}" for key in _references_for(analysis.comparisons))
    return " ".join(parts) + "\n\n**References**\n\n" + references


def _omnibus_clause(comparison: Any) -> str:
    test = comparison.omnibus
    found = "found" if test.pvalue <= comparison.alpha else "did not find"
    symbol = _STATISTIC_SYMBOLS.get(test.test, "statistic")
    degrees = ""
    if test.df is not None:
        degrees = f"({format_number(test.df, 'df')}"
        degrees += f", {format_number(test.df2, 'df')})" if test.df2 is not None else ")"
    name = procedure_name(test.test)
    article = "An" if name[:1].lower() in "aeiou" else "A"
    if test.test == "nadeau-bengio" and test.k > 2:
        return (f"The global Nadeau–Bengio test {found} a difference between the candidates, largest "
                f"|t|{degrees} = {format_number(test.statistic, 'statistic')}, smallest adjusted "
                f"p = {format_number(test.pvalue, 'p')}.")
    return (f"{article} {name} {found} a difference between the candidates, "
            f"{symbol}{degrees} = {format_number(test.statistic, 'statistic')}, "
            f"p = {format_number(test.pvalue, 'p')}.")


def _means_clause(comparison: Any) -> str:
    level = format_number(comparison.confidence_level, "level")
    rows = [f"{escape_markdown(row.candidate)} (M = {format_number(row.mean, 'value')}, {level} CI "
            f"[{format_number(row.ci_low, 'value')}, {format_number(row.ci_high, 'value')}])"
            for row in comparison.summary]
    direction = "higher is better" if comparison.higher_is_better else "lower is better"
    return (f"By mean rank on {escape_markdown(comparison.metric)} ({direction}), {rows[0]} ranked first"
            + (", followed by " + ", ".join(rows[1:]) if len(rows) > 1 else "") + ".")


def _pair_clause(comparison: Any, pair: Any) -> str:
    symbol = _PAIRWISE_SYMBOLS.get(pair.test, "statistic")
    degrees = f"({format_number(pair.n - 1, 'df')})" if pair.test in _T_PAIRWISE else ""
    clause = (f"{escape_markdown(pair.model_a)} vs {escape_markdown(pair.model_b)}, "
              f"{symbol}{degrees} = {format_number(pair.statistic, 'statistic')}, "
              f"adjusted p = {format_number(pair.pvalue_adjusted, 'p')}")
    effect = _effect_for_pair(comparison, pair)
    if effect is None:
        return clause + f", {pair.effect_size_name} = {format_number(pair.effect_size, 'effect')}"
    clause += f", {effect.name} = {format_number(effect.estimate, 'effect')}"
    if not (math.isnan(effect.ci_low) or math.isnan(effect.ci_high)):
        clause += (f", {format_number(effect.confidence_level, 'level')} CI "
                   f"[{format_number(effect.ci_low, 'effect')}, {format_number(effect.ci_high, 'effect')}]")
    return clause


def results_paragraph(comparison: Any) -> str:
    """Write the results paragraph of one metric in the usual reporting style.

    Gives the omnibus test with its statistic, degrees of freedom and p-value, each
    candidate's mean with its confidence interval, and every pairwise test with its
    adjusted p-value and effect size.
    """
    parts = [_omnibus_clause(comparison), _means_clause(comparison)]
    if comparison.pairwise:
        tests = procedure_name(_posthoc_test(comparison), plural=True)
        if comparison.correction == "single-step studentized range":
            adjustment = "single-step studentized range p-values"
        else:
            adjustment = f"{correction_name(comparison.correction)} correction"
        pairs = "; ".join(_pair_clause(comparison, pair) for pair in comparison.pairwise)
        parts.append(f"Pairwise {tests} with {adjustment}: {pairs}.")
    return " ".join(parts)
