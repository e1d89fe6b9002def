"""Tests of nbcompare.plots: what each figure draws, how files are saved, and the import contract.

The comparisons come from the real ``nbcompare.stats.compare`` on frames built here.
"""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from scipy import stats as scipy_stats  # noqa: E402

from nbcompare import plots  # noqa: E402
from nbcompare.exceptions import MissingTrialsWarning  # noqa: E402
from nbcompare.stats import analyze, compare  # noqa: E402

# Mean accuracy of each candidate. "mixup" and "mixup-long-schedule" differ by
# less than the noise, so their pair is not significant while the others are.
ACCURACY = {
    "baseline": 0.80,
    "mixup": 0.85,
    "mixup-long-schedule (300 epochs)": 0.851,
    "wide-resnet": 0.90,
}
PARAMETERS = {"baseline": 2.0e5, "mixup": 2.0e5, "mixup-long-schedule (300 epochs)": 2.0e5, "wide-resnet": 4.0e7}
SECONDS_PER_SAMPLE = {"baseline": 1e-3, "mixup": 1e-3, "mixup-long-schedule (300 epochs)": 1.1e-3, "wide-resnet": 9e-3}
N_SEEDS = 10


def make_frame(accuracy=ACCURACY, n_seeds=N_SEEDS, noise=0.01, random_seed=0) -> pd.DataFrame:
    """Build a long results frame with accuracy, parameters and time per sample for one task."""
    rng = np.random.default_rng(random_seed)
    rows = []
    for candidate, mean in accuracy.items():
        for seed in range(n_seeds):
            trial = {"candidate": candidate, "task": "cifar10", "seed": seed, "host": "node-1"}
            rows.append({**trial, "metric": "accuracy", "value": mean + rng.normal(0, noise)})
            rows.append({**trial, "metric": "parameters", "value": PARAMETERS.get(candidate, 1e6)})
            seconds = SECONDS_PER_SAMPLE.get(candidate, 1e-3) * (1 + rng.normal(0, 0.05))
            rows.append({**trial, "metric": "inference_time_per_sample_s", "value": seconds})
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="module")
def comparison(frame):
    return compare(frame, "accuracy", higher_is_better=True)


def errorbar_containers(ax) -> list[ErrorbarContainer]:
    return [container for container in ax.containers if isinstance(container, ErrorbarContainer)]


def same_colour(first, second) -> bool:
    return np.allclose(to_rgba(first), to_rgba(second))


def finite_matrix_values(comparison) -> int:
    return int(np.isfinite(comparison.matrix.to_numpy(dtype=float)).sum())


def drawn_x_values(ax) -> np.ndarray:
    """Return the x coordinate of every point, line vertex and error-bar mean drawn on ``ax``."""
    values = [collection.get_offsets()[:, 0] for collection in ax.collections if isinstance(collection, PathCollection)]
    values += [line.get_xdata() for line in ax.lines]
    return np.concatenate([np.asarray(value, dtype=float) for value in values]) if values else np.empty(0)


# --- palette -----------------------------------------------------------------


def test_palette_uses_colorblind_colours_in_order():
    import seaborn as sns

    names = ["c", "a", "b"]
    palette = plots.candidate_palette(names)
    expected = sns.color_palette("colorblind")

    assert list(palette) == names
    for index, name in enumerate(names):
        assert same_colour(palette[name], expected[index])


def test_palette_stable_and_distinct_for_many():
    names = [f"model-{index}" for index in range(14)]

    first = plots.candidate_palette(names)
    second = plots.candidate_palette(list(names))

    assert first == second
    assert len({tuple(np.round(colour, 6)) for colour in first.values()}) == len(names)


def test_palette_rejects_duplicates():
    with pytest.raises(ValueError, match="duplicate"):
        plots.candidate_palette(["a", "b", "a"])


# --- metric CI ---------------------------------------------------------------


def test_metric_ci_one_errorbar_per_candidate(comparison):
    ax = plots.plot_metric_ci(comparison)

    containers = errorbar_containers(ax)
    assert len(containers) == len(comparison.candidates)
    assert [container.get_label() for container in containers] == list(comparison.candidates)


def test_metric_ci_positions_and_ends_match_summary(comparison):
    ax = plots.plot_metric_ci(comparison)

    for row, (container, summary) in enumerate(zip(errorbar_containers(ax), comparison.summary)):
        (x_mean, y_row), = container.lines[0].get_xydata()
        assert x_mean == pytest.approx(summary.mean)
        assert y_row == row
        (low_end, _), (high_end, _) = container.lines[2][0].get_segments()[0]
        assert low_end == pytest.approx(summary.ci_low)
        assert high_end == pytest.approx(summary.ci_high)


def test_metric_ci_rows_best_first(comparison):
    ax = plots.plot_metric_ci(comparison)

    assert [label.get_text() for label in ax.get_yticklabels()] == list(comparison.candidates)
    assert list(ax.get_yticks()) == list(range(len(comparison.candidates)))
    bottom, top = ax.get_ylim()
    assert bottom > top, "the first (best) candidate must be at the top"


def test_metric_ci_default_palette_colours(comparison):
    ax = plots.plot_metric_ci(comparison)
    palette = plots.candidate_palette(sorted(comparison.candidates))

    for container in errorbar_containers(ax):
        assert same_colour(container.lines[0].get_color(), palette[container.get_label()])


def test_metric_ci_custom_palette_colours(comparison):
    palette = dict(zip(comparison.candidates, ["#000000", "#ff0000", "#00ff00", "#0000ff"]))
    ax = plots.plot_metric_ci(comparison, palette=palette)

    for container in errorbar_containers(ax):
        assert same_colour(container.lines[0].get_color(), palette[container.get_label()])
        assert same_colour(container.lines[2][0].get_colors()[0], palette[container.get_label()])


def test_metric_ci_palette_missing_candidate(comparison):
    with pytest.raises(ValueError, match="no colour for candidates"):
        plots.plot_metric_ci(comparison, palette={"baseline": "red"})


def test_metric_ci_axis_label(comparison):
    label = plots.plot_metric_ci(comparison).get_xlabel()

    assert "accuracy" in label
    assert "higher is better" in label
    assert "mean ± 95 % t CI" in label


def test_metric_ci_seed_points_deterministic(comparison):
    first = plots.plot_metric_ci(comparison)
    second = plots.plot_metric_ci(comparison)

    first_points = np.vstack([c.get_offsets() for c in first.collections if c.get_gid() == "seed-points"])
    second_points = np.vstack([c.get_offsets() for c in second.collections if c.get_gid() == "seed-points"])
    assert len(first_points) == finite_matrix_values(comparison)
    np.testing.assert_array_equal(first_points, second_points)


def test_metric_ci_without_seed_points(comparison):
    ax = plots.plot_metric_ci(comparison, show_seeds=False)

    assert not [c for c in ax.collections if c.get_gid() == "seed-points"]
    assert "dots" not in ax.get_xlabel()


def test_metric_ci_draws_on_given_axes(comparison):
    figure, axes = plt.subplots(1, 2)

    returned = plots.plot_metric_ci(comparison, ax=axes[1])

    assert returned is axes[1]
    assert plt.get_fignums() == [figure.number]
    assert not errorbar_containers(axes[0])


# --- seed points -------------------------------------------------------------


def test_seed_points_count_equals_finite_values(comparison):
    ax = plots.plot_seed_points(comparison)

    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in scatters) == finite_matrix_values(comparison)
    assert [c.get_label() for c in scatters] == list(comparison.candidates)


def test_seed_points_one_line_per_block(comparison):
    ax = plots.plot_seed_points(comparison)

    lines = [line for line in ax.lines if line.get_gid() == "block-line"]
    assert len(lines) == len(comparison.matrix)
    for line, (_, block) in zip(lines, comparison.matrix.iterrows()):
        np.testing.assert_allclose(line.get_xdata(), block[list(comparison.candidates)].to_numpy(dtype=float))
        offsets = np.asarray(line.get_ydata()) - np.arange(len(comparison.candidates))
        # One offset per block, the same for all of its points, within the row's band.
        np.testing.assert_allclose(offsets, offsets[0])
        assert abs(offsets[0]) <= 0.25
    first_offsets = [line.get_ydata()[0] for line in lines]
    assert len(set(np.round(first_offsets, 9))) == len(lines)


def test_seed_points_equal_values_stay_visible():
    # Every block gives the same two values: without offsets the dots would coincide.
    frame = pd.DataFrame({
        "candidate": ["a"] * 6 + ["b"] * 6,
        "task": "t",
        "seed": list(range(6)) * 2,
        "metric": "accuracy",
        "value": [0.9] * 6 + [0.8] * 6,
    })
    comparison = compare(frame, "accuracy", higher_is_better=True)
    ax = plots.plot_seed_points(comparison)

    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    for scatter in scatters:
        positions = {tuple(np.round(p, 9)) for p in scatter.get_offsets()}
        assert len(positions) == 6


def test_seed_points_colours_and_label(comparison):
    palette = plots.candidate_palette(comparison.candidates)
    ax = plots.plot_seed_points(comparison, palette=palette)

    for collection in ax.collections:
        assert same_colour(collection.get_facecolor()[0], palette[collection.get_label()])
    assert "one dot per seed" in ax.get_xlabel()


# --- NaN handling ------------------------------------------------------------


@pytest.fixture(scope="module")
def frame_with_failures() -> pd.DataFrame:
    """Frame where two accuracy trials failed (NaN) and "diverged" never produced a finite value."""
    frame = make_frame(accuracy={**ACCURACY, "diverged": 0.5}, random_seed=3)
    accuracy = frame["metric"] == "accuracy"
    frame.loc[accuracy & (frame["candidate"] == "diverged"), "value"] = np.nan
    frame.loc[accuracy & (frame["candidate"] == "mixup") & frame["seed"].isin([2, 7]), "value"] = np.nan
    return frame


def test_nan_values_not_drawn_at_zero(frame_with_failures):
    # Without "diverged", compare gets a complete candidate set with two failed trials.
    subset = frame_with_failures[frame_with_failures["candidate"] != "diverged"]
    with pytest.warns(MissingTrialsWarning):
        comparison = compare(subset, "accuracy", higher_is_better=True)

    for draw in (plots.plot_metric_ci, plots.plot_seed_points):
        drawn = drawn_x_values(draw(comparison))
        drawn = drawn[np.isfinite(drawn)]
        assert drawn.size > 0
        assert (drawn > 0.5).all(), f"{draw.__name__} drew a value at or near zero"


def test_candidate_without_values_named(comparison):
    # A comparison whose matrix and summary have no finite value for one candidate.
    dead = comparison.candidates[-1]
    matrix = comparison.matrix.copy()
    matrix[dead] = np.nan
    summary = tuple(
        dataclasses.replace(item, n=0, mean=np.nan, std=np.nan, ci_low=np.nan, ci_high=np.nan, median=np.nan)
        if item.candidate == dead else item
        for item in comparison.summary
    )
    broken = dataclasses.replace(comparison, matrix=matrix, summary=summary)

    for draw in (plots.plot_metric_ci, plots.plot_seed_points):
        ax = draw(broken)
        notes = [text for text in ax.texts if text.get_gid() == "note"]
        assert [note.get_text() for note in notes] == ["no finite values"]
        assert notes[0].get_position()[1] == len(comparison.candidates) - 1
        drawn = drawn_x_values(ax)
        assert (drawn[np.isfinite(drawn)] > 0.5).all()


def test_nan_cell_breaks_block_line(comparison):
    # compare drops incomplete blocks, so put a NaN into a copy of its matrix.
    matrix = comparison.matrix.copy()
    gap_candidate = comparison.candidates[1]
    matrix.iloc[0, matrix.columns.get_loc(gap_candidate)] = np.nan
    with_gap = dataclasses.replace(comparison, matrix=matrix)

    ax = plots.plot_seed_points(with_gap)

    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in scatters) == finite_matrix_values(comparison) - 1
    first_line = next(line for line in ax.lines if line.get_gid() == "block-line")
    assert np.isnan(first_line.get_xdata()[1])
    drawn = drawn_x_values(ax)
    assert (drawn[np.isfinite(drawn)] > 0.5).all()


def test_tradeoff_names_candidate_without_values(frame_with_failures):
    ax = plots.plot_tradeoff(frame_with_failures, "parameters", "accuracy")

    assert "diverged" in ax.get_title()
    labels = [container.get_label() for container in errorbar_containers(ax)]
    assert "diverged" not in labels
    assert len(labels) == len(ACCURACY)


# --- p-value matrix ----------------------------------------------------------


def p_cell_texts(ax) -> dict[tuple[int, int], object]:
    """Map (row, column) to the annotation text of that cell."""
    cells = {}
    for text in ax.texts:
        if text.get_gid() == "p-cell":
            column, row = text.get_position()
            cells[(int(row), int(column))] = text
    return cells


def p_line(text) -> str:
    """Return the p-value line of a cell text, the first of its lines."""
    return text.get_text().split("\n")[0]


def reject_of(comparison, first: str, second: str) -> bool:
    for test in comparison.pairwise:
        if {test.model_a, test.model_b} == {first, second}:
            return bool(test.reject)
    raise AssertionError(f"no pairwise test for {first} and {second}")


def test_format_pvalue_table():
    cases = {
        0.0: "0",
        5e-5: "<1e-4",
        1e-4: "0.0001",
        0.000123456: "0.000123",
        0.012345: "0.0123",
        0.5: "0.5",
        0.99999: "1",
        1.0: "1",
        float("nan"): "n/a",
    }
    for pvalue, expected in cases.items():
        assert plots.format_pvalue(pvalue) == expected, pvalue


@pytest.mark.parametrize("adjusted", [True, False])
def test_pvalue_cells_match_p_matrix(comparison, adjusted):
    ax = plots.plot_pvalue_matrix(comparison, adjusted=adjusted)
    p_matrix = comparison.p_matrix(adjusted=adjusted)
    cells = p_cell_texts(ax)
    size = len(p_matrix)

    assert set(cells) == {(row, column) for row in range(size) for column in range(size) if row != column}
    for (row, column), text in cells.items():
        expected = plots.format_pvalue(p_matrix.iloc[row, column])
        assert p_line(text).rstrip("*") == expected, (row, column)
    assert len({p_line(text) for text in cells.values()}) > 1, "every cell shows the same p-value"


def test_pvalue_marks_follow_reject(comparison):
    ax = plots.plot_pvalue_matrix(comparison)
    names = list(comparison.p_matrix().index)
    marked_pairs = 0

    for (row, column), text in p_cell_texts(ax).items():
        reject = reject_of(comparison, names[row], names[column])
        assert p_line(text).endswith("*") == reject, (names[row], names[column])
        assert (text.get_fontweight() == "bold") == reject
        marked_pairs += reject
    assert 0 < marked_pairs < len(names) * (len(names) - 1), "data should give both outcomes"


def test_pvalue_title_caption_and_scale(comparison):
    ax = plots.plot_pvalue_matrix(comparison)

    assert ax.get_title() == f"{comparison.metric}: Wilcoxon signed-rank, adjusted p (Holm)"
    assert "* adjusted p ≤ α = 0.05" in ax.get_xlabel()
    image = ax.get_images()[0]
    assert image.norm.vmin == -4
    assert image.norm.vmax == 0
    assert np.ma.getmaskarray(image.get_array()).diagonal().all()


def test_pvalue_unadjusted_title(comparison):
    ax = plots.plot_pvalue_matrix(comparison, adjusted=False)

    assert ax.get_title() == f"{comparison.metric}: Wilcoxon signed-rank, unadjusted p"
    assert "Holm-adjusted p ≤ α" in ax.get_xlabel()


def test_pvalue_exact_zero_marked(comparison):
    # An exact 0 is what an asymptotic p-value underflows to. Real data cannot reach
    # it here, because compare overflows in its minimum-p bound from 1024 blocks on.
    zero_pair = comparison.pairwise[0]
    zeroed = dataclasses.replace(zero_pair, pvalue=0.0, pvalue_adjusted=0.0,
                                 reject=0.0 <= comparison.alpha)
    with_zero = dataclasses.replace(comparison, pairwise=(zeroed, *comparison.pairwise[1:]))
    names = list(with_zero.p_matrix().index)
    row, column = names.index(zero_pair.model_a), names.index(zero_pair.model_b)

    ax = plots.plot_pvalue_matrix(with_zero)
    cells = p_cell_texts(ax)

    for key in ((row, column), (column, row)):
        assert p_line(cells[key]) == "0*"
        assert cells[key].get_fontweight() == "bold"
    image = ax.get_images()[0]
    assert image.get_array()[row, column] == -4, "p = 0 must get the darkest colour"


def test_pvalue_cell_text_shrinks_to_fit(comparison):
    figure, ax = plt.subplots(figsize=(2.0, 2.0))
    plots.plot_pvalue_matrix(comparison, ax=ax)
    cells = list(p_cell_texts(ax).values())
    base_size = cells[0].get_fontsize()

    figure.canvas.draw()

    cell_width = abs(ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0])
    renderer = figure.canvas.get_renderer()
    for text in cells:
        assert 4.0 <= text.get_fontsize() < base_size
        assert text.get_window_extent(renderer).width <= cell_width


# --- trade-off ---------------------------------------------------------------


def brute_force_pareto(points: dict[str, tuple[float, float]], x_higher: bool, y_higher: bool) -> set[str]:
    def better_or_equal(a: float, b: float, higher: bool) -> bool:
        return a >= b if higher else a <= b

    optimal = set()
    for name, (x, y) in points.items():
        dominated = False
        for other, (other_x, other_y) in points.items():
            if other == name:
                continue
            if (better_or_equal(other_x, x, x_higher) and better_or_equal(other_y, y, y_higher)
                    and (other_x, other_y) != (x, y)):
                dominated = True
        if not dominated:
            optimal.add(name)
    return optimal


def candidate_mean_points(frame, x: str, y: str) -> dict[str, tuple[float, float]]:
    means = frame.groupby(["candidate", "metric"])["value"].mean().unstack("metric")
    return {name: (means.loc[name, x], means.loc[name, y]) for name in means.index}


def test_tradeoff_points_at_candidate_means(frame):
    ax = plots.plot_tradeoff(frame, "inference_time_per_sample_s", "accuracy")
    expected = candidate_mean_points(frame, "inference_time_per_sample_s", "accuracy")

    containers = errorbar_containers(ax)
    assert len(containers) == len(expected)
    for container in containers:
        (x_mean, y_mean), = container.lines[0].get_xydata()
        assert (x_mean, y_mean) == pytest.approx(expected[container.get_label()])


def test_tradeoff_error_bars_are_t_intervals(frame):
    ax = plots.plot_tradeoff(frame, "inference_time_per_sample_s", "accuracy", confidence_level=0.9)

    for container in errorbar_containers(ax):
        name = container.get_label()
        for metric, segments, axis in (("inference_time_per_sample_s", container.lines[2][0], 0),
                                       ("accuracy", container.lines[2][1], 1)):
            values = frame.query("candidate == @name and metric == @metric")["value"]
            low, high = scipy_stats.t.interval(0.9, len(values) - 1, loc=values.mean(), scale=scipy_stats.sem(values))
            start, end = segments.get_segments()[0]
            assert (start[axis], end[axis]) == pytest.approx((low, high)), (name, metric)


@pytest.mark.parametrize("x_higher, y_higher", list(itertools.product([False, True], repeat=2)))
def test_tradeoff_pareto_matches_brute_force(x_higher, y_higher):
    accuracy = {"a": 0.80, "b": 0.85, "c": 0.90, "d": 0.84, "e": 0.70, "f": 0.85}
    times = {"a": 1e-3, "b": 2e-3, "c": 5e-3, "d": 4e-3, "e": 1e-3, "f": 3e-3}
    frame = make_frame(accuracy=accuracy, noise=0.0005)
    frame.loc[frame["metric"] == "inference_time_per_sample_s", "value"] = (
        frame.loc[frame["metric"] == "inference_time_per_sample_s", "candidate"].map(times)
    )
    expected = brute_force_pareto(candidate_mean_points(frame, "inference_time_per_sample_s", "accuracy"),
                                  x_higher, y_higher)

    ax = plots.plot_tradeoff(frame, "inference_time_per_sample_s", "accuracy",
                             x_higher_is_better=x_higher, y_higher_is_better=y_higher)

    highlighted = {c.get_label() for c in errorbar_containers(ax)
                   if same_colour(c.lines[0].get_markeredgecolor(), "black")}
    assert highlighted == expected
    front = [line for line in ax.lines if line.get_gid() == "pareto-front"]
    assert len(front) == 1
    assert len(front[0].get_xdata()) == len(expected)
    assert any("Pareto-optimal" in text.get_text() for text in ax.get_legend().get_texts())


def test_tradeoff_log_x_over_two_decades(frame):
    ax = plots.plot_tradeoff(frame, "parameters", "accuracy")

    assert ax.get_xscale() == "log"
    assert "parameters (lower is better)" in ax.get_xlabel()
    assert "accuracy (higher is better)" in ax.get_ylabel()
    assert "mean ± 95 % t CI" in ax.get_ylabel()


def test_tradeoff_linear_x_by_default_or_request(frame):
    narrow = plots.plot_tradeoff(frame, "inference_time_per_sample_s", "accuracy")
    forced = plots.plot_tradeoff(frame, "parameters", "accuracy", log_x=False)

    assert narrow.get_xscale() == "linear"
    assert forced.get_xscale() == "linear"


def test_tradeoff_rejects_unknown_metric(frame):
    with pytest.raises(ValueError, match="'flops' is not in frame"):
        plots.plot_tradeoff(frame, "flops", "accuracy")


# --- style and save ----------------------------------------------------------


def draw_small_figure():
    figure, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1, 2], [1, 0, 2], label="α ± β")
    ax.set_xlabel("accuracy (higher is better)")
    ax.legend()
    return figure


def test_style_restores_rcparams():
    before = dict(matplotlib.rcParams)

    with plots.style():
        assert matplotlib.rcParams["pdf.fonttype"] == 42
        assert matplotlib.rcParams["ps.fonttype"] == 42
        assert matplotlib.rcParams["figure.facecolor"] == "white"

    assert dict(matplotlib.rcParams) == before


def test_save_writes_pdf_and_png(tmp_path):
    paths = plots.save(draw_small_figure(), tmp_path / "nested" / "figure")

    assert paths == [tmp_path / "nested" / "figure.pdf", tmp_path / "nested" / "figure.png"]
    assert paths[0].read_bytes().startswith(b"%PDF")
    assert paths[1].read_bytes().startswith(b"\x89PNG")


def test_save_twice_identical_bytes(tmp_path):
    figure = draw_small_figure()

    first = plots.save(figure, tmp_path / "first", formats=("pdf", "png", "svg"))
    second = plots.save(figure, tmp_path / "second", formats=("pdf", "png", "svg"))

    for first_path, second_path in zip(first, second):
        assert first_path.read_bytes() == second_path.read_bytes(), first_path.suffix


def test_save_drops_timestamps_and_versions(tmp_path):
    pdf, png = plots.save(draw_small_figure(), tmp_path / "figure")

    assert b"CreationDate" not in pdf.read_bytes()
    assert b"Matplotlib" not in pdf.read_bytes()
    assert b"Software" not in png.read_bytes()


def test_save_pdf_has_no_type3_fonts(tmp_path):
    # Drawn outside style(): save itself must switch to TrueType embedding.
    pdf_path, = plots.save(draw_small_figure(), tmp_path / "figure", formats="pdf")
    data = pdf_path.read_bytes()

    assert b"/Type3" not in data
    assert b"/FontFile2" in data
    pypdf = pytest.importorskip("pypdf")
    subtypes = set()
    for page in pypdf.PdfReader(pdf_path).pages:
        for font in page["/Resources"]["/Font"].values():
            subtypes.add(str(font.get_object()["/Subtype"]))
    assert subtypes
    assert "/Type3" not in subtypes


def test_save_unknown_format_raises(tmp_path):
    with pytest.raises(ValueError, match=r"'jpeg'.*\['pdf', 'png', 'svg'\]"):
        plots.save(draw_small_figure(), tmp_path / "figure", formats=("pdf", "jpeg"))


def test_save_rejects_path_with_suffix(tmp_path):
    with pytest.raises(ValueError, match="without a suffix"):
        plots.save(draw_small_figure(), tmp_path / "figure.pdf")


# --- rcParams and imports ----------------------------------------------------


def test_figure_functions_leave_rcparams(comparison, frame, tmp_path):
    before = dict(matplotlib.rcParams)

    plots.plot_metric_ci(comparison)
    plots.plot_seed_points(comparison)
    plots.plot_pvalue_matrix(comparison)
    plots.plot_tradeoff(frame, "parameters", "accuracy")
    plots.save(plt.gcf(), tmp_path / "figure", formats=("svg",))

    assert dict(matplotlib.rcParams) == before


def run_python(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_import_does_not_import_matplotlib():
    result = run_python(
        "import sys, nbcompare, nbcompare.plots\n"
        "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)[:5]\n"
    )

    assert result.returncode == 0, result.stderr


def test_import_leaves_rcparams():
    result = run_python(
        "import matplotlib\n"
        "before = dict(matplotlib.rcParams)\n"
        "import nbcompare.plots\n"
        "changed = {k for k in before if matplotlib.rcParams[k] != before[k]}\n"
        "assert not changed, changed\n"
    )

    assert result.returncode == 0, result.stderr


# --- study figures -----------------------------------------------------------


def test_study_figures_written_and_closed(frame, tmp_path):
    analysis = analyze(frame, {"accuracy": True})

    paths = plots.save_study_figures(analysis, frame, tmp_path / "figures", formats=("png",))

    expected_stems = [
        "accuracy_ci", "accuracy_seeds", "accuracy_pvalues", "accuracy_cd",
        "accuracy_vs_parameters", "accuracy_vs_inference_time",
    ]
    assert paths == [tmp_path / "figures" / f"{stem}.png" for stem in expected_stems]
    assert all(path.stat().st_size > 0 for path in paths)
    assert plt.get_fignums() == []


def test_study_figures_metric_filter(frame, tmp_path):
    analysis = analyze(frame, {"accuracy": True, "inference_time_per_sample_s": False})
    without_accuracy = frame[frame["metric"] != "accuracy"]

    paths = plots.save_study_figures(analysis.comparisons, without_accuracy, tmp_path,
                                     metrics=["inference_time_per_sample_s"], formats="png")

    assert [path.name for path in paths] == [
        "inference_time_per_sample_s_ci.png",
        "inference_time_per_sample_s_seeds.png",
        "inference_time_per_sample_s_pvalues.png",
        "inference_time_per_sample_s_cd.png",
    ]


def test_study_figures_rank_heatmap_for_several_metrics(frame, tmp_path):
    analysis = analyze(frame, {"accuracy": True, "inference_time_per_sample_s": False})

    paths = plots.save_study_figures(analysis, frame, tmp_path, formats="png")

    names = [path.name for path in paths]
    assert "ranks.png" in names
    assert "accuracy_cd.png" in names
    assert "inference_time_per_sample_s_cd.png" in names
    assert plt.get_fignums() == []


def test_study_figures_unknown_metric(comparison, frame, tmp_path):
    with pytest.raises(ValueError, match=r"\['loss'\] have no comparison"):
        plots.save_study_figures([comparison], frame, tmp_path, metrics=["loss"])


# --- bar and distribution variants ----------------------------------------------


def test_metric_ci_bar_heights_equal_means(comparison):
    ax = plots.plot_metric_ci(comparison, kind="bar")

    bars = [patch for patch in ax.patches if patch.get_gid() == "mean-bar"]
    assert len(bars) == len(comparison.candidates)
    for bar, summary in zip(bars, comparison.summary):
        assert bar.get_x() == 0
        assert bar.get_width() == pytest.approx(summary.mean)
    assert len(errorbar_containers(ax)) == len(comparison.candidates)


def test_metric_ci_rejects_unknown_kind(comparison):
    with pytest.raises(ValueError, match=r"kind must be 'point' or 'bar', got 'pie'"):
        plots.plot_metric_ci(comparison, kind="pie")


def test_seed_distribution_box_medians(comparison):
    ax = plots.plot_seed_distribution(comparison, kind="box")

    medians = [line for line in ax.lines if line.get_gid() == "box-median"]
    expected = sorted(float(np.median(comparison.matrix[c].dropna())) for c in comparison.candidates)
    assert sorted(float(line.get_xdata()[0]) for line in medians) == pytest.approx(expected)
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == list(comparison.candidates)


def test_seed_distribution_violin_draws_one_body_per_candidate(comparison):
    ax = plots.plot_seed_distribution(comparison, kind="violin")

    bodies = [c for c in ax.collections if type(c).__name__ == "FillBetweenPolyCollection"
              or type(c).__name__ == "PolyCollection"]
    assert len(bodies) == len(comparison.candidates)
    with pytest.raises(ValueError, match=r"kind must be 'box' or 'violin'"):
        plots.plot_seed_distribution(comparison, kind="strip")
