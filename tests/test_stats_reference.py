"""nbcompare.stats against published values; the source is named beside each value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nbcompare.stats import compare
from nbcompare.stats._correction import adjust_pvalues
from nbcompare.stats._friedman import friedman_test
from nbcompare.stats._intervals import t_interval
from nbcompare.stats._signed_rank import signed_rank_sums


def long_frame(columns: dict[str, list[float]], *, metric: str, by: str) -> pd.DataFrame:
    """Build the long format from candidate -> values, one value per seed or per task."""
    rows = []
    for candidate, values in columns.items():
        for index, value in enumerate(values):
            task = f"task{index}" if by == "task" else "only"
            seed = 0 if by == "task" else index
            rows.append(
                {"candidate": candidate, "task": task, "seed": seed, "metric": metric, "value": value}
            )
    return pd.DataFrame(rows)


# Demšar (2006), "Statistical Comparisons of Classifiers over Multiple Data Sets",
# JMLR 7, Table 2: AUC of C4.5 and of C4.5 with a tuned m parameter on 14 data sets,
# in the table's row order. The same numbers appear in scipy's friedmanchisquare tests.
C45 = [0.763, 0.599, 0.954, 0.628, 0.882, 0.936, 0.661, 0.583, 0.775, 1.000, 0.940, 0.619, 0.972, 0.957]
C45_M = [0.768, 0.591, 0.971, 0.661, 0.888, 0.931, 0.668, 0.583, 0.838, 1.000, 0.962, 0.666, 0.981, 0.978]
# Signed ranks of C4.5+m - C4.5, derived by hand from the table (row number: rank):
#   zeros 0.000 (rows 8, 10)                  -> 1.5 each, split half to R+ and R-
#   +0.005 (row 1), -0.005 (row 6)            -> 3.5 each
#   +0.006 row 5: 5, +0.007 row 7: 6, -0.008 row 2: 7, +0.009 row 13: 8,
#   +0.017 row 3: 9, +0.021 row 14: 10, +0.022 row 11: 11, +0.033 row 4: 12,
#   +0.047 row 12: 13, +0.063 row 9: 14
# R+ = 3.5+5+6+8+9+10+11+12+13+14 + (1.5+1.5)/2 = 93, R- = 7+3.5 + 1.5 = 12.
DEMSAR_R_PLUS = 93.0
DEMSAR_R_MINUS = 12.0

# R documentation of wilcox.test, paired example (Hollander & Wolfe): Hamilton
# depression scale factor IV before (x) and after (y) a tranquilizer.
DEPRESSION_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

# R documentation of friedman.test (Hollander & Wolfe): RoundingTimes, the times of
# 22 players rounding first base with three methods.
ROUNDING_TIMES = np.array([
    [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
    [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
    [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
    [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
    [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
    [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
])

# R's datasets::sleep: extra hours of sleep of the same 10 patients under two drugs.
SLEEP_GROUP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_GROUP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_demsar_rank_sums_with_zsplit():
    frame = long_frame({"C4.5": C45, "C4.5+m": C45_M}, metric="auc", by="task")

    result = compare(frame, "auc", higher_is_better=True, zero_method="zsplit")
    pair = result.pairwise[0]

    assert result.blocks == "task"
    assert result.n_blocks == 14
    assert (pair.model_a, pair.model_b) == ("C4.5+m", "C4.5")
    assert pair.r_plus == DEMSAR_R_PLUS
    assert pair.r_minus == DEMSAR_R_MINUS
    # Demšar's T = min(R+, R-) = 12.
    assert pair.statistic == 12.0
    assert pair.effect_size == pytest.approx((93 - 12) / 105)


def test_demsar_rank_sums_helper():
    differences = np.array(C45_M) - np.array(C45)

    assert signed_rank_sums(differences, "zsplit") == (DEMSAR_R_PLUS, DEMSAR_R_MINUS)


def test_r_wilcox_depression_example():
    frame = long_frame({"x": DEPRESSION_X, "y": DEPRESSION_Y}, metric="hamilton", by="seed")

    result = compare(frame, "hamilton", higher_is_better=True)
    pair = result.pairwise[0]

    assert (pair.model_a, pair.model_b) == ("x", "y")
    # R: V = 40, one-sided "greater" p-value = 0.01953, so two-sided 0.03906.
    assert pair.r_plus == 40.0
    assert pair.pvalue == pytest.approx(0.0390625, abs=5e-6)
    assert pair.method == "exact"
    assert result.omnibus.test == "wilcoxon"
    assert result.omnibus.pvalue == pair.pvalue


def test_r_friedman_rounding_times():
    methods = {"round out": 0, "narrow angle": 1, "wide angle": 2}
    frame = long_frame(
        {name: list(ROUNDING_TIMES[:, column]) for name, column in methods.items()},
        metric="seconds",
        by="seed",
    )

    result = compare(frame, "seconds", higher_is_better=False)

    # R: Friedman chi-squared = 11.143, df = 2, p-value = 0.003805.
    assert result.omnibus.test == "friedman"
    assert result.omnibus.statistic == pytest.approx(11.143, abs=5e-4)
    assert result.omnibus.df == 2
    assert result.omnibus.pvalue == pytest.approx(0.003805, abs=5e-7)
    assert result.omnibus.n_blocks == 22


def test_friedman_helper_rounding_times():
    result = friedman_test(ROUNDING_TIMES)

    assert result.statistic == pytest.approx(11.143, abs=5e-4)
    assert result.pvalue == pytest.approx(0.003805, abs=5e-7)


def test_r_t_interval_sleep_group_1():
    # R: t.test(sleep$extra[1:10]) -> mean 0.75, 95 % CI (-0.5297804, 2.0297804).
    mean, low, high = t_interval(np.array(SLEEP_GROUP_1), 0.95)

    assert mean == pytest.approx(0.75)
    assert low == pytest.approx(-0.5297804, abs=5e-8)
    assert high == pytest.approx(2.0297804, abs=5e-8)


def test_r_paired_t_interval_sleep():
    frame = long_frame({"drug 1": SLEEP_GROUP_1, "drug 2": SLEEP_GROUP_2}, metric="extra", by="seed")

    result = compare(frame, "extra", higher_is_better=False)
    pair = result.pairwise[0]
    summary = {row.candidate: row for row in result.summary}

    # R: t.test(extra ~ group, data = sleep, paired = TRUE): mean difference -1.58,
    # 95 % CI (-2.4598858, -0.7001142). Lower is better here, so drug 1 is model_a.
    assert (pair.model_a, pair.model_b) == ("drug 1", "drug 2")
    assert pair.mean_difference == pytest.approx(-1.58)
    assert pair.ci_low == pytest.approx(-2.4598858, abs=5e-8)
    assert pair.ci_high == pytest.approx(-0.7001142, abs=5e-8)
    # R: t.test(sleep$extra[1:10]) as above.
    assert summary["drug 1"].mean == pytest.approx(0.75)
    assert summary["drug 1"].ci_low == pytest.approx(-0.5297804, abs=5e-8)
    assert summary["drug 1"].ci_high == pytest.approx(2.0297804, abs=5e-8)


def test_holm_by_hand():
    # Holm: sorted p times (3, 2, 1), then running maximum:
    # 0.01*3 = 0.03, max(0.03, 0.02*2) = 0.04, max(0.04, 0.03*1) = 0.04.
    family = adjust_pvalues(np.array([0.01, 0.02, 0.03]), "holm", 0.05)

    np.testing.assert_allclose(family.adjusted, [0.03, 0.04, 0.04])
    assert family.reject.tolist() == [True, True, True]
    assert family.family_size == 3


def test_statistic_matches_scipy_two_sided():
    differences = np.array(C45_M) - np.array(C45)
    for zero_method in ("wilcox", "pratt", "zsplit"):
        r_plus, r_minus = signed_rank_sums(differences, zero_method)
        expected = stats.wilcoxon(differences, zero_method=zero_method).statistic

        assert min(r_plus, r_minus) == expected, zero_method
