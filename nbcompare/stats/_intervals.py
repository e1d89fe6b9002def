"""Student t confidence interval of a mean."""

from __future__ import annotations

import numpy as np
from scipy import stats

# scipy 1.17 warns of catastrophic cancellation when max|x - mean| / |mean| is
# below 10 machine epsilons (scipy.stats._stats_py._demean). Values that close
# are treated as equal.
_EQUAL_RELATIVE_SPREAD = 10 * np.finfo(float).eps


def t_interval(values: np.ndarray, confidence_level: float) -> tuple[float, float, float]:
    """Return ``(mean, low, high)``, the mean with its two-sided t interval.

    The interval is ``mean ± t(1 - (1 - confidence_level) / 2, n - 1) * s / sqrt(n)``
    with ``s`` the standard deviation (ddof=1), computed by scipy's
    ``ttest_1samp(...).confidence_interval``. With fewer than two values the
    bounds are NaN. When the values are equal, up to a relative spread of
    10 machine epsilons, the interval has zero width. Such values arise as
    differences like ``0.5 - 0.1`` and ``0.6 - 0.2``, and scipy would warn that
    its variance is unreliable.
    """
    values = np.asarray(values, dtype=float)
    mean = float(np.mean(values)) if values.size else float("nan")
    if values.size < 2:
        return mean, float("nan"), float("nan")
    spread = float(np.max(np.abs(values - mean)))
    if spread == 0 or spread <= _EQUAL_RELATIVE_SPREAD * abs(mean):
        return mean, mean, mean
    interval = stats.ttest_1samp(values, popmean=0.0).confidence_interval(
        confidence_level=confidence_level
    )
    return mean, float(interval.low), float(interval.high)


def t_intervals(rows: np.ndarray, confidence_level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the arrays ``(mean, low, high)`` of `t_interval` for each row of `rows`.

    The rows that need scipy go to one ``ttest_1samp(..., axis=-1)`` call, which
    gives each row the same bits as a separate `t_interval` call (checked in
    tests/test_stats_vectorized.py) at a fraction of the per-call overhead.
    """
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2:
        raise ValueError(f"rows must be a 2-D array of samples, one per row; got shape {rows.shape}.")
    n_rows, size = rows.shape
    if size == 0:
        nan = np.full(n_rows, np.nan)
        return nan, nan.copy(), nan.copy()
    mean = np.mean(rows, axis=-1)
    if size < 2:
        return mean, np.full(n_rows, np.nan), np.full(n_rows, np.nan)
    spread = np.max(np.abs(rows - mean[:, None]), axis=-1)
    equal = (spread == 0) | (spread <= _EQUAL_RELATIVE_SPREAD * np.abs(mean))
    low, high = mean.copy(), mean.copy()
    if not np.all(equal):
        interval = stats.ttest_1samp(rows[~equal], popmean=0.0, axis=-1).confidence_interval(
            confidence_level=confidence_level
        )
        low[~equal] = interval.low
        high[~equal] = interval.high
    return mean, low, high
