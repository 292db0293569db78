"""The built-in optimizers update every variable with one backend call per step
(``_parallel_update_step``); a subclass that overrides ``update_step`` still has it called."""

import numpy as np
import pytest
from optimizer_steps import GRADIENTS, INITIAL, run_steps

import gpulayers as gl
from gpulayers import backend
from gpulayers.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    Optimizer,
    RMSprop,
)

# Each built-in with every option that changes its kernel arguments, and the backend function
# one step calls.
BUILT_INS = [
    (lambda: SGD(0.1), "sgd_update"),
    (lambda: SGD(0.1, momentum=0.9, nesterov=True), "sgd_update"),
    (lambda: Adam(0.1, amsgrad=True), "adam_update"),
    (lambda: AdamW(0.1, weight_decay=0.1), "adam_update"),
    (lambda: Adamax(0.1), "adamax_update"),
    (lambda: Nadam(0.1), "nadam_update"),
    (lambda: RMSprop(0.1, momentum=0.5, centered=True), "rmsprop_update"),
    (lambda: Adagrad(0.1), "adagrad_update"),
    (lambda: Adadelta(0.1), "adadelta_update"),
]


def _one_variable_at_a_time(optimizer_class: type) -> type:
    """A subclass whose ``update_step`` override makes the step loop over the variables,
    each through the built-in's own single-variable ``update_step``."""

    class OneAtATime(optimizer_class):
        def update_step(self, gradient, variable, learning_rate):
            super().update_step(gradient, variable, learning_rate)

    return OneAtATime


def _count_calls(monkeypatch, name):
    primitives = backend.primitives("optimizer_updates")
    original = getattr(primitives, name)
    calls = []

    def counting(params, *args, **kwargs):
        calls.append(len(params))
        return original(params, *args, **kwargs)

    monkeypatch.setattr(primitives, name, counting)
    return calls


@pytest.mark.parametrize("make,function", BUILT_INS)
def test_a_step_is_one_backend_call_for_every_variable(make, function, monkeypatch):
    calls = _count_calls(monkeypatch, function)
    run_steps(make())
    assert calls == [len(INITIAL)] * len(GRADIENTS)


@pytest.mark.parametrize("make,function", BUILT_INS)
def test_one_call_for_all_variables_equals_one_update_step_per_variable(make, function,
                                                                        monkeypatch):
    together = run_steps(make())
    optimizer = make()
    optimizer.__class__ = _one_variable_at_a_time(type(optimizer))
    calls = _count_calls(monkeypatch, function)
    apart = run_steps(optimizer)
    assert calls == [1] * len(INITIAL) * len(GRADIENTS)  # really one variable per call
    for got, want in zip(together, apart):
        np.testing.assert_array_equal(got, want)


def test_a_subclass_overriding_update_step_has_it_called_for_each_variable():
    class SignSGD(SGD):
        def update_step(self, gradient, variable, learning_rate):
            variable.assign(variable.data - learning_rate * backend.xp().sign(gradient))

    got = run_steps(SignSGD(0.1), gradient_steps=GRADIENTS[:1])
    for initial, gradient, value in zip(INITIAL, GRADIENTS[0], got):
        np.testing.assert_allclose(value, initial - 0.1 * np.sign(gradient), rtol=1e-15)


def test_an_optimizer_without_an_update_step_says_so():
    class Unfinished(Optimizer):
        pass

    with pytest.raises(NotImplementedError, match="Unfinished must implement update_step"):
        run_steps(Unfinished(0.1))


def test_weight_decay_is_one_call_over_the_variables_not_excluded(monkeypatch):
    calls = _count_calls(monkeypatch, "decay_weights")
    variables = [gl.Variable(np.array(v), name=n) for v, n in zip(INITIAL, ["kernel", "bias"])]
    optimizer = SGD(0.1, weight_decay=0.2)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.apply_gradients(zip(GRADIENTS[0], variables))
    assert calls == [1]
    # w -= (w * 0.2) * 0.1, then the SGD step; the bias only takes the step.
    np.testing.assert_allclose(variables[0].numpy(),
                               INITIAL[0] * (1 - 0.02) - 0.1 * GRADIENTS[0][0], rtol=1e-14)
    np.testing.assert_allclose(variables[1].numpy(), INITIAL[1] - 0.1 * GRADIENTS[0][1],
                               rtol=1e-14)
