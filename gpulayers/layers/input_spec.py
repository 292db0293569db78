"""InputSpec: what a layer accepts (rank, dtype, fixed axis sizes), checked on every call."""

from __future__ import annotations

from typing import Any


class InputSpec:
    """Constraints on a layer input, as in Keras.

    Args:
        dtype: expected dtype name, or None for any.
        shape: expected full shape (None entries match anything).
        ndim / max_ndim / min_ndim: exact, maximum or minimum rank.
        axes: ``{axis: size}`` sizes that must match (e.g. ``{-1: 64}`` for the channels).
        allow_last_axis_squeeze: accept a trailing size-1 axis difference.

    Example::

        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
    """

    def __init__(self, dtype: str | None = None, shape: tuple | None = None,
                 ndim: int | None = None, max_ndim: int | None = None,
                 min_ndim: int | None = None, axes: dict[int, int] | None = None,
                 allow_last_axis_squeeze: bool = False, name: str | None = None) -> None:
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name

    def __repr__(self) -> str:
        fields = {k: v for k, v in vars(self).items() if v not in (None, {}, False)}
        return "InputSpec(" + ", ".join(f"{k}={v!r}" for k, v in fields.items()) + ")"

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}


def check_input_compatibility(specs: Any, inputs: list[Any], layer_name: str) -> None:
    """Raise ValueError naming the layer if ``inputs`` do not satisfy ``specs``."""
    if specs is None:
        return
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    if len(specs) != len(inputs):
        raise ValueError(
            f"Layer '{layer_name}' expects {len(specs)} input(s), but it received "
            f"{len(inputs)} input tensors."
        )
    for index, (spec, tensor) in enumerate(zip(specs, inputs)):
        if spec is not None:
            _check_one(spec, tuple(tensor.shape), index, layer_name)


def _check_one(spec: InputSpec, shape: tuple, index: int, layer_name: str) -> None:
    where = f"Input {index} of layer '{layer_name}' is incompatible with the layer"
    rank = len(shape)
    if spec.ndim is not None and rank != spec.ndim and not (
            spec.allow_last_axis_squeeze and abs(rank - spec.ndim) == 1):
        raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={rank}. "
                         f"Full shape received: {shape}")
    if spec.max_ndim is not None and rank > spec.max_ndim:
        raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                         f"Full shape received: {shape}")
    if spec.min_ndim is not None and rank < spec.min_ndim:
        raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                         f"Full shape received: {shape}")
    for axis, size in spec.axes.items():
        if size is None or not -rank <= axis < rank:
            continue
        if shape[axis] is not None and shape[axis] != size:
            raise ValueError(f"{where}: expected axis {axis} of the input to have value "
                             f"{size}, but received input with shape {shape}")
    if spec.shape is not None and rank == len(spec.shape):
        for expected, received in zip(spec.shape, shape):
            if expected is not None and received is not None and expected != received:
                raise ValueError(f"{where}: expected shape={spec.shape}, found shape={shape}")
