"""Shared checks of the attention layers (MultiHeadAttention, GroupQueryAttention): Keras 3
parity with masks and scores, and the softmax of the NumPy references."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from keras_available import to_numpy

from gpulayers.autodiff import Tensor


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (NumPy reference)."""
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _torch(value: np.ndarray, mask: np.ndarray | None = None) -> Any:
    import torch

    tensor = torch.tensor(value)
    if mask is not None:
        tensor._keras_mask = torch.tensor(mask)
    return tensor


def _ours(value: np.ndarray, mask: np.ndarray | None = None) -> Tensor:
    tensor = Tensor(value)
    if mask is not None:
        tensor._keras_mask = Tensor(mask)
    return tensor


def assert_attention_parity(ours_cls: type, theirs: Any, kwargs: dict[str, Any],
                            query: np.ndarray, value: np.ndarray, key: np.ndarray | None,
                            query_mask: np.ndarray | None, call_kwargs: dict[str, Any],
                            rng: np.random.Generator, quiet_keras: bool = False) -> None:
    """Give Keras layer ``theirs`` random weights (from ``rng``), copy them into
    ``ours_cls(**kwargs)`` and compare weight shapes and names, outputs (and scores), the
    propagated query mask and ``compute_output_shape``.

    Without scores Keras runs a fused kernel whose rows for fully masked queries are
    backend-defined, so only the kept query rows are compared there. ``quiet_keras`` silences
    Keras's UserWarnings during its call.
    """
    keras_kwargs = {k: _torch(v) if isinstance(v, np.ndarray) else v
                    for k, v in call_kwargs.items()}
    keras_key = None if key is None else _torch(key)
    theirs(_torch(query), _torch(value), keras_key, **keras_kwargs)  # builds
    weights = [rng.standard_normal(w.shape).astype("float32") * 0.5
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    with warnings.catch_warnings():
        if quiet_keras:
            warnings.simplefilter("ignore", UserWarning)
        expected = theirs(_torch(query, query_mask), _torch(value), keras_key, **keras_kwargs)
    ours = ours_cls(**kwargs)
    ours(query, value, key, **call_kwargs)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in weights]
    assert [w.name for w in ours.weights] == [w.path.split("/", 1)[1] for w in theirs.weights]
    ours.set_weights(weights)
    got = ours(_ours(query, query_mask), value, key, **call_kwargs)
    got = got if isinstance(got, tuple) else (got,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    rows = np.ones(query.shape[:2], bool) if query_mask is None or len(got) > 1 else query_mask
    np.testing.assert_allclose(np.asarray(got[0])[rows], to_numpy(expected[0])[rows],
                               rtol=1e-5, atol=1e-5)
    if len(got) > 1:
        np.testing.assert_allclose(np.asarray(got[1]), to_numpy(expected[1]), rtol=1e-5,
                                   atol=1e-6)
    if query_mask is not None:
        np.testing.assert_array_equal(np.asarray(got[0]._keras_mask), query_mask)
    shapes = (query.shape, value.shape, None if key is None else key.shape)
    assert ours.compute_output_shape(*shapes) == tuple(theirs.compute_output_shape(*shapes))
