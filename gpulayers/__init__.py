"""gpulayers: Keras-compatible deep-learning layers on NumPy (CPU) and CuPy (NVIDIA GPU).

Example::

    import gpulayers as gl
    w = gl.Variable(gl.random.normal((3, 1)))
    with gl.GradientTape() as tape:
        loss = gl.ops.mean((gl.ops.matmul(x, w) - y) ** 2)
    grad = tape.gradient(loss, w)
"""

from gpulayers import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    regularizers,
    saving,
    testing,
    tree,
    utils,
)
from gpulayers.autodiff import GradientTape, Tensor, Variable, convert_to_tensor, is_tensor
from gpulayers.backend import random

__version__ = "0.1.0"

__all__ = [
    "GradientTape", "Tensor", "Variable", "__version__", "activations", "backend",
    "callbacks", "config", "constraints",
    "convert_to_tensor", "initializers", "is_tensor", "layers", "losses", "metrics",
    "mixed_precision", "models", "ops", "optimizers", "random", "regularizers", "saving",
    "testing", "tree", "utils",
]
