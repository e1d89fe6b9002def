"""``compare``, ``analyze`` and ``describe``: validation, design, tests and assembly."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from nbcompare.exceptions import DegenerateDataWarning, SmallSampleWarning
from nbcompare.stats._correction import (
    adjust_pvalues,
    correction_label,
    normalize_correction,
    smallest_adjusted_pvalue,
)
from nbcompare.stats._auto import PAIRED_POSTHOCS, validate_posthoc, validate_test
from nbcompare.stats._design import (
    _UNITS,
    BLOCK_CHOICES,
    Design,
    PendingWarning,
    build_design,
    resolve_direction,
    select_metric_rows,
    unwrap_data,
    validate_direction,
    validate_missing,
)
from nbcompare.stats._friedman import friedman_min_pvalue, friedman_test
from nbcompare.stats._intervals import t_interval, t_intervals
from nbcompare.stats._planned import Choices, compare_planned, uses_planned_path
from nbcompare.stats._ranks import best_first_order, block_ranks, orient_lower_is_better
from nbcompare.stats._results import (
    SUMMARY_COLUMNS,
    Analysis,
    CandidateSummary,
    Comparison,
    OmnibusTest,
    PairwiseTest,
)
from nbcompare.stats._signed_rank import (
    METHOD_ASYMPTOTIC,
    METHOD_UNDEFINED,
    SignedRankResult,
    min_signed_rank_pvalue,
    signed_rank_tests,
    validate_zero_method,
)

_DEFAULT_DESIGN_REASONS = {
    "seed": "The data have one task, so each seed is a block and the design is paired.",
    "task": (
        "The data have several tasks, so the experimental unit is the task: each "
        "candidate's values are averaged over seeds within a task, and the tasks are "
        "the blocks (Demšar 2006)."
    ),
}

# Largest number of blocks searched when a note states how many would be needed.
_MAX_BLOCKS_SEARCHED = 10_000


@dataclass(frozen=True)
class _Options:
    alpha: float
    confidence_level: float
    correction: str
    zero_method: str
    missing: str
    candidates: tuple[str, ...] | None


@dataclass(frozen=True)
class _PairOutcome:
    model_a: str
    model_b: str
    signed_rank: SignedRankResult
    mean_difference: float
    ci_low: float
    ci_high: float


def compare(
    data: Any,
    metric: str,
    *,
    higher_is_better: bool | None = None,
    alpha: float = 0.05,
    confidence_level: float = 0.95,
    correction: str = "holm",
    zero_method: str = "wilcox",
    missing: str = "complete_blocks",
    candidates: Sequence[str] | None = None,
    test: str | None = None,
    posthoc: str | None = None,
    paired: bool | None = None,
    blocks: str | None = None,
    rank_posthoc: str = "nemenyi",
) -> Comparison:
    """Compare candidates on one metric with paired non-parametric tests.

    The design is a complete block design. With one task the blocks are the
    seeds, and values that share a seed are paired. With several tasks each
    candidate's values are averaged over seeds within each task and the blocks
    are the tasks, as Demšar (2006, "Statistical Comparisons of Classifiers over
    Multiple Data Sets", JMLR 7) recommends.

    Tests, all computed by scipy and statsmodels:

    * Omnibus, k >= 3 candidates: Friedman test (scipy.stats.friedmanchisquare,
      tie-corrected, chi-square approximation with k - 1 df) of H0: within every
      block all orderings of the candidates are equally likely.
    * Omnibus, k = 2, and every pair: two-sided Wilcoxon signed-rank test
      (scipy.stats.wilcoxon) of H0: the paired differences are symmetric about
      zero. The p-value method is the one scipy 1.17's ``method="auto"`` picks,
      chosen here explicitly and stored: "exact" without ties or zero
      differences and n <= 50, "permutation" (all 2**n sign flips, exact given
      the ties) with ties or zeros and n <= 13, else "asymptotic" (normal
      approximation with tie correction, no continuity correction).
    * The pairwise p-values form one family, adjusted by statsmodels'
      ``multipletests(method=correction)``, except that Holm's adjustment is
      computed in nbcompare with the same steps and results (see
      ``_correction.holm_adjusted``). A pair whose p-value is undefined
      (NaN) is left out of the family, keeps a NaN adjusted p-value and is not
      rejected.

    Effect size of a pair (model_a, model_b): the matched-pairs rank-biserial
    correlation ``r = (R+ - R-) / (R+ + R-)`` (Kerby 2014), where R+ and R- are
    the rank sums of the blocks in which model_a is better and worse in the
    metric's direction. Zero differences follow `zero_method`: "wilcox" drops
    them, "pratt" ranks them but counts them in neither sum, and "zsplit" adds
    half of their ranks to each sum, which pulls r toward 0. r is NaN when
    both sums are zero. The raw mean difference ``model_a - model_b`` (not
    oriented by the direction) comes with a paired t confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame or ResultSet
        Long format with columns ``candidate``, ``task``, ``seed``, ``metric``
        and ``value`` (NaN for a failed trial); other columns are ignored. Or an
        object with such a DataFrame as ``.frame`` and a mapping ``.metrics``
        from metric name to an object with a bool ``higher_is_better``.
    metric : str
        Metric to compare.
    higher_is_better : bool, optional
        Direction of the metric. Required for a DataFrame; for a ResultSet it
        defaults to ``data.metrics[metric].higher_is_better``.
    alpha : float, default 0.05
        Significance level, 0 < alpha < 1.
    confidence_level : float, default 0.95
        Level of every t confidence interval, between 0 and 1.
    correction : str, default "holm"
        Any method name that statsmodels' ``multipletests`` accepts.
    zero_method : {"wilcox", "pratt", "zsplit"}, default "wilcox"
        Handling of zero differences in the Wilcoxon tests and their effect sizes.
    missing : {"complete_blocks", "skillings_mack"}, default "complete_blocks"
        Missing-data policy. "complete_blocks" drops every block in which some
        candidate has no value and emits MissingTrialsWarning. "skillings_mack"
        keeps every block with at least 2 values, runs the Skillings–Mack test
        and tests each pair on the blocks it shares; the notes name the
        incomplete and dropped blocks. With tasks as
        blocks, a candidate's task mean uses the seeds that have a value and
        counts as missing only when no seed has one.
    candidates : sequence of str, optional
        Compare only these candidates (at least 2). Default: all.
    test : str, optional
        None (default) keeps the procedure above, unless another option below,
        ``missing="skillings_mack"`` or ``fold``/``repeat`` columns in the data
        require the planned path, which then runs the default rank test of the
        design. ``"auto"`` checks the assumptions (Shapiro–Wilk, Mauchly,
        Levene) and chooses the test; `Comparison.reasons` says why. A test
        name runs that test: ``"paired-t"``, ``"wilcoxon"``, ``"sign"``,
        ``"permutation"`` (2 paired candidates); ``"nadeau-bengio"``
        (cross-validation splits as blocks; with k >= 3 the omnibus result is
        the global test of the corrected pairwise tests);
        ``"friedman"``, ``"iman-davenport"``, ``"rm-anova"``,
        ``"skillings-mack"`` (k paired); ``"welch-t"``, ``"mann-whitney"``
        (2 independent); ``"anova"``, ``"welch-anova"``, ``"kruskal-wallis"``
        (k independent). The assumption checks are recorded in every case.
    posthoc : str, optional
        Pairwise procedure for k >= 3: ``"nemenyi"``, ``"conover"``,
        ``"wilcoxon"``, ``"paired-t"`` (paired), ``"nadeau-bengio"`` (fold
        blocks) or ``"tukey-hsd"``, ``"dunn"``,
        ``"welch-t"`` (independent). Default: chosen with the test.
    paired : bool, optional
        Force a paired (True) or independent-samples (False) analysis. Default:
        paired when at least 2 blocks are shared by every candidate.
    blocks : {"seed", "task", "fold"}, optional
        What a block is. Default: the task with several tasks, the
        cross-validation split with ``fold``/``repeat`` columns, else the seed.
    rank_posthoc : str, default "nemenyi"
        Post-hoc procedure after a Friedman test chosen by ``test="auto"``.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        For an invalid option, a metric or candidate not in the data, duplicated
        trials, infinite values, fewer than 2 candidates or fewer than 2 complete
        blocks.

    Warns
    -----
    MissingTrialsWarning
        When blocks are dropped or task means use fewer seeds than the task has.
    SmallSampleWarning
        When no p-value can reach `alpha` with this many blocks. The note states
        the minimum number of blocks needed.
    DegenerateDataWarning
        When a test is undefined, for example because all differences are zero.
    MethodSwitchWarning
        When a requested k-candidate test is replaced by its two-sample form
        because there are only 2 candidates.

    Notes
    -----
    Differences are not rounded, so values that are equal only up to
    floating-point error (``0.768 - 0.763`` and ``0.936 - 0.931``) get distinct
    ranks. Round the values to their recorded precision first if ties matter.
    The permutation method enumerates up to 2**13 sign patterns per pair. scipy
    1.17 evaluates the statistic once per pattern, which took about a second
    per pair at 13 blocks on a 2-core machine.
    """
    frame, metric_specs = unwrap_data(data)
    direction = resolve_direction(metric, higher_is_better, metric_specs)
    options = _validate_options(alpha, confidence_level, correction, zero_method, missing, candidates)
    choices = _validate_choices(test, posthoc, paired, blocks, rank_posthoc)
    comparison, pending = _compare_any(frame, metric, direction, options, choices)
    _emit(pending)
    return comparison


def analyze(
    data: Any,
    metrics: Mapping[str, bool] | Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
    confidence_level: float = 0.95,
    correction: str = "holm",
    zero_method: str = "wilcox",
    missing: str = "complete_blocks",
    candidates: Sequence[str] | None = None,
    test: str | None = None,
    posthoc: str | None = None,
    paired: bool | None = None,
    blocks: str | None = None,
    rank_posthoc: str = "nemenyi",
) -> Analysis:
    """Run `compare` for each metric and collect the results.

    Each metric is its own family: the correction is applied within a metric,
    not across metrics.

    Parameters
    ----------
    data : pandas.DataFrame or ResultSet
        As for `compare`.
    metrics : mapping of str to bool, or sequence of str, optional
        Metric name to ``higher_is_better``. For a ResultSet the default is every
        metric in ``data.metrics`` that has rows, and a sequence of names takes
        the directions from ``data.metrics``.
    alpha, confidence_level, correction, zero_method, missing, candidates
        As for `compare`.
    test, posthoc, paired, blocks, rank_posthoc
        As for `compare`, applied to every metric.

    Returns
    -------
    Analysis
    """
    frame, metric_specs = unwrap_data(data)
    directions = _resolve_metric_directions(frame, metrics, metric_specs)
    options = _validate_options(alpha, confidence_level, correction, zero_method, missing, candidates)
    choices = _validate_choices(test, posthoc, paired, blocks, rank_posthoc)
    comparisons = []
    pending: list[PendingWarning] = []
    for metric, direction in directions.items():
        comparison, metric_pending = _compare_any(frame, metric, direction, options, choices)
        comparisons.append(comparison)
        pending.extend(metric_pending)
    _emit(pending)
    return Analysis(comparisons=tuple(comparisons))


def describe(
    data: Any,
    metric: str,
    confidence_level: float = 0.95,
    *,
    higher_is_better: bool | None = None,
    missing: str = "complete_blocks",
    candidates: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the per-candidate summary of one metric without running any test.

    The design and missing-data policy are those of `compare`, so the rows
    equal ``compare(...).summary_frame()`` for the same arguments. Without a
    known direction (a DataFrame and no `higher_is_better`) ``mean_rank`` is NaN
    and the rows are sorted by name; otherwise they are sorted best first. One
    candidate and one complete block are enough; the standard deviation and
    interval need two blocks and are NaN otherwise.

    Returns
    -------
    pandas.DataFrame
        Columns candidate, n, mean, std, ci_low, ci_high, median, mean_rank.
    """
    frame, metric_specs = unwrap_data(data)
    direction = None
    if higher_is_better is not None or (metric_specs is not None and metric in metric_specs):
        direction = resolve_direction(metric, higher_is_better, metric_specs)
    _validate_probability(confidence_level, "confidence_level")
    validate_missing(missing)
    rows = select_metric_rows(frame, metric, _validate_candidates(candidates))
    design = build_design(rows, metric, min_blocks=1, min_candidates=1)

    values = design.matrix.to_numpy(dtype=float)
    names = list(design.matrix.columns)
    if direction is None:
        ranks = np.full(values.shape, np.nan)
    else:
        oriented = orient_lower_is_better(values, direction)
        ranks = block_ranks(oriented)
        order = best_first_order(names, ranks.mean(axis=0), oriented.mean(axis=0))
        values, ranks, names = values[:, order], ranks[:, order], [names[i] for i in order]
    summary = [
        _summarize(name, values[:, column], ranks[:, column], confidence_level)
        for column, name in enumerate(names)
    ]
    _emit(list(design.warnings))
    return pd.DataFrame([vars(row) for row in summary], columns=list(SUMMARY_COLUMNS))


def _emit(pending: list[PendingWarning]) -> None:
    # stacklevel 3: _emit, then the public function, then its caller.
    for category, message in pending:
        warnings.warn(message, category, stacklevel=3)


def _validate_options(
    alpha: float,
    confidence_level: float,
    correction: str,
    zero_method: str,
    missing: str,
    candidates: Sequence[str] | None,
) -> _Options:
    return _Options(
        alpha=_validate_probability(alpha, "alpha"),
        confidence_level=_validate_probability(confidence_level, "confidence_level"),
        correction=normalize_correction(correction),
        zero_method=validate_zero_method(zero_method),
        missing=validate_missing(missing),
        candidates=_validate_candidates(candidates),
    )


def _validate_choices(
    test: str | None,
    posthoc: str | None,
    paired: bool | None,
    blocks: str | None,
    rank_posthoc: str,
) -> Choices:
    if test is not None:
        validate_test(test)
    validate_posthoc(posthoc)
    if rank_posthoc not in PAIRED_POSTHOCS:
        raise ValueError(
            f"rank_posthoc must be one of {list(PAIRED_POSTHOCS)}; got {rank_posthoc!r}."
        )
    if paired is not None and not isinstance(paired, (bool, np.bool_)):
        raise TypeError(f"paired must be True, False or None; got {paired!r}.")
    if blocks is not None and blocks not in BLOCK_CHOICES:
        raise ValueError(f"blocks must be one of {list(BLOCK_CHOICES)} or None; got {blocks!r}.")
    return Choices(test, posthoc, None if paired is None else bool(paired), blocks, rank_posthoc)


def _compare_any(
    frame: pd.DataFrame, metric: str, higher_is_better: bool, options: _Options, choices: Choices
) -> tuple[Comparison, list[PendingWarning]]:
    """Run the original procedure, or the planned path when an option or the data need it."""
    if uses_planned_path(frame, choices, options.missing):
        return compare_planned(frame, metric, higher_is_better, options, choices, _summarize)
    comparison, pending = _compare_metric(frame, metric, higher_is_better, options)
    design = Design(
        paired=True,
        k=len(comparison.candidates),
        blocks=comparison.blocks,
        n_blocks=comparison.n_blocks,
        unit=_UNITS[comparison.blocks],
        reasons=(_DEFAULT_DESIGN_REASONS[comparison.blocks],),
    )
    return replace(comparison, design=design, reasons=design.reasons), pending


def _validate_probability(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between 0 and 1; got {value!r}.")
    if not 0 < float(value) < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1; got {value!r}.")
    return float(value)


def _validate_candidates(candidates: Sequence[str] | None) -> tuple[str, ...] | None:
    if candidates is None:
        return None
    if isinstance(candidates, str):
        raise TypeError(
            f"candidates must be a list of candidate names, not the string {candidates!r}."
        )
    return tuple(str(name) for name in candidates)


def _resolve_metric_directions(
    frame: pd.DataFrame,
    metrics: Mapping[str, bool] | Sequence[str] | None,
    metric_specs: Mapping[str, Any] | None,
) -> dict[str, bool]:
    if isinstance(metrics, Mapping):
        return {
            str(name): validate_direction(direction, f"metrics[{name!r}]")
            for name, direction in metrics.items()
        }
    if metric_specs is None:
        raise ValueError(
            "metrics is required when data is a plain DataFrame: pass a mapping from "
            "metric name to higher_is_better, for example {'accuracy': True, 'loss': False}."
        )
    if metrics is None:
        present = set(frame["metric"]) if "metric" in frame.columns else set()
        names = [name for name in metric_specs if name in present]
        if not names:
            raise ValueError(
                f"none of the metrics in data.metrics ({list(metric_specs)}) has rows in data.frame."
            )
    elif isinstance(metrics, str):
        raise TypeError(f"metrics must be a mapping or a list of metric names, not the string {metrics!r}.")
    else:
        names = list(metrics)
    return {name: resolve_direction(name, None, metric_specs) for name in names}


def _compare_metric(
    frame: pd.DataFrame, metric: str, higher_is_better: bool, options: _Options
) -> tuple[Comparison, list[PendingWarning]]:
    """Build the Comparison of one metric and the warnings it raises."""
    rows = select_metric_rows(frame, metric, options.candidates)
    design = build_design(rows, metric, min_blocks=2, min_candidates=2)
    notes = list(design.notes)
    pending = list(design.warnings)

    values = design.matrix.to_numpy(dtype=float)
    names = list(design.matrix.columns)
    oriented = orient_lower_is_better(values, higher_is_better)
    ranks = block_ranks(oriented)
    order = best_first_order(names, ranks.mean(axis=0), oriented.mean(axis=0))
    values, oriented, ranks = values[:, order], oriented[:, order], ranks[:, order]
    names = [names[i] for i in order]
    matrix = design.matrix.iloc[:, order].copy()

    intervals = np.column_stack(t_intervals(values.T, options.confidence_level))
    summary = tuple(
        _summarize(
            name, values[:, column], ranks[:, column], options.confidence_level,
            interval=tuple(float(bound) for bound in intervals[column]),
        )
        for column, name in enumerate(names)
    )
    outcomes = _pair_outcomes(names, values, oriented, options)
    family = adjust_pvalues(
        np.array([outcome.signed_rank.pvalue for outcome in outcomes]),
        options.correction,
        options.alpha,
    )
    pairwise = tuple(
        _pairwise_test(outcome, adjusted, reject, options.correction)
        for outcome, adjusted, reject in zip(outcomes, family.adjusted, family.reject)
    )
    omnibus = _omnibus(oriented, outcomes, options.zero_method)

    n_blocks = len(matrix)
    for category, note in (
        _undefined_test_notes(outcomes, omnibus, options)
        + _small_sample_notes(design.blocks, n_blocks, len(names), family.family_size, options)
    ):
        notes.append(note)
        pending.append((category, f"Metric {metric!r}: {note}"))
    notes.extend(_zero_width_notes(summary, outcomes))

    comparison = Comparison(
        metric=metric,
        higher_is_better=higher_is_better,
        alpha=options.alpha,
        confidence_level=options.confidence_level,
        correction=options.correction,
        zero_method=options.zero_method,
        blocks=design.blocks,
        n_blocks=n_blocks,
        candidates=tuple(names),
        summary=summary,
        omnibus=omnibus,
        pairwise=pairwise,
        family_size=family.family_size,
        dropped_blocks=design.dropped_blocks,
        notes=tuple(notes),
        matrix=matrix,
        missing=options.missing,
    )
    return comparison, pending


def _summarize(
    name: str,
    values: np.ndarray,
    ranks: np.ndarray,
    confidence_level: float,
    interval: tuple[float, float, float] | None = None,
) -> CandidateSummary:
    # `interval` is t_interval(values, confidence_level) when the caller has
    # computed it already, for all candidates at once.
    mean, low, high = t_interval(values, confidence_level) if interval is None else interval
    std = float(np.std(values, ddof=1)) if values.size > 1 else float("nan")
    return CandidateSummary(
        candidate=name,
        n=int(values.size),
        mean=mean,
        std=std,
        ci_low=low,
        ci_high=high,
        median=float(np.median(values)),
        mean_rank=float(np.mean(ranks)),
    )


def _pair_outcomes(
    names: list[str], values: np.ndarray, oriented: np.ndarray, options: _Options
) -> list[_PairOutcome]:
    """Test every pair, the better-ranked candidate first.

    The signed-rank test receives ``oriented_b - oriented_a``, which is positive
    in the blocks where model_a is better. The mean difference is raw ``a - b``.
    """
    first, second = np.triu_indices(len(names), 1)
    favouring_first = (oriented[:, second] - oriented[:, first]).T
    signed_ranks = signed_rank_tests(favouring_first, options.zero_method)
    means, lows, highs = t_intervals(
        (values[:, first] - values[:, second]).T, options.confidence_level
    )
    return [
        _PairOutcome(
            names[a], names[b], signed_rank, float(mean), float(low), float(high)
        )
        for a, b, signed_rank, mean, low, high in zip(
            first, second, signed_ranks, means, lows, highs
        )
    ]


def _pairwise_test(
    outcome: _PairOutcome, adjusted: float, reject: bool, correction: str
) -> PairwiseTest:
    result = outcome.signed_rank
    return PairwiseTest(
        model_a=outcome.model_a,
        model_b=outcome.model_b,
        test="wilcoxon",
        statistic=result.statistic,
        pvalue=result.pvalue,
        pvalue_adjusted=float(adjusted),
        reject=bool(reject),
        effect_size=result.rank_biserial,
        effect_size_name="rank-biserial",
        mean_difference=outcome.mean_difference,
        ci_low=outcome.ci_low,
        ci_high=outcome.ci_high,
        n=result.n,
        method=result.method,
        r_plus=result.r_plus,
        r_minus=result.r_minus,
        n_nonzero=result.n_nonzero,
        correction=correction,
    )


def _omnibus(oriented: np.ndarray, outcomes: list[_PairOutcome], zero_method: str) -> OmnibusTest:
    n_blocks, k = oriented.shape
    if k == 2:
        result = outcomes[0].signed_rank
        return OmnibusTest(
            test="wilcoxon",
            statistic=result.statistic,
            pvalue=result.pvalue,
            df=None,
            k=k,
            n_blocks=n_blocks,
            alternative="two-sided",
            method=result.method,
            zero_method=zero_method,
        )
    result = friedman_test(oriented)
    return OmnibusTest(
        test="friedman",
        statistic=result.statistic,
        pvalue=result.pvalue,
        df=float(result.df),
        k=k,
        n_blocks=n_blocks,
        alternative="two-sided",
        method=METHOD_UNDEFINED if np.isnan(result.pvalue) else METHOD_ASYMPTOTIC,
        zero_method=None,
    )


def _undefined_test_notes(
    outcomes: list[_PairOutcome], omnibus: OmnibusTest, options: _Options
) -> list[tuple[type[Warning], str]]:
    label = correction_label(options.correction)
    notes = []
    for outcome in outcomes:
        if np.isnan(outcome.signed_rank.pvalue):
            notes.append((
                DegenerateDataWarning,
                f"The Wilcoxon test of {outcome.model_a!r} vs {outcome.model_b!r} is "
                f"undefined because all {outcome.signed_rank.n} differences are zero "
                f"(zero_method={options.zero_method!r} leaves nothing to rank). The pair "
                f"is left out of the {label} family and is not rejected.",
            ))
    if omnibus.test == "friedman" and np.isnan(omnibus.pvalue):
        notes.append((
            DegenerateDataWarning,
            "The Friedman test is undefined because all candidates tie in every block; "
            "its statistic and p-value are NaN.",
        ))
    return notes


def _small_sample_notes(
    blocks: str, n_blocks: int, k: int, family_size: int, options: _Options
) -> list[tuple[type[Warning], str]]:
    """Explain when too few blocks make a significant result impossible."""
    notes = []
    if k >= 3:
        min_pvalue = friedman_min_pvalue(n_blocks, k)
        if min_pvalue > options.alpha:
            needed = _first_reaching(
                n_blocks, lambda n: friedman_min_pvalue(n, k) <= options.alpha
            )
            notes.append((
                SmallSampleWarning,
                f"With {_count(n_blocks, blocks)} and {k} candidates the Friedman "
                f"statistic cannot exceed n(k - 1) = {n_blocks * (k - 1)}, so its p-value "
                f"(chi-square approximation) cannot fall below {min_pvalue:.4g}, which is "
                f"above alpha = {options.alpha:g}. {_needed_sentence(needed, blocks)}",
            ))

    bound = _pairwise_bound(n_blocks, family_size, options)
    if bound is not None and bound > options.alpha:
        needed = _first_reaching(
            n_blocks,
            lambda n: (_pairwise_bound(n, family_size, options) or 0.0) <= options.alpha,
        )
        min_pvalue = min_signed_rank_pvalue(n_blocks)
        if family_size == 1:
            consequence = (
                f"which is above alpha = {options.alpha:g}, so the test cannot reject."
            )
        else:
            consequence = (
                f"so even if every pair reached it, {correction_label(options.correction)} "
                f"adjustment over {family_size} tests would leave adjusted p-values of at "
                f"least {bound:.4g}, above alpha = {options.alpha:g}: no pair can be rejected."
            )
        notes.append((
            SmallSampleWarning,
            f"With {_count(n_blocks, blocks)}, no two-sided Wilcoxon signed-rank p-value "
            f"can fall below 2/2**{n_blocks} = {min_pvalue:.4g}, {consequence} "
            f"{_needed_sentence(needed, blocks)}",
        ))
    return notes


def _pairwise_bound(n_blocks: int, family_size: int, options: _Options) -> float | None:
    return smallest_adjusted_pvalue(
        min_signed_rank_pvalue(n_blocks), family_size, options.correction, options.alpha
    )


def _first_reaching(n_blocks: int, reaches: Any) -> int | None:
    for candidate_blocks in range(n_blocks + 1, _MAX_BLOCKS_SEARCHED + 1):
        if reaches(candidate_blocks):
            return candidate_blocks
    return None


def _needed_sentence(needed: int | None, blocks: str) -> str:
    if needed is None:
        return f"Even {_MAX_BLOCKS_SEARCHED} {blocks}s would not be enough."
    return f"At least {needed} {blocks}s are needed."


def _count(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _zero_width_notes(
    summary: tuple[CandidateSummary, ...], outcomes: list[_PairOutcome]
) -> list[str]:
    notes = []
    constant = [row.candidate for row in summary if row.n > 1 and row.ci_low == row.ci_high]
    if constant:
        notes.append(
            f"The values of {', '.join(map(repr, constant))} are identical in every block "
            "(up to floating-point rounding), so the t interval of the mean has zero width."
        )
    constant_pairs = [
        f"{outcome.model_a!r} - {outcome.model_b!r}"
        for outcome in outcomes
        if outcome.ci_low == outcome.ci_high and not np.isnan(outcome.ci_low)
    ]
    if constant_pairs:
        notes.append(
            f"The differences {', '.join(constant_pairs)} are identical in every block "
            "(up to floating-point rounding), so the t interval of their mean has zero width."
        )
    return notes
