"""Einstein summation (``ops.einsum``) with a backward pass written as einsums too.

Subscripts follow NumPy: letters label axes, ``...`` stands for broadcast batch axes, an
explicit output follows ``->``; without it the output holds the letters used exactly once,
sorted, after the ``...`` axes. Size-1 axes broadcast against the same label elsewhere.

The gradient of operand ``i`` is the einsum of the output gradient with the other operands,
producing operand ``i``'s labels. Labels that appear nowhere else (summed within operand
``i`` only) are broadcast back, and a label repeated within operand ``i`` (a diagonal, as in
``'ii->'``) is placed back on the diagonal by an einsum with identity matrices.

Example::

    ops.einsum("bij,bjk->bik", a, b)      # batched matmul
    ops.einsum("ii", m)                   # trace
"""

from __future__ import annotations

import string
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, needs_grad, record
from gpulayers.ops.broadcasting import reduce_grad_to_input
from gpulayers.ops.dtypes import result_type, to_operand_tensor

__all__ = ["einsum"]


def _expand_ellipses(terms: list[str], output: str | None, shapes: list[tuple[int, ...]],
                     spare: list[str]) -> tuple[list[str], str]:
    """Replace ``...`` by fresh letters (right-aligned, like broadcasting); fill the output."""
    covered = []
    for term, shape in zip(terms, shapes):
        named = len(term.replace("...", ""))
        covered.append(len(shape) - named if "..." in term else 0)
        if len(shape) != named + covered[-1] or covered[-1] < 0:
            raise ValueError(f"einsum: subscripts {term!r} do not match an operand of shape "
                             f"{shape}")
    batch = spare[:max(covered, default=0)]
    expanded = [term.replace("...", "".join(batch[len(batch) - n:]))
                for term, n in zip(terms, covered)]
    if output is None:
        counts: dict[str, int] = {}
        for term in terms:
            for letter in term.replace("...", ""):
                counts[letter] = counts.get(letter, 0) + 1
        output = "".join(batch) + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        output = output.replace("...", "".join(batch))
    return expanded, output


def _parse(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str, list[str]]:
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string. Received: {subscripts!r}")
    text = subscripts.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} operands but "
                         f"{len(shapes)} were given")
    letters = set(text.replace("...", "").replace(",", "").replace("->", ""))
    if not letters <= set(string.ascii_letters):
        raise ValueError(f"einsum: subscripts may contain only letters, ',', '->' and '...'. "
                         f"Received: {subscripts!r}")
    spare = [c for c in string.ascii_letters if c not in letters]
    terms, output = _expand_ellipses(terms, output if arrow else None, shapes, spare)
    if len(set(output)) != len(output) or not set(output) <= set("".join(terms)):
        raise ValueError(f"einsum: output subscripts must be distinct letters used by the "
                         f"inputs. Received: {subscripts!r}")
    return terms, output, [c for c in spare if c not in "".join(terms)]


def _label_sizes(terms: list[str], shapes: list[tuple[int, ...]]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for index, (term, shape) in enumerate(zip(terms, shapes)):
        for letter, size in zip(term, shape):
            known = sizes.get(letter, 1)
            if size != 1 and known != 1 and size != known:
                raise ValueError(f"einsum: label {letter!r} has size {known} in an earlier "
                                 f"operand but {size} in operand {index} (shape {shape})")
            sizes[letter] = max(known, size)
    return sizes


def _operand_grad(index: int, grad: Any, terms: list[str], output: str, arrays: list[Any],
                  sizes: dict[str, int], spare: list[str]) -> Any:
    """Gradient of the einsum with respect to operand ``index`` (at its broadcast shape)."""
    xp = backend.xp()
    term = terms[index]
    others = [(t, a) for i, (t, a) in enumerate(zip(terms, arrays)) if i != index]
    available = set(output).union(*(set(t) for t, _ in others))
    unique = list(dict.fromkeys(term))
    reachable = "".join(c for c in unique if c in available)
    spec = ",".join([output] + [t for t, _ in others]) + "->" + reachable
    partial = xp.einsum(spec, grad, *[a for _, a in others])
    for position, letter in enumerate(unique):  # labels summed only inside this operand
        if letter not in available:
            partial = xp.expand_dims(partial, position)
    partial = xp.broadcast_to(partial, tuple(sizes[c] for c in unique))
    if len(unique) == len(term):
        return xp.transpose(partial, [unique.index(c) for c in term])
    fresh, diagonal_specs, eyes = iter(spare), [], []
    seen, full_term = set(), ""
    for letter in term:  # each repeat of a label gets a new letter tied to it by an identity
        if letter in seen:
            new = next(fresh)
            diagonal_specs.append(letter + new)
            eyes.append(xp.eye(sizes[letter], dtype=grad.dtype))
            full_term += new
        else:
            seen.add(letter)
            full_term += letter
    spec = ",".join(["".join(unique)] + diagonal_specs) + "->" + full_term
    return xp.einsum(spec, partial, *eyes)


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Einstein summation over ``operands`` as described by ``subscripts`` (NumPy rules).

    Args:
        subscripts: e.g. ``'ij,jk->ik'``, ``'...ij,...jk'``, ``'ii'``, ``'i,i->'``.
        *operands: tensors, arrays or scalars, one per comma-separated term.

    Raises ValueError naming ``einsum`` for malformed subscripts or mismatched sizes.
    """
    xp = backend.xp()
    if not operands:
        raise ValueError("einsum: at least one operand is required")
    dtype = result_type(*operands, op_name="einsum")
    tensors = [to_operand_tensor(o, "einsum", dtype) for o in operands]
    shapes = [t.shape for t in tensors]
    terms, output, spare = _parse(subscripts, shapes)
    sizes = _label_sizes(terms, shapes)
    arrays = [xp.broadcast_to(t.data.astype(dtype, copy=False), [sizes[c] for c in term])
              for t, term in zip(tensors, terms)]
    optimize = "greedy" if len(arrays) > 1 else False
    out = xp.einsum(",".join(terms) + "->" + output, *arrays, optimize=optimize)
    if out.dtype.kind != "f":
        return record(out, tuple(tensors), None, name="einsum")
    wanted = needs_grad(*tensors)

    def vjp(grad: Any) -> tuple[Any, ...]:
        return tuple(
            reduce_grad_to_input(
                _operand_grad(i, grad, terms, output, arrays, sizes, spare), tensor)
            if want else None
            for i, (tensor, want) in enumerate(zip(tensors, wanted)))

    return record(out, tuple(tensors), vjp, name="einsum")
