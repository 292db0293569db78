"""Statistics ops (average, median, quantile, percentile, ptp, corrcoef, correlate, trapezoid,
diff, histogram, bincount, digitize): values vs NumPy and Keras 3, dtypes, gradients, errors."""

import numpy as np
import pytest
from ops_helpers import assert_matches_keras, assert_values, normal_sampler

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.statistics import (
    average,
    bincount,
    corrcoef,
    correlate,
    diff,
    digitize,
    histogram,
    median,
    percentile,
    ptp,
    quantile,
    trapezoid,
)
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(5)
rand = normal_sampler(RNG)
INPUTS = {"float32": RNG.standard_normal((3, 4)).astype("float32"),
          "int32": RNG.integers(-5, 5, (3, 4)).astype("int32"),
          "bool": RNG.integers(0, 2, (3, 4)).astype(bool),
          "float16": RNG.standard_normal((3, 4)).astype("float16")}


METHODS = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
@pytest.mark.parametrize("q", [0.3, [0.0, 0.5, 1.0], [[0.1, 0.9], [0.25, 0.75]]])
def test_quantile_matches_numpy(method, axis, q):
    x = rand(3, 4, 5)
    for keepdims in (False, True):
        assert_values(quantile(x, q, axis, method, keepdims),
                      np.quantile(x, q, axis=axis, method=method, keepdims=keepdims))
    # values are distinct, so the sort is locally constant and the gradient well defined
    check_gradients(lambda t: quantile(t, q, axis, method), [x])


@pytest.mark.parametrize("dtype", sorted(INPUTS))
def test_order_statistics_match_keras(dtype):
    x = INPUTS[dtype]
    assert_matches_keras("median", median(x, axis=1), x, axis=1, rtol=1e-3)
    assert_matches_keras("quantile", quantile(x, [0.2, 0.8], axis=0), x, [0.2, 0.8], axis=0,
                         rtol=1e-3)
    assert_matches_keras("percentile", percentile(x, 40.0), x, 40.0, rtol=1e-3)
    assert_matches_keras("average", average(x, axis=0), x, axis=0, rtol=1e-3)
    assert_matches_keras("trapezoid", trapezoid(x), x, rtol=1e-3)
    if dtype != "bool":  # Keras's torch backend cannot take the range of bools
        assert_matches_keras("ptp", ptp(x, axis=1), x, axis=1, rtol=1e-3)
    assert_matches_keras("diff", diff(x), x, rtol=1e-3)
    assert_matches_keras("corrcoef", corrcoef(x), x, rtol=1e-2)


def test_median_and_percentile_by_hand():
    assert_values(median([[1.0, 5.0], [3.0, 2.0]], axis=0), [2.0, 3.5])
    assert_values(percentile([1.0, 2.0, 3.0, 4.0], [0, 50, 100]), [1.0, 2.5, 4.0])
    assert np.isnan(float(median([1.0, np.nan, 2.0])))  # a NaN poisons the slice, as in NumPy
    v = Variable([3.0, 1.0, 2.0, 4.0])
    with GradientTape() as tape:
        y = median(v)  # (2 + 3) / 2: half of the gradient to each middle value
    assert_values(tape.gradient(y, v), [0.5, 0.0, 0.5, 0.0])


def test_quantile_errors():
    with pytest.raises(ValueError, match=r"quantile: quantiles must be in \[0, 1\]"):
        quantile(np.ones(3), 1.5)
    with pytest.raises(ValueError, match=r"percentile: quantiles must be in \[0, 1\]"):
        percentile(np.ones(3), 120)
    with pytest.raises(ValueError, match="quantile: `method` must be one of"):
        quantile(np.ones(3), 0.5, method="cubic")
    with pytest.raises(ValueError, match="median: cannot take quantiles over an empty axis"):
        median(np.ones((0, 2)), axis=0)


@pytest.mark.parametrize("axis, weights_shape", [(None, None), (1, None), (1, (4,)),
                                                 (None, (3, 4)), (0, (3, 4))])
def test_average(axis, weights_shape):
    x = rand(3, 4)
    weights = None if weights_shape is None else RNG.uniform(0.5, 2.0, weights_shape)
    assert_values(average(x, axis, weights), np.average(x, axis, weights))
    inputs = [x] if weights is None else [x, weights]
    check_gradients(lambda *ts: average(ts[0], axis, ts[1] if len(ts) > 1 else None), inputs)
    if weights is not None and weights.ndim == 1:  # Keras's torch backend mishandles the rest
        ints = np.arange(12, dtype="int32").reshape(3, 4)
        w = weights.astype("float32")
        assert_matches_keras("average", average(ints, axis, w), ints, axis, w)
    with pytest.raises(ValueError, match="average: `weights` must have the shape of `x`"):
        average(x, None, np.ones(4))


def test_ptp_and_diff():
    x = rand(3, 4)
    assert_values(ptp(x, axis=0, keepdims=True), np.ptp(x, axis=0, keepdims=True))
    check_gradients(lambda t: ptp(t, axis=1), [x])
    for n, axis in ((1, -1), (2, 0), (3, 1), (0, 0)):
        assert_values(diff(x, n, axis), np.diff(x, n, axis))
        check_gradients(lambda t, n=n, axis=axis: diff(t, n, axis), [x])
    assert_values(diff([True, False, False]), [True, False])
    assert diff(np.array([1, 5], "int8")).dtype == "int8"
    with pytest.raises(TypeError, match="ptp: bool tensors have no range"):
        ptp(np.ones(2, bool))
    with pytest.raises(ValueError, match="diff: the order `n` must be non-negative"):
        diff(x, -1)


def test_corrcoef():
    x = rand(3, 6)
    assert_values(corrcoef(x), np.corrcoef(x))
    assert_values(corrcoef(x[0]), 1.0)
    check_gradients(lambda t: corrcoef(t), [x], atol=1e-5)
    with pytest.raises(ValueError, match="corrcoef: expected a 1-d or 2-d tensor"):
        corrcoef(np.ones((2, 2, 2)))


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("lengths", [(5, 3), (3, 5), (4, 4), (6, 1), (2, 5)])
def test_correlate(mode, lengths):
    a, v = rand(lengths[0]), rand(lengths[1])
    assert_values(correlate(a, v, mode), np.correlate(a, v, mode))
    check_gradients(lambda s, t: correlate(s, t, mode), [a, v])
    a32, v32 = a.astype("float32"), v.astype("int32")
    out = correlate(a32, v32, mode)
    assert out.dtype == "float32" and correlate([1, 2], [1], mode).dtype == "float32"
    if mode != "same" or lengths[0] >= lengths[1]:
        # Keras's torch backend keeps len(x1) for 'same'; NumPy (and Keras's NumPy and JAX
        # backends) keep the longer length, which we follow
        assert_matches_keras("correlate", out, a32, v32, mode)


def test_correlate_errors():
    with pytest.raises(ValueError, match="correlate: `mode` must be 'valid', 'same' or 'full'"):
        correlate(np.ones(3), np.ones(2), "circular")
    with pytest.raises(ValueError, match="correlate: expected two non-empty 1-d tensors"):
        correlate(np.ones((2, 2)), np.ones(2))


@pytest.mark.parametrize("x_kind", [None, "1d", "full"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_trapezoid(x_kind, axis):
    y = rand(4, 5)
    points = {None: None, "1d": np.cumsum(RNG.uniform(0.1, 1.0, y.shape[axis])),
              "full": np.cumsum(RNG.uniform(0.1, 1.0, y.shape), axis=axis)}[x_kind]
    assert_values(trapezoid(y, points, 0.5, axis), np.trapezoid(y, points, 0.5, axis))
    inputs = [y] if points is None else [y, points]
    check_gradients(lambda *ts: trapezoid(ts[0], ts[1] if len(ts) > 1 else None, 0.5, axis),
                    inputs)
    with pytest.raises(ValueError, match="trapezoid: 1-d `x` needs 4 points"):
        trapezoid(rand(4, 5), np.arange(3.0), axis=0)


def test_histogram():
    x = rand(50).astype("float32")
    for bins, bounds in ((10, None), (4, (-1.0, 1.0))):
        counts, edges = histogram(x, bins, bounds)
        expected_counts, expected_edges = np.histogram(x, bins, bounds)
        assert_values(counts, expected_counts)
        np.testing.assert_allclose(np.asarray(edges), expected_edges, rtol=1e-6)
        assert counts.dtype == edges.dtype == "float32"
        assert_matches_keras("histogram", (counts, edges), x, bins, bounds)
    assert histogram(np.arange(5, dtype="int32"), 2)[0].dtype == "float32"
    with pytest.raises(ValueError, match="histogram: expected a 1-d tensor"):
        histogram(np.ones((2, 2)))
    with pytest.raises(ValueError, match="histogram: `bins` must be a positive int"):
        histogram(x, 0)


def test_bincount():
    x = np.array([0, 1, 1, 3, 1], "int32")
    assert_values(bincount(x), np.bincount(x))
    assert bincount(x).dtype == "int32"
    assert_values(bincount(x, minlength=6), np.bincount(x, minlength=6))
    weights = RNG.uniform(0, 1, 5)
    assert_values(bincount(x, weights), np.bincount(x, weights))
    check_gradients(lambda w: bincount(x, w), [weights])
    batch = np.array([[0, 2, 2], [1, 1, 0]], "int32")
    assert_values(bincount(batch, minlength=4), [[1, 0, 2, 0], [1, 2, 0, 0]])
    assert_matches_keras("bincount", bincount(batch, minlength=4), batch, minlength=4)
    w32 = weights.astype("float32")
    assert_matches_keras("bincount", bincount(x, w32), x, w32)
    with pytest.raises(TypeError, match="bincount: `x` must have an integer dtype"):
        bincount(np.ones(3))
    with pytest.raises(ValueError, match="bincount: `x` must be non-negative"):
        bincount(np.array([-1, 2]))
    with pytest.raises(ValueError, match="bincount: sparse=True is not supported"):
        bincount(x, sparse=True)


def test_digitize():
    x, bins = rand(3, 4).astype("float32"), np.array([-1.0, 0.0, 0.5], "float32")
    out = digitize(x, bins)
    assert_values(out, np.digitize(x, bins))
    assert out.dtype == "int32"
    assert_matches_keras("digitize", out, x, bins)
    with pytest.raises(ValueError, match="digitize: `bins` must be 1-d"):
        digitize(x, np.ones((2, 2)))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    x, w = rand(4, 6).astype("float32"), RNG.uniform(0.5, 1.0, (4, 6)).astype("float32")
    labels = RNG.integers(0, 5, 8).astype("int32")
    results = {}
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            vx, vw = Variable(x), Variable(w)
            with GradientTape() as tape:
                outs = [quantile(vx, [0.3, 0.7], axis=1), median(vx), average(vx, 0, vw),
                        ptp(vx, 1), corrcoef(vx), correlate(vx[0], vx[1], "full"),
                        trapezoid(vx), diff(vx, 2)]
                loss = sum(ops.sum(o * o) for o in outs)
            grads = tape.gradient(loss, [vx, vw])
            outs += [*histogram(vx[0], 3), bincount(labels), digitize(vx, [0.0, 1.0])]
            results[name] = [np.asarray(t) for t in outs + grads]
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
