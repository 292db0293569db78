"""vectorize: vs numpy.vectorize and Keras 3, signatures, gradients, errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import backend, ops
from gpulayers.ops.control_flow import vectorize
from gpulayers.testing import requires_gpu
from gpulayers.testing.gradient_check import check_gradients

RNG = np.random.default_rng(3)


def test_scalar_function_broadcasts_like_numpy():
    a, b = RNG.standard_normal((3, 1)), RNG.standard_normal((4,))
    got = vectorize(lambda x, y: x * y + 1.0)(a, b)
    np.testing.assert_allclose(np.asarray(got), np.vectorize(lambda x, y: x * y + 1.0)(a, b))


def test_matches_keras_example_and_dtype():
    keras = keras_or_skip()
    ours = vectorize(lambda a, b: a + b)([1, 2, 3, 4], 2)
    theirs = keras.ops.vectorize(lambda a, b: a + b)([1, 2, 3, 4], 2)
    np.testing.assert_array_equal(np.asarray(ours), to_numpy(theirs))
    assert ours.dtype == str(theirs.dtype).replace("torch.", "")


def test_signature_matches_keras():
    keras = keras_or_skip()
    m, v = RNG.standard_normal((2, 3, 4)).astype("float32"), RNG.standard_normal((4,))
    v = v.astype("float32")
    ours = vectorize(lambda a, b: ops.matmul(a, b), signature="(m,n),(n)->(m)")(m, v)
    theirs = keras.ops.vectorize(lambda a, b: keras.ops.matmul(a, b),
                                 signature="(m,n),(n)->(m)")(m, v)
    np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ours), m @ v, rtol=1e-6)


def test_tuple_outputs_and_excluded():
    f = vectorize(lambda x, scale: (x * scale, x - scale), excluded={1})
    first, second = f(np.arange(3.0), 2.0)
    np.testing.assert_allclose(np.asarray(first), [0.0, 2.0, 4.0])
    np.testing.assert_allclose(np.asarray(second), [-2.0, -1.0, 0.0])


def test_gradients():
    f = vectorize(lambda row: ops.sum(ops.square(row)) * row[0], signature="(n)->()")
    check_gradients(f, [RNG.standard_normal((3, 4))])


def test_errors():
    with pytest.raises(ValueError, match="vectorize: expected argument `pyfunc`"):
        vectorize(3)
    with pytest.raises(ValueError, match="vectorize: not a valid gufunc signature"):
        vectorize(lambda x: x, signature="(n")
    f = vectorize(lambda a, b: a, signature="(n),(n)->(n)")
    with pytest.raises(ValueError, match="inconsistent size for core dim 'n'"):
        f(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="cannot broadcast"):
        vectorize(lambda a, b: a)(np.ones(3), np.ones(4))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x = RNG.standard_normal((3, 4))
    results = []
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            out = vectorize(lambda r: ops.sum(r * r), signature="(n)->()")(x)
            results.append(backend.to_numpy(out.data))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)
