"""Calling a model built on ``Input``: which input shapes it takes, mends or rejects (Keras 3's
rules, checked case by case against Keras 3.15 below).

* same rank, known sizes equal (the batch size is never checked): taken as is;
* one extra size-1 last axis: squeezed away; one missing last axis where the declared last
  size is 1: added;
* anything else: a ValueError naming the model, the input and both shapes, before any layer
  runs; a Sequential built from its first call (no ``Input``) stays free.
"""

from __future__ import annotations

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

import gpulayers
from gpulayers import layers, models

# (declared shape, batch_size, received shape, output shape or None for a ValueError)
CASES = [
    ((4,), None, (2, 4), (2, 2)),
    ((4,), None, (2, 5), None),
    ((4,), None, (2, 4, 1), (2, 2)),
    ((4,), None, (2,), None),
    ((4,), None, (2, 3, 4), None),
    ((4,), 8, (3, 4), (3, 2)),
    ((3, 1), None, (2, 3), (2, 3, 2)),
    ((None, 4), None, (2, 7, 4), (2, 7, 2)),
    ((None, 4), None, (3, 4), None),
]
IDS = [f"{declared}-b{batch}-got{received}" for declared, batch, received, _ in CASES]


def _build(lib, kind, declared, batch_size):
    inputs = lib.layers.Input(declared, batch_size=batch_size)
    dense = lib.layers.Dense(2, kernel_initializer="ones")
    if kind == "sequential":
        return lib.models.Sequential([inputs, dense])
    return lib.models.Model(inputs, dense(inputs))


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("declared, batch_size, received, expected", CASES, ids=IDS)
def test_input_shapes_taken_mended_or_rejected(kind, declared, batch_size, received, expected):
    model = _build(gpulayers, kind, declared, batch_size)
    x = np.arange(np.prod(received), dtype="float32").reshape(received)
    if expected is None:
        with pytest.raises(ValueError, match=rf"Model '{model.name}': input '.*' must have "
                                             rf"shape \(None, .*Received shape "
                                             rf"{re_shape(received)}"):
            model(x)
        return
    out = np.asarray(model(x))
    assert out.shape == expected
    # Dense with a kernel of ones sums the last axis: the mended input kept its values.
    mended = x.reshape(expected[:-1] + (-1,))
    np.testing.assert_allclose(out, np.repeat(mended.sum(-1, keepdims=True), 2, -1))


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


@pytest.mark.parametrize("kind", ["sequential", "functional"])
@pytest.mark.parametrize("declared, batch_size, received, expected", CASES, ids=IDS)
def test_the_same_cases_in_keras(kind, declared, batch_size, received, expected):
    keras = keras_or_skip()
    model = _build(keras, kind, declared, batch_size)
    x = np.zeros(received, "float32")
    if expected is None:
        with pytest.raises(ValueError):
            model(x)
    else:
        assert to_numpy(model(x)).shape == expected


def test_a_sequential_built_from_its_first_call_takes_other_lengths_later():
    model = models.Sequential([layers.LSTM(3)])
    assert np.asarray(model(np.zeros((2, 5, 4), "float32"))).shape == (2, 3)
    assert np.asarray(model(np.zeros((3, 7, 4), "float32"))).shape == (3, 3)


def test_a_first_layers_input_shape_declares_the_input_too():
    model = models.Sequential([layers.Dense(2, input_shape=(4,))])
    with pytest.raises(ValueError, match=r"input 'input' must have shape \(None, 4\)"):
        model(np.zeros((2, 3, 4), "float32"))


def test_dict_inputs_are_checked_like_lists():
    first, second = layers.Input((2,), name="a"), layers.Input((3,), name="b")
    model = models.Model([first, second], layers.Concatenate()([first, second]))
    out = model({"a": np.ones((4, 2, 1), "float32"), "b": np.ones((4, 3), "float32")})
    assert np.asarray(out).shape == (4, 5)
    with pytest.raises(ValueError, match="input 'b' must have shape"):
        model({"a": np.ones((4, 2), "float32"), "b": np.ones((4, 4), "float32")})


def test_predict_mends_a_trailing_size_one_axis():
    model = _build(gpulayers, "sequential", (4,), None)
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(model.predict(x[..., None], verbose=0),
                               model.predict(x, verbose=0))
