"""gpulayers.tree against Keras 3's keras.tree (its optree implementation, the one every
non-torch Keras backend uses; the torch one reorders dict keys when rebuilding)."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from keras_available import keras_or_skip

from gpulayers import tree

Point = collections.namedtuple("Point", ["y", "x"])
OtherPoint = collections.namedtuple("Point", ["y", "x"])

STRUCTURES = [
    1,
    None,
    "text",
    [],
    [[1, 2, 3], [4, [5], [[6]]]],
    {100: "world!", 6: "Hello"},
    {"b": [1, 2], "a": (3, None), "c": {"z": 1, "y": 2}},
    collections.OrderedDict([("b", 1), ("a", 2)]),
    collections.defaultdict(int, {"b": 1, "a": [2, 3]}),
    collections.deque([1, (2, 3)]),
    [Point(1, 2), Point(x=[3], y={"k": 4})],
    [[], {}, (), 1, None],
    {"arr": np.zeros(2), "set": {1, 2}},
]


def _reference():
    keras_or_skip()
    pytest.importorskip("optree")
    from keras.src.tree import optree_impl

    return optree_impl


@pytest.mark.parametrize("structure", STRUCTURES, ids=range(len(STRUCTURES)))
def test_flatten_paths_pack_match_keras(structure):
    ref = _reference()
    flat = tree.flatten(structure)
    expected = ref.flatten(structure)
    assert len(flat) == len(expected)
    assert all(a is b for a, b in zip(flat, expected))
    assert [p for p, _ in tree.flatten_with_path(structure)] == [
        p for p, _ in ref.flatten_with_path(structure)]
    assert tree.is_nested(structure) == ref.is_nested(structure)
    replacement = list(range(len(flat)))
    packed = tree.pack_sequence_as(structure, replacement)
    expected_packed = ref.pack_sequence_as(structure, replacement)
    assert type(packed) is type(expected_packed)
    assert repr(packed) == repr(expected_packed)  # also checks the dict key order


@pytest.mark.parametrize("structure", STRUCTURES[4:12], ids=range(8))
def test_map_structure_traverse_lists_to_tuples_match_keras(structure):
    ref = _reference()

    def double(v):
        return v * 2 if isinstance(v, int) else v

    assert repr(tree.map_structure(double, structure)) == repr(ref.map_structure(double,
                                                                                 structure))
    assert repr(tree.lists_to_tuples(structure)) == repr(ref.lists_to_tuples(structure))
    seen, expected_seen = [], []
    for top_down in (True, False):
        got = tree.traverse(lambda s: seen.append(s), structure, top_down=top_down)
        want = ref.traverse(lambda s: expected_seen.append(s), structure, top_down=top_down)
        assert repr(got) == repr(want)
    assert repr(seen) == repr(expected_seen)


def test_map_structure_several_structures_and_dict_kinds():
    ref = _reference()
    a = {"a": 1, "b": [2, 3]}
    b = collections.OrderedDict([("b", [20, 30]), ("a", 10)])
    assert tree.map_structure(lambda x, y: x + y, a, b) == ref.map_structure(
        lambda x, y: x + y, a, b)
    got = tree.map_structure(lambda x, y: (x, y), b, a)
    assert repr(got) == repr(ref.map_structure(lambda x, y: (x, y), b, a))
    assert tree.map_structure(lambda v: v * 2, Point(1, 2)) == Point(2, 4)


def test_none_handling():
    ref = _reference()
    assert tree.flatten(None) == [None]
    assert tree.map_structure(lambda v: v * 2, [1, None, 3], none_is_leaf=False) == [2, None, 6]
    assert tree.map_structure(lambda v: v, [1, None]) == [1, None]
    with pytest.raises(ValueError):
        tree.map_structure(lambda a, b: a, [1, None], [1, 2], none_is_leaf=False)
    with pytest.raises(ValueError):
        ref.map_structure(lambda a, b: a, [1, None], [1, 2], none_is_leaf=False)


@pytest.mark.parametrize("a, b", [
    ([1, 2], (1, 2)),
    ([1, [2]], [1, 2]),
    ([1, 2], [1, 2, 3]),
    ({"a": 1}, {"b": 1}),
    (Point(0, 1), OtherPoint(0, 1)),
    (collections.deque([1]), [1]),
])
def test_assert_same_structure_rejects_like_keras(a, b):
    ref = _reference()
    with pytest.raises(ValueError):
        ref.assert_same_structure(a, b)
    with pytest.raises(ValueError, match="same nested structure"):
        tree.assert_same_structure(a, b)


@pytest.mark.parametrize("a, b", [
    ([(0, 1)], [(2, 3)]),
    ({"a": 1}, collections.OrderedDict(a=3)),
    ({"a": 1}, collections.defaultdict(int, a=3)),
    ([None], [1]),
    (Point(0, 1), Point("a", "b")),
])
def test_assert_same_structure_accepts_like_keras(a, b):
    _reference().assert_same_structure(a, b)
    tree.assert_same_structure(a, b)


def test_assert_same_structure_check_types_is_deprecated():
    with pytest.warns(DeprecationWarning):
        tree.assert_same_structure([1], [2], check_types=True)


def test_assert_same_paths():
    tree.assert_same_paths([0, 1], (2, 3))
    tree.assert_same_paths(Point(0, 1), OtherPoint(2, 3))
    tree.assert_same_paths([0, 1], {0: 2, 1: 3})
    with pytest.raises(ValueError, match=r"missing in `b`:\n\{\(1,\)\}"):
        tree.assert_same_paths([0, 1], [2])


def test_map_structure_up_to_documented_examples():
    keras = keras_or_skip()
    structure = [[1, 1], [2, 2]]
    for shallow, func in (([None, None], len), ([None, [None, None]], str)):
        assert tree.map_structure_up_to(shallow, func, structure) == \
            keras.tree.map_structure_up_to(shallow, func, structure)
    two = tree.map_structure_up_to([1, 2], lambda a, b: a + b, [[1, 1], [2, 2]], [[3], [4]])
    assert two == [[1, 1, 3], [2, 2, 4]]
    assert tree.map_structure_up_to({"a": 0, "b": 0}, len, {"b": [1], "a": [1, 2]}) == {
        "a": 2, "b": 1}
    with pytest.raises(ValueError):
        tree.map_structure_up_to([None, [None, None]], str, [[1, 1], 2])


def test_map_shape_structure_matches_keras():
    ref = _reference()
    structure = {"a": (None, 3), "b": [(1,), (2, 4)], "c": [None, 5]}
    assert tree.map_shape_structure(len, structure) == ref.map_shape_structure(len, structure)
    assert tree.map_shape_structure(lambda s: s, [[2, (3,)]]) == [[2, (3,)]]


def test_traverse_map_to_none_and_pruning():
    got = tree.traverse(lambda x: tree.MAP_TO_NONE if isinstance(x, tuple) else None,
                        [1, (2, 3), {"a": 4}])
    assert got == [1, None, {"a": 4}]
    visited = []
    tree.traverse(lambda x: visited.append(x) or (0 if isinstance(x, tuple) else None),
                  [(1, 2), 3])
    assert visited == [[(1, 2), 3], (1, 2), 3]  # (1, 2) replaced: its leaves not visited


def test_errors():
    with pytest.raises(ValueError, match="3 leaves but `flat_sequence` has 2"):
        tree.pack_sequence_as([1, [2, 3]], [1, 2])
    with pytest.raises(TypeError, match="iterable"):
        tree.pack_sequence_as([1], 5)
    with pytest.raises(TypeError, match="callable"):
        tree.map_structure(3, [1])
    with pytest.raises(ValueError, match="at least one"):
        tree.map_structure(len)
    assert tree.unflatten_as((0, [0]), [1, 2]) == (1, [2])
