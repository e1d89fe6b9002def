"""Result classes of ``compare`` and ``analyze``.

The field names and meanings of CandidateSummary, OmnibusTest, PairwiseTest and
Comparison are a contract with the plotting and report code. Fields added later
must have defaults, so that code constructing the classes keeps working.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nbcompare.stats import _render

if TYPE_CHECKING:
    from nbcompare.stats._assumptions import AssumptionCheck
    from nbcompare.stats._design import Design
    from nbcompare.stats._effect_sizes import EffectSize
    from nbcompare.stats._posthoc import PosthocResult

SUMMARY_COLUMNS = ("candidate", "n", "mean", "std", "ci_low", "ci_high", "median", "mean_rank")


@dataclass(frozen=True)
class CandidateSummary:
    """Description of one candidate's values over the blocks that were tested.

    Attributes
    ----------
    candidate : str
        Candidate name.
    n : int
        Number of blocks.
    mean, std, median : float
        Mean, standard deviation (ddof=1) and median of the block values.
    ci_low, ci_high : float
        Student t confidence interval of the mean at the comparison's
        ``confidence_level``.
    mean_rank : float
        Mean within-block rank, 1 = best, average ranks for ties.
    """

    candidate: str
    n: int
    mean: float
    std: float
    ci_low: float
    ci_high: float
    median: float
    mean_rank: float


@dataclass(frozen=True)
class OmnibusTest:
    """Test of H0: all candidates perform alike.

    Attributes
    ----------
    test : str
        ``"friedman"`` for k >= 3 candidates, ``"wilcoxon"`` (signed-rank) for
        k = 2 by default. With a ``test`` option of `compare`, the test that ran:
        for k >= 3 ``"rm-anova"``, ``"iman-davenport"``, ``"skillings-mack"``,
        ``"anova"``, ``"welch-anova"`` or ``"kruskal-wallis"``; for k = 2 the
        two-sample test, such as ``"paired-t"`` or ``"mann-whitney"``.
    statistic : float
        Friedman chi-square, or ``min(R+, R-)`` for the Wilcoxon test; F, t, H
        or U for the other tests.
    pvalue : float
        Uncorrected p-value. NaN when the statistic is undefined.
    df : float or None
        Degrees of freedom ``k - 1`` of the chi-square reference distribution,
        None for the Wilcoxon test.
    k : int
        Number of candidates.
    n_blocks : int
        Number of complete blocks tested.
    alternative : str
        ``"two-sided"``: both tests are non-directional. The Friedman test
        rejects for a large chi-square, which a difference among candidates in
        any direction produces.
    method : str
        How the p-value was computed: ``"asymptotic"`` (chi-square or normal
        approximation), ``"exact"``, ``"permutation"`` (all ``2**n`` sign flips) or
        ``"undefined"``; for the other tests the reference distribution in
        words, such as ``"F distribution, sphericity assumed"``.
    zero_method : str or None
        Zero-difference handling of the Wilcoxon test, None for Friedman.
    df2 : float or None
        Denominator degrees of freedom of an F test, None otherwise.
    effect_size : float
        Effect size of the omnibus test (Kendall's W, partial eta-squared, ...),
        NaN when not computed (the default path computes none).
    effect_size_name : str
        Name of `effect_size`.
    """

    test: str
    statistic: float
    pvalue: float
    df: float | None
    k: int
    n_blocks: int
    alternative: str
    method: str
    zero_method: str | None
    df2: float | None = None
    effect_size: float = float("nan")
    effect_size_name: str = ""


@dataclass(frozen=True)
class PairwiseTest:
    """Two-sided test of one pair of candidates.

    The default path runs the Wilcoxon signed-rank test. With a ``test``
    option of `compare`, `test` names the pairwise procedure that ran, and
    `effect_size` stays a rank-biserial correlation: matched-pairs for paired
    designs, Glass's (equal to Cliff's delta) for independent samples.

    Attributes
    ----------
    model_a, model_b : str
        The pair. ``model_a`` is ranked better overall.
    test : str
        ``"wilcoxon"`` by default; otherwise ``"nemenyi"``, ``"conover"``,
        ``"paired-t"``, ``"tukey-hsd"``, ``"dunn"``, ``"welch-t"``,
        ``"mann-whitney"``, ``"sign"``, ``"permutation"`` or ``"nadeau-bengio"``.
    statistic : float
        ``min(R+, R-)``, as scipy.stats.wilcoxon reports for a two-sided test;
        the statistic of `test` otherwise (signed ones oriented as model_a - model_b).
    pvalue : float
        Uncorrected two-sided p-value. NaN when the test is undefined.
    pvalue_adjusted : float
        p-value adjusted by the comparison's correction over the family of all
        pairs with a defined p-value. NaN when ``pvalue`` is NaN.
    reject : bool
        ``pvalue_adjusted <= alpha``. Always False when ``pvalue`` is NaN.
    effect_size : float
        Matched-pairs rank-biserial correlation ``(R+ - R-) / (R+ + R-)``, or
        Glass's rank-biserial correlation for independent samples.
        Positive means ``model_a`` is better in the metric's direction.
    effect_size_name : str
        ``"rank-biserial"``, or ``"Glass rank-biserial (Cliff's delta)"``.
    mean_difference : float
        Mean of ``model_a - model_b`` in the metric's raw units, not oriented by
        the metric's direction.
    ci_low, ci_high : float
        Paired t confidence interval of ``mean_difference`` (Welch interval for
        independent samples).
    n : int
        Number of pairs (blocks), zero differences included; for independent
        samples the total number of observations of the pair.
    method : str
        ``"exact"``, ``"permutation"``, ``"asymptotic"`` or ``"undefined"`` for
        the Wilcoxon test; the reference distribution in words otherwise.
    r_plus, r_minus : float
        Rank sums over the blocks in which ``model_a`` is better and worse.
    n_nonzero : int
        Number of blocks with a nonzero difference.
    correction : str
        Name of the multiplicity correction behind ``pvalue_adjusted``.
    """

    model_a: str
    model_b: str
    test: str
    statistic: float
    pvalue: float
    pvalue_adjusted: float
    reject: bool
    effect_size: float
    effect_size_name: str
    mean_difference: float
    ci_low: float
    ci_high: float
    n: int
    method: str = ""
    r_plus: float = float("nan")
    r_minus: float = float("nan")
    n_nonzero: int = 0
    correction: str = ""


@dataclass(frozen=True)
class PairEffectSize:
    """Effect size of one pair with its confidence interval.

    Attributes
    ----------
    model_a, model_b : str
        The pair, ``model_a`` ranked better, as in `Comparison.pairwise`.
    effect_size : EffectSize
        Positive means ``model_a`` is better in the metric's direction.
    """

    model_a: str
    model_b: str
    effect_size: EffectSize


@dataclass(frozen=True)
class Comparison:
    """Statistical comparison of several candidates on one metric.

    Attributes
    ----------
    metric : str
        Metric name.
    higher_is_better : bool
        Direction of the metric.
    alpha : float
        Significance level of the rejections.
    confidence_level : float
        Level of every confidence interval.
    correction : str
        statsmodels multipletests method applied to the pairwise family, or
        ``"single-step studentized range"`` after the Nemenyi and Tukey HSD
        tests, whose p-values cover all pairs without a correction.
    zero_method : str
        Zero-difference handling of the Wilcoxon tests.
    blocks : str
        ``"seed"`` (one task, blocks are seeds) or ``"task"`` (blocks are tasks,
        values are means over seeds).
    n_blocks : int
        Number of complete blocks tested.
    candidates : tuple of str
        Candidates, best first.
    summary : tuple of CandidateSummary
        Per-candidate description, in the order of `candidates`.
    omnibus : OmnibusTest
        Friedman test (k >= 3) or Wilcoxon test (k = 2).
    pairwise : tuple of PairwiseTest
        Every pair, in best-first order of `candidates`.
    family_size : int
        Number of pairwise tests with a defined p-value, which the correction
        counts.
    dropped_blocks : tuple of str
        Blocks left out by the missing-data policy.
    notes : tuple of str
        Plain-English caveats about this comparison.
    matrix : pandas.DataFrame
        Blocks x candidates values that were tested, columns best first.
    missing : str
        Missing-data policy that was applied.
    design : Design or None
        Detected (or requested) design: pairing, blocks, experimental unit and
        the reasons for each choice.
    requested_test : str
        The `test` option as given: ``""`` for the default procedure,
        ``"auto"``, or a test name. ``omnibus.test`` is the test that ran.
    reasons : tuple of str
        Sentences that explain the choice of tests.
    assumptions : tuple of AssumptionCheck
        Every assumption check that ran (none on the default path).
    posthoc : PosthocResult or None
        The post-hoc result behind `pairwise` for k >= 3 outside the default
        path, with its ``critical_difference`` for rank tests.
    cliques : tuple of tuple of str
        Maximal groups of candidates, contiguous in `candidates`, in which no
        pair is rejected (the bars of a critical difference diagram).
    effect_sizes : tuple of PairEffectSize
        One effect size with a confidence interval per pair, in the order of
        `pairwise` (empty on the default path).
    power : tuple of str
        Sentences about the power of the pairwise tests at this sample size.
    """

    metric: str
    higher_is_better: bool
    alpha: float
    confidence_level: float
    correction: str
    zero_method: str
    blocks: str
    n_blocks: int
    candidates: tuple[str, ...]
    summary: tuple[CandidateSummary, ...]
    omnibus: OmnibusTest
    pairwise: tuple[PairwiseTest, ...]
    family_size: int
    dropped_blocks: tuple[str, ...]
    notes: tuple[str, ...]
    matrix: pd.DataFrame = field(compare=False, repr=False)
    missing: str = "complete_blocks"
    design: Design | None = None
    requested_test: str = ""
    reasons: tuple[str, ...] = ()
    assumptions: tuple[AssumptionCheck, ...] = ()
    posthoc: PosthocResult | None = None
    cliques: tuple[tuple[str, ...], ...] = ()
    effect_sizes: tuple[PairEffectSize, ...] = ()
    power: tuple[str, ...] = ()

    @property
    def best(self) -> str:
        """Name of the best-ranked candidate."""
        return self.candidates[0]

    @property
    def significant_lead(self) -> bool:
        """Whether the best candidate beats every other one significantly.

        True when each pairwise test of the best candidate is rejected after
        correction and its effect size is positive, so the rejection is in the
        best candidate's favour.
        """
        tests = [test for test in self.pairwise if self.best in (test.model_a, test.model_b)]
        return bool(tests) and all(
            test.reject and _effect_for(test, self.best) > 0 for test in tests
        )

    def summary_frame(self) -> pd.DataFrame:
        """Return the per-candidate summary, one row per candidate, best first."""
        return pd.DataFrame([asdict(row) for row in self.summary], columns=list(SUMMARY_COLUMNS))

    def pairwise_frame(self) -> pd.DataFrame:
        """Return the pairwise tests, one row per pair.

        ``pvalue`` is the uncorrected Wilcoxon signed-rank p-value, and
        ``pvalue_adjusted`` is adjusted by the method in the ``correction`` column.
        """
        columns = list(PairwiseTest.__dataclass_fields__)
        return pd.DataFrame([asdict(test) for test in self.pairwise], columns=columns)

    def to_frame(self) -> pd.DataFrame:
        """Return the summary with each candidate's tests against the best candidate.

        Columns beyond `summary_frame`: ``metric`` first, then
        ``p_<omnibus>_omnibus`` (the uncorrected omnibus p-value, the same on every
        row), ``p_wilcoxon_vs_best`` (uncorrected), ``p_wilcoxon_<correction>_vs_best``
        (adjusted; ``wilcoxon`` is replaced by the pairwise test's name, such as
        ``nemenyi``, when another test ran), ``reject_<correction>_vs_best``, ``rank_biserial_vs_best``
        (this candidate against the best, so negative means worse) and
        ``mean_difference_vs_best`` (this candidate minus the best, raw units).
        The best candidate's row has NaN and NA in the columns against itself.
        """
        frame = self.summary_frame()
        frame.insert(0, "metric", self.metric)
        suffix = re.sub(r"[^0-9A-Za-z]+", "_", self.correction)
        frame[f"p_{self.omnibus.test}_omnibus"] = self.omnibus.pvalue

        raw, adjusted, reject, effect, difference = [], [], [], [], []
        for candidate in self.candidates:
            test = self._pair(self.best, candidate) if candidate != self.best else None
            raw.append(test.pvalue if test else np.nan)
            adjusted.append(test.pvalue_adjusted if test else np.nan)
            reject.append(test.reject if test else pd.NA)
            effect.append(-_effect_for(test, self.best) if test else np.nan)
            difference.append(-_difference_for(test, self.best) if test else np.nan)
        test = self.pairwise[0].test.replace("-", "_") if self.pairwise else "wilcoxon"
        frame[f"p_{test}_vs_best"] = raw
        frame[f"p_{test}_{suffix}_vs_best"] = adjusted
        frame[f"reject_{suffix}_vs_best"] = pd.array(reject, dtype="boolean")
        frame["rank_biserial_vs_best"] = effect
        frame["mean_difference_vs_best"] = difference
        return frame

    def p_matrix(self, adjusted: bool = True) -> pd.DataFrame:
        """Return a symmetric candidate x candidate matrix of pairwise p-values.

        Each off-diagonal cell contains that pair's own p-value (of the pairwise test that ran), adjusted
        by `correction` when `adjusted` is True. The diagonal is NaN.
        """
        matrix = self._empty_matrix()
        for test in self.pairwise:
            value = test.pvalue_adjusted if adjusted else test.pvalue
            matrix.loc[test.model_a, test.model_b] = value
            matrix.loc[test.model_b, test.model_a] = value
        return matrix

    def effect_matrix(self) -> pd.DataFrame:
        """Return the rank-biserial correlation of each row candidate against each column.

        Positive means the row candidate is better. The matrix is antisymmetric
        with a NaN diagonal.
        """
        matrix = self._empty_matrix()
        for test in self.pairwise:
            matrix.loc[test.model_a, test.model_b] = test.effect_size
            matrix.loc[test.model_b, test.model_a] = -test.effect_size
        return matrix

    def _empty_matrix(self) -> pd.DataFrame:
        names = list(self.candidates)
        matrix = pd.DataFrame(np.nan, index=names, columns=names, dtype=float)
        matrix.index.name = "candidate"
        matrix.columns.name = "candidate"
        return matrix

    def _pair(self, first: str, second: str) -> PairwiseTest:
        for test in self.pairwise:
            if {test.model_a, test.model_b} == {first, second}:
                return test
        raise KeyError(f"no pairwise test of {first!r} and {second!r}")

    def __str__(self) -> str:
        return _render.comparison_text(self)

    def _repr_html_(self) -> str:
        return _render.comparison_html(self)


def _effect_for(test: PairwiseTest, candidate: str) -> float:
    """Return the effect size of `test` oriented in favour of `candidate`."""
    return test.effect_size if test.model_a == candidate else -test.effect_size


def _difference_for(test: PairwiseTest, candidate: str) -> float:
    """Return the raw mean difference of `test` as `candidate` minus the other."""
    return test.mean_difference if test.model_a == candidate else -test.mean_difference


@dataclass(frozen=True)
class Analysis:
    """Comparisons of the same candidates on several metrics.

    Attributes
    ----------
    comparisons : tuple of Comparison
        One comparison per metric, in the order the metrics were given.
    """

    comparisons: tuple[Comparison, ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metric names, in the order of `comparisons`."""
        return tuple(comparison.metric for comparison in self.comparisons)

    def __getitem__(self, metric: str) -> Comparison:
        for comparison in self.comparisons:
            if comparison.metric == metric:
                return comparison
        raise KeyError(f"no comparison of metric {metric!r}; metrics: {list(self.metrics)}")

    def __len__(self) -> int:
        return len(self.comparisons)

    def __iter__(self):
        return iter(self.comparisons)

    def ranks_frame(self) -> pd.DataFrame:
        """Return the mean ranks as a candidate x metric frame (NaN where not compared)."""
        columns = {
            comparison.metric: pd.Series(
                {row.candidate: row.mean_rank for row in comparison.summary}, dtype=float
            )
            for comparison in self.comparisons
        }
        frame = pd.DataFrame(columns)
        frame.index.name = "candidate"
        frame.columns.name = "metric"
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Return the rows of every comparison's `Comparison.to_frame`, stacked."""
        frames = [comparison.to_frame() for comparison in self.comparisons]
        if not frames:
            return pd.DataFrame(columns=["metric", *SUMMARY_COLUMNS])
        return pd.concat(frames, ignore_index=True)

    def __str__(self) -> str:
        return _render.analysis_text(self)

    def _repr_html_(self) -> str:
        return _render.analysis_html(self)
