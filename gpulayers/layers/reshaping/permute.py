"""Permute: reorder the non-batch axes of the input."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer

__all__ = ["Permute"]


class Permute(Layer):
    """Permute the axes of each sample (e.g. to connect RNNs and convnets).

    Args:
        dims: a permutation of ``1..rank`` (1-based; the batch axis 0 stays first).
            ``(2, 1)`` swaps the first and second axes after the batch.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: rank ``len(dims) + 1``.
    Output shape: ``(batch, input_shape[dims[0]], input_shape[dims[1]], ...)``.

    Example::

        Permute((2, 1))(ops.ones((4, 10, 64))).shape        # (4, 64, 10)
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        values = tuple(dims) if isinstance(dims, (list, tuple)) else None
        if values is None or sorted(values) != list(range(1, len(values) + 1)) or any(
                isinstance(d, bool) for d in values):
            raise ValueError(f"{owner(self)}: `dims` must be a permutation of 1..n (the axes "
                             f"after the batch axis, 1-based). Received: dims={dims!r}")
        self.dims = tuple(int(d) for d in values)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return ops.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if len(shape) != len(self.dims) + 1:
            raise ValueError(f"{owner(self)}: expected inputs of rank {len(self.dims) + 1}. "
                             f"Received input shape {shape}")
        return (shape[0], *(shape[d] for d in self.dims))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}
