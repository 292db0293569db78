"""SwapEMAWeights: evaluation/prediction with the EMA weights, the swaps back, swap_on_epoch,
Keras 3 side by side, and the errors.

gpulayers' fit loop does not call ``finalize_variable_values`` yet (Keras's does, after the
last epoch): these tests call it after ``fit`` where Keras's result depends on it.
"""

import os

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

import gpulayers as gl
from gpulayers.callbacks.swap_ema_weights import SwapEMAWeights
from gpulayers.optimizers import SGD

os.environ.setdefault("KERAS_BACKEND", "torch")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 3)).astype("float32")
Y = RNG.normal(size=(16, 1)).astype("float32")


def _build(lib):
    return lib.models.Sequential([lib.layers.Input((3,)), lib.layers.Dense(2, activation="tanh"),
                                  lib.layers.Dense(1)])


def _trained(use_ema=True):
    model = _build(gl)
    model.compile(optimizer=SGD(0.1, use_ema=use_ema, ema_momentum=0.5), loss="mse")
    # train_on_batch, not fit: fit ends by copying the averages into the weights (Keras's
    # finalize_variable_values), and these tests need the two to differ
    for start in range(0, len(X), 4):
        model.train_on_batch(X[start:start + 4], Y[start:start + 4])
    return model


def _averages(model):
    return [v.numpy() for v in model.optimizer._model_variables_moving_average]


def _manual_mse(weights):
    kernel, bias, kernel2, bias2 = weights
    prediction = np.tanh(X @ kernel + bias) @ kernel2 + bias2
    return float(np.mean((prediction - Y) ** 2))


def test_evaluate_uses_the_averages_and_swaps_back():
    model = _trained()
    raw, averages = model.get_weights(), _averages(model)
    assert not all(np.array_equal(r, a) for r, a in zip(raw, averages))
    loss = model.evaluate(X, Y, batch_size=16, verbose=0, callbacks=[SwapEMAWeights()])
    assert loss == pytest.approx(_manual_mse(averages), rel=1e-5)
    for now, before in zip(model.get_weights(), raw):  # back to the raw weights...
        np.testing.assert_array_equal(now, before)
    for now, before in zip(_averages(model), averages):  # ...and the averages kept
        np.testing.assert_array_equal(now, before)


def test_predict_uses_the_averages_and_swaps_back():
    model = _trained()
    raw, averages = model.get_weights(), _averages(model)
    got = model.predict(X, verbose=0, callbacks=[SwapEMAWeights()])
    kernel, bias, kernel2, bias2 = averages
    np.testing.assert_allclose(got, np.tanh(X @ kernel + bias) @ kernel2 + bias2, rtol=1e-5,
                               atol=1e-6)
    # Keras 3.15 leaves the EMA weights in the model after predict (an inverted test in its
    # on_predict_end); here the raw weights come back.
    for now, before in zip(model.get_weights(), raw):
        np.testing.assert_array_equal(now, before)


def test_swap_on_epoch_keeps_the_averages_for_the_final_weights():
    model = _build(gl)
    model.compile(optimizer=SGD(0.1, use_ema=True, ema_momentum=0.5), loss="mse")
    seen = []
    recorder = gl.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append([w.copy() for w in model.get_weights()]))
    model.fit(X, Y, batch_size=4, epochs=2, verbose=0, shuffle=False,
              callbacks=[SwapEMAWeights(swap_on_epoch=True), recorder])
    averages = _averages(model)
    for during, average in zip(seen[-1], averages):  # the callback after it saw the EMA
        np.testing.assert_array_equal(during, average)
    model.optimizer.finalize_variable_values(model.trainable_weights)
    for final, average in zip(model.get_weights(), averages):
        np.testing.assert_array_equal(final, average)


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_fit_with_validation_matches_keras(swap_on_epoch):
    keras = keras_or_skip()
    keras.utils.set_random_seed(3)
    theirs = _build(keras)
    ours = _build(gl)
    ours.set_weights([to_numpy(w) for w in theirs.get_weights()])
    theirs.compile(optimizer=keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5),
                   loss="mse")
    ours.compile(optimizer=SGD(0.1, use_ema=True, ema_momentum=0.5), loss="mse")
    fit = {"batch_size": 4, "epochs": 3, "verbose": 0, "shuffle": False,
           "validation_data": (X[:8], Y[:8])}
    expected = theirs.fit(X, Y, callbacks=[keras.callbacks.SwapEMAWeights(swap_on_epoch)],
                          **fit).history
    got = ours.fit(X, Y, callbacks=[SwapEMAWeights(swap_on_epoch)], **fit).history
    ours.optimizer.finalize_variable_values(ours.trainable_weights)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, to_numpy(keras_weight), rtol=1e-5, atol=1e-6)


def test_needs_an_ema_optimizer():
    model = _trained(use_ema=False)
    with pytest.raises(ValueError, match="SwapEMAWeights must be used with an optimizer that "
                                         "has `use_ema=True`"):
        model.evaluate(X, Y, verbose=0, callbacks=[SwapEMAWeights()])


def test_swap_on_epoch_must_be_a_bool():
    with pytest.raises(ValueError, match="SwapEMAWeights.*swap_on_epoch"):
        SwapEMAWeights(swap_on_epoch="yes")
