"""ctc_loss / ctc_decode: vs Keras 3 (torch backend), a brute-force sum over alignments,
float64 finite-difference gradients, errors."""

import itertools

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from gpulayers import backend
from gpulayers.ops.ctc import ctc_decode, ctc_loss
from gpulayers.testing import requires_gpu
from gpulayers.testing.gradient_check import check_gradients

RNG = np.random.default_rng(11)


def _case(batch=3, steps=8, classes=5, labels=4):
    logits = RNG.standard_normal((batch, steps, classes)).astype("float32")
    target = RNG.integers(1, classes, (batch, labels))
    target[0, 1] = target[0, 0]  # a repeated label needs a blank between
    return logits, target, np.array([4, 2, 0])[:batch], np.array([8, 6, 3])[:batch]


def _collapse(path, blank):
    out = []
    for k, label in enumerate(path):
        if label != blank and (k == 0 or label != path[k - 1]):
            out.append(label)
    return out


def _brute_force(logits, target, frames, blank):
    """-log sum over every frame-by-frame path whose collapse is the target."""
    z = logits[:frames].astype("float64")
    log_probs = z - np.log(np.exp(z).sum(-1, keepdims=True))
    total = 0.0
    for path in itertools.product(range(z.shape[1]), repeat=frames):
        if _collapse(path, blank) == list(target):
            total += np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return -np.log(total)


@pytest.mark.parametrize("blank", [0, 2])
def test_loss_matches_brute_force(blank):
    logits = RNG.standard_normal((2, 5, 3))
    target = np.array([[1, 1], [0, 1]]) if blank == 2 else np.array([[1, 1], [2, 1]])
    lengths, frames = np.array([2, 1]), np.array([5, 4])
    got = np.asarray(ctc_loss(target, logits, lengths, frames, mask_index=blank))
    expected = [_brute_force(logits[b], target[b, :lengths[b]], frames[b], blank)
                for b in range(2)]
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_loss_matches_keras(dtype):
    keras = keras_or_skip()
    logits, target, lengths, frames = _case()
    logits = logits.astype(dtype)
    ours = ctc_loss(target, logits, lengths, frames)
    theirs = keras.ops.ctc_loss(target, logits, lengths, frames)
    np.testing.assert_allclose(np.asarray(ours), to_numpy(theirs), rtol=1e-4)
    if dtype != "float64":  # Keras's torch backend returns float32 even then; we keep float64
        assert ours.dtype == str(theirs.dtype).replace("torch.", "")


def test_loss_gradient_matches_finite_differences():
    logits, target, lengths, frames = _case()
    check_gradients(lambda z: ctc_loss(target, z, lengths, frames), [logits], rtol=1e-5,
                    atol=1e-7)


def test_loss_gradient_matches_keras():
    keras = keras_or_skip()
    import torch

    logits, target, lengths, frames = _case()
    theirs = torch.tensor(logits, requires_grad=True)
    keras.ops.ctc_loss(target, theirs, lengths, frames).sum().backward()
    from gpulayers import GradientTape, Variable, ops

    variable = Variable(logits)
    with GradientTape() as tape:
        loss = ops.sum(ctc_loss(target, variable, lengths, frames))
    np.testing.assert_allclose(np.asarray(tape.gradient(loss, variable)),
                               theirs.grad.numpy(), atol=1e-5)


def test_infeasible_target_has_infinite_loss():
    logits = RNG.standard_normal((1, 2, 4))
    loss = ctc_loss(np.array([[1, 1]]), logits, np.array([2]), np.array([2]))
    assert np.isinf(np.asarray(loss)).all()


@pytest.mark.parametrize("strategy", ["greedy", "beam_search"])
@pytest.mark.parametrize("mask_index", [0, 2, None])
def test_decode_matches_keras(strategy, mask_index):
    keras = keras_or_skip()
    logits, _, _, frames = _case(batch=3, steps=9, classes=5)
    kwargs = dict(strategy=strategy, beam_width=4, top_paths=3 if strategy != "greedy" else 1,
                  mask_index=mask_index, merge_repeated=True)
    ours = ctc_decode(logits, frames, **kwargs)
    theirs = keras.ops.ctc_decode(logits, frames, **kwargs)
    np.testing.assert_array_equal(np.asarray(ours[0]), to_numpy(theirs[0]))
    np.testing.assert_allclose(np.asarray(ours[1]), to_numpy(theirs[1]), rtol=1e-5)
    assert ours[0].dtype == "int32" and ours[1].dtype == "float32"


def test_greedy_decode_hand_case():
    # best classes per frame: 1 1 0 2 2 1 (blank 0) -> 1 2 1; frame 6 is beyond the length
    best = [1, 1, 0, 2, 2, 1, 2]
    logits = np.full((1, 7, 3), -1.0)
    logits[0, range(7), best] = 2.0
    paths, scores = ctc_decode(logits, np.array([6]))
    np.testing.assert_array_equal(np.asarray(paths), [[[1, 2, 1, -1, -1, -1, -1]]])
    np.testing.assert_allclose(np.asarray(scores), [[-12.0]])
    paths, _ = ctc_decode(logits, np.array([6]), merge_repeated=False)
    np.testing.assert_array_equal(np.asarray(paths), [[[1, 1, 2, 2, 1, -1, -1]]])


def test_beam_search_finds_the_most_likely_labelling():
    # brute force: the probability of each labelling, summed over its alignments
    logits = RNG.standard_normal((1, 4, 3))
    probs = np.exp(logits[0]) / np.exp(logits[0]).sum(-1, keepdims=True)
    totals = {}
    for path in itertools.product(range(3), repeat=4):
        key = tuple(_collapse(path, 0))
        totals[key] = totals.get(key, 0.0) + np.prod([probs[t, c] for t, c in enumerate(path)])
    best = max(totals, key=totals.get)
    paths, scores = ctc_decode(logits, np.array([4]), strategy="beam_search", beam_width=30)
    assert list(np.asarray(paths)[0, 0, :len(best)]) == list(best)
    np.testing.assert_allclose(np.asarray(scores)[0, 0], np.log(totals[best]), rtol=1e-5)


def test_errors():
    logits = np.zeros((2, 3, 4), "float32")
    with pytest.raises(ValueError, match="ctc_decode: invalid strategy"):
        ctc_decode(logits, np.array([3, 3]), strategy="bogus")
    with pytest.raises(ValueError, match="ctc_loss: expected logits"):
        ctc_loss(np.zeros((2, 1)), np.zeros((2, 3)), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="ctc_loss: `output_length`"):
        ctc_loss(np.zeros((2, 1)), logits, np.ones(2), np.array([3, 4]))
    with pytest.raises(ValueError, match="ctc_decode: expected lengths"):
        ctc_decode(logits, np.array([3]))


@pytest.mark.gpu
@requires_gpu
def test_cupy_matches_numpy():
    logits, target, lengths, frames = _case()
    results = []
    for name in ("numpy", "cupy"):
        with backend.use_backend(name):
            loss = ctc_loss(target, logits, lengths, frames)
            paths, _ = ctc_decode(logits, frames, strategy="beam_search", beam_width=3)
            results.append((backend.to_numpy(loss.data), backend.to_numpy(paths.data)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    np.testing.assert_array_equal(results[1][1], results[0][1])
