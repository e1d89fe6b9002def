"""The records directory: one JSON file per trial, written atomically.

Layout of a study's results directory::

    study.yaml              the study as launched
    plan.json               every trial (id, candidate, task, seed, function, config)
    records/<trial_id>.json one record per finished trial, completed or failed
    running/<trial_id>.json present while a trial runs (host, pid, start time)
    shards/<host>-<pid>.json present while a shard runs (host, pid, process group)
    logs/<trial_id>.log     the trial's stdout and stderr
    work/<trial_id>/        the trial's working directory
    launches.jsonl          one line per launch: NeMo Run experiment id, executor, shards,
                            launching process and state (running, finished, cancelled ...)
    cancel.json             present after a cancel request, until the next launch starts
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from pathlib import Path
from typing import Any, Iterator, Mapping

__all__ = [
    "RECORD_SCHEMA_VERSION",
    "atomic_write_json",
    "read_json",
    "iter_records",
    "RecordsLayout",
]

RECORD_SCHEMA_VERSION = 1


def atomic_write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never half.

    The JSON goes to a temporary file in the same directory, is flushed and fsynced,
    and replaces ``path`` with :func:`os.replace`, which is atomic on POSIX.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True, allow_nan=True, default=str)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def read_json(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class RecordsLayout:
    """Paths inside one study's results directory."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()

    @property
    def study_file(self) -> Path:
        return self.root / "study.yaml"

    @property
    def plan_file(self) -> Path:
        return self.root / "plan.json"

    @property
    def launches_file(self) -> Path:
        return self.root / "launches.jsonl"

    @property
    def cancel_file(self) -> Path:
        return self.root / "cancel.json"

    @property
    def shards_dir(self) -> Path:
        return self.root / "shards"

    def record(self, trial_id: str) -> Path:
        return self.root / "records" / f"{trial_id}.json"

    def running(self, trial_id: str) -> Path:
        return self.root / "running" / f"{trial_id}.json"

    def log(self, trial_id: str) -> Path:
        return self.root / "logs" / f"{trial_id}.log"

    def workdir(self, trial_id: str) -> Path:
        return self.root / "work" / trial_id

    def record_ids(self) -> set[str]:
        folder = self.root / "records"
        if not folder.is_dir():
            return set()
        return {p.stem for p in folder.glob("*.json")}

    def running_ids(self) -> set[str]:
        folder = self.root / "running"
        if not folder.is_dir():
            return set()
        return {p.stem for p in folder.glob("*.json")}

    def mark_running(self, trial_id: str, pid: int) -> None:
        import time

        atomic_write_json(
            self.running(trial_id),
            {"trial_id": trial_id, "host": socket.gethostname(), "pid": pid, "started_at": time.time()},
        )

    def clear_running(self, trial_id: str) -> None:
        try:
            self.running(trial_id).unlink()
        except FileNotFoundError:
            pass

    def shard_markers(self) -> list[dict[str, Any]]:
        """Return the readable markers of shards that started and have not removed theirs."""
        if not self.shards_dir.is_dir():
            return []
        markers = []
        for path in sorted(self.shards_dir.glob("*.json")):
            try:
                markers.append(read_json(path))
            except (OSError, ValueError):
                continue  # being written or removed right now
        return markers

    def running_markers(self) -> list[dict[str, Any]]:
        """Return the readable markers of trials that are running (or whose process died)."""
        markers = []
        for trial_id in sorted(self.running_ids()):
            try:
                markers.append(read_json(self.running(trial_id)))
            except (OSError, ValueError):
                continue
        return markers

    def clear_stale_running(self) -> list[str]:
        """Remove running markers left by processes on this host that no longer exist."""
        removed = []
        host = socket.gethostname()
        for trial_id in self.running_ids():
            try:
                marker = read_json(self.running(trial_id))
            except (OSError, ValueError):
                continue
            if marker.get("host") == host and not _pid_alive(int(marker.get("pid", -1))):
                self.clear_running(trial_id)
                removed.append(trial_id)
        return removed


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def iter_records(root: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield every readable record of a results directory, in trial-id order."""
    layout = RecordsLayout(root)
    for trial_id in sorted(layout.record_ids()):
        yield read_json(layout.record(trial_id))
