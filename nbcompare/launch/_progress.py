"""Terminal progress read from the records directory, not from NeMo Run's job status."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

from nbcompare.launch._records import RecordsLayout, read_json

__all__ = ["Progress", "count_progress", "ProgressPrinter"]


@dataclass(frozen=True)
class Progress:
    """Counts of one launch's trials by state."""

    total: int
    completed: int
    failed: int
    running: int
    cancelled: int = 0

    @property
    def pending(self) -> int:
        return max(0, self.total - self.finished - self.running)

    @property
    def finished(self) -> int:
        """Trials with a record: completed, failed or cancelled."""
        return self.completed + self.failed + self.cancelled

    def __str__(self) -> str:
        cancelled = f"{self.cancelled} cancelled, " if self.cancelled else ""
        return (f"{self.finished}/{self.total} trials finished: {self.completed} completed, "
                f"{self.failed} failed, {cancelled}{self.running} running, {self.pending} pending")


def count_progress(layout: RecordsLayout, trial_ids: list[str], since: float | None = None) -> Progress:
    """Count ``trial_ids`` by state; with ``since``, count only records finished after it."""
    requested = set(trial_ids)
    completed = failed = cancelled = 0
    for trial_id in requested & layout.record_ids():
        try:
            record = read_json(layout.record(trial_id))
        except (OSError, ValueError):
            continue  # being replaced right now
        if since is not None and (record.get("finished_at") or 0) < since:
            continue
        status = record.get("status")
        if status == "completed":
            completed += 1
        elif status == "cancelled":
            cancelled += 1
        else:
            failed += 1
    running = len(requested & layout.running_ids())
    return Progress(len(requested), completed, failed, running, cancelled)


class ProgressPrinter:
    """Print progress lines from a background thread while a launch is waiting.

    On a terminal the line is redrawn in place; otherwise a line is written whenever
    the counts change.
    """

    def __init__(self, layout: RecordsLayout, trial_ids: list[str], *, since: float,
                 stream: TextIO | None = None, interval_s: float = 1.0):
        self.layout = layout
        self.trial_ids = trial_ids
        self.since = since
        self.stream = stream or sys.stderr
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="nbcompare-progress", daemon=True)
        self._last = ""
        self._last_counts = ""
        self._start = time.monotonic()

    def __enter__(self) -> "ProgressPrinter":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._emit(final=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._emit()

    def _emit(self, final: bool = False) -> None:
        progress = count_progress(self.layout, self.trial_ids, since=self.since)
        text = f"[nbcompare] {progress} ({time.monotonic() - self._start:.0f} s)"
        is_tty = getattr(self.stream, "isatty", lambda: False)()
        if is_tty:
            self.stream.write("\r" + text.ljust(len(self._last)) + ("\n" if final else ""))
        elif str(progress) != self._last_counts:
            self.stream.write(text + "\n")
        self.stream.flush()
        self._last = text
        self._last_counts = str(progress)
