"""A small end-to-end demo: an MLP written with ops + GradientTape learns a synthetic task.

The data are two interleaved spirals (not linearly separable), so the loss only falls if the
gradients, the nonlinearity and the update are all right.
"""

from __future__ import annotations

import math
import time

from gpulayers import backend, ops
from gpulayers.autodiff import GradientTape, Variable
from gpulayers.backend import random
from gpulayers.utils import set_random_seed


def make_spirals(samples_per_class: int, seed: int) -> tuple:
    """Two noisy spirals in 2-D: features (2n, 2) float32 and labels (2n,) int32."""
    xp = backend.xp()
    t = xp.linspace(0.25, 1.0, samples_per_class, dtype="float32") * 3 * math.pi
    arms = []
    for label in (0, 1):
        angle = t + label * math.pi
        arms.append(xp.stack([t * xp.cos(angle), t * xp.sin(angle)], axis=1) / (3 * math.pi))
    features = xp.concatenate(arms) + random.normal((2 * samples_per_class, 2), 0.0, 0.02,
                                                     seed=seed)
    labels = xp.concatenate([xp.zeros(samples_per_class, "int32"),
                             xp.ones(samples_per_class, "int32")])
    return features.astype("float32"), labels


def _dense(fan_in: int, fan_out: int) -> list[Variable]:
    limit = math.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, as Keras's Dense default
    return [Variable(random.uniform((fan_in, fan_out), -limit, limit)),
            Variable(backend.xp().zeros((fan_out,), "float32"))]


def _forward(params: list[Variable], x) -> object:
    w1, b1, w2, b2, w3, b3 = params
    hidden = ops.tanh(ops.matmul(x, w1) + b1)
    hidden = ops.tanh(ops.matmul(hidden, w2) + b2)
    return ops.matmul(hidden, w3) + b3


def run_demo(backend_name: str | None = None, epochs: int = 30, seed: int = 0,
             batch_size: int = 64, learning_rate: float = 0.05) -> dict[str, object]:
    """Train the MLP with Adam written out by hand, printing loss and accuracy per epoch.

    Returns ``{"losses": [mean loss per epoch], "accuracy": final training accuracy}``.
    """
    if backend_name is not None:
        backend.set_backend(backend_name)
    set_random_seed(seed)
    features, labels = make_spirals(1000, seed)
    params = _dense(2, 64) + _dense(64, 64) + _dense(64, 2)
    adam = _Adam(params, learning_rate)
    print(f"gpulayers demo: spiral classification, MLP 2-64-64-2, backend={backend.backend()}")
    start = time.perf_counter()
    losses = []
    for epoch in range(1, epochs + 1):
        order = random.permutation(len(labels))
        total = 0.0
        for begin in range(0, len(labels), batch_size):
            batch = order[begin:begin + batch_size]
            with GradientTape() as tape:
                logits = _forward(params, features[batch])
                loss = ops.mean(ops.sparse_categorical_crossentropy(labels[batch], logits,
                                                                    from_logits=True))
            adam.apply(tape.gradient(loss, params))
            total += float(loss) * len(batch)
        accuracy = _accuracy(params, features, labels)
        losses.append(total / len(labels))
        print(f"epoch {epoch:3d}/{epochs}  loss {losses[-1]:.4f}  "
              f"accuracy {accuracy:.3f}  ({time.perf_counter() - start:.1f}s)")
    return {"losses": losses, "accuracy": accuracy}


def _accuracy(params: list[Variable], features, labels) -> float:
    predicted = ops.argmax(_forward(params, features), axis=-1)
    return float(ops.mean(ops.cast(ops.equal(predicted, labels), "float32")))


class _Adam:
    """Adam (Kingma & Ba), the update written out so the demo needs nothing above ops."""

    def __init__(self, params: list[Variable], learning_rate: float) -> None:
        xp = backend.xp()
        self.params, self.learning_rate, self.step = params, learning_rate, 0
        self.m = [xp.zeros_like(p.data) for p in params]
        self.v = [xp.zeros_like(p.data) for p in params]

    def apply(self, grads: list) -> None:
        self.step += 1
        beta1, beta2, eps = 0.9, 0.999, 1e-7
        scale = self.learning_rate * math.sqrt(1 - beta2 ** self.step) / (1 - beta1 ** self.step)
        for param, grad, m, v in zip(self.params, grads, self.m, self.v):
            g = grad.data
            m += (1 - beta1) * (g - m)
            v += (1 - beta2) * (g * g - v)
            param.assign_sub(scale * m / (backend.xp().sqrt(v) + eps))
