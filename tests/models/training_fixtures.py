"""Shared builders for the training-loop tests: tiny models with fixed weights, fixed data and a
callback that records the hooks it sees.

The fixed weights and data are plain NumPy arrays written here, so every expected number in the
tests can be recomputed by hand (NumPy or gpulayers.ops) without going through the training
loop under test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from gpulayers import callbacks, optimizers
from gpulayers.layers import Dense, Input
from gpulayers.models import Model, Sequential

# A 3 -> 4 (tanh) -> 2 network: fixed kernels and biases (arbitrary, non-symmetric values).
W1 = np.array([[0.2, -0.3, 0.5, 0.1],
               [-0.4, 0.25, 0.15, -0.2],
               [0.3, 0.1, -0.35, 0.45]])
B1 = np.array([0.05, -0.1, 0.0, 0.2])
W2 = np.array([[0.3, -0.2],
               [-0.5, 0.4],
               [0.25, 0.15],
               [0.1, -0.3]])
B2 = np.array([0.1, -0.05])
FIXED_WEIGHTS = (W1, B1, W2, B2)


def regression_data(count: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """``count`` samples: x of shape (count, 3), y of shape (count, 2), float32."""
    rows = np.arange(count, dtype=np.float64)[:, None]
    x = np.concatenate([np.sin(rows), np.cos(2 * rows), rows / count - 0.5], axis=1)
    y = np.concatenate([np.tanh(x[:, :1] - x[:, 2:]), 0.5 * x[:, 1:2] + 0.1], axis=1)
    return x.astype("float32"), y.astype("float32")


def two_layer_model(activation: str | None = None, name: str = "two_layer") -> Sequential:
    """The 3 -> 4 tanh -> 2 model holding :data:`FIXED_WEIGHTS`."""
    model = Sequential([Input((3,)), Dense(4, activation="tanh", name="hidden"),
                        Dense(2, activation=activation, name="head")], name=name)
    model.set_weights([w.astype("float32") for w in FIXED_WEIGHTS])
    return model


def forward(x: np.ndarray, weights: Any = FIXED_WEIGHTS) -> np.ndarray:
    """NumPy reference of :func:`two_layer_model` (linear head)."""
    w1, b1, w2, b2 = weights
    return np.tanh(x @ w1 + b1) @ w2 + b2


def frozen_model(units: int = 1, features: int = 3, bias: float = 0.0,
                 loss: Any = "mse", **compile_kwargs: Any) -> Sequential:
    """A Dense with a zero kernel and constant bias, trained with SGD(learning_rate=0): its
    prediction is always ``bias``, so the loss of any batch is known in closed form (for mse:
    ``mean((y - bias) ** 2)``). Used to check what data reaches the loss."""
    model = Sequential([Input((features,)), Dense(units, kernel_initializer="zeros",
                                                  bias_initializer="zeros")])
    model.set_weights([np.zeros((features, units), "float32"),
                       np.full((units,), bias, "float32")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss=loss, **compile_kwargs)
    return model


def two_output_model() -> Model:
    """Functional: input 'features' (3) -> hidden (4, tanh) -> outputs 'out_a' (2), 'out_b' (1)."""
    inputs = Input((3,), name="features")
    hidden = Dense(4, activation="tanh", name="hidden")(inputs)
    model = Model(inputs, [Dense(2, name="out_a")(hidden), Dense(1, name="out_b")(hidden)],
                  name="two_outputs")
    model.get_layer("hidden").set_weights([W1.astype("float32"), B1.astype("float32")])
    model.get_layer("out_a").set_weights([W2.astype("float32"), B2.astype("float32")])
    model.get_layer("out_b").set_weights([W2[:, :1].astype("float32"),
                                          B2[:1].astype("float32")])
    return model


def two_output_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NumPy reference of :func:`two_output_model`."""
    hidden = np.tanh(x @ W1 + B1)
    return hidden @ W2 + B2, hidden @ W2[:, :1] + B2[:1]


def two_input_model() -> Model:
    """Functional: inputs 'left' (2) and 'right' (1), concatenated into a Dense(1) with a
    fixed kernel [1, 2, 3] and bias 0.5."""
    from gpulayers.layers import Concatenate

    left, right = Input((2,), name="left"), Input((1,), name="right")
    output = Dense(1, name="joined")(Concatenate()([left, right]))
    model = Model([left, right], output, name="two_inputs")
    model.get_layer("joined").set_weights([np.array([[1.0], [2.0], [3.0]], "float32"),
                                           np.array([0.5], "float32")])
    return model


class HookRecorder(callbacks.Callback):
    """Records ``(hook name, index)`` for every hook the training loop calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self.batch_logs: list[dict[str, Any]] = []
        self.epoch_logs: list[dict[str, Any]] = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", None))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", None))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch))
        self.epoch_logs.append(dict(logs or {}))

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("train_batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("train_batch_end", batch))
        self.batch_logs.append(dict(logs or {}))

    def on_test_begin(self, logs=None):
        self.calls.append(("test_begin", None))

    def on_test_end(self, logs=None):
        self.calls.append(("test_end", None))

    def on_test_batch_begin(self, batch, logs=None):
        self.calls.append(("test_batch_begin", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("test_batch_end", batch))

    def hooks(self, prefix: str) -> list[tuple[str, Any]]:
        return [call for call in self.calls if call[0].startswith(prefix)]


def cycled_batches(x: np.ndarray, y: np.ndarray, size: int,
                   weights: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, ...]]:
    """An endless generator of ``(x, y)`` (or ``(x, y, weights)``) batches of ``size`` rows,
    starting over at the first row after the last."""
    for start in itertools.cycle(range(0, len(x), size)):
        rows = slice(start, start + size)
        yield (x[rows], y[rows]) if weights is None else (x[rows], y[rows], weights[rows])
