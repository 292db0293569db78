"""Weight constraints (``keras.constraints``): the classes, their names, get/serialize.

Layers take a constraint as an instance, a name, a config dict or any callable ``w -> w'``::

    Dense(64, kernel_constraint="max_norm", bias_constraint=NonNeg())
    constraints.get({"class_name": "MinMaxNorm", "config": {"max_value": 2.0}})

Names: each class name and its snake_case (``'MaxNorm'``/``'max_norm'``,
``'NonNeg'``/``'non_neg'``, ``'UnitNorm'``/``'unit_norm'``, ``'MinMaxNorm'``/
``'min_max_norm'``) and the Keras 1/2 spellings ``'maxnorm'``, ``'nonneg'``, ``'unitnorm'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpulayers.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from gpulayers.initializers.object_catalog import ObjectCatalog

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "deserialize", "get",
           "max_norm", "min_max_norm", "non_neg", "serialize", "unit_norm"]

_CATALOG = ObjectCatalog(
    "constraint", "gpulayers.constraints", Constraint,
    [MaxNorm, NonNeg, UnitNorm, MinMaxNorm],
    aliases={"maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm},  # Keras 1/2 names
)

max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm


def get(identifier: Any) -> Any:
    """A constraint from a name, a config dict, an instance, a class or a callable.

    ``None`` gives ``None``. Raises ValueError listing the valid names for an unknown name.

    Example: ``get('unit_norm')`` -> ``UnitNorm(axis=0)``.
    """
    return _CATALOG.get(identifier)


def serialize(constraint: Any) -> Any:
    """The Keras 3 config dict ``{'module', 'class_name', 'config', 'registered_name'}``."""
    return _CATALOG.serialize(constraint)


def deserialize(config: Any, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """Rebuild a constraint from :func:`serialize`'s dict, a Keras config dict or a name.

    ``custom_objects`` maps names to your own constraint classes or functions.
    """
    return _CATALOG.deserialize(config, custom_objects)
