"""Generate the report notebook, execute it with nbclient and export it with nbconvert."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Sequence

__all__ = ["build_report_notebook", "write_report"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _setup_source(results_dir: Path, metrics: Sequence[str] | None, alpha: float | None,
                  confidence_level: float | None, correction: str, test: str | None) -> str:
    return f"""\
import warnings

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import nbcompare as nbc
from nbcompare import plots
from nbcompare.report import _text as text

%matplotlib inline

RESULTS_DIR = {str(results_dir)!r}
results = nbc.ResultSet.from_directory(RESULTS_DIR)
study = results.study
METRICS = {list(metrics) if metrics else None!r} or [m.name for m in study.metrics]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the same sentences are in each comparison's notes
    analysis = nbc.analyze(
        results,
        metrics={{m: results.metrics[m].higher_is_better for m in METRICS}},
        alpha={alpha!r} if {alpha!r} is not None else study.alpha,
        confidence_level={confidence_level!r} if {confidence_level!r} is not None else study.confidence_level,
        correction={correction!r},
        test={test!r},
    )
palette = plots.candidate_palette(sorted(c.name for c in study.candidates))  # as in the saved figures
pd.set_option("display.precision", 4)
"""


def _metric_source(metric: str) -> str:
    return f"""\
comparison = analysis[{metric!r}]
display(Markdown(text.procedure_markdown(comparison)))
display(Markdown(text.omnibus_sentence(comparison)))
display(text.summary_table(comparison))
display(text.pairwise_table(comparison))
notes = text.notes_markdown(comparison.notes)
if notes:
    display(Markdown("**Notes**\\n\\n" + notes))
with plots.style():
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), constrained_layout=True)
    plots.plot_metric_ci(comparison, ax=axes[0], palette=palette)
    plots.plot_seed_points(comparison, ax=axes[1], palette=palette)
    plt.show()
    fig, ax = plt.subplots(figsize=(4.5, 3.4), constrained_layout=True)
    plots.plot_pvalue_matrix(comparison, ax=ax)
    plt.show()
    plots.plot_cd_diagram(comparison, palette=palette)
    plt.show()
"""


_TRADEOFF_SOURCE = """\
pairs = [(x, label) for x, label in (("parameters", "parameters"),
                                      ("inference_time_per_sample_s", "inference time per sample"))
         if x in set(results.frame["metric"])]
if "accuracy" in set(results.frame["metric"]) and pairs:
    with plots.style():
        fig, axes = plt.subplots(1, len(pairs), figsize=(6.5 * len(pairs), 3.8), constrained_layout=True,
                                 squeeze=False)
        for ax, (x, _) in zip(axes[0], pairs):
            plots.plot_tradeoff(results.frame, x=x, y="accuracy", ax=ax, palette=palette)
        plt.show()
else:
    display(Markdown("The results have no accuracy and cost metrics to plot against each other."))
"""

_RECOMMENDATIONS_SOURCE = """\
display(Markdown("\\n\\n".join("- " + text.recommendation(c) for c in analysis.comparisons)))
if len(analysis.comparisons) >= 2:
    with plots.style():
        plots.plot_rank_heatmap(analysis)
        plt.show()
"""

_LIMITATIONS_SOURCE = """\
items = text.limitations(analysis, results)
display(Markdown("\\n".join("- " + text.escape_markdown(item) for item in items)
                 if items else "No failed trials and no small-sample warnings."))
"""

_FAILURES_SOURCE = """\
if results.failures.empty:
    display(Markdown("Every planned trial completed."))
else:
    display(Markdown(f"{len(results.failures)} trial(s) failed or are missing. Blocks (seeds) in which "
                     "any candidate lacks a value were dropped from the paired tests; each comparison "
                     "above names the blocks it dropped."))
    display(results.failures[["candidate", "task", "seed", "status", "cause", "error_type", "message"]])
"""

_APPENDIX_SOURCE = """\
display(results.trials())
env = next((r.get("environment") for r in results.records if r.get("environment")), {}) or {}
display(Markdown("**Environment of the first trial:** " + text.escape_markdown(
    ", ".join(f"{k}={v}" for k, v in env.items() if k != "packages"))))
display(pd.Series(env.get("packages", {}), name="version").to_frame())
"""


def build_report_notebook(results_dir: str | os.PathLike[str], *, metrics: Sequence[str] | None = None,
                          alpha: float | None = None, confidence_level: float | None = None,
                          correction: str = "holm", test: str | None = "auto",
                          title: str | None = None):
    """Return the (unexecuted) report notebook for a results directory."""
    import nbformat.v4 as nbf

    from nbcompare.results import ResultSet
    from nbcompare.report._text import escape_markdown, study_markdown

    results_dir = Path(results_dir).resolve()
    results = ResultSet.from_directory(results_dir)
    study = results.study
    names = list(metrics) if metrics else [m.name for m in study.metrics]
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    cells = [
        nbf.new_markdown_cell(f"# {escape_markdown(title or study.name)}\n\n"
                              f"Comparison report generated by nbcompare at {generated}."),
        nbf.new_code_cell(_setup_source(results_dir, metrics, alpha, confidence_level, correction, test)),
        nbf.new_markdown_cell("## Design\n\n" + study_markdown(study, results)),
        nbf.new_markdown_cell("## Recommendations"),
        nbf.new_code_cell(_RECOMMENDATIONS_SOURCE),
        nbf.new_markdown_cell("## Limitations"),
        nbf.new_code_cell(_LIMITATIONS_SOURCE),
        nbf.new_markdown_cell("## Results by metric\n\nEach section gives the omnibus test, the "
                              "per-candidate summary (mean, standard deviation with ddof=1, "
                              "t confidence interval, mean rank), the pairwise tests with corrected "
                              "p-values and effect sizes, and the figures. Unless a test was forced, "
                              "each metric's procedure was chosen from the design and assumption "
                              "checks run on the same data; the reasons are given with it."),
    ]
    for name in names:
        cells.append(nbf.new_markdown_cell(f"### {escape_markdown(name)}"))
        cells.append(nbf.new_code_cell(_metric_source(name)))
    cells += [
        nbf.new_markdown_cell("## Performance against cost"),
        nbf.new_code_cell(_TRADEOFF_SOURCE),
        nbf.new_markdown_cell("## Failed and missing trials"),
        nbf.new_code_cell(_FAILURES_SOURCE),
        nbf.new_markdown_cell("## Reproducibility\n\nTrial ids, seeds and configurations; each "
                              "trial's full record is `records/<trial_id>.json` in the results directory."),
        nbf.new_code_cell(_APPENDIX_SOURCE),
    ]
    nb = nbf.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_report(results_dir: str | os.PathLike[str], path: str | os.PathLike[str], *,
                 metrics: Sequence[str] | None = None, alpha: float | None = None,
                 confidence_level: float | None = None, correction: str = "holm",
                 test: str | None = "auto", show_code: bool = False, timeout_s: int = 600,
                 keep_notebook: bool = True) -> Path:
    """Write the HTML report of a results directory and return its path.

    The notebook is executed in a fresh ``python3`` kernel; with ``keep_notebook``
    the executed ``.ipynb`` is saved next to the HTML file.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    path = Path(path)
    if path.suffix.lower() != ".html":
        raise ValueError(f"path must end in .html, got {str(path)!r}.")
    nb = build_report_notebook(results_dir, metrics=metrics, alpha=alpha,
                               confidence_level=confidence_level, correction=correction, test=test)
    path.parent.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
    if keep_notebook:
        nbformat.write(nb, path.with_suffix(".ipynb"))

    exporter = HTMLExporter(template_name="nbcompare", extra_template_basedirs=[str(_TEMPLATES)],
                            exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    path.write_text(body, encoding="utf-8")
    return path
