"""Stratified bootstrap: nbcompare's vectorized aggregates against rliable.

Times ``aggregate_interval`` (mean and IQM with 95% percentile intervals) at
5 candidates x 10 runs x 26 tasks and 20 x 10 x 100, with 2,000 and 10,000
resamples, and ``probability_of_improvement`` for one pair at 10 runs x 26 tasks.
The reference is rliable's ``get_interval_estimates`` (Agarwal et al. 2021). When
rliable cannot be imported, a plain loop implementation written here takes its
place, and the first output line names the reference.

It prints, per case, the median wall time of each implementation over the repeats,
the speed-up, the largest point-estimate difference (expected to be 0) and the
largest difference of interval bounds, next to the narrowest interval width for
scale. The bounds come from different random draws, so they agree only within
Monte Carlo error. The last line gives the load average before and after the
run, because other processes slow both implementations. Usage::

    python benchmarks/stats_bootstrap.py [--repeats 3] [--reference-repeats 1] [--quick]

rliable is not a dependency of nbcompare: install it only to run this benchmark
(``pip install rliable``).
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import time
from collections.abc import Callable

import numpy as np
from scipy import stats

from nbcompare.stats._aggregates import aggregate_interval, probability_of_improvement

# (candidates, runs, tasks, resamples)
AGGREGATE_CASES = [(5, 10, 26, 2000), (5, 10, 26, 10_000), (20, 10, 100, 2000), (20, 10, 100, 10_000)]
QUICK_CASES = [(5, 10, 26, 2000)]
IMPROVEMENT_CASE = (10, 26, 2000)


def load_rliable() -> tuple[object, object, str] | None:
    """Import rliable, adapting arch >= 8's keyword; return None if it cannot be imported."""
    try:
        import arch.bootstrap as arch_bootstrap
        from rliable import library, metrics
    except Exception as error:  # noqa: BLE001 - any import failure means "use the loop"
        print(f"rliable could not be imported ({type(error).__name__}: {error}); "
              "comparing against the loop implementation instead.")
        return None

    note = "rliable"
    parameters = inspect.signature(arch_bootstrap.IIDBootstrap.__init__).parameters
    if "random_state" not in parameters and "seed" in parameters:
        # rliable 1.2.0 passes random_state=..., which arch 8 renamed to seed. arch
        # 7.x, the newest release rliable accepts, fails to import with pandas 3.
        _rename_random_state(arch_bootstrap)
        note = "rliable (arch>=8: random_state passed as seed)"
    return library, metrics, note


def _rename_random_state(arch_bootstrap) -> None:
    for cls in (arch_bootstrap.IIDBootstrap, arch_bootstrap.IndependentSamplesBootstrap):
        original = cls.__init__

        def init(self, *args, random_state=None, seed=None, _original=original, **kwargs):
            _original(self, *args, seed=seed if seed is not None else random_state, **kwargs)

        cls.__init__ = init


def loop_interval(scores: np.ndarray, statistic: Callable, resamples: int, seed: int):
    """Stratified bootstrap percentile interval, one resample at a time."""
    generator = np.random.default_rng(seed)
    n_runs, n_tasks = scores.shape
    values = np.empty(resamples)
    for index in range(resamples):
        rows = generator.integers(0, n_runs, size=(n_runs, n_tasks))
        values[index] = statistic(np.take_along_axis(scores, rows, axis=0))
    return statistic(scores), np.quantile(values, [0.025, 0.975])


def loop_improvement(x: np.ndarray, y: np.ndarray) -> float:
    """Mean over tasks of U / (n_x n_y), U from scipy's Mann-Whitney test."""
    per_task = [
        stats.mannwhitneyu(x[:, task], y[:, task], alternative="greater").statistic
        / (x.shape[0] * y.shape[0])
        for task in range(x.shape[1])
    ]
    return float(np.mean(per_task))


def median_seconds(function: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def reference_aggregates(rliable, scores: dict, statistic: str, resamples: int):
    """Return {name: (estimate, [low, high])} from rliable or from the loop."""
    if rliable is not None:
        library, metrics, _ = rliable
        function = {"mean": metrics.aggregate_mean, "iqm": metrics.aggregate_iqm}[statistic]
        points, intervals = library.get_interval_estimates(
            scores,
            lambda array: np.array([function(array)]),
            reps=resamples,
            random_state=np.random.RandomState(0),
        )
        return {name: (points[name][0], intervals[name][:, 0]) for name in scores}
    function = {
        "mean": lambda array: np.mean(np.mean(array, axis=0)),
        "iqm": lambda array: stats.trim_mean(array, 0.25, axis=None),
    }[statistic]
    return {name: loop_interval(array, function, resamples, seed=0) for name, array in scores.items()}


def reference_improvement(rliable, x: np.ndarray, y: np.ndarray, resamples: int):
    if rliable is not None:
        library, metrics, _ = rliable
        points, intervals = library.get_interval_estimates(
            {"pair": [x, y]},
            lambda first, second: np.array([metrics.probability_of_improvement(first, second)]),
            reps=resamples,
            random_state=np.random.RandomState(0),
        )
        return points["pair"][0], intervals["pair"][:, 0]
    generator = np.random.default_rng(0)
    values = np.empty(resamples)
    for index in range(resamples):
        rows_x = generator.integers(0, x.shape[0], size=x.shape)
        rows_y = generator.integers(0, y.shape[0], size=y.shape)
        values[index] = loop_improvement(
            np.take_along_axis(x, rows_x, axis=0), np.take_along_axis(y, rows_y, axis=0)
        )
    return loop_improvement(x, y), np.quantile(values, [0.025, 0.975])


def compare_aggregates(rliable, cases, repeats: int, reference_repeats: int) -> list[dict]:
    rows = []
    for candidates, runs, tasks, resamples in cases:
        generator = np.random.default_rng(candidates * tasks)
        scores = {
            f"model{index}": generator.gamma(2.0, 0.5, size=(runs, tasks)) + 0.1 * index
            for index in range(candidates)
        }
        for statistic in ("mean", "iqm"):
            ours_seconds, ours = median_seconds(
                lambda: aggregate_interval(scores, statistic, resamples, rng=0), repeats
            )
            reference_seconds, reference = median_seconds(
                lambda: reference_aggregates(rliable, scores, statistic, resamples),
                reference_repeats,
            )
            point_gap = max(abs(ours[name].estimate - reference[name][0]) for name in scores)
            bound_gap = max(
                max(abs(ours[name].low - reference[name][1][0]), abs(ours[name].high - reference[name][1][1]))
                for name in scores
            )
            width = min(ours[name].high - ours[name].low for name in scores)
            rows.append({
                "case": f"{statistic} {candidates}x{runs}x{tasks}",
                "resamples": resamples,
                "nbcompare s": ours_seconds,
                "reference s": reference_seconds,
                "speed-up": reference_seconds / ours_seconds,
                "max |point diff|": point_gap,
                "max |bound diff|": bound_gap,
                "min CI width": width,
            })
            print(_format_row(rows[-1]), flush=True)
    return rows


def compare_improvement(rliable, repeats: int, reference_repeats: int) -> dict:
    runs, tasks, resamples = IMPROVEMENT_CASE
    generator = np.random.default_rng(1)
    x = generator.gamma(2.0, 0.5, size=(runs, tasks)) + 0.2
    y = generator.gamma(2.0, 0.5, size=(runs, tasks))
    ours_seconds, ours = median_seconds(
        lambda: probability_of_improvement(x, y, resamples, rng=0), repeats
    )
    reference_seconds, (point, bounds) = median_seconds(
        lambda: reference_improvement(rliable, x, y, resamples), reference_repeats
    )
    row = {
        "case": f"P(X > Y) 1 pair {runs}x{tasks}",
        "resamples": resamples,
        "nbcompare s": ours_seconds,
        "reference s": reference_seconds,
        "speed-up": reference_seconds / ours_seconds,
        "max |point diff|": abs(ours.estimate - point),
        "max |bound diff|": max(abs(ours.low - bounds[0]), abs(ours.high - bounds[1])),
        "min CI width": ours.high - ours.low,
    }
    print(_format_row(row), flush=True)
    return row


def _format_row(row: dict) -> str:
    return (
        f"| {row['case']:<26} | {row['resamples']:>6} | {row['nbcompare s']:>11.4f} | "
        f"{row['reference s']:>11.3f} | {row['speed-up']:>8.1f} | {row['max |point diff|']:>16.2e} | "
        f"{row['max |bound diff|']:>16.4f} | {row['min CI width']:>12.4f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of nbcompare per case")
    parser.add_argument(
        "--reference-repeats", type=int, default=1, help="timed runs of the reference per case"
    )
    parser.add_argument("--quick", action="store_true", help="only the smallest aggregate case")
    arguments = parser.parse_args()

    load_before = _load_average()
    rliable = load_rliable()
    reference = rliable[2] if rliable is not None else "loop implementation"
    print(f"Reference: {reference}. Times are medians of {arguments.repeats} (nbcompare) and "
          f"{arguments.reference_repeats} (reference) runs, in seconds.")
    print("| case                       | resamp | nbcompare s | reference s | speed-up | "
          "max |point diff| | max |bound diff| | min CI width |")
    print("|" + "---|" * 8)
    cases = QUICK_CASES if arguments.quick else AGGREGATE_CASES
    compare_aggregates(rliable, cases, arguments.repeats, arguments.reference_repeats)
    compare_improvement(rliable, arguments.repeats, arguments.reference_repeats)
    print(f"Load average (1, 5, 15 min) before: {load_before}, after: {_load_average()}.")


def _load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, other processes included."""
    try:
        return ", ".join(f"{load:.2f}" for load in os.getloadavg())
    except OSError:  # os.getloadavg raises OSError where the load is unavailable
        return "unavailable"


if __name__ == "__main__":
    main()
