"""Vector and matrix norms (``ops.norm``, Keras 3 / ``numpy.linalg.norm`` semantics).

Vector norms (``axis`` an int, or a 1-D input): ``ord`` None or 2 (Euclidean), 1, inf, -inf,
0 (count of nonzeros, no gradient) and any other p (``sum(|x|**p) ** (1/p)``).
Matrix norms (``axis`` a pair, or a 2-D input): ``'fro'``/None, 1, -1, inf, -inf (max/min
absolute column/row sums), ``'nuc'``, 2, -2 (from singular values).
With ``axis=None`` and ``ord=None`` the input is flattened (Euclidean norm of every element).

The Euclidean and Frobenius norms have gradient ``x / norm``, taken as 0 where the norm is 0.

Example::

    ops.norm(x, axis=-1, keepdims=True)    # row lengths
    ops.norm(m, ord="fro")
"""

from __future__ import annotations

import math
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.arithmetic import power
from gpulayers.ops.broadcasting import reduce_grad_to_input
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.reductions import expand_reduced, max, min, normalize_axes, sum
from gpulayers.ops.unary import absolute

__all__ = ["norm"]


def _euclidean(tensor: Tensor, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    xp = backend.xp()
    a = tensor.data
    out = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdims))

    def vjp(grad: Any) -> tuple[Any]:
        length = expand_reduced(out, a.shape, axes, keepdims)
        scale = xp.where(length > 0, 1 / xp.where(length > 0, length, 1), 0)
        return (reduce_grad_to_input(expand_reduced(grad, a.shape, axes, keepdims) * a * scale,
                                     tensor),)

    return record(out, (tensor,), vjp, name="norm")


def _vector_norm(tensor: Tensor, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    if ord is None or ord == 2:
        return _euclidean(tensor, axes, keepdims)
    magnitude = absolute(tensor)
    if ord == math.inf:
        return max(magnitude, axis=axes, keepdims=keepdims)
    if ord == -math.inf:
        return min(magnitude, axis=axes, keepdims=keepdims)
    if ord == 0:
        nonzero = backend.xp().not_equal(tensor.data, 0)
        return Tensor(nonzero.sum(axis=axes, keepdims=keepdims).astype(tensor.dtype))
    if ord == 1:
        return sum(magnitude, axis=axes, keepdims=keepdims)
    return power(sum(power(magnitude, float(ord)), axis=axes, keepdims=keepdims), 1.0 / ord)


def _singular_value_norm(tensor: Tensor, ord: Any, axes: tuple[int, ...],
                         keepdims: bool) -> Tensor:
    xp = backend.xp()
    a = tensor.data
    moved = xp.moveaxis(a, axes, (-2, -1))
    left, singular, right = xp.linalg.svd(moved, full_matrices=False)
    if ord == "nuc":
        values = singular.sum(axis=-1)
        grad_matrix = xp.matmul(left, right)  # d(sum of singular values)/dA = U V^T
    else:
        pick = 0 if ord == 2 else -1  # singular values come sorted, largest first
        values = singular[..., pick]
        grad_matrix = left[..., :, pick, None] * right[..., pick, None, :]
    out = values.reshape(values.shape + (1, 1)) if keepdims else values
    if keepdims:
        out = xp.moveaxis(out, (-2, -1), axes)

    def vjp(grad: Any) -> tuple[Any]:
        grad = grad if not keepdims else xp.moveaxis(grad, axes, (-2, -1))[..., 0, 0]
        full = grad[..., None, None] * grad_matrix
        return (reduce_grad_to_input(xp.moveaxis(full, (-2, -1), axes), tensor),)

    return record(out, (tensor,), vjp, name="norm")


def _matrix_norm(tensor: Tensor, ord: Any, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    if ord in (None, "fro"):
        return _euclidean(tensor, axes, keepdims)
    if ord in ("nuc", 2, -2):
        return _singular_value_norm(tensor, ord, axes, keepdims)
    row_axis, column_axis = axes
    if ord in (1, -1):  # largest/smallest absolute column sum
        sums = sum(absolute(tensor), axis=row_axis, keepdims=True)
    else:  # inf / -inf: largest/smallest absolute row sum
        sums = sum(absolute(tensor), axis=column_axis, keepdims=True)
    pick = max if ord in (1, math.inf) else min
    return pick(sums, axis=axes, keepdims=keepdims)


_VECTOR_ORDERS = "None, 0, 1, 2, inf, -inf or another number"
_MATRIX_ORDERS = (None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """Vector or matrix norm of ``x`` (see the module docstring for the supported ``ord``).

    Args:
        x: input tensor (integers are computed in ``floatx()``).
        ord: order of the norm.
        axis: None, an int (vector norms) or a pair of ints (matrix norms).
        keepdims: keep the reduced axes with size 1.

    Raises ValueError naming ``norm`` for an invalid ``ord`` or ``axis``.
    """
    tensor = to_operand_tensor(x, "norm")
    if tensor.data.dtype.kind != "f":
        tensor = cast(tensor, backend.floatx())
    if axis is None and ord is None:
        return _euclidean(tensor, tuple(range(tensor.ndim)), keepdims)
    if axis is None:
        if tensor.ndim not in (1, 2):
            raise ValueError(f"norm: with `ord`={ord!r} and axis=None the input must be 1-D or "
                             f"2-D. Received shape {tensor.shape}")
        axis = tuple(range(tensor.ndim))
    axes = normalize_axes(axis, tensor.ndim, "norm")
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        axes = tuple(a % tensor.ndim for a in axis)  # keep the caller's (row, column) order
        if ord not in _MATRIX_ORDERS:
            raise ValueError(f"norm: invalid `ord` for a matrix norm; expected one of "
                             f"{_MATRIX_ORDERS}. Received: ord={ord!r}")
        return _matrix_norm(tensor, ord, axes, keepdims)
    if len(axes) != 1:
        raise ValueError(f"norm: `axis` must be an int or a pair of ints. Received: axis={axis!r}")
    if isinstance(ord, str) or isinstance(ord, bool):
        raise ValueError(f"norm: invalid `ord` for a vector norm; expected {_VECTOR_ORDERS}. "
                         f"Received: ord={ord!r}")
    return _vector_norm(tensor, ord, axes, keepdims)
