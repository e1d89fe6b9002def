"""Text shared by the figures: axis labels, p-value strings and test names."""

from __future__ import annotations

import math

# Below this value a p-value prints as "<1e-4". It is also the low end of the
# p-value colour scale, so every p-value matrix uses the same colours.
P_FLOOR = 1e-4

# Display names of the statsmodels multipletests methods, keyed by method name.
_CORRECTION_NAMES = {
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "hommel": "Hommel",
    "simes-hochberg": "Hochberg",
    "sidak": "Šidák",
    "holm-sidak": "Holm–Šidák",
    "fdr_bh": "Benjamini–Hochberg",
    "bh": "Benjamini–Hochberg",
    "fdr_by": "Benjamini–Yekutieli",
    "by": "Benjamini–Yekutieli",
    "fdr_tsbh": "two-stage Benjamini–Hochberg",
    "fdr_tsbky": "two-stage Benjamini–Krieger–Yekutieli",
}

_TEST_NAMES = {
    "wilcoxon": "Wilcoxon signed-rank",
    "friedman": "Friedman",
}


def direction_text(higher_is_better: bool) -> str:
    """Return "higher is better" or "lower is better"."""
    return "higher is better" if higher_is_better else "lower is better"


def percent_text(confidence_level: float) -> str:
    """Format a confidence level such as 0.95 as "95 %"."""
    return f"{100 * confidence_level:.4g} %"


def ci_text(confidence_level: float) -> str:
    """Name the interval drawn around a mean, e.g. "mean ± 95 % t CI"."""
    return f"mean ± {percent_text(confidence_level)} t CI"


def count_text(count: int, unit: str) -> str:
    """Return "1 seed", "5 seeds" and so on."""
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def blocks_text(comparison) -> str:
    """Describe the tested blocks, e.g. "7 seeds" or "7 seeds, 1 dropped for missing values"."""
    unit = str(getattr(comparison, "blocks", "block") or "block")
    text = count_text(comparison.n_blocks, unit)
    dropped = len(getattr(comparison, "dropped_blocks", ()) or ())
    if dropped:
        text += f", {dropped} dropped for missing values"
    return text


def metric_label(metric: str, higher_is_better: bool) -> str:
    """Name a metric and its direction, e.g. "accuracy (higher is better)"."""
    return f"{metric} ({direction_text(higher_is_better)})"


def format_pvalue(pvalue: float) -> str:
    """Format a p-value for a figure with 3 significant digits.

    Parameters
    ----------
    pvalue : float
        The p-value. NaN means the test was not run or is undefined.

    Returns
    -------
    str
        "0" for an exact zero (a p-value that underflowed), "<1e-4" for values
        below 1e-4, "n/a" for NaN, otherwise the value with 3 significant digits
        (0.0457, 0.5, 1).
    """
    if math.isnan(pvalue):
        return "n/a"
    if pvalue == 0:
        return "0"
    if pvalue < P_FLOOR:
        return "<1e-4"
    return f"{pvalue:.3g}"


def display_correction_name(correction: str | None) -> str | None:
    """Return the display name of a multiple-testing correction, or None for no correction."""
    if correction is None or str(correction).lower() in {"none", ""}:
        return None
    from nbcompare.stats._render import correction_text

    name = str(correction).lower()
    if name in _CORRECTION_NAMES:
        return _CORRECTION_NAMES[name]
    try:
        return correction_text(name)
    except ValueError:
        return str(correction)


def display_test_name(test: str) -> str:
    """Return the display name of a statistical test, e.g. "Wilcoxon signed-rank"."""
    from nbcompare.stats._render import test_label

    return _TEST_NAMES.get(str(test).lower()) or test_label(str(test))
