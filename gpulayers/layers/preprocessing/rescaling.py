"""Rescaling: multiply the inputs by ``scale`` and add ``offset`` (Keras 3 semantics)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend.config import image_data_format
from gpulayers.layers.layer import Layer


class Rescaling(Layer):
    """Rescale every input value: ``outputs = inputs * scale + offset``.

    Inputs of any dtype (integers included) are cast to the layer's dtype (``floatx()`` by
    default) first, so the output is a float tensor. Applied in training and inference.

    Args:
        scale: a float, or a list of per-channel floats broadcast against the last axis
            (the channel axis, which is axis -3 of the image when the global image data
            format is ``"channels_first"``, as in Keras).
        offset: a float or a list of per-channel floats, added after scaling.
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any tensor. Output: same shape, the layer's dtype. No weights.

    Example::

        layer = Rescaling(1.0 / 127.5, offset=-1.0)
        y = layer(images_uint8)         # float32 values in [-1, 1]
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = _plain(scale, self.name, "scale")
        self.offset = _plain(offset, self.name, "offset")
        self.supports_masking = True

    def call(self, inputs: Tensor) -> Tensor:
        dtype = self.compute_dtype
        scale = ops.convert_to_tensor(self.scale, dtype=dtype)
        offset = ops.convert_to_tensor(self.offset, dtype=dtype)
        if scale.ndim > 0 and image_data_format() == "channels_first":
            scale = ops.reshape(scale, tuple(scale.shape) + (1,) * (3 - scale.ndim))
        return ops.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def _plain(value: Any, layer_name: str, name: str) -> Any:
    """A float or (nested) list of floats, as stored in the config."""
    if hasattr(value, "shape") and not isinstance(value, (int, float)):
        value = ops.convert_to_numpy(value).tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item, layer_name, name) for item in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"Rescaling '{layer_name}': `{name}` must be a float or a list of "
                         f"floats. Received: {name}={value!r}")
    return float(value)


__all__ = ["Rescaling"]
