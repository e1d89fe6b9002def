"""Bayesian correlated t test and Bayesian signed-rank test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats._bayes import bayesian_correlated_t_test, bayesian_signed_rank_test

# Accuracies of two classifiers on the 10 folds of one 10-fold cross-validation,
# made up for these tests.
FOLDS_A = np.array([0.81, 0.79, 0.84, 0.80, 0.83, 0.78, 0.82, 0.85, 0.80, 0.81])
FOLDS_B = np.array([0.80, 0.80, 0.81, 0.79, 0.82, 0.78, 0.80, 0.83, 0.81, 0.79])

# Mean accuracies of two classifiers on 12 tasks, made up for these tests.
TASKS_A = np.array([0.91, 0.75, 0.66, 0.88, 0.93, 0.71, 0.80, 0.62, 0.95, 0.84, 0.77, 0.69])
TASKS_B = np.array([0.89, 0.76, 0.61, 0.85, 0.93, 0.66, 0.79, 0.60, 0.94, 0.80, 0.78, 0.64])


def test_correlated_t_closed_form():
    # Corani & Benavoli (2015): posterior t with n - 1 df, location mean(d) and
    # scale sqrt((1/n + rho/(1 - rho)) var(d)); rho = 1/10 for 10-fold CV.
    d = FOLDS_A - FOLDS_B
    n = d.size
    scale = math.sqrt((1 / n + 0.1 / 0.9) * np.var(d, ddof=1))
    posterior = stats.t(df=n - 1, loc=d.mean(), scale=scale)
    result = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rope=0.01, rho=0.1)
    assert result.scale == pytest.approx(scale, rel=1e-14)
    assert result.df == n - 1
    assert result.p_a_better == pytest.approx(posterior.sf(0.01), abs=1e-14)
    assert result.p_b_better == pytest.approx(posterior.cdf(-0.01), abs=1e-14)
    assert result.p_equivalent == pytest.approx(
        posterior.cdf(0.01) - posterior.cdf(-0.01), abs=1e-14
    )


def test_correlated_t_matches_baycomp():
    # baycomp (optional, not a dependency) computes diff = y - x and applies
    # 1/n + 1/(folds - 1), which equals rho/(1 - rho) with rho = 1/folds.
    single = pytest.importorskip("baycomp.single")
    left, rope, right = single.CorrelatedTTest.probs(FOLDS_A, FOLDS_B, rope=0.01, runs=1)
    result = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rope=0.01, rho=1 / 10)
    assert result.p_a_better == pytest.approx(left, abs=1e-12)
    assert result.p_equivalent == pytest.approx(rope, abs=1e-12)
    assert result.p_b_better == pytest.approx(right, abs=1e-12)


def test_correlated_t_rho_widens_posterior():
    independent = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rho=0.0)
    correlated = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rho=0.1)
    assert correlated.scale > independent.scale
    # With rope 0 there is no equivalence region.
    assert independent.p_equivalent == 0.0


def test_correlated_t_direction_and_swap():
    higher = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rope=0.005)
    swapped = bayesian_correlated_t_test(FOLDS_B, FOLDS_A, rope=0.005)
    lower = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rope=0.005, higher_is_better=False)
    assert higher.p_a_better == pytest.approx(swapped.p_b_better, abs=1e-14)
    assert higher.p_equivalent == pytest.approx(swapped.p_equivalent, abs=1e-14)
    assert lower.p_a_better == higher.p_b_better
    assert lower.p_b_better == higher.p_a_better


def test_correlated_t_constant_difference_is_point_mass():
    with pytest.warns(DegenerateDataWarning, match="point mass"):
        result = bayesian_correlated_t_test([0.9, 0.8, 0.7], [0.8, 0.7, 0.6], rope=0.01)
    assert (result.p_a_better, result.p_equivalent, result.p_b_better) == (1.0, 0.0, 0.0)


def test_correlated_t_rejects_bad_arguments():
    with pytest.raises(ValueError, match="rho must be in"):
        bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rho=1.0)
    with pytest.raises(ValueError, match="rope"):
        bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rope=-0.1)
    with pytest.raises(ValueError, match="same length"):
        bayesian_correlated_t_test(FOLDS_A, FOLDS_B[:5])
    with pytest.raises(ValueError, match="at least 2"):
        bayesian_correlated_t_test([0.5], [0.4])


@pytest.mark.filterwarnings("ignore::nbcompare.exceptions.DegenerateDataWarning")
@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, 8, elements=st.floats(0, 1)),
    arrays(np.float64, 8, elements=st.floats(0, 1)),
    st.floats(0, 0.2),
    st.floats(0, 0.5),
)
def test_correlated_t_probabilities_sum_and_swap(a, b, rope, rho):
    result = bayesian_correlated_t_test(a, b, rope=rope, rho=rho)
    swapped = bayesian_correlated_t_test(b, a, rope=rope, rho=rho)
    total = result.p_a_better + result.p_equivalent + result.p_b_better
    assert total == pytest.approx(1.0, abs=1e-12)
    assert min(result.p_a_better, result.p_equivalent, result.p_b_better) >= 0.0
    assert result.p_a_better == pytest.approx(swapped.p_b_better, abs=1e-12)


def test_correlated_t_wide_rope_is_all_equivalent():
    previous = 0.0
    for rope in (0.001, 0.01, 0.05, 0.5):
        current = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, rope=rope).p_equivalent
        assert current >= previous
        previous = current
    assert previous == pytest.approx(1.0, abs=1e-9)


# Bayesian signed-rank test.


def brute_force_signed_rank(d, rope, weights):
    """Loop over posterior samples and pairs of points, as Benavoli et al. (2017) define it."""
    points = [0.0, *d]
    wins = [0.0, 0.0, 0.0]
    for sample in weights:
        left = right = 0.0
        for i, z_i in enumerate(points):
            for j, z_j in enumerate(points):
                total = z_i + z_j
                if total > 2 * rope or (rope == 0 and total == 0):
                    right += sample[i] * sample[j] * (0.5 if total == 0 and rope == 0 else 1.0)
                if total < -2 * rope or (rope == 0 and total == 0):
                    left += sample[i] * sample[j] * (0.5 if total == 0 and rope == 0 else 1.0)
        thetas = [left, 1.0 - left - right, right] if rope > 0 else [left, -1.0, right]
        largest = max(thetas)
        winners = [index for index, theta in enumerate(thetas) if theta >= largest - 1e-12]
        for index in winners:
            wins[index] += 1 / len(winners)
    return [count / len(weights) for count in wins]


@pytest.mark.parametrize("rope", [0.0, 0.01])
def test_signed_rank_matches_brute_force(rope):
    # The same Dirichlet(0.5, 1, ..., 1) draws: a Generator seeded with 3 gives
    # them to both implementations, so the shares agree exactly.
    d = TASKS_A - TASKS_B
    n_samples = 400
    concentration = np.r_[0.5, np.ones(d.size)]
    weights = np.random.default_rng(3).dirichlet(concentration, size=n_samples)
    left, middle, right = brute_force_signed_rank(d, rope, weights)
    result = bayesian_signed_rank_test(TASKS_A, TASKS_B, rope=rope, n_samples=n_samples, rng=3)
    assert result.p_a_better == pytest.approx(right, abs=1e-12)
    assert result.p_equivalent == pytest.approx(middle if rope > 0 else 0.0, abs=1e-12)
    assert result.p_b_better == pytest.approx(left, abs=1e-12)


def test_signed_rank_matches_baycomp():
    # baycomp (optional) draws its own Dirichlet samples, so the shares agree
    # within Monte Carlo error: 0.015 is over 4 standard errors of the difference
    # of two shares of 50,000 samples each.
    multiple = pytest.importorskip("baycomp.multiple")
    left, rope, right = multiple.SignedRankTest.probs(
        TASKS_A, TASKS_B, rope=0.01, nsamples=50_000, random_state=0
    )
    result = bayesian_signed_rank_test(TASKS_A, TASKS_B, rope=0.01, rng=0)
    assert result.p_a_better == pytest.approx(left, abs=0.015)
    assert result.p_equivalent == pytest.approx(rope, abs=0.015)
    assert result.p_b_better == pytest.approx(right, abs=0.015)


def test_signed_rank_same_seed_same_numbers_and_sum():
    first = bayesian_signed_rank_test(TASKS_A, TASKS_B, rope=0.01, n_samples=5000, rng=9)
    second = bayesian_signed_rank_test(TASKS_A, TASKS_B, rope=0.01, n_samples=5000, rng=9)
    assert first == second
    total = first.p_a_better + first.p_equivalent + first.p_b_better
    assert total == pytest.approx(1.0, abs=1e-12)
    assert first.n_samples == 5000


def test_signed_rank_swap_is_symmetric():
    # Swapping a and b negates every difference, which swaps the left and right
    # regions; with the same Dirichlet draws the shares swap exactly.
    forward = bayesian_signed_rank_test(TASKS_A, TASKS_B, rope=0.01, n_samples=5000, rng=4)
    backward = bayesian_signed_rank_test(TASKS_B, TASKS_A, rope=0.01, n_samples=5000, rng=4)
    assert forward.p_a_better == pytest.approx(backward.p_b_better, abs=1e-12)
    assert forward.p_equivalent == pytest.approx(backward.p_equivalent, abs=1e-12)


def test_signed_rank_wide_rope_is_all_equivalent():
    # Every Walsh average lies within ±0.05, so a rope of 0.05 contains all the mass.
    result = bayesian_signed_rank_test(TASKS_A, TASKS_B, rope=0.05, n_samples=2000, rng=0)
    assert result.p_equivalent == 1.0


def test_signed_rank_all_zero_differences_split_evenly():
    # No information and rope 0: left and right have weight 0.5 in every sample.
    result = bayesian_signed_rank_test([0.5] * 6, [0.5] * 6, n_samples=1000, rng=0)
    assert result.p_a_better == 0.5
    assert result.p_b_better == 0.5


def test_signed_rank_clear_winner_and_direction():
    a = TASKS_A + 0.05
    higher = bayesian_signed_rank_test(a, TASKS_B, n_samples=5000, rng=1)
    lower = bayesian_signed_rank_test(a, TASKS_B, n_samples=5000, rng=1, higher_is_better=False)
    assert higher.p_a_better > 0.99
    assert lower.p_b_better == higher.p_a_better


def test_bayesian_results_render():
    result = bayesian_signed_rank_test(TASKS_A, TASKS_B, rope=0.01, n_samples=500, rng=0)
    text = str(result)
    assert "Dirichlet process" in text
    assert "P(a better)" in text
    assert "<table" in result._repr_html_()
    frame = bayesian_correlated_t_test(FOLDS_A, FOLDS_B, names=("mlp", "cnn")).to_frame()
    assert frame.loc[0, "name_a"] == "mlp"
    assert frame.loc[0, "df"] == 9
