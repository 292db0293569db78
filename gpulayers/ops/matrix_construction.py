"""Building and rearranging matrices: diag, diagflat, diagonal, tri, vander, kron, inner, vdot,
cross, meshgrid, fliplr, flipud, rot90 (Keras 3 ``keras.ops`` names, NumPy semantics).

Most are compositions of differentiable ops (indexing, reshape, multiply, flip, transpose),
so gradients come with them; ``diag`` of a vector records its own node (the gradient of a
matrix built from a vector is that matrix gradient's diagonal). Results keep the promoted
input dtype; ``tri`` is a ``floatx()`` constant.

Example::

    ops.diag([1., 2.])                 # [[1, 0], [0, 2]]
    ops.cross([1., 0., 0.], [0., 1., 0.])   # [0, 0, 1]
    ops.rot90(x, k=1, axes=(0, 1))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.arithmetic import multiply, subtract
from gpulayers.ops.axes import as_int, normalize_axis
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import result_type, standardize_dtype, to_operand_tensor
from gpulayers.ops.indexing import slice_by_key
from gpulayers.ops.joining import stack
from gpulayers.ops.linalg import dot, tensordot
from gpulayers.ops.reordering import flip
from gpulayers.ops.shape import broadcast_to, moveaxis, ravel, reshape, transpose

__all__ = ["cross", "diag", "diagflat", "diagonal", "fliplr", "flipud", "inner", "kron",
           "meshgrid", "rot90", "tri", "vander", "vdot"]


def _diagonal_positions(rows: int, cols: int, k: int) -> tuple[Any, Any]:
    """Row and column indices of the ``k``-th diagonal of a ``rows`` x ``cols`` matrix."""
    xp = backend.xp()
    length = max(0, min(rows + min(k, 0), cols - max(k, 0)))
    index = xp.arange(length)
    return index - min(k, 0), index + max(k, 0)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The ``offset``-th diagonals of the 2-D slices over ``axis1``/``axis2``, as the last axis
    (``numpy.diagonal``). Example: ``diagonal([[1, 2], [3, 4]])`` -> ``[1, 4]``.
    """
    x = to_operand_tensor(x, "diagonal")
    if x.ndim < 2:
        raise ValueError(f"diagonal: expected a tensor of rank >= 2. Received shape {x.shape}")
    axis1 = normalize_axis(axis1, x.ndim, "diagonal", "axis1")
    axis2 = normalize_axis(axis2, x.ndim, "diagonal", "axis2")
    if axis1 == axis2:
        raise ValueError(f"diagonal: axis1 and axis2 must differ. Received: {axis1} and {axis2}")
    offset = as_int(offset, "diagonal", "offset")
    moved = moveaxis(x, (axis1, axis2), (-2, -1))
    rows, cols = _diagonal_positions(moved.shape[-2], moved.shape[-1], offset)
    return slice_by_key(moved, (Ellipsis, rows, cols))


def _vector_to_matrix(v: Tensor, k: int, name: str) -> Tensor:
    xp = backend.xp()
    size = v.shape[0] + abs(k)
    rows, cols = _diagonal_positions(size, size, k)
    out = xp.zeros((size, size), dtype=v.data.dtype)
    out[rows, cols] = v.data
    return record(out, (v,), lambda grad: (grad[rows, cols],), name=name)


def diag(x: Any, k: int = 0) -> Tensor:
    """A 1-d ``x``: the square matrix with ``x`` on its ``k``-th diagonal; a 2-d ``x``: its
    ``k``-th diagonal. Example: ``diag([1., 2.], k=1)`` is 3 x 3.
    """
    x = to_operand_tensor(x, "diag")
    k = as_int(k, "diag", "k")
    if x.ndim == 1:
        return _vector_to_matrix(x, k, "diag")
    if x.ndim == 2:
        return diagonal(x, k)
    raise ValueError(f"diag: expected a 1-d or 2-d tensor. Received shape {x.shape}")


def diagflat(x: Any, k: int = 0) -> Tensor:
    """The square matrix with the flattened ``x`` on its ``k``-th diagonal."""
    x = to_operand_tensor(x, "diagflat")
    return _vector_to_matrix(ravel(x), as_int(k, "diagflat", "k"), "diagflat")


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """``N`` x ``M`` matrix with ones at and below the ``k``-th diagonal (``floatx()``)."""
    rows = as_int(N, "tri", "N")
    cols = rows if M is None else as_int(M, "tri", "M")
    if rows < 0 or cols < 0:
        raise ValueError(f"tri: sizes must be non-negative. Received: N={rows}, M={cols}")
    dtype = backend.floatx() if dtype is None else standardize_dtype(dtype, "tri")
    return Tensor(backend.xp().tri(rows, cols, as_int(k, "tri", "k"), dtype=dtype))


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of a 1-d ``x``: columns ``x**(N-1), ..., x**0`` (reversed when
    ``increasing``); ``N`` defaults to ``len(x)``. Keeps ``x``'s dtype.
    """
    x = to_operand_tensor(x, "vander")
    if x.ndim != 1:
        raise ValueError(f"vander: expected a 1-d tensor. Received shape {x.shape}")
    columns = x.shape[0] if N is None else as_int(N, "vander", "N")
    if columns < 0:
        raise ValueError(f"vander: `N` must be non-negative. Received: N={columns}")
    xp = backend.xp()
    powers = xp.arange(columns)
    powers = powers if increasing else powers[::-1]
    a = x.data.astype("int32") if x.dtype == "bool" else x.data
    out = (a[:, None] ** powers.astype(a.dtype)).astype(x.data.dtype)

    def vjp(grad: Any) -> tuple[Any]:
        # d(x**p)/dx = p * x**(p-1), taken as 0 for p == 0 (no 0**-1 at x == 0)
        lowered = a[:, None] ** xp.maximum(powers - 1, 0).astype(a.dtype)
        return ((grad * powers * lowered).sum(axis=1).astype(a.dtype),)

    return record(out, (x,), vjp if out.dtype.kind == "f" else None, name="vander")


def _promoted_pair(name: str, x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    dtype = result_type(x1, x2, op_name=name)
    return (cast(to_operand_tensor(x1, name, dtype), dtype),
            cast(to_operand_tensor(x2, name, dtype), dtype))


def kron(x1: Any, x2: Any) -> Tensor:
    """Kronecker product: blocks ``x1[i, j] * x2`` (shapes padded with leading 1s to one rank).

    Example: ``kron(eye(2), [[1., 2.]])`` is ``[[1, 2, 0, 0], [0, 0, 1, 2]]``.
    """
    a, b = _promoted_pair("kron", x1, x2)
    rank = max(a.ndim, b.ndim)
    shape_a = (1,) * (rank - a.ndim) + a.shape
    shape_b = (1,) * (rank - b.ndim) + b.shape
    # interleave: a on even axes, b on odd ones, so the product's axes pair up (i, j)
    product = multiply(reshape(a, [n for size in shape_a for n in (size, 1)]),
                       reshape(b, [n for size in shape_b for n in (1, size)]))
    return reshape(product, [p * q for p, q in zip(shape_a, shape_b)])


def inner(x1: Any, x2: Any) -> Tensor:
    """Inner product over the last axes (``numpy.inner``); a scalar operand multiplies.

    The result has shape ``x1.shape[:-1] + x2.shape[:-1]``.
    """
    a, b = _promoted_pair("inner", x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))


def vdot(x1: Any, x2: Any) -> Tensor:
    """Dot product of the flattened inputs (equal sizes), a scalar."""
    a, b = _promoted_pair("vdot", x1, x2)
    if a.size != b.size:
        raise ValueError(f"vdot: inputs need the same number of elements. Received shapes "
                         f"{a.shape} and {b.shape}")
    return dot(ravel(a), ravel(b))


def _components(v: Tensor, name: str) -> list[Any]:
    if v.shape[-1] not in (2, 3):
        raise ValueError(f"{name}: vectors must have 2 or 3 components along the chosen axis. "
                         f"Received a tensor of shape {v.shape} (axis moved last)")
    parts = [slice_by_key(v, (Ellipsis, i)) for i in range(v.shape[-1])]
    return parts + [0] * (3 - len(parts))


def cross(x1: Any, x2: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Tensor:
    """Cross product of 2- or 3-component vectors along ``axisa``/``axisb`` (``axis`` sets
    all three), broadcasting the other axes; a 2-vector has z = 0. Two 2-vectors give the
    z component only. Example: ``cross([1., 0., 0.], [0., 1., 0.])`` -> ``[0., 0., 1.]``.
    """
    a, b = _promoted_pair("cross", x1, x2)
    if a.dtype == "bool":
        raise TypeError("cross: bool inputs are not supported; cast them to a number type")
    if axis is not None:
        axisa = axisb = axisc = axis
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"cross: inputs must be vectors. Received shapes {a.shape}, {b.shape}")
    a = moveaxis(a, normalize_axis(axisa, a.ndim, "cross", "axisa"), -1)
    b = moveaxis(b, normalize_axis(axisb, b.ndim, "cross", "axisb"), -1)
    (a0, a1, a2), (b0, b1, b2) = _components(a, "cross"), _components(b, "cross")

    def term(p: Any, q: Any, r: Any, s: Any) -> Any:
        first = 0 if isinstance(p, int) or isinstance(q, int) else multiply(p, q)
        second = 0 if isinstance(r, int) or isinstance(s, int) else multiply(r, s)
        return subtract(first, second)

    z = term(a0, b1, a1, b0)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return z
    x_part, y_part = term(a1, b2, a2, b1), term(a2, b0, a0, b2)
    shape = z.shape
    out = stack([broadcast_to(part, shape) for part in (x_part, y_part, z)], axis=-1)
    return moveaxis(out, -1, normalize_axis(axisc, out.ndim, "cross", "axisc"))


def meshgrid(*x: Any, indexing: str = "xy") -> list[Tensor]:
    """Coordinate grids from 1-d coordinate vectors (``numpy.meshgrid``).

    ``indexing='xy'`` (Cartesian) gives shape ``(len(x2), len(x1), ...)``; ``'ij'`` (matrix)
    gives ``(len(x1), len(x2), ...)``. Gradients sum back over the broadcast axes.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: `indexing` must be 'xy' or 'ij'. Received: {indexing!r}")
    vectors = [ravel(to_operand_tensor(v, "meshgrid")) for v in x]
    shape = [v.shape[0] for v in vectors]
    order = list(range(len(vectors)))
    if indexing == "xy" and len(vectors) > 1:
        shape[0], shape[1] = shape[1], shape[0]
        order[0], order[1] = 1, 0
    grids = []
    for position, vector in enumerate(vectors):
        axis = order.index(position)
        view = [1] * len(vectors)
        view[axis] = vector.shape[0]
        grids.append(broadcast_to(reshape(vector, view), shape))
    return grids


def _matrix_like(x: Any, name: str, rank: int) -> Tensor:
    x = to_operand_tensor(x, name)
    if x.ndim < rank:
        raise ValueError(f"{name}: expected a tensor of rank >= {rank}. Received shape {x.shape}")
    return x


def fliplr(x: Any) -> Tensor:
    """Reverse the columns (axis 1) of a tensor of rank >= 2."""
    return flip(_matrix_like(x, "fliplr", 2), axis=1)


def flipud(x: Any) -> Tensor:
    """Reverse the rows (axis 0) of a tensor of rank >= 1."""
    return flip(_matrix_like(x, "flipud", 1), axis=0)


def rot90(array: Any, k: int = 1, axes: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``, from the first axis towards
    the second (``numpy.rot90``). Example: ``rot90([[1, 2], [3, 4]])`` -> ``[[2, 4], [1, 3]]``.
    """
    x = _matrix_like(array, "rot90", 2)
    if len(axes) != 2:
        raise ValueError(f"rot90: `axes` must hold two axes. Received: axes={axes!r}")
    first, second = (normalize_axis(a, x.ndim, "rot90", "axes") for a in axes)
    if first == second:
        raise ValueError(f"rot90: the two `axes` must differ. Received: axes={axes!r}")
    k = as_int(k, "rot90", "k") % 4
    if k == 0:
        return flip(x, axis=())
    if k == 2:
        return flip(x, axis=(first, second))
    permutation = list(range(x.ndim))
    permutation[first], permutation[second] = second, first
    if k == 1:
        return transpose(flip(x, axis=second), permutation)
    return flip(transpose(x, permutation), axis=second)
