"""More activation functions (Keras 3 ``keras.ops`` / ``keras.activations`` names): CELU,
GLU, the shrink family, hard tanh, sparse plus/sigmoid, sparsemax, squareplus, threshold.

Like :mod:`gpulayers.ops.activations`, each is one tape node with a hand-written vjp,
computed in the input's float dtype (integer and bool inputs become ``floatx()``). Where a
function has a kink, the gradient there is the one PyTorch (Keras's reference backend) uses:
the flat side for the shrink functions, hard tanh and threshold.

Example::

    y = celu(x, alpha=0.5)
    gated = glu(x, axis=-1)          # x.shape[-1] must be even; halves it
    p = sparsemax(logits, axis=-1)   # a probability vector with exact zeros
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.activation_arrays import sigmoid_array
from gpulayers.ops.activations import float_tensor
from gpulayers.ops.elementwise import elementwise_unary

__all__ = [
    "celu", "glu", "hard_shrink", "hard_tanh", "soft_shrink", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "tanh_shrink", "threshold",
]


def _xp() -> Any:
    return backend.xp()


def _number(value: Any, op_name: str, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(
            value, "__float__"):
        raise TypeError(f"{op_name}: `{argument}` must be a number. Received: {value!r}")
    return float(value)


def _axis(axis: Any, ndim: int, op_name: str) -> int:
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{op_name}: `axis` must be an int. Received: axis={axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op_name}: axis {axis} is out of bounds for a tensor of rank {ndim}")
    return axis % ndim


def _activation(name: str, x: Any, forward: Callable[[Any], Any],
                backward: Callable[[Any, Any, Any], Any]) -> Tensor:
    """``forward(v) -> y`` and ``backward(grad, v, y) -> grad_v`` on float arrays; the result
    keeps the input's float dtype."""
    def typed_backward(grad: Any, v: Any, y: Any) -> Any:
        return backward(grad, v, y).astype(v.dtype, copy=False)

    return elementwise_unary(name, float_tensor(x, name),
                             lambda v: forward(v).astype(v.dtype, copy=False), typed_backward)


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """Continuously differentiable ELU: ``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``.

    Raises ValueError for ``alpha == 0``. Example: ``celu([-1.0, 2.0])`` -> ``[-0.632, 2.0]``.
    """
    alpha = _number(alpha, "celu", "alpha")
    if alpha == 0:
        raise ValueError("celu: `alpha` must be nonzero. Received: alpha=0")
    xp = _xp()
    return _activation(
        "celu", x,
        lambda v: xp.where(v > 0, v, alpha * xp.expm1(xp.minimum(v, 0) / alpha)),
        lambda g, v, y: g * xp.where(v > 0, 1.0, xp.exp(xp.minimum(v, 0) / alpha)))


def hard_tanh(x: Any) -> Tensor:
    """``clip(x, -1, 1)``; gradient 1 strictly inside, 0 elsewhere."""
    xp = _xp()
    return _activation("hard_tanh", x, lambda v: xp.clip(v, -1.0, 1.0),
                       lambda g, v, y: g * ((v > -1) & (v < 1)))


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """``x`` where ``|x| > threshold``, 0 elsewhere."""
    cutoff = _number(threshold, "hard_shrink", "threshold")
    xp = _xp()
    return _activation("hard_shrink", x, lambda v: xp.where(xp.abs(v) > cutoff, v, 0.0),
                       lambda g, v, y: g * (xp.abs(v) > cutoff))


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    cutoff = _number(threshold, "soft_shrink", "threshold")
    xp = _xp()

    def forward(v: Any) -> Any:
        return xp.where(v > cutoff, v - cutoff, xp.where(v < -cutoff, v + cutoff, 0.0))

    return _activation("soft_shrink", x, forward,
                       lambda g, v, y: g * ((v > cutoff) | (v < -cutoff)))


def tanh_shrink(x: Any) -> Tensor:
    """``x - tanh(x)``; gradient ``tanh(x)^2``."""
    xp = _xp()
    return _activation("tanh_shrink", x, lambda v: v - xp.tanh(v),
                       lambda g, v, y: g * xp.tanh(v) ** 2)


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    """``x`` where ``x > threshold``, ``default_value`` elsewhere (Keras ``ops.threshold``).

    Example: ``threshold([-1.0, 0.5, 2.0], 0.0, -9.0)`` -> ``[-9.0, 0.5, 2.0]``.
    """
    cutoff = _number(threshold, "threshold", "threshold")
    fill = _number(default_value, "threshold", "default_value")
    xp = _xp()
    return _activation("threshold", x, lambda v: xp.where(v > cutoff, v, fill),
                       lambda g, v, y: g * (v > cutoff))


def sparse_plus(x: Any) -> Tensor:
    """0 for ``x <= -1``, ``(x + 1)^2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1`` (a
    softplus with exact zeros)."""
    xp = _xp()

    def forward(v: Any) -> Any:
        return xp.where(v <= -1, 0.0, xp.where(v < 1, 0.25 * (v + 1) ** 2, v))

    def backward(g: Any, v: Any, y: Any) -> Any:
        return g * xp.where(v <= -1, 0.0, xp.where(v < 1, 0.5 * (v + 1), 1.0))

    return _activation("sparse_plus", x, forward, backward)


def sparse_sigmoid(x: Any) -> Tensor:
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` in between."""
    xp = _xp()
    return _activation("sparse_sigmoid", x, lambda v: xp.clip(0.5 * (v + 1), 0.0, 1.0),
                       lambda g, v, y: g * (0.5 * ((v > -1) & (v < 1))))


def squareplus(x: Any, b: float = 4) -> Tensor:
    """``(x + sqrt(x^2 + b)) / 2``, a smooth ReLU (``b >= 0``; ``b = 0`` is ReLU).

    Raises ValueError for negative ``b`` (the square root would be NaN near 0).
    """
    smoothness = _number(b, "squareplus", "b")
    if smoothness < 0:
        raise ValueError(f"squareplus: `b` must be >= 0. Received: b={b!r}")
    xp = _xp()

    def backward(g: Any, v: Any, y: Any) -> Any:
        root = xp.sqrt(v * v + smoothness)
        return g * 0.5 * (1.0 + xp.where(root > 0, v / xp.where(root > 0, root, 1), 0))

    return _activation("squareplus", x, lambda v: 0.5 * (v + xp.sqrt(v * v + smoothness)),
                       backward)


def glu(x: Any, axis: int = -1) -> Tensor:
    """Gated linear unit: split ``x`` in halves ``a, b`` along ``axis``, return
    ``a * sigmoid(b)`` (``axis`` is halved).

    Raises ValueError when ``x.shape[axis]`` is odd. Example: ``glu(x)`` for ``x`` of shape
    ``(batch, 2 * units)`` gives ``(batch, units)``.
    """
    tensor = float_tensor(x, "glu")
    xp = _xp()
    if tensor.ndim == 0:
        raise ValueError("glu: expected a tensor of rank >= 1. Received a scalar")
    axis = _axis(axis, tensor.ndim, "glu")
    if tensor.shape[axis] % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even. Received: "
                         f"x.shape={tensor.shape}")
    values, gates = xp.split(tensor.data, 2, axis=axis)
    gate = sigmoid_array(gates)
    out = values * gate

    def vjp(grad: Any) -> tuple[Any]:
        return (xp.concatenate([grad * gate, grad * values * gate * (1.0 - gate)], axis=axis),)

    return record(out, (tensor,), vjp, name="glu")


def sparsemax(x: Any, axis: int = -1) -> Tensor:
    """Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of ``x`` onto the
    probability simplex along ``axis``; like softmax, but many outputs are exactly 0.

    ``out = max(x - tau, 0)`` with ``tau`` chosen so the outputs sum to 1. The gradient is
    ``grad - mean(grad over the support)`` on the support (``out > 0``), 0 elsewhere.
    Example: ``sparsemax([1.0, 2.0, 5.0])`` -> ``[0, 0, 1]``.
    """
    tensor = float_tensor(x, "sparsemax")
    xp = _xp()
    if tensor.ndim == 0:
        raise ValueError("sparsemax: expected a tensor of rank >= 1. Received a scalar")
    axis = _axis(axis, tensor.ndim, "sparsemax")
    data = tensor.data
    ordered = -xp.sort(-data, axis=axis)  # descending
    running_sum = xp.cumsum(ordered, axis=axis)
    shape = [1] * data.ndim
    shape[axis] = data.shape[axis]
    rank = xp.arange(1, data.shape[axis] + 1, dtype=data.dtype).reshape(shape)
    # Sorted entry k is in the support while 1 + k * z_k > sum of the first k entries.
    in_support = 1 + rank * ordered > running_sum
    size = in_support.sum(axis=axis, keepdims=True)
    support_sum = xp.take_along_axis(running_sum, size - 1, axis=axis)
    tau = (support_sum - 1) / size.astype(data.dtype)
    out = xp.maximum(data - tau, 0).astype(data.dtype, copy=False)
    support = out > 0

    def vjp(grad: Any) -> tuple[Any]:
        mean = (grad * support).sum(axis=axis, keepdims=True) / support.sum(
            axis=axis, keepdims=True)
        return ((grad - mean) * support,)

    return record(out, (tensor,), vjp, name="sparsemax")
