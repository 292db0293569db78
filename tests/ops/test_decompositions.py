"""Matrix decompositions: values against NumPy and Keras 3, dtypes, gradients against
central differences, non-differentiable ops, errors, and CuPy-vs-NumPy agreement."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.decompositions import cholesky, eig, eigh, lu_factor, qr, svd
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(11)
M = RNG.standard_normal((2, 3, 3))
SPD = M @ np.swapaxes(M, -1, -2) + 3 * np.eye(3)
SYM = M + np.swapaxes(M, -1, -2)


def spd(m):
    return ops.matmul(m, ops.swapaxes(m, -1, -2)) + 3.0 * np.eye(m.shape[-1])


def sym(m):
    return m + ops.swapaxes(m, -1, -2)


def _lu_reference(a):
    """Doolittle with partial pivoting, one matrix, plain loops."""
    a = a.copy()
    m, n = a.shape
    piv = []
    for j in range(min(m, n)):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        piv.append(p)
        a[[j, p]] = a[[p, j]]
        if a[j, j] != 0:
            for i in range(j + 1, m):
                a[i, j] /= a[j, j]
                for k in range(j + 1, n):
                    a[i, k] -= a[i, j] * a[j, k]
    return a, np.array(piv)


def test_values_match_numpy_and_definitions():
    np.testing.assert_allclose(cholesky(SPD), np.linalg.cholesky(SPD), rtol=1e-12)
    np.testing.assert_allclose(cholesky(SPD, upper=True),
                               np.swapaxes(np.linalg.cholesky(SPD), -1, -2), rtol=1e-12)
    w, v = eigh(SYM)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(SYM), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(SYM @ np.asarray(v), np.asarray(v) * np.asarray(w)[:, None, :],
                               atol=1e-10)
    for shape in [(4, 3), (3, 5)]:
        x = RNG.standard_normal(shape)
        for mode in ["reduced", "complete"]:
            q, r = qr(x, mode=mode)
            np.testing.assert_allclose(np.asarray(q) @ np.asarray(r), x, atol=1e-12)
            np.testing.assert_allclose(r, np.linalg.qr(x, mode=mode)[1], atol=1e-12)
        for full in [True, False]:
            u, s, vh = (np.asarray(t) for t in svd(x, full_matrices=full))
            k = min(shape)
            np.testing.assert_allclose((u[:, :k] * s) @ vh[:k], x, atol=1e-12)
            assert u.shape == ((shape[0], shape[0]) if full else (shape[0], k))
        np.testing.assert_allclose(svd(x, compute_uv=False),
                                   np.linalg.svd(x, compute_uv=False), rtol=1e-12)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 3, 3)])
def test_lu_factor_matches_a_loop_reference(shape):
    x = RNG.standard_normal(shape)
    x[..., 1, :] = x[..., 0, :] * 2  # a repeated row: a zero pivot appears in square cases
    lu, piv = lu_factor(x)
    flat_x, flat_lu, flat_piv = x.reshape((-1,) + shape[-2:]), np.asarray(lu), np.asarray(piv)
    for i, matrix in enumerate(flat_x):
        expected_lu, expected_piv = _lu_reference(matrix)
        np.testing.assert_allclose(flat_lu.reshape(flat_x.shape)[i], expected_lu, atol=1e-12)
        np.testing.assert_array_equal(flat_piv.reshape(len(flat_x), -1)[i], expected_piv)
    assert piv.dtype == "int32"


def test_eig_real_spectrum_and_complex_error():
    upper = np.triu(RNG.standard_normal((3, 3))) + np.diag([1.0, 2.0, 3.0])
    w, v = eig(upper)
    np.testing.assert_allclose(np.sort(np.asarray(w)), np.sort(np.diag(upper)), rtol=1e-12)
    np.testing.assert_allclose(upper @ np.asarray(v), np.asarray(v) * np.asarray(w), atol=1e-12)
    with pytest.raises(ValueError, match="eig: the input has complex eigenvalues"):
        eig(np.array([[0.0, -1.0], [1.0, 0.0]]))


def test_matches_keras():
    keras = keras_or_skip()
    spd32, sym32 = SPD.astype("float32"), SYM.astype("float32")
    x32 = RNG.standard_normal((2, 4, 3)).astype("float32")
    pairs = [(cholesky(spd32), keras.ops.cholesky(spd32)),
             (cholesky(spd32, upper=True), keras.ops.cholesky(spd32, upper=True)),
             (eigh(sym32)[0], keras.ops.eigh(sym32)[0]),
             (svd(x32, compute_uv=False), keras.ops.svd(x32, compute_uv=False))]
    for mode in ["reduced", "complete"]:
        pairs += list(zip(qr(x32, mode=mode), keras.ops.qr(x32, mode=mode)))
    pairs += list(zip(lu_factor(spd32), keras.ops.lu_factor(spd32)))
    for ours, theirs in pairs:
        np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-4, atol=1e-5)
        assert ours.dtype == str(theirs.dtype).replace("torch.", "")
    # singular vectors are unique up to sign: compare |u|, |vh| and the shapes
    for full in [True, False]:
        for ours, theirs in zip(svd(x32, full_matrices=full),
                                keras.ops.svd(x32, full_matrices=full)):
            assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(np.abs(np.asarray(svd(x32, full)[2])),
                                   np.abs(to_numpy(keras.ops.svd(x32, full)[2])), atol=1e-5)
    # Keras returns complex eigenpairs; their real parts match ours for a real spectrum
    upper = np.triu(RNG.standard_normal((3, 3))).astype("float32") + np.diag([1.0, 2.0, 3.0])
    w_k, _ = keras.ops.eig(upper.astype("float32"))
    np.testing.assert_allclose(np.sort(np.asarray(eig(upper)[0])),
                               np.sort(to_numpy(w_k).real), rtol=1e-5)


def test_dtypes():
    assert cholesky(np.eye(2, dtype="int32")).dtype == backend.floatx()
    assert [t.dtype for t in qr(np.eye(2, dtype="float16"))] == ["float16", "float16"]
    assert [t.dtype for t in lu_factor(np.eye(2))] == ["float64", "int32"]


def _sign_free_svd(full):
    def fn(x):
        u, s, vh = svd(x, full_matrices=full)
        return u * u, s, vh * vh, ops.matmul(u[..., :, :s.shape[-1]] * s[..., None, :],
                                             vh[..., :s.shape[-1], :])
    return fn


@pytest.mark.parametrize("fn, shape", [
    (lambda m: cholesky(spd(m)), (2, 3, 3)),
    (lambda m: cholesky(spd(m), upper=True), (3, 3)),
    (lambda m: (lambda w, v: (w, v * v))(*eigh(sym(m))), (2, 3, 3)),
    (lambda m: eigh(sym(m))[0], (3, 3)),
    (qr, (4, 3)),
    (qr, (3, 5)),
    (lambda x: qr(x, mode="complete"), (3, 5)),
    (lambda x: svd(x, compute_uv=False), (2, 4, 3)),
    (_sign_free_svd(False), (4, 3)),
    (_sign_free_svd(False), (3, 5)),
    (_sign_free_svd(True), (3, 3)),
])
def test_gradients(fn, shape):
    check_gradients(fn, [RNG.standard_normal(shape)], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn, match", [
    (lambda x: eig(ops.triu(x) + np.diag([1.0, 2.0, 3.0]))[0], "eig: no gradient"),
    (lambda x: lu_factor(x)[0], "lu_factor: no gradient"),
    (lambda x: qr(x[:, :2], mode="complete")[0], "qr: no gradient for mode='complete'"),
    (lambda x: svd(x[:, :2])[0], "svd: no gradient through u or vh"),
])
def test_undefined_gradients_raise(fn, match):
    x = Variable(RNG.standard_normal((3, 3)))
    with GradientTape() as tape:
        loss = ops.sum(fn(x))
    with pytest.raises(ValueError, match=match):
        tape.gradient(loss, x)


def test_svd_values_gradient_works_with_full_matrices():
    x = Variable(RNG.standard_normal((4, 3)))
    with GradientTape() as tape:
        loss = ops.sum(svd(x)[1])
    u, _, vh = np.linalg.svd(np.asarray(x), full_matrices=False)
    np.testing.assert_allclose(tape.gradient(loss, x), u @ vh, atol=1e-12)


def test_errors_name_the_op():
    with pytest.raises(ValueError, match="cholesky: decomposition failed|cholesky: Matrix"):
        cholesky(-np.eye(2))
    with pytest.raises(ValueError, match="eigh: expected square"):
        eigh(np.ones((2, 3)))
    with pytest.raises(ValueError, match="qr: `mode` must be one of"):
        qr(np.eye(2), mode="r")
    with pytest.raises(ValueError, match="svd: expected a tensor of rank >= 2"):
        svd(np.ones(3))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    def run(name):
        with backend.use_backend(name):
            m = Variable(M)
            with GradientTape() as tape:
                w, v = eigh(sym(m))
                u, s, vh = svd(m, full_matrices=False)
                q, r = qr(m)
                outs = [cholesky(spd(m)), w, v * v, s, u * u, ops.abs(r), lu_factor(m)[0]]
                loss = sum(ops.sum(o) for o in outs[:-1])
            return [np.asarray(o) for o in outs] + [np.asarray(tape.gradient(loss, m)),
                                                   np.asarray(eig(ops.triu(M))[0])]
    for got, expected in zip(run("cupy"), run("numpy")):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
