"""Whole training workflows run in gpulayers and in Keras 3 (torch backend) side by side.

Each test builds the same model twice with one builder that takes the framework module
(``keras`` or ``gpulayers``; the APIs mirror each other), copies the Keras initial weights into
ours (the weight layouts are identical by design), trains both on the same data with
``shuffle=False`` and compares ``history.history``, ``evaluate(return_dict=True)``, ``predict``
and the final weights. Data and learning rates are small enough that nothing diverges, and no
decision depends on noise (no dropout, no argmax ties).
"""

from __future__ import annotations

import os

import numpy as np
from keras_available import keras_or_skip, to_numpy

import gpulayers as gl

os.environ.setdefault("KERAS_BACKEND", "torch")

HISTORY_RTOL = 1e-4
PREDICT_RTOL, PREDICT_ATOL = 1e-4, 1e-5


def _rng(seed=0):
    return np.random.default_rng(seed)


def _assert_histories_match(got, expected):
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert len(got[key]) == len(expected[key]), key
        np.testing.assert_allclose(np.asarray(got[key], dtype=np.float64),
                                   np.asarray(expected[key], dtype=np.float64),
                                   rtol=HISTORY_RTOL, atol=1e-6, err_msg=key)


def _assert_evaluations_match(got, expected):
    assert list(got) == list(expected)
    for key in expected:
        np.testing.assert_allclose(float(got[key]), float(expected[key]),
                                   rtol=HISTORY_RTOL, atol=1e-6, err_msg=key)


def _assert_predictions_match(got, expected):
    if isinstance(expected, dict):
        assert sorted(got) == sorted(expected)
        for key in expected:
            _assert_predictions_match(got[key], expected[key])
        return
    if isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_predictions_match(g, e)
        return
    np.testing.assert_allclose(to_numpy(got), to_numpy(expected),
                               rtol=PREDICT_RTOL, atol=PREDICT_ATOL)


def _assert_weights_match(ours, theirs, rtol=HISTORY_RTOL, atol=1e-5):
    got, expected = ours.get_weights(), theirs.get_weights()
    assert len(got) == len(expected)
    for index, (g, e) in enumerate(zip(got, expected)):
        assert g.shape == e.shape, index
        np.testing.assert_allclose(g, to_numpy(e), rtol=rtol, atol=atol,
                                   err_msg=f"weight {index}")


def _twin(build):
    """The Keras model, and ours with the Keras initial weights."""
    keras = keras_or_skip()
    keras.utils.set_random_seed(7)
    theirs = build(keras)
    ours = build(gl)
    ours.set_weights([to_numpy(w) for w in theirs.get_weights()])
    return keras, theirs, ours


def _run_both(theirs, ours, compile_for, fit_kwargs, eval_args, predict_x):
    """compile/fit/evaluate/predict in both; compare everything."""
    import keras

    theirs.compile(**compile_for(keras))
    ours.compile(**compile_for(gl))
    expected = theirs.fit(verbose=0, shuffle=False, **fit_kwargs).history
    got = ours.fit(verbose=0, shuffle=False, **fit_kwargs).history
    _assert_histories_match(got, expected)
    _assert_weights_match(ours, theirs)
    x_eval, y_eval = eval_args
    _assert_evaluations_match(
        ours.evaluate(x_eval, y_eval, batch_size=16, verbose=0, return_dict=True),
        theirs.evaluate(x_eval, y_eval, batch_size=16, verbose=0, return_dict=True))
    _assert_predictions_match(ours.predict(predict_x, batch_size=16, verbose=0),
                              theirs.predict(predict_x, batch_size=16, verbose=0))
    return got, expected


# -- 1. convnet ----------------------------------------------------------------------------


def test_convnet_with_batchnorm_and_validation_split_matches_keras():
    def build(lib):
        return lib.models.Sequential([
            lib.layers.Input((8, 8, 1)),
            lib.layers.Conv2D(4, 3, padding="same", activation="relu"),
            lib.layers.BatchNormalization(),
            lib.layers.MaxPooling2D(),
            lib.layers.Flatten(),
            lib.layers.Dense(10, activation="softmax"),
        ])

    _, theirs, ours = _twin(build)
    rng = _rng(1)
    x = rng.normal(size=(64, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 10, size=(64,)).astype("int64")
    _run_both(
        theirs, ours,
        lambda lib: dict(optimizer=lib.optimizers.Adam(1e-2),
                         loss="sparse_categorical_crossentropy", metrics=["accuracy"]),
        dict(x=x, y=y, validation_split=0.25, epochs=3, batch_size=16),
        (x, y), x)


# -- 2. text: Embedding(mask_zero) -> LSTM ---------------------------------------------------


def _padded_sequences(count, length, vocabulary, seed):
    rng = _rng(seed)
    x = np.zeros((count, length), dtype="int32")
    lengths = rng.integers(3, length + 1, size=count)
    for row, size in enumerate(lengths):
        x[row, :size] = rng.integers(1, vocabulary, size=size)  # zeros only at the end
    y = (x.sum(axis=1) % 2).astype("float32").reshape(-1, 1)
    return x, y


def test_text_classifier_with_masked_lstm_and_auc_matches_keras():
    def build(lib):
        return lib.models.Sequential([
            lib.layers.Input((12,), dtype="int32"),
            lib.layers.Embedding(30, 8, mask_zero=True),
            lib.layers.LSTM(6),
            lib.layers.Dense(1, activation="sigmoid"),
        ])

    _, theirs, ours = _twin(build)
    x, y = _padded_sequences(48, 12, 30, seed=2)
    _run_both(
        theirs, ours,
        lambda lib: dict(optimizer=lib.optimizers.RMSprop(learning_rate=1e-2),
                         loss="binary_crossentropy",
                         metrics=["accuracy", lib.metrics.AUC(name="auc")]),
        dict(x=x, y=y, epochs=3, batch_size=16),
        (x, y), x)


# -- 3. GRU(return_sequences) -> TimeDistributed(Dense) with sample weights -----------------


def test_sequence_regression_with_sample_weight_and_nesterov_matches_keras():
    def build(lib):
        return lib.models.Sequential([
            lib.layers.Input((5, 3)),
            lib.layers.GRU(4, return_sequences=True),
            lib.layers.TimeDistributed(lib.layers.Dense(2)),
        ])

    _, theirs, ours = _twin(build)
    rng = _rng(3)
    x = rng.normal(size=(40, 5, 3)).astype("float32")
    y = (0.5 * np.cumsum(x[..., :2], axis=1)).astype("float32")
    # One weight per sample, shaped (N, 1): Keras 3 cannot broadcast (N,) weights against the
    # (N, timesteps) per-element losses of a sequence output (squeeze_or_expand_to_same_rank
    # only expands when the last dimension is 1), so it raises for that shape.
    weights = np.linspace(0.25, 2.0, len(x)).astype("float32")[:, None]
    _run_both(
        theirs, ours,
        lambda lib: dict(optimizer=lib.optimizers.SGD(learning_rate=0.05, momentum=0.9,
                                                      nesterov=True),
                         loss="mse", metrics=["mae"], weighted_metrics=["mae"]),
        dict(x=x, y=y, sample_weight=weights, epochs=3, batch_size=16),
        (x, y), x)


# -- 4. functional: two named inputs, two named outputs, dict losses/metrics -----------------


def test_functional_two_inputs_two_outputs_with_dicts_matches_keras():
    def build(lib):
        numbers = lib.layers.Input((4,), name="numbers")
        tags = lib.layers.Input((3,), name="tags")
        merged = lib.layers.Concatenate()([numbers, tags])
        hidden = lib.layers.Dense(8, activation="tanh", name="hidden")(merged)
        price = lib.layers.Dense(1, name="price")(hidden)
        kind = lib.layers.Dense(3, activation="softmax", name="kind")(hidden)
        # Keys written out of order on purpose: both flatten a dict of outputs by sorted key.
        return lib.models.Model(inputs=[numbers, tags], outputs={"price": price, "kind": kind})

    _, theirs, ours = _twin(build)
    rng = _rng(4)
    numbers = rng.normal(size=(48, 4)).astype("float32")
    tags = rng.normal(size=(48, 3)).astype("float32")
    x = {"numbers": numbers, "tags": tags}
    y = {"price": (numbers[:, :1] - 0.5 * tags[:, 1:2]).astype("float32"),
         "kind": np.argmax(numbers[:, :3] + tags, axis=1).astype("int64")}
    _run_both(
        theirs, ours,
        lambda lib: dict(optimizer=lib.optimizers.Adam(learning_rate=1e-2),
                         loss={"price": "mse", "kind": "sparse_categorical_crossentropy"},
                         loss_weights={"price": 0.5, "kind": 1.0},
                         metrics={"price": ["mae"], "kind": ["accuracy"]}),
        dict(x=x, y=y, epochs=3, batch_size=16, validation_data=(x, y)),
        (x, y), x)


def test_dict_outputs_are_flattened_in_sorted_key_order_like_keras():
    keras = keras_or_skip()

    def build(lib):
        features = lib.layers.Input((2,), name="features")
        price = lib.layers.Dense(1, name="price")(features)
        kind = lib.layers.Dense(3, name="kind")(features)
        return lib.models.Model(features, {"price": price, "kind": kind})

    theirs, ours = build(keras), build(gl)
    assert list(theirs.output_names) == ["kind", "price"]
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert list(ours.output_names) == list(theirs.output_names)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]


# -- 5. class_weight, AdamW and an L2 kernel regularizer ------------------------------------


def test_class_weight_adamw_and_l2_regularizer_match_keras():
    def build(lib):
        return lib.models.Sequential([
            lib.layers.Input((5,)),
            lib.layers.Dense(8, activation="relu",
                             kernel_regularizer=lib.regularizers.L2(0.01)),
            lib.layers.Dense(1, activation="sigmoid"),
        ])

    _, theirs, ours = _twin(build)
    rng = _rng(5)
    x = rng.normal(size=(60, 5)).astype("float32")
    score = x[:, 0] + 0.5 * x[:, 1]
    y = (score > np.quantile(score, 0.8)).astype("float32").reshape(-1, 1)  # 20% positives
    got, _ = _run_both(
        theirs, ours,
        lambda lib: dict(optimizer=lib.optimizers.AdamW(learning_rate=1e-2, weight_decay=0.01),
                         loss="binary_crossentropy", metrics=["accuracy"]),
        dict(x=x, y=y, class_weight={0: 0.25, 1: 1.0}, epochs=3, batch_size=16),
        (x, y), x)
    assert len(got["loss"]) == 3


# -- 6. callbacks: ReduceLROnPlateau + EarlyStopping(restore_best_weights) -------------------


def test_reduce_lr_on_plateau_and_early_stopping_match_keras():
    def build(lib):
        return lib.models.Sequential([
            lib.layers.Input((4,)),
            lib.layers.Dense(6, activation="tanh"),
            lib.layers.Dense(1),
        ])

    _, theirs, ours = _twin(build)
    rng = _rng(6)
    x = rng.normal(size=(48, 4)).astype("float32")
    y = (x @ np.array([[0.5], [-1.0], [0.25], [0.75]], dtype="float32")).astype("float32")
    x_val = rng.normal(size=(16, 4)).astype("float32")
    y_val = (x_val[:, :1] * 3.0).astype("float32")  # a shifted task: val_loss soon plateaus

    def callbacks(lib):
        return [lib.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                                min_delta=1e-3),
                lib.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                            restore_best_weights=True)]

    keras = keras_or_skip()
    theirs.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    ours.compile(optimizer=gl.optimizers.SGD(learning_rate=0.1), loss="mse")
    fit = dict(x=x, y=y, validation_data=(x_val, y_val), epochs=20, batch_size=16,
               shuffle=False, verbose=0)
    expected = theirs.fit(callbacks=callbacks(keras), **fit).history
    got = ours.fit(callbacks=callbacks(gl), **fit).history
    assert "learning_rate" in expected and len(expected["loss"]) < 20  # it did stop early
    assert len(set(np.round(expected["learning_rate"], 8))) > 1  # and it did reduce the rate
    _assert_histories_match(got, expected)
    _assert_weights_match(ours, theirs)  # the restored best weights
    _assert_evaluations_match(ours.evaluate(x_val, y_val, verbose=0, return_dict=True),
                              theirs.evaluate(x_val, y_val, verbose=0, return_dict=True))


# -- 7. subclassed model overriding compute_loss ---------------------------------------------


def _subclassed_model(lib, penalty):
    class PenalizedRegressor(lib.models.Model):
        """Two Dense layers; compute_loss adds ``penalty * mean(y_pred ** 2)``."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = lib.layers.Dense(6, activation="tanh")
            self.head = lib.layers.Dense(2)

        def call(self, inputs, training=None):
            return self.head(self.hidden(inputs))

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         training=True):
            loss = super().compute_loss(x=x, y=y, y_pred=y_pred,
                                        sample_weight=sample_weight, training=training)
            return loss + penalty * lib.ops.mean(lib.ops.square(y_pred))

    return PenalizedRegressor()


def test_subclassed_model_with_overridden_compute_loss_matches_keras():
    keras = keras_or_skip()
    keras.utils.set_random_seed(7)
    rng = _rng(7)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = np.stack([x[:, 0] - x[:, 1], 0.5 * x[:, 2]], axis=1).astype("float32")
    theirs, ours = _subclassed_model(keras, 0.1), _subclassed_model(gl, 0.1)
    theirs(x[:2])
    ours(x[:2])
    ours.set_weights([to_numpy(w) for w in theirs.get_weights()])
    got, expected = _run_both(
        theirs, ours,
        lambda lib: dict(optimizer=lib.optimizers.SGD(learning_rate=0.05), loss="mse",
                         metrics=["mae", "mse"]),
        dict(x=x, y=y, epochs=3, batch_size=16, validation_split=0.25),
        (x, y), x)
    # The penalty is in the logged loss (in both): the loss exceeds the plain mse metric.
    for history in (got, expected):
        assert np.all(np.asarray(history["loss"]) > np.asarray(history["mse"]) + 1e-4)
        assert np.all(np.asarray(history["val_loss"]) > np.asarray(history["val_mse"]) + 1e-4)


# -- 8. masked sequence tagging: the output mask weights the loss and the metrics -----------


def test_masked_sequence_tagger_matches_keras():
    def build(lib):
        return lib.models.Sequential([
            lib.layers.Input((7,), dtype="int32"),
            lib.layers.Embedding(20, 4, mask_zero=True),
            lib.layers.Bidirectional(lib.layers.LSTM(3, return_sequences=True)),
            lib.layers.TimeDistributed(lib.layers.Dense(3, activation="softmax")),
        ])

    _, theirs, ours = _twin(build)
    rng = _rng(8)
    x = np.zeros((32, 7), dtype="int32")
    for row, size in enumerate(rng.integers(2, 8, size=len(x))):
        x[row, :size] = rng.integers(1, 20, size=size)
    y = (x % 3).astype("int64")  # the padded steps' label (0) counts for nothing
    _run_both(
        theirs, ours,
        lambda lib: dict(optimizer=lib.optimizers.Adam(learning_rate=1e-2),
                         loss="sparse_categorical_crossentropy", metrics=["accuracy"]),
        dict(x=x, y=y, epochs=3, batch_size=8),
        (x, y), x)


def test_dict_inputs_are_flattened_in_sorted_key_order_like_keras():
    keras = keras_or_skip()

    def build(lib):
        tags = lib.layers.Input((1,), name="tags")
        numbers = lib.layers.Input((2,), name="numbers")
        merged = lib.layers.Concatenate()([tags, numbers])
        return lib.models.Model({"tags": tags, "numbers": numbers}, lib.layers.Dense(1)(merged))

    theirs, ours = build(keras), build(gl)
    assert [t.name for t in theirs.inputs] == ["numbers", "tags"]
    assert [t._keras_history[0].name for t in ours.inputs] == ["numbers", "tags"]
