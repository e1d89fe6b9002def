"""ResultsDashboard: compare a study's candidates interactively and export the outcome."""

from __future__ import annotations

import html
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from nbcompare.results import ResultSet
from nbcompare.stats import Comparison, compare

__all__ = ["ResultsDashboard"]

logger = logging.getLogger(__name__)

# Dropdown label -> value of compare(test=...). "classic" is compare's default procedure,
# test=None. The widget stores a string because a Dropdown treats None as "no selection".
TEST_CHOICES = {"auto": "auto", "classic": None, "friedman": "friedman", "rm-anova": "rm-anova",
                "wilcoxon": "wilcoxon", "paired-t": "paired-t"}
CORRECTIONS = ("holm", "bonferroni", "fdr_bh", "hommel")

_ERROR_COLOR = "#b00020"
_WARNING_COLOR = "#8a5a00"
_OK_COLOR = "#1b5e20"


class ResultsDashboard(widgets.VBox):
    """Controls for :func:`~nbcompare.compare` with the live tables, text and figures.

    Changing any control reruns ``compare`` and updates ``table``, ``summary`` and
    ``figures``. :attr:`comparison` is the current result, and :meth:`code`
    returns the equivalent Python call. When the options are invalid (fewer than 2
    candidates, a test that does not fit the design, alpha outside (0, 1)),
    ``message`` shows the error and :attr:`comparison` keeps the last valid result.

    Parameters
    ----------
    results : ResultSet or path
        The results, or a study's results directory (read with
        ``ResultSet.from_directory``).
    metric : str, optional
        Metric shown first; defaults to the study's first metric.
    export_dir : path, default "nbcompare-export"
        Directory of the figure, LaTeX and report exports; editable in the
        ``export_dir`` text box.

    Examples
    --------
    >>> dashboard = ResultsDashboard("results/digits")  # doctest: +SKIP
    >>> dashboard                                        # shows the controls
    >>> dashboard.comparison.summary_frame()
    """

    def __init__(self, results: ResultSet | str | os.PathLike[str], *, metric: str | None = None,
                 export_dir: str | os.PathLike[str] = "nbcompare-export"):
        if isinstance(results, ResultSet):
            self.results = results
        else:
            self.results = ResultSet.from_directory(results)
        self.results_dir = Path(self.results.source) if self.results.source else None
        metrics = self._available_metrics()
        if not metrics:
            raise ValueError("The results contain no metric values, so there is nothing to compare.")
        if metric is not None and metric not in metrics:
            raise ValueError(f"metric={metric!r} is not in the results. Available metrics: {', '.join(metrics)}.")

        # One colour per candidate of the whole study, so a candidate keeps its colour
        # when others are deselected.
        from nbcompare.plots import candidate_palette

        self.palette = candidate_palette(sorted(self.results.candidates))
        self.comparison: Comparison | None = None
        self.error: Exception | None = None
        self._report_thread: threading.Thread | None = None

        self.metric = widgets.Dropdown(options=metrics, value=metric or metrics[0], description="Metric")
        self.test = widgets.Dropdown(options=list(TEST_CHOICES), value="auto", description="Test",
                                     tooltip='"classic" runs compare() with test=None')
        self.correction = widgets.Dropdown(options=CORRECTIONS, value="holm", description="Correction")
        self.alpha = widgets.BoundedFloatText(value=0.05, min=0.0, max=1.0, step=0.01, description="Alpha")
        self.confidence_level = widgets.BoundedFloatText(value=0.95, min=0.0, max=1.0, step=0.01,
                                                         description="CI level")
        self.candidates = widgets.SelectMultiple(options=list(self.results.candidates),
                                                 value=tuple(self.results.candidates),
                                                 description="Candidates",
                                                 rows=min(8, max(2, len(self.results.candidates))))
        self.export_dir = widgets.Text(value=str(export_dir), description="Export to")
        self.export_figures_button = widgets.Button(description="Figures (PDF, PNG)", icon="image")
        self.export_latex_button = widgets.Button(description="LaTeX table", icon="table")
        self.export_report_button = widgets.Button(description="Report", icon="file")
        self.message = widgets.HTML("")
        self.table = widgets.HTML("")
        self.summary = widgets.HTML("")
        self.figures = widgets.Output()

        for control in self._controls():
            control.observe(lambda _: self.update(), names="value")
        self.export_figures_button.on_click(lambda _: self.export_figures())
        self.export_latex_button.on_click(lambda _: self.export_latex())
        self.export_report_button.on_click(lambda _: self.export_report())

        super().__init__([
            widgets.HBox([widgets.VBox([self.metric, self.test, self.correction]),
                          widgets.VBox([self.alpha, self.confidence_level]),
                          self.candidates]),
            widgets.HBox([self.export_dir, self.export_figures_button, self.export_latex_button,
                          self.export_report_button]),
            self.message,
            self.summary,
            self.table,
            self.figures,
        ])
        self.update()

    def _available_metrics(self) -> list[str]:
        present = set(self.results.frame["metric"].unique())
        return [name for name in self.results.metrics if name in present]

    def _controls(self) -> tuple[widgets.ValueWidget, ...]:
        return (self.metric, self.test, self.correction, self.alpha, self.confidence_level, self.candidates)

    # -- the analysis --------------------------------------------------------------------

    def options(self) -> dict[str, Any]:
        """Return the keyword arguments of ``compare`` that the controls set."""
        selected = list(self.candidates.value)
        return {
            "metric": self.metric.value,
            "test": TEST_CHOICES[self.test.value],
            "correction": self.correction.value,
            "alpha": float(self.alpha.value),
            "confidence_level": float(self.confidence_level.value),
            # None (all candidates) keeps code() short when nothing is deselected.
            "candidates": None if set(selected) == set(self.results.candidates) else selected,
        }

    def update(self) -> Comparison | None:
        """Rerun ``compare`` with the current options and redraw the outputs.

        An invalid combination of options shows its error in ``message``, stores it
        in :attr:`error` and leaves :attr:`comparison` and the outputs unchanged.
        """
        options = self.options()
        metric = options.pop("metric")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                comparison = compare(self.results, metric, **options)
        except (ValueError, TypeError) as error:
            self.error = error
            self._set_message(f"Not updated: {error}", _ERROR_COLOR)
            return self.comparison
        self.error = None
        self.comparison = comparison
        notes = list(dict.fromkeys(str(w.message) for w in caught))
        if notes:
            self._set_message(" ".join(notes), _WARNING_COLOR)
        else:
            self._set_message("", _OK_COLOR)
        self.table.value = comparison._repr_html_()
        self.summary.value = _summary_html(comparison)
        self._draw_figures()
        return comparison

    def code(self) -> str:
        """Return Python source that repeats the current analysis into ``comparison``.

        With a results directory the source reads it. Otherwise it expects the
        ResultSet in a variable named ``results``.
        """
        options = self.options()
        lines = ["import nbcompare as nbc", ""]
        if self.results_dir is not None:
            lines.append(f"results = nbc.ResultSet.from_directory({str(self.results_dir)!r})")
        else:
            lines.append("# `results` is the ResultSet shown in the dashboard.")
        arguments = [f"metric={options['metric']!r}", f"test={options['test']!r}",
                     f"correction={options['correction']!r}", f"alpha={options['alpha']!r}",
                     f"confidence_level={options['confidence_level']!r}"]
        if options["candidates"] is not None:
            arguments.append(f"candidates={options['candidates']!r}")
        lines.append("comparison = nbc.compare(")
        lines.append("    results,")
        lines.extend(f"    {argument}," for argument in arguments)
        lines.append(")")
        return "\n".join(lines) + "\n"

    # -- figures -------------------------------------------------------------------------

    def _figure_pair(self, comparison: Comparison) -> tuple[Any, Any]:
        """Draw the CI plot and the critical-difference diagram as two new figures."""
        import matplotlib.pyplot as plt

        from nbcompare.plots import plot_cd_diagram, plot_metric_ci

        ci_axes = plot_metric_ci(comparison, palette=self.palette)
        cd_axes = plot_cd_diagram(comparison, palette=self.palette)
        figures = (ci_axes.figure, cd_axes.figure)
        for figure in figures:
            # pyplot keeps every figure it creates until it is closed, and each
            # redraw creates two.
            plt.close(figure)
        return figures

    def _draw_figures(self) -> None:
        from IPython.display import display

        self.figures.clear_output(wait=True)
        try:
            figures = self._figure_pair(self.comparison)
        except Exception as error:  # noqa: BLE001 - a plot error must not hide the tables
            logger.exception("Drawing the figures of metric %s failed.", self.comparison.metric)
            self._set_message(f"The figures could not be drawn: {type(error).__name__}: {error}",
                              _ERROR_COLOR)
            return
        # NOTE: outside a kernel the Output widget captures nothing, so the tests check the
        # figures only through the export files. No live Jupyter frontend has been tried.
        with self.figures:
            for figure in figures:
                display(figure)

    # -- exports -------------------------------------------------------------------------

    def _export_root(self) -> Path:
        root = Path(self.export_dir.value.strip() or ".")
        root.mkdir(parents=True, exist_ok=True)
        return root

    def export_figures(self) -> list[Path]:
        """Save the CI plot and the CD diagram as ``<metric>_ci`` and ``<metric>_cd`` PDF and PNG files."""
        from nbcompare.plots import save, style

        if self.comparison is None:
            self._set_message("Nothing to export: no valid comparison yet.", _ERROR_COLOR)
            return []
        root = self._export_root()
        metric = self.comparison.metric
        with style():
            ci_figure, cd_figure = self._figure_pair(self.comparison)
        written = save(ci_figure, root / f"{metric}_ci") + save(cd_figure, root / f"{metric}_cd")
        self._set_message("Wrote " + ", ".join(str(path) for path in written) + ".", _OK_COLOR)
        return written

    def export_latex(self) -> Path | None:
        """Write the results table of the current comparison to ``<metric>_table.tex``."""
        from nbcompare.tables import to_latex

        if self.comparison is None:
            self._set_message("Nothing to export: no valid comparison yet.", _ERROR_COLOR)
            return None
        path = self._export_root() / f"{self.comparison.metric}_table.tex"
        to_latex(self.comparison, path)
        self._set_message(f"Wrote {path}.", _OK_COLOR)
        return path

    def export_report(self) -> threading.Thread | None:
        """Start ``write_report`` for the current options in a background thread.

        The report executes a notebook in a new kernel, which is slow.
        ``message`` shows the report's path when it is written, or the error.
        Returns the thread, or None when no report was started.
        """
        if self.results_dir is None:
            self._set_message("A report needs a results directory; this dashboard was given a "
                              "ResultSet without one.", _ERROR_COLOR)
            return None
        if self._report_thread is not None and self._report_thread.is_alive():
            self._set_message("A report is already being written; wait for it to finish.", _ERROR_COLOR)
            return None
        options = self.options()
        path = self._export_root() / f"{self.results_dir.name}-report.html"
        self._report_thread = threading.Thread(target=self._write_report, args=(path, options),
                                               name="nbcompare-report", daemon=True)
        self._set_message(f"Writing the report to {path} ...", "#0d47a1")
        self._report_thread.start()
        return self._report_thread

    def _write_report(self, path: Path, options: dict[str, Any]) -> None:
        from nbcompare.report import write_report

        try:
            written = write_report(self.results_dir, path, metrics=[options["metric"]],
                                   alpha=options["alpha"], confidence_level=options["confidence_level"],
                                   correction=options["correction"], test=options["test"])
        except Exception as error:  # noqa: BLE001 - shown in the dashboard, which has no caller to raise to
            logger.exception("Writing the report to %s failed.", path)
            self._set_message(f"The report failed: {type(error).__name__}: {error}", _ERROR_COLOR)
            return
        self._set_message(f"Wrote the report {written}.", _OK_COLOR)

    def wait_report(self, timeout: float | None = None) -> None:
        """Wait for a report started by the Report button; raise TimeoutError if it is still running."""
        if self._report_thread is None:
            return
        self._report_thread.join(timeout)
        if self._report_thread.is_alive():
            raise TimeoutError(f"The report is still being written after {timeout} s.")

    def _set_message(self, text: str, color: str) -> None:
        self.message.value = f'<span style="color:{color}">{html.escape(text)}</span>' if text else ""


def _summary_html(comparison: Comparison) -> str:
    """Render the omnibus sentence, the recommendation and the test-choice reasons as HTML."""
    from nbcompare.report._text import escape_markdown, omnibus_sentence, recommendation

    parts = [omnibus_sentence(comparison), recommendation(comparison)]
    reasons = getattr(comparison, "reasons", ())
    if reasons:
        parts.append("\n".join(f"- {escape_markdown(reason)}" for reason in reasons))
    return _markdown_to_html("\n\n".join(parts))


def _markdown_to_html(text: str) -> str:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        # NOTE: without markdown-it-py the Markdown is shown as escaped source text.
        return f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre>'
    # html=False renders raw HTML in the text as escaped text, not as markup.
    return MarkdownIt("commonmark", {"html": False}).render(text)
