"""model.to_json() / models.model_from_json(): the architecture alone, as Keras 3 writes it."""

import json

import numpy as np
import pytest
from saving_fixtures import SimpleDense

from gpulayers import layers
from gpulayers.models import Model, Sequential, model_from_json


def _functional():
    inputs = layers.Input((4,), name="features")
    hidden = layers.Dense(3, activation="tanh", name="hidden")(inputs)
    return Model(inputs, [layers.Dense(1, name="a")(hidden), layers.Dense(2, name="b")(hidden)])


def test_to_json_is_the_keras_3_model_config():
    model = Sequential([layers.Input((4,)), layers.Dense(2, name="out")])
    config = json.loads(model.to_json())
    assert config["class_name"] == "Sequential"
    assert config["config"] == json.loads(json.dumps(model.get_config()))
    assert config["build_config"] == {"input_shape": [None, 4]}
    assert json.loads(model.to_json(indent=2)) == config  # kwargs reach json.dumps


@pytest.mark.parametrize("build", [_functional, lambda: Sequential(
    [layers.Input((4,)), SimpleDense(3), layers.Dense(1)])])
def test_model_from_json_rebuilds_the_architecture_with_fresh_weights(build):
    model = build()
    clone = model_from_json(model.to_json(), custom_objects={"SimpleDense": SimpleDense})
    assert type(clone) is type(model)
    assert clone.get_config() == model.get_config()
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    clone.set_weights(model.get_weights())
    x = np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4)
    ours, theirs = clone.predict(x, verbose=0), model.predict(x, verbose=0)
    for got, expected in zip(ours if isinstance(ours, list) else [ours],
                             theirs if isinstance(theirs, list) else [theirs]):
        np.testing.assert_array_equal(got, expected)


def test_model_from_json_compiles_a_compiled_model_and_refuses_other_json():
    model = _functional()
    model.compile(optimizer="adam", loss=["mse", "mae"], metrics=[["mae"], []])
    clone = model_from_json(model.to_json())
    assert clone.compiled and clone.get_compile_config() == model.get_compile_config()
    with pytest.raises(ValueError, match="model_from_json: not JSON text"):
        model_from_json("{not json")
    with pytest.raises(ValueError, match="expected the JSON of a model config"):
        model_from_json("[1, 2]")
