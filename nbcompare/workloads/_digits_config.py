"""Configuration of the digits workload: architectures, defaults and their validation.

This module imports neither torch nor scikit-learn, so a study builder can check a
digits configuration where torch is not installed. :mod:`nbcompare.workloads.digits`
re-exports these names and trains the models.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Mapping

__all__ = ["ARCHITECTURES", "DEFAULTS", "check_config"]

ARCHITECTURES = ("mlp", "resnet", "vit")
"""Values accepted for ``config["architecture"]``."""

IMAGE_SIDE = 8

ALWAYS_ALLOWED_KEYS = ("architecture", "task", "test_size")
"""Config keys accepted for every architecture besides its hyperparameters."""

DEFAULT_TEST_SIZE = 0.2

TRAINING_KEYS = ("epochs", "lr", "batch_size", "weight_decay")
"""Hyperparameters of the optimisation. Every other key in :data:`DEFAULTS` shapes the model."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "mlp": {
        "epochs": 30,
        "lr": 3e-3,
        "batch_size": 64,
        "weight_decay": 1e-4,
        "hidden_size": 128,
        "hidden_layers": 2,
        "dropout": 0.1,
    },
    "resnet": {
        "epochs": 15,
        "lr": 3e-3,
        "batch_size": 64,
        "weight_decay": 1e-4,
        "channels": 16,
        "blocks": 2,
    },
    "vit": {
        "epochs": 40,
        "lr": 3e-3,
        "batch_size": 64,
        "weight_decay": 0.05,
        "patch_size": 2,
        "dim": 32,
        "depth": 1,
        "heads": 4,
        "mlp_ratio": 2,
        "dropout": 0.0,
    },
}
"""Default hyperparameters per architecture; ``config`` overrides any of them.

Shared by all architectures:

``epochs``
    Passes over the training split.
``lr``
    Peak learning rate of AdamW. It decays to 0 along a cosine over all steps.
``batch_size``
    Training minibatch size. The last minibatch of an epoch may be smaller.
``weight_decay``
    Decoupled weight decay of AdamW.

``mlp``: ``hidden_size`` units in each of ``hidden_layers`` ReLU layers, with
dropout probability ``dropout`` after each.

``resnet``: a 3x3 convolution stem with ``channels`` output channels, then
``blocks`` residual blocks of two 3x3 convolutions with batch norm, all at 8x8,
then global average pooling and a linear head.

``vit``: non-overlapping ``patch_size`` x ``patch_size`` patches (it must divide
8), each embedded linearly in ``dim`` dimensions, plus a class token and a learned
position embedding. Then come ``depth`` pre-norm encoder layers, each with
``heads`` attention heads (``dim`` must be divisible by ``heads``) and an MLP of
``mlp_ratio * dim`` hidden units. Attention and MLP use dropout probability
``dropout``. A linear head reads the class token.
"""

# The kind of value each hyperparameter accepts, checked by _validate_hyperparameters.
_POSITIVE_INT = "a positive integer"
_POSITIVE_FLOAT = "a positive number"
_NON_NEGATIVE_FLOAT = "a non-negative number"
_PROBABILITY = "a number in [0, 1)"
_HYPERPARAMETER_KINDS = {
    "epochs": _POSITIVE_INT,
    "lr": _POSITIVE_FLOAT,
    "batch_size": _POSITIVE_INT,
    "weight_decay": _NON_NEGATIVE_FLOAT,
    "hidden_size": _POSITIVE_INT,
    "hidden_layers": _POSITIVE_INT,
    "dropout": _PROBABILITY,
    "channels": _POSITIVE_INT,
    "blocks": _POSITIVE_INT,
    "patch_size": _POSITIVE_INT,
    "dim": _POSITIVE_INT,
    "depth": _POSITIVE_INT,
    "heads": _POSITIVE_INT,
    "mlp_ratio": _POSITIVE_INT,
}


def _model_keys(architecture: str) -> list[str]:
    return [key for key in DEFAULTS[architecture] if key not in TRAINING_KEYS]


# ----------------------------------------------------------------- configuration


def _validate_architecture(architecture: Any) -> None:
    if architecture not in ARCHITECTURES:
        raise ValueError(
            f"architecture must be one of {list(ARCHITECTURES)}, got {architecture!r}."
        )


def _validate_seed(seed: Any) -> None:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(
            f"seed must be an integer in [0, 2**32 - 1], got {seed!r}. "
            "Pass a non-negative integer seed."
        )


def _validate_test_size(test_size: Any) -> None:
    valid = (
        isinstance(test_size, numbers.Real)
        and not isinstance(test_size, bool)
        and 0.0 < float(test_size) < 1.0
    )
    if not valid:
        raise ValueError(
            f"test_size must be a fraction strictly between 0 and 1, got {test_size!r}. "
            f"Use for example {DEFAULT_TEST_SIZE}."
        )


def _validate_hyperparameters(architecture: str, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        kind = _HYPERPARAMETER_KINDS[key]
        if not _has_kind(value, kind):
            raise ValueError(
                f"hyperparameter {key!r} of architecture {architecture!r} must be {kind}, "
                f"got {value!r}. The default is {DEFAULTS[architecture][key]!r}."
            )
    if architecture == "vit":
        _validate_vit_shape(values)


def _has_kind(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return False
    if kind == _POSITIVE_INT:
        return isinstance(value, numbers.Integral) and value > 0
    if not isinstance(value, numbers.Real) or not math.isfinite(value):
        return False
    if kind == _POSITIVE_FLOAT:
        return value > 0
    if kind == _NON_NEGATIVE_FLOAT:
        return value >= 0
    return 0 <= value < 1


def _validate_vit_shape(values: Mapping[str, Any]) -> None:
    patch_size = values["patch_size"]
    if IMAGE_SIDE % patch_size != 0:
        raise ValueError(
            f"patch_size must divide the image side {IMAGE_SIDE}, got {patch_size!r}. "
            "Use 1, 2, 4 or 8."
        )
    if values["dim"] % values["heads"] != 0:
        raise ValueError(
            f"dim ({values['dim']}) must be divisible by heads ({values['heads']}) "
            "because each attention head gets dim / heads dimensions."
        )


def _resolve_config(config: Mapping[str, Any]) -> tuple[str, float, dict[str, Any]]:
    """Split ``config`` into architecture, test size and the full set of hyperparameters."""
    if not isinstance(config, Mapping):
        raise ValueError(
            f"config must be a mapping, got {type(config).__name__}. "
            "Pass a dict such as {'architecture': 'mlp'}."
        )
    if "architecture" not in config:
        raise ValueError(
            f"config is missing the key 'architecture'. Set it to one of {list(ARCHITECTURES)}."
        )
    architecture = config["architecture"]
    _validate_architecture(architecture)

    defaults = DEFAULTS[architecture]
    for key in config:
        if key not in defaults and key not in ALWAYS_ALLOWED_KEYS:
            valid = sorted([*ALWAYS_ALLOWED_KEYS, *defaults])
            raise ValueError(
                f"unknown config key {key!r} for architecture {architecture!r}. "
                f"Valid keys are {valid}."
            )

    test_size = config.get("test_size", DEFAULT_TEST_SIZE)
    _validate_test_size(test_size)
    hyperparameters = {key: config.get(key, default) for key, default in defaults.items()}
    _validate_hyperparameters(architecture, hyperparameters)
    return architecture, float(test_size), hyperparameters


def check_config(config: Mapping[str, Any]) -> None:
    """Raise ValueError if :func:`nbcompare.workloads.digits.train` would reject ``config``.

    The launcher calls this for every candidate before any trial starts, so a
    misspelled hyperparameter fails at once instead of in every trial. The study
    builder calls it each time a candidate row changes.
    """
    _resolve_config(config)
