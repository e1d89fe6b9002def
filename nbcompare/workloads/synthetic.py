"""A workload that trains nothing: it draws a score from a known distribution.

It exists to test and benchmark the launcher and the statistics, where the true
difference between candidates must be known and a trial must cost almost nothing.
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from nbcompare.launch._context import TrialContext

__all__ = ["train", "check_config", "DEFAULTS"]

DEFAULTS: dict[str, Any] = {"mean": 0.0, "sd": 1.0, "duration_s": 0.0}


def check_config(config: Mapping[str, Any]) -> None:
    """Raise ValueError for a hyperparameter :func:`train` does not know."""
    unknown = set(config) - set(DEFAULTS) - {"task"}
    if unknown:
        raise ValueError(
            f"Unknown synthetic hyperparameter(s) {sorted(unknown)}; valid: {sorted(DEFAULTS)}."
        )


def train(config: Mapping[str, Any], seed: int, context: TrialContext) -> dict[str, float]:
    """Return ``score ~ Normal(mean, sd)`` and ``loss = -score`` for one seed.

    Parameters (in ``config``): ``mean`` and ``sd`` of the score, and
    ``duration_s``, the time to sleep inside the ``"train"`` phase.
    """
    check_config(config)
    params = {**DEFAULTS, **config}
    rng = np.random.default_rng(seed)

    with context.phase("train"):
        if params["duration_s"] > 0:
            time.sleep(float(params["duration_s"]))
        score = float(rng.normal(params["mean"], params["sd"]))
    with context.phase("inference", samples=1):
        loss = -score
    context.set_parameters(0)
    return {"score": score, "loss": loss}
