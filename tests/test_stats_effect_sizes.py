"""Effect sizes of nbcompare.stats._effect_sizes, checked against independent computations.

Each check names its source or recomputes the value a second way: arithmetic
written out in the test, brute-force pair counting, or a simulation.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._effect_sizes import (
    CLIFF_DELTA_THRESHOLDS,
    EffectSize,
    _cliffs_delta_and_variance,
    _magnitude,
    cliffs_delta,
    cohens_dav,
    cohens_dz,
    eta_squared,
    hedges_correction,
    hedges_g,
    kendalls_w,
    matched_pairs_rank_biserial,
    partial_eta_squared,
    probability_of_improvement,
    rank_biserial,
)
from nbcompare.stats._signed_rank import rank_biserial as rank_biserial_from_sums
from nbcompare.stats._signed_rank import signed_rank_sums

# R's `sleep` data set: extra hours of sleep of 10 patients under two drugs.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# R documentation of wilcox.test (Hollander & Wolfe): depression scores before
# (x) and after (y) a tranquilizer.
DEPRESSION_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

# R documentation of friedman.test (Hollander & Wolfe): RoundingTimes, the times
# of 22 players rounding first base with three methods.
ROUNDING_TIMES = np.array([
    [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
    [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
    [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
    [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
    [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
    [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
])


# Cohen's d_z.


def test_cohens_dz_sleep_by_hand():
    # Differences group 1 - group 2: -1.2 -2.4 -1.3 -1.3 0 -1.0 -1.8 -0.8 -4.6 -1.4,
    # mean -1.58. Squared deviations from the mean sum to 13.616, so
    # sd = sqrt(13.616 / 9) and d_z = -1.58 / sd = -1.2845.
    result = cohens_dz(SLEEP_1, SLEEP_2)
    assert result.estimate == pytest.approx(-1.58 / math.sqrt(13.616 / 9), rel=1e-12)
    assert result.magnitude == "large"
    assert result.magnitude_source == "Cohen 1988"
    assert result.ci_method == "noncentral t inversion"


def test_cohens_dz_interval_is_noncentral_t_quantile():
    # The bounds lambda of t = d_z sqrt(n) satisfy nct.cdf(t, n-1, lambda) = 0.975
    # (lower) and 0.025 (upper).
    result = cohens_dz(SLEEP_1, SLEEP_2)
    t = result.estimate * math.sqrt(10)
    assert stats.nct.cdf(t, 9, result.ci_low * math.sqrt(10)) == pytest.approx(0.975, abs=1e-9)
    assert stats.nct.cdf(t, 9, result.ci_high * math.sqrt(10)) == pytest.approx(0.025, abs=1e-9)


def test_cohens_dz_interval_large_sample_approximation():
    # For large n the interval approaches d ± z sqrt(1/n + d**2 / (2n))
    # (normal approximation of the noncentral t).
    rng = np.random.default_rng(5)
    d = rng.normal(0.5, 1.0, size=4000)
    result = cohens_dz(d, np.zeros_like(d))
    half = 1.959964 * math.sqrt(1 / 4000 + result.estimate**2 / 8000)
    assert result.ci_low == pytest.approx(result.estimate - half, abs=2e-3)
    assert result.ci_high == pytest.approx(result.estimate + half, abs=2e-3)


def test_cohens_dz_interval_coverage_simulation():
    # 400 samples of 8 normal differences with true d_z = 0.6: the 95% interval
    # should cover 0.6 about 95% of the time (binomial sd 1.1%, bounds ±4 sd).
    rng = np.random.default_rng(2024)
    covered = 0
    for _ in range(400):
        d = rng.normal(0.6, 1.0, size=8)
        result = cohens_dz(d, np.zeros(8))
        covered += result.ci_low <= 0.6 <= result.ci_high
    assert 0.906 <= covered / 400 <= 0.994


def test_cohens_dz_extreme_t_gives_nan_interval():
    # Differences -1, -1, -1 + 5.5e-9 give t of about -5e8 with 2 df, where
    # scipy's nct.cdf has no usable values (a case found by hypothesis).
    with pytest.warns(DegenerateDataWarning, match="could not be computed"):
        result = cohens_dz([0.0, 0.0, 5.483686393858989e-09], [1.0, 1.0, 1.0])
    assert result.estimate < -1e8
    assert math.isnan(result.ci_low)
    assert math.isnan(result.ci_high)


def test_cohens_dz_constant_differences_warn():
    with pytest.warns(DegenerateDataWarning, match="standard deviation is 0"):
        result = cohens_dz([1, 2, 3], [0, 1, 2])
    assert math.isnan(result.estimate)


# Cohen's d_av and Hedges' g.


def test_cohens_dav_sleep_by_hand():
    # Lakens (2013): d_av = mean difference / ((sd_1 + sd_2) / 2).
    sd_1 = np.std(SLEEP_1, ddof=1)
    sd_2 = np.std(SLEEP_2, ddof=1)
    result = cohens_dav(SLEEP_1, SLEEP_2, n_resamples=999, rng=0)
    assert result.estimate == pytest.approx(-1.58 / ((sd_1 + sd_2) / 2), rel=1e-12)
    assert result.ci_low <= result.estimate <= result.ci_high


def test_cohens_dav_same_seed_same_interval():
    first = cohens_dav(SLEEP_1, SLEEP_2, n_resamples=999, rng=42)
    second = cohens_dav(SLEEP_1, SLEEP_2, n_resamples=999, rng=42)
    assert (first.ci_low, first.ci_high) == (second.ci_low, second.ci_high)


def test_hedges_correction_exact_and_approximate():
    # Hedges (1981): J = 1 - 3 / (4 df - 1) approximates the gamma form.
    for df in (6, 10, 18, 50):
        assert hedges_correction(df) == pytest.approx(1 - 3 / (4 * df - 1), abs=1e-3)
    # Gamma form at df = 2: Gamma(1) / (1 * Gamma(1/2)) = 1 / sqrt(pi).
    assert hedges_correction(2) == pytest.approx(1 / math.sqrt(math.pi), rel=1e-12)


def test_hedges_g_sleep_by_hand():
    # d_s = (mean_1 - mean_2) / s_p with s_p**2 = (9 var_1 + 9 var_2) / 18 and
    # g = J(18) d_s. The t of the pooled t-test equals d_s / sqrt(1/10 + 1/10).
    var_1 = np.var(SLEEP_1, ddof=1)
    var_2 = np.var(SLEEP_2, ddof=1)
    d_s = -1.58 / math.sqrt((var_1 + var_2) / 2)
    pooled_t = stats.ttest_ind(SLEEP_1, SLEEP_2).statistic
    assert d_s == pytest.approx(pooled_t * math.sqrt(0.2), rel=1e-12)
    result = hedges_g(SLEEP_1, SLEEP_2)
    assert result.estimate == pytest.approx(hedges_correction(18) * d_s, rel=1e-12)
    assert result.ci_low < result.estimate < result.ci_high


def test_hedges_g_paired_is_corrected_dz():
    dz = cohens_dz(SLEEP_1, SLEEP_2)
    gz = hedges_g(SLEEP_1, SLEEP_2, paired=True)
    assert gz.estimate == pytest.approx(hedges_correction(9) * dz.estimate, rel=1e-12)
    assert gz.ci_low == pytest.approx(hedges_correction(9) * dz.ci_low, rel=1e-9)
    assert gz.name == "Hedges' g_z"


# Cliff's delta.


def brute_force_delta(a, b):
    return sum(np.sign(x - y) for x in a for y in b) / (len(a) * len(b))


def test_cliffs_delta_by_pair_counting():
    # Sleep: 24 pairs with group 1 > group 2, 73 with group 1 < group 2, 3 ties,
    # so delta = (24 - 73) / 100 = -0.49.
    wins = sum(x > y for x in SLEEP_1 for y in SLEEP_2)
    losses = sum(x < y for x in SLEEP_1 for y in SLEEP_2)
    assert (wins, losses) == (24, 73)
    result = cliffs_delta(SLEEP_1, SLEEP_2)
    assert result.estimate == pytest.approx(brute_force_delta(SLEEP_1, SLEEP_2), abs=1e-12)
    assert result.estimate == pytest.approx(-0.49, abs=1e-12)
    assert result.magnitude == "large"
    assert result.magnitude_source == "Romano et al. 2006"


@pytest.mark.parametrize(
    ("below_a", "label"), [(5, "negligible"), (6, "small"), (7, "medium"), (8, "large")]
)
def test_cliffs_delta_magnitude_labels(below_a, label):
    # a = ten 1.0 values; b has `below_a` values 0.0 and the rest 2.0, so
    # delta = (10 below_a - 10 (10 - below_a)) / 100 = 0, 0.2, 0.4 or 0.6.
    # Romano et al. (2006): |delta| < 0.147 negligible, < 0.33 small, < 0.474 medium.
    b = [0.0] * below_a + [2.0] * (10 - below_a)
    result = cliffs_delta([1.0] * 10, b)
    assert result.estimate == pytest.approx((2 * below_a - 10) / 10)
    assert result.magnitude == label


def test_cliffs_delta_threshold_edges():
    cases = {0.146: "negligible", 0.147: "small", 0.329: "small", 0.33: "medium", 0.474: "large"}
    for value, label in cases.items():
        assert _magnitude(value, CLIFF_DELTA_THRESHOLDS) == label
        assert _magnitude(-value, CLIFF_DELTA_THRESHOLDS) == label


def brute_force_cliff_variance(a, b):
    """Cliff's (1993) unbiased variance estimate from the full dominance matrix."""
    d = np.sign(np.subtract.outer(np.asarray(a, float), np.asarray(b, float)))
    m, n = d.shape
    delta = d.mean()
    rows = d.mean(axis=1)
    columns = d.mean(axis=0)
    numerator = (
        n**2 * np.sum((rows - delta) ** 2)
        + m**2 * np.sum((columns - delta) ** 2)
        - np.sum((d - delta) ** 2)
    )
    return numerator / (m * n * (m - 1) * (n - 1))


def test_cliff_variance_matches_dominance_matrix():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 5, size=9).astype(float)
    b = rng.integers(0, 5, size=7).astype(float)
    delta, variance = _cliffs_delta_and_variance(a, b)
    assert variance == pytest.approx(brute_force_cliff_variance(a, b), rel=1e-12)


def test_cliff_variance_is_unbiased_by_simulation():
    # The mean of the variance estimate over 4000 samples should match the
    # observed variance of delta (Monte Carlo error about 3%, tolerance 10%).
    rng = np.random.default_rng(7)
    deltas, variances = [], []
    for _ in range(4000):
        a = rng.normal(0.5, 1.0, size=8)
        b = rng.normal(0.0, 1.0, size=6)
        delta, variance = _cliffs_delta_and_variance(a, b)
        deltas.append(delta)
        variances.append(variance)
    assert np.mean(variances) == pytest.approx(np.var(deltas), rel=0.10)


def test_cliffs_delta_interval_coverage_simulation():
    # True delta for N(0.5, 1) against N(0, 1): 2 Phi(0.5 / sqrt 2) - 1.
    true_delta = 2 * stats.norm.cdf(0.5 / math.sqrt(2)) - 1
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(1000):
        result = cliffs_delta(rng.normal(0.5, 1.0, size=12), rng.normal(0.0, 1.0, size=12))
        covered += result.ci_low <= true_delta <= result.ci_high
    # Binomial sd 0.7%: accept 92% to 98%.
    assert 0.92 <= covered / 1000 <= 0.98


def test_cliffs_delta_separated_samples_warn():
    with pytest.warns(DegenerateDataWarning, match="entirely above"):
        result = cliffs_delta([5, 6, 7], [1, 2, 3])
    assert result.estimate == 1
    assert math.isnan(result.ci_low)


# Rank-biserial correlation.


def test_rank_biserial_depression_by_hand():
    # Differences x - y ranked by absolute value: the negative ones have ranks
    # 2 (-0.08) and 3 (-0.147), so R- = 5 and R+ = 45 - 5 = 40.
    # Kerby (2014): r = (40 - 5) / 45 = 7/9.
    result = rank_biserial(DEPRESSION_X, DEPRESSION_Y, n_resamples=999, rng=0)
    assert result.estimate == pytest.approx(7 / 9, rel=1e-12)
    assert result.magnitude == ""


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
def test_vectorized_rank_biserial_matches_signed_rank(zero_method):
    rng = np.random.default_rng(4)
    batch = rng.integers(-3, 4, size=(50, 12)).astype(float)
    vectorized = matched_pairs_rank_biserial(batch, zero_method)
    for row, value in zip(batch, vectorized):
        expected = rank_biserial_from_sums(*signed_rank_sums(row, zero_method))
        if math.isnan(expected):
            assert math.isnan(value)
        else:
            assert value == pytest.approx(expected, rel=1e-12)


def test_rank_biserial_same_seed_same_interval():
    first = rank_biserial(DEPRESSION_X, DEPRESSION_Y, n_resamples=999, rng=3)
    second = rank_biserial(DEPRESSION_X, DEPRESSION_Y, n_resamples=999, rng=np.random.default_rng(3))
    assert (first.ci_low, first.ci_high) == (second.ci_low, second.ci_high)


def test_rank_biserial_independent_equals_cliffs_delta():
    result = rank_biserial(SLEEP_1, SLEEP_2, paired=False, n_resamples=999, rng=0)
    assert result.estimate == pytest.approx(cliffs_delta(SLEEP_1, SLEEP_2).estimate)
    # Glass: r = 2 U / (n_a n_b) - 1 with U = 24 + 3 / 2 = 25.5 from pair counting.
    assert result.estimate == pytest.approx(2 * 25.5 / 100 - 1)


def test_rank_biserial_one_sided_data_warns_zero_width():
    with pytest.warns(DegenerateDataWarning, match="zero width"):
        result = rank_biserial(SLEEP_2, SLEEP_1, n_resamples=999, rng=0)
    assert result.estimate == 1


# Probability of improvement.


def test_probability_of_improvement_paired_by_counting():
    # Sleep, group 1 against group 2: 0 pairs better, 1 tie, 9 worse -> 0.5 / 10.
    result = probability_of_improvement(SLEEP_1, SLEEP_2, n_resamples=999, rng=0)
    assert result.estimate == pytest.approx(0.05)
    assert result.ci_low <= result.estimate <= result.ci_high


def test_probability_of_superiority_independent():
    # Vargha & Delaney's A = U / (n_a n_b) = 25.5 / 100.
    result = probability_of_improvement(SLEEP_1, SLEEP_2, paired=False)
    assert result.estimate == pytest.approx(0.255)
    delta = cliffs_delta(SLEEP_1, SLEEP_2)
    assert result.ci_low == pytest.approx((1 + delta.ci_low) / 2)
    assert result.magnitude == "large"
    assert result.magnitude_source == "Vargha & Delaney 2000"


# Orientation: positive always means a is better.

DIRECTIONAL = [
    lambda a, b, **kw: cohens_dz(a, b, **kw),
    lambda a, b, **kw: cohens_dav(a, b, n_resamples=199, rng=0, **kw),
    lambda a, b, **kw: hedges_g(a, b, **kw),
    lambda a, b, **kw: hedges_g(a, b, paired=True, **kw),
    lambda a, b, **kw: cliffs_delta(a, b, **kw),
    lambda a, b, **kw: rank_biserial(a, b, n_resamples=199, rng=0, **kw),
    lambda a, b, **kw: rank_biserial(a, b, paired=False, n_resamples=199, rng=0, **kw),
]

# Validation loss of two models over 8 seeds: model a has the lower loss.
LOSS_A = [0.31, 0.29, 0.35, 0.30, 0.28, 0.33, 0.36, 0.27]
LOSS_B = [0.34, 0.33, 0.34, 0.36, 0.31, 0.35, 0.37, 0.32]


@pytest.mark.parametrize("effect", DIRECTIONAL)
def test_lower_is_better_favours_lower_candidate(effect):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        assert effect(LOSS_A, LOSS_B, higher_is_better=False).estimate > 0
        assert effect(LOSS_A, LOSS_B, higher_is_better=True).estimate < 0


@pytest.mark.parametrize("effect", DIRECTIONAL)
def test_swap_flips_sign(effect):
    forward = effect(DEPRESSION_X, DEPRESSION_Y).estimate
    backward = effect(DEPRESSION_Y, DEPRESSION_X).estimate
    assert backward == pytest.approx(-forward, abs=1e-12)


def test_probability_of_improvement_lower_is_better():
    result = probability_of_improvement(LOSS_A, LOSS_B, higher_is_better=False, n_resamples=199, rng=0)
    # Model a has the lower loss on 7 of 8 seeds.
    assert result.estimate == pytest.approx(7 / 8)


finite = st.floats(min_value=-50, max_value=50, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=3, max_size=12))
def test_dz_interval_brackets_estimate(pairs):
    a = [pair[0] for pair in pairs]
    b = [pair[1] for pair in pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        for result in (cohens_dz(a, b), hedges_g(a, b, paired=True)):
            if not math.isnan(result.ci_low):
                assert result.ci_low <= result.estimate <= result.ci_high


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=2, max_size=10), st.lists(finite, min_size=2, max_size=10))
def test_independent_intervals_bracket_estimate(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        for result in (cliffs_delta(a, b), hedges_g(a, b), probability_of_improvement(a, b, paired=False)):
            if not math.isnan(result.ci_low):
                assert result.ci_low <= result.estimate <= result.ci_high
        delta = cliffs_delta(a, b)
        assert -1 <= delta.estimate <= 1
        assert delta.estimate == pytest.approx(brute_force_delta(a, b), abs=1e-12)


# Kendall's W.


def kendall_w_by_formula(matrix):
    """Kendall's W with tie correction: 12 S / (n**2 (k**3 - k) - n sum(t**3 - t))."""
    n, k = matrix.shape
    ranks = np.apply_along_axis(stats.rankdata, 1, matrix)
    column_sums = ranks.sum(axis=0)
    s = np.sum((column_sums - n * (k + 1) / 2) ** 2)
    ties = 0.0
    for row in matrix:
        _, counts = np.unique(row, return_counts=True)
        ties += np.sum(counts**3 - counts)
    return 12 * s / (n**2 * (k**3 - k) - n * ties)


def test_kendalls_w_rounding_times():
    # R help of friedman.test: Friedman chi-squared = 11.143, df = 2 on
    # RoundingTimes, so W = 11.143 / (22 * 2) = 0.2533. The test also computes W
    # from the rank sums with Kendall's tie correction.
    result = kendalls_w(ROUNDING_TIMES)
    assert result.estimate == pytest.approx(kendall_w_by_formula(ROUNDING_TIMES), rel=1e-12)
    assert result.estimate * 44 == pytest.approx(11.143, abs=5e-4)
    assert result.n == 22


def test_kendalls_w_perfect_agreement():
    matrix = np.array([[1, 2, 3], [4, 5, 6], [0.1, 0.2, 0.3]])
    assert kendalls_w(matrix).estimate == pytest.approx(1.0)


def test_kendalls_w_rejects_incomplete_blocks():
    with pytest.raises(ValueError, match="complete blocks"):
        kendalls_w([[1, 2], [np.nan, 1]])


# Eta-squared.


def one_way_frame():
    return pd.DataFrame(
        {
            "score": [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 5.0, 6.0, 9.0],
            "group": ["a", "a", "a", "b", "b", "b", "c", "c", "c"],
        }
    )


def test_eta_squared_from_anova_lm():
    # Group means 4, 7, 6.667, grand mean 53 / 9. By hand:
    # SS_between = 3 (4 - 53/9)**2 + 3 (7 - 53/9)**2 + 3 (20/3 - 53/9)**2,
    # SS_total = sum (x - 53/9)**2.
    from statsmodels.formula.api import ols
    from statsmodels.stats.anova import anova_lm

    frame = one_way_frame()
    table = anova_lm(ols("score ~ C(group)", data=frame).fit())
    grand = 53 / 9
    between = 3 * (4 - grand) ** 2 + 3 * (7 - grand) ** 2 + 3 * (20 / 3 - grand) ** 2
    total = float(np.sum((frame["score"] - grand) ** 2))
    result = eta_squared(table, "C(group)")
    assert result.estimate == pytest.approx(between / total, rel=1e-10)
    assert result.magnitude == "large"
    same = eta_squared(ss_effect=between, ss_total=total)
    assert same.estimate == pytest.approx(result.estimate)
    # In a one-way design partial eta-squared equals eta-squared.
    assert partial_eta_squared(table, "C(group)").estimate == pytest.approx(between / total)


def test_partial_eta_squared_from_anova_rm():
    # One-way repeated measures, 4 subjects x 3 conditions. By hand:
    # partial eta**2 = SS_cond / (SS_cond + SS_error), where SS_error is the
    # residual after subject and condition means.
    from statsmodels.stats.anova import AnovaRM

    scores = np.array([[3.0, 5.0, 6.0], [2.0, 4.0, 7.0], [4.0, 4.0, 8.0], [3.0, 6.0, 6.0]])
    frame = pd.DataFrame(
        {
            "subject": np.repeat(np.arange(4), 3),
            "condition": np.tile(["x", "y", "z"], 4),
            "score": scores.ravel(),
        }
    )
    grand = scores.mean()
    ss_condition = 4 * np.sum((scores.mean(axis=0) - grand) ** 2)
    residual = scores - scores.mean(axis=1, keepdims=True) - scores.mean(axis=0) + grand
    ss_error = np.sum(residual**2)
    fitted = AnovaRM(frame, "score", "subject", within=["condition"]).fit()
    result = partial_eta_squared(fitted, "condition")
    assert result.estimate == pytest.approx(ss_condition / (ss_condition + ss_error), rel=1e-10)
    with pytest.raises(ValueError, match="AnovaRM result has no sums of squares"):
        eta_squared(fitted, "condition")


def test_eta_squared_errors():
    with pytest.raises(ValueError, match="pass either an ANOVA table"):
        eta_squared(ss_effect=1.0)
    with pytest.raises(ValueError, match="SS_effect <= SS_total"):
        eta_squared(ss_effect=5.0, ss_total=2.0)


# Result type and validation.


def test_effect_size_rendering():
    result = cohens_dz(SLEEP_1, SLEEP_2)
    assert isinstance(result, EffectSize)
    text = str(result)
    assert text.startswith("Cohen's d_z = -1.285, 95% CI [")
    assert "positive means a is better" in text
    frame = result.to_frame()
    assert frame.shape[0] == 1
    assert frame.loc[0, "estimate"] == result.estimate
    assert "Cohen&#x27;s d_z" in result._repr_html_() or "Cohen's d_z" in result._repr_html_()


def test_effect_size_nan_policies():
    a = [1.0, 2.0, np.nan, 4.0]
    b = [0.5, 1.0, 2.0, 3.9]
    assert math.isnan(cohens_dz(a, b).estimate)
    assert cohens_dz(a, b, nan_policy="omit").n == 3
    with pytest.raises(ValueError, match="nan_policy='omit'"):
        cohens_dz(a, b, nan_policy="raise")


def test_effect_size_argument_errors():
    with pytest.raises(TypeError, match="higher_is_better must be True or False; got 'yes'"):
        cohens_dz([1, 2, 3], [0, 1, 1], higher_is_better="yes")
    with pytest.raises(TypeError, match="n_resamples must be a positive integer"):
        rank_biserial([1, 2, 3], [0, 1, 1], n_resamples=1.5)
