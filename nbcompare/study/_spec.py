"""Metrics, candidates and tasks: the nouns a study is built from."""

from __future__ import annotations

import importlib
import inspect
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from nbcompare.exceptions import StudyError, TrialFunctionError

__all__ = ["Metric", "Candidate", "Task", "MEASURED_METRICS", "function_path"]

# Study, task and metric names: the study name names the results directory.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-+ ]*")
_NAME_CHARACTER = re.compile(r"[A-Za-z0-9_.\-+ ]")
_MAX_DISPLAY_NAME = 200

# Quantities the toolkit measures for every trial, whatever the workload; lower is better.
MEASURED_METRICS: dict[str, bool] = {
    "train_time_s": False,
    "inference_time_s": False,
    "inference_time_per_sample_s": False,
    "wall_time_s": False,
    "peak_memory_mb": False,
    "parameters": False,
}


def _check_name(field_name: str, value: Any, owner: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise StudyError(f"{owner}.{field_name} must be a non-empty string, got {value!r}.")
    if not _NAME.fullmatch(value):
        invalid = sorted({c for c in value if not _NAME_CHARACTER.fullmatch(c)})
        if invalid:
            raise StudyError(
                f"{owner}.{field_name}={value!r} contains {invalid}, which cannot appear in file "
                "names; use letters, digits, spaces and _ . - + only."
            )
        raise StudyError(
            f"{owner}.{field_name}={value!r} starts with {value[0]!r}; start it with a letter or digit."
        )
    return value


def _check_display_name(value: Any, owner: str) -> str:
    """Return ``value`` if it is a printable name of at most ``_MAX_DISPLAY_NAME`` characters.

    Candidate names never become file names (trial ids are hashes), so any printable
    text is allowed; tables, figures and the report escape it.
    """
    if not isinstance(value, str) or not value.strip():
        raise StudyError(f"{owner}.name must be a non-empty string, got {value!r}.")
    if len(value) > _MAX_DISPLAY_NAME:
        raise StudyError(
            f"{owner}.name has {len(value)} characters ({value[:40]!r}...); use at most "
            f"{_MAX_DISPLAY_NAME} characters."
        )
    control = sorted({c for c in value if not c.isprintable()})
    if control:
        raise StudyError(
            f"{owner}.name={value!r} contains control or non-printable characters {control}; "
            "remove them (tabs and newlines included)."
        )
    return value


def _check_json_value(path: str, value: Any) -> Any:
    """Return ``value`` if it survives a JSON round trip unchanged; raise otherwise."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StudyError(f"{path}={value!r} is not a finite number; use a finite value.")
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_check_json_value(f"{path}[{i}]", v) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for key, v in value.items():
            if not isinstance(key, str):
                raise StudyError(f"{path} has a non-string key {key!r}; use string keys.")
            out[key] = _check_json_value(f"{path}.{key}", v)
        return out
    raise StudyError(
        f"{path}={value!r} has type {type(value).__name__}, which cannot be written to a "
        "record; use numbers, strings, booleans, lists or dicts."
    )


@dataclass(frozen=True)
class Metric:
    """A quantity to compare, with the direction that counts as better.

    Parameters
    ----------
    name : str
        The key the trial function returns (or a measured quantity such as
        ``"train_time_s"``).
    higher_is_better : bool, optional
        ``True`` for accuracy-like metrics, ``False`` for losses, errors and costs.
        When omitted it is taken from the workload's declaration, and a metric no
        declaration covers is an error.
    """

    name: str
    higher_is_better: bool | None = None

    def __post_init__(self) -> None:
        _check_name("name", self.name, "Metric")
        if self.higher_is_better is not None and not isinstance(self.higher_is_better, bool):
            raise StudyError(
                f"Metric({self.name!r}).higher_is_better must be True or False, "
                f"got {self.higher_is_better!r}."
            )

    @property
    def direction(self) -> str:
        """``"higher is better"`` or ``"lower is better"``."""
        return "higher is better" if self.higher_is_better else "lower is better"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "higher_is_better": self.higher_is_better}


def function_path(function: Callable[..., Any] | str) -> str:
    """Return ``"module:qualname"`` for a trial function that worker processes can import.

    A function defined in a notebook cell or in a script run as ``__main__`` cannot
    be imported by a separate process, so it is rejected with instructions.
    """
    if isinstance(function, str):
        module, _, attr = function.partition(":")
        if not module or not attr:
            raise TrialFunctionError(
                f"Trial function path {function!r} must look like 'package.module:function'."
            )
        return function

    if not callable(function):
        raise TrialFunctionError(f"workload must be a name, a path or a function, got {function!r}.")
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", getattr(function, "__name__", repr(function)))
    if module in (None, "__main__", "builtins") or "<locals>" in qualname or "<lambda>" in qualname:
        raise TrialFunctionError(
            f"The trial function {qualname!r} is defined in {module or 'an unknown module'} "
            "(a notebook cell, a script run directly, or inside another function), so trial "
            "processes cannot import it. Move it to module level in a .py file (for example "
            f"trials.py), import it with `from trials import {getattr(function, '__name__', 'fn')}`, "
            "and keep that file in the directory you launch from (the local executor adds it "
            "to the trials' PYTHONPATH) or in a directory on PYTHONPATH."
        )
    path = f"{module}:{qualname}"
    check_signature(function, path)
    return path


def resolve_function(path: str) -> Callable[..., Any]:
    """Import and return the trial function named by ``"module:qualname"``."""
    module_name, _, qualname = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TrialFunctionError(
            f"Cannot import module {module_name!r} of trial function {path!r}: {exc}. "
            "Install the package, add its directory to PYTHONPATH, or launch from the "
            "directory that contains it (the local executor puts the working directory on the "
            "trials' PYTHONPATH)."
        ) from exc
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise TrialFunctionError(f"Module {module_name!r} has no attribute {qualname!r}.")
    if not callable(obj):
        raise TrialFunctionError(f"{path!r} is not callable.")
    return obj


def check_signature(function: Callable[..., Any], path: str) -> None:
    """Raise unless ``function`` can be called as ``function(config, seed, context)``."""
    try:
        inspect.signature(function).bind({}, 0, None)
    except TypeError:
        raise TrialFunctionError(
            f"Trial function {path!r} must accept (config, seed, context); its signature is "
            f"{inspect.signature(function)}."
        ) from None
    except ValueError:
        return


@dataclass(frozen=True)
class Candidate:
    """One model, training strategy or hyperparameter setting to compare.

    Parameters
    ----------
    name : str
        Short label used in tables and figures; unique within a study.
    workload : str or callable
        A registered workload name (``"digits"``), an import path
        (``"package.module:function"``) or an importable function.
    **params
        Hyperparameters and training configuration passed to the trial function as
        ``config`` (for the digits workload: ``architecture``, ``lr``, ``epochs`` ...).
    """

    name: str
    workload: str = "digits"
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, workload: str | Callable[..., Any] = "digits", /, **params: Any):
        object.__setattr__(self, "name", _check_display_name(name, "Candidate"))
        if callable(workload) and not isinstance(workload, str):
            workload = function_path(workload)
        if not isinstance(workload, str) or not workload:
            raise StudyError(
                f"Candidate({name!r}).workload must be a workload name or "
                f"'package.module:function', got {workload!r}."
            )
        object.__setattr__(self, "workload", workload)
        if "params" in params and len(params) == 1 and isinstance(params["params"], Mapping):
            params = dict(params["params"])
        clean = {k: _check_json_value(f"Candidate({name!r}).{k}", v) for k, v in params.items()}
        object.__setattr__(self, "params", dict(sorted(clean.items())))

    def __hash__(self) -> int:
        return hash((self.name, self.workload, tuple(self.params.items()).__repr__()))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "workload": self.workload, "params": dict(self.params)}

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Candidate({self.name!r}, workload={self.workload!r}{args})"


@dataclass(frozen=True)
class Task:
    """A dataset or problem every candidate is evaluated on.

    ``params`` are merged into each trial's ``config`` (a candidate's own value for
    the same key raises an error at validation).
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_name("name", self.name, "Task")
        clean = {k: _check_json_value(f"Task({self.name!r}).{k}", v) for k, v in self.params.items()}
        object.__setattr__(self, "params", dict(sorted(clean.items())))

    def __hash__(self) -> int:
        return hash((self.name, repr(tuple(self.params.items()))))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params)}
