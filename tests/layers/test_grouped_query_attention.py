"""GroupQueryAttention: Keras 3 parity, a NumPy reference with repeated key/value heads,
float64 gradients, masks, config round trip, errors."""

from __future__ import annotations

import numpy as np
import pytest
from attention_parity import assert_attention_parity, softmax
from keras_available import keras_or_skip

from gpulayers.autodiff import Tensor
from gpulayers.layers import Embedding, Input, deserialize, serialize
from gpulayers.layers.attention.grouped_query_attention import GroupQueryAttention
from gpulayers.models import Model
from gpulayers.testing import check_gradients

RNG = np.random.default_rng(5)
Q = RNG.standard_normal((2, 4, 6)).astype("float32")
V = RNG.standard_normal((2, 5, 6)).astype("float32")
K = RNG.standard_normal((2, 5, 3)).astype("float32")
Q_MASK = np.array([[True, True, True, False], [True, True, False, False]])
V_MASK = np.array([[True, True, True, True, False], [True, False, True, True, True]])
K_MASK = np.array([[True, False, True, True, True], [True, True, True, True, False]])
ATT_MASK = RNG.uniform(size=(2, 4, 5)) > 0.3
ATT_MASK[:, :, 0] = True
BASE = {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2}

CASES = [
    # (constructor kwargs, key, query's Keras mask, call kwargs)
    (BASE, None, None, {}),
    (BASE, K, None, {"return_attention_scores": True}),
    ({**BASE, "num_key_value_heads": 1, "use_bias": False}, K, None,
     {"return_attention_scores": True}),
    ({**BASE, "num_key_value_heads": 4}, None, None, {"return_attention_scores": True}),
    ({**BASE, "use_gate": True}, K, None, {"return_attention_scores": True}),
    (BASE, None, Q_MASK, {"value_mask": V_MASK, "return_attention_scores": True}),
    (BASE, K, None, {"key_mask": K_MASK, "attention_mask": ATT_MASK, "use_causal_mask": True,
                     "return_attention_scores": True}),
    (BASE, None, None, {"use_causal_mask": True}),
    (BASE, K, None, {"attention_mask": ATT_MASK}),
    # Without scores Keras runs a fused kernel whose rows for fully masked queries are
    # backend-defined: only the kept query rows are compared there.
    (BASE, None, Q_MASK, {"value_mask": V_MASK}),
    ({**BASE, "sliding_window": 2}, None, None,
     {"use_causal_mask": True, "return_attention_scores": True}),
    ({**BASE, "sliding_window": 3}, None, None, {}),
]


@pytest.mark.parametrize(("kwargs", "key", "query_mask", "call_kwargs"), CASES)
def test_keras_parity(kwargs, key, query_mask, call_kwargs):
    keras = keras_or_skip()
    theirs = keras.layers.GroupQueryAttention(**kwargs)
    assert_attention_parity(GroupQueryAttention, theirs, kwargs, Q, V, key, query_mask,
                            call_kwargs, RNG, quiet_keras=True)


def test_matches_numpy_reference_with_repeated_heads():
    layer = GroupQueryAttention(head_dim=2, num_query_heads=6, num_key_value_heads=2)
    layer(Q, V, K)
    weights = [RNG.standard_normal(w.shape).astype("float32") * 0.5 for w in layer.get_weights()]
    layer.set_weights(weights)
    wq, bq, wk, bk, wv, bv, wo, bo = (w.astype("float64") for w in weights)
    q = np.einsum("btd,dnh->btnh", Q, wq) + bq
    k = np.einsum("bsd,dnh->bsnh", K, wk) + bk
    v = np.einsum("bsd,dnh->bsnh", V, wv) + bv
    # query heads 0-2 use key/value head 0, heads 3-5 head 1
    group = np.arange(6) // 3
    k, v = k[:, :, group], v[:, :, group]
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(2.0)
    keep = ATT_MASK[:, None] & V_MASK[:, None, None, :]
    probs = np.where(keep, softmax(np.where(keep, logits, -1e9)), 0.0)
    expected = np.einsum("btnh,nhd->btd", np.einsum("bnts,bsnh->btnh", probs, v), wo) + bo
    got, scores = layer(Q, V, K, value_mask=V_MASK, attention_mask=ATT_MASK,
                        return_attention_scores=True)
    assert scores.shape == (2, 6, 4, 5)
    np.testing.assert_allclose(np.asarray(scores), probs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("use_gate", [False, True])
def test_gradients_wrt_inputs_and_weights(use_gate):
    layer = GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2,
                                use_gate=use_gate, dtype="float64")
    q, v, k = Q[:, :3, :3].astype("float64"), V[:, :4, :3].astype("float64"), K[:, :4]
    layer(q, v, k)
    denses = [layer._query_dense, layer._key_dense, layer._value_dense, layer._output_dense]
    denses += [layer._gate_dense] if use_gate else []
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
    layer = GroupQueryAttention(**BASE, dropout=0.5, seed=2)
    plain = GroupQueryAttention(**BASE)
    inference = layer(Q, V)
    plain(Q, V)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(inference), np.asarray(plain(Q, V)), rtol=1e-6)
    trained, scores = layer(Q, V, training=True, return_attention_scores=True)
    assert not np.allclose(np.asarray(trained), np.asarray(inference))
    _, plain_scores = plain(Q, V, return_attention_scores=True)  # scores are pre-dropout
    np.testing.assert_allclose(np.asarray(scores), np.asarray(plain_scores), rtol=1e-6)
    again = GroupQueryAttention(**BASE, dropout=0.5, seed=2)
    again(Q, V)
    again.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(again(Q, V, training=True)), np.asarray(trained))


def test_config_round_trip_and_keras_config():
    keras = keras_or_skip()
    kwargs = {**BASE, "dropout": 0.1, "use_bias": False, "sliding_window": 3, "seed": 5,
              "kernel_regularizer": "l2", "use_gate": True}
    layer = GroupQueryAttention(**kwargs)
    config = layer.get_config()
    clone = GroupQueryAttention.from_config(config)
    assert {k: v for k, v in clone.get_config().items() if k != "name"} == {
        k: v for k, v in config.items() if k != "name"}
    assert type(deserialize(serialize(layer))) is GroupQueryAttention
    keras_config = keras.layers.GroupQueryAttention(**kwargs).get_config()
    assert set(config) <= set(keras_config)
    for key in ("head_dim", "num_query_heads", "num_key_value_heads", "dropout", "use_bias",
                "use_gate", "sliding_window", "seed"):
        assert config[key] == keras_config[key], key
    revived = GroupQueryAttention.from_config({**keras_config, "name": "from_keras"})
    assert revived.get_config()["num_key_value_heads"] == 2
    assert GroupQueryAttention(**BASE).name.startswith("grouped_query_attention")


def test_implicit_masks_from_embedding():
    tokens = np.array([[3, 1, 2, 0], [5, 4, 0, 0]])
    embedded = Embedding(8, 6, mask_zero=True)(tokens)
    layer = GroupQueryAttention(**BASE)
    implicit = layer(embedded, embedded)
    keep = tokens != 0
    raw = Tensor(embedded.data)
    explicit = layer(raw, raw, query_mask=keep, value_mask=keep)
    np.testing.assert_allclose(np.asarray(implicit), np.asarray(explicit), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(implicit._keras_mask), keep)
    _, scores = layer(embedded, embedded, return_attention_scores=True)
    assert np.all(np.asarray(scores)[0][:, :, ~keep[0]] == 0)


def test_symbolic_call_in_a_model():
    query, value = Input((4, 6)), Input((5, 6))
    layer = GroupQueryAttention(**BASE)
    output, scores = layer(query, value, return_attention_scores=True)
    assert output.shape == (None, 4, 6) and scores.shape == (None, 4, 4, 5)
    model = Model([query, value], [output, scores])
    got_output, got_scores = model([Q, V])
    want_output, want_scores = layer(Q, V, return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(got_output), np.asarray(want_output), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(got_scores), np.asarray(want_scores), rtol=1e-6)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"num_query_heads": 3, "num_key_value_heads": 2}, "divisible"),
    ({"num_query_heads": 0}, "num_query_heads"),
    ({"num_key_value_heads": 0}, "num_key_value_heads"),
    ({"head_dim": 1.5}, "head_dim"),
    ({"dropout": 1.0}, "dropout"),
    ({"sliding_window": 0}, "sliding_window"),
    ({"dropout": 0.1, "flash_attention": True}, "flash attention"),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=f"'gqa_bad'.*{match}"):
        GroupQueryAttention(**{**BASE, **kwargs}, name="gqa_bad")


@pytest.mark.parametrize(("query", "value", "key", "match"), [
    (Q[0], V[0], None, "rank 3"),
    (Q, V[0], None, "rank 3"),
    (Q[:, :, None], V[:, :, None], None, "rank 3"),
    (Q, V, K[:, :3], "except the last"),
])
def test_bad_inputs_raise(query, value, key, match):
    layer = GroupQueryAttention(**BASE, name="gqa_in")
    with pytest.raises(ValueError, match=f"'gqa_in'.*{match}"):
        layer(query, value, key)


def test_mismatches_after_build_raise():
    layer = GroupQueryAttention(**BASE, name="gqa_dims")
    layer(Q, V)
    with pytest.raises(ValueError, match="'gqa_dims'.*value shape"):
        layer(Q, K)
    with pytest.raises(ValueError, match="'gqa_dims'.*last dimension"):
        layer.compute_output_shape(Q.shape, K.shape)
    flash = GroupQueryAttention(**BASE, flash_attention=True, name="gqa_flash")
    flash(Q, V)
    with pytest.raises(ValueError, match="'gqa_flash'.*scores"):
        flash(Q, V, return_attention_scores=True)
