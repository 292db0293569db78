"""Choosing and placing values: where, one_hot, scatter, scatter_update."""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff, backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.axes import as_int, as_shape, check_bounds, check_integer_dtype, normalize_axis
from gpulayers.ops.broadcasting import broadcast_shapes, reduce_grad_to_input
from gpulayers.ops.dtypes import result_type, to_operand_tensor
from gpulayers.ops.indexing import record_replacement

__all__ = ["one_hot", "scatter", "scatter_update", "where"]


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` is true, else ``x2``, broadcasting all three (NumPy rules).

    With neither ``x1`` nor ``x2``: the indices of the true entries, one int32 tensor per axis.

    Args:
        condition: tensor read as booleans.
        x1, x2: tensors or Python numbers; gradients flow to both, each summed back over the
            axes it was broadcast along.

    Example: ``where(x > 0, x, 0.0)`` (a ReLU whose gradient is 1 where x > 0).
    """
    condition = autodiff.convert_to_tensor(condition)
    mask = condition.data.astype(bool)
    xp = backend.xp()
    if x1 is None and x2 is None:
        return tuple(Tensor(axis_indices.astype("int32")) for axis_indices in mask.nonzero())
    if x1 is None or x2 is None:
        raise ValueError("where: give both `x1` and `x2`, or neither. Received only one")
    dtype = result_type(x1, x2, op_name="where")  # Python numbers are weak, as in Keras
    x1, x2 = to_operand_tensor(x1, "where", dtype), to_operand_tensor(x2, "where", dtype)
    broadcast_shapes("where", condition.shape, x1.shape, x2.shape)
    result = xp.where(mask, x1.data.astype(dtype, copy=False), x2.data.astype(dtype, copy=False))

    def vjp(grad):
        zero = xp.zeros((), grad.dtype)
        return (None, reduce_grad_to_input(xp.where(mask, grad, zero), x1),
                reduce_grad_to_input(xp.where(mask, zero, grad), x2))

    return autodiff.record(result, (condition, x1, x2), vjp, name="where")


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> Tensor:
    """One-hot encode integer labels (not differentiable).

    Args:
        x: integer tensor of labels, any shape.
        num_classes: length of each encoding; labels outside ``[0, num_classes)`` encode as
            all zeros (as TensorFlow and JAX do).
        axis: where the new class axis goes in the result.
        dtype: result dtype, floatx by default.
        sparse: sparse tensors are not supported; True raises ValueError.

    Example: ``one_hot([0, 2], 3) -> [[1., 0., 0.], [0., 0., 1.]]``.
    """
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported by gpulayers")
    labels = autodiff.unwrap(autodiff.convert_to_tensor(x))
    check_integer_dtype(labels, "one_hot", "x")
    num_classes = as_int(num_classes, "one_hot", "num_classes")
    if num_classes < 0:
        raise ValueError(f"one_hot: `num_classes` must be >= 0. Received: {num_classes}")
    axis = normalize_axis(axis, labels.ndim + 1, "one_hot")
    xp = backend.xp()
    encoded = labels[..., None] == xp.arange(num_classes)
    encoded = xp.moveaxis(encoded, -1, axis).astype(dtype or backend.floatx())
    return Tensor(xp.ascontiguousarray(encoded))


def _index_tuple(indices: Any, target_shape: tuple[int, ...], op_name: str) -> tuple[Any, ...]:
    """Rows of ``indices`` (shape ``(..., k)``) -> a fancy index into the first k axes."""
    indices = autodiff.unwrap(autodiff.convert_to_tensor(indices))
    check_integer_dtype(indices, op_name)
    if indices.ndim == 0 or indices.shape[-1] > len(target_shape):
        raise ValueError(
            f"{op_name}: `indices` must have shape (..., k) with k <= {len(target_shape)}, the "
            f"rank of the target of shape {target_shape}. Received: {tuple(indices.shape)}")
    return tuple(check_bounds(indices[..., axis], target_shape[axis], op_name, axis)
                 for axis in range(indices.shape[-1]))


def _check_values_shape(values: Tensor, index: tuple[Any, ...], target_shape: tuple[int, ...],
                        op_name: str, argument: str) -> None:
    batch = tuple(index[0].shape) if index else ()
    expected = batch + target_shape[len(index):]
    if values.shape != expected:
        raise ValueError(
            f"{op_name}: `{argument}` must have shape {expected} (indices batch {batch} + "
            f"target shape {target_shape} after the indexed axes). Received: {values.shape}")


def scatter(indices: Any, values: Any, shape: Any) -> Tensor:
    """A tensor of zeros of ``shape`` with ``values`` added at ``indices`` (repeats add up).

    Args:
        indices: integer tensor of shape ``(..., k)``; each row indexes the first k axes.
        values: tensor of shape ``indices.shape[:-1] + shape[k:]``.
        shape: the result's shape.

    Example: ``scatter([[0], [0], [2]], [1., 2., 3.], (4,)) -> [3., 0., 3., 0.]``.
    """
    shape = as_shape(shape, "scatter")
    values = autodiff.convert_to_tensor(values)
    index = _index_tuple(indices, shape, "scatter")
    _check_values_shape(values, index, shape, "scatter", "values")
    xp = backend.xp()
    result = xp.zeros(shape, values.data.dtype)
    backend.primitives("scatter").scatter_add(result, index, values.data)
    return autodiff.record(result, (values,), lambda grad: (grad[index],), name="scatter")


def scatter_update(inputs: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``inputs`` with the entries at ``indices`` replaced by ``updates``.

    Args:
        inputs: tensor.
        indices: integer tensor of shape ``(..., k)``; each row indexes the first k axes.
        updates: tensor of shape ``indices.shape[:-1] + inputs.shape[k:]``.

    Gradients: ``inputs`` gets the output gradient except at the replaced entries, each update
    the gradient at its entry. With repeated indices which update lands is unspecified (as in
    Keras), and every repeat receives that entry's gradient.

    Example: ``scatter_update(ops.zeros((2, 2)), [[0, 1]], [5.])`` sets entry (0, 1) to 5.
    """
    inputs = autodiff.convert_to_tensor(inputs)
    updates = autodiff.convert_to_tensor(updates)
    index = _index_tuple(indices, inputs.shape, "scatter_update")
    _check_values_shape(updates, index, inputs.shape, "scatter_update", "updates")
    return record_replacement(inputs, updates, index, "scatter_update")
