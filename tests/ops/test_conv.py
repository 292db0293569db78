"""ops.conv, depthwise_conv, separable_conv and the im2col/col2im primitives vs loop references."""

import importlib
import itertools
import math

import numpy as np
import pytest

from gpulayers import GradientTape, Variable, backend, ops


def same_pads(n, k, s, d):
    """TensorFlow's 'same' padding for one dim, written out independently of the library."""
    out = -(-n // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def explicit_pads(padding, spatial, ksize, strides, dilation):
    if padding == "same":
        return [same_pads(n, k, s, d) for n, k, s, d in zip(spatial, ksize, strides, dilation)]
    if padding == "causal":
        return [(d * (k - 1), 0) for k, d in zip(ksize, dilation)]
    return [(0, 0)] * len(spatial)


def reference_conv(x, w, strides, dilation, pads):
    """Direct sum over output cells and kernel taps; x (N, *sp, C), w (*k, C/G, O)."""
    rank = x.ndim - 2
    spatial, ksize = x.shape[1:-1], w.shape[:rank]
    per_group, filters = w.shape[-2:]
    groups = x.shape[-1] // per_group
    per_filter_group = filters // groups
    out = [(n + b + a - (k - 1) * d - 1) // s + 1
           for n, k, s, d, (b, a) in zip(spatial, ksize, strides, dilation, pads)]
    y = np.zeros((x.shape[0], *out, filters))
    for cell in itertools.product(*map(range, out)):
        for tap in itertools.product(*map(range, ksize)):
            pos = [c * s + t * d - b for c, t, s, d, (b, _) in
                   zip(cell, tap, strides, dilation, pads)]
            if not all(0 <= p < n for p, n in zip(pos, spatial)):
                continue
            for g in range(groups):
                cin = slice(g * per_group, (g + 1) * per_group)
                cout = slice(g * per_filter_group, (g + 1) * per_filter_group)
                y[(slice(None), *cell, cout)] += (
                    x[(slice(None), *pos, cin)] @ w[(*tap, slice(None), cout)])
    return y


def reference_depthwise(x, w, strides, dilation, pads):
    """Each channel c with its own filters w[..., c, m] -> output channel c * mult + m."""
    channels, mult = w.shape[-2:]
    outs = [reference_conv(x[..., c:c + 1], w[..., c:c + 1, :], strides, dilation, pads)
            for c in range(channels)]
    return np.concatenate(outs, axis=-1)


SPATIAL = {1: (7,), 2: (6, 7), 3: (5, 6, 5)}
KERNEL = {1: (3,), 2: (3, 2), 3: (2, 3, 2)}
CASES = [(rank, padding) for rank in (1, 2, 3) for padding in ("valid", "same", "causal")
         if padding != "causal" or rank == 1]


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("rank,padding", CASES)
def test_conv_matches_loop_reference(rank, padding, strides, dilation, data_format, groups):
    rng = np.random.default_rng(rank * 100 + strides * 10 + dilation)
    channels = 2 * groups if groups > 1 else 3
    x = rng.standard_normal((2, *SPATIAL[rank], channels))
    w = rng.standard_normal((*KERNEL[rank], channels // groups, 4))
    pads = explicit_pads(padding, SPATIAL[rank], KERNEL[rank], [strides] * rank,
                         [dilation] * rank)
    expected = reference_conv(x, w, [strides] * rank, [dilation] * rank, pads)
    if data_format == "channels_first":
        x, expected = np.moveaxis(x, -1, 1), np.moveaxis(expected, -1, 1)
    got = ops.conv(x, w, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation)
    assert got.shape == expected.shape and got.dtype == "float64"
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10, atol=1e-12)


def test_conv_per_dim_strides_and_dilation_and_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 7, 8, 2)).astype("float32")
    w = rng.standard_normal((2, 3, 2, 3)).astype("float32")
    got = ops.conv(x, w, strides=(2, 1), padding="same", dilation_rate=(1, 2))
    pads = explicit_pads("same", (7, 8), (2, 3), (2, 1), (1, 2))
    expected = reference_conv(x.astype("float64"), w.astype("float64"), (2, 1), (1, 2), pads)
    assert got.dtype == "float32"
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-5)


def test_conv_hand_computed_1d():
    x = np.arange(1.0, 6.0).reshape(1, 5, 1)
    w = np.array([1.0, 0.0, -1.0]).reshape(3, 1, 1)
    np.testing.assert_array_equal(np.asarray(ops.conv(x, w)).ravel(), [-2.0, -2.0, -2.0])
    np.testing.assert_array_equal(np.asarray(ops.conv(x, w, padding="same")).ravel(),
                                  [-2.0, -2.0, -2.0, -2.0, 4.0])
    np.testing.assert_array_equal(np.asarray(ops.conv(x, w, padding="causal")).ravel(),
                                  [-1.0, -2.0, -2.0, -2.0, -2.0])


def test_conv_uses_global_data_format_and_casts_integers():
    backend.set_image_data_format("channels_first")
    x = np.arange(2 * 3 * 5).reshape(1, 3, 5, 2)  # (N, C, H, W)
    w = np.ones((1, 1, 3, 2), "float32")
    got = ops.conv(x, w)
    assert got.dtype == "float32" and got.shape == (1, 2, 5, 2)
    np.testing.assert_allclose(np.asarray(got)[:, 0], x.sum(axis=1))


def test_empty_batch_gives_empty_outputs_and_gradients():
    x, w = Variable(np.zeros((0, 5, 4))), Variable(np.zeros((3, 2, 4)))
    with GradientTape() as tape:
        y = ops.conv(x, w, padding="same")
        z = ops.conv_transpose(y, np.zeros((3, 2, 4)), strides=2)
    grad_x, grad_w = tape.gradient(z, [x, w])
    assert y.shape == (0, 5, 4) and z.shape == (0, 11, 2)
    assert grad_x.shape == (0, 5, 4)
    np.testing.assert_array_equal(np.asarray(grad_w), np.zeros((3, 2, 4)))


def test_conv_promotes_mixed_float_dtypes():
    x = np.ones((1, 4, 1), "float32")
    w = np.ones((2, 1, 1), "float64")
    assert ops.conv(x, w).dtype == "float64"


@pytest.mark.parametrize("rank,strides,padding,dilation,mult", [
    (1, 1, "same", 2, 2), (2, 2, "valid", 1, 1), (2, 1, "same", 1, 3), (3, 2, "same", 1, 2)])
def test_depthwise_conv_matches_reference(rank, strides, padding, dilation, mult):
    rng = np.random.default_rng(rank + mult)
    x = rng.standard_normal((2, *SPATIAL[rank], 3))
    w = rng.standard_normal((*KERNEL[rank], 3, mult))
    pads = explicit_pads(padding, SPATIAL[rank], KERNEL[rank], [strides] * rank,
                         [dilation] * rank)
    expected = reference_depthwise(x, w, [strides] * rank, [dilation] * rank, pads)
    got = ops.depthwise_conv(x, w, strides, padding, dilation_rate=dilation)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10, atol=1e-12)
    got_first = ops.depthwise_conv(np.moveaxis(x, -1, 1), w, strides, padding,
                                   "channels_first", dilation)
    np.testing.assert_allclose(np.asarray(got_first), np.moveaxis(expected, -1, 1),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_separable_conv_matches_reference(rank):
    rng = np.random.default_rng(rank)
    x = rng.standard_normal((2, *SPATIAL[rank], 2))
    depthwise = rng.standard_normal((*KERNEL[rank], 2, 2))
    pointwise = rng.standard_normal((*(1,) * rank, 4, 3))
    pads = explicit_pads("same", SPATIAL[rank], KERNEL[rank], [2] * rank, [1] * rank)
    expected = reference_depthwise(x, depthwise, [2] * rank, [1] * rank, pads) @ pointwise.reshape(
        4, 3)
    got = ops.separable_conv(x, depthwise, pointwise, strides=2, padding="same")
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10, atol=1e-12)


# --- the primitives ---------------------------------------------------------------------

PRIMITIVE_CASES = [  # spatial, kernel, strides, dilation, padding
    ((7,), (3,), (2,), (1,), ((1, 2),)),
    ((6, 5), (2, 3), (1, 2), (2, 1), ((0, 1), (2, 0))),
    ((5, 4, 6), (2, 2, 3), (2, 1, 1), (1, 2, 1), ((1, 0), (0, 0), (1, 1))),
    ((8,), (2,), (3,), (2,), ((0, -1),)),  # negative 'after' padding crops the end
    ((6, 5), (3, 2), (1, 1), (2, 1), ((2, 1), (0, 1))),  # stride 1: the full-correlation
    ((9,), (3,), (1,), (1,), ((1, -1),)),               # input gradient on NumPy
    ((4, 3, 5), (2, 1, 3), (1, 1, 1), (1, 1, 2), ((0, 0), (0, 0), (2, 2))),
]


def reference_im2col(x, ksize, strides, dilation, pads):
    rank = x.ndim - 2
    out = [(n + b + a - (k - 1) * d - 1) // s + 1
           for n, k, s, d, (b, a) in zip(x.shape[1:-1], ksize, strides, dilation, pads)]
    cols = np.zeros((x.shape[0], *out, *ksize, x.shape[-1]), x.dtype)
    for cell in itertools.product(*map(range, out)):
        for tap in itertools.product(*map(range, ksize)):
            pos = [c * s + t * d - b for c, t, s, d, (b, _) in
                   zip(cell, tap, strides, dilation, pads)]
            if all(0 <= p < n for p, n in zip(pos, x.shape[1:-1])):
                cols[(slice(None), *cell, *tap)] = x[(slice(None), *pos)]
    assert rank == len(ksize)
    return cols


@pytest.mark.parametrize("spatial,ksize,strides,dilation,pads", PRIMITIVE_CASES)
def test_im2col_and_col2im_match_references(spatial, ksize, strides, dilation, pads):
    rng = np.random.default_rng(len(spatial))
    x = rng.standard_normal((2, *spatial, 3))
    primitives = backend.primitives("im2col")
    cols = backend.to_numpy(primitives.im2col(backend.to_device(x), ksize, strides, dilation,
                                              pads))
    np.testing.assert_array_equal(cols, reference_im2col(x, ksize, strides, dilation, pads))
    # col2im is the adjoint: <im2col(x), c> == <x, col2im(c)> for every x and c.
    c = rng.standard_normal(cols.shape)
    back = backend.to_numpy(primitives.col2im(backend.to_device(c), x.shape, ksize, strides,
                                              dilation, pads))
    assert back.shape == x.shape
    basis = np.eye(x.size).reshape(x.size, *x.shape)
    expected = np.array([np.sum(reference_im2col(e, ksize, strides, dilation, pads) * c)
                         for e in basis]).reshape(x.shape)
    np.testing.assert_allclose(back, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("spatial,ksize,strides,dilation,pads", PRIMITIVE_CASES[:3])
def test_transient_im2col_matches_and_is_overwritten_by_the_next(spatial, ksize, strides,
                                                                  dilation, pads):
    """``transient=True`` gives the same columns; on NumPy they live in a reused buffer that
    the next transient call overwrites, which is why only the conv GEMMs use it."""
    rng = np.random.default_rng(3)
    x, other = rng.standard_normal((2, 2, *spatial, 3))
    primitives = backend.primitives("im2col")
    expected = reference_im2col(x, ksize, strides, dilation, pads)
    cols = primitives.im2col(backend.to_device(x), ksize, strides, dilation, pads,
                             transient=True)
    np.testing.assert_array_equal(backend.to_numpy(cols), expected)
    if backend.backend() == "numpy":
        primitives.im2col(other, ksize, strides, dilation, pads, transient=True)
        np.testing.assert_array_equal(cols, reference_im2col(other, ksize, strides, dilation,
                                                             pads))


def test_scratch_array_is_reused_per_thread_and_not_kept_above_the_cap(monkeypatch):
    scratch = importlib.import_module("gpulayers.backend.numpy_backend.scratch")
    first = scratch.scratch_array((4, 5), "float32")
    second = scratch.scratch_array((3,), "float64")
    assert np.shares_memory(first, second) and second.shape == (3,)
    assert not np.shares_memory(second, scratch.scratch_array((3,), "float64", slot="padded"))
    monkeypatch.setattr(scratch, "MAX_SCRATCH_BYTES", 8)
    big = scratch.scratch_array((4,), "float32")
    assert not np.shares_memory(big, first) and big.shape == (4,)


@pytest.mark.parametrize("filters", [4, 2])  # more filters than channels, and fewer: on
# NumPy the stride-1 cases with fewer take the full-correlation GEMM instead of per-tap sums
@pytest.mark.parametrize("spatial,ksize,strides,dilation,pads", PRIMITIVE_CASES)
def test_col2im_of_product_is_the_adjoint_of_im2col_then_the_kernel(spatial, ksize, strides,
                                                                     dilation, pads, filters):
    """<col2im_of_product(g, W), x> == <g, im2col(x) @ W> for every x (loop reference)."""
    rng = np.random.default_rng(7)
    x_shape = (2, *spatial, 3)
    columns = reference_im2col(np.zeros(x_shape), ksize, strides, dilation, pads)
    out = columns.shape[:-len(ksize) - 1]  # (N, *out_spatial)
    kernel = rng.standard_normal((*ksize, 3, filters))
    grad = rng.standard_normal((*out, filters))
    result = backend.to_numpy(backend.primitives("im2col").col2im_of_product(
        backend.to_device(grad), backend.to_device(kernel), x_shape, ksize, strides, dilation,
        pads))
    basis = np.eye(math.prod(x_shape)).reshape(-1, *x_shape)
    flat_kernel = kernel.reshape(-1, filters)
    expected = np.array([np.sum(grad * (reference_im2col(e, ksize, strides, dilation, pads)
                                        .reshape(*out, -1) @ flat_kernel)) for e in basis])
    np.testing.assert_allclose(result, expected.reshape(x_shape), rtol=1e-12, atol=1e-12)


def test_primitives_reject_bad_geometry():
    primitives = backend.primitives("im2col")
    x = backend.to_device(np.zeros((1, 4, 2)))
    with pytest.raises(ValueError, match="im2col: invalid geometry"):
        primitives.im2col(x, (5,), (1,), (1,), ((0, 0),))
    with pytest.raises(ValueError, match="col2im: cols has shape"):
        primitives.col2im(backend.to_device(np.zeros((1, 3, 3, 2))), (1, 4, 2), (2,), (1,),
                          (1,), ((0, 0),))


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("call,message", [
    (lambda: ops.conv(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 3, 8)), padding="bogus"),
     "conv: `padding` must be 'valid', 'same' or 'causal'. Received: padding='bogus'"),
    (lambda: ops.conv(np.zeros((1, 6, 6, 5)), np.zeros((3, 3, 3, 8))),
     r"conv: inputs have 5 channels but the kernel expects 3 \(kernel shape \(3, 3, 3, 8\)\)"),
    (lambda: ops.conv(np.zeros((1, 6, 6, 4)), np.zeros((3, 3, 2, 5))),
     "conv: the kernel's 5 filters cannot be split into 2 groups"),
    (lambda: ops.conv(np.zeros((1, 6, 3)), np.zeros((3, 8))), "conv: `kernel` must have rank 3"),
    (lambda: ops.conv(np.zeros((1, 6, 3)), np.zeros((3, 3, 3, 8))),
     "conv: a 2D kernel of shape .* needs inputs of rank 4"),
    (lambda: ops.conv(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 3, 8)), padding="causal"),
     "conv: padding='causal' is only defined for 1D"),
    (lambda: ops.conv(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 3, 8)), strides=(1, 0)),
     r"conv: `strides` must be an int or a tuple of 2 ints, each >= 1. Received: strides=\(1, 0\)"),
    (lambda: ops.conv(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 3, 8)), dilation_rate=(1, 1, 1)),
     "conv: `dilation_rate` must be an int or a tuple of 2 ints"),
    (lambda: ops.conv(np.zeros((1, 2, 6, 3)), np.zeros((3, 3, 3, 8))),
     r"conv: the inputs' spatial shape \(2, 6\) is too small"),
    (lambda: ops.conv(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 3, 8)), data_format="nhwc"),
     "`data_format` must be one of"),
    (lambda: ops.depthwise_conv(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 2, 2))),
     "depthwise_conv: inputs have 3 channels but the kernel expects 2"),
    (lambda: ops.separable_conv(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 3, 2)),
                                np.zeros((1, 1, 5, 4))),
     r"separable_conv: `pointwise_kernel` must have shape \(1, 1, 6, 'filters'\)"),
    (lambda: ops.conv(np.zeros((1, 6, 3), complex), np.zeros((3, 3, 8))),
     "conv: `inputs` must be a real number array"),
])
def test_conv_errors_name_the_op_and_values(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
