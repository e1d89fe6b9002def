"""The whole loop in one place: the demo study, and analysing a results directory.

The CLI and the notebooks call these functions, so every entry point produces the
same tables, figures and report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from nbcompare.study import Candidate, Study

__all__ = ["demo_study", "DEMO_METRICS", "analyze_directory", "AnalysisOutputs"]

DEMO_METRICS = (
    "accuracy", "f1_macro", "precision_macro", "recall_macro", "roc_auc_ovr", "ece",
    "train_time_s", "inference_time_per_sample_s", "parameters", "peak_memory_mb",
)


def demo_study(seeds: int = 5, *, name: str = "digits-architectures", **params: Any) -> Study:
    """Return the demo: an MLP, a residual CNN and a vision transformer on 8x8 digits.

    ``params`` (for example ``epochs=2``) apply to every candidate, on top of the
    workload's per-architecture defaults.
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 2:
        raise ValueError(f"seeds must be an integer of at least 2, got {seeds!r}.")
    return Study(
        name=name,
        description="Three small PyTorch architectures on scikit-learn's 8x8 digits, "
                    "each trained on the same stratified split per seed.",
        candidates=[Candidate(arch, "digits", architecture=arch, **params)
                    for arch in ("mlp", "resnet", "vit")],
        seeds=range(seeds),
        metrics=list(DEMO_METRICS),
    )


def _check_metrics(results: Any, names: Sequence[str]) -> None:
    """Raise if a requested metric is unknown or absent from every completed trial."""
    import difflib

    for name in names:
        if name not in results.metrics:
            close = difflib.get_close_matches(name, list(results.metrics), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"Unknown metric {name!r}.{hint} This study has {list(results.metrics)}.")
    completed = results.completed
    if completed.empty:
        raise ValueError(
            "No trial of this study completed, so there is nothing to compare. The failures "
            "above give each trial's cause; fix it and run the study again."
        )
    present = set(completed.dropna(subset=["value"])["metric"])
    absent = [name for name in names if name not in present]
    if absent:
        raise ValueError(
            f"No completed trial returned metric(s) {absent}. The trial function returned "
            f"{sorted(present)}. Fix the metric names in the study, or the keys the trial "
            "function returns."
        )


@dataclass
class AnalysisOutputs:
    """Outputs of :func:`analyze_directory`: results, analysis, figure paths and report path."""

    results: Any
    analysis: Any
    figures: list[Path] = field(default_factory=list)
    report: Path | None = None


def analyze_directory(results_dir: str | os.PathLike[str], *, metrics: Sequence[str] | None = None,
                      figures_dir: str | os.PathLike[str] | None = None,
                      report_path: str | os.PathLike[str] | None = None,
                      alpha: float | None = None, confidence_level: float | None = None,
                      correction: str = "holm", test: str | None = "auto") -> AnalysisOutputs:
    """Read a results directory, run the comparison, and write figures and a report.

    ``alpha`` and ``confidence_level`` default to the study's own settings. With
    ``test="auto"`` each metric's procedure is chosen from the design and the
    assumption checks, and the comparison states why; a test name forces it, and
    ``None`` runs Friedman (or Wilcoxon for two candidates) with pairwise Wilcoxon tests.
    """
    import warnings

    from nbcompare.results import ResultSet
    from nbcompare.stats import analyze

    results = ResultSet.from_directory(results_dir)
    study = results.study
    names = list(metrics) if metrics else [m.name for m in study.metrics]
    _check_metrics(results, names)
    directions = {m: results.metrics[m].higher_is_better for m in names}
    with warnings.catch_warnings():
        # The notes of each comparison carry the same sentences; the CLI prints them.
        warnings.simplefilter("ignore")
        analysis = analyze(results, metrics=directions,
                           alpha=alpha if alpha is not None else study.alpha,
                           confidence_level=confidence_level if confidence_level is not None
                           else study.confidence_level,
                           correction=correction, test=test)
    outputs = AnalysisOutputs(results, analysis)
    if figures_dir is not None:
        from nbcompare.plots import save_study_figures

        outputs.figures = save_study_figures(analysis, results.frame, figures_dir)
    if report_path is not None:
        from nbcompare.report import write_report

        outputs.report = write_report(results_dir, report_path, metrics=names,
                                      alpha=alpha, confidence_level=confidence_level,
                                      correction=correction, test=test)
    return outputs
