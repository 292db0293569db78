"""Masking: mark timesteps to skip (all features equal to ``mask_value``) for later layers."""

from __future__ import annotations

import numbers
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Mask the timesteps whose features all equal ``mask_value``.

    For inputs ``(batch, timesteps, features)``, timestep ``t`` of sample ``b`` is masked
    (skipped by mask-consuming layers such as the recurrent ones) when
    ``all(inputs[b, t, :] == mask_value)``. The output equals the input with the masked
    timesteps set to zero, and carries the mask ``any(inputs != mask_value, axis=-1)``.

    Args:
        mask_value: the number marking padding (default 0.0).
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: any rank >= 2, features on the last axis. Output shape: the input shape.

    Example::

        x = ops.convert_to_tensor([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])
        y = Masking()(x)
        y._keras_mask                 # [[True, False, True]]
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise ValueError(f"{owner(self)}: `mask_value` must be a number. "
                             f"Received: mask_value={mask_value!r}")
        self.mask_value = mask_value
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=2)
        self.built = True

    def _keep(self, inputs: Tensor, keepdims: bool) -> Tensor:
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=keepdims)

    def call(self, inputs: Tensor) -> Tensor:
        return ops.where(self._keep(inputs, keepdims=True), inputs, 0)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor:
        return self._keep(inputs, keepdims=False)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
