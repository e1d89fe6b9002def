"""Automatic and forced test selection, assumption checks, traps and properties of the planned path."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nbcompare.stats import MethodSwitchWarning, compare
from nbcompare.stats._assumptions import mauchly_statistics, orthonormal_contrasts
from nbcompare.stats._correction import adjust_pvalues, correction_names, normalize_correction
from nbcompare.stats._procedures import Options, _effect_size


def tidy(matrix: np.ndarray, names: list[str] | None = None, metric: str = "m") -> pd.DataFrame:
    """Blocks x candidates matrix to the long format, one task, seed = row."""
    matrix = np.asarray(matrix, dtype=float)
    names = names or [f"c{index}" for index in range(matrix.shape[1])]
    rows = [
        {"candidate": name, "task": "t", "seed": seed, "metric": metric, "value": matrix[seed, column]}
        for column, name in enumerate(names)
        for seed in range(matrix.shape[0])
    ]
    return pd.DataFrame(rows)


def quiet_compare(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare(*args, **kwargs)


RNG = np.random.default_rng(2024)
NORMAL_PAIR = np.column_stack([RNG.normal(0.5, 1, 12), RNG.normal(0, 1, 12)])
# Differences with one huge outlier: Shapiro–Wilk rejects normality.
SKEWED_PAIR = np.column_stack([np.r_[np.arange(11) * 0.01 + 0.1, 5.0], np.zeros(12)])


# ---------------------------------------------------------------- automatic choice


def test_auto_two_normal_uses_paired_t():
    result = quiet_compare(tidy(NORMAL_PAIR), "m", higher_is_better=True, test="auto")

    assert result.omnibus.test == "paired-t"
    assert result.pairwise[0].test == "paired-t"
    assert result.requested_test == "auto"
    assert "did not reject normality" in result.reasons[-1]
    assert result.reasons[-1].endswith("So the paired t test was used.")


def test_auto_two_skewed_uses_wilcoxon():
    result = quiet_compare(tidy(SKEWED_PAIR), "m", higher_is_better=True, test="auto")
    check = result.assumptions[0]

    assert result.omnibus.test == "wilcoxon"
    assert check.test == "shapiro-wilk"
    assert check.passed is False
    assert result.reasons[-1].startswith("Shapiro–Wilk on the paired differences rejected normality (W = ")
    assert result.reasons[-1].endswith("So the Wilcoxon signed-rank test was used.")


def test_auto_k_normal_spherical_uses_rm_anova():
    matrix = RNG.normal(size=(20, 3)) + np.array([0.0, 0.4, 0.8]) + RNG.normal(size=(20, 1)) * 2
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test="auto")

    assert result.omnibus.test == "rm-anova"
    assert result.posthoc.method == "paired-t"
    assert [check.test for check in result.assumptions].count("mauchly") == 1


def test_auto_k_skewed_uses_friedman_nemenyi():
    matrix = RNG.exponential(size=(20, 4)) ** 3
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test="auto")

    assert result.omnibus.test == "friedman"
    assert result.posthoc.method == "nemenyi"
    assert result.posthoc.critical_difference > 0


def test_auto_rank_posthoc_configurable():
    matrix = RNG.exponential(size=(20, 4)) ** 3
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test="auto", rank_posthoc="wilcoxon")

    assert result.posthoc.method == "wilcoxon"
    assert result.correction == "holm"


def test_auto_independent_skewed_uses_kruskal_dunn():
    frame = tidy(RNG.exponential(size=(15, 3)) ** 3)
    result = quiet_compare(frame, "m", higher_is_better=True, test="auto", paired=False)

    assert result.omnibus.test == "kruskal-wallis"
    assert result.posthoc.method == "dunn"


def test_forced_test_records_checks():
    result = quiet_compare(tidy(SKEWED_PAIR), "m", higher_is_better=True, test="paired-t")

    assert result.omnibus.test == "paired-t"
    assert result.assumptions[0].passed is False
    assert any("may be inaccurate" in note for note in result.notes)


def test_k_test_on_two_candidates_warns_switch():
    with pytest.warns(MethodSwitchWarning, match="'rm-anova'.*'paired-t'"):
        result = compare(tidy(NORMAL_PAIR), "m", higher_is_better=True, test="rm-anova")

    assert result.omnibus.test == "paired-t"
    assert result.requested_test == "rm-anova"


def test_unpaired_test_on_paired_data_raises():
    with pytest.raises(ValueError, match="pass paired=False"):
        compare(tidy(NORMAL_PAIR), "m", higher_is_better=True, test="mann-whitney")


def test_two_sample_test_with_k_candidates_raises():
    with pytest.raises(ValueError, match="compares 2 candidates"):
        compare(tidy(RNG.normal(size=(8, 3))), "m", higher_is_better=True, test="paired-t")


def test_independent_posthoc_on_paired_raises():
    matrix = RNG.exponential(size=(20, 4)) ** 3

    with pytest.raises(ValueError, match="does not fit a paired design"):
        compare(tidy(matrix), "m", higher_is_better=True, test="auto", posthoc="tukey-hsd")


def test_unknown_test_named():
    with pytest.raises(ValueError, match="test must be one of"):
        compare(tidy(NORMAL_PAIR), "m", higher_is_better=True, test="ttest")


def test_text_names_chosen_tests():
    matrix = RNG.exponential(size=(20, 4)) ** 3
    text = str(quiet_compare(tidy(matrix), "m", higher_is_better=True, test="auto"))

    assert "p (Nemenyi, single-step studentized range)" in text
    assert "Critical difference of mean ranks" in text
    assert "Assumption checks:" in text


# ---------------------------------------------------------------- Mauchly


def test_mauchly_independent_of_contrasts():
    matrix = RNG.normal(size=(15, 4)) * np.array([1.0, 2.0, 0.5, 3.0])
    result = mauchly_statistics(matrix)
    # Another orthonormal basis of the same subspace: rotate the contrasts.
    contrasts = orthonormal_contrasts(4)
    rotation, _ = np.linalg.qr(RNG.normal(size=(3, 3)))
    m = (contrasts @ rotation).T @ np.cov(matrix, rowvar=False) @ (contrasts @ rotation)
    w = np.linalg.det(m) / (np.trace(m) / 3) ** 3

    assert result.w == pytest.approx(w)
    assert 0 < result.w <= 1
    assert result.df == 5


def test_mauchly_level_under_sphericity():
    # Independent equal-variance columns are spherical; the test should reject
    # about 5% of the time (Monte Carlo SE about 1.4% at 250 draws).
    rng = np.random.default_rng(5)
    pvalues = [mauchly_statistics(rng.normal(size=(30, 4))).pvalue for _ in range(250)]

    assert np.mean(np.array(pvalues) <= 0.05) < 0.05 + 3 * math.sqrt(0.05 * 0.95 / 250)


def test_mauchly_detects_unequal_variances():
    rng = np.random.default_rng(6)
    matrix = rng.normal(size=(40, 4)) * np.array([1.0, 1.0, 1.0, 6.0])

    assert mauchly_statistics(matrix).pvalue < 0.01


# ---------------------------------------------------------------- traps


def identical_rankings(n_blocks: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(n_blocks)
    # Every block ranks c0 > c1 > ... with distinct gaps, so no ties.
    return rng.normal(size=(n_blocks, 1)) - np.arange(k) - rng.uniform(0, 0.1, (n_blocks, k)) * np.arange(k)


@pytest.mark.parametrize("posthoc, n_blocks", [("nemenyi", 30), ("wilcoxon", 10), ("paired-t", 10)])
def test_identical_rankings_separate_every_pair(posthoc, n_blocks):
    test = "rm-anova" if posthoc == "paired-t" else "friedman"
    result = quiet_compare(tidy(identical_rankings(n_blocks, 4)), "m", higher_is_better=True,
                           test=test, posthoc=posthoc)

    assert all(pair.reject for pair in result.pairwise)
    assert result.cliques == (("c0",), ("c1",), ("c2",), ("c3",))
    assert result.best == "c0"
    assert result.significant_lead


def test_underflowed_pvalue_counts_as_significant():
    rng = np.random.default_rng(1)
    base = np.arange(200.0)
    matrix = np.column_stack([base + 1 + 1e-6 * rng.normal(size=200), base])
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test="paired-t")
    pair = result.pairwise[0]

    assert pair.pvalue == 0.0
    assert pair.reject
    assert result.p_matrix().loc["c0", "c1"] == 0.0
    assert result.cliques == (("c0",), ("c1",))
    assert result.significant_lead


def test_holm_adjusted_monotone_in_raw_order():
    matrix = RNG.normal(size=(15, 5)) + np.linspace(0, 1.5, 5)
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test="friedman", posthoc="wilcoxon")
    pairs = sorted(result.pairwise, key=lambda pair: pair.pvalue)
    adjusted = [pair.pvalue_adjusted for pair in pairs]

    assert all(later >= earlier for earlier, later in zip(adjusted, adjusted[1:]))


@pytest.mark.parametrize("correction", correction_names())
def test_tiny_raw_pvalue_survives_correction(correction):
    name = normalize_correction(correction)
    if name == "lfdr":
        pytest.skip("lfdr returns local false discovery rates, not adjusted p-values")
    family = adjust_pvalues(np.array([1e-40, 0.3, 0.6, 0.9]), name, 0.05)

    assert family.adjusted[0] > 0
    assert family.reject[0]


def test_lower_is_better_orients_everything():
    matrix = identical_rankings(12, 3)
    # Values fall from c0 to c2; with lower-is-better c2 is best.
    frame = tidy(matrix, metric="loss")
    result = quiet_compare(frame, "loss", higher_is_better=False, test="auto")

    assert result.best == "c2"
    assert result.candidates == ("c2", "c1", "c0")
    assert result.summary[0].mean_rank == 1.0
    assert all(pair.effect_size > 0 for pair in result.pairwise)
    assert all(pair.effect_size.estimate > 0 for pair in result.effect_sizes)
    assert all(pair.mean_difference < 0 for pair in result.pairwise)


def test_critical_difference_demsar_k4_n14():
    matrix = np.random.default_rng(3).normal(size=(14, 4))
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test="friedman", posthoc="nemenyi")

    # Demšar (2006): q_0.05 = 2.569 for k = 4, CD = 2.569 * sqrt(4 * 5 / (6 * 14)).
    assert result.posthoc.critical_difference == pytest.approx(1.2536, abs=5e-4)


def test_thirty_candidates_work():
    matrix = np.random.default_rng(4).normal(size=(12, 30)) + np.linspace(0, 3, 30)
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test="auto")

    assert len(result.candidates) == 30
    assert len(result.pairwise) == 435
    assert len(result.effect_sizes) == 435
    assert result.p_matrix().shape == (30, 30)


# ---------------------------------------------------------------- properties

BLOCKS = arrays(
    np.float64, st.tuples(st.integers(6, 10), st.integers(2, 4)),
    elements=st.floats(-5, 5, allow_nan=False, width=32),
)
PROPERTY_SETTINGS = settings(max_examples=20, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])
TESTS = st.sampled_from(["auto", "friedman", "rm-anova"])


def _comparable(result):
    return {
        (pair.model_a, pair.model_b): (pair.pvalue, pair.pvalue_adjusted, pair.effect_size)
        for pair in result.pairwise
    }


@PROPERTY_SETTINGS
@given(matrix=BLOCKS, test=TESTS, data=st.data())
def test_candidate_order_does_not_matter(matrix, test, data):
    names = [f"c{index}" for index in range(matrix.shape[1])]
    permutation = data.draw(st.permutations(range(matrix.shape[1])))
    first = quiet_compare(tidy(matrix, names), "m", higher_is_better=True, test=test)
    second = quiet_compare(
        tidy(matrix[:, permutation], [names[i] for i in permutation]), "m", higher_is_better=True, test=test
    )

    assert first.candidates == second.candidates
    assert first.omnibus.test == second.omnibus.test
    np.testing.assert_equal(_comparable(first), _comparable(second))


@PROPERTY_SETTINGS
@given(matrix=BLOCKS, test=TESTS)
def test_results_are_valid(matrix, test):
    result = quiet_compare(tidy(matrix), "m", higher_is_better=True, test=test)

    for pair in result.pairwise:
        if not math.isnan(pair.pvalue):
            assert 0 <= pair.pvalue <= 1
            assert 0 <= pair.pvalue_adjusted <= 1
        assert pair.reject == (pair.pvalue_adjusted <= result.alpha)
        if not math.isnan(pair.ci_low):
            assert pair.ci_low <= pair.mean_difference <= pair.ci_high
    for pair in result.effect_sizes:
        effect = pair.effect_size
        if effect.ci_method.startswith("noncentral") and not math.isnan(effect.ci_low):
            assert effect.ci_low <= effect.estimate <= effect.ci_high
    p = result.p_matrix()
    assert p.equals(p.T)
    effects = result.effect_matrix()
    assert np.allclose(effects.to_numpy(), -effects.T.to_numpy(), equal_nan=True)


@PROPERTY_SETTINGS
@given(
    a=arrays(np.float64, 8, elements=st.floats(-5, 5, width=32)),
    b=arrays(np.float64, 8, elements=st.floats(-5, 5, width=32)),
    paired=st.booleans(),
    parametric=st.booleans(),
)
def test_swapping_pair_flips_effect(a, b, paired, parametric):
    options = Options(0.05, 0.95, "holm", "wilcox", True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forward = _effect_size(a, b, options, paired, parametric)
        backward = _effect_size(b, a, options, paired, parametric)

    if math.isnan(forward.estimate):
        assert math.isnan(backward.estimate)
    else:
        assert backward.estimate == pytest.approx(-forward.estimate, abs=1e-12)


def test_forced_wilcoxon_warns_unreachable_alpha():
    """A forced rank test warns, as the default procedure does, when 3 seeds cannot reach alpha."""
    import warnings

    import numpy as np
    import pandas as pd

    import nbcompare as nbc
    from nbcompare.exceptions import SmallSampleWarning

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"candidate": np.repeat(["a", "b"], 3), "task": "t", "seed": np.tile(range(3), 2),
                          "metric": "acc", "value": rng.normal(0.8, 0.05, 6)})
    for test in ("wilcoxon", "paired-t"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            nbc.compare(frame, "acc", higher_is_better=True, test=test)
        small = [str(w.message) for w in caught if issubclass(w.category, SmallSampleWarning)]
        if test == "wilcoxon":
            assert len(small) == 1
            assert "2/2**3 = 0.25" in small[0]
            assert "At least 6 seeds are needed" in small[0]
        else:
            assert small == []
