"""Nadeau–Bengio tests of k >= 3 candidates over cross-validation splits: pairwise family and global test."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import TTestPower

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.report._text import omnibus_sentence, pairwise_table
from nbcompare.stats import compare, nadeau_bengio_t
from nbcompare.stats._planned import _nadeau_bengio_detectable_effect
from nbcompare.stats._posthoc import pairwise_nadeau_bengio, pairwise_ttest

FOLDS = 10


def cv_frame(shifts: dict[str, float], repeats: int = 3, folds: int = FOLDS, seed: int = 7,
             metric: str = "acc") -> pd.DataFrame:
    """Tidy rows of `repeats` x `folds` cross-validation splits, one task, seed = repeat.

    Every split has a shared difficulty, so the candidates' values are
    correlated within a split; each candidate's mean is 0.8 plus its shift.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for repeat in range(repeats):
        for fold in range(folds):
            difficulty = rng.normal(0.0, 0.03)
            for name, shift in shifts.items():
                rows.append({
                    "candidate": name, "task": "t", "seed": repeat, "fold": fold, "metric": metric,
                    "value": 0.8 + difficulty + shift + rng.normal(0.0, 0.01),
                })
    return pd.DataFrame(rows)


def split_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the splits x candidates matrix of `frame`."""
    return frame.pivot_table(index=["seed", "fold"], columns="candidate", values="value")


THREE = {"a": 0.015, "b": 0.0, "c": -0.01}
FOUR = {"a": 0.02, "b": 0.01, "c": 0.0, "d": 0.0}


# ---------------------------------------------------------------- one pair


def test_pair_equals_nadeau_bengio_t():
    matrix = split_matrix(cv_frame(THREE))

    result = pairwise_nadeau_bengio(matrix, higher_is_better=True, n_train=FOLDS - 1, n_test=1)
    pair = next(p for p in result.pairs if {p.model_a, p.model_b} == {"a", "c"})
    d = (matrix[pair.model_a] - matrix[pair.model_b]).to_numpy()
    reference = nadeau_bengio_t(d, n_train=FOLDS - 1, n_test=1)

    assert pair.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert pair.pvalue == pytest.approx(reference.pvalue, rel=1e-12)
    assert result.df == reference.df


def test_pair_matches_hand_formula():
    matrix = split_matrix(cv_frame(THREE))
    d = (matrix["a"] - matrix["b"]).to_numpy()
    n_splits = d.size
    # t = mean(d) / sqrt((1/J + n_test/n_train) * var(d, ddof=1)) with df = J - 1;
    # 10-fold cross-validation gives n_test / n_train = 1 / 9.
    t = d.mean() / math.sqrt((1 / n_splits + 1 / 9) * d.var(ddof=1))
    p = 2 * stats.t.sf(abs(t), n_splits - 1)

    result = pairwise_nadeau_bengio(matrix, higher_is_better=True, n_train=9, n_test=1)
    pair = next(p for p in result.pairs if (p.model_a, p.model_b) == ("a", "b"))

    assert n_splits == 30
    assert result.df == n_splits - 1
    assert pair.statistic == pytest.approx(t, rel=1e-12)
    assert pair.pvalue == pytest.approx(p, rel=1e-12)


def test_family_adjusted_by_holm():
    matrix = split_matrix(cv_frame(FOUR))

    result = pairwise_nadeau_bengio(matrix, higher_is_better=True, n_train=9, n_test=1)
    raw = np.array([pair.pvalue for pair in result.pairs])
    order = np.argsort(raw)
    m = raw.size
    holm = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * raw[order]))
    expected = np.empty(m)
    expected[order] = holm

    assert result.method == "nadeau-bengio"
    assert result.correction == "holm"
    assert result.family_size == 6
    assert [pair.pvalue_adjusted for pair in result.pairs] == pytest.approx(expected, rel=1e-12)
    for pair in result.pairs:
        assert pair.reject == (pair.pvalue_adjusted <= 0.05)


def test_pairs_best_first_by_mean_rank():
    matrix = split_matrix(cv_frame(FOUR))

    result = pairwise_nadeau_bengio(matrix, higher_is_better=True, n_train=9, n_test=1)

    assert result.candidates[0] == "a"
    assert list(result.mean_ranks) == sorted(result.mean_ranks)
    for pair in result.pairs:
        assert result.candidates.index(pair.model_a) < result.candidates.index(pair.model_b)


def test_constant_differences_left_out():
    matrix = split_matrix(cv_frame(THREE))
    matrix["twin"] = matrix["a"] + 0.01

    with pytest.warns(DegenerateDataWarning, match="zero variance"):
        result = pairwise_nadeau_bengio(matrix, higher_is_better=True, n_train=9, n_test=1)
    pair = next(p for p in result.pairs if {p.model_a, p.model_b} == {"a", "twin"})

    assert math.isnan(pair.statistic)
    assert math.isnan(pair.pvalue)
    assert math.isnan(pair.pvalue_adjusted)
    assert not pair.reject
    assert result.family_size == 5


def test_invalid_split_size_named():
    matrix = split_matrix(cv_frame(THREE))

    with pytest.raises(ValueError, match="n_train must be a positive integer"):
        pairwise_nadeau_bengio(matrix, higher_is_better=True, n_train=0, n_test=1)


# ---------------------------------------------------------------- compare over folds


@pytest.mark.parametrize("shifts", [THREE, FOUR], ids=["k3", "k4"])
def test_auto_picks_nadeau_bengio(shifts):
    result = compare(cv_frame(shifts), "acc", higher_is_better=True, test="auto")
    k = len(shifts)

    assert result.design.blocks == "fold"
    assert result.design.n_folds == FOLDS
    assert result.omnibus.test == "nadeau-bengio"
    assert result.posthoc.method == "nadeau-bengio"
    assert {test.test for test in result.pairwise} == {"nadeau-bengio"}
    assert result.family_size == k * (k - 1) // 2
    assert len(result.pairwise) == k * (k - 1) // 2
    for test in result.pairwise:
        assert 0 <= test.pvalue <= 1
        assert 0 <= test.pvalue_adjusted <= 1
        assert test.reject == (test.pvalue_adjusted <= result.alpha)


def test_global_test_from_family():
    result = compare(cv_frame(FOUR), "acc", higher_is_better=True, test="auto")

    assert result.omnibus.pvalue == min(test.pvalue_adjusted for test in result.pairwise)
    assert result.omnibus.statistic == max(abs(test.statistic) for test in result.pairwise)
    assert result.omnibus.df == result.n_blocks - 1
    assert result.omnibus.k == 4
    assert any("global (union–intersection) test" in reason for reason in result.reasons)
    assert any("not independent" in reason for reason in result.reasons)


def test_forced_and_default_match_auto():
    frame = cv_frame(THREE)

    auto = compare(frame, "acc", higher_is_better=True, test="auto")
    forced = compare(frame, "acc", higher_is_better=True, test="nadeau-bengio")
    default = compare(frame, "acc", higher_is_better=True)

    for result in (forced, default):
        assert result.omnibus == auto.omnibus
        assert result.pairwise == auto.pairwise


def test_candidate_order_invariant():
    frame = cv_frame(FOUR)
    shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)

    first = compare(frame, "acc", higher_is_better=True, test="auto")
    second = compare(shuffled, "acc", higher_is_better=True, test="auto",
                     candidates=["d", "c", "b", "a"])

    assert first.candidates == second.candidates
    assert first.omnibus.statistic == pytest.approx(second.omnibus.statistic, rel=1e-12)
    assert first.omnibus.pvalue == pytest.approx(second.omnibus.pvalue, rel=1e-12)
    for one, other in zip(first.pairwise, second.pairwise):
        assert (one.model_a, one.model_b) == (other.model_a, other.model_b)
        assert one.statistic == pytest.approx(other.statistic, rel=1e-12)
        assert one.pvalue_adjusted == pytest.approx(other.pvalue_adjusted, rel=1e-12)


def test_lower_is_better_puts_lowest_first():
    frame = cv_frame({"slow": 0.03, "mid": 0.015, "fast": 0.0}, metric="loss")

    result = compare(frame, "loss", higher_is_better=False, test="auto")

    assert result.candidates[0] == "fast"
    assert result.best == "fast"
    for test in result.pairwise:
        if test.model_a == "fast":
            assert test.effect_size > 0
            assert test.mean_difference < 0
    for pair in result.effect_sizes:
        if pair.model_a == "fast":
            assert pair.effect_size.estimate > 0


def test_mean_difference_interval_corrected():
    frame = cv_frame(THREE)
    result = compare(frame, "acc", higher_is_better=True, test="auto")
    matrix = split_matrix(frame)

    for test in result.pairwise:
        d = (matrix[test.model_a] - matrix[test.model_b]).to_numpy()
        reference = nadeau_bengio_t(d, n_train=FOLDS - 1, n_test=1)
        assert test.ci_low == pytest.approx(reference.ci_low, rel=1e-12)
        assert test.ci_high == pytest.approx(reference.ci_high, rel=1e-12)


def test_effect_size_without_interval():
    result = compare(cv_frame(THREE), "acc", higher_is_better=True, test="auto")

    for pair in result.effect_sizes:
        assert pair.effect_size.name == "Cohen's d_z"
        assert math.isnan(pair.effect_size.ci_low)
        assert "share training data" in pair.effect_size.ci_method


def test_missing_fold_column_raises():
    frame = cv_frame(THREE).rename(columns={"fold": "repeat"})

    with pytest.raises(ValueError, match="no 'fold' column.*Add a 'fold' column"):
        compare(frame, "acc", higher_is_better=True, test="auto")


def test_unequal_fold_counts_raise():
    frame = cv_frame(THREE)
    frame = frame[~((frame["seed"] == 0) & (frame["fold"] == 9))]

    with pytest.raises(ValueError, match=r"different numbers of folds \[9, 10\]"):
        compare(frame, "acc", higher_is_better=True, test="auto")


def test_fold_labels_across_repeats_counted_per_repeat():
    frame = cv_frame(THREE)
    relabelled = frame.assign(fold=frame["fold"] + FOLDS * frame["seed"])

    first = compare(frame, "acc", higher_is_better=True, test="auto")
    second = compare(relabelled, "acc", higher_is_better=True, test="auto")

    assert second.design.n_folds == FOLDS
    assert second.omnibus.pvalue == pytest.approx(first.omnibus.pvalue, rel=1e-12)


def test_rank_posthoc_rejected_on_folds():
    with pytest.raises(ValueError, match="share training data.*posthoc='nadeau-bengio'"):
        compare(cv_frame(THREE), "acc", higher_is_better=True, test="auto", posthoc="wilcoxon")


def test_nadeau_bengio_posthoc_needs_folds():
    frame = cv_frame(THREE, repeats=6)
    frame = frame[frame["fold"] == 0].drop(columns="fold")

    with pytest.raises(ValueError, match="needs cross-validation splits as blocks"):
        compare(frame, "acc", higher_is_better=True, test="auto", posthoc="nadeau-bengio")


def test_forced_friedman_on_folds_noted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(cv_frame(THREE), "acc", higher_is_better=True, test="friedman")

    assert result.omnibus.test == "friedman"
    assert any("share training data" in note and "too small" in note for note in result.notes)


def test_two_candidates_unchanged():
    frame = cv_frame({"a": 0.005, "b": 0.0})
    matrix = split_matrix(frame)
    d = (matrix["a"] - matrix["b"]).to_numpy()
    reference = nadeau_bengio_t(d, n_train=FOLDS - 1, n_test=1)

    result = compare(frame, "acc", higher_is_better=True, test="auto")

    assert result.omnibus.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.omnibus.pvalue == pytest.approx(reference.pvalue, rel=1e-12)
    assert result.pairwise[0].ci_low == pytest.approx(reference.ci_low, rel=1e-12)


def test_power_note_uses_corrected_variance():
    result = compare(cv_frame(THREE), "acc", higher_is_better=True, test="auto")
    paired_t = TTestPower().solve_power(effect_size=None, nobs=30, alpha=0.05 / 3, power=0.8)

    assert "Nadeau–Bengio test" in result.power[0]
    # With many folds the correction vanishes and the paired t power remains.
    assert _nadeau_bengio_detectable_effect(30, 10**9, 0.05 / 3) == pytest.approx(paired_t, rel=1e-4)
    assert _nadeau_bengio_detectable_effect(30, 10, 0.05 / 3) > 2 * paired_t


# ---------------------------------------------------------------- text


def test_text_reads_well():
    result = compare(cv_frame(THREE), "acc", higher_is_better=True, test="auto")

    text = str(result)
    sentence = omnibus_sentence(result)
    table = pairwise_table(result)

    assert "Nadeau–Bengio corrected t" in text
    assert "Global test of the pairwise Nadeau–Bengio corrected t tests" in text
    assert "smallest Holm-adjusted p =" in text
    assert "uncorrected) = " not in text.split("Pairwise")[0]
    assert "global (union–intersection) test" in text
    assert "smallest Holm-adjusted p =" in sentence
    assert f"largest |t|(29) = {result.omnibus.statistic:.4g}" in sentence
    assert "across 3 candidates with 30 folds as blocks" in sentence
    assert table.shape[0] == 3
    assert "p (Nadeau–Bengio corrected t, Holm)" in table.columns


# ---------------------------------------------------------------- simulation


def null_splits(rng: np.random.Generator, k: int, n_splits: int, correlation: float) -> np.ndarray:
    """Draw splits x candidates values with no true difference and correlated split-wise differences.

    Each candidate gets one random component shared by all its splits, which
    models the training data the splits share. With total variance 1 it gives
    the differences of a pair the correlation `correlation` between splits.
    """
    shared = rng.normal(0.0, math.sqrt(correlation), size=(1, k))
    own = rng.normal(0.0, math.sqrt(1 - correlation), size=(n_splits, k))
    difficulty = rng.normal(0.0, 1.0, size=(n_splits, 1))
    return difficulty + shared + own


def test_global_null_family_wise_rate():
    # 3 repeats of 10-fold CV, k = 4 candidates, between-split correlation of
    # the differences 0.1 = n_test / (n_train + n_test), the value for which the
    # Nadeau–Bengio variance factor is exact. Holm's smallest adjusted p-value
    # equals Bonferroni's, min(1, m * p_min), so both global tests run with
    # Bonferroni, which avoids statsmodels' slow Holm path.
    # Measured with this seed over 2000 draws: the Nadeau–Bengio global test
    # rejects in 4.9% of them (bound 0.05 + 3 SE = 6.5%). Uncorrected paired t
    # tests on the same splits (pairwise_ttest) reject in 55.8%, because they
    # treat the 30 correlated splits as independent.
    rng = np.random.default_rng(20240611)
    alpha, draws, k, n_splits = 0.05, 2000, 4, 30
    corrected = uncorrected = 0
    for _ in range(draws):
        values = null_splits(rng, k, n_splits, correlation=0.1)
        family = pairwise_nadeau_bengio(values, higher_is_better=True, alpha=alpha,
                                        correction="bonferroni", n_train=9, n_test=1)
        corrected += min(pair.pvalue_adjusted for pair in family.pairs) <= alpha
        naive = pairwise_ttest(values, higher_is_better=True, alpha=alpha, correction="bonferroni")
        uncorrected += min(pair.pvalue_adjusted for pair in naive.pairs) <= alpha
    standard_error = math.sqrt(alpha * (1 - alpha) / draws)

    assert corrected / draws <= alpha + 3 * standard_error
    assert uncorrected / draws > 5 * alpha
