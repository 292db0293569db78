"""Activation functions as differentiable ops (Keras 3 ``keras.activations`` / ``keras.ops``).

Every activation is one tape node with a hand-written vjp on raw backend arrays, computed in
the input's float dtype (integer and bool inputs become ``floatx()``); the output has the
input's shape. Formulas follow Keras 3 exactly (``hard_sigmoid(x) = relu6(x + 3) / 6``,
SELU constants, ``relu`` with ``negative_slope``/``max_value``/``threshold``) and are
numerically stable for large inputs (``sigmoid``, ``softplus``, ``log_sigmoid``,
``softmax``/``log_softmax`` never overflow).

Example::

    y = relu(x, max_value=6.0)              # same as relu6(x)
    p = softmax(logits, axis=-1)
    act = get_activation("gelu")            # Keras's activations.gelu (exact erf form)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops import math as _math
from gpulayers.ops.activation_arrays import (
    log_softmax_array,
    sigmoid_array,
    softmax_array,
    softmax_axes,
    softplus_array,
)

__all__ = [
    "elu", "exponential", "gelu", "get_activation", "hard_sigmoid", "hard_silu", "hard_swish",
    "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu",
    "sigmoid", "silu", "softmax", "softplus", "softsign", "swish",
]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_GELU_TANH_COEFFICIENT = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def float_tensor(x: Any, op_name: str) -> Tensor:
    """``x`` as a float Tensor: integer/bool inputs become ``floatx()`` (they have no gradient)."""
    tensor = autodiff.convert_to_tensor(x)
    kind = tensor.data.dtype.kind
    if kind == "f":
        return tensor
    if kind in "biu":
        return Tensor(tensor.data.astype(backend.floatx()))
    raise TypeError(f"{op_name}: expected a real-valued tensor. Received dtype {tensor.dtype}")


def _real_number(value: Any, op_name: str, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(
            value, "__float__"):
        raise TypeError(f"{op_name}: `{argument}` must be a number. Received: {value!r}")
    return float(value)


def _unary(x: Any, name: str, forward: Callable[[Any], Any],
           backward: Callable[[Any, Any, Any], Any]) -> Tensor:
    """One-node elementwise op: ``forward(x) -> y``; ``backward(grad, x, y) -> grad_x``."""
    x = float_tensor(x, name)
    data = x.data
    out = forward(data).astype(data.dtype, copy=False)

    def vjp(grad: Any) -> tuple[Any]:
        return (backward(grad, data, out).astype(data.dtype, copy=False),)

    return autodiff.record(out, (x,), vjp, name=name)


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """Rectified linear unit, with Keras's options.

    ``f(x) = x if x > threshold else 0``, then clipped to ``[0, max_value]`` when
    ``max_value`` is given, then minus ``negative_slope * relu(threshold - x)``.
    Example: ``relu([-10, -5, 0, 5, 10], negative_slope=0.5) -> [-5, -2.5, 0, 5, 10]``.
    """
    slope = _real_number(negative_slope, "relu", "negative_slope")
    cutoff = _real_number(threshold, "relu", "threshold")
    ceiling = None if max_value is None else _real_number(max_value, "relu", "max_value")
    xp = backend.xp()

    def forward(v: Any) -> Any:
        out = xp.where(v > cutoff, v, 0)
        if ceiling is not None:
            out = xp.clip(out, 0, ceiling)
        if slope:
            out = out - slope * xp.maximum(cutoff - v, 0)
        return out

    def backward(grad: Any, v: Any, _: Any) -> Any:
        passes = v > cutoff
        if ceiling is not None:
            passes &= (v > 0) & (v < ceiling)
        slope_part = slope * (v < cutoff) if slope else 0
        return grad * (passes + slope_part)

    return _unary(x, "relu", forward, backward)


def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``."""
    xp = backend.xp()
    return _unary(x, "relu6", lambda v: xp.clip(v, 0, 6),
                  lambda g, v, _: g * ((v > 0) & (v < 6)))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """``x`` for ``x >= 0``, ``negative_slope * x`` otherwise."""
    slope = _real_number(negative_slope, "leaky_relu", "negative_slope")
    xp = backend.xp()
    return _unary(x, "leaky_relu", lambda v: xp.where(v >= 0, v, slope * v),
                  lambda g, v, _: g * xp.where(v >= 0, 1.0, slope))


def _exponential_linear(x: Any, name: str, alpha: float, scale: float) -> Tensor:
    xp = backend.xp()

    def forward(v: Any) -> Any:
        return scale * xp.where(v > 0, v, alpha * xp.expm1(xp.minimum(v, 0)))

    def backward(grad: Any, v: Any, y: Any) -> Any:
        return grad * xp.where(v > 0, scale, y + scale * alpha)

    return _unary(x, name, forward, backward)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
    return _exponential_linear(x, "elu", _real_number(alpha, "elu", "alpha"), 1.0)


def selu(x: Any) -> Tensor:
    """Scaled ELU: ``scale * elu(x, alpha)`` with alpha=1.67326324, scale=1.05070098."""
    return _exponential_linear(x, "selu", SELU_ALPHA, SELU_SCALE)


def _gelu_exact(x: Any) -> Tensor:
    xp = backend.xp()
    erf = backend.primitives("special").erf
    inverse_sqrt_two_pi = 1.0 / math.sqrt(2.0 * math.pi)
    cdf: dict[str, Any] = {}

    def forward(v: Any) -> Any:
        cdf["value"] = 0.5 * (1.0 + erf(v / math.sqrt(2.0)))
        return v * cdf["value"]

    def backward(grad: Any, v: Any, _: Any) -> Any:
        return grad * (cdf["value"] + v * xp.exp(-0.5 * v * v) * inverse_sqrt_two_pi)

    return _unary(x, "gelu", forward, backward)


def _gelu_tanh(x: Any) -> Tensor:
    xp = backend.xp()
    saved: dict[str, Any] = {}

    def forward(v: Any) -> Any:
        saved["tanh"] = xp.tanh(_GELU_TANH_COEFFICIENT * (v + _GELU_CUBIC * v ** 3))
        return 0.5 * v * (1.0 + saved["tanh"])

    def backward(grad: Any, v: Any, _: Any) -> Any:
        t = saved["tanh"]
        inner_slope = _GELU_TANH_COEFFICIENT * (1.0 + 3.0 * _GELU_CUBIC * v * v)
        return grad * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * inner_slope)

    return _unary(x, "gelu", forward, backward)


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """Gaussian error linear unit (``keras.ops.gelu``; approximate by default).

    ``approximate=True``: ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``;
    ``approximate=False``: ``0.5 x (1 + erf(x / sqrt(2)))``.
    """
    if not isinstance(approximate, bool):
        raise TypeError(f"gelu: `approximate` must be a bool. Received: {approximate!r}")
    return _gelu_tanh(x) if approximate else _gelu_exact(x)


def sigmoid(x: Any) -> Tensor:
    """Logistic ``1 / (1 + exp(-x))``, overflow-free and accurate in both tails."""
    return _unary(x, "sigmoid", sigmoid_array, lambda g, _, y: g * y * (1.0 - y))


def hard_sigmoid(x: Any) -> Tensor:
    """Keras 3 hard sigmoid: ``relu6(x + 3) / 6`` (0 below -3, 1 above 3)."""
    xp = backend.xp()
    return _unary(x, "hard_sigmoid", lambda v: xp.clip(v + 3.0, 0, 6) / 6.0,
                  lambda g, v, _: g * (((v > -3) & (v < 3)) / 6.0))


def hard_silu(x: Any) -> Tensor:
    """Hard SiLU / hard swish: ``x * relu6(x + 3) / 6``."""
    xp = backend.xp()

    def backward(grad: Any, v: Any, _: Any) -> Any:
        inside = (v > -3) & (v < 3)
        return grad * (xp.clip(v + 3.0, 0, 6) / 6.0 + v * inside / 6.0)

    return _unary(x, "hard_silu", lambda v: v * xp.clip(v + 3.0, 0, 6) / 6.0, backward)


hard_swish = hard_silu


def silu(x: Any) -> Tensor:
    """SiLU / swish: ``x * sigmoid(x)``."""
    saved: dict[str, Any] = {}

    def forward(v: Any) -> Any:
        saved["sigmoid"] = sigmoid_array(v)
        return v * saved["sigmoid"]

    def backward(grad: Any, v: Any, _: Any) -> Any:
        s = saved["sigmoid"]
        return grad * s * (1.0 + v * (1.0 - s))

    return _unary(x, "silu", forward, backward)


swish = silu


def softplus(x: Any) -> Tensor:
    """``log(1 + exp(x))``, computed as ``max(x, 0) + log1p(exp(-|x|))``."""
    return _unary(x, "softplus", softplus_array, lambda g, v, _: g * sigmoid_array(v))


def softsign(x: Any) -> Tensor:
    """``x / (1 + |x|)``."""
    xp = backend.xp()
    return _unary(x, "softsign", lambda v: v / (1.0 + xp.abs(v)),
                  lambda g, v, _: g / (1.0 + xp.abs(v)) ** 2)


def mish(x: Any) -> Tensor:
    """``x * tanh(softplus(x))``."""
    xp = backend.xp()
    saved: dict[str, Any] = {}

    def forward(v: Any) -> Any:
        saved["tanh"] = xp.tanh(softplus_array(v))
        return v * saved["tanh"]

    def backward(grad: Any, v: Any, _: Any) -> Any:
        t = saved["tanh"]
        return grad * (t + v * (1.0 - t * t) * sigmoid_array(v))

    return _unary(x, "mish", forward, backward)


def log_sigmoid(x: Any) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return _unary(x, "log_sigmoid", lambda v: -softplus_array(-v),
                  lambda g, v, _: g * sigmoid_array(-v))


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent (the ``ops.tanh`` node; listed here for ``get_activation``)."""
    return _math.tanh(x)


def exponential(x: Any) -> Tensor:
    """``exp(x)`` (the ``ops.exp`` node, under its Keras activation name)."""
    return _math.exp(x)


def linear(x: Any) -> Tensor:
    """The identity: returns ``x`` as a Tensor (the same Tensor when it already is one)."""
    return autodiff.convert_to_tensor(x)


def softmax(x: Any, axis: int | tuple[int, ...] = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple of ints), stable."""
    x = float_tensor(x, "softmax")
    axes = softmax_axes(axis, x.ndim, "softmax")
    out = softmax_array(x.data, axes)

    def vjp(grad: Any) -> tuple[Any]:
        return (out * (grad - (grad * out).sum(axis=axes, keepdims=True)),)

    return autodiff.record(out, (x,), vjp, name="softmax")


def log_softmax(x: Any, axis: int | tuple[int, ...] = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis`` (an int or a tuple of ints), stable."""
    x = float_tensor(x, "log_softmax")
    axes = softmax_axes(axis, x.ndim, "log_softmax")
    out = log_softmax_array(x.data, axes)

    def vjp(grad: Any) -> tuple[Any]:
        xp = backend.xp()
        return (grad - xp.exp(out) * grad.sum(axis=axes, keepdims=True),)

    return autodiff.record(out, (x,), vjp, name="log_softmax")


def _keras_gelu(x: Any, approximate: bool = False) -> Tensor:
    """``keras.activations.gelu``: the exact erf form unless ``approximate=True``."""
    return gelu(x, approximate=approximate)


_keras_gelu.__name__ = "gelu"

_BY_NAME: dict[str, Callable[..., Tensor]] = {
    "elu": elu, "exponential": exponential, "gelu": _keras_gelu, "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu, "hard_swish": hard_silu, "leaky_relu": leaky_relu,
    "linear": linear, "log_sigmoid": log_sigmoid, "log_softmax": log_softmax, "mish": mish,
    "relu": relu, "relu6": relu6, "selu": selu, "sigmoid": sigmoid, "silu": silu,
    "softmax": softmax, "softplus": softplus, "softsign": softsign, "swish": silu,
    "tanh": tanh,
}


def _by_name() -> dict[str, Callable[..., Tensor]]:
    """Every activation by Keras name, including the newer ones in ``extra_activations``
    (imported on first use: that module builds on this one)."""
    if "celu" not in _BY_NAME:
        from gpulayers.ops import extra_activations

        _BY_NAME.update({name: getattr(extra_activations, name)
                         for name in extra_activations.__all__})
        _NAME_OF.clear()
        for name, function in _BY_NAME.items():  # the first name listed wins ("silu")
            _NAME_OF.setdefault(function, name)
        _NAME_OF[_math.tanh] = "tanh"  # ops.tanh is the same function as activations.tanh
    return _BY_NAME


_NAME_OF: dict[Callable[..., Any], str] = {}


def get_activation(identifier: str | Callable[..., Any] | None) -> Callable[..., Any]:
    """An activation function from its Keras name, a callable (returned as is) or None (linear).

    ``"gelu"`` gives Keras's ``activations.gelu`` (exact, ``approximate=False`` by default).
    Raises ValueError listing the valid names for an unknown name, TypeError for other types.

    Example: ``get_activation("relu")(x)``.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        function = _by_name().get(identifier)
        if function is None:
            raise ValueError(
                f"Unknown activation {identifier!r}. Valid names: {', '.join(sorted(_BY_NAME))}"
            )
        return function
    if callable(identifier):
        return identifier
    raise TypeError(
        f"get_activation: expected an activation name, a callable or None. "
        f"Received: {identifier!r} of type {type(identifier).__name__}"
    )


def activation_name(identifier: Any) -> str | None:
    """The registered name of an activation (a name or one of this module's functions)."""
    if isinstance(identifier, str):
        return identifier if identifier in _by_name() else None
    if identifier is None:
        return "linear"
    _by_name()  # fills _NAME_OF on first use
    try:  # a dict lookup: layers ask on every call
        return _NAME_OF.get(identifier)
    except TypeError:  # an unhashable callable is no registered activation
        return None
