"""Power, sample size and the smallest attainable p-value of nbcompare's tests."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nbcompare.exceptions import SmallSampleWarning
from nbcompare.stats._power import (
    friedman_pvalues,
    min_attainable_pvalue,
    paired_t_power,
    paired_t_sample_size,
    seeds_needed_to_reach_alpha,
    signed_rank_pvalues,
    simulated_power,
    simulated_sample_size,
)
from nbcompare.stats._signed_rank import signed_rank_test


def noncentral_t_power(effect_size: float, n: int, alpha: float) -> float:
    """Two-sided paired t power from the noncentral t, written out independently."""
    df = n - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    noncentrality = effect_size * math.sqrt(n)
    return stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality)


def test_paired_t_power_d05_n34():
    # G*Power 3.1, t tests, "Means: difference from constant (one sample case)",
    # d = 0.5, alpha = 0.05 two-tailed: n = 34 gives actual power 0.8077775.
    result = paired_t_power(0.5, 34, alpha=0.05)
    assert result.power == pytest.approx(0.8077775, abs=1e-6)
    assert result.power == pytest.approx(noncentral_t_power(0.5, 34, 0.05), abs=1e-10)


@pytest.mark.parametrize("effect_size, n", [(0.2, 50), (0.8, 10), (1.5, 4), (-0.5, 20)])
def test_paired_t_power_equals_noncentral_t(effect_size, n):
    result = paired_t_power(effect_size, n)
    assert result.power == pytest.approx(noncentral_t_power(effect_size, n, 0.05), abs=1e-10)


def test_paired_t_one_sided_power():
    # One-sided: P(T' > t_{1 - alpha, n - 1}) with T' noncentral t.
    result = paired_t_power(0.5, 20, alternative="greater")
    expected = stats.nct.sf(stats.t.ppf(0.95, 19), 19, 0.5 * math.sqrt(20))
    assert result.power == pytest.approx(expected, abs=1e-10)


def test_paired_t_sample_size_d05():
    # G*Power 3.1 (as above): power 0.80 at d = 0.5 needs 34 pairs.
    result = paired_t_sample_size(0.5, power=0.8)
    assert result.n == 34
    assert result.power >= 0.8
    assert paired_t_power(0.5, 33).power < 0.8
    assert 33 < result.n_fractional <= 34


@settings(max_examples=20, deadline=None)
@given(st.floats(0.15, 3.0), st.floats(0.5, 0.95))
def test_paired_t_sample_size_is_smallest(effect_size, target):
    result = paired_t_sample_size(effect_size, power=target)
    assert paired_t_power(effect_size, result.n).power >= target
    if result.n > 2:
        assert paired_t_power(effect_size, result.n - 1).power < target


def test_paired_t_sample_size_rejects_wrong_direction():
    with pytest.raises(ValueError, match="points away"):
        paired_t_sample_size(-0.5, alternative="greater")
    with pytest.raises(ValueError, match="nonzero"):
        paired_t_sample_size(0.0)


def test_min_attainable_wilcoxon_and_sign():
    # Exact signed-rank null: the all-positive pattern and its mirror, 2 / 2**5.
    assert min_attainable_pvalue("wilcoxon", 5).pvalue == 0.0625
    assert min_attainable_pvalue("wilcoxon", 5, alternative="greater").pvalue == 1 / 32
    # scipy's exact binomial test of 5 successes in 5 trials, two-sided.
    assert min_attainable_pvalue("sign", 5).pvalue == pytest.approx(
        stats.binomtest(5, 5).pvalue, abs=1e-15
    )
    # 2.0**2000 overflows a float; ldexp underflows to 0 instead.
    assert min_attainable_pvalue("wilcoxon", 2000).pvalue == 0.0
    assert float(min_attainable_pvalue("wilcoxon", 1)) == 1.0


def test_min_attainable_wilcoxon_is_attained_by_scipy():
    # scipy's exact two-sided p-value of 6 positive distinct differences.
    pvalue = stats.wilcoxon([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], method="exact").pvalue
    assert min_attainable_pvalue("wilcoxon", 6).pvalue == pytest.approx(pvalue, abs=1e-15)


def test_min_attainable_friedman():
    # k = 3: chi-square with 2 df has survival exp(-x / 2), and x = n (k - 1) = 2n,
    # so the bound is exp(-n).
    result = min_attainable_pvalue("friedman", 4, k=3)
    assert result.pvalue == pytest.approx(math.exp(-4), rel=1e-12)
    assert "chi-square" in result.method
    # scipy's Friedman p-value when 4 blocks rank 3 candidates the same way.
    blocks = np.array([[1.0, 2.0, 3.0]] * 4)
    attained = stats.friedmanchisquare(*blocks.T).pvalue
    assert result.pvalue == pytest.approx(attained, rel=1e-12)


def test_seeds_needed_wilcoxon_holm():
    # Three candidates, three pairwise tests, Holm: 3 * 2 / 2**n <= 0.05 first at
    # n = 7 (3 * 2 / 128 = 0.0469; n = 6 gives 0.094).
    result = seeds_needed_to_reach_alpha("wilcoxon", alpha=0.05, family_size=3, correction="holm")
    assert result.n == 7
    assert result.min_adjusted_pvalue == pytest.approx(3 * 2 / 2**7)
    assert int(result) == 7


def test_seeds_needed_wilcoxon_two_candidates():
    # One test: 2 / 2**n <= 0.05 first at n = 6 (0.03125; n = 5 gives 0.0625).
    assert seeds_needed_to_reach_alpha("wilcoxon", alpha=0.05).n == 6


def test_seeds_needed_friedman_three_candidates():
    # exp(-n) <= 0.05 first at n = 3 (exp(-3) = 0.0498).
    assert seeds_needed_to_reach_alpha("friedman", alpha=0.05, k=3).n == 3


def test_seeds_needed_bonferroni_ten_pairs():
    # Five candidates, 10 pairs: 10 * 2 / 2**n <= 0.05 first at n = 9 (2**9 = 512 >= 400).
    assert seeds_needed_to_reach_alpha("wilcoxon", 0.05, 10, "bonferroni").n == 9


def test_seeds_needed_rejects_unknown_correction():
    with pytest.raises(ValueError, match="correction must be one of"):
        seeds_needed_to_reach_alpha("wilcoxon", correction="tukey")
    with pytest.raises(ValueError, match="needs k"):
        seeds_needed_to_reach_alpha("friedman")


# Simulated power.


def test_simulated_wilcoxon_null_rejection_rate():
    # Under H0 (symmetric differences) the rejection rate of a level-alpha test is
    # at most alpha, checked up to 3 Monte Carlo standard errors.
    result = simulated_power("wilcoxon", 0.0, n=10, alpha=0.05, n_simulations=2000, rng=0)
    assert result.power <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 2000)
    assert result.mc_standard_error == pytest.approx(
        math.sqrt(result.power * (1 - result.power) / 2000)
    )


def test_simulated_friedman_null_rejection_rate():
    result = simulated_power("friedman", [0.0, 0.0, 0.0, 0.0], n=12, n_simulations=2000, rng=1)
    assert result.k == 4
    assert result.power <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 2000)


def test_simulated_power_same_seed_same_numbers():
    first = simulated_power("wilcoxon", 0.8, n=8, n_simulations=500, rng=5)
    second = simulated_power("wilcoxon", 0.8, n=8, n_simulations=500, rng=np.random.default_rng(5))
    assert first == second


def test_simulated_wilcoxon_power_near_t_power():
    # For normal differences the signed-rank test's efficiency relative to the t
    # test is 3 / pi = 0.955 (Hodges & Lehmann 1956), so its power at d_z = 0.8
    # and 15 pairs is close to, and not above, the t test's (0.93). 0.05 covers
    # about 5 Monte Carlo standard errors and the efficiency loss.
    simulated = simulated_power("wilcoxon", 0.8, n=15, n_simulations=2000, rng=2)
    analytic = paired_t_power(0.8, 15).power
    assert simulated.power == pytest.approx(analytic, abs=0.05)


def test_simulated_power_too_few_seeds_warns():
    with pytest.warns(SmallSampleWarning, match="At least 6 seeds"):
        result = simulated_power("wilcoxon", 2.0, n=5, n_simulations=200, rng=0)
    assert result.power == 0.0


def test_simulated_friedman_too_few_blocks_warns():
    with pytest.warns(SmallSampleWarning, match="At least 3 seeds"):
        simulated_power("friedman", [0.0, 1.0, 2.0], n=2, n_simulations=100, rng=0)


def test_simulated_power_accepts_generator():
    def rounded_accuracy_gaps(rng, shape):
        # Differences of accuracies on 50 test examples: multiples of 0.02, many ties.
        return np.round(rng.normal(0.03, 0.03, shape) * 50) / 50

    result = simulated_power("wilcoxon", rounded_accuracy_gaps, n=10, n_simulations=300, rng=3)
    assert result.effect == "generator rounded_accuracy_gaps"
    assert 0.0 < result.power < 1.0


def test_simulated_power_rejects_bad_generator_shape():
    with pytest.raises(ValueError, match="expected"):
        simulated_power("wilcoxon", lambda rng, shape: rng.normal(size=3), n=6, n_simulations=10, rng=0)


def test_signed_rank_pvalues_match_compare_path():
    # The vectorized p-values against signed_rank_test, row by row, on data with
    # ties and zeros (sign-flip enumeration), without (exact) and with 20 tied
    # pairs (normal approximation).
    generator = np.random.default_rng(4)
    cases = [
        np.round(generator.normal(0.5, 1.0, (30, 7))),
        generator.normal(0.5, 1.0, (30, 9)),
        np.round(generator.normal(0.5, 1.0, (30, 20))),
        np.zeros((2, 6)),
    ]
    for differences in cases:
        for zero_method in ("wilcox", "pratt", "zsplit"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fast = signed_rank_pvalues(differences, zero_method)
                slow = np.array([signed_rank_test(row, zero_method).pvalue for row in differences])
            np.testing.assert_array_equal(np.isnan(fast), np.isnan(slow))
            np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=0)


def test_friedman_pvalues_match_scipy_rows():
    generator = np.random.default_rng(6)
    scores = np.round(generator.normal(size=(40, 6, 3)))
    fast = friedman_pvalues(scores)
    for row, pvalue in zip(scores, fast):
        if np.all(row == row[:, :1]):
            assert np.isnan(pvalue)
        else:
            assert pvalue == pytest.approx(stats.friedmanchisquare(*row.T).pvalue, rel=1e-12)


def test_simulated_sample_size_reaches_target():
    result = simulated_sample_size("wilcoxon", 1.0, power=0.8, n_simulations=600, rng=7)
    # Paired t needs 10 pairs at d_z = 1 (power 0.80); the signed-rank test needs
    # about as many. The bisection can land a seed or two off through Monte Carlo error.
    assert 8 <= result.n <= 14
    assert result.power >= 0.8
    assert result.n_simulations == 600


def test_power_results_render():
    result = simulated_power("wilcoxon", 0.5, n=8, n_simulations=100, rng=0)
    assert "MC s.e." in str(result)
    assert "<table" in result._repr_html_()
    assert result.to_frame().loc[0, "n_simulations"] == 100
    assert "needs at least 7 seeds" in str(seeds_needed_to_reach_alpha("wilcoxon", family_size=3))
