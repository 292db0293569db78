"""Adamax and Nadam against the formulas in NumPy, and Keras."""

import numpy as np
import pytest
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

import gpulayers as gl
from gpulayers.optimizers import Adamax, Nadam


def reference_adamax(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    weights = [w.copy() for w in INITIAL]
    m = [np.zeros_like(w) for w in INITIAL]
    u = [np.zeros_like(w) for w in INITIAL]
    for t, grads in enumerate(GRADIENTS, start=1):
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            u[i] = np.maximum(beta_2 * u[i], np.abs(g))
            weights[i] = weights[i] - lr / (1 - beta_1 ** t) * m[i] / (u[i] + epsilon)
    return weights


def reference_nadam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    weights = [w.copy() for w in INITIAL]
    m = [np.zeros_like(w) for w in INITIAL]
    v = [np.zeros_like(w) for w in INITIAL]

    def mu(t):  # Dozat's momentum schedule, as Keras uses it
        return beta_1 * (1 - 0.5 * 0.96 ** t)

    product = 1.0
    for t, grads in enumerate(GRADIENTS, start=1):
        product *= mu(t)
        for i, g in enumerate(grads):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g ** 2
            m_hat = (mu(t + 1) * m[i] / (1 - product * mu(t + 1))
                     + (1 - mu(t)) * g / (1 - product))
            v_hat = v[i] / (1 - beta_2 ** t)
            weights[i] = weights[i] - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return weights


@pytest.mark.parametrize("kwargs", [{}, {"beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-3}])
def test_adamax_matches_the_formula(kwargs):
    assert_all_close(run_steps(Adamax(learning_rate=0.02, **kwargs)),
                     reference_adamax(0.02, **kwargs))


@pytest.mark.parametrize("kwargs", [{}, {"beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-3}])
def test_nadam_matches_the_formula(kwargs):
    assert_all_close(run_steps(Nadam(learning_rate=0.02, **kwargs)),
                     reference_nadam(0.02, **kwargs))


def test_nadam_momentum_cache_follows_a_restored_step_count():
    # Five steps in one go equal three steps, a save, a restore into a new Nadam, two steps.
    gradients = GRADIENTS + GRADIENTS[:1]
    first = Nadam(learning_rate=0.02)
    weights = [gl.Variable(w.copy()) for w in INITIAL]
    for grads in gradients[:3]:
        first.apply_gradients(zip(grads, weights))
    state = [v.numpy() for v in first.variables]
    second = Nadam(learning_rate=0.02)
    second.build(weights)
    second.assign_variables(state)
    for grads in gradients[3:]:
        second.apply_gradients(zip(grads, weights))
    assert_all_close([w.numpy() for w in weights],
                     run_steps(Nadam(learning_rate=0.02), gradient_steps=gradients))


@pytest.mark.parametrize("name", ["Adamax", "Nadam"])
def test_keras_parity(name):
    expected = keras_steps(name, {"learning_rate": 0.02}, INITIAL, GRADIENTS)
    ours = {"Adamax": Adamax, "Nadam": Nadam}[name](learning_rate=0.02)
    assert_all_close(run_steps(ours), expected, rtol=1e-6, atol=1e-8)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"Adamax 'x': `beta_1` must be a number in \[0, 1\)"):
        Adamax(beta_1=1.0, name="x")
    with pytest.raises(ValueError, match=r"Nadam 'n': `epsilon` must be a number >= 0"):
        Nadam(epsilon="tiny", name="n")
