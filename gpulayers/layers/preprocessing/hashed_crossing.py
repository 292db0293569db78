"""HashedCrossing: hash the cross of several categorical features into a fixed bin count."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.backend import host_lookup
from gpulayers.layers.preprocessing.category_encoding import (
    EncodingLayer,
    check_sparse,
    encode_categorical,
)


class HashedCrossing(EncodingLayer):
    """Cross two or more scalar features and hash each combination into ``num_bins``,
    as ``tf.sparse.cross_hashed`` does (FarmHash64 of strings, int64 bits of ints, chained
    with FingerprintCat64 from key 0xDECAFCAFFE).

    Args:
        num_bins: the number of hash bins.
        output_mode: 'int' (default, int64) or 'one_hot' (float).
        sparse: must be False (gpulayers has no sparse tensors).
        name, dtype: base Layer arguments.

    Input: a tuple/list of at least 2 features of equal shape ``()``, ``(batch,)`` or
    ``(batch, 1)``, each of strings or integers. Output: that shape ('int'), or with a
    ``num_bins`` axis ('one_hot').

    Example::

        layer = HashedCrossing(num_bins=5)
        layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
        # [1, 4, 1, 1, 3]
    """

    host_inputs = True

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False,
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        who = f"HashedCrossing '{self.name}'"
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"{who}: `output_mode` must be 'int' or 'one_hot'. Received: "
                             f"output_mode={output_mode!r}")
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 1:
            raise ValueError(f"{who}: `num_bins` must be a positive int. Received: "
                             f"num_bins={num_bins!r}")
        check_sparse(sparse, who)
        self.num_bins, self.output_mode, self.sparse = num_bins, output_mode, sparse

    def call(self, inputs: Any) -> Any:
        who = f"HashedCrossing '{self.name}'"
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{who}: expected a list or tuple of at least two inputs. "
                             f"Received: {type(inputs).__name__}")
        columns = [host_lookup.host_values(x) for x in inputs]
        shape = columns[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"{who}: all inputs must have shape (), (batch,) or (batch, 1). "
                             f"Received: {shape}")
        if any(c.shape != shape for c in columns[1:]):
            raise ValueError(f"{who}: all inputs must have equal shapes. Received: "
                             f"{[c.shape for c in columns]}")
        if any(c.dtype.kind not in "Uiu" for c in columns):
            raise ValueError(f"{who}: all inputs must have an integer or string dtype. "
                             f"Received: {[str(c.dtype) for c in columns]}")
        crossed = host_lookup.cross_hash([c.reshape(-1) for c in columns], self.num_bins)
        indices = ops.convert_to_tensor(crossed.reshape(shape))
        return encode_categorical(indices, self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if not first:
            return (self.num_bins,)
        if first[-1] != 1:
            return (*first, self.num_bins)
        return (*first[:-1], self.num_bins)

    def get_config(self) -> dict[str, Any]:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype_policy.name}


__all__ = ["HashedCrossing"]
