"""Dense, EinsumDense, Identity, Masking: standard checks, plain references, Keras parity,
errors. (Embedding and Lambda: test_core_embedding_lambda.py.)"""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import GradientTape, constraints, ops, regularizers
from gpulayers.layers import Dense, EinsumDense, Identity, Input, Masking, deserialize, serialize
from gpulayers.testing import run_layer_test

rng = np.random.default_rng(0)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _keras_config_keys(layer):
    return set(layer.get_config())


# -- Dense -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, expected, n_weights", [
    ({"units": 3}, (2, 4), (2, 3), 2),
    ({"units": 2, "activation": "tanh"}, (2, 3, 4), (2, 3, 2), 2),
    ({"units": 2, "use_bias": False, "activation": "sigmoid"}, (1, 2, 2, 3), (1, 2, 2, 2), 1),
    ({"units": 1, "kernel_regularizer": "l2", "bias_constraint": "non_neg",
      "activity_regularizer": "l1"}, (3, 2), (3, 1), 2),
])
def test_dense_layer(kwargs, input_shape, expected, n_weights):
    run_layer_test(Dense, kwargs, input_shape=input_shape, expected_output_shape=expected,
                   expected_num_trainable_weights=n_weights,
                   expected_num_non_trainable_weights=0, supports_masking=True)


def test_dense_matches_plain_matmul_on_any_rank():
    x = _x(2, 3, 4)
    kernel, bias = _x(4, 5), _x(5)
    layer = Dense(5, activation="relu")
    layer(x)
    layer.set_weights([kernel, bias])
    expected = np.maximum(np.einsum("btf,fu->btu", x, kernel) + bias, 0.0)
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert [w.shape for w in layer.get_weights()] == [(4, 5), (5,)]
    assert [w.name.split("/")[-1] for w in layer.weights] == ["kernel", "bias"]


def test_dense_gradients_by_hand():
    x, kernel = _x(3, 2), _x(2, 4)
    layer = Dense(4)
    layer(x)
    layer.set_weights([kernel, np.zeros(4, "float32")])
    with GradientTape() as tape:
        loss = ops.sum(layer(x))
    grad_kernel, grad_bias = tape.gradient(loss, layer.trainable_weights)
    np.testing.assert_allclose(np.asarray(grad_kernel), x.T @ np.ones((3, 4)), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(grad_bias), np.full(4, 3.0), rtol=1e-6)


def test_dense_mask_passes_through_and_losses():
    x = ops.convert_to_tensor(_x(2, 3, 4))
    x._keras_mask = ops.convert_to_tensor(np.array([[True, True, False], [True, False, False]]))
    layer = Dense(2, kernel_regularizer=regularizers.L2(0.5), activity_regularizer="l2")
    y = layer(x)
    np.testing.assert_array_equal(np.asarray(y._keras_mask), np.asarray(x._keras_mask))
    kernel = layer.get_weights()[0]
    activity = 0.01 * np.sum(np.asarray(y) ** 2) / 2
    losses = sorted(float(v) for v in layer.losses)
    np.testing.assert_allclose(losses, sorted([activity, 0.5 * np.sum(kernel ** 2)]), rtol=1e-5)


def test_dense_constraint_and_symbolic_shapes():
    layer = Dense(3, kernel_constraint=constraints.NonNeg())
    assert layer(Input((None, 7))).shape == (None, None, 3)
    assert layer.kernel_constraint is not None and layer.get_weights()[0].shape == (7, 3)
    assert Dense(3).compute_output_shape((None, 5, 2)) == (None, 5, 3)


@pytest.mark.parametrize("bad", [0, -2, 2.5, True, "3", None])
def test_dense_rejects_bad_units(bad):
    with pytest.raises(ValueError, match=r"Dense 'dense.*'.*units.*Received: units="):
        Dense(bad)


def test_dense_argument_and_input_errors():
    with pytest.raises(ValueError, match="Dense.*activation.*nope"):
        Dense(2, activation="nope")
    with pytest.raises(ValueError, match="Dense.*kernel_initializer"):
        Dense(2, kernel_initializer="no_such_initializer")
    with pytest.raises(ValueError, match="quantization"):
        Dense(2, quantization_config={"mode": "int8"})
    layer = Dense(2, name="head")
    layer(_x(2, 4))
    with pytest.raises(ValueError, match=r"layer 'head'.*axis -1.*value 4.*\(2, 5\)"):
        layer(_x(2, 5))
    with pytest.raises(ValueError, match=r"'dense.*min_ndim=2, found ndim=1"):
        Dense(2)(_x(4))


def test_dense_rejects_unknown_feature_size():
    with pytest.raises(ValueError, match=r"Dense.*known last axis.*\(None, None\)"):
        Dense(2)(Input((None,)))


@pytest.mark.parametrize("kwargs, shape", [
    ({"units": 3}, (2, 4)),
    ({"units": 2, "activation": "tanh", "use_bias": False}, (2, 3, 4)),
    ({"units": 4, "activation": "relu", "bias_initializer": "random_normal"}, (2, 2, 3, 5)),
])
def test_dense_keras_parity(kwargs, shape):
    keras = keras_or_skip()
    assert_keras_parity(Dense, keras.layers.Dense, kwargs, _x(*shape))


def test_dense_config_keys_match_keras_and_load_a_keras_config():
    keras = keras_or_skip()
    theirs = keras.layers.Dense(3, activation="relu", kernel_initializer="ones", name="d")
    assert _keras_config_keys(Dense(3)) == _keras_config_keys(theirs)
    ours = Dense.from_config(theirs.get_config())
    assert (ours.units, ours.name) == (3, "d")
    np.testing.assert_array_equal(np.asarray(ours(np.ones((1, 2), "float32"))), [[2, 2, 2]])


# -- EinsumDense -------------------------------------------------------------------------------
EINSUM_CASES = [
    # equation, output_shape, bias_axes, input shape, expected output, kernel, bias
    ("ab,bc->ac", 4, "c", (2, 3), (2, 4), (3, 4), (4,)),
    ("abc,cd->abd", (None, 4), "d", (2, 3, 5), (2, 3, 4), (5, 4), (4,)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 3, 4), (2, 3, 2, 3), (4, 2, 3), (2, 3)),
    ("abc,cde->abde", (3, 2, 3), "d", (2, 3, 4), (2, 3, 2, 3), (4, 2, 3), (2, 1)),
    ("abcd,cde->abe", (3, 2), None, (2, 3, 4, 2), (2, 3, 2), (4, 2, 2), None),
    ("...b,bc->...c", 4, "c", (2, 3, 5), (2, 3, 4), (5, 4), (4,)),
    ("ab...,bc->ac...", 4, "c", (2, 5, 3), (2, 4, 3), (5, 4), (4, 1)),
]


@pytest.mark.parametrize("equation, output_shape, bias_axes, shape, expected, kernel, bias",
                         EINSUM_CASES)
def test_einsum_dense_layer(equation, output_shape, bias_axes, shape, expected, kernel, bias):
    kwargs = {"equation": equation, "output_shape": output_shape, "bias_axes": bias_axes,
              "activation": "tanh"}
    run_layer_test(EinsumDense, kwargs, input_shape=shape, expected_output_shape=expected,
                   expected_num_trainable_weights=1 if bias is None else 2)
    layer = EinsumDense(**kwargs)
    x = _x(*shape)
    layer(x)
    weights = [_x(*kernel)] + ([] if bias is None else [_x(*bias)])
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in weights]
    layer.set_weights(weights)
    reference = np.einsum(equation, x, weights[0]) + (0 if bias is None else weights[1])
    np.testing.assert_allclose(np.asarray(layer(x)), np.tanh(reference), rtol=1e-5, atol=1e-6)


def test_einsum_dense_output_shape_with_unknown_dims():
    layer = EinsumDense("abc,cd->abd", output_shape=(None, 4))
    assert layer.compute_output_shape((None, None, 5)) == (None, None, 4)
    assert layer(Input((7, 5))).shape == (None, 7, 4)


def test_einsum_dense_fans_follow_the_kernel_axes():
    # Glorot uniform on a (16, 4, 8) projection: fan_in 16, fan_out 32 (Keras 3's input and
    # output axes), so the limit is sqrt(6 / 48) ~= 0.354; compute_fans of the raw shape would
    # give sqrt(6 / (16 * 4 * 2 + 8 * 16)) ~= 0.153.
    layer = EinsumDense("abc,cde->abde", output_shape=(None, 4, 8))
    layer(_x(1, 2, 16))
    kernel = layer.get_weights()[0]
    assert kernel.shape == (16, 4, 8)
    assert 0.25 < np.abs(kernel).max() <= np.sqrt(6 / 48)


@pytest.mark.parametrize("kwargs, match", [
    ({"equation": "ab->ac", "output_shape": 3}, "invalid einsum equation"),
    ({"equation": "ab,bc->ad", "output_shape": 3}, "output dimension 'd'"),
    ({"equation": "ab,bcx->ac", "output_shape": 3}, "kernel dimension 'x'"),
    ({"equation": "ab,bc->ac", "output_shape": 3, "bias_axes": "b"}, "bias dimension 'b'"),
    ({"equation": "ab,bc->ac", "output_shape": 0}, "output_shape"),
    ({"equation": 3, "output_shape": 3}, "equation"),
])
def test_einsum_dense_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match="EinsumDense 'einsum_dense.*" + match):
        EinsumDense(**kwargs)


def test_einsum_dense_input_errors():
    with pytest.raises(ValueError, match="EinsumDense.*shared dimension 'b'.*input has 3"):
        EinsumDense("abc,cd->abd", output_shape=(5, 4))(_x(2, 3, 2))
    with pytest.raises(ValueError, match="EinsumDense.*input rank does not fit"):
        EinsumDense("abc,cd->abd", output_shape=(None, 4))(_x(2, 3))
    layer = EinsumDense("abc,cd->abd", output_shape=(None, 4), name="proj")
    layer(_x(2, 3, 5))
    with pytest.raises(ValueError, match="layer 'proj'.*expected ndim=3"):
        layer(_x(2, 5))


@pytest.mark.parametrize("equation, output_shape, bias_axes, shape, expected, kernel, bias",
                         EINSUM_CASES)
def test_einsum_dense_keras_parity(equation, output_shape, bias_axes, shape, expected, kernel,
                                   bias):
    keras = keras_or_skip()
    kwargs = {"equation": equation, "output_shape": output_shape, "bias_axes": bias_axes,
              "activation": "relu", "bias_initializer": "random_normal"}
    assert_keras_parity(EinsumDense, keras.layers.EinsumDense, kwargs, _x(*shape))
    theirs = keras.layers.EinsumDense(**kwargs)
    assert _keras_config_keys(EinsumDense(**kwargs)) == _keras_config_keys(theirs)


# -- Identity ----------------------------------------------------------------------------------
def test_identity_layer():
    x = _x(2, 3)
    out = run_layer_test(Identity, {}, input_data=x, expected_output_shape=(2, 3),
                         expected_num_trainable_weights=0, supports_masking=True)
    np.testing.assert_array_equal(np.asarray(out), x)
    tensor = ops.convert_to_tensor(x)
    tensor._keras_mask = ops.convert_to_tensor(np.array([True, False]))
    result = Identity()(tensor)
    assert result is tensor
    assert deserialize(serialize(Identity(name="skip"))).name == "skip"


# -- Masking -----------------------------------------------------------------------------------
def test_masking_zeroes_masked_steps_and_sets_the_mask():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]],
                  [[0.0, 0.0], [5.0, 0.0], [0.0, 0.0]]], "float32")
    run_layer_test(Masking, {"mask_value": 0.5}, input_shape=(2, 3, 2),
                   expected_output_shape=(2, 3, 2), supports_masking=True)
    # Finite differences cannot cross the mask's jump at an all-mask_value step: values only.
    out = run_layer_test(Masking, {}, input_data=x, expected_output_shape=(2, 3, 2),
                         expected_output=x, supports_masking=True, run_gradient_check=False)
    np.testing.assert_array_equal(np.asarray(out._keras_mask),
                                  [[True, False, True], [False, True, False]])
    y = Masking(mask_value=2.0)(x)
    np.testing.assert_array_equal(np.asarray(y._keras_mask), [[True] * 3, [True] * 3])
    z = Masking(mask_value=1.0)(np.array([[[1.0, 1.0], [1.0, 4.0]]], "float32"))
    np.testing.assert_array_equal(np.asarray(z), [[[0.0, 0.0], [1.0, 4.0]]])
    np.testing.assert_array_equal(np.asarray(z._keras_mask), [[False, True]])


def test_masking_gradient_is_zero_on_masked_steps():
    x = ops.convert_to_tensor(np.array([[[1.0, 2.0], [3.0, 3.0]]], "float32"))
    with GradientTape() as tape:
        tape.watch(x)
        loss = ops.sum(Masking(mask_value=3.0)(x) * 2.0)
    np.testing.assert_array_equal(np.asarray(tape.gradient(loss, x)), [[[2, 2], [0, 0]]])


def test_masking_errors():
    with pytest.raises(ValueError, match="Masking 'masking.*mask_value.*'a'"):
        Masking(mask_value="a")
    with pytest.raises(ValueError, match="min_ndim=2"):
        Masking()(_x(3))


def test_masking_keras_parity():
    keras = keras_or_skip()
    x = _x(2, 4, 3)
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    assert_keras_parity(Masking, keras.layers.Masking, {"mask_value": 0.0}, x)
    theirs = keras.layers.Masking()(x)
    ours = Masking()(x)
    np.testing.assert_array_equal(np.asarray(ours._keras_mask),
                                  keras.ops.convert_to_numpy(theirs._keras_mask))
    assert _keras_config_keys(Masking()) == _keras_config_keys(keras.layers.Masking())


def test_identity_keras_parity():
    keras = keras_or_skip()
    assert_keras_parity(Identity, keras.layers.Identity, {}, _x(2, 3))


def test_input_layer_takes_an_existing_symbolic_tensor():
    from gpulayers.layers import Input, InputLayer

    source = Input((3,), name="source")
    layer = InputLayer(input_tensor=source)
    assert layer.batch_shape == (None, 3) and layer._input_tensor is source
