"""ReversibleEmbedding: standard layer checks, a NumPy reference, Keras 3 parity, float64
gradients of the reverse projection (tied and untied), masks, config, errors."""

from __future__ import annotations

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers.autodiff import Tensor
from gpulayers.layers import Input, deserialize, serialize
from gpulayers.layers.core.reversible_embedding import ReversibleEmbedding
from gpulayers.models import Model
from gpulayers.testing.layer_test import check_layer_gradients, run_layer_test

RNG = np.random.default_rng(3)
TOKENS = np.array([[1, 0, 3, 6], [2, 5, 0, 4]], dtype="int32")
HIDDEN = RNG.standard_normal((2, 4, 5)).astype("float32")


@pytest.mark.parametrize("kwargs", [
    {"input_dim": 7, "output_dim": 5},
    {"input_dim": 7, "output_dim": 5, "tie_weights": False},
])
def test_forward_lookup_layer_checks(kwargs):
    run_layer_test(ReversibleEmbedding, kwargs, input_data=TOKENS, input_dtype="int32",
                   expected_output_shape=(2, 4, 5),
                   expected_num_trainable_weights=1 if kwargs.get("tie_weights", True) else 2)


@pytest.mark.parametrize(("tie_weights", "soft_cap"), [(True, None), (True, 1.5),
                                                        (False, None), (False, 0.7)])
def test_reverse_gradients_wrt_inputs_and_tables(tie_weights, soft_cap):
    layer = ReversibleEmbedding(6, 3, tie_weights=tie_weights, logit_soft_cap=soft_cap,
                                embeddings_initializer="normal", dtype="float64")
    layer.build(None)
    hidden = RNG.standard_normal((2, 3, 3))
    check_layer_gradients(layer, hidden, {"reverse": True})
    assert len(layer.trainable_weights) == (1 if tie_weights else 2)


@pytest.mark.parametrize(("tie_weights", "soft_cap"), [(True, None), (False, None),
                                                        (True, 0.5), (False, 2.0)])
def test_matches_numpy_reference(tie_weights, soft_cap):
    layer = ReversibleEmbedding(7, 5, tie_weights=tie_weights, logit_soft_cap=soft_cap)
    layer.build(None)
    weights = [RNG.standard_normal(w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    table = weights[0].astype("float64")
    np.testing.assert_allclose(np.asarray(layer(TOKENS)), table[TOKENS], rtol=1e-6)
    kernel = table.T if tie_weights else weights[1].astype("float64")
    logits = HIDDEN.astype("float64") @ kernel
    if soft_cap is not None:
        logits = soft_cap * np.tanh(logits / soft_cap)
    np.testing.assert_allclose(np.asarray(layer(HIDDEN, reverse=True)), logits, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    {"input_dim": 7, "output_dim": 5},
    {"input_dim": 7, "output_dim": 5, "tie_weights": False},
    {"input_dim": 7, "output_dim": 5, "logit_soft_cap": 0.3, "mask_zero": True},
    {"input_dim": 7, "output_dim": 5, "tie_weights": False, "reverse_dtype": "float32",
     "logit_soft_cap": 3.0},
])
def test_keras_parity(kwargs):
    keras = keras_or_skip()
    import torch

    theirs = keras.layers.ReversibleEmbedding(**kwargs)
    theirs(torch.tensor(TOKENS))
    weights = [RNG.standard_normal(w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = ReversibleEmbedding(**kwargs)
    ours(TOKENS)
    assert [w.name.split("/")[-1] for w in ours.weights] == [
        w.path.split("/")[-1] for w in theirs.weights]
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in weights]
    ours.set_weights(weights)
    expected = theirs(torch.tensor(TOKENS))
    got = ours(TOKENS)
    np.testing.assert_allclose(np.asarray(got), to_numpy(expected), rtol=1e-6)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(np.asarray(got._keras_mask),
                                      to_numpy(expected._keras_mask))
    expected_logits = to_numpy(theirs(torch.tensor(HIDDEN), reverse=True))
    np.testing.assert_allclose(np.asarray(ours(HIDDEN, reverse=True)), expected_logits,
                               rtol=1e-5, atol=1e-6)
    assert ours.compute_output_shape((2, 4, 5), reverse=True) == tuple(
        theirs.compute_output_shape((2, 4, 5), reverse=True))
    assert ours.compute_output_shape((2, 4)) == tuple(theirs.compute_output_shape((2, 4)))
    config, keras_config = ours.get_config(), theirs.get_config()
    assert set(config) == set(keras_config)
    for key in ("input_dim", "output_dim", "tie_weights", "reverse_dtype", "logit_soft_cap",
                "mask_zero"):
        assert config[key] == keras_config[key], key
    revived = ReversibleEmbedding.from_config({**keras_config, "name": "from_keras"})
    assert revived.get_config()["tie_weights"] == kwargs.get("tie_weights", True)


def test_reverse_output_has_no_mask_and_tied_model_round_trip():
    layer = ReversibleEmbedding(7, 5, mask_zero=True)
    hidden = layer(TOKENS)
    np.testing.assert_array_equal(np.asarray(hidden._keras_mask), TOKENS != 0)
    logits = layer(hidden, reverse=True)
    assert logits._keras_mask is None
    tokens = Input((4,), dtype="int32")
    symbolic = layer(layer(tokens), reverse=True)
    assert symbolic.shape == (None, 4, 7)
    model = Model(tokens, symbolic)
    np.testing.assert_allclose(np.asarray(model(TOKENS)), np.asarray(logits), rtol=1e-6)


def test_config_round_trip_and_weights_argument():
    layer = ReversibleEmbedding(7, 5, tie_weights=False, logit_soft_cap=2.0,
                                reverse_dtype="float32", mask_zero=True)
    config = layer.get_config()
    clone = ReversibleEmbedding.from_config(config)
    assert {k: v for k, v in clone.get_config().items() if k != "name"} == {
        k: v for k, v in config.items() if k != "name"}
    assert type(deserialize(serialize(layer))) is ReversibleEmbedding
    table, reverse = RNG.standard_normal((7, 5)), RNG.standard_normal((5, 7))
    given = ReversibleEmbedding(7, 5, tie_weights=False, weights=[table, reverse])
    np.testing.assert_allclose(np.asarray(given(HIDDEN, reverse=True)), HIDDEN @ reverse,
                               rtol=1e-5, atol=1e-5)
    tied = ReversibleEmbedding(7, 5, weights=table)
    np.testing.assert_allclose(np.asarray(tied(TOKENS)), table[TOKENS], rtol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="'rev'.*logit_soft_cap"):
        ReversibleEmbedding(7, 5, logit_soft_cap=0.0, name="rev")
    with pytest.raises(ValueError, match="'rev'.*reverse_dtype"):
        ReversibleEmbedding(7, 5, reverse_dtype="int32", name="rev")
    with pytest.raises(ValueError, match="'rev'.*input_dim"):
        ReversibleEmbedding(0, 5, name="rev")
    layer = ReversibleEmbedding(7, 5, name="rev2")
    with pytest.raises(ValueError, match=r"'rev2'.*output_dim=5.*\(2, 4, 3\)"):
        layer(HIDDEN[..., :3], reverse=True)
    with pytest.raises(TypeError, match="'rev2'.*floats"):
        layer(Tensor(TOKENS[..., None].repeat(5, -1)), reverse=True)
    with pytest.raises(ValueError, match=r"'rev2'.*\[0, input_dim=7\)"):
        layer(TOKENS + 4)
