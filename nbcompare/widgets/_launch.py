"""LaunchPanel: run a study in the background and show its trials' progress."""

from __future__ import annotations

import html
import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from nbcompare.launch._progress import Progress, count_progress
from nbcompare.launch._records import RecordsLayout, read_json
from nbcompare.study import Study

__all__ = ["LaunchPanel"]

logger = logging.getLogger(__name__)

_STATUS_COLORS = {"completed": "#1b5e20", "failed": "#b00020", "running": "#0d47a1", "pending": "#666"}
_MAX_MESSAGE_CHARS = 300


class LaunchPanel(widgets.VBox):
    """A launch button, a progress bar and a table of the study's trials.

    The button calls :func:`nbcompare.launch.run_study` in a background thread, so
    the kernel stays responsive while the trials run. A second thread reads the
    records directory every ``poll_interval_s`` seconds and updates the progress
    bar and the table, which shows each trial's metrics or, for a failed trial,
    its error message.

    NOTE: the threads set widget values directly. The tests check this without a
    frontend, and no live Jupyter frontend has been tried with these threads.

    Parameters
    ----------
    study : Study or StudyBuilder
        What to launch. A builder is asked for its study when the button is clicked.
    results_dir : path, optional
        Passed to ``run_study``; defaults to ``results/<study name>``.
    executor, workers :
        Passed to ``run_study`` (NeMo Run executor and number of shards).
    poll_interval_s : float
        Seconds between reads of the records directory.
    """

    def __init__(self, study: Any = None, *, results_dir: str | os.PathLike[str] | None = None,
                 executor: Any = None, workers: int | None = None, poll_interval_s: float = 0.5):
        self._source = study
        self._results_dir = results_dir
        self._executor = executor
        self._workers = workers
        self.poll_interval_s = poll_interval_s
        self._study: Study | None = None
        self._layout: RecordsLayout | None = None
        self._launch_thread: threading.Thread | None = None
        self._poll_thread: threading.Thread | None = None
        self._stop_polling = threading.Event()
        self._lock = threading.Lock()
        self.run = None
        self.error: BaseException | None = None

        self.launch_button = widgets.Button(description="Launch", icon="play", button_style="primary")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Trials")
        self.status = widgets.HTML("")
        self.table = widgets.HTML("")
        self.launch_button.on_click(lambda _: self.launch())
        super().__init__([widgets.HBox([self.launch_button, self.progress]), self.status, self.table])

    # -- launching -----------------------------------------------------------------------

    def _resolve_study(self) -> Study:
        source = self._source
        if isinstance(source, Study):
            return source
        if source is not None and callable(getattr(source, "study", None)):
            return source.study()
        raise ValueError("LaunchPanel has no study to launch. Pass a Study or a StudyBuilder.")

    def launch(self) -> None:
        """Start ``run_study`` in a background thread and return at once.

        The status line shows an invalid study or a failed launch; :meth:`wait`
        re-raises the error.
        """
        with self._lock:
            if self.running:
                self._set_status("A launch is already running; wait for it to finish.", "#b00020")
                return
            self.error = None
            try:
                study = self._resolve_study()
            except Exception as error:  # noqa: BLE001 - shown to the user and kept for wait()
                self.error = error
                self._set_status(f"Not launched: {error}", "#b00020")
                return
            self._study = study
            self._layout = RecordsLayout(self._results_dir or Path("results") / study.name)
            self.launch_button.disabled = True
            self._set_status(f"Launching {len(study.trials())} trials of {study.name!r} "
                             f"into {self._layout.root}.", "#0d47a1")
            self._launch_thread = threading.Thread(target=self._run_study, args=(study,),
                                                   name="nbcompare-launch", daemon=True)
            self._launch_thread.start()
            self._start_polling(until=lambda: not self.running)

    def _run_study(self, study: Study) -> None:
        from nbcompare.launch import run_study

        try:
            self.run = run_study(study, results_dir=self._layout.root, executor=self._executor,
                                 workers=self._workers, progress=False)
        except BaseException as error:  # noqa: BLE001 - reported in the panel and by wait()
            logger.exception("Launch of study %s failed.", study.name)
            self.error = error
        finally:
            self.launch_button.disabled = False

    @property
    def running(self) -> bool:
        """Whether a launch started by this panel is still running."""
        return self._launch_thread is not None and self._launch_thread.is_alive()

    def attach(self, results_dir: str | os.PathLike[str], *, follow: bool = True) -> None:
        """Show a study launched earlier, from its results directory.

        With ``follow`` the panel keeps reading the records until every trial has
        finished or :meth:`stop` is called.
        """
        from nbcompare.launch import StudyRun

        self.run = StudyRun.attach(results_dir)
        self._study = self.run.study
        self._layout = RecordsLayout(self.run.results_dir)
        self._results_dir = self.run.results_dir
        self._source = self._study
        self.refresh()
        if follow:
            # NOTE: trials that were planned but never launched stay pending, so the
            # panel then polls until stop() is called.
            self._start_polling(until=self._all_finished)

    def _all_finished(self) -> bool:
        progress = self._read_progress()
        return progress.pending == 0 and progress.running == 0

    def stop(self) -> None:
        """Stop reading the records directory; a running launch continues."""
        self._stop_polling.set()

    def wait(self, timeout: float | None = None) -> Any:
        """Wait for the launch to end and return its StudyRun.

        Raises TimeoutError if it is still running after ``timeout`` seconds, and
        re-raises the launch's error if it failed.
        """
        if self._launch_thread is not None:
            self._launch_thread.join(timeout)
            if self._launch_thread.is_alive():
                raise TimeoutError(f"The launch is still running after {timeout} s.")
        if self._poll_thread is not None:
            self._poll_thread.join(max(5.0, 4 * self.poll_interval_s))
        if self.error is not None:
            raise self.error
        return self.run

    # -- progress ------------------------------------------------------------------------

    def _start_polling(self, until: Callable[[], bool]) -> None:
        self._stop_polling.set()
        if self._poll_thread is not None and self._poll_thread is not threading.current_thread():
            self._poll_thread.join()
        self._stop_polling = threading.Event()
        stop = self._stop_polling
        self._poll_thread = threading.Thread(target=self._poll, args=(stop, until),
                                             name="nbcompare-progress", daemon=True)
        self._poll_thread.start()

    def _poll(self, stop: threading.Event, until: Callable[[], bool]) -> None:
        while True:
            done = until()
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a display error must not end the launch
                logger.exception("Reading the progress of %s failed.", self._layout.root)
            if done or stop.wait(self.poll_interval_s):
                break
        self._show_outcome()

    def _read_progress(self) -> Progress:
        return count_progress(self._layout, [t.trial_id for t in self._study.trials()])

    def refresh(self) -> Progress | None:
        """Read the records directory and update the progress bar and the table."""
        if self._study is None or self._layout is None:
            return None
        trials = self._study.trials()
        progress = self._read_progress()
        self.progress.max = max(1, progress.total)
        self.progress.value = progress.finished
        self.progress.bar_style = "danger" if progress.failed else (
            "success" if progress.finished == progress.total else "info")
        self.progress.description = f"{progress.finished}/{progress.total}"
        self.table.value = self._table_html(trials)
        if not self.running and self.error is None:
            self._set_status(str(progress), "#333")
        return progress

    def _show_outcome(self) -> None:
        if self.error is not None:
            self._set_status(f"Launch failed: {type(self.error).__name__}: {self.error}", "#b00020")

    def _table_html(self, trials: list[Any]) -> str:
        metric_names = [m.name for m in self._study.metrics]
        running = self._layout.running_ids()
        have = self._layout.record_ids()
        header = "".join(f"<th>{html.escape(h)}</th>" for h in
                         ["candidate", "task", "seed", "status", *metric_names, "error"])
        rows = []
        for trial in trials:
            record: dict[str, Any] = {}
            if trial.trial_id in have:
                try:
                    record = read_json(self._layout.record(trial.trial_id))
                except (OSError, ValueError):
                    record = {}  # being replaced right now; the next poll reads it
            status = record.get("status") or ("running" if trial.trial_id in running else "pending")
            values = {**(record.get("measurements") or {}), **(record.get("metrics") or {})}
            cells = [trial.candidate, trial.task, str(trial.seed)]
            metric_cells = [_format_number(values.get(name)) for name in metric_names]
            error = record.get("error") or {}
            message = f"{error.get('type', '')}: {error.get('message', '')}" if error else ""
            if len(message) > _MAX_MESSAGE_CHARS:
                message = message[:_MAX_MESSAGE_CHARS] + "…"
            color = _STATUS_COLORS.get(status, "#333")
            rows.append(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells)
                + f'<td style="color:{color}">{html.escape(status)}</td>'
                + "".join(f"<td>{html.escape(c)}</td>" for c in metric_cells)
                + f'<td style="color:#b00020">{html.escape(message)}</td></tr>'
            )
        return (f'<table class="nbcompare-trials"><thead><tr>{header}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")

    def _set_status(self, text: str, color: str) -> None:
        self.status.value = f'<span style="color:{color}">{html.escape(text)}</span>'


def _format_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)

