"""The max-pooling primitives' winners (the cell of each window holding its maximum) and the
backward pass built on them, against a loop reference that scans each window in row-major
order: ties (integer-valued inputs), padding, overlapping windows, windows of more than 256
cells, and gradients holding inf and NaN (which must reach the winning cells only)."""

import itertools

import numpy as np
import pytest

from gpulayers import backend


def reference_winners(x, pool, strides, padding):
    """Flat spatial index of the first maximal valid cell of every window (a NaN wins)."""
    spatial = x.shape[1:-1]
    out_spatial = [(n + b + a - k) // s + 1
                   for n, k, s, (b, a) in zip(spatial, pool, strides, padding)]
    argmax = np.zeros((x.shape[0], *out_spatial, x.shape[-1]), dtype=np.int64)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for o in itertools.product(*map(range, out_spatial)):
            best = None
            for tap in itertools.product(*map(range, pool)):
                cell = [o_d * s - b + t for o_d, s, (b, _), t in zip(o, strides, padding, tap)]
                if not all(0 <= i < size for i, size in zip(cell, spatial)):
                    continue
                value = x[(n, *cell, c)]
                if best is None or (not np.isnan(best[0]) and (value > best[0]
                                                                or np.isnan(value))):
                    best = (value, cell)
            argmax[(n, *o, c)] = np.ravel_multi_index(best[1], spatial)
    return argmax


def reference_backward(grad, argmax, input_shape):
    result = np.zeros(input_shape, dtype=grad.dtype)
    flat = result.reshape(input_shape[0], -1, input_shape[-1])
    for n, c in itertools.product(range(input_shape[0]), range(input_shape[-1])):
        for index, g in zip(argmax[n, ..., c].ravel(), grad[n, ..., c].ravel()):
            flat[n, index, c] += g
    return result


CASES = [  # shape, pool, strides, padding
    ((2, 8, 6, 3), (2, 2), (2, 2), ((0, 0), (0, 0))),           # tiles the input
    ((2, 9, 7, 2), (2, 3), (2, 3), ((0, 0), (0, 0))),           # trailing cells dropped
    ((2, 7, 7, 2), (3, 3), (2, 2), ((1, 1), (1, 1))),           # overlapping, padded
    ((1, 6, 5, 4, 2), (2, 3, 2), (3, 1, 2), ((0, 1), (1, 1), (0, 0))),
    ((1, 20, 19, 2), (17, 17), (3, 2), ((0, 0), (0, 0))),       # 289 cells per window
]


@pytest.mark.parametrize("shape, pool, strides, padding", CASES)
def test_winners_and_backward_match_the_loop_reference(shape, pool, strides, padding):
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, shape).astype("float32")              # many ties
    x.reshape(-1)[rng.choice(x.size, 3, replace=False)] = np.nan
    primitives = backend.primitives("pooling")
    output, winners = primitives.max_pool_forward(backend.to_device(x), pool, strides,
                                                  padding)
    expected = reference_winners(x, pool, strides, padding)
    argmax = primitives.max_pool_argmax(winners, shape, pool, strides, padding)
    np.testing.assert_array_equal(backend.to_numpy(argmax), expected)
    picked = np.take_along_axis(x.reshape(shape[0], -1, shape[-1]),
                                expected.reshape(shape[0], -1, shape[-1]), 1)
    np.testing.assert_array_equal(backend.to_numpy(output).reshape(picked.shape), picked)
    grad = rng.standard_normal(expected.shape).astype("float32")
    grad.reshape(-1)[:3] = [np.inf, -np.inf, np.nan]              # must not leak elsewhere
    result = primitives.max_pool_backward(backend.to_device(grad), winners, shape, pool,
                                          strides, padding)
    # overlapping windows sum in another order than the loop: float32 rounding only
    np.testing.assert_allclose(backend.to_numpy(result),
                               reference_backward(grad, expected, shape), rtol=1e-6, atol=0)
