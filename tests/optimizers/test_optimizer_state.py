"""Optimizer state and settings: variables/assign_variables, learning_rate, names, kwargs."""

import numpy as np
import pytest
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

import gpulayers as gl
from gpulayers.optimizers import SGD, Adam, RMSprop, schedules


def test_saved_state_restores_into_a_fresh_optimizer():
    weights = [gl.Variable(w.copy()) for w in INITIAL]
    first = Adam(0.05, amsgrad=True)
    for grads in GRADIENTS[:2]:
        first.apply_gradients(zip(grads, weights))
    state = [v.numpy() for v in first.variables]
    assert [s.shape for s in state] == [()] + [w.shape for w in INITIAL for _ in "mv"] + [
        w.shape for w in INITIAL]
    second = Adam(0.05, amsgrad=True)
    second.build(weights)
    second.assign_variables(state)
    assert int(second.iterations) == 2
    for grads in GRADIENTS[2:]:
        second.apply_gradients(zip(grads, weights))
    assert_all_close([w.numpy() for w in weights], run_steps(Adam(0.05, amsgrad=True)))


def test_assign_variables_checks_count_and_shapes_before_assigning():
    optimizer = SGD(momentum=0.9)
    with pytest.raises(ValueError, match=r"expected 1 values .* received 3. It is not built "
                                         r"yet: call optimizer.build"):
        optimizer.assign_variables([0, np.zeros(2), np.zeros(3)])
    w = gl.Variable(np.zeros((2, 2)), name="w")
    optimizer.build([w])
    with pytest.raises(ValueError, match=r"SGD '.*': value 1 for optimizer variable "
                                         r"'w_momentum' has shape \(3,\), expected \(2, 2\)"):
        optimizer.assign_variables([np.array(7), np.zeros(3)])
    assert int(optimizer.iterations) == 0  # nothing assigned by the failed call
    optimizer.set_weights([np.array(7), np.ones((2, 2))])  # Keras 3's name
    assert int(optimizer.iterations) == 7
    np.testing.assert_array_equal(optimizer.variables[1].numpy(), np.ones((2, 2)))


def test_learning_rate_is_a_float_and_settable():
    optimizer = Adam(learning_rate=0.01)
    assert optimizer.learning_rate == 0.01 and isinstance(optimizer.learning_rate, float)
    optimizer.learning_rate = 0.5
    assert optimizer.learning_rate == 0.5
    w = gl.Variable(np.array([1.0]))
    sgd = SGD(learning_rate=1)
    sgd.apply_gradients([(np.array([1.0]), w)])
    sgd.learning_rate = 0.25  # takes effect on the next step
    sgd.apply_gradients([(np.array([1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [1.0 - 1.0 - 0.25])
    with pytest.raises(ValueError, match="`learning_rate` must be a float >= 0"):
        optimizer.learning_rate = "fast"


def test_a_schedule_is_evaluated_at_iterations_and_not_settable_to_a_float():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = SGD(learning_rate=schedule)
    w = gl.Variable(np.zeros(1))
    rates = []
    for _ in range(3):
        rates.append(optimizer.learning_rate)
        optimizer.apply_gradients([(np.ones(1), w)])
    assert rates == [0.1, 0.05, 0.025]
    np.testing.assert_allclose(w.numpy(), [-0.175])
    with pytest.raises(TypeError, match="created with a LearningRateSchedule"):
        optimizer.learning_rate = 0.1
    optimizer.learning_rate = schedules.PiecewiseConstantDecay([5], [1.0, 2.0])  # allowed
    assert optimizer.learning_rate == 1.0


def test_a_callable_learning_rate_is_called_each_step():
    rate = [0.5]
    optimizer = SGD(learning_rate=lambda: rate[0])
    w = gl.Variable(np.zeros(1))
    optimizer.apply_gradients([(np.ones(1), w)])
    rate[0] = 0.25
    optimizer.apply_gradients([(np.ones(1), w)])
    np.testing.assert_allclose(w.numpy(), [-0.75])


def test_default_names_are_snake_case_and_unique():
    first, second = RMSprop(), RMSprop()
    assert first.name.startswith("rm_sprop") and first.name != second.name
    assert Adam(name="mine").name == "mine"
    with pytest.raises(ValueError, match="`name` must be a string"):
        Adam(name=3)


def test_keras_base_arguments_are_stored_and_bad_values_refused():
    optimizer = Adam(use_ema=False, ema_momentum=0.5, ema_overwrite_frequency=None,
                     loss_scale_factor=None, gradient_accumulation_steps=None)
    assert optimizer.get_config()["ema_momentum"] == 0.5
    for name, value in [("use_ema", "yes"), ("loss_scale_factor", 0.0),
                        ("gradient_accumulation_steps", 1)]:
        with pytest.raises(ValueError, match=f"Adam 'a': `{name}` must be.*"
                                             f"Received: {name}={value!r}"):
            Adam(name="a", **{name: value})
    with pytest.raises(ValueError, match=r"argument\(s\) not recognized: \{'lr': 0.1\}"):
        Adam(lr=0.1)
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        Adam(decay=0.01)
