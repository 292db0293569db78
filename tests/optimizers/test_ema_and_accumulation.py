"""use_ema, gradient_accumulation_steps and loss_scale_factor: hand-written formulas, Keras 3
step for step (variables and optimizer state), model.fit against Keras, configs, state
round trips and bad arguments.

Keras (torch backend) turns Python-float constants into float32 tensors before they meet a
float64 variable (e.g. ``ema_momentum``), so float64 comparisons with Keras use rtol 1e-7;
float32 ones, where both round the same constants, are compared near float32 precision.
"""

import os

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

import gpulayers as gl
from gpulayers import layers, optimizers
from gpulayers.autodiff import Variable
from gpulayers.models import Sequential, load_model
from gpulayers.optimizers import SGD, Adam, Lion, RMSprop
from gpulayers.optimizers.schedules import PiecewiseConstantDecay

os.environ.setdefault("KERAS_BACKEND", "torch")


def _variables(dtype="float64"):
    return [Variable(np.array(v, dtype=dtype), name=f"w{i}") for i, v in enumerate(INITIAL)]


# -- hand-checked formulas ---------------------------------------------------------------------
def test_ema_formula_by_hand():
    # SGD w -= 0.5 g; average = m * average + (1 - m) * w with m = 0 on the first step.
    optimizer = SGD(learning_rate=0.5, use_ema=True, ema_momentum=0.75)
    (w,) = variables = [Variable(np.array([1.0, -2.0]), name="w")]
    g1, g2, g3 = np.array([0.2, 0.4]), np.array([-0.6, 0.1]), np.array([1.0, 1.0])
    optimizer.apply([g1], variables)
    w1 = np.array([1.0, -2.0]) - 0.5 * g1
    average = optimizer._model_variables_moving_average[0]
    np.testing.assert_allclose(average.numpy(), w1, rtol=0, atol=1e-15)  # copies at step 1
    optimizer.apply([g2], variables)
    w2 = w1 - 0.5 * g2
    np.testing.assert_allclose(average.numpy(), 0.75 * w1 + 0.25 * w2, rtol=0, atol=1e-15)
    optimizer.apply([g3], variables)
    w3 = w2 - 0.5 * g3
    expected_average = 0.75 * (0.75 * w1 + 0.25 * w2) + 0.25 * w3
    np.testing.assert_allclose(w.numpy(), w3, rtol=0, atol=1e-15)  # no overwrite: raw w
    np.testing.assert_allclose(average.numpy(), expected_average, rtol=0, atol=1e-15)
    optimizer.finalize_variable_values(variables)
    np.testing.assert_allclose(w.numpy(), expected_average, rtol=0, atol=1e-15)


def test_ema_overwrite_frequency_by_hand():
    optimizer = SGD(learning_rate=0.5, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    variables = [Variable(np.array([4.0]), name="w")]
    optimizer.apply([np.array([2.0])], variables)  # w = 3, average = 3
    assert variables[0].numpy() == pytest.approx([3.0])
    optimizer.apply([np.array([2.0])], variables)  # w = 2, average = 2.5, (1 + 1) % 2 == 0
    assert variables[0].numpy() == pytest.approx([2.5])
    optimizer.apply([np.array([1.0])], variables)  # w = 2, average = 2.25: not overwritten
    assert variables[0].numpy() == pytest.approx([2.0])
    assert optimizer._model_variables_moving_average[0].numpy() == pytest.approx([2.25])


def test_gradient_accumulation_by_hand():
    optimizer = SGD(learning_rate=0.5, gradient_accumulation_steps=2)
    variables = [Variable(np.array([1.0, 1.0]), name="w")]
    optimizer.apply([np.array([0.2, 0.6])], variables)
    np.testing.assert_array_equal(variables[0].numpy(), [1.0, 1.0])  # only accumulated
    accumulator = optimizer.variables[1]
    np.testing.assert_allclose(accumulator.numpy(), [0.2, 0.6])
    assert int(optimizer.iterations) == 0 and int(optimizer.variables[0].numpy()) == 1
    optimizer.apply([np.array([0.4, -0.2])], variables)
    np.testing.assert_allclose(variables[0].numpy(), [1.0 - 0.5 * 0.3, 1.0 - 0.5 * 0.2])
    np.testing.assert_array_equal(accumulator.numpy(), [0.0, 0.0])  # reset after the update
    assert int(optimizer.iterations) == 1 and int(optimizer.variables[0].numpy()) == 2


def test_accumulated_adam_equals_adam_on_mean_gradients():
    # Bias corrections count updates (iterations = calls // n), as in Keras.
    means = [[(a + b) / 2 for a, b in zip(GRADIENTS[i], GRADIENTS[i + 1])] for i in (0, 2)]
    assert_all_close(run_steps(Adam(0.05, gradient_accumulation_steps=2)),
                     run_steps(Adam(0.05), gradient_steps=means))


def test_a_schedule_sees_the_calls_not_the_updates():
    # rate 1.0 at call 0, 0.5 from call 1 on: the update at call 1 uses 0.5 (Keras).
    schedule = PiecewiseConstantDecay(boundaries=[0], values=[1.0, 0.5])
    optimizer = SGD(learning_rate=schedule, gradient_accumulation_steps=2)
    variables = [Variable(np.array([0.0]), name="w")]
    optimizer.apply([np.array([1.0])], variables)
    optimizer.apply([np.array([3.0])], variables)
    np.testing.assert_allclose(variables[0].numpy(), [-0.5 * 2.0])


def test_loss_scale_factor_scales_the_loss_and_unscales_the_gradients():
    optimizer = SGD(learning_rate=0.5, loss_scale_factor=8.0)
    assert float(optimizer.scale_loss(gl.ops.convert_to_tensor(1.5))) == 12.0
    assert SGD(0.5).scale_loss(1.5) == 1.5
    variables = [Variable(np.array([1.0]), name="w")]
    optimizer.apply([np.array([8.0 * 0.25])], variables)  # the gradient of the scaled loss
    np.testing.assert_allclose(variables[0].numpy(), [1.0 - 0.5 * 0.25])


def test_constraint_is_applied_after_the_average_moves():
    # Keras's order: update, moving average, then the constraint (the average sees the
    # unconstrained value).
    optimizer = SGD(learning_rate=1.0, use_ema=True)
    w = Variable(np.array([0.0]), name="w")
    w.constraint = lambda v: gl.ops.clip(v, -1.0, 1.0)
    optimizer.apply([np.array([-3.0])], [w])
    assert w.numpy() == pytest.approx([1.0])
    assert optimizer._model_variables_moving_average[0].numpy() == pytest.approx([3.0])


# -- Keras, step for step --------------------------------------------------------------------
CASES = [
    ("SGD", {"learning_rate": 0.25, "momentum": 0.5, "use_ema": True, "ema_momentum": 0.9}),
    ("Adam", {"learning_rate": 0.125, "use_ema": True, "ema_overwrite_frequency": 2}),
    ("Adam", {"learning_rate": 0.125, "gradient_accumulation_steps": 2}),
    ("RMSprop", {"learning_rate": 0.125, "gradient_accumulation_steps": 3, "use_ema": True,
                 "ema_overwrite_frequency": 1}),
    ("Lion", {"learning_rate": 0.125, "use_ema": True, "ema_overwrite_frequency": 3}),
    ("Adam", {"learning_rate": 0.125, "loss_scale_factor": 4.0, "global_clipnorm": 0.3,
              "gradient_accumulation_steps": 2}),
]
CLASSES = {"SGD": SGD, "Adam": Adam, "RMSprop": RMSprop, "Lion": Lion}


@pytest.mark.parametrize("name, kwargs", CASES)
def test_steps_match_keras(name, kwargs):
    expected = keras_steps(name, kwargs, INITIAL, GRADIENTS)
    assert_all_close(run_steps(CLASSES[name](**kwargs)), expected, rtol=1e-7, atol=1e-9)


def _keras_state(keras, name, kwargs, dtype, steps):
    optimizer = getattr(keras.optimizers, name)(**kwargs)
    variables = [keras.Variable(np.array(v, dtype=dtype), dtype=dtype) for v in INITIAL]
    for grads in steps:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(np.asarray(g, dtype=dtype)), v)
                                   for g, v in zip(grads, variables)])
    state = [to_numpy(v.value) for v in optimizer.variables]
    del state[1]  # Keras keeps its float learning rate in a variable; gpulayers does not
    return [to_numpy(v.value) for v in variables], state


@pytest.mark.parametrize("dtype, tolerance", [("float32", 5e-6), ("float64", 1e-7)])
@pytest.mark.parametrize("name, kwargs", [CASES[0], CASES[3], CASES[5]])
def test_optimizer_state_matches_keras_in_order(name, kwargs, dtype, tolerance):
    keras = keras_or_skip()
    weights, state = _keras_state(keras, name, kwargs, dtype, GRADIENTS[:3])
    optimizer = CLASSES[name](**kwargs)
    variables = _variables(dtype)
    for grads in GRADIENTS[:3]:
        optimizer.apply_gradients(zip([g.astype(dtype) for g in grads], variables))
    ours = [v.numpy() for v in optimizer.variables]
    assert [s.shape for s in ours] == [s.shape for s in state]
    for index, (got, expected) in enumerate(zip(ours, state)):
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance,
                                   err_msg=str(index))
    assert_all_close([v.numpy() for v in variables], weights, rtol=tolerance, atol=tolerance)


def test_finalize_matches_keras():
    keras = keras_or_skip()
    kwargs = {"learning_rate": 0.125, "use_ema": True, "ema_momentum": 0.5}
    theirs = keras.optimizers.Adam(**kwargs)
    keras_vars = [keras.Variable(v, dtype="float32") for v in INITIAL]
    ours, our_vars = Adam(**kwargs), _variables("float32")
    for grads in GRADIENTS:
        theirs.apply_gradients([(keras.ops.convert_to_tensor(g.astype("float32")), v)
                                for g, v in zip(grads, keras_vars)])
        ours.apply_gradients(zip([g.astype("float32") for g in grads], our_vars))
    theirs.finalize_variable_values(keras_vars)
    ours.finalize_variable_values(our_vars)
    # float32 Adam itself differs from Keras's by a few ulps per step (bias corrections
    # rounded differently), hence 1e-5.
    assert_all_close([v.numpy() for v in our_vars], [to_numpy(v.value) for v in keras_vars],
                     rtol=1e-5, atol=1e-5)


# -- model.fit against Keras -------------------------------------------------------------------
def _build(module):
    return module.models.Sequential([module.layers.Input((4,)),
                                     module.layers.Dense(5, activation="tanh"),
                                     module.layers.Dense(2)])


@pytest.mark.parametrize("extra", [{"use_ema": True, "ema_momentum": 0.9},
                                   {"gradient_accumulation_steps": 2}])
def test_fit_matches_keras(extra):
    keras = keras_or_skip()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    keras.utils.set_random_seed(7)
    theirs = _build(keras)
    ours = _build(gl)
    ours.set_weights([to_numpy(w) for w in theirs.get_weights()])
    theirs.compile(optimizer=keras.optimizers.Adam(0.01, **extra), loss="mse")
    ours.compile(optimizer=Adam(0.01, **extra), loss="mse")
    fit = {"batch_size": 8, "epochs": 3, "verbose": 0, "shuffle": False}
    expected = theirs.fit(x, y, **fit).history
    got = ours.fit(x, y, **fit).history
    # Keras's fit ends with this call; gpulayers' fit loop does not make it yet.
    ours.optimizer.finalize_variable_values(ours.trainable_weights)
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-4)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, to_numpy(keras_weight), rtol=1e-4, atol=1e-5)
    if extra.get("use_ema"):  # the weights really are the averages, not the raw ones
        raw_weights = [w.numpy() for w in ours.optimizer._model_variables_moving_average]
        for mine, average in zip(ours.get_weights(), raw_weights):
            np.testing.assert_array_equal(mine, average)


# -- state round trips -----------------------------------------------------------------------
def test_state_round_trip_continues_identically():
    kwargs = {"learning_rate": 0.05, "use_ema": True, "gradient_accumulation_steps": 2}
    first, first_vars = Adam(**kwargs), _variables()
    for grads in GRADIENTS[:3]:
        first.apply_gradients(zip(grads, first_vars))
    second = Adam(**kwargs)
    second_vars = _variables()
    for target, source in zip(second_vars, first_vars):
        target.assign(source.numpy())
    second.build(second_vars)
    second.assign_variables([v.numpy() for v in first.variables])
    assert int(second.iterations) == 1  # 3 calls, 2 per update
    first.apply_gradients(zip(GRADIENTS[3], first_vars))
    second.apply_gradients(zip(GRADIENTS[3], second_vars))
    assert_all_close([v.numpy() for v in second_vars], [v.numpy() for v in first_vars])
    assert_all_close([v.numpy() for v in second.variables], [v.numpy() for v in first.variables])


def test_keras_file_round_trip_keeps_ema_and_accumulators(tmp_path):
    pytest.importorskip("h5py", reason="h5py (the HDF5 extra) is not installed")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 4)).astype("float32")
    y = rng.normal(size=(12, 2)).astype("float32")
    model = _build(gl)
    model.compile(optimizer=Adam(0.01, use_ema=True, gradient_accumulation_steps=2), loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)  # 3 calls: 1 pending
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    config = loaded.optimizer.get_config()
    assert config["use_ema"] is True and config["gradient_accumulation_steps"] == 2
    assert_all_close([v.numpy() for v in loaded.optimizer.variables],
                     [v.numpy() for v in model.optimizer.variables])
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    assert_all_close(loaded.get_weights(), model.get_weights())


def test_keras_ema_model_file_loads_into_gpulayers_and_back(tmp_path):
    pytest.importorskip("h5py", reason="h5py (the HDF5 extra) is not installed")
    keras = keras_or_skip()
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    theirs = _build(keras)
    theirs.compile(optimizer=keras.optimizers.Adam(0.01, use_ema=True), loss="mse")
    theirs.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    theirs.save(tmp_path / "k.keras")
    ours = load_model(tmp_path / "k.keras")
    assert ours.optimizer.use_ema is True
    keras_state = [to_numpy(v.value) for v in theirs.optimizer.variables]
    del keras_state[1]  # the learning-rate variable
    assert_all_close([v.numpy() for v in ours.optimizer.variables], keras_state,
                     rtol=1e-6, atol=1e-7)
    ours.save(tmp_path / "g.keras")
    back = keras.models.load_model(tmp_path / "g.keras")
    assert back.optimizer.use_ema is True
    assert_all_close([to_numpy(v.value) for v in back.optimizer.variables],
                     [to_numpy(v.value) for v in theirs.optimizer.variables],
                     rtol=1e-6, atol=1e-7)


# -- configs and bad input ---------------------------------------------------------------------
def test_config_round_trip():
    optimizer = RMSprop(0.01, use_ema=True, ema_momentum=0.95, ema_overwrite_frequency=5,
                        loss_scale_factor=128.0, gradient_accumulation_steps=4)
    config = optimizer.get_config()
    assert {key: config[key] for key in ("use_ema", "ema_momentum", "ema_overwrite_frequency",
                                         "loss_scale_factor", "gradient_accumulation_steps")} \
        == {"use_ema": True, "ema_momentum": 0.95, "ema_overwrite_frequency": 5,
            "loss_scale_factor": 128.0, "gradient_accumulation_steps": 4}
    assert optimizers.deserialize(optimizers.serialize(optimizer)).get_config() == config


@pytest.mark.parametrize("kwargs, message", [
    ({"use_ema": 1}, "`use_ema` must be True or False"),
    ({"use_ema": True, "ema_momentum": 1.5}, r"`ema_momentum` must be a number in \[0, 1\]"),
    ({"use_ema": True, "ema_overwrite_frequency": 0}, "`ema_overwrite_frequency` must be a "
                                                      "positive integer"),
    ({"gradient_accumulation_steps": 1}, "`gradient_accumulation_steps` must be an integer"),
    ({"gradient_accumulation_steps": 2.5}, "`gradient_accumulation_steps` must be a positive"),
    ({"loss_scale_factor": -2.0}, "`loss_scale_factor` must be a number > 0"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=f"SGD 'bad': {message}"):
        SGD(name="bad", **kwargs)


def test_finalize_checks_the_variable_count_and_is_a_no_op_without_ema():
    optimizer = SGD(0.1, use_ema=True, name="e")
    variables = _variables()
    optimizer.apply_gradients(zip(GRADIENTS[0], variables))
    with pytest.raises(ValueError, match="SGD 'e': cannot overwrite 1 model variables"):
        optimizer.finalize_variable_values(variables[:1])
    plain, plain_vars = SGD(0.1), _variables()
    plain.apply_gradients(zip(GRADIENTS[0], plain_vars))
    before = [v.numpy() for v in plain_vars]
    plain.finalize_variable_values(plain_vars)
    assert_all_close([v.numpy() for v in plain_vars], before, rtol=0, atol=0)


def test_a_model_trains_with_all_three():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=Adam(0.05, use_ema=True, ema_momentum=0.5, loss_scale_factor=16.0,
                                 gradient_accumulation_steps=2), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=15, verbose=0)
    model.optimizer.finalize_variable_values(model.trainable_weights)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0) < 0.1 * history.history["loss"][0]
