"""Built-in trial functions and the registry that lets a study name them.

A workload is an importable trial function ``fn(config, seed, context) -> dict`` plus
what the toolkit needs to validate a study before launching it: the metrics the
function returns (with their directions) and the tasks it accepts. Registering the metadata here keeps ``import nbcompare`` free of
torch: the function's module is imported only inside the trial process.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = ["Workload", "register_workload", "get_workload", "available_workloads", "config_check"]


@dataclass(frozen=True)
class Workload:
    """A named trial function with its metric directions and tasks.

    Attributes
    ----------
    name : str
        The name studies use in ``Candidate(workload=...)``.
    function : str
        Import path of the trial function, ``"package.module:function"``.
    metrics : Mapping[str, bool]
        Each metric the function returns, mapped to ``True`` when higher is better.
    tasks : tuple of str
        Tasks (datasets) the function accepts as ``config["task"]``.
    description : str
        One line for ``--help`` and error messages.
    check : str
        Import path ``"package.module:function"`` of ``check(config)``, which raises
        ValueError for a ``config`` the trial function would reject. Give it when the
        trial function's module is slow to import (the digits check needs no torch).
        When empty, :func:`config_check` uses the ``check_config`` of the trial
        function's module, which is also the function the launcher calls.
    """

    name: str
    function: str
    metrics: Mapping[str, bool]
    tasks: tuple[str, ...] = ()
    description: str = ""
    check: str = ""


_REGISTRY: dict[str, Workload] = {}


def register_workload(workload: Workload, *, replace: bool = False) -> Workload:
    """Add ``workload`` to the registry so studies can name it."""
    if workload.name in _REGISTRY and not replace:
        raise ValueError(
            f"A workload named {workload.name!r} is already registered; "
            "pass replace=True to overwrite it."
        )
    if ":" not in workload.function:
        raise ValueError(
            f"Workload.function must look like 'package.module:function', got {workload.function!r}."
        )
    if workload.check and ":" not in workload.check:
        raise ValueError(
            f"Workload.check must look like 'package.module:function' or be empty, got {workload.check!r}."
        )
    _REGISTRY[workload.name] = workload
    return workload


def get_workload(name: str) -> Workload:
    """Return the registered workload called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ValueError(
            f"Unknown workload {name!r}. Registered workloads: {known}. "
            "Register your own with nbcompare.register_workload(Workload(...)) "
            "or pass an importable function as 'package.module:function'."
        ) from None


def available_workloads() -> tuple[str, ...]:
    """Return the names of the registered workloads."""
    return tuple(sorted(_REGISTRY))


def config_check(workload: Workload) -> Callable[[Mapping[str, Any]], None] | None:
    """Return the function that raises ValueError for a config ``workload`` rejects.

    That is :attr:`Workload.check` when set, else the ``check_config`` of the trial
    function's module. Returns None when the module has no ``check_config`` or
    cannot be imported here, because a remote executor may still import it.
    """
    path = workload.check or f"{workload.function.partition(':')[0]}:check_config"
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        if workload.check:
            raise
        return None
    check = getattr(module, attribute, None)
    if workload.check and not callable(check):
        raise ValueError(f"Workload.check={workload.check!r} of workload {workload.name!r} is not a function.")
    return check if callable(check) else None


# The directions duplicate nbcompare.workloads.digits.METRICS so that validating a
# study does not import torch; a test checks that the two agree.
register_workload(
    Workload(
        name="digits",
        function="nbcompare.workloads.digits:train",
        metrics={
            "accuracy": True,
            "precision_macro": True,
            "recall_macro": True,
            "f1_macro": True,
            "roc_auc_ovr": True,
            "ece": False,
        },
        tasks=("digits",),
        description="PyTorch MLP, residual CNN or vision transformer on scikit-learn's 8x8 digits",
        check="nbcompare.workloads._digits_config:check_config",
    )
)

register_workload(
    Workload(
        name="synthetic",
        function="nbcompare.workloads.synthetic:train",
        metrics={"score": True, "loss": False},
        tasks=("synthetic",),
        description="Draws scores from a normal distribution; no training, for tests and benchmarks",
    )
)
