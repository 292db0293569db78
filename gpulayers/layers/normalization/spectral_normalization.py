"""SpectralNormalization: keep a wrapped layer's kernel at spectral norm 1 (Keras 3)."""

from __future__ import annotations

from typing import Any

from gpulayers import initializers, ops
from gpulayers.autodiff import Tensor
from gpulayers.layers.core.wrapper import Wrapper
from gpulayers.layers.input_spec import InputSpec
from gpulayers.layers.layer import Layer

__all__ = ["SpectralNormalization"]


class SpectralNormalization(Wrapper):
    """Divide the wrapped layer's kernel (or embeddings) by its largest singular value,
    estimated by power iteration, at every training call (Miyato et al. 2018).

    In training, ``power_iterations`` steps update the non-trainable ``vector_u`` and the
    kernel is replaced by ``kernel / sigma`` (the estimate is not differentiated, as in
    Keras); in inference the layer runs with the kernel as it is.

    Args:
        layer: a layer with a ``kernel`` (Dense, Conv*) or ``embeddings`` (Embedding).
        power_iterations: power-iteration steps per training call (>= 1).
        **kwargs: base Layer arguments.

    Example::

        dense = SpectralNormalization(Dense(64))
        y = dense(x, training=True)
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or (
                power_iterations <= 0):
            raise ValueError(f"SpectralNormalization '{self.name}': `power_iterations` should "
                             f"be greater than zero. Received: "
                             f"power_iterations={power_iterations!r}")
        self.power_iterations = power_iterations

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"SpectralNormalization '{self.name}': "
                             f"{type(self.layer).__name__} has no `kernel` nor `embeddings`")
        self.kernel = kernel
        self.vector_u = self.add_weight(
            name="vector_u", shape=(1, kernel.shape[-1]), trainable=False,
            initializer=initializers.TruncatedNormal(stddev=0.02), dtype=kernel.dtype)

    def call(self, inputs: Tensor, training: Any = False) -> Tensor:
        if training and bool(ops.any(ops.not_equal(self.kernel, 0))):
            vector_u, kernel = self.normalized_weights()
            self.vector_u.assign(vector_u)
            self.kernel.assign(kernel)
        return ops.cast(self.layer(inputs), inputs.dtype)

    def normalized_weights(self) -> tuple[Tensor, Tensor]:
        """``(new vector_u, kernel / sigma)`` after ``power_iterations`` steps."""
        weights = ops.reshape(self.kernel, (-1, self.kernel.shape[-1]))
        vector_u = ops.convert_to_tensor(self.vector_u)
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(ops.matmul(vector_u, ops.transpose(weights)), axis=None)
            vector_u = ops.normalize(ops.matmul(vector_v, weights), axis=None)
        vector_u, vector_v = ops.stop_gradient(vector_u), ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        kernel = ops.reshape(ops.divide(self.kernel, sigma), self.kernel.shape)
        return vector_u, kernel

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "power_iterations": self.power_iterations}
