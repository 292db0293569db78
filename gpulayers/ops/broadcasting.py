"""NumPy broadcasting for ops: result shapes with readable errors, and gradient reduction.

``unbroadcast`` is the one helper every op with broadcasting inputs uses in its backward pass:
an input that was stretched along a dimension received the same value at every position, so
its gradient is the sum of the output gradient over that dimension.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["broadcast_shapes", "reduce_grad_to_input", "unbroadcast"]


def broadcast_shapes(op_name: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The shape NumPy broadcasting gives ``shapes``, or ValueError naming the op and shapes.

    Example: ``broadcast_shapes("add", (2, 1), (3,))`` is ``(2, 3)``.
    """
    shapes = [tuple(int(n) for n in shape) for shape in shapes]
    rank = max((len(shape) for shape in shapes), default=0)
    result = []
    for position in range(-rank, 0):
        sizes = {shape[position] for shape in shapes if len(shape) >= -position}
        sizes.discard(1)
        if len(sizes) > 1:
            listed = " and ".join(str(shape) for shape in shapes)
            raise ValueError(
                f"{op_name}: incompatible shapes {listed}: dimensions "
                f"{' and '.join(str(n) for n in sorted(sizes))} cannot be broadcast together"
            )
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def unbroadcast(grad: Any, shape: Sequence[int]) -> Any:
    """Sum ``grad`` (a backend array) down to ``shape``, undoing NumPy broadcasting.

    Leading dimensions that broadcasting added are summed away; dimensions where ``shape`` has
    size 1 but ``grad`` does not are summed with keepdims. Example: a gradient of shape (4, 3)
    for a bias of shape (3,) becomes ``grad.sum(axis=0)``.
    """
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(axis for axis, size in enumerate(shape)
                      if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def reduce_grad_to_input(grad: Any, tensor: Any) -> Any:
    """The gradient for one op input: unbroadcast to its shape, in its dtype.

    Inputs that are not float tensors (integers, bools, Python scalars) get None: they
    cannot receive gradients.
    """
    data = getattr(tensor, "data", None)
    if data is None or data.dtype.kind != "f" or grad is None:
        return None
    grad = unbroadcast(grad, data.shape)
    return grad if grad.dtype == data.dtype else grad.astype(data.dtype)
