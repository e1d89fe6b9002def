"""Multiplicity correction of a family of p-values that may contain NaN.

statsmodels' ``multipletests`` does the adjustment, except for Holm (see
`holm_adjusted`). This module names the methods, leaves undefined (NaN) p-values
out of the family and checks whether a family can reject anything at all, given
the smallest attainable raw p-value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from statsmodels.stats.multitest import multipletests, multitest_alias, multitest_methods_names

# The name stored in results for each method statsmodels accepts, keyed by
# statsmodels' short formal name. Names not listed here keep the formal name.
_PREFERRED_NAMES = {
    "b": "bonferroni",
    "s": "sidak",
    "h": "holm",
    "hs": "holm-sidak",
    "sh": "simes-hochberg",
    "ho": "hommel",
}

# Methods whose adjusted p-values are never below the raw ones in exact
# arithmetic. The two-stage FDR methods and fdr_gbs can adjust below.
_NEVER_BELOW_RAW = frozenset(
    {"bonferroni", "sidak", "holm", "holm-sidak", "simes-hochberg", "hommel", "fdr_bh", "fdr_by"}
)

# Methods for which the smallest adjusted p-value attainable by a family of
# raw p-values >= p_min is not known here, so no small-sample check is made.
# NOTE: "lfdr" returns local false discovery rates, whose minimum over families
# is not derived in this module.
_UNBOUNDED_METHODS = frozenset({"lfdr"})


@dataclass(frozen=True)
class AdjustedFamily:
    """Adjusted p-values and decisions, in the order of the raw p-values.

    NaN raw p-values stay NaN, are not rejected and are not counted in
    `family_size`.
    """

    adjusted: np.ndarray
    reject: np.ndarray
    family_size: int


def correction_names() -> tuple[str, ...]:
    """Return every correction name that statsmodels' multipletests accepts."""
    return tuple(sorted(multitest_alias))


def normalize_correction(correction: str) -> str:
    """Return the stored name of `correction`, or raise ValueError listing the names."""
    formal = multitest_alias.get(str(correction).lower()) if isinstance(correction, str) else None
    if formal is None:
        raise ValueError(
            f"correction must be one of the statsmodels multipletests methods "
            f"{list(correction_names())}; got {correction!r}."
        )
    return _PREFERRED_NAMES.get(formal, formal)


def correction_label(correction: str) -> str:
    """Return a display name such as "Holm" for a normalized correction name."""
    formal = multitest_alias[correction]
    return multitest_methods_names.get(formal, correction)


def adjust_pvalues(pvalues: np.ndarray, correction: str, alpha: float) -> AdjustedFamily:
    """Adjust the finite p-values of `pvalues` as one family.

    NaN entries are removed before the family is passed to statsmodels, so they
    cannot turn other adjusted p-values into NaN. For the methods that never adjust
    below the raw p-value, results are raised to at least the raw p-value, which
    only removes rounding error: statsmodels 0.15's Sidak adjustment of a single
    p = 0.25 returns 0.24999999999999997. A hypothesis is rejected when its
    adjusted p-value is at most `alpha`, the rule statsmodels 0.15 applies to
    every method.
    """
    pvalues = np.asarray(pvalues, dtype=float)
    adjusted = np.full(pvalues.shape, np.nan)
    reject = np.zeros(pvalues.shape, dtype=bool)
    tested = ~np.isnan(pvalues)
    family_size = int(tested.sum())
    if family_size:
        if correction == "holm":
            family_adjusted = holm_adjusted(pvalues[tested])
        else:
            _, family_adjusted, _, _ = multipletests(
                pvalues[tested], alpha=alpha, method=multitest_alias[correction]
            )
        if correction in _NEVER_BELOW_RAW:
            family_adjusted = np.maximum(family_adjusted, pvalues[tested])
        adjusted[tested] = family_adjusted
        reject[tested] = family_adjusted <= alpha
    return AdjustedFamily(adjusted=adjusted, reject=reject, family_size=family_size)


def holm_adjusted(pvalues: np.ndarray) -> np.ndarray:
    """Compute Holm's step-down adjusted p-values of a family without NaN.

    With the p-values sorted ascending, ``p_(i)`` becomes
    ``min(1, max_{j <= i} (m - j + 1) p_(j))`` for a family of ``m``. The steps
    and their order are those of statsmodels 0.15's ``multipletests(method="holm")``,
    so the results are equal to the last bit. statsmodels also runs
    ``gc.collect()`` on every Holm call, which took about 55 ms per call with
    the study of ``benchmarks/reanalysis.py`` in memory (2 cores, Python 3.11).
    tests/test_stats_correction.py compares this function with statsmodels.
    """
    pvalues = np.asarray(pvalues, dtype=float)
    order = np.argsort(pvalues)
    steps = np.arange(pvalues.size, 0, -1)
    stepped = np.maximum.accumulate(pvalues[order] * steps)
    stepped[stepped > 1] = 1
    adjusted = np.empty_like(stepped)
    adjusted[order] = stepped
    return adjusted


def smallest_adjusted_pvalue(
    min_pvalue: float, family_size: int, correction: str, alpha: float
) -> float | None:
    """Return the smallest adjusted p-value a family can reach, or None if unknown.

    Every raw p-value is at least `min_pvalue`. For the step-down, step-up and
    single-step methods the adjusted p-values do not decrease when a raw p-value
    increases, so the family in which every raw p-value equals `min_pvalue`
    gives the minimum (for Holm that is ``family_size * min_pvalue``). The
    two-stage FDR methods can adjust below that value only after their first
    stage rejects something. When this function returns a value above `alpha`,
    their first stage rejects nothing, so the statement still holds.
    """
    if family_size < 1 or correction in _UNBOUNDED_METHODS:
        return None
    # On a family of equal p-values Holm adjusts every one to family_size * p,
    # exactly as Bonferroni does. statsmodels 0.15 runs gc.collect() on every
    # Holm call (50-70 ms each in a pytest run of tests/test_stats_*.py on a
    # 2-core machine), and the search for the needed number of blocks makes many
    # such calls, so the bound uses the Bonferroni branch.
    method = "bonferroni" if correction == "holm" else correction
    family = np.full(family_size, float(min_pvalue))
    _, adjusted, _, _ = multipletests(family, alpha=alpha, method=multitest_alias[method])
    return float(np.min(adjusted))
