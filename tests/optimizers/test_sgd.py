"""SGD: plain, momentum and Nesterov steps against the formulas in NumPy, and Keras."""

import numpy as np
import pytest
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

from gpulayers.optimizers import SGD


def reference_sgd(lr, momentum=0.0, nesterov=False):
    weights = [w.copy() for w in INITIAL]
    velocity = [np.zeros_like(w) for w in INITIAL]
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            if momentum == 0:
                weights[i] = weights[i] - lr * g
                continue
            velocity[i] = momentum * velocity[i] - lr * g
            if nesterov:
                weights[i] = weights[i] + momentum * velocity[i] - lr * g
            else:
                weights[i] = weights[i] + velocity[i]
    return weights


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True),
                                                (0.5, True)])
def test_sgd_matches_the_formula(momentum, nesterov):
    optimizer = SGD(learning_rate=0.1, momentum=momentum, nesterov=nesterov)
    assert_all_close(run_steps(optimizer), reference_sgd(0.1, momentum, nesterov))


def test_defaults_follow_keras():
    optimizer = SGD()
    assert (optimizer.learning_rate, optimizer.momentum, optimizer.nesterov) == (0.01, 0.0, False)
    run_steps(optimizer)
    assert [v.name for v in optimizer.variables] == ["iteration"]  # no momentum slot at 0


def test_momentum_slots_are_variables_in_order():
    optimizer = SGD(momentum=0.9)
    run_steps(optimizer, names=["kernel", "bias"])
    assert [v.name for v in optimizer.variables] == ["iteration", "kernel_momentum",
                                                     "bias_momentum"]
    assert all(not v.trainable for v in optimizer.variables)
    assert int(optimizer.iterations) == len(GRADIENTS)


@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}])
def test_keras_parity(kwargs):
    kwargs = {"learning_rate": 0.1, **kwargs}
    expected = keras_steps("SGD", kwargs, INITIAL, GRADIENTS)
    assert_all_close(run_steps(SGD(**kwargs)), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kwargs, message", [
    ({"momentum": 1.5}, r"SGD 'bad': `momentum` must be a number in \[0, 1\]. Received: "
                        r"momentum=1.5"),
    ({"momentum": "high"}, "Received: momentum='high'"),
    ({"nesterov": "yes"}, r"`nesterov` must be True or False. Received: nesterov='yes'"),
    ({"learning_rate": -0.1}, r"`learning_rate` must be a float >= 0.*learning_rate=-0.1"),
])
def test_bad_arguments_name_the_optimizer_and_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGD(name="bad", **kwargs)
