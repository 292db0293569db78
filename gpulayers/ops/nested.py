"""Nested structures (lists, tuples, dicts of tensors) for the control-flow ops: flatten a
structure to its leaves and rebuild it, as Keras's ``tree`` utilities do.

Example::

    leaves = flatten({"a": x, "b": (y, z)})         # [x, y, z]
    pack_as({"a": 0, "b": (0, 0)}, [1, 2, 3])       # {"a": 1, "b": (2, 3)}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["flatten", "is_nested", "map_structure", "pack_as"]


def is_nested(structure: Any) -> bool:
    """True for lists, tuples and dicts (their items are the structure's children)."""
    return isinstance(structure, (list, tuple, dict))


def _children(structure: Any) -> list[Any]:
    if isinstance(structure, dict):
        return [structure[key] for key in sorted(structure)]
    return list(structure)


def flatten(structure: Any) -> list[Any]:
    """The leaves of ``structure`` in order (dict items by sorted key); a leaf gives ``[leaf]``."""
    if not is_nested(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def pack_as(structure: Any, leaves: list[Any]) -> Any:
    """Rebuild ``structure``'s shape with ``leaves`` (as many as ``flatten(structure)``)."""
    iterator = iter(leaves)
    packed = _pack(structure, iterator)
    if next(iterator, None) is not None:
        raise ValueError("pack_as: more leaves than the structure holds")
    return packed


def _pack(structure: Any, leaves: Iterator[Any]) -> Any:
    if not is_nested(structure):
        try:
            return next(leaves)
        except StopIteration:
            raise ValueError("pack_as: fewer leaves than the structure holds") from None
    if isinstance(structure, dict):
        return {key: _pack(structure[key], leaves) for key in sorted(structure)}
    items = [_pack(child, leaves) for child in structure]
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):  # namedtuple
        return type(structure)(*items)
    return type(structure)(items)


def map_structure(function: Callable[..., Any], *structures: Any) -> Any:
    """``function`` applied leaf-wise across structures of the same shape."""
    flat = [flatten(s) for s in structures]
    if any(len(f) != len(flat[0]) for f in flat):
        raise ValueError("map_structure: the structures have different numbers of leaves")
    return pack_as(structures[0], [function(*leaves) for leaves in zip(*flat)])
