"""StudyBuilder: a form that builds a Study and writes the equivalent Python code."""

from __future__ import annotations

import html
import os
from typing import Any

import ipywidgets as widgets

from nbcompare.exceptions import StudyError
from nbcompare.study import MEASURED_METRICS, Study, load_study
from nbcompare.widgets._candidate import CandidateRow
from nbcompare.workloads import available_workloads, get_workload

__all__ = ["StudyBuilder"]

# Study fields the form does not edit. A loaded study keeps their values, and
# code() writes the ones that differ from these defaults.
_FIELD_DEFAULTS: dict[str, Any] = {
    "description": "",
    "tasks": (),
    "confidence_level": 0.95,
    "alpha": 0.05,
    "timeout_s": None,
}


class StudyBuilder(widgets.VBox):
    """A notebook form that builds a :class:`~nbcompare.Study`.

    Every action has a code equivalent: :meth:`study` returns the Study, :meth:`code`
    returns Python source that builds an equal one, and :meth:`to_yaml` and
    :meth:`load_yaml` write and read the same YAML as :meth:`Study.to_yaml` and
    :func:`~nbcompare.load_study`.

    Parameters
    ----------
    study : Study, optional
        A study to show at the start.
    default_workload : str, optional
        Workload of the first new candidate row; defaults to the first registered one.
        Later rows copy the workload of the last row.

    Examples
    --------
    >>> builder = StudyBuilder(default_workload="synthetic")  # doctest: +SKIP
    >>> builder                                                # shows the form
    >>> study = builder.study()
    """

    def __init__(self, study: Study | None = None, *, default_workload: str | None = None):
        workloads = available_workloads()
        if default_workload is not None and default_workload not in workloads:
            raise ValueError(
                f"default_workload={default_workload!r} is not a registered workload. "
                f"Registered workloads: {', '.join(workloads)}."
            )
        self._workloads = workloads
        self._default_workload = default_workload or (workloads[0] if workloads else "")
        self._fields = dict(_FIELD_DEFAULTS)
        self._loading = False

        self.name = widgets.Text(placeholder="study name", description="Study")
        self.seeds = widgets.BoundedIntText(value=5, min=1, max=100_000, description="Seeds",
                                            tooltip="Number of seeds; one trial per candidate, task and seed")
        self.seed_start = widgets.BoundedIntText(value=0, min=0, max=2**31 - 1, description="First seed")
        self.metrics = widgets.SelectMultiple(options=[], description="Metrics", rows=8)
        self.add_button = widgets.Button(description="Add candidate", icon="plus")
        self.candidates_box = widgets.VBox([])
        self.message = widgets.HTML("")

        self.add_button.on_click(lambda _: self.add_candidate())
        for control in (self.name, self.seeds, self.seed_start, self.metrics):
            control.observe(lambda _: self._changed(), names="value")

        super().__init__([
            self.name,
            widgets.HTML("<b>Candidates</b>"),
            self.candidates_box,
            self.add_button,
            widgets.HBox([self.seeds, self.seed_start]),
            self.metrics,
            self.message,
        ])
        if study is not None:
            self.set_study(study)
        else:
            self._update_metric_options()

    # -- candidate rows ----------------------------------------------------------------

    @property
    def candidates(self) -> list[CandidateRow]:
        """The candidate rows, in display order."""
        return list(self.candidates_box.children)

    def add_candidate(self, name: str | None = None, workload: str | None = None,
                      params: dict[str, Any] | None = None) -> CandidateRow:
        """Append a candidate row; without a name it gets ``candidate-<n>``."""
        if workload is None:
            rows = self.candidates
            workload = rows[-1].workload.value if rows else self._default_workload
        if name is None:
            name = self._unused_name("candidate-", start=len(self.candidates) + 1)
        row = CandidateRow(self._workloads, name=name, workload=workload, params=params,
                           on_change=self._changed, on_remove=self.remove_candidate,
                           on_duplicate=self.duplicate_candidate)
        self.candidates_box.children = (*self.candidates_box.children, row)
        self._changed()
        return row

    def remove_candidate(self, row: CandidateRow) -> None:
        self.candidates_box.children = tuple(r for r in self.candidates_box.children if r is not row)
        self._changed()

    def duplicate_candidate(self, row: CandidateRow) -> CandidateRow:
        """Insert a copy of ``row`` after it, named ``<name>-copy`` (or ``-copy2`` ...)."""
        copy = CandidateRow(self._workloads, name=self._unused_name(f"{row.name.value.strip()}-copy"),
                            workload=row.workload.value,
                            on_change=self._changed, on_remove=self.remove_candidate,
                            on_duplicate=self.duplicate_candidate)
        copy.architecture.value = row.architecture.value
        for param in row.params:
            copy.add_param()
            copy.params[-1].key.value = param.key.value
            copy.params[-1].value.value = param.value.value
        children = list(self.candidates_box.children)
        children.insert(children.index(row) + 1, copy)
        self.candidates_box.children = tuple(children)
        self._changed()
        return copy

    def _unused_name(self, base: str, start: int | None = None) -> str:
        """Return ``base`` if no row uses it, else the first unused ``<base><n>`` from ``start``."""
        used_names = {row.name.value.strip() for row in self.candidates}
        if start is None:
            if base not in used_names:
                return base
            start = 2
        n = start
        while f"{base}{n}" in used_names:
            n += 1
        return f"{base}{n}"

    # -- metrics -----------------------------------------------------------------------

    def _metric_directions(self) -> dict[str, bool]:
        """Return every metric the rows' workloads declare, then the measured ones."""
        declared: dict[str, bool] = {}
        for workload in dict.fromkeys(row.workload.value for row in self.candidates):
            if workload in self._workloads:
                declared.update(get_workload(workload).metrics)
        for name, higher in MEASURED_METRICS.items():
            declared.setdefault(name, higher)
        return declared

    def _update_metric_options(self, keep: tuple[str, ...] | None = None) -> None:
        selected = tuple(self.metrics.value) if keep is None else keep
        options = list(self._metric_directions())
        # A selected metric the workloads do not declare stays listed, so study()
        # can report it instead of the form dropping it silently.
        options += [m for m in selected if m not in options]
        if list(self.metrics.options) != options:
            self.metrics.options = options
        value = tuple(m for m in selected if m in options)
        if tuple(self.metrics.value) != value:
            self.metrics.value = value

    # -- the study -----------------------------------------------------------------------

    def _build(self) -> Study:
        candidates = [row.candidate() for row in self.candidates]
        start = self.seed_start.value
        return Study(name=self.name.value.strip(), candidates=candidates,
                     seeds=range(start, start + self.seeds.value),
                     metrics=list(self.metrics.value), **self._fields)

    def study(self) -> Study:
        """Build the Study the form shows; raise StudyError (also shown in ``message``) if invalid."""
        try:
            study = self._build()
        except StudyError as error:
            self.message.value = f'<span style="color:#b00020">{html.escape(str(error))}</span>'
            raise
        self.message.value = '<span style="color:#1b5e20">Valid study: {} trials.</span>'.format(
            len(study.trials()))
        return study

    def set_study(self, study: Study) -> None:
        """Show ``study`` in the form, replacing every field."""
        seeds = list(study.seeds)
        if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
            raise StudyError(
                f"Study {study.name!r} has seeds {seeds}, which are not consecutive. The builder "
                "edits only a first seed and a count, so edit this study in code."
            )
        self._loading = True
        try:
            self.name.value = study.name
            self.seed_start.value = seeds[0]
            self.seeds.value = len(seeds)
            self.candidates_box.children = ()
            for candidate in study.candidates:
                self.add_candidate(candidate.name, candidate.workload, dict(candidate.params))
            self._fields = {key: getattr(study, key) for key in _FIELD_DEFAULTS}
            self._update_metric_options(keep=tuple(m.name for m in study.metrics))
        finally:
            self._loading = False
        self._changed()

    def code(self) -> str:
        """Return Python source that builds an equal Study into the variable ``study``.

        Raises StudyError when the form is invalid, as :meth:`study` does.
        """
        study = self.study()
        lines = ["import nbcompare as nbc", "", "study = nbc.Study(", f"    name={study.name!r},",
                 "    candidates=["]
        for candidate in study.candidates:
            args = [repr(candidate.name), repr(candidate.workload)]
            args += [f"{key}={value!r}" for key, value in candidate.params.items()]
            lines.append(f"        nbc.Candidate({', '.join(args)}),")
        lines.append("    ],")
        start, stop = study.seeds[0], study.seeds[-1] + 1
        lines.append(f"    seeds=range({stop}),"if start == 0 else f"    seeds=range({start}, {stop}),")
        lines.append(f"    metrics={[m.name for m in study.metrics]!r},")
        if self._fields["tasks"]:
            tasks = ", ".join(f"nbc.Task({t.name!r}, {dict(t.params)!r})" for t in study.tasks)
            lines.append(f"    tasks=[{tasks}],")
        for key in ("description", "confidence_level", "alpha", "timeout_s"):
            if self._fields[key] != _FIELD_DEFAULTS[key]:
                lines.append(f"    {key}={self._fields[key]!r},")
        lines.append(")")
        return "\n".join(lines) + "\n"

    def to_yaml(self, path: str | os.PathLike[str]) -> str:
        """Write the study to ``path`` as YAML and return the text (see :meth:`Study.to_yaml`)."""
        return self.study().to_yaml(path)

    def load_yaml(self, path: str | os.PathLike[str]) -> Study:
        """Read a study file, show it in the form and return it; errors also go to ``message``."""
        try:
            study = load_study(path)
            self.set_study(study)
        except StudyError as error:
            self.message.value = f'<span style="color:#b00020">{html.escape(str(error))}</span>'
            raise
        return study

    # -- events --------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading:
            return
        self._update_metric_options()
        try:
            self.study()
        except StudyError:
            pass  # study() has shown the error in self.message
