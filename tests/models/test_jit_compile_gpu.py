"""compile(jit_compile=True) on a GPU: CuPy captures and replays real CUDA graphs.

Each model trains with graphs and, from the same initial weights, eagerly; the weights,
losses and predictions must agree (float32 rounding only: the same kernels run either way),
and no step may fall back to eager execution (a fallback warns, and warnings are errors
here).
"""

import warnings

import numpy as np
import pytest

from gpulayers import backend, layers, losses, optimizers
from gpulayers.models import Sequential
from gpulayers.testing import requires_gpu
from gpulayers.utils import set_random_seed

pytestmark = pytest.mark.gpu


def _mlp():
    return [layers.Input((20,)), layers.Dense(64, activation="relu"),
            layers.Dense(64, activation="tanh"), layers.Dense(5)]


def _convnet():
    return [layers.Input((12, 12, 3)), layers.Conv2D(8, 3, padding="same"),
            layers.BatchNormalization(), layers.ReLU(), layers.MaxPooling2D(),
            layers.Conv2D(8, 3, activation="relu"), layers.GlobalAveragePooling2D(),
            layers.Dense(5)]


def _lstm():
    return [layers.Input((7, 4)), layers.LSTM(16, return_sequences=True), layers.GRU(8),
            layers.Dense(5)]


def _data(shape, count=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((count, *shape)).astype("float32")
    return x, rng.integers(0, 5, count).astype("int32")


def _train(stack, jit, x, y):
    set_random_seed(7)
    model = Sequential(stack())
    schedule = optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.8)
    model.compile(optimizer=optimizers.Adam(schedule),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], jit_compile=jit)
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    evaluation = model.evaluate(x, y, batch_size=16, verbose=0)
    return model, history.history, evaluation, model.predict(x, batch_size=16, verbose=0)


@requires_gpu
@pytest.mark.parametrize("stack, shape", [(_mlp, (20,)), (_convnet, (12, 12, 3)),
                                          (_lstm, (7, 4))], ids=["mlp", "convnet", "lstm"])
def test_graph_replays_train_like_eager_steps(stack, shape):
    backend.set_backend("cupy")
    x, y = _data(shape)
    eager = _train(stack, False, x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graphed = _train(stack, True, x, y)
    model = graphed[0]
    assert {kind for kind, steps in model._graph_steps.items() if steps.graphs} == {
        "train", "test", "predict"}
    for got, expected in zip(model.get_weights(), eager[0].get_weights()):
        np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-5)
    for key, values in eager[1].items():
        np.testing.assert_allclose(graphed[1][key], values, rtol=2e-4)
    np.testing.assert_allclose(graphed[2], eager[2], rtol=2e-4)
    np.testing.assert_allclose(graphed[3], eager[3], rtol=2e-4, atol=2e-5)


@requires_gpu
def test_a_dropout_step_falls_back_to_eager_on_the_gpu():
    backend.set_backend("cupy")
    x, y = _data((20,))
    set_random_seed(7)
    model = Sequential([*_mlp()[:2], layers.Dropout(0.2), layers.Dense(5)])
    model.compile(optimizer="adam", loss=losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=True)
    with pytest.warns(UserWarning, match="draws random numbers"):
        history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
