"""Generate the report notebook, execute it with nbclient and export it with nbconvert."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Sequence

__all__ = ["build_report_notebook", "write_report"]

_FORMATS = ("html", "pdf")


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
# User strings (candidate names) go into figure labels: "$" or "_{{" in them must show as text,
# not as matplotlib mathtext.
PLAIN_TEXT = {{"text.parse_math": False}}
"""

_METHODS_SOURCE = """\
display(Markdown(text.methods_paragraph(analysis)))
"""


def _metric_source(metric: str) -> str:
    return f"""\
comparison = analysis[{metric!r}]
display(Markdown(text.results_paragraph(comparison)))
display(Markdown(text.procedure_markdown(comparison)))
display(Markdown(text.omnibus_sentence(comparison)))
display(text.summary_table(comparison))
display(text.pairwise_table(comparison))
notes = text.notes_markdown(comparison.notes)
if notes:
    display(Markdown("**Notes**\\n\\n" + notes))
with plots.style(rc=PLAIN_TEXT):
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
    with plots.style(rc=PLAIN_TEXT):
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
    with plots.style(rc=PLAIN_TEXT):
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
        nbf.new_markdown_cell("## Methods"),
        nbf.new_code_cell(_METHODS_SOURCE),
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
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index}"  # fixed ids, so the same results give the same HTML
    nb = nbf.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _output_paths(path: Path, formats: Sequence[str] | None) -> tuple[dict[str, Path], tuple[str, ...]]:
    """Return the file of each requested format, all with the stem of ``path``."""
    suffix = path.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise ValueError(f"path must end in .html or .pdf, got {str(path)!r}.")
    if formats is None:
        formats = (suffix[1:],)
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in _FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {list(_FORMATS)}, got {list(formats)!r}.")
    if suffix[1:] not in formats:
        raise ValueError(f"path {str(path)!r} ends in {suffix} but formats={list(formats)!r} does not "
                         f"include {suffix[1:]!r}; add it or change the suffix.")
    return {f: path.with_suffix("." + f) for f in formats}, formats


def write_report(results_dir: str | os.PathLike[str], path: str | os.PathLike[str], *,
                 metrics: Sequence[str] | None = None, alpha: float | None = None,
                 confidence_level: float | None = None, correction: str = "holm",
                 test: str | None = "auto", show_code: bool = False, timeout_s: int = 600,
                 keep_notebook: bool = True, formats: Sequence[str] | None = None) -> Path:
    """Write the report of a results directory as HTML and/or PDF and return ``path``.

    Parameters
    ----------
    results_dir : path
        The study's results directory.
    path : path
        Report file, ending in ``.html`` or ``.pdf``. The other formats go next to
        it with the same stem.
    formats : sequence of {"html", "pdf"}, optional
        Formats to write; by default the one named by the suffix of ``path``.
        PDF uses xelatex when installed and otherwise Chromium printing the HTML
        (see `nbcompare.report._export.find_pdf_tool`).
    show_code : bool
        Show the code cells; hidden by default.
    keep_notebook : bool
        Save the executed ``.ipynb`` next to the report.

    The notebook is executed in a fresh ``python3`` kernel with a limit of
    ``timeout_s`` seconds per cell. Other parameters are those of
    `build_report_notebook`.
    """
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    from nbcompare.report._export import export_html, export_pdf, find_pdf_tool

    path = Path(path)
    outputs, formats = _output_paths(path, formats)
    if "pdf" in formats:
        find_pdf_tool()  # fail before the slow execution when no PDF tool is installed
    nb = build_report_notebook(results_dir, metrics=metrics, alpha=alpha,
                               confidence_level=confidence_level, correction=correction, test=test)
    path.parent.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
    if keep_notebook:
        nbformat.write(nb, path.with_suffix(".ipynb"))

    with tempfile.TemporaryDirectory(prefix="nbcompare-report-") as scratch:
        html_path = outputs.get("html", Path(scratch) / f"{path.stem}.html")
        export_html(nb, html_path, show_code)
        if "pdf" in formats:
            export_pdf(nb, outputs["pdf"], html_path, show_code)
    return path


def export_notebook(notebook: str | os.PathLike[str], path: str | os.PathLike[str], *,
                    formats: Sequence[str] | None = None, show_code: bool = False,
                    execute: bool = False, timeout_s: int = 600) -> Path:
    """Export a user's own notebook with the report's template: HTML and/or PDF.

    Parameters
    ----------
    notebook : path
        The ``.ipynb`` file to export.
    path : path
        Output file, ending in ``.html`` or ``.pdf``; other formats go next to it.
    formats : sequence of {"html", "pdf"}, optional
        As in `write_report`.
    show_code : bool
        Keep the code cells; hidden by default, as in the report.
    execute : bool
        Run the notebook first in a fresh ``python3`` kernel, in the notebook's own
        directory; otherwise export the outputs it has.
    """
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    from nbcompare.report._export import export_html, export_pdf, find_pdf_tool

    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"Notebook {str(notebook)!r} not found.")
    path = Path(path)
    outputs, formats = _output_paths(path, formats)
    if "pdf" in formats:
        find_pdf_tool()
    nb = nbformat.read(notebook, as_version=4)
    if execute:
        NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.parent.resolve())}}).execute()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nbcompare-export-") as scratch:
        html_path = outputs.get("html", Path(scratch) / f"{path.stem}.html")
        export_html(nb, html_path, show_code)
        if "pdf" in formats:
            export_pdf(nb, outputs["pdf"], html_path, show_code)
    return path
