"""Lamb against the formula in NumPy, Keras 3 step for step, configs, errors and training.

Keras (torch backend) rounds ``1 - beta_1``, ``1 - beta_2`` and ``epsilon`` to float32 before
they meet a float64 variable, so float64 comparisons with Keras use rtol 1e-7.
"""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

from gpulayers import layers, optimizers
from gpulayers.autodiff import Variable
from gpulayers.models import Sequential
from gpulayers.optimizers.lamb import Lamb


def reference_lamb(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, initial=INITIAL,
                   gradient_steps=GRADIENTS):
    weights = [w.copy() for w in initial]
    m = [np.zeros_like(w) for w in initial]
    v = [np.zeros_like(w) for w in initial]
    for t, grads in enumerate(gradient_steps, start=1):
        for i, g in enumerate(grads):
            m[i] = m[i] + (g - m[i]) * (1 - beta_1)
            v[i] = v[i] + (g * g - v[i]) * (1 - beta_2)
            update = (m[i] / (1 - beta_1 ** t)) / (np.sqrt(v[i] / (1 - beta_2 ** t)) + epsilon)
            w_norm, u_norm = np.linalg.norm(weights[i]), np.linalg.norm(update)
            ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
            weights[i] = weights[i] - ratio * lr * update
    return weights


@pytest.mark.parametrize("kwargs", [{}, {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}])
def test_matches_the_formula(kwargs):
    assert_all_close(run_steps(Lamb(learning_rate=0.05, **kwargs)),
                     reference_lamb(0.05, **kwargs), rtol=1e-11, atol=1e-12)


def test_first_step_by_hand():
    # t = 1: m = 0.1 g, v = 0.001 g^2, so m_hat = g, v_hat = g^2 and update = g / (|g| + eps)
    # elementwise; w = [3, 4] (norm 5), g = [1, -1]: update ~ [1, -1] (norm sqrt 2).
    w = Variable(np.array([3.0, 4.0]), name="w")
    Lamb(learning_rate=0.1, epsilon=0.0).apply([np.array([1.0, -1.0])], [w])
    step = 5.0 / np.sqrt(2.0) * 0.1
    np.testing.assert_allclose(w.numpy(), [3.0 - step, 4.0 + step], rtol=1e-13)


def test_zero_weights_use_a_ratio_of_one():
    # ||w|| = 0: the trust ratio is 1, so the first step is Adam's lr * g / (|g| + eps).
    w = Variable(np.zeros(2), name="w")
    Lamb(learning_rate=0.1, epsilon=0.0).apply([np.array([2.0, -0.5])], [w])
    np.testing.assert_allclose(w.numpy(), [-0.1, 0.1], rtol=1e-13)
    zero_grad = Variable(np.array([1.0, 2.0]), name="z")  # ||update|| = 0: ratio 1, no NaN
    Lamb(learning_rate=0.1).apply([np.zeros(2)], [zero_grad])
    np.testing.assert_array_equal(zero_grad.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("kwargs", [{"learning_rate": 0.125},
                                    {"learning_rate": 0.25, "beta_1": 0.5, "epsilon": 1e-3,
                                     "use_ema": True, "gradient_accumulation_steps": 2}])
def test_matches_keras(kwargs):
    assert_all_close(run_steps(Lamb(**kwargs)), keras_steps("Lamb", kwargs, INITIAL, GRADIENTS),
                     rtol=1e-7, atol=1e-9)


def test_matches_keras_in_float32_with_the_same_state():
    keras = keras_or_skip()
    theirs = keras.optimizers.Lamb(learning_rate=0.125)
    keras_vars = [keras.Variable(v, dtype="float32") for v in INITIAL]
    ours = Lamb(learning_rate=0.125)
    our_vars = [Variable(v.astype("float32"), name=f"w{i}") for i, v in enumerate(INITIAL)]
    for grads in GRADIENTS:
        theirs.apply_gradients([(keras.ops.convert_to_tensor(g.astype("float32")), v)
                                for g, v in zip(grads, keras_vars)])
        ours.apply_gradients(zip([g.astype("float32") for g in grads], our_vars))
    assert_all_close([v.numpy() for v in our_vars], [to_numpy(v.value) for v in keras_vars],
                     rtol=1e-5, atol=1e-5)
    keras_state = [to_numpy(v.value) for v in theirs.variables]
    del keras_state[1]  # Keras's learning-rate variable
    assert_all_close([v.numpy() for v in ours.variables], keras_state, rtol=1e-5, atol=1e-6)


def test_config_round_trip_and_lookup_by_name():
    optimizer = Lamb(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6, name="l")
    config = optimizer.get_config()
    assert (config["beta_1"], config["beta_2"], config["epsilon"]) == (0.8, 0.99, 1e-6)
    assert Lamb.from_config(config).get_config() == config
    again = optimizers.deserialize({"class_name": "Lamb", "config": config})
    assert isinstance(again, Lamb) and again.get_config() == config


def test_config_keys_match_keras():
    keras = keras_or_skip()
    assert sorted(Lamb().get_config()) == sorted(keras.optimizers.Lamb().get_config())


@pytest.mark.parametrize("kwargs, message", [
    ({"beta_1": 1.0}, r"`beta_1` must be a number in \[0, 1\)"),
    ({"beta_2": -0.1}, r"`beta_2` must be a number in \[0, 1\)"),
    ({"epsilon": -1.0}, "`epsilon` must be a number >= 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=f"Lamb 'bad': {message}"):
        Lamb(name="bad", **kwargs)


def test_trains_a_model():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3
    model = Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=Lamb(learning_rate=0.05), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
