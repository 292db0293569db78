"""Products of tensors: matmul (NumPy semantics), dot, tensordot, outer and trace.

Example::

    y = ops.matmul(x, w)                          # (batch, in) @ (in, out); also x @ w
    ops.matmul(ops.ones((5, 2, 3)), ops.ones((3, 4))).shape   # (5, 2, 4): batch broadcasting
    ops.tensordot(a, b, axes=([1], [0]))
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, needs_grad, record
from gpulayers.ops.arithmetic import multiply
from gpulayers.ops.broadcasting import broadcast_shapes, reduce_grad_to_input
from gpulayers.ops.dtypes import result_type, to_operand_tensor

__all__ = ["dot", "matmul", "outer", "tensordot", "trace"]


def _operands(name: str, x1: Any, x2: Any) -> tuple[Tensor, Tensor, Any, Any]:
    dtype = result_type(x1, x2, op_name=name)
    first = to_operand_tensor(x1, name, dtype)
    second = to_operand_tensor(x2, name, dtype)
    return first, second, first.data.astype(dtype, copy=False), second.data.astype(
        dtype, copy=False)


def _check_matmul_shapes(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> None:
    if not shape_a or not shape_b:
        raise ValueError(f"matmul: incompatible shapes {shape_a} and {shape_b}: operands must "
                         "have at least one dimension (use multiply for scalars)")
    inner_a = shape_a[-1]
    inner_b = shape_b[-2] if len(shape_b) > 1 else shape_b[0]
    if inner_a != inner_b:
        raise ValueError(f"matmul: incompatible shapes {shape_a} and {shape_b}: inner "
                         f"dimensions {inner_a} and {inner_b} differ")
    if len(shape_a) <= 2 and len(shape_b) <= 2:  # no batch dimensions to broadcast
        return
    try:
        broadcast_shapes("matmul", shape_a[:-2], shape_b[:-2])
    except ValueError:
        raise ValueError(f"matmul: incompatible shapes {shape_a} and {shape_b}: batch "
                         f"dimensions {shape_a[:-2]} and {shape_b[:-2]} cannot be "
                         "broadcast together") from None


def matmul(x1: Any, x2: Any) -> Tensor:
    """Matrix product with NumPy's ``matmul`` semantics (also ``x1 @ x2``).

    2-D: ``(m, k) @ (k, n) -> (m, n)``. N-D: batches of matrices over the leading
    dimensions, which broadcast. 1-D operands are a row (first) or column (second) vector
    whose added dimension is removed from the result. Raises ValueError naming both shapes
    when the inner dimensions differ or the batch dimensions do not broadcast.
    """
    xp = backend.xp()
    first, second, a, b = _operands("matmul", x1, x2)
    _check_matmul_shapes(tuple(a.shape), tuple(b.shape))
    out = xp.matmul(a, b)
    if out.dtype.kind != "f":
        return record(out, (first, second), None, name="matmul")
    want_a, want_b = needs_grad(first, second)

    def vjp(grad: Any) -> tuple[Any, Any]:
        # Work with the 2-D+ forms: a as (..., m, k), b as (..., k, n), grad as (..., m, n).
        a2 = a if a.ndim > 1 else a[None, :]
        b2 = b if b.ndim > 1 else b[:, None]
        g2 = grad if a.ndim > 1 else grad[..., None, :] if b.ndim > 1 else grad[..., None]
        g2 = g2 if b.ndim > 1 else g2[..., None]
        grad_a = grad_b = None
        if want_a:
            grad_a = xp.matmul(g2, xp.swapaxes(b2, -1, -2))
            grad_a = reduce_grad_to_input(grad_a if a.ndim > 1 else grad_a[..., 0, :], first)
        if want_b:
            grad_b = xp.matmul(xp.swapaxes(a2, -1, -2), g2)
            grad_b = reduce_grad_to_input(grad_b if b.ndim > 1 else grad_b[..., 0], second)
        return grad_a, grad_b

    return record(out, (first, second), vjp, name="matmul")


def _axis_list(axes: Any, ndim: int, name: str) -> list[int]:
    items = [axes] if not isinstance(axes, (list, tuple)) else list(axes)
    result = []
    for item in items:
        item = operator.index(item)
        if not -ndim <= item < ndim:
            raise ValueError(f"{name}: axis {item} is out of bounds for a tensor of rank {ndim}")
        result.append(item % ndim)
    return result


def _contracted_axes(axes: Any, shape_a: tuple[int, ...], shape_b: tuple[int, ...],
                     name: str) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        if not 0 <= axes <= min(len(shape_a), len(shape_b)):
            raise ValueError(f"{name}: `axes`={axes} is out of range for shapes {shape_a} and "
                             f"{shape_b}")
        summed_a = list(range(len(shape_a) - axes, len(shape_a)))
        summed_b = list(range(axes))
    elif isinstance(axes, (list, tuple)) and len(axes) == 2:
        summed_a = _axis_list(axes[0], len(shape_a), name)
        summed_b = _axis_list(axes[1], len(shape_b), name)
    else:
        raise ValueError(f"{name}: `axes` must be an int or a pair of axis lists. "
                         f"Received: axes={axes!r}")
    sizes_a = [shape_a[i] for i in summed_a]
    sizes_b = [shape_b[i] for i in summed_b]
    if sizes_a != sizes_b:
        raise ValueError(f"{name}: incompatible shapes {shape_a} and {shape_b}: contracted "
                         f"dimensions {tuple(sizes_a)} and {tuple(sizes_b)} differ")
    return summed_a, summed_b


def _inverse_permutation(axes_of_result: Sequence[int]) -> list[int]:
    return [list(axes_of_result).index(i) for i in range(len(axes_of_result))]


def _tensordot(name: str, x1: Any, x2: Any, axes: Any) -> Tensor:
    xp = backend.xp()
    first, second, a, b = _operands(name, x1, x2)
    summed_a, summed_b = _contracted_axes(axes, tuple(a.shape), tuple(b.shape), name)
    # tuples, not lists: CuPy accepts empty axes for 0-d operands only as ((), ())
    out = xp.tensordot(a, b, axes=(tuple(summed_a), tuple(summed_b)))
    if out.dtype.kind != "f":
        return record(out, (first, second), None, name=name)
    free_a = [i for i in range(a.ndim) if i not in summed_a]
    free_b = [i for i in range(b.ndim) if i not in summed_b]
    want_a, want_b = needs_grad(first, second)

    def vjp(grad: Any) -> tuple[Any, Any]:
        # grad's axes are free_a then free_b; contract it with the other operand's free axes
        # and put the result's axes back in the input's order.
        grad_a = grad_b = None
        if want_a:
            raw = xp.tensordot(grad, b, axes=(tuple(range(len(free_a), grad.ndim)),
                                              tuple(free_b)))
            order = free_a + [summed_a[summed_b.index(j)] for j in sorted(summed_b)]
            grad_a = reduce_grad_to_input(
                xp.transpose(raw, _inverse_permutation(order)), first)
        if want_b:
            raw = xp.tensordot(a, grad, axes=(tuple(free_a), tuple(range(len(free_a)))))
            order = [summed_b[summed_a.index(i)] for i in sorted(summed_a)] + free_b
            grad_b = reduce_grad_to_input(
                xp.transpose(raw, _inverse_permutation(order)), second)
        return grad_a, grad_b

    return record(out, (first, second), vjp, name=name)


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Tensor:
    """Sum of products over chosen axes (``numpy.tensordot``).

    Args:
        axes: an int N (the last N axes of ``x1`` with the first N of ``x2``) or a pair
            ``(axes_of_x1, axes_of_x2)`` of ints or equal-length lists.

    The result's axes are ``x1``'s free axes followed by ``x2``'s. Example:
    ``tensordot(ones((2, 3, 4)), ones((4, 3, 5)), axes=([1, 2], [1, 0])).shape == (2, 5)``.
    """
    return _tensordot("tensordot", x1, x2, axes)


def dot(x1: Any, x2: Any) -> Tensor:
    """``numpy.dot``: scalars multiply; 1-D . 1-D is the inner product; otherwise a sum over
    the last axis of ``x1`` and the second-to-last axis of ``x2`` (the only axis if 1-D).
    """
    first = to_operand_tensor(x1, "dot")
    second = to_operand_tensor(x2, "dot")
    if first.ndim == 0 or second.ndim == 0:
        return multiply(first, second)
    axis_b = 0 if second.ndim == 1 else second.ndim - 2
    return _tensordot("dot", first, second, ([first.ndim - 1], [axis_b]))


def outer(x1: Any, x2: Any) -> Tensor:
    """Outer product of the flattened inputs: ``out[i, j] = x1.flat[i] * x2.flat[j]``."""
    xp = backend.xp()
    first, second, a, b = _operands("outer", x1, x2)
    flat_a, flat_b = a.reshape(-1), b.reshape(-1)
    out = xp.outer(flat_a, flat_b)
    if out.dtype.kind != "f":
        return record(out, (first, second), None, name="outer")

    def vjp(grad: Any) -> tuple[Any, Any]:
        return (reduce_grad_to_input((grad @ flat_b).reshape(a.shape), first),
                reduce_grad_to_input((flat_a @ grad).reshape(b.shape), second))

    return record(out, (first, second), vjp, name="outer")


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """Sum along a diagonal of the 2-D slices over ``axis1``/``axis2`` (``numpy.trace``).

    ``offset`` > 0 takes a diagonal above the main one. Narrow integer inputs give int32.
    """
    xp = backend.xp()
    tensor = to_operand_tensor(x, "trace")
    a = tensor.data
    if a.ndim < 2:
        raise ValueError(f"trace: expected a tensor of rank >= 2. Received shape {tuple(a.shape)}")
    axis1, axis2 = _axis_list([axis1, axis2], a.ndim, "trace")
    if axis1 == axis2:
        raise ValueError(f"trace: axis1 and axis2 must differ. Received: {axis1} and {axis2}")
    offset = operator.index(offset)
    dtype = "int32" if a.dtype.kind in "biu" and a.dtype.itemsize < 4 else a.dtype
    out = xp.trace(a, offset=offset, axis1=axis1, axis2=axis2, dtype=dtype)
    if out.dtype.kind != "f":
        return record(out, (tensor,), None, name="trace")

    def vjp(grad: Any) -> tuple[Any]:
        full = xp.zeros(a.shape, dtype=grad.dtype)
        view = xp.moveaxis(full, (axis1, axis2), (-2, -1))
        rows, cols = view.shape[-2], view.shape[-1]
        length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
        index = xp.arange(length)
        view[..., index - min(offset, 0), index + max(offset, 0)] = grad[..., None]
        return (reduce_grad_to_input(full, tensor),)

    return record(out, (tensor,), vjp, name="trace")
