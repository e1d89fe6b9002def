"""The object a trial function receives to report timings, its model and its history."""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

__all__ = ["TrialContext", "count_parameters"]


def count_parameters(model: Any) -> int:
    """Count the trainable scalars of a PyTorch module or a fitted scikit-learn estimator.

    A torch module counts ``p.numel()`` over ``parameters()``. A scikit-learn
    estimator counts the entries of its fitted arrays ``coef_``, ``intercept_``,
    ``coefs_`` and ``intercepts_`` (linear models and ``MLPClassifier``).
    """
    parameters = getattr(model, "parameters", None)
    if callable(parameters):
        return int(sum(p.numel() for p in parameters()))

    total = 0
    found = False
    for name in ("coef_", "intercept_", "coefs_", "intercepts_"):
        value = getattr(model, name, None)
        if value is None:
            continue
        found = True
        arrays = value if isinstance(value, (list, tuple)) else [value]
        total += sum(int(getattr(a, "size", 1)) for a in arrays)
    if not found:
        raise TypeError(
            f"count_parameters() cannot count parameters of {type(model).__name__!r}: "
            "pass a torch.nn.Module or a fitted scikit-learn linear model or MLP, "
            "or report the count yourself with context.set_parameters(n)."
        )
    return total


@dataclass
class TrialContext:
    """Timing, model and history hooks that a trial function receives besides its config and seed.

    The trial function wraps its training and its inference in :meth:`phase` so the
    toolkit, not the function, measures their duration; it passes its model to
    :meth:`set_model` so the toolkit counts parameters; and it may call :meth:`log`
    once per epoch to record a learning curve.

    Attributes
    ----------
    trial_id : str
        Stable id of the trial (a hash of its canonical configuration).
    seed : int
        The trial's seed. Python's ``random``, NumPy's global state and torch (when
        imported) are already seeded with it when the function starts.
    workdir : pathlib.Path
        A directory that belongs to this trial, for checkpoints and artifacts.
    device : str
        ``"cuda"`` when a GPU is visible to the trial, otherwise ``"cpu"``.
    """

    trial_id: str
    seed: int
    workdir: Path
    device: str = "cpu"
    phase_seconds: dict[str, float] = field(default_factory=dict)
    phase_samples: dict[str, int] = field(default_factory=dict)
    parameters: int | None = None
    history: list[dict[str, float]] = field(default_factory=list)

    @contextlib.contextmanager
    def phase(self, name: str, *, samples: int | None = None) -> Iterator[None]:
        """Time the enclosed block as phase ``name`` (``"train"`` or ``"inference"``).

        Time spent in repeated blocks of the same phase adds up. ``samples`` is the
        number of examples processed in the block; for ``"inference"`` it turns the
        total into ``inference_time_per_sample_s``.
        """
        if samples is not None and (not isinstance(samples, int) or samples <= 0):
            raise ValueError(f"samples must be a positive integer, got {samples!r}.")
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.phase_seconds[name] = self.phase_seconds.get(name, 0.0) + elapsed
            if samples is not None:
                self.phase_samples[name] = self.phase_samples.get(name, 0) + samples

    def set_model(self, model: Any) -> None:
        """Record the parameter count of ``model`` (see :func:`count_parameters`)."""
        self.parameters = count_parameters(model)

    def set_parameters(self, n: int) -> None:
        """Record a parameter count for a model :func:`count_parameters` cannot read."""
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}.")
        self.parameters = n

    def log(self, step: int, **values: float) -> None:
        """Record per-step values (for example one call per epoch: loss, validation accuracy)."""
        row: dict[str, float] = {"step": int(step)}
        for key, value in values.items():
            value = float(value)
            if not math.isfinite(value):
                value = float("nan")
            row[key] = value
        self.history.append(row)

    def measurements(self) -> dict[str, float]:
        """Return the measured quantities that the toolkit stores beside the metrics."""
        result: dict[str, float] = {}
        if "train" in self.phase_seconds:
            result["train_time_s"] = self.phase_seconds["train"]
        if "inference" in self.phase_seconds:
            result["inference_time_s"] = self.phase_seconds["inference"]
            samples = self.phase_samples.get("inference")
            if samples:
                result["inference_time_per_sample_s"] = self.phase_seconds["inference"] / samples
        for name, seconds in self.phase_seconds.items():
            if name not in ("train", "inference"):
                result[f"{name}_time_s"] = seconds
        if self.parameters is not None:
            result["parameters"] = float(self.parameters)
        return result
