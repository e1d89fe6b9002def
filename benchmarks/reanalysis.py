"""Time one re-analysis of a large study: 20 candidates x 50 tasks x 10 seeds.

A dashboard re-runs ``compare`` whenever a control changes, so this is the latency a
user waits for. The data are normal draws with a per-candidate shift from a seeded
generator. With ``--dashboard`` the script also times ``ResultsDashboard.update()``
(needs ipywidgets), which redraws the table and figures after ``compare``. Usage::

    python benchmarks/reanalysis.py [--repeats 5] [--dashboard]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd


def make_frame(k: int = 20, tasks: int = 50, seeds: int = 10, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = k * tasks * seeds
    return pd.DataFrame({
        "candidate": np.repeat([f"m{i:02d}" for i in range(k)], tasks * seeds),
        "task": np.tile(np.repeat([f"t{j:02d}" for j in range(tasks)], seeds), k),
        "seed": np.tile(np.arange(seeds), k * tasks),
        "metric": "acc",
        "value": rng.normal(0.8, 0.05, n) + np.repeat(np.linspace(0.0, 0.05, k), tasks * seeds),
    })


def median_ms(function, repeats: int) -> float:
    """Return the median wall time of `repeats` calls of `function`, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def time_dashboard(frame: pd.DataFrame, repeats: int) -> None:
    """Print the median time of a dashboard update, split into its two visible steps.

    In a kernel, a control change reruns ``compare`` and shows the new table and
    summary, and the kernel draws the figures afterwards on its event loop. The
    timing runs inside an asyncio loop in the same way: "table" is ``update()``
    with the figures queued, and "figures" is drawing them (``flush_figures()``).
    Outside a kernel no frontend renders anything, so the frontend's own
    rendering time is not included.
    """
    import asyncio

    import matplotlib

    matplotlib.use("Agg")
    from nbcompare.results import ResultSet
    from nbcompare.widgets import ResultsDashboard

    dashboard = ResultsDashboard(ResultSet.from_frame(frame, {"acc": True}))

    async def measure(choice: str) -> tuple[float, float]:
        dashboard.test.value = choice  # one update outside the timing
        dashboard.flush_figures()
        table_times, figure_times = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            dashboard.update()
            middle = time.perf_counter()
            dashboard.flush_figures()
            table_times.append(middle - start)
            figure_times.append(time.perf_counter() - middle)
        return statistics.median(table_times) * 1000, statistics.median(figure_times) * 1000

    for choice in ("classic", "auto", "friedman"):
        table_ms, figures_ms = asyncio.run(measure(choice))
        label = f"dashboard test={choice!r}: table"
        print(f"{label:>46}: median {table_ms:7.0f} ms, then figures {figures_ms:5.0f} ms, "
              f"over {repeats} runs")


def main() -> None:
    import nbcompare as nbc

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per procedure (default 5)")
    parser.add_argument("--dashboard", action="store_true",
                        help="also time ResultsDashboard.update() (needs ipywidgets)")
    args = parser.parse_args()
    frame = make_frame()
    procedures = {
        "default (Friedman + pairwise Wilcoxon, Holm)": {},
        "test='auto'": {"test": "auto"},
        "Friedman + Nemenyi": {"test": "friedman", "posthoc": "nemenyi"},
    }
    warnings.simplefilter("ignore")
    nbc.compare(frame, "acc", higher_is_better=True)  # imports and caches outside the timing
    for label, options in procedures.items():
        elapsed = median_ms(lambda: nbc.compare(frame, "acc", higher_is_better=True, **options), args.repeats)
        print(f"{label:>46}: median {elapsed:7.0f} ms over {args.repeats} runs")
    if args.dashboard:
        time_dashboard(frame, args.repeats)


if __name__ == "__main__":
    main()
