"""Discretization: bucket continuous features by boundaries, given or adapted (quantiles)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gpulayers import ops
from gpulayers.autodiff import Tensor
from gpulayers.backend import host_lookup
from gpulayers.layers.preprocessing.category_encoding import (
    EncodingLayer,
    check_sparse,
    encode_categorical,
    encoded_shape,
)

_MODES = ("int", "one_hot", "multi_hot", "count")


class Discretization(EncodingLayer):
    """Map each value to the index of its bucket: bucket ``i`` holds
    ``bin_boundaries[i-1] <= x < bin_boundaries[i]`` (NaN goes to the last bucket).

    Args:
        bin_boundaries: sorted boundaries; ``n`` boundaries make ``n + 1`` buckets.
        num_bins: the number of buckets to learn with :meth:`adapt` (approximate
            quantiles); exactly one of ``bin_boundaries`` and ``num_bins`` is set.
        epsilon: the quantile approximation tolerance used by ``adapt`` (default 0.01).
        output_mode: 'int' (bucket ids, int32), 'one_hot', 'multi_hot' or 'count' (in the
            layer's dtype, depth ``len(bin_boundaries) + 1``).
        sparse: must be False (gpulayers has no sparse tensors).
        dtype, name: base Layer arguments.

    Example::

        layer = Discretization(bin_boundaries=[0., 1., 2.])
        layer([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
        # [[0, 2, 3, 1], [1, 3, 2, 1]]
    """

    def __init__(self, bin_boundaries: Iterable[float] | None = None,
                 num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, dtype: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        who = f"Discretization '{self.name}'"
        check_sparse(sparse, who)
        if output_mode not in _MODES:
            raise ValueError(f"{who}: `output_mode` must be one of {_MODES}. Received: "
                             f"output_mode={output_mode!r}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"{who}: `num_bins` must be greater than or equal to 0. "
                             f"Received: num_bins={num_bins}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"{who}: both `num_bins` and `bin_boundaries` should not be "
                             f"set. Received: num_bins={num_bins} and "
                             f"bin_boundaries={bin_boundaries}")
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{who}: you need to set either `num_bins` or "
                             "`bin_boundaries`")
        self.bin_boundaries = (None if bin_boundaries is None
                               else [float(b) for b in bin_boundaries])
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if self.bin_boundaries else host_lookup.empty_summary()

    @property
    def output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn ``num_bins - 1`` boundaries from approximate quantiles of ``data``: an
        array, nested lists, or an iterable of batches (arrays or ``(x, y)`` tuples)."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}': cannot adapt a layer that was "
                             "initialized with `bin_boundaries`; use `num_bins` instead")
        self.summary = host_lookup.empty_summary()
        if hasattr(data, "shape") or not isinstance(data, Iterable):
            batches: Iterable[Any] = [data]
        else:
            batches = data
        for step, batch in enumerate(batches):
            if steps is not None and step >= steps:
                break
            if isinstance(batch, tuple):
                batch = batch[0]
            values = host_lookup.host_values(batch)
            if values.dtype.kind not in "iufb":
                raise TypeError(f"Discretization '{self.name}': adapt() expects numeric "
                                f"data. Received dtype {values.dtype}")
            summary = host_lookup.summarize(values, self.epsilon)
            self.summary = host_lookup.merge_summaries(summary, self.summary, self.epsilon)
        self.bin_boundaries = host_lookup.bin_boundaries(self.summary, self.num_bins)

    def call(self, inputs: Tensor) -> Tensor:
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}': pass `bin_boundaries` at "
                             "construction time or call `adapt(data)` before calling the "
                             "layer")
        if "float" not in inputs.dtype and "int" not in inputs.dtype:
            raise TypeError(f"Discretization '{self.name}': expected numeric inputs. "
                            f"Received dtype {inputs.dtype}")
        # Compare in the inputs' float dtype (Keras's boundaries become float32 tensors).
        dtype = inputs.dtype if "float" in inputs.dtype else "float64"
        boundaries = ops.convert_to_tensor(self.bin_boundaries, dtype=dtype)
        values = ops.expand_dims(ops.cast(inputs, dtype), -1)
        # The bucket is the number of boundaries <= x (digitize, right=False).
        indices = ops.sum(ops.cast(values >= boundaries, "int32"), axis=-1)
        if "float" in inputs.dtype:  # NaN sorts last, as torch.bucketize/np.digitize put it
            indices = ops.where(ops.isnan(inputs), len(self.bin_boundaries), indices)
        return encode_categorical(ops.cast(indices, "int32"), self.output_mode,
                                  len(self.bin_boundaries) + 1, self.output_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        return encoded_shape(tuple(input_shape), self.output_mode, depth)

    def get_config(self) -> dict[str, Any]:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype_policy.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Discretization:
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            # An adapted layer: rebuild with num_bins (so it can adapt again), then restore
            # the learned boundaries, as Keras does.
            boundaries = config.pop("bin_boundaries")
            layer = super().from_config(config)
            layer.bin_boundaries = [float(b) for b in boundaries]
            return layer
        return super().from_config(config)


__all__ = ["Discretization"]
