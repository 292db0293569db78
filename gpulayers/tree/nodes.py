"""What counts as a branch of a nested structure, and how to take one apart and rebuild it.

Branches (as in Keras 3's ``keras.tree``): ``list``, ``tuple``, namedtuples, ``dict``,
``collections.OrderedDict``, ``collections.defaultdict`` and ``collections.deque``. Everything
else, ``None``, strings, sets and arrays included, is a leaf. A ``dict`` (and a
``defaultdict``) gives its values in sorted-key order, an ``OrderedDict`` in insertion order;
rebuilding keeps the original key order.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict, deque
from collections.abc import Hashable
from typing import Any

_SEQUENCE_TYPES = (list, tuple, deque)
_MAPPING_TYPES = (dict, OrderedDict, defaultdict)


def is_namedtuple(value: Any) -> bool:
    """True for an instance of a ``collections.namedtuple`` (or ``typing.NamedTuple``)."""
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def is_node(value: Any) -> bool:
    """True when ``value`` is a branch (see the module docstring), False for a leaf."""
    kind = type(value)
    # Exact types: a user subclass of list or dict is a leaf unless it is a namedtuple,
    # as in Keras (optree only knows registered types).
    return kind in _SEQUENCE_TYPES or kind in _MAPPING_TYPES or is_namedtuple(value)


def is_mapping(value: Any) -> bool:
    return type(value) in _MAPPING_TYPES


def sorted_keys(mapping: Any) -> list[Hashable]:
    """The keys in flattening order: sorted for dict/defaultdict, as stored for OrderedDict.
    Keys that cannot be compared (e.g. ``1`` and ``"a"``) keep their insertion order."""
    if type(mapping) is OrderedDict:
        return list(mapping)
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def keys_of(node: Any) -> list[Hashable]:
    """The path entries of a branch's children: indices for sequences (namedtuples too),
    keys for mappings."""
    if is_mapping(node):
        return sorted_keys(node)
    return list(range(len(node)))


def children(node: Any) -> list[Any]:
    """A branch's children, in flattening order."""
    if is_mapping(node):
        return [node[key] for key in sorted_keys(node)]
    return list(node)


def rebuild(node: Any, new_children: list[Any]) -> Any:
    """A branch of the same kind as ``node`` holding ``new_children`` (in flattening order)."""
    kind = type(node)
    if is_mapping(node):
        by_key = dict(zip(sorted_keys(node), new_children))
        items = [(key, by_key[key]) for key in node]  # the original key order
        if kind is defaultdict:
            return defaultdict(node.default_factory, items)
        return kind(items)
    if is_namedtuple(node):
        return kind(*new_children)
    if kind is deque:
        return deque(new_children, maxlen=node.maxlen)
    return kind(new_children)


def same_kind(first: Any, second: Any) -> bool:
    """True when two branches have the same type and arity (keys, for mappings): the three
    dict types match each other; list, tuple, deque and each namedtuple class do not."""
    if is_mapping(first):
        return is_mapping(second) and set(first) == set(second)
    return type(first) is type(second) and len(first) == len(second)


def describe_mismatch(first: Any, second: Any) -> str:
    """A one-line explanation of why ``second`` does not match ``first`` at one position."""
    if not is_node(second):
        return f"expected a {type(first).__name__}, got the leaf {second!r}"
    if not is_node(first):
        return f"expected a leaf, got a {type(second).__name__}: {second!r}"
    if is_mapping(first) and is_mapping(second):
        return (f"dictionary keys differ: expected {sorted_keys(first)}, got "
                f"{sorted_keys(second)}")
    if type(first) is not type(second):
        return f"expected a {type(first).__name__}, got a {type(second).__name__}: {second!r}"
    return f"{type(first).__name__} lengths differ: expected {len(first)}, got {len(second)}"


def children_matching(node: Any, other: Any) -> list[Any]:
    """``other``'s children in ``node``'s order (mappings are matched by key)."""
    if is_mapping(node):
        return [other[key] for key in sorted_keys(node)]
    return list(other)
