"""get_compile_config / compile_from_config: the compile arguments survive JSON."""

import json

import numpy as np

import gpulayers as gl
from gpulayers import layers
from gpulayers.models import Model, Sequential


def _two_output_model():
    inputs = layers.Input((3,), name="features")
    hidden = layers.Dense(4, activation="tanh", name="hidden")(inputs)
    return Model(inputs, [layers.Dense(1, name="price")(hidden),
                          layers.Dense(3, activation="softmax", name="kind")(hidden)])


def test_an_uncompiled_model_has_an_empty_compile_config():
    assert Sequential([layers.Input((2,)), layers.Dense(1)]).get_compile_config() == {}


def test_objects_and_per_output_structures_round_trip_through_json():
    model = _two_output_model()
    model.compile(optimizer=gl.optimizers.Adam(learning_rate=0.01, amsgrad=True),
                  loss={"price": gl.losses.Huber(delta=2.0),
                        "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"price": 0.5, "kind": 2.0},
                  metrics={"price": ["mae"], "kind": [gl.metrics.SparseTopKCategoricalAccuracy(
                      k=2, name="top2")]},
                  weighted_metrics={"kind": ["acc"]})
    config = json.loads(json.dumps(model.get_compile_config()))
    clone = _two_output_model()
    clone.compile_from_config(config)
    assert isinstance(clone.optimizer, gl.optimizers.Adam)
    assert clone.optimizer.learning_rate == 0.01 and clone.optimizer.amsgrad is True
    price_loss, kind_loss = clone.compiled_loss.identifiers
    assert isinstance(price_loss, gl.losses.Huber) and price_loss.get_config()["delta"] == 2.0
    assert kind_loss == "sparse_categorical_crossentropy"
    assert clone.compiled_loss.weights == [0.5, 2.0]
    top2 = clone.compiled_metrics.plain[1][0]
    assert isinstance(top2, gl.metrics.SparseTopKCategoricalAccuracy) and top2.name == "top2"
    assert clone.compiled_metrics.weighted == [[], ["acc"]]


def test_compile_from_config_builds_the_optimizer_slots_for_a_built_model():
    model = Sequential([layers.Input((2,)), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    clone = Sequential([layers.Input((2,)), layers.Dense(3)])
    clone.compile_from_config(model.get_compile_config())
    # iterations, then momentum and velocity for the kernel and for the bias
    assert [tuple(v.shape) for v in clone.optimizer.variables] == [
        (), (2, 3), (2, 3), (3,), (3,)]


def test_a_model_compiled_from_config_trains_like_the_original():
    x = np.linspace(-1, 1, 16, dtype="float32").reshape(8, 2)
    y = x[:, :1] * 3.0 - x[:, 1:]
    def compile_directly(model):
        model.compile(optimizer=gl.optimizers.SGD(0.1, momentum=0.5), loss="mse",
                      metrics=["mae"])

    original = Sequential([layers.Input((2,)), layers.Dense(1)])
    compile_directly(original)
    config = json.loads(json.dumps(original.get_compile_config()))
    histories = []
    for compile_model in (compile_directly, lambda m: m.compile_from_config(config)):
        gl.utils.set_random_seed(7)
        model = Sequential([layers.Input((2,)), layers.Dense(1)])
        compile_model(model)
        histories.append(model.fit(x, y, batch_size=4, epochs=3, verbose=0).history)
    assert histories[0] == histories[1]
