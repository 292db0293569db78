"""Adagrad and Adadelta against the formulas in NumPy, and Keras."""

import numpy as np
import pytest
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

import gpulayers as gl
from gpulayers.optimizers import Adadelta, Adagrad


def reference_adagrad(lr, initial_accumulator_value=0.1, epsilon=1e-7):
    weights = [w.copy() for w in INITIAL]
    total = [np.full_like(w, initial_accumulator_value) for w in INITIAL]
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            total[i] = total[i] + g ** 2
            weights[i] = weights[i] - lr * g / np.sqrt(total[i] + epsilon)
    return weights


def reference_adadelta(lr, rho=0.95, epsilon=1e-7):
    weights = [w.copy() for w in INITIAL]
    grad_ms = [np.zeros_like(w) for w in INITIAL]
    delta_ms = [np.zeros_like(w) for w in INITIAL]
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            grad_ms[i] = rho * grad_ms[i] + (1 - rho) * g ** 2
            delta = -np.sqrt(delta_ms[i] + epsilon) / np.sqrt(grad_ms[i] + epsilon) * g
            delta_ms[i] = rho * delta_ms[i] + (1 - rho) * delta ** 2
            weights[i] = weights[i] + lr * delta
    return weights


@pytest.mark.parametrize("kwargs", [{}, {"initial_accumulator_value": 0.0, "epsilon": 1e-3}])
def test_adagrad_matches_the_formula(kwargs):
    assert_all_close(run_steps(Adagrad(learning_rate=0.1, **kwargs)),
                     reference_adagrad(0.1, **kwargs))


def test_adagrad_accumulators_start_at_the_initial_value():
    optimizer = Adagrad(initial_accumulator_value=0.25)
    optimizer.build([gl.Variable(np.zeros((2, 3)), name="w")])
    accumulator = optimizer.variables[1]
    assert accumulator.name == "w_accumulator"
    np.testing.assert_array_equal(accumulator.numpy(), np.full((2, 3), 0.25))


@pytest.mark.parametrize("kwargs", [{}, {"rho": 0.5, "epsilon": 1e-4}])
def test_adadelta_matches_the_formula(kwargs):
    assert_all_close(run_steps(Adadelta(learning_rate=1.0, **kwargs)),
                     reference_adadelta(1.0, **kwargs))


@pytest.mark.parametrize("name, kwargs", [("Adagrad", {"learning_rate": 0.1}),
                                          ("Adadelta", {"learning_rate": 1.0})])
def test_keras_parity(name, kwargs):
    expected = keras_steps(name, kwargs, INITIAL, GRADIENTS)
    ours = {"Adagrad": Adagrad, "Adadelta": Adadelta}[name](**kwargs)
    assert_all_close(run_steps(ours), expected, rtol=1e-6, atol=1e-8)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Adagrad 'g': `initial_accumulator_value` must be a "
                                         "number >= 0. Received: initial_accumulator_value=-1"):
        Adagrad(initial_accumulator_value=-1, name="g")
    with pytest.raises(ValueError, match=r"Adadelta 'd': `rho` must be .* Received: rho=None"):
        Adadelta(rho=None, name="d")
