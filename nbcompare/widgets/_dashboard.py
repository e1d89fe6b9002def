"""ResultsDashboard: compare a study's candidates interactively and export the outcome."""

from __future__ import annotations

import asyncio
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
from nbcompare.widgets._snapshot import StaticCopyDisplay

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


class ResultsDashboard(StaticCopyDisplay, widgets.VBox):
    """Controls for :func:`~nbcompare.compare` with the live tables, text and figures.

    Changing any control reruns ``compare`` and updates ``table``, ``summary`` and
    ``figures``. :attr:`comparison` is the current result, and :meth:`code`
    returns the equivalent Python call. When the options are invalid (fewer than 2
    candidates, a test that does not fit the design, alpha outside (0, 1)),
    ``message`` shows the error and :attr:`comparison` keeps the last valid result.

    Where no widget manager runs, the output shows :meth:`snapshot_html` instead:
    the options, the summary, the table and the figures as they were when the
    output was created. That is the case in ``nbcompare export`` HTML and PDF, and
    in stock nbconvert HTML and nbviewer when the notebook stores no widget state
    (JupyterLab's default when saving).

    Parameters
    ----------
    results : ResultSet, path or LaunchPanel
        The results, or a study's results directory (read with
        ``ResultSet.from_directory``). Given a :class:`LaunchPanel`, the dashboard
        shows a waiting line until the panel's launch finishes, then loads the
        records the launch wrote; a later launch from the same panel reloads it.
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

    def __init__(self, results: ResultSet | str | os.PathLike[str] | Any, *, metric: str | None = None,
                 export_dir: str | os.PathLike[str] = "nbcompare-export"):
        self.comparison: Comparison | None = None
        self.error: Exception | None = None
        self.results: ResultSet | None = None
        self.results_dir: Path | None = None
        self.launch_panel = None
        self._export_dir = str(export_dir)
        self._report_thread: threading.Thread | None = None
        self._ready = threading.Event()
        # State behind snapshot_html(): the control values and figures of the comparison
        # shown, the message of the last update, and the cached snapshot (None = stale).
        self._shown_options: dict[str, Any] = {}
        self._figure_images: list[tuple[bytes | None, str]] = []
        self._status_html = ""
        self._snapshot: str | None = None
        # Figures of the current comparison not drawn yet, and whether a draw is queued
        # on the kernel's event loop.
        self._figures_pending = False
        self._draw_queued = False
        # compare() options of the comparison shown, which code() repeats.
        self._compared_options: dict[str, Any] | None = None
        self.waiting = widgets.HTML("")
        self.waiting.add_class("nbc-dashboard-waiting")
        super().__init__([])
        self.add_class("nbc-dashboard")

        if callable(getattr(results, "on_finish", None)):
            # A LaunchPanel: wait for its launch, then load what it wrote.
            self.launch_panel = results
            self._requested_metric = metric
            self._show_waiting("Waiting for the launch above to finish. The comparison appears here "
                               "when its last trial has finished.")
            results.on_finish(self._launch_finished)
            return
        self._load(results if isinstance(results, ResultSet) else ResultSet.from_directory(results), metric)

    def _show_waiting(self, text: str, color: str = "#333") -> None:
        self._snapshot = None
        self.waiting.value = f'<span style="color:{color}">{html.escape(text)}</span>'
        self.children = (self.waiting,)
        self.refresh_static_copy()

    def _launch_finished(self, panel: Any) -> None:
        """Load the results of the panel's launch; called by the panel when a launch ends."""
        error = getattr(panel, "error", None)
        if error is not None:
            self._show_waiting(f"The launch failed ({type(error).__name__}: {error}), so there is nothing "
                               "to compare. Fix the study and launch again; this dashboard waits for it.",
                               _ERROR_COLOR)
            return
        try:
            results = ResultSet.from_directory(panel.results_dir)
            self._load(results, self._requested_metric)
        except Exception as failure:  # noqa: BLE001 - runs in the launch thread; shown in the dashboard
            logger.exception("Loading the results of %s failed.", panel.results_dir)
            self._show_waiting(f"The results in {panel.results_dir} cannot be compared: "
                               f"{type(failure).__name__}: {failure}", _ERROR_COLOR)

    def wait_ready(self, timeout: float | None = None) -> Comparison | None:
        """Wait until the dashboard has results and return the current comparison.

        Only a dashboard made from a LaunchPanel waits. Raises TimeoutError when no
        results arrived within ``timeout`` seconds.
        """
        if not self._ready.wait(timeout):
            raise TimeoutError(f"The dashboard has no results after {timeout} s: "
                               f"{html.unescape(self.waiting.value)}")
        return self.comparison

    def _require_results(self) -> ResultSet:
        if self.results is None:
            raise RuntimeError("The dashboard has no results yet. It fills in when the launch it "
                               "follows finishes; wait_ready() waits for that.")
        return self.results

    def _load(self, results: ResultSet, metric: str | None) -> None:
        """Build the controls for ``results`` and show the first comparison."""
        metrics = [name for name in results.metrics if name in set(results.frame["metric"].unique())]
        if not metrics:
            raise ValueError("The results contain no metric values, so there is nothing to compare.")
        if metric is not None and metric not in metrics:
            raise ValueError(f"metric={metric!r} is not in the results. Available metrics: {', '.join(metrics)}.")
        self.results = results
        self.results_dir = Path(results.source) if results.source else None
        self.comparison = None
        self._compared_options = None
        self.error = None

        # One colour per candidate of the whole study, so a candidate keeps its colour
        # when others are deselected.
        from nbcompare.plots import candidate_palette

        self.palette = candidate_palette(sorted(results.candidates))

        self.metric = widgets.Dropdown(options=metrics, value=metric or metrics[0], description="Metric")
        self.test = widgets.Dropdown(options=list(TEST_CHOICES), value="auto", description="Test",
                                     tooltip='"classic" runs compare() with test=None')
        self.correction = widgets.Dropdown(options=CORRECTIONS, value="holm", description="Correction")
        # Unbounded fields: a bounded one would clamp 1.5 to 1.0 without a word, and
        # compare() names the invalid value and the valid range.
        self.alpha = widgets.FloatText(value=0.05, step=0.01, description="Alpha")
        self.confidence_level = widgets.FloatText(value=0.95, step=0.01, description="CI level")
        self.candidates = widgets.SelectMultiple(options=list(results.candidates),
                                                 value=tuple(results.candidates),
                                                 description="Candidates",
                                                 rows=min(8, max(2, len(results.candidates))))
        self.export_dir = widgets.Text(value=self._export_dir, description="Export to")
        # ipywidgets gives buttons a fixed width that cuts longer labels short.
        self.export_figures_button = widgets.Button(description="Figures (PDF, PNG)", icon="image",
                                                    layout=widgets.Layout(width="auto"))
        self.export_latex_button = widgets.Button(description="LaTeX table", icon="table",
                                                  layout=widgets.Layout(width="auto"))
        self.export_report_button = widgets.Button(description="Report", icon="file",
                                                   layout=widgets.Layout(width="auto"))
        self.message = widgets.HTML("")
        self.table = widgets.HTML("")
        self.summary = widgets.HTML("")
        self.figures = widgets.Output()
        for widget, css_name in ((self.message, "message"), (self.summary, "summary"), (self.table, "table"),
                             (self.figures, "figures")):
            widget.add_class(f"nbc-dashboard-{css_name}")

        for control in self._controls():
            control.observe(lambda _: self.update(), names="value")
        self.export_figures_button.on_click(lambda _: self.export_figures())
        self.export_latex_button.on_click(lambda _: self.export_latex())
        self.export_report_button.on_click(lambda _: self.export_report())

        self.update()
        self.children = (
            widgets.HBox([widgets.VBox([self.metric, self.test, self.correction]),
                          widgets.VBox([self.alpha, self.confidence_level]),
                          self.candidates]),
            widgets.HBox([self.export_dir, self.export_figures_button, self.export_latex_button,
                          self.export_report_button]),
            self.message,
            self.summary,
            self.table,
            self.figures,
        )
        self._ready.set()

    def _controls(self) -> tuple[widgets.ValueWidget, ...]:
        return (self.metric, self.test, self.correction, self.alpha, self.confidence_level, self.candidates)

    # -- the analysis --------------------------------------------------------------------

    def options(self) -> dict[str, Any]:
        """Return the keyword arguments of ``compare`` that the controls set."""
        results = self._require_results()
        selected = list(self.candidates.value)
        return {
            "metric": self.metric.value,
            "test": TEST_CHOICES[self.test.value],
            "correction": self.correction.value,
            "alpha": float(self.alpha.value),
            "confidence_level": float(self.confidence_level.value),
            # None (all candidates) keeps code() short when nothing is deselected.
            "candidates": None if set(selected) == set(results.candidates) else selected,
        }

    def update(self) -> Comparison | None:
        """Rerun ``compare`` with the current options and redraw the outputs.

        An invalid combination of options shows its error in ``message``, stores it
        in :attr:`error` and leaves :attr:`comparison` and the outputs unchanged.
        """
        self._snapshot = None
        results = self._require_results()
        options = self.options()
        requested = dict(options)
        metric = options.pop("metric")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                comparison = compare(results, metric, **options)
        except (ValueError, TypeError) as error:
            self.error = error
            self._set_message(f"Not updated: {error}", _ERROR_COLOR)
            self._status_html = self.message.value
            return self.comparison
        self.error = None
        self.comparison = comparison
        self._compared_options = requested
        self._shown_options = self._option_labels()
        notes = list(dict.fromkeys(str(w.message) for w in caught))
        if notes:
            self._set_message(" ".join(notes), _WARNING_COLOR)
        else:
            self._set_message("", _OK_COLOR)
        self.table.value = comparison._repr_html_()
        self.summary.value = _summary_html(comparison)
        self._schedule_figures()
        self._status_html = self.message.value
        return comparison

    def _option_labels(self) -> dict[str, Any]:
        """Return the control values as the snapshot's options line shows them."""
        return {"Metric": self.metric.value, "Test": self.test.value, "Correction": self.correction.value,
                "Alpha": float(self.alpha.value), "CI level": float(self.confidence_level.value)}

    def code(self) -> str:
        """Return Python source that repeats the comparison shown into ``comparison``.

        With a results directory the source reads it. Otherwise it expects the
        ResultSet in a variable named ``results``.
        """
        # The last valid options: after an invalid control change the dashboard keeps
        # showing the previous comparison, and the code must reproduce what is shown.
        options = dict(self._compared_options) if self._compared_options is not None else self.options()
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
        import matplotlib
        import matplotlib.pyplot as plt

        from nbcompare.plots import plot_cd_diagram, plot_metric_ci

        # Candidate names are any printable text, so "$" or "_{" in them must show as
        # typed, not as mathtext. Text objects keep the setting they were created with.
        with matplotlib.rc_context({"text.parse_math": False}):
            ci_axes = plot_metric_ci(comparison, palette=self.palette)
            cd_axes = plot_cd_diagram(comparison, palette=self.palette)
        figures = (ci_axes.figure, cd_axes.figure)
        for figure in figures:
            # pyplot keeps every figure it creates until it is closed, and each
            # redraw creates two.
            plt.close(figure)
        return figures

    def _schedule_figures(self) -> None:
        """Draw the figures after the table, or at once when no event loop runs.

        In a kernel, a control change runs update() on the kernel's asyncio loop.
        Queuing the draw on that loop lets the frontend show the new table and
        summary before the figures, which take longer than the statistics for
        large studies. Several quick changes share one draw, of the last comparison.
        """
        self._figures_pending = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush_figures()
            return
        if not self._draw_queued:
            self._draw_queued = True
            loop.call_soon(self._draw_queued_figures)

    def _draw_queued_figures(self) -> None:
        self._draw_queued = False
        self.flush_figures()

    def flush_figures(self) -> None:
        """Draw the figures of the current comparison now if an update left them pending.

        Needed only in code that changes a control and reads ``figures`` in the
        same cell, because the kernel draws them after the cell otherwise.
        """
        if self._figures_pending and self.comparison is not None:
            self._figures_pending = False
            self._snapshot = None
            self._draw_figures()
            self.refresh_static_copy()

    def _draw_figures(self) -> None:
        import base64

        from nbcompare.widgets import _snapshot

        self._figure_images = []
        try:
            figures = self._figure_pair(self.comparison)
            images = [(_snapshot.figure_png(figure), alt) for figure, alt in zip(figures, self._figure_alts())]
        except Exception as error:  # noqa: BLE001 - a plot error must not hide the tables
            logger.exception("Drawing the figures of metric %s failed.", self.comparison.metric)
            self.figures.outputs = ()
            self._set_message(f"The figures could not be drawn: {type(error).__name__}: {error}",
                              _ERROR_COLOR)
            return
        # The PNGs are written into the Output widget's outputs directly. Displaying
        # inside ``with self.figures`` captures nothing when update() runs outside the
        # cell that created the dashboard, as it does in the launch panel's thread.
        self.figures.outputs = tuple(
            {"output_type": "display_data", "metadata": {},
             "data": {"image/png": base64.b64encode(data).decode("ascii"), "text/plain": alt}}
            for data, alt in images if data is not None)
        # Kept for snapshot_html(), so the snapshot does not render the PNGs again.
        self._figure_images = images

    def _figure_alts(self) -> tuple[str, str]:
        metric = self.comparison.metric
        return (f"Means of {metric} with confidence intervals, by candidate",
                f"Critical-difference diagram of {metric}")

    # -- static snapshot -----------------------------------------------------------------

    def snapshot_html(self) -> str:
        """Return the dashboard's current state as static HTML.

        The HTML starts with a note that it is a snapshot and the options line
        (metric, test, correction, alpha, CI level, candidates). Then come the
        message of the last update, the summary in words, the table, and the CI
        plot and CD diagram as base64 PNG ``<img>`` elements. Every user string in
        it is escaped. The result is cached until the next update, so repeated
        calls are cheap.

        This is the ``text/html`` of the dashboard's output, which renderers
        without a widget manager show in place of the controls.
        """
        self.flush_figures()
        if self._snapshot is None:
            self._snapshot = self._render_snapshot()
        return self._snapshot

    def _render_snapshot(self) -> str:
        from nbcompare.widgets import _snapshot

        if self.results is None:
            return _snapshot.snapshot_html(options="", status="", summary=f"<p>{self.waiting.value}</p>",
                                           table="", figures="")
        if self.comparison is None:
            return _snapshot.snapshot_html(
                options=_snapshot.options_html(self._option_labels(), list(self.candidates.value)),
                status=f"<p>{self._status_html}</p>" if self._status_html else "",
                summary="<p>No valid comparison yet.</p>", table="", figures="")
        return _snapshot.snapshot_html(
            options=_snapshot.options_html(self._shown_options, list(self.comparison.candidates)),
            status=f"<p>{self._status_html}</p>" if self._status_html else "",
            summary=self.summary.value,
            table=self.table.value,
            figures=_snapshot.images_html(self._figure_images),
        )

    def static_html(self) -> str:
        return self.snapshot_html()

    def static_plain(self) -> str | None:
        if self.comparison is None:
            return None
        return (f"ResultsDashboard: {self.comparison.metric}, candidates "
                f"{', '.join(self.comparison.candidates)}. The controls need "
                "ipywidgets 8 in JupyterLab or Jupyter Notebook.")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """Add the static snapshot as ``text/html`` to ipywidgets' widget-view bundle.

        In JupyterLab, @jupyter-widgets/jupyterlab-manager (jupyterlab_widgets 3.0)
        registers the widget view at rank -10, ahead of ``text/html`` at rank 50,
        so a trusted notebook with a running kernel shows the live controls.
        nbconvert's HTML and nbviewer show ``text/html`` unless the notebook
        stores the widget state (see ``nbcompare.report._export.static_widget_outputs``).
        The copy is sent again whenever the figures are redrawn
        (:meth:`~nbcompare.widgets._snapshot.StaticCopyDisplay.refresh_static_copy`).
        """
        # NOTE: GitHub's notebook preview is expected to show text/html, the richest type
        # it supports. No GitHub rendering has been checked.
        return self._mimebundle_with_copy(super()._repr_mimebundle_(**kwargs),
                                          kwargs.get("include"), kwargs.get("exclude"))

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
    """Render the omnibus sentence and the recommendation as HTML.

    The reasons for the choice of test are left out here because the table below
    (the comparison's own HTML) lists them.
    """
    from nbcompare.report._text import omnibus_sentence, recommendation

    parts = [omnibus_sentence(comparison), recommendation(comparison)]
    return _markdown_to_html("\n\n".join(parts))


def _markdown_to_html(text: str) -> str:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        # NOTE: without markdown-it-py the Markdown is shown as escaped source text.
        return f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre>'
    # html=False renders raw HTML in the text as escaped text, not as markup.
    return MarkdownIt("commonmark", {"html": False}).render(text)
