"""Control flow (Keras 3's ``keras.ops.cond``, ``switch``, ``while_loop``, ``fori_loop``,
``scan``, ``associative_scan``, ``map``, ``vectorized_map``).

gpulayers runs eagerly, like Keras's torch backend: these run Python control flow on
concrete tensors, so every op inside is recorded on the gradient tape and gradients flow
through the branch taken and through every loop iteration. Loop state may be a tensor or
a nested list/tuple/dict of tensors.

Example::

    total = fori_loop(0, 10, lambda i, acc: acc + i, 0)      # 45
    carry, ys = scan(lambda c, x: (c + x, c * x), 0.0, xs)   # running sums and products
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.ops.creation import zeros_like
from gpulayers.ops.joining import concatenate, stack
from gpulayers.ops.nested import flatten, is_nested, map_structure, pack_as
from gpulayers.ops.reordering import flip

__all__ = ["associative_scan", "cond", "fori_loop", "map", "scan", "switch",
           "vectorized_map", "while_loop"]


def _check_callable(op_name: str, name: str, value: Any) -> None:
    if not callable(value):
        raise TypeError(f"{op_name}: `{name}` should be a callable. Received: {name}={value!r}")


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """``true_fn()`` if ``pred`` (a bool or scalar tensor) is true, else ``false_fn()``."""
    _check_callable("cond", "true_fn", true_fn)
    _check_callable("cond", "false_fn", false_fn)
    size = getattr(pred, "size", 1)
    if not isinstance(size, int) or size != 1:
        raise ValueError(f"cond: `pred` must be a scalar. Received a value of shape "
                         f"{getattr(pred, 'shape', '?')}")
    return true_fn() if bool(pred) else false_fn()


def switch(index: Any, branches: Sequence[Callable[..., Any]], *operands: Any) -> Any:
    """``branches[index](*operands)``, with ``index`` clamped to ``[0, len(branches) - 1]``."""
    if not branches:
        raise ValueError("switch: `branches` must hold at least one callable. Received: []")
    for position, branch in enumerate(branches):
        _check_callable("switch", f"branches[{position}]", branch)
    chosen = min(max(int(index), 0), len(branches) - 1)
    return branches[chosen](*operands)


def while_loop(cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any,
               maximum_iterations: int | None = None) -> Any:
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (at most
    ``maximum_iterations`` times). A tuple/list ``loop_vars`` is unpacked into the
    arguments and a tuple is returned; a single value is passed and returned as is.

    Example: ``while_loop(lambda i: i < 10, lambda i: i + 1, 0)`` is 10.
    """
    _check_callable("while_loop", "cond", cond)
    _check_callable("while_loop", "body", body)
    is_tuple = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    state = map_structure(convert_to_tensor, state)
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and bool(cond(*state)):
        state = body(*state)
        state = tuple(state) if isinstance(state, (tuple, list)) else (state,)
        iteration += 1
    return state if is_tuple else state[0]


def fori_loop(lower: int, upper: int, body_fun: Callable[[int, Any], Any],
              init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; returns ``val``."""
    _check_callable("fori_loop", "body_fun", body_fun)
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def scan(f: Callable[[Any, Any], tuple[Any, Any]], init: Any, xs: Any = None,
         length: int | None = None, reverse: bool = False, unroll: int | bool = 1) -> Any:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs`` (nested allowed);
    returns ``(final carry, ys stacked along a new leading axis)``.

    Args:
        f: ``f(carry, x) -> (carry, y)``; ``x`` is None when ``xs`` is None.
        init: the initial carry (a tensor or nested structure).
        xs: values to scan over, or None with ``length`` given.
        length: number of steps (default: ``xs``'s leading size).
        reverse: scan from the end (``ys`` still in the original order).
        unroll: accepted for compatibility (a positive int or a bool); no effect eagerly.
    """
    _check_callable("scan", "f", f)
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(f"scan: `unroll` must be a positive integer or boolean. Received: "
                         f"unroll={unroll!r}")
    if xs is None and length is None:
        raise ValueError("scan: got no `xs` to scan over and `length` not provided.")
    xs_flat = [] if xs is None else [convert_to_tensor(x) for x in flatten(xs)]
    steps = int(length) if length is not None else xs_flat[0].shape[0]
    for x in xs_flat:
        if x.ndim == 0 or x.shape[0] < steps:
            raise ValueError(f"scan: every `xs` leaf needs a leading axis of at least {steps} "
                             f"steps. Received a leaf of shape {x.shape}")
    carry = pack_as(init, [convert_to_tensor(leaf) for leaf in flatten(init)])
    dummy = [zeros_like(leaf) for leaf in flatten(carry)]
    ys = []
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for i in order:
        x = pack_as(xs, [leaf[i] for leaf in xs_flat]) if xs_flat else None
        carry, y = f(carry, x)
        ys.append(dummy if y is None else y)
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    return carry, map_structure(lambda *values: stack(values), *ys)


def map(f: Callable[[Any], Any], xs: Any) -> Any:  # noqa: A001 - Keras's name
    """``stack([f(x) for x in xs])`` along the leading axis (``xs`` may be nested)."""
    _check_callable("map", "f", f)
    return scan(lambda carry, x: ((), f(x)), (), xs)[1]


def vectorized_map(function: Callable[[Any], Any], elements: Any) -> Any:
    """Apply ``function`` to each slice of ``elements`` along axis 0 and stack the results
    (as ``torch.vmap`` does; here the slices run one after another)."""
    _check_callable("vectorized_map", "function", function)
    return map(function, elements)


def _along(tensor: Tensor, axis: int, start: int | None, stop: int | None,
           step: int | None = None) -> Tensor:
    key: list[Any] = [slice(None)] * tensor.ndim
    key[axis] = slice(start, stop, step)
    return tensor[tuple(key)]


def associative_scan(f: Callable[[Any, Any], Any], elems: Any, reverse: bool = False,
                     axis: int = 0) -> Any:
    """Inclusive prefix scan with an associative ``f`` along ``axis``:
    ``out[i] = f(out[i - 1], elems[i])``, ``out[0] = elems[0]``.

    ``f(a, b)`` receives slices of ``elems``' structure and must act elementwise along
    ``axis`` (it is called on whole blocks at once: ``log2(n)`` calls in all, Hillis and
    Steele's doubling scheme).

    Example: ``associative_scan(ops.add, ops.arange(5))`` is ``[0, 1, 3, 6, 10]``.
    """
    _check_callable("associative_scan", "f", f)
    leaves = [convert_to_tensor(leaf) for leaf in flatten(elems)]
    axis = axis + leaves[0].ndim if axis < 0 else axis
    size = leaves[0].shape[axis]
    if any(leaf.shape[axis] != size for leaf in leaves):
        raise ValueError(f"associative_scan: every leaf of `elems` must have the same size "
                         f"along axis {axis}. Received shapes {[x.shape for x in leaves]}")
    if reverse:
        leaves = [flip(leaf, axis=axis) for leaf in leaves]
    offset = 1
    while offset < size:
        earlier = pack_as(elems, [_along(leaf, axis, None, size - offset) for leaf in leaves])
        later = pack_as(elems, [_along(leaf, axis, offset, None) for leaf in leaves])
        combined = flatten(f(earlier, later)) if is_nested(elems) else [f(earlier, later)]
        leaves = [concatenate([_along(leaf, axis, None, offset), convert_to_tensor(new)],
                              axis=axis) for leaf, new in zip(leaves, combined)]
        offset *= 2
    if reverse:
        leaves = [flip(leaf, axis=axis) for leaf in leaves]
    return pack_as(elems, leaves)
