"""Friedman test of k >= 3 candidates over complete blocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class FriedmanResult:
    """Friedman chi-square statistic, its p-value and degrees of freedom ``k - 1``."""

    statistic: float
    pvalue: float
    df: int


def friedman_test(oriented: np.ndarray) -> FriedmanResult:
    """Test H0: within every block, all orderings of the k candidates are equally likely.

    `oriented` is blocks x candidates. scipy.stats.friedmanchisquare ranks each
    block, applies the tie correction and takes the p-value from the chi-square
    distribution with ``k - 1`` degrees of freedom (an approximation at every
    number of blocks). When every block is fully tied the statistic is 0/0, so
    the result is NaN without calling scipy.
    """
    oriented = np.asarray(oriented, dtype=float)
    df = oriented.shape[1] - 1
    if np.all(oriented == oriented[:, :1]):
        return FriedmanResult(statistic=float("nan"), pvalue=float("nan"), df=df)
    result = stats.friedmanchisquare(*oriented.T)
    return FriedmanResult(statistic=float(result.statistic), pvalue=float(result.pvalue), df=df)


def friedman_min_pvalue(n_blocks: int, k: int) -> float:
    """Return the smallest Friedman p-value attainable with `n_blocks` blocks of `k`.

    The statistic is largest when every block ranks the candidates the same
    way. It then equals ``n (k - 1)``, with or without tied ranks, because the
    tie correction scales the between-candidate and the total rank variation
    alike. The p-value is the chi-square tail at that value with ``k - 1``
    degrees of freedom, as scipy computes it.
    """
    return float(stats.chi2.sf(n_blocks * (k - 1), k - 1))
