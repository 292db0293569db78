"""Weight and output shapes of an EinsumDense equation (Keras 3's rules).

An EinsumDense equation has the form ``X,Y->Z`` (input labels, kernel labels, output labels)
with an optional ellipsis on the left of the input and output (``...X,Y->...Z``) or on their
right (``X...,Y->Z...``). The user gives the output shape without the batch axis; every kernel
axis takes its size from the output (if its label is there) or else from the input, and the
bias spans the output from the first bias label to the end (size 1 on the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["EinsumEquation", "EinsumShapes", "parse_equation"]

_FORMS = (
    ("none", re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)")),
    ("left", re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)")),
    ("right", re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.")),
)

Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class EinsumShapes:
    """What an equation implies for one input shape."""

    kernel_shape: Shape
    bias_shape: tuple[int, ...] | None
    output_shape: Shape


@dataclass(frozen=True)
class EinsumEquation:
    """A parsed EinsumDense equation: input, kernel and output labels, and where the
    ellipsis is (``'none'``, ``'left'`` or ``'right'``)."""

    equation: str
    inputs: str
    kernel: str
    outputs: str
    ellipsis: str

    def shapes(self, who: str, input_shape: Shape, partial_output: Shape,
               bias_axes: str | None) -> EinsumShapes:
        """Kernel, bias and full output shapes for ``input_shape`` (batch first).

        ``partial_output`` is the layer's ``output_shape`` (batch excluded; None entries are
        taken from the input where the label is an input label). Raises ValueError naming
        ``who`` when the shapes do not fit the equation.
        """
        input_shape = tuple(input_shape)
        elided = len(input_shape) - len(self.inputs)
        if (self.ellipsis == "none" and elided != 0) or elided < 0 or (
                self.ellipsis == "left" and elided < 1):
            raise ValueError(f"{who}: the input rank does not fit the equation "
                             f"'{self.equation}'. Received input shape {input_shape}")
        if self.ellipsis == "left":
            output = [input_shape[0], *input_shape[1:elided], *partial_output]
            in_pos = {c: i + elided for i, c in enumerate(self.inputs)}
            out_pos = {c: i + elided for i, c in enumerate(self.outputs)}
        else:
            tail = input_shape[len(self.inputs):] if self.ellipsis == "right" else ()
            output = [input_shape[0], *partial_output, *tail]
            in_pos = {c: i for i, c in enumerate(self.inputs)}
            out_pos = {c: i for i, c in enumerate(self.outputs)}
        if len(output) != len(self.outputs) + max(elided, 0):
            raise ValueError(
                f"{who}: `output_shape` {tuple(partial_output)} (batch excluded) does not fit "
                f"the output '{self.outputs}' of equation '{self.equation}' for input shape "
                f"{input_shape}")
        for label, position in out_pos.items():
            if label not in in_pos:
                continue
            size = input_shape[in_pos[label]]
            if output[position] is None:
                output[position] = size
            elif size is not None and output[position] != size:
                raise ValueError(
                    f"{who}: input and output shapes differ at the shared dimension "
                    f"'{label}': input has {size}, `output_shape` has {output[position]}")
        kernel = []
        for label in self.kernel:
            size = output[out_pos[label]] if label in out_pos else input_shape[in_pos[label]]
            if size is None:
                raise ValueError(f"{who}: the size of kernel dimension '{label}' is unknown "
                                 f"(input shape {input_shape}, output_shape "
                                 f"{tuple(partial_output)})")
            kernel.append(int(size))
        return EinsumShapes(tuple(kernel), self._bias_shape(who, output, out_pos, elided,
                                                             bias_axes), tuple(output))

    def kernel_axes(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Positions of the kernel's input axes (labels not in the output) and output axes
        (used to compute fans as Keras 3 does)."""
        input_axes = tuple(i for i, c in enumerate(self.kernel) if c not in self.outputs)
        output_axes = tuple(i for i, c in enumerate(self.kernel) if c in self.outputs)
        return input_axes, output_axes

    def _bias_shape(self, who: str, output: list, out_pos: dict[str, int], elided: int,
                    bias_axes: str | None) -> tuple[int, ...] | None:
        if bias_axes is None:
            return None
        first = min(self.outputs.index(c) for c in bias_axes)
        shape = []
        for label in self.outputs[first:]:
            size = output[out_pos[label]] if label in bias_axes else 1
            if size is None:
                raise ValueError(f"{who}: the size of bias dimension '{label}' is unknown "
                                 f"(output shape {tuple(output)})")
            shape.append(int(size))
        if self.ellipsis == "right":
            shape.extend([1] * elided)
        return tuple(shape)


def parse_equation(who: str, equation: object, bias_axes: object) -> EinsumEquation:
    """Check an EinsumDense ``equation`` and ``bias_axes``; ValueError naming ``who``."""
    if not isinstance(equation, str):
        raise ValueError(f"{who}: `equation` must be a string. Received: equation={equation!r}")
    compact = equation.replace(" ", "")
    found = [(form, m) for form, pattern in _FORMS if (m := pattern.fullmatch(compact))]
    if not found:
        raise ValueError(f"{who}: invalid einsum equation {equation!r}. Equations must have the "
                         "form X,Y->Z, ...X,Y->...Z or X...,Y->Z... (letters only)")
    ellipsis, match = found[0]
    inputs, kernel, outputs = match.groups()
    for label in outputs:
        if label not in inputs and label not in kernel:
            raise ValueError(f"{who}: output dimension '{label}' of equation {equation!r} "
                             "appears in neither the input nor the kernel")
    for label in kernel:
        if label not in inputs and label not in outputs:
            raise ValueError(f"{who}: kernel dimension '{label}' of equation {equation!r} "
                             "appears in neither the input nor the output")
    if bias_axes is not None:
        if not isinstance(bias_axes, str) or not bias_axes:
            raise ValueError(f"{who}: `bias_axes` must be a string of output labels or None. "
                             f"Received: bias_axes={bias_axes!r}")
        for label in bias_axes:
            if label not in outputs:
                raise ValueError(f"{who}: bias dimension '{label}' is not part of the output "
                                 f"'{outputs}' of equation {equation!r}")
    return EinsumEquation(compact, inputs, kernel, outputs, ellipsis)
