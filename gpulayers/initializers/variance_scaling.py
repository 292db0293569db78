"""VarianceScaling and the named schemes built on it: Glorot (Xavier), He and LeCun.

``VarianceScaling(scale, mode, distribution)`` draws with variance ``scale / n``, where ``n``
is the fan-in, the fan-out or their average (:func:`compute_fans`):

- ``'truncated_normal'``: a normal truncated at 2 stddev whose stddev *after* truncation is
  ``sqrt(scale / n)`` (the pre-truncation stddev is divided by 0.87962566103423978);
- ``'untruncated_normal'``: ``N(0, scale / n)``;
- ``'uniform'``: ``U(-limit, limit)`` with ``limit = sqrt(3 * scale / n)``.

======================  =====  ========  ==================
name                    scale  mode      distribution
======================  =====  ========  ==================
GlorotUniform / Normal  1      fan_avg   uniform / truncated_normal
HeUniform / Normal      2      fan_in    uniform / truncated_normal
LecunUniform / Normal   1      fan_in    uniform / truncated_normal
======================  =====  ========  ==================

Example::

    GlorotUniform(seed=0)((784, 128))          # limit = sqrt(6 / (784 + 128))
    HeNormal()((3, 3, 64, 128))                # fan_in = 3 * 3 * 64
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from gpulayers.backend import random as _random
from gpulayers.initializers.random_initializers import RandomInitializer, serialize_seed

__all__ = ["GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "LecunNormal",
           "LecunUniform", "VarianceScaling", "compute_fans"]

# Standard deviation of a standard normal truncated to [-2, 2].
TRUNCATED_NORMAL_STDDEV = 0.87962566103423978
_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def compute_fans(shape: Sequence[int], input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape, as Keras computes them.

    With both ``input_axes`` and ``output_axes`` (Keras >= 3.15): the products of the sizes
    on those axes. Otherwise: rank 0: ``(1, 1)``; rank 1: ``(n, n)``; rank 2 (a Dense kernel
    ``(in, out)``): ``(in, out)``; rank > 2 (a conv kernel ``(*spatial, in, out)``): each
    channel count times the receptive field ``prod(spatial)``.

    Example: ``compute_fans((3, 3, 16, 32)) == (144, 288)``.
    """
    shape = tuple(int(dim) for dim in shape)
    if input_axes is not None and output_axes is not None:
        return (math.prod(shape[axis] for axis in input_axes),
                math.prod(shape[axis] for axis in output_axes))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(RandomInitializer):
    """Draws with a variance adapted to the weight's fan-in and/or fan-out.

    Args:
        scale: positive scaling factor of the variance.
        mode: ``'fan_in'``, ``'fan_out'`` or ``'fan_avg'`` — which count divides ``scale``.
        distribution: ``'truncated_normal'`` (``'normal'`` is accepted as its old name),
            ``'untruncated_normal'`` or ``'uniform'``.
        seed: None (global stream), an int (same values every call) or a SeedGenerator.
        input_axes / output_axes: optional lists of the weight's axes whose sizes make the
            fan-in / fan-out (both needed; Keras >= 3.15 writes them, None by default).

    Example::

        VarianceScaling(scale=0.1, mode="fan_in", distribution="uniform")((2, 2))
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Any = None,
                 input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> None:
        name = type(self).__name__
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) \
                or not math.isfinite(scale) or scale <= 0:
            raise ValueError(f"{name}: `scale` must be a positive float. Received: "
                             f"scale={scale!r}")
        if mode not in _MODES:
            raise ValueError(f"{name}: `mode` must be one of {_MODES}. Received: mode={mode!r}")
        if not isinstance(distribution, str) or distribution.lower() not in (
                *_DISTRIBUTIONS, "normal"):
            raise ValueError(f"{name}: `distribution` must be one of {_DISTRIBUTIONS}. "
                             f"Received: distribution={distribution!r}")
        distribution = distribution.lower()
        self.scale = float(scale)
        self.mode = mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution
        self.input_axes = _axes(name, "input_axes", input_axes)
        self.output_axes = _axes(name, "output_axes", output_axes)
        super().__init__(seed)

    def variance(self, shape: Sequence[int]) -> float:
        """The target variance ``scale / n`` of the values drawn for ``shape``."""
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        return self.scale / max(1.0, n[self.mode])

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        shape, dtype = self._prepare(shape, dtype)
        variance = self.variance(shape)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV
            return _random.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return _random.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return _random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, **self._axes_config()}

    def _axes_config(self) -> dict[str, Any]:
        # Written only when set, so configs stay as Keras < 3.15 writes them by default.
        axes = {"input_axes": self.input_axes, "output_axes": self.output_axes}
        return {key: list(value) for key, value in axes.items() if value is not None}


class _NamedVarianceScaling(VarianceScaling):
    """A fixed (scale, mode, distribution); only ``seed`` is configurable, as in Keras."""

    SCALE = 1.0
    MODE = "fan_in"
    DISTRIBUTION = "truncated_normal"

    def __init__(self, seed: Any = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> None:
        super().__init__(scale=self.SCALE, mode=self.MODE, distribution=self.DISTRIBUTION,
                         seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict[str, Any]:
        return {"seed": serialize_seed(self.seed), **self._axes_config()}


class GlorotUniform(_NamedVarianceScaling):
    """Glorot (Xavier) uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``.

    The default kernel initializer of Dense, Conv and recurrent layers.

    Args:
        seed: None, an int or a SeedGenerator.

    Example: ``Dense(3, kernel_initializer=GlorotUniform(seed=0))``.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_avg", "uniform"


class GlorotNormal(_NamedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with stddev ``sqrt(2 / (fan_in + fan_out))``.

    Args:
        seed: None, an int or a SeedGenerator.

    Example: ``Dense(3, kernel_initializer='glorot_normal')``.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_avg", "truncated_normal"


class HeUniform(_NamedVarianceScaling):
    """He uniform: ``U(-limit, limit)``, ``limit = sqrt(6 / fan_in)`` (for ReLU networks).

    Args:
        seed: None, an int or a SeedGenerator.

    Example: ``Conv2D(32, 3, kernel_initializer='he_uniform')``.
    """

    SCALE, MODE, DISTRIBUTION = 2.0, "fan_in", "uniform"


class HeNormal(_NamedVarianceScaling):
    """He normal: truncated normal with stddev ``sqrt(2 / fan_in)`` (for ReLU networks).

    Args:
        seed: None, an int or a SeedGenerator.

    Example: ``Conv2D(32, 3, kernel_initializer='he_normal')``.
    """

    SCALE, MODE, DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: ``U(-limit, limit)``, ``limit = sqrt(3 / fan_in)``.

    Args:
        seed: None, an int or a SeedGenerator.

    Example: ``Dense(3, kernel_initializer='lecun_uniform')``.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "uniform"


class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal with stddev ``sqrt(1 / fan_in)`` (used with SELU).

    Args:
        seed: None, an int or a SeedGenerator.

    Example: ``Dense(3, activation='selu', kernel_initializer='lecun_normal')``.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "truncated_normal"


def _axes(name: str, argument: str, axes: Any) -> tuple[int, ...] | None:
    if axes is None:
        return None
    if isinstance(axes, (str, bytes)) or not isinstance(axes, Sequence) or not all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes):
        raise ValueError(f"{name}: `{argument}` must be None or a list of ints. Received: "
                         f"{argument}={axes!r}")
    return tuple(int(a) for a in axes)
