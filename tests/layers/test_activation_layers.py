"""Activation layers: Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax.

Values are checked against NumPy formulas written here, PReLU's weight layout and every class
against Keras 3 itself, masks against Keras's rules (pass-through; Softmax gives masked
positions probability 0).
"""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import layers, ops
from gpulayers.autodiff import Tensor
from gpulayers.backend import to_device
from gpulayers.testing import check_gradients, run_layer_test


def _x(*shape, seed=0):
    # Values kept away from the kinks (0, thresholds) so finite differences are smooth.
    x = np.random.default_rng(seed).uniform(0.1, 2.0, size=shape)
    signs = np.where(np.random.default_rng(seed + 1).random(shape) < 0.5, -1.0, 1.0)
    return (x * signs).astype("float32")


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# -- Activation ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, formula", [
    ("relu", lambda x: np.maximum(x, 0)), ("tanh", np.tanh),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))), ("linear", lambda x: x),
    ("softmax", np_softmax), ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
    ("softplus", lambda x: np.log1p(np.exp(x))),
])
def test_activation_by_name(name, formula):
    x = _x(2, 3, 4)
    run_layer_test(layers.Activation, {"activation": name}, input_data=x,
                   expected_output=formula(x.astype("float64")), expected_output_shape=x.shape,
                   expected_num_trainable_weights=0, supports_masking=True)
    assert layers.Activation(name).get_config()["activation"] == name


def test_activation_with_a_callable_and_none():
    x = _x(2, 3)
    np.testing.assert_allclose(np.asarray(layers.Activation(ops.tanh)(x)), np.tanh(x),
                               rtol=1e-6)
    assert layers.Activation(ops.tanh).get_config()["activation"] == "tanh"

    def double(t):
        return t * 2

    layer = layers.Activation(double)
    np.testing.assert_allclose(np.asarray(layer(x)), 2 * x)
    assert layers.Activation.from_config(layer.get_config()).activation is double
    np.testing.assert_allclose(np.asarray(layers.Activation(None)(x)), x)


def test_activation_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"act_x.*'relux'"):
        layers.Activation("relux", name="act_x")
    with pytest.raises(TypeError, match="act_y"):
        layers.Activation(3, name="act_y")


# -- ReLU / LeakyReLU / ELU ------------------------------------------------------------------
def np_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return y if max_value is None else np.minimum(y, max_value)


@pytest.mark.parametrize("kwargs", [
    {}, {"max_value": 1.0}, {"negative_slope": 0.1}, {"threshold": 0.5},
    {"max_value": 1.5, "negative_slope": 0.2, "threshold": 0.3},
])
def test_relu(kwargs):
    x = _x(3, 5, seed=1)
    expected = np_relu(x.astype("float64"), **kwargs)
    run_layer_test(layers.ReLU, kwargs, input_data=x, expected_output=expected,
                   expected_num_trainable_weights=0, supports_masking=True)


@pytest.mark.parametrize("kwargs, words", [
    ({"max_value": -1.0}, ["max_value", "-1.0"]), ({"negative_slope": -0.1}, ["negative_slope"]),
    ({"negative_slope": None}, ["negative_slope", "None"]), ({"threshold": -2}, ["threshold"]),
])
def test_relu_rejects_negative_arguments(kwargs, words):
    with pytest.raises(ValueError) as error:
        layers.ReLU(name="bad_relu", **kwargs)
    assert all(word in str(error.value) for word in ["bad_relu", *words])


@pytest.mark.parametrize("kwargs, slope", [({}, 0.3), ({"negative_slope": 0.05}, 0.05),
                                           ({"alpha": 0.2}, 0.2)])
def test_leaky_relu(kwargs, slope):
    x = _x(2, 3, 4, seed=2)
    expected = np.where(x >= 0, x, slope * x)
    run_layer_test(layers.LeakyReLU, kwargs, input_data=x, expected_output=expected,
                   expected_num_trainable_weights=0, supports_masking=True)
    assert layers.LeakyReLU(**kwargs).get_config()["negative_slope"] == slope
    assert "alpha" not in layers.LeakyReLU(**kwargs).get_config()


def test_leaky_relu_rejects_a_negative_slope():
    with pytest.raises(ValueError, match=r"leaky.*negative_slope.*-0.5"):
        layers.LeakyReLU(negative_slope=-0.5, name="leaky")


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_elu(alpha):
    x = _x(2, 6, seed=3).astype("float64")
    expected = np.where(x > 0, x, alpha * np.expm1(x))
    run_layer_test(layers.ELU, {"alpha": alpha}, input_data=x.astype("float32"),
                   expected_output=expected, expected_num_trainable_weights=0,
                   supports_masking=True)
    assert layers.ELU(alpha=alpha).get_config()["alpha"] == alpha


def test_activation_layers_pass_masks_through():
    x = Tensor(to_device(_x(2, 3, 2)))
    mask = Tensor(to_device(np.array([[1, 0, 1], [1, 1, 0]], bool)))
    x._keras_mask = mask
    for layer in [layers.Activation("relu"), layers.ReLU(), layers.LeakyReLU(), layers.ELU(),
                  layers.PReLU()]:
        assert layer(x)._keras_mask is mask, type(layer).__name__
    scores = Tensor(to_device(_x(2, 3)))  # Softmax reads the carried mask and passes it on
    scores._keras_mask = mask
    y = layers.Softmax()(scores)
    assert y._keras_mask is mask
    np.testing.assert_array_equal(np.asarray(y)[~np.asarray(mask)], 0)


# -- PReLU -----------------------------------------------------------------------------------
@pytest.mark.parametrize("shared_axes, input_shape, alpha_shape", [
    (None, (2, 3, 4), (3, 4)), (1, (2, 3, 4), (1, 4)), ([1, 2], (2, 3, 4, 2), (1, 1, 2)),
    ([1, 2, 3], (2, 3, 2, 2), (1, 1, 1)), (None, (3, 5), (5,)),
])
def test_prelu_weight_layout_and_values(shared_axes, input_shape, alpha_shape):
    x = _x(*input_shape, seed=4)
    alpha = np.random.default_rng(5).uniform(0.1, 0.5, size=alpha_shape).astype("float32")
    layer = layers.PReLU(shared_axes=shared_axes)
    layer(x)
    assert [w.shape for w in layer.get_weights()] == [alpha_shape]
    np.testing.assert_array_equal(layer.get_weights()[0], 0)  # 'Zeros' by default
    layer.set_weights([alpha])
    np.testing.assert_allclose(np.asarray(layer(x)), np.where(x >= 0, x, alpha * x), rtol=1e-6)
    run_layer_test(layers.PReLU, {"shared_axes": shared_axes,
                                  "alpha_initializer": "random_uniform"},
                   input_data=x, expected_output_shape=input_shape,
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=0,
                   supports_masking=True)


def test_prelu_config_regularizer_and_constraint():
    layer = layers.PReLU(alpha_initializer="ones", alpha_regularizer="l2",
                         alpha_constraint="non_neg", shared_axes=[1])
    config = layer.get_config()
    assert config["shared_axes"] == [1]
    assert config["alpha_initializer"]["class_name"] == "Ones"
    assert config["alpha_regularizer"]["class_name"] == "L2"
    assert config["alpha_constraint"]["class_name"] == "NonNeg"
    clone = layers.PReLU.from_config(config)
    x = _x(2, 3, 4)
    clone(x)
    np.testing.assert_array_equal(clone.get_weights()[0], np.ones((1, 4)))
    assert len(clone.losses) == 1
    np.testing.assert_allclose(float(clone.losses[0]), 0.01 * 4, rtol=1e-6)
    assert clone.alpha.constraint is not None


def test_prelu_rejects_bad_shared_axes_and_inputs():
    with pytest.raises(ValueError, match=r"prelu_a.*shared_axes.*0"):
        layers.PReLU(shared_axes=0, name="prelu_a")
    with pytest.raises(ValueError, match=r"prelu_b.*\(2, 3\)"):
        layers.PReLU(shared_axes=[2], name="prelu_b")(np.zeros((2, 3), "float32"))
    layer = layers.PReLU(shared_axes=1, name="prelu_c")
    layer(np.zeros((2, 3, 4), "float32"))
    layer(np.zeros((2, 7, 4), "float32"))  # the shared axis may change size
    with pytest.raises(ValueError, match=r"prelu_c.*\(2, 3, 5\)"):
        layer(np.zeros((2, 3, 5), "float32"))
    with pytest.raises(ValueError, match="prelu_d"):
        layers.PReLU(name="prelu_d")(layers.Input(shape=(None, 4)))


# -- Softmax ---------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 1, (1, 2), [0, 2]])
def test_softmax(axis):
    x = _x(2, 3, 4, seed=6)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    run_layer_test(layers.Softmax, {"axis": axis}, input_data=x,
                   expected_output=np_softmax(x.astype("float64"), np_axis),
                   expected_num_trainable_weights=0, supports_masking=True)
    assert layers.Softmax(axis=axis).get_config()["axis"] == axis


def test_softmax_gives_masked_positions_zero():
    x = _x(2, 3, 4, seed=7)
    mask = np.array([[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]], bool)  # (3, 4): from the right
    y = np.asarray(layers.Softmax()(x, mask=mask))
    row_max = np.where(mask, x, x.min()).max(-1, keepdims=True)
    expected = np.where(mask, np.exp(x - row_max), 0)
    sums = expected.sum(-1, keepdims=True)
    expected = np.divide(expected, sums, out=np.zeros_like(expected), where=sums > 0)
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-7)
    assert np.all(y[:, 1] == 0)  # a fully masked row is all zeros
    np.testing.assert_allclose(y[:, 0].sum(-1), 1, rtol=1e-6)
    float_mask = mask.astype("float32") * 0.9  # > 0.5 keeps
    np.testing.assert_allclose(np.asarray(layers.Softmax()(x, mask=float_mask)), y)


def test_softmax_masked_gradient():
    layer = layers.Softmax(dtype="float64")
    mask = np.array([[1, 0, 1, 1], [1, 1, 0, 1]], bool)
    check_gradients(lambda x: layer(x, mask=mask), [_x(2, 4, seed=8)])


def test_softmax_rejects_bad_axis_and_mask():
    with pytest.raises(ValueError, match=r"soft_a.*axis"):
        layers.Softmax(axis="last", name="soft_a")
    with pytest.raises(ValueError, match=r"soft_b.*axis=3.*\(2, 3\)"):
        layers.Softmax(axis=3, name="soft_b")(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"soft_c.*\(2, 3\).*\(2,\)"):
        layers.Softmax(name="soft_c")(np.zeros((2, 3), "float32"), mask=np.ones(2, bool))


# -- Keras parity ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs, shape", [
    ("Activation", {"activation": "gelu"}, (2, 3, 4)),
    ("Activation", {"activation": "softmax"}, (2, 5)),
    ("Activation", {"activation": "selu"}, (2, 5)),
    ("ReLU", {}, (2, 6)),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}, (2, 3, 4)),
    ("LeakyReLU", {}, (2, 6)),
    ("LeakyReLU", {"negative_slope": 0.01}, (2, 6)),
    ("ELU", {}, (2, 6)),
    ("ELU", {"alpha": 0.7}, (2, 6)),
    ("PReLU", {"alpha_initializer": "random_uniform"}, (2, 3, 4)),
    ("PReLU", {"alpha_initializer": "random_uniform", "shared_axes": [1, 2]}, (2, 3, 4, 5)),
    ("Softmax", {}, (2, 3, 4)),
    ("Softmax", {"axis": 1}, (2, 3, 4)),
    ("Softmax", {"axis": (1, 2)}, (2, 3, 4)),
])
def test_keras_parity(name, kwargs, shape):
    keras = keras_or_skip()
    x = _x(*shape, seed=9)
    assert_keras_parity(getattr(layers, name), getattr(keras.layers, name), kwargs, x)


def test_keras_parity_masked_softmax():
    keras = keras_or_skip()
    x = _x(2, 3, 4, seed=10)
    mask = np.array([[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]], bool)
    assert_keras_parity(layers.Softmax, keras.layers.Softmax, {}, x,
                        call_kwargs={"mask": mask}, atol=1e-6)


def test_keras_configs_load_here():
    keras = keras_or_skip()
    for name, kwargs in [("ReLU", {"max_value": 6.0}), ("LeakyReLU", {}),
                         ("PReLU", {"shared_axes": [1]}), ("Softmax", {"axis": 1}),
                         ("Activation", {"activation": "tanh"}), ("ELU", {})]:
        config = getattr(keras.layers, name)(**kwargs).get_config()
        config.pop("name")
        ours = getattr(layers, name).from_config(config)
        for key, value in kwargs.items():
            assert getattr(ours, key) == value or ours.get_config()[key] == value
