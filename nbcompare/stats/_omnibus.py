"""Omnibus tests of H0: all candidates perform alike.

Paired designs (blocks x candidates): the Friedman chi-square test with and
without the tie correction, the Iman–Davenport F form of it, and the
repeated-measures ANOVA. Independent designs (one sample per candidate): the
Kruskal–Wallis test, the one-way ANOVA and Welch's ANOVA. Every function
returns an `OmnibusResult`.

None of these statistics depends on the metric's direction, because reversing
the direction reverses every within-block ranking and every mean difference,
and each statistic is a sum of squares of those. So the functions take no
``higher_is_better`` argument, while the post-hoc tests in ``_posthoc`` do.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._ranks import block_ranks
from nbcompare.stats._render import format_number, format_pvalue

OMNIBUS_COLUMNS = (
    "test",
    "statistic",
    "pvalue",
    "df1",
    "df2",
    "k",
    "n",
    "method",
    "alternative",
    "effect_size",
    "effect_size_name",
    "tie_correction",
)


@dataclass(frozen=True)
class OmnibusResult:
    """Outcome of an omnibus test of H0: all candidates perform alike.

    Attributes
    ----------
    test : str
        ``"friedman"``, ``"iman-davenport"``, ``"rm-anova"``,
        ``"kruskal-wallis"``, ``"anova"`` or ``"welch-anova"``.
    statistic : float
        Chi-square (Friedman), H (Kruskal–Wallis) or F (the other tests).
        NaN when the data leave it undefined.
    pvalue : float
        Upper-tail p-value of `statistic` under H0, uncorrected.
    df : float or tuple of float
        Degrees of freedom: one number for a chi-square reference
        distribution, ``(numerator, denominator)`` for an F distribution.
    k : int
        Number of candidates.
    n : int
        Number of blocks in a paired design, total number of observations in
        an independent design.
    method : str
        Reference distribution behind `pvalue`, for example
        ``"chi-square approximation"``.
    alternative : str
        The alternative hypothesis in words. Every test here rejects for a
        large statistic, which differences in any direction produce.
    effect_size : float
        Kendall's W (Friedman, Iman–Davenport), partial eta-squared
        (repeated-measures ANOVA), eta-squared (ANOVA, Welch's ANOVA) or the
        H-based eta-squared (Kruskal–Wallis).
    effect_size_name : str
        Name of `effect_size`.
    tie_correction : bool
        Whether the statistic is divided by the tie correction factor. False
        for the parametric tests, which rank nothing.
    candidates : tuple of str
        Candidate names, in input order.
    """

    test: str
    statistic: float
    pvalue: float
    df: float | tuple[float, float]
    k: int
    n: int
    method: str
    alternative: str
    effect_size: float
    effect_size_name: str
    tie_correction: bool
    candidates: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the result as one row, with the degrees of freedom split into df1 and df2.

        df2 is NaN for a chi-square reference distribution.
        """
        row = asdict(self)
        del row["candidates"]
        df1, df2 = self.df if isinstance(self.df, tuple) else (self.df, float("nan"))
        row.pop("df")
        row["df1"] = df1
        row["df2"] = df2
        return pd.DataFrame([row], columns=list(OMNIBUS_COLUMNS))

    def _statistic_text(self) -> str:
        symbol = {"friedman": "chi-square", "kruskal-wallis": "H"}.get(self.test, "F")
        parts = self.df if isinstance(self.df, tuple) else (self.df,)
        degrees = ", ".join(_format_df(part) for part in parts)
        return f"{symbol}({degrees}) = {format_number(self.statistic)}"

    def __str__(self) -> str:
        name = _TEST_LABELS[self.test]
        if self.test in ("friedman", "iman-davenport", "kruskal-wallis"):
            name += " (tie-corrected)" if self.tie_correction else " (no tie correction)"
        units = "blocks" if self.test in _PAIRED_TESTS else "observations"
        return (
            f"{name}: {self._statistic_text()}, p = {format_pvalue(self.pvalue)} "
            f"(uncorrected, {self.method}), k = {self.k} candidates, n = {self.n} {units}; "
            f"{self.effect_size_name} = {format_number(self.effect_size)}.\n"
            f"H1: {self.alternative}."
        )

    def _repr_html_(self) -> str:
        title = html.escape(_TEST_LABELS[self.test])
        table = self.to_frame().to_html(index=False, float_format=lambda value: f"{value:.4g}")
        return f"<div><strong>{title}</strong>{table}</div>"


def _format_df(df: float) -> str:
    # Integer degrees of freedom print without decimals, Welch's fractional ones with 4 digits.
    return f"{df:g}" if float(df).is_integer() else format_number(df)


_TEST_LABELS = {
    "friedman": "Friedman test",
    "iman-davenport": "Iman–Davenport F test",
    "rm-anova": "Repeated-measures ANOVA",
    "kruskal-wallis": "Kruskal–Wallis test",
    "anova": "One-way ANOVA",
    "welch-anova": "Welch's ANOVA",
}
_PAIRED_TESTS = frozenset({"friedman", "iman-davenport", "rm-anova"})

_RANK_ALTERNATIVE = (
    "the candidates' within-block ranks are not exchangeable, "
    "so at least one candidate tends to rank better or worse than another"
)
_MEAN_ALTERNATIVE = "at least two candidates have different means"


# ---------------------------------------------------------------- input checks


def paired_matrix(
    values: Any, candidates: Sequence[str] | None, *, min_candidates: int = 2
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return `values` as a float blocks x candidates array and the candidate names.

    A DataFrame supplies the names from its columns. With `candidates` as well,
    only those columns are used, in that order. For an array, `candidates`
    names the columns and defaults to ``"0"``, ``"1"``, ...
    """
    if isinstance(values, pd.DataFrame):
        frame = values
        if candidates is not None:
            names = _names(candidates, "candidates")
            missing = [name for name in names if name not in frame.columns]
            if missing:
                raise ValueError(
                    f"candidates {missing} are not columns of values; "
                    f"columns: {[str(column) for column in frame.columns]}."
                )
            frame = frame[list(names)]
        names = tuple(str(column) for column in frame.columns)
        matrix = _float_array(frame.to_numpy(), "values")
    else:
        matrix = _float_array(values, "values")
        if matrix.ndim == 2 and candidates is not None:
            names = _names(candidates, "candidates")
            if len(names) != matrix.shape[1]:
                raise ValueError(
                    f"candidates has {len(names)} names but values has {matrix.shape[1]} "
                    "columns; give one name per column."
                )
        else:
            names = tuple(str(index) for index in range(matrix.shape[-1] if matrix.ndim else 0))

    if matrix.ndim != 2:
        raise ValueError(
            f"values must be 2-D (blocks x candidates); got an array of shape {matrix.shape}."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"candidate names must be unique; got {list(names)}.")
    n_blocks, k = matrix.shape
    if k < min_candidates:
        raise ValueError(
            f"values must have at least {min_candidates} candidate columns; got {k}."
        )
    if n_blocks < 2:
        raise ValueError(f"values must have at least 2 blocks (rows); got {n_blocks}.")
    _require_finite(matrix, "values", "drop the incomplete blocks (rows) first")
    return matrix, names


def independent_samples(
    samples: Any, candidates: Sequence[str] | None
) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """Return `samples` as a list of 1-D float arrays and the candidate names.

    `samples` is a sequence of 1-D samples or a mapping from name to sample.
    """
    if isinstance(samples, Mapping):
        if candidates is not None:
            raise ValueError(
                "candidates must not be given when samples is a mapping, whose keys "
                "are the names; pass a list of samples instead."
            )
        names = tuple(str(name) for name in samples)
        arrays = [_float_array(sample, f"samples[{name!r}]") for name, sample in samples.items()]
    else:
        if isinstance(samples, (str, bytes)) or not isinstance(samples, Sequence):
            if not isinstance(samples, np.ndarray):
                raise TypeError(
                    "samples must be a sequence of 1-D samples or a mapping from "
                    f"candidate name to sample; got {type(samples).__name__}."
                )
        arrays = [_float_array(sample, f"samples[{index}]") for index, sample in enumerate(samples)]
        if candidates is None:
            names = tuple(str(index) for index in range(len(arrays)))
        else:
            names = _names(candidates, "candidates")
            if len(names) != len(arrays):
                raise ValueError(
                    f"candidates has {len(names)} names but there are {len(arrays)} "
                    "samples; give one name per sample."
                )

    if len(arrays) < 2:
        raise ValueError(f"samples must contain at least 2 samples; got {len(arrays)}.")
    if len(set(names)) != len(names):
        raise ValueError(f"candidate names must be unique; got {list(names)}.")
    for name, array in zip(names, arrays):
        if array.ndim != 1 or array.size == 0:
            raise ValueError(
                f"the sample of candidate {name!r} must be a non-empty 1-D array; "
                f"got shape {array.shape}."
            )
        _require_finite(array, f"the sample of candidate {name!r}", "remove them first")
    return arrays, names


def _names(candidates: Sequence[str], argument: str) -> tuple[str, ...]:
    if isinstance(candidates, str):
        raise TypeError(f"{argument} must be a list of names, not the string {candidates!r}.")
    return tuple(str(name) for name in candidates)


def _float_array(data: Any, argument: str) -> np.ndarray:
    try:
        return np.asarray(data, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{argument} must contain only numbers: {error}") from error


def _require_finite(array: np.ndarray, argument: str, fix: str) -> None:
    bad = int(np.count_nonzero(~np.isfinite(array)))
    if bad:
        raise ValueError(f"{argument} contains {bad} NaN or infinite values; {fix}.")


def _warn_degenerate(message: str) -> None:
    # stacklevel 3: this helper, the public test function, then its caller.
    warnings.warn(message, DegenerateDataWarning, stacklevel=3)


# ---------------------------------------------------------------- paired tests


@dataclass(frozen=True)
class FriedmanStatistics:
    """Friedman chi-square with and without the tie correction, from within-block ranks.

    Attributes
    ----------
    chi2_uncorrected : float
        ``12 / (n k (k+1)) * sum_j R_j**2 - 3 n (k+1)``, with R_j the rank sum
        of candidate j over the n blocks (Demšar 2006, eq. for chi2_F, written
        with rank sums).
    tie_factor : float
        ``1 - sum over blocks and tie groups (t**3 - t) / (n k (k**2 - 1))``.
        1 without ties, 0 when every block is fully tied.
    chi2_corrected : float
        ``chi2_uncorrected / tie_factor``, NaN when `tie_factor` is 0.
    rank_sums : numpy.ndarray
        R_j for each candidate.
    """

    chi2_uncorrected: float
    tie_factor: float
    chi2_corrected: float
    rank_sums: np.ndarray


def friedman_statistics(ranks: np.ndarray) -> FriedmanStatistics:
    """Compute the Friedman chi-square from blocks x candidates within-block ranks."""
    n_blocks, k = ranks.shape
    rank_sums = ranks.sum(axis=0)
    chi2 = 12.0 / (n_blocks * k * (k + 1)) * float(np.sum(rank_sums**2)) - 3.0 * n_blocks * (k + 1)
    # Rounding can leave a tiny negative value when every rank sum is equal.
    chi2 = max(chi2, 0.0)

    # Only rows that contain a tie add to the sum, so the loop skips the others.
    has_tie = np.any(np.diff(np.sort(ranks, axis=1), axis=1) == 0, axis=1)
    tie_sum = 0.0
    for row in ranks[has_tie]:
        _, counts = np.unique(row, return_counts=True)
        tie_sum += float(np.sum(counts.astype(float) ** 3 - counts))
    tie_factor = 1.0 - tie_sum / (n_blocks * k * (k * k - 1))
    if tie_factor <= 0:
        corrected = float("nan")
    else:
        corrected = chi2 / tie_factor
    return FriedmanStatistics(
        chi2_uncorrected=chi2,
        tie_factor=tie_factor,
        chi2_corrected=corrected,
        rank_sums=rank_sums,
    )


def friedman(
    values: Any,
    *,
    candidates: Sequence[str] | None = None,
    tie_correction: bool = True,
) -> OmnibusResult:
    """Run the Friedman test on a blocks x candidates array.

    H0: within every block, all orderings of the k candidates are equally
    likely. The statistic is computed from the within-block ranks (average
    ranks for ties). With ``tie_correction=True`` it is divided by the tie
    factor, which gives the value scipy.stats.friedmanchisquare returns. The
    p-value is the chi-square tail with ``k - 1`` degrees of freedom, an
    approximation at every number of blocks. Kendall's coefficient of
    concordance ``W = chi2 / (n (k - 1))`` is the effect size, tie-corrected
    when the statistic is.

    Parameters
    ----------
    values : array_like or pandas.DataFrame
        Blocks (rows) x candidates (columns), finite, at least 2 x 2.
    candidates : sequence of str, optional
        Column names for an array, or the columns to use from a DataFrame.
    tie_correction : bool, default True
        Divide the statistic by the tie correction factor.

    Returns
    -------
    OmnibusResult

    Warns
    -----
    DegenerateDataWarning
        When every block is fully tied and the tie-corrected statistic is 0/0.
        The statistic and p-value are then NaN.

    References
    ----------
    Demšar, J. (2006). Statistical comparisons of classifiers over multiple
    data sets. JMLR 7, 1-30 (the Friedman statistic in terms of mean ranks).
    """
    matrix, names = paired_matrix(values, candidates)
    n_blocks, k = matrix.shape
    friedman_stats = friedman_statistics(block_ranks(matrix))
    chi2 = _chosen_chi2(friedman_stats, tie_correction)
    return OmnibusResult(
        test="friedman",
        statistic=chi2,
        pvalue=_chi2_pvalue(chi2, k - 1),
        df=float(k - 1),
        k=k,
        n=n_blocks,
        method="chi-square approximation",
        alternative=_RANK_ALTERNATIVE,
        effect_size=_kendalls_w(chi2, n_blocks, k),
        effect_size_name="Kendall's W",
        tie_correction=tie_correction,
        candidates=names,
    )


def iman_davenport(
    values: Any,
    *,
    candidates: Sequence[str] | None = None,
    tie_correction: bool = True,
) -> OmnibusResult:
    """Run the Iman–Davenport F form of the Friedman test.

    ``F = (n - 1) chi2 / (n (k - 1) - chi2)`` with the Friedman chi-square
    chi2, referred to the F distribution with ``(k - 1, (k - 1)(n - 1))``
    degrees of freedom (Iman & Davenport 1980; Demšar 2006 recommends it over
    the chi-square form, which is conservative). When every block ranks the
    candidates the same way, chi2 reaches its maximum ``n (k - 1)``, F is
    infinite and the p-value is 0. Kendall's W is the effect size.

    Parameters
    ----------
    values, candidates, tie_correction
        As for `friedman`.

    Returns
    -------
    OmnibusResult

    Warns
    -----
    DegenerateDataWarning
        When every block is fully tied.

    References
    ----------
    Iman, R. L. and Davenport, J. M. (1980). Approximations of the critical
    region of the Friedman statistic. Communications in Statistics A 9(6).
    Demšar, J. (2006). JMLR 7, 1-30.
    """
    matrix, names = paired_matrix(values, candidates)
    n_blocks, k = matrix.shape
    chi2 = _chosen_chi2(friedman_statistics(block_ranks(matrix)), tie_correction)
    df = (float(k - 1), float((k - 1) * (n_blocks - 1)))
    statistic = iman_davenport_f(chi2, n_blocks, k)
    pvalue = float(stats.f.sf(statistic, *df)) if not math.isnan(statistic) else float("nan")
    return OmnibusResult(
        test="iman-davenport",
        statistic=statistic,
        pvalue=pvalue,
        df=df,
        k=k,
        n=n_blocks,
        method="F approximation",
        alternative=_RANK_ALTERNATIVE,
        effect_size=_kendalls_w(chi2, n_blocks, k),
        effect_size_name="Kendall's W",
        tie_correction=tie_correction,
        candidates=names,
    )


def iman_davenport_f(chi2: float, n_blocks: int, k: int) -> float:
    """Return ``(n - 1) chi2 / (n (k - 1) - chi2)``, infinite at the maximum chi2 = n (k - 1)."""
    if math.isnan(chi2):
        return float("nan")
    maximum = n_blocks * (k - 1)
    # The tie-corrected chi2 can exceed its maximum by rounding error, which
    # would make F negative, so values within 1e-9 relative count as the maximum.
    if chi2 >= maximum * (1 - 1e-9):
        return float("inf")
    return (n_blocks - 1) * chi2 / (maximum - chi2)


def _chosen_chi2(friedman_stats: FriedmanStatistics, tie_correction: bool) -> float:
    if not tie_correction:
        return friedman_stats.chi2_uncorrected
    if math.isnan(friedman_stats.chi2_corrected):
        _warn_degenerate(
            "Every block is fully tied, so the tie-corrected Friedman statistic is 0/0 "
            "and the test is undefined (NaN)."
        )
    return friedman_stats.chi2_corrected


def _chi2_pvalue(chi2: float, df: int) -> float:
    return float("nan") if math.isnan(chi2) else float(stats.chi2.sf(chi2, df))


def _kendalls_w(chi2: float, n_blocks: int, k: int) -> float:
    return chi2 / (n_blocks * (k - 1))


def rm_anova(values: Any, *, candidates: Sequence[str] | None = None) -> OmnibusResult:
    """Run a one-way repeated-measures ANOVA with the candidates as the within factor.

    The sums of squares come from the two-way decomposition of the
    blocks x candidates matrix without interaction: ``SS_candidate = n *
    sum_j (mean_j - grand)**2`` and ``SS_error`` is the sum of squared
    residuals ``x_ij - mean_i - mean_j + grand``. F is
    ``(SS_candidate / (k - 1)) / (SS_error / ((k - 1)(n - 1)))`` with
    ``(k - 1, (k - 1)(n - 1))`` degrees of freedom, the same F that
    statsmodels' ``AnovaRM`` returns with the blocks as subjects
    (tests/test_stats_omnibus.py checks the two agree). The p-value
    assumes sphericity and applies no Greenhouse–Geisser correction. The
    effect size is partial eta-squared,
    ``SS_candidate / (SS_candidate + SS_error) = F df1 / (F df1 + df2)``.

    Parameters
    ----------
    values, candidates
        As for `friedman`.

    Returns
    -------
    OmnibusResult

    Warns
    -----
    DegenerateDataWarning
        When the residual sum of squares is 0 up to rounding, which makes F
        infinite with p = 0 (or NaN, with a NaN p-value, when the candidates'
        means are also equal up to rounding).
    """
    matrix, names = paired_matrix(values, candidates)
    n_blocks, k = matrix.shape
    ss_candidate, ss_error = rm_anova_sums_of_squares(matrix)
    df = (float(k - 1), float((k - 1) * (n_blocks - 1)))
    if ss_error == 0:
        statistic = float("nan") if ss_candidate == 0 else float("inf")
        pvalue = float("nan") if ss_candidate == 0 else 0.0
        _warn_degenerate(
            "The residual sum of squares of the repeated-measures ANOVA is 0 "
            f"(F = {statistic}): every block differs from every other by a constant."
        )
    else:
        statistic = (ss_candidate / df[0]) / (ss_error / df[1])
        pvalue = float(stats.f.sf(statistic, *df))
    return OmnibusResult(
        test="rm-anova",
        statistic=statistic,
        pvalue=pvalue,
        df=df,
        k=k,
        n=n_blocks,
        method="F distribution, sphericity assumed",
        alternative=_MEAN_ALTERNATIVE,
        effect_size=_eta_squared_from_f(statistic, *df),
        effect_size_name="partial eta-squared",
        tie_correction=False,
        candidates=names,
    )


def _eta_squared_from_f(statistic: float, df1: float, df2: float) -> float:
    if math.isnan(statistic):
        return float("nan")
    if math.isinf(statistic):
        return 1.0
    return statistic * df1 / (statistic * df1 + df2)


def rm_anova_sums_of_squares(matrix: np.ndarray) -> tuple[float, float]:
    """Return ``(SS_candidate, SS_error)`` of a finite blocks x candidates matrix.

    Each sum of squares that is below the rounding error of the computation
    is returned as exactly 0. The error of a computed residual or mean
    deviation is estimated at a few units of ``eps * max|x - grand|``, so
    values whose root mean square is below ``64 * eps * max|x - grand|``
    count as rounding noise. Without this, a matrix with no interaction (or with every block
    constant) gives F as a ratio of rounding errors, such as 6e30 or -2.3.

    NOTE: the squares underflow for deviations below about 1e-154 and overflow
    above about 1e154, which makes F inaccurate or NaN there.
    """
    n_blocks, k = matrix.shape
    centered = matrix - matrix.mean()
    # Centering leaves a grand mean of rounding size, which the deviations remove.
    residual_grand = centered.mean()
    block_deviations = centered.mean(axis=1, keepdims=True) - residual_grand
    candidate_deviations = centered.mean(axis=0, keepdims=True) - residual_grand
    residuals = centered - residual_grand - block_deviations - candidate_deviations
    ss_candidate = float(n_blocks * np.sum(candidate_deviations**2))
    ss_error = float(np.sum(residuals**2))

    scale = float(np.max(np.abs(centered)))
    noise = (64 * np.finfo(float).eps * scale) ** 2 * n_blocks * k
    if ss_error <= noise:
        ss_error = 0.0
    if ss_candidate <= noise:
        ss_candidate = 0.0
    return ss_candidate, ss_error


# ---------------------------------------------------------------- independent samples


def kruskal_wallis(samples: Any, *, candidates: Sequence[str] | None = None) -> OmnibusResult:
    """Run the Kruskal–Wallis H test on independent samples.

    H0: all samples come from the same distribution. scipy.stats.kruskal
    ranks the pooled observations, divides H by the tie correction factor and
    takes the p-value from the chi-square distribution with ``k - 1`` degrees
    of freedom. The effect size is the H-based eta-squared
    ``(H - k + 1) / (N - k)``, which can be slightly negative when H is small.

    Parameters
    ----------
    samples : sequence of array_like, or mapping of str to array_like
        One finite 1-D sample per candidate, at least 2 samples.
    candidates : sequence of str, optional
        Names of the samples in a sequence.

    Returns
    -------
    OmnibusResult

    Warns
    -----
    DegenerateDataWarning
        When all observations are equal, so H is 0/0 and NaN.
    """
    arrays, names = independent_samples(samples, candidates)
    k = len(arrays)
    total = int(sum(array.size for array in arrays))
    pooled = np.concatenate(arrays)
    if np.all(pooled == pooled[0]):
        _warn_degenerate("All observations are equal, so the Kruskal–Wallis H is 0/0 (NaN).")
        statistic, pvalue = float("nan"), float("nan")
    else:
        result = stats.kruskal(*arrays)
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    effect = (statistic - k + 1) / (total - k) if total > k else float("nan")
    return OmnibusResult(
        test="kruskal-wallis",
        statistic=statistic,
        pvalue=pvalue,
        df=float(k - 1),
        k=k,
        n=total,
        method="chi-square approximation",
        alternative="at least one sample tends to yield larger values than another",
        effect_size=effect,
        effect_size_name="eta-squared (H)",
        tie_correction=True,
        candidates=names,
    )


def one_way_anova(samples: Any, *, candidates: Sequence[str] | None = None) -> OmnibusResult:
    """Run the one-way ANOVA F test (scipy.stats.f_oneway), which assumes equal variances.

    The effect size is eta-squared, ``SS_between / SS_total``.

    Parameters
    ----------
    samples, candidates
        As for `kruskal_wallis`. At least one sample needs 2 observations.

    Returns
    -------
    OmnibusResult

    Warns
    -----
    DegenerateDataWarning
        When the within-sample sum of squares is 0, which makes F infinite (or
        NaN when all observations are equal).
    """
    arrays, names = independent_samples(samples, candidates)
    k = len(arrays)
    total = int(sum(array.size for array in arrays))
    if total <= k:
        raise ValueError(
            f"samples must contain more observations ({total}) than samples ({k}) "
            "for the one-way ANOVA; give some sample at least 2 observations."
        )
    between, within = _sums_of_squares(arrays)
    if within == 0:
        _warn_degenerate(
            "Every sample is constant, so the within-sample sum of squares is 0 and "
            "the one-way ANOVA F is infinite or undefined."
        )
    with warnings.catch_warnings():
        # scipy warns about constant input, which is reported above.
        warnings.simplefilter("ignore")
        result = stats.f_oneway(*arrays)
    return OmnibusResult(
        test="anova",
        statistic=float(result.statistic),
        pvalue=float(result.pvalue),
        df=(float(k - 1), float(total - k)),
        k=k,
        n=total,
        method="F distribution, equal variances assumed",
        alternative=_MEAN_ALTERNATIVE,
        effect_size=_eta_squared(between, within),
        effect_size_name="eta-squared",
        tie_correction=False,
        candidates=names,
    )


def _sums_of_squares(arrays: list[np.ndarray]) -> tuple[float, float]:
    grand_mean = float(np.mean(np.concatenate(arrays)))
    between = float(sum(array.size * (array.mean() - grand_mean) ** 2 for array in arrays))
    within = float(sum(np.sum((array - array.mean()) ** 2) for array in arrays))
    return between, within


def _eta_squared(between: float, within: float) -> float:
    total = between + within
    return between / total if total > 0 else float("nan")


def welch_anova(samples: Any, *, candidates: Sequence[str] | None = None) -> OmnibusResult:
    """Run Welch's ANOVA, which does not assume equal variances (Welch 1951).

    With sample sizes n_i, means m_i, variances s_i**2 (ddof=1) and weights
    ``w_i = n_i / s_i**2``, ``W = sum w_i`` and ``m = sum w_i m_i / W``::

        A = sum w_i (m_i - m)**2 / (k - 1)
        L = sum (1 - w_i / W)**2 / (n_i - 1)
        F = A / (1 + 2 (k - 2) L / (k**2 - 1))

    referred to the F distribution with ``(k - 1, (k**2 - 1) / (3 L))``
    degrees of freedom. The effect size is the descriptive eta-squared
    ``SS_between / SS_total`` of the pooled data, as for `one_way_anova`.

    Parameters
    ----------
    samples, candidates
        As for `kruskal_wallis`. Every sample needs at least 2 observations.

    Returns
    -------
    OmnibusResult

    Warns
    -----
    DegenerateDataWarning
        When a sample has zero variance, which leaves its weight undefined. The
        statistic and p-value are then NaN.

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: an
    alternative approach. Biometrika 38(3/4), 330-336.
    """
    arrays, names = independent_samples(samples, candidates)
    k = len(arrays)
    small = [name for name, array in zip(names, arrays) if array.size < 2]
    if small:
        raise ValueError(
            f"Welch's ANOVA needs at least 2 observations per sample; the samples of "
            f"{small} have fewer. Remove those candidates or collect more observations."
        )
    sizes = np.array([array.size for array in arrays], dtype=float)
    means = np.array([array.mean() for array in arrays])
    variances = np.array([array.var(ddof=1) for array in arrays])
    between, within = _sums_of_squares(arrays)
    total = int(sizes.sum())
    df1 = float(k - 1)

    if np.any(variances == 0):
        constant = [name for name, variance in zip(names, variances) if variance == 0]
        _warn_degenerate(
            f"The samples of {constant} have zero variance, so Welch's ANOVA weights "
            "n / s**2 are undefined and the test is NaN."
        )
        statistic, pvalue, df2 = float("nan"), float("nan"), float("nan")
    else:
        statistic, df2 = _welch_statistic(sizes, means, variances)
        pvalue = float(stats.f.sf(statistic, df1, df2))
    return OmnibusResult(
        test="welch-anova",
        statistic=statistic,
        pvalue=pvalue,
        df=(df1, df2),
        k=k,
        n=total,
        method="F approximation, unequal variances",
        alternative=_MEAN_ALTERNATIVE,
        effect_size=_eta_squared(between, within),
        effect_size_name="eta-squared",
        tie_correction=False,
        candidates=names,
    )


def _welch_statistic(
    sizes: np.ndarray, means: np.ndarray, variances: np.ndarray
) -> tuple[float, float]:
    k = sizes.size
    weights = sizes / variances
    weight_sum = float(weights.sum())
    weighted_mean = float(np.sum(weights * means) / weight_sum)
    between = float(np.sum(weights * (means - weighted_mean) ** 2)) / (k - 1)
    lam = float(np.sum((1 - weights / weight_sum) ** 2 / (sizes - 1)))
    statistic = between / (1 + 2 * (k - 2) * lam / (k * k - 1))
    df2 = (k * k - 1) / (3 * lam) if lam > 0 else float("inf")
    return statistic, df2
