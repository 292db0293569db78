"""Normalization: shift and scale features by a mean and variance, given or adapted to data."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.config import epsilon
from gpulayers.layers.layer import Layer


class Normalization(Layer):
    """Normalize features: ``(inputs - mean) / max(sqrt(variance), epsilon())``.

    The mean and variance are either passed in, or computed from data with :meth:`adapt`
    (stored in the non-trainable weights ``mean``, ``variance`` and ``count``, in that
    order, as Keras 3 stores them; like Keras, ``adapt`` leaves ``count`` at 0). Before
    ``adapt`` the stored mean is 0 and the variance 1, so the layer is the identity.

    Args:
        axis: the axis or axes that keep a separate mean and variance per index (default
            -1, the feature axis); None for one scalar mean and variance.
        mean: the mean, broadcast to the kept axes' shape; needs ``variance`` too.
        variance: the variance, same shape as ``mean``.
        invert: apply the inverse transform ``inputs * max(sqrt(variance), eps) + mean``.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any tensor (cast to the layer's dtype). Output: same shape.

    Example::

        layer = Normalization(axis=-1)
        layer.adapt(np.array([[0., 7.], [2., 9.]]))
        layer(np.array([[0., 7.]]))      # [[-1., -1.]]
    """

    def __init__(self, axis: int | Iterable[int] | None = -1, mean: Any = None,
                 variance: Any = None, invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis is None:
            self.axis: tuple[int, ...] = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = (axis,)
        else:
            self.axis = tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization '{self.name}': when setting values directly, "
                             "both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")
        self.input_mean = _plain(mean)
        self.input_variance = _plain(variance)
        if mean is not None:
            mean_shape, variance_shape = _shape_of(self.input_mean), _shape_of(
                self.input_variance)
            if mean_shape != variance_shape:
                raise ValueError(f"Normalization '{self.name}': `mean` and `variance` must "
                                 f"have the same shape. Received: mean shape {mean_shape} "
                                 f"and variance shape {variance_shape}")
            if len(mean_shape) > len(self.axis):
                raise ValueError(f"Normalization '{self.name}': the rank of `mean` must be "
                                 f"at most the number of axes ({len(self.axis)}). "
                                 f"Received: mean shape {mean_shape} for axis {self.axis}")
        self.invert = bool(invert)
        self.supports_masking = True
        self._build_input_shape: tuple | None = None
        self.adapt_mean: Any = None
        self.adapt_variance: Any = None
        self.count: Any = None

    def build(self, input_shape: Any) -> None:
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization '{self.name}': all `axis` values must be in "
                             f"the range [-ndim, ndim). Received inputs with ndim={ndim}, "
                             f"while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(f"Normalization '{self.name}': all `axis` values to be "
                                 f"kept must have a known size. Received axis={self.axis}, "
                                 f"inputs.shape={input_shape}, unknown at index {a}")
        self._build_input_shape = input_shape
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axis else 1
                                      for a in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[a] for a in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._mean_and_var_shape, initializer="ones",
                trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        else:
            self._given = (self._expand(self.input_mean), self._expand(self.input_variance))
        self.built = True

    def _expand(self, value: Any) -> Tensor:
        """A given mean or variance, broadcast to the kept axes of the input's rank."""
        tensor = ops.convert_to_tensor(value, dtype=self.compute_dtype)
        ndim = len(self._broadcast_shape)
        if tensor.ndim > 0:
            expanded = [1] * ndim
            for i in range(1, tensor.ndim + 1):
                expanded[self._keep_axis[-i]] = tensor.shape[-i]
            tensor = ops.reshape(tensor, tuple(expanded))
        try:
            return ops.broadcast_to(tensor, self._broadcast_shape)
        except ValueError as error:
            raise ValueError(f"Normalization '{self.name}': the given mean/variance of shape "
                             f"{tuple(tensor.shape)} cannot broadcast to "
                             f"{self._broadcast_shape}: {error}") from None

    def _statistics(self) -> tuple[Tensor, Tensor]:
        if self.input_mean is not None:
            return self._given
        mean = ops.reshape(ops.cast(self.adapt_mean, self.compute_dtype), self._broadcast_shape)
        variance = ops.reshape(ops.cast(self.adapt_variance, self.compute_dtype),
                               self._broadcast_shape)
        return mean, variance

    def call(self, inputs: Tensor) -> Tensor:
        inputs = ops.cast(inputs, self.compute_dtype)
        if tuple(inputs.shape[a] for a in self._keep_axis) != self._mean_and_var_shape:
            raise ValueError(f"Normalization '{self.name}': expected inputs compatible with "
                             f"shape {self._build_input_shape}. Received: {inputs.shape}")
        mean, variance = self._statistics()
        scale = ops.maximum(ops.sqrt(variance), epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def adapt(self, data: Any, batch_size: int | None = None,
              steps: int | None = None) -> None:
        """Compute the mean and variance of ``data`` over every axis but ``axis``.

        Args:
            data: a NumPy/backend array or Tensor, a nested list of numbers, or an
                iterable of batches (arrays, or ``(x, y, ...)`` tuples whose first entry is
                used). Batch moments are combined exactly (streaming), so adapting over
                batches gives the statistics of their concatenation.
            batch_size: when ``data`` is one array, stream it in batches of this size.
            steps: the number of batches to use from ``data`` (default: all).

        Example::

            layer.adapt(x)                          # one array
            layer.adapt(x, batch_size=32)           # the same statistics, streamed
            layer.adapt(batch for batch in loader)  # an iterable of batches
        """
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}': adapt() cannot be used when "
                             "`mean` and `variance` were passed to the constructor")
        batches = self._batches(data, batch_size, steps)
        first = next(batches, None)
        if first is None:
            raise ValueError(f"Normalization '{self.name}': adapt() received no data "
                             "(an empty iterable). Pass an array or a non-empty iterable "
                             "of batches")
        self._check_adapt_shape(tuple(first.shape))
        total_mean = total_var = None
        total_count = 0
        for batch in _chain(first, batches):
            batch = ops.cast(batch, "float64")
            self._check_adapt_shape(tuple(batch.shape))
            batch_mean = ops.mean(batch, axis=self._reduce_axis)
            batch_var = ops.var(batch, axis=self._reduce_axis)
            batch_count = math.prod(batch.shape[a] for a in self._reduce_axis)
            if batch_count == 0:
                continue
            if total_mean is None:
                total_mean, total_var, total_count = batch_mean, batch_var, batch_count
                continue
            new_count = total_count + batch_count
            delta = batch_mean - total_mean
            new_mean = total_mean + delta * (batch_count / new_count)
            total_var = (total_var * total_count + batch_var * batch_count
                         + delta * delta * (total_count * batch_count / new_count)
                         ) / new_count
            total_mean, total_count = new_mean, new_count
        if total_mean is None:
            raise ValueError(f"Normalization '{self.name}': adapt() received only empty "
                             "batches")
        self.adapt_mean.assign(ops.cast(total_mean, self.adapt_mean.dtype))
        self.adapt_variance.assign(ops.cast(total_var, self.adapt_variance.dtype))

    def _check_adapt_shape(self, shape: tuple) -> None:
        if not self.built:
            self._build_once(shape)
            return
        if len(shape) != len(self._build_input_shape) or any(
                shape[a] != self._build_input_shape[a] for a in self._keep_axis):
            raise ValueError(f"Normalization '{self.name}': the layer was built with "
                             f"input_shape={self._build_input_shape}, but adapt() received "
                             f"data with an incompatible shape {shape}")

    def _batches(self, data: Any, batch_size: int | None,
                 steps: int | None) -> Iterator[Tensor]:
        if _is_array(data) or (isinstance(data, (list, tuple)) and data
                               and not any(_is_array(item) or isinstance(item, tuple)
                                           for item in data)):
            array = ops.convert_to_tensor(data)
            if batch_size is None:
                batches: Iterable[Any] = [array]
            else:
                if batch_size < 1:
                    raise ValueError(f"Normalization '{self.name}': `batch_size` must be a "
                                     f"positive int. Received: batch_size={batch_size}")
                batches = (array[start:start + batch_size]
                           for start in range(0, array.shape[0], batch_size))
        elif isinstance(data, Iterable):
            batches = data
        else:
            raise TypeError(f"Normalization '{self.name}': adapt() expects an array, a list "
                            "or an iterable of batches. Received: "
                            f"{type(data).__name__}")
        for step, batch in enumerate(batches):
            if steps is not None and step >= steps:
                return
            if isinstance(batch, tuple):
                batch = batch[0]
            yield ops.convert_to_tensor(batch)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": self.input_mean, "variance": self.input_variance}


def _is_array(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _chain(first: Tensor, rest: Iterator[Tensor]) -> Iterator[Tensor]:
    yield first
    yield from rest


def _plain(value: Any) -> Any:
    """A given mean/variance as a float or nested list (what the config stores)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (int, float)):
        return float(value)
    return ops.convert_to_numpy(value).tolist()


def _shape_of(value: Any) -> tuple[int, ...]:
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


__all__ = ["Normalization"]
