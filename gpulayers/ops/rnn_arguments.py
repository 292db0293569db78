"""Argument checks shared by the recurrent ops (cells and sequences): clear errors naming the
op, the argument, and expected vs received."""

from __future__ import annotations

from typing import Any

from gpulayers import autodiff, backend

__all__ = ["activation_name", "check_shape", "constant_mask", "optional_tensor",
           "same_float_dtype"]


def activation_name(op: str, argument: str, value: Any) -> str:
    """Validated activation name (None means ``'linear'``, as in Keras)."""
    name = "linear" if value is None else value
    known = backend.primitives("rnn").ACTIVATIONS
    if not isinstance(name, str) or name not in known:
        raise ValueError(f"{op}: `{argument}` must be one of {known} or None. "
                         f"Received: {argument}={value!r}")
    return name


def optional_tensor(value: Any) -> autodiff.Tensor | None:
    """None stays None; anything else becomes a Tensor."""
    return None if value is None else autodiff.convert_to_tensor(value)


def check_shape(op: str, argument: str, tensor: autodiff.Tensor,
                expected: tuple[int | None, ...]) -> None:
    """ValueError unless ``tensor`` has ``len(expected)`` dims matching (None: any size)."""
    shape = tensor.shape
    if len(shape) != len(expected) or any(
            want is not None and got != want for got, want in zip(shape, expected)):
        wanted = tuple("?" if want is None else want for want in expected)
        raise ValueError(f"{op}: `{argument}` must have shape {wanted}. Received shape {shape}")


def same_float_dtype(op: str, tensors: dict[str, autodiff.Tensor | None]) -> None:
    """TypeError unless every given tensor has the same floating dtype."""
    given = {name: t.dtype for name, t in tensors.items() if t is not None}
    dtypes = set(given.values())
    if len(dtypes) != 1 or not next(iter(dtypes)).startswith("float"):
        raise TypeError(f"{op}: all arguments must share one float dtype. Received dtypes "
                        f"{given}")


def constant_mask(op: str, argument: str, mask: Any, shape: tuple[int, int], axes: str,
                  dtype: Any) -> Any | None:
    """A mask argument (no gradient) as a backend array of ``dtype`` after checking its
    ``shape`` (named ``axes`` in the error), or None.

    Used for Keras timestep masks ``(N, T)`` (dtype bool: nonzero means keep) and recurrent
    dropout masks ``(N, u)``.
    """
    if mask is None:
        return None
    array = backend.xp().asarray(autodiff.unwrap(mask))
    if tuple(array.shape) != shape:
        raise ValueError(f"{op}: `{argument}` must have shape {shape} ({axes}). Received "
                         f"shape {tuple(array.shape)}")
    return array.astype(dtype)
