"""Connectionist Temporal Classification (Keras 3's ``keras.ops.ctc_loss`` and
``keras.ops.ctc_decode``).

:func:`ctc_loss` is ``-log p(target | logits)``, the probability summed over every
alignment of the target to the frames (blanks anywhere, repeats merged, a blank needed
between equal neighbours). It runs the forward-backward (alpha-beta) recursion in log
space over the extended label ``blank l1 blank l2 ... blank``; the gradient with respect to
the logits of frame ``t`` is ``softmax(logits_t) - occupancy_t`` (the posterior of each
class at ``t``), recorded on the tape.

:func:`ctc_decode` is greedy (best class per frame) or a prefix beam search; neither is
differentiable.

Example::

    loss = ctc_loss(labels, logits, label_lengths, logit_lengths)   # (batch,)
    (paths,), scores = ctc_decode(logits, logit_lengths)           # paths: (batch, T)
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, convert_to_tensor, record
from gpulayers.ops.activation_arrays import log_softmax_array
from gpulayers.ops.ctc_beam_search import beam_search
from gpulayers.ops.dtypes import to_operand_tensor

__all__ = ["ctc_decode", "ctc_loss"]

_NEG_INF = float("-inf")


def _inputs(op_name: str, logits: Any, lengths: Any) -> tuple[Tensor, Any, str]:
    logits = to_operand_tensor(logits, op_name)
    if logits.ndim != 3:
        raise ValueError(f"{op_name}: expected logits of shape (batch_size, max_length, "
                         f"num_classes). Received shape {tuple(logits.shape)}")
    # Keras computes in result_type(dtype, "float32"): float16/bfloat16/ints -> float32.
    dtype = "float64" if logits.dtype == "float64" else "float32"
    lengths_array = convert_to_tensor(lengths).data.astype("int64")
    if lengths_array.shape != (logits.shape[0],):
        raise ValueError(f"{op_name}: expected lengths of shape ({logits.shape[0]},). "
                         f"Received shape {tuple(lengths_array.shape)}")
    return logits, lengths_array, dtype


def ctc_loss(target: Any, output: Any, target_length: Any, output_length: Any,
             mask_index: int = 0) -> Tensor:
    """CTC loss per sequence, ``(batch_size,)``, differentiable with respect to ``output``.

    Args:
        target: ``(batch_size, max_label_length)`` integer labels (padded; only the first
            ``target_length[b]`` are read).
        output: ``(batch_size, max_length, num_classes)`` logits (unnormalised).
        target_length: ``(batch_size,)`` label lengths.
        output_length: ``(batch_size,)`` frame counts (at most ``max_length``).
        mask_index: the blank class. Default 0.

    Returns float32 (float64 for float64 logits, where Keras's torch backend gives
    float32: float64 keeps gradient checks exact). Targets that cannot be aligned in the
    given frames get an infinite loss (and a zero gradient).
    """
    output, frames, dtype = _inputs("ctc_loss", output, output_length)
    xp = backend.xp()
    labels = convert_to_tensor(target).data
    if labels.ndim != 2 or labels.shape[0] != output.shape[0]:
        raise ValueError(f"ctc_loss: expected target of shape ({output.shape[0]}, "
                         f"max_label_length). Received shape {tuple(labels.shape)}")
    label_lengths = convert_to_tensor(target_length).data.astype("int64")
    batch, steps, classes = output.shape
    if int(frames.max()) > steps or int(frames.min()) < 1:
        raise ValueError(f"ctc_loss: `output_length` values must lie in [1, {steps}]. "
                         f"Received: {backend.to_numpy(frames).tolist()}")
    log_probs = log_softmax_array(output.data.astype(dtype), (2,))
    extended = xp.full((batch, 2 * labels.shape[1] + 1), mask_index, dtype="int64")
    extended[:, 1::2] = xp.clip(labels.astype("int64"), 0, classes - 1)
    sizes = 2 * label_lengths + 1
    alphas, betas = _forward_backward(log_probs, extended, sizes, frames, mask_index)
    rows = xp.arange(batch)
    last = alphas[frames - 1, rows]
    log_likelihood = xp.logaddexp(last[rows, sizes - 1],
                                  xp.where(sizes > 1, last[rows, xp.maximum(sizes - 2, 0)],
                                           _NEG_INF))
    loss = -log_likelihood

    def vjp(grad: Any) -> tuple[Any, ...]:
        feasible = xp.isfinite(log_likelihood)
        safe = xp.where(feasible, log_likelihood, 0.0)
        emitted = xp.take_along_axis(log_probs, xp.broadcast_to(
            extended[:, None, :], (batch, steps, extended.shape[1])), axis=2)
        emitted = emitted.transpose(1, 0, 2)
        # posterior of each extended position at each frame; 0 where alpha or beta is -inf
        posterior = xp.exp(alphas + betas - emitted - safe[None, :, None])
        one_hot = (extended[:, :, None] == xp.arange(classes)[None, None, :]).astype(dtype)
        occupancy = xp.einsum("tbl,blc->btc", posterior, one_hot)
        in_sequence = (xp.arange(steps)[None, :] < frames[:, None])[:, :, None]
        logits_grad = xp.where(in_sequence, xp.exp(log_probs) - occupancy, 0.0)
        scale = xp.where(feasible, grad, 0.0)[:, None, None]
        return (None, (logits_grad * scale).astype(output.dtype), None, None)

    return record(loss.astype(dtype), [target, output, target_length, output_length], vjp,
                  name="ctc_loss")


def _forward_backward(log_probs: Any, extended: Any, sizes: Any, frames: Any,
                      blank: int) -> tuple[Any, Any]:
    """Log-space alpha and beta, each ``(T, B, L)``; both include frame ``t``'s emission.
    Past a sequence's last frame alpha is frozen and beta is -inf."""
    xp = backend.xp()
    batch, steps, _ = log_probs.shape
    length = extended.shape[1]
    emitted = xp.take_along_axis(log_probs, xp.broadcast_to(
        extended[:, None, :], (batch, steps, length)), axis=2)  # (B, T, L)
    # a skip from s-2 to s is allowed unless s is blank or repeats the label at s-2
    skip = xp.zeros((batch, length), dtype=bool)
    skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    positions = xp.arange(length)[None, :]
    valid = positions < sizes[:, None]
    alphas = xp.full((steps, batch, length), _NEG_INF, dtype=log_probs.dtype)
    alpha = xp.where(positions < xp.minimum(sizes, 2)[:, None], emitted[:, 0], _NEG_INF)
    alphas[0] = alpha
    for t in range(1, steps):
        combined = _shift_combine(alpha, skip, 1)
        step = xp.where(valid, combined + emitted[:, t], _NEG_INF)
        alpha = xp.where((t < frames)[:, None], step, alpha)
        alphas[t] = alpha
    betas = xp.full((steps, batch, length), _NEG_INF, dtype=log_probs.dtype)
    beta = xp.full((batch, length), _NEG_INF, dtype=log_probs.dtype)
    ends = (positions >= (sizes - 2)[:, None]) & valid
    for t in range(steps - 1, -1, -1):
        combined = _shift_combine(beta, skip, -1)
        step = xp.where(valid, combined + emitted[:, t], _NEG_INF)
        start = xp.where(ends, emitted[:, t], _NEG_INF)
        beta = xp.where((t == frames - 1)[:, None], start,
                        xp.where((t < frames - 1)[:, None], step, _NEG_INF))
        betas[t] = beta
    return alphas, betas


def _shift_combine(values: Any, skip: Any, direction: int) -> Any:
    """logsumexp of ``values[s]``, ``values[s - d]`` and (where allowed) ``values[s - 2d]``
    for ``d = direction`` (1: alpha's predecessors, -1: beta's successors)."""
    xp = backend.xp()
    one = xp.full_like(values, _NEG_INF)
    two = xp.full_like(values, _NEG_INF)
    if direction == 1:
        one[:, 1:] = values[:, :-1]
        two[:, 2:] = values[:, :-2]
        two = xp.where(skip, two, _NEG_INF)
    else:
        one[:, :-1] = values[:, 1:]
        two[:, :-2] = values[:, 2:]
        # the skip from s to s+2 is allowed when position s+2 allows a skip from s
        allowed = xp.zeros_like(skip)
        allowed[:, :-2] = skip[:, 2:]
        two = xp.where(allowed, two, _NEG_INF)
    return xp.logaddexp(xp.logaddexp(values, one), two)


def ctc_decode(inputs: Any, sequence_lengths: Any, strategy: str = "greedy",
               beam_width: int = 100, top_paths: int = 1, merge_repeated: bool = True,
               mask_index: int | None = 0) -> tuple[Tensor, Tensor]:
    """Decode CTC logits ``(batch_size, max_length, num_classes)``.

    Args:
        sequence_lengths: ``(batch_size,)`` frame counts.
        strategy: ``"greedy"`` or ``"beam_search"``.
        beam_width: beams kept per step (beam search).
        top_paths: paths returned (beam search).
        merge_repeated: merge repeated classes (greedy).
        mask_index: the blank class (None: the last class).

    Returns:
        ``(paths, scores)``: int32 paths ``(1, batch, max_length)`` (greedy) or
        ``(top_paths, batch, max_length)``, blanks removed, left-aligned and padded with
        -1; scores ``(batch, 1)`` (greedy: minus the sum of the frames' best logits) or
        ``(batch, top_paths)`` (beam search: log probabilities).
    """
    logits, lengths, dtype = _inputs("ctc_decode", inputs, sequence_lengths)
    values = logits.data.astype(dtype)
    classes = values.shape[2]
    blank = classes - 1 if mask_index is None else int(mask_index)
    if strategy == "greedy":
        paths, scores = _greedy(values, lengths, bool(merge_repeated), blank)
    elif strategy == "beam_search":
        if int(beam_width) < 1 or not 1 <= int(top_paths) <= int(beam_width):
            raise ValueError(f"ctc_decode: expected 1 <= top_paths <= beam_width. Received "
                             f"top_paths={top_paths}, beam_width={beam_width}")
        paths, scores = beam_search(log_softmax_array(values, (2,)), lengths,
                                    int(beam_width), int(top_paths), blank)
    else:
        raise ValueError(f"ctc_decode: invalid strategy {strategy!r}. Supported values are "
                         f"'greedy' and 'beam_search'.")
    return Tensor(paths), Tensor(scores)


def _greedy(values: Any, lengths: Any, merge_repeated: bool, blank: int) -> tuple[Any, Any]:
    xp = backend.xp()
    batch, steps, _ = values.shape
    indices = values.argmax(axis=-1).astype("int32")
    scores = values.max(axis=-1)
    beyond = xp.arange(steps)[None, :] >= lengths[:, None]
    indices = xp.where(beyond, blank, indices).astype("int32")
    scores = xp.where(beyond, 0.0, scores)
    if merge_repeated:
        repeat = xp.zeros_like(beyond)
        repeat[:, 1:] = indices[:, 1:] == indices[:, :-1]
        indices = xp.where(repeat, blank, indices).astype("int32")
    invalid = indices == blank
    indices = xp.where(invalid, -1, indices).astype("int32")
    # move the kept labels to the front, in order (a stable sort on "is blank")
    order = xp.argsort(invalid.astype("int8"), axis=-1, kind="stable")
    indices = xp.take_along_axis(indices, order, axis=-1)
    return indices[None], (-scores.sum(axis=1))[:, None].astype(values.dtype)
