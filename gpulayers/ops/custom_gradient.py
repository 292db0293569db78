"""``custom_gradient``: a function with a hand-written gradient (Keras 3's decorator).

The decorated ``f(*args)`` returns ``(outputs, grad_fn)``. The outputs are recorded on the
gradient tape as one node whose vector-Jacobian product is ``grad_fn``, so the tape uses
``grad_fn`` instead of differentiating through ``f``'s own ops.

``grad_fn`` is called as Keras's backends call it:

* if it takes ``**kwargs`` or an ``upstream`` parameter besides others (``*args``), as on
  Keras's torch backend: ``grad_fn(*args, upstream=upstream)``;
* otherwise, as on TensorFlow/JAX: ``grad_fn(upstream)``.

It returns one gradient per positional argument of ``f`` (a single value when ``f`` has one
argument); ``None`` means no gradient for that argument.

Example::

    @custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

        return ops.log(1 + e), grad
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, convert_to_tensor, record
from gpulayers.ops.nested import flatten, pack_as

__all__ = ["custom_gradient"]


def _takes_upstream_keyword(grad_fn: Callable[..., Any]) -> bool:
    """Torch style (``grad_fn(*args, upstream=g)``) unless ``upstream`` would be the only
    positional parameter (``lambda upstream: ...`` is the TF/JAX style)."""
    try:
        parameters = list(inspect.signature(grad_fn).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return True
    names = [p.name for p in parameters]
    return "upstream" in names and len(parameters) > 1


def _as_gradient_array(grad: Any, source: Any, index: int, name: str) -> Any:
    if grad is None or not isinstance(source, Tensor):
        return None
    array = convert_to_tensor(grad).data
    if tuple(array.shape) != source.shape:
        try:
            array = backend.xp().broadcast_to(array, source.shape)
        except ValueError:
            raise ValueError(f"custom_gradient: the gradient {index} returned by the grad_fn "
                             f"of {name!r} has shape {tuple(array.shape)}, expected the shape "
                             f"of argument {index}, {source.shape}") from None
    return array.astype(source.data.dtype, copy=False)


def custom_gradient(f: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``f(*args, **kwargs) -> (outputs, grad_fn)`` so the tape differentiates it
    with ``grad_fn`` (see the module docstring). ``outputs`` may be a tensor or a nested
    structure of tensors; ``upstream`` then has the same structure."""
    if not callable(f):
        raise TypeError(f"custom_gradient: expected a callable. Received: {f!r}")
    name = getattr(f, "__name__", "custom_gradient")

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = f(*args, **kwargs)
        if not isinstance(result, (tuple, list)) or len(result) != 2 or not callable(result[1]):
            raise TypeError(f"custom_gradient: {name!r} must return (outputs, grad_fn). "
                            f"Received: {type(result).__name__}")
        outputs, grad_fn = result
        leaves = [convert_to_tensor(leaf) for leaf in flatten(outputs)]
        arrays = tuple(leaf.data for leaf in leaves)
        with_keyword = _takes_upstream_keyword(grad_fn)

        def vjp(grad: Any) -> tuple[Any, ...]:
            grads = grad if isinstance(grad, tuple) else (grad,)
            upstream = pack_as(outputs, [Tensor(g) for g in grads])
            given = grad_fn(*args, upstream=upstream) if with_keyword else grad_fn(upstream)
            given = tuple(given) if isinstance(given, (tuple, list)) else (given,)
            if len(given) != len(args):
                raise ValueError(f"custom_gradient: the grad_fn of {name!r} returned "
                                 f"{len(given)} gradients for {len(args)} arguments")
            return tuple(_as_gradient_array(g, a, i, name)
                         for i, (g, a) in enumerate(zip(given, args)))

        recorded = record(arrays if len(arrays) > 1 else arrays[0], args, vjp, name=name)
        recorded = recorded if isinstance(recorded, tuple) else (recorded,)
        return pack_as(outputs, list(recorded))

    return wrapper
