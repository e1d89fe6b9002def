"""Confidence intervals of means and of aggregates across tasks (stratified bootstrap).

Each reference value names its source beside it, with the tolerance of the check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from nbcompare.exceptions import SmallSampleWarning
from nbcompare.stats._aggregates import (
    _improvement_table,
    _IQMResampler,
    _RunSampler,
    _SumResampler,
    aggregate_difference_interval,
    aggregate_interval,
    probability_of_improvement,
)
from nbcompare.stats._bootstrap import Interval, difference_interval, mean_interval

# R's built-in data set `sleep` (Student 1908): extra hours of sleep of 10 patients
# under drug 1 (group 1) and drug 2 (group 2), in R's row order.
SLEEP_GROUP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_GROUP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# Tolerance of reference values that R prints with 7 decimals.
R_TOLERANCE = 5e-8


def test_t_interval_matches_r_sleep():
    # R 4.x: t.test(sleep$extra[1:10]) -> mean 0.75,
    # 95 percent confidence interval -0.5297804 2.0297804.
    interval = mean_interval(SLEEP_GROUP_1, method="t")
    assert interval.estimate == pytest.approx(0.75, abs=1e-12)
    assert interval.low == pytest.approx(-0.5297804, abs=R_TOLERANCE)
    assert interval.high == pytest.approx(2.0297804, abs=R_TOLERANCE)
    assert interval.n == 10
    assert interval.n_resamples is None


def test_paired_difference_matches_r_sleep():
    # R: with(sleep, t.test(extra[group == 1], extra[group == 2], paired = TRUE))
    # -> mean difference -1.58, 95 percent CI -2.4598858 -0.7001142.
    interval = difference_interval(SLEEP_GROUP_1, SLEEP_GROUP_2, paired=True)
    assert interval.estimate == pytest.approx(-1.58, abs=1e-12)
    assert interval.low == pytest.approx(-2.4598858, abs=R_TOLERANCE)
    assert interval.high == pytest.approx(-0.7001142, abs=R_TOLERANCE)
    assert interval.quantity == "mean of paired differences a - b"


def test_welch_difference_matches_r_sleep():
    # R: t.test(extra ~ group, data = sleep), Welch two-sample t test
    # -> 95 percent CI -3.3654832 0.2054832.
    interval = difference_interval(SLEEP_GROUP_1, SLEEP_GROUP_2, paired=False)
    assert interval.low == pytest.approx(-3.3654832, abs=R_TOLERANCE)
    assert interval.high == pytest.approx(0.2054832, abs=R_TOLERANCE)
    assert interval.n == 10
    assert interval.n_b == 10


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_interval_same_seed_same_numbers(method):
    first = mean_interval(SLEEP_GROUP_1, method=method, n_resamples=2000, rng=7)
    second = mean_interval(SLEEP_GROUP_1, method=method, n_resamples=2000, rng=7)
    other = mean_interval(SLEEP_GROUP_1, method=method, n_resamples=2000, rng=8)
    assert first == second
    assert (first.low, first.high) != (other.low, other.high)
    assert first.low < first.estimate < first.high


def test_percentile_interval_matches_loop_bootstrap():
    # An independent loop bootstrap of the mean. The two percentile intervals
    # agree within Monte Carlo error: 0.05 is about 4 standard errors of a 2.5%
    # quantile of 20,000 resamples of these values.
    values = np.array(SLEEP_GROUP_1)
    generator = np.random.default_rng(11)
    means = [np.mean(generator.choice(values, values.size)) for _ in range(20_000)]
    loop_low, loop_high = np.quantile(means, [0.025, 0.975])
    interval = mean_interval(values, method="percentile", n_resamples=20_000, rng=12)
    assert interval.low == pytest.approx(loop_low, abs=0.05)
    assert interval.high == pytest.approx(loop_high, abs=0.05)


@pytest.mark.parametrize("method", ["t", "percentile", "bca"])
def test_equal_values_give_zero_width(method):
    interval = mean_interval([0.9, 0.9, 0.9, 0.9], method=method, rng=0)
    assert (interval.low, interval.estimate, interval.high) == (0.9, 0.9, 0.9)


@pytest.mark.parametrize("method", ["t", "percentile"])
def test_single_value_warns_and_gives_nan(method):
    with pytest.warns(SmallSampleWarning, match="at least 2"):
        interval = mean_interval([0.5], method=method, rng=0)
    assert np.isnan(interval.low)
    assert np.isnan(interval.high)


def test_unpaired_bootstrap_difference_brackets_estimate():
    interval = difference_interval(
        SLEEP_GROUP_2, SLEEP_GROUP_1, paired=False, method="bca", n_resamples=3000, rng=3
    )
    assert interval.estimate == pytest.approx(1.58)
    assert interval.low < interval.estimate < interval.high
    assert interval.n_resamples == 3000


def test_interval_rejects_bad_arguments():
    with pytest.raises(ValueError, match="method must be one of"):
        mean_interval([1.0, 2.0], method="basic")
    with pytest.raises(ValueError, match="confidence_level"):
        mean_interval([1.0, 2.0], confidence_level=95)
    with pytest.raises(ValueError, match="NaN"):
        mean_interval([1.0, np.nan])
    with pytest.raises(ValueError, match="same length"):
        difference_interval([1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="rng must be"):
        mean_interval([1.0, 2.0], method="percentile", rng=0.5)


def test_interval_renders_text_html_frame():
    interval = mean_interval(SLEEP_GROUP_1)
    assert "95% Student t interval of the mean (n = 10)" in str(interval)
    assert "<p>" in interval._repr_html_()
    frame = interval.to_frame()
    assert list(frame.columns) == list(Interval.__dataclass_fields__)
    assert frame.loc[0, "low"] == interval.low


# Aggregates across tasks.

# 4 runs x 2 tasks, written out so that the sorted 8 scores are
# -50, 1, 2, 3, 7, 8, 9, 100.
HAND_SCORES = np.array([[1.0, 9.0], [2.0, 8.0], [3.0, 7.0], [100.0, -50.0]])


def test_iqm_of_hand_array():
    # int(0.25 * 8) = 2 scores leave each end, leaving 2, 3, 7, 8: mean 5.
    result = aggregate_interval({"hand": HAND_SCORES}, "iqm", n_resamples=50, rng=0)
    assert result["hand"].estimate == 5.0
    assert result["hand"].estimate == stats.trim_mean(HAND_SCORES, 0.25, axis=None)


def test_iqm_of_ten_scores_cuts_two_each_end():
    # 10 scores: int(0.25 * 10) = 2 leave each end, so the mean of the middle 6.
    scores = np.arange(10.0).reshape(5, 2)
    result = aggregate_interval({"x": scores}, "iqm", n_resamples=10, rng=0)
    assert result["x"].estimate == pytest.approx(np.mean([2, 3, 4, 5, 6, 7]), abs=1e-15)


def test_mean_median_gap_of_hand_array():
    # Task means: (1 + 2 + 3 + 100) / 4 = 26.5 and (9 + 8 + 7 - 50) / 4 = -6.5.
    rng = np.random.default_rng(0)
    mean = aggregate_interval({"hand": HAND_SCORES}, "mean", 50, rng=rng)["hand"]
    median = aggregate_interval({"hand": HAND_SCORES}, "median", 50, rng=rng)["hand"]
    assert mean.estimate == 10.0
    assert median.estimate == 10.0
    # Scores clipped at 5: 1, 2, 3, 5 and 5, 5, 5, -50, mean -24 / 8 = -3; gap 5 - (-3) = 8.
    gap = aggregate_interval({"hand": HAND_SCORES}, "optimality_gap", 50, rng=rng, gap_threshold=5)
    assert gap["hand"].estimate == 8.0
    assert gap.gap_threshold == 5.0


def test_stratified_bootstrap_keeps_tasks():
    # Task 0 always scores 0 and task 1 always 1. Resampling runs within each task
    # keeps one score of each task per resample, so every resampled mean is 0.5 and
    # the interval has zero width. Resampling the 20 scores without strata would
    # mix tasks and give a wide interval, computed here for contrast.
    scores = np.column_stack([np.zeros(10), np.ones(10)])
    result = aggregate_interval({"x": scores}, "mean", n_resamples=2000, rng=1)
    assert (result["x"].low, result["x"].high) == (0.5, 0.5)

    generator = np.random.default_rng(1)
    flat = scores.ravel()
    unstratified = generator.choice(flat, size=(2000, flat.size)).mean(axis=1)
    low, high = np.quantile(unstratified, [0.025, 0.975])
    assert high - low > 0.3


def test_aggregate_interval_brackets_estimate():
    generator = np.random.default_rng(5)
    scores = {name: generator.normal(shift, 1.0, (10, 26)) for name, shift in [("a", 0), ("b", 1)]}
    for statistic in ("mean", "median", "iqm", "optimality_gap"):
        result = aggregate_interval(scores, statistic, n_resamples=1000, rng=2)
        for row in result.estimates:
            assert row.low <= row.estimate <= row.high, (statistic, row)


def test_aggregate_interval_same_seed_same_numbers():
    generator = np.random.default_rng(6)
    scores = {"a": generator.normal(size=(5, 4)), "b": generator.normal(size=(7, 4))}
    first = aggregate_interval(scores, "iqm", n_resamples=500, rng=3)
    second = aggregate_interval(scores, "iqm", n_resamples=500, rng=np.random.default_rng(3))
    assert first == second


def test_aggregate_matches_loop_bootstrap():
    # A loop implementation of the stratified bootstrap of the IQM: the bounds
    # agree within Monte Carlo error (0.03 is about 4 standard errors of the 2.5%
    # and 97.5% quantiles of 4,000 resamples here).
    generator = np.random.default_rng(9)
    scores = generator.normal(0.0, 1.0, (8, 6))
    loop = []
    for _ in range(4000):
        rows = generator.integers(0, 8, size=(8, 6))
        loop.append(stats.trim_mean(np.take_along_axis(scores, rows, axis=0), 0.25, axis=None))
    loop_low, loop_high = np.quantile(loop, [0.025, 0.975])
    result = aggregate_interval({"x": scores}, "iqm", n_resamples=4000, rng=10)["x"]
    assert result.low == pytest.approx(loop_low, abs=0.03)
    assert result.high == pytest.approx(loop_high, abs=0.03)


# Shapes with pairs of runs (even and odd n_runs) and, at 300 x 1, single runs
# because a table of 300**2 pair codes would be too large.
SAMPLER_SHAPES = [(1, 1), (3, 1), (4, 2), (5, 3), (10, 26), (7, 4), (300, 1)]


@pytest.mark.parametrize(
    ("shape", "blocks"),
    [((1, 1), ((1, 1),)), ((10, 100), ((2, 5),)), ((7, 4), ((2, 3), (1, 1))), ((300, 1), ((1, 300),))],
)
def test_run_sampler_blocks(shape, blocks):
    assert _RunSampler(*shape).blocks == blocks


@pytest.mark.parametrize("n_runs", [1, 2, 3, 10])
def test_run_codes_cover_every_pair(n_runs):
    # Code -> runs must be a bijection onto [0, n_runs)**2, so that a uniform
    # code draws two independent uniform runs.
    runs = _RunSampler(n_runs, 1).runs_of_codes(2)
    pairs = {tuple(column) for column in runs.T}
    assert runs.shape == (2, n_runs**2)
    assert pairs == {(i, j) for i in range(n_runs) for j in range(n_runs)}


@pytest.mark.parametrize("shape", SAMPLER_SHAPES)
def test_iqm_resampler_matches_trim_mean(shape):
    # The count-based IQM of each resample against scipy.stats.trim_mean of the
    # same resampled scores, on scores rounded to 0.1 so that many are tied.
    generator = np.random.default_rng(sum(shape))
    scores = np.round(generator.normal(size=shape), 1)
    sampler = _RunSampler(*shape)
    codes = sampler.draw(generator, 60)
    runs = sampler.run_indices(codes)
    assert runs.shape == (60, *shape)
    fast = _IQMResampler(scores, sampler)(codes)
    for resample in range(60):
        resampled = np.take_along_axis(scores, runs[resample], axis=0)
        expected = stats.trim_mean(resampled, 0.25, axis=None)
        assert fast[resample] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("shape", SAMPLER_SHAPES)
@pytest.mark.parametrize("statistic", ["mean", "median", "optimality_gap"])
def test_sum_resampler_matches_direct(shape, statistic):
    # Table look-ups of group sums against the statistic of the decoded runs.
    generator = np.random.default_rng(sum(shape) + 1)
    scores = generator.normal(size=shape)
    sampler = _RunSampler(*shape)
    codes = sampler.draw(generator, 40)
    runs = sampler.run_indices(codes)
    fast = _SumResampler(statistic, scores, sampler, gap_threshold=0.5)(codes)
    for resample in range(40):
        resampled = np.take_along_axis(scores, runs[resample], axis=0)
        expected = {
            "mean": np.mean(resampled),
            "median": np.median(np.mean(resampled, axis=0)),
            "optimality_gap": 0.5 - np.mean(np.minimum(resampled, 0.5)),
        }[statistic]
        assert fast[resample] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_resampled_mean_has_bootstrap_variance():
    # With runs drawn with replacement within each task, the resampled mean of
    # N = n x T scores has variance sum_m n var_m / N**2, where var_m is the
    # variance of task m with ddof=0. 7 runs mix pair codes with a single-run
    # code. The relative standard error of a variance from 20,000 resamples is
    # about 1%, so 5% is about 5 standard errors.
    generator = np.random.default_rng(15)
    scores = generator.gamma(2.0, 1.0, size=(7, 5)) * np.arange(1, 6)
    sampler = _RunSampler(*scores.shape)
    means = _SumResampler("mean", scores, sampler, gap_threshold=1.0)(sampler.draw(generator, 20_000))
    expected = np.sum(7 * np.var(scores, axis=0)) / scores.size**2
    assert np.mean(means) == pytest.approx(np.mean(scores), rel=0.01)
    assert np.var(means) == pytest.approx(expected, rel=0.05)


def test_tidy_frame_equals_mapping():
    generator = np.random.default_rng(4)
    arrays = {"a": generator.normal(size=(3, 2)), "b": generator.normal(size=(3, 2))}
    rows = [
        {"candidate": name, "task": f"t{task}", "seed": seed, "value": array[seed, task]}
        for name, array in arrays.items()
        for seed in range(3)
        for task in range(2)
    ]
    # Rows out of seed and task order; candidates stay in first-appearance order,
    # which is the order in which they are resampled.
    frame = pd.DataFrame(rows).sort_values(["candidate", "seed", "task"], ascending=[True, False, False])
    from_frame = aggregate_interval(frame, "mean", n_resamples=200, rng=0)
    from_mapping = aggregate_interval(arrays, "mean", n_resamples=200, rng=0)
    assert from_frame == from_mapping


def test_tidy_frame_with_missing_cell_raises():
    frame = pd.DataFrame({
        "candidate": ["a", "a", "a"],
        "task": ["t0", "t1", "t0"],
        "seed": [0, 0, 1],
        "value": [0.1, 0.2, 0.3],
    })
    with pytest.raises(ValueError, match="missing"):
        aggregate_interval(frame, "mean")


def test_aggregate_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        aggregate_interval({"a": np.ones(5)}, "mean")
    with pytest.raises(ValueError, match="same tasks"):
        aggregate_interval({"a": np.ones((3, 2)), "b": np.ones((3, 4))}, "mean")
    with pytest.raises(ValueError, match="statistic must be one of"):
        aggregate_interval({"a": np.ones((3, 2))}, "trimmed")


def test_aggregate_renders_text_html_frame():
    result = aggregate_interval({"a": HAND_SCORES, "b": HAND_SCORES + 1}, "iqm", 100, rng=0)
    text = str(result)
    assert "interquartile mean" in text
    assert "100 resamples" in text
    assert "<table" in result._repr_html_()
    frame = result.to_frame()
    assert frame["candidate"].tolist() == ["a", "b"]
    assert frame.loc[0, "estimate"] == 5.0


def test_difference_of_identical_candidates_paired_is_zero():
    generator = np.random.default_rng(2)
    scores = generator.normal(size=(6, 5))
    result = aggregate_difference_interval(
        {"a": scores, "b": scores.copy()}, "a", "b", "iqm", paired=True, n_resamples=300, rng=0
    )
    assert (result.low, result.estimate, result.high) == (0.0, 0.0, 0.0)
    unpaired = aggregate_difference_interval(
        {"a": scores, "b": scores.copy()}, "a", "b", "iqm", paired=False, n_resamples=300, rng=0
    )
    assert unpaired.low < 0 < unpaired.high


def test_difference_detects_clear_gap():
    generator = np.random.default_rng(3)
    scores = {"good": generator.normal(1.0, 0.1, (5, 10)), "bad": generator.normal(0.0, 0.1, (5, 10))}
    result = aggregate_difference_interval(scores, "good", "bad", "mean", n_resamples=500, rng=0)
    assert result.low > 0.9
    assert result.high < 1.1
    assert result.estimate == pytest.approx(result.estimate_a - result.estimate_b)


# Probability of improvement.


def test_probability_of_improvement_by_hand():
    # Task 0: x = (1, 2), y = (0, 2). Pairs: 1>0, 1<2, 2>0, 2=2 -> (1 + 0 + 1 + 0.5) / 4.
    # Task 1: x = (0, 0), y = (1, 1) -> 0. Mean over tasks: 0.3125.
    x = np.array([[1.0, 0.0], [2.0, 0.0]])
    y = np.array([[0.0, 1.0], [2.0, 1.0]])
    result = probability_of_improvement(x, y, n_resamples=100, rng=0)
    assert result.estimate == 0.3125


def test_probability_of_improvement_matches_mann_whitney():
    # scipy's Mann-Whitney U of x ("greater") over n_x n_y, averaged over tasks.
    generator = np.random.default_rng(8)
    x = np.round(generator.normal(0.3, 1.0, (7, 5)))
    y = np.round(generator.normal(0.0, 1.0, (9, 5)))
    expected = np.mean([
        stats.mannwhitneyu(x[:, task], y[:, task], alternative="greater").statistic / 63
        for task in range(5)
    ])
    result = probability_of_improvement(x, y, n_resamples=100, rng=0)
    assert result.estimate == pytest.approx(expected, abs=1e-15)


def test_probability_rank_form_matches_pairwise_count():
    # The rank form of U against a brute-force count over all pairs, on the same
    # resampled run indices, with many ties.
    generator = np.random.default_rng(12)
    x = generator.integers(0, 4, size=(6, 3)).astype(float)
    y = generator.integers(0, 4, size=(5, 3)).astype(float)
    draws_x = generator.integers(0, 6, size=(40, 6, 3))
    draws_y = generator.integers(0, 5, size=(40, 5, 3))
    fast = _improvement_table(x, y).probabilities(draws_x, draws_y)
    for resample in range(40):
        per_task = []
        for task in range(3):
            xs = x[draws_x[resample, :, task], task]
            ys = y[draws_y[resample, :, task], task]
            wins = sum((xi > yi) + 0.5 * (xi == yi) for xi in xs for yi in ys)
            per_task.append(wins / (xs.size * ys.size))
        assert fast[resample] == pytest.approx(np.mean(per_task), abs=1e-12)


def test_probability_of_improvement_interval_and_swap():
    generator = np.random.default_rng(13)
    x = generator.normal(0.5, 1.0, (10, 8))
    y = generator.normal(0.0, 1.0, (10, 8))
    forward = probability_of_improvement(x, y, n_resamples=1000, rng=1, labels=("x", "y"))
    backward = probability_of_improvement(y, x, n_resamples=1000, rng=1)
    assert forward.low <= forward.estimate <= forward.high
    assert forward.estimate + backward.estimate == pytest.approx(1.0, abs=1e-12)
    assert "P(x > y)" in str(forward)
    assert forward == probability_of_improvement(x, y, n_resamples=1000, rng=1, labels=("x", "y"))


@settings(max_examples=25, deadline=None)
@given(
    arrays(np.float64, (4, 3), elements=st.integers(-3, 3).map(float)),
    arrays(np.float64, (5, 3), elements=st.integers(-3, 3).map(float)),
)
def test_probability_in_unit_interval_and_complementary(x, y):
    forward = probability_of_improvement(x, y, n_resamples=20, rng=0).estimate
    backward = probability_of_improvement(y, x, n_resamples=20, rng=0).estimate
    assert 0.0 <= forward <= 1.0
    assert forward + backward == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (5, 4), elements=st.floats(-100, 100, allow_nan=False)))
def test_iqm_equals_scipy_trim_mean(scores):
    result = aggregate_interval({"x": scores}, "iqm", n_resamples=5, rng=0)["x"]
    assert result.estimate == pytest.approx(stats.trim_mean(scores, 0.25, axis=None), rel=1e-12, abs=1e-12)
    assert result.low <= result.high


def test_aggregate_point_estimates_match_rliable():
    # rliable is an optional cross-check (not a dependency): its point estimates
    # are deterministic, so they must agree to the last bit.
    metrics = pytest.importorskip("rliable.metrics")
    generator = np.random.default_rng(14)
    scores = generator.normal(size=(10, 26))
    functions = {
        "mean": metrics.aggregate_mean,
        "median": metrics.aggregate_median,
        "iqm": metrics.aggregate_iqm,
        "optimality_gap": metrics.aggregate_optimality_gap,
    }
    for statistic, function in functions.items():
        ours = aggregate_interval({"x": scores}, statistic, n_resamples=5, rng=0)["x"].estimate
        assert ours == function(scores), statistic
    other = generator.normal(size=(7, 26))
    ours = probability_of_improvement(scores, other, n_resamples=5, rng=0).estimate
    assert ours == metrics.probability_of_improvement(scores, other)
