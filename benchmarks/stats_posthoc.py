"""Benchmark nbcompare's post-hoc tests against scikit-posthocs and autorank.

Measures the wall time (median of repeats, time.perf_counter) and the largest
absolute difference of the numbers for:

* Friedman + Nemenyi at k x N = 5 x 30, 10 x 100 and 50 x 1000 (candidates x
  blocks), against scikit-posthocs' ``posthoc_nemenyi_friedman`` (p-values)
  and autorank (mean ranks and critical difference);
* all-pairs Wilcoxon signed-rank tests with Holm's correction for 50
  candidates x 30 blocks, against scikit-posthocs' ``posthoc_wilcoxon``.

scikit-posthocs and autorank are benchmark anchors only, not dependencies of
nbcompare. Install them into the environment first::

    pip install scikit-posthocs autorank
    python benchmarks/stats_posthoc.py [--repeats 5] [--seed 0]

The data are normal draws with a per-candidate shift, drawn from a seeded
numpy Generator, so every run tests the same numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy
import scikit_posthocs
from scipy import stats

from nbcompare.stats._omnibus import friedman
from nbcompare.stats._posthoc import _studentized_range_isf, nemenyi, pairwise_wilcoxon

NEMENYI_SIZES = ((5, 30), (10, 100), (50, 1000))
WILCOXON_SIZE = (50, 30)


def make_values(k: int, n_blocks: int, seed: int) -> pd.DataFrame:
    """Return blocks x candidates scores, higher is better, with spread-out candidate means."""
    rng = np.random.default_rng(seed)
    shift = np.linspace(0.0, 1.0, k)
    values = rng.normal(size=(n_blocks, k)) + shift
    return pd.DataFrame(values, columns=[f"m{index:02d}" for index in range(k)])


def median_time(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Run `function` once to warm up and then `repeats` times, and return the median seconds and a result."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def max_abs_difference(ours: pd.DataFrame, theirs: pd.DataFrame) -> float:
    """Return the largest off-diagonal |difference| of two p-value matrices with the same labels."""
    theirs = theirs.loc[ours.index, ours.columns].to_numpy(dtype=float)
    ours_values = ours.to_numpy(dtype=float)
    off_diagonal = ~np.eye(ours_values.shape[0], dtype=bool)
    return float(np.max(np.abs(ours_values[off_diagonal] - theirs[off_diagonal])))


def run_ours_nemenyi(values: pd.DataFrame):
    omnibus = friedman(values)
    return omnibus, nemenyi(values, higher_is_better=True)


def run_ours_nemenyi_uncached(values: pd.DataFrame):
    # The Nemenyi critical value is cached per (alpha, k). Clearing the cache
    # times a first call, which computes it with about 10 scipy sf evaluations.
    _studentized_range_isf.cache_clear()
    return run_ours_nemenyi(values)


def run_posthocs_nemenyi(values: pd.DataFrame):
    omnibus = stats.friedmanchisquare(*values.to_numpy().T)
    return omnibus, scikit_posthocs.posthoc_nemenyi_friedman(values)


def run_autorank(values: pd.DataFrame):
    import autorank

    # autorank chooses its tests from normality and homoscedasticity checks;
    # force_mode="nonparametric" makes it run Friedman + Nemenyi at every size.
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return autorank.autorank(values, alpha=0.05, verbose=False, force_mode="nonparametric")


def long_format(values: pd.DataFrame) -> pd.DataFrame:
    """Return the values as (group, value) rows, each group's rows in block order."""
    return values.melt(var_name="group", value_name="value")


def bench_nemenyi(k: int, n_blocks: int, seed: int, repeats: int) -> list[dict[str, Any]]:
    values = make_values(k, n_blocks, seed)
    ours_time, (ours_omnibus, ours) = median_time(lambda: run_ours_nemenyi(values), repeats)
    cold_time, _ = median_time(lambda: run_ours_nemenyi_uncached(values), repeats)
    posthocs_time, (their_omnibus, their_matrix) = median_time(
        lambda: run_posthocs_nemenyi(values), repeats
    )
    autorank_time, autorank_result = median_time(lambda: run_autorank(values), max(1, repeats // 2))

    ours_ranks = pd.Series(ours.mean_ranks, index=ours.candidates)
    autorank_ranks = autorank_result.rankdf["meanrank"]
    rank_difference = float(np.max(np.abs(ours_ranks - autorank_ranks.loc[ours_ranks.index])))
    label = f"Friedman+Nemenyi {k}x{n_blocks}"
    p_difference = max_abs_difference(ours.p_matrix(adjusted=True), their_matrix)
    chi2_difference = abs(ours_omnibus.statistic - float(their_omnibus.statistic))
    cd_difference = abs(ours.critical_difference - autorank_result.cd)
    return [
        {"case": label, "tool": "nbcompare", "seconds": ours_time, "compared": "", "max_abs_diff": np.nan},
        {
            "case": label,
            "tool": "nbcompare, q not cached",
            "seconds": cold_time,
            "compared": "",
            "max_abs_diff": np.nan,
        },
        {
            "case": label,
            "tool": "scikit-posthocs",
            "seconds": posthocs_time,
            "compared": "Nemenyi p, Friedman chi2",
            "max_abs_diff": max(p_difference, chi2_difference),
        },
        {
            "case": label,
            "tool": "autorank",
            "seconds": autorank_time,
            "compared": "mean ranks",
            "max_abs_diff": rank_difference,
        },
        {"case": label, "tool": "autorank", "seconds": np.nan, "compared": "CD", "max_abs_diff": cd_difference},
    ]


def bench_wilcoxon(k: int, n_blocks: int, seed: int, repeats: int) -> list[dict[str, Any]]:
    values = make_values(k, n_blocks, seed)
    long = long_format(values)
    ours_time, ours = median_time(
        lambda: pairwise_wilcoxon(values, higher_is_better=True, correction="holm"), repeats
    )
    theirs_time, theirs = median_time(
        lambda: scikit_posthocs.posthoc_wilcoxon(long, val_col="value", group_col="group", p_adjust="holm"),
        repeats,
    )
    label = f"Wilcoxon+Holm {k}x{n_blocks}"
    return [
        {"case": label, "tool": "nbcompare", "seconds": ours_time, "compared": "", "max_abs_diff": np.nan},
        {
            "case": label,
            "tool": "scikit-posthocs",
            "seconds": theirs_time,
            "compared": "Holm-adjusted p",
            "max_abs_diff": max_abs_difference(ours.p_matrix(adjusted=True), theirs),
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per tool and case (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random data (default 0)")
    arguments = parser.parse_args()

    rows = []
    for k, n_blocks in NEMENYI_SIZES:
        rows.extend(bench_nemenyi(k, n_blocks, arguments.seed, arguments.repeats))
    rows.extend(bench_wilcoxon(*WILCOXON_SIZE, arguments.seed, arguments.repeats))

    table = pd.DataFrame(rows)
    table["ms"] = (table["seconds"] * 1000).round(2)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-posthocs {importlib.metadata.version('scikit-posthocs')}, "
        f"autorank {importlib.metadata.version('autorank')}, "
        f"{arguments.repeats} repeats, seed {arguments.seed}"
    )
    print(table[["case", "tool", "ms", "compared", "max_abs_diff"]].to_string(index=False, na_rep=""))
    print(
        "autorank's CD uses statsmodels' qsturng, an interpolation of studentized range "
        "tables; nbcompare inverts scipy.stats.studentized_range.sf."
    )


if __name__ == "__main__":
    main()
