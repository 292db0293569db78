"""ActivityRegularization: add an L1/L2 penalty on the activations to the layer's losses."""

from __future__ import annotations

from typing import Any

from gpulayers import regularizers
from gpulayers.autodiff import Tensor
from gpulayers.layers.layer import Layer
from gpulayers.layers.regularization.regularization_arguments import non_negative_float


class ActivityRegularization(Layer):
    """The identity on its input, plus the penalty
    ``(l1 * sum(|x|) + l2 * sum(x**2)) / batch_size`` added to ``layer.losses`` on every
    call (Keras 3 normalizes activity penalties by the batch size).

    Args:
        l1: L1 factor (>= 0, default 0). l2: L2 factor (>= 0, default 0).
        **kwargs: base Layer arguments (name, dtype, ...).

    Input: any float tensor. Output: the same tensor values; masks pass through.

    Example::

        reg = ActivityRegularization(l1=1e-3)
        y = reg(x)                        # y == x
        reg.losses                        # [1e-3 * sum(|x|) / x.shape[0]]
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        if "activity_regularizer" in kwargs:
            raise TypeError(f"ActivityRegularization: pass `l1`/`l2`, not "
                            f"`activity_regularizer`. Received: "
                            f"activity_regularizer={kwargs['activity_regularizer']!r}")
        super().__init__(**kwargs)
        self.l1 = non_negative_float(self, "l1", l1)
        self.l2 = non_negative_float(self, "l2", l2)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2)
        self.supports_masking = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}


__all__ = ["ActivityRegularization"]
