"""Keras-compatible global configuration: float type, fuzz factor and image layout."""

from __future__ import annotations

_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")
_DATA_FORMATS = ("channels_last", "channels_first")

_config = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def floatx() -> str:
    """The default float type as a string, e.g. ``'float32'``."""
    return _config["floatx"]


def set_floatx(value: str) -> None:
    """Set the default float type: ``'float16'``, ``'bfloat16'``, ``'float32'``, ``'float64'``."""
    value = str(value)
    if value not in _FLOAT_TYPES:
        raise ValueError(f"set_floatx: expected one of {_FLOAT_TYPES}. Received: {value!r}")
    _config["floatx"] = value


def epsilon() -> float:
    """The fuzz factor used to avoid division by zero (default 1e-7)."""
    return _config["epsilon"]


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`."""
    value = float(value)
    if not value > 0:
        raise ValueError(f"set_epsilon: expected a positive float. Received: {value!r}")
    _config["epsilon"] = value


def image_data_format() -> str:
    """``'channels_last'`` (default) or ``'channels_first'``."""
    return _config["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    """Set the default image layout: ``'channels_last'`` or ``'channels_first'``."""
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"set_image_data_format: expected one of {_DATA_FORMATS}. Received: {data_format!r}"
        )
    _config["image_data_format"] = data_format


def standardize_data_format(data_format: str | None) -> str:
    """Resolve ``None`` to the global default and validate the value."""
    if data_format is None:
        return image_data_format()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"`data_format` must be one of {_DATA_FORMATS}. Received: data_format={data_format!r}"
        )
    return data_format
