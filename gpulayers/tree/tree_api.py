"""``keras.tree``: flatten, map and rebuild nested structures of lists, tuples, namedtuples,
dicts and deques (see :mod:`gpulayers.tree.nodes` for what is a branch; ``None`` is a leaf).

Example::

    flatten({"b": [1, 2], "a": 3})                    # [3, 1, 2]: dict values by sorted key
    map_structure(lambda v: v * 2, {"b": 1, "a": 2})  # {'b': 2, 'a': 4}
    pack_sequence_as(((0, 0), 0), [1, 2, 3])          # ((1, 2), 3)
    flatten_with_path([{"foo": 42}])                  # [((0, 'foo'), 42)]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from gpulayers.tree import nodes

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
           "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
           "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse",
           "unflatten_as"]


class MAP_TO_NONE:  # noqa: N801 (Keras's name)
    """Return this from a :func:`traverse` function to replace a sub-tree with ``None``."""


def is_nested(structure: Any) -> bool:
    """True for a list, tuple, namedtuple, dict or deque; False for a leaf (``None`` too).

    Example: ``is_nested(42)`` -> False, ``is_nested({"foo": 42})`` -> True.
    """
    return nodes.is_node(structure)


def _leaves(structure: Any, out: list[Any]) -> list[Any]:
    if nodes.is_node(structure):
        for child in nodes.children(structure):
            _leaves(child, out)
    else:
        out.append(structure)
    return out


def flatten(structure: Any) -> list[Any]:
    """The leaves of ``structure`` in order (dict values by sorted key), as a list.

    Example: ``flatten([[1, 2, 3], [4, [5], [[6]]]])`` -> ``[1, 2, 3, 4, 5, 6]``;
    ``flatten(None)`` -> ``[None]``.
    """
    return _leaves(structure, [])


def flatten_with_path(structure: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """``(path, leaf)`` pairs: a path is the tuple of indices/keys leading to the leaf.

    Example: ``flatten_with_path([{"foo": 42}])`` -> ``[((0, 'foo'), 42)]``.
    """
    pairs: list[tuple[tuple[Any, ...], Any]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if not nodes.is_node(node):
            pairs.append((path, node))
            return
        for key, child in zip(nodes.keys_of(node), nodes.children(node)):
            walk(child, path + (key,))

    walk(structure, ())
    return pairs


def pack_sequence_as(structure: Any, flat_sequence: Iterable[Any]) -> Any:
    """``flat_sequence``'s items arranged like ``structure`` (the inverse of :func:`flatten`).

    Raises TypeError when ``flat_sequence`` is not iterable, ValueError when it has too few or
    too many items. Example: ``pack_sequence_as(((0, 0), 0), [1, 2, 3])`` -> ``((1, 2), 3)``.
    """
    if isinstance(flat_sequence, (str, bytes)) or not isinstance(flat_sequence, Iterable):
        raise TypeError("pack_sequence_as: `flat_sequence` must be a list or another "
                        f"iterable of leaves. Received: {flat_sequence!r}")
    items = list(flat_sequence)
    expected = len(flatten(structure))
    if len(items) != expected:
        raise ValueError(f"pack_sequence_as: the structure has {expected} leaves but "
                         f"`flat_sequence` has {len(items)} items")
    iterator = iter(items)

    def build(node: Any) -> Any:
        if not nodes.is_node(node):
            return next(iterator)
        return nodes.rebuild(node, [build(child) for child in nodes.children(node)])

    return build(structure)


unflatten_as = pack_sequence_as  # dm-tree's name for the same function


def _mismatch(first: Any, second: Any, path: tuple[Any, ...]) -> ValueError:
    return ValueError("The two structures don't have the same nested structure: at path "
                      f"{path}, {nodes.describe_mismatch(first, second)}")


def _check_callable(func: Any, who: str) -> None:
    if not callable(func):
        raise TypeError(f"{who}: `func` must be callable. Received: {func!r}")


def map_structure(func: Callable[..., Any], *structures: Any, none_is_leaf: bool = True) -> Any:
    """``func`` applied to the matching leaves of ``structures``; the result has their layout.

    Args:
        func: takes one argument per structure.
        *structures: structures with the same layout (see :func:`assert_same_structure`).
        none_is_leaf: when False, ``None`` entries are kept as ``None`` and not passed to
            ``func`` (the other structures must hold ``None`` there too).

    Raises ValueError when the structures differ. Example:
    ``map_structure(lambda x, y: x * y, [[1], [2]], [[3], [4]])`` -> ``[[3], [8]]``.
    """
    _check_callable(func, "map_structure")
    if not structures:
        raise ValueError("map_structure: must provide at least one structure")

    def walk(values: tuple[Any, ...], path: tuple[Any, ...]) -> Any:
        node = values[0]
        if not none_is_leaf and node is None:
            for other in values[1:]:
                if other is not None:
                    raise ValueError(f"map_structure: at path {path}, expected None (with "
                                     f"none_is_leaf=False), got {other!r}")
            return None
        if not nodes.is_node(node):
            for other in values[1:]:
                if nodes.is_node(other) or (not none_is_leaf and other is None):
                    raise _mismatch(node, other, path)
            return func(*values)
        for other in values[1:]:
            if not nodes.is_node(other) or not nodes.same_kind(node, other):
                raise _mismatch(node, other, path)
        columns = [nodes.children(node)] + [nodes.children_matching(node, other)
                                            for other in values[1:]]
        mapped = [walk(tuple(column[i] for column in columns), path + (key,))
                  for i, key in enumerate(nodes.keys_of(node))]
        return nodes.rebuild(node, mapped)

    return walk(tuple(structures), ())


def map_structure_up_to(shallow_structure: Any, func: Callable[..., Any],
                        *structures: Any) -> Any:
    """Like :func:`map_structure`, but only down to the leaves of ``shallow_structure``:
    ``func`` receives the (possibly nested) sub-structures found there.

    Example: ``map_structure_up_to([None, None], len, [[1, 1], [2, 2, 2]])`` -> ``[2, 3]``.
    Raises ValueError when a structure is shallower than, or differs from, the shallow one.
    """
    _check_callable(func, "map_structure_up_to")
    if not structures:
        raise ValueError("map_structure_up_to: must provide at least one structure")

    def walk(shallow: Any, values: tuple[Any, ...], path: tuple[Any, ...]) -> Any:
        if not nodes.is_node(shallow):
            return func(*values)
        for other in values:
            if not nodes.is_node(other) or not nodes.same_kind(shallow, other):
                raise _mismatch(shallow, other, path)
        columns = [nodes.children_matching(shallow, other) for other in values]
        mapped = [walk(child, tuple(column[i] for column in columns), path + (key,))
                  for i, (key, child) in enumerate(zip(nodes.keys_of(shallow),
                                                       nodes.children(shallow)))]
        return nodes.rebuild(shallow, mapped)

    return walk(shallow_structure, structures, ())


def assert_same_structure(a: Any, b: Any, check_types: bool | None = None) -> None:
    """Raise ValueError unless ``a`` and ``b`` nest the same way: the same branch types (the
    dict types count as one; list, tuple, deque and each namedtuple class do not), the same
    lengths and dict keys. Leaves may differ. ``check_types`` is deprecated and ignored, as
    in Keras.
    """
    if check_types is not None:
        warnings.warn("assert_same_structure: the `check_types` argument is deprecated and "
                      "has no effect; use assert_same_paths for a looser check",
                      DeprecationWarning, stacklevel=2)
    map_structure(lambda *_: None, a, b)


def assert_same_paths(a: Any, b: Any) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same leaf paths (branch types are
    ignored: ``[0, 1]`` and ``(2, 3)`` match). The message lists the differing paths."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)


def _result(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return None if value is MAP_TO_NONE else value


def traverse(func: Callable[[Any], Any], structure: Any, top_down: bool = True) -> Any:
    """Visit every sub-structure (depth first) and optionally replace it.

    Top down: ``func(sub)`` returning None descends into ``sub``; anything else replaces it
    (``MAP_TO_NONE`` replaces it with None) without descending. Bottom up: children first;
    ``func(sub)`` returning None keeps ``sub``, anything else replaces it.

    Example: ``traverse(lambda x: 0 if isinstance(x, int) else None, [1, (2, 3)])`` ->
    ``[0, (0, 0)]``.
    """
    _check_callable(func, "traverse")

    def rebuild_children(node: Any) -> Any:
        if not nodes.is_node(node):
            return node
        return nodes.rebuild(node, [walk(child) for child in nodes.children(node)])

    def walk(node: Any) -> Any:
        if top_down:
            replaced = func(node)
            return rebuild_children(node) if replaced is None else _result(replaced, None)
        done = rebuild_children(node)
        return _result(func(done), done)

    return walk(structure)


def lists_to_tuples(structure: Any) -> Any:
    """``structure`` with every list (at any depth) turned into a tuple."""
    return traverse(lambda node: tuple(node) if isinstance(node, list) else None, structure,
                    top_down=False)


def _is_shape(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(
        entry is None or isinstance(entry, int) for entry in value)


def map_shape_structure(func: Callable[[Any], Any], structure: Any) -> Any:
    """:func:`map_structure` for shapes: a list/tuple of ints and Nones is passed whole to
    ``func``, as one leaf.

    Example: ``map_shape_structure(len, {"a": (None, 3), "b": [(1,), (2, 4)]})`` ->
    ``{'a': 2, 'b': [1, 2]}``.
    """
    _check_callable(func, "map_shape_structure")

    def walk(node: Any) -> Any:
        if _is_shape(node) or not nodes.is_node(node):
            return func(node)
        return nodes.rebuild(node, [walk(child) for child in nodes.children(node)])

    return walk(structure)
