"""Student t confidence interval of a mean."""

from __future__ import annotations

import numpy as np
from scipy import stats


def t_interval(values: np.ndarray, confidence_level: float) -> tuple[float, float, float]:
    """Return ``(mean, low, high)``, the mean with its two-sided t interval.

    The interval is ``mean ± t(1 - (1 - confidence_level) / 2, n - 1) * s / sqrt(n)``
    with ``s`` the standard deviation (ddof=1), computed by scipy's
    ``ttest_1samp(...).confidence_interval``. With fewer than two values the
    bounds are NaN. When all values are equal the interval has zero width:
    scipy would return the same but warns about precision loss, so that case
    skips scipy.
    """
    values = np.asarray(values, dtype=float)
    mean = float(np.mean(values)) if values.size else float("nan")
    if values.size < 2:
        return mean, float("nan"), float("nan")
    if np.all(values == values[0]):
        return mean, mean, mean
    interval = stats.ttest_1samp(values, popmean=0.0).confidence_interval(
        confidence_level=confidence_level
    )
    return mean, float(interval.low), float(interval.high)
