"""Post-hoc pairwise and all-versus-control tests after an omnibus test.

Paired designs (blocks x candidates):

* `nemenyi` and `conover_friedman` compare the Friedman mean ranks of every pair.
* `pairwise_wilcoxon` and `pairwise_ttest` test every pair on its own differences.
* `pairwise_nadeau_bengio` does the same with the Nadeau–Bengio corrected t
  test, for blocks that are cross-validation splits.
* `bonferroni_dunn` and `holm_vs_control` compare every candidate's mean rank
  with one control candidate's.

Independent designs (one sample per candidate): `tukey_hsd` and `dunn`.

Every function returns a `PosthocResult` whose candidates are sorted best
first, so in every pair ``model_a`` is the candidate ranked better. p-values
from a multiplicity correction come from ``_correction.adjust_pvalues``.
"""

from __future__ import annotations

import functools
import html
import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._correction import (
    AdjustedFamily,
    adjust_pvalues,
    correction_label,
    normalize_correction,
)
from nbcompare.stats._design import validate_direction
from nbcompare.stats._omnibus import independent_samples, paired_matrix
from nbcompare.stats._ranks import best_first_order, block_ranks, orient_lower_is_better
from nbcompare.stats._render import format_number, format_pvalue
from nbcompare.stats._signed_rank import (
    METHOD_PERMUTATION,
    choose_method,
    validate_zero_method,
)
from nbcompare.stats._two_sample import _is_constant, _validate_count

# The name stored in `PosthocResult.correction` when the p-value distribution
# itself accounts for all pairs (Nemenyi, Tukey HSD), so no multipletests
# method is applied.
SINGLE_STEP = "single-step studentized range"
# The name of the correction that leaves every p-value as it is.
NO_CORRECTION = "none"

PAIR_COLUMNS = (
    "model_a",
    "model_b",
    "statistic",
    "pvalue",
    "pvalue_adjusted",
    "reject",
    "rank_difference",
    "mean_difference",
)


@dataclass(frozen=True)
class PairResult:
    """Test of one pair of candidates.

    Attributes
    ----------
    model_a, model_b : str
        The pair. ``model_a`` comes first in `PosthocResult.candidates`, so it
        is ranked better (or tied and earlier by the tie-breaks).
    statistic : float
        Test statistic, named by `PosthocResult.statistic_name`.
    pvalue : float
        Uncorrected two-sided p-value. NaN when the test is undefined.
    pvalue_adjusted : float
        p-value adjusted for the family of all pairs tested (or of all
        comparisons with the control). NaN when `pvalue` is NaN.
    reject : bool
        ``pvalue_adjusted <= alpha``. False when `pvalue_adjusted` is NaN.
    rank_difference : float
        Mean rank of ``model_a`` minus mean rank of ``model_b`` in
        `PosthocResult.mean_ranks` (rank 1 is best, so this is <= 0). NaN for
        tests without mean ranks (Tukey HSD).
    mean_difference : float
        Mean of ``model_a`` minus mean of ``model_b`` in the metric's raw
        units, not oriented by the metric's direction.
    """

    model_a: str
    model_b: str
    statistic: float
    pvalue: float
    pvalue_adjusted: float
    reject: bool
    rank_difference: float
    mean_difference: float


@dataclass(frozen=True)
class PosthocResult:
    """Outcome of a post-hoc test of pairs of candidates.

    Attributes
    ----------
    method : str
        Test name, for example ``"nemenyi"`` or ``"wilcoxon"``.
    correction : str
        statsmodels multipletests method behind `PairResult.pvalue_adjusted`,
        ``"none"`` when it equals the uncorrected p-value, or ``SINGLE_STEP`` when the studentized range distribution already
        covers every pair (Nemenyi, Tukey HSD).
    alpha : float
        Significance level of `PairResult.reject` and `critical_difference`.
    candidates : tuple of str
        Candidates best first: by mean rank when `mean_ranks` is given, else by
        mean in the metric's direction. Ties are broken by the mean, then the
        name.
    mean_ranks : tuple of float or None
        Mean rank of each candidate in the order of `candidates`, 1 = best:
        within-block ranks for paired designs, ranks of the pooled observations
        for Dunn's test, None for Tukey HSD.
    critical_difference : float or None
        Smallest difference of mean ranks that is significant at `alpha`
        (Nemenyi, Bonferroni–Dunn), None for the other tests.
    pairs : tuple of PairResult
        Every pair tested, in the order of `candidates`.
    higher_is_better : bool
        Direction of the metric.
    n : int
        Number of blocks (paired designs) or of observations (independent
        samples).
    statistic_name : str
        What `PairResult.statistic` is.
    df : float or None
        Degrees of freedom of the reference t distribution, when there is one
        common to all pairs.
    control : str or None
        The control candidate of an all-versus-control test.
    """

    method: str
    correction: str
    alpha: float
    candidates: tuple[str, ...]
    mean_ranks: tuple[float, ...] | None
    critical_difference: float | None
    pairs: tuple[PairResult, ...]
    higher_is_better: bool = True
    n: int = 0
    statistic_name: str = ""
    df: float | None = None
    control: str | None = None

    @property
    def family_size(self) -> int:
        """Number of pairs with a defined p-value, the family of the correction."""
        return sum(1 for pair in self.pairs if not math.isnan(pair.pvalue))

    def p_matrix(self, adjusted: bool = True) -> pd.DataFrame:
        """Return a symmetric candidate x candidate matrix of p-values.

        Each off-diagonal cell contains that pair's own p-value, adjusted when
        `adjusted` is True. The diagonal and the pairs that were not tested
        (for an all-versus-control test, those without the control) are NaN.
        """
        names = list(self.candidates)
        matrix = pd.DataFrame(np.nan, index=names, columns=names, dtype=float)
        for pair in self.pairs:
            value = pair.pvalue_adjusted if adjusted else pair.pvalue
            matrix.loc[pair.model_a, pair.model_b] = value
            matrix.loc[pair.model_b, pair.model_a] = value
        matrix.index.name = "candidate"
        matrix.columns.name = "candidate"
        return matrix

    def to_frame(self) -> pd.DataFrame:
        """Return one row per pair with the columns of `PairResult`."""
        return pd.DataFrame([asdict(pair) for pair in self.pairs], columns=list(PAIR_COLUMNS))

    def _header(self) -> list[str]:
        direction = "higher is better" if self.higher_is_better else "lower is better"
        units = "observations" if self.method in ("tukey-hsd", "dunn") else "blocks"
        lines = [
            f"{_METHOD_LABELS.get(self.method, self.method)} ({direction}), "
            f"{len(self.candidates)} candidates, n = {self.n} {units}.",
            f"p adjusted by: {_correction_text(self.correction)}; alpha = {self.alpha:g}; "
            f"{self.family_size} comparisons. Statistic: {self.statistic_name}.",
        ]
        if self.control is not None:
            lines.append(f"Control: {self.control}.")
        if self.critical_difference is not None:
            lines.append(f"Critical difference of mean ranks: {format_number(self.critical_difference)}.")
        if self.mean_ranks is not None:
            ranks = ", ".join(
                f"{name} {format_number(rank)}" for name, rank in zip(self.candidates, self.mean_ranks)
            )
            lines.append(f"Mean ranks (1 = best): {ranks}.")
        return lines

    def _display_frame(self) -> pd.DataFrame:
        frame = self.to_frame()
        for column in ("pvalue", "pvalue_adjusted"):
            frame[column] = [format_pvalue(value) for value in frame[column]]
        for column in ("statistic", "rank_difference", "mean_difference"):
            frame[column] = [format_number(float(value)) for value in frame[column]]
        return frame

    def __str__(self) -> str:
        return "\n".join([*self._header(), self._display_frame().to_string(index=False)])

    def _repr_html_(self) -> str:
        header = "<br>".join(html.escape(line) for line in self._header())
        table = self._display_frame().to_html(index=False)
        return f"<div><p>{header}</p>{table}</div>"


_METHOD_LABELS = {
    "nemenyi": "Nemenyi test after Friedman",
    "conover": "Conover test after Friedman",
    "wilcoxon": "Pairwise Wilcoxon signed-rank tests",
    "paired-t": "Pairwise paired t tests",
    "nadeau-bengio": "Pairwise Nadeau–Bengio corrected t tests",
    "tukey-hsd": "Tukey HSD test",
    "dunn": "Dunn's test after Kruskal–Wallis",
    "bonferroni-dunn": "Bonferroni–Dunn test against a control",
    "holm-vs-control": "Holm test against a control",
}


def _correction_text(correction: str) -> str:
    if correction == SINGLE_STEP:
        return SINGLE_STEP
    if correction == NO_CORRECTION:
        return "no correction (pvalue_adjusted equals pvalue)"
    return correction_label(correction)


def _normalize_correction(correction: str) -> str:
    """Return the stored name of `correction`, accepting "none" besides statsmodels' names."""
    if isinstance(correction, str) and correction.lower() == NO_CORRECTION:
        return NO_CORRECTION
    return normalize_correction(correction)


def _adjust(pvalue: np.ndarray, correction: str, alpha: float) -> AdjustedFamily:
    if correction == NO_CORRECTION:
        adjusted = np.asarray(pvalue, dtype=float).copy()
        tested = ~np.isnan(adjusted)
        return AdjustedFamily(adjusted=adjusted, reject=adjusted <= alpha, family_size=int(tested.sum()))
    return adjust_pvalues(pvalue, correction, alpha)


# ---------------------------------------------------------------- critical values


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Return the Nemenyi critical value q_alpha for `k` candidates.

    ``q_alpha = studentized_range.ppf(1 - alpha, k, inf) / sqrt(2)``, the upper
    alpha quantile of the range of k standard normal variables divided by
    sqrt(2) (Demšar 2006, Table 5(a): 2.569 for k = 4 at alpha = 0.05).
    """
    _check_k(k)
    _check_alpha(alpha)
    return _studentized_range_isf(float(alpha), int(k)) / math.sqrt(2)


# A study compares the same k candidates on many metrics, and each call costs
# about 2.5 ms, so the values are cached.
@functools.lru_cache(maxsize=256)
def _studentized_range_isf(alpha: float, k: int) -> float:
    """Return w with P(Q > w) = alpha for the range Q of `k` standard normals.

    scipy's generic ``studentized_range.ppf`` spends about 3 ms per call, so
    Brent's method runs on ``studentized_range.sf`` directly, in a bracket
    known to contain the root. The lower end is the k = 2 value
    ``sqrt(2) z_{alpha/2}``, which the range of more normals only exceeds.
    The upper end is the Bonferroni bound over the ``k (k - 1) / 2`` pairs,
    ``sqrt(2) z_{alpha / (k (k - 1))}``, because P(Q > w) is at most the sum
    of the pairwise probabilities. For k = 2..100 and alpha in {0.01, 0.05,
    0.1, 0.5} the result agreed with ``studentized_range.ppf(1 - alpha, k,
    inf)`` to 1e-8.
    """
    lower = math.sqrt(2) * float(stats.norm.isf(alpha / 2))
    upper = math.sqrt(2) * float(stats.norm.isf(alpha / (k * (k - 1))))
    if k == 2 or upper - lower < 1e-12:
        return lower
    excess = lambda width: float(stats.studentized_range.sf(width, k, np.inf)) - alpha
    return float(optimize.brentq(excess, lower * (1 - 1e-9), upper * (1 + 1e-9), xtol=1e-13, rtol=1e-13))


def bonferroni_dunn_q(k: int, alpha: float = 0.05) -> float:
    """Return the Bonferroni–Dunn critical value for `k` candidates, one of them the control.

    ``q_alpha = norm.ppf(1 - alpha / (2 (k - 1)))``: the two-sided normal
    quantile with alpha split over the k - 1 comparisons with the control
    (Demšar 2006, Table 5(b): 2.394 for k = 4 at alpha = 0.05).
    """
    _check_k(k)
    _check_alpha(alpha)
    return float(stats.norm.isf(alpha / (2 * (k - 1))))


def critical_difference(q_alpha: float, k: int, n_blocks: int) -> float:
    """Return the critical difference of mean ranks ``q_alpha * sqrt(k (k + 1) / (6 n))``.

    Two mean ranks over `n_blocks` blocks differ significantly when their
    difference exceeds this value (Demšar 2006, Nemenyi and Bonferroni–Dunn
    tests).
    """
    return q_alpha * _rank_standard_error(k, n_blocks)


def _rank_standard_error(k: int, n_blocks: int) -> float:
    # Standard error of a difference of two mean ranks under H0 without ties.
    return math.sqrt(k * (k + 1) / (6.0 * n_blocks))


def _check_k(k: Any) -> None:
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or k < 2:
        raise ValueError(f"k must be an integer number of candidates >= 2; got {k!r}.")


def _check_alpha(alpha: Any) -> float:
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a number between 0 and 1; got {alpha!r}.")
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1; got {alpha!r}.")
    return float(alpha)


# ---------------------------------------------------------------- shared steps


@dataclass(frozen=True)
class _RankedBlocks:
    """A paired design with columns sorted best first."""

    values: np.ndarray
    names: tuple[str, ...]
    ranks: np.ndarray
    mean_ranks: np.ndarray
    higher_is_better: bool

    @property
    def n_blocks(self) -> int:
        return self.values.shape[0]

    @property
    def k(self) -> int:
        return self.values.shape[1]


def _rank_blocks(
    values: Any, candidates: Sequence[str] | None, higher_is_better: Any
) -> _RankedBlocks:
    direction = validate_direction(higher_is_better)
    matrix, names = paired_matrix(values, candidates)
    oriented = orient_lower_is_better(matrix, direction)
    ranks = block_ranks(oriented)
    mean_ranks = ranks.mean(axis=0)
    order = best_first_order(list(names), mean_ranks, oriented.mean(axis=0))
    return _RankedBlocks(
        values=matrix[:, order],
        names=tuple(names[index] for index in order),
        ranks=ranks[:, order],
        mean_ranks=mean_ranks[order],
        higher_is_better=direction,
    )


def _all_pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    first, second = np.triu_indices(k, 1)
    return first, second


def _assemble_pairs(
    names: Sequence[str],
    first: np.ndarray,
    second: np.ndarray,
    statistic: np.ndarray,
    pvalue: np.ndarray,
    adjusted: np.ndarray,
    reject: np.ndarray,
    rank_difference: np.ndarray,
    mean_difference: np.ndarray,
) -> tuple[PairResult, ...]:
    return tuple(
        PairResult(
            model_a=names[a],
            model_b=names[b],
            statistic=float(statistic[index]),
            pvalue=float(pvalue[index]),
            pvalue_adjusted=float(adjusted[index]),
            reject=bool(reject[index]),
            rank_difference=float(rank_difference[index]),
            mean_difference=float(mean_difference[index]),
        )
        for index, (a, b) in enumerate(zip(first.tolist(), second.tolist()))
    )


def _single_step_reject(adjusted: np.ndarray, alpha: float) -> np.ndarray:
    # NaN <= alpha is False, so undefined tests are never rejected.
    return np.asarray(adjusted <= alpha)


def _studentized_range_sf(q: np.ndarray, k: int, df: float) -> np.ndarray:
    """Return P(Q > q) for the range of `k` normals studentized with `df` degrees of freedom.

    scipy integrates numerically for each value, so each distinct q is
    evaluated once. Results are clipped to [0, 1] against integration error.
    """
    unique, inverse = np.unique(q, return_inverse=True)
    survival = np.clip(stats.studentized_range.sf(unique, k, df), 0.0, 1.0)
    return survival[inverse].reshape(q.shape)


# ---------------------------------------------------------------- Friedman rank tests


def nemenyi(
    values: Any,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> PosthocResult:
    """Compare every pair of candidates by the Nemenyi test on Friedman mean ranks.

    With mean ranks R_i over n blocks and ``se = sqrt(k (k + 1) / (6 n))``,
    each pair has ``z = |R_i - R_j| / se``. The adjusted p-value is
    ``P(Q > z sqrt(2))`` for Q the range of k standard normals
    (scipy.stats.studentized_range with infinite degrees of freedom), which
    covers all pairs at once. The uncorrected p-value is the two-sided normal
    ``2 P(Z > z)``. The critical difference is
    ``CD = nemenyi_q(k, alpha) * se``: a pair is rejected exactly when its
    mean ranks differ by more than CD (Nemenyi 1963; Demšar 2006).

    The standard error assumes no ties within blocks. Ties lower the variance
    of the ranks, so with many ties the test is conservative.

    Parameters
    ----------
    values : array_like or pandas.DataFrame
        Blocks (rows) x candidates (columns), finite, at least 2 x 2.
    higher_is_better : bool
        Direction of the metric. Ranks give 1 to the best value.
    candidates : sequence of str, optional
        Column names for an array, or the columns to use from a DataFrame.
    alpha : float, default 0.05
        Significance level of the rejections and of the critical difference.

    Returns
    -------
    PosthocResult
        ``statistic`` is the studentized range ``z sqrt(2)``.

    References
    ----------
    Demšar, J. (2006). Statistical comparisons of classifiers over multiple
    data sets. JMLR 7, 1-30.
    """
    alpha = _check_alpha(alpha)
    design = _rank_blocks(values, candidates, higher_is_better)
    k, n_blocks = design.k, design.n_blocks
    first, second = _all_pairs(k)
    se = _rank_standard_error(k, n_blocks)
    rank_difference = design.mean_ranks[first] - design.mean_ranks[second]
    z = np.abs(rank_difference) / se
    q = z * math.sqrt(2)
    adjusted = _studentized_range_sf(q, k, np.inf)
    pvalue = 2 * stats.norm.sf(z)
    return PosthocResult(
        method="nemenyi",
        correction=SINGLE_STEP,
        alpha=alpha,
        candidates=design.names,
        mean_ranks=tuple(float(rank) for rank in design.mean_ranks),
        critical_difference=critical_difference(nemenyi_q(k, alpha), k, n_blocks),
        pairs=_assemble_pairs(
            design.names, first, second, q, pvalue, adjusted,
            _single_step_reject(adjusted, alpha), rank_difference,
            _mean_differences(design.values, first, second),
        ),
        higher_is_better=design.higher_is_better,
        n=n_blocks,
        statistic_name="studentized range q = |R_i - R_j| / sqrt(k(k+1)/(6n)) * sqrt(2)",
    )


def conover_friedman(
    values: Any,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
    correction: str = "holm",
) -> PosthocResult:
    """Compare every pair of candidates by Conover's t test on Friedman rank sums.

    With within-block ranks r (average ranks for ties), rank sums S_j over
    b blocks and ``A = sum r**2`` (Conover 1999, section 5.8)::

        t = (S_i - S_j) / sqrt(2 (b A - sum_j S_j**2) / ((b - 1)(k - 1)))

    referred to Student's t with ``(b - 1)(k - 1)`` degrees of freedom,
    two-sided. This is Conover's form ``sqrt(2 b (A - C) / ((b-1)(k-1)) *
    (1 - T / (b (k-1))))`` with ``C = b k (k+1)**2 / 4`` and T the tie-corrected
    Friedman statistic, rewritten. Conover applies it only after a
    significant Friedman test and without a correction; here the
    p-values are also adjusted by `correction`.

    When every block ranks the candidates the same way the denominator is 0.
    Pairs with different ranks then get an infinite t and p = 0, and pairs
    tied in every block get t = 0 and p = 1.

    Parameters
    ----------
    values, higher_is_better, candidates, alpha
        As for `nemenyi`.
    correction : str, default "holm"
        Any method name that statsmodels' ``multipletests`` accepts, or
        "none" to leave the p-values unadjusted.

    Returns
    -------
    PosthocResult
        ``statistic`` is t with the sign of ``S_a - S_b`` (<= 0, rank 1 is best).

    References
    ----------
    Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed. Wiley.
    """
    alpha = _check_alpha(alpha)
    correction = _normalize_correction(correction)
    design = _rank_blocks(values, candidates, higher_is_better)
    k, n_blocks = design.k, design.n_blocks
    first, second = _all_pairs(k)
    rank_sums = design.ranks.sum(axis=0)
    df = float((n_blocks - 1) * (k - 1))
    spread = n_blocks * float(np.sum(design.ranks**2)) - float(np.sum(rank_sums**2))
    # spread is 0 in exact arithmetic when all blocks agree; clip rounding error.
    spread = max(spread, 0.0)
    se = math.sqrt(2 * spread / df)
    difference = rank_sums[first] - rank_sums[second]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = difference / se
    t = np.where(difference == 0, 0.0, t)
    pvalue = 2 * stats.t.sf(np.abs(t), df)
    return _corrected_family(
        "conover", design, first, second, t, pvalue, _mean_differences(design.values, first, second),
        correction, alpha, statistic_name=f"Conover t on rank sums, df = {df:g}", df=df,
    )


def _corrected_family(method: str, design, first: np.ndarray, second: np.ndarray, statistic: np.ndarray,
                      pvalue: np.ndarray, mean_differences: np.ndarray, correction: str, alpha: float,
                      *, statistic_name: str, df: float | None = None) -> PosthocResult:
    """Adjust the pairwise p-values of a paired design as one family and assemble the result."""
    family = _adjust(pvalue, correction, alpha)
    return PosthocResult(
        method=method,
        correction=correction,
        alpha=alpha,
        candidates=design.names,
        mean_ranks=tuple(float(rank) for rank in design.mean_ranks),
        critical_difference=None,
        pairs=_assemble_pairs(
            design.names, first, second, statistic, pvalue, family.adjusted, family.reject,
            design.mean_ranks[first] - design.mean_ranks[second], mean_differences,
        ),
        higher_is_better=design.higher_is_better,
        n=design.n_blocks,
        statistic_name=statistic_name,
        df=df,
    )


def _mean_differences(values: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    means = values.mean(axis=0)
    return means[first] - means[second]


# ---------------------------------------------------------------- pairwise paired tests


def pairwise_wilcoxon(
    values: Any,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
    correction: str = "holm",
    zero_method: str = "wilcox",
) -> PosthocResult:
    """Run a two-sided Wilcoxon signed-rank test on every pair, then a correction.

    Each pair's differences ``model_a - model_b`` go to scipy.stats.wilcoxon
    without continuity correction. The p-value method is the one scipy 1.17's
    ``method="auto"`` picks, chosen per pair: "exact" without ties or zeros
    and n <= 50, "permutation" (all 2**n sign flips) with ties or zeros and
    n <= 13, else "asymptotic". The pairs that share a method are tested in one
    vectorized scipy call. The uncorrected p-values form one family adjusted
    by `correction`.

    Parameters
    ----------
    values, higher_is_better, candidates, alpha
        As for `nemenyi`.
    correction : str, default "holm"
        Any method name that statsmodels' ``multipletests`` accepts, or
        "none" to leave the p-values unadjusted.
    zero_method : {"wilcox", "pratt", "zsplit"}, default "wilcox"
        Handling of zero differences, as in scipy.stats.wilcoxon.

    Returns
    -------
    PosthocResult
        ``statistic`` is ``min(R+, R-)``. ``mean_ranks`` are the within-block
        mean ranks, which order the candidates but do not enter the tests.

    Warns
    -----
    DegenerateDataWarning
        When all differences of a pair are zero and `zero_method` is not
        "zsplit". That pair's p-value is NaN, it is left out of the family and
        not rejected.
    """
    alpha = _check_alpha(alpha)
    correction = _normalize_correction(correction)
    zero_method = validate_zero_method(zero_method)
    design = _rank_blocks(values, candidates, higher_is_better)
    first, second = _all_pairs(design.k)
    differences = (design.values[:, first] - design.values[:, second]).T
    statistic, pvalue = _signed_rank_tests(differences, zero_method, design.names, first, second)
    return _corrected_family(
        "wilcoxon", design, first, second, statistic, pvalue, differences.mean(axis=1),
        correction, alpha,
        statistic_name=f"min(R+, R-) of the Wilcoxon signed-rank test, zero_method={zero_method!r}",
    )


def _signed_rank_tests(
    differences: np.ndarray,
    zero_method: str,
    names: Sequence[str],
    first: np.ndarray,
    second: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return min(R+, R-) and the two-sided p-value for each row of `differences`."""
    n_pairs = differences.shape[0]
    statistic = np.zeros(n_pairs)
    pvalue = np.full(n_pairs, np.nan)
    undefined = ~np.any(differences != 0, axis=1) & (zero_method != "zsplit")
    if np.any(undefined):
        labels = [f"{names[a]} vs {names[b]}" for a, b in zip(first[undefined], second[undefined])]
        warnings.warn(
            f"All differences are zero for {labels}, so their Wilcoxon signed-rank tests "
            "are undefined (p = NaN); they are left out of the correction family.",
            DegenerateDataWarning,
            stacklevel=3,
        )
    methods = np.array([choose_method(row) for row in differences])
    for method in np.unique(methods[~undefined]):
        rows = (methods == method) & ~undefined
        scipy_method: Any = method
        if method == METHOD_PERMUTATION:
            # n_resamples=inf makes scipy enumerate every sign pattern.
            scipy_method = stats.PermutationMethod(n_resamples=np.inf)
        result = stats.wilcoxon(
            differences[rows],
            zero_method=zero_method,
            correction=False,
            alternative="two-sided",
            method=scipy_method,
            axis=1,
        )
        statistic[rows] = result.statistic
        pvalue[rows] = result.pvalue
    return statistic, pvalue


def pairwise_ttest(
    values: Any,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
    correction: str = "holm",
) -> PosthocResult:
    """Run a two-sided paired t test (scipy.stats.ttest_rel) on every pair, then a correction.

    Each pair is tested on its own differences with ``n - 1`` degrees of
    freedom, so no pooled variance is assumed.

    Parameters
    ----------
    values, higher_is_better, candidates, alpha
        As for `nemenyi`.
    correction : str, default "holm"
        Any method name that statsmodels' ``multipletests`` accepts, or
        "none" to leave the p-values unadjusted.

    Returns
    -------
    PosthocResult
        ``statistic`` is t of ``model_a - model_b`` in raw units, so its sign
        follows the raw values, not the direction.

    Warns
    -----
    DegenerateDataWarning
        When the differences of a pair have zero variance. scipy then returns
        an infinite t with p = 0 (constant nonzero differences) or NaN (all
        zero); a NaN p-value is left out of the family.
    """
    alpha = _check_alpha(alpha)
    correction = _normalize_correction(correction)
    design = _rank_blocks(values, candidates, higher_is_better)
    first, second = _all_pairs(design.k)
    differences = design.values[:, first] - design.values[:, second]
    constant = np.all(differences == differences[:1], axis=0)
    if np.any(constant):
        labels = [f"{design.names[a]} vs {design.names[b]}" for a, b in zip(first[constant], second[constant])]
        warnings.warn(
            f"The differences of {labels} have zero variance, so their paired t tests are "
            "degenerate (t infinite with p = 0, or NaN when all differences are zero).",
            DegenerateDataWarning,
            stacklevel=2,
        )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # scipy's precision-loss warning on constant differences is reported above.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_rel(design.values[:, first], design.values[:, second], axis=0)
    statistic = np.asarray(result.statistic, dtype=float)
    pvalue = np.asarray(result.pvalue, dtype=float)
    return _corrected_family(
        "paired-t", design, first, second, statistic, pvalue, differences.mean(axis=0),
        correction, alpha, statistic_name="paired t of model_a - model_b",
        df=float(design.n_blocks - 1),
    )


def pairwise_nadeau_bengio(
    values: Any,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
    correction: str = "holm",
    n_train: int,
    n_test: int,
) -> PosthocResult:
    """Run the Nadeau–Bengio corrected resampled t test on every pair, then a correction.

    The rows of `values` are J train/test splits of one data set, such as the
    J = r * k folds of r-times repeated k-fold cross-validation. The splits
    share training data, so the differences of a pair are correlated, and the
    paired t test underestimates the variance of their mean. Nadeau & Bengio
    (2003, "Inference for the Generalization Error", Machine Learning 52,
    239-281) replace the factor ``1 / J`` of that variance by
    ``1 / J + n_test / n_train``. For the differences ``d = model_a - model_b``
    of each pair::

        t = mean(d) / sqrt((1 / J + n_test / n_train) * var(d)),

    with ``var`` the sample variance (ddof=1), and the two-sided p-value comes
    from Student's t with ``J - 1`` degrees of freedom. Each pair is computed
    as `nadeau_bengio_t` computes it. The uncorrected p-values of all
    ``k (k - 1) / 2`` pairs form one family adjusted by `correction`.

    Parameters
    ----------
    values, higher_is_better, candidates, alpha
        As for `nemenyi`, with one row per split.
    correction : str, default "holm"
        Any method name that statsmodels' ``multipletests`` accepts, or
        "none" to leave the p-values unadjusted.
    n_train, n_test : int
        Number of examples in each training set and each test set. For k-fold
        cross-validation only their ratio matters, and ``n_train = k - 1``,
        ``n_test = 1`` gives it.

    Returns
    -------
    PosthocResult
        ``statistic`` is the corrected t of ``model_a - model_b`` in raw units,
        so its sign follows the raw values, not the direction. ``mean_ranks``
        are the within-split mean ranks, which order the candidates but do not
        enter the tests.

    Warns
    -----
    DegenerateDataWarning
        When the differences of a pair have zero variance. As in
        `nadeau_bengio_t`, t and p are then NaN (also for constant nonzero
        differences, where `pairwise_ttest` gives an infinite t), and the pair
        is left out of the family.

    Notes
    -----
    The correction is a heuristic: it is exact when the correlation between
    the split-wise differences is ``n_test / (n_train + n_test)``, and
    conservative when the correlation is smaller. The pairwise tests share
    candidates and splits, so they are dependent. The correction makes no
    assumption about that dependence beyond the chosen method's own:
    Bonferroni, Holm and Benjamini–Yekutieli ("fdr_by") control their error
    rate under any dependence, while the other methods assume independence or
    positive dependence of the tests.
    """
    alpha = _check_alpha(alpha)
    correction = _normalize_correction(correction)
    n_train = _validate_count(n_train, "n_train")
    n_test = _validate_count(n_test, "n_test")
    design = _rank_blocks(values, candidates, higher_is_better)
    first, second = _all_pairs(design.k)
    differences = design.values[:, first] - design.values[:, second]
    statistic, pvalue = _nadeau_bengio_tests(differences, n_train, n_test, design.names, first, second)
    return _corrected_family(
        "nadeau-bengio", design, first, second, statistic, pvalue, differences.mean(axis=0),
        correction, alpha,
        statistic_name=(
            f"Nadeau–Bengio corrected t of model_a - model_b, variance factor "
            f"1/J + n_test/n_train = 1/{design.n_blocks} + {n_test}/{n_train}"
        ),
        df=float(design.n_blocks - 1),
    )


def _nadeau_bengio_tests(
    differences: np.ndarray,
    n_train: int,
    n_test: int,
    names: Sequence[str],
    first: np.ndarray,
    second: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the corrected t and its two-sided p-value for each column of `differences`.

    A column of constant differences gets NaN for both, as in `nadeau_bengio_t`.
    """
    n_splits = differences.shape[0]
    constant = np.array([_is_constant(column) for column in differences.T], dtype=bool)
    if np.any(constant):
        labels = [f"{names[a]} vs {names[b]}" for a, b in zip(first[constant], second[constant])]
        warnings.warn(
            f"The differences of {labels} have zero variance, so their Nadeau–Bengio t "
            "statistics are undefined (t and p = NaN); they are left out of the correction family.",
            DegenerateDataWarning,
            stacklevel=3,
        )
    variance_factor = 1 / n_splits + n_test / n_train
    statistic = np.full(differences.shape[1], np.nan)
    variable = ~constant
    corrected_se = np.sqrt(variance_factor * np.var(differences[:, variable], axis=0, ddof=1))
    statistic[variable] = differences[:, variable].mean(axis=0) / corrected_se
    pvalue = np.minimum(1.0, 2 * stats.t.sf(np.abs(statistic), n_splits - 1))
    return statistic, pvalue


# ---------------------------------------------------------------- all versus control


def bonferroni_dunn(
    values: Any,
    control: str,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> PosthocResult:
    """Compare every candidate with `control` by the Bonferroni–Dunn test on mean ranks.

    Each of the k - 1 comparisons has ``z = |R_c - R_i| / sqrt(k (k + 1) / (6 n))``
    and the uncorrected p-value ``2 P(Z > z)``, adjusted by Bonferroni over the
    k - 1 comparisons. The critical difference is
    ``CD = bonferroni_dunn_q(k, alpha) * sqrt(k (k + 1) / (6 n))``, and a
    comparison is rejected exactly when its mean ranks differ by more than CD
    (Demšar 2006).

    Parameters
    ----------
    values, higher_is_better, candidates, alpha
        As for `nemenyi`.
    control : str
        Name of the control candidate.

    Returns
    -------
    PosthocResult
        ``statistic`` is z with the sign of ``R_a - R_b``.
    """
    return _rank_tests_vs_control(
        values, control, higher_is_better, candidates, alpha, "bonferroni", "bonferroni-dunn"
    )


def holm_vs_control(
    values: Any,
    control: str,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> PosthocResult:
    """Compare every candidate with `control` by Holm's step-down test on mean-rank z statistics.

    The z statistics and uncorrected p-values are those of `bonferroni_dunn`.
    Holm's method adjusts them over the k - 1 comparisons; it rejects at
    least every comparison that Bonferroni–Dunn rejects (Demšar 2006). There
    is no single critical difference.

    Parameters
    ----------
    values, control, higher_is_better, candidates, alpha
        As for `bonferroni_dunn`.

    Returns
    -------
    PosthocResult
    """
    return _rank_tests_vs_control(
        values, control, higher_is_better, candidates, alpha, "holm", "holm-vs-control"
    )


def _rank_tests_vs_control(
    values: Any,
    control: str,
    higher_is_better: Any,
    candidates: Sequence[str] | None,
    alpha: float,
    correction: str,
    method: str,
) -> PosthocResult:
    alpha = _check_alpha(alpha)
    design = _rank_blocks(values, candidates, higher_is_better)
    control = str(control)
    if control not in design.names:
        raise ValueError(f"control {control!r} is not a candidate; candidates: {sorted(design.names)}.")
    k, n_blocks = design.k, design.n_blocks
    control_index = design.names.index(control)
    others = np.array([index for index in range(k) if index != control_index])
    # Keep the better-ranked candidate of each comparison as model_a.
    first = np.minimum(others, control_index)
    second = np.maximum(others, control_index)
    rank_difference = design.mean_ranks[first] - design.mean_ranks[second]
    z = rank_difference / _rank_standard_error(k, n_blocks)
    pvalue = 2 * stats.norm.sf(np.abs(z))
    family = _adjust(pvalue, correction, alpha)
    cd = None
    if method == "bonferroni-dunn":
        cd = critical_difference(bonferroni_dunn_q(k, alpha), k, n_blocks)
    return PosthocResult(
        method=method,
        correction=correction,
        alpha=alpha,
        candidates=design.names,
        mean_ranks=tuple(float(rank) for rank in design.mean_ranks),
        critical_difference=cd,
        pairs=_assemble_pairs(
            design.names, first, second, z, pvalue, family.adjusted, family.reject,
            rank_difference, _mean_differences(design.values, first, second),
        ),
        higher_is_better=design.higher_is_better,
        n=n_blocks,
        statistic_name="z = (R_a - R_b) / sqrt(k(k+1)/(6n))",
        control=control,
    )


# ---------------------------------------------------------------- independent samples


def tukey_hsd(
    samples: Any,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> PosthocResult:
    """Compare every pair of independent samples by Tukey's HSD test (scipy.stats.tukey_hsd).

    scipy computes the adjusted p-values from the studentized range with
    ``N - k`` degrees of freedom and applies the Tukey–Kramer standard error
    to unequal sample sizes. With the pooled within-sample variance MSE, the
    statistic is ``q = |m_a - m_b| / sqrt(MSE / 2 * (1/n_a + 1/n_b))``. The
    uncorrected p-value is the two-sided pooled-variance t test of the pair
    (Fisher's LSD), ``t = q / sqrt(2)`` with ``N - k`` degrees of freedom.

    Parameters
    ----------
    samples : sequence of array_like, or mapping of str to array_like
        One finite 1-D sample per candidate, at least 2 samples and more
        observations than samples.
    higher_is_better : bool
        Direction of the metric. Candidates are sorted by mean, best first.
    candidates : sequence of str, optional
        Names of the samples in a sequence.
    alpha : float, default 0.05
        Significance level of the rejections.

    Returns
    -------
    PosthocResult

    Warns
    -----
    DegenerateDataWarning
        When every sample is constant, so MSE is 0.
    """
    alpha = _check_alpha(alpha)
    direction = validate_direction(higher_is_better)
    arrays, names = independent_samples(samples, candidates)
    sizes = np.array([array.size for array in arrays], dtype=float)
    k, total = len(arrays), int(sizes.sum())
    if total <= k:
        raise ValueError(
            f"samples must contain more observations ({total}) than samples ({k}) "
            "for Tukey's HSD; give some sample at least 2 observations."
        )
    means = np.array([array.mean() for array in arrays])
    oriented_means = -means if direction else means
    order = best_first_order(list(names), oriented_means, oriented_means)
    arrays = [arrays[index] for index in order]
    names = tuple(names[index] for index in order)
    sizes, means = sizes[order], means[order]

    df = float(total - k)
    mse = float(sum(np.sum((array - array.mean()) ** 2) for array in arrays)) / df
    if mse == 0:
        warnings.warn(
            "Every sample is constant, so the pooled variance of Tukey's HSD is 0 and "
            "its statistics are infinite or undefined.",
            DegenerateDataWarning,
            stacklevel=2,
        )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        scipy_result = stats.tukey_hsd(*arrays)
        first, second = _all_pairs(k)
        difference = means[first] - means[second]
        t = difference / np.sqrt(mse * (1 / sizes[first] + 1 / sizes[second]))
    adjusted = np.clip(scipy_result.pvalue[first, second], 0.0, 1.0)
    pvalue = 2 * stats.t.sf(np.abs(t), df)
    return PosthocResult(
        method="tukey-hsd",
        correction=SINGLE_STEP,
        alpha=alpha,
        candidates=names,
        mean_ranks=None,
        critical_difference=None,
        pairs=_assemble_pairs(
            names, first, second, np.abs(t) * math.sqrt(2), pvalue, adjusted,
            _single_step_reject(adjusted, alpha), np.full(first.size, np.nan), difference,
        ),
        higher_is_better=direction,
        n=total,
        statistic_name="studentized range q = |m_a - m_b| / sqrt(MSE/2 (1/n_a + 1/n_b))",
        df=df,
    )


def dunn(
    samples: Any,
    *,
    higher_is_better: bool,
    candidates: Sequence[str] | None = None,
    alpha: float = 0.05,
    correction: str = "holm",
) -> PosthocResult:
    """Compare every pair of independent samples by Dunn's rank test, then a correction.

    All N observations are ranked together on the metric's direction
    (1 = best, average ranks for ties). With R_i the mean rank of sample i,
    n_i its size and t the sizes of the groups of tied observations
    (Dunn 1964, with the tie correction)::

        z = (R_a - R_b) / sqrt((N (N + 1) / 12 - sum(t**3 - t) / (12 (N - 1)))
                               * (1/n_a + 1/n_b))

    The uncorrected p-value is two-sided normal, and the family of all pairs
    is adjusted by `correction`.

    Parameters
    ----------
    samples, higher_is_better, candidates, alpha
        As for `tukey_hsd`.
    correction : str, default "holm"
        Any method name that statsmodels' ``multipletests`` accepts, or
        "none" to leave the p-values unadjusted.

    Returns
    -------
    PosthocResult
        ``mean_ranks`` are the mean ranks of the pooled ranking, and
        ``statistic`` is z with the sign of ``R_a - R_b``.

    Warns
    -----
    DegenerateDataWarning
        When all observations are equal, so every z is 0/0 (NaN).

    References
    ----------
    Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics
    6(3), 241-252.
    """
    alpha = _check_alpha(alpha)
    correction = _normalize_correction(correction)
    direction = validate_direction(higher_is_better)
    arrays, names = independent_samples(samples, candidates)
    sizes = np.array([array.size for array in arrays], dtype=float)
    total = float(sizes.sum())
    pooled = orient_lower_is_better(np.concatenate(arrays), direction)
    ranks = stats.rankdata(pooled)
    group = np.repeat(np.arange(len(arrays)), sizes.astype(int))
    mean_ranks = np.bincount(group, weights=ranks) / sizes
    oriented_means = np.array([orient_lower_is_better(array, direction).mean() for array in arrays])
    order = best_first_order(list(names), mean_ranks, oriented_means)
    names = tuple(names[index] for index in order)
    sizes, mean_ranks = sizes[order], mean_ranks[order]
    means = np.array([arrays[index].mean() for index in order])

    _, tie_counts = np.unique(pooled, return_counts=True)
    tie_term = float(np.sum(tie_counts.astype(float) ** 3 - tie_counts)) / (12 * (total - 1))
    variance = total * (total + 1) / 12 - tie_term
    if tie_counts.size == 1:
        # Exactly 0 in exact arithmetic; the float difference may be a rounding residue.
        variance = 0.0
    if variance == 0:
        warnings.warn(
            "All observations are equal, so Dunn's z statistics are 0/0 (NaN).",
            DegenerateDataWarning,
            stacklevel=2,
        )
    first, second = _all_pairs(len(names))
    rank_difference = mean_ranks[first] - mean_ranks[second]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = rank_difference / np.sqrt(variance * (1 / sizes[first] + 1 / sizes[second]))
    pvalue = 2 * stats.norm.sf(np.abs(z))
    family = _adjust(pvalue, correction, alpha)
    return PosthocResult(
        method="dunn",
        correction=correction,
        alpha=alpha,
        candidates=names,
        mean_ranks=tuple(float(rank) for rank in mean_ranks),
        critical_difference=None,
        pairs=_assemble_pairs(
            names, first, second, z, pvalue, family.adjusted, family.reject,
            rank_difference, means[first] - means[second],
        ),
        higher_is_better=direction,
        n=int(total),
        statistic_name="Dunn z = (R_a - R_b) / SE with tie correction",
    )
