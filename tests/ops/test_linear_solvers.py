"""Inverses, determinants and solves: values against NumPy and Keras 3, dtypes, gradients
against central differences, errors, and CuPy-vs-NumPy agreement."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.linear_solvers import (
    cholesky_inverse,
    det,
    inv,
    logdet,
    lstsq,
    matrix_rank,
    pinv,
    slogdet,
    solve,
    solve_triangular,
)
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(7)
A = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)   # well conditioned, det != 0
B = RNG.standard_normal((2, 3, 2))
BV = RNG.standard_normal((2, 3))
R = RNG.standard_normal((4, 3))
SPD = A @ np.swapaxes(A, -1, -2)


def test_values_match_numpy():
    np.testing.assert_allclose(inv(A), np.linalg.inv(A), rtol=1e-10)
    np.testing.assert_allclose(det(A), np.linalg.det(A), rtol=1e-10)
    sign, logabs = slogdet(A)
    np.testing.assert_allclose(np.asarray(sign) * np.exp(np.asarray(logabs)), np.linalg.det(A),
                               rtol=1e-10)
    np.testing.assert_allclose(logdet(SPD), np.log(np.linalg.det(SPD)), rtol=1e-10)
    np.testing.assert_allclose(solve(A, B), np.linalg.solve(A, B), rtol=1e-10)
    # a batch of vectors: b has one dimension fewer than a
    np.testing.assert_allclose(solve(A, BV), np.linalg.solve(A, BV[..., None])[..., 0],
                               rtol=1e-10)
    np.testing.assert_allclose(pinv(R), np.linalg.pinv(R), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lstsq(R, np.ones(4)), np.linalg.lstsq(R, np.ones(4))[0],
                               rtol=1e-10)
    assert int(matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]]))) == 1


def test_solve_triangular_reads_one_triangle_and_logdet_of_negative_determinant():
    lower = np.tril(A[0])
    noisy = lower + np.triu(np.full((3, 3), 50.0), 1)  # the upper triangle must be ignored
    got = solve_triangular(noisy, B[0], lower=True)
    np.testing.assert_allclose(lower @ np.asarray(got), B[0], atol=1e-12)
    flipped = np.diag([-1.0, 1.0, 1.0])
    assert np.isnan(float(logdet(flipped)))
    assert float(logdet(np.zeros((2, 2)))) == -np.inf


def test_cholesky_inverse_inverts_the_factored_matrix():
    factor = np.linalg.cholesky(SPD[0])
    np.testing.assert_allclose(cholesky_inverse(factor), np.linalg.inv(SPD[0]), rtol=1e-9)
    np.testing.assert_allclose(cholesky_inverse(factor.T, upper=True), np.linalg.inv(SPD[0]),
                               rtol=1e-9)


def test_matches_keras():
    keras = keras_or_skip()
    a32, b32, r32 = A.astype("float32"), B.astype("float32"), R.astype("float32")
    factor = np.linalg.cholesky(SPD[0]).astype("float32")
    cases = [
        (inv(a32), keras.ops.inv(a32)),
        (det(a32), keras.ops.det(a32)),
        (logdet(SPD.astype("float32")), keras.ops.logdet(SPD.astype("float32"))),
        (solve(a32, b32), keras.ops.solve(a32, b32)),
        (solve(a32, BV.astype("float32")), keras.ops.solve(a32, BV.astype("float32"))),
        (solve_triangular(a32, b32, lower=True), keras.ops.solve_triangular(a32, b32, True)),
        (solve_triangular(a32, b32), keras.ops.solve_triangular(a32, b32)),
        (cholesky_inverse(factor), keras.ops.cholesky_inverse(factor)),
        (cholesky_inverse(factor.T, upper=True), keras.ops.cholesky_inverse(factor.T, True)),
        (pinv(r32), keras.ops.pinv(r32)),
        (pinv(r32, rcond=0.5), keras.ops.pinv(r32, rcond=0.5)),
        (lstsq(r32, b32[0, :, :1].repeat(2, 0)[:4]), keras.ops.lstsq(
            r32, b32[0, :, :1].repeat(2, 0)[:4])),
        (matrix_rank(np.ones((2, 3, 3), "float32")), keras.ops.matrix_rank(
            np.ones((2, 3, 3), "float32"))),
    ]
    for ours, theirs in cases:
        np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=2e-4, atol=2e-5)
        assert ours.dtype == str(theirs.dtype).replace("torch.", "")
    for ours, theirs in zip(slogdet(a32), keras.ops.slogdet(a32)):
        np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-5)
        assert ours.dtype == "float32"


def test_dtypes():
    assert inv(np.eye(2, dtype="int32")).dtype == backend.floatx()
    assert det(np.eye(2, dtype="float16")).dtype == "float16"
    assert solve(np.eye(2, dtype="float64"), np.ones(2, "float32")).dtype == "float64"
    assert matrix_rank(np.eye(2)).dtype == "int32"


@pytest.mark.parametrize("fn, inputs", [
    (inv, [A]),
    (det, [A]),
    (slogdet, [A]),
    (logdet, [SPD]),
    (solve, [A, B]),
    (solve, [A, BV]),
    (solve, [A[0], B]),                                   # broadcast batch
    (lambda a, b: solve_triangular(a, b, lower=True), [A, B]),
    (solve_triangular, [A, BV]),
    (pinv, [R]),
    (pinv, [R.T]),
    (lstsq, [R, RNG.standard_normal((4, 2))]),
    (cholesky_inverse, [np.tril(A[0])]),
    (lambda f: cholesky_inverse(f, upper=True), [np.triu(A[0])]),
], ids=lambda v: getattr(v, "__name__", "") if callable(v) else "")
def test_gradients(fn, inputs):
    check_gradients(fn, inputs, rtol=1e-5, atol=1e-6)


def test_matrix_rank_is_a_constant_for_the_tape():
    x = Variable(np.eye(2))
    with GradientTape() as tape:
        rank = matrix_rank(x)
        loss = ops.sum(x * ops.cast(rank, "float64"))
    assert rank.dtype == "int32"
    np.testing.assert_allclose(tape.gradient(loss, x), np.full((2, 2), 2.0))


def test_errors_name_the_op():
    with pytest.raises(ValueError, match="inv: expected square"):
        inv(np.ones((2, 3)))
    with pytest.raises(ValueError, match="det: expected a tensor of rank >= 2"):
        det(np.ones(3))
    with pytest.raises(ValueError, match="solve: incompatible shapes"):
        solve(np.eye(3), np.ones((4, 2)))
    with pytest.raises(ValueError, match="inv: Singular"):
        inv(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="lstsq: expected `a` of rank 2"):
        lstsq(np.ones((2, 3, 3)), np.ones(3))
    with pytest.raises(ValueError, match="lstsq: expected b.shape"):
        lstsq(np.ones((3, 2)), np.ones(4))
    with pytest.raises(TypeError, match="solve"):
        solve(None, np.ones(3))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    def run(name):
        with backend.use_backend(name):
            a, b = Variable(A), Variable(B)
            with GradientTape() as tape:
                out = [inv(a), det(a), slogdet(a)[1], solve(a, b),
                       solve_triangular(a, b, lower=True), pinv(a), cholesky_inverse(a)]
                loss = sum(ops.sum(o * o) for o in out)
            return [np.asarray(o) for o in out] + [np.asarray(g) for g in
                                                   tape.gradient(loss, [a, b])]
    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
