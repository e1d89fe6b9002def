"""Launch layer: NeMo Run experiments of shards, one record per trial, resume."""

from nbcompare.launch._context import TrialContext, count_parameters

__all__ = ["TrialContext", "count_parameters", "run_study", "StudyRun"]


def __getattr__(name):
    if name in ("run_study", "StudyRun"):
        from nbcompare.launch import _launcher

        return getattr(_launcher, name)
    raise AttributeError(f"module 'nbcompare.launch' has no attribute {name!r}")
