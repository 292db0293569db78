"""Each optimizer trains a small linear regression to convergence through GradientTape."""

import numpy as np
import pytest

import gpulayers as gl
from gpulayers import ops, optimizers

SETTINGS = [
    ("sgd", {"learning_rate": 0.1}),
    ("sgd", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adam", {"learning_rate": 0.1}),
    ("adam", {"learning_rate": 0.1, "amsgrad": True}),
    ("adamw", {"learning_rate": 0.1, "weight_decay": 1e-4}),
    ("rmsprop", {"learning_rate": 0.02}),
    ("rmsprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("adagrad", {"learning_rate": 0.5}),
    ("adadelta", {"learning_rate": 1.0, "epsilon": 1e-5}),
    ("adamax", {"learning_rate": 0.1}),
    ("nadam", {"learning_rate": 0.1}),
]


@pytest.mark.parametrize("name, kwargs", SETTINGS, ids=lambda s: str(s))
def test_linear_regression_converges(name, kwargs):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    true_w = np.array([[1.5], [-2.0], [0.5]], dtype="float32")
    y = x @ true_w + 0.3
    w = gl.Variable(np.zeros((3, 1), dtype="float32"), name="kernel")
    b = gl.Variable(np.zeros((1,), dtype="float32"), name="bias")
    optimizer = optimizers.get({"class_name": name, "config": kwargs})
    for _ in range(300):
        with gl.GradientTape() as tape:
            loss = ops.mean(ops.square(ops.matmul(x, w) + b - y))
        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
    assert float(loss) < 1e-3, f"{name} {kwargs}: loss {float(loss)}"
    np.testing.assert_allclose(w.numpy(), true_w, atol=0.05)
    np.testing.assert_allclose(b.numpy(), [0.3], atol=0.05)
    assert int(optimizer.iterations) == 300
