"""Attention and AdditiveAttention: Keras 3 parity, gradients, masks, dropout, config, errors."""

from __future__ import annotations

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.layers import Embedding, Input
from gpulayers.layers.attention import AdditiveAttention, Attention
from gpulayers.models import Model
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(7)
QUERY = RNG.standard_normal((2, 4, 3)).astype("float32")
VALUE = RNG.standard_normal((2, 5, 3)).astype("float32")
WIDE_VALUE = RNG.standard_normal((2, 5, 6)).astype("float32")
KEY = RNG.standard_normal((2, 5, 3)).astype("float32")
QUERY_MASK = np.array([[True, True, True, False], [True, False, True, True]])
VALUE_MASK = np.array([[True, True, True, True, False], [False, True, True, False, True]])

CASES = [
    # (layer name, constructor kwargs, inputs, mask, call kwargs)
    ("Attention", {}, [QUERY, VALUE], None, {}),
    ("Attention", {"use_scale": True}, [QUERY, WIDE_VALUE, KEY], None, {}),
    ("Attention", {}, [QUERY, VALUE], [QUERY_MASK, VALUE_MASK], {}),
    ("Attention", {"use_scale": True}, [QUERY, VALUE, KEY], [QUERY_MASK, VALUE_MASK],
     {"return_attention_scores": True}),
    ("Attention", {}, [QUERY, VALUE], None, {"use_causal_mask": True,
                                            "return_attention_scores": True}),
    ("Attention", {}, [QUERY, VALUE], [None, VALUE_MASK], {"use_causal_mask": True}),
    ("Attention", {"score_mode": "concat"}, [QUERY, VALUE], [QUERY_MASK, VALUE_MASK],
     {"return_attention_scores": True}),
    ("Attention", {"score_mode": "concat", "use_scale": True}, [QUERY, WIDE_VALUE, KEY],
     None, {"use_causal_mask": True}),
    ("AdditiveAttention", {}, [QUERY, VALUE], None, {"return_attention_scores": True}),
    ("AdditiveAttention", {"use_scale": False}, [QUERY, WIDE_VALUE, KEY], None, {}),
    ("AdditiveAttention", {}, [QUERY, VALUE, KEY], [QUERY_MASK, VALUE_MASK],
     {"return_attention_scores": True, "use_causal_mask": True}),
]
OURS = {"Attention": Attention, "AdditiveAttention": AdditiveAttention}


def _torch(values):
    import torch

    return [None if v is None else torch.tensor(v) for v in values]


@pytest.mark.parametrize(("name", "kwargs", "inputs", "mask", "call_kwargs"), CASES)
def test_keras_parity(name, kwargs, inputs, mask, call_kwargs):
    keras = keras_or_skip()
    theirs = getattr(keras.layers, name)(**kwargs)
    theirs.build([v.shape for v in inputs])
    # Non-trivial weights (Keras initializes the scalars to 1), the same on both sides.
    weights = [RNG.uniform(0.5, 1.5, w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    keras_mask = None if mask is None else _torch(mask)
    expected = theirs(_torch(inputs), mask=keras_mask, **call_kwargs)
    ours = OURS[name](**kwargs)
    got = ours(inputs, mask=mask, **call_kwargs)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in weights]
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.name for w in theirs.weights]
    ours.set_weights(weights)
    got = ours(inputs, mask=mask, **call_kwargs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(np.asarray(a), to_numpy(b), rtol=1e-5, atol=1e-6)
    shapes = [v.shape for v in inputs]
    assert ours.compute_output_shape(shapes) == tuple(theirs.compute_output_shape(shapes))


@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_config_round_trip_and_keras_keys(name):
    keras = keras_or_skip()
    kwargs = {"use_scale": True, "dropout": 0.25, "seed": 3}
    ours = OURS[name](**kwargs)
    config = ours.get_config()
    clone = OURS[name].from_config(config)
    assert {k: v for k, v in clone.get_config().items() if k != "name"} == {
        k: v for k, v in config.items() if k != "name"}
    keras_config = getattr(keras.layers, name)(**kwargs).get_config()
    assert set(config) <= set(keras_config)
    assert all(config[k] == keras_config[k] for k in ("use_scale", "dropout", "seed"))
    revived = OURS[name].from_config({**keras_config, "name": "revived"})
    assert revived.use_scale and revived.dropout == 0.25


def _weight_slots(layer):
    return [attr for attr in ("scale", "concat_score_weight") if getattr(layer, attr) is not None]


@pytest.mark.parametrize(("cls", "kwargs"), [
    (Attention, {"use_scale": True}),
    (Attention, {"score_mode": "concat", "use_scale": True}),
    (AdditiveAttention, {}),
])
def test_gradients_wrt_inputs_and_weights(cls, kwargs):
    layer = cls(dtype="float64", **kwargs)
    q, v, k = (a.astype("float64") for a in (QUERY[:, :3], WIDE_VALUE[:, :4], KEY[:, :4]))
    layer([q, v, k])
    slots = _weight_slots(layer)
    weights = [RNG.uniform(0.5, 1.5, getattr(layer, s).shape) for s in slots]
    # Every query row keeps a key: a fully masked row would be softmax(scores - 1e9), whose
    # finite differences lose precision (Keras's rule, same values).
    mask = [QUERY_MASK[:, :3], np.array([[True, True, False, True], [True, False, True, True]])]

    def fn(query, value, key, *ws):
        saved = [getattr(layer, s) for s in slots]
        for slot, w in zip(slots, ws):
            setattr(layer, slot, w)
        try:
            return layer([query, value, key], mask=mask, return_attention_scores=True,
                         use_causal_mask=True)
        finally:
            for slot, w in zip(slots, saved):
                setattr(layer, slot, w)

    check_gradients(fn, [q, v, k, *weights])


def test_dropout_only_in_training():
    layer = Attention(dropout=0.5, seed=1)
    inference, scores = layer([QUERY, VALUE], return_attention_scores=True)
    again = layer([QUERY, VALUE], training=False)
    np.testing.assert_allclose(np.asarray(inference), np.asarray(again))
    reference = Attention()([QUERY, VALUE])
    np.testing.assert_allclose(np.asarray(inference), np.asarray(reference), rtol=1e-6)
    trained, dropped = layer([QUERY, VALUE], training=True, return_attention_scores=True)
    dropped = np.asarray(dropped)
    assert (dropped == 0).any()
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], 2 * np.asarray(scores)[kept], rtol=1e-5)
    assert not np.allclose(np.asarray(trained), np.asarray(inference))


def test_implicit_masks_from_embedding():
    tokens = np.array([[3, 1, 2, 0], [5, 4, 0, 0]])
    embedded = Embedding(8, 3, mask_zero=True)(tokens)
    assert embedded._keras_mask is not None
    layer = AdditiveAttention()
    implicit = layer([embedded, embedded])
    keep = tokens != 0
    explicit = layer([Tensor(embedded.data), Tensor(embedded.data)], mask=[keep, keep])
    np.testing.assert_allclose(np.asarray(implicit), np.asarray(explicit))
    np.testing.assert_array_equal(np.asarray(implicit._keras_mask), keep)
    assert np.all(np.asarray(implicit)[~keep] == 0)


def test_masked_values_get_no_weight():
    _, scores = Attention()([QUERY, VALUE], mask=[None, VALUE_MASK],
                            return_attention_scores=True)
    scores = np.asarray(scores)
    assert np.all(scores[np.broadcast_to(~VALUE_MASK[:, None, :], scores.shape)] < 1e-6)
    np.testing.assert_allclose(scores.sum(-1), 1.0, rtol=1e-6)


def test_symbolic_call_in_a_model():
    query, value, key = Input((4, 3)), Input((5, 6)), Input((5, 3))
    output, scores = Attention()([query, value, key], return_attention_scores=True)
    assert output.shape == (None, 4, 6) and scores.shape == (None, 4, 5)
    model = Model([query, value, key], [output, scores])
    got_output, got_scores = model([QUERY, WIDE_VALUE, KEY])
    layer = model.layers[-1]
    want_output, want_scores = layer([QUERY, WIDE_VALUE, KEY], return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(got_output), np.asarray(want_output))
    np.testing.assert_allclose(np.asarray(got_scores), np.asarray(want_scores))
    single = AdditiveAttention()([query, value, Input((5, 3))])
    assert single.shape == (None, 4, 6)


@pytest.mark.parametrize(("cls", "inputs", "match"), [
    (Attention, QUERY, "list of inputs"),
    (Attention, [QUERY], "length 2 or 3"),
    (AdditiveAttention, [QUERY, VALUE, KEY, KEY], "length 2 or 3"),
    (Attention, [QUERY[0], VALUE[0]], "same rank"),
    (Attention, [QUERY, VALUE[0]], "same rank"),
    (Attention, [QUERY, WIDE_VALUE], "same feature dimension"),
    (AdditiveAttention, [QUERY, VALUE, KEY[:, :2]], "same number of steps"),
])
def test_bad_inputs_raise(cls, inputs, match):
    layer = cls(name="att_bad")
    with pytest.raises(ValueError, match=match) as info:
        layer(inputs)
    assert "'att_bad'" in str(info.value)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="score_mode"):
        Attention(score_mode="general", name="att_mode")
    with pytest.raises(ValueError, match="dropout"):
        AdditiveAttention(dropout=1.5)
    layer = Attention(name="att_mask")
    with pytest.raises(ValueError, match="'att_mask'.*mask"):
        layer([QUERY, VALUE], mask=VALUE_MASK)
    layer([QUERY, VALUE])
    with pytest.raises(ValueError, match="'att_mask'.*feature"):
        layer([QUERY, WIDE_VALUE])


def test_scores_only_depend_on_allowed_keys():
    """Causal attention: output step i is unchanged when later value steps change."""
    layer = Attention()
    changed = VALUE.copy()
    changed[:, 3:] += 5.0
    a = np.asarray(layer([VALUE, VALUE], use_causal_mask=True))
    b = np.asarray(layer([VALUE, changed, VALUE], use_causal_mask=True))
    np.testing.assert_allclose(a[:, :3], b[:, :3], rtol=1e-6)
    assert not np.allclose(a[:, 3:], b[:, 3:])
    assert ops.convert_to_tensor(a).shape == (2, 5, 3)
