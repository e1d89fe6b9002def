"""Post-hoc tests and cliques against published tables and independent computations.

Each reference value names its source and the tolerance used.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import integrate, optimize, stats
from statsmodels.stats.multicomp import pairwise_tukeyhsd

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats import compare
from nbcompare.stats._cliques import cliques
from nbcompare.stats._posthoc import (
    SINGLE_STEP,
    PosthocResult,
    bonferroni_dunn,
    bonferroni_dunn_q,
    conover_friedman,
    critical_difference,
    dunn,
    holm_vs_control,
    nemenyi,
    nemenyi_q,
    pairwise_ttest,
    pairwise_wilcoxon,
    tukey_hsd,
)

# R documentation of friedman.test (Hollander & Wolfe 1973): RoundingTimes, lower is better.
ROUNDING_TIMES = np.array([
    [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
    [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
    [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
    [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
    [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
    [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
])
ROUNDING_METHODS = ["Round Out", "Narrow Angle", "Wide Angle"]

# Demšar (2006), "Statistical Comparisons of Classifiers over Multiple Data Sets",
# JMLR 7, Table 5(a): Nemenyi critical values q_0.05 (studentized range / sqrt(2))
# for k = 2..10, printed with 3 decimals.
DEMSAR_NEMENYI_Q05 = [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164]
# Table 5(b): Bonferroni–Dunn critical values q_0.05 for k = 2..10.
DEMSAR_BONFERRONI_DUNN_Q05 = [1.960, 2.241, 2.394, 2.498, 2.576, 2.638, 2.690, 2.724, 2.773]

# scipy.stats.tukey_hsd documentation example: three groups of five observations.
TUKEY_GROUPS = [
    [24.5, 23.5, 26.4, 27.1, 29.9],
    [28.4, 34.2, 29.5, 32.2, 30.1],
    [26.1, 28.3, 24.3, 26.2, 27.8],
]

# R documentation of kruskal.test (Hollander & Wolfe 1973): mucociliary efficiency.
MUCOCILIARY = [[2.9, 3.0, 2.5, 2.6, 3.2], [3.8, 2.7, 4.0, 2.4], [2.8, 3.4, 3.7, 2.2, 2.0]]


def range_quantile_by_integration(k: int, level: float) -> float:
    """Quantile of the range of k standard normals, computed without scipy's studentized_range.

    P(range <= w) = k * integral of phi(z) (Phi(z + w) - Phi(z))**(k - 1) dz.
    """

    def cdf(width: float) -> float:
        integrand = lambda z: stats.norm.pdf(z) * (stats.norm.cdf(z + width) - stats.norm.cdf(z)) ** (k - 1)
        return k * integrate.quad(integrand, -12, 12, limit=200)[0]

    return optimize.brentq(lambda width: cdf(width) - level, 0.1, 12, xtol=1e-12)


def identical_rankings(blocks: int, k: int) -> np.ndarray:
    """Values where candidate 0 is best in every block, candidate 1 second, and so on."""
    return np.arange(k, 0, -1, dtype=float)[None, :] + 0.1 * np.arange(blocks)[:, None]


def pair(result: PosthocResult, first: str, second: str):
    for item in result.pairs:
        if {item.model_a, item.model_b} == {first, second}:
            return item
    raise KeyError((first, second))


# ---------------------------------------------------------------- critical values


@pytest.mark.parametrize("k, printed", list(zip(range(2, 11), DEMSAR_NEMENYI_Q05)))
def test_nemenyi_q_matches_demsar_table(k, printed):
    # Tolerance 1e-3: the computed 2.3437 (k = 3) and 2.9483 (k = 7) round to
    # 2.344 and 2.948, one unit of the last printed digit from the table.
    assert nemenyi_q(k, 0.05) == pytest.approx(printed, abs=1e-3)


@pytest.mark.parametrize("k", [4, 12, 30])
def test_nemenyi_q_matches_integration(k):
    expected = range_quantile_by_integration(k, 0.95) / math.sqrt(2)

    assert nemenyi_q(k, 0.05) == pytest.approx(expected, rel=1e-6)


def test_nemenyi_q_other_alpha():
    # Demšar (2006) Table 5(a), alpha = 0.10 row: q = 2.291 for k = 4. This
    # value is recalled from the table, not given with the alpha = 0.05 row.
    assert nemenyi_q(4, 0.10) == pytest.approx(2.291, abs=1e-3)
    assert nemenyi_q(4, 0.01) > nemenyi_q(4, 0.05) > nemenyi_q(4, 0.10)


@pytest.mark.parametrize("k, printed", list(zip(range(2, 11), DEMSAR_BONFERRONI_DUNN_Q05)))
def test_bonferroni_dunn_q_matches_demsar_table(k, printed):
    computed = bonferroni_dunn_q(k, 0.05)
    # Independent check: the normal quantile found by root-finding on erfc.
    by_root = optimize.brentq(lambda z: math.erfc(z / math.sqrt(2)) - 0.05 / (k - 1), 0, 10, xtol=1e-12)
    assert computed == pytest.approx(by_root, rel=1e-9)
    if k == 9:
        # The table prints 2.724 for k = 9, but z_{1 - 0.05/16} = 2.7344; the
        # printed value breaks the formula the table is built from, so the test
        # pins the formula's value.
        assert computed == pytest.approx(2.734, abs=5e-4)
    else:
        assert computed == pytest.approx(printed, abs=5e-4)


def test_critical_difference_demsar_example():
    # Demšar (2006), section 3.2.2: k = 4 classifiers, N = 14 data sets,
    # q_0.05 = 2.569 gives CD = 2.569 * sqrt(4 * 5 / (6 * 14)) = 1.25.
    cd = critical_difference(nemenyi_q(4, 0.05), 4, 14)

    assert cd == pytest.approx(1.25, abs=5e-3)
    assert cd == pytest.approx(2.569 * math.sqrt(20 / 84), abs=1e-3)


def test_nemenyi_q_rejects_invalid_k():
    with pytest.raises(ValueError, match="k must be an integer"):
        nemenyi_q(1)


# ---------------------------------------------------------------- Nemenyi


def test_nemenyi_rounding_times_by_hand():
    result = nemenyi(ROUNDING_TIMES, higher_is_better=False, candidates=ROUNDING_METHODS)

    ranks = stats.rankdata(ROUNDING_TIMES, axis=1)
    mean_ranks = dict(zip(ROUNDING_METHODS, ranks.mean(axis=0)))
    se = math.sqrt(3 * 4 / (6 * 22))
    assert result.candidates == ("Wide Angle", "Narrow Angle", "Round Out")
    assert result.mean_ranks == pytest.approx([mean_ranks[name] for name in result.candidates])
    assert result.correction == SINGLE_STEP
    assert result.critical_difference == pytest.approx(nemenyi_q(3) * se, rel=1e-12)
    for item in result.pairs:
        z = abs(mean_ranks[item.model_a] - mean_ranks[item.model_b]) / se
        assert item.statistic == pytest.approx(z * math.sqrt(2), rel=1e-12)
        assert item.pvalue_adjusted == pytest.approx(stats.studentized_range.sf(z * math.sqrt(2), 3, np.inf), rel=1e-9)
        assert item.pvalue == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)
        assert item.rank_difference == pytest.approx(mean_ranks[item.model_a] - mean_ranks[item.model_b])
    assert pair(result, "Wide Angle", "Round Out").reject
    assert not pair(result, "Narrow Angle", "Round Out").reject


def test_nemenyi_reject_agrees_with_critical_difference():
    rng = np.random.default_rng(7)
    values = rng.normal(size=(40, 6)) + np.linspace(0, 1.5, 6)

    result = nemenyi(values, higher_is_better=True)

    for item in result.pairs:
        assert item.reject == (abs(item.rank_difference) > result.critical_difference)


def test_nemenyi_identical_rankings_reject_every_pair():
    # 50 blocks of 5 candidates: adjacent mean ranks differ by 1 and
    # CD = 2.728 * sqrt(5 * 6 / 300) = 0.863, so every pair differs.
    values = identical_rankings(50, 5)

    result = nemenyi(values, higher_is_better=True)

    assert result.candidates == ("0", "1", "2", "3", "4")
    assert all(item.reject for item in result.pairs)
    assert cliques(result) == (("0",), ("1",), ("2",), ("3",), ("4",))
    assert cliques(result, min_size=2) == ()


def test_nemenyi_underflow_to_zero_counts_as_significant():
    values = identical_rankings(5000, 3)

    result = nemenyi(values, higher_is_better=True)

    extreme = pair(result, "0", "2")
    assert extreme.pvalue_adjusted == 0.0
    assert extreme.reject
    assert cliques(result.p_matrix()) == (("0",), ("1",), ("2",))


def test_nemenyi_lower_is_better_ranks_lowest_first():
    values = np.array([[0.10, 0.30, 0.20], [0.12, 0.31, 0.25], [0.11, 0.29, 0.22]])

    lower = nemenyi(values, higher_is_better=False, candidates=["a", "b", "c"])
    higher = nemenyi(values, higher_is_better=True, candidates=["a", "b", "c"])

    assert lower.candidates == ("a", "c", "b")
    assert lower.mean_ranks == (1.0, 2.0, 3.0)
    assert higher.candidates == ("b", "c", "a")


def test_nemenyi_flipped_values_and_direction_agree():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(12, 4))

    original = nemenyi(values, higher_is_better=True)
    flipped = nemenyi(-values, higher_is_better=False)

    assert original.candidates == flipped.candidates
    assert original.p_matrix().equals(flipped.p_matrix())


# ---------------------------------------------------------------- Conover


def test_conover_matches_conover_1999_form():
    ranks = stats.rankdata(-ROUNDING_TIMES, axis=1)
    blocks, k = ranks.shape
    rank_sums = ranks.sum(axis=0)
    a1 = np.sum(ranks**2)
    c1 = blocks * k * (k + 1) ** 2 / 4
    t1 = (k - 1) * np.sum((rank_sums - blocks * (k + 1) / 2) ** 2) / (a1 - c1)
    df = (blocks - 1) * (k - 1)
    se = math.sqrt(2 * blocks * (a1 - c1) / df * (1 - t1 / (blocks * (k - 1))))
    sums = dict(zip(ROUNDING_METHODS, rank_sums))

    result = conover_friedman(ROUNDING_TIMES, higher_is_better=True, candidates=ROUNDING_METHODS, correction="none")

    assert result.df == df
    for item in result.pairs:
        t = (sums[item.model_a] - sums[item.model_b]) / se
        assert item.statistic == pytest.approx(t, rel=1e-10)
        assert item.pvalue == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-10)
        assert item.pvalue_adjusted == item.pvalue


def test_conover_identical_rankings():
    values = identical_rankings(6, 3)
    values[:, 2] = values[:, 1]

    result = conover_friedman(values, higher_is_better=True, correction="holm")

    tied = pair(result, "1", "2")
    assert tied.statistic == 0.0
    assert tied.pvalue == 1.0
    assert pair(result, "0", "1").pvalue == 0.0
    assert pair(result, "0", "1").reject


# ---------------------------------------------------------------- pairwise paired tests


def test_pairwise_wilcoxon_matches_scipy_per_pair():
    rng = np.random.default_rng(11)
    values = rng.normal(size=(20, 5))
    values[:, 4] = values[:, 3] + np.round(rng.normal(size=20), 1)

    result = pairwise_wilcoxon(values, higher_is_better=True, correction="holm")

    columns = {str(index): values[:, index] for index in range(5)}
    for item in result.pairs:
        expected = stats.wilcoxon(columns[item.model_a], columns[item.model_b], correction=False)
        assert item.pvalue == pytest.approx(expected.pvalue, rel=1e-9)
        assert item.statistic == expected.statistic
    assert result.family_size == 10


def test_pairwise_wilcoxon_matches_compare():
    frame = pd.DataFrame(
        [
            {"candidate": name, "task": "only", "seed": block, "metric": "time", "value": value}
            for block, row in enumerate(ROUNDING_TIMES)
            for name, value in zip(ROUNDING_METHODS, row)
        ]
    )
    comparison = compare(frame, "time", higher_is_better=False, correction="holm")

    result = pairwise_wilcoxon(ROUNDING_TIMES, higher_is_better=False, candidates=ROUNDING_METHODS)

    assert result.candidates == comparison.candidates
    pd.testing.assert_frame_equal(result.p_matrix(adjusted=False), comparison.p_matrix(adjusted=False), rtol=1e-12)
    pd.testing.assert_frame_equal(result.p_matrix(), comparison.p_matrix(), rtol=1e-12)


def test_pairwise_wilcoxon_small_tied_sample_uses_permutation():
    # 8 blocks with tied differences: scipy's method="auto" enumerates sign flips.
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    b = a - np.array([1.0, 1.0, 2.0, -1.0, 2.0, 3.0, 1.0, 0.5])
    values = np.column_stack([a, b])

    result = pairwise_wilcoxon(values, higher_is_better=True, correction="none")

    expected = stats.wilcoxon(a - b, correction=False, method=stats.PermutationMethod(n_resamples=np.inf))
    assert result.pairs[0].pvalue == pytest.approx(expected.pvalue, rel=1e-12)


def test_pairwise_wilcoxon_zero_differences_warn_and_leave_family():
    rng = np.random.default_rng(5)
    values = rng.normal(size=(15, 3))
    values[:, 2] = values[:, 1]

    with pytest.warns(DegenerateDataWarning, match="All differences are zero"):
        result = pairwise_wilcoxon(values, higher_is_better=True)

    undefined = pair(result, "1", "2")
    assert math.isnan(undefined.pvalue)
    assert math.isnan(undefined.pvalue_adjusted)
    assert not undefined.reject
    assert result.family_size == 2


def test_pairwise_holm_adjusted_monotone_in_raw_order():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(25, 7)) + np.linspace(0, 1, 7)

    result = pairwise_wilcoxon(values, higher_is_better=True, correction="holm")

    ordered = sorted(result.pairs, key=lambda item: item.pvalue)
    adjusted = [item.pvalue_adjusted for item in ordered]
    assert adjusted == sorted(adjusted)
    assert all(item.pvalue_adjusted >= item.pvalue for item in result.pairs)


def test_pairwise_ttest_matches_scipy_per_pair():
    rng = np.random.default_rng(13)
    values = rng.normal(size=(10, 4))

    result = pairwise_ttest(values, higher_is_better=False, correction="bonferroni")

    for item in result.pairs:
        a, b = values[:, int(item.model_a)], values[:, int(item.model_b)]
        expected = stats.ttest_rel(a, b)
        assert item.statistic == pytest.approx(expected.statistic, rel=1e-12)
        assert item.pvalue == pytest.approx(expected.pvalue, rel=1e-12)
        assert item.pvalue_adjusted == pytest.approx(min(1.0, 6 * expected.pvalue), rel=1e-12)
        assert item.mean_difference == pytest.approx(np.mean(a - b), rel=1e-12)


# ---------------------------------------------------------------- all versus control


def test_bonferroni_dunn_and_holm_vs_control():
    rng = np.random.default_rng(17)
    values = rng.normal(size=(30, 5)) + np.array([0.8, 0.0, 0.3, 0.5, 0.1])

    bonferroni = bonferroni_dunn(values, "1", higher_is_better=True)
    holm = holm_vs_control(values, "1", higher_is_better=True)

    se = math.sqrt(5 * 6 / (6 * 30))
    ranks = dict(zip(bonferroni.candidates, bonferroni.mean_ranks))
    assert len(bonferroni.pairs) == 4
    assert bonferroni.critical_difference == pytest.approx(bonferroni_dunn_q(5) * se, rel=1e-12)
    assert holm.critical_difference is None
    for item in bonferroni.pairs:
        assert "1" in (item.model_a, item.model_b)
        z = (ranks[item.model_a] - ranks[item.model_b]) / se
        assert item.statistic == pytest.approx(z, rel=1e-12)
        assert item.pvalue_adjusted == pytest.approx(min(1.0, 4 * 2 * stats.norm.sf(abs(z))), rel=1e-12)
        assert item.reject == (abs(item.rank_difference) > bonferroni.critical_difference)
    for by_bonferroni, by_holm in zip(bonferroni.pairs, holm.pairs):
        assert by_holm.pvalue == by_bonferroni.pvalue
        assert by_holm.pvalue_adjusted <= by_bonferroni.pvalue_adjusted
    matrix = holm.p_matrix()
    assert matrix.loc["0", "2"] != matrix.loc["0", "2"]  # NaN: not tested


def test_vs_control_unknown_control_raises():
    with pytest.raises(ValueError, match="control 'x' is not a candidate"):
        bonferroni_dunn(ROUNDING_TIMES, "x", higher_is_better=False)


# ---------------------------------------------------------------- independent samples


def test_tukey_hsd_scipy_example_and_statsmodels():
    result = tukey_hsd(TUKEY_GROUPS, higher_is_better=True, candidates=["g0", "g1", "g2"])

    scipy_result = stats.tukey_hsd(*TUKEY_GROUPS)
    # Values printed by scipy 1.17 for this example, 3 decimals:
    # (0 - 1) -4.600 p 0.014, (0 - 2) -0.260 p 0.980, (1 - 2) 4.340 p 0.020.
    assert pair(result, "g0", "g1").pvalue_adjusted == pytest.approx(0.014, abs=5e-4)
    assert pair(result, "g0", "g2").pvalue_adjusted == pytest.approx(0.980, abs=5e-4)
    assert pair(result, "g1", "g2").pvalue_adjusted == pytest.approx(0.020, abs=5e-4)
    assert pair(result, "g1", "g2").mean_difference == pytest.approx(4.340, abs=5e-4)
    assert result.candidates == ("g1", "g2", "g0")

    labels = np.repeat(["g0", "g1", "g2"], 5)
    statsmodels_result = pairwise_tukeyhsd(np.concatenate(TUKEY_GROUPS), labels)
    pvalues = dict(zip([("g0", "g1"), ("g0", "g2"), ("g1", "g2")], statsmodels_result.pvalues))
    for (first, second), expected in pvalues.items():
        assert pair(result, first, second).pvalue_adjusted == pytest.approx(expected, abs=1e-6)
        assert pair(result, first, second).pvalue_adjusted == pytest.approx(
            scipy_result.pvalue[int(first[1]), int(second[1])], rel=1e-12
        )


def test_tukey_hsd_statistic_is_studentized_range():
    result = tukey_hsd(TUKEY_GROUPS, higher_is_better=True)

    mse = sum(np.sum((np.array(g) - np.mean(g)) ** 2) for g in TUKEY_GROUPS) / 12
    for item in result.pairs:
        q = abs(item.mean_difference) / math.sqrt(mse / 2 * (1 / 5 + 1 / 5))
        assert item.statistic == pytest.approx(q, rel=1e-12)
        assert item.pvalue_adjusted == pytest.approx(stats.studentized_range.sf(q, 3, 12), rel=1e-6)


def test_dunn_by_hand_with_ties():
    samples = [[1.0, 2.0, 2.0, 5.0], [2.0, 3.0, 3.0], [4.0, 5.0, 6.0, 6.0, 7.0]]
    pooled = np.concatenate(samples)
    ranks = stats.rankdata(-pooled)
    total = pooled.size
    sizes = [4, 3, 5]
    bounds = np.cumsum([0, *sizes])
    mean_ranks = [ranks[bounds[i] : bounds[i + 1]].mean() for i in range(3)]
    _, counts = np.unique(pooled, return_counts=True)
    variance = total * (total + 1) / 12 - np.sum(counts**3 - counts) / (12 * (total - 1))

    result = dunn(samples, higher_is_better=True, correction="bonferroni")

    assert result.candidates == ("2", "1", "0")
    for item in result.pairs:
        a, b = int(item.model_a), int(item.model_b)
        z = (mean_ranks[a] - mean_ranks[b]) / math.sqrt(variance * (1 / sizes[a] + 1 / sizes[b]))
        assert item.statistic == pytest.approx(z, rel=1e-12)
        assert item.pvalue == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
        assert item.pvalue_adjusted == pytest.approx(min(1.0, 3 * item.pvalue), rel=1e-12)


def test_dunn_mucociliary_direction():
    higher = dunn(MUCOCILIARY, higher_is_better=True)
    lower = dunn(MUCOCILIARY, higher_is_better=False)

    assert higher.candidates == tuple(reversed(lower.candidates))
    assert higher.p_matrix().loc["0", "1"] == pytest.approx(lower.p_matrix().loc["0", "1"], rel=1e-12)


# ---------------------------------------------------------------- cliques


def test_cliques_none_different_gives_one_clique():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(5, 4))

    result = nemenyi(values, higher_is_better=True)

    assert not any(item.reject for item in result.pairs)
    assert cliques(result) == (result.candidates,)


def test_cliques_overlapping_runs_from_matrix():
    names = ["a", "b", "c", "d", "e"]
    pvalues = np.full((5, 5), 0.5)
    np.fill_diagonal(pvalues, np.nan)
    for first, second in [(0, 2), (0, 3), (0, 4), (1, 4)]:
        pvalues[first, second] = pvalues[second, first] = 0.001
    matrix = pd.DataFrame(pvalues, index=names, columns=names)

    assert cliques(matrix) == (("a", "b"), ("b", "c", "d"), ("c", "d", "e"))
    assert cliques(matrix, alpha=0.0001) == (tuple(names),)


def test_cliques_zero_pvalue_is_significant():
    matrix = pd.DataFrame([[np.nan, 0.0], [0.0, np.nan]], index=["a", "b"], columns=["a", "b"])

    assert cliques(matrix) == (("a",), ("b",))


def test_cliques_rejects_control_result_and_alpha():
    result = holm_vs_control(ROUNDING_TIMES, "0", higher_is_better=False)
    with pytest.raises(ValueError, match="only compares candidates with the control"):
        cliques(result)
    with pytest.raises(ValueError, match="alpha must be omitted"):
        cliques(nemenyi(ROUNDING_TIMES, higher_is_better=False), alpha=0.1)


def test_cliques_asymmetric_matrix_raises():
    matrix = pd.DataFrame([[np.nan, 0.01], [0.2, np.nan]], index=["a", "b"], columns=["a", "b"])

    with pytest.raises(ValueError, match="not symmetric"):
        cliques(matrix)


def test_cliques_match_brute_force():
    rng = np.random.default_rng(21)
    for _ in range(30):
        size = int(rng.integers(1, 8))
        significant = rng.random((size, size)) < 0.3
        significant = np.triu(significant, 1)
        significant = significant | significant.T
        names = [f"m{index}" for index in range(size)]
        matrix = pd.DataFrame(np.where(significant, 0.01, 0.5), index=names, columns=names)

        runs = [
            (start, end)
            for start in range(size)
            for end in range(start, size)
            if not significant[start : end + 1, start : end + 1].any()
        ]
        maximal = [
            tuple(names[start : end + 1])
            for start, end in runs
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in runs)
        ]

        assert cliques(matrix) == tuple(maximal)


# ---------------------------------------------------------------- properties and display


# statsmodels 0.15 runs gc.collect() on every Holm adjustment (about 60 ms in
# pytest), so the property test uses other corrections; Holm has its own tests.
PAIRED_TESTS = [
    nemenyi,
    functools.partial(conover_friedman, correction="bonferroni"),
    functools.partial(pairwise_wilcoxon, correction="fdr_bh"),
    functools.partial(pairwise_ttest, correction="hommel"),
]


# Small examples: tied Wilcoxon differences take scipy's permutation method,
# which cost about 0.1 s per pair at 9 blocks in a run of this file.
@settings(max_examples=40, deadline=None)
@given(
    values=arrays(np.float64, st.tuples(st.integers(3, 7), st.integers(2, 5)), elements=st.integers(0, 6).map(float)),
    permutation_seed=st.integers(0, 2**32 - 1),
    higher_is_better=st.booleans(),
)
def test_paired_posthoc_properties(values, permutation_seed, higher_is_better):
    names = [f"m{index}" for index in range(values.shape[1])]
    order = np.random.default_rng(permutation_seed).permutation(values.shape[1])
    for test in PAIRED_TESTS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateDataWarning)
            result = test(values, higher_is_better=higher_is_better, candidates=names)
            shuffled = test(values[:, order], higher_is_better=higher_is_better, candidates=[names[i] for i in order])

        assert result.candidates == shuffled.candidates
        pd.testing.assert_frame_equal(result.p_matrix(), shuffled.p_matrix())
        matrix = result.p_matrix()
        assert matrix.equals(matrix.T)
        assert np.all(np.isnan(np.diag(matrix.to_numpy())))
        for item in result.pairs:
            assert item.reject == (item.pvalue_adjusted <= result.alpha)
            for value in (item.pvalue, item.pvalue_adjusted):
                assert math.isnan(value) or 0.0 <= value <= 1.0


def test_posthoc_frame_text_and_html():
    result = nemenyi(ROUNDING_TIMES, higher_is_better=False, candidates=ROUNDING_METHODS)

    frame = result.to_frame()
    text = str(result)
    page = result._repr_html_()

    assert list(frame.columns) == [
        "model_a", "model_b", "statistic", "pvalue", "pvalue_adjusted", "reject",
        "rank_difference", "mean_difference",
    ]
    assert len(frame) == 3
    assert result.family_size == 3
    assert "Critical difference" in text
    assert "lower is better" in text
    assert "<table" in page


def test_posthoc_invalid_arguments_raise():
    with pytest.raises(ValueError, match="alpha must be strictly between 0 and 1"):
        nemenyi(ROUNDING_TIMES, higher_is_better=False, alpha=1.5)
    with pytest.raises(ValueError, match="correction must be one of"):
        conover_friedman(ROUNDING_TIMES, higher_is_better=False, correction="tukey")
    with pytest.raises(TypeError, match="higher_is_better"):
        nemenyi(ROUNDING_TIMES, higher_is_better="yes")
