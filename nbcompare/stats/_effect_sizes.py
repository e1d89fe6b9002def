"""Effect sizes of the difference between two candidates, with confidence intervals.

Sign convention: every directional effect size here is positive when
candidate a is better. Each function takes ``higher_is_better``. When it is
False (a loss, an error rate, a runtime), the values of both candidates are
negated before the effect size is computed, so a lower value of a still gives a
positive effect. Swapping a and b flips the sign.

Kendall's W and eta-squared measure the size of a difference among several
conditions, not its direction, so they take no ``higher_is_better``.

Randomness enters only through the ``rng`` argument of the bootstrap
intervals. The same seed gives the same interval.
"""

from __future__ import annotations

import html
import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._friedman import friedman_test
from nbcompare.stats._render import format_number
from nbcompare.stats._signed_rank import rank_biserial as _rank_biserial_from_sums
from nbcompare.stats._signed_rank import signed_rank_sums, validate_zero_method
from nbcompare.stats._two_sample import (
    independent_samples,
    paired_samples,
    validate_confidence_level,
    validate_n_resamples,
    warn_degenerate,
)

DEFAULT_N_RESAMPLES = 9999

# Cohen (1988), Statistical Power Analysis for the Behavioral Sciences, 2nd ed.:
# d = 0.2 small, 0.5 medium, 0.8 large. Below 0.2 is labelled negligible.
COHEN_D_THRESHOLDS = (0.2, 0.5, 0.8)
# Romano, Kromrey, Coraggio & Skowronek (2006), thresholds of |Cliff's delta|.
CLIFF_DELTA_THRESHOLDS = (0.147, 0.33, 0.474)
# Vargha & Delaney (2000), J. Educ. Behav. Stat. 25(2), 101-132: A = 0.56, 0.64
# and 0.71 for small, medium and large, as distances 0.06, 0.14, 0.21 from 1/2.
VARGHA_DELANEY_THRESHOLDS = (0.06, 0.14, 0.21)
# Cohen (1988): eta-squared of 0.01 small, 0.06 medium, 0.14 large.
COHEN_ETA_SQUARED_THRESHOLDS = (0.01, 0.06, 0.14)

_MAGNITUDE_LABELS = ("negligible", "small", "medium", "large")


@dataclass(frozen=True)
class EffectSize:
    """An effect size with its confidence interval and a verbal magnitude.

    Attributes
    ----------
    name : str
        Effect size, such as ``"Cohen's d_z"``.
    estimate : float
        Point estimate. For directional effect sizes, positive means a is better.
    ci_low, ci_high : float
        Two-sided confidence interval at `confidence_level`. NaN when no
        interval is computed (see `ci_method`) or the data are degenerate.
    confidence_level : float
        Level of the interval.
    ci_method : str
        How the interval was computed, or ``"none"``.
    magnitude : str
        ``"negligible"``, ``"small"``, ``"medium"`` or ``"large"`` by the
        thresholds of `magnitude_source`. Empty when no published thresholds
        apply or the estimate is NaN.
    magnitude_source : str
        Source of the thresholds, such as ``"Cohen 1988"``.
    n : int, tuple of int or None
        Number of pairs or blocks, ``(n_a, n_b)`` for independent samples,
        None when computed from an ANOVA table.
    higher_is_better : bool or None
        Metric direction used to orient the sign, None for non-directional
        effect sizes.
    """

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    ci_method: str
    magnitude: str
    magnitude_source: str
    n: int | tuple[int, int] | None
    higher_is_better: bool | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the effect size as a one-row DataFrame, one column per field."""
        row = asdict(self)
        frame = pd.DataFrame([row], columns=list(row))
        frame.at[0, "n"] = self.n
        return frame

    def __str__(self) -> str:
        text = f"{self.name} = {format_number(self.estimate)}"
        if not (math.isnan(self.ci_low) and math.isnan(self.ci_high)):
            text += (
                f", {self.confidence_level * 100:g}% CI "
                f"[{format_number(self.ci_low)}, {format_number(self.ci_high)}] ({self.ci_method})"
            )
        if self.magnitude:
            text += f", {self.magnitude} ({self.magnitude_source})"
        if self.n is not None:
            n = f"{self.n[0]} and {self.n[1]}" if isinstance(self.n, tuple) else str(self.n)
            text += f"; n = {n}"
        if self.higher_is_better is not None:
            text += "; positive means a is better"
        return text

    def _repr_html_(self) -> str:
        table = self.to_frame().to_html(index=False, na_rep="NaN")
        return f"<p><strong>{html.escape(self.name)}</strong></p>\n{table}"


def _magnitude(value: float, thresholds: tuple[float, float, float]) -> str:
    if math.isnan(value):
        return ""
    size = abs(value)
    for label, threshold in zip(_MAGNITUDE_LABELS, thresholds):
        if size < threshold:
            return label
    return _MAGNITUDE_LABELS[-1]


def _orientation(higher_is_better: Any) -> float:
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise TypeError(f"higher_is_better must be True or False; got {higher_is_better!r}.")
    return 1.0 if higher_is_better else -1.0


def _nan_effect(name: str, confidence_level: float, ci_method: str, n: Any, higher_is_better: Any) -> EffectSize:
    return EffectSize(
        name=name,
        estimate=math.nan,
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=confidence_level,
        ci_method=ci_method,
        magnitude="",
        magnitude_source="",
        n=n,
        higher_is_better=higher_is_better,
    )


def _warn_from_helper(message: str) -> None:
    # stacklevel 4: this function, the helper, the public function, its caller.
    warnings.warn(message, DegenerateDataWarning, stacklevel=4)


def _is_constant(values: np.ndarray) -> bool:
    # Relative spread below 10 machine epsilons counts as constant, the
    # threshold at which scipy 1.17 warns of catastrophic cancellation.
    mean = float(np.mean(values))
    spread = float(np.max(np.abs(values - mean)))
    return spread == 0 or spread <= 10 * np.finfo(float).eps * abs(mean)


# Standardized mean differences.


def cohens_dz(
    a: Any,
    b: Any,
    *,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
    nan_policy: str = "propagate",
) -> EffectSize:
    """Compute Cohen's d_z, the mean of the paired differences over their standard deviation.

    ``d_z = mean(d) / sd(d)`` with ``d = a - b`` (negated when
    ``higher_is_better`` is False) and ``sd`` the sample standard deviation
    (ddof=1).

    The confidence interval inverts the noncentral t distribution: with
    ``t = d_z * sqrt(n)`` and ``n - 1`` degrees of freedom, the bounds of the
    noncentrality parameter solve ``nct.cdf(t, n - 1, lambda) = 1 - alpha / 2``
    (lower) and ``= alpha / 2`` (upper), found with scipy.optimize.brentq and
    divided by ``sqrt(n)``. The interval is exact for normally distributed
    differences.

    The magnitude uses Cohen's (1988) thresholds 0.2, 0.5 and 0.8. They were
    set for the two-sample d, and d_z of the same data is usually larger
    (Lakens 2013, Front. Psychol. 4:863), so the label is only a rough guide.

    Zero-variance differences make d_z undefined: NaN with a
    DegenerateDataWarning. NaN handling follows `nan_policy` as in the tests.
    """
    sign = _orientation(higher_is_better)
    confidence_level = validate_confidence_level(confidence_level)
    samples = paired_samples(a, b, nan_policy, min_pairs=2)
    ci_method = "noncentral t inversion"
    if samples is None:
        return _nan_effect("Cohen's d_z", confidence_level, ci_method, int(np.size(a)), higher_is_better)
    d = sign * (samples[0] - samples[1])
    n = int(d.size)
    if _is_constant(d):
        warn_degenerate(
            f"cohens_dz: all {n} differences a - b are equal, so their standard deviation "
            f"is 0 and d_z is undefined; the result is NaN."
        )
        return _nan_effect("Cohen's d_z", confidence_level, ci_method, n, higher_is_better)
    dz = float(np.mean(d) / np.std(d, ddof=1))
    low, high = _noncentral_t_interval(dz * math.sqrt(n), n - 1, confidence_level)
    return EffectSize(
        name="Cohen's d_z",
        estimate=dz,
        ci_low=low / math.sqrt(n),
        ci_high=high / math.sqrt(n),
        confidence_level=confidence_level,
        ci_method=ci_method,
        magnitude=_magnitude(dz, COHEN_D_THRESHOLDS),
        magnitude_source="Cohen 1988",
        n=n,
        higher_is_better=bool(higher_is_better),
    )


def _noncentral_t_interval(t: float, df: float, confidence_level: float) -> tuple[float, float]:
    """Return the confidence bounds of the noncentrality parameter given the observed `t`.

    ``nct.cdf(t, df, nc)`` decreases in ``nc``, so each bound is the unique
    root of ``nct.cdf(t, df, nc) - q``. The bracket starts at ``t ± (1 + |t| / 4)``
    and doubles its width until the function changes sign. For extreme `t`
    (such as 5e8 with 2 df, from nearly equal differences) scipy's nct.cdf
    returns no usable values, and the bounds are NaN with a DegenerateDataWarning.
    """
    tail = (1 - confidence_level) / 2

    def solve(q: float) -> float:
        def excess(nc: float) -> float:
            return _nct_cdf(t, df, nc) - q

        width = 1.0 + abs(t) / 4
        for _ in range(60):
            low, high = t - width, t + width
            if excess(low) > 0 > excess(high):
                return float(optimize.brentq(excess, low, high, xtol=1e-12, rtol=1e-12))
            width *= 2
        return math.nan

    bounds = solve(1 - tail), solve(tail)
    if math.isnan(bounds[0]) or math.isnan(bounds[1]):
        _warn_from_helper(
            f"the noncentral t interval could not be computed for t = {t:.6g} with {df} degrees "
            f"of freedom, because scipy's nct.cdf gives no usable values there; the interval is NaN."
        )
        return math.nan, math.nan
    return bounds


def _nct_cdf(x: float, df: float, nc: float) -> float:
    """Return ``stats.nct.cdf(x, df, nc)``, calling its special function directly where that is exact.

    For finite `x`, ``df > 0`` and a non-NaN `nc`, scipy 1.17's ``nct.cdf``
    returns ``special.nctdtr(df, nc, x)`` unchanged, after argument checks that
    cost about 60 us per call. The root search of `_noncentral_t_interval`
    makes about 30 calls per interval. Other arguments go to ``nct.cdf``.
    tests/test_stats_vectorized.py checks that both give the same values.
    """
    if math.isfinite(x) and df > 0 and not math.isnan(nc):
        return float(special.nctdtr(df, nc, x))
    return float(stats.nct.cdf(x, df, nc))


def cohens_dav(
    a: Any,
    b: Any,
    *,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    rng: Any = None,
    nan_policy: str = "propagate",
) -> EffectSize:
    """Compute Cohen's d_av of paired values, the mean difference over the average SD.

    ``d_av = mean(a - b) / ((sd(a) + sd(b)) / 2)`` with sample standard
    deviations (ddof=1), as defined by Lakens (2013, "Calculating and reporting
    effect sizes to facilitate cumulative science", Front. Psychol. 4:863).
    Unlike d_z it does not depend on the correlation between a and b, so it is
    comparable to a two-sample d.

    The interval is a BCa bootstrap over pairs (scipy.stats.bootstrap with
    ``paired=True``, `n_resamples` resamples drawn with `rng`), because d_av
    has no exact noncentral-t interval. The magnitude uses Cohen's (1988)
    thresholds 0.2, 0.5 and 0.8.
    """
    sign = _orientation(higher_is_better)
    confidence_level = validate_confidence_level(confidence_level)
    n_resamples = validate_n_resamples(n_resamples)
    samples = paired_samples(a, b, nan_policy, min_pairs=2)
    ci_method = "bootstrap BCa"
    if samples is None:
        return _nan_effect("Cohen's d_av", confidence_level, ci_method, int(np.size(a)), higher_is_better)
    a, b = sign * samples[0], sign * samples[1]
    n = int(a.size)
    if _is_constant(a) and _is_constant(b):
        warn_degenerate(
            "cohens_dav: both a and b have zero standard deviation, so d_av is undefined; "
            "the result is NaN."
        )
        return _nan_effect("Cohen's d_av", confidence_level, ci_method, n, higher_is_better)
    estimate = float(_d_av(a, b, axis=-1))
    low, high = _bootstrap_interval(
        (a, b), _d_av, paired=True, confidence_level=confidence_level,
        n_resamples=n_resamples, rng=rng, method="BCa",
    )
    return EffectSize(
        name="Cohen's d_av",
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        confidence_level=confidence_level,
        ci_method=ci_method,
        magnitude=_magnitude(estimate, COHEN_D_THRESHOLDS),
        magnitude_source="Cohen 1988",
        n=n,
        higher_is_better=bool(higher_is_better),
    )


def _d_av(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    average_sd = (np.std(a, ddof=1, axis=axis) + np.std(b, ddof=1, axis=axis)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mean(a - b, axis=axis) / average_sd


def hedges_g(
    a: Any,
    b: Any,
    paired: bool = False,
    *,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
    nan_policy: str = "propagate",
) -> EffectSize:
    """Compute Hedges' g, Cohen's d times the small-sample bias correction J.

    Independent samples (``paired=False``): ``d_s = (mean(a) - mean(b)) / s_p``
    with the pooled standard deviation ``s_p`` and ``df = n_a + n_b - 2``.
    Paired samples (``paired=True``): d_z of the differences with
    ``df = n - 1`` (named g_z).

    J is the exact gamma form of Hedges (1981, J. Educ. Stat. 6(2), 107-128),
    ``J(df) = Gamma(df / 2) / (sqrt(df / 2) * Gamma((df - 1) / 2))``, which
    ``1 - 3 / (4 df - 1)`` approximates to within 0.0025 from df = 4 and
    within 0.001 from df = 6.

    The interval inverts the noncentral t distribution of the observed t
    (``t = d_s / sqrt(1/n_a + 1/n_b)``, or ``d_z * sqrt(n)``) for d, then
    multiplies both bounds by J. The magnitude uses Cohen's (1988) thresholds
    0.2, 0.5 and 0.8.
    """
    sign = _orientation(higher_is_better)
    confidence_level = validate_confidence_level(confidence_level)
    if not isinstance(paired, (bool, np.bool_)):
        raise TypeError(f"paired must be True or False; got {paired!r}.")
    name = "Hedges' g_z" if paired else "Hedges' g"
    ci_method = "noncentral t inversion, times J"
    if paired:
        samples = paired_samples(a, b, nan_policy, min_pairs=2)
        n: Any = int(np.size(a))
    else:
        samples = independent_samples(a, b, nan_policy, min_size=2)
        n = (int(np.size(a)), int(np.size(b)))
    if samples is None:
        return _nan_effect(name, confidence_level, ci_method, n, higher_is_better)
    a, b = sign * samples[0], sign * samples[1]

    if paired:
        d = a - b
        n = int(d.size)
        df = n - 1
        degenerate = _is_constant(d)
        scale = 1 / math.sqrt(n)
    else:
        n = (int(a.size), int(b.size))
        df = a.size + b.size - 2
        degenerate = _is_constant(a) and _is_constant(b)
        scale = math.sqrt(1 / a.size + 1 / b.size)
    if degenerate:
        warn_degenerate(f"hedges_g: the standard deviation is 0, so {name} is undefined; the result is NaN.")
        return _nan_effect(name, confidence_level, ci_method, n, higher_is_better)

    if paired:
        cohen_d = float(np.mean(d) / np.std(d, ddof=1))
    else:
        pooled_variance = (
            (a.size - 1) * np.var(a, ddof=1) + (b.size - 1) * np.var(b, ddof=1)
        ) / df
        cohen_d = float((np.mean(a) - np.mean(b)) / math.sqrt(pooled_variance))
    correction = hedges_correction(df)
    low, high = _noncentral_t_interval(cohen_d / scale, df, confidence_level)
    estimate = correction * cohen_d
    return EffectSize(
        name=name,
        estimate=estimate,
        ci_low=correction * low * scale,
        ci_high=correction * high * scale,
        confidence_level=confidence_level,
        ci_method=ci_method,
        magnitude=_magnitude(estimate, COHEN_D_THRESHOLDS),
        magnitude_source="Cohen 1988",
        n=n,
        higher_is_better=bool(higher_is_better),
    )


def hedges_correction(df: float) -> float:
    """Return Hedges' exact bias correction ``Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))``.

    Computed through log-gamma so that it stays finite for large `df`.
    """
    if df <= 1:
        raise ValueError(f"Hedges' correction needs more than 1 degree of freedom; got {df!r}.")
    log_ratio = special.gammaln(df / 2) - special.gammaln((df - 1) / 2)
    return float(math.exp(log_ratio) / math.sqrt(df / 2))


# Ordinal effect sizes.


def cliffs_delta(
    a: Any,
    b: Any,
    *,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
    nan_policy: str = "propagate",
) -> EffectSize:
    """Compute Cliff's delta of independent samples, ``P(A > B) - P(A < B)``.

    The probabilities run over all ``n_a * n_b`` pairs of a value of a and a
    value of b (values negated when ``higher_is_better`` is False).

    The interval is the asymmetric one of Cliff (1993, "Dominance statistics",
    Psychol. Bull. 114(3), 494-509) and Feng & Cliff (2004, J. Mod. Appl. Stat.
    Methods 3(2), 322-332)::

        (delta - delta**3 ± z s sqrt((1 - delta**2)**2 + z**2 s**2))
        / (1 - delta**2 + z**2 s**2),

    with z the standard normal quantile and ``s**2`` Cliff's unbiased variance
    estimate, floored at ``(1 - delta**2) / (n_a n_b - 1)`` as Cliff
    recommends. The bounds stay inside [-1, 1] and bracket delta. When one
    sample lies entirely above the other (delta = ±1) the estimate of s is 0
    and the interval is undefined: NaN with a DegenerateDataWarning.

    Magnitude thresholds 0.147, 0.33 and 0.474 of |delta| are those of
    Romano et al. (2006).
    """
    sign = _orientation(higher_is_better)
    confidence_level = validate_confidence_level(confidence_level)
    samples = independent_samples(a, b, nan_policy)
    ci_method = "Feng & Cliff asymmetric"
    if samples is None:
        return _nan_effect(
            "Cliff's delta", confidence_level, ci_method, (int(np.size(a)), int(np.size(b))), higher_is_better
        )
    a, b = sign * samples[0], sign * samples[1]
    delta, variance = _cliffs_delta_and_variance(a, b)
    low, high = _cliff_interval(delta, variance, confidence_level, "cliffs_delta")
    return EffectSize(
        name="Cliff's delta",
        estimate=delta,
        ci_low=low,
        ci_high=high,
        confidence_level=confidence_level,
        ci_method=ci_method,
        magnitude=_magnitude(delta, CLIFF_DELTA_THRESHOLDS),
        magnitude_source="Romano et al. 2006",
        n=(int(a.size), int(b.size)),
        higher_is_better=bool(higher_is_better),
    )


def _dominance_counts(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each value of a, the number of b below it and the number above it."""
    sorted_b = np.sort(b)
    below = np.searchsorted(sorted_b, a, side="left")
    above = sorted_b.size - np.searchsorted(sorted_b, a, side="right")
    return below, above


def _cliffs_delta_and_variance(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Return Cliff's delta and Cliff's (1993) unbiased estimate of its variance.

    With ``d_ij = sign(a_i - b_j)``, row means ``d_i.`` and column means ``d_.j``::

        s**2 = (n_b**2 sum_i (d_i. - delta)**2 + n_a**2 sum_j (d_.j - delta)**2
                - sum_ij (d_ij - delta)**2) / (n_a n_b (n_a - 1) (n_b - 1)).

    The sums are computed from sorted counts, without the n_a x n_b matrix.
    ``sum_ij (d_ij - delta)**2`` equals the number of untied pairs minus
    ``n_a n_b delta**2`` because ``d_ij**2`` is 1 for untied pairs and 0 for ties.
    """
    n_a, n_b = a.size, b.size
    below, above = _dominance_counts(a, b)
    row_means = (below - above) / n_b
    below_b, above_b = _dominance_counts(b, a)
    # For b_j, "a above it" counts pairs with d_ij = +1.
    column_means = (above_b - below_b) / n_a
    delta = float(np.sum(below - above) / (n_a * n_b))
    if n_a < 2 or n_b < 2:
        return delta, math.nan
    untied = float(np.sum(below + above))
    pair_sum = untied - n_a * n_b * delta**2
    numerator = (
        n_b**2 * float(np.sum((row_means - delta) ** 2))
        + n_a**2 * float(np.sum((column_means - delta) ** 2))
        - pair_sum
    )
    variance = numerator / (n_a * n_b * (n_a - 1) * (n_b - 1))
    # NOTE: this floor, which keeps a negative unbiased estimate out of the
    # square root, is recalled from Cliff (1996, Ordinal Methods for Behavioral
    # Data Analysis) and was not checked against the text.
    floor = (1 - delta**2) / (n_a * n_b - 1)
    return delta, max(variance, floor)


def _cliff_interval(
    delta: float, variance: float, confidence_level: float, caller: str
) -> tuple[float, float]:
    if math.isnan(variance):
        _warn_from_helper(
            f"{caller}: each sample needs at least 2 values for the variance of Cliff's delta; "
            f"the interval is NaN."
        )
        return math.nan, math.nan
    if variance <= 0:
        _warn_from_helper(
            f"{caller}: one sample lies entirely above the other (delta = {delta:g}), so the "
            f"variance estimate of Cliff's delta is 0 and its interval is undefined (NaN)."
        )
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    s = math.sqrt(variance)
    center = delta - delta**3
    half_width = z * s * math.sqrt((1 - delta**2) ** 2 + z**2 * s**2)
    denominator = 1 - delta**2 + z**2 * s**2
    low = max(-1.0, (center - half_width) / denominator)
    high = min(1.0, (center + half_width) / denominator)
    return low, high


def rank_biserial(
    a: Any,
    b: Any,
    paired: bool = True,
    zero_method: str = "wilcox",
    *,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    rng: Any = None,
    nan_policy: str = "propagate",
) -> EffectSize:
    """Compute the rank-biserial correlation of a against b.

    Paired (``paired=True``): the matched-pairs rank-biserial correlation
    ``(R+ - R-) / (R+ + R-)`` of the signed ranks of ``d = a - b``, the simple
    difference formula of Kerby (2014, Innovative Teaching 3, 1). Zero
    differences follow `zero_method` as in the Wilcoxon signed-rank test.
    Independent (``paired=False``): Glass's rank-biserial ``2 U_a / (n_a n_b) - 1``,
    which equals Cliff's delta.

    The interval is a percentile bootstrap (scipy.stats.bootstrap, `n_resamples`
    resamples drawn with `rng`): over pairs when paired, and within each
    sample otherwise. Percentile rather than BCa, because the statistic is
    bounded and discrete and its jackknife often degenerates in small samples.
    A percentile interval need not contain the estimate.

    Magnitude: independent samples get the Cliff's delta thresholds of Romano
    et al. (2006). No published thresholds exist for the matched-pairs
    version, so its magnitude is empty.
    """
    sign = _orientation(higher_is_better)
    confidence_level = validate_confidence_level(confidence_level)
    n_resamples = validate_n_resamples(n_resamples)
    zero_method = validate_zero_method(zero_method)
    if not isinstance(paired, (bool, np.bool_)):
        raise TypeError(f"paired must be True or False; got {paired!r}.")
    ci_method = "bootstrap percentile"
    name = "matched-pairs rank-biserial" if paired else "rank-biserial"
    if paired:
        samples = paired_samples(a, b, nan_policy)
        n: Any = int(np.size(a))
    else:
        samples = independent_samples(a, b, nan_policy)
        n = (int(np.size(a)), int(np.size(b)))
    if samples is None:
        return _nan_effect(name, confidence_level, ci_method, n, higher_is_better)
    a, b = sign * samples[0], sign * samples[1]

    if paired:
        d = a - b
        n = int(d.size)
        estimate = _rank_biserial_from_sums(*signed_rank_sums(d, zero_method))
        if math.isnan(estimate):
            warn_degenerate(
                f"rank_biserial: all {n} differences are zero under zero_method={zero_method!r}, "
                f"so R+ + R- = 0 and the correlation is undefined (NaN)."
            )
            return _nan_effect(name, confidence_level, ci_method, n, higher_is_better)

        def statistic(values: np.ndarray, axis: int = -1) -> np.ndarray:
            return matched_pairs_rank_biserial(values, zero_method, axis=axis)

        low, high = _bootstrap_interval(
            (d,), statistic, paired=False, confidence_level=confidence_level,
            n_resamples=n_resamples, rng=rng, method="percentile",
        )
        magnitude, source = "", ""
    else:
        n = (int(a.size), int(b.size))
        estimate, _ = _cliffs_delta_and_variance(a, b)
        low, high = _bootstrap_interval(
            (a, b), _vectorized_cliffs_delta, paired=False, confidence_level=confidence_level,
            n_resamples=n_resamples, rng=rng, method="percentile",
        )
        magnitude = _magnitude(estimate, CLIFF_DELTA_THRESHOLDS)
        source = "Romano et al. 2006"
    return EffectSize(
        name=name,
        estimate=float(estimate),
        ci_low=low,
        ci_high=high,
        confidence_level=confidence_level,
        ci_method=ci_method,
        magnitude=magnitude,
        magnitude_source=source,
        n=n,
        higher_is_better=bool(higher_is_better),
    )


def matched_pairs_rank_biserial(d: np.ndarray, zero_method: str, axis: int = -1) -> np.ndarray:
    """Return ``(R+ - R-) / (R+ + R-)`` along `axis` of the differences `d`.

    Vectorized version of `_signed_rank.signed_rank_sums` for the bootstrap.
    Zero differences have the smallest absolute value, so under "wilcox" the
    rank of a nonzero difference among the nonzero ones is its rank among all
    differences minus the number of zeros. NaN where ``R+ + R- = 0``.
    """
    d = np.moveaxis(np.asarray(d, dtype=float), axis, -1)
    ranks = stats.rankdata(np.abs(d), method="average", axis=-1)
    positive, negative, zero = d > 0, d < 0, d == 0
    if zero_method == "wilcox":
        ranks = ranks - np.sum(zero, axis=-1, keepdims=True)
    r_plus = np.sum(np.where(positive, ranks, 0.0), axis=-1)
    r_minus = np.sum(np.where(negative, ranks, 0.0), axis=-1)
    if zero_method == "zsplit":
        half_zero = np.sum(np.where(zero, ranks, 0.0), axis=-1) / 2
        r_plus = r_plus + half_zero
        r_minus = r_minus + half_zero
    total = r_plus + r_minus
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (r_plus - r_minus) / total, np.nan)


def _vectorized_cliffs_delta(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    a = np.moveaxis(a, axis, -1)[..., :, None]
    b = np.moveaxis(b, axis, -1)[..., None, :]
    return np.mean(np.sign(a - b), axis=(-2, -1))


def probability_of_improvement(
    a: Any,
    b: Any,
    paired: bool = True,
    *,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    rng: Any = None,
    nan_policy: str = "propagate",
) -> EffectSize:
    """Compute the probability that a is better than b, counting ties as one half.

    Paired: the share of pairs in which a is better plus half the share of
    tied pairs, ``mean([a_i > b_i] + [a_i == b_i] / 2)``. Its interval is a
    percentile bootstrap over pairs (`n_resamples` resamples drawn with `rng`),
    and its magnitude is empty because no published thresholds exist.

    Independent: the common-language effect size ``P(A > B) + P(A = B) / 2`` over
    all pairs of values, also known as Vargha & Delaney's A. It equals
    ``(1 + delta) / 2`` for Cliff's delta, so its interval maps the Feng &
    Cliff interval of `cliffs_delta` the same way, and `rng` is not used. The
    magnitude uses Vargha & Delaney's (2000) thresholds A = 0.56, 0.64 and 0.71
    (and their mirror images below 1/2).

    "Better" follows `higher_is_better`. The estimate is in [0, 1], and 1/2
    means no difference.
    """
    sign = _orientation(higher_is_better)
    confidence_level = validate_confidence_level(confidence_level)
    n_resamples = validate_n_resamples(n_resamples)
    if not isinstance(paired, (bool, np.bool_)):
        raise TypeError(f"paired must be True or False; got {paired!r}.")
    name = "probability of improvement" if paired else "probability of superiority (A)"
    if paired:
        samples = paired_samples(a, b, nan_policy)
        ci_method = "bootstrap percentile"
        n: Any = int(np.size(a))
    else:
        samples = independent_samples(a, b, nan_policy)
        ci_method = "Feng & Cliff asymmetric, mapped by (1 + delta) / 2"
        n = (int(np.size(a)), int(np.size(b)))
    if samples is None:
        return _nan_effect(name, confidence_level, ci_method, n, higher_is_better)
    a, b = sign * samples[0], sign * samples[1]

    if paired:
        scores = (np.sign(a - b) + 1) / 2
        estimate = float(np.mean(scores))
        low, high = _bootstrap_interval(
            (scores,), _mean_along, paired=False, confidence_level=confidence_level,
            n_resamples=n_resamples, rng=rng, method="percentile",
        )
        return EffectSize(
            name=name,
            estimate=estimate,
            ci_low=low,
            ci_high=high,
            confidence_level=confidence_level,
            ci_method=ci_method,
            magnitude="",
            magnitude_source="",
            n=int(a.size),
            higher_is_better=bool(higher_is_better),
        )

    delta, variance = _cliffs_delta_and_variance(a, b)
    low, high = _cliff_interval(delta, variance, confidence_level, "probability_of_improvement")
    estimate = (1 + delta) / 2
    return EffectSize(
        name=name,
        estimate=estimate,
        ci_low=(1 + low) / 2,
        ci_high=(1 + high) / 2,
        confidence_level=confidence_level,
        ci_method=ci_method,
        magnitude=_magnitude(estimate - 0.5, VARGHA_DELANEY_THRESHOLDS),
        magnitude_source="Vargha & Delaney 2000",
        n=(int(a.size), int(b.size)),
        higher_is_better=bool(higher_is_better),
    )


def _mean_along(values: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(values, axis=axis)


def _bootstrap_interval(
    data: tuple[np.ndarray, ...],
    statistic: Any,
    *,
    paired: bool,
    confidence_level: float,
    n_resamples: int,
    rng: Any,
    method: str,
) -> tuple[float, float]:
    """Return the two-sided bootstrap interval of `statistic` from scipy.stats.bootstrap.

    `rng` is turned into a Generator here, so the same seed gives the same
    interval.
    """
    result = stats.bootstrap(
        data,
        statistic,
        n_resamples=n_resamples,
        vectorized=True,
        paired=paired,
        confidence_level=confidence_level,
        method=method,
        rng=np.random.default_rng(rng),
    )
    interval = result.confidence_interval
    low, high = float(interval.low), float(interval.high)
    if low == high:
        _warn_from_helper(zero_width_message(low))
    return low, high


def zero_width_message(value: float) -> str:
    """Return the warning for a bootstrap interval whose bounds both equal `value`."""
    return (
        f"every bootstrap resample gives the same value {value:g}, so the bootstrap interval "
        f"has zero width; it understates the uncertainty of so few or so one-sided data."
    )


# Effect sizes of several conditions.


def kendalls_w(values: Any) -> EffectSize:
    """Compute Kendall's coefficient of concordance W of a blocks x k matrix.

    Each row is a block (a seed or a task) and each column a candidate. W is
    the Friedman chi-square divided by its maximum ``n (k - 1)``::

        W = chi2_F / (n (k - 1)).

    The Friedman statistic of scipy.stats.friedmanchisquare is tie-corrected:
    it divides by ``1 - sum(t**3 - t) / (n (k**3 - k))`` over groups of t tied
    values within a block, so W is the tie-corrected W of Kendall & Babington
    Smith. W runs from 0 (no agreement among blocks) to 1 (every block ranks
    the candidates the same way). It has no direction, so ranking by higher or
    lower values gives the same W.

    No interval is computed (NaN), and no magnitude label is given. Rows with a
    NaN are not allowed, because the blocks must be complete. When every block
    is fully tied, W is 0/0: NaN with a DegenerateDataWarning.
    """
    matrix = np.asarray(values, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] < 1 or matrix.shape[1] < 2:
        raise ValueError(
            f"values must be a blocks x candidates matrix with at least 2 candidates; "
            f"got shape {matrix.shape}."
        )
    if not np.all(np.isfinite(matrix)):
        raise ValueError(
            "values contains NaN or infinite entries; Kendall's W needs complete blocks, so "
            "drop the incomplete rows first."
        )
    n_blocks, k = matrix.shape
    friedman = friedman_test(matrix)
    if math.isnan(friedman.statistic):
        warn_degenerate(
            "kendalls_w: every block is fully tied, so W is 0/0 and undefined; the result is NaN."
        )
        estimate = math.nan
    else:
        estimate = friedman.statistic / (n_blocks * (k - 1))
    return EffectSize(
        name="Kendall's W",
        estimate=float(estimate),
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=math.nan,
        ci_method="none",
        magnitude="",
        magnitude_source="",
        n=int(n_blocks),
    )


def eta_squared(
    anova: Any = None,
    effect: str | None = None,
    *,
    ss_effect: float | None = None,
    ss_total: float | None = None,
) -> EffectSize:
    """Compute eta-squared, the share of the total sum of squares due to one effect.

    ``eta**2 = SS_effect / SS_total``. Pass either

    * `anova`, a table from ``statsmodels.stats.anova.anova_lm`` (a DataFrame
      with a ``sum_sq`` column), and `effect`, the row name of the effect.
      SS_total is the sum of the ``sum_sq`` column without an ``Intercept``
      row. That equals the total sum of squares for type I tables (the
      anova_lm default) and for balanced designs. For type II or III tables of
      unbalanced designs, pass `ss_effect` and `ss_total` instead; or
    * `ss_effect` and `ss_total`.

    statsmodels' AnovaRM tables contain no sums of squares, so eta-squared
    cannot be computed from them. `partial_eta_squared` can.

    The magnitude uses Cohen's (1988) thresholds 0.01, 0.06 and 0.14. No
    interval is computed (NaN).
    """
    if anova is not None:
        table = _anova_lm_table(anova, "eta_squared")
        effect_ss = _table_value(table, effect, "sum_sq")
        rows = [name for name in table.index if str(name) != "Intercept"]
        total_ss = float(table.loc[rows, "sum_sq"].sum())
    else:
        effect_ss, total_ss = _sums_of_squares(ss_effect, ss_total, "ss_total")
    if not 0 <= effect_ss <= total_ss or total_ss <= 0:
        raise ValueError(
            f"eta-squared needs 0 <= SS_effect <= SS_total and SS_total > 0; got "
            f"SS_effect = {effect_ss!r} and SS_total = {total_ss!r}."
        )
    estimate = effect_ss / total_ss
    return EffectSize(
        name="eta-squared",
        estimate=estimate,
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=math.nan,
        ci_method="none",
        magnitude=_magnitude(estimate, COHEN_ETA_SQUARED_THRESHOLDS),
        magnitude_source="Cohen 1988",
        n=None,
    )


def partial_eta_squared(
    anova: Any = None,
    effect: str | None = None,
    *,
    ss_effect: float | None = None,
    ss_error: float | None = None,
) -> EffectSize:
    """Compute partial eta-squared, ``SS_effect / (SS_effect + SS_error)``.

    Pass either

    * `anova` and `effect`: a table from ``statsmodels.stats.anova.anova_lm``
      (SS_error is its ``Residual`` row), or the result of
      ``statsmodels.stats.anova.AnovaRM(...).fit()``. Its table has no sums of
      squares, so the equivalent form ``F df1 / (F df1 + df2)`` is used with
      the ``F Value``, ``Num DF`` and ``Den DF`` of the effect's row; or
    * `ss_effect` and `ss_error`.

    Partial eta-squared of one effect leaves the other effects out of the
    denominator, so the values of several effects do not add up to the
    explained share. No magnitude label is given, because Cohen's eta-squared
    thresholds do not carry over to the partial form. No interval is computed.
    """
    if anova is not None:
        table = getattr(anova, "anova_table", None)
        if table is not None:
            f_value = _table_value(table, effect, "F Value")
            df_effect = _table_value(table, effect, "Num DF")
            df_error = _table_value(table, effect, "Den DF")
            estimate = f_value * df_effect / (f_value * df_effect + df_error)
        else:
            table = _anova_lm_table(anova, "partial_eta_squared")
            if "Residual" not in table.index:
                raise ValueError(
                    "partial_eta_squared needs a 'Residual' row in the anova_lm table; "
                    f"its rows are {list(table.index)}."
                )
            effect_ss = _table_value(table, effect, "sum_sq")
            estimate = effect_ss / (effect_ss + float(table.loc["Residual", "sum_sq"]))
    else:
        effect_ss, error_ss = _sums_of_squares(ss_effect, ss_error, "ss_error")
        if effect_ss + error_ss <= 0:
            raise ValueError(
                f"partial eta-squared needs SS_effect + SS_error > 0; got {effect_ss!r} and {error_ss!r}."
            )
        estimate = effect_ss / (effect_ss + error_ss)
    return EffectSize(
        name="partial eta-squared",
        estimate=float(estimate),
        ci_low=math.nan,
        ci_high=math.nan,
        confidence_level=math.nan,
        ci_method="none",
        magnitude="",
        magnitude_source="",
        n=None,
    )


def _anova_lm_table(anova: Any, caller: str) -> pd.DataFrame:
    if getattr(anova, "anova_table", None) is not None:
        raise ValueError(
            f"{caller}: an AnovaRM result has no sums of squares; pass ss_effect and "
            f"ss_total, or use partial_eta_squared."
        )
    if not isinstance(anova, pd.DataFrame) or "sum_sq" not in anova.columns:
        raise TypeError(
            f"{caller}: anova must be a statsmodels anova_lm table (a DataFrame with a "
            f"'sum_sq' column) or an AnovaRM result; got {type(anova).__name__}."
        )
    return anova


def _table_value(table: pd.DataFrame, effect: str | None, column: str) -> float:
    if effect is None or effect not in table.index:
        raise ValueError(
            f"effect must be a row of the ANOVA table, one of {list(table.index)}; got {effect!r}."
        )
    return float(table.loc[effect, column])


def _sums_of_squares(first: Any, second: Any, second_name: str) -> tuple[float, float]:
    if first is None or second is None:
        raise ValueError(
            f"pass either an ANOVA table with effect, or both ss_effect and {second_name}."
        )
    values = (float(first), float(second))
    if any(math.isnan(value) or value < 0 for value in values):
        raise ValueError(
            f"sums of squares must be nonnegative numbers; got ss_effect = {first!r} and "
            f"{second_name} = {second!r}."
        )
    return values
