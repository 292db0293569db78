"""ContrastLimitedAdaptiveHistogramEqualization: plain-loop references (a 1x1 grid, where
CLAHE is one clipped equalization, and a 2x2 grid with the bilinear blend written out),
Keras 3 parity, dtypes, channels_first, rank 3 and 4, inference, configs and errors."""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing.contrast_limited_adaptive_histogram_equalization import (
    ContrastLimitedAdaptiveHistogramEqualization as CLAHE,
)


def _levels(*shape, seed=0, high=255.0):
    return np.random.default_rng(seed).uniform(0, high, size=shape).astype("float32")


def _np(value):
    return ops.convert_to_numpy(value)


def reference_map(tile, clip_limit):
    """The 256-entry CLAHE map of one tile (a flat list of 0-255 values), with loops."""
    histogram = [0.0] * 256
    for value in tile:
        histogram[min(max(int(value), 0), 255)] += 1.0
    pixels = len(tile)
    if clip_limit > 0:
        limit = clip_limit * pixels / 256.0
        excess = sum(max(h - limit, 0.0) for h in histogram)
        histogram = [min(h, limit) + excess / 256.0 for h in histogram]
    cdf, total = [], 0.0
    for h in histogram:
        total += h
        cdf.append(total)
    denominator = (pixels - cdf[0]) or 1.0
    return [min(max((c - cdf[0]) * 255.0 / denominator, 0.0), 255.0) for c in cdf]


def reference_clahe(image, clip_limit, grid):
    """One (H, W) channel, H and W multiples of the grid, by loops: tile maps, then each
    pixel blends the maps of the tiles whose centres surround it (edge tiles beyond)."""
    height, width = image.shape
    tile_h, tile_w = height // grid[0], width // grid[1]
    maps = [[reference_map(image[r * tile_h:(r + 1) * tile_h,
                                 c * tile_w:(c + 1) * tile_w].ravel().tolist(), clip_limit)
             for c in range(grid[1])] for r in range(grid[0])]
    out = np.zeros((height, width))
    for y in range(height):
        for x in range(width):
            ty = (y - tile_h / 2.0) / tile_h          # position between tile centres
            tx = (x - tile_w / 2.0) / tile_w
            r0, c0 = int(np.floor(ty)), int(np.floor(tx))
            fy, fx = ty - r0, tx - c0
            level = min(max(int(image[y, x]), 0), 255)

            def tile_value(r, c, level=level):
                return maps[min(max(r, 0), grid[0] - 1)][min(max(c, 0), grid[1] - 1)][level]

            top = tile_value(r0, c0) * (1 - fx) + tile_value(r0, c0 + 1) * fx
            bottom = tile_value(r0 + 1, c0) * (1 - fx) + tile_value(r0 + 1, c0 + 1) * fx
            out[y, x] = top * (1 - fy) + bottom * fy
    return out


def test_one_tile_is_a_clipped_equalization_by_hand():
    # 4 pixels of levels 0, 0, 0, 255, no clipping: cdf[0] = 3, so 0 -> 0 and 255 -> 255
    image = np.array([[[0.0], [0.0]], [[0.0], [255.0]]], "float32")
    out = _np(CLAHE(tile_grid_size=(1, 1), clip_limit=0.0)(image))
    np.testing.assert_allclose(out[..., 0], [[0.0, 0.0], [0.0, 255.0]])
    # clip limit 64: limit 64 * 4 / 256 = 1 per level; level 0's excess 2 spreads 2/256
    # over each level; level 255 still maps to 255
    clipped = _np(CLAHE(tile_grid_size=(1, 1), clip_limit=64.0)(image))
    np.testing.assert_allclose(clipped[..., 0], [[0.0, 0.0], [0.0, 255.0]], atol=1e-4)
    image[0, 1] = 100.0                            # levels 0, 100, 0, 255
    clipped = _np(CLAHE(tile_grid_size=(1, 1), clip_limit=64.0)(image))
    # level 0 holds 2 (excess 1, so 1/256 more per level): cdf at 0 and at 100
    cdf0, at_100 = 1 + 1 / 256, 2 + 101 / 256
    expected = (at_100 - cdf0) * 255 / (4 - cdf0)
    np.testing.assert_allclose(clipped[0, 1, 0], expected, rtol=1e-5)


@pytest.mark.parametrize("clip_limit", [0.0, 1.5, 4.0, 40.0])
def test_one_tile_matches_loop_reference(clip_limit):
    image = _levels(9, 7, 2, seed=1)
    out = _np(CLAHE(tile_grid_size=(1, 1), clip_limit=clip_limit)(image))
    for channel in range(2):
        table = reference_map(image[..., channel].ravel().tolist(), clip_limit)
        expected = [[table[int(v)] for v in row] for row in image[..., channel]]
        np.testing.assert_allclose(out[..., channel], expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("grid, clip_limit", [((2, 2), 2.0), ((2, 3), 0.0), ((3, 1), 8.0)])
def test_tile_grid_matches_loop_reference(grid, clip_limit):
    image = _levels(2, 12, 12, 1, seed=2)
    out = _np(CLAHE(tile_grid_size=grid, clip_limit=clip_limit)(image))
    for n in range(2):
        np.testing.assert_allclose(out[n, ..., 0],
                                   reference_clahe(image[n, ..., 0], clip_limit, grid),
                                   rtol=1e-5, atol=2e-3)


def keras_as_on_its_other_backends(monkeypatch):
    """Two torch-only quirks of Keras 3.15's CLAHE, undone so that Keras computes what its
    JAX, TensorFlow and NumPy backends (and gpulayers) compute: torch's ``one_hot`` returns
    int64, so the histograms are integers and the clip limit is truncated to an int (a limit
    below 1 clips every count to 0); and torch's ``pad`` turns ``mode="symmetric"`` into
    ``"replicate"`` (edge copies) instead of a mirror including the edge."""
    import torch
    from keras.src.backend.torch import nn as keras_nn
    from keras.src.backend.torch import numpy as keras_numpy

    one_hot, pad = keras_nn.one_hot, keras_numpy.pad
    monkeypatch.setattr(keras_nn, "one_hot", lambda *args, **kwargs: one_hot(
        *args, **kwargs).to(torch.float32))

    def symmetric_pad(x, pad_width, mode="constant", **kwargs):
        if mode != "symmetric":
            return pad(x, pad_width, mode=mode, **kwargs)
        return torch.as_tensor(np.pad(to_numpy(x), pad_width, mode="symmetric"))

    monkeypatch.setattr(keras_numpy, "pad", symmetric_pad)


@pytest.mark.parametrize("shape, kwargs", [
    ((2, 16, 16, 3), {}),
    ((2, 13, 10, 2), dict(tile_grid_size=(3, 4), clip_limit=2.0)),
    ((1, 9, 7, 1), dict(tile_grid_size=(2, 2), clip_limit=0.0)),
    ((2, 3, 12, 10), dict(data_format="channels_first", value_range=(0, 1),
                          tile_grid_size=(2, 3))),
    ((11, 9, 3), dict(tile_grid_size=(4, 2), clip_limit=1.0)),
])
def test_matches_keras(monkeypatch, shape, kwargs):
    keras = keras_or_skip()
    keras_as_on_its_other_backends(monkeypatch)
    high = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    x = _levels(*shape, seed=3, high=high)
    theirs = to_numpy(keras.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)(x))
    ours = _np(CLAHE(**kwargs)(x))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-3 * high / 255 + 1e-6)


def test_dtypes_layouts_and_inference():
    x = _levels(2, 12, 10, 3, seed=4)
    layer = CLAHE(tile_grid_size=(3, 2))
    out = _np(layer(x))
    np.testing.assert_array_equal(_np(layer(x, training=False)), out)   # deterministic
    assert out.dtype == np.float32 and out.min() >= 0 and out.max() <= 255
    first = _np(CLAHE(tile_grid_size=(3, 2), data_format="channels_first")(
        np.ascontiguousarray(x.transpose(0, 3, 1, 2))))
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), out, rtol=1e-6)
    np.testing.assert_allclose(_np(layer(x[1])), out[1], rtol=1e-6)
    ints = _np(layer(x.astype("int32")))
    assert ints.dtype == np.int32
    np.testing.assert_array_equal(ints, _np(layer(np.floor(x))).astype("int32"))
    unit = _np(CLAHE(value_range=(0, 1), tile_grid_size=(3, 2))(x / 255.0))
    np.testing.assert_allclose(unit * 255.0, _np(layer(x / 255.0 * 255.0)), atol=2e-3)
    assert layer.compute_output_shape((None, 12, 10, 3)) == (None, 12, 10, 3)


def test_config_round_trip_and_keras_config():
    layer = CLAHE(value_range=(0, 1), clip_limit=2.5, tile_grid_size=(4, 2),
                  data_format="channels_first")
    config = layer.get_config()
    assert (config["value_range"], config["clip_limit"], config["tile_grid_size"],
            config["data_format"]) == ((0, 1), 2.5, (4, 2), "channels_first")
    clone = deserialize(serialize(layer))
    assert isinstance(clone, CLAHE) and clone.get_config() == config
    keras = keras_or_skip()
    keras_config = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(
        clip_limit=3.0, tile_grid_size=(2, 5)).get_config()
    ours = CLAHE.from_config(keras_config)
    assert ours.clip_limit == 3.0 and ours.tile_grid_size == (2, 5)
    assert set(ours.get_config()) == set(keras_config)


@pytest.mark.parametrize("kwargs, message", [
    (dict(tile_grid_size=(0, 2)), "tile_grid_size"),
    (dict(tile_grid_size=8), "tile_grid_size"),
    (dict(clip_limit="4"), "clip_limit"),
    (dict(value_range=(0, 1, 2)), "value_range"),
    (dict(data_format="nchw"), "data_format"),
])
def test_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"ContrastLimitedAdaptiveHistogramEqualization.*"
                                         f"{message}"):
        CLAHE(**kwargs)
    with pytest.raises(ValueError, match="ContrastLimitedAdaptiveHistogramEqualization 'c'"
                                         ".*rank"):
        CLAHE(name="c")(np.zeros((4, 4), "float32"))
