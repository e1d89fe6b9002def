"""Follow and stop a launch: the launches file, which processes are alive, cancel_study.

``launches.jsonl`` has one line per launch. :func:`nbcompare.launch.run_study`
appends the line (state ``running``) as soon as NeMo Run has given the experiment
its id, before any shard starts, and sets the final state (``finished``,
``submitted``, ``cancelled`` or ``failed``) when it returns. The line also names
the launching process (host, pid), so another kernel can tell whether a launch on
this host is still alive and cancel it after a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from nbcompare.launch._records import RecordsLayout, atomic_write_json, read_json
from nbcompare.launch._runner import write_interrupted
from nbcompare.study import Trial

__all__ = ["CancelResult", "LaunchStatus", "cancel_study", "launch_status"]

logger = logging.getLogger(__name__)

RUNNING = "running"
SUBMITTED = "submitted"
FINISHED = "finished"
CANCELLED = "cancelled"
FAILED = "failed"
_ACTIVE_STATES = (RUNNING, SUBMITTED)
_LOCAL_EXECUTOR = "LocalExecutor"
_POLL_S = 0.05
_KILL_GRACE_S = 5.0

# Experiments that run_study in this process is running, by experiment id. A local
# job can be cancelled only through the NeMo Run objects that started it.
_live_experiments: dict[str, Any] = {}
_live_lock = threading.Lock()


def register_experiment(experiment_id: str, experiment: Any) -> None:
    with _live_lock:
        _live_experiments[experiment_id] = experiment


def unregister_experiment(experiment_id: str) -> None:
    with _live_lock:
        _live_experiments.pop(experiment_id, None)


# -- launches.jsonl -----------------------------------------------------------------------


@contextlib.contextmanager
def _launches_lock(layout: RecordsLayout) -> Iterator[None]:
    """Serialise writers of launches.jsonl (the launcher and cancel_study, maybe in two processes)."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with open(layout.root / ".launches.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_launches(layout: RecordsLayout) -> list[dict[str, Any]]:
    """Return every readable line of launches.jsonl, oldest first."""
    if not layout.launches_file.is_file():
        return []
    launches = []
    for number, line in enumerate(layout.launches_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            launches.append(json.loads(line))
        except ValueError:
            logger.warning("Skipping unreadable line %d of %s.", number, layout.launches_file)
    return launches


def latest_launch(layout: RecordsLayout) -> dict[str, Any] | None:
    launches = read_launches(layout)
    return launches[-1] if launches else None


def append_launch(layout: RecordsLayout, entry: dict[str, Any]) -> None:
    with _launches_lock(layout):
        with open(layout.launches_file, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())


def update_launch(layout: RecordsLayout, experiment_id: str, **fields: Any) -> None:
    """Merge ``fields`` into the latest line of ``experiment_id`` and rewrite the file atomically."""
    with _launches_lock(layout):
        launches = read_launches(layout)
        for entry in reversed(launches):
            if entry.get("experiment_id") == experiment_id:
                entry.update(fields)
                break
        else:
            logger.warning("Experiment %s has no line in %s; state %s not saved.",
                           experiment_id, layout.launches_file, fields.get("state"))
            return
        fd, tmp = tempfile.mkstemp(prefix=".launches.", suffix=".tmp", dir=layout.root)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(entry) + "\n" for entry in launches)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, layout.launches_file)


def launch_entry(experiment_id: str, executor: Any, shards: list[list[str]], started: float) -> dict[str, Any]:
    """Return the launches.jsonl line of a launch that is about to start its shards."""
    import psutil

    return {
        "experiment_id": experiment_id,
        "started_at": started,
        "executor": type(executor).__name__,
        "shards": shards,
        "job_states": None,
        "state": RUNNING,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "pid_create_time": psutil.Process().create_time(),
    }


# -- processes ------------------------------------------------------------------------------


def _process_alive(pid: Any, create_time: float | None = None) -> bool:
    """Return whether ``pid`` runs and, given ``create_time``, is the same process (not a reused pid)."""
    import psutil

    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        process = psutil.Process(pid)
        if create_time is not None and abs(process.create_time() - float(create_time)) > 1.0:
            return False
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def _trial_alive(marker: dict[str, Any]) -> bool:
    """Return whether a running marker's trial process still runs, checked against the marker's time."""
    import psutil

    pid = marker.get("pid")
    if not _process_alive(pid):
        return False
    try:
        created = psutil.Process(pid).create_time()
    except psutil.Error:
        return False
    # The shard writes the marker right after fork(); a much older or younger process
    # with the same pid is another program.
    return abs(created - float(marker.get("started_at") or 0.0)) < 5.0


def _launch_processes(layout: RecordsLayout, launch: dict[str, Any] | None) -> list[str]:
    """Describe the processes of the latest launch that run on this host (empty when none)."""
    host = socket.gethostname()
    alive = []
    if (launch is not None and launch.get("state") in _ACTIVE_STATES and launch.get("host") == host
            and _process_alive(launch.get("pid"), launch.get("pid_create_time"))):
        alive.append(f"the launching process {launch['pid']}")
    for marker in layout.shard_markers():
        if marker.get("host") == host and _process_alive(marker.get("pid"), marker.get("create_time")):
            alive.append(f"shard process {marker['pid']}")
    for marker in layout.running_markers():
        if marker.get("host") == host and _trial_alive(marker):
            alive.append(f"trial process {marker['pid']}")
    return alive


@dataclass(frozen=True)
class LaunchStatus:
    """Whether the latest launch of a results directory is still running, and why.

    Attributes
    ----------
    experiment_id : str or None
        NeMo Run experiment id of the latest launch; None when none was recorded.
    state : str or None
        State in launches.jsonl: ``running``, ``submitted``, ``finished``,
        ``cancelled`` or ``failed``.
    alive : bool or None
        True when a process of the launch runs on this host, False when the launch
        ended, and None when its jobs run elsewhere (Slurm, another host), so no
        process can be checked from here.
    reason : str
        One sentence on how ``alive`` was decided.
    """

    experiment_id: str | None
    state: str | None
    alive: bool | None
    reason: str


def launch_status(results_dir: str | os.PathLike[str]) -> LaunchStatus:
    """Decide whether the latest launch of ``results_dir`` is alive, from its processes and state."""
    layout = RecordsLayout(results_dir)
    launch = latest_launch(layout)
    processes = _launch_processes(layout, launch)
    experiment_id = launch.get("experiment_id") if launch else None
    # Lines written before launches had a state were written when the launch ended.
    state = launch.get("state", FINISHED) if launch else None
    if processes:
        return LaunchStatus(experiment_id, state, True, "running: " + ", ".join(processes[:3]) + ".")
    if launch is None:
        return LaunchStatus(None, None, False, "no launch is recorded in launches.jsonl.")
    if state not in _ACTIVE_STATES:
        return LaunchStatus(experiment_id, state, False, f"the latest launch ({experiment_id}) is {state}.")
    if launch.get("executor") == _LOCAL_EXECUTOR and launch.get("host") == socket.gethostname():
        return LaunchStatus(experiment_id, state, False,
                            f"the latest launch ({experiment_id}) has no process left on this host; "
                            "the launching process and its shards have exited.")
    where = launch.get("executor") if launch.get("host") == socket.gethostname() else launch.get("host")
    return LaunchStatus(experiment_id, state, None,
                        f"the jobs of launch {experiment_id} run on {where}, whose processes are not "
                        "visible from here.")


# -- cancelling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelResult:
    """Outcome of :func:`cancel_study`.

    Attributes
    ----------
    experiment_id : str or None
        The cancelled launch; None when no launch was running.
    cancelled : tuple of str
        Trial ids of the launch that now have a ``cancelled`` record.
    completed : tuple of str
        Trial ids of the launch whose completed record was kept.
    signalled : tuple of int
        Process ids on this host that were sent SIGTERM (or SIGKILL).
    surviving : tuple of int
        Process ids still alive when ``timeout_s`` ran out (empty on success).
    message : str
        A summary for the user.
    """

    experiment_id: str | None
    cancelled: tuple[str, ...]
    completed: tuple[str, ...]
    signalled: tuple[int, ...]
    surviving: tuple[int, ...]
    message: str


def cancel_study(results_dir: str | os.PathLike[str], *, timeout_s: float = 30.0) -> CancelResult:
    """Cancel the running launch of a study and record its unfinished trials as cancelled.

    Works from the kernel that launched the study and from any other process on the
    same host, for example a new kernel after a restart: everything it needs is in
    ``results_dir``.

    1. ``cancel.json`` is written first. Shards check it before each trial, and a
       launch still preparing its experiment stops before starting any shard.
    2. The jobs are cancelled through NeMo Run: ``Experiment.cancel(job_id)`` for each
       job, on the live experiment when this process launched it, else on
       ``run.Experiment.from_id(experiment_id)`` (for Slurm this runs ``scancel``
       through the executor's tunnel). A shard that receives SIGTERM kills its trial
       and records it.
    3. Local shards still alive on this host get SIGTERM on their process group,
       which contains their trial processes, and SIGKILL after a grace period.
    4. Each trial of the launch without a completed record, or with a record older
       than the launch, gets a ``cancelled`` record, so a resume runs exactly those.

    Parameters
    ----------
    results_dir : path
        The study's results directory.
    timeout_s : float
        Seconds to wait for the local processes to exit.

    Returns
    -------
    CancelResult
    """
    layout = RecordsLayout(results_dir)
    if not layout.plan_file.is_file():
        raise FileNotFoundError(
            f"{layout.root} has no plan.json; it is not the results directory of a launched study."
        )
    launch = latest_launch(layout)
    atomic_write_json(layout.cancel_file, {
        "requested_at": time.time(), "host": socket.gethostname(), "pid": os.getpid(),
        "experiment_id": launch.get("experiment_id") if launch else None,
    })
    if launch is None or launch.get("state", FINISHED) not in _ACTIVE_STATES:
        message = (f"No launch of {layout.root} is running, so nothing was cancelled. A launch "
                   "that is preparing its experiment right now stops before running any trial.")
        logger.info(message)
        return CancelResult(None, (), (), (), (), message)

    experiment_id = launch["experiment_id"]
    logger.info("Cancelling launch %s of %s.", experiment_id, layout.root)
    _cancel_jobs(launch)
    signalled, surviving = _stop_local_processes(layout, timeout_s)
    cancelled, completed = _record_cancelled(layout, launch)
    layout.clear_stale_running()
    update_launch(layout, experiment_id, state=CANCELLED, cancelled_at=time.time())

    message = (f"Cancelled launch {experiment_id}: {len(cancelled)} unfinished trial(s) recorded as "
               f"cancelled, {len(completed)} completed record(s) kept. Launch the study again to "
               "run the cancelled trials.")
    if surviving:
        message += (f" Processes {list(surviving)} were still alive after {timeout_s} s; "
                    "stop them with kill -9.")
        logger.warning(message)
    return CancelResult(experiment_id, tuple(cancelled), tuple(completed), tuple(signalled),
                        tuple(surviving), message)


def _cancel_jobs(launch: dict[str, Any]) -> None:
    """Cancel every job of the launch through NeMo Run's ``Experiment.cancel``."""
    experiment_id = launch["experiment_id"]
    with _live_lock:
        experiment = _live_experiments.get(experiment_id)
    if experiment is None:
        if launch.get("executor") == _LOCAL_EXECUTOR:
            # NOTE: in nemo_run 0.11.1 a local job can be cancelled only through the
            # scheduler object that started it (torchx keeps the process handles in
            # memory), so Experiment.from_id(...).cancel() from another process does
            # nothing; _stop_local_processes stops those shards by process group.
            return
        import nemo_run as run

        try:
            experiment = run.Experiment.from_id(experiment_id)
        except (AssertionError, OSError, ValueError) as error:
            logger.warning("Cannot load NeMo Run experiment %s to cancel its jobs (%s); is "
                           "NEMORUN_HOME the one it was launched with?", experiment_id, error)
            return
    # NOTE: the non-local branch (scancel through the executor's tunnel) has not been
    # run against a real Slurm cluster; the tests cover the local executor only.
    for job in list(experiment.jobs):
        # Experiment.cancel logs and swallows its own errors.
        experiment.cancel(job.id)


def _signal_process(pid: int, pgid: int | None, number: int) -> None:
    try:
        if pgid and pgid != os.getpgrp():
            os.killpg(pgid, number)
        else:
            os.kill(pid, number)
    except ProcessLookupError:
        pass
    except PermissionError as error:
        logger.warning("Cannot send signal %d to process %d: %s", number, pid, error)


def _stop_local_processes(layout: RecordsLayout, timeout_s: float) -> tuple[list[int], list[int]]:
    """SIGTERM the shards (process groups) and trials on this host, then SIGKILL survivors."""
    host = socket.gethostname()
    targets: list[tuple[int, int | None, float | None]] = []
    for marker in layout.shard_markers():
        if marker.get("host") == host and _process_alive(marker.get("pid"), marker.get("create_time")):
            targets.append((marker["pid"], marker.get("pgid"), marker.get("create_time")))
    for marker in layout.running_markers():
        if marker.get("host") == host and _trial_alive(marker):
            targets.append((marker["pid"], None, None))
    if not targets:
        return [], []

    def alive() -> list[tuple[int, int | None, float | None]]:
        return [t for t in targets if _process_alive(t[0], t[2])]

    for pid, pgid, _ in targets:
        _signal_process(pid, pgid, signal.SIGTERM)
    remaining = _wait_until_dead(alive, max(0.0, timeout_s - _KILL_GRACE_S))
    for pid, pgid, _ in remaining:
        logger.warning("Process %d did not exit after SIGTERM; sending SIGKILL.", pid)
        _signal_process(pid, pgid, signal.SIGKILL)
    remaining = _wait_until_dead(alive, min(timeout_s, _KILL_GRACE_S))
    return sorted({t[0] for t in targets}), sorted({t[0] for t in remaining})


def _wait_until_dead(alive: Any, seconds: float) -> list[Any]:
    deadline = time.monotonic() + seconds
    remaining = alive()
    while remaining and time.monotonic() < deadline:
        time.sleep(_POLL_S)
        remaining = alive()
    return remaining


def _launch_trials(launch: dict[str, Any]) -> Iterable[str]:
    seen = set()
    for shard in launch.get("shards") or []:
        for trial_id in shard:
            if trial_id not in seen:
                seen.add(trial_id)
                yield trial_id


def _record_cancelled(layout: RecordsLayout, launch: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Write a cancelled record for each unfinished trial of ``launch``; keep the others."""
    plan = read_json(layout.plan_file)
    trials = {t["trial_id"]: t for t in plan["trials"]}
    started = float(launch.get("started_at") or 0.0)
    cancelled, completed = [], []
    for trial_id in _launch_trials(launch):
        path = layout.record(trial_id)
        record: dict[str, Any] = {}
        if path.exists():
            try:
                record = read_json(path)
            except (OSError, ValueError):
                record = {}
        status = record.get("status")
        if status == "completed":
            completed.append(trial_id)
            continue
        if status == "cancelled":
            cancelled.append(trial_id)
            continue
        if status is not None and (record.get("finished_at") or 0.0) >= started:
            continue  # failed in this launch before the cancel: keep its own error
        if trial_id not in trials:
            logger.warning("Trial %s of launch %s is not in plan.json; no record written.",
                           trial_id, launch.get("experiment_id"))
            continue
        write_interrupted(Trial.from_dict(trials[trial_id]), plan["study"], layout)
        cancelled.append(trial_id)
    return cancelled, completed
