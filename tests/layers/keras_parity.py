"""Compare a gpulayers layer with the same Keras 3 layer: weight layout and outputs.

Keras (with its torch backend, CPU) is a test-only peer: tests using this module skip with
the reason when it is not installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def assert_keras_parity(ours_cls: type, keras_cls: type, kwargs: dict[str, Any],
                        x: np.ndarray, *, call_kwargs: dict[str, Any] | None = None,
                        rtol: float = 1e-5, atol: float = 1e-5) -> None:
    """Build both layers on ``x``; copy Keras's weights into ours with ``set_weights``; the
    weight shapes (in order) and the outputs must match."""
    call_kwargs = call_kwargs or {}
    theirs = keras_cls(**kwargs)
    expected = np.asarray(_keras_numpy(theirs(x, **call_kwargs)))
    ours = ours_cls(**kwargs)
    ours(x, **call_kwargs)
    their_weights = [np.asarray(w) for w in theirs.get_weights()]
    our_shapes = [w.shape for w in ours.get_weights()]
    assert our_shapes == [w.shape for w in their_weights], (
        f"weight layout differs: ours {our_shapes}, keras {[w.shape for w in their_weights]}")
    ours.set_weights(their_weights)
    np.testing.assert_allclose(np.asarray(ours(x, **call_kwargs)), expected, rtol=rtol,
                               atol=atol)


def _keras_numpy(tensor: Any) -> Any:
    # keras.ops.convert_to_numpy calls np.array(torch_tensor), which NumPy 2.4 warns about
    # with torch 2.13; torch's own conversion says the same thing without the warning.
    if hasattr(tensor, "detach"):
        return tensor.detach().cpu().numpy()
    return np.asarray(tensor)
