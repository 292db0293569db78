"""Regularizers (``keras.regularizers``): the classes, their names, get/serialize/deserialize.

Layers take a regularizer as an instance, a name, a config dict or any callable ``x ->
scalar``::

    Dense(64, kernel_regularizer="l2", bias_regularizer=L1(1e-4))
    regularizers.get("l1_l2")      # L1L2(l1=0.01, l2=0.01)
    regularizers.get("l1l2")       # L1L2(l1=0.0, l2=0.0), Keras 3's snake_case name

Names: each class name and its snake_case (``'L1'``, ``'l1'``, ``'L1L2'``, ``'l1l2'``,
``'OrthogonalRegularizer'``, ``'orthogonal_regularizer'``) and ``'l1_l2'``.
The lowercase ``l1``, ``l2``, ``l1_l2`` and ``orthogonal_regularizer`` are the classes, as in
Keras 3 (``l2(0.01)`` from a Keras 2 tutorial works unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpulayers.initializers.object_catalog import ObjectCatalog
from gpulayers.regularizers.regularizers import (
    L1,
    L1L2,
    L2,
    OrthogonalRegularizer,
    Regularizer,
    validate_float_arg,
)

__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get",
           "l1", "l1_l2", "l2", "orthogonal_regularizer", "serialize", "validate_float_arg"]

_CATALOG = ObjectCatalog(
    "regularizer", "gpulayers.regularizers", Regularizer,
    [L1, L2, L1L2, OrthogonalRegularizer],
    aliases={"l1_l2": (L1L2, {"l1": 0.01, "l2": 0.01})},  # Keras 2 name and defaults
)

l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer


def get(identifier: Any) -> Any:
    """A regularizer from a name, a config dict, an instance, a class or a callable.

    ``None`` gives ``None``. Raises ValueError listing the valid names for an unknown name.

    Example: ``get('l2')`` -> ``L2(l2=0.01)``.
    """
    return _CATALOG.get(identifier)


def serialize(regularizer: Any) -> Any:
    """The Keras 3 config dict ``{'module', 'class_name', 'config', 'registered_name'}``."""
    return _CATALOG.serialize(regularizer)


def deserialize(config: Any, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """Rebuild a regularizer from :func:`serialize`'s dict, a Keras config dict or a name.

    ``custom_objects`` maps names to your own regularizer classes or functions.
    """
    return _CATALOG.deserialize(config, custom_objects)
