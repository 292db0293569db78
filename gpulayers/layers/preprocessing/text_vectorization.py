"""TextVectorization: strings -> standardized tokens -> vocabulary indices or encodings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers import ops
from gpulayers.backend import host_lookup
from gpulayers.layers.preprocessing.category_encoding import EncodingLayer, encoded_shape
from gpulayers.layers.preprocessing.string_lookup import StringLookup

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


class TextVectorization(EncodingLayer):
    """Turn raw strings into token indices or bag-of-token vectors, as Keras does.

    Each string is standardized ('lower_and_strip_punctuation' (default): ASCII letters
    lowered and ASCII punctuation ``string.punctuation`` removed; 'lower';
    'strip_punctuation'; None; or a callable on a NumPy str array), split ('whitespace'
    (default, ASCII whitespace), 'character', None, or a callable on one string returning
    its tokens), optionally expanded into ``ngrams`` (an int n for 1..n, or a tuple of
    widths), then looked up in a vocabulary ('' is the padding index 0, '[UNK]' index 1).

    Args:
        max_tokens: the largest vocabulary size (padding and OOV included).
        standardize, split, ngrams: as above.
        output_mode: 'int' (int64 indices, padded with 0), 'multi_hot', 'count' (int64),
            'tf_idf' (floatx); 'one_hot' is accepted as Keras accepts it.
        output_sequence_length: in 'int' mode, pad or truncate every row to this length
            (default: the longest row of the batch).
        pad_to_max_tokens: pad encoded outputs to ``max_tokens``.
        vocabulary, idf_weights: a given vocabulary (and IDF weights for 'tf_idf').
        sparse, ragged: must be False (no sparse/ragged tensors in gpulayers).
        encoding: 'utf-8'.

    Example::

        layer = TextVectorization(output_mode="int", output_sequence_length=4)
        layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        layer([["foo qux bar"], ["qux baz"]])   # [[4, 1, 3, 0], [1, 2, 0, 0]]
    """

    host_inputs = True

    def __init__(self, max_tokens: int | None = None,
                 standardize: str | Callable | None = "lower_and_strip_punctuation",
                 split: str | Callable | None = "whitespace", ngrams: Any = None,
                 output_mode: str = "int", output_sequence_length: int | None = None,
                 pad_to_max_tokens: bool = False, vocabulary: Any = None,
                 idf_weights: Any = None, sparse: bool = False, ragged: bool = False,
                 encoding: str = "utf-8", name: str | None = None, **kwargs: Any) -> None:
        who = "TextVectorization"
        if ragged:
            raise ValueError(f"{who}: `ragged=True` is not supported (gpulayers has no "
                             "ragged tensors). Received: ragged=True")
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(f"{who}: `standardize` must be one of {_STANDARDIZE}, None or "
                             f"a callable. Received: standardize={standardize!r}")
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(f"{who}: `split` must be one of {_SPLIT}, None or a callable. "
                             f"Received: split={split!r}")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode,
                                                                      output_mode)
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool))
                or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(f"{who}: `ngrams` must be None, an integer, or a tuple of "
                             f"integers. Received: ngrams={ngrams!r}")
        if output_mode == "int" and not (output_sequence_length is None or isinstance(
                output_sequence_length, int)):
            raise ValueError(f"{who}: `output_sequence_length` must be None or an int when "
                             "`output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length!r}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"{who}: `output_sequence_length` must not be set if "
                             f"`output_mode` is not 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self._standardize, self._split, self._ngrams_arg = standardize, split, ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged, self._output_mode = ragged, output_mode
        self._output_sequence_length, self._encoding = output_sequence_length, encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=has_input_vocabulary, encoding=encoding,
            vocabulary_size=vocabulary_size, name=f"{self.name}_lookup")

    # -- vocabulary (delegated to the StringLookup, as in Keras) ----------------------------
    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary; with special tokens ('' and '[UNK]' in 'int' mode) first."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Replace the vocabulary (and IDF weights in 'tf_idf' mode)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None
              ) -> None:
        """Learn the vocabulary (by frequency, ties by token, highest first) from strings:
        a list or array, or an iterable of batches of them."""
        self._lookup_layer.reset_state()
        if isinstance(data, (list, tuple, str)) or hasattr(data, "shape"):
            batches: Any = [data]
        else:
            batches = data
        for step, batch in enumerate(batches):
            if steps is not None and step >= steps:
                break
            self._lookup_layer.update_state(self._preprocess(batch))
        self._lookup_layer.finalize_state()

    # -- call ------------------------------------------------------------------------------
    def _preprocess(self, inputs: Any) -> Any:
        """Standardized, split, n-grammed tokens: a list of token rows, or (split=None) a
        str array."""
        values = host_lookup.host_values(inputs)
        if values.dtype.kind != "U":
            raise TypeError(f"TextVectorization '{self.name}': expected string inputs. "
                            f"Received dtype {values.dtype}")
        if callable(self._standardize):
            values = host_lookup.host_values(self._standardize(values))
        else:
            values = host_lookup.standardize_text(values, self._standardize)
        if self._split is None:
            if self._ngrams is not None:
                return host_lookup.ngrams([[v] for v in values.reshape(-1).tolist()],
                                          self._ngrams)
            return values
        if values.ndim > 1:
            if values.shape[-1] != 1:
                raise ValueError(f"TextVectorization '{self.name}': to split strings the "
                                 "input rank must be 1 or the last dimension must be 1. "
                                 f"Received: inputs.shape={values.shape}")
            values = values.reshape(values.shape[:-1])
        if values.ndim > 1:
            raise ValueError(f"TextVectorization '{self.name}': expected a batch of strings "
                             f"of shape (batch,) or (batch, 1). Received: {values.shape}")
        rows = host_lookup.split_text(values.reshape(-1), self._split)
        if self._ngrams is not None:
            rows = host_lookup.ngrams(rows, self._ngrams)
        return rows if values.ndim else rows[0]

    def call(self, inputs: Any) -> Any:
        tokens = self._preprocess(inputs)
        lookup = self._lookup_layer
        if not isinstance(tokens, list):  # split=None: each string is one token
            outputs = lookup.lookup(tokens)
            if self._output_mode == "int" and self._output_sequence_length is not None:
                outputs = self._fit_length(outputs)
            return outputs
        scalar = bool(tokens) and not isinstance(tokens[0], list)
        rows = [tokens] if scalar else tokens
        if self._output_mode == "int":
            indices = [ops.convert_to_numpy(lookup.lookup(host_lookup.host_values(row)))
                       if row else [] for row in rows]
            outputs = ops.convert_to_tensor(host_lookup.pad_rows(
                indices, self._output_sequence_length))
        else:
            # Ragged rows padded with the mask token '', which the encoded modes drop.
            width = max(1, max((len(row) for row in rows), default=0))
            outputs = lookup.lookup(host_lookup.host_values(
                [row + [""] * (width - len(row)) for row in rows]))
        return outputs[0] if scalar else outputs

    def _fit_length(self, outputs: Any) -> Any:
        length = self._output_sequence_length
        if outputs.ndim == 0:
            outputs = ops.expand_dims(outputs, 0)
        outputs = outputs[..., :length]
        missing = length - outputs.shape[-1]
        if missing > 0:
            outputs = ops.pad(outputs, [(0, 0)] * (outputs.ndim - 1) + [(0, missing)])
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = (*input_shape, 1)
        else:
            input_shape = (*input_shape, None)
        lookup = self._lookup_layer
        depth = lookup.max_tokens if lookup.pad_to_max_tokens else lookup._frozen_vocab_size
        return encoded_shape(input_shape, self._output_mode, depth)

    def get_config(self) -> dict[str, Any]:
        lookup_config = self._lookup_layer.get_config()
        base = super().get_config()
        base.pop("dtype", None)
        return {**base, "max_tokens": self._lookup_layer.max_tokens,
                "standardize": self._standardize, "split": self._split,
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens,
                "sparse": self._lookup_layer.sparse, "ragged": self._ragged,
                "vocabulary": lookup_config["vocabulary"],
                "idf_weights": lookup_config["idf_weights"], "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}


__all__ = ["TextVectorization"]
