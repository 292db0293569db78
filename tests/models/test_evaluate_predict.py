"""evaluate / predict and the *_on_batch methods: return forms (Keras 3), batching, steps,
generators, the training flag (Dropout, BatchNormalization) and bad input.

Expected values come from NumPy forward passes over the fixed weights in training_fixtures;
return forms follow Keras 3.15 (a lone loss is a scalar, else a list in the order loss,
compiled metrics, per-output losses, then the other keys sorted; a dict with return_dict).
"""

from __future__ import annotations

import numpy as np
import pytest
from training_fixtures import (
    FIXED_WEIGHTS,
    forward,
    frozen_model,
    regression_data,
    two_layer_model,
    two_output_forward,
    two_output_model,
)

from gpulayers import optimizers
from gpulayers.layers import BatchNormalization, Dense, Dropout, Input, Layer
from gpulayers.models import Sequential

X, Y = regression_data(10)
PRED = forward(X.astype(np.float64))
MSE, MAE = float(np.mean((PRED - Y) ** 2)), float(np.mean(np.abs(PRED - Y)))


def _compiled(metrics=None):
    model = two_layer_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse", metrics=metrics)
    return model


# -- return forms ----------------------------------------------------------------------------


def test_evaluate_without_metrics_returns_the_loss_as_a_float():
    result = _compiled().evaluate(X, Y, batch_size=4, verbose=0)
    assert isinstance(result, float)
    assert result == pytest.approx(MSE, rel=1e-5)


def test_evaluate_with_metrics_returns_a_list_in_keras_order():
    result = _compiled(["mae", "mse"]).evaluate(X, Y, batch_size=4, verbose=0)
    np.testing.assert_allclose(result, [MSE, MAE, MSE], rtol=1e-5)


def test_evaluate_return_dict_names_every_value():
    result = _compiled(["mae"]).evaluate(X, Y, batch_size=3, verbose=0, return_dict=True)
    assert result == {"loss": pytest.approx(MSE, rel=1e-5), "mae": pytest.approx(MAE, rel=1e-5)}


def test_evaluate_two_outputs_lists_loss_then_output_losses_then_sorted_metrics():
    model = two_output_model()
    model.compile(optimizer="sgd", loss=["mse", "mae"], metrics=[["mse"], ["mae"]])
    pred_a, pred_b = two_output_forward(X.astype(np.float64))
    y_a, y_b = np.zeros_like(pred_a), np.ones_like(pred_b)
    mse_a, mae_b = np.mean(pred_a ** 2), np.mean(np.abs(pred_b - 1))
    # Keras: [loss, out_a_loss, out_b_loss, out_a_mse, out_b_mae]
    np.testing.assert_allclose(model.evaluate(X, [y_a, y_b], verbose=0),
                               [mse_a + mae_b, mse_a, mae_b, mse_a, mae_b], rtol=1e-5)


def test_evaluate_steps_with_arrays_uses_only_the_first_batches():
    model = frozen_model()
    y = np.arange(8, dtype="float32").reshape(8, 1)
    # Keras 3: steps=1 -> the first batch (rows 0-3) only.
    assert model.evaluate(np.ones((8, 3)), y, batch_size=4, steps=1, verbose=0) == (
        pytest.approx(np.mean(y[:4] ** 2)))


def test_on_batch_methods_return_like_keras():
    plain, with_metric = _compiled(), _compiled(["mae"])
    # train_on_batch reports the loss of the forward pass before its update.
    assert plain.train_on_batch(X, Y) == pytest.approx(MSE, rel=1e-5)
    assert isinstance(plain.test_on_batch(X, Y), float)
    np.testing.assert_allclose(with_metric.test_on_batch(X, Y), [MSE, MAE], rtol=1e-5)
    assert with_metric.train_on_batch(X, Y, return_dict=True) == {
        "loss": pytest.approx(MSE, rel=1e-5), "mae": pytest.approx(MAE, rel=1e-5)}
    prediction = two_layer_model().predict_on_batch(X)
    assert isinstance(prediction, np.ndarray)
    np.testing.assert_allclose(prediction, PRED, rtol=1e-5, atol=1e-6)


def test_on_batch_metrics_cover_only_that_batch():
    model = _compiled(["mae"])
    model.test_on_batch(X[:4] + 100.0, Y[:4])  # a very different earlier batch
    expected_mae = np.mean(np.abs(PRED[4:] - Y[4:]))
    assert model.test_on_batch(X[4:], Y[4:], return_dict=True)["mae"] == pytest.approx(
        expected_mae, rel=1e-5)


# -- predict ---------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 3, 4, 100])
def test_predict_returns_numpy_rows_in_order_for_any_batch_size(batch_size):
    result = two_layer_model().predict(X, batch_size=batch_size, verbose=0)
    assert isinstance(result, np.ndarray) and result.shape == (10, 2)
    np.testing.assert_allclose(result, PRED, rtol=1e-5, atol=1e-6)


def test_predict_two_outputs_returns_a_list_of_arrays():
    result = two_output_model().predict(X, batch_size=4, verbose=0)
    expected = two_output_forward(X.astype(np.float64))
    assert isinstance(result, list) and [r.shape for r in result] == [(10, 2), (10, 1)]
    for got, want in zip(result, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_predict_on_a_generator_of_x_batches():
    batches = (X[start:start + 4] for start in range(0, 10, 4))
    np.testing.assert_allclose(two_layer_model().predict(batches, verbose=0), PRED, rtol=1e-5,
                               atol=1e-6)
    tuples = [(X[:6],), (X[6:],)]
    np.testing.assert_allclose(two_layer_model().predict(iter(tuples), verbose=0), PRED,
                               rtol=1e-5, atol=1e-6)


def test_predict_steps_limits_the_batches():
    result = two_layer_model().predict(X, batch_size=4, steps=2, verbose=0)
    np.testing.assert_allclose(result, PRED[:8], rtol=1e-5, atol=1e-6)


def test_predict_on_the_wrong_feature_count_names_layer_and_shapes():
    with pytest.raises(ValueError, match="hidden|two_layer") as error:
        two_layer_model().predict(np.ones((4, 5), "float32"), verbose=0)
    assert "3" in str(error.value) and "5" in str(error.value)


# -- the training flag -----------------------------------------------------------------------


class _TrainingSpy(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


@pytest.mark.parametrize("method, expected", [
    ("fit", True), ("train_on_batch", True), ("evaluate", False), ("test_on_batch", False),
    ("predict", False), ("predict_on_batch", False)])
def test_training_flag_is_true_only_when_training(method, expected):
    spy = _TrainingSpy()
    model = Sequential([Input((3,)), spy, Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    spy.seen.clear()
    arguments = (X,) if method.startswith("predict") else (X, Y)
    kwargs = {} if method.endswith("on_batch") else {"verbose": 0}
    getattr(model, method)(*arguments, **kwargs)
    assert spy.seen and set(spy.seen) == {expected}


def _dropout_model():
    model = Sequential([Input((3,)), Dense(4, activation="tanh", name="hidden"),
                        Dropout(0.999), Dense(2, name="head")])
    model.set_weights([w.astype("float32") for w in FIXED_WEIGHTS])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    return model


def test_dropout_is_active_in_fit_and_off_in_evaluate_and_predict():
    model = _dropout_model()
    np.testing.assert_allclose(model.predict(X, verbose=0), PRED, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict(X, verbose=0), model.predict(X, verbose=0))
    assert model.evaluate(X, Y, verbose=0) == pytest.approx(MSE, rel=1e-5)
    fit_loss = model.fit(X, Y, batch_size=10, verbose=0).history["loss"][0]
    assert fit_loss != pytest.approx(MSE, rel=1e-3)


def test_batch_normalization_moving_statistics_update_in_training_only():
    momentum, epsilon = 0.8, 1e-3
    model = Sequential([Input((2,)), BatchNormalization(momentum=momentum, epsilon=epsilon)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    x = np.array([[1.0, -2.0], [3.0, 0.0], [2.0, 5.0], [6.0, 1.0]], "float32")
    y = np.zeros_like(x)
    mean, variance = x.mean(axis=0), x.var(axis=0)  # Keras: biased batch variance
    normalized = (x - mean) / np.sqrt(variance + epsilon)
    # In training the batch statistics normalize (gamma 1, beta 0).
    assert model.train_on_batch(x, y) == pytest.approx(np.mean(normalized ** 2), rel=1e-5)
    layer = model.layers[0]
    moving_mean = momentum * 0.0 + (1 - momentum) * mean
    moving_variance = momentum * 1.0 + (1 - momentum) * variance
    np.testing.assert_allclose(np.asarray(layer.moving_mean), moving_mean, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(layer.moving_variance), moving_variance, rtol=1e-5)
    # Inference uses the moving statistics and leaves them alone.
    expected = (x - moving_mean) / np.sqrt(moving_variance + epsilon)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(np.mean(expected ** 2), rel=1e-5)
    np.testing.assert_allclose(np.asarray(layer.moving_mean), moving_mean, rtol=1e-5)
