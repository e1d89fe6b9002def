"""Paired statistical comparison of candidates trained over several seeds or tasks.

``compare`` tests one metric, ``analyze`` tests several, and ``describe``
summarizes one metric without testing. Blocks are the seeds of a single task
or, with several tasks, the tasks themselves (values averaged over seeds). The
omnibus test is Friedman's (k >= 3) or Wilcoxon's signed-rank test (k = 2), and
every pair gets a Wilcoxon signed-rank test, corrected for multiplicity, with a
rank-biserial effect size and a t interval of the mean difference.

With ``test="auto"`` (or a named test, ``posthoc``, ``paired`` or ``blocks``)
``compare`` detects the design, checks the assumptions of the parametric
tests and records why each test was chosen. ``rank_candidates`` ranks
candidates per metric and aggregates the ranks across metrics.

The procedures are also public on their own, for tables built by hand: two-sample
tests, effect sizes with intervals, omnibus and post-hoc tests with critical
differences and cliques, bootstrap and stratified-bootstrap intervals of
aggregates (mean, median, IQM, optimality gap, probability of improvement),
power and sample size, and Bayesian comparisons with a region of practical
equivalence.
"""

from nbcompare.stats._assumptions import AssumptionCheck
from nbcompare.exceptions import MethodSwitchWarning
from nbcompare.stats._compare import analyze, compare, describe
from nbcompare.stats._design import Design
from nbcompare.stats._incomplete import SkillingsMackResult, skillings_mack
from nbcompare.stats._ranking import rank_candidates
from nbcompare.stats._aggregates import (
    AggregateDifference,
    AggregateIntervals,
    ImprovementProbability,
    aggregate_difference_interval,
    aggregate_interval,
    probability_of_improvement,
)
from nbcompare.stats._bayes import BayesianComparison, bayesian_correlated_t_test, bayesian_signed_rank_test
from nbcompare.stats._bootstrap import Interval, difference_interval, mean_interval
from nbcompare.stats._cliques import cliques
from nbcompare.stats._effect_sizes import (
    EffectSize,
    cliffs_delta,
    cohens_dav,
    cohens_dz,
    eta_squared,
    hedges_g,
    kendalls_w,
    partial_eta_squared,
    rank_biserial,
)
from nbcompare.stats._effect_sizes import probability_of_improvement as common_language_effect_size
from nbcompare.stats._omnibus import (
    OmnibusResult,
    friedman,
    iman_davenport,
    kruskal_wallis,
    one_way_anova,
    rm_anova,
    welch_anova,
)
from nbcompare.stats._posthoc import (
    PairResult,
    PosthocResult,
    bonferroni_dunn,
    conover_friedman,
    critical_difference,
    dunn,
    holm_vs_control,
    nemenyi,
    nemenyi_q,
    pairwise_nadeau_bengio,
    pairwise_ttest,
    pairwise_wilcoxon,
    tukey_hsd,
)
from nbcompare.stats._power import (
    paired_t_power,
    paired_t_sample_size,
    min_attainable_pvalue,
    seeds_needed_to_reach_alpha,
    simulated_power,
    simulated_sample_size,
)
from nbcompare.stats._two_sample import (
    TwoSampleTest,
    mann_whitney,
    mcnemar,
    nadeau_bengio_t,
    paired_permutation_test,
    paired_t,
    sign_test,
    welch_t,
    wilcoxon_signed_rank,
)
from nbcompare.stats._results import (
    Analysis,
    CandidateSummary,
    Comparison,
    OmnibusTest,
    PairEffectSize,
    PairwiseTest,
)

__all__ = [
    "AggregateDifference",
    "AggregateIntervals",
    "Analysis",
    "AssumptionCheck",
    "BayesianComparison",
    "CandidateSummary",
    "Comparison",
    "Design",
    "EffectSize",
    "ImprovementProbability",
    "Interval",
    "MethodSwitchWarning",
    "OmnibusResult",
    "OmnibusTest",
    "PairEffectSize",
    "PairResult",
    "PairwiseTest",
    "PosthocResult",
    "SkillingsMackResult",
    "TwoSampleTest",
    "aggregate_difference_interval",
    "aggregate_interval",
    "analyze",
    "bayesian_correlated_t_test",
    "bayesian_signed_rank_test",
    "bonferroni_dunn",
    "cliffs_delta",
    "cliques",
    "cohens_dav",
    "cohens_dz",
    "common_language_effect_size",
    "compare",
    "conover_friedman",
    "critical_difference",
    "describe",
    "difference_interval",
    "dunn",
    "eta_squared",
    "friedman",
    "hedges_g",
    "holm_vs_control",
    "iman_davenport",
    "kendalls_w",
    "kruskal_wallis",
    "mann_whitney",
    "mcnemar",
    "mean_interval",
    "min_attainable_pvalue",
    "nadeau_bengio_t",
    "nemenyi",
    "nemenyi_q",
    "one_way_anova",
    "paired_permutation_test",
    "paired_t",
    "paired_t_power",
    "paired_t_sample_size",
    "pairwise_nadeau_bengio",
    "pairwise_ttest",
    "pairwise_wilcoxon",
    "partial_eta_squared",
    "probability_of_improvement",
    "rank_biserial",
    "rank_candidates",
    "rm_anova",
    "seeds_needed_to_reach_alpha",
    "sign_test",
    "simulated_power",
    "simulated_sample_size",
    "skillings_mack",
    "tukey_hsd",
    "welch_anova",
    "welch_t",
    "wilcoxon_signed_rank",
]
