"""Two-candidate tests of nbcompare.stats._two_sample against published values.

Each reference value names its source beside it. Values recalled from R help
pages are also recomputed here from their formula, so that a wrong recollection
fails the test instead of hiding in it.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar as statsmodels_mcnemar

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._two_sample import (
    TwoSampleTest,
    mann_whitney,
    mcnemar,
    nadeau_bengio_t,
    paired_permutation_test,
    paired_t,
    sign_test,
    welch_t,
    wilcoxon_signed_rank,
)

# R's `sleep` data set (Cushny & Peebles): extra hours of sleep of 10 patients
# under drug 1 (group 1) and drug 2 (group 2).
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# R documentation of wilcox.test, paired example (Hollander & Wolfe): Hamilton
# depression scale factor IV before (x) and after (y) a tranquilizer.
DEPRESSION_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def correctness_from_table(both: int, only_a: int, only_b: int, neither: int):
    """Build per-example correctness of models a and b from the four cell counts."""
    a = [True] * both + [True] * only_a + [False] * only_b + [False] * neither
    b = [True] * both + [False] * only_a + [True] * only_b + [False] * neither
    return np.array(a), np.array(b)


# Paired t-test.


def test_paired_t_sleep_matches_r():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) prints
    # t = -4.0621, df = 9, p-value = 0.002833,
    # 95 percent CI -2.4598858 -0.7001142, mean difference -1.58.
    result = paired_t(SLEEP_1, SLEEP_2)
    assert result.statistic == pytest.approx(-4.0621, abs=5e-5)
    assert result.df == 9
    assert result.pvalue == pytest.approx(0.002833, abs=5e-7)
    assert result.ci_low == pytest.approx(-2.4598858, abs=5e-8)
    assert result.ci_high == pytest.approx(-0.7001142, abs=5e-8)
    assert result.estimate == pytest.approx(-1.58, abs=1e-12)


def test_paired_t_statistic_by_hand():
    # Differences group 1 - group 2: -1.2 -2.4 -1.3 -1.3 0 -1.0 -1.8 -0.8 -4.6 -1.4.
    # mean = -15.8 / 10 = -1.58; t = mean / (sd / sqrt(10)).
    differences = np.array([-1.2, -2.4, -1.3, -1.3, 0.0, -1.0, -1.8, -0.8, -4.6, -1.4])
    sd = math.sqrt(np.sum((differences + 1.58) ** 2) / 9)
    result = paired_t(SLEEP_1, SLEEP_2)
    assert result.statistic == pytest.approx(-1.58 / (sd / math.sqrt(10)), rel=1e-12)
    assert result.method == "t-distribution"


def test_paired_t_one_sided_halves_p():
    two_sided = paired_t(SLEEP_1, SLEEP_2).pvalue
    less = paired_t(SLEEP_1, SLEEP_2, alternative="less")
    assert less.pvalue == pytest.approx(two_sided / 2, rel=1e-12)
    assert less.ci_low == -math.inf
    assert less.alternative == "less"


def test_paired_t_constant_differences_warn():
    with pytest.warns(DegenerateDataWarning, match="standard deviation is 0"):
        result = paired_t([1.0, 2.0, 3.0], [0.5, 1.5, 2.5])
    assert math.isnan(result.pvalue)
    assert result.estimate == pytest.approx(0.5)


# Welch t-test.


def test_welch_t_sleep_matches_r():
    # R: t.test(extra ~ group, data = sleep) prints Welch Two Sample t-test
    # t = -1.8608, df = 17.776, p-value = 0.07939,
    # 95 percent CI -3.3654832 0.2054832.
    result = welch_t(SLEEP_1, SLEEP_2)
    assert result.statistic == pytest.approx(-1.8608, abs=5e-5)
    assert result.df == pytest.approx(17.776, abs=5e-4)
    assert result.pvalue == pytest.approx(0.07939, abs=5e-6)
    assert result.ci_low == pytest.approx(-3.3654832, abs=5e-8)
    assert result.ci_high == pytest.approx(0.2054832, abs=5e-8)
    assert result.n == (10, 10)


def test_welch_df_by_hand():
    # Welch-Satterthwaite: df = (v1 + v2)**2 / (v1**2 / 9 + v2**2 / 9), v = var / n.
    v1 = np.var(SLEEP_1, ddof=1) / 10
    v2 = np.var(SLEEP_2, ddof=1) / 10
    expected = (v1 + v2) ** 2 / (v1**2 / 9 + v2**2 / 9)
    assert welch_t(SLEEP_1, SLEEP_2).df == pytest.approx(expected, rel=1e-12)


# Wilcoxon signed-rank test.


def test_wilcoxon_depression_matches_r():
    # R: wilcox.test(x, y, paired = TRUE, alternative = "greater") prints
    # V = 40, p-value = 0.01953. By hand: the differences have ranks 1..9 with
    # R- = 2 + 3 = 5, so V = R+ = 40, and P(V >= 40) = P(R- <= 5) = 10 / 512,
    # since 10 subsets of {1..9} sum to at most 5.
    result = wilcoxon_signed_rank(DEPRESSION_X, DEPRESSION_Y, alternative="greater")
    assert result.statistic == 40
    assert result.pvalue == pytest.approx(10 / 512, rel=1e-12)
    assert round(result.pvalue, 5) == 0.01953
    assert result.method == "exact"
    assert result.zero_method == "wilcox"


def test_wilcoxon_hodges_lehmann_by_brute_force():
    d = np.subtract(DEPRESSION_X, DEPRESSION_Y)
    walsh = [(d[i] + d[j]) / 2 for i in range(d.size) for j in range(i, d.size)]
    result = wilcoxon_signed_rank(DEPRESSION_X, DEPRESSION_Y)
    assert result.estimate == pytest.approx(np.median(walsh), abs=1e-12)


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
def test_wilcoxon_balanced_signs_with_zeros(zero_method):
    # Three +1 and three -1 differences and eight zeros: R+ = R- under every
    # zero method, so nothing points either way.
    a = [1, 0, 1, 0, 1, 0] + [0.5] * 8
    b = [0, 1, 0, 1, 0, 1] + [0.5] * 8
    result = wilcoxon_signed_rank(a, b, zero_method=zero_method)
    assert result.pvalue > 0.9
    assert result.zero_method == zero_method
    assert f"zero_method={zero_method!r}" in " ".join(result.notes)
    assert "8 zero difference(s)" in str(result)


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt"])
def test_wilcoxon_all_zero_is_undefined(zero_method):
    with pytest.warns(DegenerateDataWarning, match="all 4 differences"):
        result = wilcoxon_signed_rank([1, 2, 3, 4], [1, 2, 3, 4], zero_method=zero_method)
    assert math.isnan(result.pvalue)
    assert result.method == "undefined"


def test_wilcoxon_method_choice_follows_rule():
    untied = np.arange(1, 11) * (-1.0) ** np.arange(10)
    assert wilcoxon_signed_rank(untied, np.zeros(10)).method == "exact"
    tied = [1, 1, 2, 3, -1, 4, 5, 6]
    assert wilcoxon_signed_rank(tied, np.zeros(8)).method == "permutation"
    many_tied = [1, 1, 2, 3, -1, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    large = wilcoxon_signed_rank(many_tied, np.zeros(14))
    assert large.method == "asymptotic"
    assert large.correction is False
    assert "without continuity correction" in str(large)


def test_wilcoxon_exact_with_ties_raises():
    with pytest.raises(ValueError, match="method='permutation'"):
        wilcoxon_signed_rank([1, 1, 2], [0, 0, 0], method="exact")


def test_wilcoxon_permutation_matches_enumeration():
    # Brute force: enumerate all 2**8 sign patterns of the tied differences and
    # count those with R+ at least the observed one.
    d = np.array([1, 1, 2, 3, -1, 4, 5, 6], dtype=float)
    ranks = stats.rankdata(np.abs(d))
    observed = ranks[d > 0].sum()
    count = sum(
        ranks[np.array(signs) > 0].sum() >= observed - 1e-9
        for signs in itertools.product([-1, 1], repeat=d.size)
    )
    result = wilcoxon_signed_rank(d, np.zeros(d.size), alternative="greater", method="permutation")
    assert result.pvalue == pytest.approx(count / 2**8, rel=1e-12)


def test_wilcoxon_monte_carlo_repeats_with_seed():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=20), rng.normal(size=20)
    first = wilcoxon_signed_rank(a, b, method="permutation", n_resamples=999, rng=7)
    second = wilcoxon_signed_rank(a, b, method="permutation", n_resamples=999, rng=7)
    assert first.method == "monte-carlo"
    assert first.pvalue == second.pvalue


# Sign test.


def test_sign_test_depression_matches_binomial():
    # 7 of the 9 differences are positive. R: binom.test(7, 9) gives
    # p-value = 0.1797 and 95 percent CI 0.3999064 0.9718550. By hand:
    # P(X >= 7) = (36 + 9 + 1) / 512 = 46 / 512, doubled for two-sided.
    # Clopper-Pearson bounds: Beta(0.025; 7, 3) and Beta(0.975; 8, 2).
    result = sign_test(DEPRESSION_X, DEPRESSION_Y)
    assert result.statistic == 7
    assert result.pvalue == pytest.approx(92 / 512, rel=1e-12)
    assert result.ci_low == pytest.approx(stats.beta.ppf(0.025, 7, 3), rel=1e-9)
    assert result.ci_high == pytest.approx(stats.beta.ppf(0.975, 8, 2), rel=1e-9)
    assert result.ci_low == pytest.approx(0.3999064, abs=5e-7)
    assert result.ci_high == pytest.approx(0.9718550, abs=5e-7)
    greater = sign_test(DEPRESSION_X, DEPRESSION_Y, alternative="greater")
    assert greater.pvalue == pytest.approx(46 / 512, rel=1e-12)


def test_sign_test_notes_dropped_ties():
    result = sign_test([1, 2, 3, 4, 5], [0, 0, 3, 4, 9])
    assert result.statistic == 2
    assert "2 tied pair(s) (a == b) dropped; 3 pair(s) tested" in result.notes[0]
    assert result.pvalue == pytest.approx(1.0)


def test_sign_test_all_tied_warns():
    with pytest.warns(DegenerateDataWarning, match="a == b"):
        result = sign_test([1, 2], [1, 2])
    assert math.isnan(result.pvalue)


# Paired permutation test.


def test_permutation_test_matches_enumeration():
    # Brute force: all 2**9 sign flips of the differences; two-sided p is twice
    # the smaller tail (scipy's definition), capped at 1.
    d = np.subtract(DEPRESSION_X, DEPRESSION_Y)
    observed = d.mean()
    means = np.array([np.mean(d * s) for s in itertools.product([-1, 1], repeat=d.size)])
    tolerance = 1e-12
    greater = np.mean(means >= observed - tolerance)
    less = np.mean(means <= observed + tolerance)
    result = paired_permutation_test(DEPRESSION_X, DEPRESSION_Y)
    assert result.method == "permutation"
    assert result.pvalue == pytest.approx(min(1.0, 2 * min(greater, less)), rel=1e-12)
    assert paired_permutation_test(DEPRESSION_X, DEPRESSION_Y, "greater").pvalue == pytest.approx(greater)


def test_permutation_test_monte_carlo_repeats_with_seed():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    first = paired_permutation_test(a, b, n_resamples=2000, rng=11)
    second = paired_permutation_test(a, b, n_resamples=2000, rng=np.random.default_rng(11))
    assert first.method == "monte-carlo"
    assert first.pvalue == second.pvalue


# Mann-Whitney U test.


def test_mann_whitney_sleep_matches_r():
    # R: wilcox.test(extra ~ group, data = sleep) prints W = 25.5,
    # p-value = 0.06933 (normal approximation with continuity correction,
    # because of ties). Recalled from R output; the statistic is checked by
    # pair counting below.
    result = mann_whitney(SLEEP_1, SLEEP_2)
    assert result.statistic == 25.5
    assert result.pvalue == pytest.approx(0.06933, abs=5e-6)
    assert result.method == "asymptotic"
    assert result.correction is True


def test_mann_whitney_u_by_pair_counting():
    wins = sum((x > y) + 0.5 * (x == y) for x in SLEEP_1 for y in SLEEP_2)
    assert mann_whitney(SLEEP_1, SLEEP_2).statistic == wins


def test_mann_whitney_small_untied_is_exact():
    # Exact: P(U >= 12) for n = 3, 4 with U = 12 the maximum is 1 / C(7, 3).
    result = mann_whitney([5, 6, 7], [1, 2, 3, 4], alternative="greater")
    assert result.method == "exact"
    assert result.pvalue == pytest.approx(1 / 35, rel=1e-12)


def test_mann_whitney_permutation_with_ties():
    result = mann_whitney([1, 2, 2, 3], [2, 3, 4, 4], method="permutation")
    assert result.method == "permutation"
    assert 0 <= result.pvalue <= 1


# McNemar test.


def test_mcnemar_agresti_performance_table():
    # R help of mcnemar.test: Performance <- matrix(c(794, 86, 150, 570), nrow = 2)
    # (Agresti 1990, p. 350): the discordant cells are 150 and 86. By hand,
    # (|150 - 86| - 1)**2 / 236 = 3969 / 236 = 16.8178, p = P(chi2_1 > 16.8178).
    # The value 34.712 sometimes quoted for this example is not that formula
    # on this table (it equals 2 * 64**2 / 236), so it is not used.
    a, b = correctness_from_table(794, 150, 86, 570)
    result = mcnemar(a, b, method="asymptotic")
    assert result.statistic == pytest.approx(3969 / 236, rel=1e-12)
    assert result.pvalue == pytest.approx(stats.chi2.sf(3969 / 236, 1), rel=1e-12)
    assert result.df == 1
    assert result.estimate == pytest.approx(64 / 1600)


def test_mcnemar_published_r_outputs():
    # R output quoted on a tutorial page (M. Claereboudt, "McNemar"):
    # mcnemar.test(matrix(c(6, 14, 2, 5), nrow = 2)) gives
    # McNemar's chi-squared = 7.5625, df = 1, p-value = 0.00596.
    a, b = correctness_from_table(6, 14, 2, 5)
    result = mcnemar(a, b, method="asymptotic")
    assert result.statistic == pytest.approx(7.5625, abs=5e-5)
    assert result.pvalue == pytest.approx(0.00596, abs=5e-6)
    # tutoraspire.com, "How to Perform McNemar's Test in R":
    # mcnemar.test(matrix(c(30, 12, 40, 18), nrow = 2)) gives 14.019.
    a, b = correctness_from_table(30, 40, 12, 18)
    assert mcnemar(a, b, method="asymptotic").statistic == pytest.approx(14.019, abs=5e-4)


def test_mcnemar_exact_published_values():
    # calcugator.com chi2_mcnemar example: discordant 11 and 3 give the
    # two-tailed probability 0.05737304687500008 = 2 * 470 / 16384.
    a, b = correctness_from_table(1, 11, 3, 5)
    assert mcnemar(a, b).pvalue == pytest.approx(0.057373046875, rel=1e-12)
    # Minitab help "Why should I use McNemar's test?": discordant 1 and 8 give
    # p = 0.039 (= 2 * 10 / 512).
    a, b = correctness_from_table(1, 1, 8, 2)
    assert mcnemar(a, b).pvalue == pytest.approx(20 / 512, rel=1e-12)


def test_mcnemar_mid_p_fagerland_example():
    # Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, worked
    # example with discordant counts 1 and 7: exact 0.070, mid-p 0.039,
    # asymptotic (uncorrected) 0.034. These three values are recalled, and
    # recomputed here: exact = 2 * (1 + 8) / 256, mid-p = exact - 8 / 256,
    # chi2 = 6**2 / 8 = 4.5.
    a, b = correctness_from_table(10, 1, 7, 20)
    exact = mcnemar(a, b, method="exact")
    mid_p = mcnemar(a, b, method="mid-p")
    asymptotic = mcnemar(a, b, method="asymptotic", correction=False)
    assert exact.pvalue == pytest.approx(18 / 256, rel=1e-12)
    assert mid_p.pvalue == pytest.approx(10 / 256, rel=1e-12)
    assert asymptotic.pvalue == pytest.approx(stats.chi2.sf(4.5, 1), rel=1e-12)
    assert round(exact.pvalue, 3) == 0.070
    assert round(mid_p.pvalue, 3) == 0.039
    assert round(asymptotic.pvalue, 3) == 0.034
    assert mid_p.method == "mid-p"


def test_mcnemar_mid_p_one_sided_and_balanced():
    a, b = correctness_from_table(10, 1, 7, 20)
    # P(X <= 1) - P(X = 1) / 2 for X ~ Binomial(8, 1/2) = (1 + 8 / 2) / 256.
    assert mcnemar(a, b, method="mid-p", alternative="less").pvalue == pytest.approx(5 / 256)
    a, b = correctness_from_table(10, 4, 4, 20)
    assert mcnemar(a, b, method="mid-p").pvalue == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("counts", [(794, 150, 86, 570), (6, 14, 2, 5), (10, 1, 7, 20)])
@pytest.mark.parametrize("correction", [True, False])
def test_mcnemar_matches_statsmodels(counts, correction):
    both, only_a, only_b, neither = counts
    table = [[both, only_a], [only_b, neither]]
    a, b = correctness_from_table(*counts)
    expected = statsmodels_mcnemar(table, exact=False, correction=correction)
    result = mcnemar(a, b, method="asymptotic", correction=correction)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-12)
    exact = statsmodels_mcnemar(table, exact=True)
    assert mcnemar(a, b).pvalue == pytest.approx(exact.pvalue, rel=1e-12)


def test_mcnemar_equal_discordant_gives_p_one():
    a, b = correctness_from_table(10, 5, 5, 10)
    result = mcnemar(a, b, method="asymptotic")
    assert result.statistic == 0
    assert result.pvalue == 1


def test_mcnemar_no_discordant_warns():
    with pytest.warns(DegenerateDataWarning, match="agree on all"):
        result = mcnemar([True, False], [True, False])
    assert math.isnan(result.pvalue)


def test_mcnemar_rejects_non_boolean():
    with pytest.raises(ValueError, match="correct_b must contain only True/False"):
        mcnemar([1, 0, 1], [1, 2, 0])


# Nadeau-Bengio corrected resampled t-test.


def test_nadeau_bengio_by_hand():
    # d = 0.01, 0.02, -0.005, 0.03, 0.015: mean = 0.07 / 5 = 0.014,
    # sum of squared deviations = 0.000016 + 0.000036 + 0.000361 + 0.000256
    # + 0.000001 = 0.00067, var = 0.00067 / 4 = 0.0001675.
    # Corrected variance factor 1/5 + 200/800 = 0.45, so
    # t = 0.014 / sqrt(0.45 * 0.0001675) with 4 df.
    d = [0.01, 0.02, -0.005, 0.03, 0.015]
    t = 0.014 / math.sqrt(0.45 * 0.0001675)
    result = nadeau_bengio_t(d, n_train=800, n_test=200)
    assert result.statistic == pytest.approx(t, rel=1e-9)
    assert result.df == 4
    assert result.pvalue == pytest.approx(2 * stats.t.sf(t, 4), rel=1e-9)
    half = stats.t.ppf(0.975, 4) * math.sqrt(0.45 * 0.0001675)
    assert result.ci_low == pytest.approx(0.014 - half, rel=1e-9)
    assert result.ci_high == pytest.approx(0.014 + half, rel=1e-9)


def test_nadeau_bengio_reduces_to_one_sample_t():
    # With n_test / n_train -> 0 the correction vanishes.
    d = [0.01, 0.02, -0.005, 0.03, 0.015]
    result = nadeau_bengio_t(d, n_train=10**12, n_test=1)
    assert result.statistic == pytest.approx(stats.ttest_1samp(d, 0).statistic, rel=1e-9)


def test_nadeau_bengio_is_more_conservative():
    d = [0.01, 0.02, -0.005, 0.03, 0.015]
    assert nadeau_bengio_t(d, 800, 200).pvalue > stats.ttest_1samp(d, 0).pvalue


# Properties shared by the tests.


PAIRED_TESTS = [paired_t, wilcoxon_signed_rank, sign_test, paired_permutation_test]


@pytest.mark.parametrize("test", PAIRED_TESTS + [welch_t, mann_whitney])
def test_swap_keeps_two_sided_p(test):
    forward = test(DEPRESSION_X, DEPRESSION_Y)
    backward = test(DEPRESSION_Y, DEPRESSION_X)
    assert backward.pvalue == pytest.approx(forward.pvalue, rel=1e-9)
    if test is not sign_test:
        assert backward.estimate == pytest.approx(-forward.estimate, abs=1e-12)


def test_mcnemar_swap_keeps_two_sided_p():
    a, b = correctness_from_table(10, 1, 7, 20)
    for method in ("exact", "mid-p", "asymptotic"):
        assert mcnemar(a, b, method).pvalue == pytest.approx(mcnemar(b, a, method).pvalue)
        assert mcnemar(a, b, method).estimate == -mcnemar(b, a, method).estimate


finite = st.floats(min_value=-100, max_value=100, allow_nan=False, width=32)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=3, max_size=12))
def test_paired_pvalues_in_unit_interval(pairs):
    a = [pair[0] for pair in pairs]
    b = [pair[1] for pair in pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        for test in PAIRED_TESTS:
            pvalue = test(a, b).pvalue
            assert math.isnan(pvalue) or 0 <= pvalue <= 1, test.__name__


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=2, max_size=10), st.lists(finite, min_size=2, max_size=10))
def test_independent_pvalues_in_unit_interval(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        for test in (welch_t, mann_whitney):
            pvalue = test(a, b).pvalue
            assert math.isnan(pvalue) or 0 <= pvalue <= 1, test.__name__


@settings(max_examples=30, deadline=None)
@given(st.lists(finite, min_size=3, max_size=12))
def test_paired_t_interval_brackets_mean(values):
    shifted = [value + 1.0 for value in values]
    noise = [0.01 * i * (-1) ** i for i in range(len(values))]
    b = [value + delta for value, delta in zip(values, noise)]
    result = paired_t(shifted, b)
    assert result.ci_low <= result.estimate <= result.ci_high


# Input validation and NaN policies.


def test_nan_policies():
    a = [1.0, 2.0, np.nan, 4.0, 5.0]
    b = [0.0, 1.5, 2.0, 3.0, 4.2]
    assert math.isnan(paired_t(a, b).pvalue)
    assert "nan_policy='propagate'" in paired_t(a, b).notes[0]
    omitted = paired_t(a, b, nan_policy="omit")
    assert omitted.n == 4
    with pytest.raises(ValueError, match="nan_policy='omit'"):
        paired_t(a, b, nan_policy="raise")


def test_errors_name_argument_and_value():
    with pytest.raises(ValueError, match="alternative must be one of .* got 'bigger'"):
        paired_t([1, 2, 3], [1, 2, 4], alternative="bigger")
    with pytest.raises(ValueError, match="same length .* 3 and 2"):
        paired_t([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="confidence_level must be strictly between 0 and 1"):
        welch_t([1, 2, 3], [1, 2, 4], confidence_level=95)
    with pytest.raises(ValueError, match="zero_method must be one of"):
        wilcoxon_signed_rank([1, 2], [0, 0], zero_method="drop")
    with pytest.raises(ValueError, match="n_train must be a positive integer"):
        nadeau_bengio_t([0.1, 0.2], n_train=0, n_test=10)
    with pytest.raises(ValueError, match="b contains an infinite value"):
        welch_t([1, 2], [1, np.inf])


def test_result_rendering():
    result = paired_t(SLEEP_1, SLEEP_2)
    assert isinstance(result, TwoSampleTest)
    text = str(result)
    assert text.startswith("Paired t-test (two-sided, t-distribution)")
    assert "p = 0.002833" in text
    frame = result.to_frame()
    assert frame.shape[0] == 1
    assert frame.loc[0, "pvalue"] == result.pvalue
    assert "Paired t-test" in result._repr_html_()
    assert welch_t(SLEEP_1, SLEEP_2).to_frame().loc[0, "n"] == (10, 10)
