"""A recurrent layer learns a task that needs memory: the adding problem (Hochreiter 1997).

Each sequence has 25 steps of two features: a random value in [0, 1) and a marker that is 1 at
exactly two steps (one in each half). The target is the sum of the two marked values, so the
network must remember the first marked value across at least a dozen steps. Predicting the
mean scores the target's variance (about 0.16 MSE); a working LSTM/GRU gets far below that
within a few hundred steps on a CPU. The optimizer is plain Adam written here from its formula
(the training loop and optimizers of the models issue are not needed for this proof).
"""

import numpy as np
import pytest

from gpulayers import GradientTape, backend, layers, ops
from gpulayers.backend import random

STEPS = 25


def adding_problem(rng, count):
    values = rng.uniform(size=(count, STEPS))
    markers = np.zeros((count, STEPS))
    rows = np.arange(count)
    markers[rows, rng.integers(0, STEPS // 2, size=count)] = 1
    markers[rows, rng.integers(STEPS // 2, STEPS, size=count)] = 1
    targets = (values * markers).sum(axis=1, keepdims=True)
    return np.stack([values, markers], axis=-1).astype("float32"), targets.astype("float32")


class Adam:
    """m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr m^ / (sqrt(v^) + eps)."""

    def __init__(self, params, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, b1, b2, eps
        self.m = [np.zeros(p.shape, "float32") for p in params]
        self.v = [np.zeros(p.shape, "float32") for p in params]
        self.step = 0

    def apply(self, grads):
        self.step += 1
        for i, (param, grad) in enumerate(zip(self.params, grads)):
            grad = backend.to_numpy(grad.data)
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * grad
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * grad * grad
            m_hat = self.m[i] / (1 - self.b1 ** self.step)
            v_hat = self.v[i] / (1 - self.b2 ** self.step)
            param.assign(backend.to_numpy(param.data) - self.lr * m_hat /
                         (np.sqrt(v_hat) + self.eps))


@pytest.mark.parametrize("layer_class", [layers.LSTM, layers.GRU])
def test_recurrent_layer_learns_the_adding_problem(layer_class):
    random.set_seed(0)
    rng = np.random.default_rng(0)
    recurrent, head = layer_class(16), layers.Dense(1)
    x_test, y_test = adding_problem(rng, 512)
    baseline = float(((y_test - y_test.mean()) ** 2).mean())
    head(recurrent(x_test))  # builds both layers
    params = recurrent.trainable_weights + head.trainable_weights
    adam = Adam(params)
    best = np.inf
    for step in range(1, 1201):
        x, y = adding_problem(rng, 64)
        with GradientTape() as tape:
            loss = ops.mean(ops.square(head(recurrent(x)) - y))
        adam.apply(tape.gradient(loss, params))
        if step % 100 == 0:
            predictions = np.asarray(head(recurrent(x_test)))
            best = min(best, float(((predictions - y_test) ** 2).mean()))
            if best < 0.05 * baseline:
                break
    assert best < 0.05 * baseline, (
        f"{layer_class.__name__} did not learn: test MSE {best:.4f}, predicting the mean "
        f"scores {baseline:.4f}")
