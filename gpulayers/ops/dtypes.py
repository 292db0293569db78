"""Dtype names and type promotion for ops (Keras 3 rules, on top of NumPy's).

Promotion, in one place so every op agrees:

* Python scalars (``bool``, ``int``, ``float``, and ``np.float64`` which *is* a Python float)
  are **weak**: they take the other operand's type when it can hold them.
  ``float32_tensor * 2.0`` is float32; ``int32_tensor + 1`` is int32;
  ``int32_tensor + 1.5`` is ``floatx()``; ``bool_tensor + 1`` is int32.
* Between typed operands (Tensors, NumPy/CuPy arrays, NumPy scalars other than float64),
  an integer or bool meeting a float gives that float (``int32 + float16 -> float16``, as in
  Keras/JAX); everything else follows NumPy (``float32 + float64 -> float64``,
  ``int8 + int32 -> int32``).
* Only Python scalars meeting each other: ``bool < int32 < floatx()``.

Example::

    result_type("int32", 1.5)            # 'float32'
    result_type("float16", "float64")    # 'float64'
"""

from __future__ import annotations

import functools
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, convert_to_tensor

__all__ = ["is_float_dtype", "operand_dtype", "result_type", "standardize_dtype",
           "to_operand_tensor"]

_SUPPORTED_KINDS = "biuf"  # bool, signed and unsigned integers, floats
_PYTHON_WEAK_TYPES = (bool, int, float)
_STANDARD_NAMES: dict[Any, str] = {}  # dtype names and dtype objects already standardized


def standardize_dtype(dtype: Any, op_name: str = "cast") -> str:
    """A dtype (name, NumPy dtype, Python type ``float``/``int``/``bool``) -> its name.

    ``float`` means ``floatx()`` and ``int`` means ``'int32'``, as in Keras.
    Raises TypeError naming ``op_name`` for unknown or unsupported dtypes.
    """
    if dtype is float:  # follows set_floatx(): never cached
        return backend.floatx()
    try:
        known = _STANDARD_NAMES.get(dtype)
    except TypeError:  # unhashable, e.g. an array passed by mistake: the slow path explains
        return _standardize_uncached(dtype, op_name)
    if known is None:  # every op asks: NumPy's dtype parsing runs once per dtype spelling
        known = _STANDARD_NAMES[dtype] = _standardize_uncached(dtype, op_name)
    return known


def _standardize_uncached(dtype: Any, op_name: str) -> str:
    if dtype is int:
        return "int32"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, Tensor):
        raise TypeError(f"{op_name}: expected a dtype, received a Tensor of shape {dtype.shape}")
    try:
        resolved = backend.xp().dtype(getattr(dtype, "name", dtype))
    except (TypeError, ValueError):
        raise TypeError(f"{op_name}: unknown dtype. Received: dtype={dtype!r}") from None
    if resolved.kind not in _SUPPORTED_KINDS:
        raise TypeError(
            f"{op_name}: unsupported dtype {resolved.name!r}; expected bool, an integer or a "
            f"float type. Received: dtype={dtype!r}"
        )
    return resolved.name


def is_float_dtype(dtype: Any) -> bool:
    """True for float16/32/64 (given a name, a NumPy dtype or an array's dtype)."""
    return _kind(dtype) == "f"


@functools.lru_cache(maxsize=256)
def _kind(dtype: Any) -> str:
    """The NumPy kind letter of a dtype ('f', 'i', 'u', 'b', ...), cached: ops ask often."""
    return backend.xp().dtype(dtype).kind


def _is_weak(value: Any) -> bool:
    return isinstance(value, _PYTHON_WEAK_TYPES)


def operand_dtype(value: Any, op_name: str) -> tuple[str, bool]:
    """(dtype name, weak?) of an op operand, without converting it to a tensor."""
    if isinstance(value, Tensor):  # first: by far the most common operand
        return value.dtype, False
    if isinstance(value, bool):
        return "bool", True
    if isinstance(value, int):
        return "int32", True
    if isinstance(value, float):
        return backend.floatx(), True
    dtype = getattr(value, "dtype", None)
    if dtype is not None and not isinstance(value, (list, tuple)):
        return standardize_dtype(dtype, op_name), False
    return to_operand_tensor(value, op_name).dtype, False


@functools.lru_cache(maxsize=512)
def _promote_typed(first: str, second: str) -> str:
    """The promoted dtype of two typed dtype names (cached: the answer never changes)."""
    xp = backend.xp()
    kind_first, kind_second = _kind(first), _kind(second)
    if kind_first == "f" and kind_second != "f":
        return first
    if kind_second == "f" and kind_first != "f":
        return second
    return xp.result_type(first, second).name


@functools.lru_cache(maxsize=512)
def _absorb_weak(typed: str, weak: str) -> str:
    """Result of a typed dtype meeting a weak Python scalar of dtype ``weak``."""
    kind_typed, kind_weak = _kind(typed), _kind(weak)
    if kind_weak == "b" or kind_typed == "f":
        return typed
    if kind_weak in "iu":
        return typed if kind_typed in "iu" else weak
    return weak  # a Python float meeting an integer or bool tensor: floatx()


def result_type(*values: Any, op_name: str = "result_type") -> str:
    """The dtype an elementwise op on ``values`` computes in (see the module docstring).

    ``values`` may be Tensors, arrays, Python scalars or dtype names (a string names a
    typed dtype). Example: ``result_type(x, 2.0)`` is ``x.dtype`` for a float tensor ``x``.
    """
    typed, weak = [], []
    for value in values:
        if not isinstance(value, Tensor) and (isinstance(value, str) or (
                hasattr(value, "kind") and hasattr(value, "itemsize"))):
            typed.append(standardize_dtype(value, op_name))
            continue
        name, is_weak = operand_dtype(value, op_name)
        (weak if is_weak else typed).append(name)
    if not typed and not weak:
        return backend.floatx()
    if typed:
        result = typed[0]
        for name in typed[1:]:
            result = _promote_typed(result, name)
    else:
        result = weak.pop(0)
    for name in weak:
        result = _absorb_weak(result, name) if typed else _promote_weak_scalars(result, name)
    return result


def _promote_weak_scalars(first: str, second: str) -> str:
    order = ["bool", "int32", backend.floatx()]
    return max(first, second, key=order.index)


def to_operand_tensor(value: Any, op_name: str, dtype: str | None = None) -> Tensor:
    """Convert an op operand to a Tensor (of ``dtype`` when given, for weak Python scalars).

    Tensors are returned unchanged, so the tape still links gradients to them; callers cast
    the raw array. Raises TypeError naming ``op_name`` for values that are not numeric.
    """
    if isinstance(value, Tensor):
        return value
    if value is None:
        raise TypeError(f"{op_name}: expected a tensor, array or number. Received: None")
    if dtype is not None and _is_weak(value):
        # `full` writes the number with a kernel argument: on CuPy no host-to-device copy,
        # which would stage through pinned memory every step (and cannot be in a CUDA graph).
        return Tensor(backend.xp().full((), value, dtype=dtype))
    try:
        tensor = convert_to_tensor(value)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{op_name}: cannot convert a {type(value).__name__} to a tensor ({error})"
        ) from None
    if tensor.data.dtype.kind not in _SUPPORTED_KINDS:
        raise TypeError(
            f"{op_name}: expected a numeric tensor, array or number. Received a "
            f"{type(value).__name__} with dtype {tensor.data.dtype.name!r}"
        )
    return tensor
