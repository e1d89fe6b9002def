"""Wilcoxon signed-rank test of paired differences, with its rank sums and effect size.

scipy.stats.wilcoxon computes the statistic and the p-value. This module chooses
the p-value method explicitly, so that the result can name the method used, and
computes the rank sums R+ and R- that scipy does not return for a two-sided test.
"""

from __future__ import annotations

import math

from dataclasses import dataclass

import numpy as np
from scipy import stats

ZERO_METHODS = ("wilcox", "pratt", "zsplit")

# The same thresholds as method="auto" in scipy 1.17 (scipy/stats/_wilcoxon.py):
# above EXACT_MAX_N pairs the normal approximation is used, and with ties or zero
# differences the exact sign-flip distribution is enumerated up to
# PERMUTATION_MAX_N pairs (2**13 sign patterns).
EXACT_MAX_N = 50
PERMUTATION_MAX_N = 13

METHOD_EXACT = "exact"
METHOD_PERMUTATION = "permutation"
METHOD_ASYMPTOTIC = "asymptotic"
METHOD_UNDEFINED = "undefined"


@dataclass(frozen=True)
class SignedRankResult:
    """Outcome of a two-sided Wilcoxon signed-rank test of differences ``d``.

    Attributes
    ----------
    statistic : float
        ``min(R+, R-)``, the statistic scipy reports for a two-sided test.
    pvalue : float
        Two-sided p-value, NaN when the test is undefined.
    r_plus, r_minus : float
        Sums of the ranks of ``|d|`` over positive and over negative differences,
        with zero differences handled by the zero method.
    rank_biserial : float
        ``(R+ - R-) / (R+ + R-)``, NaN when both sums are zero.
    n : int
        Number of pairs, zero differences included.
    n_nonzero : int
        Number of nonzero differences.
    method : str
        ``"exact"``, ``"permutation"``, ``"asymptotic"`` or ``"undefined"``.
    """

    statistic: float
    pvalue: float
    r_plus: float
    r_minus: float
    rank_biserial: float
    n: int
    n_nonzero: int
    method: str


def validate_zero_method(zero_method: str) -> str:
    """Return `zero_method` if scipy.stats.wilcoxon accepts it."""
    if zero_method not in ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {list(ZERO_METHODS)}; got {zero_method!r}.")
    return zero_method


def signed_rank_sums(d: np.ndarray, zero_method: str) -> tuple[float, float]:
    """Return the rank sums ``(R+, R-)`` of the differences `d`.

    The absolute differences get average ranks. Zero differences are handled as
    in scipy.stats.wilcoxon: "wilcox" drops them before ranking, "pratt" ranks
    them and then leaves their ranks out of both sums, and "zsplit" ranks them
    and adds half of their ranks to each sum.
    """
    d = np.asarray(d, dtype=float)
    if zero_method == "wilcox":
        d = d[d != 0]
    if d.size == 0:
        return 0.0, 0.0
    ranks = stats.rankdata(np.abs(d), method="average")
    r_plus = float(ranks[d > 0].sum())
    r_minus = float(ranks[d < 0].sum())
    if zero_method == "zsplit":
        half_zero_ranks = float(ranks[d == 0].sum()) / 2
        r_plus += half_zero_ranks
        r_minus += half_zero_ranks
    return r_plus, r_minus


def rank_biserial(r_plus: float, r_minus: float) -> float:
    """Return the matched-pairs rank-biserial correlation ``(R+ - R-) / (R+ + R-)``.

    This is the simple difference formula r = f - u of Kerby (2014, "The simple
    difference formula: an approach to teaching nonparametric correlation",
    Innovative Teaching 3, 1), applied to the rank sums of the signed-rank test:
    the share of the total rank sum that favours the positive side minus the
    share that favours the negative side. It lies in [-1, 1] and is NaN when
    both rank sums are zero.
    """
    total = r_plus + r_minus
    if total == 0:
        return float("nan")
    return (r_plus - r_minus) / total


def choose_method(d: np.ndarray) -> str:
    """Return the p-value method that scipy 1.17's ``method="auto"`` picks for `d`.

    "exact" uses the null distribution of the untied statistic, "permutation"
    enumerates all ``2**n`` sign flips of `d` (exact, conditional on ties and
    zeros), and "asymptotic" is the normal approximation with tie correction.
    """
    d = np.asarray(d, dtype=float)
    n = d.size
    if n > EXACT_MAX_N:
        return METHOD_ASYMPTOTIC
    absolute = np.abs(d)
    has_zeros = bool(np.any(d == 0))
    has_ties = np.unique(absolute).size < n
    if not (has_zeros or has_ties):
        return METHOD_EXACT
    if n <= PERMUTATION_MAX_N:
        return METHOD_PERMUTATION
    return METHOD_ASYMPTOTIC


def signed_rank_test(d: np.ndarray, zero_method: str) -> SignedRankResult:
    """Run a two-sided Wilcoxon signed-rank test on the paired differences `d`.

    H0: the distribution of `d` is symmetric about zero.
    The p-value comes from scipy.stats.wilcoxon with the method named by
    `choose_method` and without continuity correction (scipy's default). R's
    ``wilcox.test`` applies a continuity correction by default, so asymptotic
    p-values differ slightly from R's; exact ones agree.

    When every difference is zero the test is undefined under "wilcox" and
    "pratt", because no nonzero difference is left to rank: the p-value is NaN
    and the method "undefined". Under "zsplit" the zero ranks balance, scipy
    returns p = 1, and that value is kept.
    """
    d = np.asarray(d, dtype=float)
    n = int(d.size)
    n_nonzero = int(np.count_nonzero(d))
    r_plus, r_minus = signed_rank_sums(d, zero_method)
    effect = rank_biserial(r_plus, r_minus)

    if n == 0 or (n_nonzero == 0 and zero_method != "zsplit"):
        return SignedRankResult(
            statistic=0.0,
            pvalue=float("nan"),
            r_plus=r_plus,
            r_minus=r_minus,
            rank_biserial=effect,
            n=n,
            n_nonzero=n_nonzero,
            method=METHOD_UNDEFINED,
        )

    method = choose_method(d)
    result = stats.wilcoxon(
        d,
        zero_method=zero_method,
        correction=False,
        alternative="two-sided",
        method=_scipy_method(method),
    )
    return SignedRankResult(
        statistic=float(result.statistic),
        pvalue=float(result.pvalue),
        r_plus=r_plus,
        r_minus=r_minus,
        rank_biserial=effect,
        n=n,
        n_nonzero=n_nonzero,
        method=method,
    )


def signed_rank_sums_rows(differences: np.ndarray, zero_method: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the arrays ``(R+, R-)`` of `signed_rank_sums` for each row of `differences`.

    The rows must not contain NaN. Zero differences have the smallest absolute
    value, so under "wilcox" the rank of a nonzero difference among the nonzero
    ones is its rank among all differences minus the number of zeros. Ranks are
    multiples of 1/2, so every sum is exact and equals the one-row result.
    """
    differences = np.ascontiguousarray(differences, dtype=float)
    if differences.shape[-1] == 0:
        zeros = np.zeros(differences.shape[:-1])
        return zeros, zeros.copy()
    ranks = stats.rankdata(np.abs(differences), method="average", axis=-1)
    zero = differences == 0
    if zero_method == "wilcox":
        ranks = ranks - np.sum(zero, axis=-1, keepdims=True)
    r_plus = np.sum(np.where(differences > 0, ranks, 0.0), axis=-1)
    r_minus = np.sum(np.where(differences < 0, ranks, 0.0), axis=-1)
    if zero_method == "zsplit":
        half_zero_ranks = np.sum(np.where(zero, ranks, 0.0), axis=-1) / 2
        r_plus = r_plus + half_zero_ranks
        r_minus = r_minus + half_zero_ranks
    return r_plus, r_minus


def signed_rank_tests(differences: np.ndarray, zero_method: str) -> list[SignedRankResult]:
    """Run `signed_rank_test` on each row of `differences`, with one scipy call per method.

    The result for each row is the one `signed_rank_test` returns for that row
    alone: scipy.stats.wilcoxon with ``axis=-1`` computes every row
    independently, and the rows are grouped by the method `choose_method`
    picks for each. Rows with NaN go through `signed_rank_test` one by one.
    """
    differences = np.ascontiguousarray(differences, dtype=float)
    if differences.ndim != 2:
        raise ValueError(
            f"differences must be a 2-D array, one row per pair; got shape {differences.shape}."
        )
    if np.isnan(differences).any():
        return [signed_rank_test(row, zero_method) for row in differences]

    n = differences.shape[1]
    n_nonzero = np.count_nonzero(differences, axis=1)
    r_plus, r_minus = signed_rank_sums_rows(differences, zero_method)
    # As in signed_rank_test: no nonzero difference leaves nothing to rank,
    # except under "zsplit" with at least one (zero) difference.
    undefined = (n_nonzero == 0) & (n == 0 or zero_method != "zsplit")
    methods = np.array([METHOD_UNDEFINED if skip else choose_method(row)
                        for row, skip in zip(differences, undefined)])
    statistic = np.zeros(len(differences))
    pvalue = np.full(len(differences), np.nan)
    for method in np.unique(methods[~undefined]):
        rows = methods == method
        result = stats.wilcoxon(
            differences[rows],
            zero_method=zero_method,
            correction=False,
            alternative="two-sided",
            method=_scipy_method(method),
            axis=-1,
        )
        statistic[rows] = result.statistic
        pvalue[rows] = result.pvalue
    return [
        SignedRankResult(
            statistic=float(statistic[row]),
            pvalue=float(pvalue[row]),
            r_plus=float(r_plus[row]),
            r_minus=float(r_minus[row]),
            rank_biserial=rank_biserial(float(r_plus[row]), float(r_minus[row])),
            n=n,
            n_nonzero=int(n_nonzero[row]),
            method=str(methods[row]),
        )
        for row in range(len(differences))
    ]


def _scipy_method(method: str) -> str | stats.PermutationMethod:
    if method == METHOD_PERMUTATION:
        # n_resamples=inf makes permutation_test enumerate every sign pattern.
        return stats.PermutationMethod(n_resamples=np.inf)
    return method


def min_signed_rank_pvalue(n_pairs: int) -> float:
    """Return ``2 / 2**n``, a lower bound on the two-sided p-value of `n_pairs` pairs.

    Under H0 all ``2**n`` sign patterns of ``n`` nonzero differences are equally
    likely, and the most extreme pattern with its mirror image gives ``2 / 2**n``,
    the smallest p-value of the exact and permutation methods. Zero differences
    keep their sign under every flip, so they only raise that minimum. scipy's
    normal approximation, used from 14 pairs on, also stayed above ``2 / 2**n``
    in a numerical check of 14 to 60 pairs with all differences of one sign
    (distinct, tied and partly zero).
    """
    # ldexp underflows to 0.0 for very large n where 2.0**n would raise OverflowError.
    return min(1.0, math.ldexp(2.0, -n_pairs))
