"""A trial: one (candidate, task, seed) with its resolved configuration and stable id."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping

__all__ = ["Trial", "canonical_json"]


def canonical_json(value: Any) -> str:
    """Serialise ``value`` with sorted keys and no whitespace, so equal values hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


@dataclass(frozen=True)
class Trial:
    """One unit of work: train and evaluate ``candidate`` on ``task`` with ``seed``.

    The id is the first 16 hex digits of the SHA-256 of the trial's canonical JSON
    (candidate name, trial function, configuration, task and seed), so re-running a
    study finds the records of unchanged trials, and changing any hyperparameter
    makes a new trial. The study's name is not part of the id.
    """

    candidate: str
    task: str
    seed: int
    function: str
    config: Mapping[str, Any]

    def identity(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "task": self.task,
            "seed": self.seed,
            "function": self.function,
            "config": dict(self.config),
        }

    @property
    def trial_id(self) -> str:
        digest = hashlib.sha256(canonical_json(self.identity()).encode("utf-8")).hexdigest()
        return digest[:16]

    def to_dict(self) -> dict[str, Any]:
        return {"trial_id": self.trial_id, **self.identity()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Trial":
        trial = cls(
            candidate=data["candidate"],
            task=data["task"],
            seed=int(data["seed"]),
            function=data["function"],
            config=dict(data["config"]),
        )
        if "trial_id" in data and data["trial_id"] != trial.trial_id:
            raise ValueError(
                f"Trial id {data['trial_id']!r} does not match its content "
                f"(recomputed {trial.trial_id!r}); the plan file was edited by hand."
            )
        return trial
