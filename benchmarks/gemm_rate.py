"""The BLAS reference: the GEMMs of a workload's step, alone, on the active backend's matmul.

A GEMM-bound step does a known list of matrix products (its *canonical* GEMMs: what an ideal
implementation of the step computes, e.g. im2col convolutions, one input-projection GEMM for all
timesteps of an RNN). :func:`gemm_floor` returns a step that runs exactly those products with
``xp.matmul`` (``cupy.matmul`` -> cuBLAS on the GPU, ``numpy.matmul`` -> its BLAS on the CPU) into
preallocated outputs, with the same transposes (as views, so BLAS gets transpose flags). Timed in
the same interleaved rounds as the models, it gives the BLAS rate at those shapes; the model's
"% of BLAS" is the floor's time over the model's time (achieved GEMM FLOP/s over BLAS FLOP/s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

__all__ = ["Gemm", "dense_gemms", "gemm_floor", "total_flops"]


@dataclass(frozen=True)
class Gemm:
    """``count`` products ``op(A) @ op(B)`` of an (m, k) by a (k, n) operand.

    ``trans_a``/``trans_b``: the operand is stored transposed ((k, m) / (n, k)) and passed as a
    ``.T`` view, as a backward pass does (``x.T @ dy`` for a weight gradient: ``trans_a``;
    ``dy @ w.T`` for an input gradient: ``trans_b``).
    """

    m: int
    k: int
    n: int
    trans_a: bool = False
    trans_b: bool = False
    count: int = 1

    @property
    def flops(self) -> int:
        """Multiply-adds counted as 2 FLOPs, times ``count``."""
        return 2 * self.m * self.k * self.n * self.count


def total_flops(gemms: Sequence[Gemm]) -> int:
    """Sum of the FLOPs of ``gemms``."""
    return sum(gemm.flops for gemm in gemms)


def dense_gemms(batch: int, fan_in: int, fan_out: int, input_grad: bool, train: bool
                ) -> list[Gemm]:
    """A dense layer's GEMMs: forward; in training also the weight and (optionally) input grads."""
    gemms = [Gemm(batch, fan_in, fan_out)]
    if train:
        gemms.append(Gemm(fan_in, batch, fan_out, trans_a=True))
        if input_grad:
            gemms.append(Gemm(batch, fan_out, fan_in, trans_b=True))
    return gemms


def _normal_float32(xp: ModuleType, seed: int) -> Callable[[tuple[int, int]], object]:
    """Float32 standard normal operands made on the device (random, not constant: a GPU's
    clocks under its power limit depend on the data's bit activity)."""
    if xp.__name__ == "numpy":
        generator = xp.random.default_rng(seed)
        return lambda shape: generator.standard_normal(shape, dtype=xp.float32)
    state = xp.random.RandomState(seed)  # cupy.random.RandomState draws float32 directly
    return lambda shape: state.standard_normal(shape, dtype=xp.float32)


def gemm_floor(gemms: Sequence[Gemm], xp: ModuleType, seed: int = 0) -> Callable[[], None]:
    """A step running ``gemms`` with ``xp.matmul`` on float32 operands made once, here."""
    random = _normal_float32(xp, seed)
    calls: list[tuple[object, object, object, int]] = []
    for gemm in gemms:
        a = random((gemm.k, gemm.m) if gemm.trans_a else (gemm.m, gemm.k))
        b = random((gemm.n, gemm.k) if gemm.trans_b else (gemm.k, gemm.n))
        out = xp.empty((gemm.m, gemm.n), dtype=xp.float32)
        calls.append((a.T if gemm.trans_a else a, b.T if gemm.trans_b else b, out, gemm.count))
    matmul = xp.matmul

    def step() -> None:
        for a, b, out, count in calls:
            for _ in range(count):
                matmul(a, b, out=out)

    return step
