"""Adam, AMSGrad and AdamW against the formulas in NumPy, and Keras."""

import numpy as np
import pytest
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

from gpulayers.optimizers import Adam, AdamW


def reference_adam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                   weight_decay=0.0):
    weights = [w.copy() for w in INITIAL]
    m = [np.zeros_like(w) for w in INITIAL]
    v = [np.zeros_like(w) for w in INITIAL]
    v_max = [np.zeros_like(w) for w in INITIAL]
    for t, grads in enumerate(GRADIENTS, start=1):
        for i, g in enumerate(grads):
            weights[i] = weights[i] - weights[i] * weight_decay * lr  # decoupled, before
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g * g
            v_max[i] = np.maximum(v_max[i], v[i])
            second = v_max[i] if amsgrad else v[i]
            alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
            weights[i] = weights[i] - alpha * m[i] / (np.sqrt(second) + epsilon)
    return weights


@pytest.mark.parametrize("kwargs", [{}, {"amsgrad": True},
                                    {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}])
def test_adam_matches_the_formula(kwargs):
    assert_all_close(run_steps(Adam(learning_rate=0.05, **kwargs)),
                     reference_adam(0.05, **kwargs))


def test_amsgrad_adds_a_velocity_hat_slot_per_variable():
    optimizer = Adam(amsgrad=True)
    run_steps(optimizer, names=["k", "b"])
    assert [v.name for v in optimizer.variables] == [
        "iteration", "k_momentum", "k_velocity", "b_momentum", "b_velocity", "k_velocity_hat",
        "b_velocity_hat"]


def test_adamw_decays_weights_before_the_adam_step():
    expected = reference_adam(0.05, weight_decay=0.1)
    assert_all_close(run_steps(AdamW(learning_rate=0.05, weight_decay=0.1)), expected)


def test_adamw_default_decay_and_exclusion_by_name():
    optimizer = AdamW(learning_rate=0.05)
    assert optimizer.weight_decay == 0.004
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    result = run_steps(optimizer, names=["kernel", "bias"])
    decayed = reference_adam(0.05, weight_decay=0.004)
    plain = reference_adam(0.05)
    assert_all_close(result, [decayed[0], plain[1]])


def test_adamw_refuses_no_weight_decay():
    with pytest.raises(ValueError, match="AdamW 'w': `weight_decay` must be a float"):
        AdamW(weight_decay=None, name="w")


@pytest.mark.parametrize("name, kwargs", [
    ("Adam", {}), ("Adam", {"amsgrad": True}), ("Adam", {"clipnorm": 0.3}),
    ("Adam", {"global_clipnorm": 0.3}), ("Adam", {"clipvalue": 0.25}),
    ("AdamW", {"weight_decay": 0.1}),
])
def test_keras_parity(name, kwargs):
    kwargs = {"learning_rate": 0.05, **kwargs}
    expected = keras_steps(name, kwargs, INITIAL, GRADIENTS)
    # Keras keeps the rate (and, on torch, the decay factor) in float32: ~1e-8 apart.
    assert_all_close(run_steps({"Adam": Adam, "AdamW": AdamW}[name](**kwargs)), expected,
                     rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kwargs, message", [
    ({"beta_1": 1.0}, r"Adam 'a': `beta_1` must be a number in \[0, 1\). Received: beta_1=1.0"),
    ({"beta_2": -0.1}, r"`beta_2` must be a number in \[0, 1\). Received: beta_2=-0.1"),
    ({"epsilon": -1}, r"`epsilon` must be a number >= 0. Received: epsilon=-1"),
    ({"amsgrad": 1}, r"`amsgrad` must be True or False. Received: amsgrad=1"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Adam(name="a", **kwargs)
