"""max_pool / average_pool against Python-loop references, hand-computed cases, finite
differences, argument errors, and CuPy-vs-NumPy agreement of the primitives and the ops."""

import itertools
import math

import numpy as np
import pytest

from gpulayers import GradientTape, Tensor, backend, ops
from gpulayers.testing import check_gradients, requires_gpu

SHAPES = {1: (2, 7, 3), 2: (2, 5, 6, 2), 3: (1, 4, 5, 3, 2)}  # channels_last
# (pool_size, strides): default strides, stride 1, explicit tuple stride 2, overlapping 3/2.
WINDOWS = [(2, None), (3, 1), ("tuple2", "tuple2"), (3, 2)]
OPS = {"max": ops.max_pool, "average": ops.average_pool}


# ----------------------------------------------------------------------------- references

def tf_geometry(n, k, s, padding):
    """(output length, padding before) along one dim, TensorFlow's rule written out."""
    if padding == "valid":
        return (n - k) // s + 1, 0
    out = math.ceil(n / s)
    return out, max((out - 1) * s + k - n, 0) // 2


def reference_pool(x, kind, pool, strides, padding):
    """Loop reference on a channels_last array; padded cells never take part."""
    spatial = x.shape[1:-1]
    geometry = [tf_geometry(n, k, s, padding) for n, k, s in zip(spatial, pool, strides)]
    out_spatial = [out for out, _ in geometry]
    result = np.zeros((x.shape[0], *out_spatial, x.shape[-1]))
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for o in itertools.product(*(range(n) for n in out_spatial)):
            values = []
            for w in itertools.product(*(range(k) for k in pool)):
                cell = [o_d * s_d - before + w_d
                        for o_d, s_d, (_, before), w_d in zip(o, strides, geometry, w)]
                if all(0 <= i < n for i, n in zip(cell, spatial)):
                    values.append(float(x[(b, *cell, c)]))
            result[(b, *o, c)] = max(values) if kind == "max" else sum(values) / len(values)
    return result


def expand(window, rank):
    """A WINDOWS entry -> (pool_size argument, strides argument, pool tuple, strides tuple)."""
    pool, strides = window
    if pool == "tuple2":
        return (2,) * rank, (2,) * rank, (2,) * rank, (2,) * rank
    return pool, strides, (pool,) * rank, ((strides or pool),) * rank


def distinct_values(shape, seed=0):
    """Values without ties (a permutation), so max pooling is differentiable everywhere."""
    rng = np.random.default_rng(seed)
    return rng.permutation(math.prod(shape)).reshape(shape).astype("float64") * 0.1 - 1.0


# ------------------------------------------------------------------------- forward values

@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("window", WINDOWS, ids=["default", "s1", "tuple_s2", "overlap_k3s2"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("kind", ["max", "average"])
def test_matches_loop_reference(kind, rank, padding, window, data_format):
    x = np.random.default_rng(rank).standard_normal(SHAPES[rank]).astype("float32")
    pool_arg, strides_arg, pool, strides = expand(window, rank)
    expected = reference_pool(x, kind, pool, strides, padding)
    if data_format == "channels_first":
        x, expected = np.moveaxis(x, -1, 1), np.moveaxis(expected, -1, 1)
    result = OPS[kind](x, pool_arg, strides=strides_arg, padding=padding,
                       data_format=data_format)
    assert result.shape == expected.shape
    assert result.dtype == "float32"
    np.testing.assert_allclose(np.asarray(result), expected, rtol=1e-6, atol=1e-6)


def test_mixed_pool_sizes_and_strides_per_dim():
    x = np.random.default_rng(5).standard_normal((2, 7, 6, 3))
    for kind in OPS:
        result = OPS[kind](x, (3, 2), strides=(2, 1), padding="same")
        np.testing.assert_allclose(np.asarray(result),
                                   reference_pool(x, kind, (3, 2), (2, 1), "same"), rtol=1e-12)


def test_default_data_format_follows_backend_setting():
    x = np.random.default_rng(6).standard_normal((2, 3, 6, 4))  # (N, C, H, W)
    backend.set_image_data_format("channels_first")
    result = ops.max_pool(x, 2)
    expected = np.moveaxis(reference_pool(np.moveaxis(x, 1, -1), "max", (2, 2), (2, 2),
                                          "valid"), -1, 1)
    np.testing.assert_allclose(np.asarray(result), expected)


# ------------------------------------------------------------------ hand-computed 4x4 cases

X4 = np.arange(16.0).reshape(1, 4, 4, 1)  # rows 0-3, 4-7, 8-11, 12-15


def test_hand_computed_4x4_forward():
    grid = lambda t: np.asarray(t)[0, ..., 0]  # noqa: E731
    np.testing.assert_array_equal(grid(ops.max_pool(X4, 2)), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(grid(ops.average_pool(X4, 2)), [[2.5, 4.5], [10.5, 12.5]])
    # 'same', pool 3, stride 2: output 2x2, one padded row/column after the input.
    np.testing.assert_array_equal(grid(ops.max_pool(X4, 3, 2, "same")), [[10, 11], [14, 15]])
    np.testing.assert_array_equal(grid(ops.average_pool(X4, 3, 2, "same")),
                                  [[5.0, 6.5], [11.0, 12.5]])
    # 'same', pool 3, stride 1: corner windows hold 4 valid cells, edge windows 6.
    average = grid(ops.average_pool(X4, 3, 1, "same"))
    assert average[0, 0] == (0 + 1 + 4 + 5) / 4
    assert average[0, 1] == (0 + 1 + 2 + 4 + 5 + 6) / 6
    assert average[1, 1] == (0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10) / 9


def test_keras_documented_average_pooling_1d_same():
    x = np.array([1.0, 2, 3, 4, 5]).reshape(1, 5, 1)
    result = ops.average_pool(x, 2, strides=1, padding="same")
    np.testing.assert_allclose(np.asarray(result).ravel(), [1.5, 2.5, 3.5, 4.5, 5.0])


def gradient_of(op, x, seed):
    tensor = Tensor(backend.to_device(x))
    with GradientTape() as tape:
        tape.watch(tensor)
        y = op(tensor)
    return np.asarray(tape.gradient(y, tensor, output_gradients=np.asarray(seed, x.dtype)))


def test_hand_computed_4x4_gradients():
    max_grad = gradient_of(lambda t: ops.max_pool(t, 2), X4, np.ones((1, 2, 2, 1)))
    expected = np.zeros(16)
    expected[[5, 7, 13, 15]] = 1
    np.testing.assert_array_equal(max_grad.ravel(), expected)
    avg_grad = gradient_of(lambda t: ops.average_pool(t, 2), X4, np.ones((1, 2, 2, 1)))
    np.testing.assert_array_equal(avg_grad, np.full((1, 4, 4, 1), 0.25))


def test_overlapping_windows_accumulate_gradients():
    x = np.array([1.0, 3.0, 2.0, 0.0]).reshape(1, 4, 1)
    # windows [1,3], [3,2], [2,0]: the 3 wins twice.
    grad = gradient_of(lambda t: ops.max_pool(t, 2, strides=1), x, [[[1.0], [10.0], [100.0]]])
    np.testing.assert_array_equal(grad.ravel(), [0, 11, 100, 0])
    grad = gradient_of(lambda t: ops.average_pool(t, 2, strides=1), x, [[[1.0], [10.0], [100.0]]])
    np.testing.assert_array_equal(grad.ravel(), [0.5, 5.5, 55.0, 50.0])


def test_max_ties_go_to_the_first_cell_and_padding_never_wins():
    primitives = backend.primitives("pooling")
    x = backend.to_device(np.array([-np.inf, -np.inf, 5.0, 5.0, 1.0]).reshape(1, 5, 1))
    output, winners = primitives.max_pool_forward(x, (3,), (2,), ((1, 1),))
    # windows: [pad, -inf, -inf], [-inf, 5, 5], [5, 1, pad]
    np.testing.assert_array_equal(backend.to_numpy(output).ravel(), [-np.inf, 5, 5])
    argmax = primitives.max_pool_argmax(winners, (1, 5, 1), (3,), (2,), ((1, 1),))
    np.testing.assert_array_equal(backend.to_numpy(argmax).ravel(), [0, 2, 3])
    grad = primitives.max_pool_backward(backend.to_device(np.array([1.0, 10.0, 100.0])
                                                          .reshape(1, 3, 1)),
                                        winners, (1, 5, 1), (3,), (2,), ((1, 1),))
    np.testing.assert_array_equal(backend.to_numpy(grad).ravel(), [1, 0, 10, 100, 0])


def test_max_a_nan_wins_its_window_and_the_first_nan_is_the_argmax():
    primitives = backend.primitives("pooling")
    x = backend.to_device(np.array([1.0, np.nan, np.nan, 2.0, 3.0, 2.0, 9.0, np.nan])
                          .reshape(1, 8, 1))
    output, winners = primitives.max_pool_forward(x, (4,), (4,), ((0, 0),))
    # windows [1, nan, nan, 2] and [3, 2, 9, nan]: max() is NaN, argmax the first NaN
    np.testing.assert_array_equal(backend.to_numpy(output).ravel(), [np.nan, np.nan])
    argmax = primitives.max_pool_argmax(winners, (1, 8, 1), (4,), (4,), ((0, 0),))
    np.testing.assert_array_equal(backend.to_numpy(argmax).ravel(), [1, 7])
    grad = primitives.max_pool_backward(backend.to_device(np.array([2.0, 3.0])
                                                          .reshape(1, 2, 1)),
                                        winners, (1, 8, 1), (4,), (4,), ((0, 0),))
    np.testing.assert_array_equal(backend.to_numpy(grad).ravel(), [0, 2, 0, 0, 0, 0, 0, 3])


# ------------------------------------------------------------------------------ gradients

GRADIENT_CASES = [  # kind, shape (channels_last), pool, strides, padding, data_format
    ("max", (2, 6, 2), 3, 1, "valid", "channels_last"),
    ("max", (1, 5, 5, 2), 3, 2, "same", "channels_first"),
    ("max", (1, 4, 4, 3, 1), 2, None, "valid", "channels_last"),
    ("max", (1, 5, 4, 2, 2), (3, 2, 2), 1, "same", "channels_last"),
    ("average", (2, 5, 2), 3, 1, "same", "channels_last"),
    ("average", (1, 5, 6, 2), 3, 2, "same", "channels_last"),
    ("average", (1, 4, 3, 3, 2), 2, 1, "same", "channels_first"),
    ("average", (1, 6, 5, 1), (2, 3), (2, 1), "valid", "channels_first"),
]


@pytest.mark.parametrize("kind, shape, pool, strides, padding, data_format", GRADIENT_CASES)
def test_gradients_match_finite_differences(kind, shape, pool, strides, padding, data_format):
    x = distinct_values(shape)
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    check_gradients(lambda t: OPS[kind](t, pool, strides, padding, data_format), [x])


# ------------------------------------------------------------------------- dtypes, errors

def test_output_keeps_float_dtype_and_casts_integers():
    x = np.arange(24).reshape(1, 4, 3, 2)
    assert ops.max_pool(x.astype("float64"), 2).dtype == "float64"
    assert ops.average_pool(x.astype("float16"), 2).dtype == "float16"
    result = ops.average_pool(x.astype("int32"), 2)
    assert result.dtype == backend.floatx()
    np.testing.assert_allclose(np.asarray(result),
                               reference_pool(x.astype(float), "average", (2, 2), (2, 2),
                                              "valid"))


@pytest.mark.parametrize("kwargs, message", [
    ({"padding": "bogus"}, "`padding` must be 'valid' or 'same'. Received: padding='bogus'"),
    ({"pool_size": 0}, "`pool_size` must be a positive int"),
    ({"pool_size": (2, 2, 2)}, r"expected a 5D input .* for pool_size of length 3"),
    ({"pool_size": (2, 2, 2, 2)}, r"`pool_size` must be a positive int or a tuple of 2"),
    ({"pool_size": 2.0}, "`pool_size` must be a positive int"),
    ({"strides": True}, "`strides` must be a positive int"),
    ({"strides": (1, -1)}, r"Received: strides=\(1, -1\)"),
    ({"data_format": "NHWC"}, "max_pool: `data_format` must be one of"),
    ({"pool_size": 5}, r"at least the pool size. Received spatial shape \(4, 4\)"),
])
def test_bad_arguments_raise_clear_errors(kwargs, message):
    arguments = {"pool_size": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        ops.max_pool(np.zeros((1, 4, 4, 1)), **arguments)


@pytest.mark.parametrize("shape", [(3, 4), (3,), (1, 2, 2, 2, 2, 1)])
def test_wrong_input_rank_is_rejected(shape):
    with pytest.raises(ValueError, match=r"expected a 3D, 4D or 5D input .* Received shape"):
        ops.average_pool(np.zeros(shape), 1)


def test_wrong_rank_for_tuple_pool_size_names_both():
    with pytest.raises(ValueError, match=r"max_pool: expected a 4D input \(batch, height, "
                                         r"width, channels\) for pool_size of length 2. "
                                         r"Received shape \(3, 4\)"):
        ops.max_pool(np.zeros((3, 4)), (2, 2))


def test_primitive_rejects_windows_outside_the_input():
    primitives = backend.primitives("pooling")
    with pytest.raises(ValueError, match="invalid geometry"):
        primitives.avg_pool_forward(backend.to_device(np.zeros((1, 4, 1))), (2,), (1,),
                                    ((2, 0),))


# ------------------------------------------------------------------- CuPy against NumPy

def on_backend(name, function, *arrays):
    """Run ``function`` on backend ``name`` with the arrays moved there; results to NumPy."""
    with backend.use_backend(name):
        results = function(*[backend.to_device(a) for a in arrays])
    results = results if isinstance(results, tuple) else (results,)
    return [backend.to_numpy(r) for r in results]


PRIMITIVE_CASES = [  # shape, pool, strides, padding pairs
    ((3, 17, 5), (3,), (2,), ((1, 1),)),
    ((2, 19, 23, 7), (3, 3), (2, 2), ((1, 1), (1, 1))),
    ((2, 9, 8, 7), (2, 3), (1, 2), ((0, 1), (1, 1))),
    ((2, 5, 9, 8, 3), (2, 3, 2), (2, 1, 2), ((0, 1), (1, 1), (0, 0))),
    ((4, 64, 64, 33), (3, 3), (2, 2), ((0, 1), (0, 1))),
]


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape, pool, strides, padding", PRIMITIVE_CASES)
def test_cupy_primitives_match_numpy(shape, pool, strides, padding, dtype):
    rng = np.random.default_rng(0)
    x = distinct_values(shape).astype(dtype)
    forward = lambda kind: lambda a: getattr(  # noqa: E731
        backend.primitives("pooling"), f"{kind}_pool_forward")(a, pool, strides, padding)
    def argmax(a):
        prims = backend.primitives("pooling")
        output, winners = prims.max_pool_forward(a, pool, strides, padding)
        return output, prims.max_pool_argmax(winners, shape, pool, strides, padding), winners

    (cpu_max, cpu_argmax, cpu_winners), (gpu_max, gpu_argmax, gpu_winners) = (
        on_backend(b, argmax, x) for b in ("numpy", "cupy"))
    np.testing.assert_array_equal(gpu_max, cpu_max)
    np.testing.assert_array_equal(gpu_argmax, cpu_argmax)
    # float16: the GPU sums in float32 and rounds once, NumPy's overlapping windows round
    # at every addition
    tolerance = {"float16": 4e-3, "float32": 1e-5, "float64": 1e-12}[dtype]
    np.testing.assert_allclose(*(on_backend(b, forward("avg"), x)[0] for b in ("cupy", "numpy")),
                               rtol=tolerance, atol=tolerance)
    grad = rng.standard_normal(cpu_max.shape).astype(dtype)

    def backward(kind):
        def run(g, a):
            prims = backend.primitives("pooling")
            if kind == "max":
                return prims.max_pool_backward(g, a, shape, pool, strides, padding)
            return prims.avg_pool_backward(g, shape, pool, strides, padding)
        return run

    for kind in ("max", "avg"):  # each backend's backward from its own winners
        gpu, cpu = (on_backend(b, backward(kind), grad, winners)[0]
                    for b, winners in (("cupy", gpu_winners), ("numpy", cpu_winners)))
        assert gpu.dtype == cpu.dtype == np.dtype(dtype)
        np.testing.assert_allclose(gpu, cpu, rtol=tolerance, atol=tolerance)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cupy_ops_and_gradients_match_numpy(kind, data_format):
    x = distinct_values((2, 3, 9, 10) if data_format == "channels_first" else (2, 9, 10, 3))
    seed = np.random.default_rng(1).standard_normal((2, 3, 5, 5) if data_format ==
                                                    "channels_first" else (2, 5, 5, 3))
    results = {}
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            op = lambda t: OPS[kind](t, 3, 2, "same", data_format)  # noqa: E731
            results[name] = (np.asarray(op(x)), gradient_of(op, x, seed))
            check_gradients(lambda t: OPS[kind](t, (3, 2), 2, "same", data_format), [x[:1]])
    for cpu, gpu in zip(results["numpy"], results["cupy"]):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-12, atol=1e-12)


@pytest.mark.gpu
@requires_gpu
def test_cupy_half_precision_stays_float16():
    x = distinct_values((2, 8, 8, 4)).astype("float16")
    cpu, gpu = (on_backend(b, lambda a: ops.average_pool(a, 2, 1, "same").data, x)[0]
                for b in ("numpy", "cupy"))
    assert gpu.dtype == np.float16
    np.testing.assert_allclose(gpu.astype("float32"), cpu.astype("float32"), rtol=2e-3)
