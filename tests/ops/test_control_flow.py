"""Control flow and custom_gradient: values vs Keras 3 and hand-written loops, gradients
through loops and branches, errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.control_flow import (
    associative_scan,
    cond,
    fori_loop,
    map,
    scan,
    switch,
    vectorized_map,
    while_loop,
)
from gpulayers.ops.custom_gradient import custom_gradient
from gpulayers.testing import requires_gpu
from gpulayers.testing.gradient_check import check_gradients

RNG = np.random.default_rng(3)


def test_cond_and_switch():
    assert float(cond(ops.convert_to_tensor(True), lambda: 1.0, lambda: 2.0)) == 1.0
    assert float(cond(False, lambda: 1.0, lambda: 2.0)) == 2.0
    branches = [lambda x: x + 1, lambda x: x * 10, lambda x: -x]
    assert [switch(i, branches, 3) for i in (-5, 0, 1, 2, 9)] == [4, 4, 30, -3, -3]
    keras = keras_or_skip()
    assert int(keras.ops.switch(9, branches, 3)) == switch(9, branches, 3)
    with pytest.raises(ValueError, match="cond"):
        cond(np.ones(3) > 0, lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="switch"):
        switch(0, [1], 3)


def test_loops_match_keras():
    keras = keras_or_skip()
    ours = while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 2.0), (0, 1.0))
    theirs = keras.ops.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 2.0), (0, 1.0))
    assert [float(a) for a in ours] == [float(b) for b in theirs] == [5.0, 32.0]
    assert int(while_loop(lambda i: i < 100, lambda i: i + 1, 0, maximum_iterations=7)) == 7
    assert fori_loop(2, 6, lambda i, acc: acc + i, 0) == 2 + 3 + 4 + 5
    xs = RNG.standard_normal((6, 2)).astype("float32")
    for reverse in (False, True):
        carry, ys = scan(lambda c, x: (c + x, c * x), np.zeros(2, "float32"), xs, reverse=reverse)
        k_carry, k_ys = keras.ops.scan(lambda c, x: (c + x, c * x), np.zeros(2, "float32"), xs,
                                       reverse=reverse)
        np.testing.assert_allclose(np.asarray(carry), to_numpy(k_carry), rtol=1e-6)
        np.testing.assert_allclose(np.asarray(ys), to_numpy(k_ys), rtol=1e-6, atol=1e-7)


def test_scan_reference_nested_and_length():
    xs = RNG.standard_normal((5, 3))
    carry, ys = scan(lambda c, x: (c + x["a"], {"sq": x["a"] ** 2}), 0.0, {"a": xs})
    np.testing.assert_allclose(np.asarray(carry), xs.sum(0))
    np.testing.assert_allclose(np.asarray(ys["sq"]), xs ** 2)
    count, none_ys = scan(lambda c, _: (c + 1, None), 0, length=4)
    # as Keras: a None y becomes zeros per carry leaf, stacked
    assert int(count) == 4 and [y.shape for y in none_ys] == [(4,)]
    with pytest.raises(ValueError, match="scan"):
        scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(ValueError, match="unroll"):
        scan(lambda c, x: (c, x), 0.0, xs, unroll=0)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("size", [1, 5, 8])
def test_associative_scan_matches_cumulative(reverse, size):
    x = RNG.standard_normal((3, size))
    got = associative_scan(ops.add, x, reverse=reverse, axis=1)
    expected = np.flip(np.cumsum(np.flip(x, 1), 1), 1) if reverse else np.cumsum(x, 1)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10)
    pair = associative_scan(lambda a, b: (a[0] * b[0], a[1] + b[1]), (x, x), axis=1)
    np.testing.assert_allclose(np.asarray(pair[0]), np.cumprod(x, 1), rtol=1e-10)
    keras = keras_or_skip()
    theirs = keras.ops.associative_scan(keras.ops.add, x.astype("float32"), axis=1)
    np.testing.assert_allclose(np.asarray(associative_scan(ops.add, x.astype("float32"), axis=1)),
                               to_numpy(theirs), rtol=1e-5, atol=1e-6)


def test_map_and_vectorized_map():
    xs = RNG.standard_normal((4, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(map(lambda x: ops.sum(x * x), xs)), (xs * xs).sum(1),
                               rtol=1e-6)
    np.testing.assert_allclose(np.asarray(vectorized_map(lambda x: x[0] + x[1], (xs, xs))),
                               2 * xs)
    keras = keras_or_skip()
    np.testing.assert_allclose(np.asarray(map(lambda x: x * 2, xs)),
                               to_numpy(keras.ops.map(lambda x: x * 2, xs)))


def test_gradients_flow_through_loops_and_branches():
    def fn(a, b):
        a = cond(True, lambda: a * 2.0, lambda: a)
        _, ys = scan(lambda c, x: (c * x, c + x), a[0], b)
        return fori_loop(0, 3, lambda i, v: ops.tanh(v) * 1.5, ys)

    check_gradients(fn, [RNG.standard_normal((2,)), RNG.standard_normal((4,))])
    check_gradients(lambda x: associative_scan(lambda p, q: p * q, x), [RNG.random(6) + 0.5])


def test_custom_gradient_torch_and_tf_styles():
    @custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

        return ops.log(1 + e), grad

    @custom_gradient
    def clipped_identity(x, y):  # TF-style grad_fn(upstream); a deliberately wrong gradient
        return x + y, lambda upstream: (upstream * 0.5, None)

    x = Variable(np.array([0.0, 1.0, 100.0], "float32"))
    y = Variable(np.ones(3, "float32"))
    with GradientTape() as tape:
        out = log1pexp(x)
        total = ops.sum(clipped_identity(x, y))
    np.testing.assert_allclose(np.asarray(out)[:2], np.log1p(np.exp([0.0, 1.0])), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(tape.gradient(out, x)),
                               1 / (1 + np.exp(-np.array([0.0, 1.0, 100.0]))), rtol=1e-6)
    with GradientTape() as tape:
        total = ops.sum(clipped_identity(x, y))
    gx, gy = tape.gradient(total, [x, y])
    np.testing.assert_allclose(np.asarray(gx), [0.5] * 3)
    assert gy is None
    with pytest.raises(TypeError, match="custom_gradient"):
        custom_gradient(lambda v: v)(x)


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    xs = RNG.standard_normal((5, 3)).astype("float32")

    def run(name):
        with backend.use_backend(name):
            v = Variable(xs)
            with GradientTape() as tape:
                _, ys = scan(lambda c, x: (c + x, ops.tanh(c * x)), ops.zeros((3,)), v)
                loss = ops.sum(ys) + ops.sum(associative_scan(ops.add, v))
            return np.asarray(ys), np.asarray(tape.gradient(loss, v))

    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
