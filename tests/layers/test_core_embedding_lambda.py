"""Embedding and Lambda: standard checks, hand-computed references, Keras parity, configs,
errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_parity import assert_keras_parity

from gpulayers import GradientTape, ops
from gpulayers.layers import Embedding, Input, Lambda, deserialize, serialize
from gpulayers.testing import run_layer_test

rng = np.random.default_rng(0)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


# -- Embedding ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, input_shape, expected", [
    ({"input_dim": 10, "output_dim": 3}, (2, 4), (2, 4, 3)),
    ({"input_dim": 12, "output_dim": 2, "mask_zero": True}, (3, 2, 2), (3, 2, 2, 2)),
    ({"input_dim": 10, "output_dim": 4, "embeddings_regularizer": "l2",
      "embeddings_constraint": "unit_norm", "embeddings_initializer": "he_normal"}, (2,), (2, 4)),
])
def test_embedding_layer(kwargs, input_shape, expected):
    run_layer_test(Embedding, kwargs, input_shape=input_shape, input_dtype="int32",
                   expected_output_shape=expected, expected_num_trainable_weights=1,
                   expected_num_non_trainable_weights=0,
                   supports_masking=kwargs.get("mask_zero", False))


def test_embedding_looks_up_rows_and_masks_zero():
    table = _x(5, 3)
    layer = Embedding(5, 3, mask_zero=True, weights=[table])
    indices = np.array([[4, 0, 2], [1, 1, 0]], "int32")
    out = layer(indices)
    np.testing.assert_array_equal(np.asarray(out), table[indices])
    np.testing.assert_array_equal(np.asarray(out._keras_mask),
                                  [[True, False, True], [True, True, False]])
    assert Embedding(5, 3)(indices)._keras_mask is None
    floats = Embedding(5, 3, weights=table)(indices.astype("float32"))  # a bare array works
    np.testing.assert_array_equal(np.asarray(floats), table[indices])


def test_embedding_gradient_is_a_scatter_add_into_the_table():
    table = _x(6, 2)
    layer = Embedding(6, 2, weights=[table])
    indices = np.array([[1, 3, 1], [5, 1, 3]], "int64")
    upstream = _x(2, 3, 2)
    with GradientTape() as tape:
        loss = ops.sum(layer(indices) * upstream)
    (grad,) = tape.gradient(loss, layer.trainable_weights)
    expected = np.zeros((6, 2), "float32")
    for b in range(2):
        for t in range(3):
            expected[indices[b, t]] += upstream[b, t]
    np.testing.assert_allclose(np.asarray(grad), expected, rtol=1e-6, atol=1e-6)


def test_embedding_input_length_sets_the_input_shape():
    layer = Embedding(100, 8, input_length=7)
    assert layer.get_config()["batch_input_shape"] == (None, 7)
    assert "input_length" not in layer.get_config()
    assert Embedding.from_config(layer.get_config())._batch_input_shape == (None, 7)
    assert layer(Input((7,), dtype="int32")).shape == (None, 7, 8)
    assert Embedding(3, 2, input_length=4, input_shape=(5,))._batch_input_shape == (None, 5)


def test_embedding_errors():
    for bad in (0, -1, 2.0, True, "8"):
        with pytest.raises(ValueError, match="Embedding 'embedding.*input_dim"):
            Embedding(bad, 2)
        with pytest.raises(ValueError, match="Embedding 'embedding.*output_dim"):
            Embedding(3, bad)
    with pytest.raises(ValueError, match=r"Embedding 'words'.*\[0, input_dim=4\).*\[0, 4\]"):
        Embedding(4, 2, name="words")(np.array([[0, 4]], "int32"))
    with pytest.raises(ValueError, match=r"Embedding.*\[-1, 2\]"):
        Embedding(4, 2)(np.array([[-1, 2]], "int32"))
    with pytest.raises(ValueError, match=r"embedding.*has shape \(4, 2\).*\(4, 3\)"):
        Embedding(4, 2, weights=[np.zeros((4, 3), "float32")])


@pytest.mark.parametrize("kwargs", [
    {"input_dim": 10, "output_dim": 3},
    {"input_dim": 7, "output_dim": 5, "mask_zero": True},
])
def test_embedding_keras_parity(kwargs):
    keras = keras_or_skip()
    x = rng.integers(0, kwargs["input_dim"], size=(3, 4)).astype("int32")
    assert_keras_parity(Embedding, keras.layers.Embedding, kwargs, x)
    theirs = keras.layers.Embedding(**kwargs)
    assert set(Embedding(**kwargs).get_config()) == set(theirs.get_config())
    if kwargs.get("mask_zero"):
        x[0, 0] = 0
        mask = theirs.compute_mask(keras.ops.convert_to_tensor(x))
        ours = Embedding(**kwargs)(x)._keras_mask
        np.testing.assert_array_equal(np.asarray(ours), keras.ops.convert_to_numpy(mask))


# -- Lambda ------------------------------------------------------------------------------------
def double_plus(x, offset=0.0):
    """A module-level function: stored by reference in the config."""
    return x * 2.0 + offset


def pair_shape(input_shape):
    return (input_shape[0], 2)


def first_two(x):
    return x[:, :2]


def test_lambda_with_a_named_function():
    x = _x(2, 3)
    out = run_layer_test(Lambda, {"function": double_plus, "arguments": {"offset": 1.0}},
                         input_data=x, expected_output_shape=(2, 3),
                         expected_num_trainable_weights=0, expected_output=x * 2.0 + 1.0)
    config = Lambda(double_plus).get_config()
    assert config["function"] == {"module": double_plus.__module__, "class_name": "function",
                                  "config": "double_plus", "registered_name": "function"}
    assert config["arguments"] == {} and "output_shape" not in config and "mask" not in config
    assert out.shape == (2, 3)


def test_lambda_output_shape_forms():
    x = _x(4, 5)
    run_layer_test(Lambda, {"function": first_two, "output_shape": (2,)}, input_data=x,
                   expected_output_shape=(4, 2), expected_output=x[:, :2])
    run_layer_test(Lambda, {"function": first_two, "output_shape": pair_shape}, input_data=x,
                   expected_output_shape=(4, 2))
    inferred = Lambda(lambda t: ops.concatenate([t, t], axis=-1))
    assert inferred.compute_output_shape((None, 3)) == (None, 6)
    assert inferred(Input((3,))).shape == (None, 6)
    split = Lambda(lambda t: [t[:, :1], t[:, 1:]], output_shape=[(1,), (4,)])
    assert split.compute_output_shape((None, 5)) == [(None, 1), (None, 4)]


def test_lambda_with_a_python_lambda_round_trips_in_process():
    function = lambda t: t - 1.0  # noqa: E731
    x = _x(2, 2)
    run_layer_test(Lambda, {"function": function}, input_data=x, expected_output=x - 1.0)
    assert Lambda(function).get_config()["function"] is function


def test_lambda_masks_and_training_flags():
    def keep_mask(inputs, mask=None):
        return inputs if mask is None else inputs * ops.cast(mask, inputs.dtype)[..., None]

    def by_mode(inputs, training=None):
        return inputs * (3.0 if training else 1.0)

    x = ops.convert_to_tensor(np.ones((1, 2, 2), "float32"))
    x._keras_mask = ops.convert_to_tensor(np.array([[True, False]]))
    layer = Lambda(keep_mask, mask=lambda inputs, mask: mask)
    out = layer(x)
    np.testing.assert_array_equal(np.asarray(out), [[[1, 1], [0, 0]]])
    np.testing.assert_array_equal(np.asarray(out._keras_mask), [[True, False]])
    assert layer.supports_masking and not Lambda(keep_mask).supports_masking
    assert float(ops.sum(Lambda(by_mode)(x, training=True))) == 12.0
    assert float(ops.sum(Lambda(by_mode)(x))) == 4.0


def test_lambda_from_config_finds_functions_by_name():
    config = Lambda(double_plus, name="twice").get_config()
    assert Lambda.from_config(config).function is double_plus
    assert deserialize(serialize(Lambda(double_plus))).function is double_plus
    renamed = {**config, "function": {**config["function"], "module": "no.such.module",
                                      "config": "mine"}}
    assert Lambda.from_config(renamed, custom_objects={"mine": first_two}).function is first_two
    keras_style = {**config, "function": {"module": "builtins", "class_name": "function",
                                          "config": "relu", "registered_name": "function"}}
    assert Lambda.from_config(keras_style).function is ops.relu
    with pytest.raises(ValueError, match="Lambda 'twice'.*cannot find the function 'mine'"):
        Lambda.from_config(renamed)
    bytecode = {**config, "function": {"class_name": "__lambda__",
                                       "config": {"code": "4wEA", "defaults": None,
                                                  "closure": None}}}
    with pytest.raises(ValueError, match="Lambda 'twice'.*bytecode"):
        Lambda.from_config(bytecode)


def test_lambda_loads_a_keras_config():
    keras = keras_or_skip()
    theirs = keras.layers.Lambda(keras.ops.relu, output_shape=(3,), name="act")
    ours = Lambda.from_config(theirs.get_config())
    assert ours.function is ops.relu and ours.name == "act"
    np.testing.assert_array_equal(np.asarray(ours(np.array([[-1.0, 0.5, 2.0]], "float32"))),
                                  [[0.0, 0.5, 2.0]])
    assert set(Lambda(ops.relu, output_shape=(3,)).get_config()) == set(theirs.get_config())


def test_lambda_errors():
    with pytest.raises(ValueError, match="Lambda 'lambda.*function.*must be callable"):
        Lambda(3)
    with pytest.raises(ValueError, match="Lambda.*output_shape.*'bad'"):
        Lambda(first_two, output_shape="bad")
    with pytest.raises(ValueError, match="Lambda.*arguments.*dict"):
        Lambda(first_two, arguments=[1])
