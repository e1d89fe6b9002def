"""Groups of candidates that no post-hoc test separates: the bars of a critical difference diagram."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from nbcompare.stats._posthoc import PosthocResult


def cliques(
    result: PosthocResult | pd.DataFrame,
    order: Sequence[str] | None = None,
    *,
    alpha: float | None = None,
    min_size: int = 1,
) -> tuple[tuple[str, ...], ...]:
    """Find the maximal runs of candidates, contiguous in `order`, with no significant pair.

    A run ``order[i:j+1]`` qualifies when no two of its members differ
    significantly. It is maximal when no longer qualifying run contains it.
    These are the groups that a critical difference diagram joins with a bar
    (Demšar 2006). Runs that overlap are all returned.

    Significance of a pair:

    * For a `PosthocResult`, its `PairResult.reject` flag, which is
      ``pvalue_adjusted <= alpha``. A pair the result does not contain, or one
      with an undefined (NaN) p-value, is not significant.
    * For a p-value matrix, ``p <= alpha``. A p-value that underflowed to
      exactly 0 is significant, and a NaN cell is not.

    Parameters
    ----------
    result : PosthocResult or pandas.DataFrame
        A post-hoc result of all pairs, or a symmetric candidate x candidate
        matrix of adjusted p-values such as ``PosthocResult.p_matrix()``.
    order : sequence of str, optional
        Candidates in mean-rank order. Defaults to ``result.candidates`` for a
        PosthocResult (best first) and to the matrix's index otherwise.
    alpha : float, optional
        Significance level for a p-value matrix, default 0.05. Must be omitted
        for a PosthocResult, whose own `alpha` decided `reject`.
    min_size : int, default 1
        Smallest group returned. 1 also returns each candidate that differs
        from both neighbors as a group of its own; 2 returns only the bars of a
        diagram.

    Returns
    -------
    tuple of tuple of str
        Groups in `order`, sorted by their first member's position.

    Raises
    ------
    ValueError
        For an all-versus-control result, whose untested pairs would join any
        candidates; for an asymmetric matrix; or for names in `order` that are
        missing from the result.
    """
    if isinstance(min_size, (bool, np.bool_)) or not isinstance(min_size, numbers.Integral) or min_size < 1:
        raise ValueError(f"min_size must be an integer >= 1; got {min_size!r}.")
    if isinstance(result, PosthocResult):
        names, significant = _from_result(result, order, alpha)
    elif isinstance(result, pd.DataFrame):
        names, significant = _from_matrix(result, order, 0.05 if alpha is None else alpha)
    else:
        raise TypeError(
            "result must be a PosthocResult or a p-value DataFrame such as "
            f"PosthocResult.p_matrix(); got {type(result).__name__}."
        )
    return tuple(
        tuple(names[start : end + 1])
        for start, end in _maximal_runs(significant)
        if end - start + 1 >= min_size
    )


def _maximal_runs(significant: np.ndarray) -> list[tuple[int, int]]:
    """Return (start, end) of each maximal run of positions with no significant pair.

    The longest qualifying run that starts at i ends at end[i], and end[i] never
    decreases with i (dropping the first member keeps a run qualifying). So the
    run from i is maximal exactly when end[i] exceeds end[i - 1].
    """
    size = significant.shape[0]
    runs = []
    previous_end = -1
    end = 0
    for start in range(size):
        end = max(end, start)
        while end + 1 < size and not np.any(significant[start : end + 1, end + 1]):
            end += 1
        if end > previous_end:
            runs.append((start, end))
        previous_end = end
    return runs


def _from_result(
    result: PosthocResult, order: Sequence[str] | None, alpha: float | None
) -> tuple[list[str], np.ndarray]:
    if alpha is not None:
        raise ValueError(
            f"alpha must be omitted for a PosthocResult, whose alpha {result.alpha} decided "
            "each pair's reject flag; rerun the post-hoc test with another alpha instead."
        )
    if result.control is not None:
        raise ValueError(
            f"cliques need every pair tested, but this {result.method!r} result only "
            f"compares candidates with the control {result.control!r}."
        )
    names = _check_order(order, result.candidates)
    position = {name: index for index, name in enumerate(names)}
    significant = np.zeros((len(names), len(names)), dtype=bool)
    for pair in result.pairs:
        if pair.reject and pair.model_a in position and pair.model_b in position:
            a, b = position[pair.model_a], position[pair.model_b]
            significant[a, b] = significant[b, a] = True
    return names, significant


def _from_matrix(
    matrix: pd.DataFrame, order: Sequence[str] | None, alpha: float
) -> tuple[list[str], np.ndarray]:
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number strictly between 0 and 1; got {alpha!r}.")
    index = [str(name) for name in matrix.index]
    columns = [str(name) for name in matrix.columns]
    if set(index) != set(columns) or len(index) != len(columns):
        raise ValueError(
            "the p-value matrix must have the same candidates as index and columns; "
            f"got index {index} and columns {columns}."
        )
    names = _check_order(order, tuple(index))
    frame = matrix.copy()
    frame.index, frame.columns = index, columns
    pvalues = frame.loc[names, names].to_numpy(dtype=float)
    both = ~np.isnan(pvalues) & ~np.isnan(pvalues.T)
    if not np.array_equal(pvalues[both], pvalues.T[both]):
        raise ValueError(
            "the p-value matrix is not symmetric; pass PosthocResult.p_matrix() or a "
            "matrix with p[a, b] == p[b, a]."
        )
    # NaN <= alpha is False, so untested or undefined pairs are not significant.
    significant = (pvalues <= alpha) | (pvalues.T <= alpha)
    np.fill_diagonal(significant, False)
    return names, significant


def _check_order(order: Sequence[str] | None, available: Sequence[str]) -> list[str]:
    if order is None:
        return list(available)
    if isinstance(order, str):
        raise TypeError(f"order must be a list of candidate names, not the string {order!r}.")
    names = [str(name) for name in order]
    unknown = [name for name in names if name not in set(available)]
    if unknown:
        raise ValueError(f"order contains {unknown}, which are not candidates of the result: {list(available)}.")
    if len(set(names)) != len(names):
        raise ValueError(f"order must not repeat candidates; got {names}.")
    if not names:
        raise ValueError("order must name at least one candidate.")
    return names
