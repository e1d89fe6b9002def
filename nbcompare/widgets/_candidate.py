"""One candidate row of the study builder: name, workload, architecture and hyperparameters."""

from __future__ import annotations

import html
import json
from typing import Any, Callable, Sequence

import ipywidgets as widgets

from nbcompare.exceptions import StudyError
from nbcompare.study import Candidate
from nbcompare.workloads import config_check, get_workload

__all__ = ["CandidateRow", "HyperparameterRow", "check_workload_config", "digits_architectures", "parse_value"]

# The digits workload takes its model from this hyperparameter; the row edits it
# with a dropdown instead of a key/value row.
ARCHITECTURE_KEY = "architecture"
NO_ARCHITECTURE = "(workload default)"


def parse_value(text: str) -> Any:
    """Parse a hyperparameter value typed into a text box.

    JSON literals (``3``, ``1e-3``, ``true``, ``"x"``, ``[1, 2]``) become the Python
    value. Any other text is kept as a string, so ``adam`` needs no quotes.
    """
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        return stripped


def format_value(value: Any) -> str:
    """Return the text that :func:`parse_value` turns back into ``value``."""
    if isinstance(value, str):
        # A string that reads as another JSON value ("3", "true") keeps its quotes.
        return value if parse_value(value) == value and value == value.strip() else json.dumps(value)
    return json.dumps(value)


def digits_architectures() -> tuple[tuple[str, ...], dict[str, dict[str, Any]]]:
    """Return the digits workload's architectures and their default hyperparameters.

    They come from the digits configuration module, which does not import torch.
    """
    from nbcompare.workloads import _digits_config

    return tuple(_digits_config.ARCHITECTURES), {k: dict(v) for k, v in _digits_config.DEFAULTS.items()}


def check_workload_config(candidate: Candidate) -> None:
    """Raise StudyError if the candidate's registered workload rejects its hyperparameters.

    The check is the one the launcher runs before any trial starts (see
    :func:`nbcompare.workloads.config_check`), on the config a trial of the
    workload's first task gets. A ``"package.module:function"`` workload, an
    unregistered name and a workload without a check are not checked here.
    """
    if ":" in candidate.workload:
        return
    try:
        workload = get_workload(candidate.workload)
    except ValueError:
        return  # Study names the unknown workload and suggests a registered one.
    check = config_check(workload)
    if check is None:
        return
    # Study uses the workload's first task when no task is given, and "default" when it declares none.
    # NOTE: parameters of the tasks of a loaded study are not merged here; the launcher checks them.
    task = workload.tasks[0] if workload.tasks else "default"
    try:
        check({**candidate.params, "task": task})
    except ValueError as error:
        raise StudyError(
            f"Candidate({candidate.name!r}) is invalid for workload {workload.name!r}: {error}"
        ) from None


class HyperparameterRow(widgets.HBox):
    """A key and a value text box with a remove button."""

    def __init__(self, key: str = "", value: str = "", on_remove: Callable[["HyperparameterRow"], None] | None = None):
        self.key = widgets.Text(value=key, placeholder="key", layout=widgets.Layout(width="160px"))
        self.value = widgets.Text(value=value, placeholder="value (JSON or text)",
                                  layout=widgets.Layout(width="200px"))
        self.remove_button = widgets.Button(description="✕", tooltip="Remove this hyperparameter",
                                            layout=widgets.Layout(width="36px"))
        if on_remove is not None:
            self.remove_button.on_click(lambda _: on_remove(self))
        super().__init__([self.key, self.value, self.remove_button])
        for widget, css_name in ((self, "param"), (self.key, "param-key"), (self.value, "param-value"),
                             (self.remove_button, "remove-param")):
            widget.add_class(f"nbc-{css_name}")


class CandidateRow(widgets.VBox):
    """Widgets that edit one :class:`~nbcompare.Candidate`.

    ``message`` shows why the row is invalid, and is empty when it is valid.
    ``on_change`` is called after every edit, ``on_remove`` and ``on_duplicate``
    with this row when the matching button is clicked.
    """

    def __init__(self, workloads: Sequence[str], *, name: str = "", workload: str | None = None,
                 params: dict[str, Any] | None = None,
                 on_change: Callable[[], None] | None = None,
                 on_remove: Callable[["CandidateRow"], None] | None = None,
                 on_duplicate: Callable[["CandidateRow"], None] | None = None):
        self._on_change = on_change
        self._defaults: dict[str, dict[str, Any]] = {}
        self.name = widgets.Text(value=name, placeholder="candidate name", description="Name",
                                 layout=widgets.Layout(width="260px"))
        # A combobox: pick a registered workload or type your own trial function's path.
        self.workload = widgets.Combobox(options=list(workloads), ensure_option=False, continuous_update=False,
                                         placeholder="name or package.module:function", description="Workload",
                                         layout=widgets.Layout(width="300px"))
        self.architecture = widgets.Dropdown(options=[NO_ARCHITECTURE], description="Architecture",
                                             layout=widgets.Layout(width="260px", display="none"))
        self.add_param_button = widgets.Button(description="Add hyperparameter", icon="plus",
                                               layout=widgets.Layout(width="auto"))
        self.defaults_button = widgets.Button(
            description="Fill defaults", tooltip="Add the architecture's default hyperparameters",
            layout=widgets.Layout(display="none"))
        self.duplicate_button = widgets.Button(description="Duplicate", icon="copy")
        self.remove_button = widgets.Button(description="Remove", icon="trash")
        self.params_box = widgets.VBox([])
        self.message = widgets.HTML("")

        self.add_param_button.on_click(lambda _: self.add_param())
        self.defaults_button.on_click(lambda _: self.fill_defaults())
        if on_remove is not None:
            self.remove_button.on_click(lambda _: on_remove(self))
        if on_duplicate is not None:
            self.duplicate_button.on_click(lambda _: on_duplicate(self))
        for control in (self.name, self.architecture):
            control.observe(lambda _: self._changed(), names="value")
        self.workload.observe(lambda _: self._workload_changed(), names="value")

        header = widgets.HBox([self.name, self.workload, self.architecture])
        buttons = widgets.HBox([self.add_param_button, self.defaults_button,
                                self.duplicate_button, self.remove_button])
        for widget, css_name in ((self.name, "candidate-name"), (self.workload, "workload"),
                             (self.architecture, "architecture"), (self.add_param_button, "add-param"),
                             (self.defaults_button, "fill-defaults"), (self.duplicate_button, "duplicate"),
                             (self.remove_button, "remove-candidate"), (self.message, "candidate-message")):
            widget.add_class(f"nbc-{css_name}")
        super().__init__([header, self.params_box, buttons, self.message],
                         layout=widgets.Layout(border="1px solid #ddd", padding="4px", margin="2px 0"))
        self.add_class("nbc-candidate")
        self.set_values(name, workload or self.workload.options[0], params or {})

    # -- hyperparameters -----------------------------------------------------------

    @property
    def params(self) -> list[HyperparameterRow]:
        """The hyperparameter rows, in display order."""
        return list(self.params_box.children)

    def add_param(self, key: str = "", value: Any = None) -> HyperparameterRow:
        """Append a hyperparameter row; ``value`` is a Python value, shown as JSON text."""
        text = "" if value is None and key == "" else format_value(value)
        row = HyperparameterRow(key, text, on_remove=self.remove_param)
        row.key.observe(lambda _: self._changed(), names="value")
        row.value.observe(lambda _: self._changed(), names="value")
        self.params_box.children = (*self.params_box.children, row)
        self._changed()
        return row

    def remove_param(self, row: HyperparameterRow) -> None:
        self.params_box.children = tuple(r for r in self.params_box.children if r is not row)
        self._changed()

    def fill_defaults(self) -> None:
        """Add a row for each default hyperparameter of the selected architecture not set yet."""
        defaults = self._defaults.get(self.architecture.value, {})
        present = {row.key.value.strip() for row in self.params}
        for key, value in defaults.items():
            if key not in present:
                self.add_param(key, value)

    # -- values --------------------------------------------------------------------

    def set_values(self, name: str, workload: str, params: dict[str, Any]) -> None:
        """Show ``name``, ``workload`` and ``params`` in the row, replacing what it showed."""
        params = dict(params)
        if workload not in self.workload.options:
            # A function path or a workload registered after the builder was made.
            self.workload.options = (*self.workload.options, workload)
        self.name.value = name
        self.workload.value = workload
        self._workload_changed()
        architecture = params.get(ARCHITECTURE_KEY)
        if self._uses_architecture() and isinstance(architecture, str) and architecture in self.architecture.options:
            self.architecture.value = params.pop(ARCHITECTURE_KEY)
        else:
            self.architecture.value = NO_ARCHITECTURE
        self.params_box.children = ()
        for key, value in params.items():
            self.add_param(key, value)
        self._changed()

    def candidate(self) -> Candidate:
        """Build the row's Candidate; raise StudyError naming the invalid field.

        A registered workload's own config check runs here too, so the row and the
        builder reject a hyperparameter that the launcher would reject.
        """
        name = self.name.value.strip()
        params: dict[str, Any] = {}
        if self._uses_architecture() and self.architecture.value != NO_ARCHITECTURE:
            params[ARCHITECTURE_KEY] = self.architecture.value
        for i, row in enumerate(self.params):
            key = row.key.value.strip()
            if not key:
                if row.value.value.strip():
                    raise StudyError(
                        f"Candidate({name!r}) hyperparameter row {i + 1} has a value but no key. "
                        "Type a key or remove the row."
                    )
                continue
            if not key.isidentifier():
                raise StudyError(
                    f"Candidate({name!r}) hyperparameter key {key!r} is not a Python identifier. "
                    "Use letters, digits and underscores."
                )
            if key in params:
                where = "the architecture dropdown" if key == ARCHITECTURE_KEY else "another row"
                raise StudyError(
                    f"Candidate({name!r}) sets hyperparameter {key!r} twice, in row {i + 1} and in {where}. "
                    "Remove one."
                )
            if not row.value.value.strip():
                raise StudyError(f"Candidate({name!r}) hyperparameter {key!r} has no value.")
            params[key] = parse_value(row.value.value)
        candidate = Candidate(name, self.workload.value, **params)
        check_workload_config(candidate)
        return candidate

    def validate(self) -> StudyError | None:
        """Show the row's validation message and return the error, or None when valid."""
        try:
            self.candidate()
        except StudyError as error:
            self.message.value = f'<span style="color:#b00020">{html.escape(str(error))}</span>'
            return error
        self.message.value = ""
        return None

    # -- events --------------------------------------------------------------------

    def _uses_architecture(self) -> bool:
        return self.workload.value == "digits"

    def _workload_changed(self) -> None:
        if self._uses_architecture() and not self._defaults:
            try:
                architectures, self._defaults = digits_architectures()
            except ImportError as error:
                self.message.value = html.escape(f"Architectures not available: {error}")
                architectures = ()
            self.architecture.options = [NO_ARCHITECTURE, *architectures]
        display = "" if self._uses_architecture() else "none"
        self.architecture.layout.display = display
        self.defaults_button.layout.display = display
        self._changed()

    def _changed(self) -> None:
        self.validate()
        if self._on_change is not None:
            self._on_change()
