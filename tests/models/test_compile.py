"""compile(): optimizers, losses and metrics by name or object, per-output losses and metrics,
log key names (Keras 3: the string the user gave), weighted_metrics, masks, regularization.

Expected values are written out with NumPy from the fixed weights in training_fixtures (or from
a "frozen" model whose prediction is a known constant); log names follow Keras 3.15
(keras/src/trainers/compile_utils.py: ``get_metric`` names a metric after the user's string,
multi-output keys are ``<output>_<name>``, per-output losses ``<output>_loss``).
"""

from __future__ import annotations

import numpy as np
import pytest
from training_fixtures import (
    frozen_model,
    regression_data,
    two_layer_model,
    two_output_forward,
    two_output_model,
)

from gpulayers import initializers, losses, metrics, ops, optimizers, regularizers
from gpulayers.layers import ActivityRegularization, Dense, Embedding, Input, Masking
from gpulayers.models import Sequential


def _x_y(count=6):
    return regression_data(count)


# -- optimizer, loss and metric identifiers --------------------------------------------------


@pytest.mark.parametrize("name, cls", [("sgd", optimizers.SGD), ("adam", optimizers.Adam),
                                       ("RMSprop", optimizers.RMSprop)])
def test_optimizer_by_name_builds_that_optimizer(name, cls):
    model = two_layer_model()
    model.compile(optimizer=name, loss="mse")
    assert isinstance(model.optimizer, cls)


def test_optimizer_instance_is_used_as_given():
    optimizer = optimizers.SGD(learning_rate=0.05)
    model = two_layer_model()
    model.compile(optimizer=optimizer, loss="mse")
    assert model.optimizer is optimizer


def _squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


@pytest.mark.parametrize("loss", ["mse", "mean_squared_error", losses.MeanSquaredError(),
                                  losses.mean_squared_error, _squared_error],
                         ids=["short", "long", "object", "function", "custom"])
def test_loss_by_name_object_or_function_gives_the_mse(loss):
    x, y = _x_y()
    model = frozen_model(units=2, bias=0.5, loss=loss)
    # frozen model: prediction 0.5 everywhere.
    assert model.test_on_batch(x, y) == pytest.approx(np.mean((y - 0.5) ** 2), rel=1e-6)


@pytest.mark.parametrize("bad", [dict(optimizer="no_such_optimizer"),
                                 dict(loss="no_such_loss"),
                                 dict(metrics=["no_such_metric"]),
                                 dict(weighted_metrics=["no_such_weighted"])])
def test_unknown_names_raise_value_error_naming_them_before_any_update(bad):
    x, y = _x_y()
    model = two_layer_model()
    before = [w.copy() for w in model.get_weights()]
    arguments = {"optimizer": "sgd", "loss": "mse", **bad}
    bad_name = next(v if isinstance(v, str) else v[0] for v in bad.values())
    with pytest.raises(ValueError, match=bad_name):
        model.compile(**arguments)
        model.fit(x, y, epochs=1, verbose=0)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_training_methods_before_compile_raise_a_clear_error(method):
    # Keras 3: ValueError("You must call `compile()` before using the model.")
    x, y = _x_y()
    model = two_layer_model()
    with pytest.raises(ValueError, match="compile"):
        getattr(model, method)(x, y)


# -- several outputs -------------------------------------------------------------------------


def _two_output_targets(x):
    return np.full((len(x), 2), 0.3, "float32"), (x[:, :1] > 0).astype("float32")


def _two_output_losses(x):
    pred_a, pred_b = two_output_forward(x.astype(np.float64))
    y_a, y_b = _two_output_targets(x)
    return np.mean((pred_a - y_a) ** 2), np.mean(np.abs(pred_b - y_b))


@pytest.mark.parametrize("loss, weights", [
    (["mse", "mae"], [0.5, 2.0]),
    ({"out_b": "mae", "out_a": "mse"}, {"out_b": 2.0, "out_a": 0.5}),
], ids=["lists", "dicts"])
def test_per_output_losses_are_summed_with_their_weights(loss, weights):
    x, _ = _x_y()
    model = two_output_model()
    model.compile(optimizer="sgd", loss=loss, loss_weights=weights)
    logs = model.test_on_batch(x, list(_two_output_targets(x)), return_dict=True)
    mse_a, mae_b = _two_output_losses(x)
    assert logs["loss"] == pytest.approx(0.5 * mse_a + 2.0 * mae_b, rel=1e-5)
    # The per-output entries are the unweighted losses.
    assert logs["out_a_loss"] == pytest.approx(mse_a, rel=1e-5)
    assert logs["out_b_loss"] == pytest.approx(mae_b, rel=1e-5)


def test_one_loss_serves_every_output():
    x, _ = _x_y()
    model = two_output_model()
    model.compile(optimizer="sgd", loss="mse")
    pred_a, pred_b = two_output_forward(x.astype(np.float64))
    y_a, y_b = _two_output_targets(x)
    expected = np.mean((pred_a - y_a) ** 2) + np.mean((pred_b - y_b) ** 2)
    assert model.test_on_batch(x, [y_a, y_b], return_dict=True)["loss"] == pytest.approx(
        expected, rel=1e-5)


@pytest.mark.parametrize("metric_spec", [[["mae"], ["mse", "acc"]],
                                         {"out_b": ["mse", "acc"], "out_a": ["mae"]}],
                         ids=["list_of_lists", "dict"])
def test_per_output_metrics_are_logged_as_output_name_and_metric(metric_spec):
    x, _ = _x_y()
    model = two_output_model()
    model.compile(optimizer="sgd", loss=["mse", "mae"], metrics=metric_spec)
    logs = model.test_on_batch(x, list(_two_output_targets(x)), return_dict=True)
    assert sorted(logs) == ["loss", "out_a_loss", "out_a_mae", "out_b_acc", "out_b_loss",
                            "out_b_mse"]
    pred_a, pred_b = two_output_forward(x.astype(np.float64))
    y_a, y_b = _two_output_targets(x)
    assert logs["out_a_mae"] == pytest.approx(np.mean(np.abs(pred_a - y_a)), rel=1e-5)
    assert logs["out_b_mse"] == pytest.approx(np.mean((pred_b - y_b) ** 2), rel=1e-5)
    # 'acc' with one output unit is binary accuracy (threshold 0.5).
    assert logs["out_b_acc"] == pytest.approx(np.mean((pred_b > 0.5) == (y_b == 1)))


# -- log names -------------------------------------------------------------------------------


def _custom_metric(y_true, y_pred):
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


@pytest.mark.parametrize("given, key", [
    ("acc", "acc"), ("accuracy", "accuracy"), ("mse", "mse"), ("mae", "mae"),
    ("mean_absolute_error", "mean_absolute_error"),
    (metrics.MeanAbsoluteError(), "mean_absolute_error"),
    (metrics.MeanAbsoluteError(name="my_mae"), "my_mae"),
    (_custom_metric, "_custom_metric"),
])
def test_metric_log_key_is_the_string_the_user_gave(given, key):
    x, y = _x_y()
    model = frozen_model(units=2, bias=0.5, metrics=[given])
    # Keras 3 logs come with sorted keys (its tree utilities sort dicts)
    assert list(model.test_on_batch(x, y, return_dict=True)) == sorted(["loss", key])


@pytest.mark.parametrize("units, bias, labels, expected", [
    # one unit -> binary crossentropy: -(y log p + (1 - y) log(1 - p)), p = 0.3
    (1, [0.3], np.array([[1.0], [0.0], [1.0]]),
     -np.mean([np.log(0.3), np.log(0.7), np.log(0.3)])),
    # integer labels -> sparse categorical crossentropy: -log p[label]
    (3, [0.2, 0.3, 0.5], np.array([0, 2, 2]), -np.mean(np.log([0.2, 0.5, 0.5]))),
    # one-hot labels -> categorical crossentropy
    (3, [0.2, 0.3, 0.5], np.eye(3)[[1, 1, 0]], -np.mean(np.log([0.3, 0.3, 0.2]))),
], ids=["binary", "sparse", "categorical"])
def test_crossentropy_alias_resolves_from_label_and_output_shapes(units, bias, labels,
                                                                   expected):
    model = frozen_model(units=units, loss="crossentropy")
    model.layers[0].set_weights([np.zeros((3, units), "float32"),
                                 np.array(bias, "float32")])
    x = np.ones((3, 3), "float32")
    assert model.test_on_batch(x, labels.astype("float32")) == pytest.approx(expected,
                                                                             rel=1e-5)


# -- sample weights and masks ----------------------------------------------------------------


def test_sample_weight_reaches_loss_and_weighted_metrics_but_not_plain_metrics():
    x, y = _x_y()
    weights = np.array([0.0, 1.0, 2.0, 0.5, 3.0, 1.0], "float32")
    model = frozen_model(units=2, metrics=["mae"], weighted_metrics=["mae"])
    logs = model.test_on_batch(x, y, sample_weight=weights, return_dict=True)
    per_sample_mse, per_sample_mae = np.mean(y ** 2, axis=1), np.mean(np.abs(y), axis=1)
    # Loss: 'sum_over_batch_size' reduction -> sum(w * loss) / batch size.
    assert logs["loss"] == pytest.approx(np.sum(weights * per_sample_mse) / len(x), rel=1e-5)
    assert logs["mae"] == pytest.approx(np.mean(per_sample_mae), rel=1e-5)
    # Weighted metric: a weighted mean, sum(w * value) / sum(w).
    assert logs["weighted_mae"] == pytest.approx(
        np.sum(weights * per_sample_mae) / np.sum(weights), rel=1e-5)


def _masked_model(front):
    # zero kernel, bias 0.5: the prediction is 0.5 at every step
    model = Sequential([*front, Dense(1, kernel_initializer="zeros",
                                      bias_initializer=initializers.Constant(0.5))])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mae"])
    return model


def _masking_case():
    x = np.ones((3, 4, 2), "float32")
    x[0, 2:] = 0.0  # masked: sample 0 steps 2, 3 and sample 2 step 1
    x[2, 1] = 0.0
    return [Input((4, 2)), Masking(0.0)], x, np.any(x != 0, axis=-1)


def _embedding_case():
    tokens = np.array([[1, 2, 0, 0], [3, 1, 4, 2], [2, 0, 1, 1]])
    return [Input((4,)), Embedding(5, 2, mask_zero=True)], tokens, tokens != 0


@pytest.mark.parametrize("case", [_masking_case, _embedding_case],
                         ids=["Masking", "Embedding_mask_zero"])
def test_loss_and_metrics_skip_masked_timesteps(case):
    front, x, mask = case()
    model = _masked_model(front)
    y = np.arange(12, dtype="float32").reshape(3, 4, 1) / 4
    logs = model.test_on_batch(x, y, return_dict=True)
    error = (y[..., 0] - 0.5)[mask]  # Keras: means over the unmasked steps only
    assert logs["loss"] == pytest.approx(np.mean(error ** 2), rel=1e-5)
    assert logs["mae"] == pytest.approx(np.mean(np.abs(error)), rel=1e-5)


# -- regularization --------------------------------------------------------------------------


def test_kernel_regularizer_penalty_is_added_to_the_loss():
    x, y = _x_y()
    model = Sequential([Input((3,)), Dense(2, kernel_regularizer=regularizers.L2(0.1))])
    kernel = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "float32")
    model.set_weights([kernel, np.zeros(2, "float32")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    penalty = 0.1 * np.sum(kernel.astype(np.float64) ** 2)  # Keras L2: l2 * sum(w ** 2)
    mse = np.mean((x @ kernel - y) ** 2)
    assert model.test_on_batch(x, y) == pytest.approx(mse + penalty, rel=1e-5)
    assert model.train_on_batch(x, y) == pytest.approx(mse + penalty, rel=1e-5)
    assert len(model.losses) == 1
    assert float(np.asarray(model.losses[0])) == pytest.approx(penalty, rel=1e-5)


def test_activity_regularization_penalty_is_added_to_the_loss():
    x, y = _x_y()
    model = Sequential([Input((3,)), Dense(2, kernel_initializer="ones"),
                        ActivityRegularization(l2=0.1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    out = x.astype(np.float64) @ np.ones((3, 2))
    # Keras: (l2 * sum(out ** 2)) / batch size.
    expected = np.mean((out - y) ** 2) + 0.1 * np.sum(out ** 2) / len(x)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert model.train_on_batch(x, y) == pytest.approx(expected, rel=1e-5)
