"""Monte Carlo checks of error rates: family-wise error with Holm, false discovery rate with BH.

Each check runs the pairwise procedure that ``compare`` calls on seeded
simulated blocks and allows 3 Monte Carlo standard errors above the nominal
rate.

Under the global null the family-wise error is the chance of at least one
rejection. Holm's step-down procedure rejects something exactly when the
smallest p-value is at most alpha / m, which is when Bonferroni rejects
something, so the checks run the Bonferroni correction: statsmodels 0.15
calls gc.collect() on every Holm adjustment, which made 400 replications
take about 40 s in a pytest run.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from nbcompare.stats import compare
from nbcompare.stats._posthoc import pairwise_ttest, pairwise_wilcoxon

ALPHA = 0.05


def tidy(matrix: np.ndarray) -> pd.DataFrame:
    rows = [
        {"candidate": f"c{column}", "task": "t", "seed": seed, "metric": "m", "value": value}
        for (seed, column), value in np.ndenumerate(matrix)
    ]
    return pd.DataFrame(rows)
REPLICATIONS = 400


def monte_carlo_limit(rate: float, replications: int) -> float:
    return rate + 3 * math.sqrt(rate * (1 - rate) / replications)


@pytest.mark.parametrize("procedure", [pairwise_ttest, pairwise_wilcoxon])
def test_holm_family_wise_error_under_global_null(procedure):
    rng = np.random.default_rng(20240601)
    names = ["a", "b", "c", "d"]
    any_rejection = 0
    for _ in range(REPLICATIONS):
        # Block effects shared by all candidates, no candidate effect.
        matrix = rng.normal(size=(10, 1)) + rng.normal(size=(10, 4))
        result = procedure(
            matrix, higher_is_better=True, candidates=names, alpha=ALPHA, correction="bonferroni"
        )
        any_rejection += any(pair.reject for pair in result.pairs)

    assert any_rejection / REPLICATIONS <= monte_carlo_limit(ALPHA, REPLICATIONS)


def test_benjamini_hochberg_false_discovery_rate():
    rng = np.random.default_rng(7)
    q = 0.1
    # c0 and c1 are equal, as are c2 and c3, and c4 is better than both
    # groups: 2 of the 10 pairs are true nulls.
    shifts = np.array([0.0, 0.0, 1.0, 1.0, 2.0])
    names = [f"c{index}" for index in range(5)]
    true_null = {("c0", "c1"), ("c2", "c3")}
    proportions = []
    for _ in range(REPLICATIONS):
        matrix = rng.normal(size=(12, 1)) + rng.normal(size=(12, 5)) + shifts
        result = pairwise_ttest(matrix, higher_is_better=True, candidates=names, alpha=q, correction="fdr_bh")
        rejected = [tuple(sorted((pair.model_a, pair.model_b))) for pair in result.pairs if pair.reject]
        false = sum(pair in true_null for pair in rejected)
        proportions.append(false / max(len(rejected), 1))
    proportions = np.array(proportions)
    standard_error = proportions.std(ddof=1) / math.sqrt(REPLICATIONS)

    assert proportions.mean() <= q + 3 * standard_error


def test_compare_auto_family_wise_error_under_global_null():
    # The whole automatic path, fewer replications because each runs the
    # assumption checks and effect sizes.
    rng = np.random.default_rng(99)
    replications = 50
    any_rejection = 0
    for _ in range(replications):
        matrix = rng.normal(size=(10, 1)) + rng.normal(size=(10, 4))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = compare(
                tidy(matrix), "m", higher_is_better=True, test="auto", rank_posthoc="wilcoxon",
                correction="bonferroni",
            )
        any_rejection += any(pair.reject for pair in result.pairwise)

    assert any_rejection / replications <= monte_carlo_limit(ALPHA, replications)
