"""Built-in trial functions and the registry that lets a study name them.

A workload is an importable trial function ``fn(config, seed, context) -> dict`` plus
what the toolkit needs to validate a study before launching it: the metrics the
function returns (with their directions) and the tasks it accepts. Registering the metadata here keeps ``import nbcompare`` free of
torch: the function's module is imported only inside the trial process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

__all__ = ["Workload", "register_workload", "get_workload", "available_workloads"]


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
    """

    name: str
    function: str
    metrics: Mapping[str, bool]
    tasks: tuple[str, ...] = ()
    description: str = ""


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
