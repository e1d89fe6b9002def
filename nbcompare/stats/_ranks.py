"""Within-block ranks and the best-first order of candidates."""

from __future__ import annotations

import numpy as np
from scipy import stats


def orient_lower_is_better(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Return the values on a scale on which smaller is better.

    Every test runs on this scale. Negation is exact in floating point, so data
    whose values and direction are both flipped give bit-identical statistics.
    """
    values = np.asarray(values, dtype=float)
    return np.negative(values) if higher_is_better else values.copy()


def block_ranks(oriented: np.ndarray) -> np.ndarray:
    """Rank the candidates within each block (row): 1 is best, ties get average ranks."""
    return stats.rankdata(oriented, method="average", axis=1)


def best_first_order(
    names: list[str], mean_ranks: np.ndarray, oriented_means: np.ndarray
) -> list[int]:
    """Return column indices sorted best first.

    The key is the mean rank, then the mean on the smaller-is-better scale
    (so the mean in the metric's direction), then the name.
    """
    return sorted(
        range(len(names)),
        key=lambda index: (mean_ranks[index], oriented_means[index], names[index]),
    )
