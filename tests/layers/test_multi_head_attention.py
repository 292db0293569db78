"""MultiHeadAttention: Keras 3 parity, a NumPy reference, gradients, masks, config, errors."""

from __future__ import annotations

import numpy as np
import pytest
from attention_parity import assert_attention_parity, softmax
from keras_available import keras_or_skip

from gpulayers.autodiff import Tensor
from gpulayers.layers import Embedding, Input
from gpulayers.layers.attention import MultiHeadAttention
from gpulayers.models import Model
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(11)
Q = RNG.standard_normal((2, 4, 6)).astype("float32")
V = RNG.standard_normal((2, 5, 4)).astype("float32")
K = RNG.standard_normal((2, 5, 3)).astype("float32")
Q_MASK = np.array([[True, True, True, False], [True, True, False, False]])
V_MASK = np.array([[True, True, True, True, False], [True, False, True, True, True]])
K_MASK = np.array([[True, False, True, True, True], [True, True, True, True, False]])
ATT_MASK = RNG.uniform(size=(2, 4, 5)) > 0.3
ATT_MASK[:, :, 0] = True
Q4 = RNG.standard_normal((2, 3, 2, 4)).astype("float32")
V4 = RNG.standard_normal((2, 3, 2, 5)).astype("float32")

CASES = [
    # (constructor kwargs, query, value, key, query's Keras mask, call kwargs)
    ({"num_heads": 2, "key_dim": 3}, Q, V, None, None, {}),
    ({"num_heads": 3, "key_dim": 2, "value_dim": 5, "output_shape": 7}, Q, V, K, None,
     {"return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3, "output_shape": (2, 3), "use_bias": False}, Q, V, K, None,
     {"return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3}, Q, V, None, Q_MASK,
     {"value_mask": V_MASK, "return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3}, Q, V, K, None,
     {"key_mask": K_MASK, "attention_mask": ATT_MASK, "use_causal_mask": True,
      "return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3}, Q, V, None, None, {"use_causal_mask": True}),
    ({"num_heads": 2, "key_dim": 3}, Q, V, K, None, {"attention_mask": ATT_MASK}),
    # Without scores Keras runs a fused kernel whose rows for masked queries (no key left)
    # are backend-defined: only the kept query rows are compared there.
    ({"num_heads": 2, "key_dim": 3}, Q, V, None, Q_MASK, {"value_mask": V_MASK}),
    ({"num_heads": 2, "key_dim": 3, "sliding_window": 2}, Q, V, None, None,
     {"use_causal_mask": True, "return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2)}, Q4, V4, None, None,
     {"return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": 2}, Q4, V4, None, None,
     {"return_attention_scores": True}),
]


@pytest.mark.parametrize(("kwargs", "query", "value", "key", "query_mask", "call_kwargs"),
                         CASES)
def test_keras_parity(kwargs, query, value, key, query_mask, call_kwargs):
    keras = keras_or_skip()
    theirs = keras.layers.MultiHeadAttention(**kwargs)
    assert_attention_parity(MultiHeadAttention, theirs, kwargs, query, value, key, query_mask,
                            call_kwargs, RNG)


def test_matches_numpy_reference():
    layer = MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, output_shape=5)
    layer(Q, V, K)
    weights = [RNG.standard_normal(w.shape).astype("float32") * 0.5 for w in layer.get_weights()]
    layer.set_weights(weights)
    wq, bq, wk, bk, wv, bv, wo, bo = (w.astype("float64") for w in weights)
    q = np.einsum("btd,dnh->btnh", Q, wq) + bq
    k = np.einsum("bsd,dnh->bsnh", K, wk) + bk
    v = np.einsum("bsd,dnh->bsnh", V, wv) + bv
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(2.0)
    keep = ATT_MASK[:, None] & V_MASK[:, None, None, :]
    probs = np.where(keep, softmax(np.where(keep, logits, -1e9)), 0.0)
    expected = np.einsum("btnh,nhd->btd", np.einsum("bnts,bsnh->btnh", probs, v), wo) + bo
    got, scores = layer(Q, V, K, value_mask=V_MASK, attention_mask=ATT_MASK,
                        return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(scores), probs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-4, atol=1e-5)


def test_gradients_wrt_inputs_and_weights():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, value_dim=3, dtype="float64")
    q, v, k = Q[:, :3, :3].astype("float64"), V[:, :4].astype("float64"), K[:, :4]
    layer(q, v, k)
    denses = [layer.query_dense, layer.key_dense, layer.value_dense, layer.output_dense]
    slots = [(dense, attr) for dense in denses for attr in ("kernel", "bias")]
    weights = [RNG.standard_normal(getattr(d, a).shape) * 0.5 for d, a in slots]
    mask = np.array([[True, True, False, True], [True, False, True, True]])

    def fn(query, value, key, *ws):
        saved = [getattr(d, a) for d, a in slots]
        for (dense, attr), w in zip(slots, ws):
            setattr(dense, attr, w)
        try:
            return layer(query, value, key, value_mask=mask, use_causal_mask=True,
                         return_attention_scores=True)
        finally:
            for (dense, attr), w in zip(slots, saved):
                setattr(dense, attr, w)

    check_gradients(fn, [q, v, k.astype("float64"), *weights])


def test_dropout_only_in_training():
    layer = MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5, seed=2)
    plain = MultiHeadAttention(num_heads=2, key_dim=3)
    inference = layer(Q, V)
    plain(Q, V)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(inference), np.asarray(plain(Q, V)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layer(Q, V, training=False)), np.asarray(inference))
    trained, scores = layer(Q, V, training=True, return_attention_scores=True)
    assert not np.allclose(np.asarray(trained), np.asarray(inference))
    _, plain_scores = plain(Q, V, return_attention_scores=True)  # scores are pre-dropout
    np.testing.assert_allclose(np.asarray(scores), np.asarray(plain_scores), rtol=1e-6)


def test_config_round_trip_and_keras_config():
    keras = keras_or_skip()
    kwargs = {"num_heads": 2, "key_dim": 3, "value_dim": 4, "dropout": 0.1,
              "output_shape": (2, 3), "attention_axes": (1,), "seed": 5,
              "kernel_regularizer": "l2", "use_bias": False}
    layer = MultiHeadAttention(**kwargs)
    config = layer.get_config()
    clone = MultiHeadAttention.from_config(config)
    assert {k: v for k, v in clone.get_config().items() if k != "name"} == {
        k: v for k, v in config.items() if k != "name"}
    keras_config = keras.layers.MultiHeadAttention(**kwargs).get_config()
    assert set(config) <= set(keras_config)
    for key in ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
                "attention_axes", "sliding_window", "use_gate", "seed"):
        assert config[key] == keras_config[key], key
    revived = MultiHeadAttention.from_config({**keras_config, "name": "from_keras"})
    assert revived.get_config()["output_shape"] == (2, 3)


def test_implicit_masks_from_embedding():
    tokens = np.array([[3, 1, 2, 0], [5, 4, 0, 0]])
    embedded = Embedding(8, 6, mask_zero=True)(tokens)
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    implicit = layer(embedded, embedded)
    keep = tokens != 0
    raw = Tensor(embedded.data)
    explicit = layer(raw, raw, query_mask=keep, value_mask=keep)
    np.testing.assert_allclose(np.asarray(implicit), np.asarray(explicit), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(implicit._keras_mask), keep)
    np.testing.assert_array_equal(np.asarray(embedded._keras_mask), keep)  # left in place
    _, scores = layer(embedded, embedded, return_attention_scores=True)
    assert np.all(np.asarray(scores)[:, :, :, ~keep[0]][0] == 0)


def test_symbolic_call_in_a_model():
    query, value = Input((4, 6)), Input((5, 4))
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    output, scores = layer(query, value, return_attention_scores=True)
    assert output.shape == (None, 4, 6) and scores.shape == (None, 2, 4, 5)
    model = Model([query, value], [output, scores])
    got_output, got_scores = model([Q, V])
    want_output, want_scores = layer(Q, V, return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(got_output), np.asarray(want_output), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(got_scores), np.asarray(want_scores), rtol=1e-6)
    single = MultiHeadAttention(2, 3, output_shape=8)(query=query, value=value)
    assert single.shape == (None, 4, 8)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"num_heads": 0, "key_dim": 2}, "num_heads"),
    ({"num_heads": -1, "key_dim": 2}, "num_heads"),
    ({"num_heads": 2.5, "key_dim": 2}, "num_heads"),
    ({"num_heads": 2, "key_dim": 0}, "key_dim"),
    ({"num_heads": 2, "key_dim": 2, "value_dim": -3}, "value_dim"),
    ({"num_heads": 2, "key_dim": 2, "dropout": 1.0}, "dropout"),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": "1"}, "attention_axes"),
    ({"num_heads": 2, "key_dim": 2, "use_gate": True}, "use_gate"),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=f"'mha_bad'.*{match}"):
        MultiHeadAttention(name="mha_bad", **kwargs)


@pytest.mark.parametrize(("query", "value", "key", "match"), [
    (Q[0], V[0], None, "same rank"),
    (Q, V[0], None, "same rank"),
    (Q, V, K[:, :3], "except the last"),
])
def test_bad_inputs_raise(query, value, key, match):
    layer = MultiHeadAttention(num_heads=2, key_dim=2, name="mha_in")
    with pytest.raises(ValueError, match=f"'mha_in'.*{match}"):
        layer(query, value, key)


def test_mismatched_feature_dims_after_build_raise():
    layer = MultiHeadAttention(num_heads=2, key_dim=2, name="mha_dims")
    layer(Q, V)
    with pytest.raises(ValueError, match="'mha_dims'.*value shape"):
        layer(Q, K)
    with pytest.raises(ValueError, match="'mha_dims'.*query, value"):
        layer(Q)
    with pytest.raises(ValueError, match="'mha_dims'.*attention_axes"):
        MultiHeadAttention(2, 2, attention_axes=(3,), name="mha_dims")(Q, V)
