"""Peak signal-to-noise ratio (Keras 3's ``keras.ops.psnr``)."""

from __future__ import annotations

from typing import Any

from gpulayers.autodiff import Tensor
from gpulayers.ops.casting import cast
from gpulayers.ops.dtypes import to_operand_tensor
from gpulayers.ops.reductions import mean
from gpulayers.ops.unary import log10, square

__all__ = ["psnr"]


def psnr(x1: Any, x2: Any, max_val: Any) -> Tensor:
    """``20 log10(max_val) - 10 log10(mean((x1 - x2)^2))`` over all elements (a scalar).

    Example: ``psnr([0., 1.], [0., 0.5], 1.0)`` is ``10 log10(8) = 9.03``.
    """
    x1, x2 = to_operand_tensor(x1, "psnr"), to_operand_tensor(x2, "psnr")
    if x1.shape != x2.shape:
        raise ValueError(f"psnr: input shapes {x1.shape} and {x2.shape} must match for PSNR "
                         f"calculation.")
    peak = cast(to_operand_tensor(max_val, "psnr"), x1.dtype)
    return 20.0 * log10(peak) - 10.0 * log10(mean(square(x1 - x2)))
