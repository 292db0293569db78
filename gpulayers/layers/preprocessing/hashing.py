"""Hashing: hash strings or integers into a fixed number of bins (TensorFlow's hashes)."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.backend import floatx, host_lookup
from gpulayers.layers.preprocessing.category_encoding import (
    EncodingLayer,
    check_sparse,
    encode_categorical,
)
from gpulayers.layers.preprocessing.index_lookup import salt_pair

_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(EncodingLayer):
    """Hash each value into ``[0, num_bins)``, bit-for-bit as Keras/TensorFlow do.

    Strings hash as ``FarmHash64(utf8) % bins`` (``tf.strings.to_hash_bucket_fast``), or
    with ``salt`` as ``SipHash-2-4(salt)(utf8) % bins`` (``to_hash_bucket_strong``).
    Integers (and floats, truncated) hash as their decimal strings, as Keras does.

    Args:
        num_bins: the number of bins, the mask bin included.
        mask_value: a value mapped to bin 0 (other values then go to 1..num_bins-1).
        salt: 1 int (used twice) or 2 ints: the SipHash key; None for FarmHash.
        output_mode: 'int' (default), 'one_hot', 'multi_hot' or 'count'.
        sparse: must be False (gpulayers has no sparse tensors).
        **kwargs: base Layer arguments; ``dtype`` defaults to 'int64' for 'int' output
            (must be an int type then) and floatx otherwise.

    Example::

        Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]])  # [[1],[0],[1],[1],[2]]
    """

    host_inputs = True

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None,
                 output_mode: str = "int", sparse: bool = False, **kwargs: Any) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else floatx()
        super().__init__(**kwargs)
        who = f"Hashing '{self.name}'"
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"{who}: `num_bins` cannot be None or non-positive. "
                             f"Received: num_bins={num_bins}")
        if output_mode not in _MODES:
            raise ValueError(f"{who}: `output_mode` must be one of {_MODES}. Received: "
                             f"output_mode={output_mode!r}")
        if output_mode == "int" and self.compute_dtype not in ("int32", "int64"):
            raise ValueError(f"{who}: when output_mode='int', `dtype` must be 'int32' or "
                             f"'int64'. Received: dtype={self.compute_dtype!r}")
        if sparse and output_mode == "int":
            raise ValueError(f"{who}: `sparse` may only be true if `output_mode` is "
                             "'one_hot', 'multi_hot' or 'count'. Received: sparse=True and "
                             f"output_mode={output_mode!r}")
        check_sparse(sparse, who)
        self.num_bins, self.mask_value, self.output_mode = num_bins, mask_value, output_mode
        self.sparse = sparse
        self.salt = salt_pair(salt, who)
        self.strong_hash = self.salt is not None

    def call(self, inputs: Any) -> Any:
        values = host_lookup.host_values(inputs)
        if values.dtype.kind not in "Uiufb":
            raise TypeError(f"Hashing '{self.name}': expected string or numeric inputs. "
                            f"Received dtype {values.dtype}")
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values.reshape(values.shape[:-1])
        bins = self.num_bins
        masked = self.mask_value is not None and bins > 1
        hashed = host_lookup.hash_buckets(values, bins - 1 if masked else bins, self.salt)
        if masked:
            hashed = hashed + 1
            hashed[values == self.mask_value] = 0
        return encode_categorical(ops.convert_to_tensor(hashed), self.output_mode,
                                  self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        return (*input_shape[:-1], self.num_bins) if input_shape else (self.num_bins,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


__all__ = ["Hashing"]
