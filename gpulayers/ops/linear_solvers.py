"""Inverses, determinants and linear solves (Keras 3 ``keras.ops.linalg`` names).

Every op takes matrices or batches of matrices ``(..., M, N)``; integer and bool inputs
compute in ``floatx()``, float16 computes in float32 and is cast back (LAPACK/cuSOLVER have
no half-precision routines). Gradients are the standard matrix-calculus vjps, e.g. for
``X = inv(A)``: ``dA = -X^T dX X^T``.

Example::

    x = ops.solve(a, b)                 # a @ x == b; b is (..., M) or (..., M, K)
    sign, logabsdet = ops.slogdet(a)
    p = ops.pinv(a)                     # (..., N, M)
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.broadcasting import broadcast_shapes, reduce_grad_to_input
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import result_type, to_operand_tensor
from gpulayers.ops.linalg import matmul
from gpulayers.ops.shape import swapaxes

__all__ = ["cholesky_inverse", "det", "inv", "logdet", "lstsq", "matrix_rank", "pinv",
           "slogdet", "solve", "solve_triangular"]


# --- shared by the linear-algebra modules (decompositions.py imports these) -----------------

def float_dtype(dtype: str) -> tuple[str, str]:
    """(output dtype, compute dtype) for a linear-algebra op on ``dtype``: ints and bools give
    ``floatx()``; float16 computes in float32 (no half-precision LAPACK)."""
    out = dtype if dtype.startswith("float") else backend.floatx()
    return out, ("float32" if out == "float16" else out)


def matrix_operand(name: str, x: Any, square: bool = False) -> tuple[Tensor, Any, str]:
    """(tensor, array in the compute dtype, output dtype) of a ``(..., M, N)`` operand.

    Raises ValueError naming ``name`` for rank < 2 or, with ``square``, non-square matrices.
    """
    tensor = to_operand_tensor(x, name)
    if tensor.ndim < 2:
        raise ValueError(f"{name}: expected a tensor of rank >= 2 (a matrix or a batch of "
                         f"matrices). Received shape {tensor.shape}")
    if square and tensor.shape[-1] != tensor.shape[-2]:
        raise ValueError(f"{name}: expected square matrices of shape (..., M, M). Received "
                         f"shape {tensor.shape}")
    out, compute = float_dtype(tensor.dtype)
    return tensor, tensor.data.astype(compute, copy=False), out


def mT(a: Any) -> Any:  # noqa: N802 (the array API's name for the matrix transpose)
    """Transpose of the last two axes."""
    return backend.xp().swapaxes(a, -1, -2)


def triangular_solve(a: Any, b: Any, lower: bool) -> Any:
    """``a^-1 b`` for triangular ``a`` (..., M, M) and ``b`` (..., M, K), reading only the
    ``lower`` or upper triangle of ``a`` (like LAPACK's trtrs).

    NumPy has no triangular solver (that is SciPy's) and cupy.linalg none either, so the
    triangle is masked and solved with the general LU solver: same result, a little slower.
    """
    xp = backend.xp()
    return xp.linalg.solve(xp.tril(a) if lower else xp.triu(a), b)


def linalg_call(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a LAPACK/cuSOLVER call, re-raising its LinAlgError as a ValueError naming ``name``."""
    try:
        return fn(*args, **kwargs)
    except ValueError as error:  # numpy.linalg.LinAlgError is a ValueError
        raise ValueError(f"{name}: {error}") from None


def _grad(grad: Any, tensor: Tensor) -> Any:
    return reduce_grad_to_input(grad, tensor)


# --- inverse, determinants -----------------------------------------------------------------

def inv(x: Any) -> Tensor:
    """Inverse of square matrices ``(..., M, M)``. Raises ValueError for singular input (NumPy
    backend; cuSOLVER returns non-finite values instead)."""
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("inv", x, square=True)
    out = linalg_call("inv", xp.linalg.inv, a)

    def vjp(grad: Any) -> tuple[Any]:
        return (_grad(-mT(out) @ grad.astype(out.dtype) @ mT(out), tensor),)

    return record(out.astype(dtype, copy=False), (tensor,), vjp, name="inv")


def det(x: Any) -> Tensor:
    """Determinants of square matrices: shape ``(..., M, M) -> (...)``."""
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("det", x, square=True)
    out = xp.linalg.det(a)

    def vjp(grad: Any) -> tuple[Any]:
        # d det(A) = det(A) tr(A^-1 dA)
        scale = (grad.astype(a.dtype) * out)[..., None, None]
        return (_grad(scale * mT(linalg_call("det", xp.linalg.inv, a)), tensor),)

    return record(xp.asarray(out).astype(dtype), (tensor,), vjp, name="det")


def slogdet(x: Any) -> tuple[Tensor, Tensor]:
    """``(sign, logabsdet)`` of square matrices, each of shape ``(...)``: ``det = sign *
    exp(logabsdet)`` without overflow. Only ``logabsdet`` has a gradient (``A^-T``)."""
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("slogdet", x, square=True)
    sign, logabsdet = xp.linalg.slogdet(a)

    def vjp(grads: tuple[Any, Any]) -> tuple[Any]:
        grad = grads[1].astype(a.dtype)[..., None, None]
        return (_grad(grad * mT(linalg_call("slogdet", xp.linalg.inv, a)), tensor),)

    outputs = (xp.asarray(sign).astype(dtype), xp.asarray(logabsdet).astype(dtype))
    return record(outputs, (tensor,), vjp, name="slogdet")


def logdet(x: Any) -> Tensor:
    """Natural log of the determinant (``torch.logdet``): NaN where the determinant is
    negative, ``-inf`` where it is 0. Gradient ``A^-T``."""
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("logdet", x, square=True)
    sign, logabsdet = xp.linalg.slogdet(a)
    out = xp.where(sign > 0, logabsdet, xp.where(sign == 0, -xp.inf, xp.nan))

    def vjp(grad: Any) -> tuple[Any]:
        scale = grad.astype(a.dtype)[..., None, None]
        return (_grad(scale * mT(linalg_call("logdet", xp.linalg.inv, a)), tensor),)

    return record(xp.asarray(out).astype(dtype), (tensor,), vjp, name="logdet")


# --- solves ----------------------------------------------------------------------------------

def _solve_operands(name: str, a: Any, b: Any) -> tuple[Tensor, Tensor, Any, Any, str, bool]:
    """Validated (a, b) tensors, their arrays broadcast to common batch dimensions with ``b``
    as matrices (..., M, K), the output dtype, and whether ``b`` was a batch of vectors."""
    xp = backend.xp()
    dtype = result_type(a, b, op_name=name)
    first = to_operand_tensor(a, name, dtype)
    second = to_operand_tensor(b, name, dtype)
    if first.ndim < 2 or first.shape[-1] != first.shape[-2]:
        raise ValueError(f"{name}: expected `a` to be square matrices of shape (..., M, M). "
                         f"Received a.shape={first.shape}")
    if second.ndim < 1:
        raise ValueError(f"{name}: expected `b` of rank >= 1. Received b.shape={second.shape}")
    # torch's rule, which Keras's torch backend follows: b is a (batch of) vector(s) when it
    # has one dimension fewer than a.
    vector = second.ndim == first.ndim - 1
    size = first.shape[-1]
    rows = second.shape[-1] if vector else second.shape[-2]
    if rows != size:
        raise ValueError(f"{name}: incompatible shapes: `b` needs {size} rows to match `a`. "
                         f"Received a.shape={first.shape}, b.shape={second.shape}")
    out, compute = float_dtype(dtype)
    a_arr = first.data.astype(compute, copy=False)
    b_arr = second.data.astype(compute, copy=False)
    b_arr = b_arr[..., None] if vector else b_arr
    batch = broadcast_shapes(name, a_arr.shape[:-2], b_arr.shape[:-2])
    a_arr = xp.broadcast_to(a_arr, batch + a_arr.shape[-2:])
    b_arr = xp.broadcast_to(b_arr, batch + b_arr.shape[-2:])
    return first, second, a_arr, b_arr, out, vector


def _finish_solve(name: str, first: Tensor, second: Tensor, a: Any, solution: Any, dtype: str,
                  vector: bool, transposed_solve: Any, mask: Any = None) -> Tensor:
    def vjp(grad: Any) -> tuple[Any, Any]:
        g = grad.astype(solution.dtype)
        g = g[..., None] if vector else g
        grad_b = transposed_solve(g)              # A^-T G
        grad_a = -grad_b @ mT(solution)           # -A^-T G X^T
        grad_a = grad_a if mask is None else mask(grad_a)
        grad_b = grad_b[..., 0] if vector else grad_b
        return _grad(grad_a, first), _grad(grad_b, second)

    out = solution[..., 0] if vector else solution
    return record(out.astype(dtype, copy=False), (first, second), vjp, name=name)


def solve(a: Any, b: Any) -> Tensor:
    """Solve ``a @ x = b`` for square ``a`` (..., M, M); ``b`` is (..., M) or (..., M, K) and
    the result has ``b``'s shape. Batch dimensions broadcast."""
    xp = backend.xp()
    first, second, a_arr, b_arr, dtype, vector = _solve_operands("solve", a, b)
    solution = linalg_call("solve", xp.linalg.solve, a_arr, b_arr)
    return _finish_solve("solve", first, second, a_arr, solution, dtype, vector,
                         lambda g: xp.linalg.solve(mT(a_arr), g))


def solve_triangular(a: Any, b: Any, lower: bool = False) -> Tensor:
    """Solve ``a @ x = b`` for triangular ``a``: only its ``lower`` (or, by default, upper)
    triangle is read. Shapes as in :func:`solve`."""
    xp = backend.xp()
    first, second, a_arr, b_arr, dtype, vector = _solve_operands("solve_triangular", a, b)
    lower = bool(lower)
    solution = linalg_call("solve_triangular", triangular_solve, a_arr, b_arr, lower)
    return _finish_solve("solve_triangular", first, second, a_arr, solution, dtype, vector,
                         lambda g: triangular_solve(mT(a_arr), g, not lower),
                         mask=xp.tril if lower else xp.triu)


def cholesky_inverse(x: Any, upper: bool = False) -> Tensor:
    """Inverse of ``A`` from its Cholesky factor ``x`` (``torch.cholesky_inverse``):
    ``(x @ x^T)^-1`` for a lower factor, ``(x^T @ x)^-1`` with ``upper=True``."""
    xp = backend.xp()
    tensor, _, dtype = matrix_operand("cholesky_inverse", x, square=True)
    factor = tensor if tensor.dtype == dtype else cast(tensor, dtype)
    identity = xp.eye(tensor.shape[-1], dtype=dtype)
    inverse_factor = solve_triangular(factor, identity, lower=not upper)
    if upper:
        return matmul(inverse_factor, swapaxes(inverse_factor, -1, -2))
    return matmul(swapaxes(inverse_factor, -1, -2), inverse_factor)


# --- pseudo-inverse, least squares, rank -----------------------------------------------------

def _default_rcond(a: Any) -> float:
    """NumPy's and torch's default cutoff: machine epsilon times the larger dimension."""
    return float(backend.xp().finfo(a.dtype).eps * max(a.shape[-2:]))


def pinv(x: Any, rcond: float | None = None) -> Tensor:
    """Moore-Penrose pseudo-inverse ``(..., M, N) -> (..., N, M)`` through the SVD; singular
    values ``<= rcond * largest`` count as zero (default ``eps * max(M, N)``).

    The gradient is the constant-rank formula (Golub & Pereyra):
    ``dA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A)``.
    """
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("pinv", x)
    rcond = _default_rcond(a) if rcond is None else float(rcond)
    u, s, vh = linalg_call("pinv", xp.linalg.svd, a, full_matrices=False)
    cutoff = rcond * s.max(axis=-1, keepdims=True) if s.shape[-1] else s
    inv_s = xp.where(s > cutoff, 1.0 / xp.where(s > cutoff, s, 1.0), 0.0).astype(a.dtype)
    p = mT(vh) @ (inv_s[..., :, None] * mT(u))

    def vjp(grad: Any) -> tuple[Any]:
        g = grad.astype(a.dtype)
        eye_m = xp.eye(a.shape[-2], dtype=a.dtype)
        eye_n = xp.eye(a.shape[-1], dtype=a.dtype)
        out = (-mT(p) @ g @ mT(p) + (eye_m - a @ p) @ mT(g) @ p @ mT(p)
               + mT(p) @ p @ mT(g) @ (eye_n - p @ a))
        return (_grad(out, tensor),)

    return record(p.astype(dtype, copy=False), (tensor,), vjp, name="pinv")


def lstsq(a: Any, b: Any, rcond: float | None = None) -> Tensor:
    """Least-squares solution of ``a @ x = b`` (the minimum-norm one if several): ``a`` is
    (M, N), ``b`` (M,) or (M, K); returns (N,) or (N, K). Singular values of ``a`` below
    ``rcond`` times the largest count as zero. Computed as ``pinv(a, rcond) @ b``, so it is
    differentiable in both arguments."""
    dtype = result_type(a, b, op_name="lstsq")
    first = to_operand_tensor(a, "lstsq", dtype)
    second = to_operand_tensor(b, "lstsq", dtype)
    if first.ndim != 2:
        raise ValueError(f"lstsq: expected `a` of rank 2. Received a.shape={first.shape}")
    if second.ndim not in (1, 2):
        raise ValueError(f"lstsq: expected `b` of rank 1 or 2. Received b.shape={second.shape}")
    if second.shape[0] != first.shape[0]:
        raise ValueError("lstsq: expected b.shape[0] == a.shape[0]. Received "
                         f"a.shape={first.shape}, b.shape={second.shape}")
    out = float_dtype(dtype)[0]
    first = first if first.dtype == out else cast(first, out)
    second = second if second.dtype == out else cast(second, out)
    return matmul(pinv(first, rcond), second)


def matrix_rank(x: Any, tol: float | None = None) -> Tensor:
    """Number of singular values above ``tol`` (default ``largest * max(M, N) * eps``) of each
    matrix: ``(..., M, N) -> (...)``, int32, no gradient."""
    xp = backend.xp()
    tensor, a, _ = matrix_operand("matrix_rank", x)
    s = linalg_call("matrix_rank", xp.linalg.svd, a, compute_uv=False)
    if tol is None:
        largest = s.max(axis=-1, keepdims=True) if s.shape[-1] else s
        threshold = largest * _default_rcond(a)
    else:
        threshold = float(tol)
    rank = (s > threshold).sum(axis=-1).astype("int32")
    return record(rank, (tensor,), None, name="matrix_rank")
