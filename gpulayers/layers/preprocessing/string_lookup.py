"""StringLookup: map strings to integer indices (or back) through a vocabulary."""

from __future__ import annotations

from typing import Any

from gpulayers.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Map string tokens to integer indices through a vocabulary, given or adapted.

    Args:
        max_tokens: the largest vocabulary size (mask and OOV indices included); None for
            no limit. Only used by ``adapt`` (most frequent tokens kept).
        num_oov_indices: how many out-of-vocabulary indices (default 1); with more than
            one, an OOV token goes to bucket ``FarmHash64(token) % num_oov_indices``
            (SipHash-2-4 keyed by ``salt`` when set); with 0, an OOV input is an error.
        mask_token: the token mapped to index 0 in 'int' mode (None: no mask index).
        oov_token: the token ``invert=True`` returns for OOV indices (default '[UNK]').
        vocabulary: a list / 1-D array of strings (optionally starting with the special
            tokens); or call :meth:`adapt` / :meth:`set_vocabulary`.
        idf_weights: the IDF weights for 'tf_idf' mode, one per vocabulary entry.
        invert: map indices back to strings (a NumPy str array; output_mode 'int' only).
        output_mode: 'int' (int64 indices), 'one_hot', 'multi_hot', 'count' (int64) or
            'tf_idf' (floatx); the encoded modes have depth ``vocabulary_size()`` (or
            ``max_tokens`` with ``pad_to_max_tokens``).
        pad_to_max_tokens: pad encoded outputs to ``max_tokens``.
        sparse: must be False (gpulayers has no sparse tensors).
        encoding: the text encoding of bytes inputs (utf-8 only).
        salt: 1 int or 2 ints keying SipHash for OOV buckets.

    Inputs: a str, nested lists of str, a NumPy str/bytes/object array.

    Example::

        layer = StringLookup(vocabulary=["a", "b", "c", "d"])
        layer([["a", "c", "d"], ["d", "z", "b"]])   # [[1, 3, 4], [4, 0, 2]]
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]",
                 vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False,
                 sparse: bool = False, encoding: str = "utf-8", name: str | None = None,
                 salt: Any = None, **kwargs: Any) -> None:
        if str(encoding).lower().replace("-", "").replace("_", "") != "utf8":
            raise ValueError(f"StringLookup: only the 'utf-8' encoding is supported. "
                             f"Received: encoding={encoding!r}")
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, **kwargs)

    def _check_token_kind(self, tokens: list, who: str) -> list:
        if tokens and not isinstance(tokens[0], str):
            raise TypeError(f"{who}: expected string tokens. Received "
                            f"{type(tokens[0]).__name__} values such as {tokens[0]!r}")
        return tokens

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "encoding": self.encoding}
        del config["vocabulary_dtype"]
        return config


__all__ = ["StringLookup"]
