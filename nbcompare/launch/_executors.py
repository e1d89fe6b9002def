"""Executor settings as plain data: check them, build the NeMo Run executor, write its code.

The notebook builder edits these settings, and a study YAML file stores them under
the optional top-level key ``executor`` (``load_study`` ignores that key). Three
kinds of settings exist::

    {"kind": "local", "workers": 4}
    {"kind": "slurm", "workers": 2, "account": "ml", "partition": "batch",
     "time": "02:00:00", "nodes": 1, "gpus_per_node": 8, "container_image": None,
     "tunnel": {"kind": "ssh", "host": "login.example.org", "user": "me",
                "job_dir": "/scratch/me/nemo-run"}}
    {"kind": "other", "workers": 1,
     "source": "nemo_run.DockerExecutor(container_image='python:3.11')"}

``source`` is a Python call expression or YAML ``key: value`` lines whose
``executor`` key names the class. It is parsed, never evaluated: arguments are
literals or nested calls of NeMo Run dataclasses. Building an executor constructs the
objects only; an ``SSHTunnel`` connects when the experiment starts, not before.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import math
import os
import re
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from nbcompare.exceptions import StudyError

__all__ = [
    "ExecutorCall",
    "ExecutorChoice",
    "ExecutorSpecError",
    "EXECUTOR_KINDS",
    "check_executor_spec",
    "default_executor_spec",
    "executor_from_spec",
    "executor_source",
    "load_executor",
    "parse_executor_source",
    "read_executor_spec",
]

EXECUTOR_KINDS = ("local", "slurm", "other")
TUNNEL_KINDS = ("ssh", "local")
EXECUTOR_KEY = "executor"

_KEYS = {
    "local": {"kind", "workers"},
    "slurm": {"kind", "workers", "account", "partition", "time", "nodes", "gpus_per_node",
              "container_image", "tunnel"},
    "other": {"kind", "workers", "source"},
}
_TUNNEL_KEYS = {"kind", "host", "user", "job_dir"}
# The forms sbatch --time accepts (Slurm's sbatch man page). Each name lists the fields in order.
_TIME_FORMS = {
    "minutes": r"(?P<minutes>\d+)",
    "minutes:seconds": r"(?P<minutes>\d+):(?P<seconds>\d{1,2})",
    "hours:minutes:seconds": r"(?P<hours>\d+):(?P<minutes>\d{1,2}):(?P<seconds>\d{1,2})",
    "days-hours": r"(?P<days>\d+)-(?P<hours>\d{1,2})",
    "days-hours:minutes": r"(?P<days>\d+)-(?P<hours>\d{1,2}):(?P<minutes>\d{1,2})",
    "days-hours:minutes:seconds": r"(?P<days>\d+)-(?P<hours>\d{1,2}):(?P<minutes>\d{1,2}):(?P<seconds>\d{1,2})",
}
# re.ASCII: \d would otherwise match digits of other scripts, which Slurm does not read.
_TIME_PATTERNS = {form: re.compile(pattern, re.ASCII) for form, pattern in _TIME_FORMS.items()}
_TIME_UNIT_SECONDS = {"days": 86_400, "hours": 3_600, "minutes": 60, "seconds": 1}
_TIME_FORMS_TEXT = ('"minutes", "minutes:seconds", "hours:minutes:seconds", "days-hours", '
                    '"days-hours:minutes" or "days-hours:minutes:seconds"')
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.\-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")
_EXAMPLE_SOURCE = "nemo_run.DockerExecutor(container_image='python:3.11')"


class ExecutorSpecError(StudyError):
    """Invalid executor settings; ``field`` names the setting (``time``, ``tunnel.host``, ``source``)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


class ExecutorChoice(NamedTuple):
    """The executor and the number of workers to pass to ``study.run``.

    ``executor`` is None for the local default, which ``run_study`` replaces with
    ``nemo_run.LocalExecutor()``.
    """

    executor: Any
    workers: int | None


@dataclass(frozen=True)
class ExecutorCall:
    """A parsed ``Class(keyword=value, ...)``: a dotted class path and literal or nested arguments."""

    path: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


def default_executor_spec(kind: str = "local") -> dict[str, Any]:
    """Return the settings a new form shows for ``kind``."""
    if kind == "local":
        # The same default as run_study: one shard per CPU core.
        return {"kind": "local", "workers": max(1, os.cpu_count() or 1)}
    if kind == "slurm":
        return {"kind": "slurm", "workers": 1, "account": "", "partition": None, "time": "01:00:00",
                "nodes": 1, "gpus_per_node": 0, "container_image": None,
                "tunnel": {"kind": "ssh", "host": "", "user": "", "job_dir": ""}}
    if kind == "other":
        return {"kind": "other", "workers": 1, "source": ""}
    raise ExecutorSpecError("kind", _kind_message(kind))


def _kind_message(kind: Any) -> str:
    return f"Executor kind {kind!r} is unknown; use one of {', '.join(map(repr, EXECUTOR_KINDS))}."


# -- checks of single settings -----------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_count(label: str, value: Any, minimum: int, fix: str) -> str | None:
    if not _is_int(value) or value < minimum:
        return f"{label} {value!r} is invalid: {fix}"
    return None


def _check_word(label: str, value: Any, *, required: bool, fix: str) -> str | None:
    """Check a name that Slurm or a registry reads as one word (account, partition, image)."""
    if _blank(value):
        return f"{label} is empty; {fix}" if required else None
    if not isinstance(value, str):
        return f"{label} {value!r} is not text; {fix}"
    if any(c.isspace() for c in value.strip()):
        return f"{label} {value!r} contains whitespace; {fix}"
    return None


def check_time_limit(value: Any) -> str | None:
    """Return why ``value`` is not a Slurm time limit, or None when it is one.

    The accepted forms are those of ``sbatch --time``: minutes, minutes:seconds,
    hours:minutes:seconds, days-hours, days-hours:minutes and
    days-hours:minutes:seconds. The first field may be any size. A field after
    it must be below 24 (hours) or 60 (minutes, seconds). A zero limit is
    rejected, because Slurm reads it as "no time limit".
    """
    if _is_int(value):
        # PyYAML reads an unquoted 1:30:00 as the base-60 number 5400.
        return (f"Slurm time limit {value!r} is a number, not text; in YAML quote it, "
                "for example time: '01:30:00'.")
    text = value.strip() if isinstance(value, str) else None
    fields = _time_fields(text) if text else None
    if fields is None:
        return (f"Slurm time limit {value!r} is invalid; write it as {_TIME_FORMS_TEXT}, "
                "for example 02:00:00 or 1-12:00:00.")
    form, parts = fields
    names = list(parts)
    for name in names[1:]:
        limit = _TIME_UNIT_SECONDS[names[names.index(name) - 1]] // _TIME_UNIT_SECONDS[name]
        if parts[name] >= limit:
            return (f"Slurm time limit {value!r} has {parts[name]} {name}, but in the form {form} the "
                    f"{name} must be below {limit}; write {_carried_time(parts)!r} instead.")
    if not any(parts.values()):
        return (f"Slurm time limit {value!r} is zero, which Slurm reads as no time limit; give the "
                "longest time one job may run, for example 01:00:00.")
    return None


def _time_fields(text: str) -> tuple[str, dict[str, int]] | None:
    """Return the form ``text`` matches and its fields in order as integers, or None when none matches."""
    for form, pattern in _TIME_PATTERNS.items():
        match = pattern.fullmatch(text)
        if match is not None:
            return form, {name: int(amount) for name, amount in match.groupdict().items()}
    return None


def _carried_time(parts: Mapping[str, int]) -> str:
    """Return the same duration in the same form, with each field after the first below its limit."""
    remaining = sum(amount * _TIME_UNIT_SECONDS[name] for name, amount in parts.items())
    text = ""
    for name in parts:
        amount, remaining = divmod(remaining, _TIME_UNIT_SECONDS[name])
        if not text:
            text = str(amount)
        else:
            separator = "-" if name == "hours" and "days" in parts else ":"
            text += f"{separator}{amount:02d}"
    return text


def _check_tunnel(tunnel: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(tunnel, Mapping):
        return {"tunnel.kind": (f"Slurm tunnel {tunnel!r} is not a mapping; write "
                                "{kind: ssh, host: ..., user: ..., job_dir: ...} or {kind: local}.")}
    unknown = sorted(set(tunnel) - _TUNNEL_KEYS)
    if unknown:
        errors["tunnel.kind"] = (f"Slurm tunnel has unknown key {unknown[0]!r}."
                                 f"{_suggest(unknown[0], _TUNNEL_KEYS)} Valid keys: {sorted(_TUNNEL_KEYS)}.")
    kind = tunnel.get("kind", "ssh")
    if kind not in TUNNEL_KINDS:
        errors["tunnel.kind"] = (f"Slurm tunnel kind {kind!r} is unknown; use 'ssh' to submit over SSH "
                                 "or 'local' when this notebook runs on the cluster's login node.")
        return errors
    job_dir = tunnel.get("job_dir")
    if kind == "ssh":
        host, user = tunnel.get("host"), tunnel.get("user")
        if _blank(host):
            errors["tunnel.host"] = "SSH host is empty; enter the cluster's login node, for example login.example.org."
        elif not isinstance(host, str) or "@" in host:
            errors["tunnel.host"] = (f"SSH host {host!r} contains a user name; put the user in the User "
                                     "field and only the host name here.")
        elif not _HOST.match(host.strip()):
            errors["tunnel.host"] = (f"SSH host {host!r} is not a host name or IP address; enter the "
                                     "login node, for example login.example.org.")
        message = _check_word("SSH user", user, required=True,
                              fix="enter your user name on the cluster, without '@'.")
        if message is None and "@" in user:
            message = f"SSH user {user!r} contains '@'; enter the user name only."
        if message:
            errors["tunnel.user"] = message
        if _blank(job_dir):
            errors["tunnel.job_dir"] = ("Slurm job directory is empty; enter an absolute directory on the "
                                        "cluster where NeMo Run writes job files, for example /scratch/<user>/nemo-run.")
    if not _blank(job_dir) and (not isinstance(job_dir, str) or not job_dir.strip().startswith("/")):
        errors["tunnel.job_dir"] = (f"Slurm job directory {job_dir!r} is not an absolute path; write it "
                                    "from the root, for example /scratch/<user>/nemo-run.")
    return errors


def _check_slurm(spec: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    checks = {
        "account": _check_word("Slurm account", spec.get("account"), required=True,
                               fix="enter the account the jobs are charged to (sacctmgr show associations lists yours)."),
        "partition": _check_word("Slurm partition", spec.get("partition"), required=False,
                                 fix="enter one partition name (sinfo lists them), or leave it empty for the cluster's default."),
        "time": check_time_limit(spec.get("time")),
        "nodes": _check_count("Slurm nodes", spec.get("nodes"), 1, "enter a whole number of at least 1."),
        "container_image": _check_word("Container image", spec.get("container_image"), required=False,
                                       fix="enter one image reference such as nvcr.io/nvidia/pytorch:24.05-py3, or leave it empty."),
    }
    gpus = spec.get("gpus_per_node")
    if gpus is not None:
        checks["gpus_per_node"] = _check_count("GPUs per node", gpus, 0, "enter a whole number of at least 0.")
    errors.update({key: message for key, message in checks.items() if message})
    errors.update(_check_tunnel(spec.get("tunnel")))
    return errors


def _with_defaults(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Fill the Slurm settings a hand-written section may leave out (time, nodes, GPUs, tunnel)."""
    if spec.get("kind") != "slurm":
        return dict(spec)
    defaults = {key: value for key, value in default_executor_spec("slurm").items()
                if key in ("time", "nodes", "gpus_per_node", "partition", "container_image")}
    # Without a tunnel, NeMo Run's SlurmExecutor submits through a LocalTunnel.
    return {**defaults, "tunnel": {"kind": "local"}, **spec}


def check_executor_spec(spec: Any) -> dict[str, str]:
    """Return a message for each invalid setting of ``spec``, keyed by setting; empty when valid.

    Left-out Slurm settings take the defaults of :func:`default_executor_spec`,
    except the tunnel, which defaults to ``{kind: local}``.
    """
    if not isinstance(spec, Mapping):
        return {"kind": (f"Executor settings {spec!r} are not a mapping; write for example "
                         "{kind: local, workers: 4}.")}
    kind = spec.get("kind", "local")
    if kind not in EXECUTOR_KINDS:
        return {"kind": _kind_message(kind)}
    spec = _with_defaults(spec)
    errors: dict[str, str] = {}
    unknown = sorted(set(spec) - _KEYS[kind])
    if unknown:
        errors["kind"] = (f"Executor settings of kind {kind!r} have unknown key {unknown[0]!r}."
                          f"{_suggest(unknown[0], _KEYS[kind])} Valid keys: {sorted(_KEYS[kind])}.")
    workers = spec.get("workers")
    if workers is not None:
        message = _check_count("Workers", workers, 1,
                               "enter the number of parallel shards, a whole number of at least 1.")
        if message:
            errors["workers"] = message
    if kind == "slurm":
        errors.update(_check_slurm(spec))
    elif kind == "other":
        try:
            _build_call(parse_executor_source(spec.get("source")), top=True)
        except ExecutorSpecError as error:
            errors["source"] = str(error)
    return errors


# -- the free-form source ----------------------------------------------------------------


def _suggest(value: str, options: Any) -> str:
    close = difflib.get_close_matches(value, list(options), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _source_error(message: str) -> ExecutorSpecError:
    return ExecutorSpecError("source", f"Executor source: {message}")


def _dotted_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _call_from_ast(node: ast.AST, *, top: bool) -> ExecutorCall:
    """Convert a parsed call to an ExecutorCall, checking that it names a NeMo Run class first."""
    path = _dotted_name(node)
    if path is not None:
        _resolve_class(path, top=top)
        return ExecutorCall(path, {})
    if not isinstance(node, ast.Call):
        raise _source_error(f"{ast.unparse(node)!r} is not a call of an executor class; write "
                            f"for example {_EXAMPLE_SOURCE}.")
    path = _dotted_name(node.func)
    if path is None:
        raise _source_error(f"{ast.unparse(node.func)!r} is not a class name; call a class by its "
                            "dotted name, for example nemo_run.DockerExecutor(...).")
    _resolve_class(path, top=top)
    if node.args:
        raise _source_error(f"{path}(...) has positional arguments; pass every argument by keyword, "
                            "for example container_image='python:3.11'.")
    kwargs: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            raise _source_error(f"{path}(...) unpacks **{ast.unparse(keyword.value)}; write each "
                                "argument as keyword=value.")
        value = keyword.value
        if isinstance(value, ast.Call):
            kwargs[keyword.arg] = _call_from_ast(value, top=False)
            continue
        try:
            kwargs[keyword.arg] = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise _source_error(
                f"argument {keyword.arg}={ast.unparse(value)} is neither a literal nor a nemo_run "
                "object; use numbers, strings, lists, dicts, True, False, None or nested calls "
                "such as nemo_run.SSHTunnel(...)."
            ) from None
    return ExecutorCall(path, kwargs)


def _check_plain(path: str, value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _source_error(f"{path}={value!r} is not a finite number; use a finite value.")
        return value
    if isinstance(value, list):
        return [_check_plain(f"{path}[{i}]", v) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise _source_error(f"{path} has the key {key!r}; use string keys.")
        return {key: _check_plain(f"{path}.{key}", v) for key, v in value.items()}
    raise _source_error(f"{path}={value!r} has type {type(value).__name__}; use plain YAML values.")


def _parse_yaml_source(text: str, python_error: SyntaxError | None) -> ExecutorCall:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        python = f"Python: {python_error.msg} on line {python_error.lineno}; " if python_error else ""
        raise _source_error(
            f"the text is neither a Python expression nor YAML ({python}YAML: "
            f"{str(error).splitlines()[0]}). Write {_EXAMPLE_SOURCE} or 'key: value' lines "
            "starting with 'executor: nemo_run.DockerExecutor'."
        ) from None
    if not isinstance(data, Mapping):
        raise _source_error(f"{text.strip()[:60]!r} is not a call or 'key: value' lines; write "
                            f"{_EXAMPLE_SOURCE}.")
    if EXECUTOR_KEY not in data:
        raise _source_error("the YAML has no 'executor' key; add a line such as "
                            "'executor: nemo_run.DockerExecutor' that names the NeMo Run class.")
    path = data[EXECUTOR_KEY]
    if not isinstance(path, str) or not path.strip():
        raise _source_error(f"executor: {path!r} is not a class name; write for example "
                            "'executor: nemo_run.DockerExecutor'.")
    _resolve_class(path.strip(), top=True)
    kwargs = {}
    for key, value in data.items():
        if key == EXECUTOR_KEY:
            continue
        if not isinstance(key, str) or not key.isidentifier():
            raise _source_error(f"key {key!r} is not an argument name; use letters, digits and underscores.")
        kwargs[key] = _check_plain(key, value)
    return ExecutorCall(path.strip(), kwargs)


def parse_executor_source(text: Any) -> ExecutorCall:
    """Parse free-form executor text: a Python call expression, or YAML with an ``executor`` key.

    Every class name is checked first, by attribute lookup in ``nemo_run`` (see
    :func:`_resolve_class`). Then each argument must be a literal, which
    ``ast.literal_eval`` reads, or a nested call of a NeMo Run class. Nothing in
    the text is executed or imported. :func:`executor_from_spec` checks the
    argument names and constructs the objects.
    """
    if not isinstance(text, str) or not text.strip():
        raise _source_error(f"the text is empty; write a call such as {_EXAMPLE_SOURCE}, or "
                            "'key: value' lines starting with 'executor: nemo_run.DockerExecutor'.")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        return _parse_yaml_source(text, error)
    if isinstance(tree.body, (ast.Call, ast.Name, ast.Attribute)):
        return _call_from_ast(tree.body, top=True)
    return _parse_yaml_source(text, None)  # for example a YAML flow mapping {executor: ...}


# -- building ------------------------------------------------------------------------------


def _nemo_run_executors() -> list[str]:
    import nemo_run as run

    return sorted(name for name in dir(run)
                  if isinstance(getattr(run, name), type) and issubclass(getattr(run, name), run.Executor)
                  and name != "Executor")


def _in_nemo_run(name: str) -> bool:
    return name == "nemo_run" or name.startswith("nemo_run.")


def _resolve_class(path: str, *, top: bool) -> type:
    """Look up the class a dotted path names in the ``nemo_run`` package.

    ``nemo_run.X``, ``run.X`` and a bare ``X`` name ``nemo_run.X``. A longer path
    such as ``nemo_run.core.execution.docker.DockerExecutor`` walks the submodules
    that ``nemo_run`` has already imported. The lookup is ``getattr`` only, so the
    only import is ``nemo_run`` itself, and a path that leaves ``nemo_run`` is
    rejected before any of its names is looked up. ``top`` is True for the
    executor, which must subclass ``nemo_run.Executor``, and False for an
    argument's class, which must be a NeMo Run dataclass such as ``SSHTunnel``.
    """
    import nemo_run as run

    expected_kind = "executor class" if top else "class"
    fix = ("name a subclass of nemo_run.Executor such as nemo_run.DockerExecutor."
           if top else "arguments may construct only NeMo Run dataclasses such as nemo_run.SSHTunnel(...).")
    parts = path.split(".")
    if parts[0] in ("nemo_run", "run") and len(parts) > 1:
        parts = parts[1:]
    elif len(parts) > 1:
        raise _source_error(f"{path!r} is not a NeMo Run {expected_kind}: it is outside the nemo_run package; {fix}")
    if not all(part.isidentifier() for part in parts):
        raise _source_error(f"{path!r} is not a dotted class name; {fix}")
    if any(part.startswith("_") for part in parts):
        raise _source_error(f"{path!r} is not a NeMo Run {expected_kind}: it names a private attribute; {fix}")
    obj: Any = run
    for part in parts:
        if not (isinstance(obj, types.ModuleType) and _in_nemo_run(obj.__name__)):
            obj = None
            break
        obj = getattr(obj, part, None)
    if obj is None:
        known = _nemo_run_executors()
        close = difflib.get_close_matches(parts[-1], known, n=1)
        hint = f" Did you mean 'nemo_run.{close[0]}'?" if close else ""
        raise _source_error(f"class {path!r} was not found in nemo_run.{hint} NeMo Run's executors: "
                            f"{', '.join(known)}.")
    if not isinstance(obj, type) or not _in_nemo_run(obj.__module__):
        raise _source_error(f"{path!r} is not a NeMo Run {expected_kind}; {fix}")
    if top and not issubclass(obj, run.Executor):
        raise _source_error(f"{path!r} is not a NeMo Run executor class; {fix}")
    if not top and (issubclass(obj, run.Executor) or not dataclasses.is_dataclass(obj)):
        raise _source_error(f"{path!r} cannot be an argument; {fix}")
    return obj


def _check_arguments(cls: type, path: str, kwargs: Mapping[str, Any]) -> None:
    if not dataclasses.is_dataclass(cls):
        return
    init = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(kwargs) - init)
    if unknown:
        raise _source_error(f"{path} has no argument {unknown[0]!r}.{_suggest(unknown[0], init)} "
                            f"Its arguments: {', '.join(sorted(init))}.")
    missing = [f.name for f in dataclasses.fields(cls)
               if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
               and f.name not in kwargs]
    if missing:
        raise _source_error(f"{path} needs the argument(s) {', '.join(missing)}; add "
                            f"{missing[0]}=... to the call.")


def _build_call(call: ExecutorCall, *, top: bool) -> Any:
    cls = _resolve_class(call.path, top=top)
    _check_arguments(cls, call.path, call.kwargs)
    kwargs = {key: _build_call(value, top=False) if isinstance(value, ExecutorCall) else value
              for key, value in call.kwargs.items()}
    try:
        return cls(**kwargs)
    except Exception as error:  # noqa: BLE001 - any constructor error is the user's input to fix
        raise _source_error(f"{call.path}(...) raised {type(error).__name__}: {error}. "
                            "Fix the arguments.") from error


def _slurm_call(spec: Mapping[str, Any]) -> ExecutorCall:
    spec = _with_defaults(spec)
    tunnel = spec["tunnel"]
    job_dir = (tunnel.get("job_dir") or "").strip()
    if tunnel.get("kind", "ssh") == "ssh":
        tunnel_call = ExecutorCall("nemo_run.SSHTunnel", {
            "host": tunnel["host"].strip(), "user": tunnel["user"].strip(), "job_dir": job_dir})
    else:
        tunnel_call = ExecutorCall("nemo_run.LocalTunnel", {"job_dir": job_dir})
    kwargs: dict[str, Any] = {"account": spec["account"].strip()}
    if not _blank(spec.get("partition")):
        kwargs["partition"] = spec["partition"].strip()
    kwargs["time"] = spec.get("time").strip()
    kwargs["nodes"] = spec.get("nodes")
    if spec.get("gpus_per_node"):
        kwargs["gpus_per_node"] = spec["gpus_per_node"]
    if not _blank(spec.get("container_image")):
        kwargs["container_image"] = spec["container_image"].strip()
    kwargs["tunnel"] = tunnel_call
    return ExecutorCall("nemo_run.SlurmExecutor", kwargs)


def _executor_call(spec: Mapping[str, Any]) -> ExecutorCall | None:
    kind = spec.get("kind", "local")
    if kind == "slurm":
        return _slurm_call(spec)
    if kind == "other":
        return parse_executor_source(spec.get("source"))
    return None


def _raise_first(errors: Mapping[str, str]) -> None:
    if errors:
        field_name, message = next(iter(errors.items()))
        raise ExecutorSpecError(field_name, message)


def executor_from_spec(spec: Mapping[str, Any]) -> ExecutorChoice:
    """Build the NeMo Run executor that ``spec`` describes; raise ExecutorSpecError if invalid.

    The local kind returns ``ExecutorChoice(None, workers)``. Nothing connects to a
    cluster here: ``SSHTunnel`` opens its connection when an experiment runs.
    """
    _raise_first(check_executor_spec(spec))
    call = _executor_call(spec)
    executor = _build_call(call, top=True) if call is not None else None
    return ExecutorChoice(executor, spec.get("workers"))


# -- code ------------------------------------------------------------------------------------


def _class_reference(cls: type, imports: list[str]) -> str:
    import nemo_run as run

    if getattr(run, cls.__name__, None) is cls:
        line, reference = "import nemo_run as run", f"run.{cls.__name__}"
    else:
        line, reference = f"import {cls.__module__}", f"{cls.__module__}.{cls.__qualname__}"
    if line not in imports:
        imports.append(line)
    return reference


def _render_call(call: ExecutorCall, imports: list[str], *, indent: str | None) -> str:
    reference = _class_reference(_resolve_class(call.path, top=indent is not None), imports)
    arguments = [f"{key}={_render_call(value, imports, indent=None) if isinstance(value, ExecutorCall) else repr(value)}"
                 for key, value in call.kwargs.items()]
    if indent is None or not arguments:
        return f"{reference}({', '.join(arguments)})"
    inner = "".join(f"{indent}    {argument},\n" for argument in arguments)
    return f"{reference}(\n{inner}{indent})"


def executor_source(spec: Mapping[str, Any]) -> tuple[list[str], str]:
    """Return the import lines and the statement that assigns the executor to ``executor``.

    Both are empty for the local kind. Raises ExecutorSpecError when ``spec`` is invalid.
    """
    _raise_first(check_executor_spec(spec))
    call = _executor_call(spec)
    if call is None:
        return [], ""
    imports: list[str] = []
    return imports, f"executor = {_render_call(call, imports, indent='')}\n"


# -- YAML files ------------------------------------------------------------------------------


def read_executor_spec(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Return the ``executor`` section of a study YAML file, or None when it has none."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise StudyError(f"Study file {str(path)!r} cannot be read: {error}") from error
    except yaml.YAMLError as error:
        raise StudyError(f"{path}: invalid YAML: {error}") from error
    if not isinstance(data, Mapping) or data.get(EXECUTOR_KEY) is None:
        return None
    return data[EXECUTOR_KEY]


def load_executor(path: str | os.PathLike[str]) -> ExecutorChoice | None:
    """Build the executor of a study YAML file's ``executor`` section; None when it has none."""
    spec = read_executor_spec(path)
    if spec is None:
        return None
    try:
        return executor_from_spec(spec)
    except ExecutorSpecError as error:
        raise ExecutorSpecError(error.field, f"{path}: {error}") from None
