"""Our loss classes against keras.losses (Keras 3 on torch, a test-only peer) on random data."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import losses

RNG = np.random.default_rng(11)


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype("float32")


LABELS = RNG.integers(0, 4, size=(6, 5))
ONE_HOT = np.eye(4, dtype="float32")[LABELS]
LOGITS = RNG.normal(scale=2.0, size=(6, 5, 4)).astype("float32")
REAL_T = RNG.normal(size=(6, 5, 4)).astype("float32")
REAL_P = RNG.normal(size=(6, 5, 4)).astype("float32")
POS_T = RNG.uniform(0.1, 3.0, size=(6, 5, 4)).astype("float32")
POS_P = RNG.uniform(0.1, 3.0, size=(6, 5, 4)).astype("float32")
BITS = (RNG.random((6, 5, 4)) > 0.5).astype("float32")

CASES = [
    ("MeanSquaredError", {}, REAL_T, REAL_P),
    ("MeanAbsoluteError", {}, REAL_T, REAL_P),
    ("MeanAbsolutePercentageError", {}, POS_T, POS_P),
    ("MeanSquaredLogarithmicError", {}, POS_T, POS_P),
    ("Huber", {"delta": 0.6}, REAL_T, REAL_P),
    ("LogCosh", {}, REAL_T, REAL_P),
    ("CosineSimilarity", {}, REAL_T, REAL_P),
    ("BinaryCrossentropy", {}, BITS, _softmax(LOGITS)),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, BITS, LOGITS),
    ("CategoricalCrossentropy", {"label_smoothing": 0.05}, ONE_HOT, _softmax(LOGITS)),
    ("CategoricalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    ("SparseCategoricalCrossentropy", {}, LABELS, _softmax(LOGITS)),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, LABELS, LOGITS),
    ("KLDivergence", {}, _softmax(REAL_T), _softmax(LOGITS)),
    ("Poisson", {}, POS_T, POS_P),
    ("Hinge", {}, BITS, REAL_P),
    ("SquaredHinge", {}, BITS, REAL_P),
    ("CategoricalHinge", {}, ONE_HOT, REAL_P),
]


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred"), CASES,
                         ids=[f"{c[0]}{'-' + '-'.join(c[1]) if c[1] else ''}" for c in CASES])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_loss_matches_keras(name, kwargs, y_true, y_pred, reduction):
    keras = keras_or_skip()
    ours = getattr(losses, name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    for weights in (None, RNG.uniform(0, 2, size=(6, 5)).astype("float32")):
        expected = to_numpy(theirs(y_true, y_pred, sample_weight=weights))
        result = np.asarray(ours(y_true, y_pred, sample_weight=weights))
        np.testing.assert_allclose(result, expected, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ["mean_squared_error", "huber", "log_cosh", "kl_divergence",
                                  "categorical_hinge", "binary_crossentropy"])
def test_loss_functions_match_keras(name):
    keras = keras_or_skip()
    y_true = _softmax(REAL_T[0])
    y_pred = _softmax(REAL_P[0])
    expected = to_numpy(getattr(keras.losses, name)(y_true, y_pred))
    np.testing.assert_allclose(np.asarray(getattr(losses, name)(y_true, y_pred)), expected,
                               rtol=2e-5, atol=2e-6)
