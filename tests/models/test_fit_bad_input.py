"""fit() and evaluate() on bad input: a ValueError naming the argument, raised before any
weight changes."""

from __future__ import annotations

import numpy as np
import pytest
from training_fixtures import cycled_batches, regression_data, two_layer_model

from gpulayers import optimizers


def _unchanged(model, before):
    return all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def _trainable():
    model = two_layer_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    return model, [w.copy() for w in model.get_weights()]


def test_x_and_y_of_different_lengths_raise_naming_the_sizes():
    model, before = _trainable()
    x, y = regression_data(12)
    with pytest.raises(ValueError, match=r"12.*10|10.*12"):
        model.fit(x, y[:10], verbose=0)
    assert _unchanged(model, before)


@pytest.mark.parametrize("loss, labels", [
    ("sparse_categorical_crossentropy", np.eye(2, dtype="float32")[[0, 1, 1, 0]]),
    ("categorical_crossentropy", np.eye(3, dtype="float32")[[0, 1, 2, 0]]),
    ("mse", np.zeros((4, 3), "float32")),
], ids=["sparse_with_one_hot", "one_hot_wrong_width", "mse_shape_mismatch"])
def test_labels_of_the_wrong_shape_for_the_loss_raise_before_any_update(loss, labels):
    model = two_layer_model(activation="softmax")
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss=loss)
    before = [w.copy() for w in model.get_weights()]
    x, _ = regression_data(4)
    with pytest.raises(ValueError, match="shape"):
        model.fit(x, labels, verbose=0)
    assert _unchanged(model, before)


def test_targets_missing_for_a_compiled_loss_raise_instead_of_a_zero_loss():
    model, before = _trainable()
    x, _ = regression_data(12)
    with pytest.raises(ValueError, match=r"no targets; pass `y` to fit\(\)"):
        model.fit(x, verbose=0)
    with pytest.raises(ValueError, match=r"no targets; pass `y` to evaluate\(\)"):
        model.evaluate(x, verbose=0)
    assert _unchanged(model, before)


@pytest.mark.parametrize("argument, value, match", [
    ("epochs", "3", "fit: `epochs` must be a non-negative integer"),
    ("epochs", -1, "fit: `epochs` must be a non-negative integer"),
    ("epochs", 2.0, "fit: `epochs` must be a non-negative integer"),
    ("epochs", True, "fit: `epochs` must be a non-negative integer"),
    ("initial_epoch", -1, "fit: `initial_epoch` must be a non-negative integer"),
    ("validation_freq", 0, "fit: `validation_freq` must be a positive integer"),
    ("validation_split", 1.5, "validation_split"),
    ("validation_split", 1.0, "validation_split"),
    ("validation_split", -0.2, "validation_split"),
    ("batch_size", 0, "batch_size"),
    ("batch_size", -3, "batch_size"),
    ("batch_size", 2.5, "batch_size"),
])
def test_bad_fit_arguments_raise_naming_them_before_any_update(argument, value, match):
    model, before = _trainable()
    x, y = regression_data(12)
    with pytest.raises(ValueError, match=match):
        model.fit(x, y, verbose=0, **{argument: value})
    assert _unchanged(model, before)


def test_validation_split_with_a_generator_raises():
    model, before = _trainable()
    x, y = regression_data(12)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(cycled_batches(x, y, 4), steps_per_epoch=2, validation_split=0.2, verbose=0)
    assert _unchanged(model, before)
