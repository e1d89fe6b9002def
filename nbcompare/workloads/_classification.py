"""Test-set metrics of a probabilistic multi-class classifier.

The predicted class of a sample is the arg max of its probability row (the first
column wins a tie), so every metric here derives from the same two arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

__all__ = ["classification_metrics"]

ECE_BINS = 15
"""Number of equal-width confidence bins over [0, 1] in the expected calibration error."""

ROW_SUM_TOLERANCE = 1e-4
"""Largest accepted ``|sum(row) - 1|`` of a probability row.

It leaves room for the rounding of a float32 softmax, which is about 1e-7 per class.
"""


def classification_metrics(y_true: Any, probabilities: Any) -> dict[str, float]:
    """Compute accuracy, macro scores, ROC AUC and calibration error of predicted probabilities.

    Parameters
    ----------
    y_true : array-like of int, shape (n,)
        True class labels, each in ``0 .. k-1``.
    probabilities : array-like of float, shape (n, k)
        Predicted class probabilities, each in [0, 1], every row summing to 1.
        Column ``j`` belongs to class ``j``, so ``k`` is the number of classes
        even when some classes never occur in ``y_true``.

    Returns
    -------
    dict[str, float]
        ``accuracy``
            Fraction of samples whose arg max class equals the label.
        ``precision_macro``, ``recall_macro``, ``f1_macro``
            Unweighted means over the ``k`` classes of the per-class scores
            (scikit-learn ``precision_recall_fscore_support`` with
            ``zero_division=0``, so a class never predicted or never present
            scores 0).
        ``roc_auc_ovr``
            Unweighted mean over classes of the one-vs-rest ROC AUC of column
            ``j`` against ``y_true == j``. Classes that are absent from
            ``y_true``, or that are the only class present, have no defined AUC
            and are left out of the mean. The value is NaN when no class has
            one. With every class present this equals scikit-learn's
            ``roc_auc_score(multi_class="ovr", average="macro")``.
        ``ece``
            Expected calibration error with 15 equal-width bins, see
            :func:`_expected_calibration_error`. Lower is better.

    Raises
    ------
    ValueError
        If either argument has the wrong shape, the lengths differ, a label is
        outside ``0 .. k-1``, or a probability row is invalid. The message names
        the argument and the shape or value received.
    """
    labels = _validate_labels(y_true)
    probs = _validate_probabilities(probabilities)
    _validate_consistency(labels, probs)

    predicted = np.argmax(probs, axis=1)
    classes = np.arange(probs.shape[1])
    precision, recall, f1, _ = precision_recall_fscore_support(
        labels, predicted, labels=classes, average="macro", zero_division=0
    )
    return {
        "accuracy": float(np.mean(predicted == labels)),
        "precision_macro": float(precision),
        "recall_macro": float(recall),
        "f1_macro": float(f1),
        "roc_auc_ovr": _roc_auc_one_vs_rest(labels, probs),
        "ece": _expected_calibration_error(labels, probs),
    }


def _expected_calibration_error(
    labels: np.ndarray, probs: np.ndarray, n_bins: int = ECE_BINS
) -> float:
    """Compute the expected calibration error (ECE) of the arg max predictions.

    The confidence of a sample is its largest predicted probability. Bin ``b``
    (``b = 0 .. n_bins-1``) contains the confidences in the half-open interval
    ``(b / n_bins, (b + 1) / n_bins]``, and a confidence of exactly 0 falls in
    bin 0. The ECE is ``sum_b (|B_b| / n) * |acc(B_b) - conf(B_b)|``, where
    ``acc`` is the fraction of correct predictions and ``conf`` the mean
    confidence in the bin. Empty bins contribute nothing. The result lies in
    [0, 1], and it is 0 when every bin's accuracy equals its mean confidence.

    The binned estimator comes from Naeini, Cooper and Hauskrecht (2015),
    "Obtaining Well Calibrated Probabilities Using Bayesian Binning", AAAI. The
    multi-class form over the maximum probability, with 15 bins, follows Guo,
    Pleiss, Sun and Weinberger (2017), "On Calibration of Modern Neural
    Networks", ICML.
    """
    confidences = np.max(probs, axis=1)
    correct = np.argmax(probs, axis=1) == labels

    # The inner edges 1/n_bins .. (n_bins-1)/n_bins. A "left" search returns the
    # first edge >= the confidence, which puts a confidence equal to an edge in
    # the bin that the edge closes.
    inner_edges = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    bin_index = np.searchsorted(inner_edges, confidences, side="left")

    total = 0.0
    for b in range(n_bins):
        in_bin = bin_index == b
        count = int(np.count_nonzero(in_bin))
        if count == 0:
            continue
        gap = abs(float(np.mean(correct[in_bin])) - float(np.mean(confidences[in_bin])))
        total += count / len(labels) * gap
    return float(total)


def _roc_auc_one_vs_rest(labels: np.ndarray, probs: np.ndarray) -> float:
    """Average the one-vs-rest ROC AUC over the classes for which it is defined."""
    scores = []
    for j in range(probs.shape[1]):
        is_class = labels == j
        if is_class.all() or not is_class.any():
            continue
        scores.append(roc_auc_score(is_class, probs[:, j]))
    if not scores:
        return float("nan")
    return float(np.mean(scores))


def _validate_labels(y_true: Any) -> np.ndarray:
    labels = np.asarray(y_true)
    if labels.ndim != 1:
        raise ValueError(
            f"y_true must be a 1-D array of class labels with shape (n,), got shape "
            f"{labels.shape}. Pass one integer label per sample, for example y.ravel()."
        )
    if labels.size == 0:
        raise ValueError("y_true is empty (shape (0,)). Pass at least one labelled sample.")
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"y_true must contain integer class labels, got dtype {labels.dtype}. "
            "Encode the classes as 0 .. k-1, for example with sklearn's LabelEncoder."
        )
    return labels


def _validate_probabilities(probabilities: Any) -> np.ndarray:
    try:
        probs = np.asarray(probabilities, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"probabilities must be a numeric array of shape (n, k), but it could not be "
            f"converted to float: {error}"
        ) from error
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(
            f"probabilities must have shape (n, k) with k >= 2 classes, got shape "
            f"{probs.shape}. Pass one row of class probabilities per sample, for "
            "example the softmax of the logits."
        )
    if not np.all(np.isfinite(probs)):
        raise ValueError(
            "probabilities contains NaN or infinite values. Every entry must be in [0, 1]."
        )
    if probs.min() < 0.0 or probs.max() > 1.0:
        raise ValueError(
            f"probabilities must lie in [0, 1], got values from {probs.min():g} to "
            f"{probs.max():g}. Apply a softmax to logits before passing them."
        )
    row_error = np.abs(probs.sum(axis=1) - 1.0)
    worst = int(np.argmax(row_error))
    if row_error[worst] > ROW_SUM_TOLERANCE:
        raise ValueError(
            f"each row of probabilities must sum to 1, but row {worst} sums to "
            f"{probs[worst].sum():.6g}. Normalise the rows, for example with a softmax."
        )
    return probs


def _validate_consistency(labels: np.ndarray, probs: np.ndarray) -> None:
    if probs.shape[0] != labels.shape[0]:
        raise ValueError(
            f"y_true has {labels.shape[0]} samples but probabilities has shape {probs.shape}. "
            f"Expected shape ({labels.shape[0]}, k) with one row per label."
        )
    n_classes = probs.shape[1]
    out_of_range = (labels < 0) | (labels >= n_classes)
    if out_of_range.any():
        bad = labels[out_of_range][0]
        raise ValueError(
            f"y_true contains label {bad}, but probabilities has shape {probs.shape}, so labels "
            f"must be in 0 .. {n_classes - 1}. Add a column for every class or re-encode the labels."
        )
