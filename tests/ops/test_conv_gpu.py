"""CuPy (kernels/im2col.cu) against NumPy: the primitives and every conv op, with gradients."""

import importlib

import numpy as np
import pytest

from gpulayers import GradientTape, backend, convert_to_tensor, ops
from gpulayers.testing import requires_gpu

pytestmark = pytest.mark.gpu

PRIMITIVE_CASES = [  # input shape, kernel, strides, dilation, padding (channels 1 to 8
    # exercise every channels-per-thread width of the kernels)
    ((2, 7, 4), (3,), (2,), (1,), ((1, 2),)),
    ((2, 8, 2), (2,), (3,), (2,), ((0, -1),)),
    ((2, 6, 5, 3), (2, 3), (1, 2), (2, 1), ((0, 1), (2, 0))),
    ((3, 17, 19, 8), (3, 3), (2, 2), (1, 1), ((1, 1), (1, 1))),
    ((2, 5, 4, 6, 6), (2, 2, 3), (2, 1, 1), (1, 2, 1), ((1, 0), (0, 0), (1, 1))),
    ((2, 4, 5, 3, 1), (3, 2, 2), (1, 2, 1), (1, 1, 2), ((2, 0), (1, 1), (1, 1))),
]
TOLERANCE = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-12}


def _primitive(name, function, *args):
    with backend.use_backend(name):
        primitives = backend.primitives("im2col")
        arrays = [backend.to_device(a) if isinstance(a, np.ndarray) else a for a in args]
        return backend.to_numpy(getattr(primitives, function)(*arrays))


@requires_gpu
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape,ksize,strides,dilation,pads", PRIMITIVE_CASES)
def test_im2col_and_col2im_agree(shape, ksize, strides, dilation, pads, dtype):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(shape).astype(dtype)
    geometry = (ksize, strides, dilation, pads)
    cols = _primitive("numpy", "im2col", x, *geometry)
    gpu_cols = _primitive("cupy", "im2col", x, *geometry)
    assert gpu_cols.dtype == cols.dtype and gpu_cols.shape == cols.shape
    np.testing.assert_array_equal(gpu_cols, cols)
    c = rng.standard_normal(cols.shape).astype(dtype)
    back = _primitive("numpy", "col2im", c, shape, *geometry)
    gpu_back = _primitive("cupy", "col2im", c, shape, *geometry)
    assert gpu_back.dtype == back.dtype
    np.testing.assert_allclose(gpu_back, back, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@requires_gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,ksize,strides,dilation,pads", PRIMITIVE_CASES)
def test_col2im_of_product_agrees(shape, ksize, strides, dilation, pads, dtype):
    rng = np.random.default_rng(len(shape))
    geometry = (ksize, strides, dilation, pads)
    out_shape = _primitive("numpy", "im2col", np.zeros(shape, dtype), *geometry).shape
    grad = rng.standard_normal((*out_shape[:len(shape) - 1], 5)).astype(dtype)
    kernel = rng.standard_normal((*ksize, shape[-1], 5)).astype(dtype)
    expected = _primitive("numpy", "col2im_of_product", grad, kernel, shape, *geometry)
    got = _primitive("cupy", "col2im_of_product", grad, kernel, shape, *geometry)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@requires_gpu
def test_grid_stride_loops_cover_more_elements_than_threads(monkeypatch):
    """With 2 blocks of 256 threads every thread must loop over many elements."""
    monkeypatch.setattr(importlib.import_module("gpulayers.backend.cupy_backend.im2col"),
                        "_MAX_BLOCKS", 2)
    test_im2col_and_col2im_agree(*PRIMITIVE_CASES[3], "float64")


@requires_gpu
@pytest.mark.parametrize("case", PRIMITIVE_CASES)
def test_64_bit_index_kernels_agree(monkeypatch, case):
    """The kernels built for arrays with more than 2**31 elements, run on small ones."""
    monkeypatch.setattr(importlib.import_module("gpulayers.backend.cupy_backend.im2col"),
                        "_INT32_LIMIT", 0)
    test_im2col_and_col2im_agree(*case, "float32")


def _run(name, fn, arrays, dtype):
    """Output and gradients of every input (seeded by a fixed random output gradient)."""
    with backend.use_backend(name):
        tensors = [convert_to_tensor(a.astype(dtype)) for a in arrays]
        with GradientTape() as tape:
            tape.watch(tensors)
            out = fn(*tensors)
        seed = np.random.default_rng(0).standard_normal(out.shape).astype(dtype)
        grads = tape.gradient(out, tensors, output_gradients=convert_to_tensor(seed))
        return out.numpy(), [g.numpy() for g in grads]


OP_CASES = [  # name, fn, shapes
    ("conv1d_causal", lambda x, w: ops.conv(x, w, padding="causal", dilation_rate=2),
     [(2, 9, 4), (3, 4, 5)]),
    ("conv2d_same_s2_groups", lambda x, w: ops.conv(x, w, strides=2, padding="same"),
     [(2, 9, 8, 4), (3, 3, 2, 6)]),
    ("conv2d_channels_first", lambda x, w: ops.conv(x, w, data_format="channels_first",
                                                    dilation_rate=(2, 1)),
     [(2, 3, 8, 7), (2, 3, 3, 4)]),
    ("conv3d_valid_s2", lambda x, w: ops.conv(x, w, strides=2), [(2, 6, 5, 7, 3), (2, 3, 2, 3, 4)]),
    ("depthwise2d", lambda x, w: ops.depthwise_conv(x, w, 2, "same"),
     [(2, 7, 8, 3), (3, 3, 3, 2)]),
    ("separable1d", lambda x, d, p: ops.separable_conv(x, d, p, padding="same"),
     [(2, 9, 3), (3, 3, 2), (1, 6, 4)]),
    ("transpose1d_output_padding",
     lambda x, w: ops.conv_transpose(x, w, 2, "valid", output_padding=1), [(2, 5, 3), (3, 4, 3)]),
    ("transpose2d_same", lambda x, w: ops.conv_transpose(x, w, 2, "same"),
     [(2, 4, 5, 3), (3, 3, 4, 3)]),
    ("transpose3d_channels_first",
     lambda x, w: ops.conv_transpose(x, w, (1, 2, 2), "same", data_format="channels_first"),
     [(1, 3, 3, 4, 2), (2, 3, 2, 4, 3)]),
]


@requires_gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shapes", OP_CASES, ids=[case[0] for case in OP_CASES])
def test_ops_and_gradients_agree_across_backends(name, fn, shapes, dtype):
    rng = np.random.default_rng(len(name))
    arrays = [rng.standard_normal(shape) for shape in shapes]
    out, grads = _run("numpy", fn, arrays, dtype)
    gpu_out, gpu_grads = _run("cupy", fn, arrays, dtype)
    tolerance = 1e-4 if dtype == "float32" else 1e-10
    assert gpu_out.dtype == out.dtype == dtype
    np.testing.assert_allclose(gpu_out, out, rtol=tolerance, atol=tolerance)
    for gpu_grad, grad in zip(gpu_grads, grads):
        assert gpu_grad.dtype == grad.dtype == dtype
        np.testing.assert_allclose(gpu_grad, grad, rtol=tolerance, atol=tolerance)
