"""Symbolic tensors: a shape and a dtype, no values, used to build layer graphs.

``Input(shape=(32,))`` returns a :class:`KerasTensor`; calling a layer on one builds the
layer, records a :class:`~gpulayers.layers.node.Node` and returns new KerasTensors with the
output shape, so a model can be wired before any data exists (the functional API).
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, Variable
from gpulayers.ops.dtypes import standardize_dtype


class KerasTensor:
    """A placeholder for a tensor of ``shape`` (``None`` for unknown sizes) and ``dtype``.

    ``_keras_history`` is ``(layer, node_index, tensor_index)``: which layer call made it.
    """

    def __init__(self, shape: tuple[int | None, ...], dtype: str | None = None,
                 name: str | None = None) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype, "KerasTensor") if dtype else backend.floatx()
        self.name = name
        self._keras_history: tuple[Any, int, int] | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self) -> bool:
        raise TypeError("A symbolic KerasTensor has no value; it cannot be used as a bool")


def is_symbolic(value: Any) -> bool:
    """True if ``value`` is a KerasTensor or a (nested) list/tuple/dict holding one."""
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (list, tuple)):
        return False
    # A plain loop: every layer call asks, and generator expressions cost more here.
    for item in value:
        kind = type(item)
        if kind in _LEAVES:  # the usual tensors and arrays, one lookup each
            continue
        if isinstance(item, KerasTensor) or (
                isinstance(item, (list, tuple, dict)) and is_symbolic(item)):
            return True
    return False


# Types that are never a KerasTensor nor hold one: what layer calls are mostly passed.
_LEAVES = frozenset({type(None), bool, int, float, str, Tensor, Variable})
