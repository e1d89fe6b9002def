"""compare, analyze and describe as a user calls them: design, options, results, output."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nbcompare.exceptions import MissingTrialsWarning, SmallSampleWarning
from nbcompare.stats import (
    Analysis,
    CandidateSummary,
    Comparison,
    OmnibusTest,
    PairwiseTest,
    analyze,
    compare,
    describe,
)


def seed_frame(values: dict[str, list[float]], metric: str = "accuracy", task: str = "cifar10"):
    """Long format for one task: candidate -> one value per seed (seed = position)."""
    rows = [
        {"candidate": name, "task": task, "seed": seed, "metric": metric, "value": value}
        for name, column in values.items()
        for seed, value in enumerate(column)
    ]
    return pd.DataFrame(rows)


# Three candidates over 8 seeds. "wide" beats "base" on every seed and "base"
# beats "tiny" on every seed. The steps of 0.001 and 0.0013 per seed keep the
# absolute differences of every pair distinct, so every test is exact.
_BASE = [0.80, 0.81, 0.79, 0.82, 0.80, 0.78, 0.81, 0.80]
CLEAR = {
    "base": _BASE,
    "tiny": [value - 0.1 - 0.0013 * seed for seed, value in enumerate(_BASE)],
    "wide": [value + 0.1 + 0.001 * seed for seed, value in enumerate(_BASE)],
}


@pytest.fixture
def clear_result() -> Comparison:
    return compare(seed_frame(CLEAR), "accuracy", higher_is_better=True)


def test_compare_orders_best_first(clear_result):
    assert clear_result.candidates == ("wide", "base", "tiny")
    assert clear_result.best == "wide"
    assert [row.candidate for row in clear_result.summary] == ["wide", "base", "tiny"]
    assert [row.mean_rank for row in clear_result.summary] == [1.0, 2.0, 3.0]
    assert list(clear_result.matrix.columns) == ["wide", "base", "tiny"]


def test_compare_records_design(clear_result):
    assert clear_result.blocks == "seed"
    assert clear_result.n_blocks == 8
    assert clear_result.dropped_blocks == ()
    assert clear_result.higher_is_better is True
    assert clear_result.correction == "holm"
    assert clear_result.zero_method == "wilcox"
    assert clear_result.matrix.shape == (8, 3)


def test_compare_friedman_omnibus(clear_result):
    omnibus = clear_result.omnibus

    # Identical rankings in all 8 blocks give the maximum statistic n (k - 1) = 16.
    assert omnibus.test == "friedman"
    assert omnibus.statistic == pytest.approx(16.0)
    assert omnibus.pvalue == pytest.approx(stats.chi2.sf(16.0, 2))
    assert omnibus.df == 2
    assert omnibus.k == 3
    assert omnibus.method == "asymptotic"
    assert omnibus.zero_method is None


def test_compare_pairwise_family(clear_result):
    pairs = [(test.model_a, test.model_b) for test in clear_result.pairwise]

    assert pairs == [("wide", "base"), ("wide", "tiny"), ("base", "tiny")]
    assert clear_result.family_size == 3
    for test in clear_result.pairwise:
        # All 8 differences favour model_a: exact p = 2 / 2**8, Holm multiplies the
        # smallest by 3 and takes the running maximum, so every adjusted p is 3 * 2/256.
        assert test.pvalue == pytest.approx(2 / 2**8)
        assert test.pvalue_adjusted == pytest.approx(3 * 2 / 2**8)
        assert test.reject
        assert test.effect_size == 1.0
        assert test.effect_size_name == "rank-biserial"
        assert test.method == "exact"
        assert test.correction == "holm"
        assert test.statistic == 0.0


def test_compare_mean_difference_raw_units(clear_result):
    test = clear_result.pairwise[0]
    differences = np.array(CLEAR["wide"]) - np.array(CLEAR["base"])
    expected = stats.ttest_1samp(differences, 0).confidence_interval(0.95)

    assert test.mean_difference == pytest.approx(differences.mean())
    assert test.ci_low == pytest.approx(expected.low)
    assert test.ci_high == pytest.approx(expected.high)


def test_compare_summary_values(clear_result):
    row = clear_result.summary[0]
    values = np.array(CLEAR["wide"])
    expected = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))

    assert row.n == 8
    assert row.mean == pytest.approx(values.mean())
    assert row.std == pytest.approx(values.std(ddof=1))
    assert row.median == pytest.approx(np.median(values))
    assert row.ci_low == pytest.approx(expected[0])
    assert row.ci_high == pytest.approx(expected[1])


def test_significant_lead_clear_case(clear_result):
    assert clear_result.significant_lead


def test_significant_lead_false_when_not_rejected():
    values = {"a": [3.0, 2.0, 4.0, 1.0], "b": [1.0, 3.0, 2.0, 4.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        result = compare(seed_frame(values), "accuracy", higher_is_better=True)

    assert not result.significant_lead


def test_p_matrix_cells_are_own_pairs(clear_result):
    adjusted = clear_result.p_matrix()
    raw = clear_result.p_matrix(adjusted=False)

    for test in clear_result.pairwise:
        assert adjusted.loc[test.model_a, test.model_b] == test.pvalue_adjusted
        assert adjusted.loc[test.model_b, test.model_a] == test.pvalue_adjusted
        assert raw.loc[test.model_a, test.model_b] == test.pvalue
    assert np.isnan(np.diag(adjusted.to_numpy())).all()
    assert list(adjusted.index) == list(clear_result.candidates)


def test_effect_matrix_is_antisymmetric(clear_result):
    matrix = clear_result.effect_matrix()

    assert matrix.loc["wide", "tiny"] == 1.0
    assert matrix.loc["tiny", "wide"] == -1.0
    assert np.isnan(np.diag(matrix.to_numpy())).all()


def test_summary_and_pairwise_frames(clear_result):
    summary = clear_result.summary_frame()
    pairwise = clear_result.pairwise_frame()

    assert list(summary.columns) == [
        "candidate", "n", "mean", "std", "ci_low", "ci_high", "median", "mean_rank"
    ]
    assert summary["candidate"].tolist() == ["wide", "base", "tiny"]
    assert {"model_a", "model_b", "test", "pvalue", "pvalue_adjusted", "correction"} <= set(pairwise)
    assert pairwise["correction"].unique().tolist() == ["holm"]
    assert len(pairwise) == 3


def test_to_frame_names_tests_and_correction(clear_result):
    frame = clear_result.to_frame()

    for column in (
        "metric",
        "p_friedman_omnibus",
        "p_wilcoxon_vs_best",
        "p_wilcoxon_holm_vs_best",
        "reject_holm_vs_best",
        "rank_biserial_vs_best",
        "mean_difference_vs_best",
    ):
        assert column in frame.columns, column
    best_row = frame.iloc[0]
    assert np.isnan(best_row["p_wilcoxon_vs_best"])
    assert pd.isna(best_row["reject_holm_vs_best"])
    # The other candidates are worse than the best, so their r against it is negative.
    assert (frame["rank_biserial_vs_best"].iloc[1:] == -1.0).all()
    assert (frame["mean_difference_vs_best"].iloc[1:] < 0).all()


def test_text_output_names_tests(clear_result):
    text = str(clear_result)

    assert "Friedman" in text
    assert "p (Friedman, uncorrected)" in text
    assert "p (Wilcoxon, uncorrected)" in text
    assert "p (Wilcoxon, Holm)" in text
    assert "rank-biserial" in text
    for name in clear_result.candidates:
        assert name in text


def test_html_output_escapes_names():
    values = {"<b>bold</b>": [1.0, 2.0, 3.0, 4.0], "plain": [0.5, 1.5, 2.6, 3.7]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        result = compare(seed_frame(values), "accuracy", higher_is_better=True)

    markup = result._repr_html_()

    assert "<table" in markup
    assert "&lt;b&gt;bold&lt;/b&gt;" in markup
    assert "<b>bold</b>" not in markup
    assert "p (Wilcoxon, Holm)" in markup


def test_compare_two_candidates_uses_wilcoxon_omnibus():
    values = {"a": CLEAR["wide"], "b": CLEAR["base"]}

    result = compare(seed_frame(values), "accuracy", higher_is_better=True)

    assert result.omnibus.test == "wilcoxon"
    assert result.omnibus.df is None
    assert result.omnibus.zero_method == "wilcox"
    assert result.omnibus.alternative == "two-sided"
    assert result.omnibus.method == "exact"
    assert result.omnibus.pvalue == result.pairwise[0].pvalue
    assert result.family_size == 1
    assert "Omnibus two-sided Wilcoxon signed-rank test" in str(result)


def test_compare_tasks_as_blocks():
    rows = []
    for task_index, task in enumerate(["mnist", "cifar10", "svhn", "imdb", "sst2", "agnews"]):
        for seed in range(3):
            for name, offset in [("good", 0.1), ("bad", 0.0)]:
                value = 0.5 + 0.05 * task_index + offset * (1 + task_index / 10) + 0.001 * seed
                rows.append(
                    {"candidate": name, "task": task, "seed": seed, "metric": "acc", "value": value}
                )
    frame = pd.DataFrame(rows)

    result = compare(frame, "acc", higher_is_better=True)

    assert result.blocks == "task"
    assert result.n_blocks == 6
    assert sorted(result.matrix.index) == sorted(["mnist", "cifar10", "svhn", "imdb", "sst2", "agnews"])
    # mnist is task 0: 0.5 + 0.1 + mean seed offset 0.001.
    assert result.matrix.loc["mnist", "good"] == pytest.approx(0.601)
    assert result.best == "good"


def test_task_mean_with_failed_seed_warns():
    rows = []
    for task in ["t1", "t2", "t3"]:
        for seed in range(3):
            for name, offset in [("a", 0.2), ("b", 0.0)]:
                value = float("nan") if (task, seed, name) == ("t2", 1, "b") else 1.0 + offset + seed
                rows.append({"candidate": name, "task": task, "seed": seed, "metric": "m", "value": value})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        with pytest.warns(MissingTrialsWarning, match="2 of 3 seeds"):
            result = compare(pd.DataFrame(rows), "m", higher_is_better=True)

    # b on t2 averages seeds 0 and 2: (1 + 3) / 2.
    assert result.matrix.loc["t2", "b"] == pytest.approx(2.0)
    assert result.dropped_blocks == ()
    assert any("2 of 3 seeds" in note for note in result.notes)


def test_extra_columns_are_ignored(clear_result):
    frame = seed_frame(CLEAR)
    frame["wall_time"] = "irrelevant"
    frame["notes"] = None

    result = compare(frame, "accuracy", higher_is_better=True)

    assert result.pairwise == clear_result.pairwise
    assert result.summary == clear_result.summary


def test_other_metrics_are_ignored(clear_result):
    frame = pd.concat([seed_frame(CLEAR), seed_frame({"wide": [1.0] * 8}, metric="loss")])

    result = compare(frame, "accuracy", higher_is_better=True)

    assert result.summary == clear_result.summary


def test_candidates_option_restricts():
    result = compare(
        seed_frame(CLEAR), "accuracy", higher_is_better=True, candidates=["tiny", "wide"]
    )

    assert result.candidates == ("wide", "tiny")
    assert result.omnibus.test == "wilcoxon"


def test_result_set_duck_typing(clear_result):
    result_set = SimpleNamespace(
        frame=seed_frame(CLEAR), metrics={"accuracy": SimpleNamespace(higher_is_better=True)}
    )

    result = compare(result_set, "accuracy")

    assert result.higher_is_better is True
    assert result.pairwise == clear_result.pairwise


def test_result_set_direction_can_be_overridden():
    result_set = SimpleNamespace(
        frame=seed_frame(CLEAR), metrics={"accuracy": SimpleNamespace(higher_is_better=True)}
    )

    result = compare(result_set, "accuracy", higher_is_better=False)

    assert result.best == "tiny"


def test_describe_matches_compare_summary(clear_result):
    frame = describe(seed_frame(CLEAR), "accuracy", higher_is_better=True)

    pd.testing.assert_frame_equal(frame, clear_result.summary_frame())


def test_describe_without_direction():
    frame = describe(seed_frame(CLEAR), "accuracy", confidence_level=0.9)

    assert frame["candidate"].tolist() == ["base", "tiny", "wide"]
    assert frame["mean_rank"].isna().all()
    values = np.array(CLEAR["base"])
    low, high = stats.t.interval(0.9, 7, loc=values.mean(), scale=stats.sem(values))
    assert frame.loc[0, "ci_low"] == pytest.approx(low)
    assert frame.loc[0, "ci_high"] == pytest.approx(high)


def test_describe_single_candidate():
    frame = describe(seed_frame({"only": [1.0, 2.0, 3.0]}), "accuracy")

    assert frame["n"].tolist() == [3]
    assert frame["mean"].tolist() == [2.0]


def test_analyze_two_metrics():
    frame = pd.concat([
        seed_frame(CLEAR, metric="accuracy"),
        seed_frame({name: [1 - v for v in column] for name, column in CLEAR.items()}, metric="error"),
    ])

    analysis = analyze(frame, {"accuracy": True, "error": False})

    assert isinstance(analysis, Analysis)
    assert analysis.metrics == ("accuracy", "error")
    assert analysis["error"].best == "wide"
    assert analysis["error"].higher_is_better is False
    ranks = analysis.ranks_frame()
    assert ranks.loc["wide", "accuracy"] == 1.0
    assert ranks.loc["tiny", "error"] == 3.0
    table = analysis.to_frame()
    assert table["metric"].tolist() == ["accuracy"] * 3 + ["error"] * 3
    assert "Comparison of 'error'" in str(analysis)
    assert analysis._repr_html_().count("<table") == 4


def test_analyze_unknown_metric_key():
    analysis = analyze(seed_frame(CLEAR), {"accuracy": True})

    with pytest.raises(KeyError, match="accuracy"):
        analysis["loss"]


def test_analyze_result_set_defaults_to_its_metrics():
    frame = pd.concat([
        seed_frame(CLEAR, metric="accuracy"),
        seed_frame(CLEAR, metric="f1"),
    ])
    result_set = SimpleNamespace(
        frame=frame,
        metrics={
            "accuracy": SimpleNamespace(higher_is_better=True),
            "f1": SimpleNamespace(higher_is_better=True),
            "never_logged": SimpleNamespace(higher_is_better=False),
        },
    )

    analysis = analyze(result_set)

    assert analysis.metrics == ("accuracy", "f1")


def test_analyze_requires_metrics_for_dataframe():
    with pytest.raises(ValueError, match="metrics is required"):
        analyze(seed_frame(CLEAR))


def test_warning_points_at_caller():
    frame = seed_frame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.5, 2.0]})

    with pytest.warns(SmallSampleWarning) as records:
        compare(frame, "accuracy", higher_is_better=True)
    with pytest.warns(SmallSampleWarning) as analyze_records:
        analyze(frame, {"accuracy": True})

    assert records[0].filename == __file__
    assert analyze_records[0].filename == __file__


def test_result_classes_are_frozen(clear_result):
    with pytest.raises(AttributeError):
        clear_result.alpha = 0.1  # type: ignore[misc]
    assert isinstance(clear_result.omnibus, OmnibusTest)
    assert isinstance(clear_result.pairwise[0], PairwiseTest)
    assert isinstance(clear_result.summary[0], CandidateSummary)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({}, ValueError, "higher_is_better"),
        ({"higher_is_better": "yes"}, TypeError, "higher_is_better"),
        ({"higher_is_better": True, "correction": "tukey"}, ValueError, "holm.*'tukey'"),
        ({"higher_is_better": True, "missing": "drop"}, ValueError, "complete_blocks.*'drop'"),
        ({"higher_is_better": True, "zero_method": "none"}, ValueError, "zsplit.*'none'"),
        ({"higher_is_better": True, "alpha": 0.0}, ValueError, "alpha"),
        ({"higher_is_better": True, "alpha": 1.5}, ValueError, "alpha"),
        ({"higher_is_better": True, "confidence_level": 95}, ValueError, "confidence_level"),
        ({"higher_is_better": True, "candidates": ["wide", "nope"]}, ValueError, "nope"),
        ({"higher_is_better": True, "candidates": ["wide"]}, ValueError, "at least 2 candidates"),
        ({"higher_is_better": True, "candidates": "wide"}, TypeError, "candidates"),
    ],
)
def test_compare_rejects_invalid_options(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        compare(seed_frame(CLEAR), "accuracy", **kwargs)


def test_correction_aliases_accepted():
    result = compare(seed_frame(CLEAR), "accuracy", higher_is_better=True, correction="fdr_bh")
    alias = compare(seed_frame(CLEAR), "accuracy", higher_is_better=True, correction="fdr_i")

    assert result.correction == alias.correction == "fdr_bh"
    assert "p (Wilcoxon, FDR Benjamini-Hochberg)" in str(result)


def test_unknown_metric_lists_available():
    with pytest.raises(ValueError, match="available metrics: \\['accuracy'\\]"):
        compare(seed_frame(CLEAR), "loss", higher_is_better=False)


def test_missing_column_named():
    frame = seed_frame(CLEAR).drop(columns="seed")

    with pytest.raises(ValueError, match="seed"):
        compare(frame, "accuracy", higher_is_better=True)


def test_duplicate_trial_rejected():
    frame = seed_frame(CLEAR)
    frame = pd.concat([frame, frame.iloc[[0]]])

    with pytest.raises(ValueError, match="more than one row"):
        compare(frame, "accuracy", higher_is_better=True)


def test_infinite_value_rejected():
    frame = seed_frame(CLEAR)
    frame.loc[3, "value"] = np.inf

    with pytest.raises(ValueError, match="infinite.*NaN"):
        compare(frame, "accuracy", higher_is_better=True)


def test_wrong_data_type_rejected():
    with pytest.raises(TypeError, match="DataFrame"):
        compare([1, 2, 3], "accuracy", higher_is_better=True)


def test_too_few_complete_blocks_named():
    values = {"a": [1.0, 2.0, np.nan], "b": [np.nan, 1.0, 2.0]}

    with pytest.raises(ValueError, match=r"1 complete seed.*seed 0 \(no value for 'b'\).*seed 2"):
        compare(seed_frame(values), "accuracy", higher_is_better=True)
