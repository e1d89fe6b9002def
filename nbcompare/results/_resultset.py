"""ResultSet: the tidy table derived from a study's records.

Records are the source of truth. The long table (one row per trial x metric) is
derived from them and cached as ``table.parquet`` in the results directory; the
cache is used only while its fingerprint (names, sizes and modification times of
the record files and the plan) matches the directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from nbcompare.launch._records import RecordsLayout, read_json
from nbcompare.study import MEASURED_METRICS, Metric, Study, load_study

__all__ = ["ResultSet", "TIDY_COLUMNS"]

TIDY_COLUMNS = ["study", "trial_id", "candidate", "task", "seed", "status", "metric", "value"]
_CACHE = "table.parquet"
_FINGERPRINT_KEY = b"nbcompare.fingerprint"


def _as_metrics(metrics: Mapping[str, Any] | Iterable[Metric]) -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    items = metrics.items() if isinstance(metrics, Mapping) else ((m.name, m) for m in metrics)
    for name, value in items:
        if isinstance(value, Metric):
            out[name] = value
        elif isinstance(value, bool):
            out[name] = Metric(name, value)
        else:
            raise TypeError(
                f"metrics[{name!r}] must be True/False (higher is better) or a Metric, got {value!r}."
            )
    return out


def _rows_of(record: Mapping[str, Any], metric_names: list[str]) -> list[dict[str, Any]]:
    base = {k: record.get(k) for k in ("study", "trial_id", "candidate", "task", "seed", "status")}
    rows = []
    if record.get("status") == "completed":
        values = {**(record.get("measurements") or {}), **(record.get("metrics") or {})}
        for name in dict.fromkeys([*metric_names, *values]):
            value = values.get(name, float("nan"))
            rows.append({**base, "metric": name, "value": float(value) if value is not None else float("nan")})
    else:
        rows.extend({**base, "metric": name, "value": float("nan")} for name in metric_names)
    return rows


def _error_row(record: Mapping[str, Any]) -> dict[str, Any]:
    error = record.get("error") or {}
    return {
        "trial_id": record.get("trial_id"),
        "candidate": record.get("candidate"),
        "task": record.get("task"),
        "seed": record.get("seed"),
        "status": record.get("status"),
        "cause": error.get("cause", "missing" if record.get("status") == "missing" else None),
        "error_type": error.get("type"),
        "message": error.get("message"),
        "log_path": record.get("log_path"),
    }


class ResultSet:
    """The trials of a study as a tidy table, with failures kept in view.

    Attributes
    ----------
    frame : pandas.DataFrame
        Long format, columns ``study, trial_id, candidate, task, seed, status, metric,
        value``: one row per trial and metric. Failed and missing trials have a row
        with ``value`` NaN for each study metric, so an analysis counts them as missing.
    metrics : dict of str to Metric
        The study's metrics first, then the measured quantities, each with its direction.
    failures : pandas.DataFrame
        One row per failed or missing trial with the cause, the error and the log path.
    study : Study or None
        The study, when the results came from a results directory.
    """

    def __init__(self, records: list[Mapping[str, Any]], metrics: Mapping[str, Any] | Iterable[Metric],
                 *, study: Study | None = None, source: str | None = None,
                 frame: pd.DataFrame | None = None):
        self.records = list(records)
        self.metrics = _as_metrics(metrics)
        for name, higher in MEASURED_METRICS.items():
            self.metrics.setdefault(name, Metric(name, higher))
        self.study = study
        self.source = source
        self.frame = frame if frame is not None else self._build_frame()
        self.failures = pd.DataFrame(
            [_error_row(r) for r in self.records if r.get("status") != "completed"],
            columns=["trial_id", "candidate", "task", "seed", "status", "cause", "error_type",
                     "message", "log_path"],
        )

    # -- construction ----------------------------------------------------------------

    def _build_frame(self) -> pd.DataFrame:
        study_metrics = [m.name for m in self.study.metrics] if self.study else list(self.metrics)
        rows = [row for record in self.records for row in _rows_of(record, study_metrics)]
        frame = pd.DataFrame(rows, columns=TIDY_COLUMNS)
        frame["seed"] = frame["seed"].astype("int64")
        frame["value"] = frame["value"].astype("float64")
        return frame.sort_values(["metric", "task", "candidate", "seed"], kind="stable").reset_index(drop=True)

    @classmethod
    def from_directory(cls, path: str | os.PathLike[str], *, use_cache: bool = True) -> "ResultSet":
        """Read a study's results directory (as written by ``Study.run``).

        Only trials of the study's current plan count: records of trials whose
        configuration has since changed stay on disk but are left out. A planned
        trial without a record appears with status ``"missing"``.
        """
        layout = RecordsLayout(path)
        if not layout.plan_file.is_file() or not layout.study_file.is_file():
            raise FileNotFoundError(
                f"{layout.root} is not an nbcompare results directory (no plan.json or study.yaml); "
                "pass the directory given to Study.run(results_dir=...)."
            )
        study = load_study(layout.study_file)
        plan = read_json(layout.plan_file)
        records = []
        for trial in plan["trials"]:
            record_path = layout.record(trial["trial_id"])
            if record_path.is_file():
                records.append(read_json(record_path))
            else:
                records.append({**trial, "study": plan["study"], "status": "missing",
                                "error": {"cause": "missing", "message": "No record: the trial has not run."}})
        fingerprint = _fingerprint(layout)
        frame = _read_cache(layout, fingerprint) if use_cache else None
        result = cls(records, study.metrics, study=study, source=str(layout.root), frame=frame)
        if frame is None:
            _write_cache(layout, result.frame, fingerprint)
        return result

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, metrics: Mapping[str, Any]) -> "ResultSet":
        """Wrap a long table produced elsewhere (for example a CSV of published runs).

        ``frame`` needs columns ``candidate, seed, metric, value``; ``task`` defaults
        to ``"default"`` and ``status`` to ``"completed"`` (``"failed"`` where value is NaN).
        """
        missing = {"candidate", "seed", "metric", "value"} - set(frame.columns)
        if missing:
            raise ValueError(
                f"frame lacks column(s) {sorted(missing)}; a long table needs candidate, seed, "
                "metric and value (task optional)."
            )
        frame = frame.copy()
        if "task" not in frame:
            frame["task"] = "default"
        if "study" not in frame:
            frame["study"] = None
        if "trial_id" not in frame:
            frame["trial_id"] = (frame["candidate"].astype(str) + "/" + frame["task"].astype(str)
                                 + "/" + frame["seed"].astype(str))
        if "status" not in frame:
            frame["status"] = frame["value"].notna().map({True: "completed", False: "failed"})
        metrics = _as_metrics(metrics)
        unknown = sorted(set(frame["metric"]) - set(metrics) - set(MEASURED_METRICS))
        if unknown:
            raise ValueError(
                f"metrics gives no direction for {unknown}; pass metrics={{name: higher_is_better}} "
                "for every metric in the table."
            )
        frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype("float64")
        return cls([], metrics, frame=frame[TIDY_COLUMNS].reset_index(drop=True))

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], metrics: Mapping[str, Any]) -> "ResultSet":
        """Read a long-format CSV (see :meth:`from_frame`)."""
        return cls.from_frame(pd.read_csv(path), metrics)

    # -- views -------------------------------------------------------------------------

    @property
    def candidates(self) -> list[str]:
        if self.study is not None:
            return [c.name for c in self.study.candidates]
        return list(dict.fromkeys(self.frame["candidate"]))

    @property
    def completed(self) -> pd.DataFrame:
        """Rows of completed trials only."""
        return self.frame[self.frame["status"] == "completed"]

    def wide(self, metrics: list[str] | None = None) -> pd.DataFrame:
        """Return the table in wide form: one row per trial, one column per metric."""
        frame = self.frame if metrics is None else self.frame[self.frame["metric"].isin(metrics)]
        table = frame.pivot(index=["candidate", "task", "seed", "trial_id", "status"],
                            columns="metric", values="value")
        table.columns.name = None
        return table.reset_index()

    def history(self) -> pd.DataFrame:
        """Per-step values the trials logged (learning curves), long format."""
        rows = []
        for record in self.records:
            for step in record.get("history") or []:
                for key, value in step.items():
                    if key != "step":
                        rows.append({"candidate": record["candidate"], "task": record["task"],
                                     "seed": record["seed"], "trial_id": record["trial_id"],
                                     "step": step["step"], "metric": key, "value": value})
        return pd.DataFrame(rows, columns=["candidate", "task", "seed", "trial_id", "step", "metric", "value"])

    def trials(self) -> pd.DataFrame:
        """Return one row per trial: ids, status, configuration (as JSON) and environment."""
        rows = []
        for r in self.records:
            env = r.get("environment") or {}
            rows.append({
                "trial_id": r.get("trial_id"), "candidate": r.get("candidate"), "task": r.get("task"),
                "seed": r.get("seed"), "status": r.get("status"),
                "config": json.dumps(r.get("config", {}), sort_keys=True),
                "device": env.get("device"), "hostname": env.get("hostname"),
                "git_commit": env.get("git_commit"),
            })
        return pd.DataFrame(rows)

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        self.frame.to_csv(path, index=False)

    def summary_line(self) -> str:
        statuses = self.frame.drop_duplicates("trial_id")["status"].value_counts()
        parts = [f"{n} {status}" for status, n in statuses.items()]
        return f"{self.frame['trial_id'].nunique()} trials ({', '.join(parts)})"

    def __repr__(self) -> str:
        name = self.study.name if self.study else "unnamed"
        return f"<ResultSet {name}: {self.summary_line()}, metrics {list(self.metrics)[:6]}>"

    def _repr_html_(self) -> str:
        import html

        head = html.escape(repr(self))
        table = self.wide([m.name for m in (self.study.metrics if self.study else [])] or None)
        return f"<p>{head}</p>" + table.to_html(index=False, max_rows=30, float_format=lambda v: f"{v:.4g}")


def _fingerprint(layout: RecordsLayout) -> str:
    digest = hashlib.sha256()
    paths = [layout.plan_file, *sorted((layout.root / "records").glob("*.json"))]
    for p in paths:
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        digest.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return digest.hexdigest()


def _read_cache(layout: RecordsLayout, fingerprint: str) -> pd.DataFrame | None:
    import pyarrow.parquet as pq

    path = layout.root / _CACHE
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
    except (OSError, ValueError):
        return None
    meta = table.schema.metadata or {}
    if meta.get(_FINGERPRINT_KEY, b"").decode() != fingerprint:
        return None
    return table.to_pandas()


def _write_cache(layout: RecordsLayout, frame: pd.DataFrame, fingerprint: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_FINGERPRINT_KEY] = fingerprint.encode()
    tmp = layout.root / f".{_CACHE}.tmp"
    try:
        pq.write_table(table.replace_schema_metadata(meta), tmp)
        os.replace(tmp, layout.root / _CACHE)
    except OSError:
        # A read-only results directory (a shared or packaged copy) still reads fine;
        # it only goes without the cache.
        return
