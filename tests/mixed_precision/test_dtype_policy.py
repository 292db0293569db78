"""DTypePolicy and mixed-precision layers: policy names, autocasting of inputs and weights,
float32 gradients for float16 compute, the layers that keep float32 (normalization,
Embedding), configs, and Keras 3.15 parity of a mixed_float16 model's outputs."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, layers, mixed_precision, models, ops
from gpulayers.mixed_precision import DTypePolicy


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.mark.parametrize("name,compute,variable", [
    ("mixed_float16", "float16", "float32"), ("float32", "float32", "float32"),
    ("float16", "float16", "float16"), ("float64", "float64", "float64")])
def test_policy_names(name, compute, variable):
    policy = DTypePolicy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (name, compute,
                                                                           variable)
    assert DTypePolicy.from_config(policy.get_config()) == policy
    assert repr(policy) == f'<DTypePolicy "{name}">'


def test_policy_errors_explain():
    with pytest.raises(ValueError, match="bfloat16 arrays, which neither NumPy nor CuPy.*"
                                         r"set_float32_matmul_precision\('medium'\)"):
        DTypePolicy("mixed_bfloat16")
    with pytest.raises(ValueError, match="unknown policy 'mixed_float17'"):
        DTypePolicy("mixed_float17")
    with pytest.raises(ValueError, match="Layer 'd'.*unknown policy"):
        layers.Dense(2, dtype="nope", name="d")
    with pytest.raises(ValueError, match="set_global_policy"):
        mixed_precision.set_global_policy(3)


def test_global_policy_applies_to_new_layers_and_resets():
    assert mixed_precision.global_policy().name == "float32"
    mixed_precision.set_global_policy("mixed_float16")
    dense = layers.Dense(3)
    assert dense.dtype_policy.name == "mixed_float16"
    assert (dense.compute_dtype, dense.variable_dtype, dense.dtype) == ("float16", "float32",
                                                                        "float32")
    mixed_precision.set_global_policy(None)
    assert layers.Dense(3).compute_dtype == "float32"


def test_mixed_dense_computes_in_float16_from_float32_weights():
    x = _x(4, 5)
    dense = layers.Dense(3, activation="relu", dtype="mixed_float16")
    y = dense(x)
    assert y.dtype == "float16" and dense.kernel.dtype == "float32"
    kernel, bias = (w.numpy() for w in dense.weights)
    expected = np.maximum(x.astype("float16") @ kernel.astype("float16")
                          + bias.astype("float16"), 0)
    np.testing.assert_allclose(ops.convert_to_numpy(y), expected, rtol=2e-3, atol=2e-3)


def test_gradients_reach_the_float32_variables_in_float32():
    x = _x(6, 5)
    dense, reference = layers.Dense(3, dtype="mixed_float16"), layers.Dense(3)
    dense.build((None, 5))
    reference.build((None, 5))
    reference.set_weights(dense.get_weights())
    grads = []
    for layer in (dense, reference):
        with GradientTape() as tape:
            loss = ops.sum(ops.cast(layer(x), "float32") ** 2)
        grads.append(tape.gradient(loss, layer.trainable_weights))
    for mixed, exact in zip(*grads):
        assert mixed.dtype == "float32"
        np.testing.assert_allclose(mixed.numpy(), exact.numpy(), rtol=1e-2, atol=1e-2)


def test_a_float32_layer_inside_a_mixed_model_computes_in_float32():
    mixed_precision.set_global_policy("mixed_float16")
    model = models.Sequential([layers.Input((5,)), layers.Dense(4, activation="relu"),
                               layers.Dense(2, dtype="float32")])
    inner = []
    model.layers[0].call = _recording(model.layers[0].call, inner)
    out = model(_x(3, 5))
    assert inner == ["float16"] and out.dtype == "float32"
    assert model.layers[1].kernel.dtype == "float32"


def _recording(call, seen):
    def wrapped(inputs, *args, **kwargs):
        outputs = call(inputs, *args, **kwargs)
        seen.append(outputs.dtype)
        return outputs
    return wrapped


def test_normalization_and_embedding_keep_float32_state():
    x = _x(8, 6) * 100 + 1000  # float16 statistics of these would lose digits
    batch_norm = layers.BatchNormalization(dtype="mixed_float16")
    y = batch_norm(x, training=True)
    assert y.dtype == "float16" and batch_norm.moving_mean.dtype == "float32"
    x16 = x.astype("float16").astype("float32")
    expected_mean = 0.01 * x16.mean(axis=0)  # momentum 0.99 from zeros
    np.testing.assert_allclose(batch_norm.moving_mean.numpy(), expected_mean, rtol=1e-6)
    norm = layers.LayerNormalization(dtype="mixed_float16")
    assert norm(x).dtype == "float16" and not norm.autocast
    embedding = layers.Embedding(10, 4, dtype="mixed_float16")
    assert embedding(np.array([[1, 2]])).dtype == "float16"
    assert embedding.embeddings.dtype == "float32"


def test_config_round_trip_and_keras_policy_dicts():
    dense = layers.Dense(2, dtype="mixed_float16")
    assert dense.get_config()["dtype"] == "mixed_float16"
    assert layers.deserialize(layers.serialize(dense)).dtype_policy.name == "mixed_float16"
    keras_config = {**layers.Dense(2).get_config(),
                    "dtype": {"module": "keras", "class_name": "DTypePolicy",
                              "config": {"name": "mixed_float16"}, "registered_name": None}}
    assert layers.Dense.from_config(keras_config).compute_dtype == "float16"


def test_mixed_model_outputs_match_keras():
    keras = keras_or_skip()
    x = _x(16, 8, 8, 3)

    def build(lib):
        return lib.Sequential([
            lib.layers.Input((8, 8, 3)), lib.layers.Conv2D(4, 3, activation="relu"),
            lib.layers.BatchNormalization(), lib.layers.Flatten(), lib.layers.Dense(8),
            lib.layers.LayerNormalization(), lib.layers.Dense(3, dtype="float32")])

    ours = build(_Lib(layers, models))
    theirs = build(keras)
    for layer in [*ours.layers, *theirs.layers]:
        assert layer.dtype_policy.name in ("mixed_float16", "float32")
    theirs.set_weights([w.numpy() for w in ours.weights])
    expected = to_numpy(theirs(x, training=False))
    got = ops.convert_to_numpy(ours(x, training=False))
    assert got.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=2e-2, atol=2e-2)


class _Lib:
    """gpulayers under the attribute names the Keras builder uses."""

    def __init__(self, layers_module, models_module):
        self.layers = layers_module
        self.Sequential = models_module.Sequential


@pytest.fixture(autouse=True)
def _mixed_for_keras_test(request):
    """The Keras parity test builds both models under mixed_float16 (Keras too)."""
    if request.node.name != "test_mixed_model_outputs_match_keras":
        yield
        return
    keras = keras_or_skip()
    mixed_precision.set_global_policy("mixed_float16")
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")
