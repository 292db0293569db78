"""Finding values and positions: nonzero, unique, unravel_index, searchsorted, argpartition,
top_k, in_top_k, select, multi_hot, cdist (Keras 3 ``keras.ops`` names).

Index results are int32, as Keras specifies them. ``top_k`` values, ``select`` and ``cdist``
are differentiable (the gradient of each picked value goes back to where it came from);
the others return integers, booleans or encodings and have no gradient.

Example::

    values, indices = ops.top_k([[1., 5., 3.]], k=2)   # [[5, 3]], [[1, 2]]
    ops.searchsorted([1., 2., 3.], [2.5])                # [2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.ops.arithmetic import multiply, subtract
from gpulayers.ops.axes import as_int, as_shape, check_integer_dtype, normalize_axis
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import result_type, standardize_dtype, to_operand_tensor
from gpulayers.ops.indexing import take_along_axis
from gpulayers.ops.reductions import max, sum  # noqa: A004
from gpulayers.ops.selection import one_hot, where
from gpulayers.ops.shape import expand_dims
from gpulayers.ops.unary import sqrt

__all__ = ["argpartition", "cdist", "in_top_k", "multi_hot", "nonzero", "searchsorted",
           "select", "top_k", "unique", "unravel_index"]


def nonzero(x: Any) -> tuple[Tensor, ...]:
    """The indices of the nonzero entries of ``x``: one int32 tensor per axis (row-major order).

    Example: ``nonzero([[0, 3], [4, 0]])`` -> ``([0, 1], [1, 0])``.
    """
    tensor = to_operand_tensor(x, "nonzero")
    data = tensor.data.reshape(1) if tensor.ndim == 0 else tensor.data
    return tuple(Tensor(index.astype("int32")) for index in data.nonzero())


def unique(x: Any, sorted: bool = True, return_index: bool = False,  # noqa: A002
           return_inverse: bool = False, return_counts: bool = False, axis: int | None = None,
           size: int | None = None, fill_value: Any = None) -> Any:
    """The sorted distinct values of ``x`` (of the flattened ``x``, or slices along ``axis``).

    Args:
        x: tensor. sorted: accepted for Keras compatibility; results are always sorted.
        return_index: also the int32 first positions of the values.
        return_inverse: also the int32 indices rebuilding ``x`` from the values.
        return_counts: also the int32 number of occurrences of each value.
        axis: None (flatten) or the axis whose slices are compared.
        size: pad (with ``fill_value``, default 0) or truncate the values to this length.

    Returns the values, or a tuple ``(values, [index], [inverse], [counts])``. No gradient.
    """
    tensor = to_operand_tensor(x, "unique")
    if axis is not None:
        axis = normalize_axis(axis, tensor.ndim, "unique")
    xp = backend.xp()
    # CuPy's unique supports `axis` from v13 on; older versions raise a TypeError here.
    output = xp.unique(tensor.data, return_index=True, return_inverse=True,
                       return_counts=True, axis=axis)
    values, first, inverse, counts = output
    if axis is None:
        inverse = inverse.reshape(tensor.shape)
    if size is not None:
        size = as_int(size, "unique", "size")
        dim = 0 if axis is None else axis
        found = values.shape[dim]
        if found >= size:
            values = xp.take(values, xp.arange(size), axis=dim)
            first, counts = first[:size], counts[:size]
        else:
            widths = [(0, 0)] * values.ndim
            widths[dim] = (0, size - found)
            values = xp.pad(values, widths, constant_values=0 if fill_value is None else fill_value)
            first = xp.pad(first, (0, size - found), constant_values=1)
            counts = xp.pad(counts, (0, size - found), constant_values=0)
    results = [Tensor(values)]
    for wanted, array in ((return_index, first), (return_inverse, inverse),
                          (return_counts, counts)):
        if wanted:
            results.append(Tensor(array.astype("int32")))
    return results[0] if len(results) == 1 else tuple(results)


def unravel_index(indices: Any, shape: Sequence[int]) -> tuple[Tensor, ...]:
    """Flat indices -> one int32 coordinate tensor per axis of ``shape`` (row-major).

    Example: ``unravel_index([4, 1], (2, 3))`` -> ``([1, 0], [1, 1])``.
    """
    flat = to_operand_tensor(indices, "unravel_index").data
    check_integer_dtype(flat, "unravel_index")
    dims = as_shape(shape, "unravel_index")
    total = 1
    for n in dims:
        total *= n
    if flat.size and (int(flat.min()) < 0 or int(flat.max()) >= total):
        raise ValueError(f"unravel_index: indices must be in [0, {total}) for shape {dims}. "
                         f"Received indices in [{int(flat.min())}, {int(flat.max())}]")
    coordinates = []
    for n in reversed(dims):
        coordinates.append(flat % n)
        flat = flat // n
    return tuple(Tensor(c.astype("int32")) for c in reversed(coordinates))


def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> Tensor:
    """Where ``values`` would be inserted into the 1-d ascending ``sorted_sequence`` to keep
    it sorted (int32); ``side='right'`` places them after equal entries.
    """
    sequence = to_operand_tensor(sorted_sequence, "searchsorted")
    if sequence.ndim != 1:
        raise ValueError("searchsorted: only 1-d sorted sequences are supported. Received: "
                         f"sorted_sequence.shape={sequence.shape}")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: `side` must be 'left' or 'right'. Received: {side!r}")
    targets = to_operand_tensor(values, "searchsorted", sequence.dtype)
    found = backend.xp().searchsorted(sequence.data, targets.data, side=side)
    return Tensor(found.astype("int32"))


def argpartition(x: Any, kth: int, axis: int = -1) -> Tensor:
    """int32 indices that partially sort ``x`` along ``axis``: the ``kth`` position holds the
    index of the value that would be there sorted, smaller ones before it, larger after.
    """
    tensor = to_operand_tensor(x, "argpartition")
    if tensor.ndim == 0:
        raise ValueError("argpartition: needs a tensor of rank >= 1. Received a scalar")
    axis = normalize_axis(axis, tensor.ndim, "argpartition")
    kth = as_int(kth, "argpartition", "kth")
    length = tensor.shape[axis]
    if not -length <= kth < length:
        raise ValueError(f"argpartition: `kth` must be in [{-length}, {length}) for axis {axis} "
                         f"of size {length}. Received: kth={kth}")
    return Tensor(backend.xp().argpartition(tensor.data, kth, axis=axis).astype("int32"))


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002
    """The ``k`` largest values along the last axis and their int32 indices.

    Values come in descending order (ties: the lower index first); ``sorted=False`` is
    accepted and gives the same order. The gradient of each value goes to its position.

    Example: ``top_k([3., 1., 4.], 2)`` -> ``([4., 3.], [2, 0])``.
    """
    tensor = to_operand_tensor(x, "top_k")
    if tensor.ndim == 0:
        raise ValueError("top_k: needs a tensor of rank >= 1. Received a scalar")
    k = as_int(k, "top_k", "k")
    if not 0 <= k <= tensor.shape[-1]:
        raise ValueError(f"top_k: `k` must be in [0, {tensor.shape[-1]}] (the last axis). "
                         f"Received: k={k}")
    xp = backend.xp()
    data = tensor.data.astype("int32") if tensor.dtype == "bool" else tensor.data
    # a stable sort of the negated values keeps tied values in index order (bool: as ints)
    keys = -data if data.dtype.kind in "fi" else -(data.astype("int64"))
    order = xp.argsort(keys, axis=-1, kind="stable")[..., :k]
    return take_along_axis(tensor, order, axis=-1), Tensor(order.astype("int32"))


def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    """Whether each target class is among the ``k`` highest scores of its row (bool).

    Ties count in the target's favour (a target tied with the k-th score is in); targets
    outside ``[0, num_classes)`` are never in. ``targets``: ``(n,)``; ``predictions``:
    ``(n, num_classes)``. Example: ``in_top_k([1], [[0.1, 0.5, 0.9]], 2)`` -> ``[True]``.
    """
    labels = to_operand_tensor(targets, "in_top_k").data
    scores = to_operand_tensor(predictions, "in_top_k").data
    check_integer_dtype(labels, "in_top_k", "targets")
    if scores.ndim != 2 or labels.shape != scores.shape[:1]:
        raise ValueError(f"in_top_k: expected targets of shape (n,) and predictions of shape "
                         f"(n, num_classes). Received {tuple(labels.shape)} and "
                         f"{tuple(scores.shape)}")
    k = as_int(k, "in_top_k", "k")
    xp = backend.xp()
    picked = labels[:, None] == xp.arange(scores.shape[1])
    target_scores = xp.where(picked, scores, 0).sum(axis=1, keepdims=True)
    higher = (scores > target_scores).sum(axis=1)
    return Tensor(picked.any(axis=1) & (higher < k))


def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Tensor:
    """Per element, the entry of the first ``choicelist`` tensor whose condition holds, else
    ``default`` (all broadcast together). Gradients reach the chosen entries.

    Example: ``select([x < 0, x > 1], [-x, x * 2], default=x)``.
    """
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise TypeError("select: `condlist` and `choicelist` must be lists of tensors. "
                        f"Received {type(condlist).__name__} and {type(choicelist).__name__}")
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError("select: `condlist` and `choicelist` need the same non-zero length. "
                         f"Received {len(condlist)} and {len(choicelist)}")
    dtype = result_type(*choicelist, default, op_name="select")
    result = to_operand_tensor(default, "select", dtype)
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        condition = to_operand_tensor(condition, "select")
        if condition.dtype != "bool":
            raise TypeError(f"select: conditions must be bool tensors. Received dtype "
                            f"{condition.dtype}")
        result = where(condition, to_operand_tensor(choice, "select", dtype), result)
    return result if result.dtype == dtype else Tensor(result.data.astype(dtype))


def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None,
              sparse: bool = False, **kwargs: Any) -> Tensor:
    """Multi-hot encode integer labels: 1 for every class present in a sample.

    Args:
        inputs: int labels, ``(n_labels,)`` for one sample or ``(batch, n_labels)``.
        num_classes: the encoding length (``num_tokens`` is accepted as an old alias).
        axis: where the class axis goes in the one-hot encoding before reducing the labels.
        dtype: result dtype, floatx() by default. sparse: not supported (True raises).

    Example: ``multi_hot([0, 4], 5)`` -> ``[1., 0., 0., 0., 1.]``.
    """
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise TypeError(f"multi_hot: unexpected arguments {sorted(kwargs)}")
    if num_classes is None:
        raise ValueError("multi_hot: `num_classes` is required. Received: num_classes=None")
    labels = to_operand_tensor(inputs, "multi_hot")
    check_integer_dtype(labels.data, "multi_hot", "inputs")
    dtype = backend.floatx() if dtype is None else standardize_dtype(dtype, "multi_hot")
    encoded = one_hot(labels, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return max(encoded, axis=1 if labels.ndim > 1 else 0)


def cdist(x: Any, y: Any) -> Tensor:
    """Euclidean distances between the rows of ``x`` ``(..., n, d)`` and ``y`` ``(..., m, d)``:
    shape ``(..., n, m)``. Ints give floatx(). The gradient is NaN where two rows coincide
    (the square root's slope at 0), as in Keras's backends.
    """
    dtype = result_type(x, y, 1.0, op_name="cdist")
    first = to_operand_tensor(x, "cdist", dtype)
    second = to_operand_tensor(y, "cdist", dtype)
    if first.ndim < 2 or second.ndim < 2 or first.shape[-1] != second.shape[-1]:
        raise ValueError("cdist: inputs need rank >= 2 and the same last dimension. "
                         f"Received shapes {first.shape} and {second.shape}")
    difference = subtract(expand_dims(cast(first, dtype), -2), expand_dims(cast(second, dtype), -3))
    return sqrt(sum(multiply(difference, difference), axis=-1))
