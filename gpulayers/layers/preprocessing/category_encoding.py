"""CategoryEncoding: integer category ids as one-hot, multi-hot or count vectors; and
:func:`encode_categorical`, the encoding every lookup/hashing layer shares."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.keras_tensor import is_symbolic
from gpulayers.layers.layer import Layer

_MODES = ("one_hot", "multi_hot", "count")


def encode_categorical(indices: Any, output_mode: str, depth: int, dtype: str,
                       count_weights: Any = None) -> Tensor:
    """Encode integer ``indices`` as Keras's ``encode_categorical_inputs`` does.

    'int' casts; 'one_hot' drops a trailing size-1 axis, then appends a ``depth`` axis;
    'multi_hot' / 'count' one-hot encode and reduce over axis 1 (axis 0 for 1-D inputs),
    so ``(batch, n)`` becomes ``(batch, depth)``. Ids outside ``[0, depth)`` are dropped.
    ``count_weights`` (same shape as ``indices``) weights each id in 'count' mode.
    """
    indices = ops.convert_to_tensor(indices)
    if output_mode == "int":
        return ops.cast(indices, dtype)
    indices = ops.cast(indices, "int64")
    if indices.ndim == 0:
        indices = ops.expand_dims(indices, -1)
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = ops.squeeze(indices, -1)
        return ops.one_hot(indices, depth, dtype=dtype)
    axis = 1 if indices.ndim > 1 else 0
    if output_mode == "multi_hot":
        return ops.max(ops.one_hot(indices, depth, dtype=dtype), axis=axis)
    if count_weights is not None:
        weights = ops.convert_to_tensor(count_weights)
        encoded = ops.one_hot(indices, depth, dtype=weights.dtype)
        return ops.sum(encoded * ops.expand_dims(weights, -1), axis=axis)
    return ops.sum(ops.one_hot(indices, depth, dtype=dtype), axis=axis)


def encoded_shape(input_shape: tuple, output_mode: str, depth: int | None) -> tuple:
    """The output shape of :func:`encode_categorical` for ``input_shape``."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return (depth,)
    return (input_shape[0], *input_shape[2:], depth)


def check_sparse(sparse: bool, who: str) -> None:
    """gpulayers has no sparse tensors: ``sparse=True`` is refused rather than ignored."""
    if sparse:
        raise ValueError(f"{who}: `sparse=True` is not supported (gpulayers has no sparse "
                         "tensors; Keras supports it only on the TensorFlow backend). "
                         "Received: sparse=True")


class EncodingLayer(Layer):
    """Base of the encoding, hashing and lookup layers: takes one input the way Keras does.

    Nested Python lists are one tensor (not several inputs). Layers with ``host_inputs``
    (strings, vocabularies, hashing) get the raw value in ``call`` and convert it on the
    host themselves, since strings cannot become device tensors; they hold no weights.
    """

    host_inputs = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args or is_symbolic((args, kwargs)):
            return super().__call__(*args, **kwargs)
        inputs = args[0]
        if not self.host_inputs:
            if isinstance(inputs, list):
                inputs = ops.convert_to_tensor(inputs)
            return super().__call__(inputs, *args[1:], **kwargs)
        self._build_once(None)
        kwargs.pop("training", None)
        kwargs.pop("mask", None)
        return self.call(inputs, *args[1:], **kwargs)


class CategoryEncoding(EncodingLayer):
    """Encode integer category ids in ``[0, num_tokens)`` as dense vectors.

    Args:
        num_tokens: the number of categories (the output's last dimension).
        output_mode: 'multi_hot' (default; 1 for each id present in a sample, treating
            the last axis of a 2-D input as the sample), 'one_hot' (each id encoded on
            its own; a trailing size-1 axis is replaced), or 'count' (occurrences,
            optionally weighted by ``count_weights`` in the call). 'binary' is an alias
            of 'multi_hot'.
        sparse: must be False (gpulayers has no sparse tensors).
        **kwargs: base Layer arguments (name, dtype: the output dtype, default floatx).

    Input: integer ids, shape ``()``, ``(batch,)`` or ``(batch, n)``.
    Output: ``(batch, num_tokens)`` (one_hot: ``input_shape + (num_tokens,)`` unless the
    last axis is 1).

    Example::

        layer = CategoryEncoding(num_tokens=4, output_mode="multi_hot")
        layer([[0, 1], [0, 0], [1, 2], [3, 1]])
        # [[1,1,0,0], [1,0,0,0], [0,1,1,0], [0,1,0,1]]
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _MODES:
            raise ValueError(f"CategoryEncoding '{self.name}': `output_mode` must be one of "
                             f"{_MODES}. Received: output_mode={output_mode!r}")
        if num_tokens is None:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be set. If "
                             "the number of tokens is not known beforehand, use "
                             "IntegerLookup instead")
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, int) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be an int "
                             f">= 1. Received: num_tokens={num_tokens!r}")
        check_sparse(sparse, f"CategoryEncoding '{self.name}'")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs: Tensor, count_weights: Any = None) -> Tensor:
        if "int" not in inputs.dtype and "float" not in inputs.dtype:
            raise TypeError(f"CategoryEncoding '{self.name}': expected integer category "
                            f"ids. Received dtype {inputs.dtype}")
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` is only "
                                 "used when `output_mode` is 'count'. Received "
                                 f"output_mode={self.output_mode!r}")
            count_weights = ops.cast(count_weights, self.compute_dtype)
            if tuple(count_weights.shape) != tuple(inputs.shape):
                raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` must have "
                                 f"the inputs' shape {tuple(inputs.shape)}. Received: "
                                 f"{tuple(count_weights.shape)}")
        self._check_range(inputs)
        return encode_categorical(inputs, self.output_mode, self.num_tokens, self.compute_dtype,
                                  count_weights)

    def _check_range(self, inputs: Tensor) -> None:
        if inputs.size == 0:
            return
        low, high = float(ops.min(inputs)), float(ops.max(inputs))
        if low < 0 or high >= self.num_tokens:
            raise ValueError(f"CategoryEncoding '{self.name}': input values must be in the "
                             f"range 0 <= values < num_tokens={self.num_tokens}. Received "
                             f"values from {low:g} to {high:g}")

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return encoded_shape(tuple(input_shape), self.output_mode, self.num_tokens)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}  # Keras leaves `sparse` out too


__all__ = ["CategoryEncoding", "EncodingLayer", "check_sparse", "encode_categorical",
           "encoded_shape"]
