"""Checks of the assumptions behind the parametric tests: normality, equal variances, sphericity.

Each check returns an `AssumptionCheck` that records the test, its statistic,
p-value and verdict, and a sentence that states them. A check that cannot be
run (too few observations, constant data) has ``passed=None``, and its
sentence gives the reason.

The checks are screens, not proofs. With few blocks they rarely reject, and
with many blocks they reject departures too small to matter, so the automatic
mode states every check it ran and what it concluded from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, stats

# scipy.stats.shapiro needs at least 3 observations.
_MIN_SHAPIRO = 3


@dataclass(frozen=True)
class AssumptionCheck:
    """Outcome of one assumption check.

    Attributes
    ----------
    assumption : str
        ``"normality"``, ``"equal variances"`` or ``"sphericity"``.
    test : str
        ``"shapiro-wilk"``, ``"levene"``, ``"bartlett"`` or ``"mauchly"``.
    subject : str
        What was tested, for example ``"the paired differences"``.
    statistic : float
        W (Shapiro–Wilk, Mauchly), the Levene F or the Bartlett chi-square.
        NaN when the check could not run.
    pvalue : float
        p-value of H0: the assumption holds. NaN when the check could not run.
    alpha : float
        Level at which the check rejects.
    passed : bool or None
        False when H0 is rejected (``pvalue <= alpha``), True when it is not,
        None when the check could not run.
    sentence : str
        The check and its verdict in one sentence.
    """

    assumption: str
    test: str
    subject: str
    statistic: float
    pvalue: float
    alpha: float
    passed: bool | None
    sentence: str


def _format(value: float) -> str:
    return f"{value:.3g}"


def _verdict(
    assumption: str, test: str, label: str, subject: str, symbol: str,
    statistic: float, pvalue: float, alpha: float,
) -> AssumptionCheck:
    passed = not pvalue <= alpha
    verb = "did not reject" if passed else "rejected"
    sentence = (
        f"{label} on {subject} {verb} {assumption} "
        f"({symbol} = {_format(statistic)}, p = {_format(pvalue)}, alpha = {alpha:.3g})."
    )
    return AssumptionCheck(assumption, test, subject, statistic, pvalue, alpha, passed, sentence)


def _not_run(assumption: str, test: str, subject: str, alpha: float, why: str) -> AssumptionCheck:
    sentence = f"{assumption.capitalize()} of {subject} could not be checked: {why}."
    return AssumptionCheck(
        assumption, test, subject, float("nan"), float("nan"), alpha, None, sentence
    )


def shapiro_wilk(values: np.ndarray, subject: str, alpha: float) -> AssumptionCheck:
    """Test H0: `values` are a sample from a normal distribution (scipy.stats.shapiro).

    Needs at least 3 values that are not all equal.
    """
    values = np.asarray(values, dtype=float)
    if values.size < _MIN_SHAPIRO:
        return _not_run(
            "normality", "shapiro-wilk", subject, alpha,
            f"the Shapiro–Wilk test needs at least {_MIN_SHAPIRO} values and there are {values.size}",
        )
    if np.all(values == values[0]):
        return _not_run("normality", "shapiro-wilk", subject, alpha, "all values are equal")
    result = stats.shapiro(values)
    return _verdict(
        "normality", "shapiro-wilk", "Shapiro–Wilk", subject, "W",
        float(result.statistic), float(result.pvalue), alpha,
    )


def shapiro_wilk_each(
    samples: dict[str, np.ndarray], subject: str, alpha: float
) -> tuple[AssumptionCheck, ...]:
    """Run `shapiro_wilk` on each named sample at the Bonferroni level ``alpha / len(samples)``.

    One test per candidate would reject some normal sample with probability
    close to ``k * alpha``, so the level is divided by k to keep the chance of
    a false "not normal" verdict for the whole set at or below `alpha`.
    """
    level = alpha / len(samples)
    return tuple(
        shapiro_wilk(values, f"{subject} of {name!r} (Bonferroni level {level:.3g})", level)
        for name, values in samples.items()
    )


def additive_residuals(matrix: np.ndarray) -> np.ndarray:
    """Return the residuals of the two-way additive model ``block + candidate`` of a blocks x candidates matrix.

    ``r_ij = y_ij - mean_i. - mean_.j + mean_..``, the errors that the
    repeated-measures ANOVA assumes normal.
    """
    matrix = np.asarray(matrix, dtype=float)
    residuals = (
        matrix
        - matrix.mean(axis=1, keepdims=True)
        - matrix.mean(axis=0, keepdims=True)
        + matrix.mean()
    )
    # When the model fits exactly (every candidate shifted by a constant), the residuals
    # are rounding noise. Setting them to zero makes the normality check report "all
    # values are equal" instead of testing the noise.
    scale = float(np.max(np.abs(matrix))) if matrix.size else 0.0
    residuals[np.abs(residuals) <= 64 * np.finfo(float).eps * scale] = 0.0
    return residuals


def levene(samples: dict[str, np.ndarray], alpha: float) -> AssumptionCheck:
    """Test H0: all samples have the same variance, by the Brown–Forsythe form of Levene's test.

    scipy.stats.levene with ``center="median"`` (Brown & Forsythe 1974), which
    keeps its level for skewed data. Needs at least 2 values per sample.
    """
    subject = "the candidates' samples"
    arrays = list(samples.values())
    if min(array.size for array in arrays) < 2:
        return _not_run(
            "equal variances", "levene", subject, alpha, "some candidate has fewer than 2 values"
        )
    deviations = np.concatenate([np.abs(array - np.median(array)) for array in arrays])
    if np.all(deviations == deviations[0]):
        return _not_run(
            "equal variances", "levene", subject, alpha,
            "the absolute deviations from the medians are all equal",
        )
    result = stats.levene(*arrays, center="median")
    return _verdict(
        "equal variances", "levene", "Levene's test (median-centred)", subject, "F",
        float(result.statistic), float(result.pvalue), alpha,
    )


def bartlett(samples: dict[str, np.ndarray], alpha: float) -> AssumptionCheck:
    """Test H0: all samples have the same variance, by Bartlett's test (scipy.stats.bartlett).

    Bartlett's test is valid only for normal data, so the automatic mode runs
    Levene's test instead; this one is for callers who have checked normality.
    """
    subject = "the candidates' samples"
    arrays = list(samples.values())
    if min(array.size for array in arrays) < 2 or any(np.var(array) == 0 for array in arrays):
        return _not_run(
            "equal variances", "bartlett", subject, alpha,
            "some candidate has fewer than 2 values or zero variance",
        )
    result = stats.bartlett(*arrays)
    return _verdict(
        "equal variances", "bartlett", "Bartlett's test", subject, "chi-square",
        float(result.statistic), float(result.pvalue), alpha,
    )


@dataclass(frozen=True)
class MauchlyResult:
    """Mauchly's W, its chi-square approximation and the Greenhouse–Geisser epsilon."""

    w: float
    chi2: float
    df: int
    pvalue: float
    epsilon_gg: float


def orthonormal_contrasts(k: int) -> np.ndarray:
    """Return a k x (k - 1) matrix whose orthonormal columns are orthogonal to the ones vector."""
    centering = np.eye(k) - 1.0 / k
    # The k - 1 left singular vectors with nonzero singular values span the
    # centered subspace. The last one belongs to the ones vector (singular value 0).
    basis, _, _ = linalg.svd(centering)
    return basis[:, : k - 1]


def mauchly_statistics(matrix: np.ndarray) -> MauchlyResult:
    """Compute Mauchly's sphericity test of a blocks x candidates matrix.

    With S the k x k sample covariance of the columns (ddof=1), C a k x p
    matrix of orthonormal contrasts (p = k - 1) and ``M = C' S C``::

        W = det(M) / (trace(M) / p)**p
        chi2 = -(n - 1 - (2 p**2 + p + 2) / (6 p)) * ln W,   df = p (p + 1) / 2 - 1

    (Mauchly 1940, Ann. Math. Statist. 11(2), 204-209; the factor
    ``(2 p**2 + p + 2) / (6 p)`` is the Bartlett-type correction of the
    likelihood-ratio statistic). W does not depend on which orthonormal
    contrasts are used. The Greenhouse–Geisser epsilon is
    ``trace(M)**2 / (p * trace(M @ M))`` (Greenhouse & Geisser 1959).
    With k = 2, p = 1 and sphericity is trivially true: W = 1, p-value 1.
    """
    matrix = np.asarray(matrix, dtype=float)
    n, k = matrix.shape
    p = k - 1
    contrasts = orthonormal_contrasts(k)
    m = contrasts.T @ np.cov(matrix, rowvar=False, ddof=1) @ contrasts
    m = np.atleast_2d(m)
    trace = float(np.trace(m))
    epsilon = trace**2 / (p * float(np.trace(m @ m))) if trace > 0 else float("nan")
    if p == 1:
        return MauchlyResult(w=1.0, chi2=0.0, df=0, pvalue=1.0, epsilon_gg=1.0)
    df = p * (p + 1) // 2 - 1
    sign, logdet = np.linalg.slogdet(m)
    if trace <= 0 or sign <= 0:
        # A singular M (fewer blocks than candidates, or collinear columns)
        # gives W = 0, the most extreme departure.
        return MauchlyResult(w=0.0, chi2=float("inf"), df=df, pvalue=0.0, epsilon_gg=epsilon)
    log_w = logdet - p * math.log(trace / p)
    factor = n - 1 - (2 * p * p + p + 2) / (6 * p)
    chi2 = max(-factor * log_w, 0.0)
    return MauchlyResult(
        w=math.exp(log_w), chi2=chi2, df=df, pvalue=float(stats.chi2.sf(chi2, df)),
        epsilon_gg=epsilon,
    )


def mauchly(matrix: np.ndarray, alpha: float) -> AssumptionCheck:
    """Test H0: the covariance of the paired differences is spherical, by Mauchly's test.

    Needs more blocks than candidates, because M is singular otherwise.
    """
    matrix = np.asarray(matrix, dtype=float)
    n, k = matrix.shape
    subject = "the candidates' paired differences"
    if k < 3:
        return _not_run(
            "sphericity", "mauchly", subject, alpha,
            "with 2 candidates there is one difference, so sphericity holds trivially",
        )
    if n <= k:
        return _not_run(
            "sphericity", "mauchly", subject, alpha,
            f"Mauchly's test needs more blocks ({n}) than candidates ({k})",
        )
    result = mauchly_statistics(matrix)
    check = _verdict(
        "sphericity", "mauchly", "Mauchly's test", subject, "W",
        result.w, result.pvalue, alpha,
    )
    return check
