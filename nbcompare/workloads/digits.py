"""Built-in workload: small PyTorch classifiers on scikit-learn's 8x8 digits.

The data set is ``sklearn.datasets.load_digits()``: 1797 grey-scale images of
8x8 pixels with integer intensities 0..16 and 10 balanced classes. It ships
inside scikit-learn, so nothing is downloaded. :func:`train` is a trial function
for the toolkit; it trains one of the architectures in :data:`ARCHITECTURES` and
returns the test-set metrics named in :data:`METRICS`.

This module needs PyTorch (``pip install "nbcompare[torch]"``).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Mapping

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from nbcompare.launch._context import TrialContext
from nbcompare.workloads._classification import classification_metrics
from nbcompare.workloads._digits_config import (
    _POSITIVE_INT,
    _HYPERPARAMETER_KINDS,
    ARCHITECTURES,
    DEFAULT_TEST_SIZE,
    DEFAULTS,
    IMAGE_SIDE,
    TRAINING_KEYS,
    _model_keys,
    _resolve_config,
    _validate_architecture,
    _validate_hyperparameters,
    _validate_seed,
    _validate_test_size,
    check_config,
)

try:
    import torch
    from torch import nn
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "nbcompare.workloads.digits needs PyTorch, which is not installed. "
        'Install it with: pip install "nbcompare[torch]" (a CPU build of torch suffices).'
    ) from error

__all__ = [
    "ARCHITECTURES",
    "DEFAULTS",
    "METRICS",
    "build_model",
    "check_config",
    "load_digits_split",
    "train",
]

METRICS: dict[str, bool] = {
    "accuracy": True,
    "precision_macro": True,
    "recall_macro": True,
    "f1_macro": True,
    "roc_auc_ovr": True,
    "ece": False,
}
"""Name of each metric that :func:`train` returns, mapped to whether a higher value is better."""

N_CLASSES = 10
PIXEL_MAX = 16.0
"""Largest pixel intensity in ``load_digits()``. Dividing by it scales pixels to [0, 1]."""

# --------------------------------------------------------------------------- data


@functools.lru_cache(maxsize=1)
def _load_scaled_digits() -> tuple[np.ndarray, np.ndarray]:
    """Load the digits as float32 images of shape (1797, 1, 8, 8) in [0, 1] and int64 labels."""
    bunch = load_digits()
    images = (bunch.images / PIXEL_MAX).astype(np.float32)[:, np.newaxis, :, :]
    labels = bunch.target.astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_digits_split(
    seed: int, test_size: float = DEFAULT_TEST_SIZE
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the scaled digits into stratified train and test sets.

    Every architecture trained with the same ``seed`` and ``test_size`` gets the
    same split and the same preprocessing: pixel intensities (integers 0..16)
    are divided by 16, so inputs lie in [0, 1]. No other normalisation is applied.

    Parameters
    ----------
    seed : int
        ``random_state`` of :func:`sklearn.model_selection.train_test_split`.
    test_size : float
        Fraction of the 1797 images placed in the test set, in (0, 1).

    Returns
    -------
    X_train, X_test : numpy.ndarray of float32, shape (n, 1, 8, 8)
    y_train, y_test : numpy.ndarray of int64, shape (n,)
    """
    _validate_seed(seed)
    _validate_test_size(test_size)
    images, labels = _load_scaled_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_size, stratify=labels, random_state=seed
    )
    return X_train, X_test, y_train, y_test


# ------------------------------------------------------------------------- models


class _ResidualBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and an identity shortcut, at constant width."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + x)


class _ResNet(nn.Module):
    """Convolution stem, residual blocks at 8x8, global average pooling, linear head."""

    def __init__(self, channels: int, blocks: int) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(1, channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
        )
        self.blocks = nn.Sequential(*[_ResidualBlock(channels) for _ in range(blocks)])
        self.head = nn.Linear(channels, N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.blocks(self.stem(x))
        pooled = features.mean(dim=(2, 3))
        return self.head(pooled)


class _EncoderLayer(nn.Module):
    """Pre-norm transformer encoder layer: ``x + attention(norm(x))``, then ``x + mlp(norm(x))``."""

    def __init__(self, dim: int, heads: int, mlp_ratio: int, dropout: float) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.mlp_norm = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(
            nn.Linear(dim, mlp_ratio * dim),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(mlp_ratio * dim, dim),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        normed = self.attention_norm(x)
        attended, _ = self.attention(normed, normed, normed, need_weights=False)
        x = x + attended
        return x + self.mlp(self.mlp_norm(x))


class _VisionTransformer(nn.Module):
    """Patch embedding, class token, learned position embedding, encoder layers, linear head."""

    def __init__(
        self, patch_size: int, dim: int, depth: int, heads: int, mlp_ratio: int, dropout: float
    ) -> None:
        super().__init__()
        n_patches = (IMAGE_SIDE // patch_size) ** 2
        # A convolution with stride equal to its kernel embeds each patch linearly.
        self.patch_embedding = nn.Conv2d(1, dim, kernel_size=patch_size, stride=patch_size)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.position_embedding = nn.Parameter(torch.zeros(1, n_patches + 1, dim))
        nn.init.trunc_normal_(self.position_embedding, std=0.02)
        nn.init.trunc_normal_(self.class_token, std=0.02)
        self.layers = nn.Sequential(
            *[_EncoderLayer(dim, heads, mlp_ratio, dropout) for _ in range(depth)]
        )
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embedding(x).flatten(2).transpose(1, 2)
        class_tokens = self.class_token.expand(patches.shape[0], -1, -1)
        tokens = torch.cat([class_tokens, patches], dim=1) + self.position_embedding
        encoded = self.layers(tokens)
        return self.head(self.norm(encoded[:, 0]))


def _build_mlp(hidden_size: int, hidden_layers: int, dropout: float) -> nn.Module:
    layers: list[nn.Module] = [nn.Flatten()]
    width = IMAGE_SIDE * IMAGE_SIDE
    for _ in range(hidden_layers):
        layers += [nn.Linear(width, hidden_size), nn.ReLU(), nn.Dropout(dropout)]
        width = hidden_size
    layers.append(nn.Linear(width, N_CLASSES))
    return nn.Sequential(*layers)


def build_model(architecture: str, **params: Any) -> nn.Module:
    """Build an untrained model that maps images (n, 1, 8, 8) to 10 logits.

    The initial weights come from torch's global random generator, so call
    ``torch.manual_seed`` first for a reproducible model.

    Parameters
    ----------
    architecture : str
        One of :data:`ARCHITECTURES`.
    **params
        Model-shape hyperparameters of that architecture (the keys of
        ``DEFAULTS[architecture]`` other than :data:`TRAINING_KEYS`). Missing
        ones take their default.

    Raises
    ------
    ValueError
        If the architecture is unknown, a key is not a model hyperparameter of
        it, or a value is invalid.
    """
    _validate_architecture(architecture)
    model_keys = _model_keys(architecture)
    for key in params:
        if key not in model_keys:
            raise ValueError(
                f"build_model() got unknown parameter {key!r} for architecture "
                f"{architecture!r}. Valid parameters are {sorted(model_keys)}."
            )
    resolved = {key: DEFAULTS[architecture][key] for key in model_keys}
    resolved.update(params)
    _validate_hyperparameters(architecture, resolved)
    resolved = {key: _to_builtin_number(key, value) for key, value in resolved.items()}

    if architecture == "mlp":
        return _build_mlp(**resolved)
    if architecture == "resnet":
        return _ResNet(**resolved)
    return _VisionTransformer(**resolved)


def _to_builtin_number(key: str, value: Any) -> int | float:
    """Convert a validated value, which may be a NumPy scalar, to a Python int or float."""
    if _HYPERPARAMETER_KINDS[key] == _POSITIVE_INT:
        return int(value)
    return float(value)


# ----------------------------------------------------------------------- training


def train(config: Mapping[str, Any], seed: int, context: TrialContext) -> dict[str, float]:
    """Train one model on the digits and return its test-set metrics.

    The split and preprocessing come from :func:`load_digits_split` with
    ``config.get("test_size", 0.2)``, so they are the same for every
    architecture at a given seed. ``seed`` also sets the weight initialisation
    (``torch.manual_seed``) and the minibatch order (a ``torch.Generator``), so
    a repeated call with the same config and seed returns identical metrics.

    Training uses AdamW with a cosine learning-rate decay to 0 and the
    cross-entropy loss, on the CPU with one torch thread. ``torch.set_num_threads(1)``
    changes the whole process and stays in effect after the call.

    The context records:

    * phase ``"train"``: the optimisation steps only, summed over epochs;
    * phase ``"inference"``: one forward pass over the test set, with
      ``samples`` equal to the test-set size;
    * the parameter count of the model;
    * one history row per epoch (``step`` = epoch, counted from 1) with
      ``train_loss``, the mean minibatch loss over the epoch in training mode, and
      ``test_accuracy``. The per-epoch test accuracy is a learning curve only.
      Nothing is selected or stopped early on it, and the returned metrics come
      from the model after the last epoch.

    Parameters
    ----------
    config : Mapping[str, Any]
        ``architecture`` (one of :data:`ARCHITECTURES`, required), optional
        ``test_size`` and ``task`` (ignored, for the toolkit's bookkeeping), and
        any hyperparameter of ``DEFAULTS[architecture]``.
    seed : int
        Seed of the split, the initialisation and the minibatch order.
    context : TrialContext
        Receives timings, the model and the learning curve.

    Returns
    -------
    dict[str, float]
        The metrics in :data:`METRICS`, computed by
        :func:`nbcompare.workloads._classification.classification_metrics`.

    Raises
    ------
    ValueError
        If ``config`` has an unknown key, a missing or unknown architecture, or an
        invalid value, or if ``seed`` is not an integer in [0, 2**32 - 1].
    """
    architecture, test_size, hyperparameters = _resolve_config(config)
    _validate_seed(seed)
    seed = int(seed)  # torch.Generator.manual_seed rejects NumPy integers.
    # NOTE: the models always run on the CPU, even when context.device is "cuda".
    torch.set_num_threads(1)

    X_train, X_test, y_train, y_test = load_digits_split(seed, test_size)
    inputs = torch.from_numpy(X_train)
    targets = torch.from_numpy(y_train)
    test_inputs = torch.from_numpy(X_test)

    torch.manual_seed(seed)
    model_params = {key: hyperparameters[key] for key in _model_keys(architecture)}
    model = build_model(architecture, **model_params)
    context.set_model(model)

    _fit(model, inputs, targets, test_inputs, y_test, hyperparameters, seed, context)

    with context.phase("inference", samples=len(X_test)):
        probabilities = _predict_probabilities(model, test_inputs)
    return classification_metrics(y_test, probabilities)


def _fit(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    test_inputs: torch.Tensor,
    test_labels: np.ndarray,
    hyperparameters: Mapping[str, Any],
    seed: int,
    context: TrialContext,
) -> None:
    """Run the training epochs, timing each in phase "train" and logging one history row each."""
    epochs = int(hyperparameters["epochs"])
    batch_size = int(hyperparameters["batch_size"])
    steps_per_epoch = math.ceil(len(inputs) / batch_size)
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=float(hyperparameters["lr"]),
        weight_decay=float(hyperparameters["weight_decay"]),
    )
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=epochs * steps_per_epoch
    )
    shuffle_generator = torch.Generator().manual_seed(seed)

    for epoch in range(1, epochs + 1):
        with context.phase("train"):
            train_loss = _train_epoch(
                model, optimizer, scheduler, inputs, targets, batch_size, shuffle_generator
            )
        predicted = _predict_probabilities(model, test_inputs).argmax(axis=1)
        test_accuracy = float(np.mean(predicted == test_labels))
        context.log(epoch, train_loss=train_loss, test_accuracy=test_accuracy)


def _train_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
) -> float:
    """Run one shuffled pass over the training data and return the mean loss per sample."""
    model.train()
    order = torch.randperm(len(inputs), generator=generator)
    loss_sum = 0.0
    for start in range(0, len(inputs), batch_size):
        batch = order[start : start + batch_size]
        loss = nn.functional.cross_entropy(model(inputs[batch]), targets[batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        loss_sum += float(loss.detach()) * len(batch)
    return loss_sum / len(inputs)


def _predict_probabilities(model: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """Return the softmax probabilities of ``model`` in evaluation mode as float64."""
    model.eval()
    with torch.inference_mode():
        logits = model(inputs)
    # A float64 softmax keeps row sums far inside the tolerance of classification_metrics.
    return torch.softmax(logits.double(), dim=1).numpy()
