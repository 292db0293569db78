"""Tensors, Variables and the tape: reverse-mode automatic differentiation over backend arrays.

The whole idea: an op computes its result on backend arrays and, only while a
:class:`GradientTape` is recording and one of its inputs is being tracked, attaches a
:class:`Node` to the result holding the inputs and a vector-Jacobian product (``vjp``) that
maps the gradient of the result to gradients of the inputs. ``tape.gradient`` sorts the nodes
reachable from the target topologically and runs the vjps backwards, summing the gradients
of tensors used more than once. Outside a tape nothing is recorded and ops cost nothing extra.

Example::

    x = gpulayers.Variable([1.0, 2.0, 3.0])
    with gpulayers.GradientTape() as tape:
        y = gpulayers.ops.sum(x * x)
    tape.gradient(y, x)   # -> [2., 4., 6.]
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from gpulayers import backend as _backend
from gpulayers import variable_bindings as _bindings

__all__ = [
    "GradientTape", "Node", "Tensor", "Variable", "autocast_dtype", "autocast_scope",
    "convert_to_tensor", "is_tensor", "needs_grad", "record", "unwrap",
]

# The tapes that are recording now, innermost last.
_recording_tapes: list[Any] = []  # GradientTape objects (gpulayers/gradient_tape.py)

class _AutocastState(threading.local):
    """The dtype float Variables are read as inside a mixed-precision layer's call (None:
    as stored), and the casts made in that call, reused while the Variable is unchanged."""

    dtype: str | None = None
    casts: dict[int, tuple[Any, Any]] = {}


_autocast = _AutocastState()


@contextlib.contextmanager
def autocast_scope(dtype: str | None) -> Iterator[None]:
    """Inside, float Variables (with ``autocast`` on) read as ``dtype``: ops see float16
    weights in a ``mixed_float16`` layer while the Variables keep float32. Gradients still
    reach the float32 Variables (the tape casts them back). ``None`` turns casting off."""
    previous = _autocast.dtype, _autocast.casts
    _autocast.dtype, _autocast.casts = dtype, {}
    try:
        yield
    finally:
        _autocast.dtype, _autocast.casts = previous


def autocast_dtype() -> str | None:
    """The dtype of the innermost :func:`autocast_scope` (None outside any)."""
    return _autocast.dtype


def _autocast_array(variable: Variable, dtype: str) -> Any:
    source = variable._data
    if source.dtype.kind != "f" or _backend.dtype_name(source.dtype) == dtype:
        return source
    cached = _autocast.casts.get(id(variable))
    if cached is not None and cached[0] is source:
        return cached[1]
    cast = source.astype(dtype)
    _autocast.casts[id(variable)] = (source, cast)
    return cast


class Node:
    """How a recorded op's outputs were made: its inputs and its vector-Jacobian product.

    ``vjp(grad)`` receives the gradient of the op's output (a tuple of gradients, one per output,
    for ops with several outputs; missing ones are zeros) and returns one gradient (an array or
    None) per input, in the order of ``parents``.
    """

    __slots__ = ("parents", "vjp", "output_specs", "multi_output", "name")

    def __init__(self, parents: tuple[Tensor, ...], vjp: Callable[..., Any],
                 output_specs: tuple[tuple[tuple[int, ...], Any], ...], name: str,
                 multi_output: bool = False) -> None:
        self.parents = parents
        self.vjp = vjp
        self.output_specs = output_specs
        # An op that returned a tuple gets a tuple of gradients, even a 1-tuple (split(x, 1)).
        self.multi_output = multi_output
        self.name = name


class Tensor:
    """An immutable array on the active backend that the tape can differentiate through.

    Behaves like an array: Python operators, indexing, ``.shape``, ``.dtype``, ``.ndim``,
    ``.numpy()`` and ``np.asarray(tensor)``.
    """

    __slots__ = ("_data", "_node", "_output_index", "_keras_mask", "__weakref__")
    __array_ufunc__ = None  # make NumPy defer to our reflected operators (ndarray + Tensor)
    __hash__ = object.__hash__  # == is elementwise, so identity is the hash

    def __init__(self, data: Any, node: Node | None = None, output_index: int = 0) -> None:
        self._data = data
        self._node = node
        self._output_index = output_index
        self._keras_mask = None  # set by layers that produce or propagate a mask

    @property
    def data(self) -> Any:
        """The backend array (numpy.ndarray or cupy.ndarray) holding the values."""
        return self._data

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._data.shape)

    @property
    def dtype(self) -> str:
        """The dtype name, as in Keras 3 (``'float32'``)."""
        return _backend.dtype_name(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return int(self._data.size)

    def numpy(self) -> Any:
        """The values as a NumPy array on the host."""
        return _backend.to_numpy(self._data)

    def item(self) -> Any:
        return self._data.item()

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        return bool(self._data)

    def __float__(self) -> float:
        return float(self._data)

    def __int__(self) -> int:
        return int(self._data)

    def __index__(self) -> int:
        return int(self._data)

    def __repr__(self) -> str:
        kind = type(self).__name__
        return f"<{kind} shape={self.shape} dtype={self.dtype}\n{self.numpy()!r}>"

    def _key(self) -> tuple[int, int]:
        """Identity of the value for gradient bookkeeping: (producing node or self, output)."""
        return (id(self._node) if self._node is not None else id(self), self._output_index)


class Variable(Tensor):
    """Mutable, named state (weights, counters). Trainable Variables are watched by tapes.

    Args:
        initializer: initial value (array-like, scalar or Tensor) or a callable
            ``initializer(shape, dtype)`` returning one (then ``shape`` is required).
        shape: shape, when ``initializer`` is callable.
        dtype: dtype name; defaults to the value's float type or ``floatx()``.
        trainable: whether optimizers update it and tapes watch it automatically.
        name: a name for error messages, summaries and saving.

    Example::

        total = Variable(ops.zeros((3,)), trainable=False, name="total")
        total.assign_add(ops.sum(x, axis=0))
    """

    __slots__ = ("name", "trainable", "regularizer", "constraint", "autocast")
    _uids = itertools.count()

    def __init__(self, initializer: Any, shape: Sequence[int] | None = None, dtype: Any = None,
                 trainable: bool = True, name: str | None = None, **_keras_extras: Any) -> None:
        if callable(initializer) and not isinstance(initializer, Tensor):
            if shape is None:
                raise ValueError(
                    f"Variable {name!r}: a callable initializer needs `shape`. Received shape=None"
                )
            initializer = initializer(tuple(shape), dtype or _backend.floatx())
        data = _to_array(initializer, dtype)
        if shape is not None and tuple(data.shape) != tuple(shape):
            raise ValueError(
                f"Variable {name!r}: initial value has shape {tuple(data.shape)}, "
                f"expected shape {tuple(shape)}"
            )
        super().__init__(data.copy())
        self.name = name or f"variable_{next(Variable._uids)}"
        self.trainable = bool(trainable)
        self.regularizer = None  # set by Layer.add_weight; read by layer.losses
        self.constraint = None  # set by Layer.add_weight; applied after optimizer updates
        self.autocast = True  # read in a mixed-precision layer's compute dtype (see above)

    @property
    def data(self) -> Any:
        """The backend array; inside a mixed-precision layer's call (``autocast_scope``) a
        float Variable reads as a copy in the layer's compute dtype."""
        if _bindings.logs:
            _bindings.note(self)
        dtype = _autocast.dtype
        if dtype is None or not self.autocast:
            return self._data
        return _autocast_array(self, dtype)

    @property
    def dtype(self) -> str:
        stored = _backend.dtype_name(self._data.dtype)
        target = _autocast.dtype
        if target is None or not self.autocast or not stored.startswith("float"):
            return stored
        return target

    @property
    def value(self) -> Tensor:
        """The Variable itself, usable anywhere a Tensor is (gradients flow through it)."""
        return self

    def assign(self, value: Any) -> Variable:
        """Replace the values (same shape; cast to this Variable's dtype).

        The Variable takes a fresh array, so tensors computed from it earlier (slices,
        reshapes, values saved for a backward pass) keep the values they were computed from.
        """
        if _bindings.logs:
            _bindings.note(self)
        new = _to_array(value, self._data.dtype)
        if tuple(new.shape) != self.shape:
            raise ValueError(
                f"Variable {self.name!r}: cannot assign a value of shape {tuple(new.shape)} "
                f"to a variable of shape {self.shape}"
            )
        self._data = new.copy() if _shares_memory(new, value) else new
        return self

    def assign_add(self, delta: Any) -> Variable:
        """``self = self + delta``."""
        return self.assign(self._data + _to_array(delta, self._data.dtype))

    def assign_sub(self, delta: Any) -> Variable:
        """``self = self - delta``."""
        return self.assign(self._data - _to_array(delta, self._data.dtype))

    def __repr__(self) -> str:
        return (f"<Variable {self.name!r} shape={self.shape} dtype={self.dtype} "
                f"trainable={self.trainable}\n{self.numpy()!r}>")


def _shares_memory(array: Any, source: Any) -> bool:
    """Whether ``array`` may be the caller's own buffer (then the Variable must copy it)."""
    source = source._data if isinstance(source, Tensor) else source
    return array is source or getattr(array, "base", None) is not None


def _to_array(value: Any, dtype: Any = None) -> Any:
    """Any array-like -> backend array. Python floats become floatx(), Python ints int32."""
    if isinstance(value, Tensor):
        if _bindings.logs and isinstance(value, Variable):
            _bindings.note(value)
        value = value._data
    xp = _backend.xp()
    if _backend.is_array(value):
        array = _backend.to_device(value)
        return array if dtype is None else array.astype(dtype, copy=False)
    if isinstance(value, (bool, int, float)):  # a kernel argument, not a host copy (CuPy)
        return xp.full((), value, dtype=dtype or _python_number_dtype(value))
    array = xp.asarray(value, dtype=dtype)
    if dtype is None:  # Python numbers and lists follow Keras's default types
        if array.dtype.kind == "f":
            array = array.astype(_backend.floatx())
        elif array.dtype.kind in "iu":
            array = array.astype("int32")
    return array


def _python_number_dtype(value: bool | int | float) -> str:
    """Keras's default types of Python numbers: bool, int32, floatx()."""
    if isinstance(value, bool):
        return "bool"
    return "int32" if isinstance(value, int) else _backend.floatx()


def convert_to_tensor(value: Any, dtype: Any = None) -> Tensor:
    """Return ``value`` as a Tensor (unchanged if it already is one of ``dtype``)."""
    if isinstance(value, Tensor) and (dtype is None or value.dtype == str(dtype)):
        return value
    if isinstance(value, Tensor):
        from gpulayers.ops.math import cast  # differentiable cast keeps the gradient

        return cast(value, dtype)
    return Tensor(_to_array(value, dtype))


def is_tensor(value: Any) -> bool:
    """True for gpulayers Tensors and Variables."""
    return isinstance(value, Tensor)


def unwrap(value: Any) -> Any:
    """The backend array inside a Tensor; other values are returned unchanged."""
    return value.data if isinstance(value, Tensor) else value


def _is_tracked(tensor: Any) -> bool:
    if not isinstance(tensor, Tensor):
        return False
    if tensor._node is not None:
        return True
    for tape in _recording_tapes:
        if tape._tracks(tensor):
            return True
    return False


def needs_grad(*inputs: Any) -> tuple[bool, ...]:
    """For each input, whether a recording tape needs its gradient (lets heavy ops skip work)."""
    if not _recording_tapes:
        return tuple(False for _ in inputs)
    return tuple(_is_tracked(t) for t in inputs)


def record(outputs: Any, inputs: Sequence[Any], vjp: Callable[..., Any] | None,
           name: str = "op") -> Any:
    """Wrap an op's result array(s) as Tensor(s), recording a Node when a tape needs it.

    Args:
        outputs: one backend array, or a tuple of them for an op with several outputs.
        inputs: the op's inputs (Tensors or anything else; only Tensors can get gradients).
        vjp: ``vjp(grad_output) -> tuple of input gradients``; None for non-differentiable ops.
        name: the op's name, for debugging.
    """
    several = isinstance(outputs, tuple)
    arrays = outputs if several else (outputs,)
    node = None
    if vjp is not None and _recording_tapes and any(_is_tracked(t) for t in inputs):
        if any(a.dtype.kind in "fc" for a in arrays):
            specs = tuple((tuple(a.shape), a.dtype) for a in arrays)
            node = Node(tuple(inputs), vjp, specs, name, multi_output=several)
    tensors = tuple(Tensor(a, node, i) for i, a in enumerate(arrays))
    return tensors if several else tensors[0]


from gpulayers.gradient_tape import GradientTape  # noqa: E402  (the tape builds on the above)
