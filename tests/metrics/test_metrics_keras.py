"""Our metrics against keras.metrics (Keras 3 on torch, a test-only peer) on random batches."""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_peer import run_both

from gpulayers import metrics

RNG = np.random.default_rng(21)


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype("float32")


def _binary(n=32, labels=3):
    y_true = (RNG.random((n, labels)) > 0.6).astype("float32")
    y_pred = np.clip(0.35 * y_true + RNG.random((n, labels)) * 0.7, 0, 1).astype("float32")
    return y_true, y_pred, RNG.uniform(0, 2, n).astype("float32")


def _categorical(n=32, classes=5):
    labels = RNG.integers(0, classes, n)
    return np.eye(classes, dtype="float32")[labels], _softmax(RNG.normal(size=(n, classes))), \
        RNG.uniform(0, 2, n).astype("float32")


def _sparse(n=32, classes=5):
    one_hot, probs, weights = _categorical(n, classes)
    return one_hot.argmax(-1), probs, weights


def _regression(n=32, features=4):
    return (RNG.uniform(0.1, 3, (n, features)).astype("float32"),
            RNG.uniform(0.1, 3, (n, features)).astype("float32"),
            RNG.uniform(0, 2, n).astype("float32"))


CASES = [
    ("AUC", {}, _binary), ("AUC", {"curve": "PR"}, _binary),
    ("AUC", {"curve": "PRGAIN", "num_thresholds": 50}, _binary),
    ("AUC", {"summation_method": "majoring", "num_thresholds": 9}, _binary),
    ("AUC", {"multi_label": True, "label_weights": [0.2, 1.0, 3.0]}, _binary),
    ("AUC", {"multi_label": True, "curve": "PR"}, _binary),
    ("AUC", {"thresholds": [0.1, 0.35, 0.8]}, _binary),
    ("Precision", {}, _binary), ("Recall", {"thresholds": [0.2, 0.5, 0.9]}, _binary),
    ("Precision", {"top_k": 2}, _binary), ("Recall", {"class_id": 1}, _binary),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, _binary),
    ("TruePositives", {}, _binary), ("FalsePositives", {"thresholds": [0.3, 0.6]}, _binary),
    ("TrueNegatives", {}, _binary), ("FalseNegatives", {}, _binary),
    ("BinaryAccuracy", {"threshold": 0.4}, _binary),
    ("CategoricalAccuracy", {}, _categorical), ("TopKCategoricalAccuracy", {"k": 2}, _categorical),
    ("SparseCategoricalAccuracy", {}, _sparse),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, _sparse),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, _binary),
    ("CategoricalCrossentropy", {}, _categorical), ("SparseCategoricalCrossentropy", {}, _sparse),
    ("KLDivergence", {}, _categorical), ("Poisson", {}, _regression),
    ("MeanSquaredError", {}, _regression), ("MeanAbsoluteError", {}, _regression),
    ("MeanAbsolutePercentageError", {}, _regression),
    ("MeanSquaredLogarithmicError", {}, _regression), ("RootMeanSquaredError", {}, _regression),
    ("LogCoshError", {}, _regression), ("CosineSimilarity", {}, _regression),
    ("Hinge", {}, _binary), ("SquaredHinge", {}, _binary), ("CategoricalHinge", {}, _categorical),
]


@pytest.mark.parametrize(("name", "kwargs", "data"), CASES,
                         ids=[f"{c[0]}{'-' + '-'.join(c[1]) if c[1] else ''}" for c in CASES])
def test_metric_matches_keras(name, kwargs, data):
    keras = keras_or_skip()
    batches = []
    for weighted in (False, True, True):
        y_true, y_pred, weights = data()
        batches.append((y_true, y_pred, weights) if weighted else (y_true, y_pred))
    ours, theirs = run_both(getattr(metrics, name)(**kwargs),
                            getattr(keras.metrics, name)(**kwargs), batches)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_mean_and_sum_match_keras_on_weighted_sequences():
    keras = keras_or_skip()
    values = RNG.normal(size=(6, 4)).astype("float32")
    for weights in (RNG.uniform(0, 2, (6, 4)).astype("float32"),
                    RNG.uniform(0, 2, 6).astype("float32")):
        for name in ("Mean", "Sum"):
            ours, theirs = run_both(getattr(metrics, name)(), getattr(keras.metrics, name)(),
                                    [(values,), (values, weights)])
            np.testing.assert_allclose(ours, theirs, rtol=1e-5)
