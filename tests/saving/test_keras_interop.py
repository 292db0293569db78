"""Files move between Keras 3 and gpulayers: weights files and ``.keras`` model files both
ways, and the same weight paths as Keras for nested and subclassed models.

Keras (torch backend, CPU) is a test-only peer: these tests skip when it is not installed.
"""

import os

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

os.environ.setdefault("KERAS_BACKEND", "torch")

from gpulayers import layers as L  # noqa: E402
from gpulayers.models import Model, Sequential, load_model  # noqa: E402
from gpulayers.saving.weights_store import collect_weights  # noqa: E402

pytest.importorskip("h5py", reason="h5py (the HDF5 extra) is not installed")
RNG = np.random.default_rng(3)
X = RNG.normal(size=(4, 8, 8, 3)).astype("float32")


def _stack(layers):
    return [layers.Input((8, 8, 3)), layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(), layers.Reshape((36, 4)), layers.LSTM(5),
            layers.Dense(3)]


def _keras_model(keras):
    model = keras.Sequential(_stack(keras.layers))
    weights = [RNG.uniform(0.5, 1.5, w.shape).astype("float32") for w in model.get_weights()]
    model.set_weights(weights)  # also makes the BatchNormalization statistics non-trivial
    return model


def _assert_close(ours, theirs):
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_keras_weights_file_loads_into_gpulayers(tmp_path):
    keras = keras_or_skip()
    theirs = _keras_model(keras)
    theirs.save_weights(tmp_path / "k.weights.h5")
    ours = Sequential(_stack(L))
    ours.load_weights(tmp_path / "k.weights.h5")
    _assert_close(ours.predict(X, verbose=0), to_numpy(theirs(X)))


def test_gpulayers_weights_file_loads_into_keras(tmp_path):
    keras = keras_or_skip()
    ours = Sequential(_stack(L))
    ours.set_weights([RNG.uniform(0.5, 1.5, w.shape).astype("float32")
                      for w in ours.get_weights()])
    ours.save_weights(tmp_path / "g.weights.h5")
    theirs = keras.Sequential(_stack(keras.layers))
    theirs.load_weights(tmp_path / "g.weights.h5")
    _assert_close(ours.predict(X, verbose=0), to_numpy(theirs(X)))


@pytest.mark.slow
def test_keras_model_file_loads_into_gpulayers(tmp_path):
    keras = keras_or_skip()
    theirs = _keras_model(keras)
    theirs.compile(optimizer=keras.optimizers.Adam(0.002), loss="mse", metrics=["mae"])
    theirs.fit(X, RNG.normal(size=(4, 3)).astype("float32"), epochs=2, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = load_model(tmp_path / "k.keras")
    assert isinstance(ours, Sequential)
    _assert_close(ours.predict(X, verbose=0), to_numpy(theirs(X)))
    assert int(ours.optimizer.iterations.numpy()) == 2
    assert ours.optimizer.learning_rate == pytest.approx(0.002)
    for ours_slot, theirs_slot in zip(ours.optimizer.variables[1:],
                                      theirs.optimizer.variables[2:]):
        _assert_close(ours_slot.numpy(), to_numpy(theirs_slot.value))
    assert ours.get_compile_config()["loss"] == "mse"


@pytest.mark.parametrize("functional", [False, True])
def test_gpulayers_model_file_loads_into_keras_and_trains_on_alike(tmp_path, functional):
    keras = keras_or_skip()
    if functional:
        inputs = L.Input((8, 8, 3))
        outputs = inputs
        for layer in _stack(L)[1:]:
            outputs = layer(outputs)
        ours = Model(inputs, outputs)
    else:
        ours = Sequential(_stack(L))
    y = RNG.normal(size=(4, 3)).astype("float32")
    ours.compile(optimizer="adam", loss="mse", metrics=["mae"])
    ours.fit(X, y, epochs=2, verbose=0)
    ours.save(tmp_path / "g.keras")
    theirs = keras.models.load_model(tmp_path / "g.keras")
    _assert_close(ours.predict(X, verbose=0), to_numpy(theirs(X)))
    assert int(to_numpy(theirs.optimizer.iterations.value)) == 2
    for ours_slot, theirs_slot in zip(ours.optimizer.variables[1:],
                                      theirs.optimizer.variables[2:]):
        _assert_close(ours_slot.numpy(), to_numpy(theirs_slot.value))
    # one more identical step on each side: the restored optimizer state is the same
    ours.fit(X, y, epochs=1, verbose=0, shuffle=False)
    theirs.fit(X, y, epochs=1, verbose=0, shuffle=False)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        _assert_close(mine, keras_weight)


def test_keras_functional_model_file_loads_into_gpulayers(tmp_path):
    keras = keras_or_skip()
    left, right = keras.Input((5,)), keras.Input((5,))
    shared = keras.layers.Dense(4, activation="tanh")
    merged = keras.layers.Concatenate()([shared(left), shared(right)])
    theirs = keras.Model([left, right], keras.layers.Dense(2)(merged))
    theirs.save(tmp_path / "f.keras")
    ours = load_model(tmp_path / "f.keras")
    x = [RNG.normal(size=(3, 5)).astype("float32") for _ in range(2)]
    _assert_close(ours.predict(x, verbose=0), to_numpy(theirs(x)))


def _h5_shapes(path):
    import h5py

    shapes = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(lambda name, item: shapes.__setitem__(name, item.shape)
                      if isinstance(item, h5py.Dataset) else None)
    return shapes


def _our_shapes(model):
    return {key: tuple(np.shape(value)) for key, value in collect_weights(model)[0].items()}


def _wrappers_and_nesting(layers, models, block):
    inputs = layers.Input((5, 6))
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(inputs)
    x = layers.TimeDistributed(layers.Dense(4))(x)
    x = layers.RNN([layers.GRUCell(3), layers.SimpleRNNCell(2)], return_sequences=True)(x)
    x = models.Sequential([layers.Dense(3), layers.Dense(3)])(layers.Flatten()(x))
    return models.Model(inputs, block()(x))


def _block_class(base, layers):
    class Block(base):
        """Sublayers in a public attribute, a list and a private attribute, plus own
        variables (trainable and not)."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.proj = layers.Dense(3)
            self.stack = [layers.Dense(2), layers.Dense(2)]
            self._hidden = layers.Dense(4)

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(1,), name="scale")
            self.count = self.add_weight(shape=(), trainable=False, initializer="zeros",
                                         name="count")

        def call(self, x):
            return self.stack[1](self.stack[0](self.proj(self._hidden(x)))) * self.scale

    return Block


def test_weight_paths_match_keras_for_wrappers_nesting_and_custom_layers(tmp_path):
    keras = keras_or_skip()
    theirs = _wrappers_and_nesting(keras.layers, keras,
                                   _block_class(keras.layers.Layer, keras.layers))
    theirs.save_weights(tmp_path / "k.weights.h5")
    ours = _wrappers_and_nesting(L, _GpulayersModels, _block_class(L.Layer, L))
    assert _our_shapes(ours) == _h5_shapes(tmp_path / "k.weights.h5")


class _GpulayersModels:
    Sequential, Model = Sequential, Model


def _subclassed(base, layers):
    class Net(base):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = layers.Dense(3)
            self.out = layers.Dense(2)  # after `layers` in name order: saved as layers/...
            self.zz = layers.Dense(2)
            self.blocks = [layers.Dense(2)]

        def call(self, x):
            return self.zz(self.out(self.blocks[0](self.hidden(x))))

    return Net()


def test_weight_paths_match_keras_for_a_subclassed_model(tmp_path):
    keras = keras_or_skip()
    x = np.zeros((2, 4), "float32")
    theirs = _subclassed(keras.Model, keras.layers)
    theirs(x)
    theirs.compile(optimizer="adam", loss="mse")
    theirs.fit(x, np.zeros((2, 2), "float32"), verbose=0)
    theirs.save_weights(tmp_path / "k.weights.h5")
    ours = _subclassed(Model, L)
    ours(x)
    ours.compile(optimizer="adam", loss="mse")
    ours.fit(x, np.zeros((2, 2), "float32"), verbose=0)
    assert _our_shapes(ours) == _h5_shapes(tmp_path / "k.weights.h5")
