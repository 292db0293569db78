"""fit() against training written out by hand, and against Keras 3.

The hand-written reference runs the same forward pass with gpulayers.ops on float64 Variables,
takes gradients with GradientTape and applies the optimizer formulas written out below (not the
library optimizers). The per-epoch loss Keras reports is the mean of the batch losses weighted
by batch size (keras/src/backend/*/trainer.py: ``_loss_tracker.update_state(loss,
sample_weight=<batch size>)``), which with a last partial batch differs from the plain mean of
the batch losses.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from training_fixtures import FIXED_WEIGHTS, forward, regression_data, two_layer_model

import gpulayers as gl
from gpulayers import ops, optimizers

os.environ.setdefault("KERAS_BACKEND", "torch")

LR, MOMENTUM = 0.1, 0.9
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7


def _sgd_momentum(weights, grads, state, step):
    # Keras 3 SGD: m = momentum * m - lr * g; w = w + m.
    state = state or [np.zeros_like(w) for w in weights]
    state = [MOMENTUM * m - LR * g for m, g in zip(state, grads)]
    return [w + m for w, m in zip(weights, state)], state


def _adam(weights, grads, state, step):
    # Keras 3 Adam: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
    # w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps).
    ms, vs = state or ([np.zeros_like(w) for w in weights], [np.zeros_like(w) for w in weights])
    ms = [m + (g - m) * (1 - BETA_1) for m, g in zip(ms, grads)]
    vs = [v + (g * g - v) * (1 - BETA_2) for v, g in zip(vs, grads)]
    alpha = LR * np.sqrt(1 - BETA_2 ** step) / (1 - BETA_1 ** step)
    new = [w - alpha * m / (np.sqrt(v) + EPSILON) for w, m, v in zip(weights, ms, vs)]
    return new, (ms, vs)


def _batch_loss_and_grads(weights, x, y):
    variables = [gl.Variable(w) for w in weights]
    w1, b1, w2, b2 = variables
    with gl.GradientTape() as tape:
        pred = ops.matmul(ops.tanh(ops.matmul(x, w1) + b1), w2) + b2
        loss = ops.mean(ops.square(pred - y))
    grads = tape.gradient(loss, variables)
    return float(np.asarray(loss)), [np.asarray(g, dtype=np.float64) for g in grads]


def _reference_fit(update, x, y, batch_size, epochs):
    """Epoch losses (batch losses weighted by batch size) and final weights."""
    weights = [np.array(w, dtype=np.float64) for w in FIXED_WEIGHTS]
    x, y = x.astype(np.float64), y.astype(np.float64)
    state, step, history = None, 0, []
    for _ in range(epochs):
        losses, sizes = [], []
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            loss, grads = _batch_loss_and_grads(weights, xb, yb)
            step += 1
            weights, state = update(weights, grads, state, step)
            losses.append(loss)
            sizes.append(len(xb))
        history.append(float(np.average(losses, weights=sizes)))
    return history, weights


OPTIMIZERS = {
    "sgd_momentum": (lambda: optimizers.SGD(learning_rate=LR, momentum=MOMENTUM), _sgd_momentum),
    "adam": (lambda: optimizers.Adam(learning_rate=LR, beta_1=BETA_1, beta_2=BETA_2,
                                     epsilon=EPSILON), _adam),
}


@pytest.mark.parametrize("count", [12, 10], ids=["full_batches", "last_partial_batch"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fit_history_and_weights_match_hand_written_training(name, count):
    make_optimizer, update = OPTIMIZERS[name]
    x, y = regression_data(count)
    model = two_layer_model()
    model.compile(optimizer=make_optimizer(), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    expected_history, expected_weights = _reference_fit(update, x, y, batch_size=4, epochs=3)
    np.testing.assert_allclose(history.history["loss"], expected_history, rtol=1e-5)
    for ours, theirs in zip(model.get_weights(), expected_weights):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_evaluate_after_fit_matches_the_hand_trained_weights():
    x, y = regression_data(10)
    model = two_layer_model()
    model.compile(optimizer=optimizers.SGD(learning_rate=LR, momentum=MOMENTUM), loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    _, weights = _reference_fit(_sgd_momentum, x, y, batch_size=4, epochs=2)
    expected = np.mean((forward(x.astype(np.float64), weights) - y) ** 2)
    assert model.evaluate(x, y, batch_size=3, verbose=0) == pytest.approx(expected, rel=1e-5)


# -- Keras 3 -------------------------------------------------------------------------------


def _classification_data():
    x, _ = regression_data(10)
    labels = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1])
    return x, np.eye(2, dtype="float32")[labels]


def _keras_classifier(keras):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(2, activation="softmax")])
    model.set_weights([w.astype("float32") for w in FIXED_WEIGHTS])
    return model


def test_fit_evaluate_predict_match_keras_with_sgd_and_metrics():
    keras = keras_or_skip()
    x, y = _classification_data()
    theirs = _keras_classifier(keras)
    theirs.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5, momentum=0.5),
                   loss="categorical_crossentropy", metrics=["accuracy", "mae"])
    ours = two_layer_model(activation="softmax")
    ours.compile(optimizer=optimizers.SGD(learning_rate=0.5, momentum=0.5),
                 loss="categorical_crossentropy", metrics=["accuracy", "mae"])
    expected = theirs.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    got = ours.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    assert sorted(got) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(ours.evaluate(x, y, batch_size=3, verbose=0),
                               theirs.evaluate(x, y, batch_size=3, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(ours.predict(x, batch_size=3, verbose=0),
                               to_numpy(theirs.predict(x, batch_size=3, verbose=0)),
                               rtol=1e-5, atol=1e-6)


def test_sample_weight_and_weighted_metrics_match_keras():
    keras = keras_or_skip()
    x, y = _classification_data()
    weights = np.linspace(0.2, 2.0, len(x)).astype("float32")
    theirs = _keras_classifier(keras)
    theirs.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="crossentropy",
                   metrics=["mae"], weighted_metrics=["mae"])
    ours = two_layer_model(activation="softmax")
    ours.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="crossentropy",
                 metrics=["mae"], weighted_metrics=["mae"])
    expected = theirs.fit(x, y, sample_weight=weights, batch_size=4, epochs=2, shuffle=False,
                          verbose=0).history
    got = ours.fit(x, y, sample_weight=weights, batch_size=4, epochs=2, shuffle=False,
                   verbose=0).history
    assert sorted(got) == sorted(expected)  # 'mae' and 'weighted_mae'
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)


def test_two_output_evaluate_order_and_keys_match_keras():
    keras = keras_or_skip()
    from training_fixtures import two_output_model

    inputs = keras.Input((3,), name="features")
    hidden = keras.layers.Dense(4, activation="tanh", name="hidden")(inputs)
    theirs = keras.Model(inputs, [keras.layers.Dense(2, name="out_a")(hidden),
                                  keras.layers.Dense(1, name="out_b")(hidden)])
    ours = two_output_model()
    for layer in ("hidden", "out_a", "out_b"):
        theirs.get_layer(layer).set_weights(ours.get_layer(layer).get_weights())
    config = dict(optimizer="sgd", loss=["mse", "mae"], loss_weights=[0.5, 2.0],
                  metrics=[["mae", "mse"], ["acc"]], weighted_metrics=[["mae"], ["mse"]])
    theirs.compile(**config)
    ours.compile(**config)
    x, _ = regression_data(6)
    y = [np.full((6, 2), 0.3, "float32"), (x[:, :1] > 0).astype("float32")]
    expected = theirs.evaluate(x, y, verbose=0, return_dict=True)
    got = ours.evaluate(x, y, verbose=0, return_dict=True)
    assert list(got) == list(expected)  # the same keys in the same order
    for key in expected:
        assert got[key] == pytest.approx(expected[key], rel=1e-5), key
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0),
                               theirs.evaluate(x, y, verbose=0), rtol=1e-5)
