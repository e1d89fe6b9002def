"""Tests of the classification metrics against hand-computed values and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import roc_auc_score

from nbcompare.workloads._classification import classification_metrics

EXPECTED_KEYS = {"accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc_ovr", "ece"}

# Six samples, three classes. Arg max predictions: 0, 1, 1, 1, 2, 0.
SMALL_LABELS = np.array([0, 0, 1, 1, 2, 2])
SMALL_PROBABILITIES = np.array(
    [
        [0.6, 0.3, 0.1],
        [0.3, 0.5, 0.2],
        [0.2, 0.7, 0.1],
        [0.1, 0.8, 0.1],
        [0.1, 0.2, 0.7],
        [0.5, 0.1, 0.4],
    ]
)


def test_keys_are_exactly_the_documented_ones():
    metrics = classification_metrics(SMALL_LABELS, SMALL_PROBABILITIES)

    assert set(metrics) == EXPECTED_KEYS
    assert all(isinstance(value, float) for value in metrics.values())


def test_small_example_accuracy_and_macro_scores():
    # Predictions 0, 1, 1, 1, 2, 0 against labels 0, 0, 1, 1, 2, 2.
    # Class 0: predicted for samples 0 and 5, correct for 0 -> precision 1/2, recall 1/2, F1 1/2.
    # Class 1: predicted for samples 1, 2, 3, correct for 2 and 3 -> precision 2/3,
    #          recall 2/2 = 1, F1 = 2 * (2/3 * 1) / (2/3 + 1) = 4/5.
    # Class 2: predicted for sample 4 only, correct -> precision 1, recall 1/2,
    #          F1 = 2 * (1 * 1/2) / (1 + 1/2) = 2/3.
    # Macro: precision (1/2 + 2/3 + 1) / 3 = 13/18, recall (1/2 + 1 + 1/2) / 3 = 2/3,
    #        F1 (1/2 + 4/5 + 2/3) / 3 = 59/90. Accuracy 4/6.
    metrics = classification_metrics(SMALL_LABELS, SMALL_PROBABILITIES)

    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["precision_macro"] == pytest.approx(13 / 18)
    assert metrics["recall_macro"] == pytest.approx(2 / 3)
    assert metrics["f1_macro"] == pytest.approx(59 / 90)


def test_small_example_roc_auc_by_pair_counting():
    # One-vs-rest AUC = fraction of (positive, negative) pairs ranked correctly.
    # Class 0: positives 0.6, 0.3; negatives 0.2, 0.1, 0.1, 0.5.
    #          0.6 beats all 4, and 0.3 beats 3 of 4 (not 0.5) -> 7/8.
    # Class 1: positives 0.7, 0.8; negatives 0.3, 0.5, 0.2, 0.1 -> 8/8.
    # Class 2: positives 0.7, 0.4; negatives 0.1, 0.2, 0.1, 0.1 -> 8/8.
    # Macro mean: (7/8 + 1 + 1) / 3 = 23/24.
    metrics = classification_metrics(SMALL_LABELS, SMALL_PROBABILITIES)

    assert metrics["roc_auc_ovr"] == pytest.approx(23 / 24)


def test_roc_auc_matches_sklearn_when_all_classes_present():
    rng = np.random.default_rng(0)
    labels = np.tile(np.arange(4), 10)
    probabilities = rng.dirichlet(np.ones(4), size=len(labels))

    metrics = classification_metrics(labels, probabilities)
    expected = roc_auc_score(labels, probabilities, multi_class="ovr", average="macro")

    assert metrics["roc_auc_ovr"] == pytest.approx(expected)


def test_roc_auc_skips_absent_class():
    # Class 2 never occurs, so only classes 0 and 1 enter the mean.
    # Class 0: positives 0.7, 0.6 against negatives 0.2, 0.3 -> 4/4 = 1.
    # Class 1: positives 0.2, 0.3 against negatives 0.1, 0.3: 0.2 beats 0.1 and loses to 0.3,
    #          0.3 beats 0.1 and ties 0.3 (a tie counts 1/2) -> (1 + 0 + 1 + 0.5) / 4 = 5/8.
    # Mean (1 + 5/8) / 2 = 13/16.
    labels = np.array([0, 0, 1, 1])
    probabilities = np.array(
        [
            [0.7, 0.1, 0.2],
            [0.6, 0.3, 0.1],
            [0.2, 0.2, 0.6],
            [0.3, 0.3, 0.4],
        ]
    )

    metrics = classification_metrics(labels, probabilities)

    assert metrics["roc_auc_ovr"] == pytest.approx(13 / 16)


def test_roc_auc_is_nan_with_single_class():
    labels = np.array([1, 1, 1])
    probabilities = np.array([[0.2, 0.8], [0.4, 0.6], [0.9, 0.1]])

    metrics = classification_metrics(labels, probabilities)

    assert np.isnan(metrics["roc_auc_ovr"])


def test_ece_hand_computed_example():
    # Bin width 1/15 = 0.0667. Confidences (max probability) and correctness:
    #   0.90 correct, 0.90 wrong                 -> bin 13 = (0.867, 0.933]
    #   0.65 correct, 0.65 wrong, 0.65 correct   -> bin 9  = (0.600, 0.667]
    #   0.50 correct                             -> bin 7  = (0.467, 0.533]
    # ECE = 2/6 * |1/2 - 0.90| + 3/6 * |2/3 - 0.65| + 1/6 * |1 - 0.50|
    #     = 2/6 * 0.4 + 3/6 * (1/60) + 1/6 * 0.5
    #     = 16/120 + 1/120 + 10/120 = 27/120 = 0.225
    labels = np.array([0, 1, 1, 1, 1, 0])
    probabilities = np.array(
        [
            [0.90, 0.05, 0.05],
            [0.90, 0.05, 0.05],
            [0.20, 0.65, 0.15],
            [0.15, 0.20, 0.65],
            [0.20, 0.65, 0.15],
            [0.50, 0.30, 0.20],
        ]
    )

    metrics = classification_metrics(labels, probabilities)

    assert metrics["ece"] == pytest.approx(27 / 120)
    assert metrics["accuracy"] == pytest.approx(4 / 6)


def test_ece_uses_fifteen_bins():
    # 0.87 and 0.93 share bin 13 = (13/15, 14/15] = (0.867, 0.933] with 15 bins:
    #   ECE = |1/2 - (0.87 + 0.93) / 2| = |0.5 - 0.9| = 0.4.
    # With 10 bins they would be split, (0.8, 0.9] and (0.9, 1.0]:
    #   ECE = 1/2 * |1 - 0.87| + 1/2 * |0 - 0.93| = 0.53.
    labels = np.array([0, 1])
    probabilities = np.array([[0.87, 0.10, 0.03], [0.93, 0.05, 0.02]])

    metrics = classification_metrics(labels, probabilities)

    assert metrics["ece"] == pytest.approx(0.4)


def test_ece_zero_when_confident_and_correct():
    labels = np.array([0, 1, 2, 1])
    probabilities = np.eye(3)[labels]

    metrics = classification_metrics(labels, probabilities)

    assert metrics["ece"] == pytest.approx(0.0)
    assert metrics["accuracy"] == 1.0


def test_ece_zero_when_perfectly_calibrated():
    # Every confidence is 0.75 and 3 of 4 predictions are right: |0.75 - 0.75| = 0.
    labels = np.array([0, 0, 0, 1])
    probabilities = np.tile([0.75, 0.25], (4, 1))

    metrics = classification_metrics(labels, probabilities)

    assert metrics["ece"] == pytest.approx(0.0)


def test_ece_overconfident_model():
    # Confidence 0.99 everywhere, half the predictions right: |0.5 - 0.99| = 0.49.
    labels = np.array([0, 1, 0, 1])
    probabilities = np.tile([0.99, 0.01], (4, 1))

    metrics = classification_metrics(labels, probabilities)

    assert metrics["ece"] == pytest.approx(0.49)


def test_ece_one_when_confidently_wrong():
    labels = np.array([1, 0, 1])
    probabilities = np.eye(2)[1 - labels]

    metrics = classification_metrics(labels, probabilities)

    assert metrics["ece"] == pytest.approx(1.0)


def test_precision_zero_division_counts_zero():
    # Class 1 is never predicted, so its precision is 0 by convention (zero_division=0):
    # macro precision = (1/2 + 0) / 2 = 1/4.
    labels = np.array([0, 1])
    probabilities = np.array([[0.8, 0.2], [0.6, 0.4]])

    metrics = classification_metrics(labels, probabilities)

    assert metrics["precision_macro"] == pytest.approx(0.25)


def test_accepts_lists_and_float32():
    metrics = classification_metrics(
        SMALL_LABELS.tolist(), SMALL_PROBABILITIES.astype(np.float32)
    )

    assert metrics["accuracy"] == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    ("y_true", "probabilities", "argument"),
    [
        (np.zeros((3, 1), dtype=int), np.full((3, 2), 0.5), "y_true"),
        (np.array([], dtype=int), np.empty((0, 2)), "y_true"),
        (np.array([0.0, 1.0]), np.full((2, 2), 0.5), "y_true"),
        (np.array([0, 1]), np.array([0.5, 0.5]), "probabilities"),
        (np.array([0, 0]), np.ones((2, 1)), "probabilities"),
        (np.array([0, 1]), np.full((2, 2, 1), 0.5), "probabilities"),
        (np.array([0, 1, 1]), np.full((2, 2), 0.5), "probabilities has shape (2, 2)"),
        (np.array([0, 2]), np.full((2, 2), 0.5), "y_true contains label 2"),
        (np.array([0, -1]), np.full((2, 2), 0.5), "y_true contains label -1"),
        (np.array([0, 1]), np.array([[0.6, 0.6], [0.5, 0.5]]), "row 0 sums to 1.2"),
        (np.array([0, 1]), np.array([[1.5, -0.5], [0.5, 0.5]]), "probabilities must lie in [0, 1]"),
        (np.array([0, 1]), np.array([[np.nan, 0.5], [0.5, 0.5]]), "probabilities contains NaN"),
        (np.array([0, 1]), [["a", "b"], ["c", "d"]], "probabilities must be a numeric array"),
    ],
)
def test_invalid_input_raises_naming_argument(y_true, probabilities, argument):
    with pytest.raises(ValueError) as excinfo:
        classification_metrics(y_true, probabilities)

    assert argument in str(excinfo.value)


def test_shape_error_reports_received_shape():
    with pytest.raises(ValueError) as excinfo:
        classification_metrics(np.zeros((3, 2), dtype=int), np.full((3, 2), 0.5))

    message = str(excinfo.value)
    assert "y_true" in message
    assert "(3, 2)" in message
    assert "(n,)" in message


@st.composite
def _labelled_probabilities(draw):
    n_classes = draw(st.integers(min_value=2, max_value=6))
    n_samples = draw(st.integers(min_value=1, max_value=40))
    weights = draw(
        arrays(
            np.float64,
            (n_samples, n_classes),
            elements=st.floats(min_value=1e-3, max_value=1.0),
        )
    )
    labels = draw(
        arrays(np.int64, n_samples, elements=st.integers(min_value=0, max_value=n_classes - 1))
    )
    return labels, weights / weights.sum(axis=1, keepdims=True)


@settings(max_examples=200, deadline=None)
@given(_labelled_probabilities())
def test_metrics_stay_in_unit_interval(sample):
    labels, probabilities = sample

    metrics = classification_metrics(labels, probabilities)

    for name, value in metrics.items():
        if name == "roc_auc_ovr" and np.isnan(value):
            continue
        assert 0.0 <= value <= 1.0, name


@settings(max_examples=200, deadline=None)
@given(_labelled_probabilities())
def test_ece_bounds_overall_calibration_gap(sample):
    # The weighted mean of per-bin gaps is at least the gap of the weighted means
    # (triangle inequality): ECE >= |accuracy - mean confidence|.
    labels, probabilities = sample

    metrics = classification_metrics(labels, probabilities)
    overall_gap = abs(metrics["accuracy"] - probabilities.max(axis=1).mean())

    assert metrics["ece"] >= overall_gap - 1e-12
