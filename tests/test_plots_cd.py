"""Tests of the critical-difference diagram, the rank heatmap and the p-value matrix with effect sizes.

Every comparison comes from the real ``nbcompare.stats.compare`` on frames built
here, and every check reads what was drawn on the axes.
"""

from __future__ import annotations

import dataclasses
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from nbcompare.plots._cd import plot_cd_diagram  # noqa: E402
from nbcompare.stats import compare  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def make_frame(k: int, tasks: int = 20, spread: float = 0.02, noise: float = 0.03, seed: int = 0,
               names: list[str] | None = None) -> pd.DataFrame:
    """Build one accuracy value per candidate and task; candidate i has mean 0.9 - spread * i."""
    rng = np.random.default_rng(seed)
    names = names or [f"model-{index:02d}" for index in range(k)]
    rows = []
    for index, name in enumerate(names):
        for task in range(tasks):
            value = 0.9 - spread * index + rng.normal(0, noise)
            rows.append({"candidate": name, "task": f"task-{task}", "seed": 0, "metric": "acc", "value": value})
    return pd.DataFrame(rows)


def quiet_compare(frame: pd.DataFrame, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare(frame, "acc", higher_is_better=True, **options)


@pytest.fixture(scope="module")
def nemenyi_8():
    return quiet_compare(make_frame(8), test="friedman", posthoc="nemenyi")


@pytest.fixture(scope="module")
def default_8():
    return quiet_compare(make_frame(8))


def lines_with_gid(ax, gid: str) -> list:
    return [line for line in ax.lines if line.get_gid() == gid]


def texts_with_gid(ax, gid: str) -> list:
    return [text for text in ax.texts if text.get_gid() == gid]


def rank_order(comparison) -> tuple[list[str], list[float]]:
    """Return the candidates sorted by mean rank, ties in the comparison's order."""
    ranks = {summary.candidate: summary.mean_rank for summary in comparison.summary}
    names = sorted(comparison.candidates, key=lambda name: (ranks[name], comparison.candidates.index(name)))
    return names, [ranks[name] for name in names]


def brute_force_cliques(comparison, alpha: float | None = None) -> set[tuple[float, float]]:
    """Return the (lowest, highest) mean rank of every maximal run, in rank order, with no p <= alpha."""
    alpha = comparison.alpha if alpha is None else alpha
    names, ranks = rank_order(comparison)
    pvalues = comparison.p_matrix().loc[names, names].to_numpy(dtype=float)
    size = len(names)

    def qualifies(start: int, end: int) -> bool:
        return not any(pvalues[i, j] <= alpha for i in range(start, end + 1) for j in range(i + 1, end + 1))

    runs = [(start, end) for start in range(size) for end in range(start + 1, size) if qualifies(start, end)]
    maximal = [run for run in runs
               if not any(other != run and other[0] <= run[0] and run[1] <= other[1] for other in runs)]
    return {(ranks[start], ranks[end]) for start, end in maximal}


def drawn_bars(ax) -> list[tuple[float, float, float]]:
    """Return (low x, high x, y) of every clique bar."""
    bars = []
    for line in lines_with_gid(ax, "clique-bar"):
        xs, ys = line.get_xdata(), line.get_ydata()
        bars.append((float(min(xs)), float(max(xs)), float(ys[0])))
    return bars


def bar_extents(ax) -> set[tuple[float, float]]:
    return {(round(low, 9), round(high, 9)) for low, high, _ in drawn_bars(ax)}


def rounded(extents) -> set[tuple[float, float]]:
    return {(round(low, 9), round(high, 9)) for low, high in extents}


# --- critical-difference diagram ---------------------------------------------


def test_cd_markers_at_mean_ranks(nemenyi_8):
    ax = plot_cd_diagram(nemenyi_8)

    markers = lines_with_gid(ax, "rank-marker")
    expected = {summary.candidate: summary.mean_rank for summary in nemenyi_8.summary}
    assert sorted(marker.get_label() for marker in markers) == sorted(nemenyi_8.candidates)
    for marker in markers:
        assert marker.get_xdata()[0] == pytest.approx(expected[marker.get_label()])
        assert marker.get_ydata()[0] == 0


def test_cd_name_labels_equal_candidates(nemenyi_8):
    ax = plot_cd_diagram(nemenyi_8)

    names = [text.get_text() for text in texts_with_gid(ax, "candidate-name")]
    assert sorted(names) == sorted(nemenyi_8.candidates)


def test_cd_rank_axis_ticks(nemenyi_8):
    ax = plot_cd_diagram(nemenyi_8)

    assert list(ax.get_xticks()) == list(range(1, len(nemenyi_8.candidates) + 1))
    low, high = ax.get_xlim()
    assert low < 1, "rank 1 sits at the left end"
    assert high > len(nemenyi_8.candidates)


def test_cd_best_half_named_left(nemenyi_8):
    ax = plot_cd_diagram(nemenyi_8)
    names, _ = rank_order(nemenyi_8)
    sides = {text.get_text(): text.get_horizontalalignment() for text in texts_with_gid(ax, "candidate-name")}

    assert [sides[name] for name in names[:4]] == ["right"] * 4
    assert [sides[name] for name in names[4:]] == ["left"] * 4


@pytest.mark.parametrize("fixture", ["nemenyi_8", "default_8"])
def test_cd_bars_match_brute_force(fixture, request):
    comparison = request.getfixturevalue(fixture)
    ax = plot_cd_diagram(comparison)

    expected = rounded(brute_force_cliques(comparison))
    assert len(drawn_bars(ax)) == len(expected)
    assert bar_extents(ax) == expected
    assert 0 < len(expected), "data should give at least one bar"


def test_cd_bars_follow_alpha_override(default_8):
    strict = 1e-6
    ax = plot_cd_diagram(default_8, alpha=strict)

    assert bar_extents(ax) == rounded(brute_force_cliques(default_8, strict))
    assert "α = 1e-06" in texts_with_gid(ax, "cd-caption")[0].get_text()


def test_cd_bar_length_nemenyi(nemenyi_8):
    ax = plot_cd_diagram(nemenyi_8)

    (bar,) = lines_with_gid(ax, "cd-bar")
    low, high = sorted(bar.get_xdata())
    assert high - low == pytest.approx(nemenyi_8.posthoc.critical_difference)
    assert low == 1
    (label,) = texts_with_gid(ax, "cd-label")
    assert label.get_text() == f"CD = {nemenyi_8.posthoc.critical_difference:.2f}"


def test_cd_bar_absent_without_cd(default_8):
    ax = plot_cd_diagram(default_8)

    assert lines_with_gid(ax, "cd-bar") == []
    assert texts_with_gid(ax, "cd-label") == []


def test_cd_caption_names_tests(nemenyi_8, default_8):
    nemenyi_caption = texts_with_gid(plot_cd_diagram(nemenyi_8), "cd-caption")[0].get_text()
    default_caption = texts_with_gid(plot_cd_diagram(default_8), "cd-caption")[0].get_text()

    assert nemenyi_caption.startswith("Friedman (p ")
    assert "+ Nemenyi, α = 0.05" in nemenyi_caption
    assert "+ pairwise Wilcoxon signed-rank, Holm, α = 0.05" in default_caption
    assert "20 tasks" in default_caption


def test_cd_all_pairs_differ_no_bars():
    comparison = quiet_compare(make_frame(4, spread=0.1, noise=0.001))
    assert all(test.reject for test in comparison.pairwise), "data should separate every pair"

    ax = plot_cd_diagram(comparison)

    assert drawn_bars(ax) == []


@pytest.mark.parametrize("options", [{}, {"test": "friedman", "posthoc": "nemenyi"}])
def test_cd_no_pair_differs_one_bar(options):
    comparison = quiet_compare(make_frame(5, spread=0.0, noise=0.03, seed=3), **options)
    assert not any(test.reject for test in comparison.pairwise), "data should separate no pair"
    _, ranks = rank_order(comparison)

    ax = plot_cd_diagram(comparison)

    (bar,) = drawn_bars(ax)
    assert bar[0] == pytest.approx(ranks[0])
    assert bar[1] == pytest.approx(ranks[-1])


def test_cd_exact_zero_pvalue_separates():
    comparison = quiet_compare(make_frame(5, spread=0.0, noise=0.03, seed=3))
    names, ranks = rank_order(comparison)
    edge_pair = next(test for test in comparison.pairwise if {test.model_a, test.model_b} == {names[0], names[-1]})
    zeroed = dataclasses.replace(edge_pair, pvalue=0.0, pvalue_adjusted=0.0, reject=True)
    with_zero = dataclasses.replace(
        comparison, pairwise=tuple(zeroed if test is edge_pair else test for test in comparison.pairwise)
    )

    ax = plot_cd_diagram(with_zero)

    expected = rounded({(ranks[0], ranks[-2]), (ranks[1], ranks[-1])})
    assert bar_extents(ax) == expected
    assert bar_extents(ax) == rounded(brute_force_cliques(with_zero))


def test_cd_two_candidates():
    comparison = quiet_compare(make_frame(2, spread=0.0, seed=1))
    ax = plot_cd_diagram(comparison)

    assert len(lines_with_gid(ax, "rank-marker")) == 2
    assert list(ax.get_xticks()) == [1, 2]
    assert sorted(text.get_text() for text in texts_with_gid(ax, "candidate-name")) == ["model-00", "model-01"]
    assert bar_extents(ax) == rounded(brute_force_cliques(comparison))
    caption = texts_with_gid(ax, "cd-caption")[0].get_text()
    assert caption.startswith("Wilcoxon signed-rank, α = 0.05")


def test_cd_one_candidate_raises(default_8):
    single = dataclasses.replace(default_8, candidates=default_8.candidates[:1], summary=default_8.summary[:1],
                                 pairwise=())

    with pytest.raises(ValueError, match="at least two"):
        plot_cd_diagram(single)


def test_cd_thirty_candidates_readable():
    comparison = quiet_compare(make_frame(30, spread=0.01), test="friedman", posthoc="nemenyi")
    ax = plot_cd_diagram(comparison)
    figure = ax.get_figure(root=True)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()

    bars = drawn_bars(ax)
    assert len(bars) >= 5, "data should give many cliques"
    assert bar_extents(ax) == rounded(brute_force_cliques(comparison))
    for index, (low, high, y) in enumerate(bars):
        for other_low, other_high, other_y in bars[index + 1:]:
            if y == other_y:
                assert high < other_low or other_high < low, "two bars overlap in one lane"

    boxes = [text.get_window_extent(renderer) for text in texts_with_gid(ax, "candidate-name")]
    assert len(boxes) == 30
    for index, box in enumerate(boxes):
        for other in boxes[index + 1:]:
            assert not box.overlaps(other), "two candidate names overlap"


def test_cd_long_names_shortened_and_listed():
    long_name = "mixup-long-schedule-with-cutmix-and-label-smoothing (300 epochs)"
    names = ["baseline", long_name, "wide-resnet"]
    comparison = quiet_compare(make_frame(3, names=names))

    ax = plot_cd_diagram(comparison, max_name_length=20)

    labels = [text.get_text() for text in texts_with_gid(ax, "candidate-name")]
    assert "baseline" in labels
    assert "wide-resnet" in labels
    assert "[1] mixup-long-schedule…" in labels
    assert f"[1] {long_name}" in texts_with_gid(ax, "cd-caption")[0].get_text()


def test_cd_draws_on_given_axes(nemenyi_8):
    figure, ax = plt.subplots(figsize=(6, 1.5))

    returned = plot_cd_diagram(nemenyi_8, ax=ax)

    assert returned is ax
    assert len(plt.get_fignums()) == 1
    sizes = {text.get_fontsize() for text in texts_with_gid(ax, "candidate-name")}
    assert max(sizes) < matplotlib.rcParams["font.size"], "names shrink on a short axes"


def test_cd_custom_palette(nemenyi_8):
    palette = {name: (0.1, 0.2, 0.3) for name in nemenyi_8.candidates}
    ax = plot_cd_diagram(nemenyi_8, palette=palette)

    for marker in lines_with_gid(ax, "rank-marker"):
        assert matplotlib.colors.same_color(marker.get_color(), (0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="palette has no colour"):
        plot_cd_diagram(nemenyi_8, palette={"model-00": "red"})


def test_cd_leaves_rcparams(nemenyi_8):
    before = dict(matplotlib.rcParams)

    plot_cd_diagram(nemenyi_8)

    assert dict(matplotlib.rcParams) == before


# --- rank heatmap -------------------------------------------------------------

# Per-task values of two metrics: "fast" has the lowest loss in every task and
# "slow" the highest accuracy, so their ranks show the direction is respected.
RANK_MEANS = {
    "fast": {"accuracy": 0.80, "loss": 0.10},
    "middle": {"accuracy": 0.85, "loss": 0.20},
    "slow": {"accuracy": 0.90, "loss": 0.30},
}


def make_rank_frame(n_tasks: int = 8, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for candidate, means in RANK_MEANS.items():
        for task in range(n_tasks):
            for metric, mean in means.items():
                # Task offsets vary, but the order inside a task mostly follows the means.
                value = mean + 0.02 * task + rng.normal(0, 0.03)
                rows.append({"candidate": candidate, "task": f"task-{task}", "seed": 0, "metric": metric,
                             "value": value})
    return pd.DataFrame(rows)


def rank_cells(ax) -> dict[tuple[int, int], str]:
    cells = {}
    for text in texts_with_gid(ax, "rank-cell"):
        column, row = text.get_position()
        cells[(int(row), int(column))] = text.get_text()
    return cells


def heatmap_labels(ax) -> tuple[list[str], list[str]]:
    rows = [label.get_text() for label in ax.get_yticklabels()]
    columns = [label.get_text().split("\n")[0] for label in ax.get_xticklabels()]
    return rows, columns


def test_rank_heatmap_cells_equal_rank_candidates():
    from nbcompare.plots._rankmap import plot_rank_heatmap
    from nbcompare.stats import rank_candidates

    ranks = rank_candidates(make_rank_frame(), {"accuracy": True, "loss": False})
    ax = plot_rank_heatmap(ranks)
    rows, columns = heatmap_labels(ax)
    cells = rank_cells(ax)

    assert columns == ["accuracy", "loss", "aggregate"]
    aggregate = ranks[ranks["metric"] == "aggregate"].set_index("candidate")["mean_rank"]
    assert rows == list(aggregate.sort_values(kind="stable").index)
    assert len(cells) == len(rows) * len(columns)
    for row, candidate in enumerate(rows):
        for column, metric in enumerate(columns):
            expected = ranks[(ranks["metric"] == metric) & (ranks["candidate"] == candidate)]["mean_rank"].item()
            assert float(cells[(row, column)]) == pytest.approx(expected, abs=0.005), (candidate, metric)


def test_rank_heatmap_lower_is_better_metric():
    from nbcompare.plots._rankmap import plot_rank_heatmap
    from nbcompare.stats import analyze

    frame = make_rank_frame(seed=2)
    lowest_loss = frame[frame["metric"] == "loss"].groupby("task")["value"].idxmin()
    assert set(frame.loc[lowest_loss, "candidate"]) == {"fast"}, "data should give fast the lowest loss everywhere"
    analysis = analyze(frame, {"accuracy": True, "loss": False})

    ax = plot_rank_heatmap(analysis)
    rows, columns = heatmap_labels(ax)
    cells = rank_cells(ax)

    assert cells[(rows.index("fast"), columns.index("loss"))] == "1.00"
    accuracy = columns.index("accuracy")
    assert float(cells[(rows.index("slow"), accuracy)]) < float(cells[(rows.index("fast"), accuracy)])
    for column, metric in enumerate(["accuracy", "loss"]):
        expected = analysis[metric].summary
        for summary in expected:
            assert float(cells[(rows.index(summary.candidate), column)]) == pytest.approx(summary.mean_rank, abs=0.005)
    assert "lower is better" in ax.get_xticklabels()[columns.index("loss")].get_text()


def test_rank_heatmap_nan_cell_not_zero():
    from nbcompare.plots._rankmap import plot_rank_heatmap
    from nbcompare.stats import rank_candidates

    frame = make_rank_frame()
    # "middle" never reports a loss, so it has no loss rank and no aggregate rank.
    frame = frame[~((frame["candidate"] == "middle") & (frame["metric"] == "loss"))]
    ranks = rank_candidates(frame, {"accuracy": True, "loss": False})

    ax = plot_rank_heatmap(ranks)
    rows, columns = heatmap_labels(ax)
    cells = rank_cells(ax)
    middle = rows.index("middle")

    assert middle == len(rows) - 1, "a candidate without aggregate rank comes last"
    assert cells[(middle, columns.index("loss"))] == "n/a"
    assert cells[(middle, columns.index("aggregate"))] == "n/a"
    assert cells[(middle, columns.index("accuracy"))] != "n/a"
    image_values = ax.get_images()[0].get_array()
    assert np.ma.getmaskarray(image_values)[middle, columns.index("loss")], "a NaN cell must not get a colour"
    hatched = [patch for patch in ax.patches if patch.get_gid() == "missing-cell"]
    assert len(hatched) == 2
    assert all(patch.get_hatch() for patch in hatched)


def test_rank_heatmap_rejects_other_input():
    from nbcompare.plots._rankmap import plot_rank_heatmap

    with pytest.raises(TypeError, match="rank_candidates"):
        plot_rank_heatmap(make_rank_frame())


# --- p-value matrix with effect sizes ------------------------------------------


def pvalue_cells(ax) -> dict[tuple[int, int], str]:
    cells = {}
    for text in texts_with_gid(ax, "p-cell"):
        column, row = text.get_position()
        cells[(int(row), int(column))] = text.get_text()
    return cells


def test_pvalue_matrix_second_line_effect(default_8):
    from nbcompare.plots import format_pvalue, plot_pvalue_matrix

    ax = plot_pvalue_matrix(default_8)
    names = list(default_8.p_matrix().index)
    p_matrix = default_8.p_matrix()
    cells = pvalue_cells(ax)

    assert len(cells) == len(names) * (len(names) - 1)
    for (row, column), text in cells.items():
        first, second = text.split("\n")
        pair = next(test for test in default_8.pairwise if {test.model_a, test.model_b} == {names[row], names[column]})
        # The pair's own effect favours model_a, so it flips sign when model_b is the row.
        own = pair.effect_size if pair.model_a == names[row] else -pair.effect_size
        assert first.rstrip("*") == format_pvalue(p_matrix.iloc[row, column])
        assert float(second) == pytest.approx(own, abs=0.005), (names[row], names[column])
        assert second == f"{own:+.2f}"
    assert any(text.split("\n")[1].startswith("-") for text in cells.values())
    assert any(text.split("\n")[1].startswith("+") for text in cells.values())
    assert "rank-biserial, row vs column" in ax.get_xlabel()


def test_pvalue_matrix_effect_sign_row_better(default_8):
    from nbcompare.plots import plot_pvalue_matrix

    ax = plot_pvalue_matrix(default_8)
    names = list(default_8.p_matrix().index)
    best, worst = names.index(default_8.candidates[0]), names.index(default_8.candidates[-1])
    cells = pvalue_cells(ax)

    assert float(cells[(best, worst)].split("\n")[1]) > 0
    assert float(cells[(worst, best)].split("\n")[1]) < 0


def test_pvalue_matrix_without_effect(default_8):
    from nbcompare.plots import plot_pvalue_matrix

    ax = plot_pvalue_matrix(default_8, show_effect=False)

    assert all("\n" not in text for text in pvalue_cells(ax).values())
    assert "rank-biserial" not in ax.get_xlabel()
