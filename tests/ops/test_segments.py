"""Segment reductions: values against a plain-loop reference and Keras 3, dtypes, gradients
against central differences, errors, and CuPy-vs-NumPy agreement."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.segments import segment_max, segment_min, segment_prod, segment_sum
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(3)
DATA = RNG.standard_normal((7, 3))
DATA[1, 0] = DATA[2, 1] = DATA[6, 1] = 0.0      # zeros for segment_prod's gradient
IDS = np.array([0, 2, 2, 0, 3, -1, 2], dtype="int32")  # -1 is dropped; segment 1 is empty
OPS = {"segment_sum": (segment_sum, np.add, 0.0), "segment_max": (segment_max, max, -np.inf),
       "segment_min": (segment_min, min, np.inf), "segment_prod": (segment_prod, np.multiply,
                                                                   1.0)}


def _reference(combine, identity, data, ids, count):
    out = np.full((count,) + data.shape[1:], identity)
    for row, segment in zip(data, ids):
        if 0 <= segment < count:
            out[segment] = [combine(a, b) for a, b in zip(out[segment], row)]
    return out


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("count", [None, 3, 6])
def test_values_match_a_loop_reference(name, count):
    op, combine, identity = OPS[name]
    expected = _reference(combine, identity, DATA, IDS, 4 if count is None else count)
    got = op(DATA, IDS, num_segments=count)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == "float64"


@pytest.mark.parametrize("name", sorted(OPS))
def test_matches_keras(name):
    keras = keras_or_skip()
    op = OPS[name][0]
    for data in [DATA.astype("float32"), (DATA * 10).astype("int32")]:
        ours = op(data, IDS, 4, sorted=False)
        theirs = getattr(keras.ops, name)(data, IDS, 4)
        rows = [0, 2, 3] if name == "segment_min" else slice(None)  # see the note below
        np.testing.assert_allclose(np.asarray(ours)[rows], to_numpy(theirs)[rows], rtol=1e-6)
        assert ours.dtype == str(theirs.dtype).replace("torch.", "")
    # Empty integer segment in segment_min: torch casts +inf to int32 (giving INT_MIN); we
    # give the int32 maximum, the identity of min (as JAX does).
    assert int(segment_min((DATA * 10).astype("int32"), IDS, 4)[1, 0]) == 2**31 - 1


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradients(name):
    op = OPS[name][0]
    ids = np.array([0, 2, 2, 0, 1, -1, 2], dtype="int32")  # no empty segment (no +-inf)
    check_gradients(lambda x: op(x, ids, 3), [DATA])


@pytest.mark.parametrize("op, expected", [
    # columns of DATA below: a tied maximum / one zero / two zeros
    (segment_max, [[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
    (segment_prod, [[2.0, 2.0, 4.0], [0.0, 6.0, 0.0], [0.0, 0.0, 0.0]]),
])
def test_gradients_with_ties_and_zeros(op, expected):
    data = Variable(np.array([[2.0, 3.0, 0.0], [2.0, 0.0, 0.0], [1.0, 2.0, 5.0]]))
    with GradientTape() as tape:
        loss = ops.sum(op(data, np.array([0, 0, 0]), 1))
    np.testing.assert_allclose(np.asarray(tape.gradient(loss, data)).T, expected)


def test_errors_name_the_op():
    with pytest.raises(ValueError, match="segment_sum: `segment_ids` must be a 1-D vector"):
        segment_sum(DATA, IDS.reshape(7, 1))
    with pytest.raises(ValueError, match="segment_max: `segment_ids` and `data` must have"):
        segment_max(DATA, IDS[:3])
    with pytest.raises(TypeError, match="segment_min: `segment_ids` must be integers"):
        segment_min(DATA, IDS.astype("float32"))
    with pytest.raises(TypeError, match="segment_prod: `num_segments` must be an int"):
        segment_prod(DATA, IDS, num_segments=2.5)


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    ids = np.array([0, 2, 2, 0, 1, -1, 2], dtype="int32")

    def run(name):
        with backend.use_backend(name):
            data = Variable(DATA)
            with GradientTape() as tape:
                outs = [op(data, ids, 3) for op, _, _ in OPS.values()]
                loss = sum(ops.sum(o * o) for o in outs)
            return [np.asarray(o) for o in outs] + [np.asarray(tape.gradient(loss, data))]
    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
