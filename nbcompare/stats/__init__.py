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
"""

from nbcompare.stats._assumptions import AssumptionCheck
from nbcompare.exceptions import MethodSwitchWarning
from nbcompare.stats._compare import analyze, compare, describe
from nbcompare.stats._design import Design
from nbcompare.stats._incomplete import SkillingsMackResult, skillings_mack
from nbcompare.stats._ranking import rank_candidates
from nbcompare.stats._results import (
    Analysis,
    CandidateSummary,
    Comparison,
    OmnibusTest,
    PairEffectSize,
    PairwiseTest,
)

__all__ = [
    "Analysis",
    "AssumptionCheck",
    "CandidateSummary",
    "Comparison",
    "Design",
    "MethodSwitchWarning",
    "OmnibusTest",
    "PairEffectSize",
    "PairwiseTest",
    "SkillingsMackResult",
    "analyze",
    "compare",
    "describe",
    "rank_candidates",
    "skillings_mack",
]
