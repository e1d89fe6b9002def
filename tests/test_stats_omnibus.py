"""Omnibus tests against published values and independent computations.

Each reference value names its source and the tolerance used. Published values
printed with 3 to 5 significant digits are compared at half a unit of the last
printed digit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats
from statsmodels.stats.oneway import anova_oneway

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._omnibus import (
    OmnibusResult,
    friedman,
    iman_davenport,
    iman_davenport_f,
    kruskal_wallis,
    one_way_anova,
    rm_anova,
    welch_anova,
)

# R documentation of friedman.test (Hollander & Wolfe 1973, p. 140): RoundingTimes,
# the times of 22 players rounding first base by the round-out, narrow-angle and
# wide-angle methods. R prints: Friedman chi-squared = 11.143, df = 2, p-value = 0.003805.
ROUNDING_TIMES = np.array([
    [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
    [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
    [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
    [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
    [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
    [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
])
ROUNDING_METHODS = ["Round Out", "Narrow Angle", "Wide Angle"]

# R's airquality data set (New York, May to September 1973): the 116 non-missing
# daily ozone readings (ppb) by month, in day order. Copied from two CSV exports
# of the data set that agree. R's kruskal.test(Ozone ~ Month, data = airquality)
# prints: Kruskal-Wallis chi-squared = 29.267, df = 4, p-value = 6.901e-06.
OZONE_BY_MONTH = {
    "May": [41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11,
            4, 32, 23, 45, 115, 37],
    "June": [29, 71, 39, 23, 21, 37, 20, 12, 13],
    "July": [135, 49, 32, 64, 40, 77, 97, 97, 85, 10, 27, 7, 48, 35, 61, 79, 63, 16, 80,
             108, 20, 52, 82, 50, 64, 59],
    "August": [39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9,
               45, 168, 73, 76, 118, 84, 85],
    "September": [96, 78, 73, 91, 47, 32, 20, 23, 21, 24, 44, 21, 28, 9, 13, 46, 18, 13, 24,
                  16, 13, 23, 36, 7, 14, 30, 14, 18, 20],
}

# R documentation of kruskal.test (Hollander & Wolfe 1973, p. 116): mucociliary
# efficiency of normal subjects (x), subjects with obstructive airway disease (y)
# and with asbestosis (z). R prints: Kruskal-Wallis chi-squared = 0.77143, df = 2,
# p-value = 0.68.
MUCOCILIARY = {
    "normal": [2.9, 3.0, 2.5, 2.6, 3.2],
    "obstructive": [3.8, 2.7, 4.0, 2.4],
    "asbestosis": [2.8, 3.4, 3.7, 2.2, 2.0],
}


def conover_friedman_statistic(values: np.ndarray) -> float:
    """Tie-corrected Friedman statistic in Conover's (1999) form, independent of the library.

    T1 = (k - 1) sum_j (R_j - b (k + 1) / 2)**2 / (A1 - C1), with A1 the sum of
    all squared ranks and C1 = b k (k + 1)**2 / 4.
    """
    ranks = stats.rankdata(values, axis=1)
    blocks, k = ranks.shape
    rank_sums = ranks.sum(axis=0)
    a1 = np.sum(ranks**2)
    c1 = blocks * k * (k + 1) ** 2 / 4
    return (k - 1) * np.sum((rank_sums - blocks * (k + 1) / 2) ** 2) / (a1 - c1)


# ---------------------------------------------------------------- Friedman


def test_friedman_rounding_times_matches_r():
    result = friedman(ROUNDING_TIMES, candidates=ROUNDING_METHODS)

    assert result.statistic == pytest.approx(11.143, abs=5e-4)
    assert result.df == 2
    assert result.pvalue == pytest.approx(0.003805, abs=5e-7)
    assert result.k == 3
    assert result.n == 22
    assert result.tie_correction is True
    assert result.candidates == tuple(ROUNDING_METHODS)


def test_friedman_corrected_equals_scipy_and_conover_form():
    scipy_result = stats.friedmanchisquare(*ROUNDING_TIMES.T)
    result = friedman(ROUNDING_TIMES)

    assert result.statistic == pytest.approx(scipy_result.statistic, rel=1e-12)
    assert result.pvalue == pytest.approx(scipy_result.pvalue, rel=1e-12)
    assert result.statistic == pytest.approx(conover_friedman_statistic(ROUNDING_TIMES), rel=1e-12)


def test_friedman_uncorrected_matches_mean_rank_formula():
    # Demšar (2006), eq. of chi2_F: 12 N / (k (k + 1)) * (sum_j Rbar_j**2 - k (k + 1)**2 / 4).
    ranks = stats.rankdata(ROUNDING_TIMES, axis=1)
    blocks, k = ranks.shape
    mean_ranks = ranks.mean(axis=0)
    expected = 12 * blocks / (k * (k + 1)) * (np.sum(mean_ranks**2) - k * (k + 1) ** 2 / 4)

    result = friedman(ROUNDING_TIMES, tie_correction=False)

    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.pvalue == pytest.approx(stats.chi2.sf(expected, k - 1), rel=1e-12)
    assert result.tie_correction is False
    # RoundingTimes has ties, so the correction raises the statistic.
    assert result.statistic < friedman(ROUNDING_TIMES).statistic


@settings(max_examples=40, deadline=None)
@given(arrays(np.int8, st.tuples(st.integers(2, 8), st.integers(3, 6)), elements=st.integers(0, 3)))
def test_friedman_equals_scipy_on_tied_data(values):
    values = values.astype(float)
    ranks = stats.rankdata(values, axis=1)
    if np.all(ranks == ranks[:, :1]):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = stats.friedmanchisquare(*values.T)

    result = friedman(values)

    assert result.statistic == pytest.approx(expected.statistic, rel=1e-9, abs=1e-12)
    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-15)
    assert result.statistic == pytest.approx(conover_friedman_statistic(values), rel=1e-9, abs=1e-12)


def test_friedman_kendalls_w():
    result = friedman(ROUNDING_TIMES)

    assert result.effect_size_name == "Kendall's W"
    assert result.effect_size == pytest.approx(result.statistic / (22 * 2), rel=1e-12)


def test_friedman_identical_rankings_give_w_one():
    values = np.tile([0.9, 0.8, 0.7, 0.6], (10, 1)) + np.arange(10)[:, None]

    result = friedman(values)

    assert result.statistic == pytest.approx(10 * 3, rel=1e-12)
    assert result.effect_size == pytest.approx(1.0, rel=1e-12)


def test_friedman_fully_tied_blocks_warn_and_return_nan():
    values = np.tile([[1.0], [2.0], [3.0]], (1, 4))

    with pytest.warns(DegenerateDataWarning, match="fully tied"):
        result = friedman(values)

    assert np.isnan(result.statistic)
    assert np.isnan(result.pvalue)
    uncorrected = friedman(values, tie_correction=False)
    assert uncorrected.statistic == 0.0
    assert uncorrected.pvalue == 1.0


def test_friedman_dataframe_columns_name_candidates():
    frame = pd.DataFrame(ROUNDING_TIMES, columns=ROUNDING_METHODS)

    result = friedman(frame, candidates=["Wide Angle", "Round Out"])

    assert result.candidates == ("Wide Angle", "Round Out")
    assert result.k == 2
    expected = friedman(ROUNDING_TIMES[:, [2, 0]])
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)


# ---------------------------------------------------------------- Iman–Davenport


def test_iman_davenport_formula_and_df():
    chi2 = stats.friedmanchisquare(*ROUNDING_TIMES.T).statistic
    blocks, k = ROUNDING_TIMES.shape
    expected = (blocks - 1) * chi2 / (blocks * (k - 1) - chi2)

    result = iman_davenport(ROUNDING_TIMES)

    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.df == (2.0, 42.0)
    assert result.pvalue == pytest.approx(stats.f.sf(expected, 2, 42), rel=1e-12)


def test_iman_davenport_demsar_worked_example():
    # Demšar (2006), section 3.2.2, four classifiers on N = 14 data sets:
    # chi2_F = 9.28 gives F_F = 3.69 with (3, 39) degrees of freedom. These two
    # numbers are recalled from the paper and agree with the formula to the
    # printed precision: 13 * 9.28 / (42 - 9.28) = 3.687.
    assert iman_davenport_f(9.28, 14, 4) == pytest.approx(3.69, abs=5e-3)


def test_iman_davenport_identical_rankings_give_infinite_f():
    values = np.tile([3.0, 2.0, 1.0], (6, 1)) + np.arange(6)[:, None]

    result = iman_davenport(values)

    assert result.statistic == np.inf
    assert result.pvalue == 0.0
    assert result.effect_size == pytest.approx(1.0)


# ---------------------------------------------------------------- repeated-measures ANOVA


def test_rm_anova_matches_sums_of_squares():
    values = ROUNDING_TIMES
    blocks, k = values.shape
    grand = values.mean()
    ss_candidate = blocks * np.sum((values.mean(axis=0) - grand) ** 2)
    ss_block = k * np.sum((values.mean(axis=1) - grand) ** 2)
    ss_error = np.sum((values - grand) ** 2) - ss_candidate - ss_block
    df1, df2 = k - 1, (k - 1) * (blocks - 1)
    f_value = (ss_candidate / df1) / (ss_error / df2)

    result = rm_anova(values)

    assert result.statistic == pytest.approx(f_value, rel=1e-9)
    assert result.df == (2.0, 42.0)
    assert result.pvalue == pytest.approx(stats.f.sf(f_value, df1, df2), rel=1e-9)
    assert result.effect_size == pytest.approx(ss_candidate / (ss_candidate + ss_error), rel=1e-9)
    assert result.effect_size_name == "partial eta-squared"



# A 4 x 3 table with integer values, whose decomposition can be checked by hand:
# grand mean 11/3, block means 3, 3, 5, 11/3, candidate means 2, 3, 6. Derived by
# hand: SS_candidate = 4 (25/9 + 4/9 + 49/9) = 104/3, SS_block = 3 (4/9 + 4/9 + 16/9)
# = 8, SS_total = 134/3, SS_error = 134/3 - 104/3 - 8 = 2, so
# F = (104/3 / 2) / (2 / 6) = 52 with (2, 6) df. For 2 numerator df the F upper
# tail has the closed form (1 + 2F/d)^(-d/2), so p = (1 + 52/3)^(-3) = (3/55)^3.
HAND_TABLE = np.array([[1.0, 3.0, 5.0], [2.0, 2.0, 5.0], [3.0, 4.0, 8.0], [2.0, 3.0, 6.0]])


def test_rm_anova_hand_derived_table():
    result = rm_anova(HAND_TABLE)

    assert result.statistic == pytest.approx(52.0, rel=1e-13)
    assert result.df == (2.0, 6.0)
    assert result.pvalue == pytest.approx((3 / 55) ** 3, rel=1e-12)
    assert result.effect_size == pytest.approx(52 / 55, rel=1e-13)


def _anova_rm_table(values: np.ndarray) -> pd.Series:
    from statsmodels.stats.anova import AnovaRM

    blocks, k = values.shape
    long = pd.DataFrame({
        "block": np.repeat(np.arange(blocks), k),
        "candidate": np.tile(np.arange(k), blocks),
        "value": values.ravel(),
    })
    fitted = AnovaRM(long, depvar="value", subject="block", within=["candidate"]).fit()
    return fitted.anova_table.loc["candidate"]


@st.composite
def balanced_tables(draw):
    """Blocks x candidates tables, some with ties (small integers) and constant blocks."""
    blocks = draw(st.integers(2, 12))
    k = draw(st.integers(2, 6))
    if draw(st.booleans()):
        elements = st.integers(0, 4).map(float)
    else:
        # Nonzero magnitudes from 1e-3 keep the squares far from underflow, where
        # AnovaRM loses precision: it gives F = 1.00014 for [[5e-160, 0], [0, 0]],
        # whose F is exactly 1.
        elements = st.one_of(st.just(0.0), st.floats(1e-3, 1e3), st.floats(-1e3, -1e-3))
    values = draw(arrays(np.float64, (blocks, k), elements=elements))
    constant_blocks = draw(arrays(np.bool_, blocks))
    values[constant_blocks] = values[constant_blocks, :1]
    return values


@settings(max_examples=150, deadline=None)
@given(balanced_tables())
def test_rm_anova_matches_statsmodels_anova_rm(values):
    blocks = values.shape[0]
    total = np.sum((values - values.mean()) ** 2)
    residuals = values - values.mean(axis=1, keepdims=True) - values.mean(axis=0) + values.mean()
    ss_candidate = blocks * np.sum((values.mean(axis=0) - values.mean()) ** 2)
    # AnovaRM's sums of squares carry rounding errors of about eps times the total
    # sum of squares. Tables whose residual sum of squares is below 1e-4 of the
    # total are left out, because there AnovaRM's F can be off by more than 1e-10
    # relative (for [[0, 2**-8], [0, 0], [512, 512] x 3] it gives F = 1 + 1.1e-10).
    assume(total > 1e-12 * np.sum(values**2))
    assume(np.sum(residuals**2) > 1e-4 * total)

    reference = _anova_rm_table(values)
    result = rm_anova(values)

    assert result.df == (reference["Num DF"], reference["Den DF"])
    if abs(reference["F Value"]) < 1e-12:
        # Equal candidate means: AnovaRM's F is rounding noise such as 1e-16,
        # which moves its p-value below 1 by about 1e-8, and ours is exactly 0.
        assert result.statistic == 0.0
        assert result.pvalue == 1.0
    else:
        # The same limit on AnovaRM's rounding errors applies to the candidates' SS.
        assume(ss_candidate > 1e-4 * total)
        assert result.statistic == pytest.approx(reference["F Value"], rel=1e-10)
        assert result.pvalue == pytest.approx(reference["Pr > F"], rel=1e-10)


def test_rm_anova_additive_table_gives_infinite_f():
    # Block effect plus candidate effect and no interaction: SS_error is 0 and
    # SS_candidate is not. AnovaRM (statsmodels 0.15.0) returns F = 6.5e29 and
    # p = 9.7e-89 here, from rounding errors.
    values = np.add.outer([0.1, 0.7, 0.3, 1.9], [0.2, 0.5, 0.45])

    with pytest.warns(DegenerateDataWarning, match="residual sum of squares"):
        result = rm_anova(values)

    assert result.statistic == np.inf
    assert result.pvalue == 0.0
    assert result.effect_size == 1.0


def test_rm_anova_constant_blocks_give_nan():
    # Every block gives all candidates the same value: SS_candidate and SS_error
    # are both 0. AnovaRM (statsmodels 0.15.0) returns F = 0.31 and p = 0.74 here,
    # a ratio of rounding errors.
    values = np.tile([[0.1], [0.2], [0.3], [0.4], [0.5], [0.6]], (1, 3))

    with pytest.warns(DegenerateDataWarning, match="residual sum of squares"):
        result = rm_anova(values)

    assert np.isnan(result.statistic)
    assert np.isnan(result.pvalue)
    assert np.isnan(result.effect_size)


# ---------------------------------------------------------------- independent samples


def test_kruskal_wallis_airquality_matches_r():
    result = kruskal_wallis(OZONE_BY_MONTH)

    assert sum(len(sample) for sample in OZONE_BY_MONTH.values()) == 116
    assert result.statistic == pytest.approx(29.267, abs=5e-4)
    assert result.df == 4
    assert result.pvalue == pytest.approx(6.901e-06, abs=5e-10)
    assert result.n == 116
    assert result.candidates == tuple(OZONE_BY_MONTH)


def test_kruskal_wallis_mucociliary_matches_r():
    result = kruskal_wallis(list(MUCOCILIARY.values()), candidates=list(MUCOCILIARY))

    assert result.statistic == pytest.approx(0.77143, abs=5e-6)
    assert result.df == 2
    assert result.pvalue == pytest.approx(0.68, abs=5e-3)
    k, total = 3, 14
    assert result.effect_size == pytest.approx((result.statistic - k + 1) / (total - k), rel=1e-12)


def test_one_way_anova_eta_squared_by_hand():
    samples = list(OZONE_BY_MONTH.values())
    pooled = np.concatenate(samples).astype(float)
    ss_between = sum(len(s) * (np.mean(s) - pooled.mean()) ** 2 for s in samples)
    ss_total = np.sum((pooled - pooled.mean()) ** 2)

    result = one_way_anova(samples)

    expected = stats.f_oneway(*samples)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.df == (4.0, 111.0)
    assert result.effect_size == pytest.approx(ss_between / ss_total, rel=1e-12)


def test_welch_anova_matches_scipy_and_statsmodels():
    samples = list(OZONE_BY_MONTH.values())
    statsmodels_result = anova_oneway(samples, use_var="unequal", welch_correction=True)
    scipy_result = stats.f_oneway(*samples, equal_var=False)

    result = welch_anova(samples)

    assert result.statistic == pytest.approx(statsmodels_result.statistic, rel=1e-10)
    assert result.statistic == pytest.approx(scipy_result.statistic, rel=1e-10)
    assert result.pvalue == pytest.approx(statsmodels_result.pvalue, rel=1e-9)
    assert result.df[0] == 4.0
    assert result.df[1] == pytest.approx(statsmodels_result.df_denom, rel=1e-10)


def test_welch_anova_zero_variance_warns():
    with pytest.warns(DegenerateDataWarning, match="zero variance"):
        result = welch_anova([[1.0, 1.0, 1.0], [2.0, 3.0, 4.0]])

    assert np.isnan(result.statistic)
    assert np.isnan(result.pvalue)


def test_welch_anova_rejects_single_observation():
    with pytest.raises(ValueError, match="at least 2 observations"):
        welch_anova([[1.0], [2.0, 3.0, 4.0]])


def test_kruskal_wallis_all_equal_warns():
    with pytest.warns(DegenerateDataWarning, match="All observations are equal"):
        result = kruskal_wallis([[1.0, 1.0], [1.0, 1.0, 1.0]])

    assert np.isnan(result.statistic)


# ---------------------------------------------------------------- input checks and display


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN or infinite"),
        (np.array([1.0, 2.0, 3.0]), "must be 2-D"),
        (np.array([[1.0, 2.0, 3.0]]), "at least 2 blocks"),
        (np.array([[1.0], [2.0]]), "at least 2 candidate columns"),
    ],
)
def test_friedman_invalid_values_raise(values, message):
    with pytest.raises(ValueError, match=message):
        friedman(values)


def test_friedman_candidate_count_mismatch_raises():
    with pytest.raises(ValueError, match="candidates has 2 names but values has 3"):
        friedman(ROUNDING_TIMES, candidates=["a", "b"])


def test_omnibus_frame_text_and_html():
    result = iman_davenport(ROUNDING_TIMES, candidates=ROUNDING_METHODS)

    frame = result.to_frame()
    text = str(result)
    page = result._repr_html_()

    assert isinstance(result, OmnibusResult)
    assert list(frame.columns)[:5] == ["test", "statistic", "pvalue", "df1", "df2"]
    assert frame.loc[0, "df2"] == 42.0
    assert "F(2, 42)" in text
    assert "Kendall's W" in text
    assert "<table" in page
    chi_square_frame = friedman(ROUNDING_TIMES).to_frame()
    assert np.isnan(chi_square_frame.loc[0, "df2"])
