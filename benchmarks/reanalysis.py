"""Time one re-analysis of a large study: 20 candidates x 50 tasks x 10 seeds.

A dashboard re-runs ``compare`` whenever a control changes, so this is the latency a
user waits for. The data are normal draws with a per-candidate shift from a seeded
generator. Usage::

    python benchmarks/reanalysis.py [--repeats 5]
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


def main() -> None:
    import nbcompare as nbc

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per procedure (default 5)")
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
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            nbc.compare(frame, "acc", higher_is_better=True, **options)
            times.append(time.perf_counter() - start)
        print(f"{label:>46}: median {statistics.median(times) * 1000:7.0f} ms over {args.repeats} runs")


if __name__ == "__main__":
    main()
