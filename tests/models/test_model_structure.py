"""Sequential, functional and subclassed models: building, calling, layers, summary, config."""

import numpy as np
import pytest

from gpulayers.layers import (
    LSTM,
    Concatenate,
    Convolution2D,
    Dense,
    Embedding,
    Flatten,
    Input,
)
from gpulayers.models import Functional, Model, Sequential

rng = np.random.default_rng(0)


def _x(*shape):
    return rng.standard_normal(shape).astype("float32")


def _dense_reference(x, kernel, bias, relu=False):
    out = x @ kernel + bias
    return np.maximum(out, 0) if relu else out


def test_sequential_computes_the_stack_of_its_layers():
    model = Sequential([Input(shape=(4,)), Dense(5, activation="relu"), Dense(2)])
    x = _x(3, 4)
    k1, b1, k2, b2 = model.get_weights()
    expected = _dense_reference(_dense_reference(x, k1, b1, relu=True), k2, b2)
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=1e-5, atol=1e-6)


def test_sequential_is_built_from_input_shape_on_the_first_layer():
    model = Sequential([Dense(5, input_shape=(4,)), Dense(2)])
    assert model.built and [w.shape for w in model.weights] == [(4, 5), (5,), (5, 2), (2,)]
    # the built graph's ends, as Keras exposes them
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert [t.shape for t in model.inputs] == [(None, 4)] and model.outputs[0] is model.output
    model.pop()
    assert model.output_shape == (None, 5)


def test_sequential_builds_lazily_on_first_call_and_add_pop():
    model = Sequential()
    model.add(Dense(3))
    assert not model.built
    model(_x(2, 6))
    model.add(Dense(4))
    assert model(_x(2, 6)).shape == (2, 4)
    popped = model.pop()
    assert popped.units == 4 and len(model.layers) == 1


def test_keras1_convolution2d_tutorial_in_a_sequential_model():
    model = Sequential()
    model.add(Convolution2D(64, 3, 3, border_mode="same", input_shape=(3, 32, 32),
                            dim_ordering="th"))
    assert model.layers[0].output_shape == (None, 64, 32, 32)
    model.add(Flatten())
    assert model.layers[-1].output_shape == (None, 65536)


def test_sequential_errors_are_clear():
    model = Sequential([Dense(2)])
    with pytest.raises(TypeError, match="can only add Layer instances"):
        model.add("dense")
    with pytest.raises(ValueError, match="already in the model"):
        model.add(model.layers[0])
    with pytest.raises(ValueError, match="no layer to pop"):
        Sequential().pop()


def test_functional_model_with_two_inputs_and_a_shared_layer():
    a, b = Input((5,), name="a"), Input((3,), name="b")
    shared = Dense(4, name="shared")
    joined = Concatenate()([shared(a), shared(Dense(5, name="pre")(a)), Dense(4, name="db")(b)])
    model = Model([a, b], Dense(2, name="head")(joined))
    assert isinstance(model, Functional)
    xa, xb = _x(2, 5), _x(2, 3)
    w = {layer.name: layer.get_weights() for layer in model.layers if layer.weights}
    first = _dense_reference(xa, *w["shared"])
    second = _dense_reference(_dense_reference(xa, *w["pre"]), *w["shared"])
    third = _dense_reference(xb, *w["db"])
    expected = _dense_reference(np.concatenate([first, second, third], axis=1), *w["head"])
    np.testing.assert_allclose(np.asarray(model([xa, xb])), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(model({"a": xa, "b": xb})), expected, rtol=1e-5,
                               atol=1e-6)


def test_functional_config_round_trip_gives_the_same_model():
    a = Input((5,), name="in")
    shared = Dense(4)
    model = Model(a, Dense(2)(shared(shared(Dense(4)(a)))))
    clone = Model.from_config(model.get_config())
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.set_weights(model.get_weights())
    x = _x(3, 5)
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(model(x)), rtol=1e-6)


def test_sequential_config_round_trip():
    model = Sequential([Input((4,)), Dense(3, activation="tanh"), Dense(1)])
    clone = Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = _x(2, 4)
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(model(x)), rtol=1e-6)


def test_nested_models_and_masks_flow_through_a_functional_graph():
    tokens = Input((None,), dtype="int32")
    encoder = Sequential([Embedding(10, 3, mask_zero=True), LSTM(2)])
    model = Model(tokens, Dense(1)(encoder(tokens)))
    x = np.array([[1, 2, 0, 0], [3, 4, 5, 6]], dtype="int32")
    short = np.array([[1, 2], [3, 4]], dtype="int32")
    # The padded row gives what its unpadded prefix gives: the mask reached the LSTM.
    np.testing.assert_allclose(np.asarray(model(x))[0], np.asarray(model(short))[0],
                               rtol=1e-5, atol=1e-6)
    assert len(model.weights) == 1 + 3 + 2


def test_subclassed_model_tracks_its_layers():
    class TwoLayers(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(4, activation="relu")
            self.out = Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = TwoLayers()
    x = _x(2, 3)
    y = model(x)
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(np.asarray(y), _dense_reference(
        _dense_reference(x, k1, b1, relu=True), k2, b2), rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in model.layers] == [model.hidden.name, model.out.name]


def test_building_a_subclassed_model_from_a_shape_creates_every_layers_weights(capsys):
    class TwoLayers(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(4, activation="relu")
            self.out = Dense(1)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

    model = TwoLayers()
    model.build((None, 3))
    assert model.built and [w.shape for w in model.get_weights()] == [(3, 4), (4,), (4, 1),
                                                                      (1,)]
    model.summary()
    assert "Total params: 21" in capsys.readouterr().out  # 3*4+4 + 4*1+1
    x = _x(2, 3)
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(np.asarray(model(x)), _dense_reference(
        _dense_reference(x, k1, b1, relu=True), k2, b2), rtol=1e-5, atol=1e-6)


def test_summary_lists_layers_shapes_and_parameter_counts():
    model = Sequential([Input((4,)), Dense(5), Dense(2)], name="tiny")
    model.layers[1].trainable = False
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "tiny"' in text
    assert "(None, 5)" in text and "(None, 2)" in text
    assert "Total params: 37" in text  # 4*5+5 + 5*2+2
    assert "Trainable params: 25" in text and "Non-trainable params: 12" in text


def test_functional_input_errors_name_the_model():
    a = Input((5,), name="a")
    model = Model(a, Dense(2)(a), name="m")
    with pytest.raises(ValueError, match=r"Model 'm': input 'a' must have shape"):
        model(_x(2, 4))
    with pytest.raises(ValueError, match=r"Model 'm' expects 1 input"):
        model([_x(2, 5), _x(2, 5)])
    other = Input((3,))
    with pytest.raises(ValueError, match="not among the model's inputs"):
        Model(a, Concatenate()([a, Dense(5)(other)]))
