"""Python operators for Tensors (``+ - * / // % ** @``, comparisons, unary ops, indexing).

Installed once the ops exist, so a custom layer can write ``ops.matmul(x, self.w) + self.b``
or ``x[:, 1:] * 2`` exactly as with Keras tensors.
"""

from __future__ import annotations

from typing import Any

from gpulayers.autodiff import Tensor


def _binary(op_name: str, reflected: bool = False):
    def method(self: Tensor, other: Any) -> Tensor:
        from gpulayers import ops

        op = getattr(ops, op_name)
        return op(other, self) if reflected else op(self, other)

    method.__name__ = op_name
    return method


def _unary(op_name: str):
    def method(self: Tensor) -> Tensor:
        from gpulayers import ops

        return getattr(ops, op_name)(self)

    method.__name__ = op_name
    return method


_BINARY = {
    "add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
    "floordiv": "floor_divide", "mod": "mod", "pow": "power", "matmul": "matmul",
    "and": "logical_and", "or": "logical_or", "xor": "logical_xor",
}
_COMPARISONS = {
    "eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
    "gt": "greater", "ge": "greater_equal",
}
_UNARY = {"neg": "negative", "pos": "identity_op", "abs": "absolute", "invert": "logical_not"}


def install_tensor_operators() -> None:
    """Attach the operator methods to :class:`Tensor` (idempotent)."""
    for dunder, op_name in _BINARY.items():
        setattr(Tensor, f"__{dunder}__", _binary(op_name))
        setattr(Tensor, f"__r{dunder}__", _binary(op_name, reflected=True))
    for dunder, op_name in _COMPARISONS.items():
        setattr(Tensor, f"__{dunder}__", _binary(op_name))
    for dunder, op_name in _UNARY.items():
        setattr(Tensor, f"__{dunder}__", _unary(op_name))
    Tensor.__getitem__ = lambda self, key: _getitem(self, key)
    Tensor.T = property(lambda self: _transpose(self))
    Tensor.astype = lambda self, dtype: _cast(self, dtype)
    Tensor.reshape = lambda self, *shape: _reshape(self, shape)


def _getitem(tensor: Tensor, key: Any) -> Tensor:
    from gpulayers import ops

    return ops.slice_by_key(tensor, key)


def _transpose(tensor: Tensor) -> Tensor:
    from gpulayers import ops

    return ops.transpose(tensor)


def _cast(tensor: Tensor, dtype: Any) -> Tensor:
    from gpulayers import ops

    return ops.cast(tensor, dtype)


def _reshape(tensor: Tensor, shape: tuple[Any, ...]) -> Tensor:
    from gpulayers import ops

    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return ops.reshape(tensor, shape)
