"""Host-side (NumPy) work of the lookup and encoding preprocessing layers.

Keras runs StringLookup, IntegerLookup, Hashing, HashedCrossing and TextVectorization on the
host (tf.data); so do we: strings, vocabularies, hashing and quantile summaries live here, and
the layers hand the resulting integer arrays to ``gpulayers.ops``. Hashes come from
:mod:`gpulayers.backend.string_hashing` (TensorFlow's FarmHash / SipHash / FingerprintCat64).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from gpulayers.backend.host_data import as_host_array
from gpulayers.backend.string_hashing import fingerprint64, fingerprint_cat64, siphash64

__all__ = ["bin_boundaries", "compress_summary", "cross_hash", "document_counts", "empty_summary",
           "hash_buckets", "host_values", "invert_lookup", "is_string_array",
           "lookup_indices", "merge_summaries", "ngrams", "ordered_vocabulary", "pad_rows",
           "rank_of", "split_text", "standardize_text", "summarize", "token_counts",
           "to_host_list"]

# The characters Keras's TextVectorization strips (its RE2 class equals string.punctuation).
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
# tf.strings.split with no separator splits on ASCII whitespace only (C isspace).
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_DEFAULT_CROSS_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default hash_key


def host_values(value: Any) -> Any:
    """``value`` (a str, nested lists of str or numbers, a NumPy/CuPy array, a Tensor) as a
    NumPy array; bytes and object arrays of str become unicode arrays."""
    try:
        array = as_host_array(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"expected a rectangular array of values; ragged nested lists "
                         f"are not supported ({error})") from None
    if array.dtype.kind == "S":
        return np.char.decode(array, "utf-8")
    if array.dtype.kind == "O":
        flat = [item.decode("utf-8") if isinstance(item, bytes) else item
                for item in array.reshape(-1)]
        if all(isinstance(item, str) for item in flat):
            return np.array(flat, dtype=str).reshape(array.shape) if flat else \
                np.zeros(array.shape, dtype=str)
        return np.array(flat).reshape(array.shape)
    return array


def is_string_array(array: Any) -> bool:
    return array.dtype.kind == "U"


def rank_of(value: Any) -> int:
    return host_values(value).ndim


def to_host_list(value: Any) -> list:
    """A 1-D vocabulary or weight vector as a plain Python list (what configs store)."""
    return host_values(value).reshape(-1).tolist()


def _as_hash_strings(array: Any) -> Any:
    """Values as TensorFlow hashes them: strings as is; ints (floats truncated to int64
    first, as Keras's Hashing casts them) written in decimal (``tf.strings.as_string``)."""
    if is_string_array(array):
        return array
    if array.dtype.kind == "f":
        array = array.astype(np.int64)
    return array.astype(np.int64).astype(str)


def hash_buckets(values: Any, num_buckets: int, salt: list[int] | None = None) -> Any:
    """``tf.strings.to_hash_bucket_fast`` (``salt`` None) or ``to_hash_bucket_strong``
    (``salt`` = [k0, k1]) of ``values`` (str or int array), as int64."""
    strings = _as_hash_strings(values)
    unique, inverse = np.unique(strings.reshape(-1), return_inverse=True)
    if salt is None:
        hashed = [fingerprint64(item) % num_buckets for item in unique.tolist()]
    else:
        hashed = [siphash64(salt[0], salt[1], item) % num_buckets for item in unique.tolist()]
    return np.array(hashed, dtype=np.int64)[inverse].reshape(strings.shape)


def cross_hash(columns: list[Any], num_buckets: int) -> Any:
    """``tf.sparse.cross_hashed`` of equal-length 1-D columns (str or int): per row, the key
    chained through each feature (FarmHash of strings, the int64 bits of ints)."""
    features = []
    for column in columns:
        if is_string_array(column):
            features.append([fingerprint64(item) for item in column.tolist()])
        else:
            features.append([int(item) & ((1 << 64) - 1)
                             for item in column.astype(np.int64).tolist()])
    crossed = []
    for row in zip(*features):
        hashed = _DEFAULT_CROSS_KEY
        for feature in row:
            hashed = fingerprint_cat64(hashed, feature)
        crossed.append(hashed % num_buckets)
    return np.array(crossed, dtype=np.int64)


def lookup_indices(values: Any, table: dict, default: int) -> Any:
    """Each value's index in ``table`` (token -> index), ``default`` where absent; int64."""
    unique, inverse = np.unique(values.reshape(-1), return_inverse=True)
    found = np.array([table.get(item, default) for item in unique.tolist()], dtype=np.int64)
    return found[inverse].reshape(values.shape)


def invert_lookup(indices: Any, vocabulary: list, default: Any) -> Any:
    """The tokens at ``indices`` in ``vocabulary`` (``default`` out of range)."""
    indices = indices.astype(np.int64)
    padded = np.array([*vocabulary, default])
    safe = np.where((indices >= 0) & (indices < len(vocabulary)), indices, len(vocabulary))
    return padded[safe]


def token_counts(counts: dict, tokens: Any) -> None:
    """Add the occurrences of each of ``tokens`` (any array, or a list of rows) to ``counts``."""
    flat = _flat(tokens)
    unique, occurrences = np.unique(flat, return_counts=True)
    for token, occurrence in zip(unique.tolist(), occurrences.tolist()):
        counts[token] = counts.get(token, 0) + occurrence


def document_counts(counts: dict, rows: Iterable[Any]) -> int:
    """Add, for each token, the number of ``rows`` (documents) containing it; returns the
    number of rows."""
    number = 0
    for row in rows:
        number += 1
        for token in np.unique(np.asarray(row).reshape(-1)).tolist():
            counts[token] = counts.get(token, 0) + 1
    return number


def _flat(tokens: Any) -> Any:
    if isinstance(tokens, list):  # ragged rows of tokens
        parts = [np.asarray(row).reshape(-1) for row in tokens]
        return np.concatenate(parts) if parts else np.array([])
    return np.asarray(tokens).reshape(-1)


def ordered_vocabulary(counts: dict, limit: int | None) -> list:
    """Tokens by count, most frequent first, ties by token, highest first (Keras's
    ``np.lexsort((tokens, counts))[::-1]``); at most ``limit`` of them."""
    ordered = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
    return ordered if limit is None else ordered[:max(limit, 0)]


def standardize_text(array: Any, mode: str | None) -> Any:
    """TextVectorization's built-in standardizations on a unicode array: 'lower' lowers
    ASCII letters only (as ``tf.strings.lower``); 'strip_punctuation' removes ASCII
    punctuation."""
    if mode is None:
        return array
    result = []
    for text in array.reshape(-1).tolist():
        if mode in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_ASCII_UPPER)
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        result.append(text)
    return np.array(result, dtype=str).reshape(array.shape) if result else array


def split_text(array: Any, mode: str | Callable | None) -> list[list[str]]:
    """Rows of tokens from a 1-D unicode array: 'whitespace' (empty pieces dropped),
    'character' (unicode code points) or a callable applied to each string."""
    rows = []
    for text in array.reshape(-1).tolist():
        if mode == "whitespace":
            rows.append([piece for piece in _WHITESPACE.split(text) if piece])
        elif mode == "character":
            rows.append(list(text))
        else:
            rows.append([str(piece) for piece in mode(text)])
    return rows


def ngrams(rows: list[list[str]], widths: tuple[int, ...]) -> list[list[str]]:
    """``tf.strings.ngrams(rows, widths, separator=" ")``: for each width in order, every
    run of that many consecutive tokens joined by a space."""
    return [[" ".join(row[start:start + width]) for width in widths
             for start in range(len(row) - width + 1)] for row in rows]


def pad_rows(rows: list[Any], length: int | None, value: int = 0) -> Any:
    """Ragged int rows as one int64 array, padded with ``value`` (or truncated) at the end
    to ``length`` (default: the longest row)."""
    width = max((len(row) for row in rows), default=0) if length is None else length
    result = np.full((len(rows), width), value, dtype=np.int64)
    for index, row in enumerate(rows):
        kept = np.asarray(row, dtype=np.int64)[:width]
        result[index, :len(kept)] = kept
    return result


# -- Discretization's quantile summaries (Keras's algorithm, numerically identical) --------
def empty_summary() -> Any:
    return np.array([[], []], dtype="float32")


def summarize(values: Any, epsilon: float) -> Any:
    """A (2, n) summary of ``values``: every ``1/epsilon``-th sorted value and its weight."""
    values = np.sort(np.asarray(values, dtype="float32").reshape(-1))
    step = max(values.size / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def merge_summaries(first: Any, second: Any, epsilon: float) -> Any:
    merged = np.concatenate((first, second), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return compress_summary(merged, epsilon)


def compress_summary(summary: Any, epsilon: float) -> Any:
    """Interpolate the summary's cumulative weights at multiples of ``epsilon``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def bin_boundaries(summary: Any, num_bins: int) -> list[float]:
    """``num_bins - 1`` boundaries splitting the summarized data into equal-weight bins."""
    return compress_summary(summary, 1.0 / num_bins)[0, :-1].tolist()

