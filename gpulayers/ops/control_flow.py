"""Control flow (Keras 3's ``keras.ops.cond``, ``switch``, ``while_loop``, ``fori_loop``,
``scan``, ``associative_scan``, ``map``, ``vectorized_map``, ``vectorize``).

gpulayers runs eagerly, like Keras's torch backend: these run Python control flow on
concrete tensors, so every op inside is recorded on the gradient tape and gradients flow
through the branch taken and through every loop iteration. Loop state may be a tensor or
a nested list/tuple/dict of tensors.

Example::

    total = fori_loop(0, 10, lambda i, acc: acc + i, 0)      # 45
    carry, ys = scan(lambda c, x: (c + x, c * x), 0.0, xs)   # running sums and products
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

from gpulayers.autodiff import Tensor, convert_to_tensor
from gpulayers.ops.creation import zeros_like
from gpulayers.ops.joining import concatenate, stack
from gpulayers.ops.nested import flatten, is_nested, map_structure, pack_as
from gpulayers.ops.reordering import flip
from gpulayers.ops.shape import broadcast_to, reshape

__all__ = ["associative_scan", "cond", "fori_loop", "map", "scan", "switch",
           "vectorize", "vectorized_map", "while_loop"]


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


_CORE = r"\((?:\w+(?:,\s*\w+)*)?\)"
_SIGNATURE = re.compile(rf"^\s*{_CORE}(?:\s*,\s*{_CORE})*\s*->\s*{_CORE}(?:\s*,\s*{_CORE})*\s*$")


def _parse_signature(signature: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """``"(m,n),(n)->(m)"`` -> ``([("m", "n"), ("n",)], [("m",)])``."""
    if not isinstance(signature, str) or not _SIGNATURE.match(signature):
        raise ValueError(f"vectorize: not a valid gufunc signature: {signature!r}")
    inputs, outputs = signature.split("->")
    def parse(text: str) -> list[tuple[str, ...]]:
        return [tuple(d.strip() for d in group.split(",") if d.strip())
                for group in re.findall(r"\(([^)]*)\)", text)]
    return parse(inputs), parse(outputs)


def vectorize(pyfunc: Callable[..., Any], *, excluded: Any = None,
              signature: str | None = None) -> Callable[..., Any]:
    """Turn ``pyfunc`` (written for one element, or for core shapes given by
    ``signature``) into a function over broadcast batches, like ``numpy.vectorize``.

    Args:
        pyfunc: the function; without ``signature`` it takes and returns scalar tensors.
        excluded: positions (ints) or keyword names of arguments passed through unchanged.
        signature: a generalized-ufunc signature such as ``"(m,n),(n)->(m)"``: the
            trailing core dims of each argument and of each output.

    The wrapped function loops over the broadcast leading (non-core) dims eagerly and
    stacks the results, so gradients flow through every call.

    Example: ``vectorize(lambda a, b: a + b)([1, 2, 3, 4], 2)`` is ``[3, 4, 5, 6]``.
    """
    if not callable(pyfunc):
        raise ValueError(f"vectorize: expected argument `pyfunc` to be a callable. "
                         f"Received: pyfunc={pyfunc!r}")
    excluded = set() if excluded is None else set(excluded)
    parsed = None if signature is None else _parse_signature(signature)

    @functools.wraps(pyfunc)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        fixed = {i: a for i, a in enumerate(args) if i in excluded or a is None}
        mapped = [i for i in range(len(args)) if i not in fixed]
        tensors = [convert_to_tensor(args[i]) for i in mapped]
        cores = parsed[0] if parsed else [()] * len(tensors)
        if len(cores) != len(tensors):
            raise ValueError(f"vectorize: the signature {signature!r} names {len(cores)} "
                             f"inputs; received {len(tensors)} vectorized arguments")
        sizes: dict[str, int] = {}
        loop_shapes = []
        for tensor, core in zip(tensors, cores):
            if tensor.ndim < len(core):
                raise ValueError(f"vectorize: an input of shape {tensor.shape} has fewer "
                                 f"dims than its core dims {core}")
            for name, size in zip(core, tensor.shape[tensor.ndim - len(core):]):
                if sizes.setdefault(name, size) != size:
                    raise ValueError(f"vectorize: inconsistent size for core dim {name!r}: "
                                     f"{sizes[name]} vs {size}")
            loop_shapes.append(tuple(tensor.shape[:tensor.ndim - len(core)]))
        loop = _broadcast_shapes(loop_shapes)
        tensors = [broadcast_to(t, loop + tuple(t.shape[t.ndim - len(c):]))
                   for t, c in zip(tensors, cores)]
        results = []
        for index in itertools.product(*(range(n) for n in loop)):
            call_args = list(args)
            for position, tensor in zip(mapped, tensors):
                call_args[position] = tensor[index] if index else tensor
            results.append(pyfunc(*call_args, **kwargs))
        return _assemble(results, loop)

    return wrapped


def _broadcast_shapes(shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(rank):
        sizes = {s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0} - {1}
        if len(sizes) > 1:
            raise ValueError(f"vectorize: cannot broadcast the non-core shapes {shapes}")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def _assemble(results: list[Any], loop: tuple[int, ...]) -> Any:
    """Stack per-element results (tensors or tuples of them) into ``loop + core`` shapes."""
    if not results:
        raise ValueError("vectorize: cannot vectorize over a size-0 batch")
    if not loop:
        return results[0]
    if isinstance(results[0], tuple):
        return tuple(_assemble([r[k] for r in results], loop) for k in range(len(results[0])))
    stacked = stack([convert_to_tensor(r) for r in results])
    return reshape(stacked, loop + tuple(stacked.shape[1:]))
