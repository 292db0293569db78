"""Matrix decompositions (Keras 3 ``keras.ops.linalg`` names): cholesky, eig, eigh,
lu_factor, qr and svd, on matrices or batches of matrices ``(..., M, N)``.

Integer and bool inputs compute in ``floatx()``; float16 computes in float32 and is cast
back. Gradients: cholesky, eigh (distinct eigenvalues), qr (reduced; complete when M <= N)
and svd (distinct non-zero singular values; singular vectors only where unique) have the
standard matrix-calculus vjps. ``eig`` and ``lu_factor`` are not differentiable: asking for
their gradient raises a ValueError.

Example::

    l = ops.cholesky(a)                      # a == l @ l^T
    w, v = ops.eigh(a)                       # ascending eigenvalues, eigenvectors in columns
    q, r = ops.qr(x)                         # reduced: (..., M, K), (..., K, N), K = min(M, N)
    u, s, vh = ops.svd(x, full_matrices=False)
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.linear_solvers import (
    _grad,
    linalg_call,
    matrix_operand,
    mT,
    triangular_solve,
)

__all__ = ["cholesky", "eig", "eigh", "lu_factor", "qr", "svd"]


def _not_differentiable(name: str, why: str) -> Any:
    def vjp(*_: Any) -> Any:
        raise ValueError(f"{name}: no gradient is defined ({why}). Wrap the call in "
                         "ops.stop_gradient or keep it outside the GradientTape.")

    return vjp


def _nonzero_or_none(grad: Any) -> Any:
    """None for a missing or all-zero output gradient (the tape passes zeros for outputs
    that did not reach the loss), so backward passes skip terms that would be 0 * inf."""
    return None if grad is None or not bool(backend.xp().any(grad != 0)) else grad


def _zeros_if_none(grad: Any, like: Any) -> Any:
    return backend.xp().zeros_like(like) if grad is None else grad.astype(like.dtype)


# --- cholesky ----------------------------------------------------------------------------------

def cholesky(x: Any, upper: bool = False) -> Tensor:
    """Cholesky factor of symmetric positive-definite matrices ``(..., M, M)``: lower ``L``
    with ``x == L @ L^T``, or with ``upper=True`` ``U = L^T`` (``x == U^T @ U``). Only the
    lower triangle of ``x`` is read. Raises ValueError when ``x`` is not positive definite.

    The gradient (Murray, 2016) is symmetric: ``dA = sym(L^-T Phi(L^T dL) L^-1)``, where
    ``Phi`` keeps the lower triangle and halves the diagonal.
    """
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("cholesky", x, square=True)
    lower = linalg_call("cholesky", xp.linalg.cholesky, a)  # CuPy has no `upper` argument
    if backend.is_gpu() and bool(xp.isnan(lower).any()):  # cuSOLVER does not raise
        raise ValueError("cholesky: decomposition failed: the input is not positive definite")

    def vjp(grad: Any) -> tuple[Any]:
        g = grad.astype(a.dtype)
        g = mT(g) if upper else g
        phi = xp.tril(mT(lower) @ g)
        phi = phi - 0.5 * (xp.eye(a.shape[-1], dtype=a.dtype) * phi)
        left = triangular_solve(mT(lower), phi, lower=False)                 # L^-T Phi
        s = mT(triangular_solve(mT(lower), mT(left), lower=False))          # (L^-T Phi) L^-1
        return (_grad(0.5 * (s + mT(s)), tensor),)

    out = mT(lower) if upper else lower
    return record(out.astype(dtype), (tensor,), vjp, name="cholesky")


# --- eigenvalues -------------------------------------------------------------------------------

def eigh(x: Any) -> tuple[Tensor, Tensor]:
    """Eigenvalues (ascending, ``(..., M)``) and orthonormal eigenvectors (columns,
    ``(..., M, M)``) of symmetric matrices; only the lower triangle is read.

    Gradient: ``dA = V (diag(dw) + F * (V^T dV)) V^T``, symmetrized, with
    ``F_ij = 1 / (w_j - w_i)``: defined for distinct eigenvalues only.
    """
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("eigh", x, square=True)
    w, v = linalg_call("eigh", xp.linalg.eigh, a)

    def vjp(grads: tuple[Any, Any]) -> tuple[Any]:
        grad_w = _zeros_if_none(grads[0], w)
        grad_v = _zeros_if_none(grads[1], v)
        gaps = w[..., None, :] - w[..., :, None]                      # w_j - w_i
        eye = xp.eye(a.shape[-1], dtype=bool)
        f = xp.where(eye, 0.0, 1.0 / xp.where(eye, 1.0, gaps)).astype(a.dtype)
        inner = f * (mT(v) @ grad_v) + eye * grad_w[..., None, :]
        out = v @ inner @ mT(v)
        return (_grad(0.5 * (out + mT(out)), tensor),)

    return record((w.astype(dtype), v.astype(dtype)), (tensor,), vjp, name="eigh")


def eig(x: Any) -> tuple[Tensor, Tensor]:
    """Eigenvalues ``(..., M)`` and right eigenvectors ``(..., M, M)`` (columns, unit norm)
    of general square matrices, in no particular order.

    gpulayers has no complex dtype, so the spectrum must be real (e.g. triangular or
    symmetric matrices): a complex eigenvalue raises ValueError (use :func:`eigh` for
    symmetric input). Keras returns complex tensors here. Not differentiable.
    On CuPy older than 14 (no ``cupy.linalg.eig``) the matrices make a round trip to the host.
    """
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("eig", x, square=True)
    w, v = backend.primitives("eigen").eig(a)
    if bool(xp.any(w.imag != 0)):
        raise ValueError("eig: the input has complex eigenvalues, which gpulayers cannot "
                         "represent (no complex dtype). Use eigh for symmetric matrices.")
    outputs = (w.real.astype(dtype), v.real.astype(dtype))
    vjp = _not_differentiable("eig", "eigenvectors of general matrices are not unique and "
                              "their derivative is unstable")
    return record(outputs, (tensor,), vjp, name="eig")


# --- LU ----------------------------------------------------------------------------------------

def _lu_partial_pivoting(a: Any) -> tuple[Any, Any]:
    """LAPACK getrf's factorization, column by column on every matrix of the batch at once:
    the packed ``L\\U`` and the 0-based row swapped with row ``j`` at step ``j``.

    NumPy has no LU (it is SciPy's) and cupyx's ``lu_factor`` takes one 2-D matrix only,
    so this is written once on the array module, with a Python loop over min(M, N) columns.
    """
    xp = backend.xp()
    m, n = a.shape[-2:]
    steps = min(m, n)
    flat = a.reshape((-1, m, n)).copy()
    pivots = xp.zeros((flat.shape[0], steps), dtype="int32")
    batch = xp.arange(flat.shape[0])
    for j in range(steps):
        p = xp.argmax(xp.abs(flat[:, j:, j]), axis=1) + j          # first largest, as idamax
        pivots[:, j] = p
        row_j = flat[batch, j, :].copy()
        flat[batch, j, :] = flat[batch, p, :]
        flat[batch, p, :] = row_j
        pivot = flat[:, j, j]
        # a zero pivot means the column below is zero too: LAPACK skips the scaling
        flat[:, j + 1:, j] /= xp.where(pivot == 0, 1, pivot)[:, None]
        flat[:, j + 1:, j + 1:] -= flat[:, j + 1:, j:j + 1] * flat[:, j:j + 1, j + 1:]
    return flat.reshape(a.shape), pivots.reshape(a.shape[:-2] + (steps,))


def lu_factor(x: Any) -> tuple[Tensor, Tensor]:
    """LU factorization with partial pivoting: ``(lu, pivots)``.

    ``lu`` (..., M, N) packs the unit-lower ``L`` (below the diagonal) and ``U``;
    ``pivots`` (..., min(M, N)) int32, 0-based: row ``j`` was swapped with row
    ``pivots[j]`` at step ``j`` (SciPy's ``lu_factor`` convention). Not differentiable.
    """
    tensor, a, dtype = matrix_operand("lu_factor", x)
    lu, pivots = _lu_partial_pivoting(a)
    vjp = _not_differentiable("lu_factor", "the pivoting is piecewise constant")
    return record((lu.astype(dtype), pivots), (tensor,), vjp, name="lu_factor")


# --- QR ----------------------------------------------------------------------------------------

def _qr_square_backward(q: Any, r: Any, grad_q: Any, grad_r: Any) -> Any:
    """vjp of the QR of a tall or square matrix (M >= N): with ``M = R dR^T - dQ^T Q``,
    ``dA = (dQ + Q copyltu(M)) R^-T``; copyltu mirrors the lower triangle upwards."""
    xp = backend.xp()
    m = r @ mT(grad_r) - mT(grad_q) @ q
    copyltu = xp.tril(m) + mT(xp.tril(m, -1))
    b = grad_q + q @ copyltu
    return mT(triangular_solve(r, mT(b), lower=False))


def qr(x: Any, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    """QR decomposition ``x = q @ r`` with orthonormal ``q`` and upper-triangular ``r``.

    Args:
        x: ``(..., M, N)``.
        mode: ``'reduced'`` (default): q ``(..., M, K)``, r ``(..., K, N)``, K = min(M, N);
            ``'complete'``: q ``(..., M, M)``, r ``(..., M, N)``.

    Differentiable except for ``mode='complete'`` with M > N (q is not unique then).
    """
    if mode not in ("reduced", "complete"):
        raise ValueError("qr: `mode` must be one of {'reduced', 'complete'}. "
                         f"Received: mode={mode!r}")
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("qr", x)
    q, r = linalg_call("qr", xp.linalg.qr, a, mode=mode)
    rows, cols = a.shape[-2:]

    def vjp(grads: tuple[Any, Any]) -> tuple[Any]:
        if mode == "complete" and rows > cols:
            raise ValueError("qr: no gradient for mode='complete' with more rows than "
                             f"columns (received shape {tensor.shape}): the extra columns "
                             "of q are not unique. Use mode='reduced'.")
        grad_q, grad_r = _zeros_if_none(grads[0], q), _zeros_if_none(grads[1], r)
        if rows >= cols:
            return (_grad(_qr_square_backward(q, r, grad_q, grad_r), tensor),)
        # Wide: A = [X | Y] with X = Q U square; Y = Q V only moves through Q.
        u, grad_u, grad_v = r[..., :rows], grad_r[..., :rows], grad_r[..., rows:]
        y = a[..., rows:]
        grad_x = _qr_square_backward(q, u, grad_q + y @ mT(grad_v), grad_u)
        return (_grad(xp.concatenate([grad_x, q @ grad_v], axis=-1), tensor),)

    return record((q.astype(dtype), r.astype(dtype)), (tensor,), vjp, name="qr")


# --- SVD ---------------------------------------------------------------------------------------

def _svd_backward(a: Any, u: Any, s: Any, vh: Any, grad_u: Any, grad_s: Any,
                  grad_vh: Any) -> Any:
    """vjp of the reduced SVD (Townsend, "Differentiating the singular value decomposition")."""
    xp = backend.xp()
    dtype = a.dtype
    out = u @ (grad_s[..., :, None] * vh)
    if grad_u is None and grad_vh is None:
        return out
    v = mT(vh)
    k = s.shape[-1]
    grad_u = xp.zeros_like(u) if grad_u is None else grad_u.astype(dtype)
    grad_v = xp.zeros_like(v) if grad_vh is None else mT(grad_vh.astype(dtype))
    eye = xp.eye(k, dtype=bool)
    gaps = s[..., None, :] ** 2 - s[..., :, None] ** 2                 # s_j^2 - s_i^2
    f = xp.where(eye, 0.0, 1.0 / xp.where(eye, 1.0, gaps)).astype(dtype)
    s_col, s_row = s[..., :, None], s[..., None, :]
    ut_gu, vt_gv = mT(u) @ grad_u, mT(v) @ grad_v
    inner = (f * (ut_gu - mT(ut_gu))) * s_row + s_col * (f * (vt_gv - mT(vt_gv)))
    out = out + u @ inner @ vh
    inv_s = 1.0 / s
    m, n = a.shape[-2:]
    if m > k:  # the part of dU outside span(U)
        out = out + (grad_u - u @ ut_gu) @ (inv_s[..., :, None] * vh)
    if n > k:  # the part of dV outside span(V)
        out = out + (u * inv_s[..., None, :]) @ mT(grad_v - v @ vt_gv)
    return out


def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Singular value decomposition ``x = u @ diag(s) @ vh``.

    Args:
        x: ``(..., M, N)``.
        full_matrices: u ``(..., M, M)`` and vh ``(..., N, N)`` when True (default), else
            ``(..., M, K)`` and ``(..., K, N)``, K = min(M, N).
        compute_uv: when False only ``s`` (``(..., K)``, descending) is returned.

    Returns ``(u, s, vh)`` or ``s``. Gradients need distinct singular values (and non-zero
    ones for u/vh of non-square input); with ``full_matrices=True`` and M != N the extra
    singular vectors are not unique, so gradients through u or vh raise ValueError there.
    """
    xp = backend.xp()
    tensor, a, dtype = matrix_operand("svd", x)
    m, n = a.shape[-2:]
    if not compute_uv:
        s = linalg_call("svd", xp.linalg.svd, a, compute_uv=False)
        factors: list[Any] = []

        def vjp_s(grad: Any) -> tuple[Any]:
            if not factors:  # U and V^T only when a gradient is asked for
                factors.extend(xp.linalg.svd(a, full_matrices=False)[::2])
            u, vh = factors
            return (_grad(u @ (grad.astype(a.dtype)[..., :, None] * vh), tensor),)

        return record(s.astype(dtype), (tensor,), vjp_s, name="svd")
    u, s, vh = linalg_call("svd", xp.linalg.svd, a, full_matrices=bool(full_matrices))
    k = min(m, n)

    def vjp(grads: tuple[Any, Any, Any]) -> tuple[Any]:
        grad_u, grad_vh = _nonzero_or_none(grads[0]), _nonzero_or_none(grads[2])
        if full_matrices and m != n and (grad_u is not None or grad_vh is not None):
            raise ValueError("svd: no gradient through u or vh with full_matrices=True for "
                             f"non-square input (received shape {tensor.shape}): the extra "
                             "singular vectors are not unique. Use full_matrices=False.")
        grad_s = _zeros_if_none(grads[1], s)
        grad_u = None if grad_u is None else grad_u[..., :k]
        grad_vh = None if grad_vh is None else grad_vh[..., :k, :]
        return (_grad(_svd_backward(a, u[..., :k], s, vh[..., :k, :], grad_u, grad_s,
                                    grad_vh), tensor),)

    return record((u.astype(dtype), s.astype(dtype), vh.astype(dtype)), (tensor,), vjp,
                  name="svd")
