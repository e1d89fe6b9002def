"""The Study: what to compare, validated before anything is launched."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from nbcompare.exceptions import StudyError
from nbcompare.study._spec import MEASURED_METRICS, Candidate, Metric, Task, _check_name, function_path
from nbcompare.study._trial import Trial
from nbcompare.workloads import Workload, available_workloads, get_workload

__all__ = ["Study"]


def _suggest(value: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _as_metric(value: Any, index: int) -> Metric:
    if isinstance(value, Metric):
        return value
    if isinstance(value, str):
        return Metric(value)
    if isinstance(value, Mapping):
        unknown = set(value) - {"name", "higher_is_better"}
        if unknown:
            raise StudyError(
                f"metrics[{index}] has unknown key(s) {sorted(unknown)}; valid keys: name, higher_is_better."
            )
        if "name" not in value:
            raise StudyError(f"metrics[{index}] = {dict(value)!r} has no 'name'.")
        return Metric(value["name"], value.get("higher_is_better"))
    raise StudyError(
        f"metrics[{index}] = {value!r} must be a metric name, a Metric or a mapping with 'name'."
    )


def _as_task(value: Any, index: int) -> Task:
    if isinstance(value, Task):
        return value
    if isinstance(value, str):
        return Task(value)
    if isinstance(value, Mapping):
        unknown = set(value) - {"name", "params"}
        if unknown:
            raise StudyError(f"tasks[{index}] has unknown key(s) {sorted(unknown)}; valid keys: name, params.")
        if "name" not in value:
            raise StudyError(f"tasks[{index}] = {dict(value)!r} has no 'name'.")
        return Task(value["name"], dict(value.get("params") or {}))
    raise StudyError(f"tasks[{index}] = {value!r} must be a task name, a Task or a mapping with 'name'.")


def _as_candidate(value: Any, index: int) -> Candidate:
    if isinstance(value, Candidate):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"name", "workload", "params"}
        if unknown:
            raise StudyError(
                f"candidates[{index}] has unknown key(s) {sorted(unknown)}; valid keys: "
                "name, workload, params (hyperparameters go under params)."
            )
        if "name" not in value:
            raise StudyError(f"candidates[{index}] has no 'name'.")
        return Candidate(value["name"], value.get("workload", "digits"), **dict(value.get("params") or {}))
    raise StudyError(f"candidates[{index}] = {value!r} must be a Candidate or a mapping.")


def _as_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        raise StudyError(
            f"seeds={seeds!r} is a single number; pass a collection such as range({seeds}) "
            f"or [0, 1, 2] (in YAML: seeds: {{count: {seeds}}})."
        )
    try:
        values = list(seeds)
    except TypeError:
        raise StudyError(f"seeds={seeds!r} must be a collection of integers such as range(5).") from None
    if not values:
        raise StudyError(
            "seeds is empty; give at least two seeds, for example seeds=range(5) "
            "(in YAML: seeds: {count: 5})."
        )
    out = []
    for s in values:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise StudyError(f"seeds contains {s!r}; every seed must be a non-negative integer.")
        out.append(int(s))
    duplicates = sorted({s for s in out if out.count(s) > 1})
    if duplicates:
        raise StudyError(f"seeds contains duplicates {duplicates}; each seed must appear once.")
    return tuple(out)


@dataclass(frozen=True)
class Study:
    """A comparison to run: candidates evaluated on tasks over seeds, scored by metrics.

    Parameters
    ----------
    name : str
        Names the results directory and the NeMo Run experiment.
    candidates : sequence of Candidate
        At least two, with unique names.
    seeds : collection of int
        One trial per candidate, task and seed. Seeds pair the trials: a seed gives
        every candidate the same data split.
    metrics : sequence of str, Metric or mapping
        What to compare. A name's direction comes from the workload's declaration or
        from the toolkit's measured quantities (``train_time_s``,
        ``inference_time_per_sample_s``, ``peak_memory_mb``, ``parameters``, ...).
    tasks : sequence of str, Task or mapping, optional
        Datasets or problems. Defaults to the first task the workload declares.
    confidence_level : float
        For confidence intervals in the analysis, in (0, 1).
    alpha : float
        Significance level of the tests, in (0, 1).
    timeout_s : float, optional
        Wall-clock limit of one trial; a trial over it is killed and recorded as failed.

    Examples
    --------
    >>> import nbcompare as nbc
    >>> study = nbc.Study(
    ...     name="digits-architectures",
    ...     candidates=[nbc.Candidate("mlp", "digits", architecture="mlp"),
    ...                 nbc.Candidate("resnet", "digits", architecture="resnet")],
    ...     seeds=range(5),
    ...     metrics=["accuracy", "f1_macro", "train_time_s"],
    ... )
    >>> len(study.trials())
    10
    """

    name: str
    candidates: Sequence[Candidate]
    seeds: Sequence[int]
    metrics: Sequence[Metric]
    tasks: Sequence[Task] = ()
    confidence_level: float = 0.95
    alpha: float = 0.05
    timeout_s: float | None = None
    description: str = ""
    _workloads: dict[str, Workload | None] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        _check_name("name", self.name, "Study")
        set_("candidates", tuple(_as_candidate(c, i) for i, c in enumerate(self.candidates)))
        set_("seeds", _as_seeds(self.seeds))
        set_("metrics", tuple(_as_metric(m, i) for i, m in enumerate(self.metrics)))
        set_("tasks", tuple(_as_task(t, i) for i, t in enumerate(self.tasks)))
        self._check_levels()
        self._check_candidates()
        self._resolve_workloads()
        if not self.tasks:
            set_("tasks", self._default_tasks())
        self._check_tasks()
        self._check_blocks()
        set_("metrics", self._resolve_metrics())

    # -- validation ------------------------------------------------------------------

    def _check_levels(self) -> None:
        for field_name in ("confidence_level", "alpha"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise StudyError(
                    f"Study.{field_name} must be a number strictly between 0 and 1, got {value!r}."
                )
        if self.timeout_s is not None and (not isinstance(self.timeout_s, (int, float)) or self.timeout_s <= 0):
            raise StudyError(f"Study.timeout_s must be a positive number of seconds or None, got {self.timeout_s!r}.")

    def _check_candidates(self) -> None:
        if len(self.candidates) < 2:
            names = [c.name for c in self.candidates]
            raise StudyError(
                f"Study.candidates has {len(self.candidates)} candidate(s) {names}; a comparison "
                "needs at least two. Add a baseline, for example another architecture or the "
                "default hyperparameters."
            )
        seen: dict[str, int] = {}
        for i, c in enumerate(self.candidates):
            if c.name in seen:
                raise StudyError(
                    f"Study.candidates[{i}] repeats the name {c.name!r} of candidates[{seen[c.name]}]; "
                    "give every candidate a unique name."
                )
            seen[c.name] = i

    def _resolve_workloads(self) -> None:
        for c in self.candidates:
            if c.workload in self._workloads:
                continue
            if ":" in c.workload:
                function_path(c.workload)
                self._workloads[c.workload] = None
                continue
            try:
                self._workloads[c.workload] = get_workload(c.workload)
            except ValueError:
                raise StudyError(
                    f"Candidate({c.name!r}).workload={c.workload!r} is not a registered workload."
                    f"{_suggest(c.workload, available_workloads())} Registered: "
                    f"{', '.join(available_workloads())}; or give 'package.module:function'."
                ) from None

    def _default_tasks(self) -> tuple[Task, ...]:
        first = self._workloads[self.candidates[0].workload]
        if first is not None and first.tasks:
            return (Task(first.tasks[0]),)
        return (Task("default"),)

    def _check_tasks(self) -> None:
        names = [t.name for t in self.tasks]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise StudyError(f"Study.tasks repeats {duplicates}; each task name must appear once.")
        for c in self.candidates:
            workload = self._workloads[c.workload]
            for t in self.tasks:
                if workload is not None and workload.tasks and t.name not in workload.tasks:
                    raise StudyError(
                        f"Task {t.name!r} is not known to workload {workload.name!r} of candidate "
                        f"{c.name!r}; its tasks are {list(workload.tasks)}."
                    )
                clash = set(t.params) & set(c.params)
                if clash:
                    raise StudyError(
                        f"Task {t.name!r} and candidate {c.name!r} both set {sorted(clash)}; set "
                        "each key in one place."
                    )

    def _check_blocks(self) -> None:
        # The paired tests need at least two blocks: seeds of one task, or tasks.
        if len(self.seeds) * len(self.tasks) < 2:
            raise StudyError(
                f"Study has {len(self.seeds)} seed(s) and {len(self.tasks)} task(s); a paired "
                "comparison needs at least two seeds or two tasks. Give seeds=range(5) "
                "(in YAML: seeds: {count: 5})."
            )

    def _declared_directions(self) -> dict[str, bool]:
        declared = dict(MEASURED_METRICS)
        for workload in self._workloads.values():
            if workload is not None:
                declared.update(workload.metrics)
        return declared

    def _resolve_metrics(self) -> tuple[Metric, ...]:
        if not self.metrics:
            raise StudyError(
                "Study.metrics is empty; name at least one metric, for example metrics=['accuracy']."
            )
        declared = self._declared_directions()
        only_registered = all(w is not None for w in self._workloads.values())
        resolved = []
        for m in self.metrics:
            if m.name not in declared and only_registered:
                raise StudyError(
                    f"Unknown metric {m.name!r}.{_suggest(m.name, declared)} The workloads of this "
                    f"study return {sorted(set(declared) - set(MEASURED_METRICS))} and the toolkit "
                    f"measures {sorted(MEASURED_METRICS)}."
                )
            higher = m.higher_is_better if m.higher_is_better is not None else declared.get(m.name)
            if higher is None:
                raise StudyError(
                    f"Metric {m.name!r} has no declared direction; write "
                    f"Metric({m.name!r}, higher_is_better=True) or False."
                )
            resolved.append(Metric(m.name, higher))
        names = [m.name for m in resolved]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise StudyError(f"Study.metrics repeats {duplicates}; each metric must appear once.")
        return tuple(resolved)

    # -- derived ---------------------------------------------------------------------

    def function_of(self, candidate: Candidate) -> str:
        """Return the import path of ``candidate``'s trial function."""
        workload = self._workloads[candidate.workload]
        return workload.function if workload is not None else candidate.workload

    def trials(self) -> list[Trial]:
        """Return every trial, ordered seed-major so that early trials cover all candidates."""
        trials = []
        for seed in self.seeds:
            for task in self.tasks:
                for c in self.candidates:
                    config = {**dict(c.params), **dict(task.params), "task": task.name}
                    trials.append(Trial(c.name, task.name, seed, self.function_of(c), config))
        return trials

    def metric(self, name: str) -> Metric:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(f"Study {self.name!r} has no metric {name!r}; it has {[m.name for m in self.metrics]}.")

    # -- serialisation -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "candidates": [c.to_dict() for c in self.candidates],
            "tasks": [t.to_dict() for t in self.tasks],
            "seeds": list(self.seeds),
            "metrics": [m.to_dict() for m in self.metrics],
            "confidence_level": self.confidence_level,
            "alpha": self.alpha,
        }
        if self.timeout_s is not None:
            out["timeout_s"] = self.timeout_s
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "study") -> "Study":
        """Build a study from the mapping read from a YAML file (see :func:`load_study`).

        The optional ``executor`` key contains launch settings, which are not part of
        the study, so it is ignored here. :func:`nbcompare.launch.load_executor` reads it.
        """
        if not isinstance(data, Mapping):
            raise StudyError(f"{source}: the top level must be a mapping, got {type(data).__name__}.")
        valid = {"name", "description", "candidates", "tasks", "seeds", "metrics",
                 "confidence_level", "alpha", "timeout_s", "executor"}
        unknown = set(data) - valid
        if unknown:
            key = sorted(unknown)[0]
            raise StudyError(
                f"{source}: unknown field {key!r}.{_suggest(key, valid)} Valid fields: {sorted(valid)}."
            )
        missing = {"name", "candidates", "seeds", "metrics"} - set(data)
        if missing:
            raise StudyError(f"{source}: missing required field(s) {sorted(missing)}.")
        seeds = data["seeds"]
        if isinstance(seeds, Mapping):
            seeds = _seed_range(seeds, source)
        kwargs = {k: v for k, v in data.items() if k not in ("seeds", "executor")}
        return cls(seeds=seeds, **kwargs)

    def to_yaml(self, path: str | os.PathLike[str] | None = None) -> str:
        """Return the study as YAML, and write it to ``path`` when given."""
        import yaml

        text = yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def run(self, **options: Any):
        """Launch every pending trial and wait; see :func:`nbcompare.launch.run_study`."""
        from nbcompare.launch import run_study

        return run_study(self, **options)


def _seed_range(spec: Mapping[str, Any], source: str) -> range:
    unknown = set(spec) - {"start", "stop", "count"}
    if unknown or not ({"count"} <= set(spec) or {"stop"} <= set(spec)):
        raise StudyError(
            f"{source}: seeds as a mapping takes 'count' (and optional 'start') or 'start'/'stop', "
            f"got {dict(spec)!r}; or give a list such as [0, 1, 2]."
        )
    start = int(spec.get("start", 0))
    stop = int(spec["stop"]) if "stop" in spec else start + int(spec["count"])
    return range(start, stop)


def load_study(path: str | os.PathLike[str]) -> Study:
    """Read a study from a YAML file (safe loading: plain data only, no Python objects)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise StudyError(f"Study file {str(path)!r} not found.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StudyError(f"{path}: invalid YAML: {exc}") from exc
    return Study.from_dict(data, source=str(path))
