"""Lion and Ftrl against the formulas in NumPy, Keras 3, configs, names and training."""

import numpy as np
import pytest
from optimizer_keras_peer import keras_steps
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

import gpulayers as gl
from gpulayers import layers, optimizers
from gpulayers.models import Sequential
from gpulayers.optimizers import Ftrl, Lion


def reference_lion(lr, beta_1=0.9, beta_2=0.99, weight_decay=0.0):
    weights = [w.copy() for w in INITIAL]
    m = [np.zeros_like(w) for w in INITIAL]
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            weights[i] = weights[i] - weights[i] * weight_decay * lr  # decoupled, before
            weights[i] = weights[i] - lr * np.sign(m[i] * beta_1 + g * (1 - beta_1))
            m[i] = m[i] * beta_2 + g * (1 - beta_2)
    return weights


def reference_ftrl(lr, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                   l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                   l2_shrinkage_regularization_strength=0.0, beta=0.0):
    p = -learning_rate_power
    l1 = l1_regularization_strength
    l2 = l2_regularization_strength + beta / (2 * lr)
    weights = [w.copy() for w in INITIAL]
    n = [np.full_like(w, initial_accumulator_value) for w in INITIAL]
    z = [np.zeros_like(w) for w in INITIAL]
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            w = weights[i]
            shrunk = g + 2 * l2_shrinkage_regularization_strength * w
            n_new = n[i] + g ** 2
            sigma = (n_new ** p - n[i] ** p) / lr
            z[i] = z[i] + shrunk - sigma * w
            # The closed form: 0 where |z| <= l1, else (sign(z) * l1 - z) / (...).
            weights[i] = np.where(np.abs(z[i]) <= l1, 0.0,
                                  (np.sign(z[i]) * l1 - z[i]) / (n_new ** p / lr + 2 * l2))
            n[i] = n_new
    return weights


LION_SETTINGS = [{}, {"beta_1": 0.5}, {"beta_2": 0.5}, {"beta_1": 1.0, "beta_2": 0.0},
                 {"weight_decay": 0.1}]
FTRL_SETTINGS = [
    {}, {"learning_rate_power": 0.0}, {"learning_rate_power": -1.0},
    {"initial_accumulator_value": 0.0}, {"l1_regularization_strength": 0.3},
    {"l2_regularization_strength": 0.2}, {"l2_shrinkage_regularization_strength": 0.1},
    {"beta": 0.5},
    {"learning_rate_power": -0.3, "initial_accumulator_value": 0.5,
     "l1_regularization_strength": 0.05, "l2_regularization_strength": 0.1,
     "l2_shrinkage_regularization_strength": 0.2, "beta": 0.1},
]


@pytest.mark.parametrize("kwargs", LION_SETTINGS, ids=str)
def test_lion_matches_the_formula(kwargs):
    assert_all_close(run_steps(Lion(learning_rate=0.05, **kwargs)),
                     reference_lion(0.05, **kwargs))


@pytest.mark.parametrize("kwargs", FTRL_SETTINGS, ids=str)
def test_ftrl_matches_the_formula(kwargs):
    assert_all_close(run_steps(Ftrl(learning_rate=0.2, **kwargs)),
                     reference_ftrl(0.2, **kwargs))


def test_ftrl_l1_zeroes_small_weights():
    result = run_steps(Ftrl(learning_rate=0.2, l1_regularization_strength=10.0))
    for w in result:
        np.testing.assert_array_equal(w, np.zeros_like(w))


def test_slots_in_keras_order_and_names():
    lion = Lion()
    run_steps(lion, names=["k", "b"])
    assert [v.name for v in lion.variables] == ["iteration", "k_momentum", "b_momentum"]
    ftrl = Ftrl(initial_accumulator_value=0.25)
    ftrl.build([gl.Variable(np.zeros((2, 3)), name="k"), gl.Variable(np.zeros(3), name="b")])
    assert [v.name for v in ftrl.variables] == [
        "iteration", "k_accumulator", "k_linear", "b_accumulator", "b_linear"]
    np.testing.assert_array_equal(ftrl.variables[1].numpy(), np.full((2, 3), 0.25))
    np.testing.assert_array_equal(ftrl.variables[2].numpy(), np.zeros((2, 3)))


def test_float32_variables_stay_float32():
    for optimizer in (Lion(0.01), Ftrl(0.1, l1_regularization_strength=0.01)):
        w = gl.Variable(np.ones((2, 2), dtype="float32"), name="w")
        optimizer.apply_gradients([(np.full((2, 2), 0.5, dtype="float32"), w)])
        assert w.data.dtype == np.float32
        assert all(v.data.dtype == np.float32 for v in optimizer.variables[1:])


@pytest.mark.parametrize("name, kwargs", [
    ("Lion", {}), ("Lion", {"beta_1": 0.5, "beta_2": 0.8}), ("Lion", {"weight_decay": 0.1}),
    ("Lion", {"clipnorm": 0.3}),
    *[("Ftrl", kwargs) for kwargs in FTRL_SETTINGS],
])
def test_keras_parity(name, kwargs):
    kwargs = {"learning_rate": 0.05 if name == "Lion" else 0.2, **kwargs}
    expected = keras_steps(name, kwargs, INITIAL, GRADIENTS)
    ours = {"Lion": Lion, "Ftrl": Ftrl}[name](**kwargs)
    # Keras keeps the rate in float32: ~1e-8 apart.
    assert_all_close(run_steps(ours), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("optimizer", [
    Lion(3e-4, beta_1=0.8, beta_2=0.95, weight_decay=0.01, clipnorm=1.0),
    Ftrl(0.05, learning_rate_power=-0.25, initial_accumulator_value=0.2,
         l1_regularization_strength=0.01, l2_regularization_strength=0.02,
         l2_shrinkage_regularization_strength=0.03, beta=0.5, clipvalue=0.5),
], ids=lambda o: type(o).__name__)
def test_config_round_trip(optimizer):
    config = optimizers.serialize(optimizer)
    assert config["module"] == "gpulayers.optimizers" and config["registered_name"] is None
    rebuilt = optimizers.deserialize(config)
    assert type(rebuilt) is type(optimizer)
    assert rebuilt.get_config() == optimizer.get_config()


def test_config_keys_match_keras():
    from keras_available import keras_or_skip
    keras = keras_or_skip()
    for name in ("Lion", "Ftrl"):
        theirs = getattr(keras.optimizers, name)().get_config()
        ours = getattr(optimizers, name)().get_config()
        assert sorted(ours) == sorted(theirs)
        for key, value in theirs.items():
            if key != "name":
                assert _same(ours[key], value), (name, key)
        # A Keras config loads here.
        assert type(optimizers.get({"class_name": name, "config": theirs})).__name__ == name


@pytest.mark.parametrize("name, cls", [("lion", Lion), ("ftrl", Ftrl)])
def test_get_by_name_in_any_case(name, cls):
    for spelling in (name, name.upper(), cls.__name__):
        assert type(optimizers.get(spelling)) is cls


@pytest.mark.parametrize("cls, kwargs, message", [
    (Lion, {"beta_1": 0.0}, r"Lion 'o': `beta_1` must be a number in \(0, 1\]. "
                            r"Received: beta_1=0.0"),
    (Lion, {"beta_1": 1.5}, r"Lion 'o': `beta_1` must be .* Received: beta_1=1.5"),
    (Lion, {"beta_2": -0.1}, r"Lion 'o': `beta_2` must be .* Received: beta_2=-0.1"),
    (Lion, {"beta_1": "x"}, r"Lion 'o': `beta_1` must be .* Received: beta_1='x'"),
    (Ftrl, {"initial_accumulator_value": -1},
     r"Ftrl 'o': `initial_accumulator_value` must be a number >= 0. "
     r"Received: initial_accumulator_value=-1"),
    (Ftrl, {"learning_rate_power": 0.5},
     r"Ftrl 'o': `learning_rate_power` must be a number <= 0. "
     r"Received: learning_rate_power=0.5"),
    (Ftrl, {"l1_regularization_strength": -0.1},
     r"Ftrl 'o': `l1_regularization_strength` must be a number >= 0"),
    (Ftrl, {"l2_regularization_strength": -0.1},
     r"Ftrl 'o': `l2_regularization_strength` must be a number >= 0"),
    (Ftrl, {"l2_shrinkage_regularization_strength": -0.1},
     r"Ftrl 'o': `l2_shrinkage_regularization_strength` must be a number >= 0"),
    (Ftrl, {"beta": -1.0}, r"Ftrl 'o': `beta` must be a number >= 0"),
    (Ftrl, {"momentum": 0.9}, r"Ftrl 'o': argument\(s\) not recognized"),
])
def test_bad_arguments(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(name="o", **kwargs)


def test_ftrl_refuses_a_zero_learning_rate_at_the_step():
    with pytest.raises(ValueError, match=r"Ftrl 'f': .*learning rate.* > 0"):
        run_steps(Ftrl(learning_rate=0.0, name="f"))


@pytest.mark.parametrize("name, learning_rate", [("lion", 0.01), ("ftrl", 0.5)])
def test_a_model_compiled_with_the_name_trains(name, learning_rate):
    gl.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.5], [-2.0], [0.5]], dtype="float32") + 0.3
    model = Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=name, loss="mse")
    assert type(model.optimizer).__name__.lower() == name
    model.optimizer.learning_rate = learning_rate
    history = model.fit(x, y, batch_size=16, epochs=10, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0], history


def _same(ours, theirs):
    """Config values equal: numbers to float32 rounding, anything else (None, bools, strings)
    exactly (pytest >= 9.2 refuses approx(None))."""
    if isinstance(theirs, float) and not isinstance(ours, bool):
        return ours == pytest.approx(theirs, rel=1e-7)
    return ours == theirs
