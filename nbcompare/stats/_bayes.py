"""Bayesian comparison of two candidates: correlated t test and signed-rank test.

Both tests return three posterior probabilities: that candidate a is better,
that the two are practically equivalent, and that b is better. Practically
equivalent means that the difference lies within ``[-rope, rope]``, the region
of practical equivalence (Benavoli, Corani, Demšar & Zaffalon 2017, "Time for a
Change: a Tutorial for Comparing Multiple Classifiers Through Bayesian
Analysis", JMLR 18(77)).
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._bootstrap import (
    RandomSource,
    as_finite_vector,
    as_generator,
    render_html,
    render_text,
    validate_count,
)
from nbcompare.stats._intervals import _EQUAL_RELATIVE_SPREAD

# Dirichlet weight vectors processed at once by the signed-rank test.
_SAMPLE_CHUNK = 20_000


@dataclass(frozen=True)
class BayesianComparison:
    """Posterior probabilities of a Bayesian comparison of candidates a and b.

    Attributes
    ----------
    test : str
        ``"correlated t"`` or ``"signed-rank"``.
    name_a, name_b : str
        Names of the two candidates.
    p_a_better : float
        Posterior probability that a is better by more than `rope`, in the
        metric's direction.
    p_equivalent : float
        Posterior probability of practical equivalence (0 when `rope` is 0).
    p_b_better : float
        Posterior probability that b is better by more than `rope`.
    rope : float
        Half-width of the region of practical equivalence, in metric units.
    higher_is_better : bool
        Direction of the metric.
    n : int
        Number of paired values.
    mean_difference : float
        Mean of ``a - b`` in raw metric units.
    df, loc, scale : float or None
        Student t posterior of the mean of ``a - b`` (correlated t test only).
    rho : float or None
        Correlation between the paired differences assumed by the correlated t test.
    prior : str
        The prior, in words.
    n_samples : int or None
        Monte Carlo samples of the posterior (signed-rank test only).
    """

    test: str
    name_a: str
    name_b: str
    p_a_better: float
    p_equivalent: float
    p_b_better: float
    rope: float
    higher_is_better: bool
    n: int
    mean_difference: float
    prior: str
    df: float | None = None
    loc: float | None = None
    scale: float | None = None
    rho: float | None = None
    n_samples: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def _headline(self) -> str:
        direction = "higher is better" if self.higher_is_better else "lower is better"
        how = "closed form" if self.n_samples is None else f"{self.n_samples} Monte Carlo samples"
        return (
            f"Bayesian {self.test} test of {self.name_a} vs {self.name_b} ({direction}, "
            f"rope = ±{self.rope:g}, n = {self.n}, {how})"
        )

    def _display_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            f"P({self.name_a} better)": f"{self.p_a_better:.4f}",
            "P(equivalent)": f"{self.p_equivalent:.4f}",
            f"P({self.name_b} better)": f"{self.p_b_better:.4f}",
            "mean a - b": f"{self.mean_difference:.4g}",
        }])

    def __str__(self) -> str:
        return render_text(self._headline(), self._display_frame(), (f"Prior: {self.prior}",))

    def _repr_html_(self) -> str:
        return render_html(self._headline(), self._display_frame(), (f"Prior: {self.prior}",))


def bayesian_correlated_t_test(
    a: Any,
    b: Any,
    rope: float = 0.0,
    rho: float = 0.0,
    higher_is_better: bool = True,
    names: tuple[str, str] = ("a", "b"),
) -> BayesianComparison:
    """Compare two candidates with the Bayesian correlated t test.

    Parameters
    ----------
    a, b : array_like
        Paired scores of the two candidates, one per seed or cross-validation fold.
    rope : float
        Half-width of the region of practical equivalence, in metric units, >= 0.
    rho : float
        Correlation of the differences, in [0, 1). Use 0 for independent seeds
        and ``n_test / n_total`` for cross-validation, which is ``1 / K`` for
        K-fold cross-validation (repeated or not).
    higher_is_better : bool
        Direction of the metric.
    names : tuple of two str
        Names of a and b in the result.

    Returns
    -------
    BayesianComparison

    Notes
    -----
    With ``d = a - b`` and ``n`` pairs, the posterior of the mean difference is a
    Student t with ``n - 1`` degrees of freedom, location ``mean(d)`` and scale
    ``sqrt((1 / n + rho / (1 - rho)) var(d))``, ``var`` with ddof=1 (Corani &
    Benavoli 2015, "A Bayesian approach for comparing cross-validated
    algorithms on multiple data sets", Machine Learning 100:285-304, which
    takes a matrix-variate Normal-Gamma prior in its noninformative limit). With
    rho = 0 this is the posterior of a mean under the prior ``p(mu, sigma) ~
    1 / sigma``. The probabilities come from the t distribution function, with
    the rope a closed interval. When every difference is the same the
    posterior is a point mass at it and a DegenerateDataWarning is emitted.
    """
    d, rope, higher_is_better = _paired_differences(a, b, rope, higher_is_better)
    if isinstance(rho, (bool, np.bool_)) or not isinstance(rho, numbers.Real):
        raise TypeError(f"rho must be a number in [0, 1); got {rho!r}.")
    if not 0 <= float(rho) < 1:
        raise ValueError(
            f"rho must be in [0, 1); got {rho!r}. Use 0 for independent seeds and 1/K for "
            "K-fold cross-validation."
        )
    rho = float(rho)
    n = d.size
    if n < 2:
        raise ValueError(f"the correlated t test needs at least 2 pairs; got {n}.")

    mean = float(np.mean(d))
    variance = float(np.var(d, ddof=1))
    scale = math.sqrt((1 / n + rho / (1 - rho)) * variance)
    # Differences such as 0.9 - 0.8 and 0.8 - 0.7 differ only by rounding; the
    # same relative spread as in t_interval counts them as equal.
    spread = float(np.max(np.abs(d - mean)))
    if spread <= _EQUAL_RELATIVE_SPREAD * abs(mean):
        scale = 0.0
    if scale == 0:
        warnings.warn(
            f"every difference a - b equals {mean:g}, so the posterior is a point mass there.",
            DegenerateDataWarning,
            stacklevel=2,
        )
        above = float(mean > rope)
        below = float(mean < -rope)
        if rope == 0 and mean == 0:
            above = below = 0.5
    else:
        posterior = stats.t(df=n - 1, loc=mean, scale=scale)
        above = float(posterior.sf(rope))
        # With rope = 0 the equivalence region has probability 0, so the two
        # sides sum to 1 without rounding error.
        below = 1.0 - above if rope == 0 else float(posterior.cdf(-rope))
    p_a, p_b = (above, below) if higher_is_better else (below, above)
    return BayesianComparison(
        test="correlated t",
        name_a=str(names[0]),
        name_b=str(names[1]),
        p_a_better=p_a,
        p_equivalent=max(0.0, 1.0 - above - below),
        p_b_better=p_b,
        rope=rope,
        higher_is_better=higher_is_better,
        n=n,
        mean_difference=mean,
        prior="noninformative, p(mu, sigma) ~ 1 / sigma (Corani & Benavoli 2015)",
        df=float(n - 1),
        loc=mean,
        scale=scale,
        rho=rho,
    )


def bayesian_signed_rank_test(
    a: Any,
    b: Any,
    rope: float = 0.0,
    prior_strength: float = 0.5,
    n_samples: int = 50_000,
    rng: RandomSource = None,
    higher_is_better: bool = True,
    names: tuple[str, str] = ("a", "b"),
) -> BayesianComparison:
    """Compare two candidates with the Bayesian signed-rank test.

    Parameters
    ----------
    a, b : array_like
        Paired scores of the two candidates, for example means over seeds on
        each task.
    rope : float
        Half-width of the region of practical equivalence, in metric units, >= 0.
    prior_strength : float
        Weight ``s > 0`` of the prior pseudo-observation at zero difference.
    n_samples : int
        Number of Monte Carlo samples of the posterior.
    rng : numpy.random.Generator, int or None
        Source of the Dirichlet samples. The same seed gives the same result.
    higher_is_better : bool
        Direction of the metric.
    names : tuple of two str
        Names of a and b in the result.

    Returns
    -------
    BayesianComparison

    Notes
    -----
    The model (Benavoli et al. 2014, "A Bayesian Wilcoxon signed-rank test based
    on the Dirichlet process", ICML; Benavoli et al. 2017, JMLR 18(77),
    section 4) puts a Dirichlet process prior on the distribution of the
    differences ``d = a - b``. Its base measure is a point mass at the
    pseudo-observation ``z0 = 0`` with strength ``s`` (0.5 by default), a prior
    that favours neither candidate. The posterior of the distribution is then
    ``w0 delta(z0) + sum_i w_i delta(d_i)`` with weights ``(w0, ..., w_n) ~
    Dirichlet(s, 1, ..., 1)``.

    For each weight sample, the probability mass that a random pair of
    differences falls on each side is computed from the Walsh averages:
    ``theta_right = sum_ij w_i w_j [z_i + z_j > 2 rope]``, ``theta_left`` the same
    with ``< -2 rope``, and ``theta_rope`` the rest (``|z_i + z_j| <= 2 rope``).
    With rope = 0, sums exactly zero count half to each side. The returned
    probabilities are the shares of samples in which each theta is the largest.
    A tie for the largest splits the sample equally among the tied regions.
    """
    d, rope, higher_is_better = _paired_differences(a, b, rope, higher_is_better)
    if isinstance(prior_strength, (bool, np.bool_)) or not isinstance(prior_strength, numbers.Real):
        raise TypeError(f"prior_strength must be a positive number; got {prior_strength!r}.")
    if not (math.isfinite(float(prior_strength)) and float(prior_strength) > 0):
        raise ValueError(f"prior_strength must be a positive number; got {prior_strength!r}.")
    prior_strength = float(prior_strength)
    n_samples = validate_count(n_samples, "n_samples", minimum=1)
    generator = as_generator(rng)

    wins = _signed_rank_wins(d, rope, prior_strength, n_samples, generator)
    left, middle, right = wins / n_samples
    p_a, p_b = (right, left) if higher_is_better else (left, right)
    return BayesianComparison(
        test="signed-rank",
        name_a=str(names[0]),
        name_b=str(names[1]),
        p_a_better=float(p_a),
        p_equivalent=float(middle),
        p_b_better=float(p_b),
        rope=rope,
        higher_is_better=higher_is_better,
        n=int(d.size),
        mean_difference=float(np.mean(d)),
        prior=(
            f"Dirichlet process, base measure a point mass at difference 0 with "
            f"strength s = {prior_strength:g}"
        ),
        n_samples=n_samples,
    )


def walsh_region_matrices(d: np.ndarray, rope: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the left and right indicator matrices over the pairs of ``(0, d_1, ..., d_n)``.

    Entry ``[i, j]`` is 1 when ``z_i + z_j`` is below ``-2 rope`` (left) or above
    ``2 rope`` (right). With rope = 0 a sum of exactly 0 counts 0.5 in both.
    """
    points = np.concatenate(([0.0], d))
    sums = points[:, None] + points[None, :]
    left = (sums < -2 * rope).astype(float)
    right = (sums > 2 * rope).astype(float)
    if rope == 0:
        on_zero = sums == 0
        left[on_zero] = 0.5
        right[on_zero] = 0.5
    return left, right


def _signed_rank_wins(
    d: np.ndarray,
    rope: float,
    prior_strength: float,
    n_samples: int,
    generator: np.random.Generator,
) -> np.ndarray:
    """Return how many posterior samples make left, rope and right the largest region."""
    left_matrix, right_matrix = walsh_region_matrices(d, rope)
    concentration = np.ones(d.size + 1)
    concentration[0] = prior_strength
    wins = np.zeros(3)
    for start in range(0, n_samples, _SAMPLE_CHUNK):
        size = min(_SAMPLE_CHUNK, n_samples - start)
        weights = generator.dirichlet(concentration, size=size)
        theta_left = np.einsum("si,ij,sj->s", weights, left_matrix, weights)
        theta_right = np.einsum("si,ij,sj->s", weights, right_matrix, weights)
        theta_rope = 1.0 - theta_left - theta_right
        thetas = np.stack([theta_left, theta_rope, theta_right], axis=1)
        if rope == 0:
            # No equivalence region: the rope column carries only rounding error.
            thetas[:, 1] = -np.inf
        # Thetas within 1e-12 of the largest count as tied for it.
        is_max = thetas >= thetas.max(axis=1, keepdims=True) - 1e-12
        wins += (is_max / is_max.sum(axis=1, keepdims=True)).sum(axis=0)
    return wins


def _paired_differences(a: Any, b: Any, rope: Any, higher_is_better: Any) -> tuple[np.ndarray, float, bool]:
    a = as_finite_vector(a, "a")
    b = as_finite_vector(b, "b")
    if a.size != b.size:
        raise ValueError(
            f"a and b must be paired and of the same length; got {a.size} and {b.size} values."
        )
    if isinstance(rope, (bool, np.bool_)) or not isinstance(rope, numbers.Real):
        raise TypeError(f"rope must be a number >= 0 in metric units; got {rope!r}.")
    if not (math.isfinite(float(rope)) and float(rope) >= 0):
        raise ValueError(f"rope must be a finite number >= 0 in metric units; got {rope!r}.")
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise TypeError(f"higher_is_better must be True or False; got {higher_is_better!r}.")
    return a - b, float(rope), bool(higher_is_better)
