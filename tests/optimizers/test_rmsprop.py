"""RMSprop (plain, centered, momentum) against the formulas in NumPy, and Keras."""

import numpy as np
import pytest
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

from gpulayers.optimizers import RMSprop


def reference_rmsprop(lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    weights = [w.copy() for w in INITIAL]
    mean_square = [np.zeros_like(w) for w in INITIAL]
    mean = [np.zeros_like(w) for w in INITIAL]
    velocity = [np.zeros_like(w) for w in INITIAL]
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            mean_square[i] = rho * mean_square[i] + (1 - rho) * g ** 2
            mean[i] = rho * mean[i] + (1 - rho) * g
            variance = mean_square[i] - mean[i] ** 2 if centered else mean_square[i]
            step = lr * g / np.sqrt(variance + epsilon)
            if momentum > 0:
                velocity[i] = momentum * velocity[i] + step
                step = velocity[i]
            weights[i] = weights[i] - step
    return weights


@pytest.mark.parametrize("kwargs", [
    {}, {"centered": True}, {"momentum": 0.5}, {"momentum": 0.5, "centered": True},
    {"rho": 0.5, "epsilon": 1e-3},
])
def test_rmsprop_matches_the_formula(kwargs):
    assert_all_close(run_steps(RMSprop(learning_rate=0.01, **kwargs)),
                     reference_rmsprop(0.01, **kwargs))


def test_slots_follow_keras_order_and_options():
    optimizer = RMSprop(momentum=0.5, centered=True)
    run_steps(optimizer, names=["k", "b"])
    assert [v.name for v in optimizer.variables] == [
        "iteration", "k_velocity", "b_velocity", "k_momentum", "b_momentum",
        "k_average_gradient", "b_average_gradient"]
    plain = RMSprop()
    run_steps(plain, names=["k", "b"])
    assert [v.name for v in plain.variables] == ["iteration", "k_velocity", "b_velocity"]


@pytest.mark.parametrize("kwargs", [{}, {"centered": True, "momentum": 0.5}])
def test_keras_parity(kwargs):
    kwargs = {"learning_rate": 0.01, **kwargs}
    expected = keras_steps("RMSprop", kwargs, INITIAL, GRADIENTS)
    assert_all_close(run_steps(RMSprop(**kwargs)), expected, rtol=1e-6, atol=1e-8)


def test_bad_rho():
    with pytest.raises(ValueError, match=r"RMSprop 'r': `rho` must be a number in \[0, 1\]. "
                                         r"Received: rho=2"):
        RMSprop(rho=2, name="r")
