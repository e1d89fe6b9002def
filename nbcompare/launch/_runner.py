"""Run trials: each in a forked child process that writes its own record.

A shard (one NeMo Run task) calls :func:`run_trials`. For every trial it forks a
child, which seeds the random generators, imports and calls the trial function,
and writes the record. The parent waits, and when the child died without a
record (an exception before the write, a signal such as SIGKILL, a timeout, or an
exit with status 0 but no record) it writes a failed record naming the cause.
A crashed trial therefore costs only itself: the shard goes on with the next one.

Stopping a shard: on SIGTERM (NeMo Run's cancel, ``scancel``, a Slurm time limit,
:func:`nbcompare.launch.cancel_study`) the shard kills its running trial, writes a
record for it and for each trial it has not run, and then dies of the signal.
The records have status ``cancelled`` when the results directory contains a
cancel request (``cancel.json``) and ``failed`` otherwise. The shard also checks
for a cancel request before each trial. On Linux each trial process is started
with ``PR_SET_PDEATHSIG``, so it gets SIGKILL when its shard dies of SIGKILL.
"""

from __future__ import annotations

import ctypes
import logging
import math
import numbers
import os
import random
import resource
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Iterable, Mapping

from nbcompare.launch._context import TrialContext
from nbcompare.launch._environment import environment_info
from nbcompare.launch._records import RECORD_SCHEMA_VERSION, RecordsLayout, atomic_write_json, read_json
from nbcompare.study import Trial, resolve_function

__all__ = ["run_trials", "execute_trial", "write_failure", "write_interrupted", "CANCELLED_MESSAGE"]

logger = logging.getLogger(__name__)

_POLL_S = 0.05
_LOG_TAIL_CHARS = 4000
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

CANCELLED_MESSAGE = ("The trial was cancelled by the user before it finished; resuming the study "
                     "runs it again.")


class _ShardState:
    """State shared by a shard's SIGTERM handler and its trial loop."""

    def __init__(self) -> None:
        self.child_pid: int | None = None
        self.signal: int | None = None


_shard = _ShardState()


def _on_terminate(signum: int, frame: Any) -> None:
    # Runs between two bytecodes of the shard's main thread, so it only sets the flag
    # and kills the trial; the trial loop writes the records.
    _shard.signal = signum
    if _shard.child_pid is not None:
        try:
            os.kill(_shard.child_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux. A forked child starts from its parent's resident
    # pages, so this is the peak of the whole trial process, interpreter included.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def _clean_metrics(raw: Any, function: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise TypeError(
            f"Trial function {function} returned {type(raw).__name__}; it must return a dict "
            "mapping metric names to numbers."
        )
    metrics = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise TypeError(f"Trial function {function} returned a metric key {key!r}; keys must be strings.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"Trial function {function} returned {key}={value!r} ({type(value).__name__}); "
                "metric values must be real numbers."
            )
        value = float(value)
        metrics[key] = value if math.isfinite(value) else float("nan")
    return metrics


def _base_record(trial: Trial, study_name: str, layout: RecordsLayout) -> dict[str, Any]:
    return {
        "schema_version": RECORD_SCHEMA_VERSION,
        "study": study_name,
        **trial.to_dict(),
        "log_path": str(layout.log(trial.trial_id)),
    }


def execute_trial(trial: Trial, study_name: str, layout: RecordsLayout) -> None:
    """Run one trial in the current process and write its record (completed or failed)."""
    record = _base_record(trial, study_name, layout)
    workdir = layout.workdir(trial.trial_id)
    workdir.mkdir(parents=True, exist_ok=True)
    context = TrialContext(trial_id=trial.trial_id, seed=trial.seed, workdir=workdir)
    started = time.time()
    start = time.perf_counter()
    rss_start = _rss_mb()
    try:
        function = resolve_function(trial.function)
        _seed_everything(trial.seed)
        metrics = _clean_metrics(function(dict(trial.config), trial.seed, context), trial.function)
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the record
        record.update(
            status="failed",
            error={
                "type": type(exc).__name__,
                "message": str(exc),
                "traceback": traceback.format_exc(),
                "cause": "exception",
            },
            metrics={},
        )
    else:
        record.update(status="completed", metrics=metrics, error=None)
    measurements = context.measurements()
    measurements["wall_time_s"] = time.perf_counter() - start
    measurements["peak_memory_mb"] = _peak_rss_mb()
    if rss_start is not None:
        measurements["start_memory_mb"] = rss_start
    record.update(
        measurements=measurements,
        history=context.history,
        environment=environment_info(),
        started_at=started,
        finished_at=time.time(),
    )
    atomic_write_json(layout.record(trial.trial_id), record)


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when the shard that forked it dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        os._exit(1)  # the shard died before prctl took effect


def _child(trial: Trial, study_name: str, layout: RecordsLayout, parent_pid: int) -> None:
    """Body of the forked child: redirect output to the trial's log, run, exit."""
    code = 1
    try:
        _die_with_parent(parent_pid)
        log_path = layout.log(trial.trial_id)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        execute_trial(trial, study_name, layout)
        code = 0
    except BaseException:  # noqa: BLE001 - the parent records the failure
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _describe_status(status: int) -> tuple[str, dict[str, Any]]:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return (f"The trial process was killed by {name} (signal {number}).",
                {"cause": "signal", "signal": number, "signal_name": name})
    code = os.WEXITSTATUS(status)
    if code == 0:
        return ("The trial process exited with status 0 without writing a record.",
                {"cause": "no_record", "exit_code": 0})
    return (f"The trial process exited with status {code} without writing a record.",
            {"cause": "exit", "exit_code": code})


def _log_tail(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - _LOG_TAIL_CHARS))
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def write_failure(trial: Trial, study_name: str, layout: RecordsLayout, message: str,
                  details: Mapping[str, Any], *, started: float | None = None,
                  status: str = "failed", error_type: str = "TrialProcessError") -> None:
    """Write a failed (or cancelled) record for a trial whose process could not write one itself."""
    record = _base_record(trial, study_name, layout)
    record.update(
        status=status,
        metrics={},
        measurements={},
        history=[],
        error={"type": error_type, "message": message,
               "traceback": _log_tail(layout.log(trial.trial_id)), **details},
        environment=environment_info(),
        started_at=started,
        finished_at=time.time(),
    )
    atomic_write_json(layout.record(trial.trial_id), record)


def write_interrupted(trial: Trial, study_name: str, layout: RecordsLayout, *,
                      started: float | None = None, signal_number: int | None = None) -> None:
    """Write the record of a trial stopped (or never started) because its launch was stopped.

    With a cancel request in the results directory, the record has status
    ``cancelled`` and the message :data:`CANCELLED_MESSAGE`. Without one, something
    else stopped the shard (a Slurm time limit, a kill), so the record is failed.
    """
    if layout.cancel_file.exists():
        write_failure(trial, study_name, layout, CANCELLED_MESSAGE, {"cause": "cancelled"},
                      started=started, status="cancelled", error_type="TrialCancelled")
        return
    name = signal.Signals(signal_number).name if signal_number else "a stop request"
    message = (f"The shard running this trial received {name} before the trial finished "
               "(a Slurm time limit, scancel, a NeMo Run cancel or a kill); resuming the "
               "study runs it again.")
    write_failure(trial, study_name, layout, message,
                  {"cause": "terminated", "signal": signal_number}, started=started)


def _wait(pid: int, timeout_s: float | None) -> tuple[int, bool]:
    """Wait for ``pid``; kill it after ``timeout_s``. Return (status, timed_out)."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, False
        if deadline is not None and time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            return status, True
        time.sleep(_POLL_S)


def _run_one(trial: Trial, study_name: str, layout: RecordsLayout, timeout_s: float | None) -> str:
    record_path = layout.record(trial.trial_id)
    if record_path.exists():
        record_path.unlink()  # a failed record being retried
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.time()
    parent_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        _child(trial, study_name, layout, parent_pid)
    _shard.child_pid = pid
    layout.mark_running(trial.trial_id, pid)
    try:
        if _shard.signal is not None:
            os.kill(pid, signal.SIGKILL)  # SIGTERM arrived between the fork and child_pid
        status, timed_out = _wait(pid, timeout_s)
    finally:
        _shard.child_pid = None
        layout.clear_running(trial.trial_id)

    if _shard.signal is not None and not record_path.exists():
        write_interrupted(trial, study_name, layout, started=started, signal_number=_shard.signal)
    elif timed_out:
        message = f"The trial exceeded timeout_s={timeout_s} and was killed."
        write_failure(trial, study_name, layout, message, {"cause": "timeout", "timeout_s": timeout_s},
                      started=started)
    elif not record_path.exists():
        message, details = _describe_status(status)
        write_failure(trial, study_name, layout, message, details, started=started)
    return read_json(record_path).get("status", "failed")


def _preimport(trials: Iterable[Trial]) -> None:
    """Import each trial function once in the parent so forked children share the modules."""
    for path in sorted({t.function for t in trials}):
        try:
            resolve_function(path)
        except Exception:  # noqa: BLE001 - the child reports the error in its record
            logger.debug("Could not pre-import %s; the trial will record the error.", path)


def _write_shard_marker(layout: RecordsLayout, trial_ids: list[str]) -> Path:
    import psutil

    path = layout.shards_dir / f"{socket.gethostname()}-{os.getpid()}.json"
    atomic_write_json(path, {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "pgid": os.getpgrp(),
        "create_time": psutil.Process().create_time(),
        "started_at": time.time(),
        "trial_ids": list(trial_ids),
    })
    return path


def _stop_requested(layout: RecordsLayout) -> bool:
    return _shard.signal is not None or layout.cancel_file.exists()


def run_trials(results_dir: str, trial_ids: list[str], timeout_s: float | None = None) -> dict[str, int]:
    """Run the given trials of a planned study one after another; the body of a shard.

    Trials that already have a completed record are skipped, so two shards given the
    same trial, or a shard restarted after a crash, do no work twice. When the launch
    is stopped (see the module docstring) the trials not finished get a record, and
    after SIGTERM the shard dies of that signal once the records are written.

    Returns counts of ``completed``, ``failed``, ``cancelled`` and ``skipped`` trials.
    """
    layout = RecordsLayout(results_dir)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_terminate) if in_main_thread else None
    _shard.signal = None
    marker = _write_shard_marker(layout, trial_ids)
    try:
        counts = _run_shard(layout, trial_ids, timeout_s)
    finally:
        marker.unlink(missing_ok=True)
        if in_main_thread and previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if _shard.signal is not None and in_main_thread:
        logger.info("Shard stopped by signal %s; records written.", _shard.signal)
        signal.signal(_shard.signal, signal.SIG_DFL)
        os.kill(os.getpid(), _shard.signal)  # die of the signal, as the sender expects
    return counts


def _run_shard(layout: RecordsLayout, trial_ids: list[str], timeout_s: float | None) -> dict[str, int]:
    plan = read_json(layout.plan_file)
    trials = {t["trial_id"]: Trial.from_dict(t) for t in plan["trials"]}
    unknown = [t for t in trial_ids if t not in trials]
    if unknown:
        raise ValueError(f"Trial id(s) {unknown} are not in {layout.plan_file}.")
    study_name = plan["study"]
    _preimport(trials[t] for t in trial_ids)
    environment_info()  # computed once here, inherited by every forked trial

    counts = {"completed": 0, "failed": 0, "cancelled": 0, "skipped": 0}
    for trial_id in trial_ids:
        record_path = layout.record(trial_id)
        if record_path.exists() and read_json(record_path).get("status") == "completed":
            counts["skipped"] += 1
            continue
        if _stop_requested(layout):
            write_interrupted(trials[trial_id], study_name, layout, signal_number=_shard.signal)
            status = read_json(record_path).get("status", "failed")
        else:
            status = _run_one(trials[trial_id], study_name, layout, timeout_s)
        counts[status if status in counts else "failed"] += 1
        logger.info("Trial %s finished: %s", trial_id, status)
    return counts
