"""Tests of the difference between two candidates, a and b.

Every test returns a `TwoSampleTest`. Each alternative is a hypothesis about
``a - b``: "greater" means a tends to be larger than b, "less" means a tends to
be smaller, and "two-sided" means a and b differ in either direction. The
direction of the metric plays no part here, so for a lower-is-better metric
"less" is the alternative in which a is better.

scipy.stats and statsmodels compute the statistics and p-values. This module
validates the input, chooses the p-value method explicitly so that the result
can name it, and puts the numbers into one result type.

Paired tests: `paired_t`, `wilcoxon_signed_rank`, `sign_test`,
`paired_permutation_test`, `mcnemar` (per-example correctness of two models) and
`nadeau_bengio_t` (differences from repeated train/test splits). Independent
samples: `welch_t` and `mann_whitney`.
"""

from __future__ import annotations

import html
import math
import numbers
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._render import format_number, format_pvalue
from nbcompare.stats._signed_rank import (
    METHOD_ASYMPTOTIC,
    METHOD_EXACT,
    METHOD_PERMUTATION,
    METHOD_UNDEFINED,
    choose_method,
    signed_rank_sums,
    validate_zero_method,
)

ALTERNATIVES = ("two-sided", "less", "greater")
NAN_POLICIES = ("propagate", "omit", "raise")

METHOD_MID_P = "mid-p"
# A p-value from Student's t distribution, exact under normal differences.
METHOD_T = "t-distribution"
# A permutation p-value from randomly drawn permutations, computed by
# scipy.stats.permutation_test as (count + 1) / (n_resamples + 1).
METHOD_MONTE_CARLO = "monte-carlo"

# Largest sample of the Mann-Whitney exact method under method="auto", the
# same rule as scipy 1.17's mannwhitneyu: exact when there are no ties and one
# sample has at most 8 values.
MANN_WHITNEY_EXACT_MAX_N = 8
DEFAULT_N_RESAMPLES = 9999

_LABELS = {
    "paired_t": "Paired t-test",
    "wilcoxon_signed_rank": "Wilcoxon signed-rank test",
    "sign_test": "Sign test",
    "paired_permutation_test": "Paired permutation test",
    "welch_t": "Welch t-test",
    "mann_whitney": "Mann-Whitney U test",
    "mcnemar": "McNemar test",
    "nadeau_bengio_t": "Nadeau-Bengio corrected resampled t-test",
}


@dataclass(frozen=True)
class TwoSampleTest:
    """Result of a test of the difference between candidates a and b.

    Attributes
    ----------
    test : str
        Name of the function that ran the test, such as ``"paired_t"``.
    statistic : float
        Test statistic, named by `statistic_name`.
    pvalue : float
        p-value for `alternative`, in [0, 1]. NaN when the test is undefined
        (NaN input under ``nan_policy="propagate"``, or degenerate data, which
        raises a DegenerateDataWarning).
    df : float or None
        Degrees of freedom of the reference distribution, None when it has none.
    alternative : str
        ``"two-sided"`` (H1: a and b differ), ``"less"`` (H1: a tends to be
        smaller than b) or ``"greater"`` (H1: a tends to be larger than b).
    method : str
        How the p-value was computed: ``"t-distribution"``, ``"exact"``,
        ``"mid-p"``, ``"asymptotic"``, ``"permutation"`` (every permutation enumerated),
        ``"monte-carlo"`` (randomly drawn permutations) or ``"undefined"``.
    zero_method : str or None
        Handling of zero differences by the Wilcoxon signed-rank test, None for
        the other tests.
    n : int or tuple of int
        Number of pairs for paired tests (zero differences included),
        ``(n_a, n_b)`` for independent samples.
    estimate : float
        Point estimate of the difference, named by `estimate_name`.
    ci_low, ci_high : float
        Confidence interval of `estimate` at `confidence_level`. A one-sided
        alternative gives a one-sided interval with an infinite bound. NaN
        when the test defines no interval.
    confidence_level : float
        Level of the interval, NaN when the test defines no interval.
    statistic_name : str
        Meaning of `statistic`, such as ``"t"`` or ``"R+"``.
    estimate_name : str
        Meaning of `estimate`, such as ``"mean of a - b"``.
    correction : bool or None
        Whether a continuity correction was applied. None when the p-value
        method has none.
    notes : tuple of str
        Facts that change how the result reads, such as dropped zero
        differences.
    """

    test: str
    statistic: float
    pvalue: float
    df: float | None
    alternative: str
    method: str
    zero_method: str | None
    n: int | tuple[int, int]
    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    statistic_name: str = ""
    estimate_name: str = ""
    correction: bool | None = None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame, one column per field.

        ``n`` of independent samples stays a tuple, and ``notes`` are joined
        with "; ".
        """
        row = asdict(self)
        row["notes"] = "; ".join(self.notes)
        frame = pd.DataFrame([row], columns=list(row))
        frame.at[0, "n"] = self.n
        return frame

    def __str__(self) -> str:
        label = _LABELS.get(self.test, self.test)
        parts = [f"{label} ({self.alternative}, {_method_text(self)})"]
        statistic = f"{self.statistic_name or 'statistic'} = {format_number(self.statistic)}"
        if self.df is not None:
            statistic += f", df = {float(self.df):.5g}"
        parts.append(f"{statistic}, p = {format_pvalue(self.pvalue)}")
        estimate = f"{self.estimate_name or 'estimate'} = {format_number(self.estimate)}"
        if not math.isnan(self.confidence_level):
            estimate += (
                f", {self.confidence_level * 100:g}% CI "
                f"[{format_number(self.ci_low)}, {format_number(self.ci_high)}]"
            )
        parts.append(estimate)
        parts.append(f"n = {_n_text(self.n)}")
        text = ": ".join(parts[:2]) + "; " + "; ".join(parts[2:])
        if self.notes:
            text += ". " + " ".join(self.notes)
        return text

    def _repr_html_(self) -> str:
        label = html.escape(_LABELS.get(self.test, self.test))
        table = self.to_frame().to_html(index=False, na_rep="NaN")
        return f"<p><strong>{label}</strong></p>\n{table}"


def _method_text(result: TwoSampleTest) -> str:
    if result.method == METHOD_ASYMPTOTIC and result.correction is not None:
        with_or_without = "with" if result.correction else "without"
        return f"asymptotic, {with_or_without} continuity correction"
    if result.method == METHOD_MONTE_CARLO:
        return "Monte Carlo permutation"
    return result.method


def _n_text(n: int | tuple[int, int]) -> str:
    if isinstance(n, tuple):
        return f"{n[0]} and {n[1]}"
    return str(n)


# Validation shared by the tests and by the effect sizes.


def validate_alternative(alternative: Any) -> str:
    """Return `alternative` if it is one of ALTERNATIVES, else raise ValueError."""
    if alternative not in ALTERNATIVES:
        raise ValueError(
            f"alternative must be one of {list(ALTERNATIVES)}, a hypothesis about a - b; "
            f"got {alternative!r}."
        )
    return alternative


def validate_nan_policy(nan_policy: Any) -> str:
    """Return `nan_policy` if it is one of NAN_POLICIES, else raise ValueError."""
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {list(NAN_POLICIES)}; got {nan_policy!r}.")
    return nan_policy


def validate_confidence_level(confidence_level: Any) -> float:
    """Return `confidence_level` as a float strictly between 0 and 1."""
    if isinstance(confidence_level, (bool, np.bool_)) or not isinstance(
        confidence_level, numbers.Real
    ):
        raise TypeError(
            f"confidence_level must be a number between 0 and 1, such as 0.95; "
            f"got {confidence_level!r}."
        )
    if not 0 < float(confidence_level) < 1:
        raise ValueError(
            f"confidence_level must be strictly between 0 and 1, such as 0.95; "
            f"got {confidence_level!r}."
        )
    return float(confidence_level)


def validate_n_resamples(n_resamples: Any) -> int:
    """Return `n_resamples` if it is a positive integer, else raise."""
    if isinstance(n_resamples, (bool, np.bool_)) or not isinstance(n_resamples, numbers.Integral):
        raise TypeError(f"n_resamples must be a positive integer, such as 9999; got {n_resamples!r}.")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, such as 9999; got {n_resamples!r}.")
    return int(n_resamples)


def as_sample(values: Any, name: str) -> np.ndarray:
    """Return `values` as a 1-D float array, or raise naming the argument `name`.

    NaN is allowed and left to the nan_policy. Infinite values raise ValueError
    because no test here defines them.
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D sequence of numbers, not the string {values!r}.")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a 1-D sequence of numbers; got {values!r}.") from error
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one value per seed or example; got shape {array.shape}."
        )
    if np.any(np.isinf(array)):
        raise ValueError(
            f"{name} contains an infinite value at index {int(np.flatnonzero(np.isinf(array))[0])}; "
            f"remove it or replace it with NaN and choose a nan_policy."
        )
    return array


def paired_samples(
    a: Any, b: Any, nan_policy: str, min_pairs: int = 1
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return `a` and `b` as equal-length float arrays, or None to propagate NaN.

    Under "omit" every pair with a NaN in either sample is dropped, under
    "raise" a NaN raises ValueError, and under "propagate" a NaN makes this
    function return None so that the caller returns an undefined result.
    Raise ValueError when fewer than `min_pairs` pairs remain.
    """
    nan_policy = validate_nan_policy(nan_policy)
    a = as_sample(a, "a")
    b = as_sample(b, "b")
    if a.size != b.size:
        raise ValueError(
            f"a and b must have the same length for a paired test, one value per pair; "
            f"got {a.size} and {b.size} values."
        )
    missing = np.isnan(a) | np.isnan(b)
    if np.any(missing):
        if nan_policy == "raise":
            raise ValueError(
                f"a or b contains NaN in {int(missing.sum())} pair(s), first at index "
                f"{int(np.flatnonzero(missing)[0])}; pass nan_policy='omit' to drop those pairs."
            )
        if nan_policy == "propagate":
            return None
        a, b = a[~missing], b[~missing]
    if a.size < min_pairs:
        raise ValueError(
            f"this test needs at least {min_pairs} complete pair(s) of a and b; got {a.size}."
        )
    return a, b


def independent_samples(
    a: Any, b: Any, nan_policy: str, min_size: int = 1
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return `a` and `b` as float arrays, or None to propagate NaN.

    Under "omit" NaN values are dropped from each sample separately. The other
    policies behave as in `paired_samples`. Raise ValueError when a sample has
    fewer than `min_size` values left.
    """
    nan_policy = validate_nan_policy(nan_policy)
    samples = []
    for name, values in (("a", a), ("b", b)):
        array = as_sample(values, name)
        missing = np.isnan(array)
        if np.any(missing):
            if nan_policy == "raise":
                raise ValueError(
                    f"{name} contains {int(missing.sum())} NaN value(s), first at index "
                    f"{int(np.flatnonzero(missing)[0])}; pass nan_policy='omit' to drop them."
                )
            if nan_policy == "propagate":
                return None
            array = array[~missing]
        if array.size < min_size:
            raise ValueError(
                f"{name} needs at least {min_size} non-NaN value(s) for this test; got {array.size}."
            )
        samples.append(array)
    return samples[0], samples[1]


def warn_degenerate(message: str) -> None:
    """Emit a DegenerateDataWarning at the caller of the public function."""
    # stacklevel 3: this function, then the public function, then its caller.
    warnings.warn(message, DegenerateDataWarning, stacklevel=3)


def _undefined(test: str, alternative: str, n: int | tuple[int, int], **fields: Any) -> TwoSampleTest:
    """Return a result whose statistic, p-value and estimate are NaN."""
    values: dict[str, Any] = {
        "test": test,
        "statistic": math.nan,
        "pvalue": math.nan,
        "df": None,
        "alternative": alternative,
        "method": METHOD_UNDEFINED,
        "zero_method": None,
        "n": n,
        "estimate": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "confidence_level": math.nan,
    }
    values.update(fields)
    return TwoSampleTest(**values)


_NAN_NOTE = "NaN input with nan_policy='propagate'."


def _is_constant(values: np.ndarray) -> bool:
    # The relative threshold follows _intervals.t_interval: scipy 1.17 warns of
    # catastrophic cancellation below 10 machine epsilons of relative spread.
    mean = float(np.mean(values))
    spread = float(np.max(np.abs(values - mean)))
    return spread == 0 or spread <= 10 * np.finfo(float).eps * abs(mean)


# Paired tests of means.


def paired_t(
    a: Any,
    b: Any,
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    *,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run the paired t-test of the mean of ``a - b``.

    Parameters
    ----------
    a, b : array_like
        Paired values, one pair per seed or task.
    alternative : {"two-sided", "less", "greater"}
        H1 about the mean difference mu of ``a - b``: ``mu != 0``, ``mu < 0``
        or ``mu > 0``.
    confidence_level : float
        Level of the t interval of mu. One-sided alternatives give one-sided
        intervals, as in scipy and R.
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops every pair with a NaN.

    Returns
    -------
    TwoSampleTest
        ``statistic`` is t, ``df`` is ``n - 1`` and ``estimate`` the mean of
        ``a - b``. When every difference is equal, t is undefined: the p-value
        is NaN and a DegenerateDataWarning is emitted.

    Notes
    -----
    scipy.stats.ttest_rel computes t, the p-value and the interval.
    """
    alternative = validate_alternative(alternative)
    confidence_level = validate_confidence_level(confidence_level)
    samples = paired_samples(a, b, nan_policy, min_pairs=2)
    if samples is None:
        return _undefined("paired_t", alternative, int(np.size(a)), notes=(_NAN_NOTE,))
    a, b = samples
    differences = a - b
    if _is_constant(differences):
        warn_degenerate(
            f"paired_t: all {a.size} differences a - b equal {float(differences[0])!r}, so their "
            f"standard deviation is 0 and t is undefined; the p-value is NaN."
        )
        return _undefined(
            "paired_t", alternative, int(a.size), df=float(a.size - 1),
            estimate=float(np.mean(differences)), statistic_name="t",
            estimate_name="mean of a - b",
        )
    result = stats.ttest_rel(a, b, alternative=alternative)
    interval = result.confidence_interval(confidence_level=confidence_level)
    return TwoSampleTest(
        test="paired_t",
        statistic=float(result.statistic),
        pvalue=float(result.pvalue),
        df=float(result.df),
        alternative=alternative,
        method=METHOD_T,
        zero_method=None,
        n=int(a.size),
        estimate=float(np.mean(differences)),
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        confidence_level=confidence_level,
        statistic_name="t",
        estimate_name="mean of a - b",
    )


def welch_t(
    a: Any,
    b: Any,
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    *,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run Welch's t-test of the difference between the means of independent a and b.

    Parameters
    ----------
    a, b : array_like
        Independent samples, at least two values each.
    alternative : {"two-sided", "less", "greater"}
        H1 about ``mu_a - mu_b``: ``!= 0``, ``< 0`` or ``> 0``.
    confidence_level : float
        Level of the interval of ``mu_a - mu_b``.
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops NaN values from each sample.

    Returns
    -------
    TwoSampleTest
        ``df`` is the Welch-Satterthwaite degrees of freedom, ``estimate``
        ``mean(a) - mean(b)``. When both samples have zero variance, t is
        undefined: the p-value is NaN and a DegenerateDataWarning is emitted.

    Notes
    -----
    scipy.stats.ttest_ind with ``equal_var=False`` computes t, the p-value and
    the interval.
    """
    alternative = validate_alternative(alternative)
    confidence_level = validate_confidence_level(confidence_level)
    samples = independent_samples(a, b, nan_policy, min_size=2)
    if samples is None:
        return _undefined("welch_t", alternative, (int(np.size(a)), int(np.size(b))), notes=(_NAN_NOTE,))
    a, b = samples
    n = (int(a.size), int(b.size))
    estimate = float(np.mean(a) - np.mean(b))
    if _is_constant(a) and _is_constant(b):
        warn_degenerate(
            "welch_t: both a and b have zero variance, so t is undefined; the p-value is NaN."
        )
        return _undefined(
            "welch_t", alternative, n, estimate=estimate, statistic_name="t",
            estimate_name="mean(a) - mean(b)",
        )
    result = stats.ttest_ind(a, b, equal_var=False, alternative=alternative)
    interval = result.confidence_interval(confidence_level=confidence_level)
    return TwoSampleTest(
        test="welch_t",
        statistic=float(result.statistic),
        pvalue=float(result.pvalue),
        df=float(result.df),
        alternative=alternative,
        method=METHOD_T,
        zero_method=None,
        n=n,
        estimate=estimate,
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        confidence_level=confidence_level,
        statistic_name="t",
        estimate_name="mean(a) - mean(b)",
    )


def nadeau_bengio_t(
    differences: Any,
    n_train: int,
    n_test: int,
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    *,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run the corrected resampled t-test of Nadeau and Bengio on split-wise differences.

    The J differences ``a - b`` come from J train/test splits of one data set
    (repeated random splits, or the J = r * k folds of r-times repeated k-fold
    cross-validation). The splits share training data, so the differences are
    correlated and the ordinary t-test underestimates their variance. Nadeau &
    Bengio (2003, "Inference for the Generalization Error", Machine Learning 52,
    239-281) replace the variance factor ``1 / J`` of the mean by
    ``1 / J + n_test / n_train``::

        t = mean(d) / sqrt((1 / J + n_test / n_train) * var(d)),

    with ``var`` the sample variance (ddof=1), referred to Student's t with
    ``J - 1`` degrees of freedom. For k-fold cross-validation ``n_test /
    n_train = 1 / (k - 1)``, and r-times repeated k-fold CV gives ``J = r * k``.

    Parameters
    ----------
    differences : array_like
        One difference ``a - b`` per split, at least two.
    n_train, n_test : int
        Number of examples in each training and each test set.
    alternative : {"two-sided", "less", "greater"}
        H1 about the expected difference mu: ``mu != 0``, ``mu < 0`` or ``mu > 0``.
    confidence_level : float
        Level of the interval ``mean(d) ± t_q * se`` with the corrected
        standard error (one-sided for one-sided alternatives).
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops NaN differences.

    Returns
    -------
    TwoSampleTest
        ``statistic`` is the corrected t and ``estimate`` the mean difference.
        When every difference is equal, t is undefined: the p-value is NaN and
        a DegenerateDataWarning is emitted.

    Notes
    -----
    The correction is a heuristic: Nadeau & Bengio derive it under the
    assumption that the correlation between split-wise differences is
    ``n_test / (n_train + n_test)``. It is conservative when that correlation is
    smaller. scipy.stats.t gives the p-value and the quantile.
    """
    alternative = validate_alternative(alternative)
    confidence_level = validate_confidence_level(confidence_level)
    n_train = _validate_count(n_train, "n_train")
    n_test = _validate_count(n_test, "n_test")
    nan_policy = validate_nan_policy(nan_policy)
    d = as_sample(differences, "differences")
    if np.any(np.isnan(d)):
        if nan_policy == "raise":
            raise ValueError(
                "differences contains NaN; pass nan_policy='omit' to drop those splits."
            )
        if nan_policy == "propagate":
            return _undefined("nadeau_bengio_t", alternative, int(d.size), notes=(_NAN_NOTE,))
        d = d[~np.isnan(d)]
    if d.size < 2:
        raise ValueError(f"nadeau_bengio_t needs at least 2 split-wise differences; got {d.size}.")

    j = int(d.size)
    df = float(j - 1)
    mean = float(np.mean(d))
    if _is_constant(d):
        warn_degenerate(
            f"nadeau_bengio_t: all {j} differences equal {float(d[0])!r}, so their variance is 0 "
            f"and t is undefined; the p-value is NaN."
        )
        return _undefined(
            "nadeau_bengio_t", alternative, j, df=df, estimate=mean, statistic_name="t",
            estimate_name="mean of a - b over splits",
        )
    corrected_se = math.sqrt((1 / j + n_test / n_train) * float(np.var(d, ddof=1)))
    t = mean / corrected_se
    pvalue = _t_pvalue(t, df, alternative)
    low, high = _t_bounds(mean, corrected_se, df, alternative, confidence_level)
    return TwoSampleTest(
        test="nadeau_bengio_t",
        statistic=t,
        pvalue=pvalue,
        df=df,
        alternative=alternative,
        method=METHOD_T,
        zero_method=None,
        n=j,
        estimate=mean,
        ci_low=low,
        ci_high=high,
        confidence_level=confidence_level,
        statistic_name="t",
        estimate_name="mean of a - b over splits",
        notes=(f"Variance factor 1/J + n_test/n_train = 1/{j} + {n_test}/{n_train}.",),
    )


def _validate_count(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer number of examples; got {value!r}.")
    return int(value)


def _t_pvalue(t: float, df: float, alternative: str) -> float:
    if alternative == "greater":
        return float(stats.t.sf(t, df))
    if alternative == "less":
        return float(stats.t.cdf(t, df))
    return float(min(1.0, 2 * stats.t.sf(abs(t), df)))


def _t_bounds(
    mean: float, se: float, df: float, alternative: str, confidence_level: float
) -> tuple[float, float]:
    if alternative == "two-sided":
        half_width = float(stats.t.ppf(0.5 + confidence_level / 2, df)) * se
        return mean - half_width, mean + half_width
    one_sided = float(stats.t.ppf(confidence_level, df)) * se
    if alternative == "greater":
        return mean - one_sided, math.inf
    return -math.inf, mean + one_sided


# Paired rank and sign tests.


def wilcoxon_signed_rank(
    a: Any,
    b: Any,
    zero_method: str = "wilcox",
    alternative: str = "two-sided",
    method: str = "auto",
    *,
    correction: bool = False,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    rng: Any = None,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run the Wilcoxon signed-rank test of the differences ``d = a - b``.

    H0: the distribution of ``d`` is symmetric about 0.

    Parameters
    ----------
    a, b : array_like
        Paired values.
    zero_method : {"wilcox", "pratt", "zsplit"}
        Handling of zero differences, as in scipy.stats.wilcoxon: "wilcox"
        drops them before ranking, "pratt" ranks them and leaves their ranks
        out of both rank sums, "zsplit" ranks them and splits their ranks
        evenly between R+ and R-.
    alternative : {"two-sided", "less", "greater"}
        H1: ``d`` is symmetric about a value other than 0, below 0 (a tends to
        be smaller than b) or above 0 (a tends to be larger).
    method : {"auto", "exact", "asymptotic", "permutation"}
        "auto" applies the rule of scipy 1.17's ``method="auto"`` (see
        `_signed_rank.choose_method`): "exact" when there are at most 50 pairs
        and no ties or zero differences, otherwise "permutation" up to 13 pairs
        (all ``2**n`` sign flips, exact given the ties and zeros) and
        "asymptotic" (normal approximation with tie and zero correction) above.
        "exact" raises ValueError when there are ties or zeros, because its
        null distribution assumes untied ranks. "permutation" enumerates
        every sign flip when ``2**n <= n_resamples`` and draws `n_resamples`
        random ones otherwise (recorded as "monte-carlo").
    correction : bool
        Apply the continuity correction of 0.5 to the normal approximation.
        The default False matches scipy and `nbcompare.stats.compare`. R's
        ``wilcox.test`` corrects by default.
    n_resamples : int
        Maximum number of sign flips for ``method="permutation"``.
    rng : numpy.random.Generator, int or None
        Randomness of the Monte Carlo permutation method.
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops every pair with a NaN.

    Returns
    -------
    TwoSampleTest
        ``statistic`` is R+, the sum of the ranks of positive differences
        (R's V under "wilcox"), for every alternative. ``estimate`` is the
        Hodges-Lehmann estimate, the median of the Walsh averages
        ``(d_i + d_j) / 2`` for ``i <= j``, over all differences including
        zeros. No interval is computed (NaN). When every difference is zero
        under "wilcox" or "pratt", no rank is left: the p-value is NaN, the
        method "undefined", and a DegenerateDataWarning is emitted.
    """
    zero_method = validate_zero_method(zero_method)
    alternative = validate_alternative(alternative)
    if method not in ("auto", METHOD_EXACT, METHOD_ASYMPTOTIC, METHOD_PERMUTATION):
        raise ValueError(
            f"method must be one of ['auto', 'exact', 'asymptotic', 'permutation']; got {method!r}."
        )
    n_resamples = validate_n_resamples(n_resamples)
    samples = paired_samples(a, b, nan_policy)
    if samples is None:
        return _undefined(
            "wilcoxon_signed_rank", alternative, int(np.size(a)), zero_method=zero_method,
            notes=(_NAN_NOTE,),
        )
    a, b = samples
    d = a - b
    n = int(d.size)
    n_zero = int(np.count_nonzero(d == 0))
    r_plus, _ = signed_rank_sums(d, zero_method)
    estimate = _hodges_lehmann_one_sample(d)
    notes = _zero_notes(n_zero, zero_method)
    common = {
        "statistic_name": "R+",
        "estimate_name": "Hodges-Lehmann estimate of a - b",
        "zero_method": zero_method,
    }

    if n_zero == n and zero_method != "zsplit":
        warn_degenerate(
            f"wilcoxon_signed_rank: all {n} differences a - b are zero and "
            f"zero_method={zero_method!r} leaves no rank to test; the p-value is NaN. "
            f"zero_method='zsplit' gives p = 1 for such data."
        )
        return _undefined(
            "wilcoxon_signed_rank", alternative, n, statistic=r_plus, estimate=estimate,
            notes=notes, **common,
        )

    chosen = _wilcoxon_method(d, method, n_resamples)
    result = stats.wilcoxon(
        d,
        zero_method=zero_method,
        correction=correction,
        alternative=alternative,
        method=_wilcoxon_scipy_method(chosen, n_resamples, rng),
    )
    return TwoSampleTest(
        test="wilcoxon_signed_rank",
        statistic=r_plus,
        pvalue=float(result.pvalue),
        df=None,
        alternative=alternative,
        method=chosen,
        n=n,
        estimate=estimate,
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=math.nan,
        correction=correction if chosen == METHOD_ASYMPTOTIC else None,
        notes=notes,
        **common,
    )


def _wilcoxon_method(d: np.ndarray, method: str, n_resamples: int) -> str:
    if method == "auto":
        return choose_method(d)
    if method == METHOD_EXACT:
        n_zero = int(np.count_nonzero(d == 0))
        n_tied = int(d.size - np.unique(np.abs(d)).size)
        if n_zero or n_tied:
            raise ValueError(
                f"method='exact' needs differences without zeros or tied absolute values; "
                f"got {n_zero} zero(s) and {n_tied} tied value(s). Use method='permutation' "
                f"(exact given the ties) or method='auto'."
            )
        return METHOD_EXACT
    if method == METHOD_PERMUTATION:
        return METHOD_PERMUTATION if 2.0**d.size <= n_resamples else METHOD_MONTE_CARLO
    return METHOD_ASYMPTOTIC


def _wilcoxon_scipy_method(method: str, n_resamples: int, rng: Any) -> Any:
    if method == METHOD_PERMUTATION:
        # n_resamples=inf makes scipy enumerate every sign pattern.
        return stats.PermutationMethod(n_resamples=np.inf)
    if method == METHOD_MONTE_CARLO:
        return stats.PermutationMethod(n_resamples=n_resamples, rng=np.random.default_rng(rng))
    return method


def _zero_notes(n_zero: int, zero_method: str) -> tuple[str, ...]:
    if not n_zero:
        return ()
    handling = {
        "wilcox": "dropped before ranking",
        "pratt": "ranked, then left out of both rank sums",
        "zsplit": "ranked, with half of their ranks added to each of R+ and R-",
    }[zero_method]
    return (f"{n_zero} zero difference(s) {handling} (zero_method={zero_method!r}).",)


def _hodges_lehmann_one_sample(d: np.ndarray) -> float:
    upper = np.triu_indices(d.size)
    walsh = (d[upper[0]] + d[upper[1]]) / 2
    return float(np.median(walsh))


def sign_test(
    a: Any,
    b: Any,
    alternative: str = "two-sided",
    confidence_level: float = 0.95,
    *,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run the sign test of the pairs ``(a, b)``.

    Pairs with ``a == b`` are dropped, as in the classical sign test, and the
    result notes how many. Of the remaining m pairs, k have ``a > b``, and
    scipy.stats.binomtest tests k against Binomial(m, 1/2).

    Parameters
    ----------
    a, b : array_like
        Paired values.
    alternative : {"two-sided", "less", "greater"}
        H1 about p = P(a > b | a != b): ``p != 1/2``, ``p < 1/2`` (a tends to
        be smaller) or ``p > 1/2`` (a tends to be larger).
    confidence_level : float
        Level of the Clopper-Pearson interval of p (one-sided for one-sided
        alternatives, as in R's ``binom.test``).
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops every pair with a NaN.

    Returns
    -------
    TwoSampleTest
        ``statistic`` is k and ``estimate`` is ``k / m``. ``method`` is
        "exact". When every pair is tied, m = 0: the p-value is NaN and a
        DegenerateDataWarning is emitted.
    """
    alternative = validate_alternative(alternative)
    confidence_level = validate_confidence_level(confidence_level)
    samples = paired_samples(a, b, nan_policy)
    if samples is None:
        return _undefined("sign_test", alternative, int(np.size(a)), notes=(_NAN_NOTE,))
    a, b = samples
    n = int(a.size)
    k = int(np.count_nonzero(a > b))
    m = int(np.count_nonzero(a != b))
    notes = (f"{n - m} tied pair(s) (a == b) dropped; {m} pair(s) tested.",)
    common = {"statistic_name": "number of pairs with a > b", "estimate_name": "P(a > b | a != b)"}
    if m == 0:
        warn_degenerate(
            f"sign_test: all {n} pairs have a == b, so no sign is left to test; the p-value is NaN."
        )
        return _undefined("sign_test", alternative, n, statistic=0.0, notes=notes, **common)
    result = stats.binomtest(k, m, p=0.5, alternative=alternative)
    interval = result.proportion_ci(confidence_level=confidence_level, method="exact")
    return TwoSampleTest(
        test="sign_test",
        statistic=float(k),
        pvalue=float(result.pvalue),
        df=None,
        alternative=alternative,
        method=METHOD_EXACT,
        zero_method=None,
        n=n,
        estimate=k / m,
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        confidence_level=confidence_level,
        notes=notes,
        **common,
    )


def paired_permutation_test(
    a: Any,
    b: Any,
    alternative: str = "two-sided",
    n_resamples: int = DEFAULT_N_RESAMPLES,
    rng: Any = None,
    *,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run the paired permutation test of the mean of ``a - b``.

    Under H0 the labels a and b are exchangeable within each pair, so every
    difference is as likely to have its sign flipped. scipy.stats.permutation_test
    with ``permutation_type="samples"`` swaps a and b within pairs and compares
    the mean difference with its permutation distribution.

    Parameters
    ----------
    a, b : array_like
        Paired values.
    alternative : {"two-sided", "less", "greater"}
        H1: the mean difference mu is ``!= 0``, ``< 0`` or ``> 0``. The
        two-sided p-value is twice the smaller one-sided p-value, capped at 1
        (scipy's definition).
    n_resamples : int
        All ``2**n`` swaps are enumerated when ``2**n <= n_resamples``
        (method "permutation", an exact p-value). Otherwise `n_resamples`
        random swaps are drawn (method "monte-carlo").
    rng : numpy.random.Generator, int or None
        Randomness of the Monte Carlo method. The same seed gives the same
        p-value.
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops every pair with a NaN.

    Returns
    -------
    TwoSampleTest
        ``statistic`` and ``estimate`` are the mean of ``a - b``. No interval
        is computed (NaN).
    """
    alternative = validate_alternative(alternative)
    n_resamples = validate_n_resamples(n_resamples)
    samples = paired_samples(a, b, nan_policy)
    if samples is None:
        return _undefined("paired_permutation_test", alternative, int(np.size(a)), notes=(_NAN_NOTE,))
    a, b = samples
    n = int(a.size)
    exhaustive = 2.0**n <= n_resamples
    result = stats.permutation_test(
        (a, b),
        _mean_difference,
        permutation_type="samples",
        vectorized=True,
        n_resamples=np.inf if exhaustive else n_resamples,
        alternative=alternative,
        rng=None if exhaustive else np.random.default_rng(rng),
    )
    mean = float(np.mean(a - b))
    return TwoSampleTest(
        test="paired_permutation_test",
        statistic=mean,
        pvalue=float(result.pvalue),
        df=None,
        alternative=alternative,
        method=METHOD_PERMUTATION if exhaustive else METHOD_MONTE_CARLO,
        zero_method=None,
        n=n,
        estimate=mean,
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=math.nan,
        statistic_name="mean of a - b",
        estimate_name="mean of a - b",
    )


def _mean_difference(x: np.ndarray, y: np.ndarray, axis: int) -> np.ndarray:
    return np.mean(x - y, axis=axis)


# Independent-sample rank test.


def mann_whitney(
    a: Any,
    b: Any,
    alternative: str = "two-sided",
    method: str = "auto",
    *,
    correction: bool = True,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    rng: Any = None,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run the Mann-Whitney U test of independent samples a and b.

    H0: the distributions of a and b are equal.

    Parameters
    ----------
    a, b : array_like
        Independent samples.
    alternative : {"two-sided", "less", "greater"}
        H1 about P(A > B) + P(A = B) / 2 for random draws A of a and B of b:
        ``!= 1/2``, ``< 1/2`` (a tends to be smaller) or ``> 1/2`` (a tends to
        be larger).
    method : {"auto", "exact", "asymptotic", "permutation"}
        "auto" follows scipy 1.17: "exact" when there are no ties and one
        sample has at most 8 values, else "asymptotic" (normal approximation
        with tie correction). "exact" raises ValueError when there are ties,
        because scipy's exact distribution assumes none. "permutation"
        enumerates every split of the pooled values when their number
        ``C(n_a + n_b, n_a)`` is at most `n_resamples`, and otherwise draws
        `n_resamples` random ones (recorded as "monte-carlo").
    correction : bool
        Continuity correction of the normal approximation (scipy's and R's
        default, True).
    n_resamples : int
        Maximum number of permutations for ``method="permutation"``.
    rng : numpy.random.Generator, int or None
        Randomness of the Monte Carlo permutation method.
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops NaN values from each sample.

    Returns
    -------
    TwoSampleTest
        ``statistic`` is U of a, the number of pairs with ``a_i > b_j`` plus
        half the ties. ``estimate`` is the Hodges-Lehmann shift, the median of
        all ``a_i - b_j``. No interval is computed (NaN).
    """
    alternative = validate_alternative(alternative)
    if method not in ("auto", METHOD_EXACT, METHOD_ASYMPTOTIC, METHOD_PERMUTATION):
        raise ValueError(
            f"method must be one of ['auto', 'exact', 'asymptotic', 'permutation']; got {method!r}."
        )
    n_resamples = validate_n_resamples(n_resamples)
    samples = independent_samples(a, b, nan_policy)
    if samples is None:
        return _undefined(
            "mann_whitney", alternative, (int(np.size(a)), int(np.size(b))), notes=(_NAN_NOTE,)
        )
    a, b = samples
    n = (int(a.size), int(b.size))
    pooled = np.concatenate([a, b])
    has_ties = np.unique(pooled).size < pooled.size
    chosen = _mann_whitney_method(n, has_ties, method, n_resamples)
    if chosen == METHOD_PERMUTATION:
        scipy_method: Any = stats.PermutationMethod(n_resamples=np.inf)
    elif chosen == METHOD_MONTE_CARLO:
        scipy_method = stats.PermutationMethod(
            n_resamples=n_resamples, rng=np.random.default_rng(rng)
        )
    else:
        scipy_method = chosen
    result = stats.mannwhitneyu(
        a, b, use_continuity=correction, alternative=alternative, method=scipy_method
    )
    return TwoSampleTest(
        test="mann_whitney",
        statistic=float(result.statistic),
        pvalue=float(result.pvalue),
        df=None,
        alternative=alternative,
        method=chosen,
        zero_method=None,
        n=n,
        estimate=float(np.median(np.subtract.outer(a, b))),
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=math.nan,
        statistic_name="U of a",
        estimate_name="Hodges-Lehmann shift of a - b",
        correction=correction if chosen == METHOD_ASYMPTOTIC else None,
    )


def _mann_whitney_method(
    n: tuple[int, int], has_ties: bool, method: str, n_resamples: int
) -> str:
    if method == "auto":
        small = min(n) <= MANN_WHITNEY_EXACT_MAX_N
        return METHOD_EXACT if small and not has_ties else METHOD_ASYMPTOTIC
    if method == METHOD_EXACT and has_ties:
        raise ValueError(
            "method='exact' needs samples without tied values; a and b contain ties. "
            "Use method='permutation' (exact given the ties) or method='asymptotic'."
        )
    if method == METHOD_PERMUTATION:
        return METHOD_PERMUTATION if math.comb(sum(n), n[0]) <= n_resamples else METHOD_MONTE_CARLO
    return method


# McNemar test of two classifiers on one test set.


def mcnemar(
    correct_a: Any,
    correct_b: Any,
    method: str = "exact",
    correction: bool = True,
    alternative: str = "two-sided",
    *,
    nan_policy: str = "propagate",
) -> TwoSampleTest:
    """Run McNemar's test of two models' per-example correctness on one test set.

    Only the discordant examples carry information: ``n_ab`` examples that a
    gets right and b wrong, and ``n_ba`` that b gets right and a wrong. Under
    H0 (equal accuracy) each discordant example is equally likely to be of
    either kind, so ``n_ab ~ Binomial(n_ab + n_ba, 1/2)``.

    Parameters
    ----------
    correct_a, correct_b : array_like of bool
        Whether each model got each example right (True/False or 1/0), in the
        same example order.
    method : {"exact", "mid-p", "asymptotic"}
        "exact": the binomial test of ``n_ab`` (scipy.stats.binomtest).
        "mid-p": the exact p-value minus the point probability
        ``P(X = n_ab)`` for the two-sided test, and minus half of it for a
        one-sided test (Fagerland, Lydersen & Laake 2013, "The McNemar test
        for binary matched-pairs data: mid-p and asymptotic are better than
        exact conditional", BMC Medical Research Methodology 13:91).
        "asymptotic": the chi-square statistic
        ``(|n_ab - n_ba| - c)**2 / (n_ab + n_ba)`` with 1 df, where c = 1 with
        the continuity correction and 0 without. One-sided alternatives use
        ``z = (n_ab - n_ba -/+ c) / sqrt(n_ab + n_ba)`` instead.
    correction : bool
        Continuity correction of the asymptotic method, ignored otherwise.
    alternative : {"two-sided", "less", "greater"}
        H1 about the accuracy difference ``acc_a - acc_b``: ``!= 0``, ``< 0`` or
        ``> 0``.
    nan_policy : {"propagate", "omit", "raise"}
        "omit" drops examples with a NaN in either input.

    Returns
    -------
    TwoSampleTest
        ``statistic`` is ``n_ab`` for "exact" and "mid-p", the chi-square for
        the two-sided asymptotic test and z for a one-sided one. ``estimate``
        is ``acc_a - acc_b = (n_ab - n_ba) / n``. No interval is computed
        (NaN). With no discordant example the test is undefined: the p-value is
        NaN and a DegenerateDataWarning is emitted.

    Notes
    -----
    With the continuity correction and ``n_ab == n_ba`` the statistic here is
    0 (``|n_ab - n_ba| - 1`` is clipped at 0), and the p-value is 1. R's
    ``mcnemar.test`` and statsmodels 0.15 compute ``(0 - 1)**2 / (n_ab + n_ba)``
    instead, so their p-value is below 1 in that case only.
    """
    if method not in (METHOD_EXACT, METHOD_MID_P, METHOD_ASYMPTOTIC):
        raise ValueError(f"method must be one of ['exact', 'mid-p', 'asymptotic']; got {method!r}.")
    if not isinstance(correction, (bool, np.bool_)):
        raise TypeError(f"correction must be True or False; got {correction!r}.")
    alternative = validate_alternative(alternative)
    samples = paired_samples(correct_a, correct_b, nan_policy)
    if samples is None:
        return _undefined("mcnemar", alternative, int(np.size(correct_a)), notes=(_NAN_NOTE,))
    a = _as_correctness(samples[0], "correct_a")
    b = _as_correctness(samples[1], "correct_b")
    n = int(a.size)
    n_ab = int(np.count_nonzero(a & ~b))
    n_ba = int(np.count_nonzero(~a & b))
    discordant = n_ab + n_ba
    estimate = (n_ab - n_ba) / n
    notes = (f"Discordant examples: {n_ab} only a correct, {n_ba} only b correct.",)
    uses_correction = bool(correction) if method == METHOD_ASYMPTOTIC else None
    if discordant == 0:
        warn_degenerate(
            f"mcnemar: the two models agree on all {n} examples, so there is no discordant "
            f"example to test; the p-value is NaN."
        )
        return _undefined(
            "mcnemar", alternative, n, estimate=estimate, notes=notes, correction=uses_correction,
            estimate_name="accuracy(a) - accuracy(b)",
        )

    df: float | None = None
    if method == METHOD_ASYMPTOTIC:
        statistic, pvalue, statistic_name = _mcnemar_asymptotic(n_ab, n_ba, bool(correction), alternative)
        df = 1.0 if alternative == "two-sided" else None
    else:
        statistic, statistic_name = float(n_ab), "n_ab (only a correct)"
        pvalue = float(stats.binomtest(n_ab, discordant, p=0.5, alternative=alternative).pvalue)
        if method == METHOD_MID_P:
            pvalue = _mid_p(n_ab, discordant, alternative)
    return TwoSampleTest(
        test="mcnemar",
        statistic=statistic,
        pvalue=pvalue,
        df=df,
        alternative=alternative,
        method=method,
        zero_method=None,
        n=n,
        estimate=estimate,
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=math.nan,
        statistic_name=statistic_name,
        estimate_name="accuracy(a) - accuracy(b)",
        correction=uses_correction,
        notes=notes,
    )


def _as_correctness(values: np.ndarray, name: str) -> np.ndarray:
    if not np.all((values == 0) | (values == 1)):
        bad = values[(values != 0) & (values != 1)][0]
        raise ValueError(
            f"{name} must contain only True/False or 1/0, one per example; got {bad!r}."
        )
    return values.astype(bool)


def _mid_p(n_ab: int, discordant: int, alternative: str) -> float:
    """Return the mid-p value of ``n_ab`` under Binomial(`discordant`, 1/2)."""
    point = float(stats.binom.pmf(n_ab, discordant, 0.5))
    at_most = float(stats.binom.cdf(n_ab, discordant, 0.5))
    at_least = float(stats.binom.sf(n_ab - 1, discordant, 0.5))
    if alternative == "greater":
        return at_least - point / 2
    if alternative == "less":
        return at_most - point / 2
    # The distribution is symmetric, so the two-sided exact p-value is twice
    # the smaller tail, and its mid-p version subtracts the point probability
    # once. For n_ab = discordant / 2 this gives exactly 1.
    return float(min(1.0, 2 * min(at_most, at_least) - point))


def _mcnemar_asymptotic(
    n_ab: int, n_ba: int, correction: bool, alternative: str
) -> tuple[float, float, str]:
    discordant = n_ab + n_ba
    difference = n_ab - n_ba
    shift = 1.0 if correction else 0.0
    if alternative == "two-sided":
        chi_square = max(abs(difference) - shift, 0.0) ** 2 / discordant
        return chi_square, float(stats.chi2.sf(chi_square, 1)), "chi-square"
    # The continuity correction moves the difference half a step of the
    # binomial count (a step of 2 in n_ab - n_ba) towards H0's side of the tail.
    if alternative == "greater":
        z = (difference - shift) / math.sqrt(discordant)
        return z, float(stats.norm.sf(z)), "z"
    z = (difference + shift) / math.sqrt(discordant)
    return z, float(stats.norm.cdf(z)), "z"
