"""The Keras 1/2 spellings that tutorials still use, mapped onto the modern layers in one place.

- ``Convolution1D``, ``Convolution2D``, ``Convolution3D``: subclasses of Conv1D/2D/3D that
  take the modern arguments *and* the Keras 1 ones::

      Convolution2D(64, 3, 3, border_mode="same", dim_ordering="th", init="he_normal",
                    W_regularizer=l2(1e-4), subsample=(2, 2))
      == Conv2D(64, (3, 3), padding="same", data_format="channels_first",
                kernel_initializer="he_normal", kernel_regularizer=l2(1e-4), strides=(2, 2))

  ``Convolution2D(64, 3, 3)`` means a 3x3 kernel (Keras 1/2's reading, as in the tutorials)
  where Keras 3 would read ``strides=3``; ``Convolution2D(64, 3, 3, padding=...)`` mixes the
  two readings and is refused.
- The pooling layers' ``pool_length=``, ``stride=``, ``border_mode=``, ``dim_ordering=``:
  the modern classes themselves accept the old keywords (their ``__init__`` is wrapped here,
  see ``LEGACY_KEYWORD_LAYERS``). ``DENSE_ARGUMENTS`` (``Dense(output_dim=..., init=...,
  W_regularizer=...)``) and ``RECURRENT_ARGUMENTS`` (``LSTM(output_dim=..., inner_init=...,
  forget_bias_init='one', dropout_W=...)``) are the same tables for Dense and the RNNs.

:func:`translate_legacy_kwargs` does the renaming for every layer: old keyword -> modern
keyword (converting values such as ``dim_ordering='th'`` -> ``data_format='channels_first'``),
and a ValueError naming both when the old and the modern spelling are given together.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gpulayers.layers import core, pooling, recurrent
from gpulayers.layers.convolutional.conv1d import Conv1D
from gpulayers.layers.convolutional.conv2d import Conv2D
from gpulayers.layers.convolutional.conv3d import Conv3D

__all__ = [
    "CONV_ARGUMENTS", "Convolution1D", "Convolution2D", "Convolution3D", "DENSE_ARGUMENTS",
    "LEGACY_KEYWORD_LAYERS", "POOLING_ARGUMENTS", "RECURRENT_ARGUMENTS", "Renamed",
    "accepts_legacy_arguments", "install_legacy_arguments", "translate_legacy_kwargs",
]


@dataclass(frozen=True)
class Renamed:
    """An old keyword argument: the modern name it becomes and how its value converts.

    ``convert(layer_name, value)`` returns the modern value or raises ValueError.
    """

    to: str
    convert: Callable[[str, Any], Any] | None = None


def _dim_ordering(layer_name: str, value: Any) -> str | None:
    """``'th'`` -> channels_first, ``'tf'`` -> channels_last, ``'default'`` -> the global."""
    modern = {"th": "channels_first", "tf": "channels_last", "default": None}
    if value not in modern:
        raise ValueError(f"{layer_name}: `dim_ordering` must be 'th', 'tf' or 'default'. "
                         f"Received: dim_ordering={value!r}")
    return modern[value]


def _forget_bias_init(layer_name: str, value: Any) -> bool:
    """Keras 1's ``forget_bias_init='one'`` is Keras 2+'s ``unit_forget_bias=True``."""
    if value not in ("one", "zero"):
        raise ValueError(f"{layer_name}: `forget_bias_init` has a modern equivalent only for "
                         f"'one' (unit_forget_bias=True) and 'zero' (False). "
                         f"Received: forget_bias_init={value!r}")
    return value == "one"


def _border_mode(layer_name: str, value: Any) -> Any:
    """``border_mode`` values are the modern ``padding`` names; Theano's 'full' has none."""
    if isinstance(value, str) and value.lower() == "full":
        raise ValueError(f"{layer_name}: border_mode='full' has no modern equivalent; use "
                         "padding='valid' or 'same' (or a ZeroPadding layer before the layer)")
    return value


_WEIGHT_ARGUMENTS: dict[str, str | Renamed] = {
    "init": "kernel_initializer", "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer", "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint", "bias": "use_bias",
}
CONV_ARGUMENTS: dict[str, str | Renamed] = {
    **_WEIGHT_ARGUMENTS, "nb_filter": "filters", "output_dim": "filters",
    "filter_length": "kernel_size", "subsample": "strides", "subsample_length": "strides",
    "border_mode": Renamed("padding", _border_mode), "atrous_rate": "dilation_rate",
    "dim_ordering": Renamed("data_format", _dim_ordering),
}
DENSE_ARGUMENTS: dict[str, str | Renamed] = {**_WEIGHT_ARGUMENTS, "output_dim": "units"}
RECURRENT_ARGUMENTS: dict[str, str | Renamed] = {
    **_WEIGHT_ARGUMENTS, "output_dim": "units", "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation", "U_regularizer": "recurrent_regularizer",
    "U_constraint": "recurrent_constraint", "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "forget_bias_init": Renamed("unit_forget_bias", _forget_bias_init),
}
POOLING_ARGUMENTS: dict[str, str | Renamed] = {
    "pool_length": "pool_size", "stride": "strides",
    "border_mode": Renamed("padding", _border_mode),
    "dim_ordering": Renamed("data_format", _dim_ordering),
}


def translate_legacy_kwargs(layer_name: str, kwargs: Mapping[str, Any],
                            mapping: Mapping[str, str | Renamed]) -> dict[str, Any]:
    """``kwargs`` with every old keyword in ``mapping`` replaced by its modern spelling.

    Args:
        layer_name: how errors name the layer (e.g. ``'Dense'``).
        kwargs: the keyword arguments as given.
        mapping: old name -> modern name, or -> :class:`Renamed` to convert the value too.

    Raises:
        ValueError: an old keyword and its modern spelling were both given (or two old
            keywords for the same modern one), or a value has no modern equivalent.

    Example::

        translate_legacy_kwargs("Dense", {"output_dim": 10, "init": "uniform"},
                                DENSE_ARGUMENTS)
        # {'units': 10, 'kernel_initializer': 'uniform'}
    """
    modern: dict[str, Any] = {}
    source: dict[str, str] = {}
    for key, value in kwargs.items():
        rule = mapping.get(key)
        if rule is None:
            target = key
        else:
            rule = rule if isinstance(rule, Renamed) else Renamed(rule)
            target = rule.to
            value = rule.convert(layer_name, value) if rule.convert else value
        if target in modern:
            raise ValueError(
                f"{layer_name}: `{source[target]}` and `{key}` both set `{target}`; they are "
                f"two spellings of one argument. Give only `{target}`.")
        modern[target] = value
        source[target] = key
    return modern


def accepts_legacy_arguments(mapping: Mapping[str, str | Renamed]
                             ) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a layer's ``__init__`` so it also takes the old keywords in ``mapping``."""
    def decorate(init: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(init)
        def init_with_legacy_arguments(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **translate_legacy_kwargs(type(self).__name__, kwargs, mapping))

        init_with_legacy_arguments.legacy_arguments = mapping  # type: ignore[attr-defined]
        return init_with_legacy_arguments
    return decorate


def install_legacy_arguments(cls: type, mapping: Mapping[str, str | Renamed]) -> None:
    """Make ``cls(...)`` accept the old keywords in ``mapping`` (once; idempotent)."""
    if not hasattr(cls.__init__, "legacy_arguments"):
        cls.__init__ = accepts_legacy_arguments(mapping)(cls.__init__)


# -- Convolution1D/2D/3D: positional forms -------------------------------------------------
_KERNEL_KEYWORDS = {1: ("filter_length",), 2: ("nb_row", "nb_col"),
                    3: ("kernel_dim1", "kernel_dim2", "kernel_dim3")}
# Keras 1's positional order after the kernel dims (Convolution2D and Convolution3D).
_KERAS1_ORDER = ("init", "activation", "weights", "border_mode", "subsample", "dim_ordering",
                 "W_regularizer", "b_regularizer", "activity_regularizer", "W_constraint",
                 "b_constraint", "bias")
_BOTH_READINGS = ("kernel_size", "padding", "data_format", "dilation_rate", "groups")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _set_once(name: str, kwargs: dict[str, Any], key: str, value: Any) -> None:
    if key in kwargs:
        raise TypeError(f"{name}: got multiple values for argument `{key}`")
    kwargs[key] = value


def _keras1_positional(name: str, rank: int, args: tuple, kwargs: dict[str, Any]) -> bool:
    """Whether ``args`` is Keras 1's ``(nb_filter, *kernel dims, ...)`` form.

    Three leading ints for 2D (four for 3D) are: a kernel of ``rank`` dims, never Keras 3's
    ``(filters, kernel_size, strides)``. Refused with modern geometry keywords, whose
    reading it would change.
    """
    if rank == 1 or len(args) <= rank or not all(_is_int(a) for a in args[1:rank + 1]):
        return False
    mixed = sorted(set(_BOTH_READINGS) & set(kwargs))
    if mixed:
        dims = ", ".join(str(a) for a in args[:rank + 1])
        raise ValueError(
            f"{name}({dims}, {mixed[0]}=...) is ambiguous: Keras 1 reads the ints as "
            f"(nb_filter, {', '.join(_KERNEL_KEYWORDS[rank])}), Keras 3 as (filters, "
            f"kernel_size, strides). Write kernel_size={tuple(args[1:rank + 1])!r} or "
            f"strides=... explicitly.")
    return True


def _conv_kwargs(name: str, rank: int, modern_init: Callable[..., None], args: tuple,
                 kwargs: dict[str, Any]) -> dict[str, Any]:
    """The modern keyword arguments for a ``Convolution{rank}D(*args, **kwargs)`` call."""
    kwargs = dict(kwargs)
    if _keras1_positional(name, rank, args, kwargs):
        _set_once(name, kwargs, "nb_filter", args[0])
        args, names = args[1:], _KERNEL_KEYWORDS[rank] + _KERAS1_ORDER
    else:
        names = tuple(p for p in inspect.signature(modern_init).parameters
                      if p not in ("self", "kwargs"))
    if len(args) > len(names):
        raise TypeError(f"{name}: too many positional arguments ({len(args)} after the "
                        f"filters). Pass the others by keyword.")
    for key, value in zip(names, args):
        _set_once(name, kwargs, key, value)
    kernel_keys = _KERNEL_KEYWORDS[rank]
    given = [key for key in kernel_keys if key in kwargs]
    if given and rank > 1:
        if len(given) != rank:
            raise ValueError(f"{name}: give all of {', '.join(kernel_keys)} (the kernel "
                             f"size), or kernel_size. Received only {', '.join(given)}")
        _set_once(name, kwargs, "kernel_size", tuple(kwargs.pop(key) for key in kernel_keys))
    if rank == 1 and ("input_dim" in kwargs or "input_length" in kwargs):
        if "input_shape" in kwargs or "batch_input_shape" in kwargs:
            raise ValueError(f"{name}: give input_dim/input_length or input_shape, not both")
        kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim", None))
    return translate_legacy_kwargs(name, kwargs, CONV_ARGUMENTS)


class Convolution1D(Conv1D):
    """:class:`Conv1D` that also takes Keras 1's arguments.

    ``Convolution1D(nb_filter, filter_length, init=, activation=, weights=, border_mode=,
    subsample_length=, W_regularizer=, b_regularizer=, activity_regularizer=, W_constraint=,
    b_constraint=, bias=, input_dim=, input_length=)``; positional arguments after the first
    two follow Conv1D's order. ``input_dim``/``input_length`` give
    ``input_shape=(input_length, input_dim)``.

    Example: ``Convolution1D(nb_filter=32, filter_length=3, border_mode="causal")``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(**_conv_kwargs("Convolution1D", 1, Conv1D.__init__, args, kwargs))


class Convolution2D(Conv2D):
    """:class:`Conv2D` that also takes Keras 1's arguments.

    ``Convolution2D(nb_filter, nb_row, nb_col, init=, activation=, weights=, border_mode=,
    subsample=, dim_ordering='th'|'tf'|'default', W_regularizer=, b_regularizer=,
    activity_regularizer=, W_constraint=, b_constraint=, bias=)``, positionally too. The
    modern form (``Convolution2D(64, (3, 3), padding="same")``) works unchanged.

    Example: ``Convolution2D(64, 3, 3, border_mode="same", input_shape=(3, 32, 32))``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(**_conv_kwargs("Convolution2D", 2, Conv2D.__init__, args, kwargs))


class Convolution3D(Conv3D):
    """:class:`Conv3D` that also takes Keras 1's arguments.

    ``Convolution3D(nb_filter, kernel_dim1, kernel_dim2, kernel_dim3, init=, activation=,
    weights=, border_mode=, subsample=, dim_ordering=, W_regularizer=, b_regularizer=,
    activity_regularizer=, W_constraint=, b_constraint=, bias=)``, positionally too.

    Example: ``Convolution3D(8, 3, 3, 3, border_mode="same", dim_ordering="tf")``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(**_conv_kwargs("Convolution3D", 3, Conv3D.__init__, args, kwargs))


# The modern classes that take their Keras 1 keywords too.
LEGACY_KEYWORD_LAYERS: list[tuple[type, Mapping[str, str | Renamed]]] = [
    (core.Dense, DENSE_ARGUMENTS),
] + [
    (cls, RECURRENT_ARGUMENTS) for cls in (recurrent.SimpleRNN, recurrent.LSTM, recurrent.GRU)
] + [
    (cls, POOLING_ARGUMENTS) for cls in (
        pooling.MaxPooling1D, pooling.MaxPooling2D, pooling.MaxPooling3D,
        pooling.AveragePooling1D, pooling.AveragePooling2D, pooling.AveragePooling3D,
        pooling.GlobalMaxPooling2D, pooling.GlobalMaxPooling3D,
        pooling.GlobalAveragePooling2D, pooling.GlobalAveragePooling3D)
]
for _cls, _mapping in LEGACY_KEYWORD_LAYERS:
    install_legacy_arguments(_cls, _mapping)
