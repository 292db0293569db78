"""Optimizers (``keras.optimizers``): the classes, their names, get/serialize/deserialize.

::

    model.compile(optimizer="adam", loss="mse")                 # by name (any case)
    optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9}})
    optimizers.deserialize(optimizers.serialize(Adam(3e-4)))     # an equal Adam

Names: ``'sgd'``, ``'adam'``, ``'adamw'``, ``'rmsprop'``, ``'adagrad'``, ``'adadelta'``,
``'adamax'``, ``'nadam'``, ``'lion'``, ``'ftrl'``, ``'adafactor'``, ``'lamb'`` in any case
(``'Adam'``, ``'RMSprop'``), as in Keras 3, and the class names of your own
:class:`Optimizer` subclasses.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from gpulayers.optimizers import schedules
from gpulayers.optimizers.adadelta import Adadelta
from gpulayers.optimizers.adafactor import Adafactor
from gpulayers.optimizers.adagrad import Adagrad
from gpulayers.optimizers.adam import Adam
from gpulayers.optimizers.adamax import Adamax
from gpulayers.optimizers.adamw import AdamW
from gpulayers.optimizers.ftrl import Ftrl
from gpulayers.optimizers.lamb import Lamb
from gpulayers.optimizers.lion import Lion
from gpulayers.optimizers.loss_scale_optimizer import LossScaleOptimizer
from gpulayers.optimizers.nadam import Nadam
from gpulayers.optimizers.optimizer import Optimizer
from gpulayers.optimizers.rmsprop import RMSprop
from gpulayers.optimizers.sgd import SGD

__all__ = ["SGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lamb",
           "Lion", "LossScaleOptimizer", "Nadam", "Optimizer", "RMSprop", "deserialize", "get",
           "schedules", "serialize"]

_BUILTIN = {cls.__name__.lower(): cls
            for cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion,
                        Ftrl, Adafactor, Lamb)}
_MODULE = "gpulayers.optimizers"


def _resolve(name: str, custom_objects: Mapping[str, Any] | None) -> type:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name.lower() in _BUILTIN:
        return _BUILTIN[name.lower()]
    short = name.split(">")[-1]  # Keras's registered names look like 'package>Name'
    if short in Optimizer._subclasses:
        return Optimizer._subclasses[short]
    raise ValueError(f"Unknown optimizer: {name!r}. Valid names (any case): "
                     f"{', '.join(sorted(_BUILTIN))}, or an Optimizer subclass's class name.")


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """The Keras 3 config dict ``{'module', 'class_name', 'config', 'registered_name'}``.

    Example: ``serialize(SGD(0.1))['config']['learning_rate'] == 0.1``.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizers.serialize: expected an Optimizer. Received: {optimizer!r}")
    cls = type(optimizer)
    # LossScaleOptimizer is ours too, though not a name: it needs an inner optimizer
    builtin = _BUILTIN.get(cls.__name__.lower()) is cls or cls is LossScaleOptimizer
    return {"module": _MODULE if builtin else cls.__module__, "class_name": cls.__name__,
            "config": optimizer.get_config(),
            "registered_name": None if builtin else cls.__name__}


def deserialize(config: Mapping[str, Any] | str,
                custom_objects: Mapping[str, Any] | None = None) -> Optimizer:
    """Rebuild an optimizer from :func:`serialize`'s dict, a Keras 3 config dict or a name.

    Class names are case-insensitive for the built-in optimizers; ``custom_objects`` maps
    names to your own Optimizer subclasses. Raises ValueError listing the valid names.

    Example: ``deserialize({'class_name': 'adam', 'config': {'learning_rate': 0.01}})``.
    """
    if isinstance(config, str):
        return _resolve(config, custom_objects)()
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise ValueError("optimizers.deserialize: expected a name or a dict with 'class_name' "
                         f"and 'config'. Received: {config!r}")
    inner = config.get("config") or {}
    if not isinstance(inner, Mapping):
        raise ValueError(f"optimizers.deserialize: 'config' must be a dict. Received: {inner!r}")
    registered = config.get("registered_name")
    name = registered if registered and custom_objects and registered in custom_objects \
        else str(config["class_name"])
    cls = _resolve(name, custom_objects)
    return cls.from_config(dict(inner), custom_objects=custom_objects) \
        if _takes_custom_objects(cls) else cls.from_config(dict(inner))


def _takes_custom_objects(cls: type) -> bool:
    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name (any case), a config dict, a class or an instance.

    An Optimizer instance is returned unchanged; ``None`` gives ``None``. Raises ValueError
    listing the valid names for anything else.

    Example: ``get('adam')`` -> ``Adam(learning_rate=0.001)``; ``get(my_sgd) is my_sgd``.
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, (str, Mapping)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected a "
                     f"name ({', '.join(sorted(_BUILTIN))}; any case), a config dict with "
                     "'class_name' and 'config', or an Optimizer instance.")
