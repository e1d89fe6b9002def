"""Design detection, overrides and the Skillings–Mack test for incomplete blocks."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nbcompare.exceptions import MissingTrialsWarning
from nbcompare.stats import compare, skillings_mack
from nbcompare.stats._incomplete import adjusted_rank_sums, null_covariance
from nbcompare.stats._omnibus import friedman


def tidy(values: dict[str, list[float]], task: str = "t", seeds: dict[str, list[int]] | None = None):
    rows = []
    for name, column in values.items():
        labels = seeds[name] if seeds else range(len(column))
        for seed, value in zip(labels, column):
            rows.append({"candidate": name, "task": task, "seed": seed, "metric": "acc", "value": value})
    return pd.DataFrame(rows)


RNG = np.random.default_rng(7)
PAIRED = {name: list(RNG.normal(shift, 1.0, 8)) for name, shift in (("a", 0.0), ("b", 0.3), ("c", 0.6))}


def test_one_task_seeds_are_blocks():
    design = compare(tidy(PAIRED), "acc", higher_is_better=True, test="auto").design

    assert design.paired is True
    assert design.blocks == "seed"
    assert design.k == 3
    assert design.n_blocks == 8
    assert design.unit == "the seed"


def test_several_tasks_make_task_the_unit():
    frames = [tidy(PAIRED, task=f"task{index}") for index in range(4)]
    design = compare(pd.concat(frames), "acc", higher_is_better=True, test="auto").design

    assert design.blocks == "task"
    assert design.n_blocks == 4
    assert any("experimental unit is the task" in reason for reason in design.reasons)


def test_default_path_records_design():
    result = compare(tidy(PAIRED), "acc", higher_is_better=True)

    assert result.design.paired is True
    assert result.design.blocks == "seed"
    assert result.requested_test == ""
    assert result.omnibus.test == "friedman"


def test_disjoint_seeds_are_independent():
    seeds = {"a": list(range(8)), "b": list(range(10, 18)), "c": list(range(20, 28))}
    result = compare(tidy(PAIRED, seeds=seeds), "acc", higher_is_better=True, test="auto")

    assert result.design.paired is False
    assert any("independent samples" in reason for reason in result.design.reasons)
    assert result.omnibus.test in ("anova", "welch-anova", "kruskal-wallis")


def test_paired_true_on_disjoint_seeds_raises():
    seeds = {"a": list(range(8)), "b": list(range(10, 18)), "c": list(range(20, 28))}

    with pytest.raises(ValueError, match="paired=True needs at least 2 seeds"):
        compare(tidy(PAIRED, seeds=seeds), "acc", higher_is_better=True, paired=True)


def test_paired_false_override_is_recorded():
    result = compare(tidy(PAIRED), "acc", higher_is_better=True, paired=False, test="auto")

    assert result.design.paired is False
    assert any("as requested (paired=False)" in reason for reason in result.design.reasons)


def test_invalid_blocks_named():
    with pytest.raises(ValueError, match="blocks must be one of"):
        compare(tidy(PAIRED), "acc", higher_is_better=True, blocks="epoch")


def cv_frame(shift: float, repeats: int = 3, folds: int = 5):
    rng = np.random.default_rng(3)
    rows = []
    for repeat in range(repeats):
        for fold in range(folds):
            base = rng.normal(0.8, 0.02)
            for name, offset in (("a", shift), ("b", 0.0)):
                rows.append({
                    "candidate": name, "task": "t", "seed": 0, "repeat": repeat, "fold": fold,
                    "metric": "acc", "value": base + offset + rng.normal(0, 0.005),
                })
    return pd.DataFrame(rows)


def test_fold_columns_use_nadeau_bengio():
    result = compare(cv_frame(0.01), "acc", higher_is_better=True)

    assert result.design.blocks == "fold"
    assert result.design.n_folds == 5
    assert result.design.n_blocks == 15
    assert result.omnibus.test == "nadeau-bengio"
    assert result.pairwise[0].test == "nadeau-bengio"


def test_nadeau_bengio_matches_formula():
    frame = cv_frame(0.004)
    result = compare(frame, "acc", higher_is_better=True, test="nadeau-bengio")
    wide = frame.pivot_table(index=["repeat", "fold"], columns="candidate", values="value")
    d = (wide["a"] - wide["b"]).to_numpy()
    # 5 folds: n_test / n_train = 1 / 4.
    t = d.mean() / np.sqrt((1 / d.size + 1 / 4) * d.var(ddof=1))

    assert result.omnibus.statistic == pytest.approx(t)
    assert result.omnibus.pvalue == pytest.approx(2 * stats.t.sf(abs(t), d.size - 1))


def test_seed_blocks_average_folds():
    frame = pd.concat([cv_frame(0.01).assign(seed=seed) for seed in range(3)])

    result = compare(frame, "acc", higher_is_better=True, blocks="seed")

    assert result.design.blocks == "seed"
    assert result.n_blocks == 3
    assert any("mean over its cross-validation splits" in reason for reason in result.reasons)


# ---------------------------------------------------------------- Skillings–Mack


def test_skillings_mack_equals_friedman_without_missing():
    values = np.random.default_rng(11).normal(size=(9, 4))

    result = skillings_mack(values)

    assert result.statistic == pytest.approx(stats.friedmanchisquare(*values.T).statistic)
    assert result.df == 3
    assert result.pvalue == pytest.approx(stats.chi2.sf(result.statistic, 3))


def test_skillings_mack_with_ties_equals_uncorrected_friedman():
    values = np.round(np.random.default_rng(12).normal(size=(10, 4)), 0)

    result = skillings_mack(values)

    assert result.statistic == pytest.approx(friedman(values, tie_correction=False).statistic)


def test_skillings_mack_covariance_by_enumeration():
    # Three blocks with missing cells: enumerate every within-block ordering of
    # the observed values, which are equally likely under H0, and compare the
    # exact mean and covariance of A with the closed form.
    pattern = np.array([
        [1.0, 2.0, np.nan, 4.0],
        [np.nan, 1.0, 3.0, 2.0],
        [3.0, 1.0, 2.0, 4.0],
    ])
    observed = ~np.isnan(pattern)
    per_block = []
    for row, present in zip(pattern, observed):
        orderings = []
        for permutation in itertools.permutations(row[present]):
            filled = np.full(row.shape, np.nan)
            filled[present] = permutation
            orderings.append(filled)
        per_block.append(orderings)
    sums = np.array([
        adjusted_rank_sums(np.vstack(choice)) for choice in itertools.product(*per_block)
    ])

    assert np.allclose(sums.mean(axis=0), 0.0)
    assert np.allclose(np.cov(sums, rowvar=False, ddof=0), null_covariance(observed))


def test_skillings_mack_rejects_single_value_blocks():
    with pytest.raises(ValueError, match="at least 2 values"):
        skillings_mack(np.array([[1.0, np.nan, np.nan], [1.0, 2.0, 3.0]]))


def test_compare_skillings_mack_names_incomplete_blocks():
    values = {name: list(column) for name, column in PAIRED.items()}
    values["a"][2] = np.nan
    values["b"][5] = np.nan
    values["c"][5] = np.nan

    with pytest.warns(MissingTrialsWarning) as caught:
        result = compare(tidy(values), "acc", higher_is_better=True, missing="skillings_mack")

    messages = " ".join(str(warning.message) for warning in caught)
    assert result.omnibus.test == "skillings-mack"
    # Seed 5 has one value left, so it is dropped and named; seed 2 is kept.
    assert result.dropped_blocks == ("5",)
    assert "seed 2" in messages
    assert result.n_blocks == 7
    assert result.pairwise[0].test == "wilcoxon"


def test_complete_blocks_policy_still_names_dropped():
    values = {name: list(column) for name, column in PAIRED.items()}
    values["a"][2] = np.nan

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare(tidy(values), "acc", higher_is_better=True, test="auto")

    assert result.dropped_blocks == ("2",)
    assert any(issubclass(warning.category, MissingTrialsWarning) for warning in caught)
