"""compile(jit_compile=True): steps replayed from captured graphs give the eager results.

The capture itself is CuPy's (checked on a device in ``test_jit_compile_gpu.py``); here a NumPy
stand-in (``fake_graphs.py``) captures, so the graph-step logic -- fixed inputs, Variables
written back, optimizer steps outside the graph, the eager reference check, the fallbacks --
is checked against plain eager training of an identical model.
"""

import warnings

import numpy as np
import pytest

from gpulayers import GradientTape, layers, losses, metrics, mixed_precision, ops, optimizers
from gpulayers.backend import deferred_checks
from gpulayers.models import Model, Sequential
from gpulayers.models.graph_steps import MAX_GRAPHS, resolve_jit_compile
from gpulayers.utils import set_random_seed
from tests.models import fake_graphs


def _data(count=40, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((count, features)).astype("float32")
    y = rng.integers(0, classes, count).astype("int32")
    return x, y


def _model(jit, extra=(), optimizer=None, seed=3):
    set_random_seed(seed)
    model = Sequential([layers.Input((6,)), layers.Dense(8, activation="relu"), *extra,
                        layers.Dense(3)])
    schedule = optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.7)
    model.compile(optimizer=optimizer or optimizers.Adam(schedule),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], jit_compile=jit)
    return model


def _assert_same_weights(a, b, rtol=1e-5):
    for got, expected in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-6)


def test_jit_compile_values_resolve_like_keras(monkeypatch):
    assert resolve_jit_compile("m", "auto") is False
    assert resolve_jit_compile("m", False) is False
    with pytest.raises(ValueError, match="Model 'm': `jit_compile` must be True, False or "
                                         "'auto'. Received: jit_compile='yes'"):
        resolve_jit_compile("m", "yes")
    with pytest.warns(UserWarning, match="need the CuPy backend"):
        assert resolve_jit_compile("m", True) is False  # NumPy: no graphs
    fake_graphs.install(monkeypatch)
    assert resolve_jit_compile("m", True) is True
    with pytest.warns(UserWarning, match="cannot also be True. Disabling `jit_compile`"):
        assert resolve_jit_compile("m", True, run_eagerly=True) is False


def test_jit_compile_is_readable_and_settable(monkeypatch):
    fake_graphs.install(monkeypatch)
    model = _model(jit=True)
    assert model.jit_compile is True
    model.jit_compile = False
    assert model.jit_compile is False
    assert _model(jit="auto").jit_compile is False


def test_fit_with_graphs_matches_eager_fit(monkeypatch):
    """Adam with a decaying rate, accuracy, several epochs (metrics reset each epoch), a
    smaller last batch (a second signature): the same weights and history as eager."""
    x, y = _data()
    eager = _model(jit=False)
    eager_history = eager.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    fake = fake_graphs.install(monkeypatch)
    graphed = _model(jit=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning
        history = graphed.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    assert len(fake.graphs) == 2  # batches of 16 and the last one of 8
    assert fake.replays >= 6
    _assert_same_weights(graphed, eager)
    for key, values in eager_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5)
    assert int(graphed.optimizer.iterations.numpy()) == int(eager.optimizer.iterations.numpy())


def test_batch_normalization_statistics_follow_the_replays(monkeypatch):
    x, y = _data(count=48)
    eager = _model(jit=False, extra=[layers.BatchNormalization(momentum=0.5)])
    eager.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    fake = fake_graphs.install(monkeypatch)
    graphed = _model(jit=True, extra=[layers.BatchNormalization(momentum=0.5)])
    graphed.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    assert fake.replays >= 6
    _assert_same_weights(graphed, eager)  # moving mean and variance included


def test_outside_changes_reach_the_graph(monkeypatch):
    """set_weights between fits and a constraint's assign after each optimizer step give
    Variables new arrays; the graph must read the new values."""
    x, y = _data()

    def run(model):
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        model.set_weights([w * 0.5 for w in model.get_weights()])
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)

    extra = [layers.Dense(5, kernel_constraint="max_norm")]
    eager = _model(jit=False, extra=extra, optimizer=optimizers.SGD(0.1))
    run(eager)
    fake = fake_graphs.install(monkeypatch)
    graphed = _model(jit=True, extra=[layers.Dense(5, kernel_constraint="max_norm")],
                     optimizer=optimizers.SGD(0.1))
    run(graphed)
    assert fake.replays >= 6
    _assert_same_weights(graphed, eager)


def test_evaluate_predict_and_on_batch_methods_use_graphs(monkeypatch):
    x, y = _data()
    eager = _model(jit=False)
    fake = fake_graphs.install(monkeypatch)
    graphed = _model(jit=True)
    graphed.set_weights(eager.get_weights())
    for model in (eager, graphed):
        model.train_on_batch(x[:8], y[:8])
        model.train_on_batch(x[8:16], y[8:16])
        model.train_on_batch(x[16:24], y[16:24])
    _assert_same_weights(graphed, eager)
    np.testing.assert_allclose(graphed.evaluate(x, y, batch_size=8, verbose=0),
                               eager.evaluate(x, y, batch_size=8, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(graphed.predict(x, batch_size=8, verbose=0),
                               eager.predict(x, batch_size=8, verbose=0), rtol=1e-5)
    kinds = {kind for kind, runner in graphed._graph_steps.items() if runner.graphs}
    assert kinds == {"train", "test", "predict"}
    assert fake.replays == 2 + 4 + 4  # per kind: the first batch runs eagerly


def test_a_step_with_random_draws_runs_eagerly_with_a_warning(monkeypatch):
    x, y = _data()
    fake = fake_graphs.install(monkeypatch)
    model = _model(jit=True, extra=[layers.Dropout(0.3)])
    with pytest.warns(UserWarning, match=r"Model '.*': jit_compile=True, but the train step "
                                         r"for batches of shapes \(8, 6\), \(8,\) runs eagerly:"
                                         r" it could not be captured \(CaptureUnsupported: the "
                                         r"step draws random numbers"):
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert fake.graphs == [] and np.isfinite(history.history["loss"]).all()


def test_a_failed_capture_leaves_the_variables_as_they_were(monkeypatch):
    x, y = _data()
    eager = _model(jit=False)
    eager.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    fake = fake_graphs.install(monkeypatch)
    fake.fail_capture = RuntimeError("operation not permitted when stream is capturing")
    graphed = _model(jit=True)
    with pytest.warns(UserWarning, match=r"could not be captured \(RuntimeError: operation "
                                         r"not permitted"):
        graphed.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    _assert_same_weights(graphed, eager)


def test_a_graph_that_disagrees_with_the_eager_step_is_dropped(monkeypatch):
    x, y = _data()
    eager = _model(jit=False)
    eager.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    fake = fake_graphs.install(monkeypatch)
    fake.corrupt = True
    graphed = _model(jit=True)
    with pytest.warns(UserWarning, match="its graph replay disagreed with the eager step: "
                                         "result array 0 differs"):
        graphed.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert graphed._graph_steps["train"].graphs == {}
    _assert_same_weights(graphed, eager)  # the bad replay was undone


def test_at_most_max_graphs_per_step_kind(monkeypatch):
    fake = fake_graphs.install(monkeypatch)
    model = _model(jit=True)
    x, y = _data(count=64)
    with pytest.warns(UserWarning, match=f"already has {MAX_GRAPHS} graphs"):
        for rows in range(1, MAX_GRAPHS + 2):
            for _ in range(2):  # the second batch of a shape is captured
                model.train_on_batch(x[:rows], y[:rows])
    assert len(fake.graphs) == MAX_GRAPHS


def test_deferred_label_checks_still_raise_after_replays(monkeypatch):
    """Checks inside a replayed step are read at the next host read, as in eager steps."""
    x, y = _data()
    fake_graphs.install(monkeypatch)
    model = _model(jit=True)
    with deferred_checks.deferring():
        for start in (0, 8, 16):
            model.train_on_batch(x[start:start + 8], y[start:start + 8])
        bad = y[24:32].copy()
        bad[2] = 7
        with pytest.raises(ValueError, match="7"):
            model.train_on_batch(x[24:32], bad)


def test_compile_drops_the_graphs(monkeypatch):
    fake = fake_graphs.install(monkeypatch)
    model = _model(jit=True)
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert model._graph_steps["train"].graphs
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    assert model._graph_steps == {} and len(fake.graphs) == 1


class _HandWrittenStep(Model):
    """A Keras-3-style custom train_step: its own tape, optimizer call and metrics; with
    ``late_metric`` its MAE is computed from a second forward pass after the update."""

    def __init__(self, late_metric=False):
        super().__init__()
        self.late_metric = late_metric
        self.hidden, self.out = layers.Dense(5, activation="tanh"), layers.Dense(2)
        self.loss_tracker = metrics.Mean(name="loss")
        self.mae = metrics.MeanAbsoluteError(name="mae")

    def call(self, inputs):
        return self.out(self.hidden(inputs["features"]))

    def train_step(self, data):
        x, y = data
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = ops.mean((y_pred - y) ** 2)
        self.optimizer.apply(tape.gradient(loss, self.trainable_weights),
                             self.trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae.update_state(y, self(x) if self.late_metric else y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae]


def _train_hand_written(jit, late_metric):
    x, _ = _data(count=32)
    inputs, targets = {"features": x}, np.stack([x[:, 0] * x[:, 1], x[:, 2]], 1)
    set_random_seed(5)
    model = _HandWrittenStep(late_metric)
    model.compile(optimizer=optimizers.RMSprop(0.01), jit_compile=jit)
    history = model.fit(inputs, targets, batch_size=8, epochs=3, shuffle=False, verbose=0)
    return model, history.history


def _assert_same_training(got, expected):
    _assert_same_weights(got[0], expected[0])
    for key, values in expected[1].items():
        np.testing.assert_allclose(got[1][key], values, rtol=1e-5)


def test_a_custom_train_step_on_dict_inputs_matches_eager(monkeypatch):
    eager = _train_hand_written(False, late_metric=False)
    fake = fake_graphs.install(monkeypatch)
    graphed = _train_hand_written(True, late_metric=False)
    assert fake.replays >= 8
    _assert_same_training(graphed, eager)


def test_a_step_reading_weights_after_the_update_runs_eagerly(monkeypatch):
    """In a graph the optimizer step runs after the replay, so a step that reads the weights
    after ``optimizer.apply`` (here a metric's second forward pass) must not be replayed."""
    eager = _train_hand_written(False, late_metric=True)
    fake = fake_graphs.install(monkeypatch)
    with pytest.warns(UserWarning, match=r"could not be captured \(CaptureUnsupported: the "
                                         r"step reads .*kernel.* after optimizer.apply"):
        graphed = _train_hand_written(True, late_metric=True)
    assert fake.graphs == []
    _assert_same_training(graphed, eager)


def test_a_changing_loss_scale_reaches_the_graph(monkeypatch):
    """mixed_float16: the LossScaleOptimizer's scale (read by the graph) is changed by its
    eager apply after each replay (doubling every 2 good steps here)."""
    x, y = _data()

    def train():
        mixed_precision.set_global_policy("mixed_float16")
        try:
            set_random_seed(5)
            model = Sequential([layers.Input((6,)), layers.Dense(8, activation="relu"),
                                layers.Dense(3, dtype="float32")])
        finally:
            mixed_precision.set_global_policy(None)
        optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(0.05), initial_scale=4.0,
                                                  dynamic_growth_steps=2)
        model.compile(optimizer=optimizer, jit_compile=jit,
                      loss=losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
        return model

    jit = False
    eager = train()
    fake = fake_graphs.install(monkeypatch)
    jit = True
    graphed = train()
    assert fake.replays >= 10
    assert float(graphed.optimizer.dynamic_scale.numpy()) == float(
        eager.optimizer.dynamic_scale.numpy()) > 4.0
    _assert_same_weights(graphed, eager, rtol=1e-3)
