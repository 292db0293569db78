"""The shared implementation of SpatialDropout1D/2D/3D: dropout of whole feature maps."""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.regularization.dropout import Dropout
from gpulayers.layers.regularization.regularization_arguments import layer_label


class BaseSpatialDropout(Dropout):
    """Dropout whose mask is shared over the spatial axes: each (sample, channel) feature
    map is kept (scaled by ``1 / (1 - rate)``) or zeroed as a whole, during training only.

    Adjacent pixels/frames are strongly correlated, so element-wise dropout barely
    regularizes convolutional features; dropping whole channels does (Tompson et al., 2015).

    Subclasses set ``rank`` (spatial dimensions: 1, 2 or 3). ``data_format`` places the
    channels last (``'channels_last'``, the default from ``image_data_format()``) or right
    after the batch axis (``'channels_first'``); the 1D layer is always channels_last.
    """

    rank: int = 0

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, **kwargs)
        try:
            self.data_format = backend.standardize_data_format(data_format)
        except ValueError as error:
            raise ValueError(f"{layer_label(self)}: {error}") from None
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, inputs: Tensor) -> tuple[int, ...]:
        shape = tuple(inputs.shape)
        if self.data_format == "channels_first":
            return (shape[0], shape[1], *([1] * self.rank))
        return (shape[0], *([1] * self.rank), shape[-1])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("noise_shape", "trainable"):  # Keras writes neither for these layers
            config.pop(key, None)
        return {**config, "data_format": self.data_format}


__all__ = ["BaseSpatialDropout"]
