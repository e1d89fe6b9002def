"""The Skillings–Mack test for block designs with missing values.

Skillings, J. H. and Mack, G. A. (1981). On the use of a Friedman-type
statistic in balanced and unbalanced block designs. Technometrics 23(2),
171-177.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from nbcompare.stats._ranks import block_ranks


@dataclass(frozen=True)
class SkillingsMackResult:
    """Skillings–Mack statistic, p-value and the pieces it is built from.

    Attributes
    ----------
    statistic : float
        ``T = A' Sigma^- A``. NaN when every block is fully tied.
    pvalue : float
        Chi-square tail of `statistic` with `df` degrees of freedom.
    df : int
        Rank of `covariance`, ``k - 1`` when the design is connected.
    adjusted_rank_sums : numpy.ndarray
        A, one entry per candidate.
    covariance : numpy.ndarray
        Sigma, the null covariance of A.
    n_blocks : int
        Blocks used (each has at least 2 values).
    n_incomplete : int
        Blocks among them that miss some candidate.
    """

    statistic: float
    pvalue: float
    df: int
    adjusted_rank_sums: np.ndarray
    covariance: np.ndarray
    n_blocks: int
    n_incomplete: int


def adjusted_rank_sums(oriented: np.ndarray) -> np.ndarray:
    """Return A, the Skillings–Mack weighted and centred rank sums of a blocks x candidates matrix.

    NaN cells are missing. Block i with k_i observed values ranks them 1..k_i
    (average ranks for ties) and gives each observed candidate
    ``sqrt(12 / (k_i + 1)) * (r_ij - (k_i + 1) / 2)``. A missing cell
    contributes 0, the value it would have at the mean rank ``(k_i + 1) / 2``.
    """
    oriented = np.asarray(oriented, dtype=float)
    observed = ~np.isnan(oriented)
    sums = np.zeros(oriented.shape[1])
    for row, present in zip(oriented, observed):
        count = int(present.sum())
        ranks = block_ranks(row[present][np.newaxis, :])[0]
        sums[present] += math.sqrt(12.0 / (count + 1)) * (ranks - (count + 1) / 2.0)
    return sums


def null_covariance(observed: np.ndarray) -> np.ndarray:
    """Return Sigma, the covariance of A under H0 when there are no ties.

    ``Sigma[j, l] = -lambda_jl`` for j != l, with lambda_jl the number of
    blocks in which both j and l are observed, and ``Sigma[j, j] =
    sum over l != j of lambda_jl``. In a block with k_i values a rank has
    variance ``(k_i**2 - 1) / 12`` and two ranks have covariance
    ``-(k_i + 1) / 12``, so after the weight ``12 / (k_i + 1)`` each block
    adds ``k_i - 1`` to a variance and -1 to a covariance.
    """
    present = np.asarray(observed, dtype=float)
    together = present.T @ present
    np.fill_diagonal(together, 0.0)
    return np.diag(together.sum(axis=1)) - together


def skillings_mack(oriented: np.ndarray) -> SkillingsMackResult:
    """Test H0: within every block, all orderings of the observed candidates are equally likely.

    `oriented` is a blocks x candidates matrix with NaN for missing values.
    Blocks with fewer than 2 values carry no ranking information and must be
    removed by the caller. ``T = A' Sigma^- A`` with the Moore–Penrose inverse
    of Sigma (`null_covariance`), referred to the chi-square distribution with
    ``rank(Sigma)`` degrees of freedom (Skillings & Mack 1981). Without
    missing values T equals Friedman's statistic without the tie correction,
    ``12 / (n k (k + 1)) * sum R_j**2 - 3 n (k + 1)``.

    The chi-square reference is an approximation. Ties are ranked by average
    ranks and no tie correction is applied, so with many ties the test is
    conservative.
    """
    oriented = np.asarray(oriented, dtype=float)
    observed = ~np.isnan(oriented)
    counts = observed.sum(axis=1)
    if np.any(counts < 2):
        raise ValueError(
            "every block passed to skillings_mack needs at least 2 values; drop the blocks "
            f"at rows {np.flatnonzero(counts < 2).tolist()} first."
        )
    sums = adjusted_rank_sums(oriented)
    covariance = null_covariance(observed)
    df = int(np.linalg.matrix_rank(covariance))
    all_tied = all(np.all(row[present] == row[present][0]) for row, present in zip(oriented, observed))
    if all_tied or df == 0:
        statistic = pvalue = float("nan")
    else:
        statistic = float(sums @ np.linalg.pinv(covariance) @ sums)
        statistic = max(statistic, 0.0)
        pvalue = float(stats.chi2.sf(statistic, df))
    return SkillingsMackResult(
        statistic=statistic,
        pvalue=pvalue,
        df=df,
        adjusted_rank_sums=sums,
        covariance=covariance,
        n_blocks=int(oriented.shape[0]),
        n_incomplete=int(np.sum(counts < oriented.shape[1])),
    )
