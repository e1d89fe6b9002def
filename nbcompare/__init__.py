"""nbcompare: compare ML models, training strategies and hyperparameters, correctly.

Define a :class:`Study` in a notebook, run every trial through NeMo Run, read the
records into a :class:`ResultSet`, and let :func:`compare` choose and state the
tests. Heavy dependencies (nemo_run, torch, matplotlib, nbconvert) load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from nbcompare.exceptions import (
    DegenerateDataWarning,
    MethodSwitchWarning,
    MissingTrialsWarning,
    NBCompareWarning,
    SmallSampleWarning,
    StudyError,
    TrialFunctionError,
)
from nbcompare.study import Candidate, Metric, Study, Task, load_study
from nbcompare.workloads import Workload, register_workload

_LAZY = {
    "TrialContext": "nbcompare.launch",
    "run_study": "nbcompare.launch",
    "StudyRun": "nbcompare.launch",
    "ResultSet": "nbcompare.results",
    "compare": "nbcompare.stats",
    "analyze": "nbcompare.stats",
    "describe": "nbcompare.stats",
    "Comparison": "nbcompare.stats",
    "Analysis": "nbcompare.stats",
    "plots": None,
    "report": None,
}

__all__ = [
    "Candidate", "Metric", "Study", "Task", "load_study", "Workload", "register_workload",
    "StudyError", "TrialFunctionError", "NBCompareWarning", "SmallSampleWarning",
    "DegenerateDataWarning", "MethodSwitchWarning", "MissingTrialsWarning", *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nbcompare' has no attribute {name!r}")
    module = _LAZY[name]
    if module is None:
        return importlib.import_module(f"nbcompare.{name}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
