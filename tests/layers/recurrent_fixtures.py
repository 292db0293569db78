"""Shared test fixtures for the recurrent layer tests: the layer classes by name, seeded random
inputs and layers with random weights, and output comparison helpers."""

import numpy as np

from gpulayers.layers import GRU, LSTM, SimpleRNN

CLASSES = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
STATE_COUNT = {"SimpleRNN": 1, "LSTM": 2, "GRU": 1}


class RandomLayers:
    """Random float32 inputs and layers with random weights, from one seeded generator."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def x(self, *shape):
        return self.rng.standard_normal(shape).astype("float32")

    def layer(self, kind, units, x, **kwargs):
        """A ``kind`` layer built on ``x`` with random weights (biases too, so every term
        counts) -> ``(layer, its weights)``."""
        layer = CLASSES[kind](units, **kwargs)
        layer(x)
        layer.set_weights([0.6 * self.x(*w.shape) for w in layer.get_weights()])
        if layer.stateful:
            layer.reset_states()
        return layer, layer.get_weights()


def as_list(result):
    """A layer's output(s) as a list of NumPy arrays."""
    return [np.asarray(t) for t in (result if isinstance(result, list) else [result])]


def assert_all_close(got, expected, rtol=1e-5, atol=1e-6):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
