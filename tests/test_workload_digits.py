"""Tests of the built-in digits workload, training real models for a few epochs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from nbcompare.launch._context import TrialContext
from nbcompare.workloads.digits import (
    ARCHITECTURES,
    DEFAULTS,
    METRICS,
    build_model,
    load_digits_split,
    train,
)

# Epochs per architecture that finish in about a second and still clear 0.5
# test accuracy (chance is 0.1). The ViT learns slowest from scratch.
QUICK_EPOCHS = {"mlp": 3, "resnet": 3, "vit": 10}
N_DIGITS = 1797


def _run(tmp_path: Path, config: dict, seed: int = 0) -> tuple[dict[str, float], TrialContext]:
    context = TrialContext(trial_id="t", seed=seed, workdir=tmp_path)
    metrics = train(config, seed, context)
    return metrics, context


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory) -> dict[str, tuple[dict[str, float], TrialContext]]:
    """Train every architecture once with QUICK_EPOCHS at seed 0."""
    runs = {}
    for architecture in ARCHITECTURES:
        config = {"architecture": architecture, "epochs": QUICK_EPOCHS[architecture]}
        runs[architecture] = _run(tmp_path_factory.mktemp(architecture), config)
    return runs


def test_module_constants_are_consistent():
    assert set(DEFAULTS) == set(ARCHITECTURES)
    assert METRICS["ece"] is False
    assert all(METRICS[name] for name in METRICS if name != "ece")
    for architecture, defaults in DEFAULTS.items():
        assert {"epochs", "lr", "batch_size", "weight_decay"} <= set(defaults), architecture


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_train_returns_metrics_in_range(quick_runs, architecture):
    metrics, _ = quick_runs[architecture]

    assert set(metrics) == set(METRICS)
    for name, value in metrics.items():
        assert 0.0 <= value <= 1.0, name
    assert metrics["accuracy"] > 0.5
    assert metrics["roc_auc_ovr"] > 0.8


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_train_records_phases(quick_runs, architecture):
    _, context = quick_runs[architecture]
    expected_test_size = math.ceil(0.2 * N_DIGITS)

    assert context.phase_seconds["train"] > 0.0
    assert context.phase_seconds["inference"] > 0.0
    assert context.phase_samples["inference"] == expected_test_size
    assert "inference_time_per_sample_s" in context.measurements()


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_train_records_parameter_count(quick_runs, architecture):
    _, context = quick_runs[architecture]
    model = build_model(architecture)

    assert context.parameters == sum(p.numel() for p in model.parameters())
    assert context.parameters > 0


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_train_logs_one_row_per_epoch(quick_runs, architecture):
    _, context = quick_runs[architecture]
    epochs = QUICK_EPOCHS[architecture]

    assert [row["step"] for row in context.history] == list(range(1, epochs + 1))
    for row in context.history:
        assert set(row) == {"step", "train_loss", "test_accuracy"}
        assert math.isfinite(row["train_loss"])
        assert row["train_loss"] > 0.0
        assert 0.0 <= row["test_accuracy"] <= 1.0
    assert context.history[-1]["train_loss"] < context.history[0]["train_loss"]


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_final_history_accuracy_matches_metrics(quick_runs, architecture):
    metrics, context = quick_runs[architecture]

    assert context.history[-1]["test_accuracy"] == pytest.approx(metrics["accuracy"])


def test_train_uses_one_torch_thread(quick_runs):
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_same_seed_is_deterministic(tmp_path, architecture):
    config = {"architecture": architecture, "epochs": 2}

    first, first_context = _run(tmp_path / "first", config, seed=3)
    second, second_context = _run(tmp_path / "second", config, seed=3)

    assert first == second
    assert first_context.history == second_context.history


def test_different_seeds_give_different_metrics(tmp_path):
    config = {"architecture": "mlp", "epochs": 2}

    seed_0, _ = _run(tmp_path / "0", config, seed=0)
    seed_1, _ = _run(tmp_path / "1", config, seed=1)

    assert seed_0 != seed_1


def test_split_differs_between_seeds():
    _, test_0, _, labels_0 = load_digits_split(0)
    _, test_1, _, labels_1 = load_digits_split(1)

    assert test_0.shape == test_1.shape
    assert not np.array_equal(test_0, test_1)
    # Stratification keeps the class counts of the test set fixed across seeds.
    assert np.array_equal(np.bincount(labels_0), np.bincount(labels_1))


def test_split_repeats_for_same_seed():
    first = load_digits_split(5, test_size=0.3)
    second = load_digits_split(5, test_size=0.3)

    for a, b in zip(first, second):
        assert np.array_equal(a, b)
    assert len(first[1]) == math.ceil(0.3 * N_DIGITS)


def test_split_scales_pixels_to_unit_interval():
    X_train, X_test, y_train, y_test = load_digits_split(0)

    assert X_train.shape[1:] == (1, 8, 8)
    assert X_train.dtype == np.float32
    assert y_train.dtype == np.int64
    assert len(X_train) + len(X_test) == N_DIGITS
    pixels = np.concatenate([X_train, X_test])
    assert pixels.min() == 0.0
    assert pixels.max() == 1.0
    # Raw intensities are integers 0..16, so 16 * pixel is integral after scaling.
    assert np.allclose(16 * pixels, np.round(16 * pixels))


def test_test_size_changes_split(tmp_path):
    _, context = _run(tmp_path, {"architecture": "mlp", "epochs": 1, "test_size": 0.5})

    assert context.phase_samples["inference"] == math.ceil(0.5 * N_DIGITS)


def test_task_key_is_accepted(tmp_path):
    metrics, _ = _run(tmp_path, {"architecture": "mlp", "epochs": 1, "task": "digits"})

    assert set(metrics) == set(METRICS)


def test_unknown_hyperparameter_names_key(tmp_path):
    config = {"architecture": "mlp", "epochs": 1, "channels": 8}

    with pytest.raises(ValueError) as excinfo:
        _run(tmp_path, config)

    message = str(excinfo.value)
    assert "'channels'" in message
    assert "'hidden_size'" in message
    assert "'test_size'" in message


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"epochs": 1}, "'architecture'"),
        ({"architecture": "lstm"}, "'lstm'"),
        ({"architecture": "mlp", "epochs": 0}, "'epochs'"),
        ({"architecture": "mlp", "epochs": 2.5}, "'epochs'"),
        ({"architecture": "mlp", "lr": -1.0}, "'lr'"),
        ({"architecture": "mlp", "dropout": 1.0}, "'dropout'"),
        ({"architecture": "resnet", "channels": True}, "'channels'"),
        ({"architecture": "vit", "patch_size": 3}, "patch_size"),
        ({"architecture": "vit", "dim": 30, "heads": 4}, "heads"),
        ({"architecture": "mlp", "test_size": 1.5}, "test_size"),
    ],
)
def test_invalid_config_raises(tmp_path, config, fragment):
    with pytest.raises(ValueError) as excinfo:
        _run(tmp_path, config)

    assert fragment in str(excinfo.value)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5])
def test_invalid_seed_raises(tmp_path, seed):
    with pytest.raises(ValueError) as excinfo:
        _run(tmp_path, {"architecture": "mlp", "epochs": 1}, seed=seed)

    assert "seed" in str(excinfo.value)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_build_model_outputs_ten_logits(architecture):
    model = build_model(architecture)
    images = torch.zeros(4, 1, 8, 8)

    model.eval()
    with torch.no_grad():
        logits = model(images)

    assert logits.shape == (4, 10)


def test_build_model_rejects_training_key():
    with pytest.raises(ValueError) as excinfo:
        build_model("mlp", epochs=3)

    assert "'epochs'" in str(excinfo.value)


@pytest.mark.parametrize(
    ("architecture", "params"),
    [
        ("mlp", {"hidden_size": 32, "hidden_layers": 1}),
        ("resnet", {"channels": 8, "blocks": 1}),
        ("vit", {"dim": 16, "heads": 2, "depth": 2, "patch_size": 4}),
    ],
)
def test_model_overrides_reach_the_model(tmp_path, architecture, params):
    _, context = _run(tmp_path, {"architecture": architecture, "epochs": 1, **params})
    model = build_model(architecture, **params)
    expected = sum(p.numel() for p in model.parameters())

    assert context.parameters == expected
    assert expected != sum(p.numel() for p in build_model(architecture).parameters())


@pytest.mark.slow
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_defaults_reach_target_accuracy(tmp_path, architecture):
    metrics, context = _run(tmp_path, {"architecture": architecture}, seed=0)

    assert metrics["accuracy"] >= 0.93
    assert len(context.history) == DEFAULTS[architecture]["epochs"]
