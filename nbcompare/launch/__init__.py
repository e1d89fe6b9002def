"""Launch layer: NeMo Run experiments of shards, one record per trial, resume, cancel."""

from nbcompare.launch._context import TrialContext, count_parameters

__all__ = [
    "TrialContext",
    "count_parameters",
    "run_study",
    "StudyRun",
    "cancel_study",
    "CancelResult",
    "launch_status",
    "LaunchStatus",
    "ExecutorChoice",
    "ExecutorSpecError",
    "executor_from_spec",
    "load_executor",
]

# Imported on first use, so that `import nbcompare` does not import NeMo Run.
_LAZY = {
    "run_study": "_launcher",
    "StudyRun": "_launcher",
    "cancel_study": "_control",
    "CancelResult": "_control",
    "launch_status": "_control",
    "LaunchStatus": "_control",
    "ExecutorChoice": "_executors",
    "ExecutorSpecError": "_executors",
    "executor_from_spec": "_executors",
    "load_executor": "_executors",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"nbcompare.launch.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'nbcompare.launch' has no attribute {name!r}")
