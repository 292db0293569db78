"""The prefix beam search behind ``ctc_decode(strategy="beam_search")``, on backend arrays.

It follows Keras 3 (its JAX backend and the torch port): each beam is a label prefix with
two log scores, one for paths whose last frame emitted a label and one for paths ending in
a blank. Every step extends every beam by every class (a blank, or a repeat of the last
label straight after a label frame, leaves the prefix unchanged), merges equal prefixes by
log-sum-exp and keeps the ``beam_width`` best (both tracks). Classes are searched in
reversed order so that ties break as Keras's do.

Duplicate prefixes are found by sorting rows lexicographically (Keras hashes them): among
beams with *exactly equal* scores the survivors may differ from Keras's.
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend

__all__ = ["beam_search"]

_PAD = -1
_NEG_INF = float("-inf")


def beam_search(log_probs: Any, lengths: Any, beam_width: int, top_paths: int,
                blank: int) -> tuple[Any, Any]:
    """``(paths (top_paths, B, T) int32, scores (B, top_paths))`` from log-softmaxed
    ``log_probs`` ``(B, T, C)`` and frame counts ``lengths`` ``(B,)``."""
    xp = backend.xp()
    batch, steps, classes = log_probs.shape
    flipped = log_probs[:, :, ::-1]
    blank = classes - blank - 1
    initial = min(classes, beam_width)
    all_paths, all_scores = [], []
    for b in range(batch):
        x = flipped[b]
        best = xp.argsort(x[0], kind="stable")[-initial:]
        paths = xp.full((2 * beam_width, steps), _PAD, dtype="int32")
        paths[:initial, 0] = xp.where(best == blank, _PAD, best).astype("int32")
        scores = xp.full((2 * beam_width,), _NEG_INF, dtype=log_probs.dtype)
        scores[:initial] = x[0, best]
        masked = paths[:, 0] == _PAD
        for t in range(1, int(lengths[b])):
            paths, scores, masked = _extend(paths, scores, masked, x[t], blank)
            paths, scores, masked = _prune(paths, scores, masked, beam_width)
        unique, inverse, count = _unique_rows(paths)
        merged = _merge_scores(inverse, scores, count)
        top = xp.argsort(merged, kind="stable")[-top_paths:][::-1]
        chosen = xp.full((top_paths, steps), _PAD, dtype="int32")
        kept = top < unique.shape[0]  # rows beyond the unique ones are all-pad rows
        chosen[kept] = unique[top[kept]]
        all_paths.append(chosen)
        all_scores.append(merged[top])
    paths = xp.stack(all_paths, axis=1)
    paths = xp.where(paths == _PAD, _PAD, classes - paths - 1).astype("int32")
    return paths, xp.stack(all_scores, axis=0)


def _extend(paths: Any, scores: Any, masked: Any, x: Any, blank: int) -> tuple[Any, ...]:
    """Every beam followed by every class of this frame (log scores ``x``)."""
    xp = backend.xp()
    classes = x.shape[0]
    paths = xp.repeat(paths, classes, axis=0)
    scores = xp.repeat(scores, classes)
    previous_masked = xp.repeat(masked, classes)
    rows = xp.arange(paths.shape[0])
    tail_index = (paths == _PAD).astype("int32").argmax(axis=1)
    tails = xp.where(tail_index == 0, _PAD, paths[rows, tail_index - 1])
    labels = xp.arange(classes, dtype="int32")
    labels[blank] = _PAD
    labels = xp.tile(labels, paths.shape[0] // classes)
    masked = labels == _PAD
    repeated = ~previous_masked & (tails == labels)
    paths[rows, tail_index] = xp.where(repeated, _PAD, labels)
    return paths, scores + xp.tile(x, paths.shape[0] // classes), masked


def _prune(paths: Any, scores: Any, masked: Any, beam_width: int) -> tuple[Any, ...]:
    """Merge equal prefixes and keep the ``beam_width`` best, as (label, blank) tracks."""
    xp = backend.xp()
    unique, inverse, count = _unique_rows(paths)
    emit = _merge_scores(inverse, xp.where(masked, _NEG_INF, scores), count)
    blank = _merge_scores(inverse, xp.where(masked, scores, _NEG_INF), count)
    top = xp.argsort(xp.logaddexp(emit, blank), kind="stable")[-beam_width:]
    padded = xp.full((count, paths.shape[1]), _PAD, dtype="int32")
    padded[:unique.shape[0]] = unique
    kept = padded[top]
    new_masked = xp.concatenate([xp.zeros(beam_width, dtype=bool),
                                 xp.ones(beam_width, dtype=bool)])
    return (xp.concatenate([kept, kept]), xp.concatenate([emit[top], blank[top]]),
            new_masked)


def _unique_rows(paths: Any) -> tuple[Any, Any, int]:
    """(distinct rows, each row's index among them, padded count = number of rows)."""
    xp = backend.xp()
    order = xp.lexsort(paths.T[::-1])
    ordered = paths[order]
    first = xp.ones(paths.shape[0], dtype=bool)
    first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = xp.empty(paths.shape[0], dtype="int64")
    inverse[order] = xp.cumsum(first) - 1
    return ordered[first], inverse, paths.shape[0]


def _merge_scores(inverse: Any, scores: Any, count: int) -> Any:
    """Log-sum-exp of ``scores`` grouped by ``inverse`` into ``count`` buckets."""
    xp = backend.xp()
    finite = xp.isfinite(scores)
    peak = scores[finite].max() if bool(finite.any()) else 0.0
    sums = xp.bincount(inverse, weights=xp.exp(scores - peak), minlength=count)
    positive = sums > 0
    return xp.where(positive, xp.log(xp.where(positive, sums, 1.0)) + peak,
                    _NEG_INF).astype(scores.dtype)
