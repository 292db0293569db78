"""``keras.tree``: utilities for nested structures (lists, tuples, namedtuples, dicts).

Example::

    from gpulayers import tree
    tree.flatten({"b": [1, 2], "a": 3})          # [3, 1, 2]
    tree.map_structure(lambda v: v + 1, [1, (2, None)], none_is_leaf=False)  # [2, (3, None)]
"""

from gpulayers.tree.tree_api import (
    MAP_TO_NONE,
    assert_same_paths,
    assert_same_structure,
    flatten,
    flatten_with_path,
    is_nested,
    lists_to_tuples,
    map_shape_structure,
    map_structure,
    map_structure_up_to,
    pack_sequence_as,
    traverse,
    unflatten_as,
)

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
           "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
           "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse",
           "unflatten_as"]
