"""``saturate_cast``: a dtype cast that clips to the target's range instead of wrapping.

``ops.cast(x, "uint8")`` of ``[-1.0, 256.0]`` wraps around (or is undefined); a saturating
cast gives ``[0, 255]``. As in Keras 3, the limits are the intersection of the input's and
the target's ranges, written in the input dtype and nudged towards 0 when rounding pushed
them outside the target range (float32 cannot hold ``2**31 - 1``, so a float32 -> int32 cast
saturates at ``2**31 - 128``). The clip is applied unconditionally, so ``inf`` becomes the
largest finite value even for a float -> same-float cast.

Example::

    ops.saturate_cast([-1.0, 300.0, 12.7], "uint8")   # [0, 255, 12]
"""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import Tensor, record
from gpulayers.ops.dtypes import standardize_dtype, to_operand_tensor
from gpulayers.ops.elementwise import floating_errors_ignored

__all__ = ["saturate_cast"]


def _value_range(dtype: str) -> tuple[int | float, int | float]:
    """(lowest, highest) value of a dtype as exact Python numbers."""
    xp = backend.xp()
    kind = xp.dtype(dtype).kind
    if kind == "b":
        return 0, 1
    info = xp.iinfo(dtype) if kind in "iu" else xp.finfo(dtype)
    convert = int if kind in "iu" else float
    return convert(info.min), convert(info.max)


def _limit(in_dtype: str, bound: int | float, out_low: Any, out_high: Any) -> Any:
    """``bound`` as a 0-d array of ``in_dtype``, moved one step towards 0 if rounding to
    ``in_dtype`` took it outside ``[out_low, out_high]``."""
    xp = backend.xp()
    limit = xp.asarray(bound).astype(in_dtype)
    value = limit.item()  # a Python number: compares exactly with Python ints of any size
    if value < out_low or value > out_high:
        limit = xp.nextafter(limit, xp.zeros((), dtype=in_dtype))
    return limit


def saturate_cast(x: Any, dtype: Any) -> Tensor:
    """Cast ``x`` to ``dtype`` after clipping it to the values ``dtype`` can represent.

    Args:
        x: a tensor, array or number.
        dtype: the target dtype (a name such as ``"uint8"``, a NumPy dtype or ``float``).

    Returns:
        A Tensor of ``dtype`` and ``x``'s shape. Float -> float casts are differentiable
        (gradient 1 inside the limits, 0 where clipped); casts involving integers are not.

    Raises TypeError naming ``saturate_cast`` for an unknown dtype or a non-numeric ``x``.
    """
    dtype = standardize_dtype(dtype, "saturate_cast")
    tensor = to_operand_tensor(x, "saturate_cast")
    source = tensor.data
    in_dtype = tensor.dtype
    if in_dtype == "bool":  # 0 and 1 fit every dtype
        return record(source.astype(dtype), (tensor,), None, name="saturate_cast")
    in_low, in_high = _value_range(in_dtype)
    out_low, out_high = _value_range(dtype)
    low = _limit(in_dtype, max(in_low, out_low), out_low, out_high)
    high = _limit(in_dtype, min(in_high, out_high), out_low, out_high)
    xp = backend.xp()
    with floating_errors_ignored():  # NaN -> integer is implementation-defined, not an error
        out = xp.clip(source, low, high).astype(dtype)
    if source.dtype.kind != "f" or out.dtype.kind != "f":
        return record(out, (tensor,), None, name="saturate_cast")
    inside = (source >= low) & (source <= high)

    def vjp(grad: Any) -> tuple[Any]:
        return ((grad * inside).astype(source.dtype, copy=False),)

    return record(out, (tensor,), vjp, name="saturate_cast")
