"""``normalize``: rows scaled to unit norm (Keras 3's ``keras.utils.normalize``)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.backend import host_datasets

__all__ = ["normalize"]


def normalize(x: Any, axis: int = -1, order: int = 2) -> Any:
    """``x`` divided by its ``order``-norm along ``axis``.

    A NumPy array gives a NumPy array (a zero norm leaves its slice unchanged), as in Keras;
    a tensor goes through ``ops.nn.normalize``.

    Args:
        x: an array or tensor.
        axis: the axis along which to normalize.
        order: the norm's order (2: Euclidean).

    Example: ``normalize(np.array([[3.0, 4.0]]))`` -> ``[[0.6, 0.8]]``.
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be a positive integer. Received: "
                         f"order={order!r}")
    if host_datasets.is_numpy_array(x):
        return host_datasets.normalize_array(x, axis, order)
    return ops.nn.normalize(x, axis=axis, order=order)
