"""Choice of the omnibus and post-hoc tests from the design and the assumption checks.

The rules follow the usual decision tree for comparing several samples
(Demšar 2006; Herbold 2020, "Autorank: A Python package for automated ranking
of classifiers", JOSS 5(48), 2173), written here from the rules, not from that
package:

* Two paired candidates: the paired t test when Shapiro–Wilk does not reject
  normality of the differences, else the Wilcoxon signed-rank test.
  Cross-validation splits as blocks: the Nadeau–Bengio corrected t test.
* k >= 3 paired candidates: the repeated-measures ANOVA with pairwise paired t
  tests when the residuals look normal and Mauchly's test does not reject
  sphericity, else the Friedman test with the Nemenyi test (or another rank
  post-hoc test chosen by the caller).
* k >= 3 candidates with cross-validation splits as blocks: the Nadeau–Bengio
  corrected t test on every pair, corrected over all pairs. The omnibus test
  is the global (union–intersection) test of that family: it rejects when any
  pair rejects after the correction. Rank tests such as Friedman's are not
  used, because the splits share training data, so the blocks are not
  independent.
* Independent samples: Welch's t test or the Mann–Whitney U test for two
  candidates; for k >= 3 the ANOVA with Tukey's HSD (normal, equal variances),
  Welch's ANOVA with pairwise Welch t tests (normal, unequal variances), or
  the Kruskal–Wallis test with Dunn's test.

Every check that ran is recorded, also when the caller forces a test, and
every choice comes with a sentence that states why.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from nbcompare.exceptions import MethodSwitchWarning
from nbcompare.stats import _assumptions
from nbcompare.stats._assumptions import AssumptionCheck
from nbcompare.stats._design import Design

PAIRED_TWO_TESTS = ("paired-t", "wilcoxon", "sign", "permutation", "nadeau-bengio")
PAIRED_K_TESTS = ("friedman", "iman-davenport", "rm-anova", "skillings-mack")
INDEPENDENT_TWO_TESTS = ("welch-t", "mann-whitney")
INDEPENDENT_K_TESTS = ("anova", "welch-anova", "kruskal-wallis")
TESTS = (
    "auto", *PAIRED_TWO_TESTS, *PAIRED_K_TESTS, *INDEPENDENT_TWO_TESTS, *INDEPENDENT_K_TESTS
)
PAIRED_POSTHOCS = ("nemenyi", "conover", "wilcoxon", "paired-t")
INDEPENDENT_POSTHOCS = ("tukey-hsd", "dunn", "welch-t")
# Post-hoc procedures for cross-validation splits as blocks. They are kept
# out of PAIRED_POSTHOCS, which also lists the valid `rank_posthoc` values.
SPLIT_POSTHOCS = ("nadeau-bengio",)
POSTHOCS = (*PAIRED_POSTHOCS, *INDEPENDENT_POSTHOCS, *SPLIT_POSTHOCS)

# A k >= 3 test requested for two candidates, and the two-sample test that
# replaces it. rm-anova and kruskal-wallis reduce exactly to their
# replacements for k = 2 (F = t**2; H is the squared normal form of U).
_TWO_SAMPLE_FORM = {
    "friedman": "wilcoxon",
    "iman-davenport": "wilcoxon",
    "rm-anova": "paired-t",
    "skillings-mack": "wilcoxon",
    "anova": "welch-t",
    "welch-anova": "welch-t",
    "kruskal-wallis": "mann-whitney",
}

_RANK_TESTS = frozenset({"wilcoxon", "sign", "friedman", "iman-davenport", "skillings-mack",
                         "mann-whitney", "kruskal-wallis"})


@dataclass(frozen=True)
class Plan:
    """The tests to run and why.

    Attributes
    ----------
    test : str
        Omnibus test for k >= 3, or the two-sample test for k = 2.
    posthoc : str or None
        Pairwise procedure for k >= 3, None for k = 2.
    requested : str
        The `test` argument as given (``"auto"`` in automatic mode).
    reasons : tuple of str
        Sentences that explain the choice.
    checks : tuple of AssumptionCheck
        Every assumption check that ran.
    switches : tuple of str
        Sentences for each requested test that was replaced. Each is also
        emitted as a MethodSwitchWarning.
    """

    test: str
    posthoc: str | None
    requested: str
    reasons: tuple[str, ...]
    checks: tuple[AssumptionCheck, ...]
    switches: tuple[str, ...] = ()


def validate_test(test: str) -> str:
    """Return `test` if it names a test in `TESTS`, else raise ValueError listing them."""
    if test not in TESTS:
        raise ValueError(f"test must be one of {list(TESTS)}; got {test!r}.")
    return test


def validate_posthoc(posthoc: str | None) -> str | None:
    """Return `posthoc` if it is None or names a procedure in `POSTHOCS`."""
    if posthoc is not None and posthoc not in POSTHOCS:
        raise ValueError(f"posthoc must be None or one of {list(POSTHOCS)}; got {posthoc!r}.")
    return posthoc


def paired_checks(matrix: np.ndarray, names: list[str], alpha: float) -> tuple[AssumptionCheck, ...]:
    """Check normality (and, for k >= 3, sphericity) of a blocks x candidates matrix."""
    if matrix.shape[1] == 2:
        differences = matrix[:, 0] - matrix[:, 1]
        return (_assumptions.shapiro_wilk(differences, "the paired differences", alpha),)
    residuals = _assumptions.additive_residuals(matrix)
    samples = {name: residuals[:, index] for index, name in enumerate(names)}
    normality = _assumptions.shapiro_wilk_each(
        samples, "the residuals of the additive block + candidate model", alpha
    )
    return (*normality, _assumptions.mauchly(matrix, alpha))


def independent_checks(samples: dict[str, np.ndarray], alpha: float) -> tuple[AssumptionCheck, ...]:
    """Check normality of each sample and equality of their variances (Levene, median-centred)."""
    normality = _assumptions.shapiro_wilk_each(samples, "the values", alpha)
    return (*normality, _assumptions.levene(samples, alpha))


def _all_pass(checks: tuple[AssumptionCheck, ...], assumption: str) -> bool | None:
    """Return False if a check of `assumption` rejected, None if none ran, else True."""
    verdicts = [check.passed for check in checks if check.assumption == assumption]
    if any(verdict is False for verdict in verdicts):
        return False
    if not verdicts or all(verdict is None for verdict in verdicts):
        return None
    return True


def _failing(checks: tuple[AssumptionCheck, ...], assumption: str) -> list[AssumptionCheck]:
    return [check for check in checks if check.assumption == assumption and check.passed is False]


def _summary_sentence(checks: tuple[AssumptionCheck, ...], assumption: str) -> str:
    """Describe the checks of `assumption` in one sentence, naming any that rejected."""
    relevant = [check for check in checks if check.assumption == assumption]
    failing = _failing(checks, assumption)
    if failing:
        return " ".join(check.sentence for check in failing)
    ran = [check for check in relevant if check.passed is not None]
    if not ran:
        return " ".join(check.sentence for check in relevant)
    if len(ran) == 1:
        return ran[0].sentence
    smallest = min(ran, key=lambda check: check.pvalue)
    return (
        f"{len(ran)} {_display(smallest.test)} checks did not reject {assumption} "
        f"(smallest p = {smallest.pvalue:.3g})."
    )


def _display(name: str) -> str:
    """Return the display name of a test or post-hoc procedure ("shapiro-wilk" -> "Shapiro–Wilk")."""
    from nbcompare.stats._render import test_label

    special = {"shapiro-wilk": "Shapiro–Wilk", "levene": "Levene", "bartlett": "Bartlett",
               "mauchly": "Mauchly"}
    return special.get(name, test_label(name))


def choose_plan(
    design: Design,
    checks: tuple[AssumptionCheck, ...],
    test: str,
    posthoc: str | None,
    *,
    rank_posthoc: str = "nemenyi",
    missing: str = "complete_blocks",
) -> Plan:
    """Return the tests to run for `design`, given the assumption `checks`.

    With ``test="auto"`` the rules in the module docstring choose the tests.
    Otherwise `test` runs as requested. A k >= 3 test requested for two
    candidates is replaced by its two-sample form, with a MethodSwitchWarning
    emitted by the caller from `Plan.switches`. Raises ValueError for a test
    that does not fit the design, such as an independent-samples test on
    paired data (pass ``paired=False`` for that) or a two-sample test with
    k >= 3 candidates.
    """
    test = validate_test(test)
    posthoc = validate_posthoc(posthoc)
    _check_split_posthoc(design, test, posthoc)
    if test == "auto":
        plan = _automatic_plan(design, checks, posthoc, rank_posthoc, missing)
        if plan.posthoc is not None:
            _check_posthoc_fits(design, plan.posthoc)
        return plan
    return _forced_plan(design, checks, test, posthoc, missing)


def _check_posthoc_fits(design: Design, posthoc: str) -> None:
    if posthoc in SPLIT_POSTHOCS:
        return
    allowed = PAIRED_POSTHOCS if design.paired else INDEPENDENT_POSTHOCS
    if posthoc not in allowed:
        kind = "paired" if design.paired else "independent"
        raise ValueError(
            f"posthoc={posthoc!r} does not fit a {kind} design; pass one of {list(allowed)}."
        )


def _automatic_plan(
    design: Design,
    checks: tuple[AssumptionCheck, ...],
    posthoc: str | None,
    rank_posthoc: str,
    missing: str,
) -> Plan:
    normal = _all_pass(checks, "normality")
    reasons = []
    if missing == "skillings_mack":
        if design.k == 2:
            return _forced_plan(design, checks, "wilcoxon", posthoc, missing, requested="auto")
        reasons.append(
            "missing='skillings_mack' keeps the incomplete blocks, so the Skillings–Mack "
            "test was used, with pairwise Wilcoxon signed-rank tests on the blocks each "
            "pair shares."
        )
        return Plan("skillings-mack", posthoc or "wilcoxon", "auto", tuple(reasons), checks)

    if design.paired and design.blocks == "fold":
        _check_split_posthoc(design, "nadeau-bengio", posthoc)
        if design.k == 2:
            reasons.append(
                "The blocks are cross-validation splits, which share training data, so the "
                "Nadeau–Bengio corrected resampled t test was used."
            )
            return Plan("nadeau-bengio", None, "auto", tuple(reasons), checks)
        reasons.extend(_split_family_reasons())
        return Plan("nadeau-bengio", "nadeau-bengio", "auto", tuple(reasons), checks)

    normality = _summary_sentence(checks, "normality")
    if design.paired and design.k == 2:
        if normal:
            reasons.append(f"{normality} So the paired t test was used.")
            return Plan("paired-t", None, "auto", tuple(reasons), checks)
        reasons.append(f"{normality} So the Wilcoxon signed-rank test was used.")
        return Plan("wilcoxon", None, "auto", tuple(reasons), checks)

    if design.paired:
        spherical = _all_pass(checks, "sphericity")
        sphericity = _summary_sentence(checks, "sphericity")
        if normal and spherical:
            chosen = posthoc or "paired-t"
            reasons.append(
                f"{normality} {sphericity} So the repeated-measures ANOVA was used, "
                f"with {_display(chosen)} post-hoc tests."
            )
            return Plan("rm-anova", chosen, "auto", tuple(reasons), checks)
        chosen = posthoc or rank_posthoc
        why = normality if not normal else sphericity
        reasons.append(f"{why} So the Friedman test was used, with {_display(chosen)} post-hoc tests.")
        return Plan("friedman", chosen, "auto", tuple(reasons), checks)

    if design.k == 2:
        if normal:
            reasons.append(
                f"{normality} So Welch's t test was used, which does not assume equal variances."
            )
            return Plan("welch-t", None, "auto", tuple(reasons), checks)
        reasons.append(f"{normality} So the Mann–Whitney U test was used.")
        return Plan("mann-whitney", None, "auto", tuple(reasons), checks)

    equal = _all_pass(checks, "equal variances")
    variances = _summary_sentence(checks, "equal variances")
    if normal and equal:
        chosen = posthoc or "tukey-hsd"
        reasons.append(f"{normality} {variances} So the one-way ANOVA was used, with {_display(chosen)} post-hoc tests.")
        return Plan("anova", chosen, "auto", tuple(reasons), checks)
    if normal:
        chosen = posthoc or "welch-t"
        reasons.append(f"{normality} {variances} So Welch's ANOVA was used, with {_display(chosen)} post-hoc tests.")
        return Plan("welch-anova", chosen, "auto", tuple(reasons), checks)
    chosen = posthoc or "dunn"
    reasons.append(f"{normality} So the Kruskal–Wallis test was used, with {_display(chosen)} post-hoc tests.")
    return Plan("kruskal-wallis", chosen, "auto", tuple(reasons), checks)


def _split_family_reasons() -> list[str]:
    """Explain the Nadeau–Bengio family and its global test for k >= 3 candidates."""
    return [
        "The blocks are cross-validation splits, which share training data, so they are "
        "not independent. Rank tests such as Friedman's assume independent blocks and "
        "would reject too often, so every pair was tested by the Nadeau–Bengio corrected "
        "resampled t test instead, and the pairwise p-values were corrected as one family.",
        "The omnibus test is the global (union–intersection) test of that family: it "
        "rejects when any pairwise Nadeau–Bengio test rejects after the correction. Its "
        "p-value is the smallest adjusted pairwise p-value and its statistic the largest "
        "|t|, so its error rate is the one the correction controls.",
    ]


def _check_split_posthoc(design: Design, test: str, posthoc: str | None) -> None:
    """Raise ValueError unless the Nadeau–Bengio test and post-hoc procedure go together on splits."""
    if posthoc == "nadeau-bengio" and design.blocks != "fold":
        raise ValueError(
            f"posthoc='nadeau-bengio' needs cross-validation splits as blocks, but the "
            f"blocks are {design.blocks}s. Add 'fold' (and 'repeat') columns to the data, "
            "or pass another posthoc."
        )
    if posthoc == "nadeau-bengio" and test not in ("nadeau-bengio", "auto"):
        raise ValueError(
            f"posthoc='nadeau-bengio' goes with test='nadeau-bengio' or test='auto'; got "
            f"test={test!r}. Pass one of those, or another posthoc."
        )
    if test == "nadeau-bengio" and design.k > 2 and posthoc not in (None, "nadeau-bengio"):
        raise ValueError(
            f"posthoc={posthoc!r} treats the cross-validation splits as independent "
            "blocks, but they share training data. Pass posthoc=None or "
            "posthoc='nadeau-bengio', or blocks='seed' to average the splits within each seed."
        )


def _forced_plan(
    design: Design,
    checks: tuple[AssumptionCheck, ...],
    test: str,
    posthoc: str | None,
    missing: str,
    requested: str | None = None,
) -> Plan:
    requested = requested or test
    switches = []
    paired_tests = (*PAIRED_TWO_TESTS, *PAIRED_K_TESTS)
    if design.paired and test not in paired_tests:
        raise ValueError(
            f"test={test!r} is for independent samples, but the design is paired. A paired "
            "design is never analysed as unpaired automatically: pass paired=False to do so."
        )
    if not design.paired and test in paired_tests:
        raise ValueError(
            f"test={test!r} needs paired data, but the design is independent samples "
            f"(see Comparison.design.reasons). Pass one of "
            f"{list(INDEPENDENT_TWO_TESTS if design.k == 2 else INDEPENDENT_K_TESTS)}."
        )
    if test == "skillings-mack" and missing != "skillings_mack":
        raise ValueError(
            "test='skillings-mack' needs missing='skillings_mack', which keeps the "
            "incomplete blocks it is made for; pass both."
        )
    if test == "nadeau-bengio" and design.blocks != "fold":
        raise ValueError(
            "test='nadeau-bengio' needs cross-validation splits as blocks: add 'fold' "
            "(and 'repeat') columns to the data."
        )
    if design.k == 2 and test in _TWO_SAMPLE_FORM:
        replacement = _TWO_SAMPLE_FORM[test]
        switches.append(
            f"test={test!r} compares k >= 3 candidates; with 2 candidates the equivalent "
            f"two-sample test {replacement!r} was run instead."
        )
        test = replacement
    two_sample_only = [name for name in (*PAIRED_TWO_TESTS, *INDEPENDENT_TWO_TESTS)
                       if name != "nadeau-bengio"]
    if design.k > 2 and test in two_sample_only:
        raise ValueError(
            f"test={test!r} compares 2 candidates, but there are {design.k}. Pass an "
            f"omnibus test ({list(PAIRED_K_TESTS if design.paired else INDEPENDENT_K_TESTS)}) "
            f"and posthoc={test!r} if it is a post-hoc procedure."
        )
    if design.k > 2:
        posthoc = posthoc or _default_posthoc(test)
        _check_posthoc_fits(design, posthoc)
        if test == "skillings-mack" and posthoc != "wilcoxon":
            raise ValueError(
                f"posthoc={posthoc!r} needs complete blocks; with missing='skillings_mack' "
                "pass posthoc='wilcoxon', which tests each pair on the blocks it shares."
            )
    else:
        posthoc = None
    reasons = [f"The {test} test was used, as requested (test={requested!r})."]
    if test == "nadeau-bengio" and design.k > 2:
        reasons.extend(_split_family_reasons())
    if posthoc is not None:
        reasons.append(f"The post-hoc procedure is {posthoc}.")
    reasons.extend(_contradicted(test, checks))
    reasons.extend(_split_caveats(design, test))
    return Plan(test, posthoc, requested, tuple(reasons + switches), checks, tuple(switches))


def _default_posthoc(test: str) -> str:
    return {
        "friedman": "nemenyi",
        "iman-davenport": "nemenyi",
        "rm-anova": "paired-t",
        "skillings-mack": "wilcoxon",
        "anova": "tukey-hsd",
        "welch-anova": "welch-t",
        "kruskal-wallis": "dunn",
        "nadeau-bengio": "nadeau-bengio",
    }[test]


def _split_caveats(design: Design, test: str) -> list[str]:
    """Warn that a requested test other than Nadeau–Bengio treats correlated splits as independent."""
    if design.blocks != "fold" or test == "nadeau-bengio":
        return []
    return [
        f"The blocks are cross-validation splits, which share training data, so they are "
        f"correlated. The requested {test} test assumes independent blocks, so its p-values "
        "may be inaccurate (too small). test='nadeau-bengio' corrects for the shared data."
    ]


def _contradicted(test: str, checks: tuple[AssumptionCheck, ...]) -> list[str]:
    """Name the checks that speak against a forced parametric test."""
    if test in _RANK_TESTS:
        return []
    failing = _failing(checks, "normality")
    if test != "nadeau-bengio":
        # The Nadeau–Bengio tests are pairwise, so sphericity does not enter them.
        failing += _failing(checks, "sphericity")
    if test in ("anova",):
        failing += _failing(checks, "equal variances")
    return [
        f"{check.sentence} The requested {test} test assumes it; its p-values may be inaccurate."
        for check in failing
    ]


def emit_switches(plan: Plan, metric: str, stacklevel: int) -> None:
    """Emit a MethodSwitchWarning for every replaced test of `plan`."""
    for sentence in plan.switches:
        warnings.warn(f"Metric {metric!r}: {sentence}", MethodSwitchWarning, stacklevel=stacklevel + 1)
