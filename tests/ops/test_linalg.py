"""matmul, dot, tensordot, outer, trace and norm: values against sums of products written
here, gradients against finite differences, and shape errors."""

import itertools

import numpy as np
import pytest

from gpulayers import GradientTape, Tensor, Variable, ops
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(2)


def values(tensor):
    assert isinstance(tensor, Tensor)
    return np.asarray(tensor)


def reference_matmul(a, b):
    """np.matmul semantics from broadcasting and a sum of products."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    out = (a2[..., :, :, None] * b2[..., None, :, :]).sum(axis=-2)
    if a.ndim == 1:
        out = out[..., 0, :]
    if b.ndim == 1:
        out = out[..., 0]
    return out


MATMUL_SHAPES = [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (3, 3, 2)),
                 ((3,), (2, 3, 4)), ((2, 2, 3), (3,))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_values_and_gradients(shapes):
    a, b = RNG.normal(size=shapes[0]), RNG.normal(size=shapes[1])
    result = ops.matmul(a, b)
    expected = reference_matmul(a, b)
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(values(result), expected, rtol=1e-10, atol=1e-12)
    check_gradients(ops.matmul, [a, b])


def test_matmul_of_integers_and_mixed_dtypes():
    result = ops.matmul(np.ones((2, 2), dtype="int32"), np.ones((2, 2), dtype="int32"))
    assert result.dtype == "int32"
    np.testing.assert_array_equal(values(result), [[2, 2], [2, 2]])
    assert ops.matmul(np.ones((2, 2), "float32"), np.ones((2, 2), "int32")).dtype == "float32"


def test_matmul_gradient_only_for_tracked_inputs():
    x, w = np.ones((4, 3)), Variable(RNG.normal(size=(3, 2)))
    with GradientTape() as tape:
        loss = ops.sum(ops.matmul(x, w))
    np.testing.assert_allclose(values(tape.gradient(loss, w)), np.full((3, 2), 4.0))


@pytest.mark.parametrize("shape_a,shape_b,message", [
    ((2, 3), (4, 5), r"inner dimensions 3 and 4 differ"),
    ((3,), (4,), r"matmul: incompatible shapes \(3,\) and \(4,\): inner dimensions 3 and 4"),
    ((2, 2, 3), (3, 3, 4), r"batch dimensions \(2,\) and \(3,\) cannot be broadcast"),
    ((), (3,), r"matmul: incompatible shapes \(\) and \(3,\)"),
])
def test_matmul_shape_errors(shape_a, shape_b, message):
    with pytest.raises(ValueError, match=message):
        ops.matmul(np.ones(shape_a), np.ones(shape_b))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3, 4)), ((2, 3), (3,)),
                                    ((2, 4, 3), (5, 3, 2)), ((), (2, 2)), ((3,), (2, 3, 4))],
                         ids=str)
def test_dot_values_and_gradients(shapes):
    a, b = RNG.normal(size=shapes[0]), RNG.normal(size=shapes[1])
    if a.ndim == 0:
        expected = a * b
    else:
        axis_b = 0 if b.ndim == 1 else b.ndim - 2
        moved = np.moveaxis(b, axis_b, 0)  # out = sum_k a[..., k] * b[..., k, :]
        expected = (a.reshape(a.shape + (1,) * (moved.ndim - 1))
                    * moved.reshape((1,) * (a.ndim - 1) + moved.shape)).sum(axis=a.ndim - 1)
    np.testing.assert_allclose(values(ops.dot(a, b)), expected, rtol=1e-10, atol=1e-12)
    check_gradients(ops.dot, [a, b])


def test_dot_shape_error_names_dot():
    with pytest.raises(ValueError, match=r"dot: incompatible shapes \(2, 3\) and \(4, 2\)"):
        ops.dot(np.ones((2, 3)), np.ones((4, 2)))


@pytest.mark.parametrize("shapes,axes", [
    (((2, 3, 4), (3, 4, 5)), 2), (((2, 3), (3, 2)), 1), (((2, 3), (4, 5)), 0),
    (((2, 3, 4), (4, 3, 5)), ([1, 2], [1, 0])), (((3, 2, 4), (4, 3)), ([0, -1], [1, 0])),
    (((2, 3), (2, 3)), (0, 0)), (((), (2,)), 0),
], ids=str)
def test_tensordot_values_and_gradients(shapes, axes):
    a, b = RNG.normal(size=shapes[0]), RNG.normal(size=shapes[1])
    if isinstance(axes, int):
        axes_a, axes_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        axes_a = [axes[0]] if isinstance(axes[0], int) else list(axes[0])
        axes_b = [axes[1]] if isinstance(axes[1], int) else list(axes[1])
    axes_a, axes_b = [i % a.ndim for i in axes_a], [i % b.ndim for i in axes_b]
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [i for i in range(b.ndim) if i not in axes_b]
    expected = np.zeros([a.shape[i] for i in free_a] + [b.shape[i] for i in free_b])
    for index in itertools.product(*[range(n) for n in expected.shape]):
        for summed in itertools.product(*[range(a.shape[i]) for i in axes_a]):
            ia, ib = [0] * a.ndim, [0] * b.ndim
            for axis, value in zip(free_a + axes_a, index[:len(free_a)] + summed):
                ia[axis] = value
            for axis, value in zip(free_b + axes_b, index[len(free_a):] + summed):
                ib[axis] = value
            expected[index] += a[tuple(ia)] * b[tuple(ib)]
    np.testing.assert_allclose(values(ops.tensordot(a, b, axes=axes)), expected, rtol=1e-10,
                               atol=1e-12)
    check_gradients(lambda x, y: ops.tensordot(x, y, axes=axes), [a, b])


def test_tensordot_errors():
    with pytest.raises(ValueError, match=r"tensordot: incompatible shapes \(2, 3\) and \(4, 5\)"):
        ops.tensordot(np.ones((2, 3)), np.ones((4, 5)), axes=1)
    with pytest.raises(ValueError, match="tensordot: `axes`"):
        ops.tensordot(np.ones((2, 3)), np.ones((3, 5)), axes=3)


def test_outer_values_and_gradients():
    a, b = RNG.normal(size=(2, 2)), RNG.normal(size=(3,))
    expected = np.array([[x * y for y in b] for x in a.reshape(-1)])
    np.testing.assert_allclose(values(ops.outer(a, b)), expected)
    check_gradients(ops.outer, [a, b])


@pytest.mark.parametrize("shape,offset,axis1,axis2", [
    ((3, 3), 0, 0, 1), ((3, 4), 1, 0, 1), ((4, 3), -1, 0, 1), ((2, 3, 3), 0, 1, 2),
    ((3, 2, 3), 1, 2, 0), ((2, 2), 5, 0, 1),
])
def test_trace_values_and_gradients(shape, offset, axis1, axis2):
    a = RNG.normal(size=shape)
    moved = np.moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = moved.shape[-2:]
    expected = sum((moved[..., i, i + offset] for i in range(rows) if 0 <= i + offset < cols),
                   np.zeros(moved.shape[:-2]))
    np.testing.assert_allclose(values(ops.trace(a, offset, axis1, axis2)), expected)
    check_gradients(lambda t: ops.trace(t, offset, axis1, axis2), [a])


# --- norm ----------------------------------------------------------------------------------

VECTOR_ORDS = {
    None: lambda v: np.sqrt((v * v).sum(-1)), 2: lambda v: np.sqrt((v * v).sum(-1)),
    1: lambda v: np.abs(v).sum(-1), np.inf: lambda v: np.abs(v).max(-1),
    -np.inf: lambda v: np.abs(v).min(-1), 3: lambda v: (np.abs(v) ** 3).sum(-1) ** (1 / 3),
    0.5: lambda v: (np.abs(v) ** 0.5).sum(-1) ** 2.0,
}


@pytest.mark.parametrize("ord", list(VECTOR_ORDS), ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_vector_norms(ord, keepdims):
    a = RNG.uniform(0.2, 1.0, (2, 4)) * RNG.choice([-1, 1], (2, 4))
    result = ops.norm(a, ord=ord, axis=-1, keepdims=keepdims)
    expected = VECTOR_ORDS[ord](a)
    assert result.shape == ((2, 1) if keepdims else (2,))
    np.testing.assert_allclose(values(result).reshape(-1), expected, rtol=1e-10)
    check_gradients(lambda t: ops.norm(t, ord=ord, axis=-1, keepdims=keepdims), [a])


def test_vector_norm_order_zero_counts_nonzeros():
    np.testing.assert_allclose(values(ops.norm([0.0, 2.0, -1.0], ord=0)), 2.0)


def _singular_values(m):
    return np.sqrt(np.sort(np.linalg.eigvalsh(m.T @ m))[::-1])


MATRIX_ORDS = {
    "fro": lambda m: np.sqrt((m * m).sum()), None: lambda m: np.sqrt((m * m).sum()),
    1: lambda m: np.abs(m).sum(0).max(), -1: lambda m: np.abs(m).sum(0).min(),
    np.inf: lambda m: np.abs(m).sum(1).max(), -np.inf: lambda m: np.abs(m).sum(1).min(),
    "nuc": lambda m: _singular_values(m).sum(), 2: lambda m: _singular_values(m)[0],
    -2: lambda m: _singular_values(m)[-1],
}


@pytest.mark.parametrize("ord", list(MATRIX_ORDS), ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_norms(ord, keepdims):
    batch = RNG.normal(size=(2, 4, 3))
    result = ops.norm(batch, ord=ord, axis=(1, 2), keepdims=keepdims)
    assert result.shape == ((2, 1, 1) if keepdims else (2,))
    expected = [MATRIX_ORDS[ord](m) for m in batch]
    np.testing.assert_allclose(values(result).reshape(-1), expected, rtol=1e-9)
    check_gradients(lambda t: ops.norm(t, ord=ord, axis=(1, 2), keepdims=keepdims), [batch],
                    rtol=1e-4, atol=1e-6)


def test_norm_defaults_and_zero_gradient():
    a = RNG.normal(size=(2, 3, 2))
    np.testing.assert_allclose(values(ops.norm(a)), np.sqrt((a * a).sum()))
    np.testing.assert_allclose(values(ops.norm(a[0], ord=1)), np.abs(a[0]).sum(0).max())
    x = Variable(np.zeros(3))
    with GradientTape() as tape:
        length = ops.norm(x)
    np.testing.assert_array_equal(values(tape.gradient(length, x)), np.zeros(3))
    assert ops.norm(np.array([3, 4], dtype="int32")).dtype == "float32"


@pytest.mark.parametrize("kwargs,message", [
    ({"ord": "fro", "axis": 0}, "invalid `ord` for a vector norm"),
    ({"ord": "bogus", "axis": (0, 1)}, "invalid `ord` for a matrix norm"),
    ({"ord": 1}, "must be 1-D or 2-D"),
    ({"axis": (0, 1, 2)}, "`axis` must be an int or a pair"),
])
def test_norm_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"norm: .*{message}"):
        ops.norm(np.ones((2, 3, 4)), **kwargs)
