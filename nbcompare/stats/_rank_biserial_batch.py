"""Bootstrap intervals of the matched-pairs rank-biserial correlation of many pairs at once.

A comparison gives every pair of candidates the percentile bootstrap interval
of `_effect_sizes.rank_biserial`, each drawn with a generator seeded with the
same seed. Pairs with the same number of blocks therefore resample the same
positions. `paired_rank_biserials` draws those positions once, through
scipy.stats.bootstrap itself, and computes each pair's bootstrap distribution
from how often each position was drawn. The results equal those of one
`rank_biserial` call per pair bit for bit (tests/test_stats_vectorized.py).
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
from scipy import stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._effect_sizes import (
    DEFAULT_N_RESAMPLES,
    EffectSize,
    _orientation,
    matched_pairs_rank_biserial,
    rank_biserial,
    zero_width_message,
)
from nbcompare.stats._signed_rank import rank_biserial as rank_biserial_from_sums
from nbcompare.stats._signed_rank import signed_rank_sums_rows, validate_zero_method
from nbcompare.stats._two_sample import validate_confidence_level, validate_n_resamples

# Above this many blocks the pairs go through `rank_biserial` one by one. The
# work per pair here grows with n**2, and float32 sums stay exact only while
# 2 n**2 < 2**23 (see `resampled_rank_biserials`).
MAX_BLOCKS = 256

# Approximate size in bytes of each chunk of count products and of coefficients.
_CHUNK_BYTES = 32 * 2**20


def paired_rank_biserials(
    a: np.ndarray,
    b: np.ndarray,
    zero_method: str = "wilcox",
    *,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
    n_resamples: int = DEFAULT_N_RESAMPLES,
    seed: int = 0,
) -> list[EffectSize]:
    """Compute the matched-pairs rank-biserial correlation of each row pair ``(a[i], b[i])``.

    Element i of the result equals ``rank_biserial(a[i], b[i], paired=True,
    zero_method=zero_method, higher_is_better=higher_is_better,
    confidence_level=confidence_level, n_resamples=n_resamples,
    rng=np.random.default_rng(seed))``, warnings included and in row order.
    Rows with NaN or infinite values, an undefined estimate, a resample
    whose rank sums are both zero, or fewer than 2 or more than `MAX_BLOCKS`
    blocks go through that call.

    Parameters
    ----------
    a, b : ndarray
        Pairs x blocks arrays of the same shape.
    zero_method, higher_is_better, confidence_level, n_resamples
        As for `rank_biserial`.
    seed : int
        Seed of the generator of every row's bootstrap.

    Returns
    -------
    list of EffectSize
        One per row.
    """
    sign = _orientation(higher_is_better)
    confidence_level = validate_confidence_level(confidence_level)
    n_resamples = validate_n_resamples(n_resamples)
    zero_method = validate_zero_method(zero_method)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(
            f"a and b must be pairs x blocks arrays of the same shape; got {a.shape} and {b.shape}."
        )
    n_pairs, n_blocks = a.shape

    def one_by_one(row: int) -> EffectSize:
        return rank_biserial(
            a[row], b[row], paired=True, zero_method=zero_method,
            higher_is_better=higher_is_better, confidence_level=confidence_level,
            n_resamples=n_resamples, rng=np.random.default_rng(seed),
        )

    # The same operations as rank_biserial, so the differences match bit for bit.
    differences = sign * a - sign * b
    batched = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    batched &= 2 <= n_blocks <= MAX_BLOCKS
    estimates = np.full(n_pairs, np.nan)
    if batched.any():
        r_plus, r_minus = signed_rank_sums_rows(differences[batched], zero_method)
        estimates[batched] = [
            rank_biserial_from_sums(float(plus), float(minus)) for plus, minus in zip(r_plus, r_minus)
        ]
    batched &= ~np.isnan(estimates)

    positions = bootstrap_positions(n_blocks, n_resamples, seed) if batched.any() else None
    if positions is None:
        return [one_by_one(row) for row in range(n_pairs)]
    distribution = resampled_rank_biserials(
        differences[batched], resample_counts(positions, n_blocks), zero_method
    )
    # For a distribution with NaN scipy warns and returns a NaN interval, so those
    # rows go through rank_biserial to keep that behaviour.
    defined = ~np.isnan(distribution).any(axis=1)
    batched[np.flatnonzero(batched)[~defined]] = False
    low = np.full(n_pairs, np.nan)
    high = np.full(n_pairs, np.nan)
    if batched.any():
        low[batched], high[batched] = _percentile_interval(
            differences[batched], distribution[defined], zero_method, confidence_level
        )

    effects = []
    for row in range(n_pairs):
        if not batched[row]:
            effects.append(one_by_one(row))
            continue
        if low[row] == high[row]:
            warnings.warn(zero_width_message(float(low[row])), DegenerateDataWarning, stacklevel=2)
        effects.append(EffectSize(
            name="matched-pairs rank-biserial",
            estimate=float(estimates[row]),
            ci_low=float(low[row]),
            ci_high=float(high[row]),
            confidence_level=confidence_level,
            ci_method="bootstrap percentile",
            magnitude="",
            magnitude_source="",
            n=n_blocks,
            higher_is_better=bool(higher_is_better),
        ))
    return effects


def bootstrap_positions(n_blocks: int, n_resamples: int, seed: int) -> np.ndarray | None:
    """Return the positions scipy.stats.bootstrap resamples from `n_blocks` values with `seed`.

    scipy resamples positions of the sample, so bootstrapping the positions
    ``0, ..., n_blocks - 1`` hands the statistic exactly those positions, in an
    ``n_resamples x n_blocks`` array. Returns None if scipy passes the
    statistic anything else, which would mean its resampling has changed.
    """
    drawn = []

    def keep(values: np.ndarray, axis: int = -1) -> np.ndarray:
        drawn.append(values)
        return np.mean(values, axis=axis)

    stats.bootstrap(
        (np.arange(n_blocks, dtype=float),), keep, n_resamples=n_resamples, vectorized=True,
        method="percentile", rng=np.random.default_rng(seed),
    )
    if len(drawn) != 1 or drawn[0].shape != (n_resamples, n_blocks):
        return None
    return drawn[0].astype(np.intp)


def resample_counts(positions: np.ndarray, n_blocks: int) -> np.ndarray:
    """Return how often each position occurs in each row of `positions`, as floats."""
    n_resamples = positions.shape[0]
    offsets = n_blocks * np.arange(n_resamples)[:, None]
    counts = np.bincount((positions + offsets).ravel(), minlength=n_resamples * n_blocks)
    return counts.reshape(n_resamples, n_blocks).astype(float)


def resampled_rank_biserials(
    differences: np.ndarray, counts: np.ndarray, zero_method: str
) -> np.ndarray:
    """Return the rank-biserial correlation of every pair in every resample, pairs x resamples.

    A resample that draws position i ``c_i`` times ranks each copy of ``|d_j|``
    at ``L_j + (E_j + 1) / 2``, with ``L_j`` the count of drawn values below
    ``|d_j|`` and ``E_j`` the count of drawn values equal to it. Summed over
    the drawn copies, ``R+ = sum_j c_j [d_j > 0] rank_j`` is a quadratic form
    in the counts, ``sum_{i < j} c_i c_j u_ij + sum_j c_j (c_j + 1) [d_j > 0] / 2``,
    and so is R-. Under "wilcox" the drawn zeros are left out of ``L_j``.
    Under "zsplit" each sum gains half of the zeros' ranks, ``Z (Z + 1) / 4``
    for Z drawn zeros. The quadratic forms of all pairs and resamples make
    one matrix product.

    Counts are integers and the coefficients multiples of 1/2, so every
    partial sum is a multiple of 1/2 of magnitude at most ``2 n**2``. float32
    represents such sums exactly while ``2 n**2 < 2**23``, whatever order the
    matrix product adds them in. The rank sums, and the correlation computed
    from them as in `matched_pairs_rank_biserial`, therefore equal those of
    ranking each resample.
    """
    differences = np.asarray(differences, dtype=float)
    n_pairs, n_blocks = differences.shape
    if n_blocks > MAX_BLOCKS:
        raise ValueError(
            f"at most {MAX_BLOCKS} blocks are supported; got {n_blocks}. Use rank_biserial for each pair."
        )
    n_resamples = counts.shape[0]
    upper_i, upper_j = np.triu_indices(n_blocks)
    pair_step = max(1, _CHUNK_BYTES // (4 * 8 * upper_i.size))
    resample_step = max(1, _CHUNK_BYTES // (4 * upper_i.size))
    # With one chunk of resamples (up to 91 blocks at 1999 resamples), the
    # count products serve every chunk of pairs.
    products = _count_products(counts, upper_i, upper_j) if resample_step >= n_resamples else None
    distribution = np.empty((n_pairs, n_resamples))
    for start in range(0, n_pairs, pair_step):
        chunk = differences[start:start + pair_step]
        size = len(chunk)
        coefficients = _quadratic_coefficients(chunk, zero_method, upper_i, upper_j)
        zeros = (chunk == 0).T.astype(float)
        for first in range(0, n_resamples, resample_step):
            drawn = counts[first:first + resample_step]
            if products is None:
                sums = _count_products(drawn, upper_i, upper_j) @ coefficients
            else:
                sums = products[first:first + resample_step] @ coefficients
            sums = sums.astype(float)
            r_plus, r_minus = sums[:, :size], sums[:, size:]
            if zero_method == "zsplit":
                drawn_zeros = drawn @ zeros
                half_zero_ranks = drawn_zeros * (drawn_zeros + 1) / 4
                r_plus = r_plus + half_zero_ranks
                r_minus = r_minus + half_zero_ranks
            total = r_plus + r_minus
            with np.errstate(divide="ignore", invalid="ignore"):
                correlation = np.where(total > 0, (r_plus - r_minus) / total, np.nan)
            distribution[start:start + size, first:first + len(drawn)] = correlation.T
    return distribution


def _count_products(counts: np.ndarray, upper_i: np.ndarray, upper_j: np.ndarray) -> np.ndarray:
    """Return ``c_i c_j`` for i < j and ``c_i (c_i + 1)`` for i = j, as float32."""
    counts = counts.astype(np.float32)
    products = counts[:, upper_i] * counts[:, upper_j]
    diagonal = upper_i == upper_j
    products[:, diagonal] += counts
    return products


def _quadratic_coefficients(
    differences: np.ndarray, zero_method: str, upper_i: np.ndarray, upper_j: np.ndarray
) -> np.ndarray:
    """Return the coefficients of `_count_products` in R+ and then R- of each pair, as float32 columns."""
    magnitude = np.abs(differences)
    magnitude_i, magnitude_j = magnitude[:, upper_i], magnitude[:, upper_j]
    tie = (magnitude_i == magnitude_j) / 2
    # Share of one copy of i in the rank of one copy of j, and the reverse.
    i_under_j = (magnitude_i < magnitude_j) + tie
    j_under_i = (magnitude_j < magnitude_i) + tie
    if zero_method == "wilcox":
        i_under_j = i_under_j - (differences[:, upper_i] == 0)
        j_under_i = j_under_i - (differences[:, upper_j] == 0)
    diagonal = upper_i == upper_j
    columns = []
    for side in (differences > 0, differences < 0):
        coefficient = side[:, upper_j] * i_under_j + side[:, upper_i] * j_under_i
        # On the diagonal both terms are the 1/2 of one copy tied with itself,
        # which the products c_i (c_i + 1) count once.
        coefficient[:, diagonal] /= 2
        columns.append(coefficient)
    return np.concatenate(columns).T.astype(np.float32)


def _percentile_interval(
    differences: np.ndarray, distribution: np.ndarray, zero_method: str, confidence_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return scipy.stats.bootstrap's percentile interval of each row's bootstrap `distribution`.

    scipy accepts a finished bootstrap distribution through `bootstrap_result`
    and then draws no resamples, so the interval is scipy's own. The
    percentile method does not call the statistic.
    """
    def statistic(values: np.ndarray, axis: int = -1) -> np.ndarray:
        return matched_pairs_rank_biserial(values, zero_method, axis=axis)

    result = stats.bootstrap(
        (differences,), statistic, n_resamples=0, vectorized=True, axis=-1,
        confidence_level=confidence_level, method="percentile",
        bootstrap_result=SimpleNamespace(bootstrap_distribution=distribution),
    )
    interval = result.confidence_interval
    return np.asarray(interval.low, dtype=float), np.asarray(interval.high, dtype=float)
