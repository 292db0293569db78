"""Adafactor against the formula in NumPy, Keras 3, configs, names and training."""

import numpy as np
import pytest
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

import gpulayers as gl
from gpulayers import layers, optimizers
from gpulayers.models import Sequential
from gpulayers.optimizers import Adafactor

# A 3-D variable too: the factors keep the leading dimension.
RNG = np.random.default_rng(5)
INITIAL_3D = [*INITIAL, RNG.normal(size=(2, 3, 4))]
GRADIENTS_3D = [[*grads, RNG.normal(size=(2, 3, 4))] for grads in GRADIENTS]


def rms(x):
    return np.sqrt(np.mean(np.square(x)))


def reference_adafactor(lr, initial, gradient_steps, beta_2_decay=-0.8, epsilon_1=1e-30,
                        epsilon_2=1e-3, clip_threshold=1.0, relative_step=True,
                        weight_decay=0.0):
    weights = [w.copy() for w in initial]
    r = [np.zeros(w.shape[:-1]) for w in initial]
    c = [np.zeros(w.shape[:-2] + w.shape[-1:]) for w in initial]
    v = [np.zeros_like(w) for w in initial]
    for t, grads in enumerate(gradient_steps, start=1):
        for i, g in enumerate(grads):
            weights[i] = weights[i] - weights[i] * weight_decay * lr  # decoupled, before
            step_lr = min(lr, 1 / np.sqrt(t)) if relative_step else lr
            rho = min(step_lr, 1 / np.sqrt(t))
            alpha = max(epsilon_2, rms(weights[i])) * rho
            g2 = g ** 2 + epsilon_1
            beta_2_t = 1 - t ** beta_2_decay
            if g.ndim >= 2:
                r[i] = beta_2_t * r[i] + (1 - beta_2_t) * g2.mean(axis=-1)
                c[i] = beta_2_t * c[i] + (1 - beta_2_t) * g2.mean(axis=-2)
                v[i] = ((r[i] / r[i].mean(axis=-1, keepdims=True))[..., None]
                        * c[i][..., None, :])
            else:
                v[i] = beta_2_t * v[i] + (1 - beta_2_t) * g2
            u = g / np.sqrt(v[i])
            u = u / max(1.0, rms(u) / clip_threshold)
            weights[i] = weights[i] - alpha * u
    return weights


SETTINGS = [{}, {"beta_2_decay": -0.5}, {"epsilon_1": 1e-3}, {"epsilon_2": 0.5},
            {"clip_threshold": 0.1}, {"relative_step": False}, {"weight_decay": 0.1},
            {"learning_rate": 0.9}]


@pytest.mark.parametrize("kwargs", SETTINGS, ids=str)
def test_adafactor_matches_the_formula(kwargs):
    kwargs = {"learning_rate": 0.05, **kwargs}
    lr = kwargs.pop("learning_rate")
    assert_all_close(run_steps(Adafactor(learning_rate=lr, **kwargs), INITIAL_3D, GRADIENTS_3D),
                     reference_adafactor(lr, INITIAL_3D, GRADIENTS_3D, **kwargs))


@pytest.mark.parametrize("kwargs", [{}, {"clip_threshold": 0.1, "epsilon_2": 0.5},
                                    {"weight_decay": 0.1}, {"learning_rate": 0.9},
                                    {"global_clipnorm": 0.3}], ids=str)
def test_keras_parity(kwargs):
    kwargs = {"learning_rate": 0.05, **kwargs}
    expected = keras_steps("Adafactor", kwargs, INITIAL_3D, GRADIENTS_3D)
    # Keras keeps the rate in float32: ~1e-8 apart.
    assert_all_close(run_steps(Adafactor(**kwargs), INITIAL_3D, GRADIENTS_3D), expected,
                     rtol=1e-6, atol=1e-7)


def test_slots_in_keras_order_names_and_shapes():
    optimizer = Adafactor()
    optimizer.build([gl.Variable(np.zeros((2, 3, 4)), name="k"),
                     gl.Variable(np.zeros(3), name="b"),
                     gl.Variable(np.zeros((5, 2)), name="d")])
    assert [(v.name, v.shape) for v in optimizer.variables] == [
        ("iteration", ()), ("k", (2, 3)), ("k", (2, 4)), ("k_velocity", (2, 3, 4)),
        ("b_velocity", (3,)), ("d", (5,)), ("d", (2,)), ("d_velocity", (5, 2))]


def test_float32_variables_stay_float32():
    optimizer = Adafactor(0.01)
    w = gl.Variable(np.ones((2, 2), dtype="float32"), name="w")
    b = gl.Variable(np.ones(2, dtype="float32"), name="b")
    optimizer.apply_gradients([(np.full((2, 2), 0.5, dtype="float32"), w),
                               (np.full(2, 0.5, dtype="float32"), b)])
    assert w.data.dtype == np.float32 and b.data.dtype == np.float32
    assert all(v.data.dtype == np.float32 for v in optimizer.variables[1:])


def test_config_round_trip_and_keras_keys():
    optimizer = Adafactor(0.01, beta_2_decay=-0.5, epsilon_1=1e-20, epsilon_2=1e-2,
                          clip_threshold=2.0, relative_step=False, clipnorm=1.0)
    config = optimizers.serialize(optimizer)
    assert config["module"] == "gpulayers.optimizers" and config["registered_name"] is None
    rebuilt = optimizers.deserialize(config)
    assert type(rebuilt) is Adafactor and rebuilt.get_config() == optimizer.get_config()
    from keras_available import keras_or_skip
    keras = keras_or_skip()
    theirs = keras.optimizers.Adafactor().get_config()
    ours = Adafactor().get_config()
    assert sorted(ours) == sorted(theirs)
    for key, value in theirs.items():
        if key != "name":
            assert _same(ours[key], value), key
    assert type(optimizers.get({"class_name": "Adafactor", "config": theirs})) is Adafactor


def test_get_by_name_in_any_case():
    for spelling in ("adafactor", "ADAFACTOR", "Adafactor"):
        assert type(optimizers.get(spelling)) is Adafactor


@pytest.mark.parametrize("kwargs, message", [
    ({"epsilon_1": -1.0}, r"Adafactor 'a': `epsilon_1` must be a number >= 0. "
                          r"Received: epsilon_1=-1.0"),
    ({"epsilon_2": -1.0}, r"Adafactor 'a': `epsilon_2` must be a number >= 0"),
    ({"clip_threshold": 0.0}, r"Adafactor 'a': `clip_threshold` must be a number > 0"),
    ({"beta_2_decay": None}, r"Adafactor 'a': `beta_2_decay` must be a number"),
    ({"relative_step": 1}, r"Adafactor 'a': `relative_step` must be True or False"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Adafactor(name="a", **kwargs)


def test_a_model_compiled_with_the_name_trains():
    gl.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.5], [-2.0], [0.5]], dtype="float32") + 0.3
    model = Sequential([layers.Input((3,)), layers.Dense(8, activation="tanh"),
                        layers.Dense(1)])
    model.compile(optimizer="adafactor", loss="mse")
    assert type(model.optimizer) is Adafactor
    model.optimizer.learning_rate = 0.1
    history = model.fit(x, y, batch_size=16, epochs=10, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0], history


def _same(ours, theirs):
    """Config values equal: numbers to float32 rounding, anything else (None, bools, strings)
    exactly (pytest >= 9.2 refuses approx(None))."""
    if isinstance(theirs, float) and not isinstance(ours, bool):
        return ours == pytest.approx(theirs, rel=1e-7)
    return ours == theirs
