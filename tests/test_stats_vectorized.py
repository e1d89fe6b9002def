"""Vectorized statistics give the same bits as their one-pair-at-a-time counterparts.

compare() computes the pairwise Wilcoxon tests, t intervals and bootstrap
effect sizes of all pairs at once, for speed. Each test here runs the
one-pair function on every pair and requires equal results.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nbcompare.stats import _rank_biserial_batch as rank_biserial_batch
from nbcompare.stats import compare
from nbcompare.stats._effect_sizes import _nct_cdf, matched_pairs_rank_biserial, rank_biserial
from nbcompare.stats._intervals import t_interval, t_intervals
from nbcompare.stats._posthoc import _studentized_range_sf, nemenyi
from nbcompare.stats._rank_biserial_batch import (
    MAX_BLOCKS,
    bootstrap_positions,
    paired_rank_biserials,
    resample_counts,
    resampled_rank_biserials,
)
from nbcompare.stats._signed_rank import (
    ZERO_METHODS,
    signed_rank_sums,
    signed_rank_sums_rows,
    signed_rank_test,
    signed_rank_tests,
)

# scipy 1.17.1: stats.studentized_range.sf(5.059644256269408, 4, np.inf), the
# Nemenyi adjusted p-value of candidates "a" and "d" in NEMENYI_VALUES.
SCIPY_REFERENCE_NEMENYI_A_D = 0.001966123011488796

NEMENYI_VALUES = np.array([
    [0.81, 0.79, 0.75, 0.70],
    [0.84, 0.80, 0.78, 0.77],
    [0.78, 0.80, 0.74, 0.72],
    [0.90, 0.85, 0.86, 0.80],
    [0.82, 0.81, 0.79, 0.74],
    [0.88, 0.83, 0.80, 0.81],
])


def difference_rows(seed: int, n_rows: int, n_blocks: int, *, integer: bool) -> np.ndarray:
    """Rows of paired differences. Integer rows have ties and zeros, and row 0 is all zero."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(0.2, 1.0, (n_rows, n_blocks))
    if integer:
        rows = np.round(rows * 2)
        rows[0] = 0.0
    return rows


def same(first, second) -> bool:
    """Return True when two floats are equal or both NaN."""
    return first == second or (math.isnan(first) and math.isnan(second))


# ---------------------------------------------------------------- Nemenyi


def test_nemenyi_pvalues_match_per_pair_scipy_calls():
    result = nemenyi(NEMENYI_VALUES, higher_is_better=True, candidates=["a", "b", "c", "d"])

    for pair in result.pairs:
        per_pair = float(stats.studentized_range.sf(pair.statistic, 4, np.inf))
        assert pair.pvalue_adjusted == per_pair, (pair.model_a, pair.model_b)


def test_nemenyi_pvalue_matches_stored_scipy_reference():
    result = nemenyi(NEMENYI_VALUES, higher_is_better=True, candidates=["a", "b", "c", "d"])
    pair = next(pair for pair in result.pairs if {pair.model_a, pair.model_b} == {"a", "d"})

    assert pair.statistic == pytest.approx(5.059644256269408, rel=1e-12)
    assert pair.pvalue_adjusted == pytest.approx(SCIPY_REFERENCE_NEMENYI_A_D, rel=1e-9)


def test_studentized_range_sf_repeated_values():
    q = np.array([[1.58, 3.47, 5.06], [3.47, 1.58, 0.0]])

    vectorized = _studentized_range_sf(q, 4, np.inf)

    for index, value in np.ndenumerate(q):
        assert vectorized[index] == np.clip(stats.studentized_range.sf(value, 4, np.inf), 0, 1)


# ---------------------------------------------------------------- Wilcoxon signed-rank


@pytest.mark.parametrize("zero_method", ZERO_METHODS)
@pytest.mark.parametrize(
    ("n_blocks", "n_rows", "integer"),
    # The permutation method enumerates 2**n sign patterns per row, so those
    # cases keep few rows.
    [(8, 12, True), (11, 4, True), (20, 12, False), (20, 12, True), (50, 12, False), (60, 12, True)],
    ids=["permutation", "permutation-11", "exact", "ties-asymptotic", "exact-50", "asymptotic-60"],
)
def test_signed_rank_tests_match_one_row_calls(zero_method, n_blocks, n_rows, integer):
    rows = difference_rows(n_blocks, n_rows, n_blocks, integer=integer)

    batched = signed_rank_tests(rows, zero_method)

    for row, result in zip(rows, batched):
        assert _same_result(result, signed_rank_test(row, zero_method))


def _same_result(first, second) -> bool:
    return all(
        same(getattr(first, field), getattr(second, field)) if isinstance(getattr(first, field), float)
        else getattr(first, field) == getattr(second, field)
        for field in first.__dataclass_fields__
    )


def test_signed_rank_tests_nan_rows():
    rows = difference_rows(3, 4, 10, integer=False)
    rows[2, 5] = np.nan

    batched = signed_rank_tests(rows, "wilcox")

    for row, result in zip(rows, batched):
        assert _same_result(result, signed_rank_test(row, "wilcox"))


@pytest.mark.parametrize("zero_method", ZERO_METHODS)
def test_signed_rank_sums_rows_match_one_row_sums(zero_method):
    rows = difference_rows(7, 30, 15, integer=True)

    r_plus, r_minus = signed_rank_sums_rows(rows, zero_method)

    for index, row in enumerate(rows):
        assert (r_plus[index], r_minus[index]) == signed_rank_sums(row, zero_method)


# ---------------------------------------------------------------- t intervals


@pytest.mark.parametrize("confidence_level", [0.9, 0.95, 0.99])
def test_t_intervals_match_one_row_intervals(confidence_level):
    rows = np.vstack([
        difference_rows(11, 20, 30, integer=False) * 0.01 + 0.8,
        np.full((1, 30), 0.25),                     # constant: zero width
        np.array([0.5 - 0.1, 0.6 - 0.2] * 15)[None, :],  # equal up to rounding
    ])

    means, lows, highs = t_intervals(rows, confidence_level)

    for index, row in enumerate(rows):
        expected = t_interval(row, confidence_level)
        assert (means[index], lows[index], highs[index]) == expected, index


@pytest.mark.parametrize("n_blocks", [0, 1])
def test_t_intervals_of_fewer_than_two_values(n_blocks):
    rows = np.ones((3, n_blocks))

    means, lows, highs = t_intervals(rows, 0.95)

    for index, row in enumerate(rows):
        expected = t_interval(row, 0.95)
        assert all(same(got, want) for got, want in zip((means[index], lows[index], highs[index]), expected))


# ---------------------------------------------------------------- noncentral t


def test_nct_cdf_matches_scipy_distribution():
    rng = np.random.default_rng(5)
    for x in [*rng.normal(0, 30, 40), 0.0, 1e7, -5e8]:
        for df in (1, 4.5, 49, 1e4):
            for nc in (-40.0, -1.5, 0.0, 2.25, 35.0, float(x)):
                assert same(_nct_cdf(float(x), df, nc), float(stats.nct.cdf(x, df, nc))), (x, df, nc)


def test_nct_cdf_edge_arguments_match_scipy_distribution():
    for x, df, nc in [(math.inf, 5, 1.0), (-math.inf, 5, 1.0), (1.0, 0, 1.0), (1.0, 5, math.nan)]:
        assert same(_nct_cdf(x, df, nc), float(stats.nct.cdf(x, df, nc))), (x, df, nc)


# ---------------------------------------------------------------- rank-biserial bootstrap


def test_bootstrap_positions_match_scipy():
    differences = difference_rows(13, 1, 25, integer=True)[0] + 0.5

    def statistic(values, axis=-1):
        return matched_pairs_rank_biserial(values, "wilcox", axis=axis)

    scipy_result = stats.bootstrap(
        (differences,), statistic, n_resamples=999, vectorized=True, method="percentile",
        rng=np.random.default_rng(3),
    )
    positions = bootstrap_positions(25, 999, 3)

    np.testing.assert_array_equal(statistic(differences[positions]), scipy_result.bootstrap_distribution)


@pytest.mark.parametrize("zero_method", ZERO_METHODS)
@pytest.mark.parametrize("n_blocks", [2, 5, 13, 40, 91, 92])
def test_resampled_rank_biserials_match_ranking(zero_method, n_blocks):
    rows = difference_rows(n_blocks, 6, n_blocks, integer=True)
    rows[1] = np.abs(rows[1])  # one-sided pair
    positions = bootstrap_positions(n_blocks, 300, 0)

    distribution = resampled_rank_biserials(rows, resample_counts(positions, n_blocks), zero_method)

    for index, row in enumerate(rows):
        expected = matched_pairs_rank_biserial(row[positions], zero_method)
        np.testing.assert_array_equal(distribution[index], expected)


@pytest.mark.parametrize("zero_method", ZERO_METHODS)
def test_resampled_rank_biserials_in_small_chunks(monkeypatch, zero_method):
    # A budget of 16 KiB splits 20 blocks into chunks of 19 resamples and
    # 2 pairs, so both loops run several times.
    monkeypatch.setattr(rank_biserial_batch, "_CHUNK_BYTES", 16 * 1024)
    rows = difference_rows(20, 25, 20, integer=True)
    positions = bootstrap_positions(20, 50, 1)

    distribution = resampled_rank_biserials(rows, resample_counts(positions, 20), zero_method)

    for index, row in enumerate(rows):
        expected = matched_pairs_rank_biserial(row[positions], zero_method)
        np.testing.assert_array_equal(distribution[index], expected)


@pytest.mark.parametrize("zero_method", ZERO_METHODS)
@pytest.mark.parametrize("higher_is_better", [True, False])
@pytest.mark.parametrize(
    ("n_blocks", "integer"), [(3, True), (12, True), (50, False), (MAX_BLOCKS + 1, False)],
)
def test_paired_rank_biserials_match_one_pair_calls(zero_method, higher_is_better, n_blocks, integer):
    rng = np.random.default_rng(n_blocks)
    a = rng.normal(0.8, 0.05, (8, n_blocks))
    b = a + rng.normal(0.01, 0.05, (8, n_blocks))
    if integer:
        a, b = np.round(a * 20), np.round(b * 20)
    b[0] = a[0]          # all differences zero: undefined estimate
    b[1] = a[1] - 1.0    # one-sided: zero-width interval
    a[2, 0] = np.nan     # goes through rank_biserial, which propagates NaN
    options = {"higher_is_better": higher_is_better, "confidence_level": 0.9, "n_resamples": 499}

    with warnings.catch_warnings(record=True) as batched_warnings:
        warnings.simplefilter("always")
        batched = paired_rank_biserials(a, b, zero_method, seed=7, **options)
    with warnings.catch_warnings(record=True) as expected_warnings:
        warnings.simplefilter("always")
        expected = [
            rank_biserial(a[row], b[row], paired=True, zero_method=zero_method,
                          rng=np.random.default_rng(7), **options)
            for row in range(len(a))
        ]

    assert [repr(effect) for effect in batched] == [repr(effect) for effect in expected]
    assert [str(w.message) for w in batched_warnings] == [str(w.message) for w in expected_warnings]


# ---------------------------------------------------------------- compare()


def tidy(matrix: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame([
        {"candidate": f"c{column}", "task": f"t{block}", "seed": 0, "metric": "m", "value": value}
        for (block, column), value in np.ndenumerate(matrix)
    ])


def test_compare_default_pairs_match_per_pair():
    rng = np.random.default_rng(21)
    matrix = np.round(rng.normal(0.8, 0.05, (15, 5)) + np.linspace(0, 0.04, 5), 2)
    comparison = compare(tidy(matrix), "m", higher_is_better=True)
    # Blocks in the order compare() uses (task names sorted as strings).
    blocks = comparison.matrix

    for test in comparison.pairwise:
        a, b = blocks[test.model_a].to_numpy(), blocks[test.model_b].to_numpy()
        # The test receives oriented b - oriented a, with values negated
        # because higher is better.
        expected = signed_rank_test((-b) - (-a), "wilcox")
        assert same(test.pvalue, expected.pvalue)
        assert test.statistic == expected.statistic
        assert (test.r_plus, test.r_minus) == (expected.r_plus, expected.r_minus)
        assert same(test.effect_size, expected.rank_biserial)
        assert test.method == expected.method
        assert (test.mean_difference, test.ci_low, test.ci_high) == t_interval(a - b, 0.95)
    for row in comparison.summary:
        expected_interval = t_interval(blocks[row.candidate].to_numpy(), 0.95)
        assert (row.mean, row.ci_low, row.ci_high) == expected_interval


def test_compare_nemenyi_effect_sizes_per_pair():
    rng = np.random.default_rng(22)
    matrix = np.round(rng.normal(0.8, 0.05, (12, 4)) + np.linspace(0, 0.04, 4), 2)
    comparison = compare(tidy(matrix), "m", higher_is_better=False, test="friedman", posthoc="nemenyi")
    blocks = comparison.matrix

    for pair in comparison.effect_sizes:
        a, b = blocks[pair.model_a].to_numpy(), blocks[pair.model_b].to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = rank_biserial(a, b, paired=True, higher_is_better=False, n_resamples=1999,
                                     rng=np.random.default_rng(0))
        assert repr(pair.effect_size) == repr(expected)
