"""UpSampling1D: repeat each timestep of a sequence."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.reshaping.base_up_sampling import BaseUpSampling

__all__ = ["UpSampling1D"]


class UpSampling1D(BaseUpSampling):
    """Upsample a sequence by repeating each timestep `size` times along the time axis.

    Args:
        size: a positive int, the upsampling factor.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input shape: `(batch, steps, features)`.
    Output shape: `(batch, steps * size, features)`.

    Example::

        UpSampling1D(2)(ops.convert_to_tensor([[[1.0], [2.0]]]))   # [[[1.], [1.], [2.], [2.]]]
    """

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(1, size, data_format="channels_last", **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self._sizes[0]}
