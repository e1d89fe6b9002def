"""Study layer: candidates, tasks, seeds and metrics, validated before launch."""

from nbcompare.study._spec import MEASURED_METRICS, Candidate, Metric, Task, function_path, resolve_function
from nbcompare.study._study import Study, load_study
from nbcompare.study._trial import Trial, canonical_json

__all__ = [
    "Candidate",
    "MEASURED_METRICS",
    "Metric",
    "Study",
    "Task",
    "Trial",
    "canonical_json",
    "function_path",
    "load_study",
    "resolve_function",
]
