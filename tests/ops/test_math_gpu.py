"""The math ops give the same values and gradients on CuPy as on NumPy (float32)."""

import numpy as np
import pytest

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.testing import requires_gpu

RNG = np.random.default_rng(4)

CASES = {  # name: (function of Variables, input shapes)
    "add_broadcast": (lambda a, b: a + b, [(4, 1, 3), (2, 3)]),
    "divide": (lambda a, b: a / (ops.abs(b) + 0.5), [(3, 4), (4,)]),
    "power": (lambda a, b: ops.power(ops.abs(a) + 0.5, b), [(3, 4), (3, 4)]),
    "maximum": (lambda a, b: ops.maximum(a, b), [(3, 4), (1, 4)]),
    "arctan2": (ops.arctan2, [(5,), (5,)]),
    "unary_chain": (lambda a: ops.tanh(ops.exp(-ops.square(a))) + ops.clip(a, -0.5, 0.5),
                    [(3, 5)]),
    "cast": (lambda a: ops.cast(ops.cast(a, "float64") * 2.0, "float32"), [(4,)]),
    "matmul_batched": (ops.matmul, [(2, 1, 3, 4), (5, 4, 2)]),
    "matmul_vector": (ops.matmul, [(4,), (2, 4, 3)]),
    "tensordot": (lambda a, b: ops.tensordot(a, b, axes=([1, 2], [1, 0])),
                  [(2, 3, 4), (4, 3, 5)]),
    "einsum_diagonal": (lambda a, b: ops.einsum("iij,jk->ik", a, b), [(3, 3, 4), (4, 2)]),
    "einsum_ellipsis": (lambda a, b: ops.einsum("...ij,...jk", a, b), [(2, 3, 4), (1, 4, 2)]),
    "reductions": (lambda a: ops.sum(a, axis=(0, 2)) + ops.mean(a, axis=(0, 2))
                   + ops.max(a, axis=(0, 2)) + ops.var(a, axis=(0, 2))
                   + ops.std(a, axis=(0, 2)) + ops.logsumexp(a, axis=(0, 2)), [(2, 3, 4)]),
    "prod": (lambda a: ops.prod(a, axis=1), [(3, 4)]),
    "cumulative": (lambda a: ops.cumsum(a, axis=1) + ops.cumprod(a, axis=1), [(3, 4)]),
    "norms": (lambda a: ops.norm(a, axis=(1, 2)) + ops.norm(a, ord="nuc", axis=(1, 2))
              + ops.norm(a, ord=2, axis=(1, 2)) + ops.norm(a, ord=1, axis=(1, 2)),
              [(2, 3, 3)]),
    "trace": (lambda a: ops.trace(a, offset=1, axis1=1, axis2=2), [(2, 3, 4)]),
}


def _run(backend_name, fn, arrays):
    with backend.use_backend(backend_name):
        tensors = [Variable(a) for a in arrays]
        with GradientTape() as tape:
            out = fn(*tensors)
            loss = ops.sum(out * ops.convert_to_tensor(np.linspace(-1, 1, out.size).reshape(
                out.shape).astype(out.dtype)))
        grads = tape.gradient(loss, tensors)
        return np.asarray(out), [np.asarray(g) for g in grads]


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("name", sorted(CASES))
def test_cupy_matches_numpy(name):
    fn, shapes = CASES[name]
    arrays = [RNG.standard_normal(shape).astype("float32") for shape in shapes]
    if name == "cumulative":
        arrays[0][1, 2] = 0.0  # exercises cumprod's zero-safe gradient path
    expected, expected_grads = _run("numpy", fn, arrays)
    got, got_grads = _run("cupy", fn, arrays)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    for got_grad, expected_grad in zip(got_grads, expected_grads):
        np.testing.assert_allclose(got_grad, expected_grad, rtol=1e-4, atol=1e-5)


@pytest.mark.gpu
@requires_gpu
def test_cupy_results_stay_on_the_device():
    with backend.use_backend("cupy"):
        result = ops.argmax(ops.matmul(np.ones((2, 3), "float32"), np.eye(3, dtype="float32")),
                            axis=1)
        assert type(result.data).__module__.startswith("cupy")
        assert result.dtype == "int32"
