"""The builder's Executor section: local workers, Slurm settings, or any NeMo Run executor."""

from __future__ import annotations

import html
from typing import Any, Callable, Mapping

import ipywidgets as widgets

from nbcompare.launch._executors import (
    EXECUTOR_KINDS,
    ExecutorChoice,
    ExecutorSpecError,
    check_executor_spec,
    default_executor_spec,
    executor_from_spec,
)

__all__ = ["ExecutorForm"]

_MAX_COUNT = 100_000
_SOURCE_PLACEHOLDER = ("nemo_run.DockerExecutor(container_image='python:3.11', num_gpus=0)\n"
                       "or YAML:\nexecutor: nemo_run.DockerExecutor\ncontainer_image: python:3.11")


def _message() -> widgets.HTML:
    return widgets.HTML("", layout=widgets.Layout(margin="0 0 0 8px"))


class ExecutorForm(widgets.VBox):
    """Widgets that edit the executor settings of :mod:`nbcompare.launch._executors`.

    ``kind`` selects local, Slurm or other. Each field has a message widget next to
    it, in ``messages[kind][field]``, that names the value and the fix when the value
    is invalid, and is empty otherwise. ``on_change`` is called after every edit.
    """

    def __init__(self, spec: Mapping[str, Any] | None = None, *,
                 on_change: Callable[[], None] | None = None):
        self._on_change = on_change
        self._loading = False
        local, slurm, other = (default_executor_spec(kind) for kind in EXECUTOR_KINDS)
        tunnel = slurm["tunnel"]

        self.kind = widgets.ToggleButtons(options=[("local", "local"), ("Slurm", "slurm"), ("other", "other")],
                                          value="local", description="Runs on")
        self.local_workers = widgets.BoundedIntText(
            value=local["workers"], min=1, max=_MAX_COUNT, description="Workers",
            tooltip="Parallel shards, each one NeMo Run task on this machine")

        self.account = widgets.Text(value=slurm["account"], description="Account", placeholder="required")
        self.partition = widgets.Text(value="", description="Partition", placeholder="cluster default")
        self.time = widgets.Text(value=slurm["time"], description="Time limit",
                                 placeholder="HH:MM:SS or D-HH:MM:SS",
                                 tooltip="Slurm --time: minutes, minutes:seconds, hours:minutes:seconds, "
                                         "days-hours, days-hours:minutes or days-hours:minutes:seconds")
        self.nodes = widgets.BoundedIntText(value=slurm["nodes"], min=1, max=_MAX_COUNT, description="Nodes")
        self.gpus_per_node = widgets.BoundedIntText(value=slurm["gpus_per_node"], min=0, max=1024,
                                                    description="GPUs/node")
        self.container_image = widgets.Text(value="", description="Container", placeholder="optional image")
        self.tunnel = widgets.ToggleButtons(
            options=[("SSH", "ssh"), ("local (notebook on the login node)", "local")],
            value=tunnel["kind"], description="Tunnel")
        self.host = widgets.Text(value=tunnel["host"], description="SSH host", placeholder="login.example.org")
        self.user = widgets.Text(value=tunnel["user"], description="User")
        self.job_dir = widgets.Text(value=tunnel["job_dir"], description="Job dir",
                                    placeholder="/scratch/<user>/nemo-run")
        self.slurm_workers = widgets.BoundedIntText(
            value=slurm["workers"], min=1, max=_MAX_COUNT, description="Workers",
            tooltip="Parallel shards, each one Slurm job")

        self.source = widgets.Textarea(value=other["source"], description="Executor", rows=4,
                                       placeholder=_SOURCE_PLACEHOLDER,
                                       layout=widgets.Layout(width="560px"))
        self.other_workers = widgets.BoundedIntText(
            value=other["workers"], min=1, max=_MAX_COUNT, description="Workers",
            tooltip="Parallel shards, each one NeMo Run task")

        self._controls: dict[str, dict[str, widgets.Widget]] = {
            "local": {"workers": self.local_workers},
            "slurm": {"account": self.account, "partition": self.partition, "time": self.time,
                      "nodes": self.nodes, "gpus_per_node": self.gpus_per_node,
                      "container_image": self.container_image, "tunnel.kind": self.tunnel,
                      "tunnel.host": self.host, "tunnel.user": self.user,
                      "tunnel.job_dir": self.job_dir, "workers": self.slurm_workers},
            "other": {"source": self.source, "workers": self.other_workers},
        }
        self.messages: dict[str, dict[str, widgets.HTML]] = {
            kind: {name: _message() for name in controls} for kind, controls in self._controls.items()
        }
        self.message = _message()  # errors that belong to no single field

        self._rows: dict[str, dict[str, widgets.HBox]] = {
            kind: {name: widgets.HBox([control, self.messages[kind][name]])
                   for name, control in controls.items()}
            for kind, controls in self._controls.items()
        }
        self._boxes = {kind: widgets.VBox(list(rows.values())) for kind, rows in self._rows.items()}

        for controls in self._controls.values():
            for control in controls.values():
                control.observe(lambda _: self._changed(), names="value")
        self.kind.observe(lambda _: self._changed(), names="value")

        super().__init__([self.kind, *self._boxes.values(), self.message])
        if spec is not None:
            self.set_spec(spec)
        else:
            self._changed()

    # -- values ------------------------------------------------------------------------

    def spec(self) -> dict[str, Any]:
        """Return the settings the form shows, as plain data (see :mod:`nbcompare.launch._executors`)."""
        kind = self.kind.value
        if kind == "local":
            return {"kind": "local", "workers": self.local_workers.value}
        if kind == "other":
            return {"kind": "other", "workers": self.other_workers.value, "source": self.source.value}
        tunnel: dict[str, Any] = {"kind": self.tunnel.value, "job_dir": self.job_dir.value.strip()}
        if self.tunnel.value == "ssh":
            tunnel.update(host=self.host.value.strip(), user=self.user.value.strip())
        return {
            "kind": "slurm",
            "workers": self.slurm_workers.value,
            "account": self.account.value.strip(),
            "partition": self.partition.value.strip() or None,
            "time": self.time.value.strip(),
            "nodes": self.nodes.value,
            "gpus_per_node": self.gpus_per_node.value,
            "container_image": self.container_image.value.strip() or None,
            "tunnel": tunnel,
        }

    def set_spec(self, spec: Mapping[str, Any]) -> None:
        """Show ``spec``; raise ExecutorSpecError, changing nothing, when it is invalid."""
        errors = check_executor_spec(spec)
        if errors:
            field_name, message = next(iter(errors.items()))
            raise ExecutorSpecError(field_name, message)
        kind = spec.get("kind", "local")
        values = {**default_executor_spec(kind), "tunnel": {"kind": "local"}, **spec}
        self._loading = True
        try:
            self.kind.value = kind
            if kind == "local":
                self.local_workers.value = values["workers"] or default_executor_spec("local")["workers"]
            elif kind == "other":
                self.other_workers.value = values["workers"] or 1
                self.source.value = values["source"]
            else:
                self._set_slurm(values)
        finally:
            self._loading = False
        self._changed()

    def _set_slurm(self, values: Mapping[str, Any]) -> None:
        tunnel = values.get("tunnel") or {"kind": "local"}
        self.slurm_workers.value = values["workers"] or 1
        self.account.value = values["account"] or ""
        self.partition.value = values["partition"] or ""
        self.time.value = values["time"]
        self.nodes.value = values["nodes"]
        self.gpus_per_node.value = values["gpus_per_node"] or 0
        self.container_image.value = values["container_image"] or ""
        self.tunnel.value = tunnel.get("kind", "ssh")
        self.host.value = tunnel.get("host") or ""
        self.user.value = tunnel.get("user") or ""
        self.job_dir.value = tunnel.get("job_dir") or ""

    def choice(self) -> ExecutorChoice:
        """Build the executor and workers; raise ExecutorSpecError (also shown next to the field)."""
        errors = self.validate()
        if errors:
            field_name, message = next(iter(errors.items()))
            raise ExecutorSpecError(field_name, message)
        return executor_from_spec(self.spec())

    def validate(self) -> dict[str, str]:
        """Show a message next to each invalid field of the selected kind and return the messages."""
        kind = self.kind.value
        errors = check_executor_spec(self.spec())
        for name, widget in self.messages[kind].items():
            widget.value = _error_html(errors.get(name, ""))
        others = [message for name, message in errors.items() if name not in self.messages[kind]]
        self.message.value = _error_html(" ".join(others))
        return errors

    # -- events ------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading:
            return
        for kind, box in self._boxes.items():
            box.layout.display = "" if kind == self.kind.value else "none"
        ssh = "" if self.tunnel.value == "ssh" else "none"
        self._rows["slurm"]["tunnel.host"].layout.display = ssh
        self._rows["slurm"]["tunnel.user"].layout.display = ssh
        self.validate()
        if self._on_change is not None:
            self._on_change()


def _error_html(message: str) -> str:
    return f'<span style="color:#b00020">{html.escape(message)}</span>' if message else ""
