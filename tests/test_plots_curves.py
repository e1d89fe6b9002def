"""Tests of the curve and interval figures of nbcompare.plots._curves: what each one draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from scipy import stats as scipy_stats  # noqa: E402

from nbcompare.plots._curves import (  # noqa: E402
    BAND_GID,
    REFERENCE_GID,
    plot_aggregate_intervals,
    plot_learning_curves,
    plot_performance_profile,
    plot_probability_of_improvement,
    plot_sensitivity,
)
from nbcompare.plots._palette import candidate_markers  # noqa: E402
from nbcompare.plots._style import save, style  # noqa: E402
from nbcompare.stats import probability_of_improvement  # noqa: E402

CANDIDATES = ["baseline", "mixup", "wide-resnet"]
LEARNING_RATES = [1e-4, 1e-3, 1e-2, 1e-1]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sensitivity_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for index, candidate in enumerate(CANDIDATES):
        # Shuffled order, so the test checks that the x values are sorted.
        for rate in [1e-2, 1e-4, 1e-1, 1e-3]:
            for seed in range(5):
                value = 0.9 - 0.03 * index - 0.02 * (np.log10(rate) + 2.5) ** 2 + rng.normal(0, 0.01)
                rows.append({"candidate": candidate, "task": "cifar10", "seed": seed,
                             "learning_rate": rate, "metric": "accuracy", "value": value})
                rows.append({"candidate": candidate, "task": "cifar10", "seed": seed,
                             "learning_rate": rate, "metric": "loss", "value": 1 - value})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    rows = []
    for index, candidate in enumerate(CANDIDATES):
        for seed in range(4):
            for step in range(0, 200, 10):
                value = (0.9 - 0.05 * index) * (1 - np.exp(-step / 50)) + rng.normal(0, 0.02)
                rows.append({"candidate": candidate, "task": "cifar10", "seed": seed, "trial_id": f"{candidate}-{seed}",
                             "step": step, "metric": "accuracy", "value": value})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def scores() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    return {candidate: rng.normal(0.5 + 0.1 * index, 0.2, size=(8, 5)) for index, candidate in enumerate(CANDIDATES)}


def line_of(ax, label):
    matches = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(matches) == 1, f"expected one line labelled {label!r}, found {len(matches)}"
    return matches[0]


def bands(ax):
    return [collection for collection in ax.collections if collection.get_gid() == BAND_GID]


def band_limits(band, x: float) -> tuple[float, float]:
    """Return the lowest and highest y of a fill_between band at x."""
    vertices = np.concatenate([path.vertices for path in band.get_paths()])
    at_x = vertices[np.isclose(vertices[:, 0], x), 1]
    return float(at_x.min()), float(at_x.max())


def t_interval(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    low, high = scipy_stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=scipy_stats.sem(values))
    return low, high


def test_sensitivity_x_sorted_distinct(sensitivity_frame):
    ax = plot_sensitivity(sensitivity_frame, "learning_rate", "accuracy", higher_is_better=True)
    for candidate in CANDIDATES:
        x = line_of(ax, candidate).get_xdata()
        assert list(x) == LEARNING_RATES


def test_sensitivity_means_and_t_bands(sensitivity_frame):
    ax = plot_sensitivity(sensitivity_frame, "learning_rate", "accuracy", higher_is_better=True)
    accuracy = sensitivity_frame[sensitivity_frame.metric == "accuracy"]
    assert len(bands(ax)) == len(CANDIDATES)
    for candidate, band in zip(CANDIDATES, bands(ax)):
        rows = accuracy[accuracy.candidate == candidate]
        expected = rows.groupby("learning_rate")["value"].mean().to_numpy()
        np.testing.assert_allclose(line_of(ax, candidate).get_ydata(), expected)
        for rate in LEARNING_RATES:
            low, high = t_interval(rows[rows.learning_rate == rate]["value"])
            drawn_low, drawn_high = band_limits(band, rate)
            assert drawn_low == pytest.approx(low)
            assert drawn_high == pytest.approx(high)
    assert "95 % t CI" in ax.get_ylabel()
    assert "higher is better" in ax.get_ylabel()


def test_sensitivity_log_axis_auto_and_forced(sensitivity_frame):
    auto = plot_sensitivity(sensitivity_frame, "learning_rate", "accuracy", higher_is_better=True)
    assert auto.get_xscale() == "log"
    forced = plot_sensitivity(sensitivity_frame, "learning_rate", "accuracy", higher_is_better=True, log_x=False)
    assert forced.get_xscale() == "linear"

    narrow = sensitivity_frame.assign(learning_rate=sensitivity_frame.learning_rate.map(
        dict(zip(LEARNING_RATES, [1.0, 2.0, 5.0, 10.0]))))
    assert plot_sensitivity(narrow, "learning_rate", "accuracy", higher_is_better=True).get_xscale() == "linear"


def test_sensitivity_log_rejects_nonpositive(sensitivity_frame):
    shifted = sensitivity_frame.assign(learning_rate=sensitivity_frame.learning_rate - 1e-4)
    with pytest.raises(ValueError, match="log_x=True needs positive values"):
        plot_sensitivity(shifted, "learning_rate", "accuracy", higher_is_better=True, log_x=True)


def test_sensitivity_rejects_bad_input(sensitivity_frame):
    with pytest.raises(ValueError, match="no rows with metric 'f1'"):
        plot_sensitivity(sensitivity_frame, "learning_rate", "f1", higher_is_better=True)
    with pytest.raises(ValueError, match=r"missing the columns \['depth'\]"):
        plot_sensitivity(sensitivity_frame, "depth", "accuracy", higher_is_better=True)
    two_tasks = pd.concat([sensitivity_frame, sensitivity_frame.assign(task="svhn")])
    with pytest.raises(ValueError, match="mixes 2 tasks"):
        plot_sensitivity(two_tasks, "learning_rate", "accuracy", higher_is_better=True)


def test_lines_distinct_markers(sensitivity_frame):
    ax = plot_sensitivity(sensitivity_frame, "learning_rate", "accuracy", higher_is_better=True)
    styles = {(line_of(ax, name).get_marker(), line_of(ax, name).get_linestyle()) for name in CANDIDATES}
    assert len({marker for marker, _ in styles}) == len(CANDIDATES)
    expected = candidate_markers(sorted(CANDIDATES))
    for name in CANDIDATES:
        assert line_of(ax, name).get_marker() == expected[name]["marker"]


def test_learning_curve_means_match_groupby(history):
    ax = plot_learning_curves(history, "accuracy")
    means = history.groupby(["candidate", "step"])["value"].mean()
    for candidate, band in zip(CANDIDATES, bands(ax)):
        line = line_of(ax, candidate)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(0, 200, 10))
        np.testing.assert_allclose(line.get_ydata(), means[candidate].to_numpy())
        values = history[(history.candidate == candidate) & (history.step == 50)]["value"]
        low, high = t_interval(values)
        assert band_limits(band, 50) == pytest.approx((low, high))
    assert "over 4 seeds" in ax.get_ylabel()


def test_learning_curve_averages_within_seed(history):
    # Two trials of one seed at the same step count once, as their mean.
    duplicated = pd.concat([history, history.assign(value=history.value + 0.1, trial_id="rerun")])
    ax = plot_learning_curves(duplicated, "accuracy")
    means = history.groupby(["candidate", "step"])["value"].mean() + 0.05
    np.testing.assert_allclose(line_of(ax, "mixup").get_ydata(), means["mixup"].to_numpy())


def test_performance_profile_fraction(scores):
    taus = np.array([0.2, 0.5, 0.8])
    ax = plot_performance_profile(scores, taus=taus, rng=0, n_resamples=200)
    for candidate in CANDIDATES:
        expected = [(scores[candidate] > tau).mean() for tau in taus]
        np.testing.assert_allclose(line_of(ax, candidate).get_ydata(), expected)
    for candidate, band in zip(CANDIDATES, bands(ax)):
        low, high = band_limits(band, 0.5)
        fraction = (scores[candidate] > 0.5).mean()
        assert low <= fraction <= high
    assert "stratified bootstrap" in ax.get_ylabel()


def test_performance_profile_same_rng_same_data(scores):
    first = plot_performance_profile(scores, rng=7, n_resamples=200)
    second = plot_performance_profile(scores, rng=7, n_resamples=200)
    other = plot_performance_profile(scores, rng=8, n_resamples=200)
    first_vertices = [band.get_paths()[0].vertices for band in bands(first)]
    second_vertices = [band.get_paths()[0].vertices for band in bands(second)]
    other_vertices = [band.get_paths()[0].vertices for band in bands(other)]
    for left, right in zip(first_vertices, second_vertices):
        np.testing.assert_array_equal(left, right)
    assert any(not np.array_equal(left, right) for left, right in zip(first_vertices, other_vertices))


def test_performance_profile_band_narrows_with_runs():
    rng = np.random.default_rng(4)
    small = {"a": rng.normal(0, 1, size=(5, 4))}
    large = {"a": rng.normal(0, 1, size=(200, 4))}
    widths = []
    for data in (small, large):
        ax = plot_performance_profile(data, taus=[0.0], rng=0, n_resamples=400)
        low, high = band_limits(bands(ax)[0], 0.0)
        widths.append(high - low)
    assert widths[1] < widths[0]


def test_probability_of_improvement_intervals(scores):
    ax = plot_probability_of_improvement(scores, rng=0, n_resamples=300)
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert [c.get_label() for c in containers] == ["baseline > mixup", "baseline > wide-resnet", "mixup > wide-resnet"]
    for container in containers:
        estimate = container.lines[0].get_xdata()[0]
        segment = container.lines[2][0].get_segments()[0]
        low, high = segment[:, 0].min(), segment[:, 0].max()
        assert low <= estimate <= high
        assert low >= 0
        assert high <= 1
    references = [line for line in ax.get_lines() if line.get_gid() == REFERENCE_GID]
    assert len(references) == 1
    assert list(references[0].get_xdata()) == [0.5, 0.5]


def test_probability_of_improvement_matches_results(scores):
    result = probability_of_improvement(scores["mixup"], scores["baseline"], rng=3, n_resamples=300,
                                        labels=("mixup", "baseline"))
    ax = plot_probability_of_improvement([result])
    container = next(c for c in ax.containers if isinstance(c, ErrorbarContainer))
    segment = container.lines[2][0].get_segments()[0]
    assert container.lines[0].get_xdata()[0] == pytest.approx(result.estimate)
    assert segment[:, 0].min() == pytest.approx(result.low)
    assert segment[:, 0].max() == pytest.approx(result.high)


def test_probability_of_improvement_rejects_unknown_pair(scores):
    with pytest.raises(ValueError, match="'resnet', which is not in scores"):
        plot_probability_of_improvement(scores, pairs=[("mixup", "resnet")], n_resamples=10)


def test_aggregate_intervals_panels(scores):
    axes = plot_aggregate_intervals(scores, rng=0, n_resamples=300)
    assert len(axes) == 4
    for ax in axes:
        for row, candidate in enumerate(CANDIDATES):
            estimate_x = line_of(ax, candidate).get_xdata()[0]
            bar = ax.patches[row]
            assert bar.get_x() <= estimate_x <= bar.get_x() + bar.get_width()
            assert line_of(ax, candidate).get_ydata()[0] == row
    mean_ax = axes[2]
    for candidate in CANDIDATES:
        assert line_of(mean_ax, candidate).get_xdata()[0] == pytest.approx(scores[candidate].mean())
    assert "lower is better" in axes[3].get_xlabel()


def test_aggregate_intervals_given_axes(scores):
    fig, axes = plt.subplots(1, 2)
    returned = plot_aggregate_intervals(scores, ("iqm", "mean"), axes=axes, rng=0, n_resamples=100)
    assert list(returned) == list(axes)
    assert "stratified bootstrap CI" in returned[0].get_xlabel()
    with pytest.raises(ValueError, match="axes has 2 Axes but statistics has 1"):
        plot_aggregate_intervals(scores, ("iqm",), axes=axes, n_resamples=10)


def test_curves_save_in_venue_style(tmp_path, sensitivity_frame):
    with style(venue="ieee"):
        ax = plot_sensitivity(sensitivity_frame, "learning_rate", "accuracy", higher_is_better=True)
        assert ax.get_figure().get_size_inches()[0] == pytest.approx(3.5)
        first = save(ax, tmp_path / "first", formats=("pdf",))[0]
        second = save(ax, tmp_path / "second", formats=("pdf",))[0]
    assert first.read_bytes() == second.read_bytes()
    assert b"/Type3" not in first.read_bytes()
    assert ax.get_figure().get_layout_engine() is not None
