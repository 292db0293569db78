"""Dtype policies: the dtype a layer computes in and the dtype it keeps its weights in.

As in Keras 3, a policy is named after a dtype (``"float32"``: both dtypes the same) or
``"mixed_float16"`` (compute in float16, keep float32 weights: on a GPU the GEMMs then run
on tensor cores at half the memory traffic, while the optimizer updates stay exact). Layers
take ``dtype=`` a policy or its name; ``set_global_policy`` sets the default for layers
created afterwards. ``"mixed_bfloat16"`` needs bfloat16 arrays, which neither NumPy nor CuPy
has, so it is refused with an explanation instead of silently computing in float32.

Example::

    from gpulayers import mixed_precision
    mixed_precision.set_global_policy("mixed_float16")
    layer = layers.Dense(10)          # computes in float16, kernel stored in float32
    layer.compute_dtype, layer.variable_dtype     # ('float16', 'float32')
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.ops.dtypes import standardize_dtype

__all__ = ["DTypePolicy", "Policy", "dtype_policy", "get", "global_policy",
           "set_dtype_policy", "set_global_policy"]

_MIXED = {"mixed_float16": "float16"}
_UNSUPPORTED = {"mixed_bfloat16", "bfloat16"}
_global: list[DTypePolicy | None] = [None]


class DTypePolicy:
    """A layer's dtype policy: ``compute_dtype`` for its computations, ``variable_dtype``
    for its weights.

    Args:
        name: ``"mixed_float16"`` or a dtype name (``"float32"``, ``"float16"``,
            ``"float64"``, ``"int32"`` ...). Default: ``floatx()``.
    """

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = backend.floatx()
        if not isinstance(name, str):
            raise TypeError(f"DTypePolicy: `name` must be a string such as 'float32' or "
                            f"'mixed_float16'. Received: name={name!r}")
        self._name = name
        self._compute_dtype, self._variable_dtype = _dtypes_of(name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype layers compute in (and cast float inputs and weights to)."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype layers create their weights in."""
        return self._variable_dtype

    @property
    def is_mixed(self) -> bool:
        return self._compute_dtype != self._variable_dtype

    def get_config(self) -> dict[str, Any]:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DTypePolicy:
        return cls(**config)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


Policy = DTypePolicy  # the Keras 2 name


def _dtypes_of(name: str) -> tuple[str, str]:
    if name in _UNSUPPORTED:
        raise ValueError(f"DTypePolicy: {name!r} needs bfloat16 arrays, which neither NumPy "
                         "nor CuPy provides. Use 'mixed_float16' (with loss scaling) instead, "
                         "or keep float32 and call gpulayers.config."
                         "set_float32_matmul_precision('medium') for bfloat16 tensor-core "
                         "GEMMs on the GPU")
    if name in _MIXED:
        return _MIXED[name], "float32"
    try:
        dtype = standardize_dtype(name, "DTypePolicy")
    except TypeError:
        raise ValueError(f"DTypePolicy: unknown policy {name!r}; expected 'mixed_float16' "
                         "or a dtype name such as 'float32'") from None
    return dtype, dtype


def get(identifier: Any, owner: str = "DTypePolicy") -> DTypePolicy:
    """A policy from ``None`` (the global policy), a name, a policy, a NumPy dtype or a
    Keras config dict (``{"class_name": "DTypePolicy", "config": {"name": ...}}``)."""
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        identifier = identifier.get("config", {}).get("name")
    elif not isinstance(identifier, str):
        try:
            identifier = standardize_dtype(identifier, owner)
        except TypeError as error:
            raise ValueError(f"{owner}: {error}") from None
    try:
        return DTypePolicy(identifier)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{owner}: {str(error).removeprefix('DTypePolicy: ')}") from None


def set_global_policy(policy: Any) -> None:
    """Set the policy of layers created from now on (``None`` resets to ``floatx()``)."""
    if policy is not None and not isinstance(policy, (str, DTypePolicy)):
        raise ValueError("set_global_policy: expected a policy name or a DTypePolicy. "
                         f"Received: {policy!r}")
    _global[0] = None if policy is None else get(policy, "set_global_policy")


def global_policy() -> DTypePolicy:
    """The policy layers get when created without ``dtype=`` (``floatx()`` unless set)."""
    policy = _global[0]
    return policy if policy is not None else DTypePolicy(backend.floatx())


set_dtype_policy, dtype_policy = set_global_policy, global_policy  # keras.config's names
