"""StudyBuilder: a form that builds a Study and its executor, and writes the equivalent Python code."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from nbcompare.exceptions import StudyError
from nbcompare.launch._executors import (
    EXECUTOR_KEY,
    ExecutorChoice,
    check_executor_spec,
    default_executor_spec,
    executor_source,
    read_executor_spec,
)
from nbcompare.study import MEASURED_METRICS, Metric, Study, load_study
from nbcompare.widgets._candidate import CandidateRow
from nbcompare.widgets._executor import ExecutorForm
from nbcompare.widgets._snapshot import StaticCopyDisplay, static_copy_html
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


class StudyBuilder(StaticCopyDisplay, widgets.VBox):
    """A notebook form that builds a :class:`~nbcompare.Study` and the executor to run it on.

    Every action has a code equivalent: :meth:`study` returns the Study,
    :meth:`executor` the NeMo Run executor and the number of workers, :meth:`code`
    returns Python source that builds both and launches the study, and
    :meth:`to_yaml` and :meth:`load_yaml` write and read the YAML of
    :meth:`Study.to_yaml` and :func:`~nbcompare.load_study` plus an optional
    ``executor`` section, which ``load_study`` ignores.

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
        # Metrics that no workload declares, or whose declared direction the user
        # changed: name -> higher_is_better. The study gets an explicit Metric for each.
        self._custom_metrics: dict[str, bool] = {}
        self.new_metric = widgets.Text(placeholder="key the trial returns", description="New metric")
        self.new_metric_direction = widgets.Dropdown(
            options=[("higher is better", True), ("lower is better", False)], value=True,
            layout=widgets.Layout(width="160px"))
        self.add_metric_button = widgets.Button(description="Add metric", icon="plus")
        self.metric_message = widgets.HTML("")
        self.add_button = widgets.Button(description="Add candidate", icon="plus")
        self.candidates_box = widgets.VBox([])
        self.executor_form = ExecutorForm(on_change=self._executor_changed)
        self.message = widgets.HTML("")
        self.show_code = widgets.ToggleButton(value=False, description="Show code", icon="code",
                                              tooltip="Show Python that builds and launches this study")
        self.code_view = widgets.HTML("")
        self.yaml_path = widgets.Text(placeholder="<study name>.yaml", description="YAML file")
        self.save_button = widgets.Button(description="Save YAML", icon="save")
        self.load_button = widgets.Button(description="Load YAML", icon="folder-open")
        self.file_message = widgets.HTML("")

        self.add_button.on_click(lambda _: self.add_candidate())
        self.add_metric_button.on_click(lambda _: self._add_metric_clicked())
        self.save_button.on_click(lambda _: self._save_clicked())
        self.load_button.on_click(lambda _: self._load_clicked())
        self.show_code.observe(lambda _: self._refresh_code(), names="value")
        for control in (self.name, self.seeds, self.seed_start, self.metrics):
            control.observe(lambda _: self._changed(), names="value")
        # Stable class names for the browser test and for users' own CSS.
        for widget, css_name in ((self.name, "study-name"), (self.add_button, "add-candidate"),
                             (self.seeds, "seeds"), (self.seed_start, "seed-start"), (self.metrics, "metrics"),
                             (self.new_metric, "new-metric"), (self.new_metric_direction, "new-metric-direction"),
                             (self.add_metric_button, "add-metric"), (self.metric_message, "metric-message"),
                             (self.message, "builder-message"), (self.show_code, "show-code"),
                             (self.code_view, "code"), (self.yaml_path, "yaml-path"),
                             (self.save_button, "save-yaml"), (self.load_button, "load-yaml"),
                             (self.file_message, "file-message")):
            widget.add_class(f"nbc-{css_name}")

        super().__init__([
            self.name,
            widgets.HTML("<b>Candidates</b>"),
            self.candidates_box,
            self.add_button,
            widgets.HBox([self.seeds, self.seed_start]),
            self.metrics,
            widgets.HBox([self.new_metric, self.new_metric_direction, self.add_metric_button]),
            self.metric_message,
            widgets.HTML("<b>Executor</b>"),
            self.executor_form,
            self.message,
            widgets.HBox([self.show_code, self.yaml_path, self.save_button, self.load_button]),
            self.file_message,
            self.code_view,
        ])
        self.add_class("nbc-builder")
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

    def _declared_directions(self) -> dict[str, bool]:
        """Return every metric the rows' workloads declare, then the measured ones."""
        declared: dict[str, bool] = {}
        for workload in dict.fromkeys(row.workload.value for row in self.candidates):
            if workload in self._workloads:
                declared.update(get_workload(workload).metrics)
        for name, higher in MEASURED_METRICS.items():
            declared.setdefault(name, higher)
        return declared

    def _metric_directions(self) -> dict[str, bool]:
        """Return the declared and measured metrics, then the ones added in the form."""
        directions = self._declared_directions()
        directions.update(self._custom_metrics)
        return directions

    def add_metric(self, name: str, higher_is_better: bool) -> None:
        """List and select a metric with its direction, for keys no workload declares.

        Giving a declared metric the other direction replaces the declared one in
        this study. Raises StudyError for an invalid name.
        """
        name = name.strip()
        Metric(name, higher_is_better=higher_is_better)  # checks the name
        declared = self._declared_directions()
        if declared.get(name) == higher_is_better:
            self._custom_metrics.pop(name, None)
        else:
            self._custom_metrics[name] = higher_is_better
        self._update_metric_options(keep=(*[m for m in self.metrics.value if m != name], name))
        self._changed()

    def _add_metric_clicked(self) -> None:
        name = self.new_metric.value.strip()
        try:
            self.add_metric(name, self.new_metric_direction.value)
        except StudyError as error:
            self.metric_message.value = f'<span style="color:#b00020">{html.escape(str(error))}</span>'
            return
        direction = "higher" if self.new_metric_direction.value else "lower"
        self.metric_message.value = (f'<span style="color:#1b5e20">Added {html.escape(name)} '
                                     f"({direction} is better).</span>")
        self.new_metric.value = ""

    def _update_metric_options(self, keep: tuple[str, ...] | None = None) -> None:
        selected = tuple(self.metrics.value) if keep is None else keep
        directions = self._metric_directions()
        names = list(directions)
        # A selected metric with no known direction stays listed, so study() can
        # report it instead of the form dropping it silently.
        names += [m for m in selected if m not in names]
        options = []
        for name in names:
            if name in directions:
                label = f"{name} ({'higher' if directions[name] else 'lower'} is better)"
            else:
                label = f"{name} (direction unknown)"
            options.append((label, name))
        if list(self.metrics.options) != options:
            self.metrics.options = options
        value = tuple(m for m in selected if m in names)
        if tuple(self.metrics.value) != value:
            self.metrics.value = value

    def _study_metrics(self) -> list[str | Metric]:
        """Return the selected metrics: a name where a workload declares it, else a Metric."""
        return [Metric(name, higher_is_better=self._custom_metrics[name]) if name in self._custom_metrics
                else name for name in self.metrics.value]

    # -- the study -----------------------------------------------------------------------

    def _build(self) -> Study:
        candidates = [row.candidate() for row in self.candidates]
        start = self.seed_start.value
        return Study(name=self.name.value.strip(), candidates=candidates,
                     seeds=range(start, start + self.seeds.value),
                     metrics=self._study_metrics(), **self._fields)

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
            declared = self._declared_directions()
            self._custom_metrics = {m.name: m.higher_is_better for m in study.metrics
                                    if declared.get(m.name) != m.higher_is_better}
            self._update_metric_options(keep=tuple(m.name for m in study.metrics))
        finally:
            self._loading = False
        self._changed()

    def executor(self) -> ExecutorChoice:
        """Build the executor and workers of the Executor section.

        Returns ``ExecutorChoice(executor, workers)``; ``executor`` is None for the
        local kind, which ``study.run`` turns into ``nemo_run.LocalExecutor()``.
        Raises ExecutorSpecError (a StudyError) naming the invalid field, whose
        message is also shown next to that field.
        """
        try:
            return self.executor_form.choice()
        except StudyError as error:
            self._show_error(error)
            raise

    def code(self) -> str:
        """Return Python source that builds an equal Study into ``study`` and launches it.

        The source constructs the executor (for Slurm or other kinds) into
        ``executor`` and ends with ``study_run = study.run(executor=executor,
        workers=...)``. Raises StudyError when the form is invalid, as :meth:`study`
        and :meth:`executor` do.
        """
        study = self.study()
        spec = self.executor_form.spec()
        try:
            imports, executor_statement = executor_source(spec)
        except StudyError as error:
            self.executor_form.validate()
            self._show_error(error)
            raise
        lines = ["import nbcompare as nbc", *imports, "", "study = nbc.Study(", f"    name={study.name!r},",
                 "    candidates=["]
        for candidate in study.candidates:
            args = [repr(candidate.name), repr(candidate.workload)]
            args += [f"{key}={value!r}" for key, value in candidate.params.items()]
            lines.append(f"        nbc.Candidate({', '.join(args)}),")
        lines.append("    ],")
        start, stop = study.seeds[0], study.seeds[-1] + 1
        lines.append(f"    seeds=range({stop}),"if start == 0 else f"    seeds=range({start}, {stop}),")
        metric_items = [f"nbc.Metric({m.name!r}, higher_is_better={m.higher_is_better!r})"
                        if m.name in self._custom_metrics else repr(m.name) for m in study.metrics]
        lines.append(f"    metrics=[{', '.join(metric_items)}],")
        if self._fields["tasks"]:
            tasks = ", ".join(f"nbc.Task({t.name!r}, {dict(t.params)!r})" for t in study.tasks)
            lines.append(f"    tasks=[{tasks}],")
        for key in ("description", "confidence_level", "alpha", "timeout_s"):
            if self._fields[key] != _FIELD_DEFAULTS[key]:
                lines.append(f"    {key}={self._fields[key]!r},")
        lines.append(")")
        lines.append("")
        run_arguments = []
        if executor_statement:
            lines.append(executor_statement.rstrip("\n"))
            run_arguments.append("executor=executor")
        if spec.get("workers") is not None:
            run_arguments.append(f"workers={spec['workers']!r}")
        lines.append(f"study_run = study.run({', '.join(run_arguments)})")
        return "\n".join(lines) + "\n"

    def to_yaml(self, path: str | os.PathLike[str]) -> str:
        """Write the study and its ``executor`` section to ``path`` as YAML and return the text."""
        import yaml

        study = self.study()
        spec = self.executor_form.spec()
        errors = check_executor_spec(spec)
        if errors:
            self.executor_form.validate()
            error = StudyError(next(iter(errors.values())))
            self._show_error(error)
            raise error
        text = study.to_yaml() + yaml.safe_dump({EXECUTOR_KEY: spec}, sort_keys=False,
                                                default_flow_style=False)
        Path(path).write_text(text, encoding="utf-8")
        return text

    def load_yaml(self, path: str | os.PathLike[str]) -> Study:
        """Read a study file, show it and its executor in the form and return the study.

        A file without an ``executor`` section shows the local executor with its
        default workers. Errors also go to ``message``, and an invalid file changes
        nothing in the form.
        """
        try:
            study = load_study(path)
            spec = read_executor_spec(path)
            if spec is None:
                spec = default_executor_spec("local")
            errors = check_executor_spec(spec)
            if errors:
                raise StudyError(f"{path}: {next(iter(errors.values()))}")
            self.set_study(study)
            self.executor_form.set_spec(spec)
        except StudyError as error:
            self._show_error(error)
            raise
        return study

    def _show_error(self, error: Exception) -> None:
        self.message.value = f'<span style="color:#b00020">{html.escape(str(error))}</span>'

    def _yaml_file(self) -> Path:
        text = self.yaml_path.value.strip()
        if text:
            return Path(text).expanduser()
        name = self.name.value.strip()
        if not name:
            raise StudyError("YAML file: no path is given and the study has no name to derive one from. "
                             "Type a path such as study.yaml.")
        return Path(f"{name}.yaml")

    def _save_clicked(self) -> None:
        try:
            path = self._yaml_file()
            self.to_yaml(path)
        except (StudyError, OSError) as error:
            self.file_message.value = f'<span style="color:#b00020">Not saved: {html.escape(str(error))}</span>'
            return
        self.file_message.value = f'<span style="color:#1b5e20">Saved the study to {html.escape(str(path))}.</span>'

    def _load_clicked(self) -> None:
        path = None
        try:
            path = self._yaml_file()
            self.load_yaml(path)
        except (StudyError, OSError) as error:
            self.file_message.value = f'<span style="color:#b00020">Not loaded: {html.escape(str(error))}</span>'
            return
        self.file_message.value = f'<span style="color:#1b5e20">Loaded {html.escape(str(path))}.</span>'

    def _executor_changed(self) -> None:
        # The form reports its first values while the builder is still being built.
        if self._loading or not hasattr(self, "code_view"):
            return
        self._changed()

    def static_html(self) -> str:
        try:
            body = f"<p>Python that builds and launches the study in the form:</p><pre>{html.escape(self.code())}</pre>"
        except StudyError:
            body = f"<p>The form does not describe a valid study yet.</p>{self.message.value}"
        return static_copy_html("study builder", body)

    def static_plain(self) -> str | None:
        name = self.name.value.strip() or "(unnamed)"
        return f"StudyBuilder: study {name}, {len(self.candidates)} candidate(s)."

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """Add the equivalent Python code, or why the form is invalid, as ``text/html``."""
        return self._mimebundle_with_copy(super()._repr_mimebundle_(**kwargs),
                                          kwargs.get("include"), kwargs.get("exclude"))

    def _refresh_code(self) -> None:
        """Show :meth:`code` under the form while the Show code toggle is on."""
        if not self.show_code.value:
            self.code_view.value = ""
            return
        try:
            source = self.code()
        except StudyError as error:
            self.code_view.value = (f'<span style="color:#b00020">No code while the form is invalid: '
                                    f"{html.escape(str(error))}</span>")
            return
        self.code_view.value = f"<pre>{html.escape(source)}</pre>"

    # -- events --------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading:
            return
        self._update_metric_options()
        try:
            self.study()
        except StudyError:
            pass  # study() has shown the error in self.message
        else:
            # The summary line must not say "Valid study" while an executor field is invalid.
            errors = self.executor_form.validate()
            if errors:
                self._show_error(StudyError(f"Executor: {next(iter(errors.values()))}"))
        self._refresh_code()
        # At once, not debounced: an update sent after the cell that caused it has
        # finished is dropped by nbclient, which leaves a stale copy in the notebook.
        self.refresh_static_copy()
