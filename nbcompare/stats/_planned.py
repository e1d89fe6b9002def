"""The `compare` path with a design, a test choice and post-hoc tests: from rows to a Comparison.

`compare` takes this path when any of ``test``, ``posthoc``, ``paired`` or
``blocks`` is given, when ``missing="skillings_mack"``, or when the data have
``fold``/``repeat`` columns. Otherwise it keeps its original procedure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.power import TTestIndPower, TTestPower

from nbcompare.exceptions import MissingTrialsWarning
from nbcompare.stats import _auto
from nbcompare.stats._cliques import cliques
from nbcompare.stats._design import (
    SPLIT_COLUMNS,
    Design,
    PendingWarning,
    block_keys,
    build_design,
    choose_blocks,
    choose_pairing,
    independent_samples_of,
    select_metric_rows,
    _UNITS,
)
from nbcompare.stats._intervals import t_intervals
from nbcompare.stats._power import min_attainable_pvalue
from nbcompare.stats._procedures import Options, Outcome, run_independent, run_paired
from nbcompare.stats._ranks import best_first_order, block_ranks, orient_lower_is_better
from nbcompare.stats._results import CandidateSummary, Comparison

# Power at which the minimal detectable effect is stated.
_TARGET_POWER = 0.8


@dataclass(frozen=True)
class Choices:
    """The design and test options of `compare`, None where detection decides."""

    test: str | None
    posthoc: str | None
    paired: bool | None
    blocks: str | None
    rank_posthoc: str


def uses_planned_path(frame: pd.DataFrame, choices: Choices, missing: str) -> bool:
    """Return whether `compare` must leave its original procedure for these options and data."""
    return (
        choices.test is not None
        or choices.posthoc is not None
        or choices.paired is not None
        or choices.blocks is not None
        or missing != "complete_blocks"
        or any(column in frame.columns for column in SPLIT_COLUMNS)
    )


def compare_planned(
    frame: pd.DataFrame,
    metric: str,
    higher_is_better: bool,
    options,
    choices: Choices,
    summarize: Callable[..., CandidateSummary],
) -> tuple[Comparison, list[PendingWarning]]:
    """Build the Comparison of one metric along the planned path, and the warnings to emit."""
    rows = select_metric_rows(frame, metric, options.candidates, keep_split_columns=True)
    blocks, reasons = choose_blocks(rows, choices.blocks)
    pending: list[PendingWarning] = []
    notes: list[str] = []
    rows, averaged_note = _average_splits_within_seed(rows, blocks)
    if averaged_note:
        reasons.append(averaged_note)
    keys = block_keys(rows, blocks)
    paired, pairing_reasons = choose_pairing(rows, keys, blocks, choices.paired)
    reasons.extend(pairing_reasons)
    settings = Options(options.alpha, options.confidence_level, options.correction,
                       options.zero_method, higher_is_better)

    if paired:
        block_design = build_design(
            rows, metric, min_blocks=2, min_candidates=2, blocks=blocks,
            keep_incomplete=options.missing == "skillings_mack",
        )
        notes.extend(block_design.notes)
        pending.extend(block_design.warnings)
        raw = block_design.matrix.to_numpy(dtype=float)
        names, ranks = _paired_order(list(block_design.matrix.columns), raw, higher_is_better)
        column = [list(block_design.matrix.columns).index(name) for name in names]
        values, ranks = raw[:, column], ranks[:, column]
        matrix = block_design.matrix[names]
        dropped = block_design.dropped_blocks
        complete = values[~np.isnan(values).any(axis=1)]
        checks = _auto.paired_checks(complete, names, options.alpha)
        n_blocks = len(values)
    else:
        samples, display, sample_notes = independent_samples_of(rows, keys)
        notes.extend(sample_notes)
        pending.extend((MissingTrialsWarning, f"Metric {metric!r}: {note}") for note in sample_notes)
        names, sample_ranks = _independent_order(samples, higher_is_better)
        matrix = display[names]
        dropped = ()
        checks = _auto.independent_checks({name: samples[name] for name in names}, options.alpha)
        n_blocks = min(sample.size for sample in samples.values())

    n_folds, folds_problem = _count_folds(rows) if blocks == "fold" else (None, "")
    design = Design(paired=paired, k=len(names), blocks=blocks, n_blocks=n_blocks,
                    unit=_UNITS[blocks], reasons=tuple(reasons), n_folds=n_folds)
    posthoc = choices.posthoc
    if choices.test is None and posthoc is None and paired and design.k > 2 and blocks != "fold":
        posthoc = "wilcoxon"
    plan = _auto.choose_plan(design, checks, _resolved_test(choices.test, design, options.missing),
                             posthoc, rank_posthoc=choices.rank_posthoc, missing=options.missing)
    if choices.test is None:
        plan = _mark_default(plan)
    if plan.test == "nadeau-bengio" and n_folds is None:
        raise ValueError(
            f"Metric {metric!r}: the Nadeau–Bengio test needs the number of folds k to set "
            f"n_test / n_train = 1 / (k - 1), but {folds_problem} Add a 'fold' column that "
            "numbers the k >= 2 folds within each repeat, or pass blocks='seed' to average "
            "the splits within each seed."
        )
    pending.extend((_auto.MethodSwitchWarning, f"Metric {metric!r}: {text}") for text in plan.switches)
    notes.extend(sentence for sentence in plan.reasons if "may be inaccurate" in sentence)

    if blocks == "fold":
        notes.append(
            "The confidence intervals of the candidates' means treat the cross-validation "
            "splits as independent samples, but the splits share training data, so these "
            "intervals are too narrow."
        )
    if paired:
        outcome = run_paired(plan, values, names, settings, n_folds)
        intervals = _complete_column_intervals(values, options.confidence_level)
        summary = tuple(
            summarize(name, _finite(values[:, index]), _finite_ranks(ranks[:, index]), options.confidence_level,
                      interval=intervals[index])
            for index, name in enumerate(names)
        )
    else:
        outcome = run_independent(plan, samples, names, settings)
        summary = tuple(
            summarize(name, samples[name], sample_ranks[name], options.confidence_level)
            for name in names
        )

    if paired and blocks != "fold":
        pending.extend(_unreachable_alpha_warnings(metric, plan, design, outcome.family_size, options))

    correction = outcome.posthoc.correction if outcome.posthoc is not None else options.correction
    comparison = Comparison(
        metric=metric,
        higher_is_better=higher_is_better,
        alpha=options.alpha,
        confidence_level=options.confidence_level,
        correction=correction,
        zero_method=options.zero_method,
        blocks=blocks,
        n_blocks=n_blocks,
        candidates=tuple(names),
        summary=summary,
        omnibus=outcome.omnibus,
        pairwise=outcome.pairwise,
        family_size=outcome.family_size,
        dropped_blocks=tuple(dropped),
        notes=tuple(notes),
        matrix=matrix,
        missing=options.missing,
        design=design,
        requested_test="" if choices.test is None else choices.test,
        reasons=tuple(design.reasons) + plan.reasons,
        assumptions=plan.checks,
        posthoc=outcome.posthoc,
        cliques=_cliques_of(outcome, names, options.alpha),
        effect_sizes=outcome.effect_sizes,
        power=_power_notes(design, plan, outcome, options.alpha),
    )
    return comparison, pending


def _resolved_test(test: str | None, design: Design, missing: str) -> str:
    """Return the test to request when the caller gave none: the design's default test.

    That is a rank test, except on cross-validation splits, where it is the
    Nadeau–Bengio test.
    """
    if test is not None:
        return test
    if missing == "skillings_mack" and design.k > 2:
        return "skillings-mack"
    if design.blocks == "fold":
        return "nadeau-bengio"
    if design.paired:
        return "wilcoxon" if design.k == 2 else "friedman"
    return "mann-whitney" if design.k == 2 else "kruskal-wallis"


def _count_folds(rows: pd.DataFrame) -> tuple[int | None, str]:
    """Return the number of folds per cross-validation run, or None and the reason it is unknown.

    A run is one (seed, repeat) pair, so fold labels may restart in every
    repeat or run on across repeats. Runs with different numbers of folds
    leave k unknown, because n_test / n_train = 1 / (k - 1) must be one value.
    """
    if "fold" not in rows.columns:
        return None, "the data have no 'fold' column."
    runs = ["seed", *(["repeat"] if "repeat" in rows.columns else [])]
    counts = rows.groupby(runs, sort=True)["fold"].nunique()
    distinct = sorted(set(counts.tolist()))
    if len(distinct) > 1:
        return None, f"the cross-validation runs ({runs}) have different numbers of folds {distinct}."
    if distinct[0] < 2:
        return None, f"each cross-validation run ({runs}) has {distinct[0]} fold."
    return int(distinct[0]), ""


def _mark_default(plan: _auto.Plan) -> _auto.Plan:
    """Record that the test came from the defaults, not from a `test` option."""
    first = f"The default test for this design, {plan.test}, was used (test=None)."
    return _auto.Plan(plan.test, plan.posthoc, "", (first, *plan.reasons[1:]), plan.checks, plan.switches)


def _average_splits_within_seed(rows: pd.DataFrame, blocks: str) -> tuple[pd.DataFrame, str]:
    """With seeds as blocks and split columns present, average each seed's splits first."""
    split_columns = [column for column in SPLIT_COLUMNS if column in rows.columns]
    if blocks != "seed" or not split_columns:
        return rows, ""
    grouped = rows.groupby(["candidate", "task", "seed", "metric"], as_index=False, sort=True)
    averaged = grouped["value"].mean()
    return averaged, (
        f"Each seed's value is the mean over its cross-validation splits ({split_columns}), "
        "so the seeds are the blocks; missing splits are left out of the means."
    )


def _paired_order(names: list[str], values: np.ndarray, higher_is_better: bool) -> tuple[list[str], np.ndarray]:
    """Return the names best first and the within-block ranks (NaN where a value is missing)."""
    oriented = orient_lower_is_better(values, higher_is_better)
    ranks = np.full(values.shape, np.nan)
    for row in range(values.shape[0]):
        present = ~np.isnan(oriented[row])
        ranks[row, present] = block_ranks(oriented[row, present][np.newaxis, :])[0]
    mean_ranks = np.nanmean(ranks, axis=0)
    order = best_first_order(names, mean_ranks, np.nanmean(oriented, axis=0))
    return [names[index] for index in order], ranks


def _independent_order(samples: dict[str, np.ndarray], higher_is_better: bool) -> tuple[list[str], dict[str, np.ndarray]]:
    """Return the names best first by mean pooled rank (1 = best) and each sample's pooled ranks."""
    names = sorted(samples)
    pooled = np.concatenate([samples[name] for name in names])
    ranks = stats.rankdata(orient_lower_is_better(pooled, higher_is_better))
    bounds = np.cumsum([0] + [samples[name].size for name in names])
    by_name = {name: ranks[bounds[i]:bounds[i + 1]] for i, name in enumerate(names)}
    means = np.array([by_name[name].mean() for name in names])
    oriented_means = np.array([orient_lower_is_better(samples[name], higher_is_better).mean() for name in names])
    order = best_first_order(names, means, oriented_means)
    return [names[index] for index in order], by_name


def _nadeau_bengio_detectable_effect(n_splits: int, n_folds: int, level: float) -> float:
    """Return the |d_z| at which the two-sided Nadeau–Bengio test has `_TARGET_POWER`.

    The corrected t is taken as noncentral t with ``n_splits - 1`` df and
    noncentrality ``d_z / sqrt(1 / n_splits + 1 / (n_folds - 1))``, the
    noncentral t that TTestPower uses with the Nadeau–Bengio variance factor in
    place of ``1 / n``. scipy.optimize.brentq solves for d_z.
    """
    df = n_splits - 1
    scale = np.sqrt(1 / n_splits + 1 / (n_folds - 1))
    critical = stats.t.isf(level / 2, df)

    def shortfall(effect: float) -> float:
        noncentrality = effect / scale
        power = stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality)
        return float(power - _TARGET_POWER)

    upper = 1.0
    while shortfall(upper) < 0:
        upper *= 2
    return float(optimize.brentq(shortfall, 0.0, upper))


def _complete_column_intervals(
    values: np.ndarray, confidence_level: float
) -> list[tuple[float, float, float] | None]:
    """Return `t_interval` of each column, computed in one call, or None per column if a value is missing."""
    if np.isnan(values).any():
        return [None] * values.shape[1]
    means, lows, highs = t_intervals(values.T, confidence_level)
    return [(float(mean), float(low), float(high)) for mean, low, high in zip(means, lows, highs)]


def _finite(values: np.ndarray) -> np.ndarray:
    return values[~np.isnan(values)]


def _finite_ranks(ranks: np.ndarray) -> np.ndarray:
    return ranks[~np.isnan(ranks)]


def _cliques_of(outcome: Outcome, names: list[str], alpha: float) -> tuple[tuple[str, ...], ...]:
    """Group the candidates that no rejected pair separates, from the pairs' reject flags."""
    position = {name: index for index, name in enumerate(names)}
    pvalues = np.ones((len(names), len(names)))
    for test in outcome.pairwise:
        # A rejected pair gets p = 0 and any other pair p = 1, so the clique
        # rule "p <= alpha" reproduces the reject flags exactly.
        a, b = position[test.model_a], position[test.model_b]
        pvalues[a, b] = pvalues[b, a] = 0.0 if test.reject else 1.0
    matrix = pd.DataFrame(pvalues, index=names, columns=names)
    return cliques(matrix, names, alpha=alpha)


def _unreachable_alpha_warnings(metric: str, plan: _auto.Plan, design: Design, family_size: int,
                                options) -> list[PendingWarning]:
    """Warn, as the default procedure does, when the chosen rank tests cannot reach alpha.

    The Friedman note applies when the omnibus test is Friedman's, and the
    Wilcoxon note when the test or the post-hoc test is the signed-rank test.
    """
    from nbcompare.stats._compare import _small_sample_notes

    uses_friedman = plan.test == "friedman"
    uses_wilcoxon = "wilcoxon" in (plan.test, plan.posthoc)
    if not (uses_friedman or uses_wilcoxon):
        return []
    warnings = []
    for category, text in _small_sample_notes(design.blocks, design.n_blocks, design.k,
                                              max(family_size, 1), options):
        is_friedman_note = "Friedman" in text
        if (is_friedman_note and uses_friedman) or (not is_friedman_note and uses_wilcoxon):
            warnings.append((category, f"Metric {metric!r}: {text}"))
    return warnings


def _power_notes(design: Design, plan: _auto.Plan, outcome: Outcome, alpha: float) -> tuple[str, ...]:
    """State the smallest standardized effect the pairwise tests detect with 80% power.

    The level is the Bonferroni level ``alpha / m`` over the m pairs, the
    level of the first step of Holm's procedure. The t test power comes from
    statsmodels; rank tests have similar power for normal data (asymptotic
    relative efficiency 3/pi = 0.955 for the Wilcoxon test). The Nadeau–Bengio
    test's power uses its corrected variance, in `_nadeau_bengio_detectable_effect`.
    """
    family = max(outcome.family_size, 1)
    level = alpha / family
    notes = []
    if design.paired and plan.test == "nadeau-bengio" and design.n_folds is not None:
        n = design.n_blocks
        effect = _nadeau_bengio_detectable_effect(n, design.n_folds, level)
        notes.append(
            f"With {n} splits of {design.n_folds}-fold cross-validation, a two-sided "
            f"Nadeau–Bengio test at the Bonferroni level {alpha:g}/{family} = {level:.3g} has "
            f"{_TARGET_POWER:.0%} power only for |Cohen's d_z| >= {effect:.2f}, with d_z the "
            "mean over the standard deviation of the split-wise differences. This is an "
            "approximation that takes the corrected t as noncentral t with "
            f"df = {n - 1} and noncentrality d_z / sqrt(1/{n} + 1/{design.n_folds - 1}). "
            "More repeats cannot push that noncentrality above "
            f"d_z * sqrt({design.n_folds - 1})."
        )
    elif design.paired:
        n = design.n_blocks
        if n >= 2:
            effect = TTestPower().solve_power(effect_size=None, nobs=n, alpha=level, power=_TARGET_POWER)
            notes.append(
                f"With {n} blocks, a two-sided paired t test at the Bonferroni level "
                f"{alpha:g}/{family} = {level:.3g} has {_TARGET_POWER:.0%} power only for "
                f"|Cohen's d_z| >= {float(effect):.2f} (statsmodels TTestPower)."
            )
        if plan.test in ("wilcoxon", "friedman", "skillings-mack") or plan.posthoc == "wilcoxon":
            bound = float(min_attainable_pvalue("wilcoxon", n))
            if bound > level:
                notes.append(
                    f"No Wilcoxon signed-rank p-value can fall below 2/2**{n} = {bound:.3g}, "
                    f"above the Bonferroni level {level:.3g}, so a pairwise Wilcoxon test may "
                    "be unable to reject at all."
                )
    else:
        n = design.n_blocks
        if n >= 2:
            effect = TTestIndPower().solve_power(effect_size=None, nobs1=n, alpha=level, power=_TARGET_POWER)
            notes.append(
                f"With {n} values per candidate, a two-sided two-sample t test at the Bonferroni "
                f"level {level:.3g} has {_TARGET_POWER:.0%} power only for |Hedges' g| >= "
                f"{float(effect):.2f} (statsmodels TTestIndPower, equal group sizes)."
            )
    return tuple(notes)
