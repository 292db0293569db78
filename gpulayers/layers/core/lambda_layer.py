"""Lambda: wrap an arbitrary function of tensors as a layer.

Config limitation (by design): a named, module-level function is stored by reference
(``{'module', 'class_name': 'function', 'config': name, ...}``, as Keras 3 writes it) and found
again by name: in ``custom_objects``, then in its module, then among ``gpulayers.ops``. A Python
``lambda`` or a nested function has no importable name: its config holds the function object
itself, so it round-trips within one process but not through JSON. Keras's bytecode form
(``'__lambda__'``) is refused when loading (it runs arbitrary code and is tied to one Python
version); give such layers a named function.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from gpulayers import ops
from gpulayers.layers.argument_checks import owner
from gpulayers.layers.layer import Layer

__all__ = ["Lambda"]


def serialize_function(function: Callable[..., Any]) -> Any:
    """A named module-level function as a Keras-style reference dict; any other callable
    (a lambda, a nested function, a callable object) as itself."""
    qualname = getattr(function, "__qualname__", "")
    module = getattr(function, "__module__", None)
    named = inspect.isfunction(function) or inspect.isbuiltin(function)
    if not named or "<" in qualname or module is None:
        return function
    return {"module": module, "class_name": "function", "config": qualname,
            "registered_name": "function"}


def _from_module(module: str, qualname: str) -> Any:
    if module in (None, "builtins"):
        return None
    try:
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError):
        return None
    return target


def deserialize_function(who: str, argument: str, value: Any,
                         custom_objects: Mapping[str, Any] | None = None) -> Any:
    """The callable behind a :func:`serialize_function` value (or a Keras config dict)."""
    if callable(value) or value is None:
        return value
    if isinstance(value, dict) and value.get("class_name") == "__lambda__":
        raise ValueError(
            f"{who}: `{argument}` is a Python lambda that Keras stored as bytecode; gpulayers "
            "does not load bytecode (it runs arbitrary code and depends on the Python "
            "version). Rebuild the layer with a named function and pass it in custom_objects.")
    if isinstance(value, dict) and value.get("class_name") == "function":
        name, module = str(value.get("config")), value.get("module")
    elif isinstance(value, str):
        name, module = value, None
    else:
        return value  # e.g. an output_shape tuple or a mask value
    short = name.rsplit(".", 1)[-1]
    found = (custom_objects or {}).get(name) or (custom_objects or {}).get(short) or (
        _from_module(module, name)) or getattr(ops, short, None)
    if not callable(found):
        raise ValueError(f"{who}: cannot find the function {name!r} for `{argument}` (module "
                         f"{module!r}). Pass it as custom_objects={{{short!r}: function}}.")
    return found


def _is_shape(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, int)
                                                    for d in value)


class Lambda(Layer):
    """Apply ``function(inputs, **arguments)`` as a layer.

    For simple stateless computations; layers with weights should subclass :class:`Layer`.

    Args:
        function: the function to apply, ``function(inputs)``; if it takes ``mask`` or
            ``training`` arguments, the layer passes them.
        output_shape: the output shape without the batch axis (a tuple, or a list of
            tuples for several outputs), or a function ``input_shape -> output_shape``
            (batch included); None (default) infers it by running ``function`` on
            placeholder inputs.
        mask: the output mask: a function ``(inputs, mask) -> mask`` or a fixed value; None
            means no mask (and the layer does not support masking).
        arguments: extra keyword arguments for ``function``.
        **kwargs: base Layer arguments (name, dtype, ...).

    Config: see the module docstring (named functions are stored by reference; lambdas only
    round-trip within one process). Use ``Lambda.from_config(config, custom_objects=...)``
    for functions that cannot be imported by name.

    Example::

        Lambda(lambda x: x ** 2)(ops.ones((2, 3))).shape                     # (2, 3)
        Lambda(ops.concatenate, arguments={"axis": -1})([a, b])
    """

    def __init__(self, function: Callable[..., Any], output_shape: Any = None,
                 mask: Any = None, arguments: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        who = owner(self)
        if not callable(function):
            raise ValueError(f"{who}: `function` must be callable. Received: "
                             f"function={function!r}")
        if output_shape is not None and not callable(output_shape) and not _is_shape(
                output_shape) and not (isinstance(output_shape, (list, tuple)) and all(
                    _is_shape(s) for s in output_shape)):
            raise ValueError(f"{who}: `output_shape` must be a shape tuple (batch excluded), a "
                             "list of them, a function or None. Received: "
                             f"output_shape={output_shape!r}")
        if arguments is not None and not isinstance(arguments, Mapping):
            raise ValueError(f"{who}: `arguments` must be a dict of keyword arguments. "
                             f"Received: arguments={arguments!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            parameters = {}
        self._function_takes_mask = "mask" in parameters
        self._function_takes_training = "training" in parameters
        self.built = True

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None) -> Any:
        kwargs = dict(self.arguments)
        if self._function_takes_mask:
            kwargs["mask"] = mask
        if self._function_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if isinstance(input_shape, list) else input_shape
        batch = first[0] if len(first) else None
        if _is_shape(self._output_shape):
            return (batch, *self._output_shape)
        return [(batch, *shape) for shape in self._output_shape]

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {**super().get_config(),
                                  "function": serialize_function(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = (serialize_function(self._output_shape)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = serialize_function(self.mask) if callable(self.mask) else self.mask
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: Mapping[str, Any] | None = None) -> Lambda:
        """Rebuild from :meth:`get_config`; functions are found by name (see the module
        docstring), first in ``custom_objects``."""
        config = dict(config)
        who = f"Lambda '{config.get('name', 'lambda')}'"
        for key in ("function", "output_shape", "mask"):
            if key in config:
                config[key] = deserialize_function(who, key, config[key], custom_objects)
        if isinstance(config.get("output_shape"), list) and _is_shape(config["output_shape"]):
            config["output_shape"] = tuple(config["output_shape"])
        return super().from_config(config)
