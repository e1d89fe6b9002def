"""LaunchPanel: run a study in the background, show its trials' progress and cancel it."""

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
from nbcompare.widgets._snapshot import StaticCopyDisplay, static_copy_html

__all__ = ["LaunchPanel"]

logger = logging.getLogger(__name__)

_STATUS_COLORS = {"completed": "#1b5e20", "failed": "#b00020", "cancelled": "#8a5a00",
                  "running": "#0d47a1", "pending": "#666"}
_ERROR_COLOR = "#b00020"
_INFO_COLOR = "#0d47a1"
_WARNING_COLOR = "#8a5a00"
_MAX_MESSAGE_CHARS = 300


class LaunchPanel(StaticCopyDisplay, widgets.VBox):
    """A launch button, a cancel button, a progress bar and a table of the study's trials.

    The launch button calls :func:`nbcompare.launch.run_study` in a background
    thread, so the kernel stays responsive while the trials run. A second thread
    reads the records directory every ``poll_interval_s`` seconds and updates the
    progress bar and the table, which shows each trial's metrics or, for a failed
    or cancelled trial, its error message. The cancel button, enabled while a launch
    runs, calls :meth:`cancel`.

    The threads set widget values directly, which ipykernel sends to the frontend
    from any thread. tests/test_browser_quickstart.py checks in JupyterLab 4 that
    the progress, the table and a dashboard filled from :meth:`on_finish` appear.

    Parameters
    ----------
    study : Study or StudyBuilder
        What to launch. A builder is asked for its study, executor and workers when
        the button is clicked.
    results_dir : path, optional
        Passed to ``run_study``; defaults to ``results/<study name>``.
    executor, workers :
        Passed to ``run_study`` (NeMo Run executor and number of shards). Without an
        executor the panel uses the builder's executor, and then also its workers
        unless ``workers`` is given.
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
        self._cancel_thread: threading.Thread | None = None
        self._cancel_requested = False
        self._following = False  # attached to a launch that may still be alive
        self._stopped_reason: str | None = None
        self.run = None
        self.error: BaseException | None = None
        self.cancel_result = None
        self._finish_callbacks: list[Callable[["LaunchPanel"], None]] = []
        self._has_finished = False

        self.launch_button = widgets.Button(description="Launch", icon="play", button_style="primary")
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", button_style="danger",
                                            tooltip="Stop the running trials; completed ones keep their records",
                                            disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Trials")
        self.status = widgets.HTML("")
        self.table = widgets.HTML("")
        self.launch_button.on_click(lambda _: self.launch())
        self.cancel_button.on_click(lambda _: self.cancel(wait=False))
        super().__init__([widgets.HBox([self.launch_button, self.cancel_button, self.progress]),
                          self.status, self.table])
        self.add_class("nbc-launch-panel")
        for widget, css_name in ((self.launch_button, "launch"), (self.cancel_button, "cancel"),
                             (self.progress, "progress"), (self.status, "launch-status"), (self.table, "trials")):
            widget.add_class(f"nbc-{css_name}")

    @property
    def results_dir(self) -> Path | None:
        """Results directory of the current launch or attached study; None before either."""
        return self._layout.root if self._layout is not None else None

    def on_finish(self, callback: Callable[["LaunchPanel"], None]) -> None:
        """Call ``callback(panel)`` whenever a launch of this panel ends.

        A launch ends when ``run_study`` returns or raises (then :attr:`error` is
        set), and an attached study when following stops. The callback runs in the
        panel's background thread, and an exception in it is logged. If a launch has
        already ended, the callback is also called at once.
        """
        self._finish_callbacks.append(callback)
        if self._has_finished:
            self._call_finish_callback(callback)

    def _notify_finished(self) -> None:
        self._has_finished = True
        self.refresh_static_copy()
        for callback in list(self._finish_callbacks):
            self._call_finish_callback(callback)

    def _call_finish_callback(self, callback: Callable[["LaunchPanel"], None]) -> None:
        try:
            callback(self)
        except Exception:  # noqa: BLE001 - a listener's error must not end the launch thread
            logger.exception("A finish callback of the launch panel for %s failed.", self.results_dir)

    # -- launching -----------------------------------------------------------------------

    def _resolve_study(self) -> Study:
        source = self._source
        if isinstance(source, Study):
            return source
        if source is not None and callable(getattr(source, "study", None)):
            return source.study()
        raise ValueError("LaunchPanel has no study to launch. Pass a Study or a StudyBuilder.")

    def _resolve_executor(self) -> tuple[Any, int | None]:
        """Return the executor and workers: the panel's own, else the builder's."""
        executor, workers = self._executor, self._workers
        choose = getattr(self._source, "executor", None)
        if executor is None and callable(choose):
            choice = choose()
            executor = choice.executor
            if workers is None:
                workers = choice.workers
        return executor, workers

    def launch(self) -> None:
        """Start ``run_study`` in a background thread and return at once.

        The status line shows an invalid study or a failed launch; :meth:`wait`
        re-raises the error.
        """
        with self._lock:
            if self.running:
                self._set_status("A launch is already running; wait for it to finish or cancel it.",
                                 _ERROR_COLOR)
                return
            self.error = None
            try:
                study = self._resolve_study()
                executor, workers = self._resolve_executor()
            except Exception as error:  # noqa: BLE001 - shown to the user and kept for wait()
                self.error = error
                self._set_status(f"Not launched: {error}", _ERROR_COLOR)
                return
            self._study = study
            self._layout = RecordsLayout(self._results_dir or Path("results") / study.name)
            self._cancel_requested = False
            self._stopped_reason = None
            self.cancel_result = None
            self._has_finished = False
            self._set_status(f"Launching {len(study.trials())} trials of {study.name!r} "
                             f"into {self._layout.root}.", _INFO_COLOR)
            self._launch_thread = threading.Thread(target=self._run_study, args=(study, executor, workers),
                                                   name="nbcompare-launch", daemon=True)
            self._launch_thread.start()
            self._update_buttons()
            self._start_polling(until=lambda: not self.running)

    def _run_study(self, study: Study, executor: Any, workers: int | None) -> None:
        from nbcompare.launch import run_study

        try:
            self.run = run_study(study, results_dir=self._layout.root, executor=executor,
                                 workers=workers, progress=False)
        except BaseException as error:  # noqa: BLE001 - reported in the panel and by wait()
            logger.exception("Launch of study %s failed.", study.name)
            self.error = error
        finally:
            self._launch_thread_done()
            self._notify_finished()

    def _launch_thread_done(self) -> None:
        # Runs in the launch thread just before it ends, so `running` is still True.
        self.launch_button.disabled = False
        self.cancel_button.disabled = True

    def _update_buttons(self) -> None:
        self.launch_button.disabled = self.running
        self.cancel_button.disabled = self._cancel_requested or not (self.running or self._following)

    def cancel(self, *, wait: bool = True, timeout_s: float = 30.0) -> Any:
        """Cancel the launch this panel started or attached to, with :func:`nbcompare.launch.cancel_study`.

        The running trials are stopped, completed trials keep their records, and every
        unfinished trial of the launch gets a ``cancelled`` record, so launching again
        runs exactly those. With ``wait``, the call returns the
        :class:`~nbcompare.launch.CancelResult` once the launch has ended, which takes
        at most about ``2 * timeout_s`` seconds. Without ``wait`` (the Cancel button),
        it returns None at once and the status line reports the outcome.
        """
        if self._layout is None:
            self._set_status("Nothing to cancel: launch a study or attach to one first.", _ERROR_COLOR)
            return None
        self._cancel_requested = True
        self._update_buttons()
        self._set_status(f"Cancelling the launch in {self._layout.root} ...", _WARNING_COLOR)
        if wait:
            return self._cancel(timeout_s)
        self._cancel_thread = threading.Thread(target=self._cancel, args=(timeout_s,),
                                               name="nbcompare-cancel", daemon=True)
        self._cancel_thread.start()
        return None

    def _cancel(self, timeout_s: float) -> Any:
        from nbcompare.launch import cancel_study

        try:
            result = cancel_study(self._layout.root, timeout_s=timeout_s)
        except Exception as error:  # noqa: BLE001 - shown to the user
            logger.exception("Cancelling the launch in %s failed.", self._layout.root)
            self._cancel_requested = False
            self._update_buttons()
            self._set_status(f"Cancel failed: {type(error).__name__}: {error}", _ERROR_COLOR)
            return None
        self.cancel_result = result
        if self._launch_thread is not None:
            self._launch_thread.join(timeout_s)
        self._following = False
        self.refresh()
        self._update_buttons()
        if result.experiment_id is None and not self.running:
            self._set_status(result.message, _WARNING_COLOR)
        return result

    @property
    def running(self) -> bool:
        """Whether a launch started by this panel is still running."""
        return self._launch_thread is not None and self._launch_thread.is_alive()

    def attach(self, results_dir: str | os.PathLike[str], *, follow: bool = True) -> None:
        """Show a study launched earlier, from its results directory.

        With ``follow`` the panel keeps reading the records until every trial has
        finished, no launch of the study is alive any more (see
        :func:`nbcompare.launch.launch_status`), or :meth:`stop` is called. While the
        attached launch is alive, :meth:`cancel` and the Cancel button stop it.
        """
        from nbcompare.launch import StudyRun, launch_status

        self.run = StudyRun.attach(results_dir)
        self._study = self.run.study
        self._layout = RecordsLayout(self.run.results_dir)
        self._results_dir = self.run.results_dir
        self._source = self._study
        self._cancel_requested = False
        self._stopped_reason = None
        self.cancel_result = None
        self._following = launch_status(self._layout.root).alive is not False
        self._has_finished = False
        self.refresh()
        self._update_buttons()
        if follow:
            self._start_polling(until=self._attached_launch_ended, on_done=self._notify_finished)
        else:
            self._notify_finished()

    def _attached_launch_ended(self) -> bool:
        """Return whether to stop following: every trial has a record, or no launch is alive."""
        from nbcompare.launch import launch_status

        progress = self._read_progress()
        if progress.pending == 0 and progress.running == 0:
            return True
        status = launch_status(self._layout.root)
        if status.alive is False:
            missing = progress.pending + progress.running
            self._stopped_reason = (f"Stopped following: no launch of this study is running "
                                    f"({status.reason.rstrip('.')}), and {missing} trial(s) have no "
                                    "record. Launch the study again to run them.")
            return True
        # NOTE: with alive None (Slurm or another host) the panel follows until every
        # trial has a record or stop() is called.
        return False

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
        if self._cancel_thread is not None:
            self._cancel_thread.join(timeout)
        if self._poll_thread is not None:
            self._poll_thread.join(max(5.0, 4 * self.poll_interval_s))
        if self.error is not None:
            raise self.error
        return self.run

    # -- progress ------------------------------------------------------------------------

    def _start_polling(self, until: Callable[[], bool], on_done: Callable[[], None] | None = None) -> None:
        self._stop_polling.set()
        if self._poll_thread is not None and self._poll_thread is not threading.current_thread():
            self._poll_thread.join()
        self._stop_polling = threading.Event()
        stop = self._stop_polling
        self._poll_thread = threading.Thread(target=self._poll, args=(stop, until, on_done),
                                             name="nbcompare-progress", daemon=True)
        self._poll_thread.start()

    def _poll(self, stop: threading.Event, until: Callable[[], bool],
              on_done: Callable[[], None] | None = None) -> None:
        """Refresh until ``until()`` is true, then call ``on_done``; stop() ends it without the call."""
        while True:
            done = until()
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a display error must not end the launch
                logger.exception("Reading the progress of %s failed.", self._layout.root)
            if done or stop.wait(self.poll_interval_s):
                break
        if not self.running:
            self._following = False
            self._update_buttons()
        self._show_outcome()
        # The final status is known only now: the launch thread ends before it.
        self.refresh_static_copy()
        if done and on_done is not None:
            on_done()

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
        if progress.failed:
            self.progress.bar_style = "danger"
        elif progress.cancelled:
            self.progress.bar_style = "warning"
        else:
            self.progress.bar_style = "success" if progress.finished == progress.total else "info"
        self.progress.description = f"{progress.finished}/{progress.total}"
        self.table.value = self._table_html(trials)
        if not self.running and self.error is None:
            if self.cancel_result is not None and self.cancel_result.experiment_id is not None:
                self._set_status(f"Cancelled by the user: {progress}. Launch again to run the "
                                 "cancelled trials.", _WARNING_COLOR)
            elif not self._cancel_requested:
                self._set_status(str(progress), "#333")
        return progress

    def _show_outcome(self) -> None:
        if self.error is not None:
            self._set_status(f"Launch failed: {type(self.error).__name__}: {self.error}", _ERROR_COLOR)
        elif self._stopped_reason is not None:
            self._set_status(self._stopped_reason, _WARNING_COLOR)

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

    # -- static copy ---------------------------------------------------------------------

    def static_html(self) -> str:
        progress = f"<p><b>Trials:</b> {html.escape(self.progress.description)}</p>" if self._study else ""
        return static_copy_html("launch panel", f"{progress}{self.status.value}{self.table.value}")

    def static_plain(self) -> str | None:
        if self._study is None:
            return None
        return f"LaunchPanel: study {self._study.name!r}, trials {self.progress.description}."

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """Add a static copy of the status and the trials table as ``text/html``."""
        return self._mimebundle_with_copy(super()._repr_mimebundle_(**kwargs),
                                          kwargs.get("include"), kwargs.get("exclude"))

    def _set_status(self, text: str, color: str) -> None:
        self.status.value = f'<span style="color:{color}">{html.escape(text)}</span>'


def _format_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)

