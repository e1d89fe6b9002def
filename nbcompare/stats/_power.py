"""Power, sample size and the smallest attainable p-value of nbcompare's tests.

The paired t test has closed-form power (noncentral t, computed by statsmodels'
TTestPower). The rank tests that ``compare`` runs (Wilcoxon signed-rank and
Friedman) get their power by simulation. With the few seeds usual in ML, a rank
test may be unable to reach the significance level at all, whatever the data:
`min_attainable_pvalue` and `seeds_needed_to_reach_alpha` state that bound.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import TTestPower

from nbcompare.exceptions import SmallSampleWarning
from nbcompare.stats._bootstrap import (
    RandomSource,
    as_generator,
    render_html,
    render_text,
    validate_choice,
    validate_count,
    validate_probability,
)
from nbcompare.stats._correction import correction_label, normalize_correction, smallest_adjusted_pvalue
from nbcompare.stats._friedman import friedman_min_pvalue
from nbcompare.stats._render import format_pvalue
from nbcompare.stats._signed_rank import (
    METHOD_ASYMPTOTIC,
    METHOD_EXACT,
    METHOD_PERMUTATION,
    choose_method,
    signed_rank_sums,
    validate_zero_method,
)

ALTERNATIVES = ("two-sided", "greater", "less")
BOUND_TESTS = ("wilcoxon", "sign", "friedman")
SIMULATED_TESTS = ("wilcoxon", "friedman")

# statsmodels' names of the alternatives, keyed by scipy's.
_STATSMODELS_ALTERNATIVES = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}

# Upper end of every search over the number of seeds.
MAX_SEEDS_SEARCHED = 10_000

# Relative tolerance when comparing a permuted statistic with the observed one,
# so that rank sums equal in exact arithmetic count as equal (as in
# scipy.stats.permutation_test).
_STATISTIC_RTOL = 1e-14

# A generator of simulated data: called as generator(rng, shape), it returns an
# array of that shape.
DataGenerator = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


@dataclass(frozen=True)
class PowerResult:
    """Power of a test at a given number of seeds.

    Attributes
    ----------
    test : str
        ``"paired t"``, ``"wilcoxon"`` or ``"friedman"``.
    power : float
        Probability of rejecting H0 at `alpha`, exact (paired t) or estimated
        by simulation.
    n : int
        Number of seeds (pairs or blocks).
    alpha : float
        Significance level.
    alternative : str
        ``"two-sided"``, ``"greater"`` or ``"less"``.
    effect : str
        Description of the effect: the standardized effect size d_z, the shift,
        or the name of the data generator.
    method : str
        ``"noncentral t (statsmodels TTestPower)"`` or ``"simulation"``.
    mc_standard_error : float or None
        Monte Carlo standard error ``sqrt(p (1 - p) / n_simulations)`` of a
        simulated power, None for the closed form.
    n_simulations : int or None
        Number of simulated data sets, None for the closed form.
    k : int or None
        Number of candidates of a Friedman test.
    """

    test: str
    power: float
    n: int
    alpha: float
    alternative: str
    effect: str
    method: str
    mc_standard_error: float | None = None
    n_simulations: int | None = None
    k: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def _headline(self) -> str:
        return f"Power of the {self.alternative} {self.test} test ({self.method})"

    def _display_frame(self) -> pd.DataFrame:
        row = {"n": self.n, "effect": self.effect, "alpha": f"{self.alpha:g}", "power": f"{self.power:.4f}"}
        if self.mc_standard_error is not None:
            row["MC s.e."] = f"{self.mc_standard_error:.4f}"
            row["simulations"] = self.n_simulations
        return pd.DataFrame([row])

    def __str__(self) -> str:
        return render_text(self._headline(), self._display_frame())

    def _repr_html_(self) -> str:
        return render_html(self._headline(), self._display_frame())


@dataclass(frozen=True)
class SampleSizeResult:
    """Smallest number of seeds that reaches a target power.

    Attributes
    ----------
    test : str
        ``"paired t"``, ``"wilcoxon"`` or ``"friedman"``.
    n : int
        Smallest number of seeds whose power is at least `target_power`.
    power : float
        Power at `n`, exact or simulated.
    target_power : float
        Requested power.
    alpha : float
        Significance level.
    alternative : str
        ``"two-sided"``, ``"greater"`` or ``"less"``.
    effect : str
        Description of the effect.
    method : str
        How power was computed.
    n_fractional : float or None
        statsmodels' real-valued solution of the power equation (paired t only).
    mc_standard_error : float or None
        Monte Carlo standard error of `power` (simulation only).
    n_simulations : int or None
        Simulated data sets per evaluated n (simulation only).
    k : int or None
        Number of candidates of a Friedman test.
    """

    test: str
    n: int
    power: float
    target_power: float
    alpha: float
    alternative: str
    effect: str
    method: str
    n_fractional: float | None = None
    mc_standard_error: float | None = None
    n_simulations: int | None = None
    k: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def _headline(self) -> str:
        return (
            f"Seeds needed for power {self.target_power:g} with the {self.alternative} "
            f"{self.test} test ({self.method})"
        )

    def _display_frame(self) -> pd.DataFrame:
        row = {"n": self.n, "effect": self.effect, "alpha": f"{self.alpha:g}", "power at n": f"{self.power:.4f}"}
        if self.mc_standard_error is not None:
            row["MC s.e."] = f"{self.mc_standard_error:.4f}"
        return pd.DataFrame([row])

    def __str__(self) -> str:
        return render_text(self._headline(), self._display_frame())

    def _repr_html_(self) -> str:
        return render_html(self._headline(), self._display_frame())


@dataclass(frozen=True)
class AttainablePvalue:
    """Smallest p-value a test can return with `n` seeds, whatever the data.

    Attributes
    ----------
    test : str
        ``"wilcoxon"``, ``"sign"`` or ``"friedman"``.
    n : int
        Number of pairs or blocks.
    pvalue : float
        The smallest attainable p-value.
    alternative : str
        ``"two-sided"`` or one-sided.
    method : str
        How the bound is computed.
    k : int or None
        Number of candidates of a Friedman test.
    """

    test: str
    n: int
    pvalue: float
    alternative: str
    method: str
    k: int | None = None

    def __float__(self) -> float:
        return self.pvalue

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def __str__(self) -> str:
        candidates = "" if self.k is None else f", k = {self.k}"
        return (
            f"Smallest attainable {self.alternative} p-value of the {self.test} test with "
            f"n = {self.n}{candidates}: {format_pvalue(self.pvalue)} ({self.method})"
        )

    def _repr_html_(self) -> str:
        return render_html(str(self), self.to_frame())


@dataclass(frozen=True)
class SeedsNeeded:
    """Smallest number of seeds with which a family of tests can reject at `alpha`.

    Attributes
    ----------
    test : str
        ``"wilcoxon"``, ``"sign"`` or ``"friedman"``.
    n : int
        Smallest number of pairs or blocks at which the smallest attainable
        p-value, adjusted over the family, is at most `alpha`.
    alpha : float
        Significance level.
    family_size : int
        Number of tests adjusted together.
    correction : str
        statsmodels multipletests method of the adjustment.
    min_pvalue : float
        Smallest attainable raw p-value at `n`.
    min_adjusted_pvalue : float
        Smallest attainable adjusted p-value at `n`.
    alternative : str
        ``"two-sided"`` or one-sided.
    k : int or None
        Number of candidates of a Friedman test.
    """

    test: str
    n: int
    alpha: float
    family_size: int
    correction: str
    min_pvalue: float
    min_adjusted_pvalue: float
    alternative: str
    k: int | None = None

    def __int__(self) -> int:
        return self.n

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row frame with one column per field."""
        return pd.DataFrame([vars(self)])

    def __str__(self) -> str:
        return (
            f"The {self.alternative} {self.test} test needs at least {self.n} seeds to reach "
            f"alpha = {self.alpha:g} with {correction_label(self.correction)} adjustment over "
            f"{self.family_size} test(s): the smallest adjusted p-value is then "
            f"{format_pvalue(self.min_adjusted_pvalue)}."
        )

    def _repr_html_(self) -> str:
        return render_html(str(self), self.to_frame())


def paired_t_power(
    effect_size: float, n: int, alpha: float = 0.05, alternative: str = "two-sided"
) -> PowerResult:
    """Compute the power of the paired t test with `n` pairs.

    Parameters
    ----------
    effect_size : float
        Cohen's d_z: the mean of the paired differences divided by their
        standard deviation.
    n : int
        Number of pairs, at least 2.
    alpha : float
        Significance level.
    alternative : {"two-sided", "greater", "less"}
        Alternative hypothesis about the mean difference.

    Returns
    -------
    PowerResult

    Notes
    -----
    statsmodels' TTestPower evaluates the noncentral t distribution with
    ``n - 1`` degrees of freedom and noncentrality ``d_z sqrt(n)`` (Cohen 1988,
    "Statistical Power Analysis for the Behavioral Sciences", chapter 2). The
    two-sided power includes rejections in the wrong direction.
    """
    effect_size = _validate_effect_size(effect_size)
    n = validate_count(n, "n", minimum=2)
    alpha = validate_probability(alpha, "alpha")
    alternative = validate_choice(alternative, "alternative", ALTERNATIVES)
    power = TTestPower().power(
        effect_size=effect_size,
        nobs=n,
        alpha=alpha,
        alternative=_STATSMODELS_ALTERNATIVES[alternative],
    )
    return PowerResult(
        test="paired t",
        power=float(power),
        n=n,
        alpha=alpha,
        alternative=alternative,
        effect=f"d_z = {effect_size:g}",
        method="noncentral t (statsmodels TTestPower)",
    )


def paired_t_sample_size(
    effect_size: float, power: float = 0.8, alpha: float = 0.05, alternative: str = "two-sided"
) -> SampleSizeResult:
    """Find the smallest number of pairs at which the paired t test reaches `power`.

    statsmodels' TTestPower.solve_power gives the real-valued solution. The result
    is the smallest integer ``n >= 2`` whose exact power is at least `power`,
    found by checking the integers around that solution.

    Parameters
    ----------
    effect_size : float
        Cohen's d_z, nonzero. For a one-sided alternative it must point in the
        direction of the alternative.
    power : float
        Target power, above `alpha`.
    alpha : float
        Significance level.
    alternative : {"two-sided", "greater", "less"}
        Alternative hypothesis about the mean difference.

    Returns
    -------
    SampleSizeResult
    """
    effect_size = _validate_effect_size(effect_size)
    power = validate_probability(power, "power")
    alpha = validate_probability(alpha, "alpha")
    alternative = validate_choice(alternative, "alternative", ALTERNATIVES)
    if effect_size == 0 or power <= alpha:
        raise ValueError(
            f"no sample size reaches power={power:g} with effect_size={effect_size:g} at "
            f"alpha={alpha:g}: the effect size must be nonzero and power must exceed alpha."
        )
    wrong_direction = (alternative == "greater" and effect_size < 0) or (
        alternative == "less" and effect_size > 0
    )
    if wrong_direction:
        raise ValueError(
            f"effect_size={effect_size:g} points away from alternative={alternative!r}, so "
            "power stays below alpha at every n; flip the sign or the alternative."
        )

    def power_at(n: int) -> float:
        return paired_t_power(effect_size, n, alpha, alternative).power

    fractional = _solve_paired_t(effect_size, power, alpha, alternative)
    start = 2 if not math.isfinite(fractional) else max(2, math.ceil(fractional) - 1)
    n = _smallest_n_reaching(power_at, power, start)
    return SampleSizeResult(
        test="paired t",
        n=n,
        power=power_at(n),
        target_power=power,
        alpha=alpha,
        alternative=alternative,
        effect=f"d_z = {effect_size:g}",
        method="noncentral t (statsmodels TTestPower)",
        n_fractional=fractional if math.isfinite(fractional) else None,
    )


def _solve_paired_t(effect_size: float, power: float, alpha: float, alternative: str) -> float:
    with warnings.catch_warnings():
        # statsmodels warns when its root finder struggles (tiny effect sizes);
        # the integer search below does not rely on this value being accurate.
        warnings.simplefilter("ignore")
        try:
            value = TTestPower().solve_power(
                effect_size=effect_size,
                nobs=None,
                alpha=alpha,
                power=power,
                alternative=_STATSMODELS_ALTERNATIVES[alternative],
            )
        except (ValueError, RuntimeError, ZeroDivisionError):
            return math.nan
    value = float(np.squeeze(value))
    return value if math.isfinite(value) and value > 0 else math.nan


def _smallest_n_reaching(power_at: Callable[[int], float], target: float, start: int) -> int:
    """Return the smallest n >= 2 with ``power_at(n) >= target``, searching from `start`.

    Power of the t test increases with n, so the search steps down while the
    previous n still reaches the target, and otherwise doubles and bisects upward.
    """
    n = start
    while n > 2 and power_at(n - 1) >= target:
        n -= 1
    if power_at(n) >= target:
        return n
    low, high = n, n
    while power_at(high) < target:
        low, high = high, high * 2
        if high > 10 * MAX_SEEDS_SEARCHED:
            raise ValueError(
                f"power {target:g} needs more than {10 * MAX_SEEDS_SEARCHED} pairs at this "
                "effect size; use a larger effect size."
            )
    while high - low > 1:
        middle = (low + high) // 2
        if power_at(middle) >= target:
            high = middle
        else:
            low = middle
    return high


def min_attainable_pvalue(
    test: str, n: int, k: int | None = None, alternative: str = "two-sided"
) -> AttainablePvalue:
    """Return the smallest p-value that `test` can return with `n` pairs or blocks.

    Parameters
    ----------
    test : {"wilcoxon", "sign", "friedman"}
        ``"wilcoxon"``: Wilcoxon signed-rank test with its exact null
        distribution. All ``2**n`` sign patterns are equally likely under H0, so
        the most extreme one gives ``2 / 2**n`` two-sided and ``1 / 2**n``
        one-sided. ``"sign"``: exact binomial sign test, with the same bounds
        (all n differences of one sign). ``"friedman"``: the chi-square
        approximation that scipy and ``compare`` use. Its statistic is at most
        ``n (k - 1)``, reached when every block ranks the candidates the same
        way, and the bound is the chi-square tail at that value with ``k - 1``
        degrees of freedom.
    n : int
        Number of pairs (Wilcoxon, sign) or blocks (Friedman), at least 1.
    k : int, optional
        Number of candidates, at least 3; required for Friedman.
    alternative : {"two-sided", "greater", "less"}
        Alternative of the Wilcoxon and sign tests. Friedman is two-sided only.

    Returns
    -------
    AttainablePvalue
        Also usable as a float.

    Notes
    -----
    ``2 / 2**n`` is computed with math.ldexp, which stays finite (it underflows to
    0.0) where ``2.0**n`` would overflow. scipy switches the Wilcoxon test to a
    normal approximation above 50 pairs. Those p-values stayed above this exact
    bound in the numerical check of 14 to 60 pairs described in
    ``_signed_rank.min_signed_rank_pvalue``.
    """
    test = validate_choice(test, "test", BOUND_TESTS)
    n = validate_count(n, "n", minimum=1)
    alternative = validate_choice(alternative, "alternative", ALTERNATIVES)
    if test == "friedman":
        k = _validate_k(k)
        if alternative != "two-sided":
            raise ValueError(
                f"the Friedman test has no one-sided form; got alternative={alternative!r}. "
                "Pass alternative='two-sided'."
            )
        return AttainablePvalue(
            test=test,
            n=n,
            pvalue=friedman_min_pvalue(n, k),
            alternative=alternative,
            method=f"chi-square approximation at the maximum statistic n(k - 1) = {n * (k - 1)}",
            k=k,
        )
    tails = 2.0 if alternative == "two-sided" else 1.0
    pattern = "2 / 2**n" if alternative == "two-sided" else "1 / 2**n"
    return AttainablePvalue(
        test=test,
        n=n,
        pvalue=min(1.0, math.ldexp(tails, -n)),
        alternative=alternative,
        method=f"exact null distribution, {pattern}",
    )


def seeds_needed_to_reach_alpha(
    test: str,
    alpha: float = 0.05,
    family_size: int = 1,
    correction: str = "holm",
    k: int | None = None,
    alternative: str = "two-sided",
) -> SeedsNeeded:
    """Find the fewest seeds with which a family of `family_size` tests can reject at `alpha`.

    Every raw p-value is at least `min_attainable_pvalue`. The family can
    reject something only if that bound, adjusted by `correction` over
    `family_size` equal p-values, is at most `alpha` (for Holm and Bonferroni,
    ``family_size * min_pvalue <= alpha``). This is a necessary condition, not a
    power statement: at that n only the most extreme data reject.

    Parameters
    ----------
    test : {"wilcoxon", "sign", "friedman"}
        The test, as in `min_attainable_pvalue`.
    alpha : float
        Significance level.
    family_size : int
        Number of tests adjusted together, for example ``k (k - 1) / 2`` pairwise
        tests of k candidates. Use 1 for a single test.
    correction : str
        A statsmodels multipletests method, for example ``"holm"``.
    k : int, optional
        Number of candidates; required for Friedman.
    alternative : {"two-sided", "greater", "less"}
        Alternative of the Wilcoxon and sign tests.

    Returns
    -------
    SeedsNeeded
        Also usable as an int.

    Examples
    --------
    Three candidates compared pairwise by two-sided Wilcoxon tests with Holm's
    adjustment need ``3 * 2 / 2**n <= 0.05``, so n = 7 seeds; two candidates
    (one test) need ``2 / 2**n <= 0.05``, so n = 6.
    """
    test = validate_choice(test, "test", BOUND_TESTS)
    alpha = validate_probability(alpha, "alpha")
    family_size = validate_count(family_size, "family_size", minimum=1)
    correction = normalize_correction(correction)
    if test == "friedman":
        k = _validate_k(k)

    def adjusted_bound(n: int) -> float | None:
        raw = min_attainable_pvalue(test, n, k, alternative).pvalue
        return smallest_adjusted_pvalue(raw, family_size, correction, alpha)

    if adjusted_bound(1) is None:
        raise ValueError(
            f"correction={correction!r} has no known smallest adjusted p-value; use a "
            "correction such as 'holm', 'bonferroni' or 'fdr_bh'."
        )
    n = _first_n(lambda n: adjusted_bound(n) <= alpha)
    if n is None:
        raise ValueError(
            f"even {MAX_SEEDS_SEARCHED} seeds cannot reach alpha={alpha:g} with {family_size} "
            f"tests adjusted by {correction}; raise alpha or shrink the family."
        )
    return SeedsNeeded(
        test=test,
        n=n,
        alpha=alpha,
        family_size=family_size,
        correction=correction,
        min_pvalue=min_attainable_pvalue(test, n, k, alternative).pvalue,
        min_adjusted_pvalue=float(adjusted_bound(n)),
        alternative=alternative,
        k=k,
    )


def _first_n(reaches: Callable[[int], bool]) -> int | None:
    """Return the smallest n in 1..MAX_SEEDS_SEARCHED with ``reaches(n)``, for monotone `reaches`."""
    if reaches(1):
        return 1
    low, high = 1, 2
    while not reaches(high):
        if high >= MAX_SEEDS_SEARCHED:
            return None
        low, high = high, min(2 * high, MAX_SEEDS_SEARCHED)
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high


def simulated_power(
    test: str,
    effect: float | Sequence[float] | DataGenerator,
    n: int,
    alpha: float = 0.05,
    n_simulations: int = 2000,
    rng: RandomSource = None,
    zero_method: str = "wilcox",
) -> PowerResult:
    """Estimate the power of a Wilcoxon signed-rank or Friedman test by simulation.

    Parameters
    ----------
    test : {"wilcoxon", "friedman"}
        ``"wilcoxon"``: two-sided signed-rank test of paired differences, with
        the p-value method that ``compare`` uses (exact without ties or zeros,
        exact sign-flip enumeration with them up to 13 pairs, normal
        approximation otherwise). ``"friedman"``: chi-square approximation, as
        scipy.stats.friedmanchisquare computes it.
    effect : float, sequence of float or callable
        What the simulated data look like.

        - Wilcoxon and a float ``shift``: differences ``shift + N(0, 1)``, so
          ``shift`` is the standardized effect d_z.
        - Friedman and a sequence of k means: scores ``mean_j + N(0, 1)`` for
          candidate j in each block. A common block effect would not change the
          within-block ranks, so it is left out.
        - A callable ``generator(rng, shape)`` returning an array of ``shape``:
          ``(n_simulations, n)`` differences for Wilcoxon, ``(n_simulations, n, k)``
          scores for Friedman, where k is read from the returned array. Use it for
          skewed or discrete data, for example accuracies on a small test set.
    n : int
        Number of pairs or blocks per simulated data set.
    alpha : float
        Significance level. A data set counts as a rejection when its p-value
        is at most `alpha`. An undefined p-value (all differences zero, all
        blocks tied) counts as no rejection.
    n_simulations : int
        Number of simulated data sets.
    rng : numpy.random.Generator, int or None
        Source of the simulated data.
    zero_method : {"wilcox", "pratt", "zsplit"}
        Zero-difference handling of the Wilcoxon test.

    Returns
    -------
    PowerResult
        With the Monte Carlo standard error ``sqrt(p (1 - p) / n_simulations)``.

    Warns
    -----
    SmallSampleWarning
        When no data set of `n` pairs or blocks can reach `alpha`, stating the
        number of seeds that could. The power is then 0.
    """
    test = validate_choice(test, "test", SIMULATED_TESTS)
    n = validate_count(n, "n", minimum=1)
    alpha = validate_probability(alpha, "alpha")
    n_simulations = validate_count(n_simulations, "n_simulations", minimum=1)
    zero_method = validate_zero_method(zero_method)
    generator = as_generator(rng)

    data, description = _simulate(test, effect, n, n_simulations, generator)
    k = data.shape[2] if test == "friedman" else None
    _warn_if_unreachable(test, n, k, alpha)
    if test == "wilcoxon":
        pvalues = signed_rank_pvalues(data, zero_method)
    else:
        pvalues = friedman_pvalues(data)
    rejected = np.count_nonzero(pvalues <= alpha)
    power = rejected / n_simulations
    return PowerResult(
        test=test,
        power=power,
        n=n,
        alpha=alpha,
        alternative="two-sided",
        effect=description,
        method="simulation",
        mc_standard_error=math.sqrt(power * (1 - power) / n_simulations),
        n_simulations=n_simulations,
        k=k,
    )


def simulated_sample_size(
    test: str,
    effect: float | Sequence[float] | DataGenerator,
    power: float = 0.8,
    alpha: float = 0.05,
    n_simulations: int = 2000,
    rng: RandomSource = None,
    zero_method: str = "wilcox",
    max_n: int = 200,
) -> SampleSizeResult:
    """Find the fewest seeds at which the simulated power reaches `power`.

    The search starts at the fewest seeds that can reach `alpha` at all
    (`seeds_needed_to_reach_alpha`), doubles n until the simulated power reaches
    the target and then bisects. Each evaluated n gets `n_simulations` fresh data
    sets from `rng`.

    Parameters
    ----------
    test, effect, alpha, n_simulations, rng, zero_method
        As in `simulated_power`.
    power : float
        Target power.
    max_n : int
        Largest n tried.

    Returns
    -------
    SampleSizeResult

    Notes
    -----
    The simulated power has Monte Carlo error, so the bisection can stop one or
    two seeds off when the power curve is flat near the target. The result
    contains the power at the returned n and its standard error. Raise
    `n_simulations` to narrow it.
    """
    test = validate_choice(test, "test", SIMULATED_TESTS)
    power = validate_probability(power, "power")
    alpha = validate_probability(alpha, "alpha")
    max_n = validate_count(max_n, "max_n", minimum=2)
    generator = as_generator(rng)

    probe, _ = _simulate(test, effect, 1, 1, generator)
    k = probe.shape[2] if test == "friedman" else None
    start = seeds_needed_to_reach_alpha(test, alpha, k=k).n
    if start > max_n:
        raise ValueError(
            f"the {test} test needs at least {start} seeds to reach alpha={alpha:g}, above "
            f"max_n={max_n}; raise max_n."
        )

    evaluated: dict[int, PowerResult] = {}

    def reaches(n: int) -> bool:
        if n not in evaluated:
            evaluated[n] = simulated_power(
                test, effect, n, alpha, n_simulations, generator, zero_method
            )
        return evaluated[n].power >= power

    low, high = start - 1, start
    while not reaches(high):
        if high >= max_n:
            best = evaluated[high]
            raise ValueError(
                f"the simulated power at max_n={max_n} seeds is {best.power:.3f}, below "
                f"power={power:g}; raise max_n or check the effect."
            )
        low, high = high, min(2 * high, max_n)
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    result = evaluated[high]
    return SampleSizeResult(
        test=test,
        n=high,
        power=result.power,
        target_power=power,
        alpha=alpha,
        alternative="two-sided",
        effect=result.effect,
        method="simulation",
        mc_standard_error=result.mc_standard_error,
        n_simulations=n_simulations,
        k=k,
    )


def _simulate(
    test: str,
    effect: Any,
    n: int,
    n_simulations: int,
    generator: np.random.Generator,
) -> tuple[np.ndarray, str]:
    """Draw the simulated data sets and describe the effect."""
    if callable(effect):
        return _generated_data(test, effect, n, n_simulations, generator)

    if test == "wilcoxon":
        if isinstance(effect, (bool, np.bool_)) or not isinstance(effect, numbers.Real):
            raise TypeError(
                f"effect for the Wilcoxon test must be a float shift (in standard deviations) "
                f"or a generator(rng, shape); got {effect!r}."
            )
        shift = float(effect)
        return shift + generator.standard_normal((n_simulations, n)), f"shift {shift:g} + N(0, 1)"

    means = np.asarray(effect, dtype=float)
    if means.ndim != 1 or means.size < 3 or not np.all(np.isfinite(means)):
        raise ValueError(
            "effect for the Friedman test must be a sequence of k >= 3 finite candidate means "
            f"or a generator(rng, shape); got {effect!r}."
        )
    data = means + generator.standard_normal((n_simulations, n, means.size))
    return data, f"means {means.tolist()} + N(0, 1)"


def _generated_data(
    test: str,
    effect: DataGenerator,
    n: int,
    n_simulations: int,
    generator: np.random.Generator,
) -> tuple[np.ndarray, str]:
    # A Friedman generator chooses k itself, so it receives (n_simulations, n)
    # and must append k.
    data = np.asarray(effect(generator, (n_simulations, n)), dtype=float)
    if test == "wilcoxon":
        expected: tuple[int, ...] = (n_simulations, n)
        hint = ""
    else:
        expected = (n_simulations, n, data.shape[-1] if data.ndim == 3 else 3)
        hint = " A Friedman generator appends the number of candidates k >= 3 to the shape."
    if data.shape != expected or (test == "friedman" and data.shape[2] < 3):
        raise ValueError(
            f"the effect generator was called with shape {(n_simulations, n)} and returned "
            f"shape {data.shape}; expected {expected}.{hint}"
        )
    if not np.all(np.isfinite(data)):
        raise ValueError("the effect generator returned NaN or infinite values.")
    name = getattr(effect, "__name__", type(effect).__name__)
    return data, f"generator {name}"


def _warn_if_unreachable(test: str, n: int, k: int | None, alpha: float) -> None:
    bound = min_attainable_pvalue(test, n, k).pvalue
    if bound <= alpha:
        return
    needed = seeds_needed_to_reach_alpha(test, alpha, k=k).n
    warnings.warn(
        f"With n = {n}, no {test} p-value can fall below {bound:.4g}, which is above "
        f"alpha = {alpha:g}, so the power is 0. At least {needed} seeds are needed.",
        SmallSampleWarning,
        stacklevel=3,
    )


def signed_rank_pvalues(differences: np.ndarray, zero_method: str) -> np.ndarray:
    """Return the two-sided signed-rank p-value of each row of `differences`.

    Each row gets the method that ``compare`` would pick (`choose_method`). Rows
    with the exact or asymptotic method go to one vectorized
    scipy.stats.wilcoxon call per method. Rows with ties or zeros and at most 13
    pairs get `_sign_flip_pvalue`, which enumerates every sign pattern as the
    permutation method does. Rows whose differences are all zero are undefined
    under "wilcox" and "pratt" and get NaN.
    """
    rows, n = differences.shape
    pvalues = np.full(rows, np.nan)
    methods = np.array([choose_method(row) for row in differences])
    nonzero = np.count_nonzero(differences, axis=1)
    defined = (nonzero > 0) | (zero_method == "zsplit")

    for method in (METHOD_EXACT, METHOD_ASYMPTOTIC):
        selected = defined & (methods == method)
        if np.any(selected):
            result = stats.wilcoxon(
                differences[selected],
                zero_method=zero_method,
                correction=False,
                alternative="two-sided",
                method=method,
                axis=1,
            )
            pvalues[selected] = result.pvalue

    flips = _sign_patterns(n)
    for row in np.flatnonzero(defined & (methods == METHOD_PERMUTATION)):
        pvalues[row] = _sign_flip_pvalue(differences[row], zero_method, flips)
    return pvalues


def _sign_patterns(n: int) -> np.ndarray:
    """Return the ``2**n`` x n matrix of 0/1 sign patterns (1 = positive), n <= 13."""
    if n > 13:
        return np.empty((0, n))
    codes = np.arange(2**n)[:, None]
    return ((codes >> np.arange(n)) & 1).astype(float)


def _sign_flip_pvalue(d: np.ndarray, zero_method: str, patterns: np.ndarray) -> float:
    """Return the two-sided sign-flip p-value of the signed-rank statistic R+.

    Under H0 every assignment of signs to the nonzero ``|d|`` is equally likely.
    Zero differences keep their rank contribution under every flip. The p-value
    is ``min(1, 2 min(P(R+ >= r), P(R+ <= r)))`` over all ``2**n`` patterns,
    with ties judged at a relative tolerance of 1e-14, as
    scipy.stats.permutation_test does.
    """
    kept = d[d != 0] if zero_method == "wilcox" else d
    observed, _ = signed_rank_sums(d, zero_method)
    ranks = stats.rankdata(np.abs(kept), method="average")
    nonzero = kept != 0
    # "pratt" leaves the zero ranks out of R+, "zsplit" adds half of them.
    constant = float(ranks[~nonzero].sum()) / 2 if zero_method == "zsplit" else 0.0
    nonzero_ranks = ranks[nonzero]
    # Only the first len(nonzero_ranks) columns vary, so each distinct pattern of
    # the nonzero signs appears equally often among the rows used.
    count = nonzero_ranks.size
    flipped = patterns[: 2**count, :count] @ nonzero_ranks + constant
    tolerance = _STATISTIC_RTOL * max(abs(observed), 1.0)
    greater = np.mean(flipped >= observed - tolerance)
    less = np.mean(flipped <= observed + tolerance)
    return float(min(1.0, 2 * min(greater, less)))


def friedman_pvalues(scores: np.ndarray) -> np.ndarray:
    """Return the Friedman chi-square p-value of each data set in `scores`.

    `scores` has shape (data sets, blocks, k). scipy.stats.friedmanchisquare
    ranks within each block with the tie correction, vectorized over data sets.
    Data sets in which every block is fully tied get NaN.
    """
    samples = [scores[:, :, j] for j in range(scores.shape[2])]
    with np.errstate(divide="ignore", invalid="ignore"):
        result = stats.friedmanchisquare(*samples, axis=1)
    pvalues = np.array(result.pvalue, dtype=float, ndmin=1)
    all_tied = np.all(scores == scores[:, :, :1], axis=(1, 2))
    pvalues[all_tied] = np.nan
    return pvalues


def _validate_effect_size(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"effect_size must be a number (Cohen's d_z); got {value!r}.")
    if not math.isfinite(float(value)):
        raise ValueError(f"effect_size must be finite; got {value!r}.")
    return float(value)


def _validate_k(k: Any) -> int:
    if k is None:
        raise ValueError("the Friedman test needs k, the number of candidates (k >= 3).")
    return validate_count(k, "k", minimum=3)
