"""Matrix construction ops (diag, diagflat, diagonal, tri, vander, kron, inner, vdot, cross,
meshgrid, fliplr, flipud, rot90): values vs NumPy and Keras 3, dtypes, gradients, errors."""

import numpy as np
import pytest
from ops_helpers import assert_matches_keras, assert_values, normal_sampler

from gpulayers import GradientTape, Variable, backend, ops
from gpulayers.ops.matrix_construction import (
    cross,
    diag,
    diagflat,
    diagonal,
    fliplr,
    flipud,
    inner,
    kron,
    meshgrid,
    rot90,
    tri,
    vander,
    vdot,
)
from gpulayers.testing import check_gradients, requires_gpu

RNG = np.random.default_rng(11)
rand = normal_sampler(RNG)


@pytest.mark.parametrize("shape, k", [((3,), 0), ((3,), 2), ((2,), -1), ((3, 4), 1),
                                      ((4, 3), -2), ((3, 3), 0)])
def test_diag(shape, k):
    x = rand(*shape)
    assert_values(diag(x, k), np.diag(x, k))
    check_gradients(lambda t: diag(t, k), [x])
    assert_matches_keras("diag", diag(x.astype("float32"), k), x.astype("float32"), k)


def test_diag_gradient_by_hand():
    v = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = ops.sum(diag(v, 1) * np.arange(9.0).reshape(3, 3).astype("float32"))
    assert_values(tape.gradient(y, v), [1.0, 5.0])  # entries (0, 1) and (1, 2)


@pytest.mark.parametrize("k", [0, 1, -2])
def test_diagflat(k):
    x = rand(2, 2)
    assert_values(diagflat(x, k), np.diagflat(x, k))
    check_gradients(lambda t: diagflat(t, k), [x])
    ints = np.arange(4, dtype="int32").reshape(2, 2)
    assert_matches_keras("diagflat", diagflat(ints, k), ints, k)


@pytest.mark.parametrize("offset, axis1, axis2", [(0, 0, 1), (1, 0, 2), (-1, 2, 1), (5, 0, 1)])
def test_diagonal(offset, axis1, axis2):
    x = rand(3, 4, 5)
    assert_values(diagonal(x, offset, axis1, axis2), np.diagonal(x, offset, axis1, axis2))
    check_gradients(lambda t: diagonal(t, offset, axis1, axis2), [x])
    f32 = x.astype("float32")
    assert_matches_keras("diagonal", diagonal(f32, offset, axis1, axis2), f32, offset,
                         axis1, axis2)


@pytest.mark.parametrize("args", [(3,), (3, 5, 1), (4, 2, -1)])
def test_tri(args):
    out = tri(*args)
    assert out.dtype == "float32"
    assert_values(out, np.tri(*args))
    assert_matches_keras("tri", out, *args)
    assert tri(2, dtype="int32").dtype == "int32"


@pytest.mark.parametrize("N, increasing", [(None, False), (4, True), (2, False)])
def test_vander(N, increasing):
    x = np.array([0.0, 1.5, -2.0])
    assert_values(vander(x, N, increasing), np.vander(x, N, increasing))
    check_gradients(lambda t: vander(t, N, increasing), [x])  # x = 0 has a 0**0 column
    ints = np.array([1, 2, 3], "int32")
    assert_matches_keras("vander", vander(ints, N, increasing), ints, N, increasing)


@pytest.mark.parametrize("shapes", [[(2, 3), (3, 2)], [(3,), (2, 2)], [(2, 1, 2), (3, 2)]])
def test_kron(shapes):
    a, b = (rand(*s) for s in shapes)
    assert_values(kron(a, b), np.kron(a, b))
    check_gradients(kron, [a, b])
    a32, b32 = a.astype("float32"), b.astype("int32")
    assert_matches_keras("kron", kron(a32, b32), a32, b32)


@pytest.mark.parametrize("shapes", [[(3,), (3,)], [(2, 3), (4, 3)], [(2, 2, 3), (3,)], [(), (2,)]])
def test_inner(shapes):
    a, b = (rand(*s) for s in shapes)
    assert_values(inner(a, b), np.inner(a, b))
    check_gradients(inner, [a, b])
    a32, b32 = a.astype("float32"), b.astype("float32")
    assert_matches_keras("inner", inner(a32, b32), a32, b32)


def test_vdot():
    a, b = rand(2, 3), rand(6)
    assert_values(vdot(a, b), np.vdot(a, b))
    check_gradients(vdot, [a, b])
    ints = np.arange(3, dtype="int32")
    assert vdot(ints, ints).dtype == "int32" and int(vdot(ints, ints)) == 5
    a32 = rand(4).astype("float32")
    assert_matches_keras("vdot", vdot(a32, a32), a32, a32)
    with pytest.raises(ValueError, match="vdot: inputs need the same number of elements"):
        vdot(np.ones(3), np.ones(4))


# NumPy 2 deprecates 2-vectors (still supported by Keras); torch warns about its default dim
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
@pytest.mark.parametrize("shapes, kwargs", [
    ([(4, 3), (4, 3)], {}), ([(4, 2), (4, 3)], {}), ([(4, 2), (4, 2)], {}),
    ([(3, 4), (3,)], {"axisa": 0}), ([(3, 4), (3, 4)], {"axis": 0}),
    ([(2, 3, 5), (3, 1)], {"axisa": 1, "axisb": 0, "axisc": 0}),
])
def test_cross(shapes, kwargs):
    a, b = (rand(*s) for s in shapes)
    assert_values(cross(a, b, **kwargs), np.cross(a, b, **kwargs))
    check_gradients(lambda s, t: cross(s, t, **kwargs), [a, b])
    a32, b32 = a.astype("float32"), b.astype("float32")
    # Keras's torch backend takes only 3-vectors and only `axis`, not axisa/axisb/axisc
    if 2 not in (a.shape[-1], b.shape[-1]) and set(kwargs) <= {"axis"}:
        assert_matches_keras("cross", cross(a32, b32, **kwargs), a32, b32, **kwargs)


def test_cross_errors():
    with pytest.raises(ValueError, match="cross: vectors must have 2 or 3 components"):
        cross(np.ones(4), np.ones(3))
    with pytest.raises(TypeError, match="cross: bool inputs are not supported"):
        cross(np.ones(3, bool), np.ones(3, bool))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    vectors = [rand(3), rand(2), rand(4)]
    got = meshgrid(*vectors, indexing=indexing)
    for grid, expected in zip(got, np.meshgrid(*vectors, indexing=indexing)):
        assert_values(grid, expected)
    check_gradients(lambda *ts: tuple(meshgrid(*ts, indexing=indexing)), vectors)
    f32 = [v.astype("float32") for v in vectors[:2]]
    assert_matches_keras("meshgrid", meshgrid(*f32, indexing=indexing), *f32, indexing=indexing)
    with pytest.raises(ValueError, match="meshgrid: `indexing` must be 'xy' or 'ij'"):
        meshgrid(vectors[0], indexing="yx")


@pytest.mark.parametrize("k, axes", [(1, (0, 1)), (2, (0, 1)), (3, (1, 2)), (-1, (2, 0)),
                                     (4, (0, 1)), (5, (1, 0))])
def test_rot90(k, axes):
    x = rand(2, 3, 4)
    assert_values(rot90(x, k, axes), np.rot90(x, k, axes))
    check_gradients(lambda t: rot90(t, k, axes), [x])
    ints = np.arange(24, dtype="int32").reshape(2, 3, 4)
    assert_matches_keras("rot90", rot90(ints, k, axes), ints, k, axes)


def test_flips():
    x = rand(3, 4)
    assert_values(fliplr(x), np.fliplr(x))
    assert_values(flipud(x[0]), np.flipud(x[0]))
    check_gradients(fliplr, [x])
    check_gradients(flipud, [x])
    assert_matches_keras("fliplr", fliplr(x.astype("float32")), x.astype("float32"))
    with pytest.raises(ValueError, match=r"fliplr: expected a tensor of rank >= 2"):
        fliplr(np.ones(3))
    with pytest.raises(ValueError, match="rot90: the two `axes` must differ"):
        rot90(x, 1, (1, 1))


def test_construction_errors():
    with pytest.raises(ValueError, match="diag: expected a 1-d or 2-d tensor"):
        diag(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="diagonal: axis1 and axis2 must differ"):
        diagonal(np.ones((2, 2)), 0, 1, 1)
    with pytest.raises(ValueError, match="vander: expected a 1-d tensor"):
        vander(np.ones((2, 2)))
    with pytest.raises(ValueError, match="tri: sizes must be non-negative"):
        tri(-1)
    with pytest.raises(TypeError, match="diag: `k` must be an integer"):
        diag(np.ones(2), 1.5)


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    a, b = rand(4, 3).astype("float32"), rand(4, 3).astype("float32")
    results = {}
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            va, vb = Variable(a), Variable(b)
            with GradientTape() as tape:
                outs = [diag(va[0]), diagonal(va, 1), kron(va, vb), inner(va, vb), cross(va, vb),
                        rot90(va), vander(va[:, 0]), *meshgrid(va[0], vb[0])]
                loss = sum(ops.sum(o * o) for o in outs)
            grads = tape.gradient(loss, [va, vb])
            results[name] = [np.asarray(t) for t in outs + grads]
    for got, expected in zip(results["cupy"], results["numpy"]):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
