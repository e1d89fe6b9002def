"""Confidence intervals of a mean and of a difference of means: Student t or bootstrap.

The bootstrap intervals come from scipy.stats.bootstrap (percentile and BCa,
Efron & Tibshirani 1993, "An Introduction to the Bootstrap", chapters 13 and 14).
The t intervals come from scipy's one-sample t test (paired differences) and
Welch's two-sample t test (independent samples).

This module also contains helpers that the aggregate, power and Bayesian
modules share. They convert `rng` to a numpy Generator, check probabilities and
counts, and render a result frame as text or HTML.
"""

from __future__ import annotations

import html
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import pandas as pd
from scipy import stats

from nbcompare.exceptions import SmallSampleWarning
from nbcompare.stats._intervals import t_interval
from nbcompare.stats._render import format_number

RandomSource = Union[np.random.Generator, int, None]

INTERVAL_METHODS = ("t", "percentile", "bca")

# scipy.stats.bootstrap spells the method "BCa", but results store it in lower case.
_SCIPY_BOOTSTRAP_METHODS = {"percentile": "percentile", "bca": "BCa"}


@dataclass(frozen=True)
class Interval:
    """Point estimate with a two-sided confidence interval.

    Attributes
    ----------
    estimate : float
        The mean, or the difference of means for `difference_interval`.
    low, high : float
        Bounds of the interval, NaN when it is undefined (fewer than two values).
    method : str
        ``"t"``, ``"percentile"`` or ``"bca"``.
    confidence_level : float
        Two-sided confidence level, for example 0.95.
    n : int
        Number of values, or of pairs for a paired difference, or of values of
        the first sample for an unpaired difference.
    n_resamples : int or None
        Number of bootstrap resamples, None for the t interval.
    quantity : str
        What `estimate` is: ``"mean"``, ``"mean of paired differences a - b"`` or
        ``"difference of means a - b"``.
    n_b : int or None
        Number of values of the second sample of an unpaired difference.
    """

    estimate: float
    low: float
    high: float
    method: str
    confidence_level: float
    n: int
    n_resamples: int | None
    quantity: str = "mean"
    n_b: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the interval as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def _headline(self) -> str:
        resamples = "" if self.n_resamples is None else f", {self.n_resamples} resamples"
        sizes = f"n = {self.n}" if self.n_b is None else f"n_a = {self.n}, n_b = {self.n_b}"
        return (
            f"{percent(self.confidence_level)} {method_label(self.method)} interval of the "
            f"{self.quantity} ({sizes}{resamples})"
        )

    def __str__(self) -> str:
        return (
            f"{self._headline()}: {format_number(self.estimate)} "
            f"[{format_number(self.low)}, {format_number(self.high)}]"
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(str(self))}</p>"


def mean_interval(
    values: Any,
    method: str = "t",
    confidence_level: float = 0.95,
    n_resamples: int = 9999,
    rng: RandomSource = None,
) -> Interval:
    """Compute the mean of `values` with a two-sided confidence interval.

    Parameters
    ----------
    values : array_like
        One-dimensional finite values, for example a metric over seeds.
    method : {"t", "percentile", "bca"}
        ``"t"`` is ``mean ± t(1 - (1 - level) / 2, n - 1) s / sqrt(n)``. The
        other two are scipy.stats.bootstrap's percentile and bias-corrected and
        accelerated (BCa) intervals.
    confidence_level : float
        Two-sided confidence level, strictly between 0 and 1.
    n_resamples : int
        Number of bootstrap resamples, ignored by ``"t"``.
    rng : numpy.random.Generator, int or None
        Source of the bootstrap resamples. The same int seed gives the same
        interval. None draws fresh entropy, so the result is not reproducible.

    Returns
    -------
    Interval

    Notes
    -----
    With few values (the 3 to 10 seeds usual in ML) bootstrap intervals are too
    narrow: the percentile interval of a mean has coverage below the nominal level
    (Efron & Tibshirani 1993, section 13.7), so the t interval is the default.
    With fewer than two values the bounds are NaN and a SmallSampleWarning is
    emitted. When all values are equal every method returns a zero-width interval.
    """
    method = validate_choice(method, "method", INTERVAL_METHODS)
    confidence_level = validate_probability(confidence_level, "confidence_level")
    values = as_finite_vector(values, "values")
    n_resamples = _resample_count(method, n_resamples)
    generator = as_generator(rng)

    estimate, low, high = _one_sample_interval(
        values, method, confidence_level, n_resamples, generator, "values"
    )
    return Interval(
        estimate=estimate,
        low=low,
        high=high,
        method=method,
        confidence_level=confidence_level,
        n=int(values.size),
        n_resamples=n_resamples,
    )


def difference_interval(
    a: Any,
    b: Any,
    paired: bool = True,
    method: str = "t",
    confidence_level: float = 0.95,
    n_resamples: int = 9999,
    rng: RandomSource = None,
) -> Interval:
    """Compute the difference of means ``mean(a) - mean(b)`` with a confidence interval.

    Parameters
    ----------
    a, b : array_like
        One-dimensional finite values of two candidates. When `paired` is True
        they have the same length and ``a[i]`` and ``b[i]`` share a seed or task.
    paired : bool
        True: the interval is that of the mean of the differences ``a - b``
        (`mean_interval` of the differences). False: the samples are
        independent. The t interval is then Welch's (unequal variances, from
        scipy.stats.ttest_ind with ``equal_var=False``), and the bootstrap
        resamples each sample on its own.
    method : {"t", "percentile", "bca"}
        Interval method, as in `mean_interval`.
    confidence_level : float
        Two-sided confidence level, strictly between 0 and 1.
    n_resamples : int
        Number of bootstrap resamples, ignored by ``"t"``.
    rng : numpy.random.Generator, int or None
        Source of the bootstrap resamples.

    Returns
    -------
    Interval
        With `quantity` naming the difference, ``n`` the number of pairs (paired)
        or of values of `a`, and ``n_b`` the number of values of `b` (unpaired).
    """
    method = validate_choice(method, "method", INTERVAL_METHODS)
    confidence_level = validate_probability(confidence_level, "confidence_level")
    a = as_finite_vector(a, "a")
    b = as_finite_vector(b, "b")
    n_resamples = _resample_count(method, n_resamples)
    generator = as_generator(rng)

    if paired:
        if a.size != b.size:
            raise ValueError(
                f"paired=True needs a and b of the same length; got {a.size} and {b.size} "
                "values. Pass paired=False for independent samples."
            )
        estimate, low, high = _one_sample_interval(
            a - b, method, confidence_level, n_resamples, generator, "a - b"
        )
        quantity, n_b = "mean of paired differences a - b", None
    else:
        estimate, low, high = _two_sample_interval(
            a, b, method, confidence_level, n_resamples, generator
        )
        quantity, n_b = "difference of means a - b", int(b.size)
    return Interval(
        estimate=estimate,
        low=low,
        high=high,
        method=method,
        confidence_level=confidence_level,
        n=int(a.size),
        n_resamples=n_resamples,
        quantity=quantity,
        n_b=n_b,
    )


def _one_sample_interval(
    values: np.ndarray,
    method: str,
    confidence_level: float,
    n_resamples: int | None,
    generator: np.random.Generator,
    name: str,
) -> tuple[float, float, float]:
    if method == "t":
        if values.size < 2:
            _warn_too_few(name, values.size)
        return t_interval(values, confidence_level)

    estimate = float(np.mean(values))
    if values.size < 2:
        _warn_too_few(name, values.size)
        return estimate, math.nan, math.nan
    if np.all(values == values[0]):
        # Every resample has the same mean. scipy's BCa would return NaN here.
        return estimate, estimate, estimate
    result = stats.bootstrap(
        (values,),
        np.mean,
        n_resamples=n_resamples,
        vectorized=True,
        confidence_level=confidence_level,
        method=_SCIPY_BOOTSTRAP_METHODS[method],
        rng=generator,
    )
    interval = result.confidence_interval
    return estimate, float(interval.low), float(interval.high)


def _two_sample_interval(
    a: np.ndarray,
    b: np.ndarray,
    method: str,
    confidence_level: float,
    n_resamples: int | None,
    generator: np.random.Generator,
) -> tuple[float, float, float]:
    estimate = float(np.mean(a) - np.mean(b))
    if a.size < 2 or b.size < 2:
        _warn_too_few("a" if a.size < 2 else "b", min(a.size, b.size))
        return estimate, math.nan, math.nan
    if np.all(a == a[0]) and np.all(b == b[0]):
        return estimate, estimate, estimate

    if method == "t":
        interval = stats.ttest_ind(a, b, equal_var=False).confidence_interval(
            confidence_level=confidence_level
        )
        return estimate, float(interval.low), float(interval.high)

    def mean_difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    result = stats.bootstrap(
        (a, b),
        mean_difference,
        n_resamples=n_resamples,
        vectorized=True,
        paired=False,
        confidence_level=confidence_level,
        method=_SCIPY_BOOTSTRAP_METHODS[method],
        rng=generator,
    )
    interval = result.confidence_interval
    return estimate, float(interval.low), float(interval.high)


def _resample_count(method: str, n_resamples: Any) -> int | None:
    count = validate_count(n_resamples, "n_resamples", minimum=1)
    return None if method == "t" else count


def _warn_too_few(name: str, size: int) -> None:
    # stacklevel 4: this helper, the interval helper, the public function, its caller.
    warnings.warn(
        f"{name} has {size} value(s); a confidence interval needs at least 2, so its "
        "bounds are NaN. Run more seeds.",
        SmallSampleWarning,
        stacklevel=4,
    )


# Helpers shared with _aggregates, _power and _bayes.


def as_generator(rng: Any) -> np.random.Generator:
    """Convert `rng` (a Generator, an int seed or None) to a numpy Generator.

    A Generator is returned as it is, so that the caller's stream advances. An
    int seeds a new PCG64 generator. None seeds one from fresh OS entropy.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, numbers.Integral):
        raise TypeError(
            f"rng must be a numpy.random.Generator, an int seed or None; got {rng!r}. "
            "Pass for example rng=0 or rng=numpy.random.default_rng(0)."
        )
    if int(rng) < 0:
        raise ValueError(f"rng must be a non-negative int seed; got {rng!r}.")
    return np.random.default_rng(int(rng))


def validate_probability(value: Any, name: str) -> float:
    """Return `value` as a float if it lies strictly between 0 and 1, else raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between 0 and 1; got {value!r}.")
    if not 0 < float(value) < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1; got {value!r}.")
    return float(value)


def validate_count(value: Any, name: str, minimum: int) -> int:
    """Return `value` as an int if it is an integer of at least `minimum`, else raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def validate_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return `value` if it is one of `choices`, else raise ValueError listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}.")
    return value


def as_finite_vector(values: Any, name: str) -> np.ndarray:
    """Return `values` as a 1-D float array, raising if it is empty or not finite."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional; got an array of shape {array.shape}. "
            "Pass one value per seed or task."
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty; pass at least one value.")
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} contains NaN or infinite values at positions "
            f"{np.flatnonzero(~np.isfinite(array)).tolist()}; drop or fill them first."
        )
    return array


def percent(level: float) -> str:
    """Format a level such as 0.95 as "95%"."""
    return f"{level * 100:g}%"


def method_label(method: str) -> str:
    """Return the display name of an interval method."""
    return {"t": "Student t", "percentile": "bootstrap percentile", "bca": "bootstrap BCa"}.get(
        method, method
    )


def render_text(headline: str, frame: pd.DataFrame, notes: tuple[str, ...] = ()) -> str:
    """Render a headline, a result frame and notes as plain text."""
    lines = [headline, "", frame.to_string(index=False)]
    if notes:
        lines += ["", "Notes:", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


def render_html(headline: str, frame: pd.DataFrame, notes: tuple[str, ...] = ()) -> str:
    """Render a headline, a result frame and notes as an HTML fragment for notebooks."""
    parts = [f"<p>{html.escape(headline)}</p>", frame.to_html(index=False, escape=True)]
    if notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
        parts.append(f"<ul>{items}</ul>")
    return "<div>" + "\n".join(parts) + "</div>"
