"""Cases where a plausible implementation of nbcompare.stats gives a wrong number."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from nbcompare.exceptions import DegenerateDataWarning, MissingTrialsWarning, SmallSampleWarning
from nbcompare.stats import compare
from nbcompare.stats._correction import (
    adjust_pvalues,
    correction_names,
    normalize_correction,
    smallest_adjusted_pvalue,
)
from nbcompare.stats._signed_rank import choose_method, signed_rank_test


def seed_frame(values: dict[str, list[float]], metric: str = "loss") -> pd.DataFrame:
    rows = [
        {"candidate": name, "task": "only", "seed": seed, "metric": metric, "value": value}
        for name, column in values.items()
        for seed, value in enumerate(column)
    ]
    return pd.DataFrame(rows)


def quiet_compare(frame: pd.DataFrame, metric: str, **options):
    """compare() with SmallSampleWarning silenced, for tests about other things."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return compare(frame, metric, **options)


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
@pytest.mark.parametrize("n_zeros", [8, 30, 60])
def test_balanced_differences_with_zeros_not_significant(zero_method, n_zeros):
    # One +1 and one -1 difference plus many zeros: no evidence of a difference.
    # 10 pairs use the permutation method, 32 and 62 the normal approximation.
    base = [float(seed) for seed in range(n_zeros + 2)]
    other = [value + shift for value, shift in zip(base, [1.0, -1.0] + [0.0] * n_zeros)]

    result = quiet_compare(
        seed_frame({"a": base, "b": other}), "loss", higher_is_better=False, zero_method=zero_method
    )
    pair = result.pairwise[0]

    assert pair.pvalue == pytest.approx(1.0)
    assert not pair.reject
    assert pair.effect_size == 0.0


def test_lower_is_better_ranks_lowest_first():
    values = {
        "high_loss": [0.9, 0.8, 0.95, 0.85, 0.9, 0.88],
        "low_loss": [0.1, 0.2, 0.15, 0.12, 0.11, 0.18],
        "mid_loss": [0.5, 0.45, 0.55, 0.52, 0.48, 0.51],
    }

    result = quiet_compare(seed_frame(values), "loss", higher_is_better=False)

    assert result.candidates == ("low_loss", "mid_loss", "high_loss")
    assert [row.mean_rank for row in result.summary] == [1.0, 2.0, 3.0]
    first = result.pairwise[0]
    assert (first.model_a, first.model_b) == ("low_loss", "mid_loss")
    assert first.effect_size == 1.0
    # The raw mean difference is not oriented: low minus mid is negative.
    assert first.mean_difference < 0
    assert result.effect_matrix().loc["low_loss", "high_loss"] == 1.0


def test_nan_pair_leaves_family_finite():
    # "twin" equals "base" on every seed, so that pair has only zero differences.
    base = [0.50, 0.52, 0.49, 0.55, 0.51, 0.53, 0.50, 0.54, 0.48]
    values = {"base": base, "twin": list(base), "better": [v - 0.1 - 0.001 * i for i, v in enumerate(base)]}

    with pytest.warns(DegenerateDataWarning, match="'base' vs 'twin'|'twin' vs 'base'"):
        result = compare(seed_frame(values), "loss", higher_is_better=False)

    undefined = [test for test in result.pairwise if {test.model_a, test.model_b} == {"base", "twin"}]
    defined = [test for test in result.pairwise if test not in undefined]
    assert np.isnan(undefined[0].pvalue)
    assert np.isnan(undefined[0].pvalue_adjusted)
    assert not undefined[0].reject
    assert undefined[0].method == "undefined"
    assert result.family_size == 2
    for test in defined:
        assert np.isfinite(test.pvalue_adjusted)
        # Holm over the 2 real tests: both have p = 2/2**9, so adjusted = 2 * 2/2**9.
        assert test.pvalue_adjusted == pytest.approx(2 * 2 / 2**9)
        assert test.reject
    assert any("left out of the Holm family" in note for note in result.notes)
    assert np.isnan(result.p_matrix().loc["base", "twin"])


def test_nan_pvalue_excluded_from_correction_helper():
    family = adjust_pvalues(np.array([0.01, np.nan, 0.04]), "holm", 0.05)

    # Holm over the 2 finite p-values only: 0.01 * 2 = 0.02, max(0.02, 0.04 * 1) = 0.04.
    np.testing.assert_allclose(family.adjusted[[0, 2]], [0.02, 0.04])
    assert np.isnan(family.adjusted[1])
    assert family.reject.tolist() == [True, False, True]
    assert family.family_size == 2


def test_all_nan_family():
    family = adjust_pvalues(np.array([np.nan, np.nan]), "holm", 0.05)

    assert np.isnan(family.adjusted).all()
    assert not family.reject.any()
    assert family.family_size == 0


@pytest.mark.parametrize("correction", sorted({normalize_correction(name) for name in correction_names()}))
def test_tiny_pvalue_stays_positive(correction):
    family = adjust_pvalues(np.array([1e-40, 0.01, 0.02]), correction, 0.05)

    assert family.adjusted[0] > 0
    assert family.reject[0]


def test_missing_trial_drops_block():
    values = {
        "a": [0.30, 0.31, 0.29, 0.32, 0.30, 0.28, 0.31],
        "b": [0.40, np.nan, 0.41, 0.43, 0.39, 0.42, 0.40],
        "c": [0.50, 0.52, 0.49, 0.51, 0.50, 0.53, 0.48],
    }

    with pytest.warns(MissingTrialsWarning, match=r"seed 1 \(no value for 'b'\)") as records:
        result = quiet_compare(seed_frame(values), "loss", higher_is_better=False)

    assert records[0].filename == __file__
    assert result.dropped_blocks == ("1",)
    assert result.n_blocks == 6
    assert 1 not in result.matrix.index
    assert all(row.n == 6 for row in result.summary)
    assert any("seed 1" in note for note in result.notes)


def test_missing_row_counts_as_missing_trial():
    frame = seed_frame({"a": [0.1, 0.2, 0.3, 0.4], "b": [0.5, 0.6, 0.7, 0.8]})
    frame = frame.drop(index=frame.index[(frame["candidate"] == "a") & (frame["seed"] == 2)])

    with pytest.warns(MissingTrialsWarning, match="seed 2"):
        result = quiet_compare(frame, "loss", higher_is_better=False)

    assert result.dropped_blocks == ("2",)


def test_two_candidates_use_wilcoxon_omnibus():
    values = {"a": [0.1, 0.25, 0.32, 0.4, 0.55, 0.61], "b": [0.2, 0.3, 0.35, 0.5, 0.6, 0.7]}

    result = quiet_compare(seed_frame(values), "loss", higher_is_better=False)

    assert result.omnibus.test == "wilcoxon"
    assert result.omnibus.k == 2
    assert result.omnibus.df is None
    assert result.omnibus.statistic == result.pairwise[0].statistic


def holm_blocks_needed(family_size: int, alpha: float) -> int:
    """Smallest n with family_size * 2/2**n <= alpha, the Holm bound on the smallest p."""
    n = 1
    while family_size * 2 / 2**n > alpha:
        n += 1
    return n


def test_five_seeds_warn_with_blocks_needed():
    values = {
        "a": [0.10, 0.11, 0.12, 0.13, 0.14],
        "b": [0.20, 0.22, 0.24, 0.26, 0.28],
        "c": [0.30, 0.33, 0.36, 0.39, 0.42],
    }
    # Holm over 3 pairs: the smallest adjusted p is 3 * 2/2**n. n = 6 gives
    # 0.09375 > 0.05 and n = 7 gives 0.046875 <= 0.05, so 7 seeds are needed.
    needed = holm_blocks_needed(3, 0.05)
    assert needed == 7

    with pytest.warns(SmallSampleWarning, match=f"At least {needed} seeds are needed") as records:
        result = compare(seed_frame(values), "loss", higher_is_better=False)

    assert records[0].filename == __file__
    note = next(note for note in result.notes if "Wilcoxon" in note)
    assert "2/2**5 = 0.0625" in note
    assert "0.1875" in note
    assert f"At least {needed} seeds are needed" in note
    assert not any(test.reject for test in result.pairwise)


def test_two_candidates_five_seeds_need_six():
    values = {"a": [0.10, 0.11, 0.12, 0.13, 0.14], "b": [0.20, 0.22, 0.24, 0.26, 0.28]}
    # One test: 2/2**5 = 0.0625 > 0.05 and 2/2**6 = 0.03125 <= 0.05.
    needed = holm_blocks_needed(1, 0.05)
    assert needed == 6

    with pytest.warns(SmallSampleWarning, match=f"At least {needed} seeds are needed"):
        compare(seed_frame(values), "loss", higher_is_better=False)


def test_enough_seeds_do_not_warn():
    values = {
        "a": [0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16],
        "b": [0.20, 0.22, 0.24, 0.26, 0.28, 0.30, 0.32],
        "c": [0.30, 0.33, 0.36, 0.39, 0.42, 0.45, 0.48],
    }

    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        result = compare(seed_frame(values), "loss", higher_is_better=False)

    assert all(test.reject for test in result.pairwise)
    assert result.significant_lead


def test_friedman_two_blocks_warn():
    values = {"a": [0.1, 0.2], "b": [0.3, 0.4], "c": [0.5, 0.6]}
    # The largest Friedman statistic with n blocks and k = 3 is 2n. The chi-square(2)
    # tail at 4 is 0.1353 > 0.05 and at 6 is 0.0498 <= 0.05, so 3 blocks are needed.
    assert stats.chi2.sf(4, 2) > 0.05
    assert stats.chi2.sf(6, 2) <= 0.05

    with pytest.warns(SmallSampleWarning) as records:
        result = compare(seed_frame(values), "loss", higher_is_better=False)

    messages = [str(record.message) for record in records]
    friedman = [message for message in messages if "Friedman" in message]
    assert len(friedman) == 1
    assert "At least 3 seeds are needed" in friedman[0]
    assert result.omnibus.statistic == pytest.approx(4.0)


def test_fdr_small_sample_uses_its_own_bound():
    values = {
        "a": [0.10, 0.11, 0.12, 0.13, 0.14, 0.15],
        "b": [0.20, 0.22, 0.24, 0.26, 0.28, 0.30],
        "c": [0.30, 0.33, 0.36, 0.39, 0.42, 0.45],
    }
    # Benjamini-Hochberg on a family of equal p-values leaves them unchanged, so
    # 6 seeds (2/2**6 = 0.03125) can reach alpha, unlike Holm (3 * 0.03125).
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        result = compare(seed_frame(values), "loss", higher_is_better=False, correction="fdr_bh")
    assert all(test.reject for test in result.pairwise)

    with pytest.warns(SmallSampleWarning, match="At least 7 seeds"):
        compare(seed_frame(values), "loss", higher_is_better=False, correction="holm")


def test_all_tied_friedman_is_nan_and_warns():
    values = {"a": [0.1, 0.2, 0.3], "b": [0.1, 0.2, 0.3], "c": [0.1, 0.2, 0.3]}

    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        result = compare(seed_frame(values), "loss", higher_is_better=False)

    degenerate = [str(r.message) for r in records if r.category is DegenerateDataWarning]
    assert sum("Friedman test is undefined" in message for message in degenerate) == 1
    assert sum("Wilcoxon test of" in message for message in degenerate) == 3
    assert np.isnan(result.omnibus.pvalue)
    assert result.omnibus.method == "undefined"
    assert result.family_size == 0
    assert not result.significant_lead


def test_all_zero_differences_zsplit_give_p_one():
    values = {"a": [0.1, 0.2, 0.3, 0.4], "b": [0.1, 0.2, 0.3, 0.4]}

    result = quiet_compare(seed_frame(values), "loss", higher_is_better=False, zero_method="zsplit")

    assert result.pairwise[0].pvalue == 1.0
    assert result.pairwise[0].effect_size == 0.0
    assert result.family_size == 1


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt"])
@pytest.mark.parametrize("n", [5, 20])
def test_all_zero_differences_undefined_at_any_size(zero_method, n):
    # scipy returns p = 1 for 5 pairs (permutation) but NaN for 20 (normal
    # approximation); the result must not depend on which path scipy takes.
    result = signed_rank_test(np.zeros(n), zero_method)

    assert np.isnan(result.pvalue)
    assert result.method == "undefined"


@pytest.mark.parametrize(
    "differences",
    [
        [0.3, -0.1, 0.5, 0.7, 0.2, -0.4, 0.9],  # no ties or zeros: exact
        [0.3, -0.3, 0.5, 0.7, 0.0, -0.4, 0.9],  # tie and zero, n <= 13: permutation
        list(np.linspace(-0.5, 2.0, 20).round(1)) + [0.0],  # ties, n > 13: asymptotic
        list(np.linspace(-1.0, 3.0, 60)),  # n > 50: asymptotic
    ],
)
@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
def test_pvalue_matches_scipy_auto(differences, zero_method):
    d = np.array(differences)

    result = signed_rank_test(d, zero_method)
    expected = stats.wilcoxon(d, zero_method=zero_method)

    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.statistic == expected.statistic


def test_choose_method_names():
    assert choose_method(np.array([0.3, -0.1, 0.5])) == "exact"
    assert choose_method(np.array([0.3, -0.3, 0.5])) == "permutation"
    assert choose_method(np.array([0.0, 0.1, 0.5])) == "permutation"
    assert choose_method(np.array([0.5] * 14)) == "asymptotic"
    assert choose_method(np.arange(1.0, 52.0)) == "asymptotic"


def test_holm_matches_statsmodels_on_family():
    pvalues = np.array([0.004, 0.03, 0.011, 0.2])

    family = adjust_pvalues(pvalues, "holm", 0.05)
    reject, adjusted, _, _ = multipletests(pvalues, alpha=0.05, method="holm")

    np.testing.assert_allclose(family.adjusted, adjusted)
    assert family.reject.tolist() == reject.tolist()


def test_unknown_correction_lists_names():
    with pytest.raises(ValueError) as error:
        normalize_correction("tukey")

    message = str(error.value)
    for name in ("holm", "bonferroni", "fdr_bh", "hommel"):
        assert re.search(rf"'{name}'", message), name
    assert "'tukey'" in message


def test_sidak_single_pvalue_not_below_raw():
    # statsmodels 0.15 computes -expm1(1 * log1p(-0.25)) = 0.24999999999999997.
    family = adjust_pvalues(np.array([0.25]), "sidak", 0.05)

    assert family.adjusted[0] >= 0.25


@pytest.mark.parametrize("family_size", [1, 2, 3, 6, 10])
def test_holm_bound_equals_statsmodels_holm(family_size):
    min_pvalue = 2 / 2**5
    _, adjusted, _, _ = multipletests(np.full(family_size, min_pvalue), method="holm")

    bound = smallest_adjusted_pvalue(min_pvalue, family_size, "holm", 0.05)

    assert bound == pytest.approx(adjusted.min(), rel=1e-15)


def test_thousands_of_blocks_do_not_overflow():
    # The minimum attainable p-value 2 / 2**n once overflowed for n >= 1024 blocks.
    rng = np.random.default_rng(0)
    n = 1100
    frame = pd.DataFrame({
        "candidate": ["a"] * n + ["b"] * n,
        "task": "t",
        "seed": list(range(n)) * 2,
        "metric": "m",
        "value": np.concatenate([rng.normal(0.0, 1.0, n), rng.normal(0.5, 1.0, n)]),
    })
    comparison = compare(frame, "m", higher_is_better=True)
    assert comparison.n_blocks == n
    assert 0.0 <= comparison.omnibus.pvalue < 1e-10
