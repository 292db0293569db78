"""BinaryFocalCrossentropy and CategoricalFocalCrossentropy: NumPy formulas, Keras 3 parity,
gradients, configs, string lookup and argument errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import losses
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(5)
EPS = 1e-7


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_binary_focal(y, p, balance=False, alpha=0.25, gamma=2.0, logits=False, smoothing=0.0,
                     axis=-1):
    y = np.asarray(y, "float64") * (1 - smoothing) + 0.5 * smoothing
    p = np.asarray(p, "float64")
    p = _sigmoid(p) if logits else p
    q = np.clip(p, EPS, 1 - EPS)
    bce = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    p_t = y * p + (1 - y) * (1 - p)
    value = (1 - p_t) ** gamma * bce
    if balance:
        value = (y * alpha + (1 - y) * (1 - alpha)) * value
    return value.mean(axis=axis)


def _np_categorical_focal(y, p, alpha=0.25, gamma=2.0, logits=False, smoothing=0.0, axis=-1):
    y = np.asarray(y, "float64")
    if smoothing:
        y = y * (1 - smoothing) + smoothing / y.shape[-1]
    p = np.asarray(p, "float64")
    p = _softmax(p, axis) if logits else p
    p = np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS)
    return np.sum(np.asarray(alpha) * (1 - p) ** gamma * -y * np.log(p), axis=axis)


BITS = (RNG.random((4, 3, 5)) > 0.5).astype("float32")
PROBS = RNG.uniform(0.02, 0.98, size=(4, 3, 5)).astype("float32")
LOGITS = RNG.normal(scale=2.0, size=(4, 3, 5)).astype("float32")
ONE_HOT = np.eye(5, dtype="float32")[RNG.integers(0, 5, size=(4, 3))]
SOFT = _softmax(LOGITS).astype("float32")


def test_binary_focal_hand_values():
    y, p = [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]
    result = np.asarray(losses.binary_focal_crossentropy(y, p, gamma=2.0))
    np.testing.assert_allclose(result, [0.330, 0.206], atol=1e-3)
    np.testing.assert_allclose(result, _np_binary_focal(y, p), rtol=1e-5)
    # gamma = 0 is the plain binary crossentropy.
    plain = np.asarray(losses.binary_focal_crossentropy(y, p, gamma=0.0))
    np.testing.assert_allclose(plain, np.asarray(losses.binary_crossentropy(y, p)), rtol=1e-5)
    loss = losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=5.0,
                                          from_logits=True, reduction=None)
    got = np.asarray(loss([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]))
    np.testing.assert_allclose(got, [0.0004, 0.8670], atol=1e-4)


def test_categorical_focal_hand_values():
    y, p = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    np.testing.assert_allclose(np.asarray(losses.CategoricalFocalCrossentropy()(y, p)),
                               0.23315276, rtol=1e-5)
    np.testing.assert_allclose(
        np.asarray(losses.CategoricalFocalCrossentropy()(y, p, sample_weight=[0.3, 0.7])),
        0.1632, atol=1e-4)
    none = losses.CategoricalFocalCrossentropy(reduction=None)(y, p)
    np.testing.assert_allclose(np.asarray(none), _np_categorical_focal(y, p), rtol=1e-5)
    per_class = losses.categorical_focal_crossentropy(y, p, alpha=[0.2, 0.5, 0.3], gamma=1.0)
    np.testing.assert_allclose(np.asarray(per_class),
                               _np_categorical_focal(y, p, alpha=[0.2, 0.5, 0.3], gamma=1.0),
                               rtol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"apply_class_balancing": True, "alpha": 0.4},
                                    {"gamma": 0.5, "label_smoothing": 0.2},
                                    {"from_logits": True, "gamma": 3.0}, {"axis": 1}])
def test_binary_focal_matches_numpy(kwargs):
    inputs = LOGITS if kwargs.get("from_logits") else PROBS
    ours = np.asarray(losses.binary_focal_crossentropy(BITS, inputs, **kwargs))
    theirs = _np_binary_focal(
        BITS, inputs, balance=kwargs.get("apply_class_balancing", False),
        alpha=kwargs.get("alpha", 0.25), gamma=kwargs.get("gamma", 2.0),
        logits=kwargs.get("from_logits", False), smoothing=kwargs.get("label_smoothing", 0.0),
        axis=kwargs.get("axis", -1))
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("kwargs", [{}, {"alpha": [0.1, 0.2, 0.3, 0.2, 0.2], "gamma": 1.5},
                                    {"label_smoothing": 0.1}, {"from_logits": True}])
def test_categorical_focal_matches_numpy(kwargs):
    inputs = LOGITS if kwargs.get("from_logits") else SOFT
    ours = np.asarray(losses.categorical_focal_crossentropy(ONE_HOT, inputs, **kwargs))
    theirs = _np_categorical_focal(
        ONE_HOT, inputs, alpha=kwargs.get("alpha", 0.25), gamma=kwargs.get("gamma", 2.0),
        logits=kwargs.get("from_logits", False), smoothing=kwargs.get("label_smoothing", 0.0))
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-7)


CASES = [
    ("BinaryFocalCrossentropy", {}, BITS, PROBS),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.0,
                                 "from_logits": True, "label_smoothing": 0.1}, BITS, LOGITS),
    ("CategoricalFocalCrossentropy", {}, ONE_HOT, SOFT),
    ("CategoricalFocalCrossentropy", {"alpha": [0.1, 0.2, 0.3, 0.2, 0.2], "gamma": 3.0,
                                      "from_logits": True, "label_smoothing": 0.05},
     ONE_HOT, LOGITS),
]


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred"), CASES)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_focal_losses_match_keras(name, kwargs, y_true, y_pred, reduction):
    keras = keras_or_skip()
    ours = getattr(losses, name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    for weights in (None, RNG.uniform(0, 2, size=(4, 3)).astype("float32")):
        expected = to_numpy(theirs(y_true, y_pred, sample_weight=weights))
        result = np.asarray(ours(y_true, y_pred, sample_weight=weights))
        np.testing.assert_allclose(result, expected, rtol=2e-5, atol=2e-6)
    assert ours.get_config() == theirs.get_config()


def test_focal_functions_match_keras():
    keras = keras_or_skip()
    np.testing.assert_allclose(
        np.asarray(losses.binary_focal_crossentropy(BITS, PROBS, gamma=1.5, axis=1)),
        to_numpy(keras.losses.binary_focal_crossentropy(BITS, PROBS, gamma=1.5, axis=1)),
        rtol=2e-5, atol=1e-7)
    np.testing.assert_allclose(
        np.asarray(losses.categorical_focal_crossentropy(ONE_HOT, LOGITS, from_logits=True)),
        to_numpy(keras.losses.categorical_focal_crossentropy(ONE_HOT, LOGITS,
                                                             from_logits=True)),
        rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("kwargs", [{}, {"apply_class_balancing": True, "gamma": 3.0},
                                    {"from_logits": True, "label_smoothing": 0.1}])
def test_binary_focal_gradients(kwargs):
    inputs = LOGITS[:2] if kwargs.get("from_logits") else PROBS[:2]
    loss = losses.BinaryFocalCrossentropy(dtype="float64", **kwargs)
    check_gradients(lambda y, p: loss(y, p), [BITS[:2], inputs], wrt=[1])


@pytest.mark.parametrize("kwargs", [{}, {"alpha": [0.1, 0.2, 0.3, 0.2, 0.2], "gamma": 1.5},
                                    {"from_logits": True, "label_smoothing": 0.1}])
def test_categorical_focal_gradients(kwargs):
    inputs = LOGITS[:2] if kwargs.get("from_logits") else SOFT[:2]
    loss = losses.CategoricalFocalCrossentropy(dtype="float64", **kwargs)
    check_gradients(lambda y, p: loss(y, p), [ONE_HOT[:2], inputs], wrt=[1])


@pytest.mark.parametrize("loss", [
    losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=3.0,
                                   from_logits=True, label_smoothing=0.1, axis=1,
                                   reduction="sum", name="bfc"),
    losses.CategoricalFocalCrossentropy(alpha=[0.2, 0.8], gamma=1.0, label_smoothing=0.1,
                                        reduction=None, name="cfc"),
])
def test_focal_config_round_trip(loss):
    rebuilt = losses.deserialize(losses.serialize(loss))
    assert type(rebuilt) is type(loss)
    assert rebuilt.get_config() == loss.get_config()
    assert type(loss).from_config(loss.get_config()).get_config() == loss.get_config()
    y, p = [[0.0, 1.0], [1.0, 0.0]], [[0.3, 0.7], [0.6, 0.4]]
    np.testing.assert_allclose(np.asarray(rebuilt(y, p)), np.asarray(loss(y, p)))


def test_focal_string_lookup():
    assert losses.get("binary_focal_crossentropy") is losses.binary_focal_crossentropy
    assert losses.get("categorical_focal_crossentropy") is losses.categorical_focal_crossentropy
    assert isinstance(losses.get("BinaryFocalCrossentropy"), losses.BinaryFocalCrossentropy)
    assert isinstance(losses.get("CategoricalFocalCrossentropy"),
                      losses.CategoricalFocalCrossentropy)
    function = losses.deserialize(losses.serialize(losses.binary_focal_crossentropy))
    assert function is losses.binary_focal_crossentropy


@pytest.mark.parametrize(("cls", "kwargs"), [
    (losses.BinaryFocalCrossentropy, {"alpha": 1.5}),
    (losses.BinaryFocalCrossentropy, {"gamma": -1.0}),
    (losses.BinaryFocalCrossentropy, {"label_smoothing": 2.0}),
    (losses.BinaryFocalCrossentropy, {"reduction": "avg"}),
    (losses.CategoricalFocalCrossentropy, {"gamma": "two"}),
    (losses.CategoricalFocalCrossentropy, {"alpha": ["a", "b"]}),
    (losses.CategoricalFocalCrossentropy, {"axis": True}),
    (losses.CategoricalFocalCrossentropy, {"label_smoothing": -0.1}),
])
def test_focal_bad_arguments(cls, kwargs):
    with pytest.raises(ValueError, match=cls.__name__):
        cls(**kwargs)


def test_categorical_focal_warns_for_one_class_and_rejects_bool_axis():
    with pytest.warns(SyntaxWarning, match="num_classes > 1"):
        losses.categorical_focal_crossentropy([[1.0]], [[0.7]])
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_focal_crossentropy([[1.0, 0.0]], [[0.7, 0.3]], axis=True)
