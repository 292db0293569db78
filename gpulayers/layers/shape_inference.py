"""Output shapes found by running a layer on small placeholder inputs.

Used by layers (custom ones, Lambda) that do not write ``compute_output_shape`` in closed
form. Unknown sizes (``None``) are tried at two different values; an output dimension that
changes with them is unknown too.
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor


def _placeholder(shape: tuple, fill: int, dtype: str) -> Tensor:
    concrete = tuple(fill if d is None else d for d in shape)
    return Tensor(backend.xp().zeros(concrete, dtype=dtype))


def _run(layer: Any, input_shape: Any, fill: int) -> list[tuple]:
    several = isinstance(input_shape, list)
    shapes = input_shape if several else [input_shape]
    inputs = [_placeholder(tuple(s), fill, layer.dtype) for s in shapes]
    kwargs = {"training": False} if layer._call_accepts_training else {}
    outputs = layer.call(inputs if several else inputs[0], **kwargs)
    flat = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [tuple(o.shape) for o in flat], isinstance(outputs, (list, tuple))


def run_on_placeholders(layer: Any, input_shape: Any) -> None:
    """Run ``layer.call`` once on zeros of ``input_shape`` (unknown sizes as 2), in inference
    mode: builds every sublayer it calls."""
    _run(layer, input_shape, 2)


def infer_output_shape(layer: Any, input_shape: Any) -> Any:
    """The output shape(s) of ``layer`` for ``input_shape`` (None = unknown size)."""
    first, several = _run(layer, input_shape, 2)
    second, _ = _run(layer, input_shape, 3)
    merged = [tuple(a if a == b else None for a, b in zip(s1, s2))
              for s1, s2 in zip(first, second)]
    return merged if several else merged[0]
