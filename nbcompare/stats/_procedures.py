"""Run a `Plan` from ``_auto``: call the omnibus, two-sample and post-hoc modules, then align the pairs.

Nothing here computes a test statistic itself except the pairwise procedures
that ``_posthoc`` does not offer (Wilcoxon tests on the blocks each pair
shares after a Skillings–Mack test, pairwise Welch t tests after Welch's
ANOVA), which call the two-sample functions pair by pair and correct with
``_correction.adjust_pvalues``, and the global test of the pairwise
Nadeau–Bengio tests, which reads its statistic and p-value off the family.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from nbcompare.exceptions import DegenerateDataWarning
from nbcompare.stats import _omnibus, _posthoc, _two_sample
from nbcompare.stats import _effect_sizes as effect_sizes
from nbcompare.stats._auto import Plan
from nbcompare.stats._correction import adjust_pvalues
from nbcompare.stats._incomplete import skillings_mack
from nbcompare.stats._intervals import t_intervals
from nbcompare.stats._posthoc import PairResult, PosthocResult
from nbcompare.stats._render import correction_text
from nbcompare.stats._results import OmnibusTest, PairEffectSize, PairwiseTest
from nbcompare.stats._rank_biserial_batch import paired_rank_biserials
from nbcompare.stats._signed_rank import choose_method, signed_rank_sums_rows, signed_rank_test
from nbcompare.stats._two_sample import _is_constant

# The bootstrap behind the rank-biserial interval of `Comparison.effect_sizes`
# uses this many resamples and this seed, so that a comparison is reproducible.
EFFECT_SIZE_RESAMPLES = 1999
EFFECT_SIZE_SEED = 0

# Post-hoc statistics whose sign follows the order (model_a, model_b).
_SIGNED_STATISTICS = frozenset({"conover", "paired-t", "dunn", "welch-t", "nadeau-bengio"})

_PAIR_METHODS = {
    "nemenyi": "studentized range, asymptotic",
    "conover": "t distribution",
    "paired-t": "t distribution",
    "nadeau-bengio": "t distribution, Nadeau–Bengio corrected variance",
    "tukey-hsd": "studentized range",
    "dunn": "normal approximation",
    "welch-t": "t distribution, Welch–Satterthwaite df",
}

_PARAMETRIC = frozenset({"paired-t", "rm-anova", "nadeau-bengio", "welch-t", "anova",
                         "welch-anova", "permutation"})


@dataclass(frozen=True)
class Options:
    """Settings shared by every procedure of one comparison."""

    alpha: float
    confidence_level: float
    correction: str
    zero_method: str
    higher_is_better: bool


@dataclass(frozen=True)
class Outcome:
    """Everything a plan produced, with pairs in the comparison's best-first order."""

    omnibus: OmnibusTest
    posthoc: PosthocResult | None
    pairwise: tuple[PairwiseTest, ...]
    effect_sizes: tuple[PairEffectSize, ...]
    family_size: int


# ---------------------------------------------------------------- paired designs


def run_paired(plan: Plan, values: np.ndarray, names: list[str], options: Options,
               n_folds: int | None = None) -> Outcome:
    """Run `plan` on a blocks x candidates matrix whose columns are best first.

    NaN cells are allowed only for the Skillings–Mack test. `n_folds` is the
    number of cross-validation folds, needed by the Nadeau–Bengio test.
    """
    if len(names) == 2:
        return _paired_two(plan, values, names, options, n_folds)
    if plan.test == "nadeau-bengio":
        return _nadeau_bengio_family(values, names, options, n_folds)
    if plan.test == "skillings-mack":
        omnibus = _skillings_mack_omnibus(values, options)
        posthoc = _shared_block_wilcoxon(values, names, options)
    else:
        omnibus = _paired_omnibus(plan.test, values, names)
        posthoc = _paired_posthoc(plan.posthoc, values, names, options)
    pairwise, effects = _align(posthoc, names, values, options, paired=True, parametric=plan.test in _PARAMETRIC)
    return Outcome(omnibus, posthoc, pairwise, effects, posthoc.family_size)


def _paired_two(plan: Plan, values: np.ndarray, names: list[str], options: Options,
                n_folds: int | None) -> Outcome:
    a, b = values[:, 0], values[:, 1]
    if plan.test == "wilcoxon":
        oriented_gain = _oriented(a, options) - _oriented(b, options)
        result = signed_rank_test(-oriented_gain, options.zero_method)
        statistic, pvalue, df, method = result.statistic, result.pvalue, None, result.method
    else:
        test = _two_sample_paired(plan.test, a, b, options, n_folds)
        statistic, pvalue, df, method = test.statistic, test.pvalue, test.df, test.method
    omnibus = OmnibusTest(
        test=plan.test, statistic=float(statistic), pvalue=float(pvalue), df=df, k=2,
        n_blocks=len(a), alternative="two-sided", method=method,
        zero_method=options.zero_method if plan.test == "wilcoxon" else None,
    )
    family = adjust_pvalues(np.array([pvalue]), options.correction, options.alpha)
    pair = PairResult(names[0], names[1], float(statistic), float(pvalue), float(family.adjusted[0]),
                      bool(family.reject[0]), float("nan"), float(np.mean(a - b)))
    pairwise, effects = _align_pairs(
        [pair], plan.test, options.correction, names, values, options, paired=True,
        parametric=plan.test in _PARAMETRIC, methods={(names[0], names[1]): method},
        split_sizes=_fold_split_sizes(n_folds) if plan.test == "nadeau-bengio" else None,
    )
    return Outcome(omnibus, None, pairwise, effects, family.family_size)


def _fold_split_sizes(n_folds: int | None) -> tuple[int, int]:
    """Return ``(n_train, n_test)`` in units of one fold: ``(n_folds - 1, 1)``.

    k-fold cross-validation trains on k - 1 folds and tests on one, so
    ``n_test / n_train = 1 / (k - 1)``, the only quantity the Nadeau–Bengio
    correction uses.
    """
    if n_folds is None or n_folds < 2:
        raise ValueError(
            f"the Nadeau–Bengio test needs the number of folds k to set n_test / n_train = "
            f"1 / (k - 1), but it could not be inferred from the data (n_folds={n_folds!r}). "
            "Add a 'fold' column that numbers the k >= 2 folds within each repeat, or pass "
            "blocks='seed' to average the splits within each seed."
        )
    return n_folds - 1, 1


def _nadeau_bengio_family(values: np.ndarray, names: list[str], options: Options,
                          n_folds: int | None) -> Outcome:
    """Test every pair by the Nadeau–Bengio t test and report the family's global test."""
    n_train, n_test = _fold_split_sizes(n_folds)
    posthoc = _posthoc.pairwise_nadeau_bengio(
        values, higher_is_better=options.higher_is_better, candidates=names, alpha=options.alpha,
        correction=options.correction, n_train=n_train, n_test=n_test,
    )
    omnibus = _global_omnibus(posthoc)
    pairwise, effects = _align(posthoc, names, values, options, paired=True, parametric=True,
                               split_sizes=(n_train, n_test))
    return Outcome(omnibus, posthoc, pairwise, effects, posthoc.family_size)


def _global_omnibus(posthoc: PosthocResult) -> OmnibusTest:
    """Return the union–intersection test of the pairwise tests in `posthoc`.

    H0 is the intersection of the pairwise null hypotheses. The test rejects
    when any pair's adjusted p-value is at most alpha, so its p-value is the
    smallest adjusted p-value. Under H0 every rejection is false, so the
    family-wise error rate equals the false discovery rate, and the test has
    size at most alpha when the correction controls either of them, under the
    correction's own assumptions about dependence. Its statistic is the largest |t|. All pairs share the df, so that pair also
    has the smallest raw p-value. NaN pairs are left out, and with no defined
    pair the statistic and p-value are NaN.

    NOTE: the two-stage FDR methods ("fdr_tsbh", "fdr_tsbky") adjust with
    alpha itself, so for them the smallest adjusted p-value is a decision at
    alpha rather than a p-value valid at every level.
    """
    defined = [pair for pair in posthoc.pairs if not math.isnan(pair.pvalue)]
    statistic = max((abs(pair.statistic) for pair in defined), default=float("nan"))
    pvalue = min((pair.pvalue_adjusted for pair in defined), default=float("nan"))
    label = correction_text(posthoc.correction)
    return OmnibusTest(
        test="nadeau-bengio", statistic=float(statistic), pvalue=float(pvalue),
        df=posthoc.df, k=len(posthoc.candidates), n_blocks=posthoc.n, alternative="two-sided",
        method=f"smallest {label}-adjusted pairwise" if defined else "undefined", zero_method=None,
    )


def _two_sample_paired(test: str, a: np.ndarray, b: np.ndarray, options: Options,
                       n_folds: int | None) -> _two_sample.TwoSampleTest:
    level = options.confidence_level
    if test == "paired-t":
        return _two_sample.paired_t(a, b, confidence_level=level)
    if test == "sign":
        return _two_sample.sign_test(a, b, confidence_level=level)
    if test == "permutation":
        return _two_sample.paired_permutation_test(a, b, rng=np.random.default_rng(EFFECT_SIZE_SEED))
    if test == "nadeau-bengio":
        n_train, n_test = _fold_split_sizes(n_folds)
        return _two_sample.nadeau_bengio_t(a - b, n_train=n_train, n_test=n_test, confidence_level=level)
    raise ValueError(f"unknown paired two-sample test {test!r}.")


def _paired_omnibus(test: str, values: np.ndarray, names: list[str]) -> OmnibusTest:
    runner = {
        "friedman": _omnibus.friedman,
        "iman-davenport": _omnibus.iman_davenport,
        "rm-anova": _omnibus.rm_anova,
    }[test]
    return convert_omnibus(runner(values, candidates=names))


def convert_omnibus(result: _omnibus.OmnibusResult, zero_method: str | None = None) -> OmnibusTest:
    """Return an `OmnibusResult` in the OmnibusTest fields that reports read.

    The chi-square tests keep the method name "asymptotic" of the default
    path. An F test stores its numerator df in ``df`` and its denominator df
    in ``df2``.
    """
    df, df2 = (result.df if isinstance(result.df, tuple) else (result.df, None))
    method = "asymptotic" if result.method == "chi-square approximation" else result.method
    return OmnibusTest(
        test=result.test, statistic=float(result.statistic), pvalue=float(result.pvalue),
        df=float(df), k=result.k, n_blocks=result.n, alternative="two-sided", method=method,
        zero_method=zero_method, df2=None if df2 is None else float(df2),
        effect_size=float(result.effect_size), effect_size_name=result.effect_size_name,
    )


def _paired_posthoc(posthoc: str, values: np.ndarray, names: list[str], options: Options) -> PosthocResult:
    common = {"higher_is_better": options.higher_is_better, "candidates": names, "alpha": options.alpha}
    if posthoc == "nemenyi":
        return _posthoc.nemenyi(values, **common)
    if posthoc == "conover":
        return _posthoc.conover_friedman(values, correction=options.correction, **common)
    if posthoc == "wilcoxon":
        return _posthoc.pairwise_wilcoxon(
            values, correction=options.correction, zero_method=options.zero_method, **common
        )
    if posthoc == "paired-t":
        return _posthoc.pairwise_ttest(values, correction=options.correction, **common)
    raise ValueError(f"posthoc={posthoc!r} is not a paired post-hoc procedure.")


def _skillings_mack_omnibus(values: np.ndarray, options: Options) -> OmnibusTest:
    result = skillings_mack(_oriented(values, options))
    return OmnibusTest(
        test="skillings-mack", statistic=result.statistic, pvalue=result.pvalue,
        df=float(result.df), k=values.shape[1], n_blocks=result.n_blocks,
        alternative="two-sided", method="asymptotic" if not math.isnan(result.pvalue) else "undefined",
        zero_method=None,
    )


def _shared_block_wilcoxon(values: np.ndarray, names: list[str], options: Options) -> PosthocResult:
    """Test every pair by the Wilcoxon signed-rank test on the blocks in which both have values."""
    first, second = np.triu_indices(len(names), 1)
    statistic, pvalue, differences = [], [], []
    for a, b in zip(first, second):
        shared = ~np.isnan(values[:, a]) & ~np.isnan(values[:, b])
        gain = _oriented(values[shared, b], options) - _oriented(values[shared, a], options)
        if shared.sum() < 1:
            statistic.append(float("nan"))
            pvalue.append(float("nan"))
        else:
            result = signed_rank_test(gain, options.zero_method)
            statistic.append(result.statistic)
            pvalue.append(result.pvalue)
        differences.append(float(np.mean(values[shared, a] - values[shared, b])) if shared.any() else float("nan"))
    family = adjust_pvalues(np.array(pvalue), options.correction, options.alpha)
    pairs = tuple(
        PairResult(names[a], names[b], statistic[index], pvalue[index], float(family.adjusted[index]),
                   bool(family.reject[index]), float("nan"), differences[index])
        for index, (a, b) in enumerate(zip(first, second))
    )
    return PosthocResult(
        method="wilcoxon", correction=options.correction, alpha=options.alpha,
        candidates=tuple(names), mean_ranks=None, critical_difference=None, pairs=pairs,
        higher_is_better=options.higher_is_better, n=values.shape[0],
        statistic_name="min(R+, R-) on the blocks both candidates share",
    )


# ---------------------------------------------------------------- independent samples


def run_independent(plan: Plan, samples: dict[str, np.ndarray], names: list[str], options: Options) -> Outcome:
    """Run `plan` on one sample per candidate; `names` are best first."""
    ordered = {name: samples[name] for name in names}
    parametric = plan.test in _PARAMETRIC
    if len(names) == 2:
        a, b = ordered[names[0]], ordered[names[1]]
        if plan.test == "welch-t":
            test = _two_sample.welch_t(a, b, confidence_level=options.confidence_level)
        else:
            test = _two_sample.mann_whitney(a, b)
        omnibus = OmnibusTest(
            test=plan.test, statistic=test.statistic, pvalue=test.pvalue, df=test.df, k=2,
            n_blocks=min(a.size, b.size), alternative="two-sided", method=test.method, zero_method=None,
        )
        family = adjust_pvalues(np.array([test.pvalue]), options.correction, options.alpha)
        pair = PairResult(names[0], names[1], test.statistic, test.pvalue, float(family.adjusted[0]),
                          bool(family.reject[0]), float("nan"), float(np.mean(a) - np.mean(b)))
        pairwise, effects = _align_pairs(
            [pair], plan.test, options.correction, names, ordered, options, paired=False,
            parametric=parametric, methods={(names[0], names[1]): test.method},
        )
        return Outcome(omnibus, None, pairwise, effects, family.family_size)

    runner = {
        "anova": _omnibus.one_way_anova,
        "welch-anova": _omnibus.welch_anova,
        "kruskal-wallis": _omnibus.kruskal_wallis,
    }[plan.test]
    omnibus = convert_omnibus(runner(ordered))
    common = {"higher_is_better": options.higher_is_better, "alpha": options.alpha}
    if plan.posthoc == "tukey-hsd":
        posthoc = _posthoc.tukey_hsd(ordered, **common)
    elif plan.posthoc == "dunn":
        posthoc = _posthoc.dunn(ordered, correction=options.correction, **common)
    else:
        posthoc = _pairwise_welch(ordered, names, options)
    pairwise, effects = _align(posthoc, names, ordered, options, paired=False, parametric=parametric)
    return Outcome(omnibus, posthoc, pairwise, effects, posthoc.family_size)


def _pairwise_welch(samples: dict[str, np.ndarray], names: list[str], options: Options) -> PosthocResult:
    """Run Welch's t test on every pair and correct the family with `options.correction`."""
    first, second = np.triu_indices(len(names), 1)
    tests = [_two_sample.welch_t(samples[names[a]], samples[names[b]]) for a, b in zip(first, second)]
    family = adjust_pvalues(np.array([test.pvalue for test in tests]), options.correction, options.alpha)
    pairs = tuple(
        PairResult(names[a], names[b], test.statistic, test.pvalue, float(family.adjusted[index]),
                   bool(family.reject[index]), float("nan"), test.estimate)
        for index, (a, b, test) in enumerate(zip(first, second, tests))
    )
    return PosthocResult(
        method="welch-t", correction=options.correction, alpha=options.alpha,
        candidates=tuple(names), mean_ranks=None, critical_difference=None, pairs=pairs,
        higher_is_better=options.higher_is_better, n=sum(sample.size for sample in samples.values()),
        statistic_name="Welch t of model_a - model_b",
    )


# ---------------------------------------------------------------- pairs in comparison order


def _oriented(values: np.ndarray, options: Options) -> np.ndarray:
    """Return `values` on the scale on which smaller is better."""
    return -np.asarray(values, dtype=float) if options.higher_is_better else np.asarray(values, dtype=float)


def _align(posthoc: PosthocResult, names: list[str], data, options: Options, *, paired: bool,
           parametric: bool, split_sizes: tuple[int, int] | None = None,
           ) -> tuple[tuple[PairwiseTest, ...], tuple[PairEffectSize, ...]]:
    return _align_pairs(list(posthoc.pairs), posthoc.method, posthoc.correction, names, data, options,
                        paired=paired, parametric=parametric, methods={}, split_sizes=split_sizes)


def _align_pairs(pairs: list[PairResult], test: str, correction: str, names: list[str], data,
                 options: Options, *, paired: bool, parametric: bool,
                 methods: dict[tuple[str, str], str], split_sizes: tuple[int, int] | None = None,
                 ) -> tuple[tuple[PairwiseTest, ...], tuple[PairEffectSize, ...]]:
    """Return one PairwiseTest per pair, model_a ranked better in `names`, with effect sizes.

    A pair stored in the other order gets its signed statistic and mean
    difference negated. `split_sizes` is ``(n_train, n_test)`` when the blocks
    are cross-validation splits tested by the Nadeau–Bengio test: the interval
    of the mean difference then uses the corrected variance, and Cohen's d_z
    gets no interval.
    """
    lookup = {frozenset((pair.model_a, pair.model_b)): pair for pair in pairs}
    column = {name: index for index, name in enumerate(names)}
    aligned = []
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            pair = lookup[frozenset((first, second))]
            flipped = pair.model_a != first
            statistic = -pair.statistic if flipped and test in _SIGNED_STATISTICS else pair.statistic
            if paired:
                a, b = data[:, column[first]], data[:, column[second]]
                shared = ~np.isnan(a) & ~np.isnan(b)
                a, b = a[shared], b[shared]
            else:
                a, b = data[first], data[second]
            aligned.append((first, second, pair, statistic, a, b))

    # When every pair shares the same number of blocks (always without missing
    # values), all pairs go through one vectorized computation.
    same_length = paired and len({a.size for *_, a, _ in aligned}) == 1
    if same_length:
        summaries = _paired_summaries(aligned, options, split_sizes)
    else:
        summaries = [None] * len(aligned)
    tests = tuple(
        _pairwise_test(first, second, a, b, pair, statistic, test, correction, options, paired,
                       methods.get((first, second)), split_sizes, summary)
        for (first, second, pair, statistic, a, b), summary in zip(aligned, summaries)
    )
    if same_length and not parametric:
        rank_effects = paired_rank_biserials(
            np.array([a for *_, a, _ in aligned]), np.array([b for *_, b in aligned]),
            options.zero_method, higher_is_better=options.higher_is_better,
            confidence_level=options.confidence_level, n_resamples=EFFECT_SIZE_RESAMPLES,
            seed=EFFECT_SIZE_SEED,
        )
        effects = tuple(
            PairEffectSize(first, second, effect)
            for (first, second, *_), effect in zip(aligned, rank_effects)
        )
    else:
        effects = tuple(
            PairEffectSize(first, second,
                           _effect_size(a, b, options, paired, parametric, split_sizes=split_sizes))
            for first, second, _, _, a, b in aligned
        )
    return tests, effects


@dataclass(frozen=True)
class _PairedSummary:
    """The descriptive parts of a paired PairwiseTest that do not come from the test itself."""

    r_plus: float
    r_minus: float
    rank_biserial: float
    mean: float
    ci_low: float
    ci_high: float


def _paired_summaries(aligned: list[tuple], options: Options,
                      split_sizes: tuple[int, int] | None) -> list[_PairedSummary]:
    """Compute `_PairedSummary` for pairs of equal length, with one vectorized call per quantity.

    Each value equals the one `_pairwise_test` computes for the pair alone:
    rank sums are exact multiples of 1/2, and `t_intervals` matches
    `t_interval` row by row.
    """
    a = np.array([a for *_, a, _ in aligned])
    b = np.array([b for *_, b in aligned])
    gains = _oriented(b, options) - _oriented(a, options)
    r_plus, r_minus = signed_rank_sums_rows(gains, options.zero_method)
    effects = effect_sizes.matched_pairs_rank_biserial(gains, options.zero_method)
    if split_sizes is None:
        mean, low, high = t_intervals(a - b, options.confidence_level)
    else:
        mean, low, high = np.array([
            _corrected_interval(row, split_sizes, options.confidence_level) for row in a - b
        ]).T
    return [
        _PairedSummary(float(r_plus[row]), float(r_minus[row]), float(effects[row]),
                       float(mean[row]), float(low[row]), float(high[row]))
        for row in range(len(aligned))
    ]


def _pairwise_test(first: str, second: str, a: np.ndarray, b: np.ndarray, pair: PairResult,
                   statistic: float, test: str, correction: str, options: Options, paired: bool,
                   method: str | None, split_sizes: tuple[int, int] | None = None,
                   summary: _PairedSummary | None = None) -> PairwiseTest:
    gain = _oriented(b, options) - _oriented(a, options) if paired else None
    if paired:
        if summary is None:
            summary = _paired_summaries(
                [(first, second, pair, statistic, a, b)], options, split_sizes
            )[0]
        r_plus, r_minus, effect = summary.r_plus, summary.r_minus, summary.rank_biserial
        mean, low, high = summary.mean, summary.ci_low, summary.ci_high
        n, n_nonzero = int(a.size), int(np.count_nonzero(gain))
        name = "rank-biserial"
        method = method or (choose_method(gain) if test == "wilcoxon" else _PAIR_METHODS.get(test, ""))
    else:
        r_plus = r_minus = float("nan")
        effect = effect_sizes.cliffs_delta(
            a, b, higher_is_better=options.higher_is_better, confidence_level=options.confidence_level
        ).estimate
        welch = _two_sample.welch_t(a, b, confidence_level=options.confidence_level)
        mean, low, high = welch.estimate, welch.ci_low, welch.ci_high
        n, n_nonzero = int(a.size + b.size), 0
        name = "Glass rank-biserial (Cliff's delta)"
        method = method or _PAIR_METHODS.get(test, "")
    return PairwiseTest(
        model_a=first, model_b=second, test=test, statistic=float(statistic), pvalue=pair.pvalue,
        pvalue_adjusted=pair.pvalue_adjusted, reject=bool(pair.reject), effect_size=effect,
        effect_size_name=name, mean_difference=float(mean), ci_low=float(low), ci_high=float(high),
        n=n, method=method, r_plus=float(r_plus), r_minus=float(r_minus), n_nonzero=n_nonzero,
        correction=correction,
    )


def _corrected_interval(differences: np.ndarray, split_sizes: tuple[int, int],
                        level: float) -> tuple[float, float, float]:
    """Return the mean difference and its Nadeau–Bengio interval, the one its p-value inverts.

    Constant differences give a NaN interval, as the test gives a NaN p-value.
    """
    n_train, n_test = split_sizes
    mean = float(np.mean(differences))
    with warnings.catch_warnings():
        # The pairwise test has already warned about constant differences.
        warnings.simplefilter("ignore", DegenerateDataWarning)
        test = _two_sample.nadeau_bengio_t(differences, n_train=n_train, n_test=n_test,
                                           confidence_level=level)
    return mean, float(test.ci_low), float(test.ci_high)


def _effect_size(a: np.ndarray, b: np.ndarray, options: Options, paired: bool,
                 parametric: bool, *, split_sizes: tuple[int, int] | None = None,
                 ) -> effect_sizes.EffectSize:
    """Return Cohen's d_z or Hedges' g after a parametric test, else a rank-biserial correlation.

    With `split_sizes` (cross-validation splits as blocks), d_z comes without
    an interval: its noncentral t interval assumes independent blocks, and
    the splits share training data.
    """
    common = {"higher_is_better": options.higher_is_better, "confidence_level": options.confidence_level}
    if paired and parametric and split_sizes is not None:
        return _split_dz(a, b, options)
    if paired and parametric:
        try:
            return effect_sizes.cohens_dz(a, b, **common)
        except ValueError:
            return _dz_without_interval(a, b, options)
    if paired:
        return effect_sizes.rank_biserial(
            a, b, paired=True, zero_method=options.zero_method, n_resamples=EFFECT_SIZE_RESAMPLES,
            rng=np.random.default_rng(EFFECT_SIZE_SEED), **common,
        )
    if parametric:
        return effect_sizes.hedges_g(a, b, paired=False, **common)
    return effect_sizes.cliffs_delta(a, b, **common)


def _split_dz(a: np.ndarray, b: np.ndarray, options: Options) -> effect_sizes.EffectSize:
    """Return Cohen's d_z over cross-validation splits, without an interval.

    The noncentral t interval of `effect_sizes.cohens_dz` assumes independent
    blocks, and the splits share training data, so it would be too narrow.
    Constant differences give NaN, as in `cohens_dz`; the pairwise test has
    already warned about them.
    """
    d = (a - b) if options.higher_is_better else (b - a)
    if _is_constant(d):
        estimate, magnitude = float("nan"), ""
    else:
        estimate = float(np.mean(d) / np.std(d, ddof=1))
        magnitude = effect_sizes._magnitude(estimate, effect_sizes.COHEN_D_THRESHOLDS)
    return effect_sizes.EffectSize(
        name="Cohen's d_z", estimate=estimate, ci_low=float("nan"), ci_high=float("nan"),
        confidence_level=options.confidence_level,
        ci_method="none (the noncentral t interval assumes independent blocks, and "
                  "cross-validation splits share training data)",
        magnitude=magnitude, magnitude_source="Cohen 1988",
        n=int(d.size), higher_is_better=options.higher_is_better,
    )


def _dz_without_interval(a: np.ndarray, b: np.ndarray, options: Options) -> effect_sizes.EffectSize:
    """Return Cohen's d_z with a NaN interval, for when the noncentral t inversion fails.

    NOTE: ``_effect_sizes.cohens_dz`` raises ValueError when t is so large
    (about 1e7 and above) that scipy's noncentral t cdf returns NaN inside its
    root search; the estimate itself is still well defined.
    """
    d = (a - b) if options.higher_is_better else (b - a)
    estimate = float(np.mean(d) / np.std(d, ddof=1))
    return effect_sizes.EffectSize(
        name="Cohen's d_z", estimate=estimate, ci_low=float("nan"), ci_high=float("nan"),
        confidence_level=options.confidence_level,
        ci_method="none (the noncentral t inversion failed at this extreme t)",
        magnitude="large" if abs(estimate) >= 0.8 else "", magnitude_source="Cohen 1988",
        n=int(d.size), higher_is_better=options.higher_is_better,
    )
