"""TimeDistributed: apply one layer (one set of weights) to every timestep of a sequence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers import ops
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.layer import Layer
from gpulayers.layers.recurrent.wrapping import check_wrapped, wrapped_from_config
from gpulayers.layers.serialization import serialize

__all__ = ["TimeDistributed"]


class TimeDistributed(Layer):
    """Applies ``layer`` to every temporal slice ``inputs[:, t]`` with the same weights.

    The timesteps are folded into the batch: ``(N, T, ...)`` is reshaped to ``(N*T, ...)``,
    run through ``layer`` in one call, and the result reshaped to ``(N, T, ...)``. This equals
    a loop over the timesteps for every layer whose rows are independent; a layer that mixes
    rows (BatchNormalization in training) sees the ``N*T`` rows together, where Keras 3 loops
    over the timesteps (statistics per timestep).

    Args:
        layer: the Layer instance to apply (its weights are this wrapper's weights).
        **kwargs: base Layer arguments (name, trainable, dtype: default ``layer``'s).

    Call arguments:
        inputs: ``(batch, timesteps, ...)``, rank 3 or more.
        training: passed to ``layer`` when its ``call`` takes it.
        mask: ``(batch, timesteps, ...)`` bools. Passed (reshaped to ``(batch*timesteps,
            ...)``) to a ``layer`` whose ``call`` takes ``mask`` when it is a mask of that
            layer's inputs (rank at least the input's rank minus 1): a ``(N, T)`` mask of
            ``(N, T, F)`` inputs, as Keras 3 does. A ``(N, T)`` mask of ``(N, T, L, F)``
            inputs marks whole slices, not the inner layer's steps: it is not passed in, only
            carried to the output.

    Output mask: ``layer``'s own output mask (e.g. ``Embedding(mask_zero=True)``) reshaped to
    ``(N, T, ...)`` when it computes one, else the input mask.

    Shapes: input ``(N, T, *inner_input)`` -> output ``(N, T, *inner_output)``.

    Example::

        TimeDistributed(Dense(8))(ops.ones((32, 10, 16))).shape              # (32, 10, 8)
        TimeDistributed(Conv2D(4, 3))(ops.ones((2, 5, 9, 9, 3))).shape       # (2, 5, 7, 7, 4)
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        dtype = kwargs.pop("dtype", None)
        if dtype is None and isinstance(layer, Layer):
            dtype = layer.dtype
        super().__init__(dtype=dtype, **kwargs)
        self.layer = check_wrapped(owner(self), "layer", layer)
        self.supports_masking = True

    # -- shapes ----------------------------------------------------------------------------
    def _checked_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3 or any(
                isinstance(d, (tuple, list)) for d in input_shape):
            raise ValueError(f"{owner(self)}: expected one input of rank 3 or more (batch, "
                             f"timesteps, ...): the layer is applied to every timestep. "
                             f"Received an input of shape {input_shape}")
        return tuple(input_shape)

    @staticmethod
    def _inner_shape(shape: tuple) -> tuple:
        batch, steps = shape[0], shape[1]
        rows = None if batch is None or steps is None else batch * steps
        return (rows, *shape[2:])

    def _check_inputs(self, inputs: Any) -> None:
        shapes = [tuple(t.shape) for t in inputs] if isinstance(inputs, (list, tuple)) else (
            tuple(inputs.shape))
        self._checked_shape(shapes)
        super()._check_inputs(inputs)

    def build(self, input_shape: Any) -> None:
        self.layer._build_once(self._inner_shape(self._checked_shape(input_shape)))
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = self._checked_shape(input_shape)
        inner = self.layer.compute_output_shape(self._inner_shape(shape))
        return _map_shapes(inner, lambda s: (shape[0], shape[1], *tuple(s)[1:]))

    # -- computation -----------------------------------------------------------------------
    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        batch, steps = inputs.shape[0], inputs.shape[1]
        flat = ops.reshape(inputs, (batch * steps, *inputs.shape[2:]))
        kwargs: dict[str, Any] = {"training": training}
        inner_mask = self._inner_mask(inputs, mask)
        if inner_mask is not None:
            kwargs["mask"] = inner_mask  # dropped by Layer.__call__ if call() takes no mask
        outputs = self.layer(flat, **kwargs)
        return _map_tensors(outputs, lambda t: ops.reshape(t, (batch, steps, *t.shape[1:])))

    def _inner_mask(self, inputs: Any, mask: Any) -> Any:
        """The mask for ``layer``'s ``(N*T, ...)`` inputs, or None (see the class docs)."""
        if mask is None:
            return None
        if mask.ndim < 2 or tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError(f"{owner(self)}: the mask must have shape (batch, timesteps, "
                             f"...) = {tuple(inputs.shape[:2])} + (...). Received a mask of "
                             f"shape {tuple(mask.shape)} for inputs of shape "
                             f"{tuple(inputs.shape)}")
        if mask.ndim < inputs.ndim - 1:
            return None
        return ops.reshape(mask, (mask.shape[0] * mask.shape[1], *mask.shape[2:]))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        inner_mask = None
        # Only a layer that defines its own compute_mask (Embedding, Masking, RNN...) can
        # make a mask; the base one would just echo (or warn about) the mask we pass in.
        if type(self.layer).compute_mask is not Layer.compute_mask:
            batch, steps = inputs.shape[0], inputs.shape[1]
            flat = ops.reshape(inputs, (batch * steps, *inputs.shape[2:]))
            inner_mask = self.layer.compute_mask(flat, self._inner_mask(inputs, mask))
            inner_mask = _map_tensors(inner_mask, lambda m: None if m is None else ops.reshape(
                m, (batch, steps, *m.shape[1:])))
        if all(m is None for m in (inner_mask if isinstance(inner_mask, list) else [inner_mask])):
            return mask
        return inner_mask

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> TimeDistributed:
        """Rebuild from :meth:`get_config` (or a Keras 3 TimeDistributed config)."""
        config = dict(config)
        config["layer"] = wrapped_from_config(config["layer"], config.get("dtype"),
                                              custom_objects)
        return super().from_config(config)


def _map_tensors(value: Any, function: Callable[[Any], Any]) -> Any:
    if isinstance(value, (list, tuple)):
        return [function(item) for item in value]
    return function(value)


def _map_shapes(shapes: Any, function: Callable[[tuple], tuple]) -> Any:
    several = isinstance(shapes, list) or (isinstance(shapes, tuple) and shapes and isinstance(
        shapes[0], (tuple, list)))
    return [function(s) for s in shapes] if several else function(shapes)
