"""RandAugment and AugMix: Keras 3 parity with scripted random draws, hand-computed cases,
inference identity, seeding, channels_first, rank 3 and 4, configs and errors.

Keras parity: :class:`ConstantDraws` replaces the random functions of both Keras (its torch
backend's ``random`` module, and Python's ``random.choice`` that Keras's AugMix picks ops
with) and of our modules. Every ``uniform(low, high)`` draw returns ``low + q * (high - low)``
and every ``randint(low, high)`` returns ``low + int(q * (high - low))`` for one fraction
``q``, whatever order the draws come in; the op choices and the mixing weights are scripted
explicitly. Both layers then apply identical parameters, so their outputs must agree.
"""

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import backend, ops
from gpulayers.backend.random import SeedGenerator
from gpulayers.layers import deserialize, serialize
from gpulayers.layers.preprocessing import (
    aug_mix,
    rand_augment,
    random_brightness,
    random_color_degeneration,
    random_contrast,
    random_posterization,
    random_rotation,
    random_sharpness,
    random_shear,
    random_translation,
    solarization,
)
from gpulayers.layers.preprocessing.aug_mix import AUG_MIX_LAYERS_ALL, AugMix, sample_dirichlet
from gpulayers.layers.preprocessing.rand_augment import RAND_AUGMENT_LAYERS, RandAugment

# Keras's RandAugment runs every op (Equalization included) and keeps the chosen ones;
# its Equalization makes torch warn about ``Tensor.T`` on a 0-d tensor.
pytestmark = pytest.mark.filterwarnings("ignore:Tensor.T is deprecated:UserWarning")

SUB_LAYER_MODULES = (random_shear, random_translation, random_rotation, random_brightness,
                     random_color_degeneration, random_contrast, random_sharpness,
                     random_posterization, solarization)


def _x(*shape, seed=0, high=255.0):
    return np.random.default_rng(seed).uniform(0, high, size=shape).astype("float32")


def _np(value):
    return ops.convert_to_numpy(value)


def _first(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, -3))


class ConstantDraws:
    """Every draw at the fraction ``q`` of its range; ``fixed[kind]`` lists values that the
    first draws of that kind return instead, in order."""

    def __init__(self, q, wrap, fixed=None):
        self.q, self.wrap = q, wrap
        self.fixed = {key: list(values) for key, values in (fixed or {}).items()}

    def _next(self, kind, default):
        queue = self.fixed.get(kind)
        return self.wrap(np.asarray(queue.pop(0)) if queue else default)

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
        shape = tuple(int(s) for s in shape)
        value = float(minval) + self.q * (float(maxval) - float(minval))
        return self._next("uniform", np.full(shape, value, "float32"))

    def randint(self, shape, minval, maxval, dtype="int32", seed=None):
        shape = tuple(int(s) for s in shape)
        value = int(minval) + int(self.q * (int(maxval) - int(minval)))
        return self._next("randint", np.full(shape, value, "int64"))

    def beta(self, shape, *args, **kwargs):
        return self._next("beta", np.full(tuple(int(s) for s in shape), self.q, "float32"))


def script_ours(monkeypatch, q, fixed=None, modules=()):
    script = ConstantDraws(q, backend.to_device, fixed)
    for module in SUB_LAYER_MODULES + (rand_augment,) + tuple(modules):
        for name in ("uniform", "randint"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, getattr(script, name))
    return script


def script_keras(monkeypatch, q, fixed=None):
    import torch
    from keras.src.backend.torch import random as keras_random

    script = ConstantDraws(q, lambda a: torch.as_tensor(np.array(a)), fixed)
    monkeypatch.setattr(keras_random, "uniform", script.uniform)
    monkeypatch.setattr(keras_random, "randint", script.randint)
    monkeypatch.setattr(keras_random, "beta", script.beta)
    return script


def keras_and_ours(monkeypatch, keras_layer, our_layer, data, q, fixed=None):
    with monkeypatch.context() as patch:
        script_keras(patch, q, fixed)
        theirs = to_numpy(keras_layer(data, training=True))
    with monkeypatch.context() as patch:
        script_ours(patch, q, fixed)
        ours = _np(our_layer(data, training=True))
    return theirs, ours


# -- RandAugment -----------------------------------------------------------------------------
def pure_keras_ops(layer, names):
    """Make Keras's sub-layers pure functions of (images, transformation), as they are on
    Keras's other backends. On torch two of them write into their arguments: RandomBrightness
    adds its offset in place (``images += delta``), and ``affine_transform`` swaps entries of
    the transform it is given, which is RandomRotation's stored matrix. RandAugment evaluates
    every op on the current images and keeps the chosen one, so without copies an unchosen
    brightness still brightens and a rotation chosen after an earlier (unchosen) evaluation
    uses a scrambled matrix."""
    import torch

    def copy(value):
        if isinstance(value, torch.Tensor):
            return value.clone()
        if isinstance(value, dict):
            return {key: copy(item) for key, item in value.items()}
        return value

    for name in names:
        sub_layer = getattr(layer, name)
        original = sub_layer.transform_images
        sub_layer.transform_images = (
            lambda images, transformation, training=True, original=original:
            original(copy(images), copy(transformation), training=training))
    return layer


def keras_rand_augment(keras, **kwargs):
    return pure_keras_ops(keras.layers.RandAugment(**kwargs), RAND_AUGMENT_LAYERS)


OP_PAIRS = [(0, 4), (1, 2), (3, 5), (6, 7), (8, 9), (2, 0), (7, 8), (4, 4)]


@pytest.mark.parametrize("ops_pair", OP_PAIRS)
@pytest.mark.parametrize("q", [0.3, 0.8])
def test_rand_augment_matches_keras(monkeypatch, ops_pair, q):
    keras = keras_or_skip()
    x = _x(2, 7, 6, 3)
    kwargs = dict(num_ops=2, factor=(0.2, 0.6))
    theirs, ours = keras_and_ours(monkeypatch, keras_rand_augment(keras, **kwargs),
                                  RandAugment(**kwargs), x, q, {"randint": [ops_pair]})
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=2e-3)


@pytest.mark.parametrize("kwargs", [
    dict(num_ops=3, factor=0.4, interpolation="nearest"),
    dict(num_ops=2, value_range=(0, 1), data_format="channels_first"),
    dict(num_ops=1, factor=(0.5, 0.5), value_range=(0, 1)),
])
def test_rand_augment_matches_keras_options(monkeypatch, kwargs):
    keras = keras_or_skip()
    high = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    x = _x(1, 8, 7, 3, high=high, seed=2)
    x = _first(x) if kwargs.get("data_format") == "channels_first" else x
    # (no AutoContrast here: Keras 3.15's ignores data_format, taking the channels_first
    # minimum over (channels, height); gpulayers' reduces over height and width)
    op_lists = [[10, 1, 9][:kwargs["num_ops"]], [8, 10, 3][:kwargs["num_ops"]],
                [2, 6, 0][:kwargs["num_ops"]]]
    for op_list in op_lists:
        theirs, ours = keras_and_ours(monkeypatch, keras_rand_augment(keras, **kwargs),
                                      RandAugment(**kwargs), x, 0.6, {"randint": [op_list]})
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=2e-3 * high)
        # one image (rank 3) gives the same as a batch of one
        theirs, ours = keras_and_ours(monkeypatch, keras_rand_augment(keras, **kwargs),
                                      RandAugment(**kwargs), x[0], 0.6, {"randint": [op_list]})
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=2e-3 * high)


def test_rand_augment_by_hand(monkeypatch):
    x = np.array([[[10.0], [127.0]], [[128.0], [250.0]]], "float32")
    # factor 0.1 lets RandomPosterization keep max(1, int(8 * 0.1)) = 1 bit:
    # 10, 127 -> 0 and 128, 250 -> 128
    layer = RandAugment(num_ops=2, factor=0.1)
    with monkeypatch.context() as patch:
        # op 7 (posterization), then op 8 (solarization) adding 20 with threshold 100:
        # 20, 20, 148, 148 -> values >= 100 become 255 - y
        script_ours(patch, 0.5, {"randint": [[7, 8]], "uniform": [[[[[20.0]]]],
                                                                  [[[[100.0]]]]]})
        solarized = _np(layer(x, training=True))
    np.testing.assert_allclose(solarized[..., 0], [[20.0, 20.0], [107.0, 107.0]])
    with monkeypatch.context() as patch:
        script_ours(patch, 0.5, {"randint": [[7, 9]]})   # then auto-contrast: 0 / 255
        stretched = _np(layer(x, training=True))
    np.testing.assert_allclose(stretched[..., 0], [[0.0, 0.0], [255.0, 255.0]])


def test_rand_augment_same_op_twice_repeats_its_draw():
    # RandomBrightness (op 3) picked twice adds the same drawn offset twice
    x = _x(2, 4, 4, 3, seed=1) * 0.2 + 50.0                       # no clipping below
    layer = RandAugment(factor=(0.1, 0.2), seed=3)
    images = ops.convert_to_tensor(x)
    draw = layer.random_brightness.get_random_transformation(images, seed=layer.generator)

    def apply(op_list):
        return _np(layer.transform_images(images, {
            "layer_idxes": ops.convert_to_tensor(op_list),
            "transforms": {"random_brightness": draw}})) - x

    once, twice = apply([3]), apply([3, 3])
    assert np.all(once >= 25.5 - 1e-3) and np.all(once <= 51.0 + 1e-3)
    np.testing.assert_allclose(once, once[:, :1, :1, :1] * np.ones_like(once), atol=1e-4)
    assert abs(once[0, 0, 0, 0] - once[1, 0, 0, 0]) > 1e-3          # one offset per image
    np.testing.assert_allclose(twice, 2 * once, atol=1e-3)


def test_rand_augment_inference_seed_and_shapes():
    x = _x(3, 6, 5, 3)
    layer = RandAugment(seed=11)
    out = _np(layer(x, training=False))
    np.testing.assert_array_equal(out, x)
    assert _np(layer(x.astype("uint8"), training=False)).dtype == np.float32
    first = _np(RandAugment(seed=11)(x, training=True))
    again = _np(RandAugment(seed=11)(x, training=True))
    np.testing.assert_array_equal(first, again)
    assert first.shape == x.shape and first.dtype == np.float32
    assert not np.array_equal(first, x)
    stream = RandAugment(seed=11)
    outputs = [_np(stream(x, training=True)) for _ in range(4)]
    assert any(not np.array_equal(outputs[0], o) for o in outputs[1:])
    assert 0.0 <= first.min() and first.max() <= 255.0
    single = _np(RandAugment(seed=5)(x[0], training=True))
    assert single.shape == x[0].shape
    cf = _np(RandAugment(seed=5, data_format="channels_first")(_first(x), training=True))
    assert cf.shape == _first(x).shape
    assert RandAugment(num_ops=0)(x, training=True).shape == x.shape
    assert RandAugment().compute_output_shape((None, 6, 5, 3)) == (None, 6, 5, 3)


def test_rand_augment_config_round_trip_and_keras_config():
    layer = RandAugment(value_range=(0, 1), num_ops=3, factor=(0.1, 0.7),
                        interpolation="nearest", seed=4, data_format="channels_first")
    config = layer.get_config()
    assert {k: config[k] for k in ("value_range", "num_ops", "factor", "interpolation",
                                   "seed", "data_format")} == {
        "value_range": (0, 1), "num_ops": 3, "factor": (0.1, 0.7),
        "interpolation": "nearest", "seed": 4, "data_format": "channels_first"}
    clone = deserialize(serialize(layer))
    assert isinstance(clone, RandAugment) and clone.get_config() == config
    x = _first(_x(2, 6, 6, 3))
    np.testing.assert_array_equal(_np(clone(x, training=True)), _np(layer(x, training=True)))
    keras = keras_or_skip()
    keras_config = keras.layers.RandAugment(factor=0.3, num_ops=1, seed=2).get_config()
    ours = RandAugment.from_config(keras_config)
    assert ours.factor == (0, 0.3) and ours.num_ops == 1 and ours.seed == 2
    assert ours.random_posterization.factor == (1, 2)
    assert set(ours.get_config()) == set(keras_config)


@pytest.mark.parametrize("kwargs, message", [
    (dict(factor=1.5), "factor"),
    (dict(factor=-0.1), "factor"),
    (dict(num_ops=-1), "num_ops"),
    (dict(num_ops=1.5), "num_ops"),
    (dict(interpolation="cubic"), "interpolation"),
    (dict(value_range=(0,)), "value_range"),
    (dict(seed="x"), "seed"),
    (dict(data_format="nhwc"), "data_format"),
])
def test_rand_augment_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"RandAugment.*{message}"):
        RandAugment(**kwargs)


def test_rand_augment_input_errors():
    layer = RandAugment(name="ra")
    with pytest.raises(ValueError, match="RandAugment 'ra'.*rank"):
        layer(np.zeros((2, 3), "float32"), training=True)
    with pytest.raises(ValueError, match="RandAugment 'ra'.*channels"):
        layer(np.zeros((1, 4, 4, 4), "float32"), training=True)


def test_rand_augment_op_list_is_keras_order():
    keras = keras_or_skip()
    assert RAND_AUGMENT_LAYERS == tuple(keras.layers.RandAugment._AUGMENT_LAYERS)


# -- AugMix ----------------------------------------------------------------------------------
def augmix_keras_and_ours(monkeypatch, keras, kwargs, data, q, picks, gammas, weight):
    """Both AugMix layers' outputs with the chains ``picks`` (indices into the op list, its
    length meaning "no op"), chain weights ``gammas / sum(gammas)`` and blend ``weight``."""
    import torch
    from keras.src.backend.torch import random as keras_random
    from keras.src.layers.preprocessing.image_preprocessing import aug_mix as keras_aug_mix

    ours_layer = AugMix(**kwargs)
    names = list(ours_layer._augment_layers) + [None]
    keras_layer = pure_keras_ops(keras.layers.AugMix(**kwargs), ours_layer._augment_layers)
    with monkeypatch.context() as patch:
        script_keras(patch, q, {"beta": [weight]})
        patch.setattr(keras_random, "gamma", lambda shape, alpha, dtype=None, seed=None:
                      torch.tensor(gammas, dtype=torch.float32))
        choices = [names[i] for row in picks for i in row]
        patch.setattr(keras_aug_mix.py_random, "choice", lambda options: choices.pop(0))
        theirs = to_numpy(keras_layer(data, training=True))
    mix = np.asarray(gammas, "float64") / np.sum(gammas)
    sticks = [mix[k] / (1.0 - mix[:k].sum()) for k in range(len(mix) - 1)]
    with monkeypatch.context() as patch:
        script = script_ours(patch, q, {"randint": [picks], "beta": sticks + [weight]},
                             modules=(aug_mix,))
        patch.setattr(aug_mix, "sample_beta", lambda shape, a, b, seed, dtype="float32":
                      ops.convert_to_tensor(script.beta(shape), dtype=dtype))
        ours = _np(ours_layer(data, training=True))
    return theirs, ours


@pytest.mark.parametrize("q", [0.3, 0.8])
@pytest.mark.parametrize("picks", [[[0, 4], [11, 7], [1, 10]], [[2, 8], [9, 3], [11, 11]]])
def test_aug_mix_matches_keras(monkeypatch, q, picks):
    keras = keras_or_skip()
    kwargs = dict(num_chains=3, chain_depth=2, factor=(0.2, 0.5), alpha=0.7)
    theirs, ours = augmix_keras_and_ours(monkeypatch, keras, kwargs, _x(2, 7, 6, 3), q,
                                         picks, [1.0, 2.0, 1.0], 0.3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=2e-3)


@pytest.mark.parametrize("kwargs, picks", [
    (dict(num_chains=2, chain_depth=3, all_ops=False), [[5, 6, 0], [7, 3, 4]]),
    (dict(num_chains=2, chain_depth=2, value_range=(0, 1), data_format="channels_first",
          interpolation="nearest"), [[6, 1], [2, 11]]),
])
def test_aug_mix_matches_keras_options(monkeypatch, kwargs, picks):
    keras = keras_or_skip()
    high = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    x = _x(1, 8, 7, 3, high=high, seed=4)
    x = _first(x) if kwargs.get("data_format") == "channels_first" else x
    theirs, ours = augmix_keras_and_ours(monkeypatch, keras, kwargs, x, 0.6, picks,
                                         [3.0, 1.0], 0.45)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=2e-3 * high)
    theirs, ours = augmix_keras_and_ours(monkeypatch, keras, kwargs, x[0], 0.6, picks,
                                         [3.0, 1.0], 0.45)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=2e-3 * high)


def test_aug_mix_by_hand(monkeypatch):
    x = np.array([[[10.0], [20.0], [30.0]]], "float32")
    # no ops at all: every chain is the input, the weights sum to 1, so the output is x
    np.testing.assert_allclose(_np(AugMix(chain_depth=0, seed=1)(x, training=True)), x,
                               rtol=1e-6)
    # one chain of AutoContrast ([0, 127.5, 255]) blended with weight 0.25 on the input
    layer = AugMix(num_chains=1, chain_depth=1, all_ops=False)
    with monkeypatch.context() as patch:
        script = script_ours(patch, 0.5, {"randint": [[[5]]], "beta": [0.25]},
                             modules=(aug_mix,))
        patch.setattr(aug_mix, "sample_beta", lambda shape, a, b, seed, dtype="float32":
                      ops.convert_to_tensor(script.beta(shape), dtype=dtype))
        out = _np(layer(x, training=True))
    np.testing.assert_allclose(out[..., 0], [[2.5, 100.625, 198.75]], rtol=1e-6)


def test_sample_dirichlet_moments():
    # Dirichlet(a, a, a): mean 1/3, variance a (3a - a) / ((3a)^2 (3a + 1)) = 0.0889 for 0.5
    draws = _np(sample_dirichlet((4000, 3), 0.5, SeedGenerator(0)))
    assert draws.shape == (4000, 3) and draws.min() >= 0.0
    np.testing.assert_allclose(draws.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(draws.mean(axis=0), 1 / 3, atol=0.02)
    np.testing.assert_allclose(draws.var(axis=0), 0.5 * 1.0 / (2.25 * 2.5), rtol=0.1)
    np.testing.assert_allclose(_np(sample_dirichlet((1,), 1.0, SeedGenerator(0))), [1.0])


def test_aug_mix_inference_seed_and_shapes():
    x = _x(2, 6, 5, 3)
    np.testing.assert_array_equal(_np(AugMix(seed=2)(x, training=False)), x)
    first = _np(AugMix(seed=2)(x, training=True))
    np.testing.assert_array_equal(first, _np(AugMix(seed=2)(x, training=True)))
    assert first.shape == x.shape and first.dtype == np.float32
    assert not np.array_equal(first, x) and first.min() >= 0 and first.max() <= 255
    stream = AugMix(seed=2)
    outputs = [_np(stream(x, training=True)) for _ in range(3)]
    assert any(not np.array_equal(outputs[0], o) for o in outputs[1:])
    assert AugMix(seed=3)(x[0], training=True).shape == x[0].shape
    cf = AugMix(seed=3, data_format="channels_first")(_first(x), training=True)
    assert cf.shape == _first(x).shape
    # without the colour ops any channel count works
    assert AugMix(all_ops=False, seed=1)(_x(1, 5, 5, 4), training=True).shape == (1, 5, 5, 4)


def test_aug_mix_config_round_trip_and_keras_config():
    layer = AugMix(value_range=(0, 1), num_chains=2, chain_depth=1, factor=(0.1, 0.4),
                   alpha=0.5, all_ops=False, interpolation="nearest", seed=9)
    config = layer.get_config()
    clone = deserialize(serialize(layer))
    assert isinstance(clone, AugMix) and clone.get_config() == config
    assert not hasattr(clone, "random_brightness")
    x = _x(2, 5, 5, 3, high=1.0)
    np.testing.assert_array_equal(_np(clone(x, training=True)), _np(layer(x, training=True)))
    keras = keras_or_skip()
    keras_config = keras.layers.AugMix(factor=0.2, alpha=0.4, seed=1).get_config()
    ours = AugMix.from_config(keras_config)
    assert ours.factor == (0, 0.2) and ours.alpha == 0.4 and ours.all_ops
    assert set(ours.get_config()) == set(keras_config)
    assert AUG_MIX_LAYERS_ALL == tuple(keras_aug_mix_lists(keras))


def keras_aug_mix_lists(keras):
    from keras.src.layers.preprocessing.image_preprocessing import aug_mix as keras_aug_mix

    return keras_aug_mix.AUGMENT_LAYERS_ALL


@pytest.mark.parametrize("kwargs, message", [
    (dict(factor=2.0), "factor"), (dict(num_chains=0), "num_chains"),
    (dict(chain_depth=-1), "chain_depth"), (dict(alpha=0.0), "alpha"),
    (dict(interpolation="area"), "interpolation"), (dict(seed=1.5), "seed"),
])
def test_aug_mix_errors(kwargs, message):
    with pytest.raises(ValueError, match=f"AugMix.*{message}"):
        AugMix(**kwargs)
    layer = AugMix(name="am")
    with pytest.raises(ValueError, match="AugMix 'am'.*channels"):
        layer(np.zeros((1, 4, 4, 2), "float32"), training=True)
