"""IntegerLookup: map integers to contiguous indices (or back) through a vocabulary."""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.layers.preprocessing.index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Map integer tokens to contiguous integer indices through a vocabulary.

    Args:
        max_tokens: the largest vocabulary size (mask and OOV indices included); None for
            no limit. Only used by ``adapt`` (most frequent tokens kept).
        num_oov_indices: how many out-of-vocabulary indices (default 1); with more than
            one, an OOV value goes to ``value % num_oov_indices`` (``oov_method=
            'floormod'``) or to a FarmHash64 / salted SipHash bucket of its decimal string
            (``'farmhash'``); with 0, an OOV input is an error.
        mask_token: the value mapped to index 0 in 'int' mode (None: no mask index).
        oov_token: the value ``invert=True`` returns for OOV indices (default -1).
        vocabulary: a list / 1-D array of ints (optionally starting with the special
            tokens); or call :meth:`adapt` / :meth:`set_vocabulary`.
        vocabulary_dtype: 'int64' (the only one Keras supports).
        idf_weights: the IDF weights for 'tf_idf' mode, one per vocabulary entry.
        invert: map indices back to vocabulary values (int64; output_mode 'int' only).
        output_mode: 'int' (int64), 'one_hot', 'multi_hot', 'count' (int64) or 'tf_idf'
            (floatx).
        sparse: must be False (gpulayers has no sparse tensors).
        pad_to_max_tokens: pad encoded outputs to ``max_tokens``.
        oov_method: 'floormod' (default) or 'farmhash'.
        salt: 1 int or 2 ints keying SipHash (needs ``oov_method='farmhash'``).

    Example::

        layer = IntegerLookup(vocabulary=[12, 36, 1138, 42])
        layer([[12, 1138, 42], [42, 1000, 36]])   # [[1, 3, 4], [4, 0, 2]]
    """

    _vocabulary_kind = "int"

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1,
                 vocabulary: Any = None, vocabulary_dtype: str = "int64",
                 idf_weights: Any = None, invert: bool = False, output_mode: str = "int",
                 sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", salt: Any = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if vocabulary_dtype != "int64":
            raise ValueError("IntegerLookup: only `vocabulary_dtype='int64'` is supported. "
                             f"Received: vocabulary_dtype={vocabulary_dtype!r}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=None if mask_token is None else int(mask_token),
                         oov_token=None if oov_token is None else int(oov_token),
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method,
                         salt=salt, name=name, **kwargs)

    def _check_token_kind(self, tokens: list, who: str) -> list:
        if any(isinstance(t, float) and t != int(t) for t in tokens) or any(
                not isinstance(t, (int, float)) for t in tokens):
            bad = next(t for t in tokens if not isinstance(t, int))
            raise TypeError(f"{who}: expected integer tokens. Received "
                            f"{type(bad).__name__} values such as {bad!r}")
        return [int(t) for t in tokens]

    def _inverted(self, tokens: Any) -> Any:
        return ops.convert_to_tensor(tokens.astype("int64"))


__all__ = ["IntegerLookup"]
