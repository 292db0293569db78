"""Weight initializers (``keras.initializers``): the classes, their names, get/serialize.

Every initializer is a callable ``initializer(shape, dtype=None)`` returning a backend array.
Layers take one as an instance, a name, a config dict or any callable::

    Dense(64, kernel_initializer="he_normal", bias_initializer=Constant(0.1))
    initializers.get("glorot_uniform")       # GlorotUniform(seed=None)
    initializers.get({"class_name": "RandomNormal", "config": {"stddev": 0.01}})
    initializers.deserialize(initializers.serialize(Orthogonal(gain=2.0)))

Names: each class name and its snake_case (``'GlorotUniform'``, ``'glorot_uniform'``), plus
Keras's aliases ``'uniform'``, ``'normal'``, ``'orthogonal'``, ``'identity'``,
``'IdentityInitializer'``, ``'OrthogonalInitializer'`` and the Keras 1 names ``'one'``,
``'zero'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gpulayers.initializers.constant_initializers import (
    Constant,
    Identity,
    IdentityInitializer,
    Ones,
    Zeros,
)
from gpulayers.initializers.initializer import Initializer
from gpulayers.initializers.object_catalog import ObjectCatalog
from gpulayers.initializers.random_initializers import (
    Orthogonal,
    OrthogonalInitializer,
    RandomInitializer,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
)
from gpulayers.initializers.variance_scaling import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    VarianceScaling,
    compute_fans,
)

__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
    "IdentityInitializer", "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
    "OrthogonalInitializer", "RandomInitializer", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "Zeros", "compute_fans", "constant", "deserialize",
    "get", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity",
    "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
    "serialize", "truncated_normal", "variance_scaling", "zeros",
]

_CATALOG = ObjectCatalog(
    "initializer", "gpulayers.initializers", Initializer,
    [Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
     VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
     LecunNormal, Orthogonal],
    aliases={
        "IdentityInitializer": Identity, "identity_initializer": Identity,
        "OrthogonalInitializer": Orthogonal, "orthogonal_initializer": Orthogonal,
        "uniform": RandomUniform, "normal": RandomNormal,  # Keras aliases
        "one": Ones, "zero": Zeros,  # Keras 1 names
    },
)

# Keras 3 also exports every class under its snake_case name.
zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal


def get(identifier: Any) -> Any:
    """An initializer from a name, a config dict, an instance, a class or a callable.

    ``None`` gives ``None``. Raises ValueError listing the valid names for an unknown name.

    Example: ``get('he_normal')``, ``get({'class_name': 'Constant', 'config': {'value': 2}})``.
    """
    return _CATALOG.get(identifier)


def serialize(initializer: Any) -> Any:
    """The Keras 3 config dict ``{'module', 'class_name', 'config', 'registered_name'}``.

    Example: ``serialize(Constant(2.0))['config'] == {'value': 2.0}``.
    """
    return _CATALOG.serialize(initializer)


def deserialize(config: Any, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """Rebuild an initializer from :func:`serialize`'s dict, a Keras config dict or a name.

    ``custom_objects`` maps class names to your own Initializer subclasses.
    """
    return _CATALOG.deserialize(config, custom_objects)
