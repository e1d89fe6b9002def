"""Properties of compare() that must hold for any data (hypothesis)."""

from __future__ import annotations

import dataclasses
import gc
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nbcompare.exceptions import NBCompareWarning
from nbcompare.stats import Comparison, compare

# Corrections whose adjusted p-values are never below the raw ones. The two-stage
# FDR methods and fdr_gbs scale by an estimate of the share of true nulls and can
# adjust below the raw p-value, so they are only checked for the reject rule.
MONOTONE_CORRECTIONS = [
    "holm", "bonferroni", "sidak", "holm-sidak", "simes-hochberg", "hommel", "fdr_bh", "fdr_by",
]
ALL_CORRECTIONS = MONOTONE_CORRECTIONS + ["fdr_tsbh", "fdr_tsbky", "fdr_gbs"]

@pytest.fixture(scope="module", autouse=True)
def frozen_heap():
    """Keep the objects that exist before this module out of garbage collection.

    statsmodels 0.15 calls gc.collect() on every Holm adjustment, and a full
    collection of the test session's heap costs tens of milliseconds per call.
    Frozen objects are skipped by the collector, which makes these
    many-example tests several times faster. The heap is unfrozen afterwards.
    """
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def value_matrices(draw, min_candidates: int = 2, max_candidates: int = 4) -> np.ndarray:
    """Blocks x candidates matrices, either tie-heavy small integers or floats."""
    k = draw(st.integers(min_candidates, max_candidates))
    # At most 6 blocks: scipy's permutation method evaluates the statistic once
    # per sign pattern (2**n calls), which dominates the run time beyond that.
    n = draw(st.integers(2, 6))
    if draw(st.booleans()):
        elements = st.integers(0, 4).map(float)
    else:
        elements = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)
    return draw(arrays(np.float64, (n, k), elements=elements))


def to_frame(matrix: np.ndarray, metric: str = "score") -> pd.DataFrame:
    rows = [
        {"candidate": f"model{column}", "task": "only", "seed": seed, "metric": metric,
         "value": float(matrix[seed, column])}
        for seed in range(matrix.shape[0])
        for column in range(matrix.shape[1])
    ]
    return pd.DataFrame(rows)


def quiet_compare(frame: pd.DataFrame, **options) -> Comparison:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NBCompareWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return compare(frame, "score", **options)


def comparison_numbers(result: Comparison) -> list:
    """Every tested number of a comparison, as nested lists (NaN compares equal)."""
    return [
        result.candidates,
        [dataclasses.astuple(row) for row in result.summary],
        dataclasses.astuple(result.omnibus),
        [dataclasses.astuple(test) for test in result.pairwise],
        result.family_size,
        result.notes,
    ]


@PROPERTY_SETTINGS
@given(
    matrix=value_matrices(),
    correction=st.sampled_from(MONOTONE_CORRECTIONS),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
)
def test_adjusted_at_least_raw(matrix, correction, alpha):
    result = quiet_compare(to_frame(matrix), higher_is_better=True, correction=correction, alpha=alpha)

    for test in result.pairwise:
        if np.isnan(test.pvalue):
            assert np.isnan(test.pvalue_adjusted)
        else:
            assert test.pvalue_adjusted >= test.pvalue


@PROPERTY_SETTINGS
@given(
    matrix=value_matrices(),
    correction=st.sampled_from(ALL_CORRECTIONS),
    alpha=st.sampled_from([0.01, 0.05, 0.1, 0.3]),
)
def test_reject_iff_adjusted_below_alpha(matrix, correction, alpha):
    result = quiet_compare(to_frame(matrix), higher_is_better=True, correction=correction, alpha=alpha)

    for test in result.pairwise:
        assert test.reject == bool(test.pvalue_adjusted <= alpha)
    assert result.family_size == sum(not np.isnan(test.pvalue) for test in result.pairwise)


@PROPERTY_SETTINGS
@given(matrix=value_matrices(), data=st.data(), higher_is_better=st.booleans())
def test_row_order_does_not_matter(matrix, data, higher_is_better):
    frame = to_frame(matrix)
    order = data.draw(st.permutations(range(len(frame))))
    shuffled = frame.iloc[list(order)].reset_index(drop=True)

    original = quiet_compare(frame, higher_is_better=higher_is_better)
    reordered = quiet_compare(shuffled, higher_is_better=higher_is_better)

    np.testing.assert_equal(comparison_numbers(reordered), comparison_numbers(original))


@PROPERTY_SETTINGS
@given(matrix=value_matrices(), higher_is_better=st.booleans())
def test_direction_swap_is_symmetric(matrix, higher_is_better):
    original = quiet_compare(to_frame(matrix), higher_is_better=higher_is_better)
    flipped = quiet_compare(to_frame(-matrix), higher_is_better=not higher_is_better)

    assert flipped.candidates == original.candidates
    np.testing.assert_equal(
        [row.mean_rank for row in flipped.summary], [row.mean_rank for row in original.summary]
    )
    # assert_array_equal, unlike assert_equal, treats 0.0 and -0.0 as equal.
    np.testing.assert_array_equal(
        [row.mean for row in flipped.summary], [-row.mean for row in original.summary]
    )
    np.testing.assert_equal(dataclasses.astuple(flipped.omnibus), dataclasses.astuple(original.omnibus))
    for swapped, test in zip(flipped.pairwise, original.pairwise):
        assert (swapped.model_a, swapped.model_b) == (test.model_a, test.model_b)
        np.testing.assert_equal(swapped.pvalue, test.pvalue)
        np.testing.assert_equal(swapped.pvalue_adjusted, test.pvalue_adjusted)
        np.testing.assert_equal(swapped.effect_size, test.effect_size)
        np.testing.assert_equal(swapped.statistic, test.statistic)
        assert swapped.reject == test.reject
        np.testing.assert_array_equal(swapped.mean_difference, -test.mean_difference)


@PROPERTY_SETTINGS
@given(
    base=arrays(np.float64, st.integers(2, 8), elements=st.floats(0, 1, allow_subnormal=False)),
    shift=st.floats(0.5, 5),
    higher_is_better=st.booleans(),
    zero_method=st.sampled_from(["wilcox", "pratt", "zsplit"]),
)
def test_effect_sign_follows_clear_separation(base, shift, higher_is_better, zero_method):
    # "up" (model0) exceeds `base` (model1) by at least `shift` >= 0.5 in every
    # block, more than the spread of `base` (at most 1), so one candidate wins
    # every block.
    up = base + shift + np.linspace(0, 0.1, base.size)
    frame = to_frame(np.column_stack([up, base]))

    result = quiet_compare(frame, higher_is_better=higher_is_better, zero_method=zero_method)
    test = result.pairwise[0]

    expected_best = "model0" if higher_is_better else "model1"
    assert test.model_a == expected_best
    assert test.effect_size == 1.0
    assert (test.mean_difference > 0) == higher_is_better
    assert result.effect_matrix().loc[test.model_b, test.model_a] == -1.0


@PROPERTY_SETTINGS
@given(
    matrix=value_matrices(),
    confidence_level=st.sampled_from([0.5, 0.9, 0.95, 0.99]),
)
def test_intervals_bracket_means(matrix, confidence_level):
    result = quiet_compare(to_frame(matrix), higher_is_better=True, confidence_level=confidence_level)

    for row in result.summary:
        assert row.ci_low <= row.mean <= row.ci_high
    for test in result.pairwise:
        assert test.ci_low <= test.mean_difference <= test.ci_high


@PROPERTY_SETTINGS
@given(matrix=value_matrices(min_candidates=3))
def test_matrices_are_consistent(matrix):
    result = quiet_compare(to_frame(matrix), higher_is_better=True)
    pvalues = result.p_matrix().to_numpy()
    effects = result.effect_matrix().to_numpy()

    np.testing.assert_equal(pvalues, pvalues.T)
    np.testing.assert_equal(effects, -effects.T)
    for test in result.pairwise:
        assert test.statistic == min(test.r_plus, test.r_minus) or np.isnan(test.pvalue)
