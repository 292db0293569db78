"""gpulayers.activations: the keras.activations namespace, numerically against Keras 3, and
get/serialize/deserialize with Keras's semantics."""

from __future__ import annotations

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import activations, backend
from gpulayers.object_registration import custom_object_scope, register_keras_serializable

X = np.linspace(-4.0, 4.0, 24).reshape(2, 12).astype("float32")


def _public(module):
    return sorted(n for n in dir(module) if not n.startswith("_") and n != "activations")


def test_same_names_as_keras():
    keras = keras_or_skip()
    assert set(_public(keras.activations)) <= set(activations.__all__)
    assert set(activations.__all__) == set(_public(keras.activations))


@pytest.mark.parametrize("name", sorted(set(activations.__all__) - {"get", "serialize",
                                                                     "deserialize"}))
def test_values_match_keras(name):
    keras = keras_or_skip()
    if name == "sparsemax":  # Keras 3.15's torch sparsemax is wrong (rows need not sum to 1)
        np.testing.assert_allclose(backend.to_numpy(activations.sparsemax(X)),
                                   _sparsemax_reference(X), rtol=1e-5, atol=1e-6)
        return
    kwargs = {"threshold": {"threshold": 0.5, "default_value": -1.0}}.get(name, {})
    ours = backend.to_numpy(getattr(activations, name)(X, **kwargs))
    theirs = to_numpy(getattr(keras.activations, name)(keras.ops.convert_to_tensor(X),
                                                        **kwargs))
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=2e-6)


def _sparsemax_reference(x):
    """Plain-loop Euclidean projection of each row onto the simplex (Martins & Astudillo)."""
    out = np.zeros_like(x, dtype="float64")
    for row, values in enumerate(x.astype("float64")):
        ordered = np.sort(values)[::-1]
        support = 0
        for k in range(1, len(values) + 1):
            if 1 + k * ordered[k - 1] > ordered[:k].sum():
                support = k
        tau = (ordered[:support].sum() - 1) / support
        out[row] = np.maximum(values - tau, 0)
    return out


def test_gelu_is_exact_by_default_like_keras():
    keras = keras_or_skip()
    x = np.array([-1.5, 0.3, 2.0], "float32")
    np.testing.assert_allclose(
        backend.to_numpy(activations.gelu(x)),
        to_numpy(keras.activations.gelu(keras.ops.convert_to_tensor(x))), rtol=1e-6)


@pytest.mark.parametrize("name", ["relu", "swish", "hard_swish", "gelu", "tanh", "sparsemax",
                                  "celu", "linear", "threshold"])
def test_get_and_serialize_match_keras(name):
    keras = keras_or_skip()
    assert activations.get(name).__name__ == keras.activations.get(name).__name__
    assert activations.serialize(activations.get(name)) == keras.activations.serialize(
        keras.activations.get(name))
    assert activations.deserialize(name) is activations.get(name)


def test_get_none_dict_callable_and_errors():
    assert activations.get(None) is activations.linear
    config = {"module": "keras.activations", "class_name": "function", "config": "relu",
              "registered_name": "relu"}
    assert activations.get(config) is activations.relu

    def mine(x):
        return x

    assert activations.get(mine) is mine
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get("nope")
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(3)


def test_custom_functions_round_trip():
    @register_keras_serializable(package="namespace_test")
    def scaled(x):
        return x * 2

    config = activations.serialize(scaled)
    assert config == {"module": __name__, "class_name": "function",
                      "config": "namespace_test>scaled", "registered_name": "function"}
    assert activations.deserialize(config) is scaled

    def unregistered(x):
        return x

    config = activations.serialize(unregistered)
    assert config["config"] == "unregistered"
    with pytest.raises(ValueError, match="Unknown activation function 'unregistered'"):
        activations.deserialize(config)
    assert activations.deserialize(config, custom_objects={"unregistered": unregistered}) \
        is unregistered
    with custom_object_scope({"unregistered": unregistered}):
        assert activations.deserialize("unregistered") is unregistered


def test_serialize_rejects_names():
    with pytest.raises(ValueError, match="cannot be serialized"):
        activations.serialize("relu")
