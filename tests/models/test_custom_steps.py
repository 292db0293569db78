"""Customizing fit the Keras 3 way: train_step(data), compute_loss, compute_metrics, metrics."""

import numpy as np
import pytest

import gpulayers as gl
from gpulayers import layers, metrics, ops
from gpulayers.models import Model, Sequential
from gpulayers.models.step_data import (
    logs_to_floats,
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)

X = np.linspace(-1.0, 1.0, 24, dtype="float32").reshape(12, 2)
Y = (X @ np.array([[2.0], [-1.0]], "float32") + 0.5).astype("float32")


class HandWrittenStep(Model):
    """The Keras guide's model: its own loss tracker and MAE metric, listed in `metrics`."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1, kernel_initializer="zeros")
        self.loss_tracker = metrics.Mean(name="loss")
        self.mae_metric = metrics.MeanAbsoluteError(name="mae")

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        with gl.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = ops.mean((y_pred - y) ** 2)
        self.optimizer.apply(tape.gradient(loss, self.trainable_weights), self.trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_a_custom_train_step_drives_fit_and_its_metrics_reset_each_epoch():
    model = HandWrittenStep()
    model.compile(optimizer=gl.optimizers.SGD(learning_rate=0.1))
    history = model.fit(X, Y, batch_size=12, epochs=2, shuffle=False, verbose=0)
    # One batch per epoch: epoch 1 sees the zero model, so its loss is mean(Y**2) and its
    # MAE mean(|Y|); reset_metrics() between epochs means epoch 2 reports only its own batch.
    np.testing.assert_allclose(history.history["loss"][0], np.mean(Y ** 2), rtol=1e-6)
    np.testing.assert_allclose(history.history["mae"][0], np.mean(np.abs(Y)), rtol=1e-6)
    grad_w = 2 * X.T @ (0 - Y) / len(X)
    grad_b = 2 * np.mean(0 - Y)
    prediction = X @ (-0.1 * grad_w) - 0.1 * grad_b
    np.testing.assert_allclose(history.history["loss"][1], np.mean((prediction - Y) ** 2),
                               rtol=1e-5)


def test_compute_loss_adds_regularization_to_the_compiled_loss():
    model = Sequential([layers.Input((2,)),
                        layers.Dense(1, kernel_initializer="ones",
                                     kernel_regularizer=gl.regularizers.L2(0.5))])
    model.compile(optimizer="sgd", loss="mse")
    y_pred = model(X)
    loss = model.compute_loss(X, Y, y_pred)
    expected = np.mean((X.sum(axis=1, keepdims=True) - Y) ** 2) + 0.5 * 2.0  # 0.5 * sum(1**2)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-6)


def test_compute_loss_without_any_loss_is_zero_and_train_step_refuses_it():
    model = Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd")
    assert float(model.compute_loss(X, Y, model(X))) == 0.0
    with pytest.raises(ValueError, match="no loss to minimize"):
        model.train_on_batch(X, Y)


def test_model_metrics_lists_the_loss_the_compiled_metrics_and_tracked_metric_attributes():
    class WithExtraMetric(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.seen = metrics.Sum(name="seen")

        def call(self, x):
            return self.dense(x)

    model = WithExtraMetric()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.metrics_names == ["loss", "compile_metrics", "seen"]
    assert [m.name for m in model.metrics[1].metrics] == ["mae"]
    model.seen.update_state(3.0)
    model.reset_metrics()
    assert float(model.seen.result()) == 0.0


def test_compute_metrics_returns_every_result_by_log_name():
    model = Sequential([layers.Input((2,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae", "mse"])
    logs = model.compute_metrics(X, Y, model(X))
    assert list(logs) == ["loss", "mae", "mse"]
    np.testing.assert_allclose(float(logs["mae"]), np.mean(np.abs(Y)), rtol=1e-6)
    np.testing.assert_allclose(float(logs["mse"]), np.mean(Y ** 2), rtol=1e-6)


def test_batches_are_packed_and_unpacked_as_keras_does():
    assert pack_x_y_sample_weight("x") == "x"
    assert pack_x_y_sample_weight(["a", "b"]) == (["a", "b"],)
    assert pack_x_y_sample_weight("x", "y") == ("x", "y")
    assert pack_x_y_sample_weight("x", "y", "w") == ("x", "y", "w")
    assert unpack_x_y_sample_weight("x") == ("x", None, None)
    assert unpack_x_y_sample_weight((["a", "b"],)) == (["a", "b"], None, None)
    assert unpack_x_y_sample_weight(("x", "y")) == ("x", "y", None)
    with pytest.raises(ValueError, match="tuple of 4 items"):
        unpack_x_y_sample_weight((1, 2, 3, 4))


def test_logs_become_python_floats_flattened_and_sorted_by_key_as_in_keras():
    logs = {"loss": ops.convert_to_tensor(0.25),
            "compile_metrics": {"acc": ops.convert_to_tensor(np.float64(0.5)), "n": 3},
            "vector": ops.convert_to_tensor([1.0, 2.0])}
    floats = logs_to_floats(logs)
    assert list(floats) == ["acc", "loss", "n", "vector"]
    assert floats["loss"] == 0.25 and type(floats["loss"]) is float
    assert floats["acc"] == 0.5 and floats["n"] == 3
    np.testing.assert_array_equal(floats["vector"], [1.0, 2.0])


class TwoHeads(Model):
    """A subclassed model with two outputs: it has no static `outputs` to name them."""

    def __init__(self, as_dict):
        super().__init__()
        self.as_dict = as_dict
        self.value = layers.Dense(1, kernel_initializer="zeros", bias_initializer="ones")
        self.scale = layers.Dense(1, kernel_initializer="zeros")

    def call(self, x):
        value, scale = self.value(x), self.scale(x)
        return {"value": value, "scale": scale} if self.as_dict else [value, scale]


@pytest.mark.parametrize("as_dict", [False, True])
def test_a_subclassed_model_with_several_outputs_takes_a_loss_per_output(as_dict):
    model = TwoHeads(as_dict)
    names = ["value", "scale"] if as_dict else ["output_0", "output_1"]
    losses = dict(zip(names, ["mse", "mae"])) if as_dict else ["mse", "mae"]
    loss_weights = dict(zip(names, [1.0, 2.0])) if as_dict else [1.0, 2.0]
    model.compile(optimizer=gl.optimizers.SGD(0.0), loss=losses, loss_weights=loss_weights)
    targets = [Y, Y]
    logs = model.evaluate(X, dict(zip(names, targets)) if as_dict else targets, verbose=0,
                          return_dict=True)
    # predictions are the constants 1 (value) and 0 (scale)
    mse, mae = np.mean((1.0 - Y) ** 2), np.mean(np.abs(Y))
    assert logs[f"{names[0]}_loss"] == pytest.approx(mse, rel=1e-6)
    assert logs[f"{names[1]}_loss"] == pytest.approx(mae, rel=1e-6)
    assert logs["loss"] == pytest.approx(mse + 2.0 * mae, rel=1e-6)
