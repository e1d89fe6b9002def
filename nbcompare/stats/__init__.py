"""Paired statistical comparison of candidates trained over several seeds or tasks.

``compare`` tests one metric, ``analyze`` tests several, and ``describe``
summarizes one metric without testing. Blocks are the seeds of a single task
or, with several tasks, the tasks themselves (values averaged over seeds). The
omnibus test is Friedman's (k >= 3) or Wilcoxon's signed-rank test (k = 2), and
every pair gets a Wilcoxon signed-rank test, corrected for multiplicity, with a
rank-biserial effect size and a t interval of the mean difference.
"""

from nbcompare.stats._compare import analyze, compare, describe
from nbcompare.stats._results import (
    Analysis,
    CandidateSummary,
    Comparison,
    OmnibusTest,
    PairwiseTest,
)

__all__ = [
    "Analysis",
    "CandidateSummary",
    "Comparison",
    "OmnibusTest",
    "PairwiseTest",
    "analyze",
    "compare",
    "describe",
]
