"""IndexLookup: the vocabulary machinery shared by StringLookup and IntegerLookup (and, through
StringLookup, TextVectorization). Lookups run on the host; outputs are gpulayers tensors."""

from __future__ import annotations

import math
from typing import Any

from gpulayers import ops
from gpulayers.backend import floatx, host_lookup
from gpulayers.layers.preprocessing.category_encoding import (
    EncodingLayer,
    check_sparse,
    encode_categorical,
    encoded_shape,
)

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(EncodingLayer):
    """Map tokens to indices through a vocabulary (see StringLookup / IntegerLookup).

    Index layout (``output_mode='int'``): ``[mask (if mask_token), OOV x num_oov_indices,
    vocabulary...]``; other modes have no mask index. Adapted vocabularies are sorted by
    frequency, ties by token (highest first), as Keras sorts them.
    """

    host_inputs = True
    _vocabulary_kind = "string"  # or "int"

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary: Any = None, idf_weights: Any = None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod",
                 salt: Any = None, vocabulary_size: int | None = None,
                 has_input_vocabulary: bool | None = None, **kwargs: Any) -> None:
        kwargs.pop("dtype", None)  # outputs are int64 / float: not the layer's dtype
        super().__init__(**kwargs)
        who = f"{type(self).__name__} '{self.name}'"
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{who}: if set, `max_tokens` must be greater than 1. "
                             f"Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{who}: if `pad_to_max_tokens` is True, `max_tokens` must be "
                             f"set. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"{who}: `num_oov_indices` must be >= 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{who}: `oov_method` must be 'floormod' or 'farmhash'. "
                             f"Received: oov_method={oov_method!r}")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode,
                                                                      output_mode)
        if output_mode not in _MODES:
            raise ValueError(f"{who}: `output_mode` must be one of {_MODES}. Received: "
                             f"output_mode={output_mode!r}")
        if invert and output_mode != "int":
            raise ValueError(f"{who}: `output_mode` must be 'int' when `invert` is true. "
                             f"Received: output_mode={output_mode!r}")
        if sparse and output_mode == "int":
            raise ValueError(f"{who}: `sparse` may only be true if `output_mode` is "
                             "'one_hot', 'multi_hot', 'count' or 'tf_idf'. Received: "
                             f"sparse={sparse} and output_mode={output_mode!r}")
        check_sparse(sparse, who)
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{who}: `idf_weights` should only be set if `output_mode` is "
                             f"'tf_idf'. Received: output_mode={output_mode!r}")
        self.salt = salt_pair(salt, who)
        if self.salt is not None and self._vocabulary_kind == "int" \
                and oov_method != "farmhash":
            raise ValueError(f"{who}: `salt` can only be used when "
                             f"`oov_method='farmhash'`. Received: oov_method={oov_method!r}")
        if isinstance(vocabulary, str):
            raise ValueError(f"{who}: vocabulary files are not supported; pass the "
                             f"vocabulary as a list. Received: vocabulary={vocabulary!r}")
        self.invert, self.max_tokens = bool(invert), max_tokens
        self.num_oov_indices, self.mask_token, self.oov_token = (num_oov_indices, mask_token,
                                                                 oov_token)
        self.output_mode, self.sparse = output_mode, sparse
        self.pad_to_max_tokens, self.oov_method = pad_to_max_tokens, oov_method
        self._frozen_vocab_size = vocabulary_size
        self.input_vocabulary = None if vocabulary is None else host_lookup.to_host_list(
            vocabulary)
        self.input_idf_weights = None if idf_weights is None else host_lookup.to_host_list(
            idf_weights)
        self._has_input_vocabulary = (vocabulary is not None if has_input_vocabulary is None
                                      else has_input_vocabulary)
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError(f"{who}: when `vocabulary` is given in 'tf_idf' output mode, "
                             "`idf_weights` must be given too")
        self._tokens: list = []
        self._table: dict = {}
        self.idf_weights: list[float] | None = None
        self.reset_state()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- vocabulary ------------------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The vocabulary size, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary; with special tokens, a term's position equals its index."""
        if not include_special_tokens:
            return list(self._tokens)
        return ([self.mask_token] * self._oov_start_index()
                + [self.oov_token] * self.num_oov_indices + list(self._tokens))

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Replace the vocabulary (a list, tuple or 1-D array of terms, optionally starting
        with the special tokens in index order) and, in 'tf_idf' mode, the IDF weights."""
        who = f"{type(self).__name__} '{self.name}'"
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{who}: `idf_weights` must be set if output_mode is 'tf_idf'")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{who}: `idf_weights` should only be set if output_mode is "
                             f"'tf_idf'. Received: output_mode={self.output_mode!r}")
        if isinstance(vocabulary, str):
            raise ValueError(f"{who}: vocabulary files are not supported; pass a list. "
                             f"Received: vocabulary={vocabulary!r}")
        vocabulary = self._check_token_kind(host_lookup.to_host_list(vocabulary), who)
        if not vocabulary:
            raise ValueError(f"{who}: cannot set an empty vocabulary")
        token_start = self._token_start_index()
        special = self.get_vocabulary()[:token_start]
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = sorted({t for t in tokens if tokens.count(t) > 1}, key=str)
        if repeated:
            raise ValueError(f"{who}: the vocabulary has repeated terms {repeated}; "
                             "make it unique")
        for token, name in ((self.mask_token, "mask"), (self.oov_token if self.invert
                                                         else None, "OOV")):
            if token is not None and token in tokens:
                raise ValueError(f"{who}: found the reserved {name} token {token!r} at an "
                                 "unexpected place in `vocabulary`; leave special tokens "
                                 f"out, or put them first in this order: {special}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(f"{who}: the vocabulary size {token_start + len(tokens)} is "
                             f"larger than `max_tokens`={self.max_tokens}")
        if idf_weights is not None:
            weights = [float(w) for w in host_lookup.to_host_list(idf_weights)]
            if len(weights) != len(vocabulary):
                raise ValueError(f"{who}: `idf_weights` must be as long as the vocabulary "
                                 f"({len(vocabulary)}). Received {len(weights)} weights")
            if not found_special:  # OOV/mask weights: the average IDF, as Keras pads
                weights = [sum(weights) / len(weights)] * token_start + weights
            self._set_idf(weights)
        self._set_tokens(tokens)

    def _check_token_kind(self, tokens: list, who: str) -> list:
        return tokens

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._table = {token: start + i for i, token in enumerate(self._tokens)}
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            size = self.vocabulary_size()
            if self._frozen_vocab_size is not None and self._called \
                    and size != self._frozen_vocab_size:
                raise RuntimeError(f"{type(self).__name__} '{self.name}': with "
                                   f"output_mode={self.output_mode!r} and "
                                   "pad_to_max_tokens=False the vocabulary size cannot "
                                   f"change after the layer is called. Old size "
                                   f"{self._frozen_vocab_size}, new size {size}")
        self._frozen_vocab_size = self.vocabulary_size()

    def _set_idf(self, weights: list[float]) -> None:
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = weights + [0.0] * (self.max_tokens - len(weights))
        self.idf_weights = weights

    # -- adapt -----------------------------------------------------------------------------
    def reset_state(self) -> None:
        self._counts: dict = {}
        self._document_counts: dict = {}
        self._num_documents = 0
        self._called = getattr(self, "_called", False)

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary (most frequent first, at most ``max_tokens`` entries with
        the special tokens) from ``data``: an array, a (nested) list, or an iterable of
        batches. In 'tf_idf' mode also the IDF weights, each row being a document."""
        self.reset_state()
        if isinstance(data, (list, tuple, str)) or hasattr(data, "shape"):
            values = host_lookup.host_values(data)
            self.update_state(values.reshape(-1, 1) if values.ndim == 1 else values)
        else:
            for step, batch in enumerate(data):
                if steps is not None and step >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        """Count the tokens of one batch (rows are documents for 'tf_idf')."""
        if self._has_input_vocabulary:
            raise ValueError(f"{type(self).__name__} '{self.name}': cannot adapt after "
                             "setting a static vocabulary via `vocabulary` or "
                             "`set_vocabulary()`")
        if not isinstance(data, list) or not data or not isinstance(data[0], list):
            data = host_lookup.host_values(data)
            self._check_token_kind(data.reshape(-1)[:1].tolist(), type(self).__name__)
            data = data.reshape(1, -1) if data.ndim <= 1 else data
        host_lookup.token_counts(self._counts, data)
        if self.output_mode == "tf_idf":
            self._num_documents += host_lookup.document_counts(self._document_counts, data)

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or not self._counts:
            return
        for special in (self.mask_token, self.oov_token):
            self._counts.pop(special, None)
        limit = None if not self.max_tokens else self.max_tokens - self._token_start_index()
        tokens = host_lookup.ordered_vocabulary(self._counts, limit)
        if self.output_mode == "tf_idf":
            weights = [math.log(1 + self._num_documents / (1 + self._document_counts[token]))
                       for token in tokens]
            average = sum(weights) / len(weights) if weights else 0.0
            self._set_idf([average] * self._token_start_index() + weights)
        self._set_tokens(tokens)
        self.reset_state()

    # -- call ------------------------------------------------------------------------------
    def _depth(self) -> int:
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            raise RuntimeError(f"{type(self).__name__} '{self.name}': with output_mode="
                               f"{self.output_mode!r} and pad_to_max_tokens=False, set the "
                               "vocabulary (`vocabulary` argument or adapt()) before calling "
                               "the layer")
        return self._frozen_vocab_size

    def call(self, inputs: Any) -> Any:
        values = host_lookup.host_values(inputs)
        return self.lookup(values)

    def lookup(self, values: Any) -> Any:
        """Look up a host (NumPy) array of tokens, or of indices when ``invert``."""
        who = f"{type(self).__name__} '{self.name}'"
        self._called = True
        if self.invert:
            if values.dtype.kind not in "iu":
                raise TypeError(f"{who}: with invert=True the inputs must be integer "
                                f"indices. Received dtype {values.dtype}")
            return self._inverted(host_lookup.invert_lookup(
                values, self.get_vocabulary(), self.oov_token))
        self._check_token_kind(values.reshape(-1)[:1].tolist(), who)
        depth = None if self.output_mode == "int" else self._depth()
        missing = -1 if self.num_oov_indices != 1 else self._oov_start_index()
        indices = host_lookup.lookup_indices(values, self._table, missing)
        is_mask = values == self.mask_token if self.mask_token is not None else None
        if self.num_oov_indices == 0:
            oov = indices == -1 if is_mask is None else (indices == -1) & ~is_mask
            if oov.any():
                raise ValueError(f"{who}: when num_oov_indices=0 all inputs must be in the "
                                 f"vocabulary. Found OOV values {values[oov].tolist()[:10]}; "
                                 "consider setting num_oov_indices=1")
        elif self.num_oov_indices > 1:
            indices = self._hash_oov(values, indices)
        if is_mask is not None:  # the mask is index 0 in 'int' mode, dropped otherwise
            indices[is_mask] = 0 if self.output_mode == "int" else -1
        tensor = ops.convert_to_tensor(indices.astype("int64"))
        if self.output_mode == "int":
            return tensor
        if self.output_mode != "tf_idf":
            return encode_categorical(tensor, self.output_mode, depth, "int64")
        if self.idf_weights is None:
            raise ValueError(f"{who}: 'tf_idf' output needs IDF weights (adapt the layer or "
                             "pass `idf_weights`)")
        counts = encode_categorical(tensor, "count", depth, floatx())
        return counts * ops.convert_to_tensor(self.idf_weights, dtype=floatx())

    def _hash_oov(self, values: Any, indices: Any) -> Any:
        oov = indices == -1
        if not oov.any():
            return indices
        if self._vocabulary_kind == "int" and self.oov_method != "farmhash":
            buckets = values % self.num_oov_indices  # floormod, as Keras's default
        else:
            buckets = host_lookup.hash_buckets(values, self.num_oov_indices, self.salt)
        indices[oov] = buckets[oov] + self._oov_start_index()
        return indices

    def _inverted(self, tokens: Any) -> Any:
        return tokens

    def compute_output_shape(self, input_shape: Any) -> tuple:
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return encoded_shape(tuple(input_shape), self.output_mode, depth)

    def get_config(self) -> dict[str, Any]:
        # gpulayers saves no layer assets: an adapted vocabulary (and its IDF weights) goes
        # into the config, as Keras stores a vocabulary given as a list.
        vocabulary, idf = self.input_vocabulary, self.input_idf_weights
        if vocabulary is None and self._tokens:
            vocabulary = list(self._tokens)
            if self.idf_weights is not None:
                start = self._token_start_index()
                idf = self.idf_weights[start:start + len(self._tokens)]
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": "string" if self._vocabulary_kind == "string" else "int64",
                "idf_weights": idf, "vocabulary": vocabulary,
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}


def salt_pair(salt: Any, who: str) -> list[int] | None:
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return [int(s) for s in salt]
    if isinstance(salt, int) and not isinstance(salt, bool):
        return [salt, salt]
    raise ValueError(f"{who}: `salt` must be a tuple of 2 integers or a single integer. "
                     f"Received: salt={salt!r}")


__all__ = ["IndexLookup", "salt_pair"]
