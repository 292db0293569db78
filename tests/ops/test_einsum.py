"""einsum: values against explicit loops over every label, gradients, and errors."""

import itertools
import string

import numpy as np
import pytest

from gpulayers import Tensor, ops
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(3)


def loop_einsum(terms, output, arrays):
    """Sum over every assignment of the labels; size-1 axes broadcast."""
    sizes = {}
    for term, array in zip(terms, arrays):
        for letter, size in zip(term, array.shape):
            sizes[letter] = max(sizes.get(letter, 1), size)
    letters = sorted(sizes)
    out = np.zeros([sizes[c] for c in output])
    for assignment in itertools.product(*[range(sizes[c]) for c in letters]):
        value = dict(zip(letters, assignment))
        product = 1.0
        for term, array in zip(terms, arrays):
            product *= array[tuple(value[c] if array.shape[i] > 1 else 0
                                   for i, c in enumerate(term))]
        out[tuple(value[c] for c in output)] += product
    return out


CASES = [  # subscripts, operand shapes, the explicit form the loop reference uses
    ("ij,jk->ik", [(2, 3), (3, 4)], (["ij", "jk"], "ik")),
    ("ij,jk", [(2, 3), (3, 4)], (["ij", "jk"], "ik")),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)], (["bij", "bjk"], "bik")),
    ("ij->ji", [(2, 3)], (["ij"], "ji")),
    ("ij->", [(2, 3)], (["ij"], "")),
    ("ij->j", [(2, 3)], (["ij"], "j")),
    ("i,i", [(4,), (4,)], (["i", "i"], "")),
    ("i,j->ij", [(2,), (3,)], (["i", "j"], "ij")),
    ("ii->i", [(3, 3)], (["ii"], "i")),
    ("ii", [(3, 3)], (["ii"], "")),
    ("iij->j", [(2, 2, 3)], (["iij"], "j")),
    ("ij,ij->ij", [(2, 1), (2, 3)], (["ij", "ij"], "ij")),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)], (["zij", "jk"], "zik")),
    ("...i,...i->...", [(1, 3, 2), (4, 1, 2)], (["yzi", "yzi"], "yz")),
    ("i...->...", [(2, 3)], (["iz"], "z")),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)], (["ij", "jk", "kl"], "il")),
    ("Ab,ab", [(2, 3), (2, 3)], (["Ab", "ab"], "Aa")),
    (" i j , j ", [(2, 3), (3,)], (["ij", "j"], "i")),
]


@pytest.mark.parametrize("subscripts,shapes,explicit", CASES, ids=[c[0] for c in CASES])
def test_einsum_values_and_gradients(subscripts, shapes, explicit):
    arrays = [RNG.normal(size=shape) for shape in shapes]
    result = ops.einsum(subscripts, *arrays)
    assert isinstance(result, Tensor)
    expected = loop_einsum(*explicit, arrays)
    assert result.shape == expected.shape
    np.testing.assert_allclose(np.asarray(result), expected, rtol=1e-10, atol=1e-12)
    check_gradients(lambda *ts: ops.einsum(subscripts, *ts), arrays)


def test_einsum_integer_operands():
    result = ops.einsum("ij,j->i", np.ones((2, 3), dtype="int32"), np.arange(3, dtype="int32"))
    assert result.dtype == "int32"
    np.testing.assert_array_equal(np.asarray(result), [3, 3])


@pytest.mark.parametrize("subscripts,shapes,message", [
    ("ij,jk->ik", [(2, 3), (4, 5)], "label 'j' has size 3"),
    ("ij->ik", [(2, 3)], "output subscripts must be distinct letters used by the inputs"),
    ("ij,jk", [(2, 3)], "names 2 operands but 1 were given"),
    ("ijk", [(2, 3)], "do not match an operand of shape"),
    ("i1->i", [(2, 3)], "may contain only letters"),
])
def test_einsum_errors(subscripts, shapes, message):
    with pytest.raises(ValueError, match=f"einsum: .*{message}"):
        ops.einsum(subscripts, *[np.ones(shape) for shape in shapes])


def test_einsum_reduces_every_axis_with_letters_or_ellipsis():
    letters = string.ascii_lowercase[:6]
    a = RNG.normal(size=(1, 2, 1, 2, 1, 2))
    np.testing.assert_allclose(np.asarray(ops.einsum(letters + "->", a)), a.sum())
    np.testing.assert_allclose(np.asarray(ops.einsum("...->", a)), a.sum())
