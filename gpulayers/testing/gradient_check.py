"""Numerical gradient checking: the tape's gradients against central finite differences.

Works on the active backend in float64, so every op's backward can be checked on NumPy and on
CuPy alike (Chainer's ``gradient_check`` idea).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import GradientTape, Tensor, convert_to_tensor


def _as_float64_tensors(inputs: Sequence[Any]) -> list[Tensor]:
    tensors = []
    for value in inputs:
        tensor = convert_to_tensor(value)
        if tensor.dtype != "float64":
            tensor = Tensor(tensor.data.astype("float64"))
        tensors.append(tensor)
    return tensors


def _outputs(result: Any) -> list[Tensor]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _projection(outputs: list[Tensor], seed: int) -> list[Any]:
    """Random weights w so the checked scalar is sum_k <w_k, out_k> (tests every element)."""
    xp = backend.xp()
    generator = xp.random.default_rng(seed)
    return [generator.standard_normal(out.shape).astype("float64") for out in outputs]


def _scalar(fn: Callable[..., Any], arrays: list[Any], weights: list[Any]) -> float:
    outputs = _outputs(fn(*[Tensor(a) for a in arrays]))
    return float(sum((out.data.astype("float64") * w).sum() for out, w in zip(outputs, weights)))


def numerical_gradients(fn: Callable[..., Any], inputs: Sequence[Any], weights: list[Any],
                        eps: float = 1e-6, wrt: Sequence[int] | None = None) -> list[Any]:
    """Central differences of ``sum_k <weights_k, fn(*inputs)_k>`` with respect to each input."""
    arrays = [t.data.copy() for t in _as_float64_tensors(inputs)]
    wrt = range(len(arrays)) if wrt is None else wrt
    grads = []
    for index in wrt:
        array = arrays[index]
        grad = backend.xp().zeros_like(array)
        flat_grad = grad.reshape(-1)
        flat = array.reshape(-1)
        for position in range(flat.size):
            original = float(flat[position])
            flat[position] = original + eps
            plus = _scalar(fn, arrays, weights)
            flat[position] = original - eps
            minus = _scalar(fn, arrays, weights)
            flat[position] = original
            flat_grad[position] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def check_gradients(fn: Callable[..., Any], inputs: Sequence[Any], *,
                    wrt: Sequence[int] | None = None, eps: float = 1e-6, rtol: float = 1e-5,
                    atol: float = 1e-6, seed: int = 0) -> None:
    """Assert that the tape's gradients of ``fn`` match central differences in float64.

    Args:
        fn: takes one Tensor per input and returns a Tensor or a tuple of Tensors.
        inputs: array-likes (cast to float64); gradients are checked with respect to each one,
            or only those whose positions are listed in ``wrt``.
        eps: finite-difference step. rtol/atol: tolerances of the comparison.
        seed: seed of the random output weights that turn outputs into one scalar.

    Raises AssertionError naming the input, the worst element and both values.

    Example::

        check_gradients(lambda a, b: ops.matmul(a, b), [np.random.rand(2, 3), np.random.rand(3, 4)])
    """
    tensors = _as_float64_tensors(inputs)
    wrt = list(range(len(tensors))) if wrt is None else list(wrt)
    with GradientTape() as tape:
        tape.watch([tensors[i] for i in wrt])
        outputs = _outputs(fn(*tensors))
    weights = _projection(outputs, seed)
    analytic = tape.gradient(outputs, [tensors[i] for i in wrt],
                             output_gradients=[Tensor(w) for w in weights],
                             unconnected_gradients="zero")
    numeric = numerical_gradients(fn, tensors, weights, eps=eps, wrt=wrt)
    for index, got, expected in zip(wrt, analytic, numeric):
        _assert_close(index, backend.to_numpy(got.data), backend.to_numpy(expected), rtol, atol)


def _assert_close(index: int, got: Any, expected: Any, rtol: float, atol: float) -> None:
    if got.shape != expected.shape:
        raise AssertionError(
            f"gradient of input {index}: shape {got.shape}, expected {expected.shape}")
    error = abs(got - expected) - (atol + rtol * abs(expected))
    if error.size and error.max() > 0:
        worst = int(error.argmax())
        raise AssertionError(
            f"gradient of input {index} differs from central differences at flat index {worst}: "
            f"tape {got.reshape(-1)[worst]!r}, numeric {expected.reshape(-1)[worst]!r} "
            f"(max abs diff {abs(got - expected).max():.3g}, rtol={rtol}, atol={atol})"
        )
