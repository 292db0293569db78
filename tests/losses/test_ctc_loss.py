"""losses.CTC / losses.ctc: Keras 3.15 parity, a brute-force sum over alignments for a tiny
case, gradients, configs and errors."""

import itertools
import math

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import losses, ops
from gpulayers.testing import check_gradients


def _logits(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _brute_force_ctc(labels, logits):
    """-log sum over every frame path that collapses (merge repeats, drop blanks) to labels."""
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    total = 0.0
    for path in itertools.product(range(logits.shape[-1]), repeat=logits.shape[0]):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if [k for k in merged if k != 0] == list(labels):
            total += math.exp(sum(log_probs[t, k] for t, k in enumerate(path)))
    return -math.log(total)


def test_ctc_equals_the_sum_over_alignments():
    labels = np.array([[1, 2, 0]])          # label length 2 (0 pads)
    logits = _logits(1, 4, 3).astype("float64")
    got = np.asarray(losses.ctc(labels, logits))
    np.testing.assert_allclose(got, [_brute_force_ctc([1, 2], logits[0])], rtol=1e-9)


def test_ctc_loss_matches_keras_with_reductions():
    keras = keras_or_skip()
    labels = np.array([[1, 3, 2, 0], [2, 2, 0, 0], [4, 0, 0, 0]], "int32")
    logits = _logits(3, 8, 5)
    for reduction in ("sum_over_batch_size", "sum", None):
        ours = np.asarray(losses.CTC(reduction=reduction)(labels, logits))
        theirs = to_numpy(keras.losses.CTC(reduction=reduction)(labels, logits))
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(losses.ctc(labels, logits)),
                               to_numpy(keras.losses.ctc(labels, logits)), rtol=1e-5)
    assert losses.CTC().get_config() == keras.losses.CTC().get_config()


def test_ctc_gradient_and_lookup():
    labels = np.array([[1, 2], [2, 0]])
    loss = losses.CTC(dtype="float64")  # the float64 differences need a float64 loss
    check_gradients(lambda y_pred: loss(labels, y_pred), [_logits(2, 5, 3)])
    assert isinstance(losses.get("CTC"), losses.CTC) and losses.get("ctc") is losses.ctc
    restored = losses.deserialize(losses.serialize(losses.CTC(reduction="sum")))
    assert isinstance(restored, losses.CTC) and restored.reduction == "sum"


def test_ctc_refuses_wrong_ranks():
    with pytest.raises(ValueError, match="ctc: `y_true` must be integer labels"):
        losses.ctc(np.ones((2, 3, 1)), _logits(2, 4, 3))
    with pytest.raises(ValueError, match="ctc: `y_pred` must be logits"):
        losses.ctc(np.ones((2, 3)), _logits(2, 4))
    assert ops.convert_to_tensor(losses.ctc(np.array([[1]]), _logits(1, 2, 2))).shape == (1,)
