"""Models, custom layers and checks shared by the saving tests."""

from __future__ import annotations

import numpy as np

from gpulayers import layers as L
from gpulayers import ops
from gpulayers.models import Model, Sequential

RNG = np.random.default_rng(7)


class SimpleDense(L.Layer):
    """The Keras guide's custom layer: weights made in build() with add_weight."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True, name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True, name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ComputeSum(L.Layer):
    """The Keras guide's layer with a non-trainable weight: a running total of its inputs."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False,
                                     name="total")

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return inputs + self.total

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim}


class TwoTowers(Model):
    """A subclassed model: attribute layers, a list of layers and its own weight."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = L.Dense(units, activation="tanh")
        self.blocks = [L.Dense(units), L.Dense(units, activation="relu")]
        self.head = L.Dense(2)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(2,), initializer="ones", name="scale")

    def call(self, inputs):
        x = self.hidden(inputs)
        for block in self.blocks:
            x = block(x)
        return self.head(x) * self.scale

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def sequential_model():
    return Sequential([L.Input((6,)), L.Dense(8, activation="relu"), L.BatchNormalization(),
                       L.Dropout(0.2), L.Dense(3)])


def resumable_model():
    """No Dropout: a loaded model's dropout draws from a new random stream (its stream
    position is not state, in Keras either), so only a dropout-free model can continue
    bit for bit."""
    return Sequential([L.Input((6,)), L.Dense(8, activation="relu"), L.BatchNormalization(),
                       L.Dense(3)])


def conv_rnn_model():
    return Sequential([L.Input((8, 8, 3)), L.Conv2D(4, 3), L.BatchNormalization(),
                       L.Reshape((36, 4)), L.LSTM(5), L.Dense(2)])


def functional_model():
    """Two inputs, two outputs, a layer shared by both branches and a nested model."""
    left, right = L.Input((5,), name="left"), L.Input((5,), name="right")
    shared = L.Dense(4, activation="tanh", name="shared")
    inner_in = L.Input((4,))
    inner = Model(inner_in, L.Dense(3, name="inner_dense")(inner_in), name="inner")
    a, b = inner(shared(left)), inner(shared(right))
    merged = L.Concatenate()([a, b])
    out_1 = L.Dense(1, name="score")(merged)
    out_2 = L.Dense(2, activation="softmax", name="label")(L.Add()([a, b]))
    return Model([left, right], [out_1, out_2], name="two_in_two_out")


def functional_inputs(batch=4):
    return [RNG.normal(size=(batch, 5)).astype("float32") for _ in range(2)]


def subclassed_model():
    model = TwoTowers(4)
    model(np.zeros((1, 6), "float32"))
    return model


def assert_same_weights(first, second):
    a, b = first.get_weights(), second.get_weights()
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def assert_same_outputs(first, second):
    if isinstance(first, (list, tuple)):
        assert len(first) == len(second)
        for x, y in zip(first, second):
            np.testing.assert_array_equal(x, y)
    else:
        np.testing.assert_array_equal(first, second)
